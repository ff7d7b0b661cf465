"""The SQL a report sends: the joins its fields need and nothing else, a covering index, few round trips.

Statements are recorded on the engine (``test_reports_permission_queries.statements``)
while the public runner answers, on SQLite and PostgreSQL. The answers
themselves are checked against the rows in ``test_reports_queries.py``;
here, that a narrowed scope answers exactly what the whole scope does.
"""

from __future__ import annotations

import re

import pytest
from report_helpers import user
from test_reports_permission_queries import statements

from gvizql.sql import run_query
from odesk_server.db.work import UnitOfWork
from odesk_server.reports.access import TimeReportTarget, financial_report_scope_for, time_report_scope_for
from odesk_server.reports.fields import FinancialEndpoint, TimeEndpoint
from odesk_server.reports.runner import execute, run_financial_report, run_time_report

TEAM = TimeReportTarget(TimeEndpoint.TEAM, False, company="acme:acme", team="acme:acme")
COMPANY = TimeReportTarget(TimeEndpoint.COMPANY, False, company="acme:acme")
AGENCY = TimeReportTarget(TimeEndpoint.AGENCY, False, company="brightcode:brightcode", agency="brightcode:brightcode")

# (target, role, query, tables joined besides time_logs and engagements)
TIME_JOINS = [
    (TEAM, "mhale", "SELECT worked_on, sum(hours)", set()),
    (TEAM, "mhale", "SELECT task, sum(charges) WHERE memo != ''", set()),
    (TEAM, "mhale", "SELECT provider_id, sum(hours)", {"users"}),
    (TEAM, "pnatarajan", "SELECT company_id, count(hours)", {"teams", "companies"}),
    (TEAM, "mhale", "SELECT agency_name, sum(hours)", {"companies"}),
    (TEAM, "mhale", "SELECT agency_id, sum(hours)", {"companies", "teams"}),
    (TEAM, "mhale", "SELECT assignment_team_id, count(hours) ORDER BY assignment_team_id", {"teams"}),
    (COMPANY, "pnatarajan", "SELECT month_worked_on, sum(hours)", {"teams"}),  # the scope: the company's teams
    (COMPANY, "pnatarajan", "SELECT team_name, sum(hours)", {"teams"}),
    (AGENCY, "lfischer", "SELECT worked_on, sum(earnings)", set()),
    (TEAM, "mhale", "SELECT *", {"users", "teams", "companies"}),
]


def _report_statement(seen: list[str]) -> str:
    return next(s for s in seen if "time_report" in s or "financial_report" in s)


def _tables(statement: str) -> set[str]:
    return set(re.findall(r"(?:FROM|JOIN) (\w+)", statement)) - {"time_logs", "engagements"}


@pytest.mark.parametrize("target, uid, tq, joined", TIME_JOINS)
def test_a_time_report_joins_only_what_its_fields_read(demo_db, target, uid, tq, joined):
    with UnitOfWork(demo_db.engine) as work, statements(demo_db) as seen:
        run_time_report(work, user(demo_db, uid), target, tq, timeout=30)
    assert _tables(_report_statement(seen)) == joined


@pytest.mark.parametrize(
    "endpoint, key, uid, tq, joined",
    [
        (
            FinancialEndpoint.BUYER_TEAM_BILLINGS,
            "acme:engineering",
            "mhale",
            "SELECT date, amount",
            {"accounting_entities"},
        ),
        (FinancialEndpoint.FINANCIAL_ACCOUNT_OWNER, "jwalker", "jwalker", "SELECT date, amount", set()),
        (FinancialEndpoint.FINANCIAL_ACCOUNT_OWNER, "jwalker", "jwalker", "SELECT buyer_team_name, amount", {"teams"}),
        (
            FinancialEndpoint.PROVIDER_EARNINGS,
            "jwalker",
            "jwalker",
            "SELECT assignment_name",
            {"accounting_entities", "engagements"},
        ),
    ],
)
def test_a_financial_report_joins_only_what_its_fields_read(demo_db, endpoint, key, uid, tq, joined):
    with UnitOfWork(demo_db.engine) as work, statements(demo_db) as seen:
        run_financial_report(work, user(demo_db, uid), endpoint, key, tq, timeout=30)
    assert set(re.findall(r"(?:FROM|JOIN) (\w+)", _report_statement(seen))) - {"ledger_entries"} == joined


