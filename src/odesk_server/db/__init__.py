"""The database layer: engines tuned per backend, sessions, and migrations.

SQLite (the embedded default) and PostgreSQL are both first-class:

- SQLite connections enforce foreign keys, use the WAL journal (readers do
  not block the writer) and wait up to ``SQLITE_BUSY_TIMEOUT_MS`` for a lock
  instead of failing at once; connections may cross threads because the ASGI
  server runs sync endpoints in a thread pool.
- PostgreSQL pools ping connections before use so a restarted server does
  not hand out dead connections.

The server's own ``Database`` also bounds every wait on the database
(``ConnectionLimits``): how many connections it holds, how long a request
waits for one, how long a connection takes to open and (on PostgreSQL) how
long a statement or an idle transaction may last. ``DatabaseHealth`` notices
when connecting fails and then answers ``DatabaseUnavailable`` at once, trying
again with a single probe connection every few seconds, so an outage costs
each request a fast 503 rather than a connect timeout.

Migrations are Alembic scripts inside the package
(``odesk_server/migrations``), applied by ``migrate()``; no ``alembic.ini``.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 10_000

MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"

# The search engine's tables (odesk_server.search.index: full-text indexes and their shadow tables, a work
# summary) are made by the migrations outside the model; each is named with this prefix.
SEARCH_TABLE_PREFIX = "search_"


def is_model_table(name: str) -> bool:
    """Whether the table ``name`` belongs to the model (``models``), not to the search engine's indexes."""
    return not name.startswith(SEARCH_TABLE_PREFIX)


def include_name(name: str | None, type_: str, _parent_names: object) -> bool:
    """Alembic's ``include_name``: compare the model with every table but the search engine's."""
    return type_ != "table" or name is None or is_model_table(name)


class DatabaseError(RuntimeError):
    """The database cannot be reached or is not in a usable state; the message says why."""


class DatabaseUnavailable(RuntimeError):
    """The database could not be reached a moment ago; ``retry_after`` is when to try again, in seconds."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class ConnectionLimits:
    """How many connections the server holds and how long it waits on its database.

    ``pool_size``: connections held at most (also how many requests work on
    the database at once); ``pool_timeout``: seconds a request waits for a
    free connection before it is answered 503; ``connect_timeout``: seconds
    to open a connection; ``statement_timeout`` and
    ``idle_in_transaction_timeout``: PostgreSQL's own limits for any
    statement (reports set a shorter one of their own) and for a
    transaction left open; ``retry_after``: seconds between connection
    attempts once the database stopped answering.
    """

    pool_size: int = 20
    pool_timeout: float = 5.0
    connect_timeout: float = 5.0
    statement_timeout: float = 120.0
    idle_in_transaction_timeout: float = 60.0
    retry_after: float = 2.0

    def __post_init__(self) -> None:
        if self.pool_size < 1:
            raise ValueError(f"pool_size must be at least 1, got {self.pool_size!r}")
        for name in (
            "pool_timeout",
            "connect_timeout",
            "statement_timeout",
            "idle_in_transaction_timeout",
            "retry_after",
        ):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be a positive number of seconds, got {getattr(self, name)!r}")


class DatabaseHealth:
    """Whether connecting to the database works, so that an outage fails fast.

    A failed connection attempt opens a window of ``retry_after`` seconds in
    which every new connection is refused at once with
    ``DatabaseUnavailable``; after it, one caller probes (the others keep
    being refused while the probe runs) and a successful connection closes
    the window. Thread-safe.
    """

    def __init__(self, retry_after: float, probe_time: float) -> None:
        self.retry_after = retry_after
        self._probe_time = probe_time
        self._refuse_until = 0.0
        self._lock = threading.Lock()

    def check(self) -> None:
        """Raise ``DatabaseUnavailable`` while the window is open (does not claim the probe)."""
        refuse_until = self._refuse_until
        if refuse_until:
            wait = refuse_until - time.monotonic()
            if wait > 0:
                raise _unavailable(wait)

    def before_connect(self) -> None:
        """Raise ``DatabaseUnavailable`` while the window is open; else let this connection try."""
        if self._refuse_until == 0.0:
            return
        now = time.monotonic()
        with self._lock:
            if now < self._refuse_until:
                raise _unavailable(self._refuse_until - now)
            if self._refuse_until:
                # This caller probes; the others are refused until it is done.
                self._refuse_until = now + self._probe_time

    def connected(self) -> None:
        """A connection opened: the database is back."""
        self._refuse_until = 0.0

    def failed(self) -> None:
        """A connection attempt (or a connection) failed: refuse new ones for ``retry_after`` seconds."""
        with self._lock:
            self._refuse_until = time.monotonic() + self.retry_after


def _unavailable(wait: float) -> DatabaseUnavailable:
    return DatabaseUnavailable("The database is unreachable; the server retries on its own", retry_after=wait)


def retry_after_header(seconds: float) -> str:
    """The ``Retry-After`` value for a wait of ``seconds``: whole seconds, at least 1."""
    return str(max(1, math.ceil(seconds)))


def _watch_health(engine: Engine, health: DatabaseHealth) -> None:
    """Feed ``health`` from ``engine``'s connection events."""

    @event.listens_for(engine, "do_connect")
    def _before(_dialect, _record, _cargs, _cparams) -> None:
        health.before_connect()

    @event.listens_for(engine, "connect")
    def _after(_dbapi_connection, _record) -> None:
        health.connected()

    @event.listens_for(engine, "handle_error")
    def _on_error(context) -> None:
        if not isinstance(context.sqlalchemy_exception, sa.exc.DBAPIError):
            return  # not the driver's (our own refusal during the window, say)
        # No connection: the error happened while connecting.
        if context.connection is None or context.is_disconnect:
            health.failed()


