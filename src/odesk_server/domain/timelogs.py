"""The rules of time logs brought from another system: the CSV, each row, the week, the contract.

The file is CSV (UTF-8, a byte-order mark allowed) with a header naming its
columns, in any order and any case: ``contract`` (the engagement's
reference), ``date`` (``YYYY-MM-DD``) and ``hours`` are required, ``task``
and ``memo`` optional; any other column is refused. Blank lines are skipped.
Line numbers count the lines of the file, the header being line 1.

A row is refused when:

- ``contract`` is not a whole number, names no contract, or a contract that
  is not hourly (a fixed-price contract is paid by milestones, not time);
- ``date`` is not a real ``YYYY-MM-DD`` date, is after today (UTC), before
  the contract started or after it ended;
- ``hours`` is not a decimal number above 0 and at most 24 with at most two
  decimals (the precision time logs keep; ten minutes is 0.17);
- ``task`` is given and is not the code of an activity assigned to the
  contract (archived activities keep their assignments and count);
- ``memo`` is longer than ``MAX_MEMO`` characters;
- it repeats the contract, date, task and memo of an earlier row, or of a
  time log already stored: one time log per contract, day, task and memo,
  as the table holds them, and a file loaded twice is refused rather than
  counted twice;
- it takes its contract's hours in an ISO week (Monday to Sunday) over the
  contract's weekly limit, counting the time already logged that week.

Every row is checked before anything is written; ``plan_import`` gives the
checked rows or raises ``TimeImportRefused`` with every error found.
``write_time_logs`` then adds them as offline (manual) hours, priced by
``price_time`` from the contract's rate and fee, like every other time log.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from odesk_server.domain.engagements import JobType
from odesk_server.models import Activity, ActivityAssignment, Engagement, TimeLog, price_time
from odesk_server.problems import Invalid

REQUIRED_COLUMNS = ("contract", "date", "hours")
OPTIONAL_COLUMNS = ("task", "memo")
MAX_HOURS = Decimal(24)
MAX_MEMO = 2000
MAX_TASK = 64
# Rows written per INSERT; the progress callback is told after each chunk.
WRITE_CHUNK = 1000

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_HOURS = re.compile(r"(\d+(\.\d{1,2})?|\.\d{1,2})")
_ZERO = Decimal(0)

# (step, done, total): "checking" or "writing", rows done so far, rows in all.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class RowError:
    """One broken rule: the file's line (1 = header), the column (None for the whole row) and why."""

    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.column is None else f"line {self.line}, column {self.column}"
        return f"{where}: {self.message}"


class TimeImportRefused(Invalid):
    """The file breaks the rules; ``errors`` holds every broken rule found, in line order. Nothing was written."""

    def __init__(self, errors: Iterable[RowError]) -> None:
        self.errors = tuple(sorted(errors, key=lambda error: error.line))
        super().__init__(f"{len(self.errors)} errors, first {self.errors[0]}" if self.errors else "no errors")


@dataclass(frozen=True)
class TimeRow:
    """One row of the file, its fields checked on their own (``line`` from 1, the header)."""

    line: int
    contract: int
    worked_on: dt.date
    hours: Decimal
    task: str
    memo: str


@dataclass(frozen=True)
class ContractTotal:
    """What the file logs on one contract."""

    reference: int
    title: str
    rows: int
    hours: Decimal
    charges: Decimal


@dataclass(frozen=True)
class TimeImport:
    """The checked rows of a file, ready to write, and what they add up to per contract."""

    rows: tuple[TimeRow, ...]
    engagements: Mapping[int, Engagement]
    contracts: tuple[ContractTotal, ...]

    @property
    def hours(self) -> Decimal:
        return sum((row.hours for row in self.rows), _ZERO)

    @property
    def charges(self) -> Decimal:
        return sum((contract.charges for contract in self.contracts), _ZERO)


# --------------------------------------------------------------------------
# Reading the file


def _read_rows(text: str) -> tuple[list[TimeRow], list[RowError]]:
    """The well-formed rows of the CSV ``text`` and the errors of the others.

    Raises ``TimeImportRefused`` at once for a bad header or an empty file:
    without a header no row can be read.
    """
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    errors: list[RowError] = []
    rows: list[TimeRow] = []
    columns: dict[str, int] | None = None
    width = 0
    line = 1
    try:
        for record in reader:
            if not any(field.strip() for field in record):
                line = reader.line_num + 1
                continue
            if columns is None:
                columns = _header(line, record)
                width = len(record)
            elif len(record) != width:
                errors.append(RowError(line, None, f"has {len(record)} fields, the header has {width}"))
            else:
                checked = _row(line, record, columns, errors)
                if checked is not None:
                    rows.append(checked)
            line = reader.line_num + 1
    except csv.Error as error:
        errors.append(RowError(line, None, f"not CSV: {error}"))
    if columns is None and not errors:
        errors.append(RowError(1, None, f"the file is empty: expected a header {_header_hint()}"))
    elif columns is not None and not rows and not errors:
        errors.append(RowError(1, None, "no time logs after the header"))
    if not rows:
        raise TimeImportRefused(errors)
    return rows, errors


