"""The searchable fields of jobs and providers: ``q``'s tree and the other keys bound to typed conditions.

``bind(node, kind, vocabulary, today)`` turns a ``search.syntax`` tree into
``search.query`` conditions: it checks that each field exists for the kind
searched and that its value means something (a number, a day, a category
title of the metadata API, one of the documented words), and raises
``QuerySyntaxError`` naming the position otherwise. ``key_node(key, value)``
reads a v2 key given on its own (``feedback=3,4``, ``rate=[20 TO 40]``,
``title=web design``) as the same tree ``q`` would hold.

Values, field by field (docs/search.md has the table):

- text fields (``title``, ``skills``): words, all required, or a phrase;
- a number alone means its unit at its precision: ``feedback:4`` is from 4
  up to (not including) 5, ``feedback:4.5`` from 4.5 up to 4.6; counts
  (``client_hires``, ``english_skill``) mean themselves; ``[a TO b]``
  includes its ends, ``{a TO b}`` leaves them out, ``*`` is an open end;
- names of reference data (``category``, ``subcategory``, ``region``) are
  compared without case, punctuation or spacing (``web_development`` is
  ``"Web Development"``); an unknown one is an error naming it; ``tests``
  words match the skill tests whose names hold all of them;
- the documented words of ``job_type``, ``duration``, ``workload``,
  ``job_status``, ``profile_type``, ``is_odesk_ready``, case aside.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa

from odesk_server.models import JobCategory, Region, SkillTest
from odesk_server.search import syntax
from odesk_server.search.query import (
    Between,
    Condition,
    Kind,
    Not,
    Nothing,
    OneOf,
    Text,
    Unknown,
    all_of,
    any_of,
)
from odesk_server.search.syntax import QuerySyntaxError

# --------------------------------------------------------------------------
# Reference data the values are checked against


def normal_name(text: str) -> str:
    """A name compared without case, punctuation or spacing: ``"Web, Mobile & Software Dev"`` -> ``web_mobile_software_dev``."""
    return re.sub(r"[^0-9a-z]+", "_", text.lower()).strip("_")


_WORD = re.compile(r"[0-9a-z]+")


def _words(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(text.lower()))


@dataclass(frozen=True)
class Vocabulary:
    """The names a search value may use, each with the ids it stands for (reference data: fixed at run time).

    ``categories``: a top-level category title (either version) -> its ids;
    ``subcategories``: a subcategory title -> its ids; ``regions``: a region
    or country -> its id and those of its countries; ``tests``: each skill
    test's id and the words of its name.
    """

    categories: Mapping[str, frozenset[int]]
    subcategories: Mapping[str, frozenset[int]]
    regions: Mapping[str, frozenset[int]]
    tests: tuple[tuple[int, frozenset[str]], ...]

    def tests_named(self, text: str) -> frozenset[int]:
        """The tests whose names hold every word of ``text``."""
        wanted = _words(text)
        return frozenset(test_id for test_id, words in self.tests if wanted and wanted <= words)


def load_vocabulary(connection: sa.Connection) -> Vocabulary:
    """The vocabulary of the database behind ``connection`` (read once per database URL, then kept)."""
    return _vocabulary(connection.engine.url.render_as_string(hide_password=False), connection)


def _vocabulary(url: str, connection: sa.Connection) -> Vocabulary:
    cached = _VOCABULARIES.get(url)
    if cached is not None:
        return cached
    categories: dict[str, set[int]] = {}
    subcategories: dict[str, set[int]] = {}
    for row in connection.execute(sa.select(JobCategory.id, JobCategory.parent_id, JobCategory.title)):
        into = categories if row.parent_id is None else subcategories
        into.setdefault(normal_name(row.title), set()).add(row.id)
    regions: dict[str, set[int]] = {}
    rows = connection.execute(sa.select(Region.id, Region.parent_id, Region.name)).all()
    names = {row.id: normal_name(row.name) for row in rows}
    for row in rows:
        regions.setdefault(names[row.id], set()).add(row.id)
        if row.parent_id is not None and row.parent_id in names:
            regions.setdefault(names[row.parent_id], set()).add(row.id)
    tests = tuple((row.id, _words(row.name)) for row in connection.execute(sa.select(SkillTest.id, SkillTest.name)))
    found = Vocabulary(
        {k: frozenset(v) for k, v in categories.items()},
        {k: frozenset(v) for k, v in subcategories.items()},
        {k: frozenset(v) for k, v in regions.items()},
        tests,
    )
    if len(_VOCABULARIES) > 64:  # many test databases in one process: keep it bounded
        _VOCABULARIES.clear()
    _VOCABULARIES[url] = found
    return found


_VOCABULARIES: dict[str, Vocabulary] = {}


# --------------------------------------------------------------------------
# Values


def _error(message: str, pos: int) -> QuerySyntaxError:
    return QuerySyntaxError(f"{message} at position {pos}", pos)


def _number(field: str, text: str, pos: int) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise _error(f"{field} takes a number, got {text!r}", pos) from None
    if not value.is_finite() or abs(value) >= Decimal("1e12"):
        raise _error(f"{field} takes a number, got {text!r}", pos)
    return value


def _unit(value: Decimal) -> Decimal:
    """One unit of ``value``'s last digit: 1 for ``4``, 0.1 for ``4.5``."""
    exponent = value.as_tuple().exponent
    return Decimal(1).scaleb(min(int(exponent), 0)) if isinstance(exponent, int) else Decimal(1)


