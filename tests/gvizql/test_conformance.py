"""What Google's reference engine answers, row by row, on every executor.

One small table of time logs (every type, nulls, '' and text that collation
and case mapping treat specially: ß, æ, the ﬁ ligature, İ) is queried in
memory and in SQLite, PostgreSQL and DuckDB (``sql_database`` kinds, see
conftest.py). Each row of the tables below is an answer of the reference
(google-visualization-java, en-US, UTC) that every executor must give exactly:
the rows, the columns (ids, types, labels, patterns) or the error.

The database tables carry no gviz schema: ``gvizql.sql.schema_of`` types them
and labels each column with the label attached to it (``info={"label": ...}``)
or else with its name, so the SQL executors label columns as the memory table
below does.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from gvizql import run_query as memory_run_query
from gvizql.datatable import Column, DataTable, ValueType
from gvizql.errors import QueryError
from gvizql.sql import run_query as sql_run_query
from gvizql.sql import schema_of
from tests.gvizql.conftest import SQL_DATABASES

D, DT, TOD = dt.date, dt.datetime, dt.time
T = ValueType

# id, SQLAlchemy type, gviz type, label attached to the column (None: its name is its label)
COLUMNS = [
    ("name", sa.String, T.STRING, "Name"),
    ("team", sa.String, T.STRING, None),
    ("hours", sa.Float, T.NUMBER, "Hours"),
    ("salary", sa.Integer, T.NUMBER, "Salary"),
    ("d", sa.Date, T.DATE, "Day"),
    ("t", sa.Time, T.TIMEOFDAY, "Time"),
    ("s", sa.DateTime, T.DATETIME, "Stamp"),
    ("b", sa.Boolean, T.BOOLEAN, "Billable"),
]
SCHEMA = [Column(name, value_type, label or name) for name, _, value_type, label in COLUMNS]

ROWS = [
    ("Ann", "alpha", 8, 1000, D(2009, 1, 15), TOD(8, 30), DT(2009, 1, 15, 8, 30, 0, 250000), True),
    ("bob", "beta", 2.5, 400, D(2010, 6, 1), TOD(12, 0), DT(2010, 6, 1, 12, 0), False),
    ("straße", "alpha", 6, 600, D(2009, 1, 2), TOD(23, 0), DT(2009, 1, 2, 23, 0), True),
    ("æsir", None, None, None, None, None, None, None),
    ("", "beta", 3, 200, D(2011, 3, 5), TOD(1, 0), DT(2011, 3, 5, 1, 0), False),
    ("İstanbul", "gamma", 7.5, 750, D(2009, 12, 31), TOD(2, 0, 0, 500000), DT(2009, 12, 31, 2, 0), True),
    ("ﬁle", "", 4, 400, D(2009, 1, 15), TOD(8, 30), DT(2009, 1, 15, 8, 30), False),
    ("Strasse", "alpha", 6, 600, D(2009, 1, 2), TOD(23, 0), DT(2009, 1, 2, 23, 0), True),
    (None, "beta", 1, 100, D(2009, 2, 28), TOD(0, 0), DT(2009, 2, 28, 0, 0), None),
    ("aesir", "gamma", 2.5, 350, D(2010, 6, 1), TOD(12, 0), DT(2010, 6, 1, 12, 0), False),
]
NAMES = [r[0] for r in ROWS]
NAN = math.nan

EXECUTORS = ("memory", *SQL_DATABASES)


def work_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        "work",
        metadata,
        *(
            sa.Column(name, sa_type, info={} if label is None else {"label": label})
            for name, sa_type, _, label in COLUMNS
        ),
    )


@pytest.fixture(scope="module", params=EXECUTORS)
def answer(request: pytest.FixtureRequest, new_sql_engine: Callable[[str], sa.Engine]) -> Iterator[Any]:
    """``answer(tq)``: the DataTable one executor returns for ``tq`` over the work table."""
    if request.param == "memory":
        table = DataTable(SCHEMA, ROWS)
        yield lambda tq: memory_run_query(table, tq)
        return
    engine = new_sql_engine(request.param)
    work = work_table(sa.MetaData())
    with engine.begin() as connection:
        work.create(connection)
        connection.execute(work.insert(), [dict(zip([c[0] for c in COLUMNS], row)) for row in ROWS])

    def run(tq: str) -> DataTable:
        with engine.connect() as connection:
            return sql_run_query(connection, work, tq)

    yield run
    engine.dispose()


def same(a: Any, b: Any) -> bool:
    """Cell equality where NaN equals NaN and an int equals the float of it."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) or {type(a), type(b)} <= {int, float} if a == b else False