def _header_hint() -> str:
    return f"{','.join(REQUIRED_COLUMNS)}[,{','.join(OPTIONAL_COLUMNS)}]"


def _header(line: int, record: list[str]) -> dict[str, int]:
    names = [field.strip().lower() for field in record]
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
    for name in names:
        if name not in known:
            raise TimeImportRefused([RowError(line, name, f"unknown column: the header is {_header_hint()}")])
        if names.count(name) > 1:
            raise TimeImportRefused([RowError(line, name, "the column is named twice")])
    for name in REQUIRED_COLUMNS:
        if name not in names:
            raise TimeImportRefused([RowError(line, name, f"missing column: the header is {_header_hint()}")])
    return {name: index for index, name in enumerate(names)}


def _row(line: int, record: list[str], columns: dict[str, int], errors: list[RowError]) -> TimeRow | None:
    def field(name: str) -> str:
        index = columns.get(name)
        return "" if index is None else record[index]

    found = len(errors)
    contract = _contract(field("contract").strip())
    if contract is None:
        errors.append(RowError(line, "contract", f"must be a contract reference, got {field('contract')!r}"))
    worked_on = _date(field("date").strip())
    if worked_on is None:
        errors.append(RowError(line, "date", f"must be a date YYYY-MM-DD, got {field('date')!r}"))
    hours = _hours(field("hours").strip())
    if hours is None:
        errors.append(
            RowError(
                line,
                "hours",
                f"must be a number of hours above 0 and at most {MAX_HOURS}, with at most two decimals, "
                f"got {field('hours')!r}",
            )
        )
    task = field("task").strip()
    if len(task) > MAX_TASK:
        errors.append(RowError(line, "task", f"must be at most {MAX_TASK} characters, got {len(task)}"))
    memo = field("memo").strip()
    if len(memo) > MAX_MEMO:
        errors.append(RowError(line, "memo", f"must be at most {MAX_MEMO} characters, got {len(memo)}"))
    if len(errors) > found or contract is None or worked_on is None or hours is None:
        return None
    return TimeRow(line, contract, worked_on, hours, task, memo)


