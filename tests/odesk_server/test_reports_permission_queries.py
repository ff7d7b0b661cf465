"""What deciding who may run a report costs: at most two queries, whatever the report and the answer.

The caller's organisation scope is one query (``odesk_server.access.scope``);
the provider's own account (F2, F12) or the account a key names (F11) is at
most one more; the provider reports that need neither ask the caller's row
alone. Counted on the engine (``before_cursor_execute``) through the public
entry points of ``odesk_server.reports.runner``, on SQLite and PostgreSQL:
every statement before the report's own (its SAVEPOINT on PostgreSQL, the
query on the scoped selectable on SQLite) is a permission query.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from report_helpers import user
from test_reports_access import UIDS, account_reference

from odesk_server.db import Database
from odesk_server.db.prepared import PreparedStatement
from odesk_server.db.work import UnitOfWork
from odesk_server.reports.access import TimeReportTarget
from odesk_server.reports.errors import ReportError
from odesk_server.reports.fields import FinancialEndpoint, TimeEndpoint
from odesk_server.reports.runner import run_financial_report, run_time_report

E = FinancialEndpoint
ACME = {"company": "acme:acme"}
AGENCY = {"company": "brightcode:brightcode", "agency": "brightcode:brightcode"}

# (case, endpoint, path keys, role, query, permission queries, allowed)
TIME_CASES = [
    ("team, about teams", TimeEndpoint.TEAM, {**ACME, "team": "acme:engineering"}, "owner", "SELECT hours", 1, True),
    ("team, about people", TimeEndpoint.TEAM, {**ACME, "team": "acme:acme"}, "hiring_manager", "SELECT *", 1, True),
    ("team, finance", TimeEndpoint.TEAM, {**ACME, "team": "acme:acme"}, "finance", "SELECT hours", 1, True),
    ("team, denied", TimeEndpoint.TEAM, {**ACME, "team": "acme:marketing"}, "hiring_manager", "SELECT *", 1, False),
    ("team, bad query", TimeEndpoint.TEAM, {**ACME, "team": "acme:acme"}, "finance", "SELECT FROM WHERE", 1, False),
    ("team, unknown key", TimeEndpoint.TEAM, {"company": "nope", "team": "nope"}, "owner", "SELECT hours", 1, False),
    ("company", TimeEndpoint.COMPANY, ACME, "finance", "SELECT hours", 1, True),
    ("company, owner", TimeEndpoint.COMPANY, ACME, "owner", "SELECT *", 1, True),
    ("company, denied", TimeEndpoint.COMPANY, ACME, "hiring_manager", "SELECT hours", 1, False),
    ("agency", TimeEndpoint.AGENCY, AGENCY, "staffing_manager", "SELECT hours", 1, True),
    ("agency, denied", TimeEndpoint.AGENCY, AGENCY, "agency_provider", "SELECT hours", 1, False),
    ("provider", TimeEndpoint.PROVIDER, {"provider": "jwalker"}, "provider", "SELECT hours", 0, True),
    ("provider, denied", TimeEndpoint.PROVIDER, {"provider": "jwalker"}, "owner", "SELECT hours", 0, False),
]

# (endpoint, key, role, permission queries, allowed)
FINANCIAL_CASES = [
    (E.PROVIDER_BILLINGS, "jwalker", "provider", 0, True),
    (E.PROVIDER_EARNINGS, "jwalker", "provider", 1, True),
    (E.PROVIDER_TEAM_BILLINGS, "brightcode:brightcode", "staffing_manager", 1, True),
    (E.PROVIDER_TEAM_EARNINGS, "brightcode:brightcode", "agency_owner", 1, True),
    (E.PROVIDER_COMPANY_BILLINGS, "brightcode:brightcode", "agency_owner", 1, True),
    (E.PROVIDER_COMPANY_EARNINGS, "brightcode:brightcode", "staffing_manager", 1, False),
    (E.BUYER_TEAM_BILLINGS, "acme:engineering", "finance", 1, True),
    (E.BUYER_TEAM_EARNINGS, "acme:engineering", "hiring_manager", 1, True),
    (E.BUYER_COMPANY_BILLINGS, "acme:acme", "owner", 1, True),
    (E.BUYER_COMPANY_EARNINGS, "acme:acme", "finance", 1, False),
    (E.FINANCIAL_ACCOUNT, "acme-account", "finance", 2, True),
    (E.FINANCIAL_ACCOUNT, "acme-account", "member", 2, False),
    (E.FINANCIAL_ACCOUNT, "jwalker-account", "provider", 1, True),
    (E.FINANCIAL_ACCOUNT, "999999999", "owner", 1, False),
    (E.FINANCIAL_ACCOUNT_OWNER, "jwalker", "provider", 1, True),
]


@contextmanager
def statements(database: Database) -> Iterator[list[str]]:
    """Every SQL statement run on ``database``'s engine inside the block, in order.

    The engine's ``before_cursor_execute`` event sees what runs through
    SQLAlchemy; the driver-level statements (``db.prepared``, the scope
    query) are recorded by wrapping ``PreparedStatement.execute``.
    """
    seen: list[str] = []

    def record(_connection, _cursor, statement, _parameters, _context, _executemany) -> None:
        seen.append(statement)

    run_prepared = PreparedStatement.execute

    def execute_and_record(self, connection, values):
        seen.append(self.compiled(connection.dialect).sql)
        return run_prepared(self, connection, values)

    sa.event.listen(database.engine, "before_cursor_execute", record)
    PreparedStatement.execute = execute_and_record  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        PreparedStatement.execute = run_prepared  # type: ignore[method-assign]
        sa.event.remove(database.engine, "before_cursor_execute", record)


def _is_report_statement(statement: str) -> bool:
    return statement.startswith("SAVEPOINT") or "time_report" in statement or "financial_report" in statement


def permission_queries(seen: list[str]) -> int:
    """How many statements ran before the report's own."""
    return next((i for i, statement in enumerate(seen) if _is_report_statement(statement)), len(seen))


def _assert_cost(seen: list[str], expected: int, allowed: bool) -> None:
    assert permission_queries(seen) == expected, seen
    assert permission_queries(seen) <= 2
    assert any(_is_report_statement(s) for s in seen) == allowed, seen


@pytest.mark.parametrize(
    "endpoint, keys, role, tq, expected, allowed",
    [pytest.param(*case[1:], id=case[0]) for case in TIME_CASES],
)
def test_time_report_permission_queries(demo_db, endpoint, keys, role, tq, expected, allowed):
    caller = user(demo_db, UIDS[role])
    target = TimeReportTarget(endpoint=endpoint, hours_only=False, **keys)
    with UnitOfWork(demo_db.engine) as work, statements(demo_db) as seen:
        try:
            run_time_report(work, caller, target, tq, timeout=30)
        except ReportError as error:
            assert not allowed, error
    _assert_cost(seen, expected, allowed)


@pytest.mark.parametrize(
    "endpoint, key, role, expected, allowed",
    [pytest.param(*case, id=f"{case[0].value}-{case[1]}-{case[2]}") for case in FINANCIAL_CASES],
)
def test_financial_report_permission_queries(demo_db, endpoint, key, role, expected, allowed):
    caller = user(demo_db, UIDS[role])
    key = account_reference(demo_db, key)
    with UnitOfWork(demo_db.engine) as work, statements(demo_db) as seen:
        try:
            run_financial_report(work, caller, endpoint, key, "SELECT amount LIMIT 1", timeout=30)
        except ReportError as error:
            assert not allowed, error
    _assert_cost(seen, expected, allowed)
