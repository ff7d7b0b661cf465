"""The SQL engine's indexes: the text documents of jobs and providers, and the providers' work summary.

Tables (created by migration 0010, outside the SQLAlchemy model; every name
starts with ``search_``, ``db.SEARCH_TABLE_PREFIX``):

- ``search_jobs``, ``search_providers``: one text document per job and per
  provider with a profile. SQLite: FTS5 tables (porter stemming, rowid =
  ``jobs.id`` / ``users.id``) with one column per text field. PostgreSQL: a
  ``tsvector`` per row (``english`` configuration) with a GIN index, each
  field under its own weight (``WEIGHTS``), so that ``title:php`` is the
  document filtered to the title's weight.
- ``search_provider_stats``: per provider, the hours worked, the last day
  worked and the feedback (the mean, over the ended contracts that got
  feedback, of each one's six contractor scores), with indexes for range
  filters. Database triggers on ``time_logs``, ``engagement_feedback_scores``
  and ``engagements`` keep it, in the transaction of whatever writes them
  (the tracker, diary edits, imports, contract endings, the demo).

The documents are refreshed by the writes that change their text, through
``search.jobs_changed`` / ``search.providers_changed`` (in the same
transaction), and rebuilt whole by ``rebuild`` (the demo, the benchmark,
after a bulk load).
"""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa

# The tsvector weight of each text field (PostgreSQL); the FTS5 columns have the same names (SQLite).
WEIGHTS = {
    "jobs": {"title": "A", "skills": "B", "description": "D"},
    "providers": {"title": "A", "skills": "B", "name": "C", "tests": "C", "portfolio": "C", "overview": "D"},
}
# FTS5 columns, in table order (SQLite).
COLUMNS = {
    "jobs": ("title", "skills", "description"),
    "providers": ("name", "title", "skills", "tests", "overview", "portfolio"),
}

_JOB_TEXT = """
    SELECT j.id AS id, j.title AS title, replace(j.skills, ';', ' ') AS skills, j.description AS description
    FROM jobs j
"""

_PROVIDER_TEXT = """
    SELECT u.id AS id,
           u.first_name || ' ' || u.last_name AS name,
           coalesce(u.title, '') AS title,
           coalesce((SELECT {concat}(s.name, ' ') FROM provider_skills ps JOIN skills s ON s.id = ps.skill_id
                     WHERE ps.user_id = u.id), '') AS skills,
           coalesce((SELECT {concat}(t.name, ' ') FROM provider_tests pt JOIN skill_tests t ON t.id = pt.test_id
                     WHERE pt.user_id = u.id AND pt.is_public), '') AS tests,
           coalesce(u.description, '') AS overview,
           coalesce((SELECT {concat}(pi.title || ' ' || pi.description, ' ') FROM portfolio_items pi
                     WHERE pi.user_id = u.id), '') AS portfolio
    FROM users u
    JOIN provider_profiles p ON p.user_id = u.id
"""


def _concat(dialect: str) -> str:
    return "string_agg" if dialect == "postgresql" else "group_concat"


def _tsvector(kind: str, alias: str = "d") -> str:
    """The weighted document of ``kind`` built from the text row ``alias`` (PostgreSQL)."""
    return " || ".join(
        f"setweight(to_tsvector('english', coalesce({alias}.{column}, '')), '{weight}')"
        for column, weight in WEIGHTS[kind].items()
    )


def _fill(connection: sa.Connection, kind: str, ids: Collection[int] | None) -> None:
    """Write the documents of ``kind`` for ``ids`` (every one when None), replacing what was there."""
    dialect = connection.dialect.name
    table = f"search_{kind}"
    source = _JOB_TEXT if kind == "jobs" else _PROVIDER_TEXT.format(concat=_concat(dialect))
    key = "j.id" if kind == "jobs" else "u.id"
    where = f" WHERE {key} IN :ids" if ids is not None else ""
    params: dict[str, object] = {"ids": sorted(ids)} if ids is not None else {}
    if dialect == "postgresql":
        id_column = "job_id" if kind == "jobs" else "user_id"
        if ids is not None:
            statement = f"DELETE FROM {table} WHERE {id_column} IN :ids"
        else:
            statement = f"DELETE FROM {table}"
        _run(connection, statement, params)
        _run(
            connection,
            f"INSERT INTO {table} ({id_column}, document) SELECT d.id, {_tsvector(kind)} FROM ({source}{where}) AS d",
            params,
        )
        return
    columns = COLUMNS[kind]
    _run(connection, f"DELETE FROM {table}" + (" WHERE rowid IN :ids" if ids is not None else ""), params)
    _run(
        connection,
        f"INSERT INTO {table} (rowid, {', '.join(columns)}) "
        f"SELECT d.id, {', '.join('d.' + c for c in columns)} FROM ({source}{where}) AS d",
        params,
    )


def _run(connection: sa.Connection, statement: str, params: dict[str, object]) -> None:
    text = sa.text(statement)
    if "ids" in params:
        text = text.bindparams(sa.bindparam("ids", expanding=True))
    connection.execute(text, params)


def refresh_jobs(connection: sa.Connection, job_ids: Collection[int]) -> None:
    """Rewrite the documents of these jobs (a job that no longer exists loses its document)."""
    if job_ids:
        _fill(connection, "jobs", job_ids)


def refresh_providers(connection: sa.Connection, user_ids: Collection[int]) -> None:
    """Rewrite the documents of these providers (one without a profile loses his document)."""
    if user_ids:
        _fill(connection, "providers", user_ids)


# The feedback of the provider ``{who}``: the mean of his rated contracts' means, and how many.
FEEDBACK_OF = """
    SELECT round(avg(rated.score), 2), count(*) FROM (
        SELECT round(avg(s.score), 2) AS score
        FROM engagements e JOIN engagement_feedback_scores s ON s.engagement_id = e.id
        WHERE e.provider_user_id = {who} AND e.ended_on IS NOT NULL AND s.score_id BETWEEN 3 AND 8
        GROUP BY e.id
    ) AS rated
"""


def rebuild_stats(connection: sa.Connection) -> None:
    """Count every provider's hours, last day worked and feedback again from the rows."""
    conflict = "ON CONFLICT (user_id) DO NOTHING"
    _run(connection, "DELETE FROM search_provider_stats", {})
    _run(
        connection,
        "INSERT INTO search_provider_stats (user_id, hours, last_worked_on, rated) "
        "SELECT e.provider_user_id, sum(t.hours_online + t.hours_offline), max(t.worked_on), 0 "
        "FROM time_logs t JOIN engagements e ON e.id = t.engagement_id GROUP BY e.provider_user_id",
        {},
    )
    _run(
        connection,
        "INSERT INTO search_provider_stats (user_id, hours, rated) "
        "SELECT DISTINCT e.provider_user_id, 0, 0 FROM engagements e "
        "JOIN engagement_feedback_scores s ON s.engagement_id = e.id "
        f"WHERE e.ended_on IS NOT NULL {conflict}",
        {},
    )
    feedback = FEEDBACK_OF.format(who="search_provider_stats.user_id")
    _run(connection, f"UPDATE search_provider_stats SET (feedback, rated) = ({feedback})", {})


def rebuild(connection: sa.Connection) -> None:
    """Build every index again from the rows: all job and provider documents, the work summary."""
    _fill(connection, "jobs", None)
    _fill(connection, "providers", None)
    rebuild_stats(connection)
    if connection.dialect.name == "sqlite":
        for table in ("search_jobs", "search_providers"):
            connection.execute(sa.text(f"INSERT INTO {table} ({table}) VALUES ('optimize')"))