def assert_rows(got: list[tuple[Any, ...]], expected: list[tuple[Any, ...]], tq: str) -> None:
    assert len(got) == len(expected), (tq, got)
    for g, e in zip(got, expected):
        assert len(g) == len(e) and all(same(x, y) for x, y in zip(g, e)), (tq, got)


def names(*indexes: int) -> list[tuple[Any, ...]]:
    """The names of rows by 1-based position in ROWS, as one-column result rows."""
    return [(NAMES[i - 1],) for i in indexes]


# --- rows ---------------------------------------------------------------------------------------

ANSWERS: list[tuple[str, list[tuple[Any, ...]]]] = [
    # Arithmetic and parentheses wherever the reference's grammar takes an expression
    ("select name where hours * 2 > 10", names(1, 3, 6, 8)),
    ("select name where salary % 200 = 0", names(1, 2, 3, 5, 7, 8)),
    ("select name where (hours) > 7", names(1, 6)),
    ("select name where ((hours) > 7)", names(1, 6)),
    ("select name where day(d) - hour(t) > -5", names(1, 5, 6, 7, 9)),
    ("select name where (2) * hours > 10 and 1 = 1 + 0", names(1, 3, 6, 8)),
    ("select name where hours * 100 > salary", names(5)),
    ("select name where hours * 100 >= salary", names(3, 4, 5, 6, 7, 8, 9)),
    ("select name where hours > (salary - 150) / 100", names(3, 5, 6, 7, 8, 9, 10)),
    ("select name where upper(name) contains upper(team)", names(4, 7)),
    ("select name where (hours + 1) * 2 is null", names(4)),
    ("select name where not (not hours > 7)", names(1, 6)),
    (
        "select name, hours % 3 where hours > 5 order by hours % 3 desc, name",
        [("Ann", 2), ("İstanbul", 1.5), ("Strasse", 0), ("straße", 0)],
    ),
    (
        "select team, sum(hours) * 2 where team != '' group by team order by sum(hours) * 2 desc",
        [("alpha", 40), ("gamma", 20), ("beta", 13)],
    ),
    # Literals: timestamp and every date form the reference's parser reads
    ("select name where s = timestamp '2009-01-15 08:30:00.250'", names(1)),
    ("select name where s > timestamp '2010-06-01 11:59:59.999'", names(2, 5, 10)),
    ("select name where d = date '2009-1-2'", names(3, 8)),
    ("select name where d = date '02009-01-002'", names(3, 8)),
    ("select name where d = date '+2009-+1-+2-'", names(3, 8)),
    ("select name where s = datetime '2009-01-02 23:00:00 '", names(3, 8)),
    ("select name where s = datetime '2009-1-15 8:30:0.250'", names(1)),
    ("select name where t = timeofday '2:0:0.500'", names(6)),
    # ORDER BY: ICU's en-US collation on text (ß as ss, æ as ae, the ﬁ ligature as fi, case
    # after accents); a null text sorts as ''; rows that tie keep the table's order (stable)
    ("select name order by name", names(5, 9, 10, 4, 1, 2, 7, 6, 8, 3)),
    ("select name order by name desc", names(3, 8, 6, 7, 2, 1, 4, 10, 5, 9)),
    ("select name order by hours", names(4, 9, 2, 10, 5, 7, 3, 8, 6, 1)),
    ("select name order by hours desc", names(1, 6, 3, 8, 7, 5, 2, 10, 9, 4)),
    ("select name order by team", names(4, 7, 1, 3, 8, 2, 5, 9, 6, 10)),
    ("select name order by team desc, d", names(6, 10, 9, 2, 5, 3, 8, 1, 4, 7)),
    ("select name order by b, t desc", names(9, 4, 2, 10, 7, 5, 3, 8, 1, 6)),
    ("select name where hours > 2 order by salary % 200, name desc", names(3, 8, 7, 2, 1, 5, 6, 10)),
    ("select name order by d limit 3", names(4, 3, 8)),
    ("select name order by s desc skipping 2", names(5, 10, 9, 7, 8)),
    (
        "select name, count(hours) where team != '' group by name order by count(hours), name desc",
        [("straße", 1), ("Strasse", 1), ("İstanbul", 1), ("bob", 1), ("Ann", 1), ("aesir", 1), ("", 2)],
    ),
    # upper() and lower() map case as Java's String does (full mappings: ß is SS)
    (
        "select upper(name), lower(name) where hours > 5 or hours < 2 or hours = 4",
        [
            ("ANN", "ann"),
            ("STRASSE", "straße"),
            ("ÆSIR", "æsir"),
            ("İSTANBUL", "i̇stanbul"),
            ("FILE", "ﬁle"),
            ("STRASSE", "strasse"),
            ("", ""),
        ],
    ),
    (
        "select lower(\"ὈΔΥΣΣΕΎΣ ΑΣ.ΒΣ Α'Σ\"), upper('ﬀ ŉ ǰ ᾳ'), upper(lower(upper(name))) where hours > 7.5",
        [("ὀδυσσεύς ασ.βς α'ς", "FF ʼN J̌ ΑΙ", "ANN")],
    ),
    ("select name where upper(name) = 'STRASSE'", names(3, 8)),
    ("select name where lower(name) = 'i̇stanbul'", names(6)),
    # matches: Java regular expressions, Unicode classes and inline flags included
    ("select name where name matches '(?i).*S.*'", names(3, 4, 6, 8, 10)),
    ("select name where name matches '\\p{L}+'", names(1, 2, 3, 4, 6, 7, 8, 10)),
    ("select name where name matches '\\p{Lu}\\p{Ll}+'", names(1, 6, 8)),
    ("select name where name matches '(?iu)stra(ss|ß)e'", names(3, 8)),
    ("select name where name matches '[a-z&&[^b]]+'", names(10)),
    ("select name where team matches '(?i)ALPHA|(?x) g a m m a '", names(1, 3, 6, 8, 10)),
    # Values: x % 0 is NaN (a null dividend stays null); toDate() of a number truncates the
    # milliseconds toward zero before it takes the UTC day
    (
        "select name, hours % 0, salary % 0, 7 % 0 where hours > 7",
        [("Ann", NAN, NAN, NAN), ("İstanbul", NAN, NAN, NAN)],
    ),
    ("select name, hours % 0 where hours is null", [("æsir", None)]),
    ("select name, -7 % 3, 7.5 % -2 where hours > 7.5", [("Ann", -1, 1.5)]),
    (
        "select toDate(-0.5), toDate(-1.5), toDate(86399999.9), toDate(salary * 86400000 - 0.5) where hours > 7.5",
        [(D(1970, 1, 1), D(1969, 12, 31), D(1970, 1, 1), D(1972, 9, 26))],
    ),
    ("select name where toDate(salary - 1000.5) = date '1970-01-01'", names(1)),
    (
        "select toDate(-62135596800000), toDate(-62135596800001), toDate(253402300799999), toDate(253402300800000) "
        "where hours > 7.5",
        [(D(1, 1, 1), None, D(9999, 12, 31), None)],  # past Python's dates: null (the reference goes on)
    ),
    # a constant ORDER BY key orders nothing
    ("select name order by (1)", names(*range(1, 11))),
    ("select name where hours > 5 order by 'x', name desc, 2 + 2", names(3, 8, 6, 1)),
    # Arithmetic in doubles, as the reference: no 32-bit (or 64-bit) integer overflow
    (
        "select 1000000 * 1000000, salary * 86400000, salary * salary * salary where hours > 7.5",
        [(10**12, 86400000000, 10**9)],
    ),
    ("select 10000000000 * 10000000000 - 1, salary - 2147483647 - 2 where hours > 7.5", [(1e20, -2147482649)]),
    ("select name where salary * 3000000 > 2147483647", names(1, 6)),
    # A pivot whose WHERE leaves no row: no row, the columns of the query without its PIVOT
    ("select sum(hours) where hours > 100 pivot team", []),
    ("select team, sum(hours) / 2 where hours > 100 group by team pivot b", []),
]


