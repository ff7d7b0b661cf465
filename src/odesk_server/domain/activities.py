"""The rules of activities (task codes): their format, their states, the batch CSV.

- A code is 1 to 64 characters without ``;`` (it joins codes in the URLs
  and in ``engagements``/``tasks``), ``,`` or ``"`` (the batch's CSV), ``/``
  (a path segment), control characters or blanks at either end; the text
  ``None`` is refused too, as python-odesk sends it for "no codes". Codes are
  unique within their team; case counts.
- A description is 1 to 1000 characters; a URL is empty or an ``http`` or
  ``https`` address of at most 1000 characters.
- ``active`` -> ``archived`` (``archive``) -> ``active`` (``unarchive``);
  archiving an archived activity, or unarchiving an active one, is
  ``WrongState``. An archived activity cannot be assigned to a contract.
- The batch: CSV records separated by ``<br>``, each ``companyid, teamid,
  userid, taskid, description, url``; ``parse_batch`` reads every line or
  raises ``Invalid`` naming the first bad line's number (from 1).
"""

from __future__ import annotations

import csv
import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from odesk_server.models import Activity, ActivityAssignment, utcnow
from odesk_server.problems import Invalid, WrongState

MAX_CODE = 64
MAX_DESCRIPTION = 1000
MAX_URL = 1000
# A batch larger than this is refused whole: it would hold the write lock too long.
MAX_BATCH_LINES = 10_000
BATCH_SEPARATOR = re.compile(r"<br\s*/?>", re.IGNORECASE)
BATCH_FIELDS = ("companyid", "teamid", "userid", "taskid", "description", "url")
_FORBIDDEN_IN_CODE = frozenset(';,"/')


