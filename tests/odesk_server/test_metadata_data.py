"""The reference data migration 0007 writes: consistent on both databases, and what the write routes accept."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from odesk_server import db
from odesk_server.domain.jobs import CancelReason
from odesk_server.models import END_REASONS

REASON_TYPES = (
    "EmployerEndsNoStartContract",
    "CloseOpening",
    "RejectCandidate",
    "RejectInterviewInvite",
    "CancelCandidacy",
    "EndProviderContract",
    "EndCustomerContract",
    "EndAssignment",
)
TABLES = ("job_categories", "skills", "regions", "skill_tests", "reasons", "specialties")


@pytest.fixture(scope="module", params=("sqlite", "postgresql"))
def rows(request: pytest.FixtureRequest, database_factory: Any) -> Iterator[dict[str, list[dict[str, Any]]]]:
    """Every row of the reference tables of a freshly migrated database, by table."""
    url = database_factory.new_url(request.param)
    db.migrate(url)
    engine = db.create_engine(url)
    try:
        with engine.connect() as conn:
            yield {
                table: [dict(row._mapping) for row in conn.execute(sa.text(f"SELECT * FROM {table} ORDER BY id"))]
                for table in TABLES
            }
    finally:
        engine.dispose()


def _categories(rows: dict[str, list[dict[str, Any]]], *, version: int, top: bool) -> set[int]:
    return {c["id"] for c in rows["job_categories"] if c["version"] == version and (c["parent_id"] is None) == top}


def test_skills_are_a_few_hundred_unique_slugs_of_version_2_categories(rows) -> None:
    skills = rows["skills"]
    assert 300 <= len(skills) <= 1000
    names = [s["name"] for s in skills]
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"[a-z0-9.+#-]+", name) for name in names), names
    categories = _categories(rows, version=2, top=True)
    assert {s["category_id"] for s in skills} == categories  # every v2 category has skills, no other
    assert {"python", "django", "mysql", "adobe-photoshop", "data-entry", "seo-writing"} <= set(names)
    # the ids say the category: 1000 * (category - 10) + position
    assert all(s["id"] // 1000 == s["category_id"] - 10 for s in skills)


def test_regions_are_world_regions_and_their_countries(rows) -> None:
    regions = rows["regions"]
    names = [r["name"] for r in regions]
    assert len(set(names)) == len(names)
    by_id = {r["id"]: r for r in regions}
    tops = [r for r in regions if r["parent_id"] is None]
    assert {"Africa", "Latin America", "North America", "Western Europe", "South Asia"} <= {r["name"] for r in tops}
    for region in regions:
        if region["parent_id"] is not None:
            assert by_id[region["parent_id"]]["parent_id"] is None  # two levels: a region and its countries
    children = Counter(r["parent_id"] for r in regions if r["parent_id"] is not None)
    assert all(children[r["id"]] >= 3 for r in tops)
    assert {"United States", "India", "Ukraine", "Brazil", "Philippines"} <= set(names)


def test_skill_tests_are_a_few_dozen_of_version_2_categories_or_general(rows) -> None:
    tests = rows["skill_tests"]
    assert 30 <= len(tests) <= 100
    names = [t["name"] for t in tests]
    assert len(set(names)) == len(names)
    categories = _categories(rows, version=2, top=True)
    assert {t["category_id"] for t in tests} == categories | {None}


def test_every_documented_reason_type_has_reasons_with_unique_codes_and_titles(rows) -> None:
    reasons = rows["reasons"]
    assert {r["reason_type"] for r in reasons} == set(REASON_TYPES)
    for reason_type in REASON_TYPES:
        mine = [r for r in reasons if r["reason_type"] == reason_type]
        assert len(mine) >= 3, reason_type
        assert len({r["code"] for r in mine}) == len(mine), reason_type
        assert len({r["title"] for r in mine}) == len(mine), reason_type
        assert all(r["code"] and r["title"] for r in mine)


def test_close_opening_reasons_are_delete_jobs_documented_codes(rows) -> None:
    closing = [r for r in rows["reasons"] if r["reason_type"] == "CloseOpening"]
    assert {r["code"] for r in closing} == {str(int(code)) for code in CancelReason}
    assert all(r["id"] == int(r["code"]) for r in closing)  # the documented number is the id too


def test_end_provider_contract_reasons_are_end_contracts_documented_codes(rows) -> None:
    ending = {r["code"] for r in rows["reasons"] if r["reason_type"] == "EndProviderContract"}
    assert ending == END_REASONS


def test_specialties_belong_to_version_2_subcategories(rows) -> None:
    specialties = rows["specialties"]
    subcategories = _categories(rows, version=2, top=False)
    assert {s["category_id"] for s in specialties} <= subcategories
    parents = {c["id"]: c["parent_id"] for c in rows["job_categories"]}
    assert {parents[s["category_id"]] for s in specialties} == _categories(rows, version=2, top=True)
    pairs = [(s["category_id"], s["title"]) for s in specialties]
    assert len(set(pairs)) == len(pairs)
    assert all(s["id"] // 10 == s["category_id"] for s in specialties)
