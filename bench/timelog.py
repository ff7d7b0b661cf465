"""A deterministic time-log table shaped like the oDesk time reports, for benchmarks.

``rows(n)`` yields the same ``n`` rows on every run (about 2,000 providers, 50
teams, three years of days).  ``load_sqlite``, ``load_postgresql`` and
``load_duckdb`` put them in a database once and cache the result under
``bench/.data/`` (SQLite and DuckDB files; a PostgreSQL database named after the
row count), so later runs start at once.

Run ``python bench/timelog.py --rows 100000`` to build the caches ahead of time.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa

from gvizql.datatable import Column, DataTable, ValueType

DATA_DIR = Path(__file__).resolve().parent / ".data"
VERSION = 2  # bump when the table definition changes: the caches are rebuilt
SEED = 20090101
FIRST_DAY = dt.date(2023, 1, 1)
DAYS = 3 * 365
PROVIDERS = 2000
TEAMS = 50

SCHEMA = [
    Column("worked_on", ValueType.DATE, "Date"),
    Column("week_worked_on", ValueType.DATE, "Week"),
    Column("provider_id", ValueType.STRING, "Provider ID"),
    Column("provider_name", ValueType.STRING, "Provider"),
    Column("team_id", ValueType.STRING, "Team ID"),
    Column("assignment_name", ValueType.STRING, "Assignment"),
    Column("hours", ValueType.NUMBER, "Hours"),
    Column("charges", ValueType.NUMBER, "Charges"),
    Column("task", ValueType.STRING, "Task"),
    Column("memo", ValueType.STRING, "Memo"),
    Column("is_online", ValueType.BOOLEAN, "Online"),
    Column("logged_at", ValueType.DATETIME, "Logged at"),
]

_FIRST_NAMES = (
    "Ana Émile Jörg Zoë Chloé Łukasz Oğuz Renée Søren Aarav Mei Kwame Olga Diego "
    "Fatima Ivan Hana Luca Noor Tomás Yuki Ada Grace Linus Bjarne Guido Rob Ken"
).split()
_LAST_NAMES = (
    "Smith García Müller Rossi Dubois Kowalski Nguyen Ivanova O'Brien Tanaka "
    "Silva Haddad Novák Andersen Okafor Papadopoulos Kim Chen de-la-Cruz Østergaard"
).split()
_WORDS = (
    "fixed bug in report export refactored login page reviewed pull request wrote tests "
    "meeting with client deployed release tuned database query design mockups invoice "
    "support ticket migrated server documentation onboarding call performance profiling"
).split()
_TASKS = ("DEV", "QA", "OPS", "PM", "DESIGN", "SUPPORT", "RESEARCH", "")


def table(metadata: sa.MetaData, name: str = "timelog") -> sa.Table:
    """The SQLAlchemy table the rows go into (column types mirror ``SCHEMA``; only task may be null)."""
    return sa.Table(
        name,
        metadata,
        sa.Column("worked_on", sa.Date, nullable=False),
        sa.Column("week_worked_on", sa.Date, nullable=False),
        sa.Column("provider_id", sa.String, nullable=False),
        sa.Column("provider_name", sa.String, nullable=False),
        sa.Column("team_id", sa.String, nullable=False),
        sa.Column("assignment_name", sa.String, nullable=False),
        sa.Column("hours", sa.Float, nullable=False),
        sa.Column("charges", sa.Float, nullable=False),
        sa.Column("task", sa.String),
        sa.Column("memo", sa.String, nullable=False),
        sa.Column("is_online", sa.Boolean, nullable=False),
        sa.Column("logged_at", sa.DateTime, nullable=False),
    )


def rows(n: int, seed: int = SEED) -> Iterator[tuple]:
    """Yield ``n`` time-log rows, identical on every run for the same seed."""
    rnd = random.Random(seed)
    providers = []
    for i in range(PROVIDERS):
        name = f"{rnd.choice(_FIRST_NAMES)} {rnd.choice(_LAST_NAMES)}"
        rate = rnd.choice((10, 12.5, 15, 20, 25, 30, 40, 55, 75))
        team = rnd.randrange(TEAMS)
        providers.append((f"provider_{i:05d}", name, f"team_{team:02d}", rate))
    for _ in range(n):
        provider_id, name, team_id, rate = providers[rnd.randrange(PROVIDERS)]
        day = FIRST_DAY + dt.timedelta(days=rnd.randrange(DAYS))
        week = day - dt.timedelta(days=day.weekday())
        hours = rnd.randrange(1, 33) / 4  # quarter hours, 0.25 .. 8.0
        memo = " ".join(rnd.choice(_WORDS) for _ in range(rnd.randrange(2, 8)))
        logged_at = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=rnd.randrange(86400))
        yield (
            day,
            week,
            provider_id,
            name,
            team_id,
            f"Assignment {rnd.randrange(400)} of {team_id}",
            hours,
            hours * rate,
            rnd.choice(_TASKS) or None,
            memo,
            rnd.random() < 0.7,
            logged_at,
        )


def datatable(n: int) -> DataTable:
    """The rows as an in-memory DataTable (for the in-memory executor)."""
    return DataTable(SCHEMA, rows(n))


def _csv_path(n: int) -> Path:
    path = DATA_DIR / f"timelog_{n}.csv"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            for row in rows(n):
                writer.writerow("" if v is None else v for v in row)
        tmp.rename(path)
    return path


def load_sqlite(n: int) -> sa.Engine:
    """An engine on the cached SQLite file holding ``n`` rows (built on first use)."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / f"timelog_v{VERSION}_{n}.sqlite"
    if not path.exists():
        tmp = path.with_suffix(".building")
        tmp.unlink(missing_ok=True)
        engine = sa.create_engine(f"sqlite:///{tmp}")
        metadata = sa.MetaData()
        t = table(metadata)
        metadata.create_all(engine)
        with engine.begin() as conn:
            batch: list[dict] = []
            names = [c.name for c in t.columns]
            for row in rows(n):
                batch.append(dict(zip(names, row)))
                if len(batch) == 50_000:
                    conn.execute(t.insert(), batch)
                    batch = []
            if batch:
                conn.execute(t.insert(), batch)
        engine.dispose()
        tmp.rename(path)
    return sa.create_engine(f"sqlite:///{path}")


