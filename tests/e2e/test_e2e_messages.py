"""The message center through the real client against the real server (python-odesk's ``client.mc``).

On SQLite and PostgreSQL. The demo's threads are read on the shared
``server`` (nothing there is changed); posting, replying, flags and the
hiring hooks run on a server of the module's own (``writable_server``).
Demo threads are found through the API (trays, subjects, applications),
never by ids that depend on the day the demo was loaded.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from odesk.exceptions import HTTP400BadRequestError, HTTP404NotFoundError
from tests.e2e.e2e_support import Server

TRAY_TYPES = ["sent", "inbox", "notifications", "starred", "trash"]
SUMMARY_KEYS = {
    "id",
    "subject",
    "type",
    "context",
    "created_by",
    "created_time",
    "last_post_time",
    "last_post_sender",
    "last_post_preview",
    "post_count",
    "participants",
    "is_read",
    "is_starred",
    "is_deleted",
    "thread_api",
}
POST_KEYS = {"id", "sender", "sender_name", "subject", "body", "attachment_key", "created_time"}


def every_thread(client: Any, uid: str, tray: str) -> list[dict[str, Any]]:
    return client.mc.get_tray_content(uid, tray, paging_offset=0, paging_count=200)


def thread_named(client: Any, uid: str, tray: str, subject: str) -> dict[str, Any]:
    found = [t for t in every_thread(client, uid, tray) if t["subject"] == subject]
    assert len(found) == 1, f"{subject!r} in {uid}'s {tray}: {[t['subject'] for t in every_thread(client, uid, tray)]}"
    return found[0]


def trays(client: Any, uid: str) -> dict[str, dict[str, str]]:
    return {tray["type"]: tray for tray in client.mc.get_trays(uid)}


def usernames(thread: dict[str, Any]) -> set[str]:
    return {p["username"] for p in thread["participants"]}


# --------------------------------------------------------------------------
# Reading the demo's messages (shared server)


@pytest.mark.parametrize(
    "role",
    ["owner", "hiring_manager", "finance", "agency_owner", "staffing_manager", "provider", "agency_provider", "member"],
)
def test_every_demo_role_has_its_trays(server: Server, role: str) -> None:
    client = server.client(role)
    uid = server.role(role).uid
    mine = client.mc.get_trays()
    assert mine == client.mc.get_trays(uid)
    assert [tray["type"] for tray in mine] == TRAY_TYPES
    for tray in mine:
        assert set(tray) == {"id", "type", "unread", "total", "tray_api"}
        assert tray["tray_api"] == f"/api/mc/v1/trays/{uid}/{tray['type']}.json"
        assert 0 <= int(tray["unread"]) <= int(tray["total"])
        threads = every_thread(client, uid, tray["type"])
        assert len(threads) == int(tray["total"])
        assert sum(t["is_read"] == "0" for t in threads) == int(tray["unread"])
    # the trays are listed a page at a time too
    assert [t["type"] for t in client.mc.get_trays(uid, paging_offset=1, paging_count=2)] == ["inbox", "notifications"]


def test_the_providers_trays(server: Server) -> None:
    walker = server.client("provider")
    mine = trays(walker, "jwalker")
    assert (mine["notifications"]["total"], mine["notifications"]["unread"]) == ("2", "1")
    notes = every_thread(walker, "jwalker", "notifications")
    assert {t["type"] for t in notes} == {"notification"} and {t["subject"] for t in notes} == {"Payment sent"}
    assert notes[0]["last_post_sender"] == "" and notes[0]["created_by"] == ""
    post = walker.mc.get_thread_content("jwalker", notes[0]["id"])["posts"][0]
    assert (post["sender"], post["sender_name"]) == ("", "oDesk")
    # the note about his holiday is in his trash, and only there
    trashed = thread_named(walker, "jwalker", "trash", "Holiday next week")
    assert trashed["is_deleted"] == "1"
    for tray in ("inbox", "sent", "starred"):
        assert "Holiday next week" not in {t["subject"] for t in every_thread(walker, "jwalker", tray)}
    # for the hiring manager it is in his inbox as usual
    manager = server.client("hiring_manager")
    assert thread_named(manager, "dortiz", "inbox", "Holiday next week")["is_deleted"] == "0"


def test_tray_content_pages_latest_first(server: Server) -> None:
    manager = server.client("hiring_manager")
    inbox = every_thread(manager, "dortiz", "inbox")
    assert len(inbox) >= 8
    assert all(set(thread) == SUMMARY_KEYS for thread in inbox)
    times = [int(thread["last_post_time"]) for thread in inbox]
    assert times == sorted(times, reverse=True)
    assert all(thread["thread_api"] == f"/api/mc/v1/threads/dortiz/{thread['id']}.json" for thread in inbox)
    pages = [manager.mc.get_tray_content("dortiz", "inbox", paging_offset=n, paging_count=3) for n in range(0, 9, 3)]
    assert [t["id"] for page in pages for t in page] == [t["id"] for t in inbox[:9]]
    # without paging: the first 20
    assert manager.mc.get_tray_content("dortiz", "inbox") == inbox[:20]
    # past the end: nothing
    assert manager.mc.get_tray_content("dortiz", "inbox", paging_offset=500, paging_count=5) == []


def test_a_thread_and_its_posts_a_page_at_a_time(server: Server) -> None:
    walker = server.client("provider")
    summary = thread_named(walker, "jwalker", "inbox", "API rate limiting: next steps")
    assert summary["post_count"] == "26"
    assert usernames(summary) == {"dortiz", "jwalker"}
    thread = walker.mc.get_thread_content("jwalker", summary["id"])
    assert {key: thread[key] for key in SUMMARY_KEYS} == summary
    assert thread["lister"]["total_items"] == "26"
    first = thread["posts"]
    assert len(first) == 20 and all(set(post) == POST_KEYS for post in first)
    rest = walker.mc.get_thread_content("jwalker", summary["id"], paging_offset=20, paging_count=20)["posts"]
    assert len(rest) == 6
    posts = first + rest
    assert [int(p["id"]) for p in posts] == sorted(int(p["id"]) for p in posts)
    assert [int(p["created_time"]) for p in posts] == sorted(int(p["created_time"]) for p in posts)
    assert posts[0]["sender"] == "dortiz" and posts[1]["sender"] == "jwalker"
    assert posts[-1]["body"].startswith(summary["last_post_preview"][:40])
    assert {p["subject"] for p in posts} == {"API rate limiting: next steps"}
    # the other member reads the same thread; reading changes no flag
    same = server.client("hiring_manager").mc.get_thread_content("dortiz", summary["id"], 20, 20)
    assert same["posts"] == rest
    assert walker.mc.get_thread_content("jwalker", summary["id"])["is_read"] == summary["is_read"]


def test_bcc_recipients_are_seen_by_themselves_and_the_sender_only(server: Server) -> None:
    subject = "Invoices for last month"
    owner = thread_named(server.client("owner"), "mhale", "inbox", subject)
    author = thread_named(server.client("finance"), "pnatarajan", "sent", subject)
    hidden = thread_named(server.client("hiring_manager"), "dortiz", "inbox", subject)
    assert usernames(owner) == {"pnatarajan", "mhale"}
    assert usernames(author) == usernames(hidden) == {"pnatarajan", "mhale", "dortiz"}
    assert owner["id"] == author["id"] == hidden["id"]


def test_a_third_user_sees_nothing_of_anyone_elses_messages(server: Server) -> None:
    walker = server.client("provider")
    thread_id = thread_named(walker, "jwalker", "inbox", "API rate limiting: next steps")["id"]
    becker = server.client("member")
    for attempt in (
        lambda: becker.mc.get_thread_content("tbecker", thread_id),
        lambda: becker.mc.get_thread_content("jwalker", thread_id),
        lambda: becker.mc.get_trays("jwalker"),
        lambda: becker.mc.get_tray_content("jwalker", "inbox"),
        lambda: becker.mc.put_threads_read("jwalker", [thread_id]),
        lambda: becker.mc.put_threads_read("tbecker", [thread_id]),
        lambda: becker.mc.post_message("tbecker", "jwalker", "Hello", "Hi there", thread_id=thread_id),
    ):
        with pytest.raises(HTTP404NotFoundError):
            attempt()
    # the company owner does not read his staff's messages either
    with pytest.raises(HTTP404NotFoundError):
        server.client("owner").mc.get_trays("dortiz")
    # unknown users, trays and threads answer alike
    for attempt in (
        lambda: walker.mc.get_trays("nobody-at-all"),
        lambda: walker.mc.get_tray_content("jwalker", "archive"),
        lambda: walker.mc.get_thread_content("jwalker", 2_000_000_000),
        lambda: walker.mc.get_thread_content("jwalker", "abc"),
        lambda: walker.mc.get_thread_content("jwalker", 99_999_999_999_999),
    ):
        with pytest.raises(HTTP404NotFoundError):
            attempt()


def applications(client: Any) -> list[dict[str, Any]]:
    return client.hr_v3.list_freelancer_applications()["applications"]["application"]


def _walker_application(server: Server, status: str) -> dict[str, Any]:
    rows = applications(server.client("provider"))
    (found,) = [a for a in rows if a["status"] == status and a["job__title"] == "Backend for push notifications"]
    return found


def test_the_thread_of_a_job_application(server: Server) -> None:
    application = _walker_application(server, "invited")
    job_key, reference = application["job_key"], application["reference"]
    walker, manager = server.client("provider"), server.client("hiring_manager")
    mine = walker.mc.get_thread_by_context("jwalker", job_key, reference)
    assert mine["context"] == f"Interviews:{job_key}:{reference}"
    assert mine["subject"] == "Backend for push notifications"
    assert [p["sender"] for p in mine["posts"]] == ["dortiz"]
    assert mine["posts"][0]["body"] == application["cover_letter"]
    # both parties read it: the same thread
    theirs = manager.mc.get_thread_by_context("dortiz", job_key, reference, context="Interviews")
    assert theirs["id"] == mine["id"] and theirs["posts"] == mine["posts"]
    assert walker.mc.get_thread_content("jwalker", mine["id"])["context"] == mine["context"]
    # the job by its reference works as well as by its key
    by_reference = walker.mc.get_thread_by_context("jwalker", application["job__reference"], reference)
    assert by_reference["id"] == mine["id"]
    # last_posts: the last post only
    last = walker.mc.get_thread_by_context("jwalker", job_key, reference, last_posts=True)
    assert last["posts"] == mine["posts"][-1:] and last["post_count"] == mine["post_count"]
    # nobody else, and no other context
    for client, uid in ((server.client("owner"), "mhale"), (server.client("agency_provider"), "akowalski")):
        with pytest.raises(HTTP404NotFoundError):
            client.mc.get_thread_by_context(uid, job_key, reference)
    with pytest.raises(HTTP404NotFoundError):
        walker.mc.get_thread_by_context("jwalker", job_key, "999999999")
    with pytest.raises(HTTP400BadRequestError, match="Interviews"):
        walker.mc.get_thread_by_context("jwalker", job_key, reference, context="Offers")


def test_an_application_thread_opens_with_the_cover_letter(server: Server) -> None:
    kowalski = server.client("agency_provider")
    (application,) = [a for a in applications(kowalski) if a["job__title"] == "Backend for push notifications"]
    thread = kowalski.mc.get_thread_by_context("akowalski", application["job_key"], application["reference"])
    assert [p["sender"] for p in thread["posts"]][:2] == ["akowalski", "dortiz"]
    assert thread["posts"][0]["body"] == application["cover_letter"]
    assert thread["created_by"] == "akowalski"


# --------------------------------------------------------------------------
# Writing: a server of the module's own


def test_post_reply_and_who_gets_what(writable_server: Server) -> None:
    walker = writable_server.client("provider")
    manager = writable_server.client("hiring_manager")
    kowalski = writable_server.client("agency_provider")
    becker = writable_server.client("member")
    owner = writable_server.client("owner")
    before = trays(manager, "dortiz")

    sent = walker.mc.post_message(
        "jwalker",
        ["dortiz", "akowalski"],
        "Release on Friday",
        "The release is planned for Friday.\nPlease check the notes.",
        bcc="tbecker",
        attachment_key="att~2026-notes.pdf",
    )
    thread, post = sent["thread"], sent["post"]
    assert (post["sender"], post["sender_name"], post["attachment_key"]) == (
        "jwalker",
        "James Walker",
        "att~2026-notes.pdf",
    )
    assert post["body"] == "The release is planned for Friday.\nPlease check the notes."
    assert (thread["subject"], thread["post_count"], thread["is_read"], thread["created_by"]) == (
        "Release on Friday",
        "1",
        "1",
        "jwalker",
    )
    assert usernames(thread) == {"jwalker", "dortiz", "akowalski", "tbecker"}
    assert thread_named(walker, "jwalker", "sent", "Release on Friday")["id"] == thread["id"]
    after = trays(manager, "dortiz")
    assert int(after["inbox"]["total"]) == int(before["inbox"]["total"]) + 1
    assert int(after["inbox"]["unread"]) == int(before["inbox"]["unread"]) + 1
    seen_by_manager = thread_named(manager, "dortiz", "inbox", "Release on Friday")
    assert seen_by_manager["is_read"] == "0" and usernames(seen_by_manager) == {"jwalker", "dortiz", "akowalski"}
    assert usernames(thread_named(becker, "tbecker", "inbox", "Release on Friday")) == {
        "jwalker",
        "dortiz",
        "akowalski",
        "tbecker",
    }
    assert thread_named(kowalski, "akowalski", "inbox", "Release on Friday")["id"] == thread["id"]
    with pytest.raises(HTTP404NotFoundError):
        owner.mc.get_thread_content("mhale", thread["id"])

    # a reply reaches every member, and the owner named in it joins and reads it all
    replied = manager.mc.post_message("dortiz", "mhale", "Re: Release on Friday", "Fine by me.", thread_id=thread["id"])
    assert replied["thread"]["id"] == thread["id"] and replied["thread"]["post_count"] == "2"
    assert replied["post"]["subject"] == "Re: Release on Friday"
    whole = owner.mc.get_thread_content("mhale", thread["id"])
    assert [p["sender"] for p in whole["posts"]] == ["jwalker", "dortiz"] and whole["is_read"] == "0"
    mine = walker.mc.get_thread_content("jwalker", thread["id"])
    assert mine["is_read"] == "0" and mine["last_post_sender"] == "dortiz"
    assert thread_named(walker, "jwalker", "inbox", "Release on Friday")["id"] == thread["id"]
    assert thread_named(manager, "dortiz", "sent", "Release on Friday")["is_read"] == "1"


def test_flags_on_one_thread_and_on_lists(writable_server: Server) -> None:
    walker = writable_server.client("provider")
    manager = writable_server.client("hiring_manager")
    ids = [
        walker.mc.post_message("jwalker", "dortiz", f"Flag test {n}", f"Message {n}")["thread"]["id"] for n in range(3)
    ]
    both = ids[:2]

    def mine(flag: str) -> list[str]:
        return [walker.mc.get_thread_content("jwalker", thread_id)[flag] for thread_id in ids]

    answer = walker.mc.put_threads_unread("jwalker", both)
    assert [t["id"] for t in answer["threads"]] == both and {t["is_read"] for t in answer["threads"]} == {"0"}
    assert mine("is_read") == ["0", "0", "1"]
    walker.mc.put_threads_read("jwalker", both)
    walker.mc.put_threads_read_unread("jwalker", ids[2], read=False)
    assert mine("is_read") == ["1", "1", "0"]

    walker.mc.put_threads_starred("jwalker", both)
    assert mine("is_starred") == ["1", "1", "0"]
    assert {t["id"] for t in every_thread(walker, "jwalker", "starred")} >= set(both)
    walker.mc.put_threads_unstarred("jwalker", [ids[0]])
    walker.mc.put_threads_starred_or_unstarred("jwalker", [ids[2]], starred=True)
    assert mine("is_starred") == ["0", "1", "1"]

    trash_before = int(trays(walker, "jwalker")["trash"]["total"])
    walker.mc.put_threads_deleted("jwalker", ids)
    assert mine("is_deleted") == ["1", "1", "1"]
    assert int(trays(walker, "jwalker")["trash"]["total"]) == trash_before + 3
    sent_ids = {t["id"] for t in every_thread(walker, "jwalker", "sent")}
    starred_ids = {t["id"] for t in every_thread(walker, "jwalker", "starred")}
    assert not sent_ids & set(ids) and not starred_ids & set(ids)
    walker.mc.put_threads_undeleted("jwalker", [ids[0]])
    walker.mc.put_threads_deleted_or_undeleted("jwalker", [ids[1]], deleted=False)
    assert mine("is_deleted") == ["0", "0", "1"]
    # the flags are the caller's own: the manager's copies did not move
    theirs = [manager.mc.get_thread_content("dortiz", thread_id) for thread_id in ids]
    assert {(t["is_read"], t["is_starred"], t["is_deleted"]) for t in theirs} == {("0", "0", "0")}
    # a new post brings a deleted thread back from the trash, unread
    manager.mc.post_message("dortiz", "jwalker", "Re", "Still there?", thread_id=ids[2])
    assert walker.mc.get_thread_content("jwalker", ids[2])["is_deleted"] == "0"

    # all or nothing: one thread of the list that is not his, and nothing changes
    foreign = writable_server.client("owner").mc.post_message("mhale", "dortiz", "Private", "Just us.")["thread"]["id"]
    with pytest.raises(HTTP404NotFoundError, match=foreign):
        walker.mc.put_threads_starred("jwalker", [ids[0], foreign])
    assert mine("is_starred")[0] == "0"
    # a flag that is not true or false, no flag at all, no thread at all
    with pytest.raises(HTTP400BadRequestError, match="read must be true or false"):
        walker.mc.put(f"threads/jwalker/{ids[0]}", {"read": "maybe"})
    with pytest.raises(HTTP400BadRequestError, match="read, starred or deleted"):
        walker.mc.put(f"threads/jwalker/{ids[0]}", {})
    with pytest.raises(HTTP400BadRequestError, match="at least one thread"):
        walker.mc.put("threads/jwalker/;", {"read": "true"})
    with pytest.raises(HTTP400BadRequestError, match="at most 100"):
        walker.mc.put_threads_read("jwalker", list(range(1, 102)))


def test_what_a_post_may_not_be(writable_server: Server) -> None:
    walker = writable_server.client("provider")
    sent_before = trays(walker, "jwalker")["sent"]["total"]
    inbox_before = trays(writable_server.client("hiring_manager"), "dortiz")["inbox"]["total"]
    refused = [
        ((["dortiz", "no-such-user"], "Hi", "Hello"), {}, "no-such-user"),
        (("dortiz", "Hi", "Hello"), {"bcc": "ghost"}, "ghost"),
        (("dortiz", "", "Hello"), {}, "subject must not be empty"),
        (("dortiz", "   ", "Hello"), {}, "subject must not be empty"),
        (("dortiz", "Hi", " \n "), {}, "body must not be empty"),
        (("dortiz", "x" * 256, "Hello"), {}, "at most 255"),
        (("dortiz", "Hi", "x" * 20_001), {}, "at most 20000"),
        (("dortiz", "Two\nlines", "Hello"), {}, "one line"),
        (("dortiz", "Hi", "Nul \x00 byte"), {}, "control characters"),
        (("", "Hi", "Hello"), {}, "recipients must name at least one"),
        (("jwalker", "Hi", "Hello"), {}, "yourself"),
        (("dortiz", "Hi", "Hello"), {"attachment_key": "bad key!"}, "attachment-key"),
    ]
    for args, extra, message in refused:
        with pytest.raises(HTTP400BadRequestError, match=message):
            walker.mc.post_message("jwalker", *args, **extra)
    # too many people: checked before the names
    with pytest.raises(HTTP400BadRequestError, match="at most 20 people"):
        walker.mc.post_message("jwalker", ["dortiz", *(f"user{n}" for n in range(20))], "Hi", "Hello")
    # nothing was sent to anyone
    assert trays(walker, "jwalker")["sent"]["total"] == sent_before
    assert trays(writable_server.client("hiring_manager"), "dortiz")["inbox"]["total"] == inbox_before
    # posting as someone else, or replying where one is not a member
    with pytest.raises(HTTP404NotFoundError):
        walker.mc.post_message("dortiz", "mhale", "Hi", "Hello")
    foreign = writable_server.client("owner").mc.post_message("mhale", "dortiz", "Budget", "Numbers.")["thread"]["id"]
    with pytest.raises(HTTP404NotFoundError):
        walker.mc.post_message("jwalker", "dortiz", "Hi", "Hello", thread_id=foreign)
    with pytest.raises(HTTP404NotFoundError):
        walker.mc.post_message("jwalker", "dortiz", "Hi", "Hello", thread_id=2_000_000_000)
    # notifications take no replies
    note = every_thread(walker, "jwalker", "notifications")[0]["id"]
    with pytest.raises(HTTP400BadRequestError, match="notification"):
        walker.mc.post_message("jwalker", "dortiz", "Thanks", "Thank you", thread_id=note)


def test_inviting_and_offering_write_in_the_application_thread(writable_server: Server) -> None:
    manager = writable_server.client("hiring_manager")
    engineering = writable_server.team("acme:engineering")["reference"]
    jobs = manager.hr.get_jobs(engineering, status="open", page_size=100)["job"]
    job = next(j for j in jobs if j["title"] == "Payment provider integration")
    kowalski = writable_server.client("agency_provider")  # no candidate for this job yet
    reference = kowalski.hr.get_user("me")["reference"]
    assert "Payment provider integration" not in {a["job__title"] for a in applications(kowalski)}
    # post_offer without terms invites her: the invitation opens the application's thread
    invited = manager.hr.post_offer(
        job["reference"], provider_reference=reference, message_from_buyer="Would you like to talk about this job?"
    )["application"]
    (application,) = [a for a in applications(kowalski) if a["reference"] == invited["reference"]]
    key = application["job_key"]
    thread = kowalski.mc.get_thread_by_context("akowalski", key, application["reference"])
    assert [(p["sender"], p["body"]) for p in thread["posts"]] == [("dortiz", "Would you like to talk about this job?")]
    assert thread_named(kowalski, "akowalski", "inbox", "Payment provider integration")["id"] == thread["id"]
    assert thread["is_read"] == "0"
    # the offer answers her in the same thread
    manager.hr.post_offer(
        job["reference"],
        provider_reference=reference,
        message_from_buyer="Here is our offer.",
        fixed_charge_amount_agreed="3000",
    )
    after = manager.mc.get_thread_by_context("dortiz", key, application["reference"], last_posts=True)
    assert after["id"] == thread["id"] and after["post_count"] == "2"
    assert [(p["sender"], p["body"]) for p in after["posts"]] == [("dortiz", "Here is our offer.")]
    # she answers through the message center; the owner, in no part of it, sees nothing
    kowalski.mc.post_message("akowalski", "dortiz", "Re: Payment provider integration", "Thanks!", thread["id"])
    assert manager.mc.get_thread_by_context("dortiz", key, application["reference"])["post_count"] == "3"
    with pytest.raises(HTTP404NotFoundError):
        writable_server.client("owner").mc.get_thread_by_context("mhale", key, application["reference"])


def test_invite_to_interview_opens_the_application_thread(writable_server: Server) -> None:
    manager = writable_server.client("hiring_manager")
    walker = writable_server.client("provider")
    design = writable_server.team("acme:design")["reference"]
    jobs = manager.hr.get_jobs(design, status="open", page_size=100)["job"]
    job = next(j for j in jobs if j["title"] == "UX researcher for the checkout study")
    reference = walker.hr.get_user("me")["reference"]
    invited = manager.hr_v1.invite_to_interview(
        job["reference"], "We liked your research work.", provider_reference=reference
    )
    application = invited["application"]
    thread = walker.mc.get_thread_by_context("jwalker", application["job_key"], application["reference"])
    assert [(p["sender"], p["body"]) for p in thread["posts"]] == [("dortiz", "We liked your research work.")]
    assert thread["is_read"] == "0" and usernames(thread) == {"dortiz", "jwalker"}
    key, number = application["job_key"], application["reference"]
    assert manager.mc.get_thread_by_context("dortiz", key, number)["is_read"] == "1"
    # an offer through offers v1 on the same job answers him in the same thread
    manager.offers.send_client_offer(
        "UX research",
        "hourly",
        "55",
        "Our terms for the study.",
        contractor_username="jwalker",
        context={"job_posting_ref": key},
    )
    last = walker.mc.get_thread_by_context("jwalker", key, number, last_posts=True)
    assert (last["post_count"], last["posts"][0]["body"], last["is_read"]) == ("2", "Our terms for the study.", "0")


def test_two_replies_at_once_both_land(writable_server: Server) -> None:
    walker = writable_server.client("provider")
    manager = writable_server.client("hiring_manager")
    thread_id = walker.mc.post_message("jwalker", "dortiz", "At once", "First")["thread"]["id"]

    def answer(client: Any, uid: str, n: int) -> str:
        return client.mc.post_message(uid, "mhale", "At once", f"Reply {n}", thread_id=thread_id)["post"]["id"]

    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [
            pool.submit(answer, *pair, n) for n in range(3) for pair in ((walker, "jwalker"), (manager, "dortiz"))
        ]
        posted = {future.result() for future in futures}
    thread = writable_server.client("owner").mc.get_thread_content("mhale", thread_id)
    assert thread["post_count"] == "7" and {p["id"] for p in thread["posts"][1:]} == posted
    assert usernames(thread) == {"jwalker", "dortiz", "mhale"}
