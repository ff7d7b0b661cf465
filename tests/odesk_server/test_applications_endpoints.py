"""HR v3 (and v4) applications over HTTP: the client's and the contractor's listings of candidacies.

On a copy of the demo (SQLite and PostgreSQL) with two jobs and their
candidacies written here: who sees which candidacy, what each status word
keeps, paging and the documented errors.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from hiring_helpers import Hiring, hiring
from oauth_signing import assert_error

from odesk_server.models import Candidacy, Job, Team, User

ENGINEERING_JOB = "~~00000000000e0001"
MARKETING_JOB = "~~00000000000e0002"
# provider -> (job, status, shortlisted, hidden, through the agency)
CANDIDACIES = [
    ("jwalker", ENGINEERING_JOB, "invited", False, False, False),
    ("akowalski", ENGINEERING_JOB, "interviewing", True, False, True),
    ("other", ENGINEERING_JOB, "offered", False, True, False),
    ("other2", ENGINEERING_JOB, "hired", False, False, False),
    ("other3", ENGINEERING_JOB, "declined", False, False, False),
    ("jwalker", MARKETING_JOB, "interviewing", False, False, False),
]


class Applications(Hiring):
    """Signed requests as the demo roles, on a demo copy holding the candidacies above."""

    references: dict[tuple[str, str], int]
    uids: dict[str, str]
    agency_team: str

    def write(self) -> None:
        self.references = {}
        with self.engine.begin() as connection:
            self._write(connection)

    def _write(self, connection) -> None:
        users = dict(connection.execute(sa.select(User.uid, User.id)).all())
        others = connection.execute(
            sa.select(User.uid)
            .where(User.is_provider.is_(True), User.uid.not_in(["jwalker", "akowalski"]))
            .order_by(User.id)
            .limit(3)
        ).scalars()
        self.uids = {"jwalker": "jwalker", "akowalski": "akowalski", **dict(zip(("other", "other2", "other3"), others))}
        teams = dict(connection.execute(sa.select(Team.team_id, Team.id)).all())
        self.agency_team = str(
            connection.execute(sa.select(Team.reference).where(Team.team_id == "brightcode:brightcode")).scalar_one()
        )
        owner = users[self.credentials.roles["owner"].uid]
        jobs = {}
        for number, (key, team) in enumerate(
            ((ENGINEERING_JOB, "acme:engineering"), (MARKETING_JOB, "acme:marketing"))
        ):
            jobs[key] = connection.execute(
                sa.insert(Job)
                .values(
                    reference=8_900_000 + number,
                    job_key=key,
                    buyer_team_id=teams[team],
                    created_by_user_id=owner,
                    title=f"Job on {team}",
                    job_type="hourly",
                    description="Work",
                    visibility="public",
                    status="open",
                )
                .returning(Job.id)
            ).scalar_one()
        for number, (who, key, status, shortlisted, hidden, agency) in enumerate(CANDIDACIES):
            reference = 10_900_000 + number
            self.references[(who, key)] = reference
            connection.execute(
                sa.insert(Candidacy).values(
                    reference=reference,
                    job_id=jobs[key],
                    provider_user_id=users[self.uids[who]],
                    provider_team_id=teams["brightcode:brightcode"] if agency else None,
                    origin="invitation" if status == "invited" else "application",
                    status=status,
                    cover="Hello",
                    is_shortlisted=shortlisted,
                    is_hidden=hidden,
                )
            )

    def get(self, role: str, path: str, params=None):
        return self.call(role, "GET", path, params)

    def team(self, team_id: str) -> str:
        return self.team_reference(team_id)


@pytest.fixture
def apps(mutable_demo_database):
    with hiring(mutable_demo_database) as shared:
        applications = Applications(shared.client, shared.credentials, shared.engine)
        applications.write()
        yield applications


def _refs(response) -> set[int]:
    assert response.status_code == 200, response.text
    return {int(a["reference"]) for a in response.json()["applications"]["application"]}


def _client_list(apps, role: str, version: str = "v3", **params):
    query = {"buyer_team__reference": apps.team("acme:engineering"), "job_key": ENGINEERING_JOB, **params}
    return apps.get(role, f"/api/hr/{version}/clients/applications.json", query)


# status word -> the candidacies (provider, job) it keeps on the engineering job
CLIENT_STATUS = [
    (None, {"jwalker", "akowalski", "other", "other2", "other3"}),
    ("shortlisted", {"akowalski"}),
    ("hidden", {"other"}),
    ("messaged", {"akowalski", "other", "other2"}),
    ("offered", {"other"}),
    ("hired", {"other2"}),
    ("declined", {"other3"}),
]


def test_client_listing_by_status(apps):
    for status, who in CLIENT_STATUS:
        params = {"status": status} if status else {}
        for version in ("v3", "v4"):
            expected = {apps.references[(w, ENGINEERING_JOB)] for w in who}
            assert _refs(_client_list(apps, "owner", version, **params)) == expected, (status, version)


def test_client_listing_pages_and_filters(apps):
    everything = _client_list(apps, "hiring_manager", page="None;None").json()["applications"]
    assert everything["lister"]["total_items"] == "5"
    page = _client_list(apps, "owner", page="1;2", order_by="reference;D").json()["applications"]
    ordered = sorted(
        (apps.references[(w, ENGINEERING_JOB)] for w in ("jwalker", "akowalski", "other", "other2", "other3")),
        reverse=True,
    )
    assert [int(a["reference"]) for a in page["application"]] == ordered[1:3]
    assert _refs(_client_list(apps, "owner", agency_team__reference=apps.agency_team)) == {
        apps.references[("akowalski", ENGINEERING_JOB)]
    }
    application = page["application"][0]
    assert application["job_key"] == ENGINEERING_JOB and application["buyer_team__id"] == "acme:engineering"


# role -> status of the client listing of the engineering job
CLIENT_MATRIX = [
    ("owner", 200),
    ("hiring_manager", 200),
    ("finance", 200),
    ("provider", 403),  # a contractor on the team sees it, without hiring or finance permission
    ("agency_owner", 404),
    ("staffing_manager", 404),
    ("agency_provider", 404),
    ("member", 404),
]


@pytest.mark.parametrize(("role", "status"), CLIENT_MATRIX)
def test_who_lists_a_jobs_applications(apps, role, status):
    listing = _client_list(apps, role)
    one = apps.get(
        role,
        f"/api/hr/v3/clients/applications/{apps.references[('jwalker', ENGINEERING_JOB)]}.json",
        {"buyer_team__reference": apps.team("acme:engineering")},
    )
    for response in (listing, one):
        if status == 200:
            assert response.status_code == 200, response.text
        else:
            assert_error(response, status, {403: "access_denied", 404: "not_found"}[status])


@pytest.mark.parametrize(
    ("params", "status", "code", "part"),
    [
        ({"status": "pending"}, 400, "bad_request", "status"),
        ({"order_by": "title"}, 400, "bad_request", "order_by"),
        ({"job_key": "~~ffffffffffffffff"}, 404, "not_found", "~~ffffffffffffffff"),
        ({"job_key": MARKETING_JOB}, 404, "not_found", MARKETING_JOB),  # a job of another team
        ({"job_key": ""}, 404, "not_found", ""),
    ],
)
def test_client_listing_errors(apps, params, status, code, part):
    assert_error(_client_list(apps, "owner", **params), status, code, part)


def test_client_listing_needs_the_team_and_the_job(apps):
    response = apps.get("owner", "/api/hr/v3/clients/applications.json", {"job_key": ENGINEERING_JOB})
    assert_error(response, 400, "bad_request", "buyer_team__reference")
    response = apps.get("owner", "/api/hr/v3/clients/applications.json", {"buyer_team__reference": "acme:acme"})
    assert_error(response, 400, "bad_request", "job_key")


def test_client_application_of_another_team_is_not_found(apps):
    marketing = apps.references[("jwalker", MARKETING_JOB)]
    params = {"buyer_team__reference": apps.team("acme:engineering")}
    assert_error(apps.get("owner", f"/api/hr/v3/clients/applications/{marketing}.json", params), 404, "not_found")
    params = {"buyer_team__reference": apps.team("acme:acme")}  # the team above both
    response = apps.get("owner", f"/api/hr/v4/clients/applications/{marketing}.json", params)
    assert response.status_code == 200 and response.json()["application"]["job_key"] == MARKETING_JOB


# role, status word -> the candidacies the contractor's listing shows
FREELANCER_LISTINGS = [
    ("provider", None, {("jwalker", ENGINEERING_JOB), ("jwalker", MARKETING_JOB)}),
    ("provider", "invites", {("jwalker", ENGINEERING_JOB)}),
    ("provider", "interviews", {("jwalker", MARKETING_JOB)}),
    ("provider", "active", {("jwalker", ENGINEERING_JOB), ("jwalker", MARKETING_JOB)}),
    ("agency_provider", None, {("akowalski", ENGINEERING_JOB)}),
    ("staffing_manager", "interviews", {("akowalski", ENGINEERING_JOB)}),
    ("agency_owner", None, {("akowalski", ENGINEERING_JOB)}),
    ("owner", None, set()),
    ("member", "active", set()),
]


@pytest.mark.parametrize(("role", "status", "expected"), FREELANCER_LISTINGS)
def test_freelancer_listing(apps, role, status, expected):
    params = {"status": status} if status else {}
    for version in ("v3", "v4"):
        response = apps.get(role, f"/api/hr/{version}/contractors/applications.json", params)
        # The demo's own candidacies aside.
        assert _refs(response) & set(apps.references.values()) == {apps.references[key] for key in expected}


@pytest.mark.parametrize(
    ("role", "key", "status"),
    [
        ("provider", ("jwalker", ENGINEERING_JOB), 200),
        ("provider", ("akowalski", ENGINEERING_JOB), 404),
        ("staffing_manager", ("akowalski", ENGINEERING_JOB), 200),
        ("staffing_manager", ("jwalker", ENGINEERING_JOB), 404),
        ("owner", ("jwalker", ENGINEERING_JOB), 404),  # the client reads it on the client route
        ("member", ("jwalker", MARKETING_JOB), 404),
    ],
)
def test_freelancer_application(apps, role, key, status):
    reference = apps.references[key]
    response = apps.get(role, f"/api/hr/v3/contractors/applications/{reference}.json")
    if status == 200:
        assert response.status_code == 200, response.text
        assert response.json()["application"]["reference"] == str(reference)
    else:
        assert_error(response, 404, "not_found", str(reference))


def test_freelancer_errors(apps):
    response = apps.get("provider", "/api/hr/v3/contractors/applications.json", {"status": "hired"})
    assert_error(response, 400, "bad_request", "status")
    for key in ("x", "999999999"):
        assert_error(apps.get("provider", f"/api/hr/v3/contractors/applications/{key}.json"), 404, "not_found", key)
