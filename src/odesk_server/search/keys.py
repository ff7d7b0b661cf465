"""The documented keys of search v1 and v2, read into a ``SearchRequest``.

v2 (``/api/profiles/v2/search/...``): ``q`` in the query language
(``search.syntax``), every other filter key read as that field's value
(``search.fields.key_node``), ``sort`` as ``field direction`` pairs
(``create_time desc``), ``paging`` as ``offset;count``.

v1 (``/api/profiles/v1/search/...``): the short keys of the 2010 API
(``c1``, ``fb``, ``hrs``, ``dp``...), each with its documented meaning
(docs/search.md has the table), ``q`` as plain words, ``sort`` as
``field1;field2;AD`` (one direction letter per field), ``page`` as
``offset;count``.

A key that cannot be read raises ``SearchInputError`` naming the key, and
for ``q`` and range values the position in it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation

from odesk_server.search import fields as bound
from odesk_server.search import syntax
from odesk_server.search.fields import FieldSpec, Vocabulary
from odesk_server.search.query import (
    Between,
    Condition,
    Kind,
    Nothing,
    OneOf,
    SearchRequest,
    SortField,
    SortKey,
    Text,
    Viewer,
    all_of,
    fields_in,
)
from odesk_server.search.syntax import QuerySyntaxError

# What a job search shows unless its keys or ``q`` name statuses (v1 documents it; v2 does the same).
DEFAULT_JOB_STATUS = OneOf("job_status", frozenset({"open"}))


class SearchInputError(ValueError):
    """A search key that cannot be read: the message starts with the key's name."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message if message.startswith(f"{key} ") else f"{key}: {message}")
        self.key = key


def _parsed(key: str, read: Callable[[], Condition | None]) -> Condition | None:
    try:
        return read()
    except QuerySyntaxError as error:
        raise SearchInputError(key, error.message) from None


# --------------------------------------------------------------------------
# v2


V2_JOB_SORTS = {
    "create_time": SortField.CREATED,
    "client_rating": SortField.CLIENT_RATING,
    "client_total_charge": SortField.CLIENT_TOTAL_CHARGE,
    "client_total_hours": SortField.CLIENT_TOTAL_HOURS,
    "score": SortField.SCORE,
    "workload": None,  # not kept: sorts nothing
    "duration": SortField.DURATION,
}
V2_PROVIDER_SORTS = {
    "score": SortField.SCORE,
    "create_time": SortField.CREATED,
    "feedback": SortField.FEEDBACK,
    "hours": SortField.HOURS,
    "rate": SortField.RATE,
}


def _v2_sort(text: str | None, allowed: Mapping[str, SortField | None]) -> tuple[SortKey, ...]:
    """``create_time desc`` (several joined by ``,``); the direction defaults to ``desc``."""
    if not text or not text.strip():
        return ()
    keys: list[SortKey] = []
    for part in text.split(","):
        words = part.split()
        if not words:
            continue
        name, direction = words[0].lower(), (words[1].lower() if len(words) > 1 else "desc")
        if name not in allowed or len(words) > 2 or direction not in ("asc", "desc"):
            raise SearchInputError(
                "sort",
                f"must be a field and asc or desc (fields: {', '.join(allowed)}), e.g. create_time desc; got {part!r}",
            )
        field = allowed[name]
        if field is not None:
            keys.append(SortKey(field, descending=direction == "desc"))
    return tuple(keys)


def v2_request(
    kind: Kind,
    values: Mapping[str, str],
    vocabulary: Vocabulary,
    viewer: Viewer,
    today: dt.date,
    offset: int,
    count: int,
) -> SearchRequest:
    """The search the v2 ``values`` ask for (``q``, each documented key, ``sort``)."""
    specs = bound.fields_for(kind, vocabulary, today)
    conditions: list[Condition | None] = []
    q = values.get("q")
    if q is not None and q.strip():
        conditions.append(_parsed("q", lambda: _bind(syntax.parse(q), kind, specs)))
    for key in specs:
        # python-odesk sends None as "None": for client_feedback that is the documented "clients without rating"
        value = values.get(key, "").strip() or None if key == "client_feedback" else _given(values, key)
        if value is not None:
            conditions.append(_key_condition(key, value, kind, specs))
    condition = all_of(*conditions)
    sort: tuple[SortKey, ...] = ()
    if kind is Kind.JOBS:
        if "job_status" not in fields_in(condition):
            condition = all_of(condition, DEFAULT_JOB_STATUS)
        sort = _v2_sort(values.get("sort"), V2_JOB_SORTS)
    else:
        sort = _v2_sort(values.get("sort"), V2_PROVIDER_SORTS)
    return SearchRequest(kind, viewer, condition, sort, offset, count, today)


