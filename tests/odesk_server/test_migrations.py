"""Migrations: upgrade creates the whole model, and the model never drifts from the scripts."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from odesk_server import db
from odesk_server.models import Base


def test_upgrade_head_creates_every_table_of_the_model(database_url: str) -> None:
    db.migrate(database_url)
    engine = db.create_engine(database_url)
    try:
        tables = {name for name in sa.inspect(engine).get_table_names() if db.is_model_table(name)}
    finally:
        engine.dispose()
    assert tables == set(Base.metadata.tables) | {"alembic_version"}
    assert db.current_revision(database_url) == db.head_revision()


def test_models_match_the_migrations(migrated_database_url: str) -> None:
    # autogenerate finds nothing to do: no table, column, type, index or constraint drift.
    engine = db.create_engine(migrated_database_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": db.include_name})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_migrate_twice_is_a_no_op(migrated_database_url: str) -> None:
    db.migrate(migrated_database_url)
    assert db.current_revision(migrated_database_url) == db.head_revision()


def test_downgrade_to_base_drops_everything_and_upgrade_restores_it(migrated_database_url: str) -> None:
    db.downgrade(migrated_database_url)
    engine = db.create_engine(migrated_database_url)
    try:
        assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
        assert db.current_revision(engine) is None
        db.migrate(engine)
        tables = {name for name in sa.inspect(engine).get_table_names() if db.is_model_table(name)}
        assert tables == set(Base.metadata.tables) | {"alembic_version"}
    finally:
        engine.dispose()


def test_unmigrated_database_has_no_revision(database_url: str) -> None:
    assert db.current_revision(database_url) is None


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("sqlite:////nonexistent-dir/odesk.db", "cannot open the database sqlite:////nonexistent-dir/odesk.db"),
        ("postgresql+psycopg://nobody@127.0.0.1:1/odesk", "cannot open the database postgresql+psycopg://"),
    ],
)
@pytest.mark.parametrize("operation", [db.migrate, db.current_revision, db.downgrade])
def test_unreachable_database_is_a_clear_error(operation, url: str, message: str) -> None:
    with pytest.raises(db.DatabaseError, match=message.replace("+", r"\+")):
        operation(url)


def test_password_is_hidden_in_errors() -> None:
    with pytest.raises(db.DatabaseError) as caught:
        db.migrate("postgresql+psycopg://someone:topsecret@127.0.0.1:1/odesk")
    assert "topsecret" not in str(caught.value)
    assert "***" in str(caught.value)


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(tmp_path) -> None:
    engine = db.create_engine(f"sqlite:///{tmp_path}/x.db")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == db.SQLITE_BUSY_TIMEOUT_MS
    finally:
        engine.dispose()


def test_in_memory_sqlite_works() -> None:
    engine = db.create_engine("sqlite://")
    try:
        db.migrate(engine)
        assert db.current_revision(engine) == db.head_revision()
    finally:
        engine.dispose()


def test_database_session_commits_and_rolls_back(migrated_database_url: str) -> None:
    from odesk_server.models import Consumer

    database = db.Database(migrated_database_url)
    try:
        with database.session() as session:
            session.add(Consumer(key="k1", secret="s", name="one"))
        with pytest.raises(RuntimeError), database.session() as session:
            session.add(Consumer(key="k2", secret="s", name="two"))
            session.flush()
            raise RuntimeError("boom")
        with database.session() as session:
            assert session.scalars(sa.select(Consumer.key)).all() == ["k1"]
    finally:
        database.dispose()
