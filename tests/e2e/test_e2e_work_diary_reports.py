"""Work diaries and time reports are two views of one truth, through the real client and server.

On a demo that ends on Tuesday 2026-06-30 (``dated_server``: the same data
whatever day the tests run), whose week is not invoiced yet: a hiring
manager opens a contractor's day, deletes an idle hour, and the team report
loses exactly that hour and its charge; the contractor's memo and task
changes show in the report's ``memo`` and ``task``; the diary and the
report agree on every day of the diary's four weeks.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest

from odesk.exceptions import HTTP400BadRequestError
from odesk.utils import Table
from tests.e2e.conftest import DATED_DEMO_END
from tests.e2e.e2e_support import Server

COMPANY = "acme:acme"
ENGINEERING = "acme:engineering"
WALKER = "jwalker"
DAY = DATED_DEMO_END
TEN_MINUTES = Decimal(10) / 60


def walker_contract(server: Server) -> dict[str, Any]:
    manager = server.client("hiring_manager")
    listed = manager.hr.get_engagements(
        buyer_team_reference=server.team(ENGINEERING)["reference"], status="active", page_size=100
    )
    return next(c for c in listed["engagement"] if c["provider__id"] == WALKER)


def report_rows(server: Server, day: dt.date, contract: str) -> list[dict[str, Any]]:
    """The team report's rows of ``contract`` on ``day``, as the hiring manager reads them."""
    query = (
        "SELECT task, memo, hours, hours_online, charges "
        f"WHERE worked_on = '{day.isoformat()}' AND assignment_ref = '{contract}' ORDER BY task, memo"
    )
    answer = server.client("hiring_manager").timereport.get_team_report("acme", "engineering", query)
    return list(Table(answer["table"]))


def totals(rows: list[dict[str, Any]]) -> tuple[Decimal, Decimal]:
    """The hours and the charges of ``rows``."""
    return (
        sum((Decimal(str(row["hours"])) for row in rows), Decimal(0)),
        sum((Decimal(str(row["charges"])) for row in rows), Decimal(0)),
    )


def segment(snapshot: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(snapshot["cellts"]), dt.UTC)


def diary(server: Server, role: str, day: dt.date) -> list[dict[str, Any]]:
    _user, snapshots = server.client(role).team.get_workdiaries(ENGINEERING, WALKER, day.strftime("%Y%m%d"), tz="gmt")
    return snapshots


def idle_hour(snapshots: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Six snapshots in a row of one task and memo: the hour the manager will not pay for."""
    by_log: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for snapshot in snapshots:
        by_log[(snapshot["task"], snapshot["memo"])].append(snapshot)
    for run in by_log.values():
        run.sort(key=segment)
        for start in range(len(run) - 5):
            window = run[start : start + 6]
            if segment(window[-1]) - segment(window[0]) == dt.timedelta(minutes=50):
                return window
    raise AssertionError("the demo's day has no hour of one task and memo")


def test_a_hiring_manager_deletes_an_idle_hour_and_the_report_loses_it(dated_server: Server) -> None:
    server = dated_server
    contract = walker_contract(server)
    reference, rate = contract["reference"], Decimal(contract["hourly_charge_rate"])

    day = diary(server, "hiring_manager", DAY)
    assert day, "the dated demo has a diary for its last day"
    before = report_rows(server, DAY, reference)
    hours, charges = totals(before)
    # the diary and the report agree: every snapshot is ten minutes of the day's online hours
    assert sum(Decimal(str(row["hours_online"])) for row in before) == pytest.approx(len(day) * TEN_MINUTES, abs=0.05)

    hour = idle_hour(day)
    span = f"{segment(hour[0]).strftime('%Y%m%dT%H%M%SZ')},{segment(hour[-1]).strftime('%Y%m%dT%H%M%SZ')}"
    answer = server.client("hiring_manager").team_v2.delete_snapshot_by_contract(reference, span)
    assert answer["deleted"] == "6"

    after = report_rows(server, DAY, reference)
    assert totals(after) == (hours - 1, charges - rate)
    assert len(diary(server, "provider", DAY)) == len(day) - 6


def test_memo_and_task_changes_show_in_the_report(dated_server: Server) -> None:
    server = dated_server
    reference = walker_contract(server)["reference"]
    provider = server.client("provider")
    day = diary(server, "provider", DAY)
    first, second = sorted(day, key=segment)[:2]
    hours_before = totals(report_rows(server, DAY, reference))[0]

    provider.team_v2.update_snapshot_by_contract(reference, "Reviewed the release branch", segment(first))
    provider.put(
        f"{server.base_url}/api/team/v2/snapshots/contracts/{reference}/{int(segment(second).timestamp())}",
        {"memo": "Tagged the release", "task": "ENG-REVIEW"},
    )
    rows = {(row["task"], row["memo"]): row for row in report_rows(server, DAY, reference)}
    assert Decimal(str(rows[(first["task"], "Reviewed the release branch")]["hours"])) == Decimal("0.17")
    assert Decimal(str(rows[("ENG-REVIEW", "Tagged the release")]["hours"])) == Decimal("0.17")
    # moved, not added: the day's hours stay within the rounding of the logs they left and joined
    assert abs(totals(report_rows(server, DAY, reference))[0] - hours_before) <= Decimal("0.04")
    memos = {s["memo"] for s in diary(server, "hiring_manager", DAY)}
    assert {"Reviewed the release branch", "Tagged the release"} <= memos


def test_diaries_and_reports_agree_on_every_day(dated_server: Server) -> None:
    """Four weeks of diaries: each day's snapshots are the report's online hours of that day, per log."""
    server = dated_server
    reference = walker_contract(server)["reference"]
    owner = server.client("owner")
    query = (
        "SELECT worked_on, task, memo, hours_online "
        f"WHERE assignment_ref = '{reference}' AND worked_on >= '{(DAY - dt.timedelta(days=27)).isoformat()}'"
    )
    report: dict[tuple[str, str, str], Decimal] = {}  # (worked_on as yyyymmdd, task, memo)
    for row in Table(owner.timereport.get_team_report("acme", "engineering", query)["table"]):
        report[(str(row["worked_on"]), row["task"], row["memo"])] = Decimal(str(row["hours_online"]))
    counted: dict[tuple[str, str, str], int] = defaultdict(int)
    for offset in range(28):
        day = DAY - dt.timedelta(days=offset)
        for snapshot in diary(server, "owner", day):
            counted[(day.strftime("%Y%m%d"), snapshot["task"], snapshot["memo"])] += 1
    assert counted, "four weeks of diaries hold snapshots"
    for key, count in counted.items():
        minutes = Decimal(count * 10)
        assert report[key] == (minutes / 60).quantize(Decimal("0.01")), key
    # and no online time of those days without its snapshots
    assert {key for key, hours in report.items() if hours > 0} == set(counted)


def test_time_in_an_invoiced_week_stays(dated_server: Server) -> None:
    server = dated_server
    reference = walker_contract(server)["reference"]
    last_week = DAY - dt.timedelta(days=7)
    snapshots = diary(server, "hiring_manager", last_week) or diary(
        server, "hiring_manager", last_week - dt.timedelta(days=1)
    )
    assert snapshots
    with pytest.raises(HTTP400BadRequestError) as raised:
        server.client("hiring_manager").team_v2.delete_snapshot_by_contract(reference, segment(snapshots[0]))
    assert raised.value.error_code == "invalid_state"
    assert "already invoiced" in (raised.value.error_message or "")
    again = server.client("provider").team_v2.get_snapshot_by_contract(reference, segment(snapshots[0]))
    assert again["uid"] == snapshots[0]["uid"]
