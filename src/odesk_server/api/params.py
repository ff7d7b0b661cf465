"""Parameter types for ``Params`` models: how the text a client sends is read.

Each type reads the text as oDesk's clients sent it and, when it cannot,
raises ``ValueError("must be ..., got ...")``; the endpoint layer puts the
parameter's wire name in front (``include_users must be true or false, got
'maybe'``) and answers 400 ``bad_request``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import BeforeValidator, Field, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from odesk_server.api.endpoint import Params

# The largest page a listing answers; a bigger count is refused, not cut.
MAX_PAGE_SIZE = 200
# The largest amount of money a parameter may carry (the ledger's columns hold 12 digits before the point).
MAX_AMOUNT = Decimal("1000000000")

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


def _absent_is_none(value: object) -> object:
    # python-odesk sends a parameter it has no value for as "" or as "None" (str of None).
    return None if isinstance(value, str) and (not value.strip() or value.strip() == "None") else value


# A yes/no flag: true/1/yes/on or false/0/no/off/empty (any case; python-odesk sends True/False).
Flag = Annotated[bool, BeforeValidator(_flag), Field(json_schema_extra={"examples": ["true", "false"]})]

# A path key: a numeric reference or a text id (uid, company or team id); see access.keys.
PathKey = Annotated[str, Field(description="The object's numeric reference or its text id")]

# A status filter on listings: active or inactive; empty or absent means both.
StatusFilter = Annotated[Literal["active", "inactive"] | None, BeforeValidator(_empty_is_none)]


class Page(NamedTuple):
    """A listing's page: ``offset`` rows skipped, at most ``size`` rows."""

    offset: int
    size: int


def _page(value: object) -> object:
    if isinstance(value, Page):
        return value
    text = str(value).strip()
    if text in ("", "None;None"):  # python-odesk sends "None;None" when no page was asked for
        return Page(0, 20)
    offset_text, sep, count_text = text.partition(";")
    if not sep:
        raise ValueError(f"must be offset;count (e.g. 0;20), got {value!r}")
    try:
        offset = int(offset_text) if offset_text not in ("", "None") else 0
        count = int(count_text) if count_text not in ("", "None") else 20
    except ValueError:
        raise ValueError(f"must be offset;count with whole numbers, got {value!r}") from None
    if offset < 0 or not 1 <= count <= MAX_PAGE_SIZE:
        raise ValueError(f"must be offset;count with offset >= 0 and 1 <= count <= {MAX_PAGE_SIZE}, got {value!r}")
    return Page(offset, count)


def _money(value: object) -> object:
    text = str(value).strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"must be an amount like 150.00, got {value!r}") from None
    if not amount.is_finite() or "e" in text.lower():
        raise ValueError(f"must be an amount like 150.00, got {value!r}")
    if amount <= 0:
        raise ValueError(f"must be more than 0, got {value!r}")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"must have at most two decimal places, got {value!r}")
    if amount > MAX_AMOUNT:
        raise ValueError(f"must be at most {MAX_AMOUNT}, got {value!r}")
    return amount.quantize(Decimal("0.01"))


