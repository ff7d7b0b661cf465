"""Metadata through the real client against the real server, on SQLite and PostgreSQL.

python-odesk's ``client.provider`` (categories, skills, regions, tests,
reasons of every documented type) and ``client.provider_v2`` (categories),
python-upwork's ``metadata/skills`` v2 and ``metadata/specialties`` as signed
raw calls, the documented errors, and the XML form.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import httpx
import pytest

from odesk.exceptions import HTTP400BadRequestError, HTTP401UnauthorizedError
from odesk.routers.hr import HR
from tests.e2e.e2e_support import Server

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


def test_v1_categories_with_their_subcategories(server: Server) -> None:
    categories = server.client("provider").provider.get_categories_metadata()
    assert [c["title"] for c in categories][:3] == [
        "Web Development",
        "Software Development",
        "Networking & Information Systems",
    ]
    assert len(categories) == 9
    web = categories[0]
    assert (web["id"], web["topics"][0]) == ("1", {"id": "101", "title": "Web Design"})
    assert "Web Programming" in [t["title"] for t in web["topics"]]
    for category in categories:
        assert set(category) == {"id", "title", "topics"}
        assert category["topics"], category["title"]
        assert all(int(t["id"]) // 100 == int(category["id"]) for t in category["topics"])


def test_v2_categories_with_their_topics(server: Server) -> None:
    categories = server.client("member").provider_v2.get_categories_metadata()
    titles = [c["title"] for c in categories]
    assert titles[0] == "Web, Mobile & Software Dev"
    assert {"IT & Networking", "Writing", "Translation", "Accounting & Consulting"} <= set(titles)
    software = categories[0]
    assert software["id"] == "11"
    assert {"id": "1109", "title": "Web & Mobile Programming"} in software["topics"]
    # the v2 list is not the v1 list
    v1 = server.client("member").provider.get_categories_metadata()
    assert {c["id"] for c in categories}.isdisjoint({c["id"] for c in v1})


def test_v1_skills_are_names_in_order(server: Server) -> None:
    skills = server.client("owner").provider.get_skills_metadata()
    assert len(skills) >= 300
    assert all(isinstance(name, str) for name in skills)
    assert skills == sorted(skills)
    assert len(set(skills)) == len(skills)
    assert {"python", "django", "ruby-on-rails", "adobe-photoshop", "data-entry", "copywriting"} <= set(skills)


def test_regions_and_their_countries(server: Server) -> None:
    regions = server.client("provider").provider.get_regions_metadata()
    by_title = {r["title"]: r for r in regions}
    assert by_title["Latin America"] == {"id": "5", "title": "Latin America", "parent_id": "", "parent": ""}
    assert (by_title["Brazil"]["parent"], by_title["Brazil"]["parent_id"]) == ("Latin America", "5")
    assert by_title["India"]["parent"] == "South Asia"
    # each world region comes first, then its countries
    current = None
    for region in regions:
        if region["parent"] == "":
            current = region["title"]
        else:
            assert region["parent"] == current, region


def test_skill_tests(server: Server) -> None:
    tests = server.client("provider").provider.get_tests_metadata()
    assert 30 <= len(tests) <= 100
    by_title = {t["title"]: t for t in tests}
    assert by_title["Python Test"]["category"] == "Web, Mobile & Software Dev"
    assert by_title["Python Test"]["category_id"] == "11"
    assert (
        by_title["U.S. English Basic Skills Test"]["category"],
        by_title["U.S. English Basic Skills Test"]["category_id"],
    ) == ("", "")
    assert [int(t["id"]) for t in tests] == sorted(int(t["id"]) for t in tests)


@pytest.mark.parametrize("reason_type", REASON_TYPES)
def test_reasons_of_every_documented_type(server: Server, reason_type: str) -> None:
    reasons = server.client("member").provider.get_reasons_metadata(reason_type)
    assert len(reasons) >= 3
    for reason in reasons:
        assert set(reason) == {"id", "code", "title"}
        assert reason["id"].isdigit() and reason["code"] and reason["title"]
    assert len({r["code"] for r in reasons}) == len(reasons)


def test_reasons_are_the_codes_the_write_routes_take(server: Server) -> None:
    provider = server.client("owner").provider
    closing = provider.get_reasons_metadata("CloseOpening")
    assert [(r["id"], r["code"]) for r in closing] == [
        ("34", "34"),
        ("41", "41"),
        ("49", "49"),
        ("51", "51"),
        ("67", "67"),
    ]
    assert {r["code"]: r["title"] for r in closing}["67"] == "Accidental opening creation"
    ending = provider.get_reasons_metadata("EndProviderContract")
    assert {r["code"] for r in ending} == set(HR.CONTRACT_REASON_OPTIONS)


def test_reasons_without_or_with_an_unknown_type_are_400(server: Server) -> None:
    client = server.client("member")
    with pytest.raises(HTTP400BadRequestError) as unknown:
        client.provider.get_reasons_metadata("EndEverything")
    assert unknown.value.error_code == "bad_request"
    assert "EndEverything" in unknown.value.error_message
    assert "EndProviderContract" in unknown.value.error_message
    with pytest.raises(HTTP400BadRequestError) as missing:
        client.get(f"{server.base_url}/api/profiles/v1/metadata/reasons")
    assert missing.value.error_message == "type is required"
    with pytest.raises(HTTP400BadRequestError) as empty:
        client.provider.get_reasons_metadata("")
    assert empty.value.error_message.startswith("type is required")
    with pytest.raises(HTTP400BadRequestError):
        client.provider.get_reasons_metadata("closeopening")  # the types are case-sensitive, as documented


def test_python_upwork_skills_v2(server: Server) -> None:
    """``GET /api/profiles/v2/metadata/skills`` (python-upwork's ``metadata.get_skills_v2(params)``)."""
    client = server.client("provider")
    url = f"{server.base_url}/api/profiles/v2/metadata/skills"
    everything = client.get(url)["skills"]
    assert [s["name"] for s in everything] == server.client("provider").provider.get_skills_metadata()
    python = next(s for s in everything if s["name"] == "python")
    assert python == {"id": "1001", "name": "python", "category_id": "11", "category": "Web, Mobile & Software Dev"}

    assert {s["name"] for s in client.get(url, {"q": "PYTHON"})["skills"]} == {"python"}
    assert {s["name"] for s in client.get(url, {"q": "script"})["skills"]} >= {"bash-scripting", "typescript"}
    assert client.get(url, {"q": "100%"})["skills"] == []
    writing = client.get(url, {"category": "Writing"})["skills"]
    assert writing and {s["category"] for s in writing} == {"Writing"}
    assert client.get(url, {"category": "14"})["skills"] == writing
    # a topic stands for its category
    assert client.get(url, {"category": "Copywriting"})["skills"] == writing
    both = client.get(url, {"category": "writing", "q": "writing"})["skills"]
    assert both and all("writing" in s["name"] and s["category"] == "Writing" for s in both)
    with pytest.raises(HTTP400BadRequestError) as unknown:
        client.get(url, {"category": "Basket Weaving"})
    assert "Basket Weaving" in unknown.value.error_message


def test_python_upwork_specialties(server: Server) -> None:
    """``GET /api/profiles/v1/metadata/specialties`` (python-upwork's ``metadata.get_specialties()``)."""
    specialties = server.client("owner").get(f"{server.base_url}/api/profiles/v1/metadata/specialties")["specialties"]
    assert len(specialties) >= 50
    full_stack = next(s for s in specialties if s["title"] == "Full-Stack Development")
    assert full_stack == {
        "id": full_stack["id"],
        "title": "Full-Stack Development",
        "topic_id": "1109",
        "topic": "Web & Mobile Programming",
        "category_id": "11",
        "category": "Web, Mobile & Software Dev",
    }
    v2 = server.client("owner").provider_v2.get_categories_metadata()
    topics = {t["id"]: (t["title"], c["id"]) for c in v2 for t in c["topics"]}
    for specialty in specialties:
        assert topics[specialty["topic_id"]] == (specialty["topic"], specialty["category_id"])
    assert {s["category_id"] for s in specialties} == {c["id"] for c in v2}  # every v2 category has some


def test_xml(server: Server) -> None:
    answer = server.signed_get("member", "/api/profiles/v1/metadata/reasons.xml", {"type": "CloseOpening"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(answer.content)
    reasons = root.find("reasons")
    assert reasons is not None and reasons.get("list") == "true"
    assert [r.findtext("code") for r in reasons.findall("reason")] == ["34", "41", "49", "51", "67"]

    categories = ET.fromstring(server.signed_get("member", "/api/profiles/v2/metadata/categories.xml").content)
    first = categories.find("categories/category")
    assert first is not None and first.findtext("title") == "Web, Mobile & Software Dev"
    assert [t.findtext("id") for t in first.findall("topics/topic")][:2] == ["1101", "1102"]

    skills = ET.fromstring(server.signed_get("member", "/api/profiles/v1/metadata/skills.xml").content)
    assert "python" in [s.text for s in skills.findall("skills/skill")]

    bad = server.signed_get("member", "/api/profiles/v1/metadata/reasons.xml", {"type": "Nope"})
    assert bad.status_code == 400


def test_a_signature_is_needed(server: Server) -> None:
    assert httpx.get(f"{server.base_url}/api/profiles/v1/metadata/skills.json", timeout=30).status_code == 401
    with pytest.raises(HTTP401UnauthorizedError):
        server.client().provider.get_categories_metadata()
