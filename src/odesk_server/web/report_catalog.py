"""What the reports explorer offers a person: each report, the keys he may read, fields and examples.

``catalog_for(work, user, today)`` lists every time report (team, company,
agency, provider) and financial report with the path keys the person may
actually run it on. The keys come from the person's organisation scope
(``access.scope.org_scope``: the teams and companies of his companies, the
accounts of those companies, his own uid and account) and each one is kept
only when the report's own access rule (``reports.access``, the rule the
GDS route applies) lets him run some query on it: a list can never offer a
key that the route would refuse, nor leave out one it would answer.

Each report also carries the fields it shows (``reports.fields``: the
catalogue and what the endpoint hides; the time reports also without their
money fields, for ``/hours``) and example queries in the spirit of the
documentation's, with the date range the page starts with. The page
(``templates/reports.html``, ``static/reports.js``) gets it all as JSON.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from odesk_server.access.scope import org_scope
from odesk_server.db.work import UnitOfWork
from odesk_server.models import AccountingEntity, User
from odesk_server.reports.access import (
    TimeReportTarget,
    financial_report_scope_for,
    require_some_time_report_access,
)
from odesk_server.reports.errors import ReportError
from odesk_server.reports.fields import (
    SUPERVISOR_FIELDS,
    FinancialEndpoint,
    ReportField,
    TimeEndpoint,
    visible_financial_fields,
    visible_time_fields,
)

TIME_BASE = "/gds/timereports/v1"
FIN_BASE = "/gds/finreports/v2"
# The explorer starts on the last four weeks.
DEFAULT_DAYS = 28


@dataclass(frozen=True)
class Key:
    """One key a report may run on: ``path`` goes after the report's base URL, ``label`` is for people."""

    path: str
    label: str


@dataclass(frozen=True)
class Example:
    """An example query: a name for the list, the query (with the page's dates) and the chart that suits it."""

    name: str
    tq: str
    chart: str


@dataclass(frozen=True)
class Report:
    """One report of the explorer and what the person may run it on."""

    id: str
    label: str
    group: str
    base: str
    pattern: str  # the shape of ``Key.path``, for the page's check of a key from a link
    date_field: str
    keys: tuple[Key, ...]
    fields: tuple[ReportField, ...]
    hours_fields: tuple[ReportField, ...] = ()
    examples: tuple[Example, ...] = ()
    note: str = ""

    @property
    def has_hours(self) -> bool:
        return bool(self.hours_fields)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "base": self.base,
            "pattern": self.pattern,
            "dateField": self.date_field,
            "keys": [{"path": k.path, "label": k.label} for k in self.keys],
            "fields": [_field_json(f) for f in self.fields],
            "hoursFields": [_field_json(f) for f in self.hours_fields],
            "examples": [{"name": e.name, "tq": e.tq, "chart": e.chart} for e in self.examples],
            "note": self.note,
        }


def _field_json(report_field: ReportField) -> dict[str, Any]:
    return {
        "name": report_field.name,
        "type": str(report_field.type.value),
        "description": report_field.description,
        "person": report_field.name in SUPERVISOR_FIELDS,
    }


@dataclass(frozen=True)
class Catalog:
    """Every report of the explorer (those without keys too: the page says they need permissions)."""

    reports: tuple[Report, ...]
    from_date: str
    to_date: str

    def to_json(self) -> dict[str, Any]:
        return {
            "reports": [r.to_json() for r in self.reports],
            "from": self.from_date,
            "to": self.to_date,
        }


# --- examples --------------------------------------------------------------------------------


def _time_examples(endpoint: TimeEndpoint, hours_only: bool, start: str, end: str) -> tuple[Example, ...]:
    when = f"worked_on >= '{start}' AND worked_on <= '{end}'"
    per_team = "assignment_team_id" if endpoint is TimeEndpoint.TEAM else "team_name"
    per_person = "assignment_name" if endpoint is TimeEndpoint.PROVIDER else "provider_name"
    money = {TimeEndpoint.AGENCY: "earnings", TimeEndpoint.PROVIDER: "earnings"}.get(endpoint, "charges")
    examples = [
        Example("Hours per day", f"SELECT worked_on, sum(hours) WHERE {when} ORDER BY worked_on", "line"),
        Example(
            "Hours per provider" if per_person == "provider_name" else "Hours per contract",
            f"SELECT {per_person}, sum(hours) WHERE {when} ORDER BY sum(hours) DESC",
            "bar",
        ),
        Example("Hours per team", f"SELECT {per_team}, sum(hours) WHERE {when} ORDER BY sum(hours) DESC", "bar"),
        Example(
            "Hours per week by team (pivot)",
            f"SELECT week_worked_on, sum(hours) WHERE {when} GROUP BY week_worked_on PIVOT {per_team} "
            "ORDER BY week_worked_on",
            "stacked",
        ),
        Example("Share of hours by task", f"SELECT task, sum(hours) WHERE {when} ORDER BY sum(hours) DESC", "pie"),
        Example(
            "Day, provider and hours (the documentation's example)",
            f"SELECT worked_on, provider_id, provider_name, sum(hours) WHERE {when} ORDER BY worked_on",
            "table",
        ),
    ]
    if endpoint is TimeEndpoint.PROVIDER:
        examples.pop()  # the provider report has no provider fields
    if not hours_only and money in {f.name for f in visible_time_fields(endpoint, hours_only=False)}:
        examples.append(
            Example(
                f"Hours and {money} per week",
                f"SELECT week_worked_on, sum(hours), sum({money}) WHERE {when} ORDER BY week_worked_on",
                "bar",
            )
        )
    return tuple(examples)


