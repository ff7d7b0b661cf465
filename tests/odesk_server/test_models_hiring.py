"""The hiring and contract tables on both databases: what they hold, link and refuse."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
import sqlalchemy as sa

from odesk_server import db
from odesk_server.models import (
    Candidacy,
    Company,
    Engagement,
    EngagementEvent,
    EngagementFeedbackScore,
    Job,
    JobCategory,
    Milestone,
    Offer,
    OfferMilestone,
    Submission,
    Team,
    TimeLog,
    User,
    next_reference,
)


def _hiring(session) -> dict:
    """A buyer team, a provider, an open job, a candidacy, an accepted offer and its contract with a milestone."""
    buyer = User(uid="buyer", reference=1_000_001, first_name="B", last_name="Uyer", email="b@x.org")
    dev = User(uid="dev", reference=1_000_002, first_name="D", last_name="Ev", email="d@x.org", is_provider=True)
    session.add_all([buyer, dev])
    session.flush()
    company = Company(reference=3_000_001, company_id="co:co", name="Co", owner_user_id=buyer.id)
    session.add(company)
    session.flush()
    team = Team(reference=2_000_001, team_id="co:co", name="Co", company_id=company.id)
    session.add(team)
    session.flush()
    company.root_team_id = team.id
    web_programming = session.scalar(sa.select(JobCategory).where(JobCategory.title == "Web Programming"))
    job = Job(
        reference=next_reference(session, Job),
        job_key="~~0123456789abcdef",
        buyer_team_id=team.id,
        created_by_user_id=buyer.id,
        title="Build a shop",
        job_type="fixed-price",
        description="A small web shop",
        visibility="public",
        subcategory_id=web_programming.id,
        budget=Decimal("500.00"),
        skills="python;sql",
    )
    session.add(job)
    session.flush()
    candidacy = Candidacy(
        reference=next_reference(session, Candidacy),
        job_id=job.id,
        provider_user_id=dev.id,
        origin="invitation",
        status="offered",
        cover="Come and talk",
    )
    session.add(candidacy)
    session.flush()
    offer = Offer(
        reference=next_reference(session, Offer),
        job_id=job.id,
        candidacy_id=candidacy.id,
        buyer_team_id=team.id,
        created_by_user_id=buyer.id,
        provider_user_id=dev.id,
        title="Build a shop",
        job_type="fixed-price",
        fixed_charge_amount_agreed=Decimal("500.00"),
        fixed_price_upfront_payment=Decimal("0"),
        status="accepted",
        milestones=[
            OfferMilestone(position=1, description="Checkout", deposit_amount=Decimal("300.00")),
            OfferMilestone(position=0, description="Catalogue", deposit_amount=Decimal("200.00")),
        ],
    )
    session.add(offer)
    session.flush()
    engagement = Engagement(
        reference=next_reference(session, Engagement),
        buyer_team_id=team.id,
        provider_user_id=dev.id,
        title="Build a shop",
        job_type="fixed-price",
        fixed_price=Decimal("500.00"),
        started_on=dt.date(2026, 1, 5),
        job_id=job.id,
        offer_id=offer.id,
    )
    session.add(engagement)
    session.flush()
    milestone = Milestone(
        reference=next_reference(session, Milestone),
        engagement_id=engagement.id,
        position=0,
        description="Catalogue",
        deposit_amount=Decimal("200.00"),
        status="submitted",
    )
    session.add(milestone)
    session.flush()
    submission = Submission(
        reference=next_reference(session, Submission),
        milestone_id=milestone.id,
        note2client="Done",
        amount=Decimal("200.00"),
    )
    session.add(submission)
    session.flush()
    return {
        "buyer": buyer,
        "dev": dev,
        "team": team,
        "job": job,
        "candidacy": candidacy,
        "offer": offer,
        "engagement": engagement,
        "milestone": milestone,
        "submission": submission,
    }


def test_the_hiring_life_links_up(migrated_database_url: str) -> None:
    database = db.Database(migrated_database_url)
    try:
        with database.session() as session:
            rows = _hiring(session)
            session.add_all(
                [
                    EngagementEvent(engagement_id=rows["engagement"].id, action="suspend", message="Holiday"),
                    EngagementEvent(engagement_id=rows["engagement"].id, action="restart", message="Back"),
                    EngagementFeedbackScore(engagement_id=rows["engagement"].id, score_id=3, score=Decimal("4.50")),
                ]
            )
        with database.session() as session:
            job = session.scalar(sa.select(Job))
            assert (job.status, job.skills, job.budget) == ("open", "python;sql", Decimal("500.00"))
            assert job.subcategory.title == "Web Programming" and job.subcategory.parent.title == "Web Development"
            assert job.created_at.tzinfo is not None and job.updated_at >= job.created_at
            assert [c.provider.uid for c in job.candidacies] == ["dev"]
            offer = session.scalar(sa.select(Offer))
            assert [m.description for m in offer.milestones] == ["Catalogue", "Checkout"]
            assert offer.keep_open is False and offer.candidacy.status == "offered"
            engagement = session.scalar(sa.select(Engagement))
            assert offer.engagement is engagement
            assert engagement.job is job and engagement.offer is offer
            assert [e.action for e in engagement.events] == ["suspend", "restart"]
            assert [(s.score_id, s.score) for s in engagement.feedback_scores] == [(3, Decimal("4.50"))]
            milestone = engagement.milestones[0]
            assert milestone.status == "submitted"
            assert [(s.status, s.amount) for s in milestone.submissions] == [("pending", Decimal("200.00"))]
    finally:
        database.dispose()


def test_references_count_from_their_bases(migrated_database_url: str) -> None:
    database = db.Database(migrated_database_url)
    try:
        with database.session() as session:
            rows = _hiring(session)
            assert [rows[name].reference for name in ("job", "offer", "candidacy", "milestone", "submission")] == [
                8_000_001,
                9_000_001,
                10_000_001,
                11_000_001,
                12_000_001,
            ]
            assert next_reference(session, Job) == 8_000_002
    finally:
        database.dispose()


def test_the_migration_seeds_both_versions_of_the_job_categories(migrated_database_url: str) -> None:
    database = db.Database(migrated_database_url)
    try:
        with database.session() as session:
            categories = session.scalars(sa.select(JobCategory)).all()
            by_id = {category.id: category for category in categories}
            assert by_id[1].title == "Web Development" and by_id[1].parent_id is None
            assert by_id[102].title == "Web Programming" and by_id[102].parent_id == 1
            assert {c.version for c in categories} == {1, 2}
            web_mobile = [c for c in categories if c.title == "Web & Mobile Programming"]
            assert [(c.version, by_id[c.parent_id].title) for c in web_mobile] == [(2, "Web, Mobile & Software Dev")]
            # Every subcategory's id is its category's id * 100 + its position.
            assert all(c.parent_id is None or c.id // 100 == c.parent_id for c in categories)
            assert all(c.parent_id is None or by_id[c.parent_id].version == c.version for c in categories)
    finally:
        database.dispose()


Change = Callable[[dict], object]


def _set(name: str, column: str, value: object) -> Change:
    """A change that sets one column of one of ``_hiring``'s rows."""
    return lambda rows: setattr(rows[name], column, value)