def _bind(node: syntax.Node | None, kind: Kind, specs: Mapping[str, FieldSpec]) -> Condition | None:
    return bound.bind(node, kind, specs) if node is not None else None


def _key_condition(key: str, value: str, kind: Kind, specs: Mapping[str, FieldSpec]) -> Condition | None:
    return _parsed(key, lambda: _bind(bound.key_node(key, value), kind, specs))


# --------------------------------------------------------------------------
# v1


def _given(values: Mapping[str, str], key: str) -> str | None:
    value = values.get(key)
    if value is None or not value.strip() or value.strip() == "None":
        return None
    return value.strip()


def _amount(key: str, text: str) -> Decimal:
    match = re.match(r"\s*(\d+(?:\.\d+)?)", text)  # "2.0 - 2.9 Stars" reads as 2.0
    if match is None:
        raise SearchInputError(key, f"must be a number, got {text!r}")
    try:
        return Decimal(match.group(1))
    except InvalidOperation:  # pragma: no cover - the pattern is a number
        raise SearchInputError(key, f"must be a number, got {text!r}") from None


def _yes(key: str, text: str | None) -> bool:
    if text is None:
        return False
    word = text.strip().lower()
    if word in ("yes", "y", "1", "true", "on"):
        return True
    if word in ("no", "n", "0", "false", "off"):
        return False
    raise SearchInputError(key, f"must be yes or no, got {text!r}")


def _words(key: str, text: str, columns: frozenset[str] = frozenset()) -> Condition:
    if not any(ch.isalnum() for ch in text):
        raise SearchInputError(key, f"{text!r} has no letter or digit to search for")
    return Text(text, columns)


def _list(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;,]", text) if part.strip()]


def _named(key: str, table: Mapping[str, frozenset[int]], text: str, what: str, field: str) -> Condition:
    ids: set[int] = set()
    for name in _list(text):
        found = table.get(bound.normal_name(name))
        if not found:
            raise SearchInputError(key, f"no {what} {name!r} (see the metadata API)")
        ids |= found
    return OneOf(field, frozenset(ids))


def _skills(key: str, text: str) -> Condition | None:
    """Required skills: every one of a comma list, each in the skills text."""
    return all_of(*(_words(key, skill, frozenset({"skills"})) for skill in _list(text)))


def _v1_sort(text: str | None, allowed: Mapping[str, SortField]) -> tuple[SortKey, ...]:
    """``field1;field2;AD``: one direction letter per field (A ascending, D descending)."""
    if not text or not text.strip():
        return ()
    parts = [part.strip() for part in text.split(";")]
    directions = parts[-1].upper() if len(parts) > 1 and re.fullmatch(r"[ADad]+", parts[-1]) else None
    names = parts[:-1] if directions is not None else parts
    if directions is None:
        directions = "D" * len(names)
    if len(directions) != len(names):
        raise SearchInputError(
            "sort", f"{len(names)} field(s) and {len(directions)} direction(s): give one A or D per field"
        )
    keys: list[SortKey] = []
    for name, direction in zip(names, directions, strict=True):
        field = allowed.get(bound.normal_name(name))
        if field is None:
            raise SearchInputError("sort", f"cannot sort on {name!r} (fields: {', '.join(allowed)})")
        keys.append(SortKey(field, descending=direction == "D"))
    return tuple(keys)


