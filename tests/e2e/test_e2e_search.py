"""Search through the real client against the real server: provider and job search, v1 and v2.

``client.provider_v2.search_providers`` / ``search_jobs`` and
``client.provider.search_providers`` / ``search_jobs``, written as a script
against python-odesk's documentation would be: the issue's own query, the
documented keys, paging, a malformed query (400 naming the position), and
a job posted, changed and cancelled through ``client.hr`` found at once. On
a server of the module's own (``writable_server``), SQLite and PostgreSQL;
then both demo servers answer the same searches alike.
"""

from __future__ import annotations

import pytest

from odesk.exceptions import HTTP400BadRequestError, HTTP401UnauthorizedError
from tests.e2e.e2e_support import Server


def test_the_issues_query(writable_server: Server) -> None:
    client = writable_server.client("owner")
    found = client.provider_v2.search_providers({"q": "skills:python AND NOT title:manager"})
    assert found, "the demo has Python providers"
    for provider in found:
        assert "python" in provider["skills"], provider
        assert "manager" not in provider["title"].lower(), provider
    # the provider's own profile says the same
    key = found[0]["id"]
    profile = client.provider.get_provider_brief(key)
    assert (profile["dev_profile_title"], profile["dev_total_hours"]) == (found[0]["title"], found[0]["hours"])


def test_v2_keys_and_paging(writable_server: Server) -> None:
    client = writable_server.client("provider")
    everyone = client.provider_v2.search_providers({"include_entities": 1}, page_offset=0, page_size=100)
    assert len(everyone) > 20 and all(key.startswith("~~") for key in everyone)
    pages = [client.provider_v2.search_providers({"include_entities": 1}, offset, 10) for offset in range(0, 100, 10)]
    assert [key for page in pages for key in page] == everyone
    rated = client.provider_v2.search_providers({"feedback": "[4 TO 5]"}, 0, 100)
    assert rated and all(4 <= float(p["feedback"]) <= 5 for p in rated)
    cheap = client.provider_v2.search_providers({"q": "rate:[* TO 40]", "english_skill": "5"}, 0, 100)
    assert all(float(p["rate"]) <= 40 and p["english_skill"] == "5" for p in cheap)
    agency = client.provider_v2.search_providers({"profile_type": "Agency"}, 0, 100)
    assert agency and {p["profile_type"] for p in agency} == {"Agency"}

    jobs = client.provider_v2.search_jobs({"q": "python", "sort": "create_time desc"})
    assert jobs and {job["job_status"] for job in jobs} == {"Open"}
    assert [job["date_created"] for job in jobs] == sorted((job["date_created"] for job in jobs), reverse=True)
    fixed = client.provider_v2.search_jobs({"job_type": "fixed", "budget": "[1000 TO *]", "job_status": "open"})
    assert all(job["job_type"] == "Fixed" and float(job["budget"]) >= 1000 for job in fixed)


def test_v1_keys(writable_server: Server) -> None:
    client = writable_server.client("member")
    found = client.provider.search_providers({"q": "python", "fb": "4"}, page_offset=0, page_size=5)
    assert set(found) == {"lister", "provider"}
    assert all(float(p["dev_adj_score"]) >= 4 for p in found["provider"])
    assert int(found["lister"]["total_items"]) >= len(found["provider"])
    newest = client.provider.search_providers({"skills": "python"}, order_by="date_created;D")
    assert newest["lister"]["sort"] == "date_created;D" and newest["provider"]
    jobs = client.provider.search_jobs({"q": "python", "st": "Open"}, order_by="date_posted;A")
    times = [job["op_ctime"] for job in jobs["job"]]
    assert times == sorted(times, key=int) and {job["op_status"] for job in jobs["job"]} == {"open"}


def test_a_malformed_query_is_400_naming_the_position(writable_server: Server) -> None:
    client = writable_server.client("owner")
    with pytest.raises(HTTP400BadRequestError) as caught:
        client.provider_v2.search_providers({"q": "skills:python AND (title:manager"})
    assert "Unexpected end of query at position 32" in str(caught.value)
    with pytest.raises(HTTP400BadRequestError, match="Unknown field 'salary'"):
        client.provider_v2.search_jobs({"q": "salary:[10 TO 20]"})
    with pytest.raises(HTTP400BadRequestError, match="direction"):
        client.provider.search_jobs({"q": "python"}, order_by="date_posted;budget;A")
    with pytest.raises(HTTP401UnauthorizedError):
        writable_server.client().provider_v2.search_jobs({"q": "python"})


