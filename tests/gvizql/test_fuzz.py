"""Any text at all: run_query returns a DataTable or raises QueryError, nothing else."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gvizql import Column, DataTable, QueryError, run_query
from gvizql import ValueType as T

TABLE = DataTable(
    [
        Column("a", T.STRING, "A"),
        Column("n", T.NUMBER, "N"),
        Column("d", T.DATE),
        Column("t", T.DATETIME),
        Column("h", T.TIMEOFDAY),
        Column("b", T.BOOLEAN),
        Column("first name", T.STRING),
    ],
    [
        ("x", 1, dt.date(2009, 1, 1), dt.datetime(2009, 1, 1, 10), dt.time(9), True, "Ann"),
        ("Y", -2.5, None, dt.datetime(2010, 5, 1), None, False, None),
        (None, None, dt.date(2011, 2, 28), None, dt.time(23, 59, 59, 999000), None, ""),
        ("", 0, dt.date(2009, 1, 1), dt.datetime(2009, 1, 1, 10), dt.time(9), True, "é"),
    ],
)

VALID = [
    "select a, sum(n) group by a order by sum(n) desc limit 2",
    "select a, count(n), max(d) where t > datetime '2009-01-01 00:00:00' group by a pivot b",
    "select year(d), month(d), dateDiff(t, d), upper(a), n * 2 + 1 where a contains 'x' or n is null",
    "select * where not (a = 'x' and n >= 1) or d < date '2010-1-1' order by a, n desc skipping 2 offset 1",
    "select `first name`, n % 3, n / 0 where a like 'x%' or a matches '.*' label n % 3 'm' format n % 3 '#'",
    "select sum(n) / count(n), min(h) pivot b, a options no_format",
    "select hour(h), minute(t), toDate(n), now(), lower(`first name`) where h = timeofday '09:00:00.000'",
    "select a, d, max(n) where d >= date '2009-01-01' and t < datetime '2012-01-01 00:00:00' group by a, d",
]

# Pieces that recombine into near-queries: keywords, operators, literals, names.
TOKENS = [
    "select",
    "where",
    "group",
    "by",
    "pivot",
    "order",
    "skipping",
    "limit",
    "offset",
    "label",
    "format",
    "options",
    "no_format",
    "no_values",
    "asc",
    "desc",
    "and",
    "or",
    "not",
    "is",
    "null",
    "contains",
    "starts",
    "ends",
    "with",
    "matches",
    "like",
    "true",
    "false",
    "date",
    "datetime",
    "timeofday",
    "count",
    "sum",
    "avg",
    "min",
    "max",
    "year",
    "month",
    "dayofweek",
    "datediff",
    "todate",
    "upper",
    "now",
    "a",
    "n",
    "d",
    "t",
    "h",
    "b",
    "`first name`",
    "`",
    "(",
    ")",
    ",",
    "*",
    "+",
    "-",
    "/",
    "%",
    "=",
    "!=",
    "<>",
    "<",
    "<=",
    ">",
    ">=",
    "'x'",
    '"y"',
    "'2009-01-01'",
    "'10:00:00'",
    "'2009-1-1 1:2:3.4'",
    "1",
    "-1",
    "2.5",
    "1e400",
    "99999999999999999999",
    "\\u0041",
    "'",
    '"',
    "$",
    "'%'",
    "'('",
]

token_queries = st.lists(st.sampled_from(TOKENS), max_size=25).map(" ".join)


@st.composite
def mutated_queries(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(VALID))
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["delete", "insert", "replace", "token"]))
        if action == "delete":
            j = draw(st.integers(i, min(len(text), i + 8)))
            text = text[:i] + text[j:]
        elif action == "insert":
            text = text[:i] + draw(st.text(max_size=4)) + text[i:]
        elif action == "token":
            text = text[:i] + " " + draw(st.sampled_from(TOKENS)) + " " + text[i:]
        else:
            j = min(len(text), i + 1)
            text = text[:i] + draw(st.characters()) + text[j:]
    return text


def nested_queries() -> st.SearchStrategy[str]:
    depth = st.integers(1, 400)
    return st.one_of(
        depth.map(lambda k: "select " + "(" * k + "n" + ")" * k),
        depth.map(lambda k: "select " + "upper(" * k + "a" + ")" * k),
        depth.map(lambda k: "select " + " * ".join(["n"] * k)),
        depth.map(lambda k: "where " + "not " * k + "n is null"),
        depth.map(lambda k: "where " + " or ".join(["(n = 1 and a = 'x')"] * k)),
        depth.map(lambda k: "select " + "-" * k + "1"),
    )


def check(tq: str) -> None:
    check_with(tq, False)
    check_with(tq, True)


def check_with(tq: str, options: bool) -> None:
    try:
        result = run_query(TABLE, tq, implicit_group_by=options, date_strings=options)
    except QueryError as e:
        assert e.reason in ("invalid_query", "unsupported_query_operation"), (tq, e.reason, str(e))
        assert str(e)
        return
    assert isinstance(result, DataTable)
    for row in result.rows:
        assert len(row) == len(result.columns)


SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.text(max_size=80))
def test_random_text(tq: str) -> None:
    check(tq)


@SETTINGS
@given(token_queries)
def test_token_soup(tq: str) -> None:
    check(tq)


@SETTINGS
@given(mutated_queries())
def test_mutated_valid_queries(tq: str) -> None:
    check(tq)


@settings(max_examples=60, deadline=None)
@given(nested_queries())
def test_deep_nesting(tq: str) -> None:
    check(tq)


@SETTINGS
@given(st.sampled_from(VALID), st.sampled_from(["", " ", "  options no_values"]))
def test_valid_queries_run(tq: str, suffix: str) -> None:
    # The seeds themselves must succeed (so the mutations start from real queries).
    if "options" in tq and suffix.strip():
        suffix = ""
    assert isinstance(run_query(TABLE, tq + suffix), DataTable)


def test_oversized_text() -> None:
    check("select a where " + "a = 'x' or " * 10_000 + "a = 'y'")
    check("select '" + "x" * 100_000 + "'")
