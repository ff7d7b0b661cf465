"""Fixed-price milestones through the real ``odesk.Client`` against the real server (SQLite and PostgreSQL).

The demo's fixed-price contracts belong to providers without a demo token:
the module issues one (``odesk-server token create``) for the provider of an
active fixed-price contract of acme:mobile.
"""

from __future__ import annotations

import re
import threading
from decimal import Decimal

import pytest
import sqlalchemy as sa

import odesk
from odesk.exceptions import HTTP400BadRequestError, HTTPError
from odesk_server.domain.ledger import provider_share
from odesk_server.models import Engagement, Milestone, Team, User
from tests.e2e.e2e_support import Server


@pytest.fixture(scope="module")
def contract(writable_server: Server) -> tuple[str, odesk.Client]:
    """An active fixed-price contract's reference, and a client signed in as its provider."""
    engine = sa.create_engine(writable_server.database_url)
    try:
        with engine.connect() as conn:
            row = conn.execute(
                sa.select(Engagement.reference, User.uid)
                .join(User, User.id == Engagement.provider_user_id)
                .join(Team, Team.id == Engagement.buyer_team_id)
                .where(
                    Engagement.job_type == "fixed-price",
                    Engagement.status == "active",
                    Engagement.agency_company_id.is_(None),
                    # None of the demo's funded milestones: the test's milestone is the active one.
                    ~Engagement.milestones.any(Milestone.status.in_(("active", "submitted"))),
                )
                .order_by(Engagement.reference)
            ).first()
    finally:
        engine.dispose()
    assert row is not None, "the demo has an active fixed-price contract"
    issued = writable_server.admin("token", "create", "--user", row.uid, "--consumer", writable_server.consumer_key)
    token = re.search(r"^token:\s+(\S+)$", issued.stdout, re.M).group(1)
    secret = re.search(r"^secret:\s+(\S+)$", issued.stdout, re.M).group(1)
    provider = odesk.Client(
        writable_server.consumer_key, writable_server.consumer_secret, token, secret, base_url=writable_server.base_url
    )
    return str(row.reference), provider


def _funded(owner: odesk.Client, reference: str, deposit: str) -> str:
    created = owner.hr_v3.create_milestone(reference, "Milestone from the client", deposit, "12-31-2026")
    milestone = created["milestone"]["id"]
    assert owner.hr_v3.activate_milestone(milestone, "Funded")["milestone"]["status"] == "active"
    return milestone


def test_create_fund_submit_approve_with_bonus_and_see_it_billed(writable_server: Server, contract) -> None:
    reference, provider = contract
    owner = writable_server.client("owner")
    milestone = _funded(owner, reference, "640.00")
    active = provider.hr_v3.get_active_milestone(reference)["milestone"]
    assert (active["id"], active["deposit_amount"], active["due_date"]) == (milestone, "640.00", "12-31-2026")

    asked = provider.hr_v3.request_submission_approval(milestone, "All done", "640.00")
    submission = asked["submission"]["id"]
    listed = owner.hr_v3.get_milestone_submissions(milestone)["submissions"]["submission"]
    assert [(s["id"], s["status"]) for s in listed] == [(submission, "pending")]

    paid = owner.hr_v3.approve_submission(submission, "640.00", bonus="60.00", pay_comments="Thanks")
    assert paid["submission"]["status"] == "approved"
    assert (paid["milestone"]["status"], paid["milestone"]["bonus"]) == ("paid", "60.00")

    query = f"SELECT subtype, amount WHERE assignment__reference = '{reference}'"
    uid = provider.hr.get_user_me()["id"]
    earned = provider.finreport.get_provider_earnings(uid, query)["table"]["rows"]
    amounts = {(row["c"][0]["v"], Decimal(str(row["c"][1]["v"]))) for row in earned if row}
    assert ("Milestone", provider_share(Decimal("640.00"))) in amounts
    assert ("Bonus", provider_share(Decimal("60.00"))) in amounts

    with pytest.raises(HTTP400BadRequestError):
        owner.hr_v3.approve_submission(submission, "640.00")
    with pytest.raises(HTTP400BadRequestError):
        owner.hr_v3.delete_milestone(milestone)


def test_a_not_funded_milestone_is_edited_and_deleted(writable_server: Server, contract) -> None:
    reference, _provider = contract
    owner = writable_server.client("owner")
    created = owner.hr_v3.create_milestone(reference, "Draft", "10")["milestone"]
    edited = owner.hr_v3.edit_milestone(created["id"], milestone_description="Draft 2", deposit_amount="12.50")
    assert (edited["milestone"]["milestone_description"], edited["milestone"]["deposit_amount"]) == ("Draft 2", "12.50")
    assert owner.hr_v3.delete_milestone(created["id"])["milestone"]["status"] == "deleted"


def test_concurrent_approvals_pay_once(writable_server: Server, contract) -> None:
    """Parallel approvals of one submission through the real server: one pays, the others are refused."""
    reference, provider = contract
    owner = writable_server.client("owner")
    milestone = _funded(owner, reference, "75.00")
    submission = provider.hr_v3.request_submission_approval(milestone, "Done", "75.00")["submission"]["id"]
    barrier = threading.Barrier(6)
    outcomes: list[object] = []

    def approve() -> None:
        client = writable_server.client("owner")
        barrier.wait()
        try:
            outcomes.append(client.hr_v3.approve_submission(submission, "75.00", bonus="5")["milestone"]["status"])
        except HTTPError as refused:
            outcomes.append(refused.code)

    threads = [threading.Thread(target=approve) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("paid") == 1, outcomes
    assert set(outcomes) <= {"paid", 400, 503}, outcomes
    engine = sa.create_engine(writable_server.database_url)
    try:
        with engine.connect() as conn:
            legs = conn.execute(
                sa.text(
                    "SELECT count(*), sum(amount) FROM ledger_entries WHERE transaction_ref ="
                    " (SELECT payment_transaction_ref FROM milestones WHERE reference = :m)"
                ),
                {"m": int(milestone)},
            ).one()
            payments = conn.execute(
                sa.text(
                    "SELECT count(*) FROM ledger_entries l JOIN engagements e ON e.id = l.engagement_id"
                    " WHERE e.reference = :c AND l.amount = -75"
                ),
                {"c": int(reference)},
            ).scalar()
    finally:
        engine.dispose()
    assert (legs[0], Decimal(str(legs[1]))) == (6, Decimal("0"))
    assert payments == 1
