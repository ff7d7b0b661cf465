"""search: full-text indexes of jobs and provider profiles, the providers' work summary

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06

The SQL search engine's tables (odesk_server.search.index), outside the
SQLAlchemy model, every name starting with ``search_``:

- SQLite: FTS5 tables ``search_jobs`` and ``search_providers`` (porter
  stemming; rowid = jobs.id / users.id);
- PostgreSQL: ``search_jobs`` and ``search_providers`` holding a weighted
  ``tsvector`` per job / provider, with GIN indexes;
- both: ``search_provider_stats`` (hours worked, last day worked, feedback
  per provider) and the triggers that keep it as time logs, feedback scores
  and contract endings are written.

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
    SELECT j.id AS id, j.title AS title, replace(j.skills, ';', ' ') AS skills, j.description AS description
    FROM jobs j
"""

_PROVIDER_TEXT = """
    SELECT u.id AS id, u.first_name || ' ' || u.last_name AS name, coalesce(u.title, '') AS title,
           coalesce((SELECT {concat}(s.name, ' ') FROM provider_skills ps JOIN skills s ON s.id = ps.skill_id
                     WHERE ps.user_id = u.id), '') AS skills,
           coalesce((SELECT {concat}(t.name, ' ') FROM provider_tests pt JOIN skill_tests t ON t.id = pt.test_id
                     WHERE pt.user_id = u.id AND pt.is_public), '') AS tests,
           coalesce(u.description, '') AS overview,
           coalesce((SELECT {concat}(pi.title || ' ' || pi.description, ' ') FROM portfolio_items pi
                     WHERE pi.user_id = u.id), '') AS portfolio
    FROM users u JOIN provider_profiles p ON p.user_id = u.id
"""

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
        hours NUMERIC(14, 2) NOT NULL DEFAULT 0,
        last_worked_on DATE,
        feedback NUMERIC(4, 2),
        rated INTEGER NOT NULL DEFAULT 0
    )
"""

_STATS_FILL = [
    """INSERT INTO search_provider_stats (user_id, hours, last_worked_on, rated)
       SELECT e.provider_user_id, sum(t.hours_online + t.hours_offline), max(t.worked_on), 0
       FROM time_logs t JOIN engagements e ON e.id = t.engagement_id GROUP BY e.provider_user_id""",
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
    f"CREATE VIRTUAL TABLE search_jobs USING fts5(title, skills, description, tokenize = '{_TOKENIZER}')",
    "CREATE VIRTUAL TABLE search_providers USING fts5("
    f"name, title, skills, tests, overview, portfolio, tokenize = '{_TOKENIZER}')",
    _STATS_TABLE,
    "CREATE INDEX search_provider_stats_hours ON search_provider_stats (hours)",
    "CREATE INDEX search_provider_stats_feedback ON search_provider_stats (feedback)",
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
    "INSERT INTO search_jobs (rowid, title, skills, description) "
    f"SELECT d.id, d.title, d.skills, d.description FROM ({_JOB_TEXT}) AS d",
    "INSERT INTO search_providers (rowid, name, title, skills, tests, overview, portfolio) "
    "SELECT d.id, d.name, d.title, d.skills, d.tests, d.overview, d.portfolio FROM ("
    + _PROVIDER_TEXT.format(concat="group_concat")
    + ") AS d",
    *_STATS_FILL,
]

_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS search_engagements_end",
    "DROP TRIGGER IF EXISTS search_feedback_delete",
    "DROP TRIGGER IF EXISTS search_feedback_update",
    "DROP TRIGGER IF EXISTS search_feedback_insert",
    "DROP TRIGGER IF EXISTS search_time_logs_delete",
    "DROP TRIGGER IF EXISTS search_time_logs_update",
    "DROP TRIGGER IF EXISTS search_time_logs_insert",
    "DROP TABLE IF EXISTS search_provider_stats",
    "DROP TABLE IF EXISTS search_providers",
    "DROP TABLE IF EXISTS search_jobs",
]

# --------------------------------------------------------------------------
# PostgreSQL


def _pg_document(weights: dict[str, str]) -> str:
    return " || ".join(
        f"setweight(to_tsvector('english', coalesce(d.{column}, '')), '{weight}')" for column, weight in weights.items()
    )


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
        document TSVECTOR NOT NULL
    )""",
    "CREATE INDEX search_jobs_document ON search_jobs USING gin (document)",
    """CREATE TABLE search_providers (
        user_id INTEGER NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
        document TSVECTOR NOT NULL
    )""",
    "CREATE INDEX search_providers_document ON search_providers USING gin (document)",
    _STATS_TABLE,
    "CREATE INDEX search_provider_stats_hours ON search_provider_stats (hours)",
    "CREATE INDEX search_provider_stats_feedback ON search_provider_stats (feedback)",
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
    "INSERT INTO search_jobs (job_id, document) SELECT d.id, "
    + _pg_document(_JOB_WEIGHTS)
    + f" FROM ({_JOB_TEXT}) AS d",
    "INSERT INTO search_providers (user_id, document) SELECT d.id, "
    + _pg_document(_PROVIDER_WEIGHTS)
    + " FROM ("
    + _PROVIDER_TEXT.format(concat="string_agg")
    + ") AS d",
    *_STATS_FILL,
]

_PG_DROP = [
    "DROP TRIGGER IF EXISTS search_engagements_end ON engagements",
    "DROP TRIGGER IF EXISTS search_feedback ON engagement_feedback_scores",
    "DROP TRIGGER IF EXISTS search_time_logs ON time_logs",
    "DROP FUNCTION IF EXISTS search_engagement_changed()",
    "DROP FUNCTION IF EXISTS search_feedback_changed()",
    "DROP FUNCTION IF EXISTS search_time_logs_changed()",
    "DROP FUNCTION IF EXISTS search_feedback_of(integer)",
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
