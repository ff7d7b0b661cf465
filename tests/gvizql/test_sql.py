"""gvizql.sql.run_query on SQLite, PostgreSQL and DuckDB: query -> rows, and every error path."""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite

from gvizql import run_query as memory_run_query
from gvizql.datatable import PYTHON_TYPES, Column, DataTable, ValueType
from gvizql.errors import QueryError
from gvizql.parser import MAX_COLUMNS, MAX_CONDITIONS, MAX_DEPTH, parse
from gvizql.sql import run_query, schema_of

# --- the people table --------------------------------------------------------------------------
PEOPLE_ROWS = [
    # name, dept, hours, active, born, seen, clock
    ("Ann", "Eng", 8, True, dt.date(2009, 1, 15), dt.datetime(2009, 1, 15, 8, 30, 0, 250000), dt.time(8, 30)),
    ("bob", "Eng", 2.5, False, dt.date(2010, 6, 1), dt.datetime(2010, 6, 1, 12, 0), dt.time(12, 0)),
    ("Émile", "Ops", None, None, None, None, None),
    (None, "Ops", 4, True, dt.date(2009, 12, 31), dt.datetime(2009, 12, 31, 23, 59, 59), dt.time(23, 59, 59)),
    ("", None, 0, False, dt.date(2011, 3, 5), dt.datetime(2011, 3, 5, 0, 0), dt.time(0, 0, 0, 500000)),
    ("Carl", "Sales", 6, True, dt.date(2009, 1, 15), dt.datetime(2009, 1, 15, 18, 0), dt.time(18, 0)),
]


def people_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        "people",
        metadata,
        sa.Column("name", sa.String),
        sa.Column("dept", sa.String),
        sa.Column("hours", sa.Float),
        sa.Column("active", sa.Boolean),
        sa.Column("born", sa.Date),
        sa.Column("seen", sa.DateTime),
        sa.Column("clock", sa.Time),
    )


@pytest.fixture(scope="module")
def people(sql_database: sa.Engine) -> tuple[sa.Engine, sa.Table]:
    """The people table (every type, nulls, '' and accents) loaded into each database."""
    metadata = sa.MetaData()
    table = people_table(metadata)
    metadata.create_all(sql_database)
    names = [c.name for c in table.columns]
    with sql_database.begin() as conn:
        conn.execute(table.insert(), [dict(zip(names, row)) for row in PEOPLE_ROWS])
    return sql_database, table


def run(people: tuple[sa.Engine, sa.Table], tq: str, **options: object) -> DataTable:
    engine, table = people
    with engine.connect() as conn:
        return run_query(conn, table, tq, **options)  # type: ignore[arg-type]


D = dt.date

