"""The rules of work diaries: snapshot times, who changes what, and the time logs kept in step.

A snapshot is ten minutes of tracked work on an hourly contract
(``models.diary``). The time reports read time logs, and a time log's
online hours include the snapshots of its contract, day (UTC), task and
memo: ``tracked_minutes`` (ten per snapshot) rounded to the hundredth of an
hour. Every change to snapshots goes through this module, which in the same
transaction:

1. locks the contract (``lock_contract``: a row lock on PostgreSQL, the
   write lock on SQLite), so two requests on one contract take turns;
2. refuses time in a week already invoiced (``editable_from``): the
   financial reports have billed it, and the two kinds of report would
   disagree;
3. changes the snapshots, then recounts the time logs of every (day, task,
   memo) they left or joined (``retally``): hours, charges and earnings
   follow at once, and a time log left with no hours is removed.

Removing one hour of snapshots that share a task and memo removes exactly
1.00 hour and the contract's rate from the reports. Time spread over
several memos is rounded per time log, as the reports always did, so it
may move by a hundredth of an hour per log.

Snapshot times on the wire (``parse_moments``): ``now`` (the latest
snapshot), ``yyyymmddTHHMMSSZ``, a UNIX timestamp in seconds, the extended
ISO 8601 form (``2026-06-30T10:15:00``, optionally with seconds' fractions
and an offset; no offset is UTC), a range ``a,b`` (every snapshot whose ten
minutes overlap it) or a list ``a;b;c`` (the snapshot covering each time).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import zoneinfo
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from odesk_server.domain.engagements import JobType
from odesk_server.models import (
    MAX_SNAPSHOT_MEMO,
    MAX_WINDOW_TITLE,
    SEGMENT_MINUTES,
    Activity,
    ActivityAssignment,
    Engagement,
    LedgerEntry,
    Snapshot,
    TimeLog,
    price_time,
    table_of,
)
from odesk_server.problems import Conflict, Invalid, NotFound, WrongState

SEGMENT = dt.timedelta(minutes=SEGMENT_MINUTES)
MINUTES_PER_SEGMENT = SEGMENT_MINUTES
# A range may span at most this long, and a list name at most this many times.
MAX_RANGE = dt.timedelta(days=31)
MAX_LIST = 500
# A tracker may send a snapshot at most this far ahead of the server's clock (clocks drift).
CLOCK_SKEW = dt.timedelta(minutes=5)
# Events a minute above this are not a person at a keyboard.
MAX_EVENTS_PER_MINUTE = 10_000
MAX_COMPUTER_NAME = 100
MAX_TASK = 64
TIME_ZONES = ("mine", "user", "gmt")

_ZERO = Decimal(0)
_HOUR_PLACES = Decimal("0.01")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z")
_EPOCH = re.compile(r"\d{1,12}")
_DAY = re.compile(r"(\d{4})(\d{2})(\d{2})")


# --------------------------------------------------------------------------
# Times


def segment_start(moment: dt.datetime) -> dt.datetime:
    """The start of the ten-minute segment holding ``moment`` (aware, UTC)."""
    moment = moment.astimezone(dt.UTC)
    return moment.replace(minute=moment.minute - moment.minute % SEGMENT_MINUTES, second=0, microsecond=0)


def tracked_hours(minutes: int) -> Decimal:
    """Hours of ``minutes`` tracked minutes, rounded half-up to the hundredth (ten minutes: 0.17)."""
    return (Decimal(minutes) / 60).quantize(_HOUR_PLACES, rounding="ROUND_HALF_UP")


@dataclass(frozen=True)
class Moments:
    """The snapshots a ``datetime`` parameter names: the latest (``now``), or times and ranges."""

    latest: bool = False
    points: tuple[dt.datetime, ...] = ()
    ranges: tuple[tuple[dt.datetime, dt.datetime], ...] = ()

    def where(self, segment_at: Any) -> ColumnElement[bool]:
        """The SQL condition on a snapshot's ``segment_at`` (not for ``latest``: order and take one)."""
        clauses: list[ColumnElement[bool]] = []
        points = sorted({segment_start(point) for point in self.points})
        if points:
            clauses.append(segment_at.in_(points))
        for start, end in self.ranges:
            clauses.append(sa.and_(segment_at > start - SEGMENT, segment_at <= end))
        return sa.or_(*clauses)

    def describe(self) -> str:
        """The times in words, for an error message."""
        if self.latest:
            return "now"
        parts = [point.strftime("%Y%m%dT%H%M%SZ") for point in self.points]
        parts += [f"{a.strftime('%Y%m%dT%H%M%SZ')} to {b.strftime('%Y%m%dT%H%M%SZ')}" for a, b in self.ranges]
        return ", ".join(parts)