def _day(field: str, text: str, pos: int) -> dt.date:
    """A day as ISO 8601 (``2013-01-04``, ``2013-01-04T00:00:00.000Z``: its date) or ``mm-dd-yyyy``."""
    head = text.strip()[:10]
    for layout in ("%Y-%m-%d", "%m-%d-%Y"):
        try:
            return dt.datetime.strptime(head, layout).date()
        except ValueError:
            continue
    raise _error(f"{field} takes a day like 2013-01-04 (ISO 8601) or 01-04-2013, got {text!r}", pos)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


# What each value kind does with a single value and with a range.
Single = Callable[[str, str, int], Condition]
Ranged = Callable[[str, syntax.Range], Condition]


def _decimal_field(name: str) -> tuple[Single, Ranged]:
    def single(field: str, text: str, pos: int) -> Condition:
        value = _number(field, text, pos)
        return Between(name, value, value + _unit(value), include_high=False)

    def ranged(field: str, node: syntax.Range) -> Condition:
        low = _number(field, node.low, node.low_pos) if node.low is not None else None
        high = _number(field, node.high, node.high_pos) if node.high is not None else None
        return Between(name, low, high, node.include_low, node.include_high)

    return single, ranged


def _count_field(name: str, lowest: int = 0, highest: int | None = None) -> tuple[Single, Ranged]:
    def whole(field: str, text: str, pos: int) -> Decimal:
        value = _number(field, text, pos)
        if value != value.to_integral_value() or value < lowest or (highest is not None and value > highest):
            span = f"from {lowest} to {highest}" if highest is not None else f"of {lowest} or more"
            raise _error(f"{field} takes a whole number {span}, got {text!r}", pos)
        return value.to_integral_value()

    def single(field: str, text: str, pos: int) -> Condition:
        value = whole(field, text, pos)
        return Between(name, value, value)

    def ranged(field: str, node: syntax.Range) -> Condition:
        low = whole(field, node.low, node.low_pos) if node.low is not None else None
        high = whole(field, node.high, node.high_pos) if node.high is not None else None
        return Between(name, low, high, node.include_low, node.include_high)

    return single, ranged


def _day_field(name: str) -> tuple[Single, Ranged]:
    def single(field: str, text: str, pos: int) -> Condition:
        day = _day(field, text, pos)
        return Between(name, day, day)

    def ranged(field: str, node: syntax.Range) -> Condition:
        low = _day(field, node.low, node.low_pos) if node.low is not None else None
        high = _day(field, node.high, node.high_pos) if node.high is not None else None
        return Between(name, low, high, node.include_low, node.include_high)

    return single, ranged


