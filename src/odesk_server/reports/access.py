"""Who may run which report, and over which rows: the rules of docs/permissions.md.

``time_report_scope_for`` and ``financial_report_scope_for`` take the
request's unit of work, the caller, the path keys and (for the team report)
the field about a person the query reaches, if any, and return the
``ReportScope`` the query may run on, or raise ``ReportError`` with reason
``access_denied``.

The decision costs at most two queries: the caller's permission scope
(``odesk_server.access.scope``: the teams of the caller's companies,
with the caller's roles and flags), and for some financial reports the
accounting entity the report is about. Path keys are looked up in that
scope (``odesk_server.access.keys``: text id, short form or numeric
reference), and the rules are the named predicates of
``odesk_server.access.predicates``.

An unknown key and a key the caller may not see give the same
``access_denied`` answer: a key outside the caller's scope is simply not
found, and the message is built from the keys as the caller typed them and
never from a row, so the reports do not reveal which companies, teams or
users exist.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from odesk_server.access.keys import as_reference
from odesk_server.access.predicates import (
    is_admin,
    is_finance_manager,
    is_hiring_manager,
    is_owner,
    is_staffing_manager,
    is_the_provider,
    supervised_teams,
)
from odesk_server.access.scope import CompanyNode, OrgScope, org_scope
from odesk_server.db.work import UnitOfWork
from odesk_server.models import AccountingEntity, User
from odesk_server.reports.errors import ReportError
from odesk_server.reports.fields import (
    SUPERVISOR_FIELDS,
    FinancialEndpoint,
    ReportField,
    TimeEndpoint,
    visible_financial_fields,
    visible_time_fields,
)
from odesk_server.reports.scopes import (
    LedgerRowFilter,
    ReportScope,
    TimeRowFilter,
    financial_report_scope,
    time_report_scope,
)


def _denied(message: str) -> ReportError:
    return ReportError.access_denied(message)


def _company_named_by(scope: OrgScope, key: str) -> CompanyNode | None:
    """A company of the scope named by its own key or by the key of one of its teams."""
    company = scope.find_company(key)
    if company is None:
        team = scope.find_team(key)
        if team is not None:
            company = scope.company_of(team)
    return company


# --- time reports --------------------------------------------------------------------------


@dataclass(frozen=True)
class TimeReportTarget:
    """A time report request as the URL names it."""

    endpoint: TimeEndpoint
    hours_only: bool
    company: str | None = None
    team: str | None = None
    agency: str | None = None
    provider: str | None = None


# ``person_field`` of a query that selects every column (``SELECT *``).
EVERY_COLUMN = "*"


def time_report_scope_for(
    work: UnitOfWork, caller: User, target: TimeReportTarget, *, person_field: str | None
) -> ReportScope:
    """The rows and columns ``caller`` may query on ``target``.

    ``person_field`` is the field of ``SUPERVISOR_FIELDS`` the query reaches
    (``EVERY_COLUMN`` for ``SELECT *``), None for a query about teams only; on
    the team report it switches to the supervisor rule.
    Raises ``ReportError`` (access_denied) when the caller may not run it.
    """
    if target.endpoint is TimeEndpoint.PROVIDER:
        return _provider_time_report(caller, target, person_field)
    return _organisation_time_report(org_scope(work, caller.id), target, person_field)


def require_some_time_report_access(work: UnitOfWork, caller: User, target: TimeReportTarget) -> None:
    """Return when ``caller`` may run at least one query on ``target``.

    For a query that does not parse: it is invalid_query only to a caller whom
    some valid query would answer, so a bad query reveals no more than a good one.
    Raises ``ReportError`` (access_denied) otherwise.
    """
    if target.endpoint is TimeEndpoint.PROVIDER:
        _provider_time_report(caller, target, None)
        return
    scope = org_scope(work, caller.id)
    if target.endpoint is TimeEndpoint.TEAM:
        try:
            _organisation_time_report(scope, target, EVERY_COLUMN)
            return
        except ReportError:
            pass  # not a supervisor there; the rule for queries about teams decides
    _organisation_time_report(scope, target, None)


def _provider_time_report(caller: User, target: TimeReportTarget, person_field: str | None) -> ReportScope:
    if not is_the_provider(caller, target.provider or ""):
        raise _time_report_denied(target, person_field)
    fields = visible_time_fields(target.endpoint, hours_only=target.hours_only)
    return time_report_scope(fields, TimeRowFilter(provider_user_id=caller.id))


def _organisation_time_report(scope: OrgScope, target: TimeReportTarget, person_field: str | None) -> ReportScope:
    """The team, company and agency reports, decided on the caller's permission scope."""
    fields = visible_time_fields(target.endpoint, hours_only=target.hours_only)
    company = scope.find_company(target.company or "")

    if target.endpoint is TimeEndpoint.TEAM:
        team = scope.find_team(target.team or "", company) if company is not None else None
        if team is None:
            raise _time_report_denied(target, person_field)
        if person_field is not None:
            supervised = supervised_teams(scope, team)
            if not supervised:
                raise _time_report_denied(target, person_field)
            return time_report_scope(fields, TimeRowFilter(buyer_team_ids=supervised))
        if not (is_hiring_manager(scope, team) or is_finance_manager(scope, team)):
            raise _time_report_denied(target, person_field)
        # The query reaches no person field.  Without them in the scope, a way to
        # reach one that ``person_field`` missed fails as an unknown column.
        about_teams = tuple(f for f in fields if f.name not in SUPERVISOR_FIELDS)
        return time_report_scope(about_teams, TimeRowFilter(buyer_team_ids=scope.subtree(team)))

    if target.endpoint is TimeEndpoint.COMPANY:
        teams = scope.teams_of(company) if company is not None else []
        # "Every team" of a company without teams holds for anyone: not a grant.
        if (
            company is None
            or not teams
            or not all(is_hiring_manager(scope, t) or is_finance_manager(scope, t) for t in teams)
        ):
            raise _time_report_denied(target, person_field)
        return time_report_scope(fields, TimeRowFilter(buyer_company_id=company.id))

    # The agency report: {company} is the agency itself, {agency} the agency or one of its teams.
    agency = _company_named_by(scope, target.agency or "")
    root = scope.teams.get(agency.root_team_id) if agency is not None and agency.root_team_id is not None else None
    if (
        company is None
        or agency is None
        or not agency.is_agency
        or agency.id != company.id
        or root is None
        or not is_staffing_manager(scope, root)
    ):
        raise _time_report_denied(target, person_field)
    return time_report_scope(fields, TimeRowFilter(agency_company_id=agency.id))