@pytest.mark.parametrize(("tq", "expected"), ANSWERS, ids=[q for q, _ in ANSWERS])
def test_rows(answer: Callable[[str], DataTable], tq: str, expected: list[tuple[Any, ...]]) -> None:
    assert_rows(answer(tq).rows, expected, tq)


# --- columns ------------------------------------------------------------------------------------

HEADERS: list[tuple[str, list[tuple[str, str, str | None, str | None]]]] = [
    # A plain `select *` has headers: a database column is labelled with its name, or the
    # label attached to it.
    (
        "select name, team, hours",
        [("name", "string", "Name", None), ("team", "string", "team", None), ("hours", "number", "Hours", None)],
    ),
    (
        "select team, count(name) group by team",
        [("team", "string", "team", None), ("count-name", "number", "count Name", None)],
    ),
    # Pivoted aggregations: the key alone when SELECT has one distinct aggregation, else the
    # key and the aggregation's label; pivoted computed columns: the key and their label.
    (
        "select team, sum(hours) / 2 where hours > 5 group by team pivot b",
        [
            ("team", "string", "team", None),
            ("true quotient_sum-hours,2.0_", "number", "true quotient(sum Hours2.0())", None),
        ],
    ),
    (
        "select sum(hours), sum(hours) / 2 where hours > 5 pivot b",
        [
            ("true sum-hours", "number", "true", None),
            ("true quotient_sum-hours,2.0_", "number", "true quotient(sum Hours2.0())", None),
        ],
    ),
    (
        "select max(salary), sum(hours) * 2 where hours > 5 pivot b",
        [
            ("true max-salary", "number", "true max Salary", None),
            ("true product_sum-hours,2.0_", "number", "true product(sum Hours2.0())", None),
        ],
    ),
    (
        "select sum(hours) / 2 where hours > 5 pivot b label sum(hours) / 2 'Half'",
        [("true quotient_sum-hours,2.0_", "number", "true Half", None)],
    ),
    # ... and a pivot whose WHERE leaves no row keeps the aggregations' columns
    ("select sum(hours) where hours > 100 pivot team", [("sum-hours", "number", "sum Hours", None)]),
    (
        "select team, sum(hours) / 2 where hours > 100 group by team pivot b label team 'Team'",
        [("team", "string", "Team", None), ("quotient_sum-hours,2.0_", "number", "quotient(sum Hours2.0())", None)],
    ),
]


