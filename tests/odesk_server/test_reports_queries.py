"""Real report queries with answers computed independently from the demo's rows.

Each expected value is summed in Python from ORM rows (TimeLog, LedgerEntry),
never through the report code, then compared with the report's rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
import sqlalchemy as sa
from report_helpers import user

from odesk_server.db import Database
from odesk_server.db.work import UnitOfWork
from odesk_server.models import AccountingEntity, Company, Engagement, LedgerEntry, Team, TimeLog, User
from odesk_server.reports.access import TimeReportTarget
from odesk_server.reports.errors import ReportError
from odesk_server.reports.fields import FinancialEndpoint, TimeEndpoint
from odesk_server.reports.runner import quote_date_field, run_financial_report, run_time_report

OCTOBER = ("2025-10-01", "2025-10-31")


def cents(value) -> Decimal:
    """A report number compared at the cent (SQLite sums are floats)."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


def time_logs(database: Database) -> list[tuple[TimeLog, Engagement, Team, User]]:
    with database.session() as session:
        rows = session.execute(
            sa.select(TimeLog, Engagement, Team, User)
            .join(Engagement, Engagement.id == TimeLog.engagement_id)
            .join(Team, Team.id == Engagement.buyer_team_id)
            .join(User, User.id == Engagement.provider_user_id)
        ).all()
        return [tuple(r) for r in rows]


def in_october(day: dt.date) -> bool:
    return dt.date(2025, 10, 1) <= day <= dt.date(2025, 10, 31)


def time_report(database: Database, uid: str, tq: str, endpoint=TimeEndpoint.TEAM, hours=False, **keys):
    target = TimeReportTarget(endpoint=endpoint, hours_only=hours, **keys)
    with UnitOfWork(database.engine) as work:
        return run_time_report(work, user(database, uid), target, tq, timeout=30)


def fin_report(database: Database, uid: str, endpoint: FinancialEndpoint, key: str, tq: str):
    with UnitOfWork(database.engine) as work:
        return run_financial_report(work, user(database, uid), endpoint, key, tq, timeout=30)


def test_team_report_hours_per_provider(demo_db):
    expected: dict[str, Decimal] = defaultdict(Decimal)
    for log, _eng, team, provider in time_logs(demo_db):
        if team.team_id in ("acme:engineering", "acme:mobile") and in_october(log.worked_on):
            expected[provider.uid] += log.hours_online + log.hours_offline
    table = time_report(
        demo_db,
        "dortiz",
        f"SELECT provider_id, sum(hours) WHERE worked_on >= '{OCTOBER[0]}' AND worked_on <= '{OCTOBER[1]}'",
        company="acme:acme",
        team="acme:engineering",
    )
    assert {row[0]: cents(row[1]) for row in table.rows} == {k: cents(v) for k, v in expected.items()}
    assert expected  # the demo has October time on these teams


def test_company_report_hours_and_charges_per_team(demo_db):
    hours: dict[str, Decimal] = defaultdict(Decimal)
    charges: dict[str, Decimal] = defaultdict(Decimal)
    for log, _eng, team, _provider in time_logs(demo_db):
        if in_october(log.worked_on):
            hours[team.team_id] += log.hours_online + log.hours_offline
            charges[team.team_id] += log.charges_online + log.charges_offline
    table = time_report(
        demo_db,
        "pnatarajan",
        f"SELECT assignment_team_id, sum(hours), sum(charges) "
        f"WHERE worked_on >= '{OCTOBER[0]}' AND worked_on <= '{OCTOBER[1]}'",
        endpoint=TimeEndpoint.COMPANY,
        company="acme:acme",
    )
    assert {r[0]: (cents(r[1]), cents(r[2])) for r in table.rows} == {
        t: (cents(hours[t]), cents(charges[t])) for t in hours
    }


def test_agency_report_earnings_per_provider(demo_db):
    earnings: dict[str, Decimal] = defaultdict(Decimal)
    for log, eng, _team, provider in time_logs(demo_db):
        if eng.agency_company_id is not None:
            earnings[provider.uid] += log.earnings_online + log.earnings_offline
    table = time_report(
        demo_db,
        "lfischer",
        "SELECT provider_id, sum(earnings) ORDER BY provider_id",
        endpoint=TimeEndpoint.AGENCY,
        company="brightcode:brightcode",
        agency="brightcode:brightcode",
    )
    assert [(r[0], cents(r[1])) for r in table.rows] == sorted((k, cents(v)) for k, v in earnings.items())