class ActivityStatus(enum.StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"


@dataclass(frozen=True)
class ActivityFields:
    """What a caller sets on an activity, already checked."""

    code: str
    description: str
    url: str


def activity_code(value: str, name: str = "code") -> str:
    """``value`` as an activity code (see the module docstring); ``Invalid`` naming ``name`` otherwise."""
    if not value:
        raise Invalid(f"{name} must not be empty")
    if value != value.strip():
        raise Invalid(f"{name} must not start or end with blanks, got {value!r}")
    if len(value) > MAX_CODE:
        raise Invalid(f"{name} must be at most {MAX_CODE} characters, got {len(value)}")
    if any(char in _FORBIDDEN_IN_CODE or not char.isprintable() for char in value):
        raise Invalid(f'{name} must not hold ; , " / or control characters, got {value!r}')
    if value == "None":
        raise Invalid(f"{name} must not be the text None (python-odesk sends it for no codes)")
    return value


def code_list(value: str, name: str = "codes") -> tuple[str, ...]:
    """The codes of ``value`` (joined by ``;``), each checked, in order, once each; empty for an empty value."""
    codes = [part.strip() for part in value.split(";") if part.strip()]
    return tuple(dict.fromkeys(activity_code(code, name) for code in codes))


def description_text(value: str, name: str = "description") -> str:
    text = value.strip()
    if not text:
        raise Invalid(f"{name} must not be empty")
    if len(text) > MAX_DESCRIPTION:
        raise Invalid(f"{name} must be at most {MAX_DESCRIPTION} characters, got {len(text)}")
    return text


def url_text(value: str, name: str = "url") -> str:
    text = value.strip()
    if len(text) > MAX_URL:
        raise Invalid(f"{name} must be at most {MAX_URL} characters, got {len(text)}")
    if text and not re.match(r"https?://[^\s/]+", text, re.IGNORECASE):
        raise Invalid(f"{name} must be empty or an http(s) address, got {value!r}")
    return text


def fields(code: str, description: str, url: str) -> ActivityFields:
    """The checked fields of an activity; ``Invalid`` naming the first bad one."""
    return ActivityFields(activity_code(code), description_text(description), url_text(url))


def revise(activity: Activity, changes: ActivityFields) -> None:
    """Set ``changes`` on ``activity`` (the caller checked that a new code is free in the team)."""
    activity.code = changes.code
    activity.description = changes.description
    activity.url = changes.url
    activity.updated_at = utcnow()


def archive(activities: Iterable[Activity]) -> None:
    """Archive every one of ``activities``; ``WrongState`` (nothing changed) when one is archived already."""
    _move(activities, ActivityStatus.ACTIVE, ActivityStatus.ARCHIVED, "already archived")


def unarchive(activities: Iterable[Activity]) -> None:
    """Make every one of ``activities`` active again; ``WrongState`` (nothing changed) when one is active."""
    _move(activities, ActivityStatus.ARCHIVED, ActivityStatus.ACTIVE, "not archived (it is active)")


def _move(activities: Iterable[Activity], source: ActivityStatus, target: ActivityStatus, why: str) -> None:
    chosen = list(activities)
    for activity in chosen:
        if activity.status != source:
            raise WrongState(f"The activity {activity.code!r} is {why}")
    now = utcnow()
    for activity in chosen:
        activity.status = target
        activity.updated_at = now


def require_assignable(activity: Activity) -> None:
    """``WrongState`` when ``activity`` is archived: only an active activity is assigned to contracts."""
    if activity.status != ActivityStatus.ACTIVE:
        raise WrongState(f"The activity {activity.code!r} is archived: unarchive it before assigning it")


# --------------------------------------------------------------------------
# The batch


@dataclass(frozen=True)
class BatchLine:
    """One record of the batch: ``number`` from 1; ``team`` and ``user`` keys, empty when not given."""

    number: int
    company: str
    team: str
    user: str
    activity: ActivityFields


class BatchError(Invalid):
    """A line of the batch breaks a rule; the message starts with ``line N:``."""

    def __init__(self, number: int, message: str) -> None:
        super().__init__(f"line {number}: {message}")
        self.number = number


def parse_batch(data: str) -> list[BatchLine]:
    """Every record of ``data`` (CSV lines separated by ``<br>``; blank lines skipped), checked.

    Raises ``BatchError`` naming the first bad line, or ``Invalid`` for an
    empty or too large batch.
    """
    chunks = BATCH_SEPARATOR.split(data)
    if len(chunks) > MAX_BATCH_LINES:
        raise Invalid(f"data must hold at most {MAX_BATCH_LINES} lines, got {len(chunks)}")
    lines: list[BatchLine] = []
    for number, chunk in enumerate(chunks, start=1):
        if chunk.strip():
            lines.append(_batch_line(number, chunk.strip()))
    if not lines:
        raise Invalid("data must hold at least one line: companyid,teamid,userid,taskid,description,url")
    return lines


def _batch_line(number: int, text: str) -> BatchLine:
    try:
        records = list(csv.reader([text], skipinitialspace=True, strict=True))
    except csv.Error as error:
        raise BatchError(number, f"not a CSV record ({error})") from None
    values = records[0] if records else []
    if len(values) != len(BATCH_FIELDS):
        raise BatchError(number, f"has {len(values)} fields, expected {len(BATCH_FIELDS)}: {','.join(BATCH_FIELDS)}")
    company, team, user, code, description, url = (value.strip() for value in values)
    if not company:
        raise BatchError(number, "companyid must not be empty")
    try:
        checked = ActivityFields(activity_code(code, "taskid"), description_text(description), url_text(url))
    except Invalid as invalid:
        raise BatchError(number, invalid.message) from None
    return BatchLine(number, company, team, user, checked)


# --------------------------------------------------------------------------
# Assignments to contracts


def set_contracts(session: Session, activity_id: int, engagement_ids: Iterable[int]) -> None:
    """Assign the activity ``activity_id`` to exactly ``engagement_ids`` (the others are unassigned)."""
    session.execute(sa.delete(ActivityAssignment).where(ActivityAssignment.activity_id == activity_id))
    add_assignments(session, {(activity_id, engagement_id) for engagement_id in engagement_ids})


def set_activities(session: Session, engagement_id: int, within: Iterable[int], chosen: Iterable[int]) -> None:
    """Of the activities ``within``, assign exactly ``chosen`` to the contract ``engagement_id``."""
    session.execute(
        sa.delete(ActivityAssignment).where(
            ActivityAssignment.engagement_id == engagement_id,
            ActivityAssignment.activity_id.in_(sorted(set(within))),
        )
    )
    add_assignments(session, {(activity_id, engagement_id) for activity_id in chosen})


def add_assignments(session: Session, pairs: Iterable[tuple[int, int]]) -> None:
    """Add the ``(activity id, engagement id)`` assignments ``pairs`` (none of them may exist yet)."""
    rows = [{"activity_id": a, "engagement_id": e} for a, e in sorted(pairs)]
    if rows:
        session.execute(sa.insert(ActivityAssignment), rows)
