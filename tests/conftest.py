"""Fixtures shared by every test package: real databases, never mocks.

Every database test runs twice, on SQLite and on PostgreSQL.  PostgreSQL is the
local server named by ``ODESK_TEST_PG_URL`` (``scripts/test`` starts it); each
request for a database gets a fresh, empty one, dropped when the session ends.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa

PG_ADMIN_URL = os.environ.get("ODESK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

DATABASE_KINDS = ("sqlite", "postgresql")


class DatabaseFactory:
    """Creates empty databases of one kind and drops them at the end of the session."""

    def __init__(self, tmp_dir: str) -> None:
        self._tmp_dir = tmp_dir
        self._pg_databases: list[str] = []

    def new_url(self, kind: str) -> str:
        if kind == "sqlite":
            return f"sqlite:///{self._tmp_dir}/{uuid.uuid4().hex}.db"
        if kind == "postgresql":
            name = f"odesk_t_{uuid.uuid4().hex[:16]}"
            admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
            admin.dispose()
            self._pg_databases.append(name)
            return sa.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        raise ValueError(f"unknown database kind {kind!r}")

    def drop_all(self) -> None:
        if not self._pg_databases:
            return
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in self._pg_databases:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(str(tmp_path_factory.mktemp("databases")))
    yield factory
    factory.drop_all()


@pytest.fixture(params=DATABASE_KINDS)
def database_kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def database_url(database_factory: DatabaseFactory, database_kind: str) -> str:
    """A fresh, empty database URL, once for SQLite and once for PostgreSQL."""
    return database_factory.new_url(database_kind)


@pytest.fixture
def new_database_url(database_factory: DatabaseFactory) -> Callable[[str], str]:
    """Make more empty databases of a given kind within one test."""
    return database_factory.new_url