@pytest.mark.parametrize("uid", ["jwalker", "akowalski"])
def test_provider_report_rows_without_money(demo_db, uid):
    expected = {}
    for log, _eng, _team, provider in time_logs(demo_db):
        if provider.uid == uid and in_october(log.worked_on):
            expected[(log.worked_on, log.task)] = cents(log.hours_online + log.hours_offline)
    table = time_report(
        demo_db,
        uid,
        f"SELECT worked_on, task, hours WHERE worked_on >= '{OCTOBER[0]}' AND worked_on <= '{OCTOBER[1]}'",
        endpoint=TimeEndpoint.PROVIDER,
        provider=uid,
    )
    assert {(r[0], r[1]): cents(r[2]) for r in table.rows} == expected
    # "No monetary fields, such as charges or earnings, are supported" (the seed's provider report)
    for money in ("earnings", "charges"):
        with pytest.raises(ReportError) as refused:
            time_report(demo_db, uid, f"SELECT sum({money})", endpoint=TimeEndpoint.PROVIDER, provider=uid)
        assert (refused.value.reason, refused.value.status) == ("invalid_query", 400)
        assert f'"{money}"' in refused.value.message


def test_week_month_year_of_worked_on(demo_db):
    table = time_report(
        demo_db,
        "mhale",
        "SELECT worked_on, week_worked_on, month_worked_on, year_worked_on "
        "WHERE worked_on >= '2025-12-20' AND worked_on <= '2026-01-10' ORDER BY worked_on",
        company="acme:acme",
        team="acme:acme",
    )
    assert len(table.rows) > 5
    for day, week, month, year in table.rows:
        assert week == day - dt.timedelta(days=day.weekday())
        assert month == day.replace(day=1)
        assert year == dt.date(day.year, 1, 1)


def test_supervisor_rule_keeps_only_the_supervised_teams(demo_db):
    # The hiring manager holds manage_employment on Engineering (and Mobile below it) and Design.
    table = time_report(
        demo_db,
        "dortiz",
        "SELECT assignment_team_id, count(provider_id)",
        company="acme:acme",
        team="acme:acme",
    )
    assert {r[0] for r in table.rows} == {"acme:engineering", "acme:mobile", "acme:design"}
    with pytest.raises(ReportError) as denied:
        time_report(demo_db, "dortiz", "SELECT assignment_team_id, count(hours)", company="acme:acme", team="acme:acme")
    assert denied.value.reason == "access_denied"
    assert "hiring manager or finance permission on the team acme:acme" in denied.value.message


def test_implicit_grouping_and_empty_result(demo_db):
    table = time_report(
        demo_db,
        "mhale",
        "SELECT task, sum(hours) WHERE worked_on >= '2025-10-01' AND worked_on <= '2025-10-07'",
        company="acme:acme",
        team="acme:design",
    )
    tasks = [r[0] for r in table.rows]
    assert len(tasks) == len(set(tasks)) > 0
    empty = time_report(
        demo_db,
        "mhale",
        "SELECT task, sum(hours) WHERE worked_on < '2000-01-01'",
        company="acme:acme",
        team="acme:design",
    )
    assert empty.rows == []


@pytest.mark.parametrize(
    "company_key, team_key",
    [
        ("acme:acme", "acme:engineering"),
        ("acme", "engineering"),
        ("{company_ref}", "{team_ref}"),
        ("acme:acme", "{team_ref}"),
    ],
)
def test_path_keys_by_text_id_or_reference(demo_db, demo_database, company_key, team_key):
    _url, credentials = demo_database
    company_key = company_key.format(company_ref=credentials.company.reference)
    team_key = team_key.format(team_ref=credentials.team("acme:engineering").reference)
    tq = "SELECT provider_id, sum(hours) WHERE worked_on >= '2025-10-01' AND worked_on <= '2025-10-07'"
    by_id = time_report(demo_db, "mhale", tq, company="acme:acme", team="acme:engineering")
    by_key = time_report(demo_db, "mhale", tq, company=company_key, team=team_key)
    assert by_key.rows == by_id.rows and by_id.rows


def ledger(database: Database):
    with database.session() as session:
        return [
            tuple(r)
            for r in session.execute(
                sa.select(LedgerEntry, AccountingEntity).join(
                    AccountingEntity, AccountingEntity.id == LedgerEntry.accounting_entity_id
                )
            ).all()
        ]


def acme_pk(database: Database) -> int:
    with database.session() as session:
        return session.scalar(sa.select(Company.id).where(Company.company_id == "acme:acme"))


