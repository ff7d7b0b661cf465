"""Who may run which report, and over which rows: the rules of docs/permissions.md.

``time_report_scope_for`` and ``financial_report_scope_for`` take the caller,
the path keys and (for the team report) the field about a person the query
reaches, if any, and return the ``ReportScope`` the query may run on, or
raise ``ReportError`` with reason ``access_denied``.

Path keys are looked up by text id or by numeric reference, as clients send
either.  An unknown key and a key the caller may not see give the same
``access_denied`` answer: its message is built from the keys as the caller
typed them and never from a row, so the reports do not reveal which
companies, teams or users exist.

Permission semantics come from ``odesk_server.permissions``: a flag held on a
team applies to its subtree, the ``admin`` role and the company owner hold
every flag.  "Hiring" permission is ``manage_recruiting`` or
``manage_employment``; "finance" is ``manage_finance``; a "supervisor" of a
provider holds ``manage_employment`` on the buyer team of the provider's
contract.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from odesk_server.models import (
    MANAGE_EMPLOYMENT,
    MANAGE_FINANCE,
    MANAGE_RECRUITING,
    STAFFING_MANAGER,
    AccountingEntity,
    Company,
    Team,
    User,
    UserRole,
)
from odesk_server.permissions import (
    permissions_on_team,
    subtree_team_ids,
    teams_with_permission,
)
from odesk_server.reports.errors import ReportError
from odesk_server.reports.fields import (
    SUPERVISOR_FIELDS,
    FinancialEndpoint,
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

HIRING = frozenset({MANAGE_RECRUITING, MANAGE_EMPLOYMENT})
FINANCE = frozenset({MANAGE_FINANCE})
# A key is a reference when it is a plain decimal number that fits a BIGINT.
_REFERENCE = re.compile(r"[0-9]{1,18}")


# --- looking up path keys ------------------------------------------------------------------


def _reference(key: str) -> int | None:
    return int(key) if _REFERENCE.fullmatch(key) else None


# Longer keys or keys holding NUL (which no database text may hold) name nothing.
_MAX_KEY = 200


def _usable(key: str) -> bool:
    return 0 < len(key) <= _MAX_KEY and "\x00" not in key


def _denied(message: str) -> ReportError:
    return ReportError.access_denied(message)


_Keyed = TypeVar("_Keyed", Company, Team, User)


def _first_by_key(
    session: Session,
    entity: type[_Keyed],
    by_id: sa.ColumnElement[bool],
    key: str,
    *scope: sa.ColumnElement[bool],
) -> _Keyed | None:
    """The first ``entity`` row within ``scope`` matching ``by_id``, or whose
    reference is ``key`` when ``key`` is a number; None when there is none."""
    ref = _reference(key)
    condition = by_id if ref is None else sa.or_(by_id, entity.reference == ref)
    return session.scalars(sa.select(entity).where(*scope, condition).limit(1)).first()


def find_company(session: Session, key: str) -> Company | None:
    """The company whose text id (``acme:acme``, or just ``acme``) or reference is ``key``."""
    if not _usable(key):
        return None
    return _first_by_key(session, Company, Company.company_id.in_([key, f"{key}:{key}"]), key)


def find_team(session: Session, key: str, company: Company) -> Team | None:
    """The team of ``company`` whose id (``acme:design`` or ``design``) or reference is ``key``."""
    if not _usable(key):
        return None
    prefix = company.company_id.split(":", 1)[0]
    return _first_by_key(session, Team, Team.team_id.in_([key, f"{prefix}:{key}"]), key, Team.company_id == company.id)


def find_team_anywhere(session: Session, key: str) -> Team | None:
    """The team whose id or reference is ``key``, in any company."""
    if not _usable(key):
        return None
    return _first_by_key(session, Team, Team.team_id == key, key)


def find_user(session: Session, key: str) -> User | None:
    """The user whose uid or reference is ``key``."""
    if not _usable(key):
        return None
    return _first_by_key(session, User, User.uid == key, key)


def _company_by_key_or_team(session: Session, key: str) -> Company | None:
    """A company named by its own key or by the key of one of its teams."""
    company = find_company(session, key)
    if company is None:
        team = find_team_anywhere(session, key)
        if team is not None:
            company = session.get(Company, team.company_id)
    return company


# --- permission helpers --------------------------------------------------------------------


def _holds_any(session: Session, user: User, team: Team | int, flags: frozenset[str]) -> bool:
    team_pk = team if isinstance(team, int) else team.id
    return bool(permissions_on_team(session, user.id, team_pk) & flags)


def _is_admin(session: Session, user: User, team: Team) -> bool:
    """Owner of the team's company, or ``admin`` role on the team or a team above it."""
    company = session.get(Company, team.company_id)
    if company is not None and company.owner_user_id == user.id:
        return True
    node: Team | None = team
    while node is not None:
        role = session.scalar(sa.select(UserRole.role).where(UserRole.user_id == user.id, UserRole.team_id == node.id))
        if role == "admin":
            return True
        node = session.get(Team, node.parent_team_id) if node.parent_team_id else None
    return False


