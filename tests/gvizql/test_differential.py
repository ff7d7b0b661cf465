"""The two executors agree: random tables and queries, in memory and on each database.

Hypothesis draws a table (every column type, nulls, duplicates, '' and accented
text, one NOT NULL column) and a query (SELECT, WHERE, GROUP BY, PIVOT, ORDER BY, SKIPPING, LIMIT,
OFFSET, LABEL, FORMAT, scalar functions); ``gvizql.run_query`` on the rows and
``gvizql.sql.run_query`` on the same rows in SQLite, DuckDB and PostgreSQL must
return equal DataTables.

``matches`` patterns include Java-only syntax (``\\p{Lower}``, ``(?iu)``, ``&&``,
``\\Q...\\E``) and constructs RE2 cannot run, refused alike everywhere.

One documented difference is allowed for, nothing else: a group holding both a
null and an empty text key is keyed by whichever came first in memory, SQL
says ''; the comparison reads a null text group key as ''.

Rows that tie on every ORDER BY key keep the table's order on every executor
(the SQL executors sort on the table's row id last), so generated ORDER BY
clauses name one or two keys and leave ties in place.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gvizql import run_query as memory_run_query
from gvizql.analyze import analyze
from gvizql.ast import ColumnRef
from gvizql.datatable import Column, DataTable, ValueType
from gvizql.errors import QueryError
from gvizql.parser import parse
from gvizql.sql import run_query as sql_run_query

# --- the table -------------------------------------------------------------------------------

SCHEMA = [
    Column("s", ValueType.STRING, "S"),
    Column("t", ValueType.STRING, "T"),
    Column("n", ValueType.NUMBER, "N"),
    Column("m", ValueType.NUMBER, "M"),
    Column("b", ValueType.BOOLEAN, "B"),
    Column("d", ValueType.DATE, "D"),
    Column("dt", ValueType.DATETIME, "DT"),
    Column("tm", ValueType.TIMEOFDAY, "TM"),
]
COLUMNS = {c.id: c.type for c in SCHEMA}
SA_TYPES = {
    ValueType.STRING: sa.String,
    ValueType.NUMBER: sa.Float,
    ValueType.BOOLEAN: sa.Boolean,
    ValueType.DATE: sa.Date,
    ValueType.DATETIME: sa.DateTime,
    ValueType.TIMEOFDAY: sa.Time,
}

# Text of every kind ICU's en-US collation (all four executors) and Java's case mapping
# treat apart: case, accents, spaces, hyphens, digits, ß, æ, ligatures, İ, a final Σ.
TEXTS = [
    "",
    "a",
    "A",
    "b",
    "B",
    "ab",
    "aB",
    "a b",
    "a-b",
    "é",
    "É",
    "e",
    "Zoë",
    "zoe",
    "1",
    "10",
    "2",
    "x%y",
    "x_y",
    "straße",
    "Strasse",
    "æ",
    "ae",
    "ﬁ",
    "İ",
    "ΟΔΟΣ",
]
NUMBERS = [0, 1, 2, -1, 3, 0.5, 2.25, -3.75, 10, 100]
DATES = [dt.date(2009, 1, 1), dt.date(2009, 1, 15), dt.date(2010, 6, 30), dt.date(2008, 2, 29), dt.date(2009, 12, 31)]
DATETIMES = [
    dt.datetime(2009, 1, 1, 0, 0),
    dt.datetime(2009, 1, 15, 8, 30, 15, 250000),
    dt.datetime(2010, 6, 30, 23, 59, 59, 999000),
    dt.datetime(2008, 2, 28, 12, 0),
]
TIMES = [dt.time(0, 0), dt.time(8, 30, 0, 500000), dt.time(12, 0), dt.time(23, 59, 59)]

VALUES: dict[ValueType, list[Any]] = {
    ValueType.STRING: TEXTS,
    ValueType.NUMBER: NUMBERS,
    ValueType.BOOLEAN: [True, False],
    ValueType.DATE: DATES,
    ValueType.DATETIME: DATETIMES,
    ValueType.TIMEOFDAY: TIMES,
}


# Column t is NOT NULL in the database: the compiler then leaves out its null handling.
NOT_NULL = frozenset({"t"})


def cell(column: Column) -> st.SearchStrategy[Any]:
    values = st.sampled_from(VALUES[column.type])
    return values if column.id in NOT_NULL else st.one_of(st.none(), values)


ROWS = st.lists(st.tuples(*(cell(c) for c in SCHEMA)), min_size=0, max_size=12)

# --- the query -------------------------------------------------------------------------------

LITERALS: dict[ValueType, list[str]] = {
    ValueType.STRING: ["''", "'a'", "'B'", "'é'", "'a b'", "'10'", "'x%y'"],
    ValueType.NUMBER: ["0", "1", "2.25", "-1", "100"],
    ValueType.BOOLEAN: ["true", "false"],
    ValueType.DATE: ["date '2009-1-15'", "date '2010-06-30'"],
    ValueType.DATETIME: ["datetime '2009-01-15 08:30:15.250'", "datetime '2009-01-01 00:00:00'"],
    ValueType.TIMEOFDAY: ["timeofday '12:00:00'", "timeofday '08:30:00.500'"],
}
PATTERNS = {
    "contains": ["'a'", "''", "'.5'", "'rue'", "'2009'", "':30'"],
    "starts with": ["'a'", "'1'", "'-'", "'200'"],
    "ends with": ["'b'", "'0'", "'.0'", "'e'"],
    "like": ["'a%'", "'_'", "'%b%'", "'x_y'", "'A_'"],
    "matches": [
        "'[a-z]+'",
        "'.*e.*'",
        "'('",
        "'1.*'",
        # Java syntax, translated for RE2 and PostgreSQL alike
        r"'\p{Lower}+'",
        r"'(?i)a.*'",
        r"'(?iu)[é]'",
        r"'[a-z&&[^b]]+'",
        r"'\Qx%y\E'",
        r"'.*\bb'",
        r"'\w+'",
        r"'\d+\.\d+'",
        r"'(?s).*'",
        r"'\p{L}+'",
        r"'a{0,2}|\s?'",
        # refused on every executor, with one message
        r"'(a)\1'",
        r"'a(?=b)'",
    ],
}
# Scalar expressions by result type (over the table's columns).
FUNCTIONS: dict[ValueType, list[str]] = {
    ValueType.NUMBER: [
        "year(d)",
        "month(dt)",
        "day(d)",
        "quarter(d)",
        "dayOfWeek(d)",
        "hour(dt)",
        "minute(tm)",
        "second(dt)",
        "millisecond(dt)",
        "millisecond(tm)",
        "dateDiff(d, dt)",
        "dateDiff(dt, d)",
        "n + m",
        "n - 1",
        "n * m",
        "n / m",
        "n % 2",
        "(n + m) * 2",
    ],
    ValueType.STRING: ["upper(s)", "lower(t)"],
    ValueType.DATE: ["toDate(dt)", "toDate(d)"],
}
COMPARATORS = ["=", "!=", "<", "<=", ">", ">="]


@st.composite
def comparison(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["literal", "literal", "column", "null", "text", "function", "expression"]))
    column = draw(st.sampled_from(list(COLUMNS)))
    type_ = COLUMNS[column]
    if kind == "null":
        return f"{column} is {draw(st.sampled_from(['', 'not ']))}null"
    if kind == "text":
        op = draw(st.sampled_from(list(PATTERNS)))
        return f"{column} {op} {draw(st.sampled_from(PATTERNS[op]))}"
    op = draw(st.sampled_from(COMPARATORS))
    if kind == "column":
        other = draw(st.sampled_from([c for c, t in COLUMNS.items() if t is type_] + ["n", "s"]))
        return f"{column} {op} {other}"
    if kind == "function":
        expr = draw(st.sampled_from(FUNCTIONS[ValueType.NUMBER][:11]))
        return f"{expr} {op} {draw(st.sampled_from(LITERALS[ValueType.NUMBER]))}"
    if kind == "expression":
        # Arithmetic and parentheses on either side, as the reference's grammar allows.
        numbers = ["n", "(m)", *FUNCTIONS[ValueType.NUMBER]]
        left = draw(st.sampled_from(numbers))
        right = draw(st.sampled_from(numbers + LITERALS[ValueType.NUMBER]))
        if draw(st.integers(0, 3)) == 0:
            return f"{left} is {draw(st.sampled_from(['', 'not ']))}null"
        return f"{left} {op} {right}"
    # Mostly a literal of the column's type, sometimes of another type (always false).
    literal_type = type_ if draw(st.integers(0, 4)) else draw(st.sampled_from(list(LITERALS)))
    literal = draw(st.sampled_from(LITERALS[literal_type]))
    if draw(st.booleans()):
        return f"{literal} {op} {column}"
    return f"{column} {op} {literal}"


@st.composite
def condition(draw: st.DrawFn, depth: int = 0) -> str:
    if depth >= 2 or draw(st.integers(0, 2)) == 0:
        return draw(comparison())
    shape = draw(st.sampled_from(["and", "or", "not"]))
    if shape == "not":
        return f"not ({draw(condition(depth + 1))})"
    return f"({draw(condition(depth + 1))}) {shape} ({draw(condition(depth + 1))})"


def tail(draw: st.DrawFn) -> str:
    parts = []
    if draw(st.integers(0, 5)) == 0:
        parts.append(f"skipping {draw(st.integers(1, 3))}")
    if draw(st.booleans()):
        parts.append(f"limit {draw(st.integers(0, 6))}")
    if draw(st.integers(0, 3)) == 0:
        parts.append(f"offset {draw(st.integers(0, 4))}")
    return " ".join(parts)


def order_by(draw: st.DrawFn, selected: list[str]) -> str:
    """ORDER BY one or two selected expressions: rows that tie keep the table's order everywhere."""
    keys = draw(st.lists(st.sampled_from(selected), min_size=1, max_size=2, unique=True))
    items = [f"{e} {draw(st.sampled_from(['asc', 'desc']))}" for e in keys]
    return "order by " + ", ".join(items)