CASES = [
    # --- WHERE: nulls, text, types
    ("select name where hours < 3", [("bob",), ("Émile",), ("",)]),
    ("select name where 4 < hours", [("Ann",), ("Carl",)]),
    ("select name where name = ''", [(None,), ("",)]),
    ("select name where name != 'Ann'", [("bob",), ("Émile",), (None,), ("",), ("Carl",)]),
    ("select name where hours = 'x'", []),
    ("select name where not (hours > 3)", [("bob",), ("Émile",), ("",)]),
    ("select name where hours is null", [("Émile",)]),
    ("select name where name is null", [(None,)]),
    ("select name where hours >= hours", [(r[0],) for r in PEOPLE_ROWS]),
    ("select name where hours != hours", []),
    ("select name where hours > 3 and active = true", [("Ann",), (None,), ("Carl",)]),
    ("select name where not (hours > 3 and hours < 7)", [("Ann",), ("bob",), ("Émile",), ("",)]),
    ("select name where not (hours >= 0 and hours != 4)", [("Émile",), (None,)]),
    ("select name where name > 'a' and name < 'c'", [("bob",)]),
    ("select name where not (name >= 'b' and name <= 'Z')", [(r[0],) for r in PEOPLE_ROWS]),
    ("select name where born = date '2009-1-15'", [("Ann",), ("Carl",)]),
    ("select name where seen > datetime '2009-12-31 23:59:58'", [("bob",), (None,), ("",)]),
    ("select name where clock < timeofday '08:30:00'", [("Émile",), ("",)]),
    ("select name where 'b' < name", [("bob",), ("Émile",)]),
    ("select name where name < 'B'", [("Ann",), (None,), ("",)]),
    ("select name where name contains ''", [(r[0],) for r in PEOPLE_ROWS]),
    ("select name where dept like '%'", [(r[0],) for r in PEOPLE_ROWS]),
    # --- text operators (non-text values in their Java text form)
    ("select name where hours contains '.5'", [("bob",)]),
    ("select name where active contains 'ru'", [("Ann",), (None,), ("Carl",)]),
    ("select name where seen contains '.250'", [("Ann",)]),
    ("select name where born starts with '2009'", [("Ann",), (None,), ("Carl",)]),
    ("select name where clock ends with '.500'", [("",)]),
    ("select name where name like '_ob'", [("bob",)]),
    ("select name where name like 'B%'", []),
    ("select name where name matches '[A-Z].*'", [("Ann",), ("Carl",)]),
    ("select name where name matches '('", []),
    ("select name where name starts with 'C' or name ends with 'le'", [("Émile",), ("Carl",)]),
    # --- ORDER BY (en-US for text, nulls first), LIMIT, OFFSET, SKIPPING
    ("select name where name != '' order by name", [("Ann",), ("bob",), ("Carl",), ("Émile",)]),
    ("select name where name != '' order by name desc", [("Émile",), ("Carl",), ("bob",), ("Ann",)]),
    ("select name, hours order by hours desc limit 2", [("Ann", 8), ("Carl", 6)]),
    ("select name order by hours limit 2 offset 1", [("",), ("bob",)]),
    ("select name skipping 2", [("Ann",), ("Émile",), ("",)]),
    ("select name order by hours skipping 2 limit 2", [("Émile",), ("bob",)]),
    # --- GROUP BY, aggregations, PIVOT
    (
        "select dept, count(name), sum(hours), min(name), max(born) group by dept",
        [
            (None, 1, 0, "", D(2011, 3, 5)),
            ("Eng", 2, 10.5, "Ann", D(2010, 6, 1)),
            ("Ops", 1, 4, "Émile", D(2009, 12, 31)),
            ("Sales", 1, 6, "Carl", D(2009, 1, 15)),
        ],
    ),
    ("select active, count(hours) group by active order by count(hours) desc", [(True, 3), (False, 2), (None, 0)]),
    ("select dept, sum(hours) group by dept order by sum(hours) desc limit 1", [("Eng", 10.5)]),
    ("select lower(dept), count(name) group by lower(dept)", [("", 1), ("eng", 2), ("ops", 1), ("sales", 1)]),
    ("select year(born), sum(hours) group by year(born)", [(None, None), (2009, 18), (2010, 2.5), (2011, 0)]),
    ("select avg(hours), max(name) where dept = 'Eng'", [(5.25, "bob")]),
    (
        "select min(active), max(active), min(clock), max(seen)",
        [(False, True, dt.time(0, 0, 0, 500000), dt.datetime(2011, 3, 5))],
    ),
    ("select sum(hours) where hours > 100", []),
    (
        "select dept, sum(hours) group by dept pivot active",
        [(None, None, 0, None), ("Eng", None, 2.5, 8), ("Ops", None, None, 4), ("Sales", None, None, 6)],
    ),
    ("select count(name) pivot dept", [(1, 2, 1, 1)]),
    ("select count(name) where hours > 100 pivot dept", []),
    # --- scalar functions and arithmetic
    (
        "select year(born), month(born), day(born), quarter(born), dayOfWeek(born) where name = 'Ann'",
        [(2009, 0, 15, 1, 5)],
    ),
    (
        "select hour(seen), minute(seen), second(seen), millisecond(seen), hour(clock), millisecond(clock) where name = 'Ann'",
        [(8, 30, 0, 250, 8, 0)],
    ),
    ("select millisecond(clock), second(clock), minute(clock) where name = ''", [(0, 59, 59), (500, 0, 0)]),
    ("select dateDiff(born, seen), toDate(seen) where name = 'bob'", [(0, D(2010, 6, 1))]),
    ("select dateDiff(date '2008-02-28', datetime '2008-03-01 10:00:00') where name = 'Ann'", [(-2,)]),
    ("select toDate(1262304000000), toDate(born) where name = 'Ann'", [(D(2010, 1, 1), D(2009, 1, 15))]),
    ("select upper(name), lower(dept) where hours = 4", [("", "ops")]),
    ("select upper(name) where name = 'Émile'", [("ÉMILE",)]),
    ("select hours / 0, hours * 2, hours - 1, hours + 0.5, hours / 2 where name = 'bob'", [(None, 5, 1.5, 3, 1.25)]),
    ("select hours % 3 where name = 'Ann'", [(2,)]),
]


