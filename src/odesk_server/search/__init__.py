"""Search of jobs and provider profiles: the query language, its fields, and the engine behind them.

- ``syntax``: search v2's ``q`` (a subset of Lucene's syntax, ``grammar.lark``)
  parsed to a typed tree;
- ``fields``: that tree and the other v1/v2 keys bound to typed conditions on
  the fields of jobs and providers (``query``);
- ``engine.SearchEngine``: the one interface searches and index updates go
  through; ``sql.SqlSearchEngine`` is the database's own full-text search
  (SQLite FTS5, PostgreSQL tsvector + GIN), the default;
- ``index``: the SQL engine's documents and work summary.

The writes that change what a document holds call ``jobs_changed`` /
``providers_changed`` in their transaction; the demo calls ``rebuild``.
docs/search.md describes the language, the fields and how to put another
engine in place.
"""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa

from odesk_server.search.engine import SearchEngine
from odesk_server.search.sql import SqlSearchEngine

_engine: SearchEngine = SqlSearchEngine()


def engine() -> SearchEngine:
    """The engine the server searches with (``SqlSearchEngine`` unless another was installed)."""
    return _engine


def use_engine(chosen: SearchEngine) -> SearchEngine:
    """Search with ``chosen`` from now on (call it before serving); returns the engine it replaces."""
    global _engine
    previous, _engine = _engine, chosen
    return previous


def jobs_changed(connection: sa.Connection, job_ids: Collection[int]) -> None:
    """Tell the engine these jobs were posted or changed, in the transaction that changed them."""
    _engine.jobs_changed(connection, job_ids)


def providers_changed(connection: sa.Connection, user_ids: Collection[int]) -> None:
    """Tell the engine these providers' profiles changed, in the transaction that changed them."""
    _engine.providers_changed(connection, user_ids)


def rebuild(connection: sa.Connection) -> None:
    """Index every job and provider again from the rows (the demo, bulk loads)."""
    _engine.rebuild(connection)


__all__ = ["SearchEngine", "SqlSearchEngine", "engine", "jobs_changed", "providers_changed", "rebuild", "use_engine"]
