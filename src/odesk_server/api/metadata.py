"""Metadata: ``/api/profiles/v1/metadata/...`` and ``/api/profiles/v2/metadata/...``.

The server side of ``client.provider``'s ``get_categories_metadata``,
``get_skills_metadata``, ``get_regions_metadata``, ``get_tests_metadata``
and ``get_reasons_metadata(reason_type)``, of
``client.provider_v2.get_categories_metadata``, and of python-upwork's
``metadata.get_skills_v2`` (``/api/profiles/v2/metadata/skills``) and
``metadata.get_specialties`` (``/api/profiles/v1/metadata/specialties``).

The lists are reference data written by the migrations (the categories by
0004, the rest by 0007; ``odesk_server.queries.metadata`` reads them) and
are the same for everyone: any signed caller reads every list, nothing in
them belongs to anyone. The write routes that take a reason
(``delete_job``'s ``reason_code``, ``end_contract``'s ``reason``) accept
exactly the codes of the ``CloseOpening`` and ``EndProviderContract``
reasons listed here.

Every id is text, as oDesk wrote numbers. The shapes (docs/metadata.md):

- categories (v1 and v2): ``{id, title, topics: [{id, title}]}``, a
  category and its subcategories ("topics");
- skills (v1): the skill names, ``["3d-animation", ...]``, by name;
- skills (v2): ``{id, name, category_id, category}``, by name;
- regions: ``{id, title, parent_id, parent}``, each world region (empty
  parent) followed by its countries;
- tests: ``{id, title, category_id, category}`` (empty category: a general test);
- reasons: ``{id, code, title}``; ``code`` is what a write route takes;
- specialties: ``{id, title, topic_id, topic, category_id, category}``
  (the v2 subcategory and category it belongs to).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import BeforeValidator, Field
from typing_extensions import TypedDict

from odesk_server.api.endpoint import SIGNED_IN, Api, Call, NoParams, Params
from odesk_server.api.params import OptionalText
from odesk_server.problems import Invalid
from odesk_server.queries import metadata as queries
from odesk_server.queries.metadata import ReasonType

api = Api("metadata", "Metadata: categories, skills, regions, tests, reasons, specialties (profiles v1 and v2)")

V1 = "/api/profiles/v1/metadata"
V2 = "/api/profiles/v2/metadata"


# --------------------------------------------------------------------------
# Shapes


class TopicObject(TypedDict):
    id: str
    title: str


class CategoryObject(TypedDict):
    id: str
    title: str
    topics: list[TopicObject]


class CategoriesReply(TypedDict):
    categories: list[CategoryObject]


class SkillNamesReply(TypedDict):
    skills: list[str]


class SkillObject(TypedDict):
    id: str
    name: str
    category_id: str
    category: str


class SkillsReply(TypedDict):
    skills: list[SkillObject]


class RegionObject(TypedDict):
    id: str
    title: str
    parent_id: str
    parent: str


class RegionsReply(TypedDict):
    regions: list[RegionObject]


class TestObject(TypedDict):
    id: str
    title: str
    category_id: str
    category: str


class TestsReply(TypedDict):
    tests: list[TestObject]


class ReasonObject(TypedDict):
    id: str
    code: str
    title: str


class ReasonsReply(TypedDict):
    reasons: list[ReasonObject]


class SpecialtyObject(TypedDict):
    id: str
    title: str
    topic_id: str
    topic: str
    category_id: str
    category: str


class SpecialtiesReply(TypedDict):
    specialties: list[SpecialtyObject]


def _text(value: object) -> str:
    return "" if value is None else str(value)


def category_payloads(rows: Sequence[Any]) -> list[CategoryObject]:
    """Categories with their topics from ``(id, parent_id, title)`` rows ordered by id (parents first)."""
    found: dict[int, CategoryObject] = {}
    for row in rows:
        if row.parent_id is None:
            found[row.id] = {"id": str(row.id), "title": row.title, "topics": []}
        else:
            found[row.parent_id]["topics"].append({"id": str(row.id), "title": row.title})
    return list(found.values())


# --------------------------------------------------------------------------
# Parameters


def _reason_type(value: object) -> object:
    text = str(value).strip() if value is not None else ""
    if not text:
        raise ValueError("is required: one of " + ", ".join(ReasonType))
    try:
        return ReasonType(text)
    except ValueError:
        raise ValueError(f"must be one of {', '.join(ReasonType)}, got {value!r}") from None


class ReasonsParams(Params):
    type: Annotated[
        ReasonType, BeforeValidator(_reason_type), Field(json_schema_extra={"examples": ["EndProviderContract"]})
    ]


class SkillsV2Params(Params):
    q: OptionalText = None
    category: OptionalText = None


# --------------------------------------------------------------------------
# Endpoints


@api.get(f"{V1}/categories", access=SIGNED_IN, params=NoParams, returns=CategoriesReply)
def get_categories_metadata(call: Call[NoParams]) -> CategoriesReply:
    """The version-1 job categories (``post_job``'s ``category``), each with its subcategories as ``topics``."""
    return {"categories": category_payloads(queries.categories(call.db, 1))}


@api.get(f"{V2}/categories", access=SIGNED_IN, params=NoParams, returns=CategoriesReply)
def get_categories_metadata_v2(call: Call[NoParams]) -> CategoriesReply:
    """The version-2 job categories (``post_job``'s ``subcategory2`` is one of their ``topics``)."""
    return {"categories": category_payloads(queries.categories(call.db, 2))}


@api.get(f"{V1}/skills", access=SIGNED_IN, params=NoParams, returns=SkillNamesReply)
def get_skills_metadata(call: Call[NoParams]) -> SkillNamesReply:
    """The names of every skill a profile lists or a job asks for, by name."""
    return {"skills": [row.name for row in queries.skills(call.db)]}


def _skill_categories(call: Call[SkillsV2Params], key: str) -> list[int]:
    """The version-2 category ``key`` names (an id or a title, of a category or one of its topics)."""
    wanted = key.strip().lower()
    for row in queries.categories(call.db, 2):
        if wanted in (str(row.id), row.title.lower()):
            return [row.parent_id if row.parent_id is not None else row.id]
    raise Invalid(f"category must be the id or title of a version-2 category or topic, got {key!r}")


@api.get(
    f"{V2}/skills",
    access=SIGNED_IN,
    params=SkillsV2Params,
    returns=SkillsReply,
    errors={400: "bad_request: category names no version-2 category or topic"},
)
def get_skills_metadata_v2(call: Call[SkillsV2Params]) -> SkillsReply:
    """Skills with their id and version-2 category (python-upwork's ``get_skills_v2``), by name.

    ``q``: only the skills whose name holds it (any case); ``category``: only
    those of a version-2 category, by id or title (a topic stands for its
    category). Without parameters, every skill.
    """
    p = call.params
    categories = _skill_categories(call, p.category) if p.category else None
    rows = queries.skills(call.db, category_ids=categories, text=p.q)
    return {
        "skills": [
            {
                "id": str(row.id),
                "name": row.name,
                "category_id": _text(row.category_id),
                "category": _text(row.category),
            }
            for row in rows
        ]
    }


@api.get(f"{V1}/regions", access=SIGNED_IN, params=NoParams, returns=RegionsReply)
def get_regions_metadata(call: Call[NoParams]) -> RegionsReply:
    """The regions of the world, each followed by its countries (``parent``: the region; empty for a region)."""
    return {
        "regions": [
            {"id": str(row.id), "title": row.title, "parent_id": _text(row.parent_id), "parent": _text(row.parent)}
            for row in queries.regions(call.db)
        ]
    }


@api.get(f"{V1}/tests", access=SIGNED_IN, params=NoParams, returns=TestsReply)
def get_tests_metadata(call: Call[NoParams]) -> TestsReply:
    """The skill tests providers take, by id, with the version-2 category they test (empty: a general test)."""
    return {
        "tests": [
            {
                "id": str(row.id),
                "title": row.title,
                "category_id": _text(row.category_id),
                "category": _text(row.category),
            }
            for row in queries.skill_tests(call.db)
        ]
    }


@api.get(
    f"{V1}/reasons",
    access=SIGNED_IN,
    params=ReasonsParams,
    returns=ReasonsReply,
    errors={400: "bad_request: type is missing or not one of the documented reason types (the message names it)"},
)
def get_reasons_metadata(call: Call[ReasonsParams]) -> ReasonsReply:
    """The reasons of one ``type`` (EmployerEndsNoStartContract, CloseOpening, RejectCandidate, ...), by id.

    ``code`` is what a write route takes for the reason: ``delete_job``'s
    ``reason_code`` is a ``CloseOpening`` code, ``end_contract``'s
    ``reason`` an ``EndProviderContract`` one.
    """
    return {
        "reasons": [
            {"id": str(row.id), "code": row.code, "title": row.title}
            for row in queries.reasons(call.db, call.params.type)
        ]
    }


@api.get(f"{V1}/specialties", access=SIGNED_IN, params=NoParams, returns=SpecialtiesReply)
def get_specialties_metadata(call: Call[NoParams]) -> SpecialtiesReply:
    """The specialties of the version-2 topics (python-upwork's ``get_specialties``), by id."""
    return {
        "specialties": [
            {
                "id": str(row.id),
                "title": row.title,
                "topic_id": str(row.topic_id),
                "topic": row.topic,
                "category_id": _text(row.category_id),
                "category": _text(row.category),
            }
            for row in queries.specialties(call.db)
        ]
    }


__all__ = ["api", "category_payloads"]
