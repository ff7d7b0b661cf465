"""The SQL engine's indexes: a text document and a narrow row per job and per provider.

Tables (made by migration 0010, outside the SQLAlchemy model; every name
starts with ``search_``, ``db.SEARCH_TABLE_PREFIX``):

- ``search_jobs``, ``search_providers``: the documents. SQLite: FTS5 tables
  (porter stemming; rowid = ``jobs.id`` / ``users.id``), one column per text
  field and a ``facets`` column. PostgreSQL: one ``tsvector`` per row with a
  GIN index, the text fields under their own weights (``WEIGHTS``, so that
  ``title:php`` is the document filtered to the title's weight) and the
  facets (``simple`` configuration), and the title and skills again in
  tsvectors of their own (``FIELD_VECTORS``), GIN-indexed, for
  ``title:`` and ``skills:``. Only providers a search may find (an
  active provider's public profile) have a document.
- ``facets``: the categorical filters as tokens (``FACETS``), so that a
  search with words filters by status, visibility, category, region,
  tests... inside the full-text index, with no join: ``zzs1`` (an open job),
  ``zzc11`` (a category), ``zzr702`` (a region)...
- ``search_job_rows``: per job, what filters and sorts by number or day
  (budget, duration, posting time) and what a search without words filters
  on (status, visibility, team, type, categories), indexed on status and
  posting time.
- ``search_provider_stats``: per provider, the same for profiles (shown or
  not, creation time, rate, English skill, region) and the numbers counted
  from his work: hours worked, last day worked, feedback (the mean, over
  the ended contracts that got feedback, of each one's six contractor
  scores). Database triggers on ``time_logs``, ``engagement_feedback_scores``
  and ``engagements`` keep those three in the transaction of whatever writes
  them (the tracker, diary edits, imports, contract endings, the demo).

The documents and rows are refreshed by the writes that change them,
through ``search.jobs_changed`` / ``search.providers_changed`` in the same
transaction, and rebuilt whole by ``rebuild`` (the demo, the benchmark,
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
# The fields that also have a tsvector of their own, GIN-indexed (PostgreSQL): ``title_words``, ``skills_words``.
FIELD_VECTORS = frozenset({"title", "skills"})
# FTS5 columns, in table order (SQLite): the text fields, then the facets.
COLUMNS = {
    "jobs": ("title", "skills", "description", "facets"),
    "providers": ("name", "title", "skills", "tests", "overview", "portfolio", "facets"),
}
# The facet tokens: prefix + a number.
FACETS = {
    "zza": "providers: a member of the agency company (id)",
    "zzc": "jobs: the category (id) of a subcategory; providers: of a skill or a portfolio item",
    "zze": "providers: English skill (0-5)",
    "zzj": "jobs: 1 hourly, 2 fixed-price",
    "zzk": "providers: took (and shows) the skill test (id)",
    "zzo": "jobs: public (or odesk) and of the status (1 open, 2 filled, 3 cancelled): one token for both",
    "zzp": "providers: 1 independent, 2 member of an agency",
    "zzr": "providers: the region (id) or the region it is in",
    "zzs": "jobs: 1 open, 2 filled, 3 cancelled",
    "zzt": "jobs: the buyer team (id) of a private job",
    "zzu": "jobs: a subcategory (id); providers: a portfolio item's subcategory",
    "zzv": "jobs: 1 public or odesk, 2 private, 3 invite-only",
    "zzx": "providers: scored in the top 10% of the test (id)",
    "zzy": "providers: scored in the top 30% of the test (id)",
    "zzall": "every document",
}
JOB_STATUS_CODES = {"open": 1, "filled": 2, "cancelled": 3}

_JOB_TEXT = """
    SELECT j.id AS id, j.title AS title, replace(j.skills, ';', ' ') AS skills, j.description AS description,
           'zzall zzv' || CASE WHEN j.visibility IN ('public', 'odesk') THEN '1'
                               WHEN j.visibility = 'private' THEN '2 zzt' || j.buyer_team_id ELSE '3' END
           || ' zzs' || CASE j.status WHEN 'open' THEN '1' WHEN 'filled' THEN '2' ELSE '3' END
           || CASE WHEN j.visibility IN ('public', 'odesk')
                   THEN ' zzo' || CASE j.status WHEN 'open' THEN '1' WHEN 'filled' THEN '2' ELSE '3' END
                   ELSE '' END
           || ' zzj' || CASE WHEN j.job_type = 'hourly' THEN '1' ELSE '2' END
           || coalesce(' zzu' || j.subcategory_id, '') || coalesce(' zzc' || s1.parent_id, '')
           || coalesce(' zzu' || j.subcategory2_id, '') || coalesce(' zzc' || s2.parent_id, '') AS facets
    FROM jobs j
    LEFT JOIN job_categories s1 ON s1.id = j.subcategory_id
    LEFT JOIN job_categories s2 ON s2.id = j.subcategory2_id