@pytest.mark.parametrize(("tq", "expected"), HEADERS, ids=[q for q, _ in HEADERS])
def test_columns(
    answer: Callable[[str], DataTable], tq: str, expected: list[tuple[str, str, str | None, str | None]]
) -> None:
    assert [(c.id, c.type.value, c.label, c.pattern) for c in answer(tq).columns] == expected


def test_nan_compares_and_sorts_as_java_doubles(
    answer: Callable[[str], DataTable], request: pytest.FixtureRequest
) -> None:
    # x % 0 is NaN, greater than every number and equal to itself (Double.compare).
    greater = answer("select name where salary % 0 > 5").rows
    ordered = answer("select name order by hours % 0 desc, name").rows
    if "sqlite" in request.node.callspec.id:
        # SQLite has no NaN: inside a condition or a sort key it is null (documented).
        assert greater == [] and ordered == names(5, 9, 10, 4, 1, 2, 7, 6, 8, 3)
        return
    assert greater == names(1, 2, 3, 5, 6, 7, 8, 9, 10)
    assert answer("select name where salary % 0 = salary % 0 and hours % 0 < 5").rows == names(4)
    assert ordered == names(5, 9, 10, 1, 2, 7, 6, 8, 3, 4)


def test_an_invalid_format_pattern_is_kept_with_a_warning_and_no_formatted_values(
    answer: Callable[[str], DataTable],
) -> None:
    table = answer("select hours, salary where hours > 7 format hours '#.#.#', salary '#,##0'")
    assert [(c.id, c.pattern) for c in table.columns] == [("hours", "#.#.#"), ("salary", "#,##0")]
    assert [w.reason for w in table.warnings] == ["illegal_formatting_patterns"]
    assert json.loads(table.to_json()) == {
        "cols": [
            {"id": "hours", "label": "Hours", "type": "number", "pattern": "#.#.#"},
            {"id": "salary", "label": "Salary", "type": "number", "pattern": "#,##0"},
        ],
        "rows": [{"c": [{"v": 8}, {"v": 1000, "f": "1,000"}]}, {"c": [{"v": 7.5}, {"v": 750, "f": "750"}]}],
    }