def _whole(work, scope, tq: str):
    """The query on the whole scope (every field the endpoint shows, every join), as before narrowing."""
    return run_query(
        work.connection, scope.selectable, tq, implicit_group_by=True, date_strings=True, schema=scope.schema
    )


@pytest.mark.parametrize(
    "tq",
    [
        "SELECT worked_on, provider_name, sum(hours), sum(charges) GROUP BY worked_on, provider_name",
        "SELECT team_id, agency_id, team_name, count(task) WHERE hours > 2 ORDER BY team_id, agency_id",
        "SELECT assignment_ref, max(worked_on) WHERE agency_company_id IS NULL ORDER BY assignment_ref",
        "SELECT month_worked_on, sum(hours) PIVOT agency_name",
        "SELECT count(hours)",
    ],
)
def test_a_narrowed_time_scope_answers_what_the_whole_one_does(demo_db, tq):
    with UnitOfWork(demo_db.engine) as work:
        scope = time_report_scope_for(work, user(demo_db, "mhale"), COMPANY, person_field=None)
        narrowed, whole = execute(work, scope, tq, timeout=30), _whole(work, scope, tq)
    assert narrowed.rows == whole.rows and len(narrowed.rows) > 0


@pytest.mark.parametrize(
    "endpoint, key, uid",
    [
        (FinancialEndpoint.BUYER_COMPANY_BILLINGS, "acme:acme", "mhale"),
        (FinancialEndpoint.PROVIDER_EARNINGS, "jwalker", "jwalker"),
        (FinancialEndpoint.PROVIDER_TEAM_EARNINGS, "brightcode:brightcode", "lfischer"),
    ],
)
def test_a_narrowed_financial_scope_answers_what_the_whole_one_does(demo_db, endpoint, key, uid):
    tq = "SELECT type, count(amount), sum(amount) ORDER BY type"
    with UnitOfWork(demo_db.engine) as work:
        scope = financial_report_scope_for(work, user(demo_db, uid), endpoint, key)
        narrowed, whole = execute(work, scope, tq, timeout=30), _whole(work, scope, tq)
    assert narrowed.rows == whole.rows and len(narrowed.rows) > 0


def test_sqlite_reads_a_team_report_from_the_covering_index(demo_db):
    if demo_db.engine.dialect.name != "sqlite":
        pytest.skip("the plan is SQLite's; PostgreSQL picks by its statistics")
    caller = user(demo_db, "dortiz")
    target = TimeReportTarget(TimeEndpoint.TEAM, False, company="acme:acme", team="acme:engineering")
    tq = "SELECT worked_on, provider_id, sum(hours) WHERE worked_on >= '2025-10-01' AND worked_on <= '2025-10-31'"
    with UnitOfWork(demo_db.engine) as work, statements(demo_db) as seen:
        run_time_report(work, caller, target, tq, timeout=30)
    statement = _report_statement(seen)
    with demo_db.engine.connect() as conn:
        raw = conn.connection.driver_connection
        plan = " | ".join(
            row[3] for row in raw.execute("EXPLAIN QUERY PLAN " + statement, [None] * statement.count("?"))
        )
    assert "COVERING INDEX ix_time_logs_engagement_id_worked_on_totals" in plan, plan


def test_postgresql_spends_two_round_trips_on_the_report_timeout(demo_db):
    if demo_db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's timeout is a progress handler: no statement")
    caller = user(demo_db, "jwalker")
    target = TimeReportTarget(TimeEndpoint.PROVIDER, False, provider="jwalker")
    with UnitOfWork(demo_db.engine) as work, statements(demo_db) as seen:
        run_time_report(work, caller, target, "SELECT sum(hours)", timeout=30)
    # The savepoint and the timeout in one, the report, the timeout restored and the savepoint released in one.
    assert len(seen) == 3 and "time_report" in seen[1], seen
    assert seen[0] == "SAVEPOINT gds_report; SET LOCAL statement_timeout = 30000"
    assert seen[2] == "SET LOCAL statement_timeout TO DEFAULT; RELEASE SAVEPOINT gds_report"
