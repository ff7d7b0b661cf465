"""Snapshots and work diaries through the real client against the real server (python-odesk's ``team``, ``team_v2``).

Every method of Team v1 and of Team_V2's contract snapshots and diaries,
called as a script written from python-odesk's documentation would call
them, on SQLite and PostgreSQL: the documented forms of a snapshot time
(``yyyymmddTHHMMSSZ``, UNIX seconds, datetime objects, ranges, lists, now),
the time zones of a diary, who reads, who changes the memo, who deletes,
the week already invoiced; and python-upwork's ``team/v3`` routes, called
as signed requests. Reads run on the shared demo server; what changes data
runs on a server of the module's own whose demo ends on Tuesday 2026-06-30
(``dated_server``): its Monday and Tuesday, not invoiced yet, hold two full
days of work diaries to change and delete whatever day the tests run.

The shared demo is made with today's date: its last four weeks have
snapshots, and the contracts and times used here are found through the API.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import pytest

from odesk.exceptions import (
    ApiValueError,
    HTTP400BadRequestError,
    HTTP403ForbiddenError,
    HTTP404NotFoundError,
    HTTPError,
)
from tests.e2e.conftest import DATED_DEMO_END
from tests.e2e.e2e_support import Server

COMPANY = "acme:acme"
ENGINEERING = "acme:engineering"
MOBILE = "acme:mobile"
MARKETING = "acme:marketing"
DESIGN = "acme:design"
WALKER = "jwalker"  # the provider role: hourly on engineering
KOWALSKI = "akowalski"  # the agency provider role: hourly on mobile, through the agency
SEGMENT = dt.timedelta(minutes=10)
INVOICED = "billed.active"
OPEN = "not_billed.active"
# The last moment of the dated demo (``dated_server``), and the days of its week not invoiced yet.
DATED_UNTIL = dt.datetime.combine(DATED_DEMO_END, dt.time(23, 59, 59), dt.UTC)
DATED_OPEN_WEEK = {DATED_DEMO_END - dt.timedelta(days=1), DATED_DEMO_END}


# --------------------------------------------------------------------------
# Finding the demo's data


def compact(moment: dt.datetime) -> str:
    """A time as python-odesk's documentation writes it: ``yyyymmddTHHMMSSZ`` (UTC)."""
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def segment_of(snapshot: dict[str, Any]) -> dt.datetime:
    """When a snapshot's ten minutes begin (``cellts``), as an aware UTC datetime."""
    return dt.datetime.fromtimestamp(int(snapshot["cellts"]), dt.UTC)


def as_list(answer: Any) -> list[dict[str, Any]]:
    """A ``snapshot`` value (one object, a list, or ``[]``) as a list."""
    return answer if isinstance(answer, list) else [answer]


def uids(snapshots: Iterable[dict[str, Any]]) -> list[str]:
    return [snapshot["uid"] for snapshot in snapshots]


def contract_of(server: Server, team: str, uid: str) -> str:
    """The reference of ``uid``'s active contract with ``team``, as the owner lists it."""
    reference = server.team(team)["reference"]
    listed = server.client("owner").hr.get_engagements(buyer_team_reference=reference, status="active", page_size=100)
    return next(c["reference"] for c in listed["engagement"] if c["provider__id"] == uid)


def any_contract_of(server: Server, team: str) -> str:
    """The reference of some contract of ``team`` (any status)."""
    reference = server.team(team)["reference"]
    listed = server.client("owner").hr.get_engagements(buyer_team_reference=reference, page_size=100)
    return listed["engagement"][0]["reference"]


