"""Server settings, read once from the environment.

Every setting has a default that makes ``odesk-server serve`` work out of the
box on a laptop (a SQLite file in the working directory, 127.0.0.1:8000).

| variable                   | field              | default                    |
| -------------------------- | ------------------ | -------------------------- |
| ``ODESK_DATABASE_URL``     | ``database_url``   | ``sqlite:///./odesk.db``   |
| ``ODESK_REPORT_TIMEOUT``   | ``report_timeout`` | ``30`` (seconds)           |
| ``ODESK_REPORT_MAX_ROWS``  | ``report_max_rows`` | ``100000`` (rows of a report's answer) |
| ``ODESK_HOST``             | ``host``           | ``127.0.0.1``              |
| ``ODESK_PORT``             | ``port``           | ``8000``                   |
| ``ODESK_PUBLIC_URL``       | ``public_url``     | none: built from host/port |
| ``ODESK_OAUTH_TIMESTAMP_WINDOW`` | ``oauth_timestamp_window`` | ``300`` (seconds) |
| ``ODESK_WORKERS``          | ``workers``        | ``1`` (server processes)   |
| ``ODESK_DB_POOL_SIZE``     | ``db_pool_size``   | ``20`` (connections per process) |
| ``ODESK_DB_POOL_TIMEOUT``  | ``db_pool_timeout`` | ``5`` (seconds; then 503)  |
| ``ODESK_DB_CONNECT_TIMEOUT`` | ``db_connect_timeout`` | ``5`` (seconds)      |
| ``ODESK_DB_STATEMENT_TIMEOUT`` | ``db_statement_timeout`` | ``120`` (seconds, PostgreSQL) |
| ``ODESK_SHUTDOWN_TIMEOUT`` | ``shutdown_timeout`` | ``10`` (seconds)          |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa

from odesk_server.db import ConnectionLimits

DEFAULT_DATABASE_URL = "sqlite:///./odesk.db"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_REPORT_TIMEOUT = 30.0
DEFAULT_REPORT_MAX_ROWS = 100_000
DEFAULT_OAUTH_TIMESTAMP_WINDOW = 300
_DEFAULT_LIMITS = ConnectionLimits()


class SettingsError(ValueError):
    """A setting has a value the server cannot use; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    """Everything the server needs to start.

    ``public_url`` is the externally visible base URL (scheme, host, optional
    port and path prefix, no trailing slash) used to build callback and
    authorize URLs; ``base_url`` falls back to ``http://host:port``.
    ``workers`` is how many server processes ``serve`` starts; the ``db_*``
    fields are the ``ConnectionLimits`` of each process; ``shutdown_timeout``
    how long a stopping server waits for requests in flight before it
    exits anyway.
    """

    database_url: str = DEFAULT_DATABASE_URL
    report_timeout: float = DEFAULT_REPORT_TIMEOUT
    report_max_rows: int = DEFAULT_REPORT_MAX_ROWS
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    public_url: str | None = None
    oauth_timestamp_window: int = DEFAULT_OAUTH_TIMESTAMP_WINDOW
    workers: int = 1
    db_pool_size: int = _DEFAULT_LIMITS.pool_size
    db_pool_timeout: float = _DEFAULT_LIMITS.pool_timeout
    db_connect_timeout: float = _DEFAULT_LIMITS.connect_timeout
    db_statement_timeout: float = _DEFAULT_LIMITS.statement_timeout
    shutdown_timeout: float = 10.0

    def __post_init__(self) -> None:
        check_database_url(self.database_url, "database_url")
        if not self.report_timeout > 0:
            raise SettingsError(f"report_timeout must be a positive number of seconds, got {self.report_timeout!r}")
        if not 1 <= self.report_max_rows <= 10_000_000:
            raise SettingsError(f"report_max_rows must be between 1 and 10000000, got {self.report_max_rows!r}")
        if not 1 <= self.port <= 65535:
            raise SettingsError(f"port must be between 1 and 65535, got {self.port!r}")
        if not self.host:
            raise SettingsError("host must not be empty")
        if self.oauth_timestamp_window <= 0:
            raise SettingsError(
                f"oauth_timestamp_window must be a positive number of seconds, got {self.oauth_timestamp_window!r}"
            )
        if not 1 <= self.workers <= 64:
            raise SettingsError(f"workers must be between 1 and 64, got {self.workers!r}")
        if not 1 <= self.db_pool_size <= 500:
            raise SettingsError(f"db_pool_size must be between 1 and 500, got {self.db_pool_size!r}")
        for name in ("db_pool_timeout", "db_connect_timeout", "db_statement_timeout", "shutdown_timeout"):
            value = getattr(self, name)
            if not value > 0 or value == float("inf"):
                raise SettingsError(f"{name} must be a positive number of seconds, got {value!r}")
        if self.public_url is not None:
            parts = urlsplit(self.public_url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise SettingsError(f"public_url must be an absolute http(s) URL, got {self.public_url!r}")
            object.__setattr__(self, "public_url", self.public_url.rstrip("/"))

    @property
    def base_url(self) -> str:
        """The URL clients reach the server at: ``public_url`` or ``http://host:port``."""
        if self.public_url:
            return self.public_url
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def connection_limits(self) -> ConnectionLimits:
        """The ``ConnectionLimits`` of the server's database in each process."""
        return ConnectionLimits(
            pool_size=self.db_pool_size,
            pool_timeout=self.db_pool_timeout,
            connect_timeout=self.db_connect_timeout,
            statement_timeout=max(self.db_statement_timeout, self.report_timeout),
        )

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy with some fields replaced (``None`` values are ignored); validates again."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from ``environ`` (default ``os.environ``).

        Raises ``SettingsError`` naming the variable when a value is malformed.
        """
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(name)
            if value is None or value.strip() == "":
                return None
            return value.strip()

        database_url = get("ODESK_DATABASE_URL") or DEFAULT_DATABASE_URL
        check_database_url(database_url, "ODESK_DATABASE_URL")
        return cls(
            database_url=database_url,
            report_timeout=_number(get("ODESK_REPORT_TIMEOUT"), "ODESK_REPORT_TIMEOUT", DEFAULT_REPORT_TIMEOUT, float),
            report_max_rows=_number(
                get("ODESK_REPORT_MAX_ROWS"), "ODESK_REPORT_MAX_ROWS", DEFAULT_REPORT_MAX_ROWS, int
            ),
            host=get("ODESK_HOST") or DEFAULT_HOST,
            port=_port(get("ODESK_PORT")),
            public_url=_public_url(get("ODESK_PUBLIC_URL")),
            oauth_timestamp_window=_number(
                get("ODESK_OAUTH_TIMESTAMP_WINDOW"),
                "ODESK_OAUTH_TIMESTAMP_WINDOW",
                DEFAULT_OAUTH_TIMESTAMP_WINDOW,
                int,
            ),
            workers=_number(get("ODESK_WORKERS"), "ODESK_WORKERS", 1, int),
            db_pool_size=_number(get("ODESK_DB_POOL_SIZE"), "ODESK_DB_POOL_SIZE", _DEFAULT_LIMITS.pool_size, int),
            db_pool_timeout=_number(
                get("ODESK_DB_POOL_TIMEOUT"), "ODESK_DB_POOL_TIMEOUT", _DEFAULT_LIMITS.pool_timeout, float
            ),
            db_connect_timeout=_number(
                get("ODESK_DB_CONNECT_TIMEOUT"), "ODESK_DB_CONNECT_TIMEOUT", _DEFAULT_LIMITS.connect_timeout, float
            ),
            db_statement_timeout=_number(
                get("ODESK_DB_STATEMENT_TIMEOUT"),
                "ODESK_DB_STATEMENT_TIMEOUT",
                _DEFAULT_LIMITS.statement_timeout,
                float,
            ),
            shutdown_timeout=_number(get("ODESK_SHUTDOWN_TIMEOUT"), "ODESK_SHUTDOWN_TIMEOUT", 10.0, float),
        )


SUPPORTED_BACKENDS = ("sqlite", "postgresql")


def check_database_url(url: str, name: str) -> None:
    """Raise ``SettingsError`` (naming ``name``) unless ``url`` is a SQLite or PostgreSQL URL."""
    try:
        parsed = sa.make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError; keep the message ours
        raise SettingsError(f"{name} is not a database URL: {url!r}") from exc
    if parsed.get_backend_name() not in SUPPORTED_BACKENDS:
        raise SettingsError(
            f"{name} must be a sqlite:/// or postgresql+psycopg:// URL, got backend {parsed.get_backend_name()!r}"
        )


def _number(raw: str | None, name: str, default, kind):
    if raw is None:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a positive number, got {raw!r}") from None
    if not value > 0 or value != value or value == float("inf"):
        raise SettingsError(f"{name} must be a positive number, got {raw!r}")
    return value


def _port(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_PORT
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise SettingsError(f"ODESK_PORT must be a port number between 1 and 65535, got {raw!r}")
    return int(raw)


def _public_url(raw: str | None) -> str | None:
    if raw is None:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(f"ODESK_PUBLIC_URL must be an absolute http(s) URL, got {raw!r}")
    return raw.rstrip("/")
