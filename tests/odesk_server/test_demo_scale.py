"""``odesk-server demo --scale N``: about N time logs with their invoices, deterministic, on SQLite and PostgreSQL.

Small scales here (the million is the benchmark's, bench/server_reports.py);
the rules are the same at every size.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

import pytest
import sqlalchemy as sa
from test_cli import run
from test_demo import table_contents

from odesk_server import db, demo
from odesk_server.demo_parts import scale
from odesk_server.models import Engagement, LedgerEntry, Snapshot, TimeLog, User

END = dt.date(2026, 6, 30)
SCALE = 30_000


@pytest.fixture(scope="module")
def scale_databases(database_factory) -> dict[str, str]:
    """One scale demo per database kind, shared by the tests that only read it."""
    urls = {}
    for kind in ("sqlite", "postgresql"):
        urls[kind] = database_factory.new_url(kind)
        demo.load_demo(urls[kind], seed=5, end_date=END, scale=SCALE)
    return urls


@pytest.fixture
def scale_url(scale_databases, database_kind: str) -> str:
    return scale_databases[database_kind]


@pytest.fixture
def connection(scale_url: str) -> Iterator[sa.Connection]:
    engine = db.create_engine(scale_url)
    with engine.connect() as conn:
        yield conn
    engine.dispose()


def _ordinary_contracts(conn: sa.Connection) -> set[int]:
    """The contracts of the ordinary demo: those whose provider has a profile key (the added ones have none)."""
    return set(
        conn.scalars(
            sa.select(Engagement.id)
            .join(User, User.id == Engagement.provider_user_id)
            .where(User.profile_key.is_not(None))
        )
    )


def test_about_n_time_logs(connection) -> None:
    logs = connection.scalar(sa.select(sa.func.count()).select_from(TimeLog))
    assert abs(logs - SCALE) <= SCALE * 0.05, logs


def test_same_seed_day_and_scale_same_rows(scale_url, database_kind, new_database_url) -> None:
    again, other = new_database_url(database_kind), new_database_url(database_kind)
    demo.load_demo(again, seed=5, end_date=END, scale=SCALE)
    demo.load_demo(other, seed=5, end_date=END, scale=SCALE + 5_000)
    first, same, bigger = (table_contents(url) for url in (scale_url, again, other))
    assert first == same
    assert len(bigger["time_logs"]) > len(first["time_logs"])


def test_the_ordinary_demo_is_all_there(scale_url, database_kind, new_database_url) -> None:
    """The same seed and day without --scale: every row of it is in the scale demo, under the same ids."""
    ordinary = new_database_url(database_kind)
    demo.load_demo(ordinary, seed=5, end_date=END)
    small, large = table_contents(ordinary), table_contents(scale_url)
    for table, rows in small.items():
        assert set(rows) <= set(large[table]), table


def test_reset_replaces_a_scale_demo_with_the_ordinary_one(database_kind, new_database_url) -> None:
    scaled, ordinary = new_database_url(database_kind), new_database_url(database_kind)
    demo.load_demo(scaled, seed=5, end_date=END, scale=scale.MIN_SCALE)
    demo.load_demo(scaled, seed=5, end_date=END, replace=True)
    demo.load_demo(ordinary, seed=5, end_date=END)
    again, fresh = table_contents(scaled), table_contents(ordinary)
    # Ids (and the keys naming them) go on from the deleted rows on PostgreSQL; the rows are the demo's.
    assert {table: len(rows) for table, rows in again.items()} == {table: len(rows) for table, rows in fresh.items()}
    assert [row[1:] for row in again["users"]] == [row[1:] for row in fresh["users"]]
    engine = db.create_engine(scaled)
    with engine.connect() as conn:
        summary = conn.execute(sa.text("SELECT count(*), sum(hours) FROM search_provider_stats")).one()
        logged = conn.scalar(sa.select(sa.func.sum(TimeLog.hours_online + TimeLog.hours_offline)))
    engine.dispose()
    assert round(float(summary[1]), 2) == round(float(logged), 2)


def test_added_time_is_history_or_manual_never_without_its_diary(connection) -> None:
    ordinary = _ordinary_contracts(connection)
    diary_from = END - dt.timedelta(days=demo.DIARY_DAYS - 1)
    added = sa.select(TimeLog).where(TimeLog.engagement_id.not_in(ordinary))
    rows = connection.execute(added).all()
    assert rows and all(r.tracked_minutes == 0 for r in rows)
    # Inside the diary window, online hours come from snapshots only: the added contracts have none.
    assert all(r.hours_online == 0 for r in rows if r.worked_on >= diary_from)
    assert any(r.hours_online > 0 for r in rows if r.worked_on < diary_from)
    assert all(r.worked_on.weekday() < 5 and r.worked_on <= END for r in rows)
    snapshots = connection.scalar(
        sa.select(sa.func.count()).select_from(Snapshot).where(Snapshot.engagement_id.not_in(ordinary))
    )
    assert snapshots == 0


def test_every_worked_week_is_invoiced_the_monday_after(connection) -> None:
    ordinary = _ordinary_contracts(connection)
    weeks: dict[tuple[int, dt.date], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for log in connection.execute(sa.select(TimeLog).where(TimeLog.engagement_id.not_in(ordinary))):
        monday = log.worked_on - dt.timedelta(days=log.worked_on.weekday())
        if monday + dt.timedelta(days=7) <= END:  # the running week is not invoiced yet
            total = weeks[(log.engagement_id, monday + dt.timedelta(days=7))]
            total[0] += Decimal(str(log.charges_online)) + Decimal(str(log.charges_offline))
            total[1] += Decimal(str(log.earnings_online)) + Decimal(str(log.earnings_offline))
    legs = connection.execute(
        sa.select(LedgerEntry).where(LedgerEntry.engagement_id.not_in(ordinary)).order_by(LedgerEntry.id)
    ).all()
    transactions: dict[int, list] = defaultdict(list)
    for leg in legs:
        transactions[leg.transaction_ref].append(leg)
    invoiced = {}
    for number, group in transactions.items():
        assert len(group) == 3 and sum(Decimal(str(leg.amount)) for leg in group) == 0, number
        buyer, payee, _fee = group
        assert (buyer.type, buyer.subtype, buyer.date.weekday()) == ("Invoice", "Hourly", 0)
        invoiced[(buyer.engagement_id, buyer.date)] = [-Decimal(str(buyer.amount)), Decimal(str(payee.amount))]
    assert invoiced == dict(weeks)
    # Numbered after the ordinary demo's transactions, in date order.
    numbers = sorted(transactions)
    assert numbers[0] > connection.scalar(
        sa.select(sa.func.max(LedgerEntry.transaction_ref)).where(LedgerEntry.engagement_id.in_(ordinary))
    )
    dates = [transactions[n][0].date for n in numbers]
    assert dates == sorted(dates)


def test_stored_values_read_back_as_the_orm_writes_them(connection) -> None:
    log = connection.execute(sa.select(TimeLog).order_by(TimeLog.id.desc()).limit(1)).one()
    assert type(log.worked_on) is dt.date and log.created_at.tzinfo is not None
    assert log.created_at == dt.datetime.combine(log.worked_on, dt.time(18), dt.UTC)
    assert Decimal(str(log.hours_offline)) == Decimal(str(log.hours_offline)).quantize(Decimal("0.01"))


def test_the_search_summary_counts_the_added_hours(connection) -> None:
    summary = dict(connection.execute(sa.text("SELECT user_id, hours FROM search_provider_stats")).all())
    worked = connection.execute(
        sa.select(Engagement.provider_user_id, sa.func.sum(TimeLog.hours_online + TimeLog.hours_offline))
        .join(Engagement, Engagement.id == TimeLog.engagement_id)
        .group_by(Engagement.provider_user_id)
    ).all()
    assert {user: round(float(hours), 2) for user, hours in worked} == {
        user: round(float(hours), 2) for user, hours in summary.items() if float(hours)
    }


def test_scale_out_of_range() -> None:
    with pytest.raises(ValueError, match="between 20,000 and 1,500,000"):
        demo.load_demo("sqlite://", scale=scale.MIN_SCALE - 1)


@pytest.mark.parametrize("value", ["5000", "2000000", "lots"])
def test_cli_refuses_a_bad_scale(capsys, value) -> None:
    code, _out, err = run(capsys, "--database-url", "sqlite://", "demo", "--scale", value)
    assert code == 2
    assert "argument --scale: must be" in err and repr(value) in err


def test_cli_shows_the_progress(capsys, database_url) -> None:
    code, _out, err = run(
        capsys, "--database-url", database_url, "demo", "--scale", "20_000", "--end-date", "2026-06-30"
    )
    assert code == 0, err
    lines = [line for line in err.splitlines() if "time logs and invoices [" in line]
    assert " 0% 0 / " in lines[0] and "100%" in lines[-1]
    assert 3 <= len(lines) <= 12  # a line per tenth when stderr is not a terminal
