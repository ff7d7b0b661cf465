"""Query text -> AST: every clause, operator, literal, and every syntax error."""

from __future__ import annotations

import datetime as dt

import pytest

from gvizql import QueryError, parse
from gvizql.ast import (
    Aggregation,
    And,
    Comparison,
    FormatItem,
    IsNull,
    LabelItem,
    Literal,
    Not,
    Or,
    OrderItem,
    Query,
    QueryOption,
    SortDirection,
)
from gvizql.ast import (
    AggregationFunction as F,
)
from gvizql.ast import (
    ColumnRef as Col,
)
from gvizql.ast import (
    ComparisonOperator as Op,
)
from gvizql.ast import (
    FunctionCall as Fn,
)
from gvizql.datatable import ValueType as T
from gvizql.parser import MAX_COLUMNS, MAX_CONDITIONS, MAX_DEPTH, MAX_QUERY_LENGTH


def num(v: float) -> Literal:
    return Literal(v, T.NUMBER)


def text(v: str) -> Literal:
    return Literal(v, T.STRING)


def cmp(op: Op, left, right) -> Comparison:  # type: ignore[no-untyped-def]
    return Comparison(op, left, right)


a, b, c = Col("a"), Col("b"), Col("c")

QUERIES = [
    ("", Query()),
    ("select *", Query()),
    ("SELECT a, b", Query(select=(a, b))),
    ("sElEcT a", Query(select=(a,))),
    ("select `first name`, `date`", Query(select=(Col("first name"), Col("date")))),
    ("select A", Query(select=(Col("A"),))),
    (
        "select count(a), SUM(b), avg(c), min(a), max(b)",
        Query(
            select=(
                Aggregation(F.COUNT, a),
                Aggregation(F.SUM, b),
                Aggregation(F.AVG, c),
                Aggregation(F.MIN, a),
                Aggregation(F.MAX, b),
            )
        ),
    ),
    # a column may be named like a function or aggregation
    ("select count, year", Query(select=(Col("count"), Col("year")))),
    ("select a + b * c", Query(select=(Fn("sum", (a, Fn("product", (b, c)))),))),
    ("select (a + b) * c", Query(select=(Fn("product", (Fn("sum", (a, b)), c)),))),
    ("select a - b - c", Query(select=(Fn("difference", (Fn("difference", (a, b)), c)),))),
    ("select a / 2 % 3", Query(select=(Fn("modulo", (Fn("quotient", (a, num(2))), num(3))),))),
    ("select -1.5, 2000., .5", Query(select=(num(-1.5), num(2000.0), num(0.5)))),
    ("select a - -1", Query(select=(Fn("difference", (a, num(-1))),))),
    (
        "select year(a), dayOfWeek(a), DATEDIFF(a, b), toDate(a), now()",
        Query(
            select=(Fn("year", (a,)), Fn("dayofweek", (a,)), Fn("datediff", (a, b)), Fn("todate", (a,)), Fn("now", ()))
        ),
    ),
    ("select upper(lower(a))", Query(select=(Fn("upper", (Fn("lower", (a,)),)),))),
    ("select sum(a) / 7", Query(select=(Fn("quotient", (Aggregation(F.SUM, a), num(7))),))),
    (
        "select 'x', \"y\", true, FALSE",
        Query(select=(text("x"), text("y"), Literal(True, T.BOOLEAN), Literal(False, T.BOOLEAN))),
    ),
    ("select date '2009-10-1'", Query(select=(Literal(dt.date(2009, 10, 1), T.DATE),))),
    (
        "select datetime '2009-10-01 10:20:30'",
        Query(select=(Literal(dt.datetime(2009, 10, 1, 10, 20, 30), T.DATETIME),)),
    ),
    # timestamp is another name for datetime; milliseconds are read as an integer
    (
        "select timestamp '1999-12-31 23:59:59.999'",
        Query(select=(Literal(dt.datetime(1999, 12, 31, 23, 59, 59, 999000), T.DATETIME),)),
    ),
    # every form Java's String.split and Integer.parseInt let through, as in the reference
    ("select date '02009-001-0005'", Query(select=(Literal(dt.date(2009, 1, 5), T.DATE),))),
    ("select date '+2009-+1-+5'", Query(select=(Literal(dt.date(2009, 1, 5), T.DATE),))),
    ("select date '2009-1-5-'", Query(select=(Literal(dt.date(2009, 1, 5), T.DATE),))),
    ("select date '\uff12\uff10\uff10\uff19-1-5'", Query(select=(Literal(dt.date(2009, 1, 5), T.DATE),))),
    (
        "select datetime '2009-1-5 7:8:9.0999 '",
        Query(select=(Literal(dt.datetime(2009, 1, 5, 7, 8, 9, 999000), T.DATETIME),)),
    ),
    ("select datetime '2009-1-5 7:8:9:'", Query(select=(Literal(dt.datetime(2009, 1, 5, 7, 8, 9), T.DATETIME),))),
    (
        "select datetime '2009-10-01 10:20:30.4'",
        Query(select=(Literal(dt.datetime(2009, 10, 1, 10, 20, 30, 4000), T.DATETIME),)),
    ),
    ("select timeofday '10:20:30'", Query(select=(Literal(dt.time(10, 20, 30), T.TIMEOFDAY),))),
    # a reference bug we fix: milliseconds in timeofday literals
    ("select timeofday '10:20:30.123'", Query(select=(Literal(dt.time(10, 20, 30, 123000), T.TIMEOFDAY),))),
    # \uXXXX escapes are decoded before parsing
    ("select \\u0061", Query(select=(a,))),
    ("where a = '\\u00e9t\\u00E9'", Query(where=cmp(Op.EQ, a, text("été")))),
    # WHERE
    ("where a = 1", Query(where=cmp(Op.EQ, a, num(1)))),
    ("where a != 1", Query(where=cmp(Op.NE, a, num(1)))),
    ("where a <> 1", Query(where=cmp(Op.NE, a, num(1)))),
    ("where a < 1", Query(where=cmp(Op.LT, a, num(1)))),
    ("where a <= 1", Query(where=cmp(Op.LE, a, num(1)))),
    ("where a > 1", Query(where=cmp(Op.GT, a, num(1)))),
    ("where a >= 1", Query(where=cmp(Op.GE, a, num(1)))),
    ("where 4 < a", Query(where=cmp(Op.LT, num(4), a))),
    ("where 1 = 1", Query(where=cmp(Op.EQ, num(1), num(1)))),
    ("where a = b", Query(where=cmp(Op.EQ, a, b))),
    ("where a contains 'x'", Query(where=cmp(Op.CONTAINS, a, text("x")))),
    ("where a starts with 'x'", Query(where=cmp(Op.STARTS_WITH, a, text("x")))),
    ("where a ends with 'x'", Query(where=cmp(Op.ENDS_WITH, a, text("x")))),
    ("where a matches '.*x'", Query(where=cmp(Op.MATCHES, a, text(".*x")))),
    ("where a like 'x%'", Query(where=cmp(Op.LIKE, a, text("x%")))),
    ("where a is null", Query(where=IsNull(a))),
    ("where a IS NOT NULL", Query(where=IsNull(a, negated=True))),
    ("where year(a) = 2009", Query(where=cmp(Op.EQ, Fn("year", (a,)), num(2009)))),
    ("where a = -1", Query(where=cmp(Op.EQ, a, num(-1)))),
    # expressions on either side, as in the reference (but see the literal rule in ERRORS)
    ("where a * 2 > 10", Query(where=cmp(Op.GT, Fn("product", (a, num(2))), num(10)))),
    ("where a % 200 = 0", Query(where=cmp(Op.EQ, Fn("modulo", (a, num(200))), num(0)))),
    ("where (a) > 7", Query(where=cmp(Op.GT, a, num(7)))),
    ("where ((a) > 7)", Query(where=cmp(Op.GT, a, num(7)))),
    (
        "where day(a) - hour(b) > -5",
        Query(where=cmp(Op.GT, Fn("difference", (Fn("day", (a,)), Fn("hour", (b,)))), num(-5))),
    ),
    ("where (2) * a > 10", Query(where=cmp(Op.GT, Fn("product", (num(2), a)), num(10)))),
    ("where a > (2 * 3)", Query(where=cmp(Op.GT, a, Fn("product", (num(2), num(3)))))),
    ("where 1 = 1 + a", Query(where=cmp(Op.EQ, num(1), Fn("sum", (num(1), a))))),
    ("where a = b + 1", Query(where=cmp(Op.EQ, a, Fn("sum", (b, num(1)))))),
    ("where upper(a) contains lower(b)", Query(where=cmp(Op.CONTAINS, Fn("upper", (a,)), Fn("lower", (b,))))),
    ("where a + 1 is null", Query(where=IsNull(Fn("sum", (a, num(1)))))),
    ("where (1) is not null", Query(where=IsNull(num(1), negated=True))),
    # precedence: not > and > or
    (
        "where a = 1 or b = 2 and c = 3",
        Query(where=Or((cmp(Op.EQ, a, num(1)), And((cmp(Op.EQ, b, num(2)), cmp(Op.EQ, c, num(3))))))),
    ),
    ("where not a = 1 and b = 2", Query(where=And((Not(cmp(Op.EQ, a, num(1))), cmp(Op.EQ, b, num(2)))))),
    (
        "where (a = 1 or b = 2) and c = 3",
        Query(where=And((Or((cmp(Op.EQ, a, num(1)), cmp(Op.EQ, b, num(2)))), cmp(Op.EQ, c, num(3))))),
    ),
    (
        "where a = 1 and b = 2 and c = 3",
        Query(where=And((cmp(Op.EQ, a, num(1)), cmp(Op.EQ, b, num(2)), cmp(Op.EQ, c, num(3))))),
    ),
    ("where not (not a is null)", Query(where=Not(Not(IsNull(a))))),
    # GROUP BY, PIVOT, ORDER BY
    ("select a, sum(b) group by a", Query(select=(a, Aggregation(F.SUM, b)), group_by=(a,))),
    (
        "select sum(b) group by a, year(c) pivot c",
        Query(select=(Aggregation(F.SUM, b),), group_by=(a, Fn("year", (c,))), pivot=(c,)),
    ),
    (
        "order by a, b desc, c ASC",
        Query(order_by=(OrderItem(a), OrderItem(b, SortDirection.DESC), OrderItem(c, SortDirection.ASC))),
    ),
    (
        "select sum(a) order by sum(a) desc",
        Query(select=(Aggregation(F.SUM, a),), order_by=(OrderItem(Aggregation(F.SUM, a), SortDirection.DESC),)),
    ),
    ("order by a + 1", Query(order_by=(OrderItem(Fn("sum", (a, num(1)))),))),
    (
        "order by (a) desc, a % 2",
        Query(order_by=(OrderItem(a, SortDirection.DESC), OrderItem(Fn("modulo", (a, num(2)))))),
    ),
    # SKIPPING, LIMIT, OFFSET
    ("skipping 3", Query(skipping=3)),
    ("limit 10", Query(limit=10)),
    ("limit 0", Query(limit=0)),
    ("limit -1", Query(limit=None)),
    ("limit 5 offset 10", Query(limit=5, offset=10)),
    ("offset 2147483647", Query(offset=2147483647)),
    # LABEL, FORMAT, OPTIONS
    ("label a 'A', sum(b) \"Total\"", Query(labels=(LabelItem(a, "A"), LabelItem(Aggregation(F.SUM, b), "Total")))),
    ("format a '#,##0.0', b 'yyyy'", Query(formats=(FormatItem(a, "#,##0.0"), FormatItem(b, "yyyy")))),
    ("options no_format", Query(options=frozenset({QueryOption.NO_FORMAT}))),
    ("options NO_VALUES no_format", Query(options=frozenset({QueryOption.NO_FORMAT, QueryOption.NO_VALUES}))),
    # every clause, in order
    (
        "select a, sum(b) where c > 1 group by a pivot c order by a desc skipping 2 limit 3 offset 1 "
        "label a 'A' format sum(b) '#' options no_format",
        Query(
            select=(a, Aggregation(F.SUM, b)),
            where=cmp(Op.GT, c, num(1)),
            group_by=(a,),
            pivot=(c,),
            order_by=(OrderItem(a, SortDirection.DESC),),
            skipping=2,
            limit=3,
            offset=1,
            labels=(LabelItem(a, "A"),),
            formats=(FormatItem(Aggregation(F.SUM, b), "#"),),
            options=frozenset({QueryOption.NO_FORMAT}),
        ),
    ),
]