def _time_report_denied(target: TimeReportTarget, person_field: str | None) -> ReportError:
    """The access_denied of ``target``, from the path keys as typed and the query only.

    Nothing in it comes from the database, so a key the caller may not see and
    a key that names nothing get the same message.
    """
    company, team = target.company, target.team
    if target.endpoint is TimeEndpoint.PROVIDER:
        message = f"Only the provider {target.provider} may run this provider's time report"
    elif target.endpoint is TimeEndpoint.COMPANY:
        message = f"You need hiring or finance permission on every team of the company {company}"
    elif target.endpoint is TimeEndpoint.AGENCY:
        message = (
            f"You need staffing manager permission on the agency {target.agency} of the company {company} "
            "(an agency's report is under the agency's own company)"
        )
    elif person_field is not None:
        reach = "selecting every column" if person_field == EVERY_COLUMN else f"naming {person_field}"
        message = (
            f"A query {reach} is about providers and needs a supervisor of those providers: "
            f"manage_employment on the team {team} of the company {company} or on a team below it"
        )
    else:
        message = f"You need hiring manager or finance permission on the team {team} of the company {company}"
    return _denied(message)


# --- financial reports ---------------------------------------------------------------------


def financial_report_scope_for(work: UnitOfWork, caller: User, endpoint: FinancialEndpoint, key: str) -> ReportScope:
    """The ledger rows and columns ``caller`` may query on ``endpoint`` for the path key ``key``.

    Raises ``ReportError`` (access_denied) when the caller may not run it.
    """
    fields = visible_financial_fields(endpoint)
    E = FinancialEndpoint
    side = "billing" if endpoint.value.endswith("billings") else "earning"

    if endpoint in (E.PROVIDER_BILLINGS, E.PROVIDER_EARNINGS, E.FINANCIAL_ACCOUNT_OWNER):
        if not is_the_provider(caller, key):
            raise _denied(f"Only the provider {key} may run this report")
        if endpoint is E.PROVIDER_BILLINGS:
            # Billings of contracts made through an agency are the agency's business.
            rows = LedgerRowFilter(side=side, provider_user_id=caller.id, without_agency=True)
            return financial_report_scope(fields, rows)
        entity_id = work.connection.scalar(sa.select(AccountingEntity.id).where(AccountingEntity.user_id == caller.id))
        if endpoint is E.FINANCIAL_ACCOUNT_OWNER:
            if entity_id is None:
                raise _denied(f"The provider {key} owns no financial account")
            return financial_report_scope(fields, LedgerRowFilter(accounting_entity_id=entity_id))
        # Only what reached the provider's own account: an agency keeps its contractors' earnings.
        rows = LedgerRowFilter(side=side, provider_user_id=caller.id, accounting_entity_id=entity_id or -1)
        return financial_report_scope(fields, rows)

    if endpoint is E.FINANCIAL_ACCOUNT:
        return _account_report(work, caller, key, fields)

    scope = org_scope(work, caller.id)

    if endpoint in (E.PROVIDER_TEAM_BILLINGS, E.PROVIDER_TEAM_EARNINGS):
        team = scope.find_team(key)
        if team is None or not (is_admin(scope, team) or is_staffing_manager(scope, team)):
            raise _denied(f"You need to be an admin or staffing manager of the provider team {key}")
        return financial_report_scope(fields, LedgerRowFilter(side=side, provider_team_ids=scope.subtree(team)))

    if endpoint in (E.PROVIDER_COMPANY_BILLINGS, E.PROVIDER_COMPANY_EARNINGS):
        company = _company_named_by(scope, key)
        root = scope.teams.get(company.root_team_id) if company and company.root_team_id is not None else None
        if company is None or root is None or not is_admin(scope, root):
            raise _denied(f"You need to be the owner or an admin of the provider company {key}")
        return financial_report_scope(fields, LedgerRowFilter(side=side, provider_company_id=company.id))

    if endpoint is E.BUYER_TEAM_BILLINGS:
        team = scope.find_team(key)
        if team is None or not (
            is_admin(scope, team) or is_staffing_manager(scope, team) or is_finance_manager(scope, team)
        ):
            raise _denied(f"You need to be an admin, staffing manager or finance manager of the team {key}")
        return financial_report_scope(fields, LedgerRowFilter(side=side, buyer_team_ids=scope.subtree(team)))

    if endpoint is E.BUYER_TEAM_EARNINGS:
        team = scope.find_team(key)
        if team is None or not (is_hiring_manager(scope, team) or is_finance_manager(scope, team)):
            raise _denied(f"You need hiring or finance permission on the team {key}")
        return financial_report_scope(fields, LedgerRowFilter(side=side, buyer_team_ids=scope.subtree(team)))

    # E.BUYER_COMPANY_BILLINGS, E.BUYER_COMPANY_EARNINGS
    company = _company_named_by(scope, key)
    if company is None or not is_owner(scope, company):
        raise _denied(f"Only the owner of the company {key} may run this report")
    return financial_report_scope(fields, LedgerRowFilter(side=side, buyer_company_id=company.id))


def _account_report(work: UnitOfWork, caller: User, key: str, fields: tuple[ReportField, ...]) -> ReportScope:
    """F11: the finance manager of a company's account, the provider of his own; the platform's is nobody's."""
    reference = as_reference(key)
    entity = (
        work.connection.execute(
            sa.select(
                AccountingEntity.id, AccountingEntity.kind, AccountingEntity.user_id, AccountingEntity.company_id
            ).where(AccountingEntity.reference == reference)
        ).first()
        if reference is not None
        else None
    )
    if entity is None or not _may_read_account(work, caller, entity.kind, entity.user_id, entity.company_id):
        raise _denied(f"You need finance permission on the financial account {key}")
    return financial_report_scope(fields, LedgerRowFilter(accounting_entity_id=entity.id))


def _may_read_account(work: UnitOfWork, caller: User, kind: str, user_id: int | None, company_id: int | None) -> bool:
    if kind == "provider":
        return user_id == caller.id
    if kind == "company" and company_id is not None:
        scope = org_scope(work, caller.id)
        company = scope.companies.get(company_id)
        root = scope.teams.get(company.root_team_id) if company and company.root_team_id is not None else None
        return root is not None and is_finance_manager(scope, root)
    return False  # the platform's own account is nobody's report
