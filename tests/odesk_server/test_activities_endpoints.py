"""Activities over HTTP (otask v1, tasks v2): every method, its documented errors, the demo roles, the batch.

Through the real app and database (SQLite and PostgreSQL). A company's
activities are its root team's: the company routes are the team routes with
the company's id as the team.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

import pytest
import sqlalchemy as sa
from hiring_helpers import Hiring, hiring
from oauth_signing import assert_error, consumer_signer, send

from odesk_server.models import Activity, ActivityAssignment, Engagement, Team, User

BASE = "/api/otask/v1/tasks/companies/acme:acme"
ENGINEERING = f"{BASE}/teams/acme:engineering"
COMPANY = f"{BASE}/teams/acme:acme"
TASK_KEYS = {
    "code",
    "description",
    "url",
    "status",
    "team__reference",
    "team__id",
    "team__name",
    "engagements",
    "created_time",
}


class Api(Hiring):
    def contract(self, uid: str, team: str, status: str = "active") -> str:
        """The reference of the first contract of ``uid`` with ``team`` in ``status``."""
        query = (
            sa.select(Engagement.reference)
            .join(User, User.id == Engagement.provider_user_id)
            .join(Team, Team.id == Engagement.buyer_team_id)
            .where(User.uid == uid, Team.team_id == team, Engagement.status == status)
            .order_by(Engagement.reference)
        )
        return str(self.scalar(query))

    def create(self, path: str, code: str, **extra: str) -> dict:
        params = {"code": code, "description": f"About {code}", "url": "http://example.com/" + code, **extra}
        return self.ok("hiring_manager", "POST", f"{path}/tasks.json", params)["task"]

    def batch(self, role: str, data: str) -> Any:
        """The response to the batch of ``data``, sent in a form body (a thousand lines outgrow a URL)."""
        signer = consumer_signer(self.credentials, role, placement="body")
        return send(self.client, signer, "PUT", "/api/otask/v1/tasks/companies/acme/tasks/batch.json", {"data": data})

    def activity_count(self) -> int:
        return int(self.scalar(sa.select(sa.func.count()).select_from(Activity)))


@pytest.fixture
def api(mutable_demo_database):
    """The demo without its activities: each test starts from teams that have none."""
    with hiring(mutable_demo_database, form_posts=True) as shared:
        with shared.engine.begin() as conn:
            conn.execute(sa.delete(ActivityAssignment))
            conn.execute(sa.delete(Activity))
        yield Api(shared.client, shared.credentials, shared.engine, form_posts=True)


def quoted(codes: str) -> str:
    return urllib.parse.quote(codes, safe="")


# --------------------------------------------------------------------------
# The life of an activity


def test_create_list_update_archive_unarchive(api: Api) -> None:
    contract = api.contract("jwalker", "acme:engineering")
    made = api.create(ENGINEERING, "T-17", engagements=contract)
    assert set(made) == TASK_KEYS
    assert made | {"created_time": ""} == {
        "code": "T-17",
        "description": "About T-17",
        "url": "http://example.com/T-17",
        "status": "active",
        "team__reference": api.team_reference("acme:engineering"),
        "team__id": "acme:engineering",
        "team__name": made["team__name"],
        "engagements": contract,
        "created_time": "",
    }
    api.create(ENGINEERING, "T-18")
    listed = api.ok("owner", "GET", f"{ENGINEERING}/tasks.json")["tasks"]
    assert [t["code"] for t in listed] == ["T-17", "T-18"]
    picked = api.ok("hiring_manager", "GET", f"{ENGINEERING}/tasks/{quoted('T-18;T-17')}.json")["tasks"]
    assert [t["code"] for t in picked] == ["T-18", "T-17"]

    changed = api.ok(
        "hiring_manager",
        "PUT",
        f"{ENGINEERING}/tasks/T-18.json",
        {"code": "T-18", "description": "New words", "url": "", "engagements": contract},
    )["task"]
    assert (changed["description"], changed["url"], changed["engagements"]) == ("New words", "", contract)

    archived = api.ok("hiring_manager", "PUT", f"{ENGINEERING}/archive/{quoted('T-17;T-18')}.json")["tasks"]
    assert [t["status"] for t in archived] == ["archived", "archived"]
    listed = api.ok("hiring_manager", "GET", f"{ENGINEERING}/tasks.json")["tasks"]
    assert [t["status"] for t in listed] == ["archived", "archived"]  # archived ones are listed too
    again = api.call("hiring_manager", "PUT", f"{ENGINEERING}/archive/T-17.json")
    assert_error(again, 400, "invalid_state", "'T-17' is already archived")
    back = api.ok("hiring_manager", "PUT", f"{ENGINEERING}/unarchive/T-17.json")["tasks"]
    assert [t["status"] for t in back] == ["active"]
    assert_error(api.call("hiring_manager", "PUT", f"{ENGINEERING}/unarchive/T-17.json"), 400, "invalid_state")


def test_company_activities_are_the_root_teams(api: Api) -> None:
    made = api.ok("owner", "POST", f"{COMPANY}/tasks.json", {"code": "C1", "description": "Company", "url": ""})
    assert made["task"]["team__id"] == "acme:acme"
    by_reference = str(api.credentials.company.reference)
    path = f"/api/otask/v1/tasks/companies/{by_reference}/teams/{by_reference}/tasks.json"
    assert [t["code"] for t in api.ok("owner", "GET", path)["tasks"]] == ["C1"]
    # the same code may live in another team
    api.create(ENGINEERING, "C1")


def test_all_in_company_and_engagements_override_it(api: Api) -> None:
    made = api.create(ENGINEERING, "ALL", all_in_company="1")
    open_contracts = api.scalar(
        sa.select(sa.func.count())
        .select_from(Engagement)
        .join(Team, Team.id == Engagement.buyer_team_id)
        .where(Team.team_id.in_(["acme:engineering", "acme:mobile"]), Engagement.status != "closed")
    )
    assert len(made["engagements"].split(";")) == open_contracts
    contract = api.contract("jwalker", "acme:engineering")
    made = api.create(ENGINEERING, "ONE", all_in_company="1", engagements=contract)
    assert made["engagements"] == contract


# --------------------------------------------------------------------------
# Assigning a contract, and reading a contract's activities


def test_assign_engagement_sets_exactly_the_codes(api: Api) -> None:
    contract = api.contract("jwalker", "acme:engineering")
    for code in ("A", "B", "C"):
        api.create(ENGINEERING, code)
    path = f"{ENGINEERING}/engagements/{contract}/tasks.json"
    assert [t["code"] for t in api.ok("hiring_manager", "PUT", path, {"tasks": "A;B"})["tasks"]] == ["A", "B"]
    assert [t["code"] for t in api.ok("hiring_manager", "PUT", path, {"tasks": "C"})["tasks"]] == ["C"]
    read = api.ok("provider", "GET", f"/api/tasks/v2/tasks/contracts/{contract}.json")["tasks"]
    assert [(t["code"], t["engagements"]) for t in read] == [("C", contract)]
    # python-odesk sends "None" for no codes: unassigned from all
    assert api.ok("hiring_manager", "PUT", path, {"tasks": "None"})["tasks"] == []
    assert api.ok("owner", "GET", f"/api/tasks/v2/tasks/contracts/{contract}.json")["tasks"] == []


ASSIGN_ERRORS = [
    ("unknown code", "jwalker-active", {"tasks": "NOPE"}, 404, "not_found", "'NOPE'"),
    ("archived code", "jwalker-active", {"tasks": "OLD"}, 400, "invalid_state", "'OLD' is archived"),
    ("unknown contract", "999999999", {"tasks": "A"}, 404, "not_found", "'999999999'"),
    ("closed contract", "closed", {"tasks": "A"}, 400, "invalid_state", "is closed"),
    ("bad code", "jwalker-active", {"tasks": "a/b"}, 400, "bad_request", "tasks must not hold"),
]


@pytest.mark.parametrize(
    ("case", "which", "params", "status", "code", "part"), ASSIGN_ERRORS, ids=[c[0] for c in ASSIGN_ERRORS]
)
def test_assign_engagement_errors(api: Api, case, which, params, status, code, part) -> None:
    api.create(ENGINEERING, "A")
    api.create(ENGINEERING, "OLD")
    api.ok("hiring_manager", "PUT", f"{ENGINEERING}/archive/OLD.json")
    contracts = {"jwalker-active": api.contract("jwalker", "acme:engineering")}
    closed = api.scalar(
        sa.select(Engagement.reference)
        .join(Team, Team.id == Engagement.buyer_team_id)
        .where(Team.team_id == "acme:engineering", Engagement.status == "closed")
        .order_by(Engagement.reference)
    )
    contracts["closed"] = str(closed)
    key = contracts.get(which, which)
    response = api.call("hiring_manager", "PUT", f"{ENGINEERING}/engagements/{key}/tasks.json", params)
    assert_error(response, status, code, part)


# --------------------------------------------------------------------------
# Documented errors of the other methods


ERRORS = [
    (
        "duplicate code",
        "POST",
        f"{ENGINEERING}/tasks.json",
        {"code": "A", "description": "x", "url": ""},
        400,
        "bad_request",
        "already has an activity 'A'",
    ),
    (
        "missing description",
        "POST",
        f"{ENGINEERING}/tasks.json",
        {"code": "N", "url": ""},
        400,
        "bad_request",
        "description is required",
    ),
    (
        "empty description",
        "POST",
        f"{ENGINEERING}/tasks.json",
        {"code": "N", "description": " ", "url": ""},
        400,
        "bad_request",
        "description must not be empty",
    ),
    (
        "code with ;",
        "POST",
        f"{ENGINEERING}/tasks.json",
        {"code": "a;b", "description": "x", "url": ""},
        400,
        "bad_request",
        "code must not hold",
    ),
    (
        "code too long",
        "POST",
        f"{ENGINEERING}/tasks.json",
        {"code": "x" * 65, "description": "x", "url": ""},
        400,
        "bad_request",
        "at most 64",
    ),
    (
        "bad url",
        "POST",
        f"{ENGINEERING}/tasks.json",
        {"code": "N", "description": "x", "url": "ftp://x"},
        400,
        "bad_request",
        "url must be empty or an http(s)",
    ),
    (
        "foreign contract",
        "POST",
        f"{ENGINEERING}/tasks.json",
        {"code": "N", "description": "x", "url": "", "engagements": "999999999"},
        400,
        "bad_request",
        "No contract '999999999'",
    ),
    (
        "update unknown",
        "PUT",
        f"{ENGINEERING}/tasks/NOPE.json",
        {"code": "NOPE", "description": "x", "url": ""},
        404,
        "not_found",
        "'NOPE'",
    ),
    ("specific unknown", "GET", f"{ENGINEERING}/tasks/{quoted('A;NOPE')}.json", {}, 404, "not_found", "'NOPE'"),
    ("archive unknown", "PUT", f"{ENGINEERING}/archive/NOPE.json", {}, 404, "not_found", "'NOPE'"),
    ("unknown team", "GET", f"{BASE}/teams/acme:nowhere/tasks.json", {}, 404, "not_found", "acme:nowhere"),
    (
        "team of another company",
        "GET",
        "/api/otask/v1/tasks/companies/brightcode:brightcode/teams/acme:engineering/tasks.json",
        {},
        404,
        "not_found",
        "",
    ),
    ("unknown contract v2", "GET", "/api/tasks/v2/tasks/contracts/999999999.json", {}, 404, "not_found", "999999999"),
]


@pytest.mark.parametrize(
    ("case", "method", "path", "params", "status", "code", "part"), ERRORS, ids=[c[0] for c in ERRORS]
)
def test_errors(api: Api, case, method, path, params, status, code, part) -> None:
    api.create(ENGINEERING, "A")
    assert_error(api.call("hiring_manager", method, path, params), status, code, part)


# --------------------------------------------------------------------------
# Who may: hiring permission on the team (or above); either side of a contract reads its activities


# role -> status of: list engineering's, create in engineering, list the company's, read jwalker's contract's
MATRIX = [
    ("owner", 200, 200, 200, 200),
    ("hiring_manager", 200, 200, 404, 200),
    ("finance", 404, 404, 404, 200),
    ("member", 404, 404, 404, 404),
    ("provider", 404, 404, 404, 200),
    ("agency_owner", 404, 404, 404, 404),
    ("staffing_manager", 404, 404, 404, 404),
]


@pytest.mark.parametrize(("role", "listing", "creating", "company", "contract"), MATRIX, ids=[m[0] for m in MATRIX])
def test_permission_matrix(api: Api, role, listing, creating, company, contract) -> None:
    reference = api.contract("jwalker", "acme:engineering")
    made = {"code": f"R-{role}", "description": "x", "url": ""}
    got = (
        api.call(role, "GET", f"{ENGINEERING}/tasks.json").status_code,
        api.call(role, "POST", f"{ENGINEERING}/tasks.json", made).status_code,
        api.call(role, "GET", f"{COMPANY}/tasks.json").status_code,
        api.call(role, "GET", f"/api/tasks/v2/tasks/contracts/{reference}.json").status_code,
    )
    assert got == (listing, creating, company, contract)


# --------------------------------------------------------------------------
# The batch


def test_batch_creates_and_updates_with_user_assignments(api: Api) -> None:
    api.create(ENGINEERING, "B1")
    contract = api.contract("jwalker", "acme:engineering")
    data = "<br>".join(
        [
            '"acme","","","T1","A Task","http://example.com"',
            '"acme","acme:engineering","jwalker","B1","Task 2",""',
            '"acme:acme","engineering","","B2","Task 3",""',
        ]
    )
    reply = api.ok("owner", "PUT", "/api/otask/v1/tasks/companies/acme/tasks/batch.json", {"data": data})
    assert (reply["created"], reply["updated"]) == ("2", "1")
    assert [(t["team__id"], t["code"], t["description"]) for t in reply["tasks"]] == [
        ("acme:acme", "T1", "A Task"),
        ("acme:engineering", "B1", "Task 2"),
        ("acme:engineering", "B2", "Task 3"),
    ]
    assert contract in reply["tasks"][1]["engagements"].split(";")


BATCH_ERRORS = [
    ("too few fields", '"acme","","","T1","A Task"', "line 2: has 5 fields"),
    ("bad code", '"acme","","","a;b","x",""', "line 2: taskid must not hold"),
    ("other company", '"brightcode","","","T9","x",""', "line 2: companyid 'brightcode'"),
    ("unmanaged team", '"acme","acme:marketing","","T9","x",""', "line 2: no team 'acme:marketing'"),
    ("user without contract", '"acme","acme:engineering","tbecker","T9","x",""', "line 2: the user 'tbecker'"),
    (
        "repeated code",
        '"acme","acme:engineering","","OK","again",""',
        "line 2: the activity 'OK' of acme:engineering is on line 1",
    ),
]


@pytest.mark.parametrize(("case", "line", "part"), BATCH_ERRORS, ids=[c[0] for c in BATCH_ERRORS])
def test_batch_names_the_bad_line_and_writes_nothing(api: Api, case, line, part) -> None:
    before = api.activity_count()
    data = '"acme","acme:engineering","","OK","fine",""<br>' + line
    response = api.batch("hiring_manager", data)
    assert_error(response, 400, "bad_request", part)
    assert api.activity_count() == before


def test_batch_of_a_thousand_lines(api: Api) -> None:
    data = "<br>".join(f'"acme","acme:engineering","","K{n:04}","Activity {n}",""' for n in range(1000))
    response = api.batch("hiring_manager", data)
    assert response.status_code == 200, response.text
    assert response.json()["created"] == "1000"
    assert api.activity_count() == 1000
    reply = api.batch("hiring_manager", data).json()
    assert (reply["created"], reply["updated"]) == ("0", "1000")


def test_batch_needs_hiring_permission_in_the_company(api: Api) -> None:
    data = '"acme","","","T1","x",""'
    for role in ("finance", "member", "provider", "agency_owner"):
        response = api.batch(role, data)
        assert_error(response, 404, "not_found")
    assert api.scalar(sa.select(sa.func.count()).select_from(ActivityAssignment)) == 0
