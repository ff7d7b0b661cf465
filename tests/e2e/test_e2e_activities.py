"""Activities through the real client against the real server (python-odesk's ``task`` and ``task_v2``).

Written as a script against python-odesk's documentation would be, on a
server of the module's own (``writable_server``), on SQLite and PostgreSQL:
create, list, update, archive, unarchive, assign to a demo contract, read the
contract's activities, and the batch.
"""

from __future__ import annotations

import pytest

from odesk.exceptions import HTTP400BadRequestError, HTTP403ForbiddenError, HTTP404NotFoundError
from tests.e2e.e2e_support import Server

COMPANY = "acme:acme"
TEAM = "acme:engineering"


def test_the_life_of_an_activity(writable_server: Server) -> None:
    manager = writable_server.client("hiring_manager")
    engineering = writable_server.team(TEAM)["reference"]
    listed = manager.hr.get_engagements(buyer_team_reference=engineering, status="active", page_size=100)
    contract = next(c["reference"] for c in listed["engagement"] if c["provider__id"] == "jwalker")
    # the demo's own activities of the team (its task codes), there before ours
    demo_codes = [t["code"] for t in manager.task.get_team_tasks(COMPANY, TEAM)]
    assert "ENG-API" in demo_codes

    made = manager.task.post_team_task(COMPANY, TEAM, "T-17", "Fix the login page", "http://example.com/t17")
    assert (made["task"]["code"], made["task"]["status"]) == ("T-17", "active")
    manager.task.post_team_task(COMPANY, TEAM, "T-18", "Write the release notes", "", engagements=[contract])
    assert [t["code"] for t in manager.task.get_team_tasks(COMPANY, TEAM)] == sorted([*demo_codes, "T-17", "T-18"])
    assert [t["code"] for t in manager.task.get_team_specific_tasks(COMPANY, TEAM, ["T-18"])] == ["T-18"]

    updated = manager.task.put_team_task(COMPANY, TEAM, "T-17", "Fix the login page for good", "")["task"]
    assert (updated["description"], updated["url"]) == ("Fix the login page for good", "")

    assert manager.task.archive_team_task(COMPANY, TEAM, ["T-17", "T-18"])["tasks"][0]["status"] == "archived"
    with pytest.raises(HTTP400BadRequestError):
        manager.task.archive_team_task(COMPANY, TEAM, "T-17")
    assert manager.task.unarchive_team_task(COMPANY, TEAM, ["T-17", "T-18"])["tasks"][1]["status"] == "active"

    assigned = manager.task.assign_engagement(COMPANY, TEAM, contract, ["T-17"])["tasks"]
    assert [t["code"] for t in assigned] == ["T-17"]
    # either side of the contract reads its activities
    for reader in (manager, writable_server.client("provider")):
        codes = [t["code"] for t in reader.task_v2.list_engagement_activities(contract)["tasks"]]
        assert codes == ["T-17"]
    with pytest.raises(HTTP404NotFoundError):
        writable_server.client("member").task_v2.list_engagement_activities(contract)
    # no codes: the contract leaves every activity of the team
    assert manager.task.assign_engagement(COMPANY, TEAM, contract)["tasks"] == []

    with pytest.raises(HTTP404NotFoundError):
        writable_server.client("finance").task.get_team_tasks(COMPANY, TEAM)


def test_company_activities_and_the_batch(writable_server: Server) -> None:
    owner = writable_server.client("owner")
    design_codes = [t["code"] for t in owner.task.get_team_tasks(COMPANY, "acme:design")]
    owner.task.post_company_task(COMPANY, "C-1", "Company-wide meeting", "")
    assert [t["code"] for t in owner.task.get_company_tasks(COMPANY)] == ["C-1"]
    assert owner.task.get_company_specific_tasks(COMPANY, ["C-1"])[0]["team__id"] == COMPANY
    owner.task.put_company_task(COMPANY, "C-1", "Company-wide meetings", "http://example.com/meet")
    owner.task.archive_company_task(COMPANY, "C-1")
    owner.task.unarchive_company_task(COMPANY, "C-1")

    data = '"acme","","","C-1","Meetings","http://example.com"<br>"acme","acme:design","","D-1","Design review",""'
    reply = owner.task.update_batch_tasks(COMPANY, data)
    assert (reply["created"], reply["updated"]) == ("1", "1")
    assert [t["code"] for t in owner.task.get_team_tasks(COMPANY, "acme:design")] == sorted(["D-1", *design_codes])
    with pytest.raises(HTTP400BadRequestError, match="line 2"):
        owner.task.update_batch_tasks(COMPANY, '"acme","","","C-2","ok",""<br>"acme","","","bad;code","x",""')
    assert [t["code"] for t in owner.task.get_company_tasks(COMPANY)] == ["C-1"]

    lines = "<br>".join(f'"acme","acme:engineering","","K{n:04}","Activity {n}",""' for n in range(1000))
    assert owner.task.update_batch_tasks(COMPANY, lines)["created"] == "1000"


def test_python_upwork_assigns_a_contracts_activities(writable_server: Server) -> None:
    """``PUT /api/tasks/v2/tasks/contracts/{ref}`` (python-upwork's ``assign_to_engagement``)."""
    manager = writable_server.client("hiring_manager")
    engineering = writable_server.team(TEAM)["reference"]
    listed = manager.hr.get_engagements(buyer_team_reference=engineering, page_size=100)["engagement"]
    contract = next(c["reference"] for c in listed if c["provider__id"] == "jwalker" and c["status"] == "active")
    closed = next(c["reference"] for c in listed if c["status"] == "closed")
    url = f"{writable_server.base_url}/api/tasks/v2/tasks/contracts/{contract}"
    owner = writable_server.client("owner")
    owner.task.post_company_task(COMPANY, "ALL-HANDS", "Company meetings", "")

    # a team's code and the company's (the root team's), together
    answer = manager.put(url, {"tasks": "ENG-API;ALL-HANDS"})
    assert sorted(t["code"] for t in answer["tasks"]) == ["ALL-HANDS", "ENG-API"]
    read = writable_server.client("provider").task_v2.list_engagement_activities(contract)["tasks"]
    assert sorted(t["code"] for t in read) == ["ALL-HANDS", "ENG-API"]
    # no codes: the contract leaves every activity of its team and the teams above
    assert manager.put(url, {"tasks": ""})["tasks"] == []

    with pytest.raises(HTTP404NotFoundError, match="NO-SUCH"):
        manager.put(url, {"tasks": "NO-SUCH"})
    with pytest.raises(HTTP403ForbiddenError):
        writable_server.client("provider").put(url, {"tasks": "ENG-API"})
    with pytest.raises(HTTP404NotFoundError):
        writable_server.client("member").put(url, {"tasks": "ENG-API"})
    with pytest.raises(HTTP400BadRequestError) as raised:
        manager.put(f"{writable_server.base_url}/api/tasks/v2/tasks/contracts/{closed}", {"tasks": "ENG-API"})
    assert raised.value.error_code == "invalid_state"
    owner.task.archive_company_task(COMPANY, "ALL-HANDS")
    with pytest.raises(HTTP400BadRequestError):
        manager.put(url, {"tasks": "ALL-HANDS"})
    assert manager.put(url, {"tasks": "ENG-BUGS"})["tasks"][0]["code"] == "ENG-BUGS"