@pytest.mark.parametrize(("tq", "rows"), CASES, ids=[c[0] for c in CASES])
def test_query_rows(people: tuple[sa.Engine, sa.Table], tq: str, rows: list[tuple[object, ...]]) -> None:
    assert run(people, tq).rows == rows
    assert memory_rows(people[1], tq) == rows  # the in-memory executor answers the same


def test_modulo_by_zero_is_nan(people: tuple[sa.Engine, sa.Table]) -> None:
    (value,) = run(people, "select hours % 0 where name = 'Ann'").rows[0]
    assert math.isnan(value)  # on SQLite too, which has no NaN: the text 'NaN' read back as NaN
    ((inside,),) = run(people, "select (hours % 0) + 1 where name = 'Ann'").rows
    if people[0].dialect.name == "sqlite":
        assert inside is None  # inside an expression SQLite makes it null: a documented difference
    else:
        assert math.isnan(inside)


def test_rows_match_python_types(people: tuple[sa.Engine, sa.Table]) -> None:
    # Every cell holds the Python type of its column (no Decimal, no 0/1 booleans, no date strings).
    table = run(
        people,
        "select name, active, born, seen, clock, max(hours), sum(hours) group by name, active, born, seen, clock",
    )
    for row in table.rows:
        for column, value in zip(table.columns, row):
            if value is not None:
                assert isinstance(value, PYTHON_TYPES[column.type]), (column, value)
                assert not isinstance(value, Decimal)


def test_pivot_columns_are_named_as_the_reference(people: tuple[sa.Engine, sa.Table]) -> None:
    table = run(people, "select dept, sum(hours) group by dept pivot active")
    assert [(c.id, c.type, c.label) for c in table.columns] == [
        ("dept", ValueType.STRING, "dept"),
        ("null sum-hours", ValueType.NUMBER, "null"),
        ("false sum-hours", ValueType.NUMBER, "false"),
        ("true sum-hours", ValueType.NUMBER, "true"),
    ]


def test_labels_and_formats_come_from_the_analyzer(people: tuple[sa.Engine, sa.Table]) -> None:
    table = run(people, "select dept, sum(hours) group by dept label sum(hours) 'Total' format sum(hours) '#,##0.0'")
    assert [(c.id, c.label, c.pattern) for c in table.columns] == [
        ("dept", "dept", None),
        ("sum-hours", "Total", "#,##0.0"),
    ]


def test_invalid_format_pattern_is_a_warning(people: tuple[sa.Engine, sa.Table]) -> None:
    table = run(people, "select hours format hours '#,##0.0.0'")
    assert [w.reason for w in table.warnings] == ["illegal_formatting_patterns"]


@pytest.mark.parametrize(
    ("tq", "options", "rows"),
    [
        ("select name where born = '2009-01-15'", {"date_strings": True}, [("Ann",), ("Carl",)]),
        ("select name where born = '2009-01-15'", {}, []),
        ("select dept, sum(hours)", {"implicit_group_by": True}, [(None, 0), ("Eng", 10.5), ("Ops", 4), ("Sales", 6)]),
    ],
)
def test_options(
    people: tuple[sa.Engine, sa.Table], tq: str, options: dict[str, bool], rows: list[tuple[object, ...]]
) -> None:
    assert run(people, tq, **options).rows == rows


def test_selectable_with_explicit_schema(people: tuple[sa.Engine, sa.Table]) -> None:
    # The server hands permission-scoped selectables with their own ids and labels.
    engine, table = people
    scoped = sa.select(table.c.name.label("who"), table.c.hours).where(table.c.dept == "Eng").subquery()
    schema = [Column("who", ValueType.STRING, "Person"), Column("hours", ValueType.NUMBER, "Hours")]
    with engine.connect() as conn:
        result = run_query(conn, scoped, "select who, sum(hours) group by who order by who desc", schema=schema)
    assert result.rows == [("bob", 2.5), ("Ann", 8)]
    assert [(c.id, c.label) for c in result.columns] == [("who", "Person"), ("sum-hours", "sum Hours")]


