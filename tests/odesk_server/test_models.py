"""The domain model, settings, security helpers and permission queries, on both databases."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from odesk_server import db, models, security
from odesk_server.models import (
    AccessToken,
    AccountingEntity,
    Base,
    Company,
    Consumer,
    Engagement,
    LedgerEntry,
    OAuthNonce,
    Snapshot,
    Team,
    TimeLog,
    User,
    UserRole,
    UserRolePermission,
    next_reference,
    price_time,
)
from odesk_server.settings import Settings, SettingsError

# --------------------------------------------------------------------------
# Settings


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, Settings()),
        ({"ODESK_DATABASE_URL": "postgresql+psycopg://u@h/db"}, Settings(database_url="postgresql+psycopg://u@h/db")),
        ({"ODESK_REPORT_TIMEOUT": "2.5"}, Settings(report_timeout=2.5)),
        ({"ODESK_HOST": "0.0.0.0", "ODESK_PORT": "9000"}, Settings(host="0.0.0.0", port=9000)),
        ({"ODESK_PUBLIC_URL": "https://odesk.example/"}, Settings(public_url="https://odesk.example")),
        ({"ODESK_OAUTH_TIMESTAMP_WINDOW": "60"}, Settings(oauth_timestamp_window=60)),
        ({"ODESK_PORT": "  "}, Settings()),  # blank counts as unset
    ],
)
def test_settings_from_env(environ: dict[str, str], expected: Settings) -> None:
    assert Settings.from_env(environ) == expected


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"ODESK_DATABASE_URL": "mysql://u@h/db"}, "ODESK_DATABASE_URL must be a sqlite:/// or postgresql"),
        ({"ODESK_DATABASE_URL": "not a url"}, "ODESK_DATABASE_URL is not a database URL"),
        ({"ODESK_REPORT_TIMEOUT": "soon"}, "ODESK_REPORT_TIMEOUT must be a positive number, got 'soon'"),
        ({"ODESK_REPORT_TIMEOUT": "0"}, "ODESK_REPORT_TIMEOUT must be a positive number, got '0'"),
        ({"ODESK_REPORT_TIMEOUT": "nan"}, "ODESK_REPORT_TIMEOUT must be a positive number"),
        ({"ODESK_PORT": "http"}, "ODESK_PORT must be a port number between 1 and 65535, got 'http'"),
        ({"ODESK_PORT": "70000"}, "ODESK_PORT must be a port number"),
        ({"ODESK_PUBLIC_URL": "odesk.example"}, "ODESK_PUBLIC_URL must be an absolute http(s) URL"),
        ({"ODESK_OAUTH_TIMESTAMP_WINDOW": "-5"}, "ODESK_OAUTH_TIMESTAMP_WINDOW must be a positive number"),
        ({"ODESK_OAUTH_TIMESTAMP_WINDOW": "1.5"}, "ODESK_OAUTH_TIMESTAMP_WINDOW must be a positive number"),
    ],
)
def test_bad_settings_name_the_variable(environ: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(environ)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("settings", "base_url"),
    [
        (Settings(), "http://127.0.0.1:8000"),
        (Settings(host="::1", port=81), "http://[::1]:81"),
        (Settings(public_url="https://api.example/odesk/"), "https://api.example/odesk"),
    ],
)
def test_base_url(settings: Settings, base_url: str) -> None:
    assert settings.base_url == base_url


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"port": 0}, "port must be between 1 and 65535"),
        ({"report_timeout": -1}, "report_timeout must be a positive number"),
        ({"database_url": "oracle://x"}, "database_url must be a sqlite:///"),
        ({"host": ""}, "host must not be empty"),
        ({"public_url": "ftp://x"}, "public_url must be an absolute http(s) URL"),
        ({"oauth_timestamp_window": 0}, "oauth_timestamp_window must be a positive number"),
    ],
)
def test_settings_validate_direct_construction(changes: dict, message: str) -> None:
    with pytest.raises(SettingsError, match=re.escape(message)):
        Settings(**changes)


def test_with_overrides_ignores_none() -> None:
    assert Settings().with_overrides(host=None, port=9) == Settings(port=9)


# --------------------------------------------------------------------------
# Security


def test_password_hash_round_trip() -> None:
    hashed = security.hash_password("correct horse")
    assert hashed.startswith("$argon2id$")
    assert "correct horse" not in hashed
    assert security.verify_password(hashed, "correct horse")
    assert not security.verify_password(hashed, "wrong horse")
    assert not security.password_needs_rehash(hashed)


@pytest.mark.parametrize("stored", [None, "", "plain text", "$argon2id$broken"])
def test_verify_password_rejects_missing_or_garbled_hashes(stored) -> None:
    assert security.verify_password(stored, "anything") is False


@pytest.mark.parametrize(
    ("password", "message"),
    [("short", "at least 8 characters"), ("        ", "must not be blank")],
)
def test_password_rules(password: str, message: str) -> None:
    with pytest.raises(security.PasswordError, match=message):
        security.check_password_rules(password)


@pytest.mark.parametrize(
    ("make", "length"),
    [(security.new_key, 32), (security.new_secret, 32), (security.new_verifier, 20)],
)
def test_generated_credentials_are_hex_and_unique(make, length: int) -> None:
    values = {make() for _ in range(50)}
    assert len(values) == 50
    assert all(len(v) == length and int(v, 16) >= 0 for v in values)


def test_constant_time_equals() -> None:
    assert security.constant_time_equals("abc", "abc")
    assert not security.constant_time_equals("abc", "abd")


# --------------------------------------------------------------------------
# Money


@pytest.mark.parametrize(
    ("rate", "fee", "online", "offline", "expected"),
    [
        ("40.00", "0.10", "2.50", "0", ("100.00", "0.00", "90.00", "0.00")),
        ("33.33", "0.10", "1.00", "0.50", ("33.33", "16.67", "30.00", "15.00")),  # half-up to cents
        ("25.00", "0.20", "0", "8", ("0.00", "200.00", "0.00", "160.00")),
        (None, "0.10", "3", "1", ("0.00", "0.00", "0.00", "0.00")),  # fixed price: hours only
    ],
)
def test_price_time(rate, fee, online, offline, expected) -> None:
    got = price_time(Decimal(rate) if rate else None, Decimal(fee), Decimal(online), Decimal(offline))
    assert (got["charges_online"], got["charges_offline"], got["earnings_online"], got["earnings_offline"]) == tuple(
        Decimal(v) for v in expected
    )


# --------------------------------------------------------------------------
# The model on a real database


def test_the_package_exports_every_mapped_class() -> None:
    # Callers import from odesk_server.models, whichever domain module defines the table.
    mapped = {mapper.class_.__name__ for mapper in Base.registry.mappers}
    assert mapped <= set(models.__all__)
    assert {mapper.local_table.name for mapper in Base.registry.mappers} == set(Base.metadata.tables)


def _organisation(session) -> dict:
    owner = User(
        uid="owner",
        reference=next_reference(session, User),
        first_name="O",
        last_name="Wner",
        email="o@x.org",
        timezone="Europe/Paris",
    )
    dev = User(
        uid="dev",
        reference=next_reference(session, User) + 1,
        first_name="D",
        last_name="Ev",
        email="d@x.org",
        is_provider=True,
    )
    session.add_all([owner, dev])
    session.flush()
    company = Company(reference=1, company_id="co:co", name="Co", owner_user_id=owner.id)
    session.add(company)
    session.flush()
    root = Team(reference=10, team_id="co:co", name="Co", company_id=company.id)
    session.add(root)
    session.flush()
    company.root_team_id = root.id
    child = Team(reference=11, team_id="co:dev", name="Dev", company_id=company.id, parent_team_id=root.id)
    grandchild = Team(reference=12, team_id="co:qa", name="QA", company_id=company.id)
    session.add_all([child, grandchild])
    session.flush()
    grandchild.parent_team_id = child.id
    engagement = Engagement(
        reference=100,
        buyer_team_id=child.id,
        provider_user_id=dev.id,
        title="Work",
        job_type="hourly",
        hourly_rate=Decimal("30.00"),
        started_on=dt.date(2024, 1, 1),
    )
    session.add(engagement)
    session.flush()
    return {
        "owner": owner,
        "dev": dev,
        "company": company,
        "root": root,
        "child": child,
        "grandchild": grandchild,
        "engagement": engagement,
    }


def test_organisation_round_trip(migrated_database_url: str) -> None:
    database = db.Database(migrated_database_url)
    try:
        with database.session() as session:
            org = _organisation(session)
            role = UserRole(
                reference=1,
                user_id=org["dev"].id,
                team_id=org["child"].id,
                role="member",
                permission_rows=[UserRolePermission(permission="manage_teamroom")],
            )
            session.add(role)
            session.add(
                TimeLog(
                    engagement_id=org["engagement"].id,
                    worked_on=dt.date(2024, 1, 2),
                    task="T-1",
                    hours_online=Decimal("1.25"),
                    **price_time(Decimal("30.00"), Decimal("0.1"), Decimal("1.25"), Decimal(0)),
                )
            )
        with database.session() as session:
            company = session.scalar(sa.select(Company))
            assert company.root_team.team_id == "co:co"
            assert [t.team_id for t in company.teams] == ["co:co", "co:dev", "co:qa"]
            role = session.scalar(sa.select(UserRole))
            assert role.permissions == frozenset({"manage_teamroom"})
            log = session.scalar(sa.select(TimeLog))
            assert (log.hours_online, log.charges_online, log.earnings_online) == (
                Decimal("1.25"),
                Decimal("37.50"),
                Decimal("33.75"),
            )
            user = session.scalar(sa.select(User).where(User.uid == "owner"))
            assert user.created_at.tzinfo is not None and user.created_at.utcoffset() == dt.timedelta(0)
    finally:
        database.dispose()


def _snapshot(org, image_key: str) -> Snapshot:
    at = dt.datetime(2024, 1, 2, 9, 0, tzinfo=dt.UTC)
    counts = ",".join(["0"] * 10)
    return Snapshot(
        engagement_id=org["engagement"].id,
        segment_at=at,
        taken_at=at,
        keyboard_per_minute=counts,
        mouse_per_minute=counts,
        image_key=image_key,
    )


VIOLATIONS = [  # what breaks a constraint, and which one
    (lambda org: User(uid="owner", reference=999, first_name="a", last_name="b", email="z@x.org"), "uid"),
    (lambda org: User(uid="zz", reference=999, first_name="a", last_name="b", email="o@x.org"), "email"),
    (lambda org: Team(reference=10, team_id="co:new", name="x", company_id=org["company"].id), "reference"),
    (lambda org: Team(reference=77, team_id="co:dev", name="x", company_id=org["company"].id), "team_id"),
    (lambda org: _snapshot(org, "k2"), "one snapshot per contract and ten minutes"),
    (lambda org: TimeLog(engagement_id=987654, worked_on=dt.date(2024, 1, 2), task="T"), "time log's contract"),
    (lambda org: OAuthNonce(consumer_key="c", token="", nonce="n", timestamp=1), "nonce"),
    (lambda org: Team(reference=78, team_id="co:orphan", name="x", company_id=987654), "foreign key"),
]


def test_unique_and_foreign_keys_hold(migrated_database_url: str) -> None:
    # One database for the whole table of cases: each case runs in a savepoint.
    database = db.Database(migrated_database_url)
    try:
        with database.session() as session:
            org = _organisation(session)
            session.add(TimeLog(engagement_id=org["engagement"].id, worked_on=dt.date(2024, 1, 2), task="T"))
            session.add(_snapshot(org, "k1"))
            session.add(OAuthNonce(consumer_key="c", token="", nonce="n", timestamp=1))
            session.flush()
            for make_violation, constraint in VIOLATIONS:
                savepoint = session.begin_nested()
                session.add(make_violation(org))
                with pytest.raises(sa.exc.IntegrityError):
                    session.flush()
                savepoint.rollback()
                assert session.is_active, constraint
    finally:
        database.dispose()


def test_next_reference_starts_at_the_base_and_counts_up(migrated_database_url: str) -> None:
    database = db.Database(migrated_database_url)
    try:
        with database.session() as session:
            assert next_reference(session, User) == 1_000_001
            assert next_reference(session, Team) == 2_000_001
            session.add(User(uid="a", reference=1_000_041, first_name="a", last_name="b", email="a@x.org"))
            session.flush()
            assert next_reference(session, User) == 1_000_042
    finally:
        database.dispose()


def test_oauth_tables(migrated_database_url: str) -> None:
    database = db.Database(migrated_database_url)
    try:
        with database.session() as session:
            org = _organisation(session)
            consumer = Consumer(key=security.new_key(), secret=security.new_secret(), name="app")
            session.add(consumer)
            session.flush()
            session.add(AccessToken(token="t", secret="s", consumer_id=consumer.id, user_id=org["dev"].id))
        with database.session() as session:
            token = session.scalar(sa.select(AccessToken))
            assert token.consumer.name == "app" and token.user.uid == "dev"
            assert not token.is_revoked and not token.consumer.is_revoked
            token.revoked_at = dt.datetime(2025, 1, 1, 12, 0)  # naive: taken as UTC
        with database.session() as session:
            token = session.scalar(sa.select(AccessToken))
            assert token.revoked_at == dt.datetime(2025, 1, 1, 12, 0, tzinfo=dt.UTC)
            assert token.is_revoked
    finally:
        database.dispose()


def test_ledger_entry_carries_every_party(migrated_database_url: str) -> None:
    database = db.Database(migrated_database_url)
    try:
        with database.session() as session:
            org = _organisation(session)
            entity = AccountingEntity(reference=5, name="Co", kind="company", company_id=org["company"].id)
            session.add(entity)
            session.flush()
            session.add(
                LedgerEntry(
                    reference=1,
                    transaction_ref=1,
                    accounting_entity_id=entity.id,
                    date=dt.date(2024, 1, 8),
                    date_due=dt.date(2024, 1, 15),
                    type="Invoice",
                    subtype="Hourly",
                    amount=Decimal("-12.34"),
                    description="d",
                    comment="c",
                    memo="m",
                    notes="n",
                    po_number="PO-1",
                    engagement_id=org["engagement"].id,
                    buyer_company_id=org["company"].id,
                    buyer_team_id=org["child"].id,
                    provider_user_id=org["dev"].id,
                )
            )
        with database.session() as session:
            entry = session.scalar(sa.select(LedgerEntry))
            assert entry.amount == Decimal("-12.34")
            assert entry.accounting_entity.name == "Co" and entry.engagement.title == "Work"
    finally:
        database.dispose()