def _financial_examples(start: str, end: str) -> tuple[Example, ...]:
    when = f"date >= '{start}' AND date <= '{end}'"
    return (
        Example("Entries", f"SELECT date, type, subtype, description, amount WHERE {when} ORDER BY date", "table"),
        Example("Amount per week", f"SELECT week, sum(amount) WHERE {when} GROUP BY week ORDER BY week", "line"),
        Example("Amount by type", f"SELECT type, sum(amount) WHERE {when} GROUP BY type", "pie"),
        Example(
            "Amount per team",
            f"SELECT buyer_team_name, sum(amount) WHERE {when} GROUP BY buyer_team_name ORDER BY sum(amount)",
            "bar",
        ),
    )


# --- which keys ----------------------------------------------------------------------------------


_TIME_REPORTS = (
    (TimeEndpoint.TEAM, "Team time report", "companies/{company}/teams/{team}"),
    (TimeEndpoint.COMPANY, "Company time report", "companies/{company}"),
    (TimeEndpoint.AGENCY, "Agency time report", "companies/{company}/agencies/{agency}"),
    (TimeEndpoint.PROVIDER, "My time report (as a provider)", "providers/{provider}"),
)
_TIME_NOTES = {
    TimeEndpoint.TEAM: "A query naming provider_id, provider_name, assignment_ref or assignment_name covers only "
    "the teams you supervise; with finance permission alone, leave those fields out.",
}
_FINANCIAL_LABELS = {
    FinancialEndpoint.PROVIDER_BILLINGS: "My billings (as a provider)",
    FinancialEndpoint.PROVIDER_EARNINGS: "My earnings (as a provider)",
    FinancialEndpoint.PROVIDER_TEAM_BILLINGS: "Provider team billings",
    FinancialEndpoint.PROVIDER_TEAM_EARNINGS: "Provider team earnings",
    FinancialEndpoint.PROVIDER_COMPANY_BILLINGS: "Provider company billings",
    FinancialEndpoint.PROVIDER_COMPANY_EARNINGS: "Provider company earnings",
    FinancialEndpoint.BUYER_TEAM_BILLINGS: "Buyer team billings",
    FinancialEndpoint.BUYER_TEAM_EARNINGS: "Buyer team earnings",
    FinancialEndpoint.BUYER_COMPANY_BILLINGS: "Buyer company billings",
    FinancialEndpoint.BUYER_COMPANY_EARNINGS: "Buyer company earnings",
    FinancialEndpoint.FINANCIAL_ACCOUNT: "Financial account",
    FinancialEndpoint.FINANCIAL_ACCOUNT_OWNER: "My financial account (as a provider)",
}


def _financial_path(endpoint: FinancialEndpoint, key: str) -> str:
    if "/" in endpoint.value:
        collection, kind = endpoint.value.split("/")
        return f"{collection}/{key}/{kind}"
    return f"{endpoint.value}/{key}"


def _financial_pattern(endpoint: FinancialEndpoint) -> str:
    return _financial_path(endpoint, "{key}")


def _time_allowed(work: UnitOfWork, user: User, target: TimeReportTarget) -> bool:
    try:
        require_some_time_report_access(work, user, target)
    except ReportError:
        return False
    return True


def _financial_allowed(work: UnitOfWork, user: User, endpoint: FinancialEndpoint, key: str) -> bool:
    try:
        financial_report_scope_for(work, user, endpoint, key)
    except ReportError:
        return False
    return True


def _keep(candidates: Iterable[Key], allowed: Iterable[bool]) -> tuple[Key, ...]:
    return tuple(key for key, ok in zip(candidates, allowed) if ok)


