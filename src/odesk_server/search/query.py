"""A search as every engine receives it: typed conditions on named fields, a sort, a page, a viewer.

The API layer reads the v1 and v2 parameters (``q`` through
``search.syntax``, the other keys directly) and ``search.fields`` binds them
to the fields of jobs or providers: what arrives here is checked and typed
(amounts as ``Decimal``, days as ``date``, categories and regions as the
ids of the reference tables). An engine (``search.engine.SearchEngine``)
decides only how to find the documents.

Conditions:

- ``Text``: words or a phrase in some text fields of the document (none
  named: all of them); ranked by relevance when the search ranks;
- ``OneOf``: a field holds one of ``values``;
- ``Between``: a field's value lies between ``low`` and ``high`` (``None``
  is an open end);
- ``Unknown``: the field has no value (a client without any rating);
- ``Nothing``: no document matches (a field this server keeps no data for);
- ``AllOf``, ``AnyOf``, ``Not``: the boolean structure.

The field names are those of ``JOB_FIELDS`` and ``PROVIDER_FIELDS``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class Kind(StrEnum):
    """What is searched."""

    JOBS = "jobs"
    PROVIDERS = "providers"


# The text fields of a job's document, and what a condition on each other field means.
JOB_TEXT_FIELDS = frozenset({"title", "skills", "description"})
JOB_FIELDS = {
    "category": "OneOf: ids of top-level job categories (either version) of the job's subcategory",
    "subcategory": "OneOf: ids of subcategories (either version): the job's subcategory or subcategory2",
    "job_type": "OneOf: 'hourly', 'fixed-price'",
    "duration": "Between: the job's duration in hours",
    "client_feedback": "Between / Unknown: the mean feedback the buyer company got from its providers",
    "client_hires": "Between: the buyer company's contracts",
    "budget": "Between: the job's budget",
    "job_status": "OneOf: 'open', 'filled', 'cancelled', or 'in_progress' / 'completed' (filled, a contract on it "
    "still running / none)",
    "created": "Between: when the job was posted (aware datetimes)",
}
# The text fields of a provider's document, and what a condition on each other field means.
PROVIDER_TEXT_FIELDS = frozenset({"name", "title", "skills", "tests", "overview", "portfolio"})
PROVIDER_FIELDS = {
    "category": "OneOf: ids of top-level categories of the provider's skills or portfolio items",
    "subcategory": "OneOf: ids of subcategories of the provider's portfolio items",
    "region": "OneOf: ids of regions (a region's countries included)",
    "test": "OneOf: ids of skill tests the provider took (results he shows)",
    "test_top_10": "OneOf: ids of skill tests he took and scored in the top 10 percent of",
    "test_top_30": "OneOf: ids of skill tests he took and scored in the top 30 percent of",
    "feedback": "Between: the mean of his contracts' feedback (each the mean of its six scores)",
    "rate": "Between: the profile's hourly rate",
    "hours": "Between: hours worked, all time",
    "recent_hours": "Between: hours worked in the last RECENT_DAYS days",
    "last_activity": "Between: the last day he worked (dates)",
    "english_skill": "Between: English skill, 0 to 5",
    "is_odesk_ready": "OneOf: True (took the oDesk Readiness Test) or False",
    "profile_type": "OneOf: 'independent', 'agency' (member of an agency)",
    "portfolio_items": "Between: how many portfolio items",
    "agency": "OneOf: ids of agency companies he belongs to",
}
# Hours worked in the last this many days are "recent" (recent_hours, v1's ir).
RECENT_DAYS = 180


@dataclass(frozen=True, slots=True)
class Text:
    """Words (all of them) or a phrase (``phrase``: in that order, together) in ``fields`` (empty: any text)."""

    text: str
    fields: frozenset[str] = frozenset()
    phrase: bool = False


@dataclass(frozen=True, slots=True)
class OneOf:
    field: str
    values: frozenset[object]


@dataclass(frozen=True, slots=True)
class Between:
    field: str
    low: Decimal | dt.date | dt.datetime | None = None
    high: Decimal | dt.date | dt.datetime | None = None
    include_low: bool = True
    include_high: bool = True


@dataclass(frozen=True, slots=True)
class Unknown:
    field: str


@dataclass(frozen=True, slots=True)
class Nothing:
    """Matches no document (``why`` says which field the server keeps no data for)."""

    why: str = ""


@dataclass(frozen=True, slots=True)
class AllOf:
    operands: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    operands: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Not:
    operand: Condition


Condition = Text | OneOf | Between | Unknown | Nothing | AllOf | AnyOf | Not


def fields_in(condition: Condition | None) -> set[str]:
    """The names of the non-text fields ``condition`` tests."""
    if condition is None:
        return set()
    if isinstance(condition, (OneOf, Between, Unknown)):
        return {condition.field}
    if isinstance(condition, Not):
        return fields_in(condition.operand)
    if isinstance(condition, (AllOf, AnyOf)):
        return set().union(*(fields_in(operand) for operand in condition.operands))
    return set()


def all_of(*conditions: Condition | None) -> Condition | None:
    """The conditions that are given, all required (None when none is given)."""
    found: list[Condition] = []
    for condition in conditions:
        if condition is None:
            continue
        found.extend(condition.operands if isinstance(condition, AllOf) else (condition,))
    if not found:
        return None
    return found[0] if len(found) == 1 else AllOf(tuple(found))


def any_of(conditions: list[Condition]) -> Condition:
    """At least one of ``conditions`` (which must not be empty)."""
    return conditions[0] if len(conditions) == 1 else AnyOf(tuple(conditions))


class SortField(StrEnum):
    """What results may be sorted on."""

    SCORE = "score"  # relevance to the words searched
    CREATED = "created"  # a job's posting time, a provider's profile creation
    CLIENT_RATING = "client_rating"  # jobs: the buyer company's feedback
    CLIENT_TOTAL_CHARGE = "client_total_charge"  # jobs: what the buyer company was charged
    CLIENT_TOTAL_HOURS = "client_total_hours"  # jobs: the hours worked for the buyer company
    DURATION = "duration"  # jobs: duration in hours
    BUDGET = "budget"  # jobs
    TITLE = "title"
    FEEDBACK = "feedback"  # providers
    HOURS = "hours"  # providers
    RATE = "rate"  # providers


@dataclass(frozen=True, slots=True)
class SortKey:
    field: SortField
    descending: bool = True


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who searches: ``private_team_ids`` are the buyer teams whose private jobs he may see."""

    user_id: int
    private_team_ids: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """One search: of ``kind``, ``condition`` (None: everything the viewer may see), sorted, one page."""

    kind: Kind
    viewer: Viewer
    condition: Condition | None = None
    sort: tuple[SortKey, ...] = ()
    offset: int = 0
    count: int = 20
    today: dt.date = field(default_factory=lambda: dt.datetime.now(dt.UTC).date())


@dataclass(frozen=True, slots=True)
class SearchPage:
    """The page found: the public keys in order (job keys or profile keys) and how many match in all."""

    total: int
    keys: tuple[str, ...]
