"""search: full-text indexes of jobs and provider profiles, their rows, the providers' work numbers

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06

The SQL search engine's tables (odesk_server.search.index), outside the
SQLAlchemy model, every name starting with ``search_``:

- SQLite: FTS5 tables ``search_jobs`` and ``search_providers`` (porter
  stemming; rowid = jobs.id / users.id; the text fields and a ``facets``
  column of filter tokens);
- PostgreSQL: ``search_jobs`` and ``search_providers`` holding a weighted
  ``tsvector`` (and the facet tokens) per job / provider, with GIN indexes;
- both: ``search_job_rows`` and ``search_provider_stats``, a narrow row per
  job and per provider (what filters and sorts by number or day, and what a
  search without words reads), and the triggers that keep the providers'
  work numbers (hours, last day worked, feedback) as time logs, feedback
  scores and contract endings are written.

The indexes are filled from the rows already there. The statements are
written out here as they are at this revision (the package's may change
later; a migration does not).
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_TOKENIZER = "porter unicode61 remove_diacritics 2"

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

_SHOWN = "(u.status = 'active' AND u.is_provider AND u.profile_key IS NOT NULL AND p.is_public)"

_PROVIDER_TEXT = (
    """
    SELECT u.id AS id, u.first_name || ' ' || u.last_name AS name, coalesce(u.title, '') AS title,
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
    WHERE """
    + _SHOWN
)

# The feedback of provider {who}: the mean of his rated contracts' means (each of its six contractor scores).
_FEEDBACK_OF = """
    SELECT round(avg(rated.score), 2), count(*) FROM (
        SELECT round(avg(s.score), 2) AS score
        FROM engagements e JOIN engagement_feedback_scores s ON s.engagement_id = e.id
        WHERE e.provider_user_id = {who} AND e.ended_on IS NOT NULL AND s.score_id BETWEEN 3 AND 8
        GROUP BY e.id
    ) AS rated
"""

_STATS_TABLE = """
    CREATE TABLE search_provider_stats (
        user_id INTEGER NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
        profile_key VARCHAR(64),
        shown BOOLEAN NOT NULL DEFAULT false,
        created_at {timestamp},
        rate NUMERIC(14, 2),
        english_skill INTEGER,
        region_id INTEGER,
        hours NUMERIC(14, 2) NOT NULL DEFAULT 0,
        last_worked_on DATE,
        feedback NUMERIC(4, 2),
        rated INTEGER NOT NULL DEFAULT 0
    )
"""

_JOB_ROWS_TABLE = """
    CREATE TABLE search_job_rows (
        job_id INTEGER NOT NULL PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
        job_key VARCHAR(64) NOT NULL,
        buyer_team_id INTEGER NOT NULL,
        company_id INTEGER NOT NULL,
        visibility VARCHAR(16) NOT NULL,
        status VARCHAR(16) NOT NULL,
        job_type VARCHAR(16) NOT NULL,
        subcategory_id INTEGER,
        subcategory2_id INTEGER,
        category_id INTEGER,
        category2_id INTEGER,
        budget NUMERIC(14, 2),
        duration INTEGER,
        created_at {timestamp} NOT NULL
    )