"""

_JOB_ROWS = """
    SELECT j.id, j.job_key, j.buyer_team_id, t.company_id, j.visibility, j.status, j.job_type,
           j.subcategory_id, j.subcategory2_id, s1.parent_id, s2.parent_id, j.budget, j.duration, j.created_at
    FROM jobs j
    JOIN teams t ON t.id = j.buyer_team_id
    LEFT JOIN job_categories s1 ON s1.id = j.subcategory_id
    LEFT JOIN job_categories s2 ON s2.id = j.subcategory2_id
"""
_JOB_ROW_COLUMNS = (
    "job_id, job_key, buyer_team_id, company_id, visibility, status, job_type, "
    "subcategory_id, subcategory2_id, category_id, category2_id, budget, duration, created_at"
)

# Who a search may find: an active provider's public profile.
_SHOWN = "(u.status = 'active' AND u.is_provider AND u.profile_key IS NOT NULL AND p.is_public)"

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
                     WHERE pi.user_id = u.id), '') AS portfolio,
           'zzall zze' || p.english_skill
           || coalesce(' zzr' || p.region_id, '') || coalesce(' zzr' || rg.parent_id, '')
           || coalesce((SELECT ' ' || {concat}('zzc' || s.category_id, ' ') FROM provider_skills ps
                        JOIN skills s ON s.id = ps.skill_id WHERE ps.user_id = u.id AND s.category_id IS NOT NULL), '')
           || coalesce((SELECT ' ' || {concat}(CASE WHEN jc.parent_id IS NOT NULL THEN 'zzu' || pi.category_id || ' '
                                                    ELSE '' END || 'zzc' || coalesce(jc.parent_id, pi.category_id), ' ')
                        FROM portfolio_items pi JOIN job_categories jc ON jc.id = pi.category_id
                        WHERE pi.user_id = u.id), '')
           || coalesce((SELECT ' ' || {concat}('zzk' || pt.test_id
                                               || CASE WHEN pt.percentile >= 90 THEN ' zzx' || pt.test_id ELSE '' END
                                               || CASE WHEN pt.percentile >= 70 THEN ' zzy' || pt.test_id ELSE '' END,
                                               ' ')
                        FROM provider_tests pt WHERE pt.user_id = u.id AND pt.is_public), '')
           || coalesce((SELECT ' zzp2 ' || {concat}('zza' || c.id, ' ') FROM user_roles ur
                        JOIN teams t ON t.id = ur.team_id JOIN companies c ON c.id = t.company_id
                        WHERE ur.user_id = u.id AND c.is_agency AND c.status = 'active'), ' zzp1') AS facets
    FROM users u
    JOIN provider_profiles p ON p.user_id = u.id
    LEFT JOIN regions rg ON rg.id = p.region_id
"""

_PROVIDER_ROWS = f"""
    SELECT u.id, u.profile_key, {_SHOWN}, u.created_at, u.profile_hourly_rate, p.english_skill, p.region_id, 0, 0
    FROM users u
    JOIN provider_profiles p ON p.user_id = u.id
"""


def _concat(dialect: str) -> str:
    return "string_agg" if dialect == "postgresql" else "group_concat"


def _tsvector(kind: str, alias: str = "d") -> str:
    """The weighted document of ``kind`` built from the text row ``alias`` (PostgreSQL)."""
    text = " || ".join(
        f"setweight(to_tsvector('english', coalesce({alias}.{column}, '')), '{weight}')"
        for column, weight in WEIGHTS[kind].items()
    )
    return f"{text} || to_tsvector('simple', {alias}.facets)"


def _run(connection: sa.Connection, statement: str, params: dict[str, object] | None = None) -> None:
    params = params or {}
    text = sa.text(statement)
    if "ids" in params:
        text = text.bindparams(sa.bindparam("ids", expanding=True))
    connection.execute(text, params)