def _no_range(field: str, node: syntax.Range) -> Condition:
    raise _error(f"{field} takes words, not a range", node.pos)


def _choice(name: str, meanings: Mapping[str, Iterable[object]]) -> Single:
    """A documented word (any case; ``-``, ``_`` and spaces alike) -> ``OneOf`` of what it means."""

    def single(field: str, text: str, pos: int) -> Condition:
        found = meanings.get(normal_name(text))
        if found is None:
            allowed = ", ".join(sorted(meanings))
            raise _error(f"{field} takes one of {allowed}, got {text!r}", pos)
        values = frozenset(found)
        return OneOf(name, values) if values else Nothing(f"{field} {text}: kept by no document here")

    return single


def _nothing(why: str) -> Single:
    def single(field: str, text: str, pos: int) -> Condition:
        return Nothing(why)

    return single


# A job's duration (hours) by the documented durations, at 40 hours a week.
DURATION_HOURS: dict[str, tuple[int | None, int | None]] = {
    "week": (None, 40),
    "month": (40, 160),
    "quarter": (160, 520),
    "semester": (520, 1040),
    "ongoing": (1040, None),
}


def _duration(field: str, text: str, pos: int) -> Condition:
    bounds = DURATION_HOURS.get(normal_name(text))
    if bounds is None:
        raise _error(f"{field} takes one of {', '.join(DURATION_HOURS)}, got {text!r}", pos)
    low, high = bounds
    return Between(
        "duration",
        Decimal(low) if low is not None else None,
        Decimal(high) if high is not None else None,
        include_low=False,
    )


def _posted_since(today: dt.date) -> tuple[Single, Ranged]:
    """``posted_since:N``: posted in the last N days (today is day 0); a range of days ago."""

    def days(field: str, text: str, pos: int) -> int:
        value = _number(field, text, pos)
        if value != value.to_integral_value() or not 0 <= value <= 100_000:
            raise _error(f"{field} takes a whole number of days, got {text!r}", pos)
        return int(value)

    def single(field: str, text: str, pos: int) -> Condition:
        return Between("created", _midnight(today - dt.timedelta(days=days(field, text, pos))), None)

    def ranged(field: str, node: syntax.Range) -> Condition:
        newest = days(field, node.low, node.low_pos) if node.low is not None else None
        oldest = days(field, node.high, node.high_pos) if node.high is not None else None
        return Between(
            "created",
            _midnight(today - dt.timedelta(days=oldest)) if oldest is not None else None,
            _midnight(today - dt.timedelta(days=newest - 1)) if newest is not None else None,
            include_high=False,
        )

    return single, ranged


def _client_feedback(field: str, text: str, pos: int) -> Condition:
    if text.strip().lower() in ("none", "null"):  # "jobs from clients without rating"
        return Unknown("client_feedback")
    return _decimal_field("client_feedback")[0](field, text, pos)


# --------------------------------------------------------------------------
# The fields


@dataclass(frozen=True)
class FieldSpec:
    """How one field of ``q`` (and the v2 key of the same name) reads a value and a range."""

    single: Single
    ranged: Ranged = _no_range
    text: frozenset[str] | None = None  # a text field: the document's text fields it searches


def _text_field(*fields: str) -> FieldSpec:
    return FieldSpec(single=_nothing(""), text=frozenset(fields))


def _reference(name: str, table: Callable[[], Mapping[str, frozenset[int]]], what: str) -> Single:
    def single(field: str, text: str, pos: int) -> Condition:
        ids = table().get(normal_name(text))
        if not ids:
            raise _error(f"No {what} {text!r} (see the metadata API)", pos)
        return OneOf(name, frozenset(ids))

    return single


_TRUE = ("1", "true", "yes")
_FALSE = ("0", "false", "no")
# The skill test that makes a provider "oDesk ready" (is_odesk_ready, v1's rdy).
READINESS_TEST = "odesk readiness test"


