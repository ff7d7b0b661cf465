"""The rules of work diaries (``odesk_server.domain.snapshots``) on a real database, both kinds.

Times as the documentation writes them, and what each change does to the
time logs the reports read: the snapshots' minutes, the manual hours kept,
the money priced again, a log left empty removed; the contract's lock,
proven by two uploads racing for the last minutes of a weekly limit.
"""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from odesk_server.db import Database
from odesk_server.domain import snapshots as rules
from odesk_server.models import Engagement, Snapshot, TimeLog
from odesk_server.problems import Conflict, Invalid, NotFound, WrongState

UTC = dt.UTC
# jwalker's contract in the demo ending 2026-06-30: $39.50 an hour, 40 hours a week;
# its week of 2026-06-29 is not invoiced, the week before is.
SENIOR_PYTHON = 4000001
DAY = dt.date(2026, 6, 30)
NOW = dt.datetime(2026, 7, 1, 12, 0, tzinfo=UTC)


# --------------------------------------------------------------------------
# Times


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20260630T101503Z", dt.datetime(2026, 6, 30, 10, 15, 3, tzinfo=UTC)),
        ("1782814503", dt.datetime(2026, 6, 30, 10, 15, 3, tzinfo=UTC)),
        ("2026-06-30T10:15:03", dt.datetime(2026, 6, 30, 10, 15, 3, tzinfo=UTC)),
        ("2026-06-30T10:15:03.250000", dt.datetime(2026, 6, 30, 10, 15, 3, 250000, tzinfo=UTC)),
        ("2026-06-30T12:15:03+02:00", dt.datetime(2026, 6, 30, 10, 15, 3, tzinfo=UTC)),
        ("2026-06-30T10:15:03Z", dt.datetime(2026, 6, 30, 10, 15, 3, tzinfo=UTC)),
    ],
)
def test_every_documented_form_of_a_time(text: str, expected: dt.datetime) -> None:
    assert rules.parse_moment(text) == expected


@pytest.mark.parametrize(
    "text", ["", "tomorrow", "20261330T101503Z", "2026-06-31T10:00:00", "20260630T1015Z", "12:00", "-5", "1e9"]
)
def test_a_malformed_time_names_the_parameter(text: str) -> None:
    with pytest.raises(Invalid, match=r"^ts: .* is not a time"):
        rules.parse_moment(text, "ts")


def test_ranges_lists_and_now() -> None:
    assert rules.parse_moments(None).latest and rules.parse_moments("now").latest
    both = rules.parse_moments("20260630T100000Z,20260630T110000Z")
    assert both.ranges == ((dt.datetime(2026, 6, 30, 10, tzinfo=UTC), dt.datetime(2026, 6, 30, 11, tzinfo=UTC)),)
    listed = rules.parse_moments("20260630T100000Z;1782817200")
    assert len(listed.points) == 2 and not listed.latest
    for bad, message in [
        ("20260630T110000Z,20260630T100000Z", "ends before it starts"),
        ("20260601T000000Z,20260705T000000Z", "at most 31 days"),
        ("a,b,c", "two times"),
        ("20260630T100000Z,20260630T110000Z;20260630T120000Z", "not both"),
        (";".join(["20260630T100000Z"] * 501), "at most 500"),
    ]:
        with pytest.raises(Invalid, match=message):
            rules.parse_moments(bad)


def test_days_zones_and_segments() -> None:
    assert rules.parse_day("20260630") == DAY == rules.parse_day("2026-06-30")
    for bad in ("2026063", "20260631", "june"):
        with pytest.raises(Invalid, match="^date: "):
            rules.parse_day(bad)
    assert rules.parse_time_zone(None) == "mine" and rules.parse_time_zone("GMT") == "gmt"
    with pytest.raises(Invalid, match="^tz: 'utc' is not one of mine, user, gmt"):
        rules.parse_time_zone("utc")
    assert rules.segment_start(dt.datetime(2026, 6, 30, 10, 19, 59, tzinfo=UTC)) == dt.datetime(
        2026, 6, 30, 10, 10, tzinfo=UTC
    )
    assert [rules.tracked_hours(m) for m in (10, 60, 70, 0)] == [Decimal("0.17"), 1, Decimal("1.17"), 0]
    # a day in New York in summer: UTC-4
    start, end = rules.day_window(DAY, rules.zone_named("America/New_York"))
    assert (start, end - start) == (dt.datetime(2026, 6, 30, 4, tzinfo=UTC), dt.timedelta(days=1))
    assert rules.zone_named("Not/AZone") is UTC


