"""Jobs, invitations to interview and job profiles over HTTP, on a private copy of the demo.

``/api/hr/v2/jobs`` (list, get, post, update, delete), ``/api/hr/v1/jobs/{job}/candidates``
and ``/api/profiles/v1/jobs/{keys}``: each method's success, its documented
errors as tables (request -> status, code, message), the status moves as a
table of (status, action) -> status or error, and the permission matrix of
every demo role. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from hiring_helpers import Hiring, hiring
from oauth_signing import assert_error
from test_reports_access import UIDS

from odesk_server.models import Candidacy, Job

JOB_KEYS = {
    "reference",
    "job_key",
    "title",
    "job_type",
    "description",
    "visibility",
    "category",
    "subcategory",
    "subcategory2",
    "skills",
    "budget",
    "duration",
    "status",
    "cancel_reason",
    "start_date",
    "end_date",
    "created_time",
    "created_by",
    "buyer_team__reference",
    "buyer_team__id",
    "buyer_team__name",
    "buyer_company__reference",
    "buyer_company__name",
    "public_url",
    "num_candidates",
    "num_active_candidates",
    "num_new_candidates",
    "last_candidacy_access_time",
    "filled_date",
    "cancelled_date",
}
TODAY = dt.datetime.now(dt.UTC).date()


class Http(Hiring):
    """Signed requests as the demo roles (POST parameters as a form, as python-odesk sends them)."""

    def team(self, team_id: str) -> str:
        return self.team_reference(team_id)

    def post_job(self, role: str = "owner", team: str = "acme:engineering", **changes: str):
        return self.call(role, "POST", "/api/hr/v2/jobs.json", job_params(self.team(team), **changes))

    def new_job(self, team: str = "acme:engineering", **changes: str) -> dict[str, str]:
        response = self.post_job("owner", team, **changes)
        assert response.status_code == 200, response.text
        return response.json()["job"]

    def update(self, role: str, job: dict[str, str], **changes: str):
        params = {
            "buyer_team__reference": job["buyer_team__reference"],
            "title": job["title"],
            "description": job["description"],
            "visibility": job["visibility"],
            "status": job["status"],
            **changes,
        }
        return self.call(role, "PUT", f"/api/hr/v2/jobs/{job['reference']}.json", params)

    def delete(self, role: str, job: dict[str, str], reason: str = "41"):
        return self.call(role, "DELETE", f"/api/hr/v2/jobs/{job['reference']}.json", {"reason_code": reason})

    def invite(self, role: str, job: dict[str, str], **params: str):
        return self.call(role, "POST", f"/api/hr/v1/jobs/{job['reference']}/candidates.json", params)

    def candidacy_statuses(self, job: dict[str, str]) -> list[str]:
        rows = self.rows(
            sa.select(Candidacy.status)
            .join(Job, Job.id == Candidacy.job_id)
            .where(Job.reference == int(job["reference"]))
            .order_by(Candidacy.id)
        )
        return [row.status for row in rows]


def job_params(team_reference: str, **changes: str) -> dict[str, str]:
    params = {
        "buyer_team__reference": team_reference,
        "title": "Build a parts catalogue",
        "job_type": "hourly",
        "description": "A catalogue of widget parts, searchable.",
        "visibility": "public",
        "category": "Web Development",
        "subcategory": "Web Programming",
        "duration": "90",
        "skills": "python;sql",
    }
    params.update(changes)
    return {k: v for k, v in params.items() if v is not None}


@pytest.fixture
def http(mutable_demo_database) -> Iterator[Http]:
    with hiring(mutable_demo_database) as shared:
        yield Http(shared.client, shared.credentials, shared.engine, form_posts=True)


# --------------------------------------------------------------------------
# Success


def test_post_get_list_update_delete(http):
    posted = http.new_job(start_date=f"{TODAY + dt.timedelta(days=3):%m-%d-%Y}")
    assert set(posted) == JOB_KEYS
    assert all(isinstance(value, str) for value in posted.values())
    assert posted["job_key"].startswith("~~") and len(posted["job_key"]) == 18
    assert posted["public_url"].endswith("/jobs/" + posted["job_key"])
    assert {k: posted[k] for k in ("status", "job_type", "category", "subcategory", "duration", "budget")} == {
        "status": "open",
        "job_type": "hourly",
        "category": "Web Development",
        "subcategory": "Web Programming",
        "duration": "90",
        "budget": "",
    }
    assert posted["buyer_team__id"] == "acme:engineering" and posted["buyer_company__name"] == "Acme Widgets"
    assert posted["created_by"] == UIDS["owner"] and posted["skills"] == "python;sql"
    assert posted["start_date"] == f"{TODAY + dt.timedelta(days=3):%m-%d-%Y}"
    assert posted["num_candidates"] == "0" and posted["end_date"] == ""
    assert posted["created_time"].isdigit()

    got = http.call("hiring_manager", "GET", f"/api/hr/v2/jobs/{posted['reference']}.json").json()["job"]
    assert got == posted
    # The public key names the job too.
    assert http.call("owner", "GET", f"/api/hr/v2/jobs/{posted['job_key']}.json").json()["job"] == posted

    listed = http.call(
        "finance", "GET", "/api/hr/v2/jobs.json", {"buyer_team__reference": http.team("acme:engineering")}
    )
    assert listed.status_code == 200, listed.text
    jobs = listed.json()["jobs"]
    assert posted["reference"] in [job["reference"] for job in jobs["job"]]
    assert jobs["lister"]["paging"] == {"offset": "0", "count": "20"}

    updated = http.update("hiring_manager", posted, title="Parts catalogue v2", status="filled", budget="500")
    assert updated.status_code == 200, updated.text
    job = updated.json()["job"]
    assert (job["title"], job["status"], job["budget"]) == ("Parts catalogue v2", "filled", "500.00")
    assert job["filled_date"] == job["end_date"] == f"{dt.datetime.now(dt.UTC):%m-%d-%Y}"
    assert job["category"] == "Web Development"  # no category given: kept

    reopened = http.update("owner", job, status="open").json()["job"]
    assert (reopened["status"], reopened["end_date"]) == ("open", "")
    deleted = http.delete("owner", reopened, "67")
    assert deleted.status_code == 200, deleted.text
    cancelled = deleted.json()["job"]
    assert (cancelled["status"], cancelled["cancel_reason"]) == ("cancelled", "67")
    assert cancelled["cancelled_date"] != "" and cancelled["filled_date"] == ""


def test_fixed_price_job_with_subcategory2_only(http):
    job = http.new_job(
        job_type="fixed-price",
        budget="1500.5",
        duration=None,
        category=None,
        subcategory=None,
        subcategory2="Mobile Development",
        visibility="invite-only",
    )
    assert (job["budget"], job["duration"], job["subcategory2"], job["category"]) == (
        "1500.50",
        "",
        "Mobile Development",
        "",
    )
    assert job["start_date"] == f"{dt.datetime.now(dt.UTC):%m-%d-%Y}"  # starts immediately


def test_xml_answer(http):
    job = http.new_job()
    response = http.call("owner", "GET", f"/api/hr/v2/jobs/{job['reference']}.xml")
    assert response.status_code == 200
    assert ET.fromstring(response.text).findtext("job/job_key") == job["job_key"]


# --------------------------------------------------------------------------
# post_job's documented errors: (changes, status, code, part of the message)

POST_ERRORS = [
    ({"job_type": "daily"}, 400, "bad_request", "job_type must be hourly or fixed-price"),
    ({"visibility": "secret"}, 400, "bad_request", "visibility must be"),
    ({"category": None, "subcategory": None}, 400, "bad_request", "category and subcategory, or subcategory2"),
    ({"subcategory": None, "subcategory2": "Mobile Development"}, 400, "bad_request", "go together"),
    ({"subcategory": "Knitting"}, 400, "bad_request", "No subcategory 'Knitting'"),
    ({"category": "Writing & Translation"}, 400, "bad_request", "No subcategory 'Web Programming'"),
    ({"category": None, "subcategory": None, "subcategory2": "Knitting"}, 400, "bad_request", "No subcategory2"),
    ({"duration": None}, 400, "bad_request", "duration (in hours) is required for an hourly job"),
    ({"job_type": "fixed-price"}, 400, "bad_request", "budget is required for a fixed-price job"),
    ({"job_type": "fixed-price", "budget": "0"}, 400, "bad_request", "budget must be more than 0"),
    ({"job_type": "fixed-price", "budget": "12.345"}, 400, "bad_request", "at most two decimal places"),
    ({"duration": "0"}, 400, "bad_request", "duration must be a whole number of hours above 0"),
    ({"duration": "1.5"}, 400, "bad_request", "duration must be a whole number"),
    ({"start_date": "01-02-2001"}, 400, "bad_request", "start_date must be today"),
    ({"start_date": "31-31-2030"}, 400, "bad_request", "start_date must be a date"),
    ({"title": "  "}, 400, "bad_request", "title must not be empty"),
    ({"title": "x" * 201}, 400, "bad_request", "title must be at most 200"),
    ({"description": None}, 400, "bad_request", "description is required"),
    ({"skills": ";".join(f"s{i}" for i in range(51))}, 400, "bad_request", "at most 50 skills"),
    ({"buyer_team__reference": "999999999"}, 404, "not_found", "No team"),
    ({"buyer_team__reference": "brightcode:brightcode"}, 404, "not_found", "No team"),
]


@pytest.mark.parametrize(("changes", "status", "code", "message"), POST_ERRORS)
def test_post_job_errors(http, changes, status, code, message):
    params = job_params(http.team("acme:engineering"), **changes)
    assert_error(http.call("owner", "POST", "/api/hr/v2/jobs.json", params), status, code, message)


def test_update_and_delete_errors(http):
    job = http.new_job()
    ref = job["reference"]
    cases = [
        (http.update("owner", job, status="closed"), 400, "bad_request", "status must be open, filled or cancelled"),
        (http.update("owner", job, status=""), 400, "bad_request", "status must be"),
        (http.update("owner", job, category="Web Development", subcategory=""), 400, "bad_request", "go together"),
        (http.update("owner", job, budget="-5"), 400, "bad_request", "budget must be more than 0"),
        (
            http.update("owner", job, buyer_team__reference=http.team("acme:design")),
            400,
            "bad_request",
            "does not move between teams",
        ),
        (http.update("owner", {**job, "reference": "8999999"}), 404, "not_found", "No job"),
        (http.delete("owner", job, "12"), 400, "bad_request", "reason_code must be one of the documented"),
        (http.delete("owner", job, "abc"), 400, "bad_request", "reason_code must be one of"),
        (http.call("owner", "DELETE", f"/api/hr/v2/jobs/{ref}.json"), 400, "bad_request", "reason_code is required"),
    ]
    for response, status, code, message in cases:
        assert_error(response, status, code, message)
    # python-odesk 0.5.8 sent an absent category and subcategory as null: nothing changes.
    same = http.update("owner", job, category="", subcategory="").json()["job"]
    assert same["subcategory"] == "Web Programming"
    moved = http.update("owner", job, category="Writing & Translation", subcategory="Technical Writing")
    assert moved.status_code == 200, moved.text


# --------------------------------------------------------------------------
# Status moves: (status, action) -> status, or the invalid_state error

MOVES = [
    ("open", "open", "open"),
    ("open", "filled", "filled"),
    ("open", "cancelled", "cancelled"),
    ("open", "delete", "cancelled"),
    ("filled", "open", "open"),
    ("filled", "filled", "filled"),
    ("filled", "cancelled", "The job is filled; a filled job cannot be marked cancelled"),
    ("filled", "delete", "The job is filled; only an open job can be deleted"),
    ("cancelled", "open", "open"),
    ("cancelled", "cancelled", "cancelled"),
    ("cancelled", "filled", "The job is cancelled; a cancelled job cannot be marked filled"),
    ("cancelled", "delete", "The job is cancelled; only an open job can be deleted"),
]


def test_status_moves(http):
    for before, action, expected in MOVES:
        job = http.new_job()
        if before != "open":
            job = http.update("owner", job, status=before).json()["job"]
        response = http.delete("owner", job) if action == "delete" else http.update("owner", job, status=action)
        if expected.startswith("The job"):
            assert_error(response, 400, "invalid_state", expected)
        else:
            assert response.status_code == 200, (before, action, response.text)
            assert response.json()["job"]["status"] == expected, (before, action)


# --------------------------------------------------------------------------
# Permissions: every demo role on a job of acme:engineering

READ = {
    "owner": 200,
    "hiring_manager": 200,
    "finance": 200,
    "member": 404,
    "provider": 403,  # a contractor on the team sees it, without hiring or finance permission
    "agency_owner": 404,
    "staffing_manager": 404,
    "agency_provider": 404,
}
WRITE = {**READ, "finance": 403}


@pytest.mark.parametrize("role", sorted(UIDS))
def test_permission_matrix(http, role):
    job = http.new_job(visibility="private")
    team = http.team("acme:engineering")
    requests = {
        "get_jobs": (READ, http.call(role, "GET", "/api/hr/v2/jobs.json", {"buyer_team__reference": team})),
        "get_job": (READ, http.call(role, "GET", f"/api/hr/v2/jobs/{job['reference']}.json")),
        "post_job": (WRITE, http.post_job(role)),
        "update_job": (WRITE, http.update(role, job, title="Renamed")),
        "invite_to_interview": (
            WRITE,
            http.invite(role, job, cover="Come", profile_key=http.user("akowalski").profile_key),
        ),
        "delete_job": (WRITE, http.delete(role, job)),
        "get_job_profile": (READ, http.call(role, "GET", f"/api/profiles/v1/jobs/{job['job_key']}.json")),
    }
    for method, (expected, response) in requests.items():
        if expected[role] == 200:
            assert response.status_code == 200, (method, response.text)
        elif expected[role] == 403:
            # The profile of a private job is not found for who may not read the team's jobs.
            if method == "get_job_profile":
                assert_error(response, 404, "not_found", "No job")
            else:
                assert_error(response, 403, "access_denied", "permission")
        else:
            assert_error(response, 404, "not_found", "No ")


# --------------------------------------------------------------------------
# Listing


def test_get_jobs_filters_paging_and_order(http):
    engineering, mobile = http.team("acme:engineering"), http.team("acme:mobile")
    first = http.new_job(title="Alpha")
    second = http.new_job(title="Beta")
    below = http.new_job(team="acme:mobile", title="Gamma")
    http.update("owner", second, status="filled")
    by_hiring = http.call("hiring_manager", "POST", "/api/hr/v2/jobs.json", job_params(engineering, title="Delta"))
    delta = by_hiring.json()["job"]

    def listing(**params: str) -> dict[str, Any]:
        response = http.call("owner", "GET", "/api/hr/v2/jobs.json", {"buyer_team__reference": engineering, **params})
        assert response.status_code == 200, response.text
        return response.json()["jobs"]

    def refs(**params: str) -> list[str]:
        return [job["reference"] for job in listing(**params)["job"]]

    ours = {first["reference"], second["reference"], delta["reference"]}
    assert ours <= set(refs()) and below["reference"] not in refs()
    assert below["reference"] in refs(include_sub_teams="True")
    assert below["reference"] not in refs(include_sub_teams="False")
    assert second["reference"] not in refs(status="open") and second["reference"] in refs(status="open;filled")
    assert [r for r in refs(created_by=UIDS["hiring_manager"]) if r in ours] == [delta["reference"]]
    assert refs(created_by="nobody-at-all") == []
    now = dt.datetime.now(dt.UTC)
    assert ours <= set(refs(created_time_from=f"{now - dt.timedelta(hours=1):%Y-%m-%dT%H:%M:%S}"))
    assert refs(created_time_to="2009-02-20T11:59:59") == []
    mine = [r for r in refs(order_by="title;D") if r in ours]
    assert mine == [delta["reference"], second["reference"], first["reference"]]
    page = listing(page="1;2", order_by="created_time;D")
    assert page["lister"]["paging"] == {"offset": "1", "count": "2"} and len(page["job"]) <= 2
    assert page["lister"]["sort"] == "created_time;D"
    assert int(page["lister"]["total_items"]) >= 3
    for params, message in [
        ({"order_by": "salary"}, "order_by must be fields among"),
        ({"order_by": "title;created_time;D"}, "one direction (A or D) per field"),
        ({"status": "closed"}, "status must be open, filled or cancelled"),
        ({"page": "0;0"}, "page must be offset;count"),
        ({"created_time_from": "yesterday"}, "created_time_from must be a timestamp"),
        ({"include_sub_teams": "perhaps"}, "include_sub_teams must be true or false"),
    ]:
        assert_error(
            http.call("owner", "GET", "/api/hr/v2/jobs.json", {"buyer_team__reference": engineering, **params}),
            400,
            "bad_request",
            message,
        )
    assert_error(http.call("owner", "GET", "/api/hr/v2/jobs.json"), 400, "bad_request", "buyer_team__reference")
    assert mobile  # the sub-team is listed above through include_sub_teams


# --------------------------------------------------------------------------
# Invitations


def test_invite_to_interview(http):
    job = http.new_job()
    provider, agency_provider = http.user("jwalker"), http.user("akowalski")
    invited = http.invite("hiring_manager", job, cover="Please interview", provider__reference=str(provider.reference))
    assert invited.status_code == 200, invited.text
    application = invited.json()["application"]
    assert {k: application[k] for k in ("job__reference", "provider__id", "origin", "status", "cover")} == {
        "job__reference": job["reference"],
        "provider__id": "jwalker",
        "origin": "invitation",
        "status": "invited",
        "cover": "Please interview",
    }
    by_key = http.invite("owner", job, cover="You too", profile_key=agency_provider.profile_key)
    assert by_key.status_code == 200, by_key.text
    counted = http.call("owner", "GET", f"/api/hr/v2/jobs/{job['reference']}.json").json()["job"]
    assert (counted["num_candidates"], counted["num_active_candidates"], counted["num_new_candidates"]) == (
        "2",
        "2",
        "0",  # invitations are the buyer's own doing, not new applications
    )

    cases = [
        (
            http.invite("owner", job, cover="Again", provider__reference=str(provider.reference)),
            "invalid_state",
            f"already has a candidacy for this job (application {application['reference']}, status invited)",
        ),
        (http.invite("owner", job, cover="Hi"), "bad_request", "Give provider__reference or profile_key"),
        (http.invite("owner", job, cover="Hi", profile_key="~~0000000000000000"), "bad_request", "No active provider"),
        (
            http.invite("owner", job, cover="Hi", provider__reference=str(http.user("mhale").reference)),
            "bad_request",
            "No active provider",
        ),
        (http.invite("owner", job, profile_key=agency_provider.profile_key), "bad_request", "cover is required"),
        (http.invite("owner", job, cover=" ", profile_key="~~x"), "bad_request", "No active provider"),
    ]
    for response, code, message in cases:
        assert_error(response, 400, code, message)

    # Closing the job withdraws the invitations still waiting; a closed job takes no more.
    filled = http.update("owner", job, status="filled").json()["job"]
    assert filled["num_active_candidates"] == "0"
    assert http.candidacy_statuses(job) == ["withdrawn", "withdrawn"]
    other = http.user("akowalski")
    assert_error(
        http.invite("owner", filled, cover="Hi", profile_key=other.profile_key),
        400,
        "invalid_state",
        "The job is filled; only an open job takes invitations",
    )
    assert_error(
        http.invite("owner", {"reference": "8999999"}, cover="Hi", profile_key=other.profile_key),
        404,
        "not_found",
        "No job",
    )


# --------------------------------------------------------------------------
# Job profiles


def test_job_profiles(http):
    public = http.new_job(title="Public one", skills="python;sql")
    odesk = http.new_job(title="Logged-in only", visibility="odesk")
    private = http.new_job(title="Private one", visibility="private")

    def profile(role: str, key: str):
        return http.call(role, "GET", f"/api/profiles/v1/jobs/{key}.json")

    one = profile("agency_owner", public["job_key"])
    assert one.status_code == 200, one.text
    body = one.json()["profiles"]["profile"]
    assert body["ciphertext"] == public["job_key"] and body["op_title"] == "Public one"
    assert body["op_required_skills"] == {"op_required_skill": [{"skill": "python"}, {"skill": "sql"}]}
    assert body["job_category_level_one"] == "Web Development"
    assert all(isinstance(v, str) for k, v in body.items() if k != "op_required_skills")
    by_reference = profile("member", public["reference"]).json()["profiles"]["profile"]
    assert by_reference == body

    several = profile("provider", f"{odesk['job_key']};{public['job_key']}").json()["profiles"]["profile"]
    assert [p["ciphertext"] for p in several] == [odesk["job_key"], public["job_key"]]

    assert profile("finance", private["job_key"]).status_code == 200
    assert_error(profile("member", private["job_key"]), 404, "not_found", private["job_key"])
    assert_error(profile("provider", f"{public['job_key']};{private['job_key']}"), 404, "not_found", "No job")
    assert_error(profile("owner", "~~0123456789abcdef"), 404, "not_found", "~~0123456789abcdef")
    assert_error(
        profile("owner", f"{public['job_key']};{public['reference']}"), 400, "bad_request", "keys (~~...) only"
    )
    too_many = ";".join(f"~~{i:016x}" for i in range(21))
    assert_error(profile("owner", too_many), 400, "bad_request", "At most 20 job keys")
