"""Stuck and unreachable databases, on demand.

Every signed request stores its OAuth nonce, so while ``nonces_locked(url)``
holds its lock each of them waits in the database (SQLite: up to the busy
timeout; PostgreSQL: up to the statement timeout). ``unreachable_url`` names
a database that cannot be opened at all.
"""

from __future__ import annotations

import socket
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import sqlalchemy as sa


def _libpq_url(url: str) -> str:
    return sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def nonces_locked(url: str) -> Iterator[None]:
    """Hold a write lock on the OAuth nonces of the database at ``url`` until the block ends."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        conn = sqlite3.connect(parsed.database, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
        return
    with psycopg.connect(_libpq_url(url)) as conn:
        conn.execute("LOCK TABLE oauth_nonces IN EXCLUSIVE MODE")
        try:
            yield
        finally:
            conn.rollback()


def wait_for_lock_waiters(url: str, count: int = 1, timeout: float = 30.0) -> None:
    """Return once ``count`` sessions wait on a lock (PostgreSQL); on SQLite, give requests a moment to arrive.

    Raises AssertionError when they do not show up within ``timeout`` seconds.
    """
    if sa.make_url(url).get_backend_name() == "sqlite":
        time.sleep(0.5)  # SQLite shows no waiters; the requests only need to reach the database
        return
    deadline = time.monotonic() + timeout
    with psycopg.connect(_libpq_url(url), autocommit=True) as conn:
        while time.monotonic() < deadline:
            waiting = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
            ).fetchone()[0]
            if waiting >= count:
                return
            time.sleep(0.05)
    raise AssertionError(f"fewer than {count} request(s) waited on the lock within {timeout}s")


def unreachable_url(kind: str, directory: object, credentials: str = "postgres") -> str:
    """A URL of ``kind`` that cannot be opened: a file in a missing directory, or a port nothing listens on."""
    if kind == "sqlite":
        return f"sqlite:///{directory}/no/such/directory/odesk.db"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"postgresql+psycopg://{credentials}@127.0.0.1:{port}/odesk"