def catalog_for(work: UnitOfWork, user: User, *, today: dt.date) -> Catalog:
    """The explorer's reports for ``user``, each with the keys he may run it on (``work``: a read)."""
    start, end = (today - dt.timedelta(days=DEFAULT_DAYS - 1)).isoformat(), today.isoformat()
    scope = org_scope(work, user.id)
    companies = sorted(scope.companies.values(), key=lambda c: (c.name.lower(), c.company_id))
    teams = sorted(
        scope.teams.values(),
        key=lambda t: (scope.companies[t.company_id].name.lower(), t.parent_team_id is not None, t.name.lower()),
    )
    reports: list[Report] = []

    for endpoint, label, pattern in _TIME_REPORTS:
        candidates: list[tuple[Key, TimeReportTarget]] = []
        if endpoint is TimeEndpoint.TEAM:
            for team in teams:
                company = scope.companies[team.company_id]
                key = Key(f"companies/{company.company_id}/teams/{team.team_id}", f"{team.name} ({team.team_id})")
                candidates.append(
                    (key, TimeReportTarget(endpoint, False, company=company.company_id, team=team.team_id))
                )
        elif endpoint is TimeEndpoint.COMPANY:
            for company in companies:
                key = Key(f"companies/{company.company_id}", f"{company.name} ({company.company_id})")
                candidates.append((key, TimeReportTarget(endpoint, False, company=company.company_id)))
        elif endpoint is TimeEndpoint.AGENCY:
            for company in companies:
                if company.is_agency:
                    key = Key(
                        f"companies/{company.company_id}/agencies/{company.company_id}",
                        f"{company.name} ({company.company_id})",
                    )
                    candidates.append(
                        (key, TimeReportTarget(endpoint, False, company=company.company_id, agency=company.company_id))
                    )
        elif user.is_provider:
            key = Key(f"providers/{user.uid}", f"{user.first_name} {user.last_name} ({user.uid})")
            candidates.append((key, TimeReportTarget(endpoint, False, provider=user.uid)))
        keys = _keep((k for k, _ in candidates), (_time_allowed(work, user, t) for _, t in candidates))
        reports.append(
            Report(
                id=endpoint.value,
                label=label,
                group="Time reports",
                base=TIME_BASE,
                pattern=pattern,
                date_field="worked_on",
                keys=keys,
                fields=visible_time_fields(endpoint, hours_only=False),
                hours_fields=visible_time_fields(endpoint, hours_only=True),
                examples=_time_examples(endpoint, False, start, end),
                note=_TIME_NOTES.get(endpoint, ""),
            )
        )

    accounts = _accounts(work, user, [c.id for c in companies])
    for fin in FinancialEndpoint:
        if fin in (
            FinancialEndpoint.PROVIDER_BILLINGS,
            FinancialEndpoint.PROVIDER_EARNINGS,
            FinancialEndpoint.FINANCIAL_ACCOUNT_OWNER,
        ):
            names = [(user.uid, f"{user.first_name} {user.last_name} ({user.uid})")] if user.is_provider else []
        elif fin is FinancialEndpoint.FINANCIAL_ACCOUNT:
            names = accounts
        elif fin.value.startswith(("provider_teams", "buyer_teams")):
            names = [(t.team_id, f"{t.name} ({t.team_id})") for t in teams]
        else:
            names = [(c.company_id, f"{c.name} ({c.company_id})") for c in companies]
        fin_keys = tuple(
            Key(_financial_path(fin, name), label) for name, label in names if _financial_allowed(work, user, fin, name)
        )
        reports.append(
            Report(
                id="fin:" + fin.value,
                label=_FINANCIAL_LABELS[fin],
                group="Financial reports",
                base=FIN_BASE,
                pattern=_financial_pattern(fin),
                date_field="date",
                keys=fin_keys,
                fields=visible_financial_fields(fin),
                examples=_financial_examples(start, end),
            )
        )
    return Catalog(tuple(reports), start, end)


def _accounts(work: UnitOfWork, user: User, company_ids: list[int]) -> list[tuple[str, str]]:
    """The accounts that may be the person's to read: those of his companies and his own, as (reference, label)."""
    condition = AccountingEntity.user_id == user.id
    if company_ids:
        condition = sa.or_(condition, AccountingEntity.company_id.in_(company_ids))
    rows = work.connection.execute(
        sa.select(AccountingEntity.reference, AccountingEntity.name)
        .where(condition)
        .order_by(AccountingEntity.reference)
    ).all()
    return [(str(reference), f"{name} ({reference})") for reference, name in rows]