@st.composite
def plain_query(draw: st.DrawFn) -> str:
    scalar_pool = list(COLUMNS) + [f for fs in FUNCTIONS.values() for f in fs]
    selected = draw(st.lists(st.sampled_from(scalar_pool), min_size=1, max_size=4, unique=True))
    text = "select " + ", ".join(selected)
    if draw(st.booleans()):
        text += f" where {draw(condition())}"
    if draw(st.booleans()):
        text += " " + order_by(draw, selected)
    text += " " + tail(draw)
    if draw(st.integers(0, 3)) == 0:
        text += f" label {selected[0]} 'First'"
    return text


AGGREGATIONS = ["count({c})", "min({c})", "max({c})"]
NUMBER_AGGREGATIONS = ["sum({c})", "avg({c})"]


@st.composite
def grouped_query(draw: st.DrawFn) -> str:
    keys = draw(st.lists(st.sampled_from(list(COLUMNS) + ["year(d)", "lower(s)"]), max_size=2, unique=True))
    pivot_pool = [c for c in COLUMNS if c not in keys]
    pivot = draw(st.lists(st.sampled_from(pivot_pool), max_size=1)) if draw(st.integers(0, 2)) == 0 else []
    if not keys and not pivot and draw(st.booleans()):
        keys = [draw(st.sampled_from(list(COLUMNS)))]
    aggregations = []
    for _ in range(draw(st.integers(1, 2))):
        column = draw(st.sampled_from(list(COLUMNS)))
        pool = AGGREGATIONS + (NUMBER_AGGREGATIONS if COLUMNS[column] is ValueType.NUMBER else [])
        aggregations.append(draw(st.sampled_from(pool)).format(c=column))
    aggregations = list(dict.fromkeys(aggregations))
    if draw(st.integers(0, 3)) == 0:
        aggregations.append(f"{draw(st.sampled_from(['sum(n)', 'max(m)']))} * 2")
    selected = keys + aggregations
    text = "select " + ", ".join(selected)
    if draw(st.booleans()):
        text += f" where {draw(condition())}"
    if keys:
        text += " group by " + ", ".join(keys)
    if pivot:
        text += " pivot " + ", ".join(pivot)
    if draw(st.booleans()):
        orderable = keys if pivot else selected
        if orderable:
            text += " " + order_by(draw, orderable)
    text += " " + tail(draw)
    if draw(st.integers(0, 3)) == 0:
        text += f" label {aggregations[0]} 'Total'"
    if draw(st.integers(0, 4)) == 0:
        text += f" format {aggregations[0]} '#,##0.0'" if aggregations[0].startswith(("sum", "avg", "count")) else ""
    return text