def _company_teams(session: Session, company: Company) -> list[Team]:
    return list(session.scalars(sa.select(Team).where(Team.company_id == company.id)))


def _supervised_team_ids(session: Session, user: User, team: Team) -> frozenset[int]:
    """Teams of ``team``'s subtree on which ``user`` holds ``manage_employment``."""
    return frozenset(subtree_team_ids(session, team.id) & teams_with_permission(session, user.id, MANAGE_EMPLOYMENT))


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
    session: Session, caller: User, target: TimeReportTarget, *, person_field: str | None
) -> ReportScope:
    """The rows and columns ``caller`` may query on ``target``.

    ``person_field`` is the field of ``SUPERVISOR_FIELDS`` the query reaches
    (``EVERY_COLUMN`` for ``SELECT *``), None for a query about teams only; on
    the team report it switches to the supervisor rule.
    Raises ``ReportError`` (access_denied) when the caller may not run it.
    """
    fields = visible_time_fields(target.endpoint, hours_only=target.hours_only)
    if target.endpoint is TimeEndpoint.PROVIDER:
        provider = find_user(session, target.provider or "")
        if provider is None or provider.id != caller.id or not provider.is_provider:
            raise _time_report_denied(target, person_field)
        rows = TimeRowFilter(provider_user_id=provider.id, agency_earnings_hidden=True)
        return time_report_scope(fields, rows)

    company = find_company(session, target.company or "")

    if target.endpoint is TimeEndpoint.TEAM:
        team = find_team(session, target.team or "", company) if company is not None else None
        if team is None:
            raise _time_report_denied(target, person_field)
        if person_field is not None:
            supervised = _supervised_team_ids(session, caller, team)
            if not supervised:
                raise _time_report_denied(target, person_field)
            return time_report_scope(fields, TimeRowFilter(buyer_team_ids=supervised))
        if not _holds_any(session, caller, team, HIRING | FINANCE):
            raise _time_report_denied(target, person_field)
        # The query reaches no person field.  Without them in the scope, a way to
        # reach one that ``person_field`` missed fails as an unknown column.
        about_teams = tuple(f for f in fields if f.name not in SUPERVISOR_FIELDS)
        return time_report_scope(
            about_teams, TimeRowFilter(buyer_team_ids=frozenset(subtree_team_ids(session, team.id)))
        )

    if target.endpoint is TimeEndpoint.COMPANY:
        teams = _company_teams(session, company) if company is not None else []
        lacking = [t.team_id for t in teams if not _holds_any(session, caller, t, HIRING | FINANCE)]
        # "Every team" of a company without teams holds for anyone: not a grant.
        if company is None or not teams or lacking:
            raise _time_report_denied(target, person_field)
        return time_report_scope(fields, TimeRowFilter(buyer_company_id=company.id))

    # The agency report: {company} is the agency itself, {agency} the agency or one of its teams.
    agency = _company_by_key_or_team(session, target.agency or "")
    if (
        company is None
        or agency is None
        or not agency.is_agency
        or agency.id != company.id
        or agency.root_team_id is None
        or not _holds_any(session, caller, agency.root_team_id, frozenset({STAFFING_MANAGER}))
    ):
        raise _time_report_denied(target, person_field)
    return time_report_scope(fields, TimeRowFilter(agency_company_id=agency.id))


def require_some_time_report_access(session: Session, caller: User, target: TimeReportTarget) -> None:
    """Return when ``caller`` may run at least one query on ``target``.

    For a query that does not parse: it is invalid_query only to a caller whom
    some valid query would answer, so a bad query reveals no more than a good one.
    Raises ``ReportError`` (access_denied) otherwise.
    """
    if target.endpoint is TimeEndpoint.TEAM:
        try:
            time_report_scope_for(session, caller, target, person_field=EVERY_COLUMN)
            return
        except ReportError:
            pass  # not a supervisor there; the rule for queries about teams decides
    time_report_scope_for(session, caller, target, person_field=None)


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