def test_buyer_company_billings_per_type(demo_db):
    acme = acme_pk(demo_db)
    expected: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for leg, entity in ledger(demo_db):
        if entity.company_id == acme and leg.buyer_company_id == acme and leg.date.year == 2025:
            expected[(leg.type, leg.subtype)] += leg.amount
    table = fin_report(
        demo_db,
        "mhale",
        FinancialEndpoint.BUYER_COMPANY_BILLINGS,
        "acme:acme",
        "SELECT type, subtype, sum(amount) WHERE date >= '2025-01-01' AND date <= '2025-12-31'",
    )
    assert {(r[0], r[1]): cents(r[2]) for r in table.rows} == {k: cents(v) for k, v in expected.items()}
    assert ("Invoice", "Hourly") in expected


def test_financial_account_has_every_leg(demo_db):
    acme = acme_pk(demo_db)
    total: dict[str, Decimal] = defaultdict(Decimal)
    reference = None
    for leg, entity in ledger(demo_db):
        if entity.company_id == acme:
            total[leg.type] += leg.amount
            reference = entity.reference
    table = fin_report(
        demo_db, "pnatarajan", FinancialEndpoint.FINANCIAL_ACCOUNT, str(reference), "SELECT type, sum(amount)"
    )
    assert {r[0]: cents(r[1]) for r in table.rows} == {k: cents(v) for k, v in total.items()}
    assert "Payment" in total  # deposits are on the account, not in billings


def test_provider_earnings_are_the_legs_on_his_own_account(demo_db):
    walker = user(demo_db, "jwalker")
    expected = sorted(
        (leg.reference, cents(leg.amount))
        for leg, entity in ledger(demo_db)
        if entity.user_id == walker.id and leg.provider_user_id == walker.id
    )
    table = fin_report(demo_db, "jwalker", FinancialEndpoint.PROVIDER_EARNINGS, "jwalker", "SELECT reference, amount")
    assert sorted((int(r[0]), cents(r[1])) for r in table.rows) == expected
    assert expected


def test_bare_date_field_in_financial_queries(demo_db):
    table = fin_report(
        demo_db,
        "mhale",
        FinancialEndpoint.BUYER_TEAM_BILLINGS,
        "acme:design",
        "SELECT date, amount WHERE date >= '2025-03-01' AND date < date '2025-03-15' ORDER BY date DESC LIMIT 3",
    )
    assert [c.id for c in table.columns] == ["date", "amount"]
    assert all(dt.date(2025, 3, 1) <= r[0] < dt.date(2025, 3, 15) for r in table.rows)
    assert [r[0] for r in table.rows] == sorted((r[0] for r in table.rows), reverse=True)


@pytest.mark.parametrize(
    "tq, expected",
    [
        ("SELECT date, amount", "SELECT `date`, amount"),
        ("SELECT amount WHERE date >= '2014-01-01'", "SELECT amount WHERE `date` >= '2014-01-01'"),
        ("WHERE date > date '2014-1-1'", "WHERE `date` > date '2014-1-1'"),
        (
            "SELECT memo WHERE memo = 'date' OR notes = \"a date\"",
            "SELECT memo WHERE memo = 'date' OR notes = \"a date\"",
        ),
        ("SELECT todate(date), `date`, dated, updated_date", "SELECT todate(`date`), `date`, dated, updated_date"),
        ("SELECT Date LABEL date 'Day'", "SELECT `date` LABEL `date` 'Day'"),
    ],
)
def test_quote_date_field(tq, expected):
    assert quote_date_field(tq) == expected


@pytest.mark.parametrize(
    "tq",
    [
        "SELECT provider_id, sum(hours) PIVOT worked_on",
        "SELECT memo, task, worked_on, sum(hours), avg(charges), max(hours_online) GROUP BY memo, task, worked_on "
        "ORDER BY memo DESC",
    ],
)
def test_timeout_is_enforced_by_the_database(demo_db, tq):
    target = TimeReportTarget(TimeEndpoint.COMPANY, False, company="acme:acme")
    owner = user(demo_db, "mhale")
    with UnitOfWork(demo_db.engine) as work:
        with pytest.raises(ReportError) as error:
            run_time_report(work, owner, target, tq, timeout=0.001)
        assert error.value.reason == "timeout"
        assert error.value.status == 503
        assert "longer than 0.001 seconds" in error.value.message
        # The session stays usable: the next report on it runs normally.
        table = run_time_report(work, owner, target, "SELECT count(hours)", timeout=30)
    assert table.rows[0][0] > 1000
