"""Helpers shared by the server tests (importable because pytest puts this folder on sys.path)."""

from __future__ import annotations

import sqlalchemy as sa

from odesk_server import db
from odesk_server.models import Base

# Columns that hold random credentials or load-time clocks: they differ between two loads by design.
RANDOM_COLUMNS = {
    "oauth_consumers": {"id", "key", "secret", "created_at"},
    "oauth_access_tokens": {"id", "token", "secret", "created_at"},
    "users": {"password_hash"},
}
COMPARED_TABLES = (
    "users", "companies", "teams", "user_roles", "user_role_permissions", "engagements", "time_logs",
    "accounting_entities", "ledger_entries", "oauth_consumers", "oauth_access_tokens",
)
IGNORED_TABLES = ("oauth_request_tokens", "oauth_nonces")  # the demo writes none


def table_contents(url: str) -> dict[str, list[tuple]]:
    """Every row of every compared table, minus random columns, in primary-key order."""
    engine = db.create_engine(url)
    try:
        contents = {}
        with engine.connect() as conn:
            for name in COMPARED_TABLES:
                table = Base.metadata.tables[name]
                columns = [c for c in table.columns if c.name not in RANDOM_COLUMNS.get(name, set())]
                rows = conn.execute(sa.select(*columns).order_by(*table.primary_key.columns)).all()
                contents[name] = [tuple(row) for row in rows]
        return contents
    finally:
        engine.dispose()