def load_duckdb(n: int) -> sa.Engine:
    """An engine on the cached DuckDB file holding ``n`` rows (built on first use)."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / f"timelog_v{VERSION}_{n}.duckdb"
    if not path.exists():
        tmp = path.with_suffix(".building")
        tmp.unlink(missing_ok=True)
        source = _csv_path(n)
        engine = sa.create_engine(f"duckdb:///{tmp}")
        metadata = sa.MetaData()
        table(metadata)
        metadata.create_all(engine)
        with engine.begin() as conn:
            conn.exec_driver_sql(
                f"INSERT INTO timelog SELECT * FROM read_csv('{source}', header=false, "
                "nullstr='', columns={'worked_on':'DATE','week_worked_on':'DATE',"
                "'provider_id':'VARCHAR','provider_name':'VARCHAR','team_id':'VARCHAR',"
                "'assignment_name':'VARCHAR','hours':'DOUBLE','charges':'DOUBLE',"
                "'task':'VARCHAR','memo':'VARCHAR','is_online':'BOOLEAN',"
                "'logged_at':'TIMESTAMP'})"
            )
        engine.dispose()
        tmp.rename(path)
    return sa.create_engine(f"duckdb:///{path}")


def load_postgresql(n: int, admin_url: str) -> sa.Engine:
    """An engine on database ``gvizql_bench_v<VERSION>_<n>`` of the server at ``admin_url`` (built once)."""
    name = f"gvizql_bench_v{VERSION}_{n}"
    url = sa.make_url(admin_url).set(database=name)
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
    admin.dispose()
    engine = sa.create_engine(url)
    if not exists:
        metadata = sa.MetaData()
        table(metadata)
        metadata.create_all(engine)
        source = _csv_path(n)
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            with source.open("rb") as f, cursor.copy("COPY timelog FROM STDIN WITH (FORMAT csv, NULL '')") as copy:
                while chunk := f.read(1 << 20):
                    copy.write(chunk)
            cursor.execute("ANALYZE timelog")
            raw.commit()
        finally:
            raw.close()
    return engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    load_sqlite(args.rows).dispose()
    load_duckdb(args.rows).dispose()
    load_postgresql(args.rows, args.pg).dispose()


if __name__ == "__main__":
    main()
