"""The whole hiring life of a contract through ``odesk.Client``, as a script written from the documentation would run it.

A company posts a fixed-price job, invites a contractor, makes him an offer
with an upfront payment; he accepts; the company adds a milestone, funds
it; he asks for approval; the company approves with a bonus, adds an
adjustment, and ends the contract with feedback. Every payment shows, the
same day, in the buyer team's billings and the provider's earnings, less
the platform fee; every transaction's legs sum to zero. Real server, real
database (SQLite and PostgreSQL), nothing but the client's public methods.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from odesk.exceptions import HTTP400BadRequestError, HTTP404NotFoundError
from odesk_server import db
from odesk_server.models import Engagement, LedgerEntry
from tests.e2e.e2e_support import Server

CENT = Decimal("0.01")
WEB = {"category": "Web Development", "subcategory": "Web Programming"}


def _amounts(table: dict) -> dict[str, Decimal]:
    """``subtype -> sum(amount)`` of a finreport table of (subtype, amount) rows."""
    totals: dict[str, Decimal] = {}
    for row in table["rows"]:
        if not row:
            continue
        subtype, amount = row["c"][0]["v"], Decimal(str(row["c"][1]["v"]))
        totals[subtype] = totals.get(subtype, Decimal(0)) + amount
    return totals


def test_a_contract_from_job_post_to_feedback(writable_server: Server) -> None:
    buyer = writable_server.client("owner")
    provider = writable_server.client("provider")
    team = writable_server.team("acme:engineering")["reference"]
    provider_uid = provider.hr.get_user_me()["id"]
    provider_ref = provider.hr.get_user_me()["reference"]

    # The company posts a job and invites the contractor.
    job = buyer.hr.post_job(
        team,
        "Rebuild the invoicing screens",
        "fixed-price",
        "New invoicing screens for the back office.",
        "private",
        category="Web Development",
        subcategory="Web Programming",
        budget=1200,
    )["job"]
    invited = buyer.hr_v1.invite_to_interview(job["reference"], "Your portfolio fits.", provider_reference=provider_ref)
    assert invited["application"]["status"] == "invited"

    # An offer: 1,000.00 fixed price, 100.00 of it up front.
    offer = buyer.hr.post_offer(
        job["reference"],
        provider_reference=provider_ref,
        engagement_title="Invoicing screens",
        fixed_charge_amount_agreed="1000.00",
        fixed_price_upfront_payment="100.00",
    )["offer"]
    mine = provider.offers.list_freelancer_offers()["offers"]["offer"]
    assert offer["reference"] in [o["reference"] for o in mine]
    accepted = provider.offers.accept_or_decline(offer["reference"], "accept")["offer"]
    contract = accepted["engagement__reference"]
    assert buyer.hr.get_engagement(contract)["status"] == "active"
    assert buyer.hr.get_job(job["reference"])["status"] == "filled"
    with pytest.raises(HTTP400BadRequestError):  # an accepted offer cannot be accepted again
        provider.offers.accept_or_decline(offer["reference"], "accept")

    # A milestone, funded, submitted, approved with a bonus.
    milestone = buyer.hr_v3.create_milestone(contract, "Screens delivered", "900.00")["milestone"]["id"]
    buyer.hr_v3.activate_milestone(milestone)
    submission = provider.hr_v3.request_submission_approval(milestone, "All screens done", "900.00")
    paid = buyer.hr_v3.approve_submission(submission["submission"]["id"], "900.00", bonus="50.00")
    assert paid["milestone"]["status"] == "paid"

    # An adjustment, then the end of the contract with feedback.
    adjustment = buyer.hr.post_team_adjustment(team, contract, "Extra review round", "25.00")
    assert adjustment["reference"]
    scores = {f"fb_scores[{i}]": 5 for i in range(3, 9)}
    buyer.hr.end_contract(contract, "API_REAS_JOB_COMPLETED_SUCCESSFULLY", "yes", scores, "Great work")
    assert buyer.hr.get_engagement(contract)["status"] == "closed"
    with pytest.raises(HTTP400BadRequestError):  # a closed contract takes no more money
        buyer.hr.post_team_adjustment(team, contract, "Too late", "10.00")

    # Every payment, in the reports, today: billed to the team, earned by the provider less the fee.
    today = dt.datetime.now(dt.UTC).date()
    query = f"SELECT subtype, amount WHERE assignment__reference = '{contract}' AND date >= '{today}'"
    billed = _amounts(buyer.finreport.get_buyer_teams_billings(team, query)["table"])
    earned = _amounts(provider.finreport.get_provider_earnings(provider_uid, query)["table"])
    charges = {
        "Upfront Payment": Decimal("100.00"),
        "Milestone": Decimal("900.00"),
        "Bonus": Decimal("50.00"),
        "Adjustment": Decimal("25.00"),
    }
    assert {kind: amount.copy_abs() for kind, amount in billed.items()} == charges
    fee_rate = Decimal("0.10")
    assert {kind: amount.copy_abs() for kind, amount in earned.items()} == {
        kind: (amount * (1 - fee_rate)).quantize(CENT) for kind, amount in charges.items()
    }

    # And the ledger balances: every transaction of the contract sums to zero.
    engine = db.create_engine(writable_server.database_url)
    try:
        with engine.connect() as connection:
            sums = connection.execute(
                sa.select(LedgerEntry.transaction_ref, sa.func.sum(LedgerEntry.amount))
                .join(Engagement, Engagement.id == LedgerEntry.engagement_id)
                .where(Engagement.reference == int(contract))
                .group_by(LedgerEntry.transaction_ref)
            ).all()
    finally:
        engine.dispose()
    # Three transactions: the upfront payment, the approval (milestone and bonus together), the adjustment.
    assert len(sums) == 3 and all(total == 0 for _ref, total in sums)


def _hired(buyer, provider, team: str, provider_ref: str, title: str) -> tuple[dict, str]:
    """A fixed-price job and the contract its accepted offer made: (the job, the contract's reference)."""
    job = buyer.hr.post_job(team, title, "fixed-price", f"{title}, start to end.", "private", **WEB, budget=500)["job"]
    offer = buyer.hr.post_offer(
        job["reference"], provider_reference=provider_ref, engagement_title=title, fixed_charge_amount_agreed="500.00"
    )["offer"]
    return job, provider.offers.accept_or_decline(offer["reference"], "accept")["offer"]["engagement__reference"]


def test_applications_seen_from_both_sides(writable_server: Server) -> None:
    buyer = writable_server.client("owner")
    provider = writable_server.client("provider")
    team = writable_server.team("acme:engineering")["reference"]
    provider_ref = provider.hr.get_user_me()["reference"]
    job = buyer.hr.post_job(team, "Audit the API logs", "hourly", "Read the logs.", "private", **WEB, duration=40)[
        "job"
    ]
    invited = buyer.hr_v1.invite_to_interview(job["reference"], "Have a look?", provider_reference=provider_ref)
    application = invited["application"]["reference"]

    listed = buyer.hr_v3.list_client_applications(team, job["job_key"])["applications"]["application"]
    assert [a["reference"] for a in listed] == [application]
    seen = buyer.hr_v3.get_client_application(application, team)["application"]
    assert (seen["provider__reference"], seen["job_key"], seen["status"]) == (provider_ref, job["job_key"], "invited")
    assert provider.hr_v3.get_freelancer_application(application)["application"]["reference"] == application
    invites = provider.hr_v3.list_freelancer_applications(status="invites")["applications"]["application"]
    assert application in [a["reference"] for a in invites]
    with pytest.raises(HTTP404NotFoundError):  # another buyer team's eyes only
        writable_server.client("member").hr_v3.get_client_application(application, team)


def test_a_rejected_submission_then_a_milestone_approved_directly(writable_server: Server) -> None:
    buyer = writable_server.client("owner")
    provider = writable_server.client("provider")
    team = writable_server.team("acme:engineering")["reference"]
    _job, contract = _hired(buyer, provider, team, provider.hr.get_user_me()["reference"], "Tidy the docs")

    milestone = buyer.hr_v3.create_milestone(contract, "First pass", "300.00")["milestone"]["id"]
    buyer.hr_v3.activate_milestone(milestone)
    first = provider.hr_v3.request_submission_approval(milestone, "First pass done", "300.00")["submission"]["id"]
    rejected = buyer.hr_v3.reject_submission(first, "Two pages are missing")
    assert (rejected["submission"]["status"], rejected["milestone"]["status"]) == ("rejected", "active")
    with pytest.raises(HTTP400BadRequestError):  # rejected once, decided for good
        buyer.hr_v3.approve_submission(first, "300.00")

    # The buyer pays less than the deposit, straight from the milestone, with the documented reason.
    paid = buyer.hr_v3.approve_milestone(milestone, amount="250.00", underpayment_reason=330, note2contractor="Thanks")
    assert (paid["milestone"]["status"], paid["milestone"]["paid_amount"]) == ("paid", "250.00")
    with pytest.raises(HTTP400BadRequestError):  # a paid milestone is paid once
        buyer.hr_v3.approve_milestone(milestone, amount="250.00", underpayment_reason=330)