def _add(make: Callable[[dict], object]) -> Change:
    return lambda rows: rows["session"].add(make(rows))


VIOLATIONS: list[tuple[str, Change]] = [  # what the database refuses, case by case
    ("job status", _set("job", "status", "closed")),
    ("job type", _set("job", "job_type", "weekly")),
    ("job visibility", _set("job", "visibility", "secret")),
    ("job cancel reason", _set("job", "cancel_reason", 42)),
    ("job budget zero", _set("job", "budget", Decimal("0"))),
    ("job budget negative", _set("job", "budget", Decimal("-5.00"))),
    ("job duration", _set("job", "duration", 0)),
    ("job key taken", _add(lambda rows: _job_like(rows, reference=8_000_777, job_key=rows["job"].job_key))),
    ("job reference taken", _add(lambda rows: _job_like(rows, reference=rows["job"].reference, job_key="~~ff"))),
    ("job category unknown", _set("job", "subcategory_id", 987_654)),
    ("candidacy status", _set("candidacy", "status", "applied")),
    ("candidacy origin", _set("candidacy", "origin", "referral")),
    (
        "second candidacy of a provider",
        _add(
            lambda rows: Candidacy(
                reference=10_000_777,
                job_id=rows["job"].id,
                provider_user_id=rows["dev"].id,
                origin="application",
                status="interviewing",
            )
        ),
    ),
    ("offer status", _set("offer", "status", "new")),
    ("offer job type", _set("offer", "job_type", "salary")),
    ("offer hourly rate", _set("offer", "hourly_pay_rate", Decimal("0"))),
    ("offer fixed charge", _set("offer", "fixed_charge_amount_agreed", Decimal("-1.00"))),
    ("offer upfront payment", _set("offer", "fixed_price_upfront_payment", Decimal("-0.01"))),
    ("offer weekly limit", _set("offer", "weekly_hours_limit", Decimal("-1"))),
    ("offer milestone deposit", lambda rows: setattr(rows["offer"].milestones[0], "deposit_amount", Decimal("0"))),
    ("a second contract for one offer", _add(lambda rows: _engagement_like(rows, offer_id=rows["offer"].id))),
    ("milestone status", _set("milestone", "status", "approved")),
    ("milestone deposit", _set("milestone", "deposit_amount", Decimal("0"))),
    ("milestone bonus", _set("milestone", "bonus", Decimal("-10.00"))),
    ("milestone underpayment reason", _set("milestone", "underpayment_reason", 333)),
    ("milestone position taken", _add(lambda rows: _milestone_like(rows, position=0))),
    ("submission status", _set("submission", "status", "paid")),
    ("submission amount", _set("submission", "amount", Decimal("0"))),
    ("event action", _add(lambda rows: EngagementEvent(engagement_id=rows["engagement"].id, action="pause"))),
    (
        "feedback score id",
        _add(lambda rows: EngagementFeedbackScore(engagement_id=rows["engagement"].id, score_id=2, score=5)),
    ),
    (
        "feedback score",
        _add(lambda rows: EngagementFeedbackScore(engagement_id=rows["engagement"].id, score_id=4, score=6)),
    ),
]


