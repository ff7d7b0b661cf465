"""The demo organisation: deterministic, realistic, and its credentials work."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from odesk_server import db, demo
from odesk_server.models import (
    AccessToken,
    AccountingEntity,
    Base,
    Company,
    Consumer,
    Engagement,
    LedgerEntry,
    Team,
    TimeLog,
    User,
)
from odesk_server.web import login_throttle

END = dt.date(2026, 6, 30)

# Columns that hold random credentials or load-time clocks: they differ between two loads by design.
RANDOM_COLUMNS = {
    "oauth_consumers": {"id", "key", "secret", "created_at"},
    "oauth_access_tokens": {"id", "token", "secret", "created_at"},
    "users": {"password_hash"},
}
COMPARED_TABLES = (
    "users",
    "companies",
    "teams",
    "user_roles",
    "user_role_permissions",
    "engagements",
    "time_logs",
    "accounting_entities",
    "ledger_entries",
    "oauth_consumers",
    "oauth_access_tokens",
    "job_categories",
    "jobs",
    "candidacies",
    "offers",
    "offer_milestones",
    "milestones",
    "submissions",
    "engagement_events",
    "engagement_feedback_scores",
    "activities",
    "activity_assignments",
    "snapshots",
    "provider_profiles",
    "provider_skills",
    "provider_tests",
    "portfolio_items",
    "message_threads",
    "message_thread_members",
    "message_posts",
)
# The demo writes none of these.
IGNORED_TABLES = (
    "oauth_request_tokens",
    "web_sessions",
    "oauth_nonces",
    "oauth_consumer_callback_origins",
    "failed_login_counters",
    # reference data the migrations write (the demo neither writes nor resets them)
    "skills",
    "regions",
    "skill_tests",
    "reasons",
    "specialties",
)


def table_contents(url: str) -> dict[str, list[tuple]]:
    """Every row of every compared table, minus random columns, in primary-key order."""
    engine = db.create_engine(url)
    try:
        contents = {}
        with engine.connect() as conn:
            for name in COMPARED_TABLES:
                table = Base.metadata.tables[name]
                columns = [c for c in table.columns if c.name not in RANDOM_COLUMNS.get(name, set())]
                rows = conn.execute(sa.select(*columns).order_by(*table.primary_key.columns)).all()
                contents[name] = [tuple(row) for row in rows]
        return contents
    finally:
        engine.dispose()


@pytest.fixture
def session(demo_database):
    url, _credentials = demo_database
    engine = db.create_engine(url)
    with sa.orm.Session(engine) as session:
        yield session
    engine.dispose()


def test_same_seed_same_data_other_seed_other_data(database_kind, new_database_url) -> None:
    urls = [new_database_url(database_kind) for _ in range(3)]
    for url, seed in zip(urls, (5, 5, 6)):
        demo.load_demo(url, seed=seed, end_date=END)
    first, same, other = (table_contents(url) for url in urls)
    assert first == same
    assert first["time_logs"] != other["time_logs"]
    assert first["ledger_entries"] != other["ledger_entries"]


def test_credentials_shape_and_stored_copy(demo_database) -> None:
    url, credentials = demo_database
    document = credentials.to_json()
    assert set(document) == {"consumer", "roles", "company", "teams", "agency"}
    assert set(document["consumer"]) == {"key", "secret"}
    assert list(document["roles"]) == list(demo.ROLE_NAMES)
    assert all(set(role) == {"uid", "token", "token_secret"} for role in document["roles"].values())
    assert document["company"] == {"id": "acme:acme", "reference": credentials.company.reference}
    assert document["agency"] == {"id": "brightcode:brightcode", "reference": credentials.agency.reference}
    assert [t["id"] for t in document["teams"]] == [
        "acme:acme",
        "acme:engineering",
        "acme:mobile",
        "acme:design",
        "acme:marketing",
    ]
    assert all(set(t) == {"id", "reference", "name"} for t in document["teams"])
    assert demo.stored_demo_credentials(url) == credentials
    assert credentials.password == demo.DEMO_PASSWORD
    with pytest.raises(KeyError):
        credentials.team("acme:nope")


def test_tokens_belong_to_the_role_users(session, demo_database) -> None:
    _url, credentials = demo_database
    consumer = session.scalar(sa.select(Consumer).where(Consumer.key == credentials.consumer.key))
    assert consumer.secret == credentials.consumer.secret and consumer.revoked_at is None
    for role in credentials.roles.values():
        token = session.scalar(sa.select(AccessToken).where(AccessToken.token == role.token))
        assert (token.user.uid, token.secret, token.consumer_id) == (role.uid, role.token_secret, consumer.id)


def test_demo_users_log_in_with_the_demo_password(session) -> None:
    from odesk_server.security import verify_password

    owner = session.scalar(sa.select(User).where(User.uid == "mhale"))
    assert verify_password(owner.password_hash, demo.DEMO_PASSWORD)


@pytest.mark.parametrize(("role", "company_id"), [("owner", "acme:acme"), ("agency_owner", "brightcode:brightcode")])
def test_each_company_owner_is_a_demo_role(session, demo_database, role: str, company_id: str) -> None:
    _url, credentials = demo_database
    company = session.scalar(sa.select(Company).where(Company.company_id == company_id))
    assert company.owner.uid == credentials.roles[role].uid


def test_organisation_shape(session) -> None:
    acme = session.scalar(sa.select(Company).where(Company.company_id == "acme:acme"))
    agency = session.scalar(sa.select(Company).where(Company.company_id == "brightcode:brightcode"))
    assert not acme.is_agency and agency.is_agency
    assert acme.root_team.team_id == "acme:acme" and agency.root_team.team_id == "brightcode:brightcode"
    mobile = session.scalar(sa.select(Team).where(Team.team_id == "acme:mobile"))
    assert mobile.parent.team_id == "acme:engineering" and mobile.parent.parent.team_id == "acme:acme"
    providers = session.scalar(sa.select(sa.func.count()).where(User.is_provider))
    assert providers == demo.CONTRACTORS
    through_agency = session.scalar(
        sa.select(sa.func.count(sa.distinct(Engagement.provider_user_id))).where(
            Engagement.agency_company_id.isnot(None)
        )
    )
    assert through_agency == demo.AGENCY_CONTRACTORS
    kinds = set(session.execute(sa.select(Engagement.job_type, Engagement.status).distinct()).all())
    assert kinds == {
        ("hourly", "active"),
        ("hourly", "suspended"),
        ("hourly", "closed"),
        ("fixed-price", "active"),
        ("fixed-price", "closed"),
    }


@pytest.mark.parametrize("role", ["provider", "agency_provider"])
def test_role_contractors_logged_two_years_of_time(session, demo_database, role: str) -> None:
    _url, credentials = demo_database
    first, last, days, agency = session.execute(
        sa.select(
            sa.func.min(TimeLog.worked_on),
            sa.func.max(TimeLog.worked_on),
            sa.func.count(sa.distinct(TimeLog.worked_on)),
            sa.func.max(Engagement.agency_company_id),
        )
        .join(Engagement, Engagement.id == TimeLog.engagement_id)
        .join(User, User.id == Engagement.provider_user_id)
        .where(User.uid == credentials.roles[role].uid)
    ).one()
    assert first <= END - dt.timedelta(days=720) and last >= END - dt.timedelta(days=7)
    assert days > 400
    assert (agency is not None) == (role == "agency_provider")


def test_time_logs_are_weekday_and_priced(session) -> None:
    logs = session.execute(
        sa.select(TimeLog, Engagement.hourly_rate, Engagement.fee_rate).join(
            Engagement, Engagement.id == TimeLog.engagement_id
        )
    ).all()
    assert len(logs) > 5000
    for log, rate, fee in logs:
        assert log.worked_on.weekday() < 5 and log.worked_on <= END
        assert log.task and log.memo
        assert Decimal(0) < log.hours_online + log.hours_offline <= Decimal(10)
        assert abs(log.charges_online - log.hours_online * rate) <= Decimal("0.005")
        assert abs(log.earnings_offline - log.charges_offline * (1 - fee)) <= Decimal("0.006")
    assert any(log.hours_offline > 0 for log, _r, _f in logs)
    assert any(log.hours_online == 0 for log, _r, _f in logs)


def test_ledger_transactions_balance(session) -> None:
    unbalanced = session.execute(
        sa.select(LedgerEntry.transaction_ref, sa.func.sum(LedgerEntry.amount))
        .where(LedgerEntry.type != "Payment")
        .group_by(LedgerEntry.transaction_ref)
        .having(sa.func.abs(sa.func.sum(LedgerEntry.amount)) > 0.001)
    ).all()
    assert unbalanced == []
    subtypes = set(session.execute(sa.select(LedgerEntry.type, LedgerEntry.subtype).distinct()).all())
    assert subtypes == {
        ("Invoice", "Hourly"),
        ("Invoice", "Milestone"),
        ("Invoice", "Fixed Price"),
        ("Invoice", "Bonus"),
        ("Adjustment", "Adjustment"),
        ("Adjustment", "Refund"),
        ("Payment", "Payment"),
        ("Payment", "Withdrawal"),
    }


def test_hourly_invoices_bill_exactly_the_logged_charges(session) -> None:
    # Every week up to the last full one is invoiced, on the following Monday.
    invoiced = -session.scalar(
        sa.select(sa.func.sum(LedgerEntry.amount))
        .join(AccountingEntity, AccountingEntity.id == LedgerEntry.accounting_entity_id)
        .where(
            LedgerEntry.subtype == "Hourly", AccountingEntity.kind == "company", AccountingEntity.name == "Acme Widgets"
        )
    )
    last_invoiced_week = END - dt.timedelta(days=END.weekday() + 7) + dt.timedelta(days=6)
    logged = session.scalar(
        sa.select(sa.func.sum(TimeLog.charges_online + TimeLog.charges_offline)).where(
            TimeLog.worked_on <= last_invoiced_week
        )
    )
    assert abs(Decimal(invoiced) - Decimal(logged)) < Decimal("0.05")


def test_providers_never_withdraw_more_than_they_earned(session) -> None:
    balances = session.execute(
        sa.select(AccountingEntity.kind, sa.func.sum(LedgerEntry.amount))
        .join(AccountingEntity, AccountingEntity.id == LedgerEntry.accounting_entity_id)
        .where(AccountingEntity.kind == "provider")
        .group_by(AccountingEntity.id, AccountingEntity.kind)
    ).all()
    assert balances and all(total >= -0.001 for _kind, total in balances)


def test_load_demo_refuses_a_database_with_data(demo_database) -> None:
    url, _credentials = demo_database
    with pytest.raises(demo.DemoError, match="the database already holds data"):
        demo.load_demo(url)


def test_reset_empties_and_reload_works(mutable_demo_database) -> None:
    url, old = mutable_demo_database
    demo.reset_database(url)
    engine = db.create_engine(url)
    try:
        assert demo.database_is_empty(engine)
        assert demo.stored_demo_credentials(engine) is None
        new = demo.load_demo(engine, end_date=END)
        assert new.consumer.key != old.consumer.key
        assert new.company == old.company and new.teams == old.teams
    finally:
        engine.dispose()


def test_stored_credentials_report_a_revoked_role_token(mutable_demo_database) -> None:
    url, credentials = mutable_demo_database
    engine = db.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.update(AccessToken)
                .where(AccessToken.token == credentials.roles["finance"].token)
                .values(revoked_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
            )
        with pytest.raises(demo.DemoError, match="the demo's finance user 'pnatarajan' has no valid access token"):
            demo.stored_demo_credentials(engine)
    finally:
        engine.dispose()


def test_format_credentials_has_a_working_example(demo_database) -> None:
    _url, credentials = demo_database
    text = demo.format_credentials(credentials, "http://127.0.0.1:8000")
    assert "export PYTHON_ODESK_BASE_URL=http://127.0.0.1:8000" in text
    assert f"odesk.Client({credentials.consumer.key!r}, {credentials.consumer.secret!r}" in text
    for role in credentials.roles.values():
        assert role.token in text and role.token_secret in text
    assert repr(demo.DEMO_PASSWORD) in text
    assert f"odesk login --consumer-key {credentials.consumer.key} --consumer-secret" in text


def test_every_table_is_known_to_the_determinism_check() -> None:
    # table_contents compares every model table; a new table must be listed there too.
    assert set(Base.metadata.tables) == set(COMPARED_TABLES) | set(IGNORED_TABLES)


def test_failed_logins_before_the_demo_do_not_count_as_data(migrated_database_url) -> None:
    # Someone tried the authorize page before the demo was loaded: nobody's data.
    engine = db.create_engine(migrated_database_url)
    try:
        login_throttle.record_failure(engine, login_throttle.LoginAttempt(login="nobody", address="127.0.0.1"))
        assert demo.database_is_empty(engine)
        assert demo.load_demo(engine, end_date=END).consumer.key
    finally:
        engine.dispose()
