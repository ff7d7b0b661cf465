"""Values as the oDesk wire shows them, shared by every envelope (HR, reports, auth).

oDesk sent nearly every value as text; the caller's ``auth_user`` block went
into every successful response, API and report alike
(``spec/gds-data-model.md`` section 4, ``spec/api-surface.md`` section 6).
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


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
