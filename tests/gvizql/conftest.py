"""Fixtures of the gvizql tests: empty databases of each kind the SQL executor supports."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa

SQL_DATABASES = ("sqlite", "postgresql", "duckdb")


@pytest.fixture(scope="session")
def new_sql_engine(database_factory: object, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], sa.Engine]:
    """Makes a fresh engine on an empty database of a kind (SQLite file, PostgreSQL, DuckDB in memory)."""

    def new(kind: str) -> sa.Engine:
        if kind == "sqlite":
            return sa.create_engine(f"sqlite:///{tmp_path_factory.mktemp('gvizql')}/db.sqlite")
        if kind == "postgresql":
            return sa.create_engine(database_factory.new_url("postgresql"))  # type: ignore[attr-defined]
        # One pooled connection: an in-memory DuckDB database lives as long as its connection.
        return sa.create_engine("duckdb:///:memory:", poolclass=sa.pool.StaticPool)

    return new


@pytest.fixture(scope="module", params=SQL_DATABASES)
def sql_database(request: pytest.FixtureRequest, new_sql_engine: Callable[[str], sa.Engine]) -> Iterator[sa.Engine]:
    """An engine on an empty database, once per kind (SQLite, PostgreSQL, DuckDB) per module."""
    engine = new_sql_engine(request.param)
    yield engine
    engine.dispose()