def test_a_job_is_found_as_it_is_posted_changed_and_cancelled(writable_server: Server) -> None:
    owner, provider = writable_server.client("owner"), writable_server.client("provider")
    team = writable_server.team("acme:engineering")["reference"]
    job = owner.hr.post_job(
        team,
        "Narwhal tracking dashboard",
        "fixed-price",
        "Charts of narwhal sightings.",
        "public",
        category="Web Development",
        subcategory="Web Programming",
        budget=1200,
        skills=["python", "charts"],
    )["job"]
    key, reference = job["job_key"], job["reference"]
    assert [j["id"] for j in provider.provider_v2.search_jobs({"q": "narwhal"})] == [key]
    assert [j["ciphertext"] for j in provider.provider.search_jobs({"q": "narwhal"})["job"]] == [key]

    owner.hr.update_job(
        reference,
        team,
        "Beluga tracking dashboard",
        "Charts of beluga sightings.",
        "public",
        budget=1200,
        status="open",
    )
    assert provider.provider_v2.search_jobs({"q": "narwhal"}) == []
    assert [j["title"] for j in provider.provider_v2.search_jobs({"q": "title:beluga"})] == [
        "Beluga tracking dashboard"
    ]

    owner.hr.delete_job(reference, 41)
    assert provider.provider_v2.search_jobs({"q": "beluga"}) == []
    cancelled = provider.provider_v2.search_jobs({"q": "beluga", "job_status": "cancelled"})
    assert [(j["id"], j["job_status"]) for j in cancelled] == [(key, "Cancelled")]


SAME_ANSWERS = [
    ("providers", {"q": "skills:python AND NOT title:manager", "include_entities": 1}),
    ("providers", {"q": 'region:"Western Europe" OR english_skill:5', "include_entities": 1}),
    ("providers", {"feedback": "[4 TO 5]", "hours": "[100 TO *]", "include_entities": 1}),
    ("jobs", {"q": "python OR design", "sort": "create_time desc"}),
    ("jobs", {"job_status": "open,completed,cancelled", "sort": "create_time asc"}),
]


@pytest.mark.parametrize(("what", "data"), SAME_ANSWERS, ids=[str(data) for _w, data in SAME_ANSWERS])
def test_both_databases_find_the_same(servers, what: str, data: dict) -> None:
    answers = []
    for kind in ("sqlite", "postgresql"):
        search = getattr(servers.get(kind).client("owner").provider_v2, f"search_{what}")
        found = search(dict(data), 0, 100)
        answers.append([item if isinstance(item, str) else item["id"] for item in found])
    if "sort" in data:
        assert answers[0] == answers[1]
    else:
        assert sorted(answers[0]) == sorted(answers[1])
    assert answers[0], "the demo finds something"


def test_a_job_filled_by_an_accepted_offer_leaves_the_open_jobs(writable_server: Server) -> None:
    owner, provider = writable_server.client("owner"), writable_server.client("provider")
    team = writable_server.team("acme:engineering")["reference"]
    job = owner.hr.post_job(
        team, "Octopus feeding schedule", "fixed-price", "A schedule for the aquarium's octopus.", "public",
        category="Web Development", subcategory="Web Programming", budget=300,
    )["job"]  # fmt: skip
    assert [j["id"] for j in provider.provider_v2.search_jobs({"q": "octopus"})] == [job["job_key"]]
    offer = owner.hr.post_offer(
        job["reference"],
        provider_reference=provider.hr.get_user_me()["reference"],
        engagement_title="Octopus feeding schedule",
        fixed_charge_amount_agreed="300.00",
    )["offer"]
    provider.offers.accept_or_decline(offer["reference"], "accept")
    assert provider.provider_v2.search_jobs({"q": "octopus"}) == []
    filled = provider.provider_v2.search_jobs({"q": "octopus", "job_status": "completed"})
    assert [(j["id"], j["job_status"]) for j in filled] == [(job["job_key"], "Completed")]
    # v1 tells a filled job with its contract running (In Progress) from one whose contracts ended (Completed)
    assert [j["ciphertext"] for j in provider.provider.search_jobs({"q": "octopus", "st": "In Progress"})["job"]] == [
        job["job_key"]
    ]
    assert provider.provider.search_jobs({"q": "octopus", "st": "Completed"})["job"] == []
