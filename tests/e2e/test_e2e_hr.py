"""Organisation endpoints through the client's HR router, checked against the demo's credentials JSON."""

from __future__ import annotations

import pytest

from odesk.exceptions import HTTP404NotFoundError
from tests.e2e.e2e_support import Server

# Who sees which teams in the demo organisation (docs/permissions.md: a role on a team
# shows it and every team below it; the owner sees every team of the company).
VISIBLE_TEAMS = {
    "owner": ["acme:acme", "acme:engineering", "acme:mobile", "acme:design", "acme:marketing"],
    "hiring_manager": ["acme:engineering", "acme:mobile", "acme:design"],
    "finance": ["acme:acme", "acme:engineering", "acme:mobile", "acme:design", "acme:marketing"],
    "agency_owner": ["brightcode:brightcode"],
    "staffing_manager": ["brightcode:brightcode"],
    "provider": ["acme:engineering", "acme:mobile"],
    "agency_provider": ["acme:mobile", "brightcode:brightcode"],
    "member": ["acme:marketing"],
}
ROLE_PERMISSIONS = {
    "owner": {"acme:acme": {"manage_employment", "manage_finance", "manage_recruiting", "manage_teamroom"}},
    "hiring_manager": {
        "acme:engineering": {"manage_employment", "manage_recruiting", "manage_teamroom"},
        "acme:design": {"manage_employment", "manage_recruiting"},
    },
    "finance": {"acme:acme": {"manage_finance"}},
    "agency_owner": {
        "brightcode:brightcode": {
            "manage_employment",
            "manage_finance",
            "manage_recruiting",
            "manage_teamroom",
            "staffing_manager",
        }
    },
    "staffing_manager": {"brightcode:brightcode": {"manage_employment", "staffing_manager"}},
    "provider": {"acme:engineering": set()},
    "agency_provider": {"acme:mobile": set(), "brightcode:brightcode": set()},
    "member": {"acme:marketing": set()},
}


@pytest.mark.parametrize("role", sorted(VISIBLE_TEAMS))
def test_me_is_the_token_owner(server: Server, role: str) -> None:
    client = server.client(role)
    me = client.hr.get_user("me")
    assert me["id"] == server.role(role).uid
    assert client.hr.get_user_me() == me
    assert client.hr.get_user(me["reference"]) == me
    assert client.hr.get_user(me["id"]) == me
    assert me["status"] == "active"
    assert me["is_provider"] == ("1" if role in ("provider", "agency_provider") else "0")


@pytest.mark.parametrize("role", sorted(VISIBLE_TEAMS))
def test_teams_seen_by_each_role(server: Server, role: str) -> None:
    teams = server.client(role).hr.get_teams()
    assert [team["id"] for team in teams] == VISIBLE_TEAMS[role]
    known = {team["id"]: team for team in server.credentials["teams"]}
    for team in teams:
        if team["id"] in known:
            assert team["reference"] == str(known[team["id"]]["reference"])
            assert team["name"] == known[team["id"]]["name"]


@pytest.mark.parametrize("role", sorted(ROLE_PERMISSIONS))
def test_user_roles_and_permissions(server: Server, role: str) -> None:
    roles = server.client(role).hr.get_user_roles()["userrole"]
    got = {r["team__id"]: set(r["permissions"]["permission"]) for r in roles}
    assert got == ROLE_PERMISSIONS[role]
    assert {r["user__id"] for r in roles} == {server.role(role).uid}


def test_companies_and_company(server: Server) -> None:
    client = server.client("owner")
    company = server.credentials["company"]
    companies = client.hr.get_companies()
    assert [(c["company_id"], c["reference"]) for c in companies] == [(company["id"], str(company["reference"]))]
    by_id = client.hr.get_company(company["id"])
    assert by_id == client.hr.get_company(company["reference"]) == companies[0]
    assert by_id["owner_user_id"] == server.role("owner").uid
    agency = server.credentials["agency"]
    assert [c["company_id"] for c in server.client("staffing_manager").hr.get_companies()] == [agency["id"]]
    assert server.client("staffing_manager").hr.get_company(agency["reference"])["company_id"] == agency["id"]


def test_company_teams_are_the_demo_teams(server: Server) -> None:
    teams = server.client("owner").hr.get_company_teams(server.credentials["company"]["reference"])
    assert [(t["id"], t["reference"], t["name"]) for t in teams] == [
        (t["id"], str(t["reference"]), t["name"]) for t in server.credentials["teams"]
    ]
    parents = {t["id"]: t["parent_team__id"] for t in teams}
    assert parents["acme:mobile"] == "acme:engineering"
    assert parents["acme:engineering"] == "acme:acme"


def test_company_users(server: Server) -> None:
    company = server.credentials["company"]["id"]
    users = server.client("owner").hr.get_company_users(company)
    uids = [u["id"] for u in users]
    for role in ("owner", "hiring_manager", "finance", "member", "provider", "agency_provider"):
        assert server.role(role).uid in uids
    assert server.role("staffing_manager").uid not in uids
    assert len(uids) == len(set(uids))
    assert server.client("owner").hr.get_company_users(company, active=False) == []


def test_team_and_team_users(server: Server) -> None:
    client = server.client("hiring_manager")
    engineering = server.team("acme:engineering")
    team = client.hr.get_team(engineering["reference"])
    assert (team["id"], team["name"]) == (engineering["id"], engineering["name"])
    # the router returns r["team"] as 0.5.8 did; the users travel beside it on the wire
    assert client.hr.get_team(engineering["id"], include_users=True) == team
    raw = client.get(f"{server.base_url}/api/hr/v2/teams/{engineering['id']}", {"include_users": "True"})
    team_users = client.hr.get_team_users(engineering["id"])
    assert [u["id"] for u in raw["users"]] == [u["id"] for u in team_users]
    uids = {u["id"] for u in team_users}
    assert {server.role("hiring_manager").uid, server.role("provider").uid} <= uids
    assert "users" not in client.hr.get(f"teams/{engineering['id']}", {"include_users": "False"})


@pytest.mark.parametrize(
    ("role", "call", "message"),
    [
        ("owner", ("get_company", "nosuch:company"), "No company with reference or id 'nosuch:company'"),
        ("owner", ("get_company", "999999999"), "No company with reference or id '999999999'"),
        ("owner", ("get_team", "acme:nosuch"), "No team with reference or id 'acme:nosuch'"),
        ("owner", ("get_user", "nobody-here"), "No user with reference or id 'nobody-here'"),
        ("owner", ("get_company_teams", "nosuch:company"), "No company with reference or id 'nosuch:company'"),
        # an existing object the caller may not see looks exactly like an unknown one
        ("staffing_manager", ("get_company", "acme:acme"), "No company with reference or id 'acme:acme'"),
        ("member", ("get_team_users", "acme:engineering"), "No team with reference or id 'acme:engineering'"),
        ("member", ("get_user", "jwalker"), "No user with reference or id 'jwalker'"),
    ],
)
def test_unknown_or_invisible_is_404(server: Server, role: str, call: tuple[str, str], message: str) -> None:
    method, argument = call
    with pytest.raises(HTTP404NotFoundError) as caught:
        getattr(server.client(role).hr, method)(argument)
    error = caught.value
    assert (error.code, error.error_code, error.error_message) == (404, "not_found", message)
    assert str(error) == f"HTTP Error 404: Code not_found: {message}"


def test_xml_suffix(server: Server) -> None:
    response = server.signed_get("owner", "/api/hr/v2/teams.xml")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(("application/xml", "text/xml"))
    for team in server.credentials["teams"]:
        assert f"<id>{team['id']}</id>" in response.text