def recent_snapshots(
    server: Server, contract: str, role: str = "owner", until: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """Every snapshot of the contract in the thirty days up to ``until`` (default: now; one range), in time order."""
    until = until or dt.datetime.now(dt.UTC)
    found = server.client(role).team_v2.get_snapshot_by_contract(
        contract, f"{compact(until - dt.timedelta(days=30))},{compact(until)}"
    )
    return as_list(found)


def dated_snapshots(server: Server, contract: str) -> list[dict[str, Any]]:
    """Every snapshot of the contract in the last thirty days of the dated demo (``dated_server``), in time order."""
    return recent_snapshots(server, contract, until=DATED_UNTIL)


def busy_day(snapshots: list[dict[str, Any]]) -> dt.date:
    """The UTC day with the most snapshots among ``snapshots``."""
    days = Counter(segment_of(snapshot).date() for snapshot in snapshots)
    return max(days, key=lambda day: (days[day], day))


def telling_day(snapshots: list[dict[str, Any]], zones: Iterable[str]) -> dt.date:
    """The day whose diaries in ``zones`` differ the most (then the busiest): where the zone shows."""
    zones = list(zones)

    def telling(day: dt.date) -> tuple[int, int]:
        answers = {tuple(inside(snapshots, *window(day, zone))) for zone in zones}
        return len(answers), len(inside(snapshots, *window(day, "")))

    return max(sorted({segment_of(snapshot).date() for snapshot in snapshots}), key=telling)


def window(day: dt.date, zone: str) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants of ``day`` in ``zone`` (empty: UTC)."""
    tz = zoneinfo.ZoneInfo(zone) if zone else dt.UTC
    start = dt.datetime.combine(day, dt.time(), tz)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tz)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def inside(snapshots: Iterable[dict[str, Any]], start: dt.datetime, end: dt.datetime) -> list[str]:
    return [snapshot["uid"] for snapshot in snapshots if start <= segment_of(snapshot) < end]


def hours_of(minutes: int) -> str:
    return str((Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP"))


def error_of(raised: pytest.ExceptionInfo[HTTPError]) -> tuple[str | None, str | None]:
    return raised.value.error_code, raised.value.error_message


# --------------------------------------------------------------------------
# Reading snapshots: every documented form of the time


def test_a_snapshot_named_every_documented_way(server: Server) -> None:
    provider = server.client("provider")
    contract = contract_of(server, ENGINEERING, WALKER)
    recent = recent_snapshots(server, contract)
    assert len(recent) > 20 and all(s["contract"] == contract and s["user_id"] == WALKER for s in recent)
    chosen = recent[len(recent) // 2]
    start = segment_of(chosen)
    inner = start + dt.timedelta(minutes=4, seconds=27)  # any time inside its ten minutes names it

    company_reference = server.credentials["company"]["reference"]
    walker_reference = provider.team.get_workdiaries(ENGINEERING, WALKER)[0]["reference"]
    named = [
        provider.team.get_snapshot(COMPANY, WALKER, compact(inner)),  # yyyymmddTHHMMSSZ
        provider.team.get_snapshot("acme", WALKER, str(int(inner.timestamp()))),  # UNIX seconds
        provider.team.get_snapshot(company_reference, walker_reference, int(inner.timestamp())),
        provider.team.get_snapshot(COMPANY, WALKER, inner.replace(tzinfo=None)),  # naive: UTC
        provider.team.get_snapshot(COMPANY, WALKER, inner),  # +00:00
        provider.team.get_snapshot(COMPANY, WALKER, inner.replace(microsecond=250000)),  # fractions
        provider.team.get_snapshot(COMPANY, WALKER, inner.astimezone(dt.timezone(dt.timedelta(hours=5, minutes=30)))),
        provider.team_v2.get_snapshot_by_contract(contract, compact(inner)),
        provider.team_v2.get_snapshot_by_contract(contract, inner),
    ]
    for answer in named:
        assert isinstance(answer, dict) and answer["uid"] == chosen["uid"], answer
    assert named[0] == chosen
    assert chosen["uid"] == f"{contract}:{compact(start)}"
    assert set(chosen["online_presence"].split(",")) <= {"0", "1"}
    assert chosen["snapshot_api"].endswith(f"/api/team/v2/snapshots/contracts/{contract}/{compact(start)}.json")

    # a list (;) and a range (,): the snapshots they name, in time order
    three = recent[3:6]
    listed = provider.team.get_snapshot(COMPANY, WALKER, [segment_of(s) for s in three])
    assert uids(listed) == uids(three)
    listed = provider.team_v2.get_snapshot_by_contract(contract, ";".join(compact(segment_of(s)) for s in three))
    assert uids(listed) == uids(three)
    first, last = segment_of(recent[10]), segment_of(recent[20])
    ranged = provider.team.get_snapshot(COMPANY, WALKER, f"{compact(first)},{compact(last)}")
    assert uids(ranged) == [s["uid"] for s in recent if first <= segment_of(s) <= last]
    ranged = provider.team_v2.get_snapshot_by_contract(contract, f"{int(first.timestamp())},{int(last.timestamp())}")
    assert uids(ranged) == [s["uid"] for s in recent if first <= segment_of(s) <= last]

    # now (the default): the latest snapshot
    latest = recent[-1]
    assert provider.team.get_snapshot(COMPANY, WALKER)["uid"] == latest["uid"]
    assert provider.team.get_snapshot(COMPANY, WALKER, "now")["uid"] == latest["uid"]
    assert provider.team_v2.get_snapshot_by_contract(contract)["uid"] == latest["uid"]
    # a time with no snapshot: []
    assert provider.team.get_snapshot(COMPANY, WALKER, dt.datetime(2001, 1, 1, 12)) == []
    assert provider.team_v2.get_snapshot_by_contract(contract, "20010101T000000Z,20010102T000000Z") == []


def test_snapshots_in_xml_and_with_raw_paths(server: Server) -> None:
    contract = contract_of(server, ENGINEERING, WALKER)
    recent = recent_snapshots(server, contract)
    one, two = recent[1], recent[2]
    iso = segment_of(one).isoformat()  # 2026-...T..:..:..+00:00 in the path
    answer = server.signed_get("provider", f"/api/team/v2/snapshots/contracts/{contract}/{iso}.xml")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/xml")
    assert f"<uid>{one['uid']}</uid>" in answer.text and "<snapshot>" in answer.text
    both = f"{compact(segment_of(one))};{compact(segment_of(two))}"
    answer = server.signed_get("provider", f"/api/team/v1/snapshots/{COMPANY}/{WALKER}/{both}.json")
    assert answer.status_code == 200, answer.text
    assert uids(answer.json()["snapshot"]) == [one["uid"], two["uid"]]


# --------------------------------------------------------------------------
# Work diaries and their time zones


def test_work_diaries_by_team_and_by_contract_in_each_time_zone(server: Server) -> None:
    manager = server.client("hiring_manager")  # America/Los_Angeles, hiring on engineering (mobile is below it)
    contract = contract_of(server, MOBILE, KOWALSKI)
    recent = recent_snapshots(server, contract)
    zones = {"mine": "America/Los_Angeles", "user": "Europe/Warsaw", "gmt": ""}
    day = telling_day(recent, zones.values())
    for tz, zone in zones.items():
        expected = inside(recent, *window(day, zone))
        user, snapshots = manager.team.get_workdiaries(MOBILE, KOWALSKI, day.strftime("%Y%m%d"), tz=tz)
        assert uids(snapshots) == expected, tz
        user_too, by_contract = manager.team_v2.get_workdiaries_by_contract(contract, day, tz=tz)
        assert uids(by_contract) == expected and user_too == user
    assert (user["uid"], user["first_name"], user["last_name"]) == (KOWALSKI, "Anna", "Kowalski")
    assert user["timezone"] == "Europe/Warsaw" and user["timezone_offset"] in ("3600", "7200")

    # the caller's zone is the default; a team above the contract's team covers it; a date object works too
    expected = inside(recent, *window(day, zones["mine"]))
    assert uids(manager.team.get_workdiaries(ENGINEERING, KOWALSKI, day)[1]) == expected
    assert uids(manager.team_v2.get_workdiaries_by_contract(contract, day.strftime("%Y%m%d"))[1]) == expected
    owner = server.client("owner")  # America/New_York
    by_reference = owner.team.get_workdiaries(server.team(COMPANY)["reference"], KOWALSKI, day, tz="gmt")
    assert uids(by_reference[1]) == inside(recent, *window(day, ""))

    # no date: today in the zone asked for
    today = dt.datetime.now(zoneinfo.ZoneInfo("Europe/Warsaw")).date()
    assert manager.team.get_workdiaries(MOBILE, KOWALSKI, tz="user") == manager.team.get_workdiaries(
        MOBILE, KOWALSKI, today, tz="user"
    )
    # a day without work: the user and no snapshots
    user, snapshots = manager.team.get_workdiaries(MOBILE, KOWALSKI, "20010101")
    assert user["uid"] == KOWALSKI and snapshots == []


# --------------------------------------------------------------------------
# Who reads


def test_who_reads_a_diary(server: Server) -> None:
    walker = contract_of(server, ENGINEERING, WALKER)
    kowalski = contract_of(server, MOBILE, KOWALSKI)
    latest_walker = recent_snapshots(server, walker)[-1]["uid"]
    latest_kowalski = recent_snapshots(server, kowalski)[-1]["uid"]
    # the contractor, a buyer with hiring or finance permission, the agency's staffing manager
    for role in ("provider", "owner", "hiring_manager", "finance"):
        assert server.client(role).team.get_snapshot(COMPANY, WALKER)["uid"] == latest_walker, role
        assert server.client(role).team_v2.get_snapshot_by_contract(walker)["uid"] == latest_walker, role
    for role in ("agency_provider", "staffing_manager", "hiring_manager", "finance"):
        assert server.client(role).team.get_snapshot(COMPANY, KOWALSKI)["uid"] == latest_kowalski, role
        assert server.client(role).team_v2.get_snapshot_by_contract(kowalski)["uid"] == latest_kowalski, role
    assert server.client("staffing_manager").team.get_workdiaries(MOBILE, KOWALSKI)[0]["uid"] == KOWALSKI

    # anyone else: 404, as for a key that names nothing
    refused = [
        ("member", lambda c: c.team.get_snapshot(COMPANY, WALKER)),
        ("member", lambda c: c.team_v2.get_snapshot_by_contract(walker)),
        ("member", lambda c: c.team.get_workdiaries(ENGINEERING, WALKER)),
        ("member", lambda c: c.team_v2.get_workdiaries_by_contract(walker, "20260101")),
        ("agency_provider", lambda c: c.team_v2.get_snapshot_by_contract(walker)),
        ("staffing_manager", lambda c: c.team.get_snapshot(COMPANY, WALKER)),
        ("agency_owner", lambda c: c.team_v2.get_snapshot_by_contract(walker)),
        ("hiring_manager", lambda c: c.team_v2.get_snapshot_by_contract(any_contract_of(server, MARKETING))),
        ("owner", lambda c: c.team.get_workdiaries(DESIGN, KOWALSKI)),  # no contract with that team
        ("owner", lambda c: c.team_v2.get_snapshot_by_contract("999999999")),
        ("owner", lambda c: c.team_v2.get_snapshot_by_contract("not-a-contract")),
        ("owner", lambda c: c.team.get_snapshot("nosuchcompany", WALKER)),
        ("owner", lambda c: c.team.get_snapshot(COMPANY, "nosuchuser")),
        ("owner", lambda c: c.team.get_workdiaries("acme:nosuchteam", WALKER)),
    ]
    for role, call in refused:
        with pytest.raises(HTTP404NotFoundError) as raised:
            call(server.client(role))
        code, message = error_of(raised)
        assert code == "not_found" and message and "with reference or id" in message, (role, message)


# --------------------------------------------------------------------------
# Malformed parameters


def test_malformed_times_dates_and_zones_are_named(server: Server) -> None:
    provider = server.client("provider")
    contract = contract_of(server, ENGINEERING, WALKER)
    bad = [
        (lambda: provider.team.get_snapshot(COMPANY, WALKER, "2026-13-45T99:00:00"), "datetime"),
        (lambda: provider.team_v2.get_snapshot_by_contract(contract, "yesterday"), "datetime"),
        (lambda: provider.team_v2.get_snapshot_by_contract(contract, "20260102T000000Z,20260101T000000Z"), "datetime"),
        (lambda: provider.team_v2.get_snapshot_by_contract(contract, "1,2;3"), "datetime"),
        (lambda: provider.team_v2.update_snapshot_by_contract(contract, "memo", "soon"), "datetime"),
        (lambda: provider.team_v2.delete_snapshot_by_contract(contract, "2026-1"), "datetime"),
        (lambda: provider.team.get_workdiaries(ENGINEERING, WALKER, "2026-02-30"), "date"),
        (lambda: provider.team_v2.get_workdiaries_by_contract(contract, "tomorrow"), "date"),
    ]
    for call, name in bad:
        with pytest.raises(HTTP400BadRequestError) as raised:
            call()
        code, message = error_of(raised)
        assert code == "bad_request" and message and message.startswith(f"{name}:"), message

    # the client refuses an unknown zone itself; the server does too
    with pytest.raises(ApiValueError):
        provider.team.get_workdiaries(ENGINEERING, WALKER, tz="mars")
    for path in (
        f"/api/team/v1/workdiaries/{ENGINEERING}/{WALKER}",
        f"/api/team/v2/workdiaries/contracts/{contract}/20260101",
    ):
        with pytest.raises(HTTP400BadRequestError) as raised:
            provider.get(server.base_url + path, {"tz": "mars"})
        assert error_of(raised)[1] == "tz: 'mars' is not one of mine, user, gmt"


# --------------------------------------------------------------------------
# python-upwork 2.1.0: team/v3


def test_v3_snapshots_diaries_and_work_days(server: Server) -> None:
    owner = server.client("owner")
    base = server.base_url + "/api/team/v3"
    contract = contract_of(server, ENGINEERING, WALKER)
    recent = recent_snapshots(server, contract)
    chosen = recent[7]
    answer = owner.get(f"{base}/snapshots/contracts/{contract}/{int(segment_of(chosen).timestamp())}")
    assert answer["snapshot"]["uid"] == chosen["uid"]

    day = busy_day(recent)
    diary = owner.get(f"{base}/workdiaries/contracts/{contract}/{day.strftime('%Y%m%d')}", {"tz": "gmt"})["workdiary"]
    expected = inside(recent, *window(day, ""))
    assert diary["date"] == day.strftime("%Y%m%d") and uids(diary["snapshots"]) == expected
    assert diary["total_hours"] == hours_of(10 * len(expected))
    mine = owner.get(f"{base}/workdiaries/contracts/{contract}/{day.strftime('%Y%m%d')}")["workdiary"]
    assert uids(mine["snapshots"]) == inside(recent, *window(day, "America/New_York"))

    company = owner.get(f"{base}/workdiaries/companies/acme/{day.strftime('%Y%m%d')}", {"tz": "gmt"})["workdiary"]
    assert set(expected) <= set(uids(company["snapshots"]))
    assert {s["company_id"] for s in company["snapshots"]} == {COMPANY}
    assert company["total_hours"] == hours_of(10 * len(company["snapshots"]))
    staffed = server.client("staffing_manager").get(f"{base}/workdiaries/companies/acme/{day.strftime('%Y%m%d')}")
    assert {s["company_id"] for s in staffed["workdiary"]["snapshots"]} <= {COMPANY}
    assert not set(expected) & set(uids(staffed["workdiary"]["snapshots"]))  # jwalker is not the agency's

    today = dt.datetime.now(dt.UTC).date()
    span = f"{(today - dt.timedelta(days=27)).strftime('%Y%m%d')},{today.strftime('%Y%m%d')}"
    of_contract = owner.get(f"{base}/workdays/contracts/{contract}/{span}")["workdays"]["workday"]
    of_company = owner.get(f"{base}/workdays/companies/{COMPANY}/{span}")["workdays"]["workday"]
    tracked = {
        segment_of(s).strftime("%Y%m%d") for s in recent if segment_of(s).date() >= today - dt.timedelta(days=27)
    }
    assert tracked <= set(of_contract) <= set(of_company)
    assert of_contract == sorted(of_contract)
    assert owner.get(f"{base}/workdays/contracts/{contract}/20010101,20011231")["workdays"]["workday"] == []

    for path, name in (
        (f"workdays/contracts/{contract}/20250101,20260102", "from,till"),  # 367 days
        (f"workdays/contracts/{contract}/20260110,20260101", "till"),
        ("workdays/companies/acme/20260101", "from,till"),
        ("workdays/companies/acme/2026010x,20260102", "from"),
        ("workdiaries/companies/acme/202601", "date"),
        (f"snapshots/contracts/{contract}/noon", "ts"),
    ):
        with pytest.raises(HTTP400BadRequestError) as raised:
            owner.get(f"{base}/{path}")
        assert (error_of(raised)[1] or "").startswith(f"{name}:"), path
    for role, path in (
        ("member", f"workdiaries/companies/acme/{day.strftime('%Y%m%d')}"),
        ("member", f"workdays/contracts/{contract}/{span}"),
        ("agency_provider", f"snapshots/contracts/{contract}/now"),
        ("owner", "workdays/companies/nosuchcompany/20260101,20260102"),
    ):
        with pytest.raises(HTTP404NotFoundError):
            server.client(role).get(f"{base}/{path}")


# --------------------------------------------------------------------------
# Changing the memo and the task


def editable(server: Server, contract: str, needed: int) -> list[dict[str, Any]]:
    """The contract's snapshots in the dated demo's week not invoiced yet (its Monday and Tuesday), at least ``needed``.

    The dated demo has full days of work diaries there: fewer is a bug of the demo.
    """
    found = [s for s in dated_snapshots(server, contract) if s["billing_status"] == OPEN]
    assert len(found) >= needed, f"contract {contract} has {len(found)} snapshots in its week not invoiced yet"
    assert {segment_of(s).date() for s in found} <= DATED_OPEN_WEEK, "only the dated demo's last week is open"
    return found


def invoiced(server: Server, contract: str) -> dict[str, Any]:
    return next(s for s in dated_snapshots(server, contract) if s["billing_status"] == INVOICED)


def day_hours(server: Server, contract: str, day: dt.date) -> Decimal:
    """The contract's hours on ``day`` in the time reports (what the time logs say)."""
    query = f"SELECT sum(hours) WHERE worked_on = '{day.isoformat()}' AND assignment_ref = '{contract}'"
    rows = server.client("owner").timereport.get_company_report("acme", query)["table"]["rows"]
    return Decimal(rows[0]["c"][0]["v"]) if rows and rows[0] else Decimal(0)


def test_the_contractor_changes_memos_and_tasks(dated_server: Server) -> None:
    server = dated_server
    provider = server.client("provider")
    contract = contract_of(server, ENGINEERING, WALKER)
    open_ones = editable(server, contract, 12)[-11:-1]  # the latest but one backwards: the test of deletes keeps them

    one = open_ones[0]
    answer = provider.team.update_snapshot(COMPANY, WALKER, "Reviewed the billing module", segment_of(one))
    assert answer["updated"] == "1" and answer["snapshot"]["uid"] == one["uid"]
    assert answer["snapshot"]["memo"] == "Reviewed the billing module"
    assert provider.team.get_snapshot(COMPANY, WALKER, segment_of(one))["memo"] == "Reviewed the billing module"

    several = open_ones[1:4]
    answer = provider.team_v2.update_snapshot_by_contract(contract, "Pairing", [segment_of(s) for s in several])
    assert answer["updated"] == "3" and [s["memo"] for s in answer["snapshot"]] == ["Pairing"] * 3
    span = f"{compact(segment_of(open_ones[4]))},{compact(segment_of(open_ones[6]))}"
    answer = provider.team_v2.update_snapshot_by_contract(contract, "Range memo", span)
    assert int(answer["updated"]) >= 3

    # the task: an activity assigned to the contract, beyond the documentation
    url = f"{server.base_url}/api/team/v2/snapshots/contracts/{contract}/{open_ones[7]['cellts']}"
    answer = provider.put(url, {"memo": "Tests", "task": "ENG-API"})
    assert (answer["snapshot"]["memo"], answer["snapshot"]["task"]) == ("Tests", "ENG-API")
    with pytest.raises(HTTP400BadRequestError) as raised:
        provider.put(url, {"memo": "Tests", "task": "NO-SUCH-TASK"})
    assert "task" in (error_of(raised)[1] or "")
    with pytest.raises(HTTP400BadRequestError) as raised:
        provider.put(url, {"task": "ENG-API"})
    assert error_of(raised)[1] == "memo is required"
    v3 = f"{server.base_url}/api/team/v3/snapshots/contracts/{contract}/{open_ones[8]['cellts']}"
    assert provider.put(v3, {"memo": "From upwork"})["snapshot"]["memo"] == "From upwork"

    # now (the default): the latest
    latest = dated_snapshots(server, contract)[-1]
    assert latest["billing_status"] == OPEN
    answer = provider.team_v2.update_snapshot_by_contract(contract, "Wrapping up")
    assert answer["snapshot"]["uid"] == latest["uid"] and answer["snapshot"]["memo"] == "Wrapping up"

    # readers who are not the contractor: 403; others 404; nothing named: 404
    for role in ("owner", "hiring_manager", "finance"):
        with pytest.raises(HTTP403ForbiddenError):
            server.client(role).team.update_snapshot(COMPANY, WALKER, "Not mine", segment_of(open_ones[9]))
        with pytest.raises(HTTP403ForbiddenError):
            server.client(role).team_v2.update_snapshot_by_contract(contract, "Not mine", segment_of(open_ones[9]))
    kowalski = contract_of(server, MOBILE, KOWALSKI)
    with pytest.raises(HTTP403ForbiddenError) as forbidden:
        server.client("staffing_manager").team_v2.update_snapshot_by_contract(kowalski, "Not mine")
    assert error_of(forbidden)[0] == "access_denied"
    for role in ("member", "agency_provider"):
        with pytest.raises(HTTP404NotFoundError):
            server.client(role).team_v2.update_snapshot_by_contract(contract, "Not mine", segment_of(open_ones[9]))
    with pytest.raises(HTTP404NotFoundError) as raised:
        provider.team.update_snapshot(COMPANY, WALKER, "Nothing there", dt.datetime(2001, 1, 1))
    assert "No snapshot" in (error_of(raised)[1] or "")
    assert provider.team.get_snapshot(COMPANY, WALKER, segment_of(open_ones[9]))["memo"] == open_ones[9]["memo"]

    # a week already invoiced does not change
    billed = invoiced(server, contract)
    with pytest.raises(HTTP400BadRequestError) as raised:
        provider.team.update_snapshot(COMPANY, WALKER, "Too late", segment_of(billed))
    assert error_of(raised)[0] == "invalid_state"
    assert provider.team.get_snapshot(COMPANY, WALKER, segment_of(billed))["memo"] == billed["memo"]


# --------------------------------------------------------------------------
# Deleting


def same_log_run(snapshots: list[dict[str, Any]], length: int) -> list[dict[str, Any]]:
    """``length`` snapshots of one UTC day, task and memo (one time log); the dated demo always has them."""
    groups: dict[tuple[dt.date, str, str], list[dict[str, Any]]] = {}
    for snapshot in snapshots:
        groups.setdefault((segment_of(snapshot).date(), snapshot["task"], snapshot["memo"]), []).append(snapshot)
    for group in groups.values():
        if len(group) >= length:
            return group[:length]
    raise AssertionError(f"no time log of the week not invoiced yet holds {length} snapshots")


def test_deleting_snapshots_and_their_time(dated_server: Server) -> None:
    server = dated_server
    provider = server.client("provider")
    manager = server.client("hiring_manager")
    contract = contract_of(server, ENGINEERING, WALKER)
    open_ones = editable(server, contract, 20)
    kept = {s["uid"] for s in open_ones[-12:]}  # the test of memos changes these (the latest is for "now")

    # an hour of one time log: the day's hours drop by exactly one
    hour = same_log_run([s for s in open_ones if s["uid"] not in kept], 6)
    day = segment_of(hour[0]).date()
    before = day_hours(server, contract, day)
    answer = manager.team_v2.delete_snapshot_by_contract(contract, [segment_of(s) for s in hour])
    assert answer["deleted"] == "6"
    assert day_hours(server, contract, day) == before - 1
    assert provider.team_v2.get_snapshot_by_contract(contract, [segment_of(s) for s in hour]) == []
    with pytest.raises(HTTP404NotFoundError):
        manager.team_v2.delete_snapshot_by_contract(contract, segment_of(hour[0]))

    left = [s for s in dated_snapshots(server, contract) if s["billing_status"] == OPEN and s["uid"] not in kept]
    # the contractor himself (v1), by UNIX seconds; the owner by range
    assert provider.team.delete_snapshot(COMPANY, WALKER, left[0]["cellts"])["deleted"] == "1"
    span = f"{compact(segment_of(left[1]))},{compact(segment_of(left[2]))}"
    assert server.client("owner").team.delete_snapshot("acme", WALKER, span)["deleted"] == "2"
    # python-upwork deletes with POST and http_method=delete
    v3 = f"{server.base_url}/api/team/v3/snapshots/contracts/{contract}/{left[3]['cellts']}"
    assert provider.post(v3, {"http_method": "delete"})["deleted"] == "1"
    assert provider.team_v2.get_snapshot_by_contract(contract, [segment_of(s) for s in left[:4]]) == []

    # a buyer who reads without hiring permission, the staffing manager: 403
    target = segment_of(left[4])
    with pytest.raises(HTTP403ForbiddenError):
        server.client("finance").team_v2.delete_snapshot_by_contract(contract, target)
    with pytest.raises(HTTP403ForbiddenError):
        server.client("finance").team.delete_snapshot(COMPANY, WALKER, target)
    kowalski = contract_of(server, MOBILE, KOWALSKI)
    with pytest.raises(HTTP403ForbiddenError):
        server.client("staffing_manager").team_v2.delete_snapshot_by_contract(kowalski)
    with pytest.raises(HTTP404NotFoundError):
        server.client("member").team_v2.delete_snapshot_by_contract(contract, target)
    assert provider.team_v2.get_snapshot_by_contract(contract, target)["uid"] == left[4]["uid"]

    # a week already invoiced: nobody deletes it
    billed = invoiced(server, contract)
    for client in (provider, manager):
        with pytest.raises(HTTP400BadRequestError) as raised:
            client.team_v2.delete_snapshot_by_contract(contract, segment_of(billed))
        assert error_of(raised)[0] == "invalid_state"
    assert provider.team_v2.get_snapshot_by_contract(contract, segment_of(billed))["uid"] == billed["uid"]

    # now (the default): the latest goes, the one before becomes the latest
    everything = dated_snapshots(server, contract)
    assert everything[-1]["billing_status"] == OPEN
    assert provider.team_v2.delete_snapshot_by_contract(contract)["deleted"] == "1"
    assert provider.team_v2.get_snapshot_by_contract(contract)["uid"] == everything[-2]["uid"]

    # the agency's contractor on mobile: a hiring manager of a team above deletes
    theirs = editable(server, kowalski, 1)
    assert manager.team.delete_snapshot(COMPANY, KOWALSKI, segment_of(theirs[0]))["deleted"] == "1"
    assert manager.team_v2.get_snapshot_by_contract(kowalski, segment_of(theirs[0])) == []
