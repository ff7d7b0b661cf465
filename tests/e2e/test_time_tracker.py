"""The time tracker's upload (``POST /api/team/v2/snapshots/contracts/{contract}``) against the real server.

On a server of the module's own (``writable_server``), SQLite and
PostgreSQL: a contractor made for the test (no demo time: every ten minutes
up to now are his to upload) is hired through the API on three contracts
(hourly; hourly with a weekly limit of half an hour; fixed price), then
uploads one snapshot in a form and in JSON, batches, and every upload the
server refuses. What he uploads shows at once in the team report (hours and
charges) and in the team room.

His uploads go into yesterday (UTC), a whole day behind us whatever the time
of day: the fixture moves his contracts' start back to it (they start today
when hired). One day is one week and one time log per task and memo, as the
weekly limit and the report's totals expect. Only the team room's "online
now" uploads at the current time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import httpx
import pytest

from odesk.utils import Table
from tests.e2e.e2e_support import Server
from tests.e2e.tracker_support import (
    SEGMENT,
    SNAPSHOT_KEYS,
    current_segment,
    error_of,
    hire,
    new_contractor,
    stamp,
    start_contract_on,
    upload_form,
    upload_json,
)

CONTRACTOR = "ttracker"
RATE = Decimal("45.00")
# The ten-minute segments of the work day the module uploads into (besides the current one, for "online now").
SEGMENTS_NEEDED = 15
# The work day's segments are taken backwards from this time of day.
DAY_ENDS = dt.time(18, 0)
ZEROS = ",".join(["0"] * 10)
KEYBOARD = "12,30,0,44,51,9,0,18,27,33"
MOUSE = "5,0,0,11,22,7,3,0,9,14"


@dataclass
class Tracker:
    """The module's contractor, his contracts (started on ``day``), and the segments of ``day`` not used yet.

    ``free`` is latest first.
    """

    server: Server
    hourly: str
    limited: str
    fixed: str
    day: dt.date
    free: list[dt.datetime] = field(default_factory=list)

    def segment(self) -> dt.datetime:
        """A ten-minute segment of the work day that no test used."""
        return self.free.pop(0)


@pytest.fixture(scope="module")
def tracker(writable_server: Server) -> Tracker:
    new_contractor(writable_server, CONTRACTOR, "Tess", "Tracker")
    hourly = hire(writable_server, CONTRACTOR, rate=str(RATE))
    limited = hire(writable_server, CONTRACTOR, weekly_limit="0.5")
    fixed = hire(writable_server, CONTRACTOR, fixed_price="300.00")
    # Yesterday: all its segments are past, in one week, whatever the time of day (or weekday) now.
    day = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    for contract in (hourly, limited, fixed):
        start_contract_on(writable_server, contract, day)
    end = dt.datetime.combine(day, DAY_ENDS, dt.UTC)
    free = [end - SEGMENT * n for n in range(1, SEGMENTS_NEEDED + 1)]
    return Tracker(writable_server, hourly, limited, fixed, day, free)


def epoch(moment: dt.datetime) -> str:
    return str(int(moment.timestamp()))


def ok(response: httpx.Response) -> list[dict]:
    assert response.status_code == 200, response.text
    return response.json()["snapshot"]


# --------------------------------------------------------------------------
# Uploads that work


def test_one_snapshot_in_a_form(tracker: Tracker) -> None:
    segment = tracker.segment()
    taken = segment + dt.timedelta(minutes=3, seconds=12)
    fields = {
        "time": stamp(taken),
        "memo": "Checkout flow",
        "window_title": "checkout.py - editor",
        "computer_name": "tess-laptop",
        "keyboard": KEYBOARD,
        "mouse": MOUSE,
    }
    response = upload_form(tracker.server, CONTRACTOR, tracker.hourly, fields)
    (made,) = ok(response)
    assert response.json()["auth_user"]["uid"] == CONTRACTOR
    assert set(made) == SNAPSHOT_KEYS
    assert made["time"] == epoch(taken) and made["cellts"] == epoch(segment)
    assert (made["contract"], made["user_id"], made["team_id"]) == (tracker.hourly, CONTRACTOR, "acme:engineering")
    assert (made["memo"], made["active_window_title"], made["computer_name"]) == (
        "Checkout flow",
        "checkout.py - editor",
        "tess-laptop",
    )
    assert (made["keyboard_per_minute"], made["mouse_per_minute"]) == (KEYBOARD, MOUSE)
    assert made["keyboard_events_count"] == str(sum(int(n) for n in KEYBOARD.split(",")))
    assert made["online_presence"] == "1,1,0,1,1,1,1,1,1,1" and made["activity"] == "9"
    assert made["billing_status"] == "not_billed.active"
    picture = httpx.get(made["screenshot_img_thmb"], timeout=10)
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/svg+xml"


def test_one_snapshot_in_json(tracker: Tracker) -> None:
    segment = tracker.segment()
    body = {
        "time": int(segment.timestamp()) + 59,  # UNIX seconds, as a number
        "memo": "Code review",
        "keyboard": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
        "mouse": ZEROS,
    }
    (made,) = ok(upload_json(tracker.server, CONTRACTOR, tracker.hourly, body))
    assert made["cellts"] == epoch(segment) and made["time"] == str(int(segment.timestamp()) + 59)
    assert made["keyboard_per_minute"] == "1,2,3,4,5,6,7,8,9,10" and made["mouse_events_count"] == "0"
    assert made["task"] == "" and made["computer_name"] == ""


def test_a_batch_is_all_or_nothing(tracker: Tracker) -> None:
    first, second, third = (tracker.segment() for _ in range(3))
    items = [
        {"time": (third + dt.timedelta(minutes=1)).isoformat(), "memo": "Catching up", "keyboard": KEYBOARD},
        {"time": stamp(second + dt.timedelta(minutes=5)), "memo": "Catching up", "mouse": "1,2"},
        {"time": epoch(first + dt.timedelta(minutes=9)), "memo": "Catching up"},
    ]
    response = upload_json(tracker.server, CONTRACTOR, tracker.hourly, {"snapshots": items})
    status, code, message = error_of(response)
    assert (status, code) == (400, "bad_request") and message.startswith("snapshots[1].mouse:")

    # Nothing of it was kept: the same three, corrected, go in (in time order).
    items[1]["mouse"] = MOUSE
    made = ok(upload_json(tracker.server, CONTRACTOR, tracker.hourly, {"snapshots": items}))
    assert [m["cellts"] for m in made] == [epoch(third), epoch(second), epoch(first)]
    assert {m["memo"] for m in made} == {"Catching up"}

    # Two of a batch in the same ten minutes.
    other = tracker.segment()
    twice = [{"time": stamp(other)}, {"time": stamp(other + dt.timedelta(minutes=4))}]
    status, code, message = error_of(upload_json(tracker.server, CONTRACTOR, tracker.hourly, {"snapshots": twice}))
    assert (status, code) == (400, "bad_request") and message.startswith("snapshots[1].time: the same ten minutes")


def test_a_batch_in_a_form(tracker: Tracker) -> None:
    segment = tracker.segment()
    listed = f'[{{"time": "{stamp(segment)}", "memo": "From a form"}}]'
    (made,) = ok(upload_form(tracker.server, CONTRACTOR, tracker.hourly, {"snapshots": listed}))
    assert (made["cellts"], made["memo"]) == (epoch(segment), "From a form")


def test_the_size_and_shape_of_a_batch(tracker: Tracker) -> None:
    start = current_segment() - dt.timedelta(days=1)
    too_many = [{"time": stamp(start + SEGMENT * n)} for n in range(145)]
    cases = [
        ({"snapshots": too_many}, "snapshots: at most 144 snapshots an upload (145 given)"),
        ({"snapshots": []}, "snapshots: send at least one snapshot"),
        ({"snapshots": {"time": "20260101T000000Z"}}, "snapshots: must be a JSON list"),
        ({"snapshots": ["20260101T000000Z"]}, "snapshots[0]: must be an object"),
        ({"snapshots": [{"time": True}]}, "snapshots[0].time: must be text"),
        ({"snapshots": [{"memo": "no time"}]}, "snapshots[0].time is required"),
        ({"time": stamp(start), "snapshots": [{"time": stamp(start)}]}, "snapshots: send one snapshot's fields"),
        ({"memo": "no time"}, "time is required"),
    ]
    for body, expected in cases:
        status, code, message = error_of(upload_json(tracker.server, CONTRACTOR, tracker.hourly, body))
        assert (status, code) == (400, "bad_request"), body
        assert message.startswith(expected), (body, message)


def test_an_activity_assigned_to_the_contract(tracker: Tracker) -> None:
    owner = tracker.server.client("owner")
    owner.task.post_team_task(
        "acme:acme", "acme:engineering", "TRK-1", "Tracked task", "", engagements=[tracker.hourly]
    )
    segment = tracker.segment()
    fields = {"time": stamp(segment), "task": "TRK-1", "memo": "On a task"}
    (made,) = ok(upload_form(tracker.server, CONTRACTOR, tracker.hourly, fields))
    assert made["task"] == "TRK-1"


# --------------------------------------------------------------------------
# Refusals


def test_only_the_contractor_uploads(tracker: Tracker) -> None:
    server = tracker.server
    fields = {"time": stamp(tracker.free[0])}  # a time the contractor may upload: only the caller is wrong
    for role in ("owner", "hiring_manager", "finance"):  # the buyer side sees the contract
        status, code, message = error_of(upload_form(server, role, tracker.hourly, fields))
        assert (status, code) == (403, "access_denied") and "Only the contractor" in message, role
    for role in ("provider", "member", "agency_owner"):  # another contractor, and who cannot see it
        status, code, _message = error_of(upload_form(server, role, tracker.hourly, fields))
        assert (status, code) == (404, "not_found"), role
    status, code, _message = error_of(upload_form(server, CONTRACTOR, "999999999", fields))
    assert (status, code) == (404, "not_found")
    # And the contractor cannot upload onto another contractor's contract (one the team room shows).
    room = server.client("owner").team_v2.get_snapshots("acme:engineering", online="all", disabled="yes")
    other = next(m["contract"] for m in room if m["uid"] != CONTRACTOR)
    status, code, _message = error_of(upload_form(server, CONTRACTOR, other, fields))
    assert (status, code) == (404, "not_found")
    unsigned = httpx.post(server.base_url + f"/api/team/v2/snapshots/contracts/{tracker.hourly}", data=fields)
    assert unsigned.status_code == 401


def test_refused_times_and_fields(tracker: Tracker) -> None:
    spare = tracker.free[0]  # not used up: every upload here is refused
    now = dt.datetime.now(dt.UTC)
    started = dt.datetime.combine(tracker.day, dt.time(), dt.UTC)
    cases = [
        ({"time": stamp(now + dt.timedelta(hours=1))}, "time: ", "is in the future"),
        ({"time": stamp(started - dt.timedelta(hours=12))}, "time: ", "is before contract"),
        ({"time": "yesterday"}, "time: 'yesterday' is not a time", ""),
        ({"time": ""}, "time is required", ""),
        ({"time": stamp(spare), "keyboard": "1,2,3"}, "keyboard: ", ""),
        ({"time": stamp(spare), "mouse": ",".join(["20000"] * 10)}, "mouse: at most", ""),
        ({"time": stamp(spare), "keyboard": "a,b,c,d,e,f,g,h,i,j"}, "keyboard: ", ""),
        ({"time": stamp(spare), "task": "NOT-ASSIGNED"}, "task: 'NOT-ASSIGNED' is not an activity", ""),
        ({"time": stamp(spare), "memo": "m" * 1001}, "memo: at most", ""),
        ({"time": stamp(spare), "window_title": "w" * 501}, "window_title: at most", ""),
        ({"time": stamp(spare), "computer_name": "c" * 101}, "computer_name: at most", ""),
    ]
    for fields, start, part in cases:
        status, code, message = error_of(upload_form(tracker.server, CONTRACTOR, tracker.hourly, fields))
        assert (status, code) == (400, "bad_request"), (fields, message)
        assert message.startswith(start) and part in message, (fields, message)


def test_a_segment_is_tracked_once(tracker: Tracker) -> None:
    segment = tracker.segment()
    (made,) = ok(upload_form(tracker.server, CONTRACTOR, tracker.hourly, {"time": stamp(segment)}))
    again = {"time": stamp(segment + dt.timedelta(minutes=7))}
    for contract in (tracker.hourly, tracker.limited):  # the same contract, and another of the contractor's
        status, code, message = error_of(upload_form(tracker.server, CONTRACTOR, contract, again))
        assert (status, code) == (409, "conflict")
        assert f"{stamp(segment)} are already tracked on contract {tracker.hourly}" in message
    batch = {"snapshots": [{"time": stamp(tracker.free[0])}, {"time": stamp(segment)}]}
    status, code, _message = error_of(upload_json(tracker.server, CONTRACTOR, tracker.hourly, batch))
    assert (status, code) == (409, "conflict")
    assert made["cellts"] == epoch(segment)


def test_the_weekly_limit(tracker: Tracker) -> None:
    # Half an hour a week. Snapshots of one day, task and memo make one time log: three are 0.50 hours, four 0.67.
    four = [{"time": stamp(tracker.segment())} for _ in range(4)]
    status, code, message = error_of(upload_json(tracker.server, CONTRACTOR, tracker.limited, {"snapshots": four}))
    assert (status, code) == (400, "bad_request")
    assert "would reach 0.67 hours, over its weekly limit of 0.50" in message
    assert len(ok(upload_json(tracker.server, CONTRACTOR, tracker.limited, {"snapshots": four[:3]}))) == 3
    status, code, message = error_of(upload_json(tracker.server, CONTRACTOR, tracker.limited, four[3]))
    assert (status, code) == (400, "bad_request") and "weekly limit" in message


def test_fixed_price_suspended_and_closed_contracts(tracker: Tracker) -> None:
    owner = tracker.server.client("owner")
    fields = {"time": stamp(tracker.free[0])}
    status, code, message = error_of(upload_form(tracker.server, CONTRACTOR, tracker.fixed, fields))
    assert (status, code) == (400, "invalid_state") and "only hourly contracts track time" in message
    owner.hr.suspend_contract(tracker.limited, "On hold")
    status, code, message = error_of(upload_form(tracker.server, CONTRACTOR, tracker.limited, fields))
    assert (status, code) == (400, "invalid_state") and "is suspended" in message
    owner.hr.restart_contract(tracker.limited, "Back on")
    owner.hr.end_contract(tracker.limited, "API_REAS_JOB_COMPLETED_SUCCESSFULLY", "yes")
    status, code, message = error_of(upload_form(tracker.server, CONTRACTOR, tracker.limited, fields))
    assert (status, code) == (400, "invalid_state") and "is closed" in message


# --------------------------------------------------------------------------
# Where the time shows


def _totals(tracker: Tracker) -> tuple[Decimal, Decimal]:
    day = tracker.day.isoformat()
    query = f"SELECT sum(hours), sum(charges) WHERE assignment_ref = '{tracker.hourly}' AND worked_on = '{day}'"
    result = tracker.server.client("owner").timereport.get_team_report("acme", "engineering", query)
    rows = list(Table(result["table"]))
    if not rows:
        return Decimal(0), Decimal(0)
    (row,) = rows
    return Decimal(str(row["hours"] or 0)), Decimal(str(row["charges"] or 0))


def test_an_upload_shows_at_once_in_the_team_report(tracker: Tracker) -> None:
    hours, charges = _totals(tracker)
    assert hours > 0  # the uploads before this one
    segment = tracker.segment()
    ok(upload_form(tracker.server, CONTRACTOR, tracker.hourly, {"time": stamp(segment), "memo": "Report check"}))
    after_hours, after_charges = _totals(tracker)
    assert after_hours - hours == Decimal("0.17")
    assert after_charges - charges == (Decimal("0.17") * RATE).quantize(Decimal("0.01"))


def test_an_upload_shows_at_once_in_the_team_room(tracker: Tracker) -> None:
    server = tracker.server
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    (made,) = ok(upload_form(server, CONTRACTOR, tracker.hourly, {"time": stamp(now), "memo": "Online now"}))
    for role, room in (
        ("hiring_manager", "acme:engineering"),
        ("owner", "acme:acme"),
        (CONTRACTOR, "acme:engineering"),
    ):
        members = {m["uid"]: m for m in server.client(role).team_v2.get_snapshots(room, online="now")}
        assert CONTRACTOR in members, (role, room)
        member = members[CONTRACTOR]
        assert (member["online"], member["disabled"], member["contract"]) == ("1", "0", tracker.hourly)
        assert (member["time"], member["memo"], member["screenshot_url"]) == (
            epoch(now),
            "Online now",
            made["screenshot_url"],
        )
        assert (member["first_name"], member["last_name"], member["timezone"]) == ("Tess", "Tracker", "Europe/Lisbon")