"""

_ROWS_INDEXES = [
    "CREATE INDEX search_job_rows_status_created ON search_job_rows (status, created_at, job_id)",
    "CREATE INDEX search_job_rows_created ON search_job_rows (created_at, job_id)",
    "CREATE INDEX search_provider_stats_shown_created ON search_provider_stats (shown, created_at, user_id)",
    "CREATE INDEX search_provider_stats_hours ON search_provider_stats (hours)",
    "CREATE INDEX search_provider_stats_feedback ON search_provider_stats (feedback)",
]

_FILL_ROWS = [
    """INSERT INTO search_job_rows (job_id, job_key, buyer_team_id, company_id, visibility, status, job_type,
                                   subcategory_id, subcategory2_id, category_id, category2_id, budget, duration,
                                   created_at)
       SELECT j.id, j.job_key, j.buyer_team_id, t.company_id, j.visibility, j.status, j.job_type,
              j.subcategory_id, j.subcategory2_id, s1.parent_id, s2.parent_id, j.budget, j.duration, j.created_at
       FROM jobs j
       JOIN teams t ON t.id = j.buyer_team_id
       LEFT JOIN job_categories s1 ON s1.id = j.subcategory_id
       LEFT JOIN job_categories s2 ON s2.id = j.subcategory2_id""",
    f"""INSERT INTO search_provider_stats (user_id, profile_key, shown, created_at, rate, english_skill, region_id,
                                          hours, rated)
        SELECT u.id, u.profile_key, {_SHOWN}, u.created_at, u.profile_hourly_rate, p.english_skill, p.region_id, 0, 0
        FROM users u JOIN provider_profiles p ON p.user_id = u.id""",
    """INSERT INTO search_provider_stats (user_id, hours, last_worked_on, rated)
       SELECT e.provider_user_id, sum(t.hours_online + t.hours_offline), max(t.worked_on), 0
       FROM time_logs t JOIN engagements e ON e.id = t.engagement_id WHERE true GROUP BY e.provider_user_id
       ON CONFLICT (user_id) DO UPDATE SET hours = excluded.hours, last_worked_on = excluded.last_worked_on""",
    """INSERT INTO search_provider_stats (user_id, hours, rated)
       SELECT DISTINCT e.provider_user_id, 0, 0 FROM engagements e
       JOIN engagement_feedback_scores s ON s.engagement_id = e.id
       WHERE e.ended_on IS NOT NULL ON CONFLICT (user_id) DO NOTHING""",
    "UPDATE search_provider_stats SET (feedback, rated) = ("
    + _FEEDBACK_OF.format(who="search_provider_stats.user_id")
    + ")",
]

# --------------------------------------------------------------------------
# SQLite

_SQLITE_LOG_ADD = """
    INSERT INTO search_provider_stats (user_id, hours, last_worked_on, rated)
    SELECT e.provider_user_id, NEW.hours_online + NEW.hours_offline, NEW.worked_on, 0
    FROM engagements e WHERE e.id = NEW.engagement_id
    ON CONFLICT (user_id) DO UPDATE SET
        hours = hours + excluded.hours,
        last_worked_on = max(coalesce(last_worked_on, excluded.last_worked_on), excluded.last_worked_on);
"""
_SQLITE_LOG_REMOVE = """
    UPDATE search_provider_stats SET
        hours = hours - (OLD.hours_online + OLD.hours_offline),
        last_worked_on = (SELECT max(t.worked_on) FROM time_logs t JOIN engagements e ON e.id = t.engagement_id
                          WHERE e.provider_user_id = search_provider_stats.user_id)
    WHERE user_id = (SELECT provider_user_id FROM engagements WHERE id = OLD.engagement_id);
"""


def _sqlite_feedback(who: str) -> str:
    return f"""
    INSERT INTO search_provider_stats (user_id, hours, rated) SELECT {who}, 0, 0 WHERE {who} IS NOT NULL
        ON CONFLICT (user_id) DO NOTHING;
    UPDATE search_provider_stats SET (feedback, rated) = ({_FEEDBACK_OF.format(who=who)}) WHERE user_id = {who};
