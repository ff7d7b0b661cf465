"""The permission matrix of the GDS reports (docs/permissions.md, "GDS reports").

Every report endpoint x every demo role x full or ``/hours`` x a query about
teams or about people (``SELECT *``, which reaches the provider fields):
either allowed, with exactly the documented columns, or ``access_denied`` (or
``invalid_query`` when the query names a field the endpoint hides).  Runs
through ``odesk_server.reports.runner`` (the HTTP layer is tested in
test_gds_http.py, every way around the supervisor rule in
test_reports_security.py) on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from report_helpers import user

from odesk_server.db import Database
from odesk_server.db.work import UnitOfWork
from odesk_server.models import User
from odesk_server.reports.access import TimeReportTarget
from odesk_server.reports.errors import ReportError
from odesk_server.reports.fields import FinancialEndpoint, TimeEndpoint
from odesk_server.reports.runner import run_financial_report, run_time_report

ROLES = (
    "owner",
    "hiring_manager",
    "finance",
    "agency_owner",
    "staffing_manager",
    "provider",
    "agency_provider",
    "member",
)


UIDS = {
    "owner": "mhale",
    "hiring_manager": "dortiz",
    "finance": "pnatarajan",
    "agency_owner": "cmendes",
    "staffing_manager": "lfischer",
    "provider": "jwalker",
    "agency_provider": "akowalski",
    "member": "tbecker",
}

# --- the columns each endpoint shows (written out from the documentation, not from fields.py)

DATES = ["worked_on", "week_worked_on", "month_worked_on", "year_worked_on"]
PROVIDER = ["provider_id", "provider_name"]
TEAM = ["team_id", "team_name"]
ASSIGNMENT = ["assignment_team_id", "assignment_name", "assignment_ref"]
AGENCY = ["agency_id", "agency_name"]
WORK = ["task", "memo"]
HOURS = ["hours", "hours_online", "hours_offline"]
CHARGES = ["charges", "charges_online", "charges_offline"]
EARNINGS = ["earnings", "earnings_online", "earnings_offline"]

TIME_COLUMNS = {
    (TimeEndpoint.TEAM, True): DATES
    + PROVIDER
    + ASSIGNMENT
    + AGENCY
    + ["company_id", "agency_company_id"]
    + WORK
    + HOURS,
    (TimeEndpoint.TEAM, False): DATES
    + PROVIDER
    + ASSIGNMENT
    + AGENCY
    + ["company_id", "agency_company_id"]
    + WORK
    + HOURS
    + CHARGES,
    (TimeEndpoint.COMPANY, True): DATES + PROVIDER + TEAM + ASSIGNMENT + AGENCY + ["agency_company_id"] + WORK + HOURS,
    (TimeEndpoint.COMPANY, False): DATES
    + PROVIDER
    + TEAM
    + ASSIGNMENT
    + AGENCY
    + ["agency_company_id"]
    + WORK
    + HOURS
    + CHARGES,
    (TimeEndpoint.AGENCY, True): DATES + PROVIDER + TEAM + ASSIGNMENT + ["company_id"] + WORK + HOURS,
    (TimeEndpoint.AGENCY, False): DATES + PROVIDER + TEAM + ASSIGNMENT + ["company_id"] + WORK + HOURS + EARNINGS,
    (TimeEndpoint.PROVIDER, True): DATES
    + TEAM
    + ASSIGNMENT
    + AGENCY
    + ["company_id", "agency_company_id"]
    + WORK
    + HOURS,
    # "No monetary fields, such as charges or earnings, are supported": /hours or not.
    (TimeEndpoint.PROVIDER, False): DATES
    + TEAM
    + ASSIGNMENT
    + AGENCY
    + ["company_id", "agency_company_id"]
    + WORK
    + HOURS,
}

# The fields of the supervisor rule: a team report query about them is about people.
PERSON = PROVIDER + ["assignment_name", "assignment_ref"]

# (name, endpoint, path keys, roles allowed a query about teams, roles allowed SELECT *)
TIME_TARGETS = [
    (
        "team engineering",
        TimeEndpoint.TEAM,
        {"company": "acme:acme", "team": "acme:engineering"},
        {"owner", "hiring_manager", "finance"},
        {"owner", "hiring_manager"},
    ),
    (
        "team marketing",
        TimeEndpoint.TEAM,
        {"company": "acme:acme", "team": "acme:marketing"},
        {"owner", "finance"},
        {"owner"},
    ),
    (
        "team root",
        TimeEndpoint.TEAM,
        {"company": "acme:acme", "team": "acme:acme"},
        # the hiring manager supervises Engineering and Design, below the root team
        {"owner", "finance"},
        {"owner", "hiring_manager"},
    ),
    ("company", TimeEndpoint.COMPANY, {"company": "acme:acme"}, {"owner", "finance"}, {"owner", "finance"}),
    (
        "agency",
        TimeEndpoint.AGENCY,
        {"company": "brightcode:brightcode", "agency": "brightcode:brightcode"},
        # the agency's owner holds every flag on the agency's teams
        {"agency_owner", "staffing_manager"},
        {"agency_owner", "staffing_manager"},
    ),
    ("provider", TimeEndpoint.PROVIDER, {"provider": "jwalker"}, {"provider"}, {"provider"}),
    ("agency provider", TimeEndpoint.PROVIDER, {"provider": "akowalski"}, {"agency_provider"}, {"agency_provider"}),
]

TIME_CASES = [
    pytest.param(
        endpoint,
        keys,
        role,
        hours,
        every_column,
        (allowed_all if every_column else allowed),
        id=f"{name}-{role}-{'hours' if hours else 'full'}-{'all' if every_column else 'teams'}",
    )
    for name, endpoint, keys, allowed, allowed_all in TIME_TARGETS
    for role in ROLES
    for hours in (False, True)
    for every_column in (False, True)
]


@pytest.mark.parametrize("endpoint, keys, role, hours, every_column, allowed", TIME_CASES)
def test_time_report_matrix(demo_db, endpoint, keys, role, hours, every_column, allowed):
    caller = user(demo_db, UIDS[role])
    target = TimeReportTarget(endpoint=endpoint, hours_only=hours, **keys)
    columns = TIME_COLUMNS[(endpoint, hours)]
    if not every_column:
        columns = [c for c in columns if c not in PERSON]
    tq = "SELECT * LIMIT 1" if every_column else f"SELECT {', '.join(columns)} LIMIT 1"
    with UnitOfWork(demo_db.engine) as work:
        if role not in allowed:
            with pytest.raises(ReportError) as denied:
                run_time_report(work, caller, target, tq, timeout=30)
            assert denied.value.reason == "access_denied"
            assert denied.value.status == 403
            return
        table = run_time_report(work, caller, target, tq, timeout=30)
    assert sorted(c.id for c in table.columns) == sorted(columns)
    assert len(table.rows) == 1


FIN_ALL = [
    "reference",
    "date",
    "date_due",
    "assignment__reference",
    "assignment_name",
    "accounting_entity__reference",
    "accounting_entity_name",
    "buyer_company__reference",
    "buyer_company__id",
    "buyer_company_name",
    "buyer_team__reference",
    "buyer_team__id",
    "buyer_team_name",
    "provider_company__reference",
    "provider_company__id",
    "provider_company_name",
    "provider_team__reference",
    "provider_team__id",
    "provider_team_name",
    "provider__reference",
    "provider__id",
    "provider_name",
    "type",
    "subtype",
    "description",
    "comment",
    "memo",
    "notes",
    "amount",
    "po_number",
    "week",
    "month",
    "year",
]
FIN_PROVIDER_SIDE = [c for c in FIN_ALL if c not in ("comment", "po_number")]

E = FinancialEndpoint
# (endpoint, key, roles allowed, columns)
FIN_TARGETS = [
    (E.PROVIDER_BILLINGS, "jwalker", {"provider"}, FIN_PROVIDER_SIDE),
    (E.PROVIDER_EARNINGS, "jwalker", {"provider"}, FIN_PROVIDER_SIDE),
    (E.PROVIDER_TEAM_BILLINGS, "brightcode:brightcode", {"agency_owner", "staffing_manager"}, FIN_PROVIDER_SIDE),
    (E.PROVIDER_TEAM_EARNINGS, "brightcode:brightcode", {"agency_owner", "staffing_manager"}, FIN_PROVIDER_SIDE),
    (E.PROVIDER_COMPANY_BILLINGS, "brightcode:brightcode", {"agency_owner"}, FIN_PROVIDER_SIDE),
    (E.PROVIDER_COMPANY_EARNINGS, "brightcode:brightcode", {"agency_owner"}, FIN_PROVIDER_SIDE),
    (E.BUYER_TEAM_BILLINGS, "acme:engineering", {"owner", "finance"}, FIN_ALL),
    (E.BUYER_TEAM_EARNINGS, "acme:engineering", {"owner", "hiring_manager", "finance"}, FIN_ALL),
    (E.BUYER_COMPANY_BILLINGS, "acme:acme", {"owner"}, FIN_ALL),
    (E.BUYER_COMPANY_EARNINGS, "acme:acme", {"owner"}, FIN_ALL),
    (E.FINANCIAL_ACCOUNT, "acme-account", {"owner", "finance"}, FIN_ALL),
    (E.FINANCIAL_ACCOUNT, "jwalker-account", {"provider"}, FIN_ALL),
    (E.FINANCIAL_ACCOUNT_OWNER, "jwalker", {"provider"}, FIN_PROVIDER_SIDE),
]

FIN_CASES = [
    pytest.param(endpoint, key, role, role in allowed, columns, id=f"{endpoint.value}-{key}-{role}")
    for endpoint, key, allowed, columns in FIN_TARGETS
    for role in ROLES
]


def account_reference(database: Database, key: str) -> str:
    """The reference of the demo account named ``acme-account`` / ``jwalker-account``; other keys as they are."""
    from odesk_server.models import AccountingEntity, Company

    if not key.endswith("-account"):
        return key
    owner = key.removesuffix("-account")
    with database.session() as session:
        if owner == "acme":
            condition = (
                AccountingEntity.company_id
                == sa.select(Company.id).where(Company.company_id == "acme:acme").scalar_subquery()
            )
        else:
            condition = AccountingEntity.user_id == sa.select(User.id).where(User.uid == owner).scalar_subquery()
        return str(session.scalar(sa.select(AccountingEntity.reference).where(condition)))


@pytest.mark.parametrize("endpoint, key, role, allowed, columns", FIN_CASES)
def test_financial_report_matrix(demo_db, endpoint, key, role, allowed, columns):
    caller = user(demo_db, UIDS[role])
    key = account_reference(demo_db, key)
    with UnitOfWork(demo_db.engine) as work:
        if not allowed:
            with pytest.raises(ReportError) as denied:
                run_financial_report(work, caller, endpoint, key, "SELECT * LIMIT 1", timeout=30)
            assert denied.value.reason == "access_denied"
            return
        table = run_financial_report(work, caller, endpoint, key, "SELECT * LIMIT 1", timeout=30)
    assert sorted(c.id for c in table.columns) == sorted(columns)
    assert len(table.rows) == 1


# --- hidden fields are invalid_query naming the field, whoever asks -----------------------

HIDDEN = [
    (TimeEndpoint.TEAM, False, {"company": "acme:acme", "team": "acme:engineering"}, "owner", "team_name"),
    (TimeEndpoint.TEAM, False, {"company": "acme:acme", "team": "acme:engineering"}, "owner", "earnings"),
    (TimeEndpoint.TEAM, True, {"company": "acme:acme", "team": "acme:engineering"}, "owner", "charges_online"),
    (TimeEndpoint.COMPANY, False, {"company": "acme:acme"}, "owner", "company_id"),
    (TimeEndpoint.COMPANY, False, {"company": "acme:acme"}, "finance", "earnings_offline"),
    (
        TimeEndpoint.AGENCY,
        False,
        {"company": "brightcode:brightcode", "agency": "brightcode:brightcode"},
        "staffing_manager",
        "charges",
    ),
    (
        TimeEndpoint.AGENCY,
        False,
        {"company": "brightcode:brightcode", "agency": "brightcode:brightcode"},
        "staffing_manager",
        "agency_name",
    ),
    (TimeEndpoint.PROVIDER, False, {"provider": "jwalker"}, "provider", "charges"),
    (TimeEndpoint.PROVIDER, False, {"provider": "jwalker"}, "provider", "earnings"),
    (TimeEndpoint.PROVIDER, False, {"provider": "akowalski"}, "agency_provider", "earnings_online"),
    (TimeEndpoint.PROVIDER, True, {"provider": "jwalker"}, "provider", "earnings"),
    (TimeEndpoint.PROVIDER, True, {"provider": "jwalker"}, "provider", "provider_name"),
]


@pytest.mark.parametrize("endpoint, hours, keys, role, field", HIDDEN)
@pytest.mark.parametrize(
    "template", ["SELECT {f}", "SELECT worked_on WHERE {f} = 1", "SELECT sum({f})", "SELECT worked_on ORDER BY {f}"]
)
def test_hidden_field_is_an_unknown_column(demo_db, endpoint, hours, keys, role, field, template):
    caller = user(demo_db, UIDS[role])
    target = TimeReportTarget(endpoint=endpoint, hours_only=hours, **keys)
    with UnitOfWork(demo_db.engine) as work, pytest.raises(ReportError) as error:
        run_time_report(work, caller, target, template.format(f=field), timeout=30)
    assert error.value.reason == "invalid_query"
    assert error.value.status == 400
    assert f'"{field}"' in error.value.message


@pytest.mark.parametrize(
    "role, team, reason",
    [
        ("member", "acme:engineering", "access_denied"),
        ("hiring_manager", "acme:engineering", "invalid_query"),
        ("finance", "acme:engineering", "invalid_query"),  # allowed a query about teams
        ("hiring_manager", "acme:acme", "invalid_query"),  # allowed a query about people (supervisor)
        ("hiring_manager", "acme:marketing", "access_denied"),
    ],
)
def test_a_query_that_does_not_parse_is_invalid_only_to_a_caller_some_query_would_answer(demo_db, role, team, reason):
    target = TimeReportTarget(TimeEndpoint.TEAM, False, company="acme:acme", team=team)
    with UnitOfWork(demo_db.engine) as work, pytest.raises(ReportError) as error:
        run_time_report(work, user(demo_db, UIDS[role]), target, "SELECT FROM WHERE", timeout=30)
    assert error.value.reason == reason


# The message names the keys as the caller typed them, whether they name something or not.
@pytest.mark.parametrize(
    "endpoint, keys, tq, message",
    [
        (
            TimeEndpoint.TEAM,
            {"company": "acme:acme", "team": "nope"},
            "SELECT hours",
            "You need hiring manager or finance permission on the team nope of the company acme:acme",
        ),
        (
            TimeEndpoint.TEAM,
            {"company": "brightcode:brightcode", "team": "acme:engineering"},
            "SELECT hours",
            "You need hiring manager or finance permission on the team acme:engineering of the company "
            "brightcode:brightcode",
        ),
        (
            TimeEndpoint.TEAM,
            {"company": "nope", "team": "acme:engineering"},
            "SELECT hours",
            "You need hiring manager or finance permission on the team acme:engineering of the company nope",
        ),
        (
            TimeEndpoint.TEAM,
            {"company": "nope", "team": "acme:engineering"},
            "SELECT provider_name",
            "A query naming provider_name is about providers and needs a supervisor of those providers: "
            "manage_employment on the team acme:engineering of the company nope or on a team below it",
        ),
        (
            TimeEndpoint.TEAM,
            {"company": "acme", "team": "2999999"},
            "SELECT *",
            "A query selecting every column is about providers and needs a supervisor of those providers: "
            "manage_employment on the team 2999999 of the company acme or on a team below it",
        ),
        (
            TimeEndpoint.COMPANY,
            {"company": "nope"},
            "SELECT hours",
            "You need hiring or finance permission on every team of the company nope",
        ),
        (
            TimeEndpoint.AGENCY,
            {"company": "acme:acme", "agency": "brightcode:brightcode"},
            "SELECT hours",
            "You need staffing manager permission on the agency brightcode:brightcode of the company acme:acme "
            "(an agency's report is under the agency's own company)",
        ),
        (
            TimeEndpoint.AGENCY,
            {"company": "acme:acme", "agency": "acme:acme"},
            "SELECT hours",
            "You need staffing manager permission on the agency acme:acme of the company acme:acme "
            "(an agency's report is under the agency's own company)",
        ),
        (
            TimeEndpoint.PROVIDER,
            {"provider": "nobody"},
            "SELECT hours",
            "Only the provider nobody may run this provider's time report",
        ),
    ],
)
def test_unknown_or_mismatched_keys_are_access_denied(demo_db, endpoint, keys, tq, message):
    target = TimeReportTarget(endpoint=endpoint, hours_only=False, **keys)
    with UnitOfWork(demo_db.engine) as work, pytest.raises(ReportError) as error:
        run_time_report(work, user(demo_db, "mhale"), target, tq, timeout=30)
    assert error.value.reason == "access_denied"
    assert error.value.message == message
