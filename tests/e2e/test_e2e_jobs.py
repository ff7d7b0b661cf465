"""Jobs through the real client against the real server: post, list, update, profile, invite, delete.

Written as a script against python-odesk's documentation would be, on a
server of the module's own (``writable_server``), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

import pytest

from odesk.exceptions import HTTP400BadRequestError, HTTP404NotFoundError
from tests.e2e.e2e_support import Server


def test_the_life_of_a_job(writable_server: Server) -> None:
    owner = writable_server.client("owner")
    engineering = writable_server.team("acme:engineering")["reference"]
    start = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=7)

    posted = owner.hr.post_job(
        engineering,
        "Port the catalogue to mobile",
        "fixed-price",
        "The parts catalogue, on phones.",
        "public",
        category="Web Development",
        subcategory="Web Programming",
        budget=750,
        start_date=f"{start:%m-%d-%Y}",
        skills=["python", "swift"],
    )["job"]
    assert (posted["status"], posted["budget"], posted["skills"]) == ("open", "750.00", "python;swift")
    reference, key = posted["reference"], posted["job_key"]

    jobs = owner.hr.get_jobs(engineering, status="open", order_by="created_time;D")
    assert jobs["job"][0]["reference"] == reference
    assert writable_server.client("finance").hr.get_job(reference) == posted

    updated = owner.hr.update_job(
        reference,
        engineering,
        "Port the catalogue to iOS",
        "The parts catalogue, on iPhones.",
        "odesk",
        budget=900,
        status="open",
    )["job"]
    assert (updated["title"], updated["budget"], updated["visibility"]) == (
        "Port the catalogue to iOS",
        "900.00",
        "odesk",
    )

    # Anyone signed in reads the profile of an odesk-visible job, by key or in a list.
    profile = writable_server.client("agency_provider").job.get_job_profile(key)
    assert (profile["ciphertext"], profile["op_title"]) == (key, "Port the catalogue to iOS")
    second = owner.hr.post_job(
        engineering,
        "Second job",
        "hourly",
        "Hours of work.",
        "public",
        "Web Development",
        "Web Programming",
        duration=40,
    )["job"]
    listed = writable_server.client("member").job.get_job_profile([key, second["job_key"]])
    assert [p["ciphertext"] for p in listed] == [key, second["job_key"]]

    provider = writable_server.client("provider").hr.get_user_me()
    invited = writable_server.client("hiring_manager").hr_v1.invite_to_interview(
        reference, "We liked your catalogue work.", provider_reference=provider["reference"]
    )
    assert invited["application"]["status"] == "invited"
    assert owner.hr.get_job(reference)["num_candidates"] == "1"
    with pytest.raises(HTTP400BadRequestError):
        owner.hr_v1.invite_to_interview(reference, "Again", provider_reference=provider["reference"])

    cancelled = owner.hr.delete_job(reference, 41)["job"]
    assert (cancelled["status"], cancelled["cancel_reason"]) == ("cancelled", "41")
    with pytest.raises(HTTP400BadRequestError):
        owner.hr.delete_job(reference, 41)
    with pytest.raises(HTTP400BadRequestError):
        owner.hr.delete_job(second["reference"], 12)
    # A member of another team does not see the job at all.
    with pytest.raises(HTTP404NotFoundError):
        writable_server.client("member").hr.get_job(reference)