# --- errors -------------------------------------------------------------------------------------

REFUSED: list[tuple[str, str]] = [
    # the same column twice in ORDER BY, whatever the directions
    ("select name order by name, hours, name desc", '"name" appears more than once in ORDER BY (at position 34)'),
    # a column both grouped, or pivoted, and aggregated; or selected both plain and aggregated
    (
        "select count(team) group by team",
        'Column "team" cannot be both grouped and aggregated in "count(team)" (at position 7)',
    ),
    (
        "select count(team) pivot team",
        'Column "team" cannot be both pivoted and aggregated in "count(team)" (at position 7)',
    ),
    (
        "select team, max(team) group by team",
        'Column "team" cannot be selected both as it is and aggregated (at position 7)',
    ),
    (
        "select year(d), max(d) group by year(d)",
        'Column "d" cannot be selected both as it is and aggregated (at position 12)',
    ),
    # not not x; a number with an exponent; options separated by a comma
    ("select name where not not hours > 1", 'Unexpected token "not" at position 22'),
    (
        "select name where hours > 1e1",
        'Number "1e1" has an exponent, which the query language does not allow (at position 26)',
    ),
    ("select name options no_format, no_values", 'Unexpected token "," at position 29'),
    # an operand that starts with a literal is that literal alone
    ("select name where 2 * hours > 10", 'Unexpected token "*" at position 20'),
    ("select name where hours > 2 * 5", 'Unexpected token "*" at position 28'),
    ("select name where 1 is null", 'Unexpected token "is" at position 20'),
    # date forms the reference's parser does not read
    (
        "select name where s = datetime '2009-01-02 23:00'",
        "Invalid datetime literal '2009-01-02 23:00' (expected 'yyyy-MM-dd HH:mm:ss[.SSS]') (at position 31)",
    ),
    (
        "select name where d = date '2009--1-2'",
        "Invalid date literal '2009--1-2' (expected 'yyyy-MM-dd') (at position 27)",
    ),
]


@pytest.mark.parametrize(("tq", "message"), REFUSED, ids=[q for q, _ in REFUSED])
def test_errors(answer: Callable[[str], DataTable], tq: str, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        answer(tq)
    assert caught.value.reason == "invalid_query"
    assert str(caught.value) == message


def test_sql_columns_are_labelled_with_their_names_or_attached_labels() -> None:
    table = work_table(sa.MetaData())
    assert schema_of(table) == SCHEMA
    scoped = sa.select(table.c.team, table.c.hours.label("h")).subquery()
    assert [(c.id, c.label) for c in schema_of(scoped)] == [("team", "team"), ("h", "Hours")]