def _postgresql_options(limits: ConnectionLimits) -> dict[str, object]:
    milliseconds = lambda seconds: int(seconds * 1000)  # noqa: E731
    return {
        # libpq counts whole seconds and treats values under 2 as 2.
        "connect_timeout": max(2, math.ceil(limits.connect_timeout)),
        "options": (
            f"-c statement_timeout={milliseconds(limits.statement_timeout)} "
            f"-c idle_in_transaction_session_timeout={milliseconds(limits.idle_in_transaction_timeout)}"
        ),
        # A peer that vanished is noticed in about half a minute, not two hours.
        "keepalives": 1,
        "keepalives_idle": 15,
        "keepalives_interval": 5,
        "keepalives_count": 3,
    }


def create_engine(url: str | sa.URL, limits: ConnectionLimits | None = None, **kwargs: Any) -> Engine:
    """An engine for ``url`` with the options its backend needs (see the module docstring).

    ``limits`` bounds the pool and the waits (the server's engines; command
    line tools and migrations run without). Extra keyword arguments go to
    ``sqlalchemy.create_engine``.
    """
    parsed = sa.make_url(url)
    backend = parsed.get_backend_name()
    in_memory = parsed.database in (None, "", ":memory:")
    if limits is not None and not (backend == "sqlite" and in_memory):
        kwargs.setdefault("pool_size", limits.pool_size)
        kwargs.setdefault("max_overflow", 0)
        kwargs.setdefault("pool_timeout", limits.pool_timeout)
    if backend == "sqlite":
        connect_args = dict(kwargs.pop("connect_args", {}) or {})
        connect_args.setdefault("check_same_thread", False)
        engine = sa.create_engine(parsed, connect_args=connect_args, **kwargs)

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
    if limits is not None:
        connect_args = {**_postgresql_options(limits), **dict(kwargs.pop("connect_args", {}) or {})}
        kwargs["connect_args"] = connect_args
    return sa.create_engine(parsed, **kwargs)


class Database:
    """An engine and its session factory.

    ``Database(url)`` makes the engine with ``create_engine`` and ``limits``
    (default: ``ConnectionLimits()``); ``session()`` is a context manager
    yielding a session that commits on success and rolls back on error.
    ``health`` tells whether connecting works (see ``DatabaseHealth``).
    """

    def __init__(self, url_or_engine: str | sa.URL | Engine, limits: ConnectionLimits | None = None) -> None:
        self.limits = limits or ConnectionLimits()
        if isinstance(url_or_engine, Engine):
            self.engine = url_or_engine
        else:
            self.engine = create_engine(url_or_engine, self.limits)
        self.health = DatabaseHealth(self.limits.retry_after, probe_time=self.limits.connect_timeout + 1)
        _watch_health(self.engine, self.health)
        self.sessionmaker: sessionmaker[Session] = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer at a time; threads of this process that would
        # collide take turns here instead of in SQLite's busy handler, which
        # sleeps in steps of up to 100 ms (the tail latency of every signed call).
        self._write_turns = threading.Lock() if self.engine.dialect.name == "sqlite" else None

    @contextmanager
    def short_write(self) -> Iterator[None]:
        """Around a short write and its commit (the nonce insert): one thread of this process at a time on SQLite.

        Nothing on PostgreSQL, whose row locks let writers proceed together.
        Only for writes that commit within the block and take no other lock.
        """
        if self._write_turns is None:
            yield
            return
        with self._write_turns:
            yield

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


def _run_alembic(url_or_engine: str | sa.URL | Engine, step: Callable[[Any, str], None], revision: str) -> None:
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