def parse_moment(text: str, param: str = "datetime") -> dt.datetime:
    """One time: ``yyyymmddTHHMMSSZ``, a UNIX timestamp, or extended ISO 8601 (UTC when no offset).

    Raises ``Invalid`` naming ``param``.
    """
    text = text.strip()
    try:
        compact = _COMPACT.fullmatch(text)
        if compact:
            year, month, day, hour, minute, second = (int(group) for group in compact.groups())
            return dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)
        if _EPOCH.fullmatch(text):
            return dt.datetime.fromtimestamp(int(text), dt.UTC)
        if len(text) >= 16 and text[4] == "-" and "T" in text:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
            return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
    except (ValueError, OverflowError, OSError):
        pass
    raise Invalid(
        f"{param}: {text!r} is not a time (yyyymmddTHHMMSSZ, a UNIX timestamp, ISO 8601 like "
        "2026-06-30T10:15:00, or now)"
    )


def parse_moments(text: str | None, param: str = "datetime") -> Moments:
    """The snapshots a ``datetime`` parameter names (None or ``now``: the latest). Raises ``Invalid``."""
    if text is None or text.strip().lower() in ("", "now"):
        return Moments(latest=True)
    if "," in text and ";" in text:
        raise Invalid(f"{param}: give a range (a,b) or a list (a;b;c), not both: {text!r}")
    if "," in text:
        pieces = text.split(",")
        if len(pieces) != 2:
            raise Invalid(f"{param}: a range is two times joined by a comma: {text!r}")
        start, end = (parse_moment(piece, param) for piece in pieces)
        if end < start:
            raise Invalid(f"{param}: the range {text!r} ends before it starts")
        if end - start > MAX_RANGE:
            raise Invalid(f"{param}: a range spans at most {MAX_RANGE.days} days: {text!r}")
        return Moments(ranges=((start, end),))
    pieces = text.split(";")
    if len(pieces) > MAX_LIST:
        raise Invalid(f"{param}: a list names at most {MAX_LIST} times ({len(pieces)} given)")
    return Moments(points=tuple(parse_moment(piece, param) for piece in pieces))


def parse_day(text: str, param: str = "date") -> dt.date:
    """A work diary's date: ``yyyymmdd`` (also ``yyyy-mm-dd``). Raises ``Invalid`` naming ``param``."""
    match = _DAY.fullmatch(text.strip().replace("-", ""))
    try:
        if match:
            return dt.date(*(int(group) for group in match.groups()))
    except ValueError:
        pass
    raise Invalid(f"{param}: {text!r} is not a date in yyyymmdd form")


def parse_time_zone(text: str | None, param: str = "tz") -> str:
    """``mine`` (the default), ``user`` or ``gmt``. Raises ``Invalid`` naming ``param``."""
    value = (text or "mine").strip().lower()
    if value not in TIME_ZONES:
        raise Invalid(f"{param}: {text!r} is not one of {', '.join(TIME_ZONES)}")
    return value