V1_JOB_SORTS = {
    "date_posted": SortField.CREATED,
    "create_time": SortField.CREATED,
    "budget": SortField.BUDGET,
    "title": SortField.TITLE,
    "score": SortField.SCORE,
}
V1_PROVIDER_SORTS = {
    "date_created": SortField.CREATED,
    "create_time": SortField.CREATED,
    "feedback": SortField.FEEDBACK,
    "hours": SortField.HOURS,
    "rate": SortField.RATE,
    "score": SortField.SCORE,
}
# v1 dur: weeks -> the v2 duration it stands for.
V1_DURATIONS = {"0": "week", "1": "month", "4": "quarter", "13": "semester", "26": "ongoing"}
# v1 dp: the code -> (newest, oldest) age in days of the jobs it keeps.
V1_POSTED = {"0": (0, 1), "1": (1, 3), "3": (3, 7), "7": (7, 14), "14": (14, 30), "30": (30, None)}
# v1 fb (jobs): the code -> the least client feedback it keeps.
V1_CLIENT_SCORES = {"0": None, "10": Decimal(1), "40": Decimal(4), "45": Decimal("4.5"), "50": Decimal(5)}
# v1 loc: the regions it names; "Misc" is every other one.
V1_REGIONS = ("australasia", "east_asia", "eastern_europe", "north_america", "south_asia", "western_europe")
V1_STATUSES = {
    "open": {"open"},
    "in_progress": {"in_progress"},
    "completed": {"completed"},
    "cancelled": {"cancelled"},
    "canceled": {"cancelled"},
}


def _choice(key: str, text: str, meanings: Mapping[str, object]) -> object:
    found = meanings.get(bound.normal_name(text))
    if found is None:
        raise SearchInputError(key, f"must be one of {', '.join(meanings)}, got {text!r}")
    return found


def v1_job_request(
    values: Mapping[str, str],
    vocabulary: Vocabulary,
    viewer: Viewer,
    now: dt.datetime,
    offset: int,
    count: int,
) -> SearchRequest:
    """The search the v1 job keys ask for."""
    conditions: list[Condition | None] = []
    titles_only = _yes("to", _given(values, "to"))
    if (q := _given(values, "q")) is not None:
        conditions.append(_words("q", q, frozenset({"title"}) if titles_only else frozenset()))
    if (c1 := _given(values, "c1")) is not None:
        conditions.append(_named("c1", vocabulary.categories, c1, "category", "category"))
    c2 = _given(values, "c2") or _given(values, "c2[]")
    if c2 is not None:
        conditions.append(_named("c2", vocabulary.subcategories, c2, "subcategory", "subcategory"))
    if (qs := _given(values, "qs")) is not None:
        conditions.append(_skills("qs", qs))
    if (fb := _given(values, "fb")) is not None:
        least = V1_CLIENT_SCORES[fb] if fb in V1_CLIENT_SCORES else _amount("fb", fb)
        if least is not None:
            conditions.append(Between("client_feedback", least, None))
    low = _amount("min", m) if (m := _given(values, "min")) is not None else None
    high = _amount("max", m) if (m := _given(values, "max")) is not None else None
    if low is not None or high is not None:
        conditions.append(Between("budget", low, high))
    if (t := _given(values, "t")) is not None:
        job_type = _choice("t", t, {"hourly": "hourly", "fixed": "fixed-price", "fixed_price": "fixed-price"})
        conditions.append(OneOf("job_type", frozenset({job_type})))
    if _given(values, "wl") is not None:
        conditions.append(Nothing("wl: the workload of a job is not kept"))
    if (dur := _given(values, "dur")) is not None:
        if dur not in V1_DURATIONS:
            raise SearchInputError("dur", f"must be one of {', '.join(V1_DURATIONS)} (weeks), got {dur!r}")
        low_hours, high_hours = bound.DURATION_HOURS[V1_DURATIONS[dur]]
        conditions.append(
            Between(
                "duration",
                Decimal(low_hours) if low_hours is not None else None,
                Decimal(high_hours) if high_hours is not None else None,
                include_low=False,
            )
        )
    if (dp := _given(values, "dp")) is not None:
        if dp not in V1_POSTED:
            raise SearchInputError("dp", f"must be one of {', '.join(V1_POSTED)}, got {dp!r}")
        newest, oldest = V1_POSTED[dp]
        conditions.append(
            Between(
                "created",
                now - dt.timedelta(days=oldest) if oldest is not None else None,
                now - dt.timedelta(days=newest) if newest else None,
            )
        )
    st = _given(values, "st")
    statuses = V1_STATUSES[bound.normal_name(st)] if st is not None and bound.normal_name(st) in V1_STATUSES else None
    if st is not None and statuses is None:
        raise SearchInputError("st", f"must be one of Open, In Progress, Completed, Cancelled, got {st!r}")
    conditions.append(OneOf("job_status", frozenset(statuses or {"open"})))
    if (tba := _given(values, "tba")) is not None:
        least_hires = _amount("tba", tba)
        if least_hires > 0:
            conditions.append(Between("client_hires", least_hires, None))
    if _given(values, "gr") is not None:
        conditions.append(Nothing("gr: this server keeps no groups"))
    sort = _v1_sort(_given(values, "sort"), V1_JOB_SORTS)
    return SearchRequest(Kind.JOBS, viewer, all_of(*conditions), sort, offset, count, now.date())