QUERIES = st.one_of(plain_query(), grouped_query())

# --- the databases (``sql_database``: SQLite, PostgreSQL, DuckDB; see conftest.py) -----------


def load(connection: sa.Connection, rows: list[tuple[Any, ...]]) -> sa.Table:
    """A fresh table holding ``rows`` (inside the caller's transaction)."""
    table = sa.Table(
        f"t_{uuid.uuid4().hex[:12]}",
        sa.MetaData(),
        *(sa.Column(c.id, SA_TYPES[c.type], nullable=c.id not in NOT_NULL) for c in SCHEMA),
    )
    table.create(connection)
    if rows:
        connection.execute(table.insert(), [dict(zip(COLUMNS, row)) for row in rows])
    return table


def comparable(table: DataTable, tq: str) -> tuple[list[Any], list[Any]]:
    """Columns and rows with the two allowed differences normalised (see the module doc)."""
    query = analyze(parse(tq), SCHEMA).query
    group_columns = {e.name for e in query.group_by if isinstance(e, ColumnRef)}
    text = [c.type is ValueType.STRING and c.id in group_columns for c in table.columns]
    rows = [tuple("" if v is None and t else v for v, t in zip(row, text)) for row in table.rows]
    return list(table.columns), rows


def outcome(run: Any) -> tuple[str, Any]:
    try:
        return "table", run()
    except QueryError as error:
        return "error", (error.reason, error.message)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=ROWS, tq=QUERIES)
def test_sql_executor_agrees_with_memory(sql_database: sa.Engine, rows: list[tuple[Any, ...]], tq: str) -> None:
    memory_kind, memory = outcome(lambda: memory_run_query(DataTable(SCHEMA, rows), tq))
    with sql_database.connect() as connection:
        table = load(connection, rows)
        sql_kind, sql = outcome(lambda: sql_run_query(connection, table, tq, schema=SCHEMA))
        connection.rollback()
    assert sql_kind == memory_kind, (tq, memory, sql)
    if memory_kind == "error":
        assert sql == memory
        return
    assert comparable(sql, tq) == comparable(memory, tq), tq