def zone_named(name: str | None) -> dt.tzinfo:
    """The time zone of a user's ``timezone`` (an IANA name); UTC when unknown or empty."""
    try:
        return zoneinfo.ZoneInfo(name) if name else dt.UTC
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def day_window(day: dt.date, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants ``[start, end)`` of ``day`` in ``zone`` (a work diary's day)."""
    start = dt.datetime.combine(day, dt.time(), zone).astimezone(dt.UTC)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone).astimezone(dt.UTC)
    return start, end


# --------------------------------------------------------------------------
# Locks and weeks


def lock_contract(session: Session, engagement_id: int) -> None:
    """Take the contract's lock until the transaction ends: its snapshots and time logs are ours.

    An UPDATE that changes nothing: a row lock on PostgreSQL, the database's
    write lock on SQLite (taken before the first read, so two requests
    never both read the week's hours and then both add to them).
    """
    table = table_of(Engagement)
    session.execute(sa.update(table).where(table.c.id == engagement_id).values(status=table.c.status))


def editable_from(session: Session, engagement_id: int) -> dt.date | None:
    """The first day whose time may still change: the day of the contract's latest hourly invoice.

    An hourly invoice bills the week before its day, so time before it is
    billed and kept as it is. None when nothing was invoiced yet.
    """
    return session.execute(
        sa.select(sa.func.max(LedgerEntry.date)).where(
            LedgerEntry.engagement_id == engagement_id,
            LedgerEntry.type == "Invoice",
            LedgerEntry.subtype == "Hourly",
        )
    ).scalar()


def _refuse_billed(session: Session, engagement: Engagement, days: Iterable[dt.date]) -> None:
    first = editable_from(session, engagement.id)
    if first is None:
        return
    billed = sorted(day for day in set(days) if day < first)
    if billed:
        raise WrongState(
            f"the time of contract {engagement.reference} on {billed[0].isoformat()} is in a week already "
            f"invoiced (invoice of {first.isoformat()}); it cannot change"
        )


# --------------------------------------------------------------------------
# Keeping time logs in step


LogKey = tuple[dt.date, str, str]  # (day, task, memo)


def _key(snapshot: Snapshot) -> LogKey:
    return (snapshot.segment_at.astimezone(dt.UTC).date(), snapshot.task, snapshot.memo)


def retally(session: Session, engagement: Engagement, keys: Collection[LogKey]) -> None:
    """Make the time logs of ``keys`` hold exactly the contract's snapshots for that day, task and memo.

    A log's manual online hours (time logged before snapshots, ``hours_online``
    beyond its tracked minutes) and its offline hours are kept; its tracked
    part becomes the snapshots' minutes; its money is priced again. A log
    left with no hours is removed; a key with snapshots and no log gets one.
    Call it with the contract locked (``lock_contract``).
    """
    if not keys:
        return
    days = sorted({day for day, _task, _memo in keys})
    start = dt.datetime.combine(days[0], dt.time(), dt.UTC)
    end = dt.datetime.combine(days[-1] + dt.timedelta(days=1), dt.time(), dt.UTC)
    counts: dict[LogKey, int] = defaultdict(int)
    for segment_at, task, memo in session.execute(
        sa.select(Snapshot.segment_at, Snapshot.task, Snapshot.memo).where(
            Snapshot.engagement_id == engagement.id, Snapshot.segment_at >= start, Snapshot.segment_at < end
        )
    ):
        counts[(segment_at.astimezone(dt.UTC).date(), task, memo)] += 1
    logs: dict[LogKey, TimeLog] = {}
    for log in session.scalars(
        sa.select(TimeLog).where(TimeLog.engagement_id == engagement.id, TimeLog.worked_on.in_(days))
    ):
        logs.setdefault((log.worked_on, log.task, log.memo), log)
    for key in keys:
        minutes = counts.get(key, 0) * MINUTES_PER_SEGMENT
        found = logs.get(key)
        if found is None:
            if minutes == 0:
                continue
            log = TimeLog(
                engagement_id=engagement.id,
                worked_on=key[0],
                task=key[1],
                memo=key[2],
                hours_offline=_ZERO,
                tracked_minutes=0,
                hours_online=_ZERO,
            )
            session.add(log)
        else:
            log = found
        manual = log.hours_online - tracked_hours(log.tracked_minutes or 0)
        log.tracked_minutes = minutes
        log.hours_online = manual + tracked_hours(minutes)
        if log.hours_online <= 0 and log.hours_offline <= 0:
            if log.id is not None:
                session.delete(log)
            else:
                session.expunge(log)
            continue
        for column, amount in price_time(
            engagement.hourly_rate, engagement.fee_rate, log.hours_online, log.hours_offline
        ).items():
            setattr(log, column, amount)
    session.flush()


# --------------------------------------------------------------------------
# Changing snapshots


def _assigned_tasks(session: Session, engagement_id: int) -> set[str]:
    return set(
        session.scalars(
            sa.select(Activity.code)
            .join(ActivityAssignment, ActivityAssignment.activity_id == Activity.id)
            .where(ActivityAssignment.engagement_id == engagement_id)
        )
    )


def check_memo(memo: str, param: str = "memo") -> str:
    """A memo as stored: at most ``MAX_SNAPSHOT_MEMO`` characters, surrounding blanks dropped."""
    memo = memo.strip()
    if len(memo) > MAX_SNAPSHOT_MEMO:
        raise Invalid(f"{param}: at most {MAX_SNAPSHOT_MEMO} characters ({len(memo)} given)")
    return memo


def check_task(session: Session, engagement: Engagement, task: str, param: str = "task") -> str:
    """A task code for the contract's time: empty, or an activity assigned to the contract."""
    task = task.strip()
    if task and task not in _assigned_tasks(session, engagement.id):
        raise Invalid(f"{param}: {task!r} is not an activity assigned to contract {engagement.reference}")
    return task


def delete_snapshots(session: Session, engagement: Engagement, snapshots: Sequence[Snapshot]) -> int:
    """Delete ``snapshots`` of ``engagement`` and take their time out of the time logs. Returns how many."""
    lock_contract(session, engagement.id)
    keys = {_key(snapshot) for snapshot in snapshots}
    _refuse_billed(session, engagement, (day for day, _t, _m in keys))
    for snapshot in snapshots:
        session.delete(snapshot)
    session.flush()
    retally(session, engagement, keys)
    return len(snapshots)


def change_snapshots(
    session: Session,
    engagement: Engagement,
    snapshots: Sequence[Snapshot],
    *,
    memo: str | None = None,
    task: str | None = None,
) -> int:
    """Set the memo and/or task of ``snapshots``; their minutes move to the matching time logs."""
    lock_contract(session, engagement.id)
    before = {_key(snapshot) for snapshot in snapshots}
    _refuse_billed(session, engagement, (day for day, _t, _m in before))
    if memo is not None:
        memo = check_memo(memo)
    if task is not None:
        task = check_task(session, engagement, task)
    for snapshot in snapshots:
        if memo is not None:
            snapshot.memo = memo
        if task is not None:
            snapshot.task = task
    session.flush()
    retally(session, engagement, before | {_key(snapshot) for snapshot in snapshots})
    return len(snapshots)


# --------------------------------------------------------------------------
# Recording (the tracker's upload)


@dataclass(frozen=True)
class NewSnapshot:
    """One snapshot a tracker sends: when, what, and the input counted in each of its minutes."""

    taken_at: dt.datetime
    memo: str = ""
    task: str = ""
    window_title: str = ""
    computer_name: str = ""
    keyboard: tuple[int, ...] = field(default=(0,) * SEGMENT_MINUTES)
    mouse: tuple[int, ...] = field(default=(0,) * SEGMENT_MINUTES)


def parse_counts(text: str | None, param: str) -> tuple[int, ...]:
    """Ten per-minute event counts, comma-separated (empty: ten zeros). Raises ``Invalid`` naming ``param``."""
    if text is None or not text.strip():
        return (0,) * SEGMENT_MINUTES
    pieces = [piece.strip() for piece in text.split(",")]
    if len(pieces) != SEGMENT_MINUTES or not all(piece.isdigit() for piece in pieces):
        raise Invalid(f"{param}: {SEGMENT_MINUTES} whole numbers of events, one per minute, comma-separated")
    counts = tuple(int(piece) for piece in pieces)
    if max(counts) > MAX_EVENTS_PER_MINUTE:
        raise Invalid(f"{param}: at most {MAX_EVENTS_PER_MINUTE} events a minute")
    return counts


def check_new_snapshot(item: NewSnapshot, where: str = "") -> NewSnapshot:
    """``item`` with its texts checked (lengths) and trimmed; ``where`` prefixes the error (``snapshots[3].``)."""
    if len(item.window_title) > MAX_WINDOW_TITLE:
        raise Invalid(f"{where}window_title: at most {MAX_WINDOW_TITLE} characters")
    if len(item.computer_name) > MAX_COMPUTER_NAME:
        raise Invalid(f"{where}computer_name: at most {MAX_COMPUTER_NAME} characters")
    if len(item.task) > MAX_TASK:
        raise Invalid(f"{where}task: at most {MAX_TASK} characters")
    for name, counts in (("keyboard", item.keyboard), ("mouse", item.mouse)):
        if len(counts) != SEGMENT_MINUTES or any(count < 0 or count > MAX_EVENTS_PER_MINUTE for count in counts):
            raise Invalid(f"{where}{name}: {SEGMENT_MINUTES} counts of 0 to {MAX_EVENTS_PER_MINUTE}")
    return NewSnapshot(
        taken_at=item.taken_at.astimezone(dt.UTC),
        memo=check_memo(item.memo, f"{where}memo"),
        task=item.task.strip(),
        window_title=item.window_title.strip(),
        computer_name=item.computer_name.strip(),
        keyboard=item.keyboard,
        mouse=item.mouse,
    )


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def record_snapshots(
    session: Session, engagement: Engagement, items: Sequence[NewSnapshot], now: dt.datetime
) -> list[Snapshot]:
    """Add a tracker's snapshots to an active hourly contract, all or none, and count them in the time logs.

    Refused (``WrongState``): a contract that is not active or not hourly;
    time in a week already invoiced. Refused (``Invalid``): a time in the
    future (beyond ``CLOCK_SKEW``) or before the contract started; a task not
    assigned to the contract; two snapshots of the upload in one ten-minute
    segment; the contract's weekly limit exceeded (the week's hours, tracked
    and manual, with the new ones). Refused (``Conflict``): a segment this
    contract, or another contract of the same contractor, already tracked.
    """
    if engagement.job_type != JobType.HOURLY:
        raise WrongState(f"contract {engagement.reference} is {engagement.job_type}: only hourly contracts track time")
    if engagement.status != "active":
        raise WrongState(f"contract {engagement.reference} is {engagement.status}: only an active contract tracks time")
    if not items:
        raise Invalid("snapshots: send at least one snapshot")
    lock_contract(session, engagement.id)
    segments: dict[dt.datetime, int] = {}
    for number, item in enumerate(items):
        where = f"snapshots[{number}]." if len(items) > 1 else ""
        if item.taken_at > now + CLOCK_SKEW:
            raise Invalid(
                f"{where}time: {item.taken_at.isoformat()} is in the future (the server's clock: {now.isoformat()})"
            )
        if item.taken_at.date() < engagement.started_on:
            raise Invalid(
                f"{where}time: {item.taken_at.date().isoformat()} is before contract {engagement.reference} "
                f"started ({engagement.started_on.isoformat()})"
            )
        segment = segment_start(item.taken_at)
        if segment in segments:
            raise Invalid(
                f"{where}time: the same ten minutes ({segment.strftime('%Y%m%dT%H%M%SZ')}) as snapshots[{segments[segment]}]"
            )
        segments[segment] = number
    tasks = {item.task for item in items if item.task}
    if tasks:
        missing = sorted(tasks - _assigned_tasks(session, engagement.id))
        if missing:
            raise Invalid(f"task: {missing[0]!r} is not an activity assigned to contract {engagement.reference}")
    _refuse_billed(session, engagement, (segment.date() for segment in segments))
    taken = session.execute(
        sa.select(Snapshot.segment_at, Engagement.reference)
        .join(Engagement, Engagement.id == Snapshot.engagement_id)
        .where(
            Engagement.provider_user_id == engagement.provider_user_id,
            Snapshot.segment_at.in_(sorted(segments)),
        )
        .order_by(Snapshot.segment_at)
        .limit(1)
    ).first()
    if taken is not None:
        raise Conflict(
            f"the ten minutes at {taken.segment_at.strftime('%Y%m%dT%H%M%SZ')} are already tracked on contract "
            f"{taken.reference}"
        )
    snapshots = [
        Snapshot(
            engagement_id=engagement.id,
            segment_at=segment_start(item.taken_at),
            taken_at=item.taken_at,
            memo=item.memo,
            task=item.task,
            window_title=item.window_title,
            computer_name=item.computer_name,
            keyboard_per_minute=",".join(str(count) for count in item.keyboard),
            mouse_per_minute=",".join(str(count) for count in item.mouse),
            image_key=secrets.token_hex(16),
        )
        for item in items
    ]
    session.add_all(snapshots)
    session.flush()
    keys = {_key(snapshot) for snapshot in snapshots}
    retally(session, engagement, keys)
    if engagement.weekly_limit is not None:
        _check_weekly_limit(session, engagement, keys)
    return snapshots


def _check_weekly_limit(session: Session, engagement: Engagement, keys: Iterable[LogKey]) -> None:
    limit = engagement.weekly_limit
    assert limit is not None
    for monday in sorted({_monday(day) for day, _t, _m in keys}):
        total = session.execute(
            sa.select(sa.func.coalesce(sa.func.sum(TimeLog.hours_online + TimeLog.hours_offline), 0)).where(
                TimeLog.engagement_id == engagement.id,
                TimeLog.worked_on.between(monday, monday + dt.timedelta(days=6)),
            )
        ).scalar()
        hours = Decimal(str(total or 0))
        if hours > limit:
            raise Invalid(
                f"time: contract {engagement.reference}'s week of {monday.isoformat()} would reach "
                f"{hours} hours, over its weekly limit of {limit}"
            )


# --------------------------------------------------------------------------
# Finding snapshots


def select_snapshots(
    session: Session, engagement_ids: Collection[int], moments: Moments, *, now: dt.datetime
) -> list[Snapshot]:
    """The snapshots of the contracts ``engagement_ids`` that ``moments`` names, in time order.

    ``latest``: the latest snapshot taken at or before ``now`` on any of the
    contracts (at most one per contract sharing that segment).
    """
    if not engagement_ids:
        return []
    base = sa.select(Snapshot).where(Snapshot.engagement_id.in_(sorted(engagement_ids)))
    if moments.latest:
        latest = session.execute(
            sa.select(sa.func.max(Snapshot.segment_at)).where(
                Snapshot.engagement_id.in_(sorted(engagement_ids)), Snapshot.segment_at <= now
            )
        ).scalar()
        if latest is None:
            return []
        base = base.where(Snapshot.segment_at == latest)
    else:
        base = base.where(moments.where(Snapshot.segment_at))
    return list(session.scalars(base.order_by(Snapshot.segment_at, Snapshot.engagement_id)))


def require_snapshots(snapshots: Sequence[Snapshot], moments: Moments, whose: str) -> Sequence[Snapshot]:
    """``snapshots`` when there is one; ``NotFound`` naming the times otherwise (for updates and deletes)."""
    if not snapshots:
        raise NotFound(f"No snapshot of {whose} at {moments.describe()}")
    return snapshots