def test_schema_from_sqlalchemy_types(people: tuple[sa.Engine, sa.Table]) -> None:
    _, table = people
    # Labelled with their names, as Google's SQL data source does.
    assert schema_of(table) == [
        Column("name", ValueType.STRING, "name"),
        Column("dept", ValueType.STRING, "dept"),
        Column("hours", ValueType.NUMBER, "hours"),
        Column("active", ValueType.BOOLEAN, "active"),
        Column("born", ValueType.DATE, "born"),
        Column("seen", ValueType.DATETIME, "seen"),
        Column("clock", ValueType.TIMEOFDAY, "clock"),
    ]


# --- the size limits: what the parser accepts, every database runs --------------------------


def nested(template: str, base: str) -> Callable[[int], str]:
    """``k -> template`` applied ``k`` times around ``base`` (``{}`` marks the inner text)."""

    def make(k: int) -> str:
        text = base
        for _ in range(k):
            text = template.format(text)
        return text

    return make


def deepest_accepted(make: Callable[[int], str]) -> tuple[str, str]:
    """The query ``make(k)`` for the largest k the parser accepts, and ``make(k + 1)``."""
    k = 1
    while True:
        try:
            parse(make(k + 1))
        except QueryError as error:
            assert "nests deeper" in error.message
            return make(k), make(k + 1)
        k += 1


def chain(operator: str, condition: str, count: int) -> str:
    return f" {operator} ".join(condition.format(i=i) for i in range(count))


# The shapes that compile to the deepest SQL: text forms of date arithmetic, nested
# text functions, `%` nested in its divisor, long or chains (two SQL terms each).
DEEP = {
    "dateDiff of toDate under contains": nested("dateDiff(toDate({}), born)", "born"),
    "toDate of dateDiff under contains": nested("toDate(dateDiff({}, born))", "born"),
    "quarter of toDate": nested("quarter(toDate({}))", "hours"),
    "upper": nested("upper({})", "name"),
    "not": nested("not ({})", "hours > 1"),
    "and / or": nested("(name < 'y' or (hours > 1 and ({})))", "name is null"),
}
DEEP_QUERIES = {
    "dateDiff of toDate under contains": "select name where {} contains '1'",
    "toDate of dateDiff under contains": "select name where {} contains '1'",
    "quarter of toDate": "select name where {} >= 1",
    "upper": "select name where {} contains 'A'",
    "not": "select name where {}",
    "and / or": "select name where {}",
}
MODULO_IN_DIVISOR = nested("(20 % ({} + 9))", "hours")  # never a zero divisor


def deep_query(shape: str) -> tuple[str, str]:
    """The deepest query of ``shape`` the parser accepts, and the one a level deeper."""
    return deepest_accepted(lambda k: DEEP_QUERIES[shape].format(DEEP[shape](k)))


def longest_and_deepest() -> str:
    """The longest or chain beside the deepest-compiling term the parser accepts."""
    longest = chain("or", "name < 'x{i}'", MAX_CONDITIONS - 1)
    deep = DEEP["dateDiff of toDate under contains"]
    accepted, _ = deepest_accepted(lambda k: f"select name where {longest} or {deep(k)} contains '1'")
    return accepted


def memory_rows(table: sa.Table, tq: str) -> list[tuple[object, ...]]:
    return memory_run_query(DataTable(schema_of(table), PEOPLE_ROWS), tq).rows


@pytest.mark.parametrize("shape", list(DEEP))
def test_deepest_query_the_parser_accepts_runs_on_every_database(
    people: tuple[sa.Engine, sa.Table], shape: str
) -> None:
    accepted, refused = deep_query(shape)
    assert run(people, accepted).rows == memory_rows(people[1], accepted)
    with pytest.raises(QueryError) as caught:
        run(people, refused)
    assert caught.value.reason == "invalid_query"
    assert caught.value.message == f"The query nests deeper than {MAX_DEPTH} levels"


def test_modulo_nested_in_its_divisor_runs_on_every_database(people: tuple[sa.Engine, sa.Table]) -> None:
    # Testing x % 0 for NaN repeats the divisor: nested, that doubled the SQL at every level.
    accepted, _ = deepest_accepted(lambda k: f"select {MODULO_IN_DIVISOR(k)}")
    tq = accepted + ", " + accepted.removeprefix("select ").replace("20 %", "21 %")
    assert run(people, tq).rows == memory_rows(people[1], tq)