def _job_like(rows: dict, **changes: object) -> Job:
    job = rows["job"]
    values = {
        "buyer_team_id": job.buyer_team_id,
        "created_by_user_id": job.created_by_user_id,
        "title": "Another",
        "job_type": "hourly",
        "description": "d",
        "visibility": "private",
        "duration": 90,
    }
    return Job(**(values | changes))


def _engagement_like(rows: dict, **changes: object) -> Engagement:
    values = {
        "reference": 4_000_777,
        "buyer_team_id": rows["team"].id,
        "provider_user_id": rows["dev"].id,
        "title": "Again",
        "job_type": "hourly",
        "hourly_rate": Decimal("20.00"),
        "started_on": dt.date(2026, 2, 2),
    }
    return Engagement(**(values | changes))


def _milestone_like(rows: dict, **changes: object) -> Milestone:
    values = {
        "reference": 11_000_777,
        "engagement_id": rows["engagement"].id,
        "description": "More",
        "deposit_amount": Decimal("10.00"),
    }
    return Milestone(**(values | changes))


def test_the_database_refuses_bad_rows(migrated_database_url: str) -> None:
    # One database for the whole table of cases: each case runs in a savepoint and is rolled back.
    database = db.Database(migrated_database_url)
    try:
        with database.session() as session:
            rows = _hiring(session) | {"session": session}
            session.add(EngagementFeedbackScore(engagement_id=rows["engagement"].id, score_id=4, score=5))
            session.flush()
            for case, change in VIOLATIONS:
                savepoint = session.begin_nested()
                change(rows)
                with pytest.raises(sa.exc.IntegrityError):
                    session.flush()
                savepoint.rollback()
                assert session.is_active, case
                session.expire_all()  # the next case starts from what the database holds
    finally:
        database.dispose()


def test_upgrade_and_downgrade_keep_existing_contracts_and_time(database_url: str) -> None:
    # The engagements table gains columns in place: its time logs must survive both ways.
    db.migrate(database_url, "0003")
    engine = db.create_engine(database_url)
    try:
        with engine.begin() as conn:
            _insert_contract_with_time(conn)
        db.migrate(engine)
        with engine.connect() as conn:
            assert conn.scalar(sa.select(sa.func.count()).select_from(TimeLog)) == 1
            assert conn.execute(sa.select(Engagement.title, Engagement.job_id, Engagement.offer_id)).all() == [
                ("Old contract", None, None)
            ]
        db.downgrade(engine, "0003")
        with engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT count(*) FROM time_logs")) == 1
            assert "job_id" not in {c["name"] for c in sa.inspect(conn).get_columns("engagements")}
    finally:
        engine.dispose()


def _insert_contract_with_time(conn: sa.Connection) -> None:
    """One user, company, team, engagement and time log, written with the columns of revision 0003."""
    statements = [
        (
            "INSERT INTO users (id, uid, reference, first_name, last_name, email, timezone, is_provider, status,"
            " created_at) VALUES (1, 'dev', 1000001, 'D', 'Ev', 'd@x.org', 'UTC', true, 'active', '2026-01-01 00:00:00')"
        ),
        (
            "INSERT INTO companies (id, reference, company_id, name, is_agency, status, created_at)"
            " VALUES (1, 3000001, 'co:co', 'Co', false, 'active', '2026-01-01 00:00:00')"
        ),
        (
            "INSERT INTO teams (id, reference, team_id, name, company_id, status, is_hidden, created_at)"
            " VALUES (1, 2000001, 'co:co', 'Co', 1, 'active', false, '2026-01-01 00:00:00')"
        ),
        (
            "INSERT INTO engagements (id, reference, buyer_team_id, provider_user_id, title, job_type, hourly_rate,"
            " status, started_on, fee_rate, created_at)"
            " VALUES (1, 4000001, 1, 1, 'Old contract', 'hourly', 10, 'active', '2026-01-01', 0.1, '2026-01-01 00:00:00')"
        ),
        (
            "INSERT INTO time_logs (id, engagement_id, worked_on, task, memo, hours_online, hours_offline,"
            " charges_online, charges_offline, earnings_online, earnings_offline, created_at)"
            " VALUES (1, 1, '2026-01-02', '', '', 1, 0, 10, 0, 9, 0, '2026-01-01 00:00:00')"
        ),
    ]
    for statement in statements:
        conn.execute(sa.text(statement))
