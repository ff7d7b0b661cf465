"""Contracts end to end: python-odesk's ``odesk.Client`` against the real server, on SQLite and PostgreSQL.

The life of a running contract as a script written from the documentation
would drive it: list and read it, suspend and restart it, pay an
adjustment and find it in the financial reports, end it with feedback;
then the contract refuses what a closed contract refuses. On a server of
the module's own (``writable_server``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from odesk.exceptions import HTTP400BadRequestError, HTTP403ForbiddenError, HTTP404NotFoundError
from odesk.utils import Q, Query
from tests.e2e.e2e_support import Server


def test_the_life_of_a_contract(writable_server: Server) -> None:
    owner = writable_server.client("owner")
    engineering = writable_server.team("acme:engineering")["reference"]

    listed = owner.hr.get_engagements(buyer_team_reference=engineering, status="active", page_size=100)
    contracts = listed["engagement"]
    mine = [c for c in contracts if c["provider__id"] == "jwalker"]
    assert mine and all(c["status"] == "active" for c in contracts)
    reference = mine[0]["reference"]
    assert owner.hr.get_engagement(reference) == mine[0]
    assert writable_server.client("provider").hr.get_engagement(reference)["reference"] == reference
    with pytest.raises(HTTP404NotFoundError):
        writable_server.client("member").hr.get_engagement(reference)

    suspended = owner.hr.suspend_contract(reference, "Holiday break")
    assert suspended["engagement"]["status"] == "suspended"
    with pytest.raises(HTTP400BadRequestError) as refused:
        owner.hr.suspend_contract(reference, "again")
    assert "invalid_state" in str(refused.value)
    assert owner.hr.restart_contract(reference, "Welcome back")["engagement"]["status"] == "active"
    with pytest.raises(HTTP403ForbiddenError):
        writable_server.client("finance").hr.suspend_contract(reference, "no")

    adjustment = owner.hr.post_team_adjustment(engineering, reference, "Bonus for a good job", "120.00", "Q3")
    assert adjustment["charge_amount"] == "120.00" and adjustment["amount"] == "108.00"
    today = dt.datetime.now(dt.UTC).date().isoformat()
    query = Query(
        ["amount"],
        (Q("assignment__reference") == reference) & (Q("type") == "Adjustment") & (Q("date") >= today),
    )
    billings = owner.finreport.get_buyer_teams_billings(engineering, query)
    assert [Decimal(row["c"][0]["v"]) for row in billings["table"]["rows"] if row] == [Decimal("-120.00")]
    earnings = writable_server.client("provider").finreport.get_provider_earnings("jwalker", query)
    assert [Decimal(row["c"][0]["v"]) for row in earnings["table"]["rows"] if row] == [Decimal("108.00")]

    scores = {f"fb_scores[{i}]": 5 for i in range(3, 9)}
    ended = owner.hr.end_contract(reference, "API_REAS_JOB_COMPLETED_SUCCESSFULLY", "yes", scores, "Thanks!")
    assert ended["engagement"]["status"] == "closed" and ended["engagement"]["engagement_end_date"]
    assert owner.hr.get_engagement(reference)["status"] == "closed"
    for refused_call in (
        lambda: owner.hr.suspend_contract(reference, "no"),
        lambda: owner.hr.post_team_adjustment(engineering, reference, "late bonus", "10"),
        lambda: owner.hr.end_contract(reference, "API_REAS_WORK_NOT_NEEDED", "no"),
    ):
        with pytest.raises(HTTP400BadRequestError):
            refused_call()
    closed = owner.hr.get_engagements(buyer_team_reference=engineering, status="closed", page_size=200)
    assert reference in {c["reference"] for c in closed["engagement"]}


def test_applications_listings_answer(writable_server: Server) -> None:
    provider = writable_server.client("provider")
    listing = provider.hr_v3.list_freelancer_applications(status="active")
    assert int(listing["applications"]["lister"]["total_items"]) == len(listing["applications"]["application"])
    with pytest.raises(HTTP404NotFoundError):
        provider.hr_v3.get_freelancer_application("999999999")
    owner = writable_server.client("owner")
    engineering = writable_server.team("acme:engineering")["reference"]
    with pytest.raises(HTTP404NotFoundError):
        owner.hr_v3.list_client_applications(engineering, "~~ffffffffffffffff")
