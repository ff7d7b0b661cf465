"""The message center over HTTP, in process, on a private copy of the demo (SQLite and PostgreSQL).

What the end-to-end tests through python-odesk cannot reach: the hiring
hooks on candidacies the demo does not have (an application answered by an
offer, an invitation without a letter), the XML form, raw parameter
errors, the limit of people in a thread, users who left.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from hiring_helpers import Hiring, hiring, make_candidacy, make_job
from oauth_signing import assert_error, consumer_signer

from odesk_server.domain import messages as rules
from odesk_server.models import User
from odesk_server.models.messages import MessagePost, ThreadMember

MC = "/api/mc/v1"


@pytest.fixture
def api(mutable_demo_database) -> Iterator[Hiring]:
    with hiring(mutable_demo_database, form_posts=True) as shared:
        yield shared


def post(api: Hiring, role: str, uid: str, **params: str) -> dict:
    return api.ok(role, "POST", f"{MC}/threads/{uid}.json", params)


def test_an_application_answered_by_an_offer(api: Hiring) -> None:
    job = make_job(api.engine, creator_uid="dortiz", title="Data pipeline")
    applied = dt.datetime(2026, 1, 5, 9, 30, tzinfo=dt.UTC)
    candidacy = make_candidacy(
        api.engine, job, "jwalker", "interviewing", cover="I built three pipelines like this one.", created_at=applied
    )
    context = f"{MC}/contexts/jwalker/Interviews:{job.job_key}:{candidacy.reference}.json"
    assert_error(api.call("provider", "GET", context), 404, "not_found", "No thread for the context")

    walker = str(api.user("jwalker").reference)
    offer = {"job__reference": str(job.reference), "provider__reference": walker, "fixed_charge_amount_agreed": "500"}
    api.ok("hiring_manager", "POST", "/api/hr/v2/offers.json", {**offer, "message_from_buyer": "Our offer."})

    thread = api.ok("provider", "GET", context)["thread"]
    assert [(p["sender"], p["body"]) for p in thread["posts"]] == [
        ("jwalker", "I built three pipelines like this one."),
        ("dortiz", "Our offer."),
    ]
    assert thread["posts"][0]["created_time"] == str(int(applied.timestamp() * 1000))
    assert (thread["subject"], thread["created_by"], thread["is_read"]) == ("Data pipeline", "jwalker", "0")
    assert thread["context"] == f"Interviews:{job.job_key}:{candidacy.reference}"
    manager = api.ok("hiring_manager", "GET", context.replace("/jwalker/", "/dortiz/"))["thread"]
    assert manager["id"] == thread["id"] and manager["is_read"] == "1"
    for uid, role in (("jwalker", "provider"), ("dortiz", "hiring_manager")):
        for tray in ("inbox", "sent"):
            threads = api.ok(role, "GET", f"{MC}/trays/{uid}/{tray}.json", {"page": "0;200"})["current_tray"]["threads"]
            assert thread["id"] in {t["id"] for t in threads}, (uid, tray)


def test_an_invitation_without_a_letter_says_so(api: Hiring) -> None:
    job = make_job(api.engine, creator_uid="dortiz", title="Mobile release")
    walker = str(api.user("jwalker").reference)
    invited = api.ok(
        "hiring_manager",
        "POST",
        "/api/hr/v2/offers.json",
        {"job__reference": str(job.reference), "provider__reference": walker},
    )["application"]
    context = f"{MC}/contexts/jwalker/Interviews:{job.reference}:{invited['reference']}/last_posts.json"
    (only,) = api.ok("provider", "GET", context)["thread"]["posts"]
    assert (only["sender"], only["body"]) == ("dortiz", "Invitation to interview: Mobile release")
    # an offer without a message leaves a note in the same thread
    api.ok(
        "hiring_manager",
        "POST",
        "/api/hr/v2/offers.json",
        {"job__reference": str(job.reference), "provider__reference": walker, "hourly_pay_rate": "40"},
    )
    thread = api.ok("provider", "GET", context)["thread"]
    assert (thread["post_count"], thread["posts"][0]["body"]) == ("2", "An offer: Mobile release")


def test_xml_answers(api: Hiring) -> None:
    text = api.call("provider", "GET", f"{MC}/trays/jwalker.xml").text
    assert '<trays list="true"><tray><id>1</id><type>sent</type>' in text
    inbox = api.ok("provider", "GET", f"{MC}/trays/jwalker/inbox.json")["current_tray"]["threads"]
    xml = api.call("provider", "GET", f"{MC}/threads/jwalker/{inbox[0]['id']}.xml").text
    assert "<thread>" in xml and '<posts list="true"><post>' in xml and '<participants list="true">' in xml


def test_flags_from_a_json_body_and_bad_parameters(api: Hiring) -> None:
    thread_id = post(api, "provider", "jwalker", recipients="dortiz", subject="Hi", body="Hello")["thread"]["id"]
    path = f"{MC}/threads/jwalker/{thread_id}.json"
    url, headers, _ = consumer_signer(api.credentials, "provider").sign("PUT", path)
    headers["Content-Type"] = "application/json"
    answer = api.client.request("PUT", url, headers=headers, content=json.dumps({"starred": True, "read": 0}))
    assert answer.status_code == 200, answer.text
    (shown,) = answer.json()["threads"]
    assert (shown["is_starred"], shown["is_read"]) == ("1", "0")
    for params, message in (
        ({"read": "yes"}, "read must be true or false, got 'yes'"),
        ({"deleted": ""}, "deleted must be true or false"),
        ({}, "give read, starred or deleted"),
    ):
        assert_error(api.call("provider", "PUT", path, params), 400, "bad_request", message)
    for page in ("x", "0;0", "-1;5", "0;201"):
        response = api.call("provider", "GET", f"{MC}/trays/jwalker/inbox.json", {"page": page})
        assert_error(response, 400, "bad_request", "page must be offset;count")
    response = api.call("provider", "POST", f"{MC}/threads/jwalker.json", {"subject": "Hi", "body": "Hello"})
    assert_error(response, 400, "bad_request", "recipients is required")


def test_a_thread_holds_a_limited_number_of_people(api: Hiring, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rules, "MAX_MEMBERS", 3)
    thread_id = post(api, "provider", "jwalker", recipients="dortiz,mhale", subject="Three", body="Of us")["thread"][
        "id"
    ]
    response = api.call(
        "hiring_manager",
        "POST",
        f"{MC}/threads/dortiz/{thread_id}.json",
        {"recipients": "tbecker", "subject": "Four?", "body": "Of us"},
    )
    assert_error(response, 400, "bad_request", "a thread holds at most 3 people")
    assert_error(api.call("member", "GET", f"{MC}/threads/tbecker/{thread_id}.json"), 404, "not_found")
    assert api.scalar(sa.select(sa.func.count()).where(MessagePost.thread_id == int(thread_id))) == 1
    members = api.scalar(sa.select(sa.func.count()).where(ThreadMember.thread_id == int(thread_id)))
    assert members == 3


def test_a_user_who_left_gets_no_messages(api: Hiring) -> None:
    with api.engine.begin() as connection:
        connection.execute(sa.update(User).where(User.uid == "tbecker").values(status="inactive"))
    response = api.call(
        "provider",
        "POST",
        f"{MC}/threads/jwalker.json",
        {"recipients": "dortiz,tbecker", "subject": "Hi", "body": "Hello"},
    )
    assert_error(response, 400, "bad_request", "recipients: no user 'tbecker' to send a message to")
    assert api.scalar(sa.select(sa.func.count()).select_from(MessagePost).where(MessagePost.subject == "Hi")) == 0