@pytest.mark.parametrize(
    ("tq", "message"),
    [
        ("select name where " + chain("and", "name != 'x{i}'", MAX_CONDITIONS), None),
        ("select name where " + chain("or", "name < 'x{i}'", MAX_CONDITIONS), None),
        ("select name where " + chain("or", "hours != {i}", MAX_CONDITIONS), None),
        (longest_and_deepest(), None),
        (
            "select name where " + chain("or", "name < 'x{i}'", MAX_CONDITIONS + 1),
            f"The WHERE clause has more than {MAX_CONDITIONS} conditions",
        ),
        (
            "select name where " + chain("and", "hours != {i}", 1000),
            f"The WHERE clause has more than {MAX_CONDITIONS} conditions",
        ),
    ],
    ids=[
        "and at the limit",
        "or at the limit",
        "numbers at the limit",
        "with the deepest term",
        "one over",
        "a thousand",
    ],
)
def test_long_conditions(people: tuple[sa.Engine, sa.Table], tq: str, message: str | None) -> None:
    if message is None:
        assert run(people, tq).rows == memory_rows(people[1], tq)
        return
    with pytest.raises(QueryError) as caught:
        run(people, tq)
    assert caught.value.reason == "invalid_query"
    assert caught.value.message == message


PIVOT_VALUES = [f"k{i:04d}" for i in range(MAX_COLUMNS + 1)]


@pytest.fixture(scope="module")
def pivot_keys(sql_database: sa.Engine) -> tuple[sa.Engine, sa.Table, DataTable]:
    """MAX_COLUMNS + 1 distinct keys k0000..k1000 (group g: 'a' for the first two; c: k again), in each database."""
    table = sa.Table(
        "pivot_keys", sa.MetaData(), sa.Column("k", sa.String), sa.Column("g", sa.String), sa.Column("c", sa.String)
    )
    rows = [(k, "a" if i < 2 else "b", k) for i, k in enumerate(PIVOT_VALUES)]
    with sql_database.begin() as conn:
        table.create(conn)
        conn.execute(table.insert(), [{"k": k, "g": g, "c": c} for k, g, c in rows])
    return sql_database, table, DataTable(schema_of(table), rows)


def too_wide(keys: str, most: int) -> str:
    return f"The result would have more than {MAX_COLUMNS} columns: PIVOT {keys} has more than {most} distinct values"


