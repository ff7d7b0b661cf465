"""The one interface the API searches through: ``SearchEngine``.

The server ships ``search.sql.SqlSearchEngine`` (the database's own
full-text search). An installation too large for it puts another engine
behind the same four methods (docs/search.md says how) and installs it with
``odesk_server.search.use_engine`` before the app serves.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

import sqlalchemy as sa

from odesk_server.search.query import SearchPage, SearchRequest


class SearchEngine(Protocol):
    """Finds jobs and provider profiles, and hears of every change to what it indexes.

    Every method gets the request's connection, in its transaction: the SQL
    engine reads and writes there (so an index change commits or rolls back
    with the write that caused it); another engine may only read there, and
    must itself make a change visible once the transaction commits.
    """

    name: str

    def search(self, connection: sa.Connection, request: SearchRequest) -> SearchPage:
        """The page ``request`` asks for: public keys in order, and how many documents match in all."""
        ...

    def jobs_changed(self, connection: sa.Connection, job_ids: Collection[int]) -> None:
        """These jobs were posted or changed (or are gone): their documents must follow."""
        ...

    def providers_changed(self, connection: sa.Connection, user_ids: Collection[int]) -> None:
        """These providers' profiles changed (text, skills, tests, portfolio, rate, region...)."""
        ...

    def rebuild(self, connection: sa.Connection) -> None:
        """Index everything again from the rows (after a bulk load: the demo, an import, the benchmark)."""
        ...
