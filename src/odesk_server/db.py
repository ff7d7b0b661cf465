"""The database layer: engines tuned per backend, sessions, and migrations.

SQLite (the embedded default) and PostgreSQL are both first-class:

- SQLite connections enforce foreign keys, use the WAL journal (readers do
  not block the writer) and wait up to ``SQLITE_BUSY_TIMEOUT_MS`` for a lock
  instead of failing at once; connections may cross threads because the ASGI
  server runs sync endpoints in a thread pool.
- PostgreSQL pools ping connections before use so a restarted server does
  not hand out dead connections.

Migrations are Alembic scripts inside the package
(``odesk_server/migrations``), applied by ``migrate()``; no ``alembic.ini``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 10_000

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


class DatabaseError(RuntimeError):
    """The database cannot be reached or is not in a usable state; the message says why."""


def create_engine(url: str | sa.URL, **kwargs: object) -> Engine:
    """An engine for ``url`` with the options its backend needs (see the module docstring).

    Extra keyword arguments go to ``sqlalchemy.create_engine``.
    """
    parsed = sa.make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        connect_args = dict(kwargs.pop("connect_args", {}) or {})  # type: ignore[arg-type]
        connect_args.setdefault("check_same_thread", False)
        engine = sa.create_engine(parsed, connect_args=connect_args, **kwargs)
        in_memory = parsed.database in (None, "", ":memory:")

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            if not in_memory:
                cursor.execute("PRAGMA journal_mode=WAL")
                # WAL makes NORMAL durable enough (a crash loses at most the last commit).
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return sa.create_engine(parsed, **kwargs)


class Database:
    """An engine and its session factory.

    ``Database(url)`` makes the engine with ``create_engine``; ``session()``
    is a context manager yielding a session that commits on success and
    rolls back on error.
    """

    def __init__(self, url_or_engine: str | sa.URL | Engine) -> None:
        if isinstance(url_or_engine, Engine):
            self.engine = url_or_engine
        else:
            self.engine = create_engine(url_or_engine)
        self.sessionmaker: sessionmaker[Session] = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def url(self) -> sa.URL:
        return self.engine.url

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in a transaction: committed when the block ends, rolled back on an exception."""
        with self.sessionmaker.begin() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def _alembic_config(connection: sa.Connection):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


@contextmanager
def engine_for(url_or_engine: str | sa.URL | Engine) -> Iterator[Engine]:
    """The given engine, or a temporary one for a URL, disposed when the block ends."""
    if isinstance(url_or_engine, Engine):
        yield url_or_engine
        return
    engine = create_engine(url_or_engine)
    try:
        yield engine
    finally:
        engine.dispose()


def _cannot_open(engine: Engine, exc: sa.exc.OperationalError) -> DatabaseError:
    """The error raised when ``engine``'s database cannot be reached."""
    return DatabaseError(f"cannot open the database {engine.url!r}: {first_line(exc)}")


def _run_alembic(
    url_or_engine: str | sa.URL | Engine, step: Callable[[Any, str], None], revision: str
) -> None:
    """Run the Alembic command ``step`` to ``revision`` in one transaction.

    Raises ``DatabaseError`` when the database cannot be reached.
    """
    with engine_for(url_or_engine) as engine:
        try:
            with engine.begin() as connection:
                step(_alembic_config(connection), revision)
        except sa.exc.OperationalError as exc:
            raise _cannot_open(engine, exc) from exc


def migrate(url_or_engine: str | sa.URL | Engine, revision: str = "head") -> None:
    """Bring the database schema up to ``revision`` (default: the newest).

    Creates the SQLite file when it does not exist. Raises ``DatabaseError``
    when the database cannot be reached.
    """
    from alembic import command

    _run_alembic(url_or_engine, command.upgrade, revision)


def downgrade(url_or_engine: str | sa.URL | Engine, revision: str = "base") -> None:
    """Take the schema back to ``revision`` (default: nothing at all). Data in dropped tables is lost."""
    from alembic import command

    _run_alembic(url_or_engine, command.downgrade, revision)


def current_revision(url_or_engine: str | sa.URL | Engine) -> str | None:
    """The Alembic revision the database is at, or None for an unmigrated database."""
    from alembic.runtime.migration import MigrationContext

    with engine_for(url_or_engine) as engine:
        try:
            with engine.connect() as connection:
                return MigrationContext.configure(connection).get_current_revision()
        except sa.exc.OperationalError as exc:
            raise _cannot_open(engine, exc) from exc


def head_revision() -> str:
    """The newest revision among the package's migration scripts."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS_DIR))
    head = script.get_current_head()
    assert head is not None
    return head


def first_line(exc: BaseException) -> str:
    """The first line of a database error message (driver details trimmed)."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip()
    return text.splitlines()[0] if text else type(orig).__name__