# --------------------------------------------------------------------------
# Changes and the time logs


@pytest.fixture
def database(mutable_demo_database) -> Database:
    url, _credentials = mutable_demo_database
    database = Database(url)
    yield database
    database.dispose()


def contract(session: Session) -> Engagement:
    return session.scalars(sa.select(Engagement).where(Engagement.reference == SENIOR_PYTHON)).one()


def day_snapshots(session: Session, engagement: Engagement, day: dt.date = DAY) -> list[Snapshot]:
    start = dt.datetime.combine(day, dt.time(), UTC)
    return list(
        session.scalars(
            sa.select(Snapshot)
            .where(
                Snapshot.engagement_id == engagement.id,
                Snapshot.segment_at >= start,
                Snapshot.segment_at < start + dt.timedelta(days=1),
            )
            .order_by(Snapshot.segment_at)
        )
    )


def logs(session: Session, engagement: Engagement, day: dt.date = DAY) -> dict[tuple[str, str], TimeLog]:
    found = session.scalars(sa.select(TimeLog).where(TimeLog.engagement_id == engagement.id, TimeLog.worked_on == day))
    return {(log.task, log.memo): log for log in found}


def test_deleting_an_hour_of_one_log_takes_exactly_an_hour_and_its_money(database: Database) -> None:
    with database.session() as session:
        engagement = contract(session)
        snaps = day_snapshots(session, engagement)
        key = (snaps[0].task, snaps[0].memo)
        hour = [s for s in snaps if (s.task, s.memo) == key][:6]
        before = logs(session, engagement)[key]
        hours, charges, earnings, offline, tracked = (
            before.hours_online,
            before.charges_online,
            before.earnings_online,
            before.hours_offline,
            before.tracked_minutes,
        )
        assert rules.delete_snapshots(session, engagement, hour) == 6
    with database.session() as session:
        after = logs(session, contract(session))[key]
        assert after.hours_online == hours - 1
        assert after.charges_online == charges - Decimal("39.50")
        assert after.earnings_online == earnings - Decimal("35.55")
        assert after.hours_offline == offline  # manual time is not the snapshots'
        assert after.tracked_minutes == tracked - 60


def test_a_memo_moves_the_minutes_and_an_emptied_log_goes(database: Database) -> None:
    with database.session() as session:
        engagement = contract(session)
        snaps = day_snapshots(session, engagement)
        key = (snaps[0].task, snaps[0].memo)
        group = [s for s in snaps if (s.task, s.memo) == key]
        rules.change_snapshots(session, engagement, group, memo="  All of it, renamed  ")
    with database.session() as session:
        now = logs(session, contract(session))
        renamed = now[(key[0], "All of it, renamed")]
        assert renamed.tracked_minutes == 10 * len(group)
        if key in now:  # the old log keeps only its manual (offline) hours
            assert now[key].tracked_minutes == 0 and now[key].hours_offline > 0
        # a task change too: an activity assigned to the contract, or refused
        engagement = contract(session)
        one = day_snapshots(session, engagement)[:1]
        rules.change_snapshots(session, engagement, one, task="ENG-REVIEW")
        with pytest.raises(Invalid, match="'NOPE' is not an activity assigned"):
            rules.change_snapshots(session, engagement, one, task="NOPE")
        with pytest.raises(Invalid, match="at most 1000 characters"):
            rules.change_snapshots(session, engagement, one, memo="x" * 1001)