def v1_provider_request(
    values: Mapping[str, str],
    vocabulary: Vocabulary,
    viewer: Viewer,
    now: dt.datetime,
    offset: int,
    count: int,
    agency_of: Callable[[str], int | None],
) -> SearchRequest:
    """The search the v1 provider keys ask for (``agency_of`` finds an agency company by its reference)."""
    conditions: list[Condition | None] = []
    titles_only = _yes("to", _given(values, "to"))
    if (q := _given(values, "q")) is not None:
        conditions.append(_words("q", q, frozenset({"title"}) if titles_only else frozenset()))
    if (c1 := _given(values, "c1")) is not None:
        conditions.append(_named("c1", vocabulary.categories, c1, "category", "category"))
    c2 = _given(values, "c2") or _given(values, "c2[]")
    if c2 is not None:
        conditions.append(_named("c2", vocabulary.subcategories, c2, "subcategory", "subcategory"))
    if (fb := _given(values, "fb")) is not None:
        conditions.append(Between("feedback", _amount("fb", fb), None))
    recent = _yes("ir", _given(values, "ir"))
    if (hrs := _given(values, "hrs")) is not None:
        conditions.append(Between("recent_hours" if recent else "hours", _amount("hrs", hrs), None))
    elif recent:
        conditions.append(Between("recent_hours", Decimal(0), None, include_low=False))
    low = _amount("min", m) if (m := _given(values, "min")) is not None else None
    high = _amount("max", m) if (m := _given(values, "max")) is not None else None
    if low is not None or high is not None:
        conditions.append(Between("rate", low, high))
    if (loc := _given(values, "loc")) is not None:
        if bound.normal_name(loc) == "misc":  # every region but the six v1 names
            named = set().union(*(vocabulary.regions.get(name, frozenset()) for name in V1_REGIONS))
            everywhere = set().union(*vocabulary.regions.values())
            conditions.append(OneOf("region", frozenset(everywhere - named)))
        else:
            conditions.append(_named("loc", vocabulary.regions, loc, "region", "region"))
    if (pt := _given(values, "pt")) is not None:
        kind = _choice("pt", pt, {"individual": "independent", "affiliated": "agency"})
        conditions.append(OneOf("profile_type", frozenset({kind})))
    if (last := _given(values, "last")) is not None:
        try:
            day = dt.datetime.strptime(last, "%m-%d-%Y").date()
        except ValueError:
            raise SearchInputError("last", f"must be a date like 07-13-2009, got {last!r}") from None
        conditions.append(Between("last_activity", day, None, include_low=False))
    if (test := _given(values, "test")) is not None:
        if not test.isdigit():
            raise SearchInputError("test", f"must be a test id (see the metadata API's tests), got {test!r}")
        conditions.append(OneOf("test", frozenset({int(test)})))
    if (port := _given(values, "port")) is not None:
        conditions.append(Between("portfolio_items", _amount("port", port), None))
    if _yes("rdy", _given(values, "rdy")):
        conditions.append(bound.ready(vocabulary))
    if (eng := _given(values, "eng")) is not None:
        conditions.append(Between("english_skill", _amount("eng", eng), None))
    if (ag := _given(values, "ag")) is not None:
        agency = agency_of(ag)
        conditions.append(OneOf("agency", frozenset({agency})) if agency is not None else Nothing("ag: no agency"))
    if _given(values, "g") is not None:
        conditions.append(Nothing("g: this server keeps no groups"))
    if (skills := _given(values, "skills")) is not None:
        conditions.append(_skills("skills", skills))
    sort = _v1_sort(_given(values, "sort"), V1_PROVIDER_SORTS)
    return SearchRequest(Kind.PROVIDERS, viewer, all_of(*conditions), sort, offset, count, now.date())


__all__ = ["DEFAULT_JOB_STATUS", "SearchInputError", "v1_job_request", "v1_provider_request", "v2_request"]