def ready(vocabulary: Vocabulary, wanted: bool = True) -> Condition:
    """Providers who took the oDesk Readiness Test (``wanted``) or who did not."""
    ids = vocabulary.tests_named(READINESS_TEST)
    taken: Condition = OneOf("test", ids) if ids else Nothing("no readiness test in the reference data")
    return taken if wanted else Not(taken)


def _ready(vocabulary: Vocabulary) -> Single:
    def single(field: str, text: str, pos: int) -> Condition:
        word = text.strip().lower()
        if word not in _TRUE + _FALSE:
            raise _error(f"{field} takes 1 or 0, got {text!r}", pos)
        return ready(vocabulary, word in _TRUE)

    return single


_NO_GROUPS = "groups: this server keeps no groups"


def job_fields(vocabulary: Vocabulary, today: dt.date) -> dict[str, FieldSpec]:
    """The fields of a job search (the documented v2 keys)."""
    no_tests = _nothing("tests: a job records no tests")
    return {
        "title": _text_field("title"),
        "skills": _text_field("skills"),
        "groups": FieldSpec(_nothing(_NO_GROUPS)),
        "tests": FieldSpec(no_tests),
        "tests_top_10": FieldSpec(no_tests),
        "tests_top_30": FieldSpec(no_tests),
        "category": FieldSpec(_reference("category", lambda: vocabulary.categories, "category")),
        "subcategory": FieldSpec(_reference("subcategory", lambda: vocabulary.subcategories, "subcategory")),
        "job_type": FieldSpec(
            _choice("job_type", {"hourly": ["hourly"], "fixed": ["fixed-price"], "fixed_price": ["fixed-price"]})
        ),
        "duration": FieldSpec(_duration),
        "workload": FieldSpec(_choice("workload", {"as_needed": [], "part_time": [], "full_time": []})),
        "client_feedback": FieldSpec(_client_feedback, _decimal_field("client_feedback")[1]),
        "client_hires": FieldSpec(*_count_field("client_hires")),
        "budget": FieldSpec(*_decimal_field("budget")),
        "job_status": FieldSpec(
            _choice(
                "job_status",
                {
                    "open": ["open"],
                    "completed": ["filled"],
                    "filled": ["filled"],
                    "cancelled": ["cancelled"],
                    "canceled": ["cancelled"],
                },
            )
        ),
        "posted_since": FieldSpec(*_posted_since(today)),
    }


def provider_fields(vocabulary: Vocabulary) -> dict[str, FieldSpec]:
    """The fields of a provider search (the documented v2 keys)."""

    def tests(name: str) -> Single:
        def single(field: str, text: str, pos: int) -> Condition:
            ids = vocabulary.tests_named(text)
            return OneOf(name, ids) if ids else Nothing(f"{field}: no test is named {text!r}")

        return single

    return {
        "title": _text_field("title"),
        "skills": _text_field("skills"),
        "groups": FieldSpec(_nothing(_NO_GROUPS)),
        "tests": FieldSpec(tests("test")),
        "tests_top_10": FieldSpec(tests("test_top_10")),
        "tests_top_30": FieldSpec(tests("test_top_30")),
        "category": FieldSpec(_reference("category", lambda: vocabulary.categories, "category")),
        "subcategory": FieldSpec(_reference("subcategory", lambda: vocabulary.subcategories, "subcategory")),
        "region": FieldSpec(_reference("region", lambda: vocabulary.regions, "region")),
        "feedback": FieldSpec(*_decimal_field("feedback")),
        "rate": FieldSpec(*_decimal_field("rate")),
        "hours": FieldSpec(*_decimal_field("hours")),
        "recent_hours": FieldSpec(*_decimal_field("recent_hours")),
        "last_activity": FieldSpec(*_day_field("last_activity")),
        "english_skill": FieldSpec(*_count_field("english_skill", 0, 5)),
        "is_odesk_ready": FieldSpec(_ready(vocabulary)),
        "profile_type": FieldSpec(_choice("profile_type", {"independent": ["independent"], "agency": ["agency"]})),
    }