PIVOT_LIMITS = [
    # (query, result columns, or the error message)
    (f"select count(c) where k != '{PIVOT_VALUES[-1]}' pivot k", MAX_COLUMNS, None),
    ("select count(c) pivot k", None, too_wide("k", MAX_COLUMNS) + " (at position 22)"),
    (
        f"select g, count(c) where k != '{PIVOT_VALUES[-1]}' group by g pivot k",
        None,
        too_wide("k", MAX_COLUMNS - 1) + " (at position 55)",
    ),
    (f"select g, count(c) where k > '{PIVOT_VALUES[1]}' group by g pivot k", MAX_COLUMNS, None),
    ("select count(c), max(c) pivot k", None, too_wide("k", MAX_COLUMNS // 2) + " (at position 30)"),
    ("select count(c) pivot k, g", None, too_wide("k, g", MAX_COLUMNS) + " (at position 22)"),
]


@pytest.mark.parametrize(("tq", "width", "message"), PIVOT_LIMITS, ids=[c[0][:60] for c in PIVOT_LIMITS])
def test_pivot_width_is_bounded_in_both_executors(
    pivot_keys: tuple[sa.Engine, sa.Table, DataTable], tq: str, width: int | None, message: str | None
) -> None:
    engine, table, rows = pivot_keys
    if width is not None:
        with engine.connect() as conn:
            result = run_query(conn, table, tq)
        assert len(result.columns) == width
        assert result.rows == memory_run_query(rows, tq).rows
        return
    for answer in (lambda: memory_run_query(rows, tq), lambda: run(pivot_keys[:2], tq)):  # type: ignore[arg-type]
        with pytest.raises(QueryError) as caught:
            answer()
        assert caught.value.reason == "invalid_query"
        assert str(caught.value) == message


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tq", "message"),
    [
        ("select nope", "nope"),
        ("select name where", "Unexpected"),
        ("select name, sum(hours)", "GROUP BY"),
    ],
)
def test_invalid_queries(people: tuple[sa.Engine, sa.Table], tq: str, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        run(people, tq)
    assert caught.value.reason == "invalid_query"
    assert message in caught.value.message


def test_database_failure_is_an_internal_error(people: tuple[sa.Engine, sa.Table]) -> None:
    engine, _ = people
    missing = sa.table("no_such_table", sa.column("x", sa.Integer))
    with engine.connect() as conn, pytest.raises(QueryError) as caught:
        run_query(conn, missing, "select x", schema=[Column("x", ValueType.NUMBER)])
    assert caught.value.reason == "internal_error"
    assert caught.value.message == "The database could not run the query."
    assert "no_such_table" in caught.value.detailed_message


def test_schema_column_missing_from_the_selectable_is_an_internal_error(people: tuple[sa.Engine, sa.Table]) -> None:
    engine, table = people
    with engine.connect() as conn, pytest.raises(QueryError) as caught:
        run_query(conn, table, "select ghost", schema=[Column("ghost", ValueType.NUMBER)])
    assert caught.value.reason == "internal_error"
    assert "ghost" in caught.value.detailed_message


def test_unsupported_column_type_is_an_internal_error(sql_database: sa.Engine) -> None:
    blobs = sa.Table("blobs", sa.MetaData(), sa.Column("data", sa.LargeBinary))
    with sql_database.connect() as conn, pytest.raises(QueryError) as caught:
        run_query(conn, blobs, "select data")
    assert caught.value.reason == "internal_error"
    assert "'data'" in caught.value.detailed_message


def test_sums_of_decimal_columns_are_exact(sql_database: sa.Engine) -> None:
    # 0.1 has no exact binary form: summed as floats (SQLite's NUMERIC) it gathers noise.
    cents = sa.Table("cents", sa.MetaData(), sa.Column("team", sa.String), sa.Column("amount", sa.Numeric(14, 2)))
    with sql_database.begin() as conn:
        cents.create(conn)
        conn.execute(
            cents.insert(),
            [{"team": "t", "amount": Decimal("0.10")}] * 1000 + [{"team": "u", "amount": Decimal("123456.78")}] * 7,
        )
    with sql_database.connect() as conn:
        table = run_query(conn, cents, "select team, sum(amount) group by team")
    assert table.rows == [("t", 100), ("u", 864197.46)]


def test_cancelled_statement_is_a_timeout(people: tuple[sa.Engine, sa.Table]) -> None:
    engine, table = people
    with engine.connect() as conn:
        kind = conn.dialect.name
        if kind == "sqlite":
            # SQLite aborts a statement when its progress handler returns non-zero.
            conn.connection.dbapi_connection.set_progress_handler(lambda: 1, 1)  # type: ignore[union-attr]
            source: sa.FromClause = table
        elif kind == "postgresql":
            conn.exec_driver_sql("SET statement_timeout = 50")
            source = sa.select(table, sa.func.pg_sleep(1).label("sleep")).subquery()
        else:
            raw = conn.connection.dbapi_connection
            # DuckDB: interrupt() from another thread, again and again until the long
            # cross join has been cancelled (a single early interrupt could miss it).
            done = threading.Event()

            def interrupt() -> None:
                while not done.wait(0.1):
                    raw.interrupt()  # type: ignore[union-attr]

            threading.Thread(target=interrupt, daemon=True).start()
            source = (
                sa.select(sa.literal_column("a.range").label("n"))
                .select_from(sa.text("range(100000000) a, range(100) b"))
                .subquery()
            )
        with pytest.raises(QueryError) as caught:
            run_query(
                conn,
                source,
                "select sum(hours)" if kind != "duckdb" else "select sum(n)",
                schema=None if kind == "sqlite" else [Column("n" if kind == "duckdb" else "hours", ValueType.NUMBER)],
            )
        if kind == "sqlite":
            conn.connection.dbapi_connection.set_progress_handler(None, 1)  # type: ignore[union-attr]
        if kind == "duckdb":
            done.set()
        conn.rollback()
    assert caught.value.reason == "timeout"
    assert caught.value.message == "The query took too long and was cancelled."


class _UnknownDialect(SQLiteDialect_pysqlite):
    """SQLite under a name gvizql.sql does not know: a database it does not support."""

    name = "unknown_db"


sa.dialects.registry.register("unknown_db", __name__, "_UnknownDialect")


def test_unknown_database_is_not_supported(tmp_path: Path) -> None:
    engine = sa.create_engine(f"unknown_db:///{tmp_path}/other.db")
    table = sa.Table("t", sa.MetaData(), sa.Column("x", sa.Integer))
    with engine.connect() as conn, pytest.raises(QueryError) as caught:
        run_query(conn, table, "select x")
    engine.dispose()
    assert caught.value.reason == "not_supported"
    assert "'unknown_db'" in caught.value.detailed_message