"""


_SQLITE = [
    f"CREATE VIRTUAL TABLE search_jobs USING fts5(title, skills, description, facets, tokenize = '{_TOKENIZER}')",
    "CREATE VIRTUAL TABLE search_providers USING fts5("
    f"name, title, skills, tests, overview, portfolio, facets, tokenize = '{_TOKENIZER}')",
    _STATS_TABLE.format(timestamp="DATETIME"),
    _JOB_ROWS_TABLE.format(timestamp="DATETIME"),
    *_ROWS_INDEXES,
    f"CREATE TRIGGER search_time_logs_insert AFTER INSERT ON time_logs BEGIN {_SQLITE_LOG_ADD} END",
    "CREATE TRIGGER search_time_logs_update AFTER UPDATE OF engagement_id, worked_on, hours_online, hours_offline "
    f"ON time_logs BEGIN {_SQLITE_LOG_REMOVE} {_SQLITE_LOG_ADD} END",
    f"CREATE TRIGGER search_time_logs_delete AFTER DELETE ON time_logs BEGIN {_SQLITE_LOG_REMOVE} END",
    "CREATE TRIGGER search_feedback_insert AFTER INSERT ON engagement_feedback_scores BEGIN "
    + _sqlite_feedback("(SELECT provider_user_id FROM engagements WHERE id = NEW.engagement_id)")
    + " END",
    "CREATE TRIGGER search_feedback_update AFTER UPDATE ON engagement_feedback_scores BEGIN "
    + _sqlite_feedback("(SELECT provider_user_id FROM engagements WHERE id = NEW.engagement_id)")
    + " END",
    "CREATE TRIGGER search_feedback_delete AFTER DELETE ON engagement_feedback_scores BEGIN "
    + _sqlite_feedback("(SELECT provider_user_id FROM engagements WHERE id = OLD.engagement_id)")
    + " END",
    "CREATE TRIGGER search_engagements_end AFTER UPDATE OF ended_on, provider_user_id ON engagements BEGIN "
    + _sqlite_feedback("NEW.provider_user_id")
    + _sqlite_feedback("OLD.provider_user_id")
    + " END",
    "INSERT INTO search_jobs (rowid, title, skills, description, facets) "
    f"SELECT d.id, d.title, d.skills, d.description, d.facets FROM ({_JOB_TEXT}) AS d",
    "INSERT INTO search_providers (rowid, name, title, skills, tests, overview, portfolio, facets) "
    "SELECT d.id, d.name, d.title, d.skills, d.tests, d.overview, d.portfolio, d.facets FROM ("
    + _PROVIDER_TEXT.format(concat="group_concat")
    + ") AS d",
    *_FILL_ROWS,
]

_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS search_engagements_end",
    "DROP TRIGGER IF EXISTS search_feedback_delete",
    "DROP TRIGGER IF EXISTS search_feedback_update",
    "DROP TRIGGER IF EXISTS search_feedback_insert",
    "DROP TRIGGER IF EXISTS search_time_logs_delete",
    "DROP TRIGGER IF EXISTS search_time_logs_update",
    "DROP TRIGGER IF EXISTS search_time_logs_insert",
    "DROP TABLE IF EXISTS search_job_rows",
    "DROP TABLE IF EXISTS search_provider_stats",
    "DROP TABLE IF EXISTS search_providers",
    "DROP TABLE IF EXISTS search_jobs",
]

# --------------------------------------------------------------------------
# PostgreSQL


def _pg_document(weights: dict[str, str]) -> str:
    text = " || ".join(
        f"setweight(to_tsvector('english', coalesce(d.{column}, '')), '{weight}')" for column, weight in weights.items()
    )
    return f"{text} || to_tsvector('simple', d.facets)"


_FIELD_WORDS = "to_tsvector('english', d.skills), to_tsvector('english', d.title)"
_JOB_WEIGHTS = {"title": "A", "skills": "B", "description": "D"}
_PROVIDER_WEIGHTS = {"title": "A", "skills": "B", "name": "C", "tests": "C", "portfolio": "C", "overview": "D"}

_PG_FEEDBACK = (
    """
    CREATE FUNCTION search_feedback_of(who integer) RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
        IF who IS NULL THEN
            RETURN;
        END IF;
        INSERT INTO search_provider_stats (user_id, hours, rated) VALUES (who, 0, 0) ON CONFLICT (user_id) DO NOTHING;
        UPDATE search_provider_stats SET (feedback, rated) = ("""
    + _FEEDBACK_OF.format(who="who")
    + """) WHERE user_id = who;
    END $$
