"""Alembic environment: always driven programmatically by ``odesk_server.db``.

``odesk_server.db.migrate`` passes an open connection in
``config.attributes["connection"]``; there is no alembic.ini. The target
metadata is the whole ``odesk_server.models`` package: importing it imports
every domain module, so every table is compared.
"""

from __future__ import annotations

from alembic import context

from odesk_server.db import include_name
from odesk_server.models import Base, UTCDateTime

target_metadata = Base.metadata


def render_item(type_, obj, autogen_context):
    """Write our UTC timestamp type as a plain DateTime: scripts must not import the models."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("odesk_server migrations run through odesk_server.db.migrate(), not the alembic command")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things: batch mode recreates tables instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
        # The search engine's tables live outside the model (odesk_server.search.index).
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