def financial_report_scope_for(session: Session, caller: User, endpoint: FinancialEndpoint, key: str) -> ReportScope:
    """The ledger rows and columns ``caller`` may query on ``endpoint`` for the path key ``key``.

    Raises ``ReportError`` (access_denied) when the caller may not run it.
    """
    fields = visible_financial_fields(endpoint)
    E = FinancialEndpoint
    side = "billing" if endpoint.value.endswith("billings") else "earning"

    if endpoint in (E.PROVIDER_BILLINGS, E.PROVIDER_EARNINGS, E.FINANCIAL_ACCOUNT_OWNER):
        provider = find_user(session, key)
        if provider is None or provider.id != caller.id or not provider.is_provider:
            raise _denied(f"Only the provider {key} may run this report")
        entity_id = session.scalar(sa.select(AccountingEntity.id).where(AccountingEntity.user_id == provider.id))
        if endpoint is E.FINANCIAL_ACCOUNT_OWNER:
            if entity_id is None:
                raise _denied(f"The provider {key} owns no financial account")
            return financial_report_scope(fields, LedgerRowFilter(accounting_entity_id=entity_id))
        if endpoint is E.PROVIDER_EARNINGS:
            # Only what reached the provider's own account: an agency keeps its contractors' earnings.
            rows = LedgerRowFilter(side=side, provider_user_id=provider.id, accounting_entity_id=entity_id or -1)
        else:
            # Billings of contracts made through an agency are the agency's business.
            rows = LedgerRowFilter(side=side, provider_user_id=provider.id, without_agency=True)
        return financial_report_scope(fields, rows)

    if endpoint in (E.PROVIDER_TEAM_BILLINGS, E.PROVIDER_TEAM_EARNINGS):
        team = find_team_anywhere(session, key)
        if team is None or not (
            _is_admin(session, caller, team) or _holds_any(session, caller, team, frozenset({STAFFING_MANAGER}))
        ):
            raise _denied(f"You need to be an admin or staffing manager of the provider team {key}")
        teams = frozenset(subtree_team_ids(session, team.id))
        return financial_report_scope(fields, LedgerRowFilter(side=side, provider_team_ids=teams))

    if endpoint in (E.PROVIDER_COMPANY_BILLINGS, E.PROVIDER_COMPANY_EARNINGS):
        company = _company_by_key_or_team(session, key)
        root = session.get(Team, company.root_team_id) if company and company.root_team_id else None
        if company is None or root is None or not _is_admin(session, caller, root):
            raise _denied(f"You need to be the owner or an admin of the provider company {key}")
        return financial_report_scope(fields, LedgerRowFilter(side=side, provider_company_id=company.id))

    if endpoint is E.BUYER_TEAM_BILLINGS:
        team = find_team_anywhere(session, key)
        if team is None or not (
            _is_admin(session, caller, team)
            or _holds_any(session, caller, team, FINANCE | frozenset({STAFFING_MANAGER}))
        ):
            raise _denied(f"You need to be an admin, staffing manager or finance manager of the team {key}")
        teams = frozenset(subtree_team_ids(session, team.id))
        return financial_report_scope(fields, LedgerRowFilter(side=side, buyer_team_ids=teams))

    if endpoint is E.BUYER_TEAM_EARNINGS:
        team = find_team_anywhere(session, key)
        if team is None or not _holds_any(session, caller, team, HIRING | FINANCE):
            raise _denied(f"You need hiring or finance permission on the team {key}")
        teams = frozenset(subtree_team_ids(session, team.id))
        return financial_report_scope(fields, LedgerRowFilter(side=side, buyer_team_ids=teams))

    if endpoint in (E.BUYER_COMPANY_BILLINGS, E.BUYER_COMPANY_EARNINGS):
        company = _company_by_key_or_team(session, key)
        if company is None or company.owner_user_id != caller.id:
            raise _denied(f"Only the owner of the company {key} may run this report")
        return financial_report_scope(fields, LedgerRowFilter(side=side, buyer_company_id=company.id))

    # E.FINANCIAL_ACCOUNT: the finance manager of a company's account, the provider of his own.
    ref = _reference(key)
    entity = (
        session.scalars(sa.select(AccountingEntity).where(AccountingEntity.reference == ref)).first()
        if ref is not None
        else None
    )
    if entity is None or not _may_read_account(session, caller, entity):
        raise _denied(f"You need finance permission on the financial account {key}")
    return financial_report_scope(fields, LedgerRowFilter(accounting_entity_id=entity.id))


def _may_read_account(session: Session, caller: User, entity: AccountingEntity) -> bool:
    if entity.kind == "provider":
        return entity.user_id == caller.id
    if entity.kind == "company" and entity.company_id is not None:
        company = session.get(Company, entity.company_id)
        if company is None or company.root_team_id is None:
            return False
        return _holds_any(session, caller, company.root_team_id, FINANCE)
    return False  # the platform's own account is nobody's report
