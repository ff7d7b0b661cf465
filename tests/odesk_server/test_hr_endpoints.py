"""``/api/hr/v2``: every endpoint x demo roles -> status and body shape; refs; injection attempts."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from oauth_signing import AppCache, assert_error, consumer_signer, send, served_app

USER_KEYS = {
    "reference",
    "id",
    "first_name",
    "last_name",
    "status",
    "timezone",
    "timezone_offset",
    "public_url",
    "is_provider",
}
COMPANY_KEYS = {"reference", "company_id", "name", "status", "owner_user_id"}
TEAM_KEYS = {
    "reference",
    "id",
    "name",
    "status",
    "parent_team__reference",
    "parent_team__id",
    "parent_team__name",
    "company__reference",
    "company_name",
    "is_hidden",
}
USERROLE_KEYS = {
    "reference",
    "user__id",
    "user__reference",
    "user__first_name",
    "user__last_name",
    "team__id",
    "team__name",
    "team__reference",
    "parent_team__id",
    "parent_team__name",
    "parent_team__reference",
    "company__name",
    "company__reference",
    "role",
    "affiliation_status",
    "engagement__reference",
    "has_team_room_access",
    "permissions",
}
ACME_TEAMS = {"acme:acme", "acme:engineering", "acme:mobile", "acme:design", "acme:marketing"}


@pytest.fixture(scope="module")
def apps():
    cache = AppCache()
    yield cache
    cache.close()


@pytest.fixture
def hr(demo_database, apps):
    url, credentials = demo_database
    client = apps.client(url)

    def get(role: str, path: str, params=None):
        return send(client, consumer_signer(credentials, role), "GET", "/api/hr/v2/" + path, params)

    return get, credentials


def _refs(credentials) -> dict[str, str]:
    return {
        "{acme}": str(credentials.company.reference),
        "{agency}": str(credentials.agency.reference),
        "{design}": str(credentials.team("acme:design").reference),
        "{marketing}": str(credentials.team("acme:marketing").reference),
    }


def _path(template: str, credentials) -> str:
    for key, value in _refs(credentials).items():
        template = template.replace(key, value)
    return template


# (role, path template, status). {x} are references from the demo credentials.
MATRIX = [
    *[
        (role, path, 200)
        for role in (
            "owner",
            "hiring_manager",
            "finance",
            "agency_owner",
            "staffing_manager",
            "provider",
            "agency_provider",
            "member",
        )
        for path in ("users/me.json", "teams.json", "companies.json", "userroles.json")
    ],
    ("owner", "companies/{acme}.json", 200),
    ("owner", "companies/acme:acme.json", 200),
    ("owner", "companies/{agency}.json", 404),
    ("owner", "companies/{acme}/teams.json", 200),
    ("owner", "companies/{acme}/users.json", 200),
    ("owner", "teams/acme:design.json", 200),
    ("owner", "teams/{design}/users.json", 200),
    ("owner", "users/dortiz.json", 200),
    ("owner", "users/lfischer.json", 404),
    ("owner", "userroles/dortiz.json", 200),
    ("finance", "teams/acme:mobile.json", 200),
    ("hiring_manager", "teams/acme:mobile.json", 200),
    ("hiring_manager", "teams/acme:marketing.json", 404),
    ("hiring_manager", "teams/{marketing}/users.json", 404),
    ("hiring_manager", "companies/{acme}/users.json", 200),
    ("member", "teams/{marketing}.json", 200),
    ("member", "teams/acme:design.json", 404),
    ("member", "teams/acme:acme.json", 404),
    ("member", "companies/{acme}.json", 200),
    ("member", "users/mhale.json", 200),
    ("member", "users/dortiz.json", 404),
    ("member", "userroles/dortiz.json", 404),
    ("staffing_manager", "companies/{agency}/teams.json", 200),
    ("staffing_manager", "companies/{acme}.json", 404),
    ("staffing_manager", "companies/{acme}/teams.json", 404),
    ("staffing_manager", "users/mhale.json", 404),
    ("staffing_manager", "users/akowalski.json", 200),
    ("agency_provider", "companies/{agency}.json", 200),
    ("agency_owner", "companies/{agency}.json", 200),
    ("agency_owner", "companies/{agency}/users.json", 200),
    ("agency_owner", "companies/{acme}.json", 404),
    ("agency_owner", "teams/acme:mobile.json", 404),
    ("agency_owner", "users/akowalski.json", 200),
    ("agency_owner", "users/mhale.json", 404),
]


@pytest.mark.parametrize(("role", "template", "status"), MATRIX)
def test_access_matrix(hr, role, template, status):
    get, credentials = hr
    response = get(role, _path(template, credentials))
    if status == 200:
        assert response.status_code == 200, response.text
        assert response.json()["auth_user"]["uid"] == credentials.roles[role].uid
        assert response.json()["server_time"].isdigit()
    else:
        # Not visible is answered like unknown: the API never tells what exists.
        assert_error(response, 404, "not_found", "with reference or id")


@pytest.mark.parametrize(
    ("role", "teams"),
    [
        ("owner", ACME_TEAMS),
        ("finance", ACME_TEAMS),
        ("hiring_manager", {"acme:engineering", "acme:mobile", "acme:design"}),
        ("member", {"acme:marketing"}),
        ("staffing_manager", {"brightcode:brightcode"}),
        ("agency_owner", {"brightcode:brightcode"}),
    ],
)
def test_teams_listing_is_scoped(hr, role, teams):
    get, _ = hr
    body = get(role, "teams.json").json()
    assert {t["id"] for t in body["teams"]} == teams
    for team in body["teams"]:
        assert set(team) == TEAM_KEYS
        assert all(isinstance(v, str) for v in team.values())


def test_team_parent_is_the_company_for_top_level_teams(hr):
    get, credentials = hr
    team = get("owner", "teams/acme:marketing.json").json()["team"]
    assert team["parent_team__id"] == "acme:acme"
    assert team["company__reference"] == str(credentials.company.reference)
    assert team["company_name"] == "Acme Widgets"
    mobile = get("owner", "teams/acme:mobile.json").json()["team"]
    assert mobile["parent_team__id"] == "acme:engineering"


@pytest.mark.parametrize("role", ["owner", "member", "provider", "staffing_manager"])
def test_user_me_shape(hr, role):
    get, credentials = hr
    user = get(role, "users/me.json").json()["user"]
    assert set(user) == USER_KEYS
    assert user["id"] == credentials.roles[role].uid
    assert user["is_provider"] in ("0", "1")


def test_user_by_reference_and_by_uid_agree(hr):
    get, _ = hr
    by_uid = get("owner", "users/dortiz.json").json()["user"]
    by_ref = get("owner", f"users/{by_uid['reference']}.json").json()["user"]
    assert by_uid == by_ref


def test_companies_shape(hr):
    get, credentials = hr
    companies = get("owner", "companies.json").json()["companies"]
    assert companies == [
        {
            "reference": str(credentials.company.reference),
            "company_id": "acme:acme",
            "name": "Acme Widgets",
            "status": "active",
            "owner_user_id": "mhale",
        }
    ]
    assert get("owner", "companies/acme:acme.json").json()["company"] == companies[0]
    # the short form the report URLs accept names the same company
    assert get("owner", "companies/acme.json").json()["company"] == companies[0]
    assert get("staffing_manager", "companies/brightcode.json").json()["company"]["company_id"] == (
        "brightcode:brightcode"
    )
    assert get("member", "companies/brightcode.json").status_code == 404
    assert set(companies[0]) == COMPANY_KEYS


def test_company_teams_and_users(hr):
    get, credentials = hr
    teams = get("member", f"companies/{credentials.company.reference}/teams.json").json()["teams"]
    assert [t["id"] for t in teams] == ["acme:marketing"]
    users = get("owner", "companies/acme:acme/users.json").json()["users"]
    uids = {u["id"] for u in users}
    assert {"mhale", "dortiz", "pnatarajan", "tbecker"} <= uids
    assert "lfischer" not in uids
    for user in users:
        assert set(user) == USER_KEYS
    active = get("owner", "companies/acme:acme/users.json", {"status_in_company": "active"}).json()["users"]
    assert {u["status"] for u in active} == {"active"}


def test_team_with_and_without_users(hr):
    get, _ = hr
    plain = get("owner", "teams/acme:design.json", {"include_users": "False"}).json()
    assert "users" not in plain and plain["team"]["id"] == "acme:design"
    with_users = get("owner", "teams/acme:design.json", {"include_users": "True"}).json()
    assert "dortiz" in {u["id"] for u in with_users["users"]}
    listed = get("owner", "teams/acme:design/users.json", {"status_in_team": "active"}).json()["users"]
    assert {u["id"] for u in listed} == {u["id"] for u in with_users["users"]}


def test_user_roles(hr):
    get, _ = hr
    roles = get("hiring_manager", "userroles.json").json()["userroles"]["userrole"]
    assert {r["team__id"] for r in roles} == {"acme:engineering", "acme:design"}
    for role in roles:
        assert set(role) == USERROLE_KEYS
        assert role["user__id"] == "dortiz"
        assert role["company__name"] == "Acme Widgets"
    engineering = next(r for r in roles if r["team__id"] == "acme:engineering")
    assert engineering["permissions"] == {"permission": ["manage_employment", "manage_recruiting", "manage_teamroom"]}
    assert engineering["role"] == "manager"
    # Another visible user's roles, limited to the teams the caller sees.
    seen_by_owner = get("owner", "userroles/dortiz.json").json()["userroles"]["userrole"]
    assert {r["team__id"] for r in seen_by_owner} == {"acme:engineering", "acme:design"}


@pytest.mark.parametrize(
    ("path", "params", "message"),
    [
        (
            "companies/acme:acme/users.json",
            {"status_in_company": "bogus"},
            "status_in_company must be active or inactive",
        ),
        ("teams/acme:design/users.json", {"status_in_team": "1 OR 1=1"}, "status_in_team must be active or inactive"),
        ("teams/acme:design.json", {"include_users": "maybe"}, "include_users must be true or false"),
    ],
)
def test_bad_query_parameters(hr, path, params, message):
    get, _ = hr
    assert_error(get("owner", path, params), 400, "bad_request", message)


INJECTIONS = [
    "1 OR 1=1",
    "acme:design' OR '1'='1",
    "'; DROP TABLE teams; --",
    "9" * 40,
    "\u0661\u0662\u0663",  # Arabic-Indic digits: isdigit() but not a reference
    "-1",
    "acme:%",
    "x" * 300,
]


@pytest.mark.parametrize("kind", ["users", "companies", "teams", "userroles"])
@pytest.mark.parametrize("ref", INJECTIONS)
def test_injection_attempts_are_plain_not_found(hr, kind, ref):
    get, _ = hr
    response = get("owner", f"{kind}/{ref}.json")
    assert_error(response, 404, "not_found", "No ")
    assert get("owner", "teams.json").status_code == 200


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("teams/acme:nope.json", "No team with reference or id 'acme:nope'"),
        ("teams/123.json", "No team with reference or id '123'"),
        ("companies/1.json", "No company with reference or id '1'"),
        ("companies/nope:nope/teams.json", "No company"),
        ("companies/nope:nope/users.json", "No company"),
        ("teams/nope:nope/users.json", "No team"),
        ("users/nobody.json", "No user with reference or id 'nobody'"),
    ],
)
def test_unknown_references(hr, path, message):
    get, _ = hr
    assert_error(get("owner", path), 404, "not_found", message)


def test_xml_suffix(hr):
    get, _ = hr
    response = get("hiring_manager", "teams.xml")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "response"
    assert {t.findtext("id") for t in root.find("teams")} == {"acme:engineering", "acme:mobile", "acme:design"}
    roles = ET.fromstring(get("member", "userroles.xml").content)
    assert roles.find("userroles/userrole/team__id").text == "acme:marketing"


def test_no_suffix_is_json(hr):
    get, _ = hr
    response = get("member", "users/me")
    assert response.headers["content-type"] == "application/json"
    assert response.json()["user"]["id"] == "tbecker"


def test_hr_needs_authentication(hr, demo_database):
    url, _ = demo_database
    with served_app(url) as client:
        assert_error(client.get("/api/hr/v2/teams.json"), 401, "parameter_absent")