def _timestamp(value: object) -> object:
    if value is None or isinstance(value, dt.datetime):
        return value
    text = str(value).strip()
    if not text:
        return None
    if text.isdigit() and text.isascii():  # milliseconds since the epoch, as the HR payloads write times
        return dt.datetime.fromtimestamp(int(text) / 1000, dt.UTC)
    for layout in ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%m-%d-%Y"):
        try:
            return dt.datetime.strptime(text, layout).replace(tzinfo=dt.UTC)
        except ValueError:
            continue
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"must be a timestamp like 2009-01-20T00:00:01 (UTC unless an offset is given), a day, "
            f"or milliseconds since the epoch, got {value!r}"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _us_date(value: object) -> object:
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for layout in ("%m-%d-%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, layout).date()
        except ValueError:
            continue
    raise ValueError(f"must be a date as mm-dd-yyyy (or yyyy-mm-dd), got {value!r}")


# ``page``: "offset;count" (python-odesk's paging), 0;20 when absent or "None;None".
PageParam = Annotated[Page, BeforeValidator(_page), Field(json_schema_extra={"examples": ["0;20"]})]

# An amount of money: a positive decimal with at most two places ("150", "150.5", "150.50"), as Decimal.
Money = Annotated[Decimal, BeforeValidator(_money), Field(json_schema_extra={"examples": ["150.00"]})]

# A date as the HR v3 API writes it (mm-dd-yyyy), also read as yyyy-mm-dd.
UsDate = Annotated[dt.date, BeforeValidator(_us_date), Field(json_schema_extra={"examples": ["12-31-2026"]})]

# A moment, as the listings' created_time_from/_to take it: 2009-01-20T00:00:01 or 2008-09-09 00:00:01 (UTC
# unless an ISO offset is given), a bare day (its midnight, yyyy-mm-dd or mm-dd-yyyy) or milliseconds since the
# epoch; empty or absent is None.
Timestamp = Annotated[
    dt.datetime | None, BeforeValidator(_timestamp), Field(json_schema_extra={"examples": ["2009-01-20T00:00:01"]})
]

# Text that may be left out: empty, blank or "None" (as python-odesk sends an unset value) is None.
OptionalText = Annotated[str | None, BeforeValidator(_absent_is_none)]
# An amount or a date that may be left out the same way.
OptionalMoney = Annotated[Money | None, BeforeValidator(_absent_is_none)]
OptionalDate = Annotated[UsDate | None, BeforeValidator(_absent_is_none)]


class StatusList:
    """``status`` as the listings take it: one name or several joined by ``;``, read into the statuses they mean.

    ``meanings`` maps each name the listing accepts to the statuses it
    stands for (a plain collection of statuses: each stands for itself).
    The value read is the sorted tuple of those statuses; empty, blank or
    python-odesk's "None" is ``absent``. A name not among them is refused,
    naming the allowed ones. Use it as the metadata of
    ``Annotated[tuple[str, ...] | None, StatusList(...)]``.
    """

    def __init__(
        self, meanings: Mapping[str, Iterable[str]] | Iterable[str], *, absent: tuple[str, ...] | None = None
    ) -> None:
        pairs = meanings.items() if isinstance(meanings, Mapping) else ((name, (name,)) for name in meanings)
        self.meanings: dict[str, tuple[str, ...]] = {name: tuple(statuses) for name, statuses in pairs}
        self.absent = absent

    def read(self, value: object) -> object:
        """The statuses ``value`` names (see the class); ``ValueError`` naming the allowed names otherwise."""
        if isinstance(value, tuple):
            return value
        if _absent_is_none(value) is None:
            return self.absent
        names = [part.strip() for part in str(value).split(";") if part.strip()]
        if not names:
            return self.absent
        unknown = [name for name in names if name not in self.meanings]
        if unknown:
            *first, last = self.meanings
            allowed = f"{', '.join(first)} or {last}" if first else last
            raise ValueError(f"must be {allowed} (several joined by ;), got {unknown[0]!r}")
        return tuple(sorted({status for name in names for status in self.meanings[name]}))

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_before_validator_function(self.read, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        found = handler(schema)
        found["examples"] = [";".join(list(self.meanings)[:2])]
        return found


class HrListingParams(Params):
    """What every HR v2 listing of hiring takes (jobs, offers, engagements) besides its own filters.

    ``created_time_from`` / ``created_time_to`` bound the creation time;
    ``page`` is ``offset;count``; ``order_by`` names fields with optional
    directions (``queries.ordering``).
    """

    created_time_from: Timestamp = None
    created_time_to: Timestamp = None
    page: PageParam = Page(0, 20)
    order_by: OptionalText = None
