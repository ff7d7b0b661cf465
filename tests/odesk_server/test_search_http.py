"""Search over HTTP on the demo: the four routes, their answers, their errors, who finds what, the index after writes.

``/api/profiles/v1/search/{providers,jobs}`` and
``/api/profiles/v2/search/{providers,jobs}`` in process (``create_app`` on
the demo, signed as the demo roles): the answers' shapes and paging, the
documented errors as a table (request -> 400 naming the key and the
position), private jobs by role, and jobs posted, changed and cancelled
through ``/api/hr/v2/jobs`` found (or not) at once. Runs on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from hiring_helpers import Hiring, hiring
from oauth_signing import assert_error

from odesk_server.models import User
from odesk_server.models.profiles import ProviderProfile, ProviderSkill
from odesk_server.models.reference import Skill

V1 = "/api/profiles/v1/search"
V2 = "/api/profiles/v2/search"


@pytest.fixture
def reader(demo_database) -> Iterator[Hiring]:
    with hiring(demo_database) as shared:
        yield shared


@pytest.fixture
def writer(mutable_demo_database) -> Iterator[Hiring]:
    with hiring(mutable_demo_database, form_posts=True) as shared:
        yield shared


def _keys(body: dict[str, Any], what: str) -> list[str]:
    found = body[what]
    if isinstance(found, dict):  # v1: {lister, job/provider}
        items = found["job" if what == "jobs" else "provider"]
        return [item["ciphertext"] for item in items]
    return [item if isinstance(item, str) else item["id"] for item in found]


# --------------------------------------------------------------------------
# Answers


def test_the_done_when_query(reader: Hiring) -> None:
    """``provider_v2.search_providers({'q': 'skills:python AND NOT title:manager'})``: python, no manager."""
    body = reader.ok("owner", "GET", f"{V2}/providers.json", {"q": "skills:python AND NOT title:manager"})
    found = body["providers"]
    assert found, "the demo has Python providers"
    for provider in found:
        assert any("python" in skill for skill in provider["skills"]), provider
        assert "manager" not in provider["title"].lower(), provider
    with reader.engine.connect() as conn:
        python_people = set(
            conn.execute(
                sa.select(User.profile_key)
                .join(ProviderProfile, ProviderProfile.user_id == User.id)
                .join(ProviderSkill, ProviderSkill.user_id == User.id)
                .join(Skill, Skill.id == ProviderSkill.skill_id)
                .where(Skill.name == "python", ProviderProfile.is_public.is_(True), User.status == "active")
            ).scalars()
        )
        managers = set(conn.execute(sa.select(User.profile_key).where(User.title.ilike("%manager%"))).scalars())
    assert {p["id"] for p in found} == python_people - managers
    assert body["paging"] == {"offset": "0", "count": "20", "total": str(len(found))}


def test_v2_provider_answer(reader: Hiring) -> None:
    body = reader.ok("provider", "GET", f"{V2}/providers.json", {"q": "python", "paging": "0;2"})
    assert len(body["providers"]) == 2 and int(body["paging"]["total"]) >= 2
    first = body["providers"][0]
    assert set(first) == {
        "id", "name", "title", "description", "country", "city", "region", "rate", "feedback", "feedback_count",
        "hours", "last_activity", "english_skill", "is_odesk_ready", "profile_type", "portfolio_items_count",
        "test_passed_count", "skills", "categories", "url",
    }  # fmt: skip
    assert first["id"].startswith("~~") and first["url"].endswith(first["id"])
    # the same numbers as the provider's own profile
    profile = reader.ok("provider", "GET", f"/api/profiles/v1/providers/{first['id']}/brief.json")["profile"]
    assert (first["hours"], first["feedback"], first["rate"], first["title"]) == (
        profile["dev_total_hours"],
        profile["dev_adj_score"],
        profile["dev_bill_rate"],
        profile["dev_profile_title"],
    )
    ids = reader.ok("provider", "GET", f"{V2}/providers.json", {"q": "python", "include_entities": "1"})
    assert ids["providers"][:2] == [p["id"] for p in body["providers"]]


def test_v2_job_answer(reader: Hiring) -> None:
    body = reader.ok("member", "GET", f"{V2}/jobs.json", {"q": "python", "sort": "create_time desc"})
    assert body["jobs"] and {job["job_status"] for job in body["jobs"]} == {"Open"}
    job = body["jobs"][0]
    assert set(job) == {
        "id", "title", "snippet", "category", "subcategory", "subcategory2", "skills", "job_type", "budget",
        "duration", "workload", "job_status", "date_created", "url", "client",
    }  # fmt: skip
    assert set(job["client"]) == {
        "country",
        "feedback",
        "reviews_count",
        "jobs_posted",
        "past_hires",
        "payment_verification_status",
    }
    dates = [j["date_created"] for j in body["jobs"]]
    assert dates == sorted(dates, reverse=True)
    profile = reader.ok("member", "GET", f"/api/profiles/v1/jobs/{job['id']}.json")["profiles"]["profile"]
    assert (job["title"], profile["op_title"]) == (profile["op_title"], job["title"])


def test_v1_answers_are_listers(reader: Hiring) -> None:
    jobs = reader.ok("owner", "GET", f"{V1}/jobs.json", {"q": "python", "page": "0;1", "sort": "date_posted;D"})
    lister = jobs["jobs"]["lister"]
    assert lister["paging"] == {"offset": "0", "count": "1"} and lister["sort"] == "date_posted;D"
    assert int(lister["total_items"]) >= 1 and len(jobs["jobs"]["job"]) == 1
    assert jobs["jobs"]["job"][0]["op_status"] == "open"  # st defaults to Open
    providers = reader.ok("owner", "GET", f"{V1}/providers.json", {"q": "python", "skills": "python"})
    items = providers["providers"]["provider"]
    assert items and all(item["ciphertext"].startswith("~~") for item in items)
    assert all("python" in [s["skl_name"] for s in item["skills"]["skill"]] for item in items)
    closed = reader.ok("owner", "GET", f"{V1}/jobs.json", {"st": "Cancelled"})
    assert {job["op_status"] for job in closed["jobs"]["job"]} == {"cancelled"}


def test_paging_cuts_one_order(reader: Hiring) -> None:
    whole = _keys(reader.ok("owner", "GET", f"{V2}/providers.json", {"paging": "0;100"}), "providers")
    pages = [
        _keys(reader.ok("owner", "GET", f"{V2}/providers.json", {"paging": f"{offset};7"}), "providers")
        for offset in range(0, len(whole) + 7, 7)
    ]
    assert [key for page in pages for key in page] == whole
    v1 = [
        _keys(reader.ok("owner", "GET", f"{V1}/providers.json", {"page": f"{offset};7"}), "providers")
        for offset in range(0, len(whole) + 7, 7)
    ]
    assert [key for page in v1 for key in page] == whole


def test_xml(reader: Hiring) -> None:
    response = reader.call("owner", "GET", f"{V2}/jobs.xml", {"q": "python"})
    assert response.status_code == 200
    root = ET.fromstring(response.text)
    assert root.find("paging/total") is not None and root.findall("jobs")


# --------------------------------------------------------------------------
# Errors

ERRORS = [
    (f"{V2}/providers.json", {"q": "skills:python AND"}, "q: Unexpected end of query at position 17"),
    (f"{V2}/providers.json", {"q": "(python"}, "q: Unexpected end of query at position 7"),
    (f"{V2}/providers.json", {"q": "pyth*"}, "q: Unexpected character '*' at position 4"),
    (f"{V2}/providers.json", {"q": "salary:10"}, "q: Unknown field 'salary' for providers"),
    (f"{V2}/providers.json", {"q": "rate:[10 TO lots]"}, "rate takes a number, got 'lots' at position 12"),
    (f"{V2}/providers.json", {"feedback": "[3 TO"}, "feedback: Unexpected end of query at position 5"),
    (f"{V2}/providers.json", {"region": "Atlantis"}, "region: No region 'Atlantis'"),
    (f"{V2}/providers.json", {"include_entities": "yes"}, "include_entities must be 0 or 1"),
    (f"{V2}/providers.json", {"paging": "0;5000"}, "paging must be offset;count"),
    (f"{V2}/jobs.json", {"q": "job_type:weekly"}, "job_type takes one of"),
    (f"{V2}/jobs.json", {"budget": "[a TO 10]"}, "budget takes a number, got 'a' at position 1"),
    (f"{V2}/jobs.json", {"sort": "salary desc"}, "sort: must be a field and asc or desc"),
    (f"{V2}/jobs.json", {"sort": "create_time sideways"}, "sort: must be a field and asc or desc"),
    (f"{V1}/jobs.json", {"sort": "date_posted;budget;A"}, "sort: 2 field(s) and 1 direction(s)"),
    (f"{V1}/jobs.json", {"sort": "salary;A"}, "sort: cannot sort on 'salary'"),
    (f"{V1}/jobs.json", {"st": "Paused"}, "st: must be one of Open, In Progress"),
    (f"{V1}/jobs.json", {"dp": "5"}, "dp: must be one of 0, 1, 3"),
    (f"{V1}/jobs.json", {"c1": "Underwater Basket Weaving"}, "c1: no category 'Underwater Basket Weaving'"),
    (f"{V1}/jobs.json", {"min": "cheap"}, "min: must be a number"),
    (f"{V1}/providers.json", {"last": "yesterday"}, "last: must be a date like 07-13-2009"),
    (f"{V1}/providers.json", {"to": "perhaps"}, "to: must be yes or no"),
    (f"{V1}/providers.json", {"q": "??"}, "q: '??' has no letter or digit"),
    (f"{V1}/providers.json", {"page": "x"}, "page must be offset;count"),
]


@pytest.mark.parametrize(("path", "params", "message"), ERRORS, ids=[f"{p}{v}" for p, v, _m in ERRORS])
def test_bad_search_is_400_naming_the_key(reader: Hiring, path: str, params: dict[str, str], message: str) -> None:
    assert_error(reader.call("owner", "GET", path, params), 400, "bad_request", message)


def test_every_route_needs_a_signature(reader: Hiring) -> None:
    for path in (f"{V1}/providers.json", f"{V1}/jobs.json", f"{V2}/providers.json", f"{V2}/jobs.json"):
        assert reader.client.get(path).status_code == 401


# --------------------------------------------------------------------------
# Who finds what, and the index after writes


def _job(http: Hiring, **changes: str) -> dict[str, str]:
    params = {
        "buyer_team__reference": http.team_reference("acme:engineering"),
        "title": "Quokka habitat survey",
        "job_type": "hourly",
        "description": "Count the quokkas on the island.",
        "visibility": "public",
        "category": "Web Development",
        "subcategory": "Web Programming",
        "duration": "90",
        "skills": "python;field-work",
        **changes,
    }
    return http.ok("owner", "POST", "/api/hr/v2/jobs.json", params)["job"]


def _found(http: Hiring, role: str, q: str, **params: str) -> list[str]:
    return _keys(http.ok(role, "GET", f"{V2}/jobs.json", {"q": q, **params}), "jobs")


def test_a_job_is_found_as_posted_changed_and_cancelled(writer: Hiring) -> None:
    job = _job(writer)
    key, reference = job["job_key"], job["reference"]
    assert _found(writer, "provider", "quokka") == [key]
    assert _found(writer, "provider", "skills:field-work") == [key]
    assert _keys(writer.ok("provider", "GET", f"{V1}/jobs.json", {"q": "quokkas"}), "jobs") == [key]

    changed = {
        "buyer_team__reference": job["buyer_team__reference"],
        "title": "Wombat habitat survey",
        "description": "Count the wombats in the valley.",
        "visibility": "public",
        "status": "open",
    }
    writer.ok("owner", "PUT", f"/api/hr/v2/jobs/{reference}.json", changed)
    assert _found(writer, "provider", "quokka") == []
    assert _found(writer, "provider", "title:wombat") == [key]

    writer.ok("owner", "DELETE", f"/api/hr/v2/jobs/{reference}.json", {"reason_code": "41"})
    assert _found(writer, "provider", "wombat") == []
    assert _found(writer, "provider", "wombat", job_status="cancelled") == [key]
    assert _found(writer, "provider", "wombat AND job_status:cancelled,open") == [key]


def test_private_jobs_are_found_by_who_may_read_them(writer: Hiring) -> None:
    key = _job(writer, title="Confidential kangaroo census", visibility="private")["job_key"]
    invited = _job(writer, title="Invited kangaroo census", visibility="invite-only")["job_key"]
    assert invited not in _found(writer, "owner", "kangaroo")
    seen = {role: key in _found(writer, role, "kangaroo") for role in ("owner", "hiring_manager", "finance")}
    assert seen == {"owner": True, "hiring_manager": True, "finance": True}
    for role in ("provider", "agency_provider", "agency_owner", "member"):
        assert _found(writer, role, "kangaroo") == [], role
    odesk = _job(writer, title="Open kangaroo census", visibility="odesk")["job_key"]
    assert _found(writer, "provider", "kangaroo") == [odesk]
