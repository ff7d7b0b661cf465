"""``db.prepared``: driver-level statements give what SQLAlchemy execution gives, on both backends."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from odesk_server.access import scope
from odesk_server.db import Database
from odesk_server.db.prepared import PreparedStatement, RawConnection, raw_connection
from odesk_server.db.work import UnitOfWork
from odesk_server.models import OAuthNonce, User
from odesk_server.oauth import nonces
from odesk_server.queries import org as org_queries


@pytest.fixture
def database(demo_database):
    url, credentials = demo_database
    database = Database(url)
    yield database, credentials
    database.dispose()


def _user_id(database: Database, uid: str) -> int:
    with database.engine.connect() as connection:
        return connection.execute(sa.select(User.id).where(User.uid == uid)).scalar_one()


@pytest.mark.parametrize("role", ["owner", "member", "agency_provider"])
def test_org_query_rows_match_sqlalchemy(database, role):
    database, credentials = database
    user_id = _user_id(database, credentials.roles[role].uid)
    with database.engine.connect() as connection:
        expected = [tuple(row) for row in connection.execute(scope._SCOPE_QUERY, {"user_id": user_id})]
    with raw_connection(database.engine) as connection:
        rows = [tuple(row) for row in PreparedStatement(scope._SCOPE_QUERY).execute(connection, {"user_id": user_id})]
    assert rows == expected and rows
    # Booleans come back as bool on SQLite too (the column's result processor ran).
    assert all(isinstance(row[5], bool) and isinstance(row[14], bool) for row in rows)


def test_org_scope_sees_what_the_core_query_says(database):
    database, credentials = database
    user_id = _user_id(database, credentials.roles["hiring_manager"].uid)
    with database.engine.connect() as connection:
        rows = connection.execute(scope._SCOPE_QUERY, {"user_id": user_id}).all()
    with UnitOfWork(database.engine) as work:
        found = scope.org_scope(work, user_id)
    assert set(found.teams) == {row[0] for row in rows}
    # The hiring manager's own teams (a role) are visible, and nothing outside the rows.
    assert {row[0] for row in rows if row[16] is not None} <= found.visible_team_ids <= set(found.teams)


def test_bind_processors_store_what_the_orm_stores(mutable_demo_database):
    url, credentials = mutable_demo_database
    database = Database(url)
    when = dt.datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=dt.UTC)
    token = credentials.roles["owner"].token
    with raw_connection(database.engine) as connection:
        assert nonces.consume_nonce_if_valid(connection, credentials.consumer.key, token, "driver", 5) is True
        connection.commit()
    with database.session() as session:
        session.add(OAuthNonce(consumer_key="k", token="t", nonce="orm", timestamp=5, created_at=when))
        session.execute(sa.update(OAuthNonce).where(OAuthNonce.nonce == "driver").values(created_at=when))
    with raw_connection(database.engine) as connection:
        # Through the driver statement: the same text/timestamp the ORM wrote.
        write = PreparedStatement(
            sa.text("UPDATE oauth_nonces SET created_at = :created_at WHERE nonce = 'driver'").bindparams(
                sa.bindparam("created_at", type_=nonces.UTCDateTime())
            )
        )
        write.execute(connection, {"created_at": when})
        connection.commit()
        stored = PreparedStatement(
            sa.select(OAuthNonce.nonce, OAuthNonce.created_at).order_by(OAuthNonce.nonce)
        ).execute(connection, {})
    with database.engine.connect() as connection:
        raw = dict(connection.execute(sa.text("SELECT nonce, created_at FROM oauth_nonces")).all())
    database.dispose()
    assert raw["driver"] == raw["orm"]
    assert [tuple(row) for row in stored] == [("driver", when), ("orm", when)]


@pytest.mark.parametrize(
    ("nonce", "timestamp", "stored"),
    [("seen", 10, False), ("fresh", 10, True), ("seen", 11, True)],
)
def test_nonce_insert_on_a_driver_connection(mutable_demo_database, nonce, timestamp, stored):
    url, credentials = mutable_demo_database
    database = Database(url)
    token = credentials.roles["owner"].token
    with raw_connection(database.engine) as connection:
        assert nonces.consume_nonce_if_valid(connection, credentials.consumer.key, token, "seen", 10) is True
        connection.commit()
    with raw_connection(database.engine) as connection:
        assert nonces.consume_nonce_if_valid(connection, credentials.consumer.key, token, nonce, timestamp) is stored
        connection.commit()
    database.dispose()


def test_uncommitted_driver_writes_are_rolled_back(mutable_demo_database):
    url, credentials = mutable_demo_database
    database = Database(url)
    token = credentials.roles["owner"].token
    with raw_connection(database.engine) as connection:
        assert nonces.consume_nonce_if_valid(connection, credentials.consumer.key, token, "dropped", 1) is True
    with database.engine.connect() as connection:
        count = connection.execute(sa.select(sa.func.count()).where(OAuthNonce.nonce == "dropped")).scalar_one()
    database.dispose()
    assert count == 0


@pytest.mark.parametrize(
    ("statement", "values", "error", "message"),
    [
        (sa.select(User.id).where(User.id.in_(sa.bindparam("ids", expanding=True))), {}, ValueError, "expanding"),
        (sa.select(User.id).where(User.id == sa.bindparam("user_id")), {}, KeyError, "user_id"),
        (sa.text("SELECT nothing FROM no_such_table"), {}, sa.exc.DBAPIError, "no_such_table"),
    ],
)
def test_refused_statements(database, statement, values, error, message):
    database, _credentials = database
    with raw_connection(database.engine) as connection, pytest.raises(error, match=message):
        PreparedStatement(statement).execute(connection, values)


def test_a_driver_connection_under_a_sqlalchemy_connection_reads_its_data(database):
    database, credentials = database
    with database.engine.connect() as connection:
        rows = PreparedStatement(sa.select(User.uid).where(User.uid == sa.bindparam("uid"))).execute(
            RawConnection.under(connection), {"uid": credentials.roles["owner"].uid}
        )
    assert [tuple(row) for row in rows] == [(credentials.roles["owner"].uid,)]


@pytest.mark.parametrize("role", ["owner", "provider"])
def test_user_rows_match_sqlalchemy(database, role):
    """Every column type of ``users`` (numerics, timestamps, booleans) converts as SQLAlchemy converts it."""
    database, credentials = database
    user_id = _user_id(database, credentials.roles[role].uid)
    with database.engine.connect() as connection:
        expected = tuple(connection.execute(scope.USER_COLUMNS.where(User.id == user_id)).one())
    with raw_connection(database.engine) as connection:
        rows = org_queries._PREPARED_USER_BY_ID.execute(connection, {"user_id": user_id})
    assert [tuple(row) for row in rows] == [expected]
    assert [type(value) for value in rows[0]] == [type(value) for value in expected]
