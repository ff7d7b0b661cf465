"""Fixtures for every server test: migrated databases and the demo organisation.

Each fixture below is parametrized through ``database_kind`` (tests/conftest.py),
so a test that uses one runs once on SQLite and once on PostgreSQL.

- ``migrated_database_url`` -> str: a fresh, empty database at the newest
  schema revision. Yours alone: write anything.

- ``demo_database`` -> ``(url, DemoCredentials)``: a database holding the demo
  organisation (``odesk_server.demo``), loaded once per test session (and
  per xdist worker) and per database kind, then shared by every test that
  asks for it. READ-ONLY by convention: do not insert, update or revoke
  anything in it (tests run in any order). The demo is loaded with
  ``seed=DEMO_SEED`` and ``end_date=DEMO_END_DATE`` so its rows are the same
  on every run: time logs cover the weekdays from DEMO_END_DATE - 730 days to
  DEMO_END_DATE. ``DemoCredentials`` gives the consumer key/secret, an access
  token per role (``credentials.roles["owner"].token`` ...; roles: owner,
  hiring_manager, finance, agency_owner, staffing_manager, provider,
  agency_provider, member), the company, teams (``credentials.team("acme:design")``) and the
  agency, and the web password of every demo user (``credentials.password``).

- ``demo_db`` -> ``Database``: the shared demo database as a ``Database``
  (one per URL for the whole session), READ-ONLY like ``demo_database``.

- ``mutable_demo_database`` -> ``(url, DemoCredentials)``: a private copy of
  the same demo for a test that writes (revokes a token, posts an
  adjustment...). Copying is fast (a file copy on SQLite, ``CREATE DATABASE
  ... TEMPLATE`` on PostgreSQL), and the credentials are the same as
  ``demo_database``'s.

Example::

    def test_me(demo_database):
        url, credentials = demo_database
        owner = credentials.roles["owner"]
        app = create_app(Settings(database_url=url))
        ...
"""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from odesk_server import db
from odesk_server.demo import DemoCredentials, load_demo

DEMO_SEED = 2011
DEMO_END_DATE = dt.date(2026, 6, 30)


class DemoDatabases:
    """One pristine demo database per kind (never connected to after loading) and copies of it."""

    def __init__(self, factory, tmp_dir: str) -> None:
        self._factory = factory
        self._tmp_dir = tmp_dir
        self._admin_url: str | None = None
        self._templates: dict[str, tuple[str, DemoCredentials]] = {}
        self._shared: dict[str, tuple[str, DemoCredentials]] = {}
        self._copies: list[str] = []

    def _template(self, kind: str) -> tuple[str, DemoCredentials]:
        if kind not in self._templates:
            url = self._factory.new_url(kind)
            engine = db.create_engine(url)
            try:
                credentials = load_demo(engine, seed=DEMO_SEED, end_date=DEMO_END_DATE)
            finally:
                engine.dispose()  # a PostgreSQL template must have no open connection
            self._templates[kind] = (url, credentials)
        return self._templates[kind]

    def copy(self, kind: str) -> tuple[str, DemoCredentials]:
        """A new database holding a copy of the demo."""
        url, credentials = self._template(kind)
        source = sa.make_url(url)
        if kind == "sqlite":
            target = f"{self._tmp_dir}/demo-{uuid.uuid4().hex}.db"
            shutil.copyfile(source.database, target)
            return f"sqlite:///{target}", credentials
        name = f"odesk_d_{uuid.uuid4().hex[:16]}"
        # The server's maintenance database: the template itself must stay unconnected.
        self._admin_url = source.set(database="postgres").render_as_string(hide_password=False)
        admin = sa.create_engine(self._admin_url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{source.database}"'))
        finally:
            admin.dispose()
        self._copies.append(name)
        return source.set(database=name).render_as_string(hide_password=False), credentials

    def shared(self, kind: str) -> tuple[str, DemoCredentials]:
        """The read-only copy every test of the session shares."""
        if kind not in self._shared:
            self._shared[kind] = self.copy(kind)
        return self._shared[kind]

    def drop_copies(self) -> None:
        if not self._copies or self._admin_url is None:
            return
        admin = sa.create_engine(self._admin_url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                for name in self._copies:
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            admin.dispose()


@pytest.fixture(scope="session")
def demo_databases(database_factory, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoDatabases]:
    """The session's demo databases; use ``demo_database`` or ``mutable_demo_database`` instead."""
    databases = DemoDatabases(database_factory, str(tmp_path_factory.mktemp("demo")))
    yield databases
    databases.drop_copies()


@pytest.fixture
def migrated_database_url(database_url: str) -> str:
    """A fresh empty database (SQLite, then PostgreSQL) migrated to the newest revision."""
    db.migrate(database_url)
    return database_url


@pytest.fixture
def demo_database(demo_databases: DemoDatabases, database_kind: str) -> tuple[str, DemoCredentials]:
    """``(url, credentials)`` of the shared, READ-ONLY demo database of this kind."""
    return demo_databases.shared(database_kind)


@pytest.fixture
def mutable_demo_database(demo_databases: DemoDatabases, database_kind: str) -> tuple[str, DemoCredentials]:
    """``(url, credentials)`` of a private copy of the demo that the test may change."""
    return demo_databases.copy(database_kind)


_demo_dbs: dict[str, db.Database] = {}


@pytest.fixture
def demo_db(demo_database: tuple[str, DemoCredentials]) -> db.Database:
    """The shared demo database of this kind as a ``Database`` (READ-ONLY; see the module docstring)."""
    url, _credentials = demo_database
    if url not in _demo_dbs:
        _demo_dbs[url] = db.Database(url)
    return _demo_dbs[url]
