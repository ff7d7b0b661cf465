"""The demo's hiring life: every state present, the rows consistent with each other and with the ledger,
and the demo roles seeing their part of it through the API. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa
from oauth_signing import consumer_signer, send, served_app

from odesk_server import db
from odesk_server.domain.offers import current_status
from odesk_server.models import (
    CANDIDACY_STATUSES,
    CONTRACTOR_SCORE_IDS,
    END_REASONS,
    JOB_CANCEL_REASONS,
    JOB_STATUSES,
    MILESTONE_STATUSES,
    OFFER_STATUSES,
    SUBMISSION_STATUSES,
    Candidacy,
    Engagement,
    EngagementEvent,
    Job,
    LedgerEntry,
    Milestone,
    Offer,
    Submission,
    User,
)

# The demo's last day in the tests (conftest.DEMO_END_DATE), at noon: "now" for the offers' expiry.
NOON_OF_THE_LAST_DAY = dt.datetime(2026, 6, 30, 12, tzinfo=dt.UTC)


@pytest.fixture
def session(demo_database):
    url, _credentials = demo_database
    engine = db.create_engine(url)
    with sa.orm.Session(engine) as session:
        yield session
    engine.dispose()


def _statuses(session, column) -> set[str]:
    return set(session.scalars(sa.select(column).distinct()))


# what -> the statuses the demo holds: all of them
STATUS_COLUMNS = [
    (Job.status, JOB_STATUSES),
    (Candidacy.status, CANDIDACY_STATUSES),
    (Milestone.status, MILESTONE_STATUSES),
    (Submission.status, SUBMISSION_STATUSES),
    (Engagement.status, {"active", "suspended", "closed"}),
]


@pytest.mark.parametrize(("column", "expected"), STATUS_COLUMNS, ids=lambda v: getattr(v, "key", ""))
def test_every_status_is_present(session, column, expected) -> None:
    assert _statuses(session, column) == set(expected)


def test_every_offer_status_is_present_expired_one_by_its_date(session) -> None:
    offers = session.execute(sa.select(Offer.status, Offer.expires_at)).all()
    seen = {current_status(o.status, o.expires_at, NOON_OF_THE_LAST_DAY).value for o in offers}
    assert seen == set(OFFER_STATUSES)
    assert "expired" not in {o.status for o in offers}  # expiry is read from the date, never written


def test_every_milestone_payment_has_balanced_legs_matching_what_was_paid(session) -> None:
    milestones = session.scalars(sa.select(Milestone).order_by(Milestone.id)).all()
    paid = [m for m in milestones if m.status == "paid"]
    assert paid and any(m.bonus for m in paid)
    for m in milestones:
        if m.status != "paid":
            assert m.payment_transaction_ref is None and m.paid_amount is None, m
            continue
        legs = session.scalars(
            sa.select(LedgerEntry).where(LedgerEntry.transaction_ref == m.payment_transaction_ref)
        ).all()
        assert sum(leg.amount for leg in legs) == 0
        assert {leg.engagement_id for leg in legs} == {m.engagement_id}
        assert {leg.date for leg in legs} == {m.paid_at.date()}  # on the day of the approval
        charged = {leg.subtype: -leg.amount for leg in legs if leg.amount < 0}
        assert charged == ({"Milestone": m.paid_amount, "Bonus": m.bonus} if m.bonus else {"Milestone": m.paid_amount})
        assert m.paid_amount + m.bonus == -sum(leg.amount for leg in legs if leg.amount < 0)
        assert m.funded_at is not None and m.funded_at <= m.paid_at


def test_submissions_follow_their_milestones(session) -> None:
    for m in session.scalars(sa.select(Milestone)).all():
        statuses = [s.status for s in m.submissions]
        assert statuses.count("pending") == (1 if m.status == "submitted" else 0), m
        if m.status == "not_funded" or m.status == "deleted":
            assert statuses == [] and m.funded_at is None
        if statuses:
            assert all(s.amount <= m.deposit_amount for s in m.submissions)
            assert all(s == "rejected" for s in statuses[:-1])  # only the last one may be pending or approved


def test_ended_contracts_have_their_reason_feedback_and_event(session) -> None:
    contracts = session.scalars(sa.select(Engagement).order_by(Engagement.id)).all()
    closed = [c for c in contracts if c.status == "closed"]
    assert closed and any(c.feedback_scores for c in closed) and any(not c.feedback_scores for c in closed)
    for c in contracts:
        ends = [e for e in c.events if e.action == "end"]
        if c.status != "closed":
            assert ends == [] and c.end_reason is None
            continue
        assert c.end_reason in END_REASONS and c.would_hire_again is not None
        assert len(ends) == 1 and ends[0].created_at.date() == c.ended_on and ends[0] is c.events[-1]
        scores = {s.score_id for s in c.feedback_scores}
        assert scores in (set(), set(CONTRACTOR_SCORE_IDS))
        assert (c.feedback_comment is not None) == bool(scores)


def test_suspensions_match_the_contracts_status(session) -> None:
    paused = session.scalars(sa.select(Engagement).where(Engagement.events.any(EngagementEvent.action == "suspend")))
    moves = {c.status: [e.action for e in c.events] for c in paused}
    assert moves == {"suspended": ["suspend"], "active": ["suspend", "restart"]}


def test_hired_contracts_name_their_filled_job_and_accepted_offer(session) -> None:
    hired = session.scalars(sa.select(Engagement).where(Engagement.offer_id.is_not(None))).all()
    uids = {c.provider.uid for c in hired}
    assert {"jwalker", "akowalski"} <= uids and len(hired) >= 6
    for c in hired:
        offer = c.offer
        assert (offer.status, offer.job_id, offer.provider_user_id) == ("accepted", c.job_id, c.provider_user_id)
        assert offer.decided_at == c.created_at and c.job.status == "filled" and offer.candidacy.status == "hired"
        if c.job_type == "hourly":
            assert (offer.hourly_pay_rate, offer.weekly_hours_limit) == (c.hourly_rate, c.weekly_limit)
        else:
            assert offer.fixed_charge_amount_agreed == c.fixed_price
            offered = [(m.description, m.deposit_amount) for m in offer.milestones]
            assert offered == [(m.description, m.deposit_amount) for m in c.milestones]


def test_closed_jobs_keep_no_waiting_candidates(session) -> None:
    for job in session.scalars(sa.select(Job)).all():
        if job.status != "open":
            assert job.closed_at is not None
            assert not {c.status for c in job.candidacies} & {"invited", "interviewing"}, job
        assert (job.cancel_reason in JOB_CANCEL_REASONS) == (job.status == "cancelled"), job


# --------------------------------------------------------------------------
# Through the API, as the demo roles


@pytest.fixture
def api(demo_database):
    url, credentials = demo_database
    with served_app(url) as client:

        def get(role: str, path: str, params=None):
            response = send(client, consumer_signer(credentials, role), "GET", path, params)
            assert response.status_code == 200, response.text
            return response.json()

        yield get, credentials


def _fixed_price_contract(session, uid: str) -> int:
    return session.scalar(
        sa.select(Engagement.reference)
        .join(User, User.id == Engagement.provider_user_id)
        .where(User.uid == uid, Engagement.job_type == "fixed-price", Engagement.status == "active")
    )


def test_hiring_manager_lists_open_jobs(api) -> None:
    get, credentials = api
    team = credentials.team("acme:engineering").reference
    params = {"buyer_team__reference": str(team), "status": "open", "include_sub_teams": "1"}
    jobs = get("hiring_manager", "/api/hr/v2/jobs.json", params)["jobs"]["job"]
    assert {"Payment provider integration", "Backend for push notifications"} <= {j["title"] for j in jobs}
    assert {j["status"] for j in jobs} == {"open"}


def test_provider_sees_his_offer_and_his_invitation(api) -> None:
    get, _credentials = api
    offers = get("provider", "/api/offers/v1/contractors/offers.json", {"status": "new;expired;accepted"})
    by_title = {o["engagement_title"]: o for o in offers["offers"]["offer"]}
    pending = by_title["Payment provider integration"]
    # Pending until its expiry date, which the clock of the test run may have passed.
    assert pending["status"] in ("new", "expired") and pending["provider__id"] == "jwalker"
    assert len(pending["milestones"]["milestone"]) == 2
    assert {"Senior Python developer", "Billing export service"} <= set(by_title)
    invites = get("provider", "/api/hr/v3/contractors/applications.json", {"status": "invites"})
    assert [a["job__title"] for a in invites["applications"]["application"]] == ["Backend for push notifications"]


@pytest.mark.parametrize(
    ("role", "uid", "description", "status"),
    [
        ("hiring_manager", "jwalker", "Scheduling and retries", "active"),
        ("provider", "jwalker", "Scheduling and retries", "active"),
        ("agency_provider", "akowalski", "Widget implementation", "submitted"),
        ("staffing_manager", "akowalski", "Widget implementation", "submitted"),
    ],
)
def test_active_milestone_of_a_demo_fixed_price_contract(api, session, role, uid, description, status) -> None:
    get, _credentials = api
    reference = _fixed_price_contract(session, uid)
    got = get(role, f"/api/hr/v3/fp/milestones/statuses/active/contracts/{reference}.json")["milestone"]
    assert (got["milestone_description"], got["status"]) == (description, status)
    assert Decimal(got["deposit_amount"]) > 0