def test_invoiced_time_and_empty_selections_are_refused(database: Database) -> None:
    with database.session() as session:
        engagement = contract(session)
        billed = day_snapshots(session, engagement, dt.date(2026, 6, 26))
        assert billed
        with pytest.raises(WrongState, match="already invoiced"):
            rules.delete_snapshots(session, engagement, billed[:1])
        with pytest.raises(WrongState, match="already invoiced"):
            rules.change_snapshots(session, engagement, billed[:1], memo="late edit")
        nothing = rules.select_snapshots(
            session, [engagement.id], rules.parse_moments("20260630T000000Z,20260630T000500Z"), now=NOW
        )
        with pytest.raises(NotFound, match="No snapshot of"):
            rules.require_snapshots(nothing, rules.parse_moments("20260630T000000Z"), "contract 4000001")
        latest = rules.select_snapshots(session, [engagement.id], rules.parse_moments("now"), now=NOW)
        assert latest == day_snapshots(session, engagement)[-1:]


def free_segments(session: Session, engagement: Engagement, count: int) -> list[dt.datetime]:
    taken = {s.segment_at for s in day_snapshots(session, engagement)}
    start = dt.datetime.combine(DAY, dt.time(), UTC)
    free = [start + rules.SEGMENT * n for n in range(144) if start + rules.SEGMENT * n not in taken]
    return free[:count]


def test_a_tracker_upload_is_checked_and_counted(database: Database) -> None:
    with database.session() as session:
        engagement = contract(session)
        at = free_segments(session, engagement, 2)
        made = rules.record_snapshots(
            session,
            engagement,
            [rules.NewSnapshot(at[0] + dt.timedelta(minutes=3), memo="Uploaded", task="ENG-API")],
            NOW,
        )
        assert [s.segment_at for s in made] == [at[0]]
        assert logs(session, engagement)[("ENG-API", "Uploaded")].hours_online == Decimal("0.17")
        cases = [
            ([rules.NewSnapshot(at[0])], Conflict, "already tracked on contract 4000001"),
            ([rules.NewSnapshot(NOW + dt.timedelta(hours=1))], Invalid, "in the future"),
            ([rules.NewSnapshot(dt.datetime(2020, 1, 1, tzinfo=UTC))], Invalid, "before contract 4000001 started"),
            ([rules.NewSnapshot(at[1], task="NOPE")], Invalid, "'NOPE' is not an activity assigned"),
            ([rules.NewSnapshot(at[1]), rules.NewSnapshot(at[1])], Invalid, r"as snapshots\[0\]"),
            ([rules.NewSnapshot(dt.datetime(2026, 6, 26, 3, tzinfo=UTC))], WrongState, "already invoiced"),
            ([], Invalid, "at least one"),
        ]
        for items, problem, message in cases:
            with pytest.raises(problem, match=message):
                rules.record_snapshots(session, engagement, items, NOW)
        with pytest.raises(Invalid, match="keyboard: 10 whole numbers"):
            rules.parse_counts("1,2,3", "keyboard")
        assert rules.parse_counts(" ", "mouse") == (0,) * 10


def test_two_uploads_racing_for_the_weekly_limit_take_turns(database: Database) -> None:
    """Either upload fits under the limit alone, not both: the contract's lock lets exactly one in."""
    with database.session() as session:
        engagement = contract(session)
        monday = DAY - dt.timedelta(days=DAY.weekday())
        week = session.execute(
            sa.select(sa.func.sum(TimeLog.hours_online + TimeLog.hours_offline)).where(
                TimeLog.engagement_id == engagement.id, TimeLog.worked_on.between(monday, DAY)
            )
        ).scalar()
        engagement.weekly_limit = Decimal(str(week)) + Decimal("0.17")
        at = free_segments(session, engagement, 2)

    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def upload(moment: dt.datetime, memo: str) -> None:
        try:
            with database.session() as session:
                barrier.wait(timeout=10)
                rules.record_snapshots(session, contract(session), [rules.NewSnapshot(moment, memo=memo)], NOW)
            outcomes.append("stored")
        except Invalid as exc:
            assert "over its weekly limit" in str(exc)
            outcomes.append("refused")

    threads = [threading.Thread(target=upload, args=(moment, f"race {n}")) for n, moment in enumerate(at)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["refused", "stored"]
    with database.session() as session:
        raced = [s for s in day_snapshots(session, contract(session)) if s.memo.startswith("race ")]
        assert len(raced) == 1