def _documents(connection: sa.Connection, kind: str, ids: Collection[int] | None) -> None:
    """Write the documents of ``kind`` for ``ids`` (every one when None), replacing what was there."""
    dialect = connection.dialect.name
    table = f"search_{kind}"
    if kind == "jobs":
        source, key, shown = _JOB_TEXT, "j.id", "true"
    else:
        source, key, shown = _PROVIDER_TEXT.format(concat=_concat(dialect)), "u.id", _SHOWN
    where = f" WHERE {shown}" + (f" AND {key} IN :ids" if ids is not None else "")
    params: dict[str, object] = {"ids": sorted(ids)} if ids is not None else {}
    if dialect == "postgresql":
        id_column = "job_id" if kind == "jobs" else "user_id"
        _run(connection, f"DELETE FROM {table}" + (f" WHERE {id_column} IN :ids" if ids is not None else ""), params)
        fields = ", ".join(f"{name}_words" for name in sorted(FIELD_VECTORS))
        vectors = ", ".join(f"to_tsvector('english', d.{name})" for name in sorted(FIELD_VECTORS))
        _run(
            connection,
            f"INSERT INTO {table} ({id_column}, document, {fields}) "
            f"SELECT d.id, {_tsvector(kind)}, {vectors} FROM ({source}{where}) AS d",
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


def _rows(connection: sa.Connection, kind: str, ids: Collection[int] | None) -> None:
    """Write the rows of ``kind`` for ``ids`` (every one when None)."""
    params: dict[str, object] = {"ids": sorted(ids)} if ids is not None else {}
    if kind == "jobs":
        _run(connection, "DELETE FROM search_job_rows" + (" WHERE job_id IN :ids" if ids is not None else ""), params)
        where = " WHERE j.id IN :ids" if ids is not None else ""
        _run(connection, f"INSERT INTO search_job_rows ({_JOB_ROW_COLUMNS}) {_JOB_ROWS}{where}", params)
        return
    # The work numbers are the triggers'; the profile's columns are written here.
    if ids is not None:
        _run(connection, "UPDATE search_provider_stats SET shown = false WHERE user_id IN :ids", params)
    where = " WHERE u.id IN :ids" if ids is not None else " WHERE true"
    _run(
        connection,
        "INSERT INTO search_provider_stats "
        "(user_id, profile_key, shown, created_at, rate, english_skill, region_id, hours, rated) "
        f"{_PROVIDER_ROWS}{where} "
        "ON CONFLICT (user_id) DO UPDATE SET profile_key = excluded.profile_key, shown = excluded.shown, "
        "created_at = excluded.created_at, rate = excluded.rate, english_skill = excluded.english_skill, "
        "region_id = excluded.region_id",
        params,
    )


def refresh_jobs(connection: sa.Connection, job_ids: Collection[int]) -> None:
    """Rewrite the documents and rows of these jobs (a job that no longer exists loses them)."""
    if job_ids:
        _documents(connection, "jobs", job_ids)
        _rows(connection, "jobs", job_ids)


def refresh_providers(connection: sa.Connection, user_ids: Collection[int]) -> None:
    """Rewrite the documents and rows of these providers (one no search may find loses his document)."""
    if user_ids:
        _documents(connection, "providers", user_ids)
        _rows(connection, "providers", user_ids)


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
    _run(connection, "UPDATE search_provider_stats SET hours = 0, last_worked_on = NULL, feedback = NULL, rated = 0")
    _run(
        connection,
        "INSERT INTO search_provider_stats (user_id, hours, last_worked_on, rated) "
        "SELECT e.provider_user_id, sum(t.hours_online + t.hours_offline), max(t.worked_on), 0 "
        "FROM time_logs t JOIN engagements e ON e.id = t.engagement_id WHERE true GROUP BY e.provider_user_id "
        "ON CONFLICT (user_id) DO UPDATE SET hours = excluded.hours, last_worked_on = excluded.last_worked_on",
    )
    _run(
        connection,
        "INSERT INTO search_provider_stats (user_id, hours, rated) "
        "SELECT DISTINCT e.provider_user_id, 0, 0 FROM engagements e "
        "JOIN engagement_feedback_scores s ON s.engagement_id = e.id "
        "WHERE e.ended_on IS NOT NULL ON CONFLICT (user_id) DO NOTHING",
    )
    feedback = FEEDBACK_OF.format(who="search_provider_stats.user_id")
    _run(connection, f"UPDATE search_provider_stats SET (feedback, rated) = ({feedback})")


def rebuild(connection: sa.Connection) -> None:
    """Build every index again from the rows: documents, rows, the work numbers."""
    for kind in ("jobs", "providers"):
        _documents(connection, kind, None)
    _rows(connection, "jobs", None)
    _run(
        connection,
        "UPDATE search_provider_stats SET shown = false, profile_key = NULL WHERE user_id NOT IN "
        "(SELECT user_id FROM provider_profiles)",
    )
    _rows(connection, "providers", None)
    rebuild_stats(connection)
    if connection.dialect.name == "sqlite":
        for table in ("search_jobs", "search_providers"):
            connection.execute(sa.text(f"INSERT INTO {table} ({table}) VALUES ('optimize')"))
        connection.execute(sa.text("ANALYZE search_job_rows"))
        connection.execute(sa.text("ANALYZE search_provider_stats"))
    else:
        for table in ("search_jobs", "search_providers", "search_job_rows", "search_provider_stats"):
            connection.execute(sa.text(f"ANALYZE {table}"))