def _contract(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and int(text) > 0 else None


def _date(text: str) -> dt.date | None:
    if not _DATE.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _hours(text: str) -> Decimal | None:
    if not _HOURS.fullmatch(text):
        return None
    hours = Decimal(text)
    return hours if _ZERO < hours <= MAX_HOURS else None


# --------------------------------------------------------------------------
# Checking the rows against the database


def plan_import(session: Session, text: str, *, today: dt.date, progress: Progress | None = None) -> TimeImport:
    """The rows of the CSV ``text``, checked against the contracts and the time already logged.

    ``today`` is the last day time may be logged on. The contracts named are
    locked (``FOR UPDATE`` where the database has it) until the session's
    transaction ends, so a write in the same transaction sees the weekly
    totals it was checked against. Raises ``TimeImportRefused`` with every
    error found; writes nothing.
    """
    rows, errors = _read_rows(text)
    report = progress or _silent
    report("checking", 0, len(rows))
    references = sorted({row.contract for row in rows})
    engagements = {
        engagement.reference: engagement
        for engagement in session.scalars(
            sa.select(Engagement).where(Engagement.reference.in_(references)).with_for_update()
        )
    }
    ids = [engagement.id for engagement in engagements.values()]
    first = _monday(min(row.worked_on for row in rows))
    last = _monday(max(row.worked_on for row in rows)) + dt.timedelta(days=6)
    logged = session.execute(
        sa.select(
            TimeLog.engagement_id,
            TimeLog.worked_on,
            TimeLog.task,
            TimeLog.memo,
            TimeLog.hours_online,
            TimeLog.hours_offline,
        ).where(TimeLog.engagement_id.in_(ids), TimeLog.worked_on.between(first, last))
    ).all()
    stored = {(log.engagement_id, log.worked_on, log.task, log.memo) for log in logged}
    week_hours: dict[tuple[int, dt.date], Decimal] = defaultdict(lambda: _ZERO)
    for log in logged:
        week_hours[(log.engagement_id, _monday(log.worked_on))] += log.hours_online + log.hours_offline
    assigned = set(
        session.execute(
            sa.select(ActivityAssignment.engagement_id, Activity.code)
            .join(Activity, Activity.id == ActivityAssignment.activity_id)
            .where(ActivityAssignment.engagement_id.in_(ids))
        ).tuples()
    )

    seen: dict[tuple[int, dt.date, str, str], int] = {}
    over_limit: set[tuple[int, dt.date]] = set()
    for done, row in enumerate(rows, start=1):
        engagement = engagements.get(row.contract)
        error = _contract_error(row, engagement, today, assigned)
        if error is None and engagement is not None:
            key = (engagement.id, row.worked_on, row.task, row.memo)
            error = _repeat_error(row, seen.get(key), key in stored)
            seen.setdefault(key, row.line)
        if error is None and engagement is not None and engagement.weekly_limit is not None:
            week = (engagement.id, _monday(row.worked_on))
            before = week_hours[week]
            week_hours[week] = before + row.hours
            if week_hours[week] > engagement.weekly_limit and week not in over_limit:
                over_limit.add(week)  # one error per contract and week: the row that crosses the limit
                error = RowError(
                    row.line,
                    "hours",
                    f"takes contract {row.contract}'s week of {week[1]} to {week_hours[week]} hours, "
                    f"over its weekly limit of {engagement.weekly_limit} ({before} logged before this row)",
                )
        if error is not None:
            errors.append(error)
        if done % WRITE_CHUNK == 0:
            report("checking", done, len(rows))
    report("checking", len(rows), len(rows))
    if errors:
        raise TimeImportRefused(errors)
    return TimeImport(tuple(rows), engagements, _totals(rows, engagements))


def _silent(_step: str, _done: int, _total: int) -> None:
    pass


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _contract_error(
    row: TimeRow, engagement: Engagement | None, today: dt.date, assigned: set[tuple[int, str]]
) -> RowError | None:
    if engagement is None:
        return RowError(row.line, "contract", f"no contract has the reference {row.contract}")
    if engagement.job_type != JobType.HOURLY:
        return RowError(
            row.line, "contract", f"contract {row.contract} is {engagement.job_type}: only hourly contracts log time"
        )
    if row.worked_on > today:
        return RowError(row.line, "date", f"{row.worked_on} is in the future (today is {today}, UTC)")
    if row.worked_on < engagement.started_on:
        return RowError(
            row.line, "date", f"{row.worked_on} is before contract {row.contract} started ({engagement.started_on})"
        )
    if engagement.ended_on is not None and row.worked_on > engagement.ended_on:
        return RowError(
            row.line, "date", f"{row.worked_on} is after contract {row.contract} ended ({engagement.ended_on})"
        )
    if row.task and (engagement.id, row.task) not in assigned:
        return RowError(row.line, "task", f"{row.task!r} is not an activity assigned to contract {row.contract}")
    return None


def _repeat_error(row: TimeRow, earlier_line: int | None, stored: bool) -> RowError | None:
    if row.task:
        what = f"for task {row.task!r} " + (f"with the memo {row.memo!r}" if row.memo else "with no memo")
    else:
        what = f"without a task, with the memo {row.memo!r}" if row.memo else "without a task or memo"
    what = f"contract {row.contract} on {row.worked_on} {what}"
    if earlier_line is not None:
        return RowError(
            row.line, None, f"repeats line {earlier_line} ({what}): one row per contract, day, task and memo"
        )
    if stored:
        return RowError(row.line, None, f"{what} already has a time log")
    return None


def _totals(rows: Iterable[TimeRow], engagements: Mapping[int, Engagement]) -> tuple[ContractTotal, ...]:
    grouped: dict[int, list[TimeRow]] = defaultdict(list)
    for row in rows:
        grouped[row.contract].append(row)
    totals = []
    for reference, logged in sorted(grouped.items()):
        engagement = engagements[reference]
        priced = [_priced(engagement, row.hours) for row in logged]
        totals.append(
            ContractTotal(
                reference,
                engagement.title,
                len(logged),
                sum((row.hours for row in logged), _ZERO),
                sum((money["charges_offline"] for money in priced), _ZERO),
            )
        )
    return tuple(totals)


def _priced(engagement: Engagement, hours: Decimal) -> dict[str, Decimal]:
    # Imported time was not tracked by the team application here: it is offline (manual) time.
    return price_time(engagement.hourly_rate, engagement.fee_rate, _ZERO, hours)


# --------------------------------------------------------------------------
# Writing


def write_time_logs(session: Session, planned: TimeImport, progress: Progress | None = None) -> None:
    """Add the time logs of ``planned`` (from ``plan_import`` in the same transaction), by chunks."""
    report = progress or _silent
    total = len(planned.rows)
    report("writing", 0, total)
    for start in range(0, total, WRITE_CHUNK):
        chunk = planned.rows[start : start + WRITE_CHUNK]
        values = []
        for row in chunk:
            engagement = planned.engagements[row.contract]
            values.append(
                {
                    "engagement_id": engagement.id,
                    "worked_on": row.worked_on,
                    "task": row.task,
                    "memo": row.memo,
                    "hours_online": _ZERO,
                    "hours_offline": row.hours,
                    **_priced(engagement, row.hours),
                }
            )
        session.execute(sa.insert(TimeLog), values)
        report("writing", start + len(chunk), total)
