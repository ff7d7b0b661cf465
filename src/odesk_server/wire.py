"""Values as the oDesk wire shows them, shared by every envelope (HR, reports, auth).

oDesk sent nearly every value as text; the caller's ``auth_user`` block went
into every successful response, API and report alike
(``spec/gds-data-model.md`` section 4, ``spec/api-surface.md`` section 6).
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from typing_extensions import TypedDict


class Person(Protocol):
    """What ``auth_user`` reads of a user (a ``models.User`` or any row with these columns)."""

    @property
    def uid(self) -> str: ...
    @property
    def first_name(self) -> str: ...
    @property
    def last_name(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def timezone(self) -> str: ...


@functools.lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def timezone_offset(timezone: str, now: dt.datetime | None = None) -> str:
    """The UTC offset of ``timezone`` at ``now`` (default: this moment) in seconds, as text; ``"0"`` if unknown."""
    zone = _zone(timezone or "UTC")
    if zone is None:
        return "0"
    offset = (now or dt.datetime.now(dt.UTC)).astimezone(zone).utcoffset()
    return str(int(offset.total_seconds())) if offset is not None else "0"


def bool_text(flag: bool) -> str:
    """A flag as oDesk's HR payloads wrote it: ``"1"`` or ``"0"``."""
    return "1" if flag else "0"


def auth_user(user: Person, now: dt.datetime | None = None) -> dict[str, Any]:
    """The ``auth_user`` block: the caller's names, uid, mail, messenger (none here) and time zone."""
    timezone = user.timezone or "UTC"
    return {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "uid": user.uid,
        "mail": user.email,
        "messenger_id": None,
        "messenger_type": None,
        "timezone": timezone,
        "timezone_offset": timezone_offset(timezone, now),
    }


# --------------------------------------------------------------------------
# Values of the hiring payloads (jobs, offers, contracts, applications, milestones): text, "" when absent


def text(value: object) -> str:
    """Any value as text; ``""`` for None."""
    return "" if value is None else str(value)


def money_text(amount: Decimal | None) -> str:
    """An amount with two decimals (``"150.00"``); ``""`` for None."""
    return f"{amount:.2f}" if amount is not None else ""


def epoch_ms_text(moment: dt.date | dt.datetime | None) -> str:
    """An instant as the HR payloads write it: milliseconds since the epoch, as text; ``""`` for None.

    A day is its midnight in UTC; a time without a zone is read as UTC.
    """
    if moment is None:
        return ""
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime(moment.year, moment.month, moment.day, tzinfo=dt.UTC)
    elif moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return str(int(moment.timestamp() * 1000))


def day_text(day: dt.date | dt.datetime | None) -> str:
    """A day as ``mm-dd-yyyy`` (the form the HR methods take dates in), an instant's UTC day; ``""`` for None."""
    if day is None:
        return ""
    if isinstance(day, dt.datetime):
        day = day.astimezone(dt.UTC).date()
    return f"{day:%m-%d-%Y}"


def iso_time_text(moment: dt.datetime | None) -> str:
    """An instant in ISO 8601, UTC, to the second (``2026-06-30T12:00:00Z``), as the offers show times."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment is not None else ""


class Paging(TypedDict):
    offset: str
    count: str


class Lister(TypedDict):
    """What an HR listing says of itself, next to its items: how many in all, the page, the sort asked for."""

    total_items: str
    query: str
    paging: Paging
    sort: str


def lister(total: int, offset: int, count: int, sort: str) -> Lister:
    """The ``lister`` block of a listing: ``total`` matches, the page at ``offset`` of ``count``, ``sort``."""
    return {
        "total_items": str(total),
        "query": "",
        "paging": {"offset": str(offset), "count": str(count)},
        "sort": sort,
    }
