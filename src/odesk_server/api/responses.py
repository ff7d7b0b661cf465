"""Successful API responses: the oDesk envelope, rendered as JSON or XML.

Every ``/api`` response is an object with the resource's keys plus, as
oDesk sent them, ``server_time`` (Unix seconds) and ``auth_user`` (the
caller). The ``.xml`` path suffix selects XML (``odesk_server.xmlout``);
anything else gets JSON. Success is always 200 (python-odesk treats any
other status as an error).
"""

from __future__ import annotations

import datetime as dt
import functools
import time
from collections.abc import Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import orjson
from fastapi import Request
from starlette.responses import Response

from odesk_server.compat import response_format
from odesk_server.models import User
from odesk_server.xmlout import to_xml

JSON_MEDIA_TYPE = "application/json"
XML_MEDIA_TYPE = "application/xml"


@functools.lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def timezone_offset(timezone: str, now: dt.datetime | None = None) -> str:
    """The current UTC offset of ``timezone`` in seconds, as text (``"-25200"``); ``"0"`` if unknown."""
    zone = _zone(timezone or "UTC")
    if zone is None:
        return "0"
    offset = (now or dt.datetime.now(dt.UTC)).astimezone(zone).utcoffset()
    return str(int(offset.total_seconds())) if offset is not None else "0"


def auth_user(user: User) -> dict[str, str]:
    """The ``auth_user`` block oDesk put in every response."""
    return {
        "uid": user.uid,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "mail": user.email,
        "timezone": user.timezone,
        "timezone_offset": timezone_offset(user.timezone),
    }


def render(request: Request, payload: Mapping[str, object], status: int = 200) -> Response:
    """``payload`` as JSON, or as XML when the path had the ``.xml`` suffix."""
    if response_format(request) == "xml":
        return Response(to_xml(payload), status_code=status, media_type=XML_MEDIA_TYPE)
    return Response(orjson.dumps(payload, default=str), status_code=status, media_type=JSON_MEDIA_TYPE)


def api_response(request: Request, user: User, payload: Mapping[str, object]) -> Response:
    """The 200 response for an API resource: ``server_time``, ``auth_user``, then ``payload``'s keys."""
    envelope: dict[str, object] = {"server_time": str(int(time.time())), "auth_user": auth_user(user)}
    envelope.update(payload)
    return render(request, envelope)
