"""How fast gvizql answers report queries, against hand-written SQL in the same run.

For SQLite, PostgreSQL and DuckDB holding the same time-log rows
(``bench/timelog.py``), each report query runs end to end through
``gvizql.sql.run_query`` (parse, analyze, compile, execute, build the
DataTable) and as hand-written SQL through the same driver (all rows fetched);
the ratio of the two is printed (target: at most 1.2).  The hand-written SQL
runs on the bare DBAPI cursor (no SQLAlchemy at all) and returns the driver's
values as they are (SQLite dates stay ISO strings), so it is the floor.  The in-memory executor
runs the same queries on the rows held in Python (target: under 5 s each on
1M rows), and the parse + analyze time of a typical report query is measured
without the caches (target: under 200 microseconds).

    python bench/gvizql_engine.py --rows 1000000 [--repeat 3] [--databases sqlite,duckdb,postgresql]
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

import timelog  # noqa: E402

from gvizql.analyze import analyze  # noqa: E402
from gvizql.parser import parse  # noqa: E402
from gvizql.sql import run_query as sql_run_query  # noqa: E402

PG_ADMIN_URL = os.environ.get("ODESK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@dataclass(frozen=True)
class Report:
    """A report query in gvizql and the SQL a person would write for it."""

    name: str
    tq: str
    sql: str  # may hold {pivot_columns} (filled from the distinct pivot values)
    pivot_values_sql: str | None = None


REPORTS = [
    Report(
        "hours and charges by provider",
        "select provider_id, sum(hours), sum(charges) group by provider_id",
        "SELECT provider_id, SUM(hours), SUM(charges) FROM timelog GROUP BY provider_id ORDER BY provider_id",
    ),
    Report(
        "by week and team in a date range",
        "select week_worked_on, team_id, sum(hours), sum(charges) "
        "where worked_on >= date '2024-01-01' and worked_on <= date '2024-06-30' "
        "group by week_worked_on, team_id order by week_worked_on desc, team_id",
        "SELECT week_worked_on, team_id, SUM(hours), SUM(charges) FROM timelog "
        "WHERE worked_on >= '2024-01-01' AND worked_on <= '2024-06-30' "
        "GROUP BY week_worked_on, team_id ORDER BY week_worked_on DESC, team_id",
    ),
    Report(
        "hours by provider pivoted by team",
        "select provider_id, sum(hours) group by provider_id pivot team_id",
        "SELECT provider_id, {pivot_columns} FROM timelog GROUP BY provider_id ORDER BY provider_id",
        "SELECT DISTINCT team_id FROM timelog ORDER BY team_id",
    ),
    Report(
        "memo contains, ordered, limit 100",
        "select worked_on, provider_name, memo, hours where memo contains 'invoice' "
        "order by worked_on desc, provider_name limit 100",
        "SELECT worked_on, provider_name, memo, hours FROM timelog WHERE memo LIKE '%invoice%' "
        "ORDER BY worked_on DESC, provider_name LIMIT 100",
    ),
    Report(
        "large plain selection",
        "select worked_on, provider_id, task, hours, charges where hours > 4",
        "SELECT worked_on, provider_id, task, hours, charges FROM timelog WHERE hours > 4",
    ),
]

TYPICAL_REPORT = (
    "select week_worked_on, team_id, provider_name, sum(hours), sum(charges) "
    "where worked_on >= date '2024-01-01' and worked_on <= date '2024-06-30' and is_online = true "
    "group by week_worked_on, team_id, provider_name order by week_worked_on desc, team_id limit {n} "
    "label sum(hours) 'Hours', sum(charges) 'Charges' format sum(charges) '#,##0.00'"
)


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The fastest of ``repeat`` runs, in seconds, and the last result."""
    times = []
    result = None
    for _ in range(repeat):
        # Free the previous result first: its teardown is not part of the next run.
        result = None
        gc.collect()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def hand_sql(connection: sa.Connection, report: Report) -> list[tuple[Any, ...]]:
    """The hand-written SQL through the bare DBAPI cursor: the fastest way to get the rows."""
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        sql = report.sql
        if report.pivot_values_sql:
            cursor.execute(report.pivot_values_sql)
            teams = [r[0] for r in cursor.fetchall()]
            sql = sql.format(pivot_columns=", ".join(f"SUM(CASE WHEN team_id = '{t}' THEN hours END)" for t in teams))
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        cursor.close()


