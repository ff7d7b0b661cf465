"""Parameter types for ``Params`` models: how the text a client sends is read.

Each type reads the text as oDesk's clients sent it and, when it cannot,
raises ``ValueError("must be ..., got ...")``; the endpoint layer puts the
parameter's wire name in front (``include_users must be true or false, got
'maybe'``) and answers 400 ``bad_request``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off", ""})


def _flag(value: object) -> object:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"must be true or false, got {value!r}")


def _empty_is_none(value: object) -> object:
    return None if value == "" else value


# A yes/no flag: true/1/yes/on or false/0/no/off/empty (any case; python-odesk sends True/False).
Flag = Annotated[bool, BeforeValidator(_flag), Field(json_schema_extra={"examples": ["true", "false"]})]

# A path key: a numeric reference or a text id (uid, company or team id); see access.keys.
PathKey = Annotated[str, Field(description="The object's numeric reference or its text id")]

# A status filter on listings: active or inactive; empty or absent means both.
StatusFilter = Annotated[Literal["active", "inactive"] | None, BeforeValidator(_empty_is_none)]