@pytest.mark.parametrize(("tq", "expected"), QUERIES, ids=[q for q, _ in QUERIES])
def test_parse(tq: str, expected: Query) -> None:
    assert parse(tq) == expected


def test_positions_are_offsets_into_the_text() -> None:
    q = parse("select a,  sum(bb) where  year(c) = 2009 order by a desc")
    assert q.select is not None
    assert [e.pos for e in q.select] == [7, 11]
    assert q.select[1].column.pos == 15  # type: ignore[union-attr]
    assert q.where is not None and q.where.pos == 26
    assert q.where.right.pos == 36  # type: ignore[union-attr]
    assert q.order_by[0].pos == 50


ERRORS = [
    ("select a from t", 'Unexpected token "from" at position 9'),
    ("SELECT a FROM t", 'Unexpected token "FROM" at position 9'),
    ("select", "Unexpected end of query at position 6"),
    ("select a,", "Unexpected end of query at position 9"),
    ("select a where", "Unexpected end of query at position 14"),
    ("where a = 'abc", "Unterminated string ' at position 10"),
    ('where a = "abc', 'Unterminated string " at position 10'),
    ("select `a", "Unterminated identifier ` at position 7"),
    ("select a $ b", 'Unexpected character "$" at position 9'),
    ("select a; drop table t", 'Unexpected character ";" at position 8'),
    # clauses in the wrong order
    ("where a = 1 select a", 'Unexpected token "select" at position 12'),
    ("limit 1 order by a", 'Unexpected token "order" at position 8'),
    # as in the reference: an operand that starts with a literal is that literal alone
    # (except on the right of a literal), and no bare boolean in WHERE
    ("where 2 * a > 10", 'Unexpected token "*" at position 8'),
    ("where a > 2 * 3", 'Unexpected token "*" at position 12'),
    ("where a > -2 - a", 'Unexpected token "-" at position 13'),
    ("where 'x' + a = 1", 'Unexpected token "+" at position 10'),
    ("where 1 is null", 'Unexpected token "is" at position 8'),
    ("where not not a = 1", 'Unexpected token "not" at position 10'),
    ("where (a)", "Unexpected end of query at position 9"),
    ("where true", "Unexpected end of query at position 10"),
    ("where a", "Unexpected end of query at position 7"),
    # keywords must be back-quoted to be columns
    ("select date", "Unexpected end of query at position 11"),
    ("select a where date = 1", 'Unexpected token "=" at position 20'),
    # functions and aggregations
    ("select foo(a)", 'Unknown function "foo" (at position 7)'),
    ("select quotient(a, b)", 'Unknown function "quotient" (at position 7)'),
    ("select sum(year(a))", 'Aggregation "sum" takes a column, not "year(a)" (at position 11)'),
    ("select sum(sum(a))", 'Aggregations cannot be nested: "sum(sum(a))" (at position 11)'),
    ("select count(a, b)", 'Aggregation "count" takes exactly one column, not 2 arguments (at position 7)'),
    ("select max()", 'Aggregation "max" takes exactly one column, not 0 arguments (at position 7)'),
    ("select count(*)", 'Unexpected token "*" at position 13'),
    # no exponents in numbers
    ("select 1e5", 'Number "1e5" has an exponent, which the query language does not allow (at position 7)'),
    ("where a > 2.5E-3", 'Number "2.5E-3" has an exponent, which the query language does not allow (at position 10)'),
    ("where a > -1e5", 'Number "1e5" has an exponent, which the query language does not allow (at position 11)'),
    # literals
    ("select date '2009-13-01'", "Invalid date literal '2009-13-01' (expected 'yyyy-MM-dd') (at position 12)"),
    ("select date 'yesterday'", "Invalid date literal 'yesterday' (expected 'yyyy-MM-dd') (at position 12)"),
    (
        "select datetime '2009-10-01'",
        "Invalid datetime literal '2009-10-01' (expected 'yyyy-MM-dd HH:mm:ss[.SSS]') (at position 16)",
    ),
    (
        "select datetime '2008-03-01 10:00'",
        "Invalid datetime literal '2008-03-01 10:00' (expected 'yyyy-MM-dd HH:mm:ss[.SSS]') (at position 16)",
    ),
    (
        "select datetime '2008-03-01  10:00:00'",
        "Invalid datetime literal '2008-03-01  10:00:00' (expected 'yyyy-MM-dd HH:mm:ss[.SSS]') (at position 16)",
    ),
    (
        "select datetime '2008-03-01 10:00:00.1000'",
        "Invalid datetime literal '2008-03-01 10:00:00.1000' (expected 'yyyy-MM-dd HH:mm:ss[.SSS]') (at position 16)",
    ),
    ("select date '2009--1-5'", "Invalid date literal '2009--1-5' (expected 'yyyy-MM-dd') (at position 12)"),
    ("select date ' 2009-1-5'", "Invalid date literal ' 2009-1-5' (expected 'yyyy-MM-dd') (at position 12)"),
    ("select date '0-1-5'", "Invalid date literal '0-1-5' (expected 'yyyy-MM-dd') (at position 12)"),
    ("select date '2009-02-29'", "Invalid date literal '2009-02-29' (expected 'yyyy-MM-dd') (at position 12)"),
    (
        "select timeofday '25:00:00'",
        "Invalid timeofday literal '25:00:00' (expected 'HH:mm:ss[.SSS]') (at position 17)",
    ),
    # counts
    ("limit 2147483648", "LIMIT must be -1 or a whole number from 0 to 2147483647, not 2147483648 (at position 6)"),
    ("limit 99999999999999999999999", 'Number "99999999999999999999999" is too large (at position 6)'),
    ("limit -2", "LIMIT must be -1 or a whole number from 0 to 2147483647, not -2 (at position 6)"),
    ("limit 1.5", 'Expected a whole number, not "1.5" (at position 6)'),
    ("offset -1", "OFFSET must be a whole number from 0 to 2147483647, not -1 (at position 7)"),
    ("skipping 0", "SKIPPING must be a whole number from 1 to 2147483647, not 0 (at position 9)"),
    # duplicates
    ("select a, a", '"a" appears more than once in SELECT (at position 10)'),
    ("select sum(b) group by a, a", '"a" appears more than once in GROUP BY (at position 26)'),
    ("select sum(b) pivot a, a", '"a" appears more than once in PIVOT (at position 23)'),
    ("options foo", 'Unexpected token "foo" at position 8'),
    # as in the reference: options are separated by spaces only
    ("options no_values, no_format", 'Unexpected token "," at position 17'),
    ("select a order by a, b, a desc", '"a" appears more than once in ORDER BY (at position 24)'),
    # escapes: positions refer to the original text
    ("select \\u0061 from", 'Unexpected token "from" at position 14'),
]


