"""Offers end to end: the real ``odesk.Client`` against the real server, SQLite and PostgreSQL.

The buyer makes an offer on a job (HR v2 and Offers v1), the provider lists
it, accepts or declines it; the engagement, its milestones and the upfront
payment are read back from the database.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
import sqlalchemy as sa

from odesk.exceptions import HTTP400BadRequestError, HTTP403ForbiddenError, HTTP404NotFoundError
from odesk_server import db
from odesk_server.db.work import UnitOfWork
from odesk_server.models import Engagement, Job, LedgerEntry, Milestone, Team, User
from odesk_server.models.references import next_reference
from tests.e2e.e2e_support import Server


@pytest.fixture(scope="module")
def engine(writable_server: Server):
    engine = db.create_engine(writable_server.database_url)
    yield engine
    engine.dispose()


def make_job(engine, team_id: str = "acme:engineering", job_type: str = "hourly") -> Job:
    """A job row (the job endpoints are another part's: the offers only need the row)."""
    with UnitOfWork(engine) as work:
        team = work.session.execute(sa.select(Team).where(Team.team_id == team_id)).scalar_one()
        owner = work.session.execute(sa.select(User).where(User.uid == "mhale")).scalar_one()
        job = Job(
            reference=next_reference(work.session, Job),
            job_key=f"~~{uuid.uuid4().hex[:16]}",
            buyer_team_id=team.id,
            created_by_user_id=owner.id,
            title="Payments integration",
            job_type=job_type,
            description="Integrate the payment provider",
            visibility="public",
            status="open",
            duration=40 if job_type == "hourly" else None,
            budget=Decimal("2000") if job_type == "fixed-price" else None,
        )
        work.session.add(job)
    return job


def engagement_of(engine, reference: str) -> Engagement:
    with UnitOfWork(engine) as work:
        return work.session.execute(sa.select(Engagement).where(Engagement.reference == int(reference))).scalar_one()


def test_hourly_offer_made_listed_and_accepted(writable_server: Server, engine) -> None:
    job = make_job(engine)
    buyer = writable_server.client("hiring_manager")
    made = buyer.hr.post_offer(
        job.reference,
        provider_reference="jwalker",
        engagement_title="Payments integration",
        hourly_pay_rate="52.50",
        weekly_hours_limit="20",
    )["offer"]
    assert made["status"] == "pending"
    offers = buyer.hr.get_offers(made["buyer_team__reference"], job_ref=str(job.reference))
    assert [o["reference"] for o in offers["offer"]] == [made["reference"]]
    assert buyer.hr.get_offer(made["reference"])["reference"] == made["reference"]

    provider = writable_server.client("provider")
    listed = provider.offers.list_freelancer_offers()["offers"]["offer"]
    assert made["reference"] in [o["reference"] for o in listed]
    accepted = provider.offers.accept_or_decline(made["reference"], "accept")["offer"]
    assert accepted["status"] == "accepted"

    engagement = engagement_of(engine, accepted["engagement__reference"])
    assert (engagement.job_type, engagement.hourly_rate, engagement.weekly_limit) == (
        "hourly",
        Decimal("52.50"),
        Decimal("20.00"),
    )
    assert engagement.job_id == job.id
    with pytest.raises(HTTP400BadRequestError):
        provider.offers.accept_or_decline(made["reference"], "decline")
    with pytest.raises(HTTP403ForbiddenError):
        buyer.offers.accept_or_decline(made["reference"], "accept")
    with pytest.raises(HTTP404NotFoundError):
        writable_server.client("member").hr.get_offer(made["reference"])


def test_fixed_price_offer_with_milestones_and_upfront_payment(writable_server: Server, engine) -> None:
    job = make_job(engine, job_type="fixed-price")
    owner = writable_server.client("owner")
    sent = owner.offers.send_client_offer(
        "Checkout redesign",
        "fixed-price",
        "1200",
        "Two milestones, 10% upfront",
        client_team_ref="acme:engineering",
        contractor_username="jwalker",
        context={"job_posting_ref": job.job_key},
        charge_upfront_percent="10",
        milestones=[
            {"milestone_description": "Mockups", "deposit_amount": "480", "due_date": "09-01-2026"},
            {"milestone_description": "Build", "deposit_amount": "600"},
        ],
    )["offer"]
    assert sent["status"] == "new"
    got = owner.offers.get_client_offer(sent["reference"], job__reference=str(job.reference))["offer"]
    assert got["fixed_price_upfront_payment"] == "120.00"
    provider = writable_server.client("provider")
    assert provider.offers.get_freelancer_offer(sent["reference"])["offer"]["reference"] == sent["reference"]
    accepted = provider.offers.accept_or_decline(sent["reference"], "accept")["offer"]

    engagement = engagement_of(engine, accepted["engagement__reference"])
    with UnitOfWork(engine) as work:
        milestones = (
            work.session.execute(
                sa.select(Milestone).where(Milestone.engagement_id == engagement.id).order_by(Milestone.position)
            )
            .scalars()
            .all()
        )
        legs = (
            work.session.execute(sa.select(LedgerEntry).where(LedgerEntry.engagement_id == engagement.id))
            .scalars()
            .all()
        )
    assert [(m.description, m.status) for m in milestones] == [("Mockups", "not_funded"), ("Build", "not_funded")]
    assert sum(leg.amount for leg in legs) == 0
    assert min(leg.amount for leg in legs) == Decimal("-120.00")
    listed = owner.offers.list_client_offers(team__reference=got["buyer_team__reference"], status="accepted")
    assert sent["reference"] in [o["reference"] for o in listed["offers"]["offer"]]


def test_an_agency_offer_declined_by_the_staffing_manager(writable_server: Server, engine) -> None:
    job = make_job(engine)
    made = writable_server.client("owner").hr.post_offer(
        job.reference,
        provider_reference="akowalski",
        provider_team_reference="brightcode:brightcode",
        hourly_pay_rate="40",
    )["offer"]
    staffing = writable_server.client("staffing_manager")
    assert made["reference"] in [o["reference"] for o in staffing.offers.list_freelancer_offers()["offers"]["offer"]]
    declined = staffing.offers.accept_or_decline(made["reference"], "decline")["offer"]
    assert (declined["status"], declined["engagement__reference"]) == ("declined", "")