@functools.lru_cache(maxsize=8)
def field_names(kind: Kind) -> tuple[str, ...]:
    """The field names ``q`` takes for ``kind`` (also the v2 keys that filter), in documentation order."""
    empty = Vocabulary({}, {}, {}, ())
    fields = job_fields(empty, dt.date(2000, 1, 1)) if kind is Kind.JOBS else provider_fields(empty)
    return tuple(fields)


def fields_for(kind: Kind, vocabulary: Vocabulary, today: dt.date) -> dict[str, FieldSpec]:
    return job_fields(vocabulary, today) if kind is Kind.JOBS else provider_fields(vocabulary)


# --------------------------------------------------------------------------
# Binding a tree


def _has_text(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def bind(node: syntax.Node, kind: Kind, fields: Mapping[str, FieldSpec]) -> Condition:
    """The condition ``node`` stands for among ``fields``; ``QuerySyntaxError`` naming the position otherwise."""
    if isinstance(node, syntax.And):
        found = all_of(*(bind(operand, kind, fields) for operand in node.operands))
        assert found is not None
        return found
    if isinstance(node, syntax.Or):
        return any_of([bind(operand, kind, fields) for operand in node.operands])
    if isinstance(node, syntax.Not):
        return Not(bind(node.operand, kind, fields))
    name = node.field
    if name is None:
        assert isinstance(node, syntax.Term)
        if not _has_text(node.text):
            raise _error(f"{node.text!r} has no letter or digit to search for", node.pos)
        return Text(node.text, phrase=node.phrase)
    spec = fields.get(name)
    if spec is None:
        raise _error(f"Unknown field {name!r} for {kind.value} (the fields: {', '.join(fields)})", node.pos)
    if isinstance(node, syntax.Range):
        return spec.ranged(name, node)
    if spec.text is not None:
        if not _has_text(node.text):
            raise _error(f"{node.text!r} has no letter or digit to search for", node.pos)
        return Text(node.text, spec.text, node.phrase)
    return spec.single(name, node.text, node.pos)


_ITEM = re.compile(r'\s*("(?:[^"\\]|\\.)*"|[^,]*)\s*(?:,|$)')


def key_node(key: str, value: str) -> syntax.Node | None:
    """The tree of a v2 key given on its own (None when blank): ``key=a,b`` reads as ``key:a OR key:b``.

    A value starting with ``[`` or ``{`` is a range (``rate=[20 TO 40]``);
    otherwise a comma list of values, each a quoted phrase or plain text
    (``title=web design``: both words). ``QuerySyntaxError`` positions count
    from the value's first character.
    """
    text = value.strip()
    if not text:
        return None
    if text[0] in "[{":
        prefix = f"{key}:"
        lead = len(value) - len(value.lstrip())
        try:
            node = syntax.parse(prefix + text)
        except QuerySyntaxError as error:
            pos = max(0, min(error.position - len(prefix) + lead, len(value)))
            raise QuerySyntaxError(re.sub(r"at position \d+", f"at position {pos}", error.message), pos) from None
        if not isinstance(node, syntax.Range):
            raise _error(f"{key} takes one range like [20 TO 40]", lead)
        shift = len(prefix) - lead
        return dataclasses.replace(
            node, field=key, pos=lead, low_pos=node.low_pos - shift, high_pos=node.high_pos - shift
        )
    items: list[syntax.Node] = []
    for match in _ITEM.finditer(value):
        item = match.group(1)
        if match.start() == len(value):
            break
        pos = match.start(1)
        if len(item) >= 2 and item[0] == item[-1] == '"':
            items.append(syntax.Term(re.sub(r"\\(.)", r"\1", item[1:-1]), key, phrase=True, pos=pos))
        elif item:
            items.append(syntax.Term(item, key, pos=pos))
        if len(items) > syntax.MAX_CLAUSES:
            raise _error(f"{key} holds more than {syntax.MAX_CLAUSES} values", pos)
    if not items:
        return None
    return items[0] if len(items) == 1 else syntax.Or(tuple(items), pos=items[0].pos)