def engines(rows: int, names: list[str]) -> list[tuple[str, sa.Engine]]:
    out = []
    for name in names:
        start = time.perf_counter()
        if name == "sqlite":
            engine = timelog.load_sqlite(rows)
        elif name == "duckdb":
            engine = timelog.load_duckdb(rows)
        else:
            engine = timelog.load_postgresql(rows, PG_ADMIN_URL)
        print(f"# {name}: data ready in {time.perf_counter() - start:.1f} s", flush=True)
        out.append((name, engine))
    return out


def bench_databases(rows: int, names: list[str], repeat: int) -> None:
    table = timelog.table(sa.MetaData())
    print(f"\n## gvizql.sql vs hand-written SQL ({rows:,} rows, best of {repeat})")
    print(f"{'database':<11} {'report':<36} {'rows':>8} {'gvizql s':>9} {'SQL s':>9} {'ratio':>6}")
    ratios = []
    for name, engine in engines(rows, names):
        with engine.connect() as connection:
            for report in REPORTS:
                # One untimed run each warms the caches (pages, parse/analyze caches).
                hand_sql(connection, report)
                sql_run_query(connection, table, report.tq, schema=timelog.SCHEMA)
                t_hand, hand_rows = best(lambda: hand_sql(connection, report), repeat)
                t_gviz, result = best(
                    lambda: sql_run_query(connection, table, report.tq, schema=timelog.SCHEMA), repeat
                )
                if len(result.rows) != len(hand_rows):
                    print(f"!! {name} {report.name}: {len(result.rows)} rows vs {len(hand_rows)} by hand")
                ratio = t_gviz / t_hand
                ratios.append(ratio)
                print(
                    f"{name:<11} {report.name:<36} {len(result.rows):>8} {t_gviz:>9.3f} {t_hand:>9.3f} {ratio:>6.2f}",
                    flush=True,
                )
        engine.dispose()
    if ratios:
        print(f"geometric mean ratio: {statistics.geometric_mean(ratios):.2f}, worst: {max(ratios):.2f}")


def bench_memory(rows: int, repeat: int) -> None:
    try:
        from gvizql import run_query as memory_run_query
    except ImportError:
        print("\n## in-memory executor: not available (gvizql.run_query missing)")
        return
    start = time.perf_counter()
    data = timelog.datatable(rows)
    print(f"\n## in-memory executor ({rows:,} rows built in {time.perf_counter() - start:.1f} s, best of {repeat})")
    for report in REPORTS:
        t, result = best(lambda: memory_run_query(data, report.tq), repeat)
        print(f"{report.name:<36} {len(result.rows):>8} rows {t:>8.3f} s", flush=True)


def _parse_analyze_time(template: str, **options: bool) -> tuple[float, float]:
    """Uncached and cached seconds per parse + analyze of ``template`` (``{n}`` varies the text)."""
    # A different number each time defeats the parse and analyze caches: this is the cold cost.
    n = 2000
    queries = [template.format(n=i + 1) for i in range(n)]
    start = time.perf_counter()
    for q in queries:
        analyze(parse(q), timelog.SCHEMA, **options)
    cold = (time.perf_counter() - start) / n
    start = time.perf_counter()
    for _ in range(n):
        analyze(parse(queries[0]), timelog.SCHEMA, **options)
    warm = (time.perf_counter() - start) / n
    return cold, warm


# The Time Reports API documentation's own example, as oDesk clients send it.
DOCUMENTED_REPORT = (
    "SELECT worked_on, provider_id, provider_name, sum(hours) "
    "WHERE worked_on >= '2009-10-01' AND worked_on <= '{n:04d}-10-31'"
)


def bench_parse_analyze() -> None:
    print("\n## parse + analyze (target < 200 us)")
    cases = [
        (
            "documented team report query (oDesk options on)",
            DOCUMENTED_REPORT,
            {"implicit_group_by": True, "date_strings": True},
        ),
        ("long report query (every clause, 65 tokens)", TYPICAL_REPORT, {}),
    ]
    for name, template, options in cases:
        cold, warm = _parse_analyze_time(template, **options)
        print(f"{name}: uncached {cold * 1e6:.0f} us   cached {warm * 1e6:.1f} us")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--databases", default="sqlite,duckdb,postgresql")
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()
    bench_parse_analyze()
    bench_databases(args.rows, [d for d in args.databases.split(",") if d], args.repeat)
    if not args.skip_memory:
        bench_memory(args.rows, args.repeat)


if __name__ == "__main__":
    main()