"""
)

_PG = [
    """CREATE TABLE search_jobs (
        job_id INTEGER NOT NULL PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
        document TSVECTOR NOT NULL,
        skills_words TSVECTOR NOT NULL,
        title_words TSVECTOR NOT NULL
    )""",
    "CREATE INDEX search_jobs_document ON search_jobs USING gin (document)",
    "CREATE INDEX search_jobs_skills_words ON search_jobs USING gin (skills_words)",
    "CREATE INDEX search_jobs_title_words ON search_jobs USING gin (title_words)",
    """CREATE TABLE search_providers (
        user_id INTEGER NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
        document TSVECTOR NOT NULL,
        skills_words TSVECTOR NOT NULL,
        title_words TSVECTOR NOT NULL
    )""",
    "CREATE INDEX search_providers_document ON search_providers USING gin (document)",
    "CREATE INDEX search_providers_skills_words ON search_providers USING gin (skills_words)",
    "CREATE INDEX search_providers_title_words ON search_providers USING gin (title_words)",
    _STATS_TABLE.format(timestamp="TIMESTAMP WITH TIME ZONE"),
    _JOB_ROWS_TABLE.format(timestamp="TIMESTAMP WITH TIME ZONE"),
    *_ROWS_INDEXES,
    _PG_FEEDBACK,
    """
    CREATE FUNCTION search_time_logs_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            UPDATE search_provider_stats s SET
                hours = s.hours - (OLD.hours_online + OLD.hours_offline),
                last_worked_on = (SELECT max(t.worked_on) FROM time_logs t
                                  JOIN engagements e2 ON e2.id = t.engagement_id
                                  WHERE e2.provider_user_id = s.user_id)
            FROM engagements e WHERE e.id = OLD.engagement_id AND s.user_id = e.provider_user_id;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            INSERT INTO search_provider_stats AS s (user_id, hours, last_worked_on, rated)
            SELECT e.provider_user_id, NEW.hours_online + NEW.hours_offline, NEW.worked_on, 0
            FROM engagements e WHERE e.id = NEW.engagement_id
            ON CONFLICT (user_id) DO UPDATE SET
                hours = s.hours + EXCLUDED.hours,
                last_worked_on = GREATEST(s.last_worked_on, EXCLUDED.last_worked_on);
        END IF;
        RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER search_time_logs AFTER INSERT OR DELETE OR UPDATE OF engagement_id, worked_on, hours_online, "
    "hours_offline ON time_logs FOR EACH ROW EXECUTE FUNCTION search_time_logs_changed()",
    """
    CREATE FUNCTION search_feedback_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            PERFORM search_feedback_of((SELECT provider_user_id FROM engagements WHERE id = OLD.engagement_id));
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            PERFORM search_feedback_of((SELECT provider_user_id FROM engagements WHERE id = NEW.engagement_id));
        END IF;
        RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER search_feedback AFTER INSERT OR UPDATE OR DELETE ON engagement_feedback_scores "
    "FOR EACH ROW EXECUTE FUNCTION search_feedback_changed()",
    """
    CREATE FUNCTION search_engagement_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM search_feedback_of(NEW.provider_user_id);
        IF OLD.provider_user_id IS DISTINCT FROM NEW.provider_user_id THEN
            PERFORM search_feedback_of(OLD.provider_user_id);
        END IF;
        RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER search_engagements_end AFTER UPDATE OF ended_on, provider_user_id ON engagements "
    "FOR EACH ROW EXECUTE FUNCTION search_engagement_changed()",
    "INSERT INTO search_jobs (job_id, document, skills_words, title_words) SELECT d.id, "
    + _pg_document(_JOB_WEIGHTS)
    + f", {_FIELD_WORDS} FROM ({_JOB_TEXT}) AS d",
    "INSERT INTO search_providers (user_id, document, skills_words, title_words) SELECT d.id, "
    + _pg_document(_PROVIDER_WEIGHTS)
    + f", {_FIELD_WORDS} FROM ("
    + _PROVIDER_TEXT.format(concat="string_agg")
    + ") AS d",
    *_FILL_ROWS,
]

_PG_DROP = [
    "DROP TRIGGER IF EXISTS search_engagements_end ON engagements",
    "DROP TRIGGER IF EXISTS search_feedback ON engagement_feedback_scores",
    "DROP TRIGGER IF EXISTS search_time_logs ON time_logs",
    "DROP FUNCTION IF EXISTS search_engagement_changed()",
    "DROP FUNCTION IF EXISTS search_feedback_changed()",
    "DROP FUNCTION IF EXISTS search_time_logs_changed()",
    "DROP FUNCTION IF EXISTS search_feedback_of(integer)",
    "DROP TABLE IF EXISTS search_job_rows",
    "DROP TABLE IF EXISTS search_provider_stats",
    "DROP TABLE IF EXISTS search_providers",
    "DROP TABLE IF EXISTS search_jobs",
]


def _statements(upgrade: bool) -> list[str]:
    postgres = op.get_bind().dialect.name == "postgresql"
    if upgrade:
        return _PG if postgres else _SQLITE
    return _PG_DROP if postgres else _SQLITE_DROP


def upgrade() -> None:
    for statement in _statements(upgrade=True):
        op.execute(statement)


def downgrade() -> None:
    for statement in _statements(upgrade=False):
        op.execute(statement)