@pytest.mark.parametrize(("tq", "message"), ERRORS, ids=[q for q, _ in ERRORS])
def test_syntax_errors(tq: str, message: str) -> None:
    with pytest.raises(QueryError) as info:
        parse(tq)
    assert info.value.reason == "invalid_query"
    assert str(info.value) == message


def test_query_too_long() -> None:
    tq = "select a where " + " or ".join(["a = 1"] * (MAX_QUERY_LENGTH // 8))
    with pytest.raises(QueryError) as info:
        parse(tq)
    assert info.value.reason == "invalid_query"
    assert str(info.value) == f"The query is longer than {MAX_QUERY_LENGTH} characters"


@pytest.mark.parametrize(
    "tq",
    [
        "select " + "(" * 5000 + "a" + ")" * 5000,
        "select " + "upper(" * 500 + "a" + ")" * 500,
        "select " + " + ".join(["a"] * 2000),
        "where " + "not (" * 5000 + "a is null" + ")" * 5000,
        "where " + "(" * 5000 + "a is null" + ")" * 5000,
    ],
    ids=["parentheses", "calls", "arithmetic-chain", "nots", "condition-parentheses"],
)
def test_deep_nesting_is_rejected_without_exhausting_the_stack(tq: str) -> None:
    with pytest.raises(QueryError) as info:
        parse(tq)
    assert info.value.reason == "invalid_query"
    assert f"nests deeper than {MAX_DEPTH} levels" in str(info.value)


def test_nesting_within_the_limit_parses() -> None:
    depth = MAX_DEPTH - 1
    q = parse("select " + "upper(" * depth + "a" + ")" * depth)
    assert q.select is not None


def test_long_flat_conditions_parse_up_to_the_limit() -> None:
    q = parse("where " + " and ".join(f"a = {i}" for i in range(MAX_CONDITIONS)))
    assert isinstance(q.where, And) and len(q.where.operands) == MAX_CONDITIONS


def _items(prefix: str, count: int) -> str:
    return ", ".join(f"{prefix}{i}" for i in range(count))


# Each limit passed by one: the message names the limit and the first item past it.
OVERSIZED = [
    (
        "where " + " and ".join(f"a = {i}" for i in range(MAX_CONDITIONS)) + " or b is null",
        f"The WHERE clause has more than {MAX_CONDITIONS} conditions",
    ),
    (
        "where " + " or ".join(f"(a = {i} and not b > {i})" for i in range(MAX_CONDITIONS // 2)) + " or c = 1",
        f"The WHERE clause has more than {MAX_CONDITIONS} conditions",
    ),
    ("select " + _items("a", MAX_COLUMNS + 1), f"SELECT has more than {MAX_COLUMNS} items"),
    ("select count(x) group by " + _items("a", MAX_COLUMNS + 1), f"GROUP BY has more than {MAX_COLUMNS} items"),
    ("select count(x) pivot " + _items("a", MAX_COLUMNS + 1), f"PIVOT has more than {MAX_COLUMNS} items"),
    ("select a order by " + _items("a", MAX_COLUMNS + 1), f"ORDER BY has more than {MAX_COLUMNS} items"),
]


@pytest.mark.parametrize(("tq", "message"), OVERSIZED, ids=[m for _, m in OVERSIZED])
def test_oversized_queries_are_refused(tq: str, message: str) -> None:
    with pytest.raises(QueryError) as info:
        parse(tq)
    assert info.value.reason == "invalid_query"
    assert info.value.message == message
    # The position is that of the first condition or item past the limit.
    assert tq[info.value.position :].startswith(("b is null", "c = 1", f"a{MAX_COLUMNS}"))


def test_huge_number_literals_do_not_crash() -> None:
    q = parse("select " + "9" * 5000)
    assert q.select == (num(float("inf")),)


def test_positions_count_the_text_as_sent_even_with_escapes() -> None:
    q = parse("select \\u0061, bb where \\u0061 = 'x'")
    assert q.select is not None
    assert [e.pos for e in q.select] == [7, 15]
    assert q.where is not None and q.where.right.pos == 33  # type: ignore[union-attr]
