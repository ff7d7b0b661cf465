"""Team rooms and the screenshots' pictures through the real client against the real server.

``client.team_v2.get_teamrooms()`` and ``get_snapshots(...)`` with every
``online`` and ``disabled`` value, who opens which room, the errors, and
``/screenshots/{key}.svg``, on SQLite and PostgreSQL. The shared demo
server is only read; the test that needs someone online now uploads his
snapshot on a server of the module's own (``writable_server``).

The demo's snapshots cover its last 28 days up to the moment it was made, so
who is online depends on the clock: the tests check the answers against
each other and against the HR API, never against a fixed list of people.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import Any

import httpx
import pytest

from odesk.exceptions import HTTP404NotFoundError
from tests.e2e.e2e_support import ROLES, Server
from tests.e2e.tracker_support import SNAPSHOT_KEYS, hire, new_contractor, stamp, upload_form

ACME_TEAMS = ["acme:acme", "acme:engineering", "acme:mobile", "acme:design", "acme:marketing"]
# The rooms each demo role manages (manage_teamroom or hiring permission, admin, owner: on the team or above it).
MANAGED = {
    "owner": ACME_TEAMS,
    "hiring_manager": ["acme:engineering", "acme:mobile", "acme:design"],
    "agency_owner": ["brightcode:brightcode"],
    "staffing_manager": ["brightcode:brightcode"],
}
ROOM_KEYS = {"id", "name", "team_ref", "parent_team_ref", "company_name", "company_recno", "recno", "teamroom_api"}
MEMBER_KEYS = SNAPSHOT_KEYS | {"first_name", "last_name", "timezone", "timezone_offset", "online", "disabled"}
NOW_WINDOW = dt.timedelta(minutes=20)
SLACK = dt.timedelta(minutes=2)  # the time between a request and the test's own clock


def as_list(value: Any) -> list:
    if not value:
        return []
    return value if isinstance(value, list) else [value]


def uids(members: list[dict]) -> set[str]:
    return {member["uid"] for member in members}


def snapshot_moment(member: dict) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(member["time"]), dt.UTC)


# --------------------------------------------------------------------------
# The list of rooms


@pytest.mark.parametrize("role", ROLES)
def test_who_opens_which_rooms(server: Server, role: str) -> None:
    client = server.client(role)
    rooms = client.team_v2.get_teamrooms()
    roles = as_list(client.hr.get_user_roles().get("userrole"))
    with_access = {r["team__id"] for r in roles if r["has_team_room_access"] == "1"}
    assert {room["id"] for room in rooms} == set(MANAGED.get(role, [])) | with_access
    assert len(rooms) == len({room["id"] for room in rooms})
    if role == "owner":  # in the organisation's order
        assert [room["id"] for room in rooms] == ACME_TEAMS
    if role in ("provider", "agency_provider", "member"):  # people without flags open their own teams' rooms
        assert rooms and {room["id"] for room in rooms} == with_access


def test_a_room_object_names_its_team(server: Server) -> None:
    owner = server.client("owner")
    teams = {team["id"]: team for team in owner.hr.get_teams()}
    for room in owner.team_v2.get_teamrooms():
        assert set(room) == ROOM_KEYS
        team = teams[room["id"]]
        assert (room["name"], room["team_ref"], room["recno"]) == (team["name"], team["reference"], team["reference"])
        assert room["parent_team_ref"] == team["parent_team__reference"]
        assert (room["company_name"], room["company_recno"]) == (
            "Acme Widgets",
            str(server.credentials["company"]["reference"]),
        )
        assert room["teamroom_api"] == f"{server.base_url}/api/team/v2/teamrooms/{room['id']}.json"
    root = next(room for room in owner.team_v2.get_teamrooms() if room["id"] == "acme:acme")
    assert root["parent_team_ref"] == root["team_ref"]  # a root team is its own parent, as in HR
    # The room's address answers.
    engineering = next(room for room in owner.team_v2.get_teamrooms() if room["id"] == "acme:engineering")
    followed = server.signed_get("owner", engineering["teamroom_api"].removeprefix(server.base_url), {"online": "all"})
    assert followed.status_code == 200
    assert uids(as_list(followed.json()["teamroom"]["snapshot"])) == uids(
        owner.team_v2.get_snapshots("acme:engineering", online="all")
    )


# --------------------------------------------------------------------------
# A room's members


def test_every_online_and_disabled_value(server: Server) -> None:
    room = server.client("owner").team_v2.get_snapshots
    # The broader answers first: a member's latest snapshot only gets older, so a later, narrower answer is
    # always inside an earlier, broader one.
    answers = {}
    for online in ("all", "last_24h", "now"):
        for disabled in ("yes", "no"):
            answers[online, disabled] = room("acme:engineering", online=online, disabled=disabled)
    default = room("acme:engineering")
    now = dt.datetime.now(dt.UTC)
    sets = {key: uids(members) for key, members in answers.items()}
    assert sets["all", "no"] <= sets["all", "yes"]
    assert sets["last_24h", "yes"] <= sets["all", "yes"] and sets["last_24h", "no"] <= sets["last_24h", "yes"]
    assert sets["now", "yes"] <= sets["last_24h", "yes"] and sets["now", "no"] <= sets["now", "yes"]
    assert sets["now", "no"] <= sets["last_24h", "no"] <= sets["all", "no"]
    assert uids(default) <= sets["now", "no"]  # online=now and disabled=no are the defaults

    # Every contractor with a contract on the team is a member; disabled: no active contract there.
    contracts = server.client("owner").hr.get_engagements(
        buyer_team_reference=server.team("acme:engineering")["reference"], page_size=200
    )["engagement"]
    everyone = {c["provider__id"] for c in contracts}
    active = {c["provider__id"] for c in contracts if c["status"] == "active"}
    assert sets["all", "yes"] == everyone and sets["all", "no"] == active
    assert everyone - active, "the demo has contractors whose contracts with the team ended"
    for (_online, disabled), members in answers.items():
        for member in members:
            assert set(member) == MEMBER_KEYS
            assert member["user_id"] == member["uid"]
            assert member["disabled"] == ("0" if member["uid"] in active else "1")
            if disabled == "no":
                assert member["disabled"] == "0"
            assert member["contract"] in {c["reference"] for c in contracts if c["provider__id"] == member["uid"]}

    # The time windows, and the online flag.
    for member in answers["now", "yes"]:
        assert member["online"] == "1" and snapshot_moment(member) >= now - NOW_WINDOW - SLACK
    for member in answers["last_24h", "yes"]:
        assert snapshot_moment(member) >= now - dt.timedelta(hours=24) - SLACK
    without = [m for m in answers["all", "yes"] if m["time"] == ""]
    assert without, "the demo has members with no snapshot (ended before the work diaries began)"
    for member in without:
        assert {key: member[key] for key in SNAPSHOT_KEYS - {"uid", "user_id", "contract"}} == dict.fromkeys(
            SNAPSHOT_KEYS - {"uid", "user_id", "contract"}, ""
        )
        assert member["online"] == "0" and member["first_name"] and member["last_name"]
    for member in answers["all", "yes"]:
        if member["time"] and member["online"] == "0":
            assert snapshot_moment(member) < now - NOW_WINDOW + SLACK
        if member["time"]:
            assert member["team_id"] == "acme:engineering" and int(member["cellts"]) <= int(member["time"])
    # By last name, then first name.
    names = [(m["last_name"], m["first_name"]) for m in answers["all", "yes"]]
    assert names == sorted(names)


def test_a_company_room_is_its_teams_rooms_together(server: Server) -> None:
    owner = server.client("owner").team_v2
    together: set[str] = set()
    for team in ACME_TEAMS:
        together |= uids(owner.get_snapshots(team, online="all", disabled="yes"))
    company = uids(owner.get_snapshots("acme:acme", online="all", disabled="yes"))
    assert company == together
    by_reference = owner.get_snapshots(str(server.credentials["company"]["reference"]), online="all", disabled="yes")
    assert uids(by_reference) == company
    assert uids(owner.get_snapshots("acme", online="all", disabled="yes")) == company

    # A manager's company room holds only the rooms he opens.
    manager = server.client("hiring_manager").team_v2
    his = set()
    for team in MANAGED["hiring_manager"]:
        his |= uids(manager.get_snapshots(team, online="all", disabled="yes"))
    assert uids(manager.get_snapshots("acme:acme", online="all", disabled="yes")) == his
    marketing_only = uids(owner.get_snapshots("acme:marketing", online="all", disabled="yes")) - his
    assert marketing_only, "the demo has contractors who work for marketing only"
    assert his < company

    # A contractor's company room is his own team rooms together.
    provider = server.client("provider").team_v2
    rooms = [room["id"] for room in provider.get_teamrooms() if room["id"].startswith("acme:")]
    own = set().union(*(uids(provider.get_snapshots(room, online="all", disabled="yes")) for room in rooms))
    assert uids(provider.get_snapshots("acme:acme", online="all", disabled="yes")) == own


def test_a_room_the_caller_may_not_open_is_unknown(server: Server) -> None:
    provider_rooms = {room["id"] for room in server.client("provider").team_v2.get_teamrooms()}
    # (acme:acme is also the company's id: the company's room is the rooms he opens in it, together)
    closed_to_provider = next(team for team in ACME_TEAMS[1:] if team not in provider_rooms)
    refused = [
        ("member", "acme:engineering"),
        ("finance", "acme:engineering"),
        ("provider", closed_to_provider),
        ("hiring_manager", "acme:marketing"),
        ("agency_owner", "acme:acme"),
        ("owner", "brightcode:brightcode"),
        ("owner", "acme:nowhere"),
        ("owner", "99999999"),
    ]
    for role, key in refused:
        with pytest.raises(HTTP404NotFoundError):
            server.client(role).team_v2.get_snapshots(key)
        response = server.signed_get(role, f"/api/team/v2/teamrooms/{key}.json")
        assert response.status_code == 404, (role, key)
        assert response.json()["error"] == {
            "status": 404,
            "code": "not_found",
            "message": f"No team room with reference or id {key!r}",
        }


def test_bad_parameters_name_themselves(server: Server) -> None:
    path = "/api/team/v2/teamrooms/acme:engineering.json"
    for params, message in (
        ({"online": "later"}, "online must be now, last_24h or all, got 'later'"),
        ({"disabled": "maybe"}, "disabled must be no or yes, got 'maybe'"),
    ):
        response = server.signed_get("owner", path, params)
        assert response.status_code == 400
        assert response.json()["error"]["message"] == message
    # Any case, and empty for the default.
    assert server.signed_get("owner", path, {"online": "ALL", "disabled": ""}).status_code == 200
    assert httpx.get(server.base_url + path, timeout=10).status_code == 401
    xml = server.signed_get("owner", "/api/team/v2/teamrooms.xml")
    assert xml.status_code == 200 and xml.headers["content-type"].startswith("application/xml")
    assert "<teamroom>" in xml.text


def test_an_uploaded_snapshot_is_online_now(writable_server: Server) -> None:
    server = writable_server
    new_contractor(server, "rdesigner", "Rita", "Designer")
    contract = hire(server, "rdesigner", "acme:design")
    assert "acme:design" in {room["id"] for room in server.client("rdesigner").team_v2.get_teamrooms()}
    taken = dt.datetime.now(dt.UTC).replace(microsecond=0)
    response = upload_form(server, "rdesigner", contract, {"time": stamp(taken), "memo": "Moodboards"})
    assert response.status_code == 200, response.text

    manager = server.client("hiring_manager").team_v2
    online = {member["uid"]: member for member in manager.get_snapshots("acme:design")}
    assert online["rdesigner"]["online"] == "1"
    assert (online["rdesigner"]["contract"], online["rdesigner"]["memo"]) == (contract, "Moodboards")
    assert online["rdesigner"]["time"] == str(int(taken.timestamp()))
    assert "rdesigner" in uids(manager.get_snapshots("acme:design", online="last_24h"))
    assert "rdesigner" in uids(server.client("owner").team_v2.get_snapshots("acme:acme"))
    with pytest.raises(HTTP404NotFoundError):
        server.client("member").team_v2.get_snapshots("acme:design")

    # Once his contract ends he is disabled: left out by default, shown with disabled=yes.
    server.client("owner").hr.end_contract(contract, "API_REAS_JOB_COMPLETED_SUCCESSFULLY", "yes")
    assert "rdesigner" not in uids(manager.get_snapshots("acme:design"))
    shown = {m["uid"]: m for m in manager.get_snapshots("acme:design", disabled="yes")}
    assert (shown["rdesigner"]["disabled"], shown["rdesigner"]["online"]) == ("1", "1")


# --------------------------------------------------------------------------
# The screenshots' pictures


def _screenshot_urls(server: Server, count: int) -> list[str]:
    members = server.client("owner").team_v2.get_snapshots("acme:acme", online="all")
    urls = [member["screenshot_url"] for member in members if member["screenshot_url"]]
    assert len(urls) >= count
    return urls[:count]


def test_a_screenshot_is_a_deterministic_svg(server: Server) -> None:
    first, second = _screenshot_urls(server, 2)
    assert first.startswith(f"{server.base_url}/screenshots/") and first.endswith(".svg")
    sizes = {"thmb": ("200", "125"), "med": ("400", "250"), "lrg": ("800", "500")}
    pictures = {}
    for size, (width, height) in sizes.items():
        response = httpx.get(first, params={"size": size}, timeout=10)
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/svg+xml"
        assert (
            "immutable" in response.headers["cache-control"] and "max-age=31536000" in response.headers["cache-control"]
        )
        assert response.headers["content-security-policy"] == "default-src 'none'"
        root = ET.fromstring(response.content)
        assert (root.get("width"), root.get("height"), root.get("viewBox")) == (width, height, "0 0 800 500")
        pictures[size] = response.content
    # The same key draws the same picture, every time and on every server; the default size is lrg.
    assert httpx.get(first, timeout=10).content == pictures["lrg"]
    assert httpx.get(first, params={"size": "lrg"}, timeout=10).content == pictures["lrg"]
    assert httpx.get(second, timeout=10).content != pictures["lrg"]
    head = httpx.head(first, timeout=10)
    assert head.status_code == 200 and head.content == b""


def test_a_screenshot_loads_nothing_and_says_nothing(server: Server) -> None:
    (url,) = _screenshot_urls(server, 1)
    picture = httpx.get(url, timeout=10).content
    root = ET.fromstring(picture)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    for element in root.iter():
        assert element.tag.split("}")[1] in ("svg", "rect", "circle")
        assert not (element.text or "").strip() and not (element.tail or "").strip()
        for name, value in element.attrib.items():
            assert "href" not in name and "url(" not in value and "http" not in value
    assert picture.count(b"http") == 1  # the SVG namespace, which loads nothing


def test_an_unknown_screenshot_is_not_found(server: Server) -> None:
    (url,) = _screenshot_urls(server, 1)
    key = url.rsplit("/", 1)[1].removesuffix(".svg")
    other = ("0" if key[0] != "0" else "1") + key[1:]
    for path in (f"{other}.svg", key, f"{key}.png", "not-a-key.svg", f"{key.upper()}.svg"):
        response = httpx.get(f"{server.base_url}/screenshots/{path}", timeout=10)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
    bad_size = httpx.get(url, params={"size": "huge"}, timeout=10)
    assert bad_size.status_code == 400
    assert bad_size.json()["error"]["message"] == "size must be thmb, med or lrg, got 'huge'"


def test_the_routes_are_in_the_api_reference(server: Server) -> None:
    paths = httpx.get(f"{server.base_url}/openapi.json", timeout=10).json()["paths"]
    assert "get" in paths["/api/team/v2/teamrooms"]
    room = paths["/api/team/v2/teamrooms/{company_or_team_id}"]["get"]
    assert {p["name"] for p in room["parameters"]} == {"company_or_team_id", "online", "disabled"}
    assert "post" in paths["/api/team/v2/snapshots/contracts/{contract_id}"]
    picture = paths["/screenshots/{image}"]["get"]
    assert picture["security"] == [] and "image/svg+xml" in picture["responses"]["200"]["content"]
