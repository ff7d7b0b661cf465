"""Validation and output columns: ids, labels, types, patterns, and every rule's error."""

from __future__ import annotations

import datetime as dt

import pytest

from gvizql import Column, QueryError, analyze, parse
from gvizql import ValueType as T
from gvizql.analyze import AnalyzedQuery
from gvizql.ast import Aggregation, ColumnRef, Comparison, FunctionCall, Literal, Query
from gvizql.ast import AggregationFunction as F
from gvizql.parser import MAX_COLUMNS

SCHEMA = [
    Column("worked_on", T.DATE, "Date"),
    Column("stamp", T.DATETIME, "Stamp"),
    Column("start", T.TIMEOFDAY, "Start"),
    Column("provider_id", T.STRING, "Provider"),
    Column("team", T.STRING),
    Column("hours", T.NUMBER, "Hours"),
    Column("salary", T.NUMBER, "Salary"),
    Column("hire_date", T.DATE, "Hire Date"),
    Column("seniority_start", T.DATE, "Seniority Start"),
    Column("billable", T.BOOLEAN, "Billable"),
    Column("first name", T.STRING, "First name"),
]


def run(tq: str, **options: bool) -> AnalyzedQuery:
    return analyze(parse(tq), SCHEMA, **options)


def columns(tq: str, **options: bool) -> list[tuple[str, str, str | None, str | None]]:
    return [(c.id, c.type.value, c.label, c.pattern) for c in run(tq, **options).output_columns()]


OUTPUT_COLUMNS = [
    ("select hours, team", [("hours", "number", "Hours", None), ("team", "string", None, None)]),
    ("select `first name`", [("first name", "string", "First name", None)]),
    (
        "select sum(hours), count(team), avg(salary)",
        [
            ("sum-hours", "number", "sum Hours", None),
            ("count-team", "number", "count team", None),
            ("avg-salary", "number", "avg Salary", None),
        ],
    ),
    (
        "select min(worked_on), max(provider_id), max(billable)",
        [
            ("min-worked_on", "date", "min Date", None),
            ("max-provider_id", "string", "max Provider", None),
            ("max-billable", "boolean", "max Billable", None),
        ],
    ),
    (
        "select year(worked_on), sum(hours) group by year(worked_on)",
        [("year_worked_on", "number", "year(Date)", None), ("sum-hours", "number", "sum Hours", None)],
    ),
    ("select sum(salary) / 7", [("quotient_sum-salary,7.0_", "number", "quotient(sum Salary7.0())", None)]),
    (
        "select dateDiff(hire_date, seniority_start)",
        [("dateDiff_hire_date,seniority_start", "number", "dateDiff(Hire DateSeniority Start)", None)],
    ),
    ("select dayOfWeek(worked_on)", [("dayofweek_worked_on", "number", "dayofweek(Date)", None)]),
    (
        "select toDate(stamp), toDate(hours)",
        [("toDate_stamp", "date", "toDate(Stamp)", None), ("toDate_hours", "date", "toDate(Hours)", None)],
    ),
    (
        "select month(stamp), quarter(worked_on), day(worked_on)",
        [
            ("month_stamp", "number", "month(Stamp)", None),
            ("quarter_worked_on", "number", "quarter(Date)", None),
            ("day_worked_on", "number", "day(Date)", None),
        ],
    ),
    (
        "select hour(start), minute(stamp), second(start), millisecond(stamp)",
        [
            ("hour_start", "number", "hour(Start)", None),
            ("minute_stamp", "number", "minute(Stamp)", None),
            ("second_start", "number", "second(Start)", None),
            ("millisecond_stamp", "number", "millisecond(Stamp)", None),
        ],
    ),
    (
        "select now(), upper(team), lower(provider_id)",
        [
            ("now_", "datetime", "now()", None),
            ("upper_team", "string", "upper(team)", None),
            ("lower_provider_id", "string", "lower(Provider)", None),
        ],
    ),
    (
        "select hours + 1, hours - salary, hours * 2.5, hours % 3",
        [
            ("sum_hours,1.0_", "number", "sum(Hours1.0())", None),
            ("difference_hours,salary", "number", "difference(HoursSalary)", None),
            ("product_hours,2.5_", "number", "product(Hours2.5())", None),
            ("modulo_hours,3.0_", "number", "modulo(Hours3.0())", None),
        ],
    ),
    (
        "select date '2009-10-01', 7, 'x', true",
        [
            ("DATE '2009-10-1'_", "date", "DATE '2009-10-1'()", None),
            ("7.0_", "number", "7.0()", None),
            ('"x"_', "string", '"x"()', None),
            ("true_", "boolean", "true()", None),
        ],
    ),
    (
        "select datetime '2009-10-01 10:20:30.5', timeofday '08:00:00'",
        [
            ("DATETIME '2009-10-1 10:20:30.5'_", "datetime", "DATETIME '2009-10-1 10:20:30.5'()", None),
            ("TIMEOFDAY '8:0:0'_", "timeofday", "TIMEOFDAY '8:0:0'()", None),
        ],
    ),
    (
        "select 2009, 10000000, 0.0001",
        [
            ("2009.0_", "number", "2009.0()", None),
            ("1.0E7_", "number", "1.0E7()", None),
            ("1.0E-4_", "number", "1.0E-4()", None),
        ],
    ),
    (
        "select team, sum(hours) group by team label team 'Team', sum(hours) 'Total'",
        [("team", "string", "Team", None), ("sum-hours", "number", "Total", None)],
    ),
    (
        "select hours, worked_on format hours '#,##0.0', worked_on 'yyyy-MM'",
        [("hours", "number", "Hours", "#,##0.0"), ("worked_on", "date", "Date", "yyyy-MM")],
    ),
    ("select billable format billable 'yes:no'", [("billable", "boolean", "Billable", "yes:no")]),
]


@pytest.mark.parametrize(("tq", "expected"), OUTPUT_COLUMNS, ids=[q for q, _ in OUTPUT_COLUMNS])
def test_output_columns(tq: str, expected: list[tuple[str, str, str | None, str | None]]) -> None:
    assert columns(tq) == expected


def test_star_expands_to_every_column() -> None:
    a = run("select *")
    assert a.selected == tuple(ColumnRef(c.id) for c in SCHEMA)
    assert a.query.select == a.selected
    assert [c.id for c in a.output_columns()] == [c.id for c in SCHEMA]
    assert not a.aggregated


@pytest.mark.parametrize(
    ("tq", "aggregated", "aggregations"),
    [
        ("select hours", False, []),
        ("select sum(hours)", True, ["sum-hours"]),
        ("select team, sum(hours), max(hours) group by team order by sum(hours)", True, ["sum-hours", "max-hours"]),
        ("select sum(hours) / count(hours), sum(hours)", True, ["sum-hours", "count-hours"]),
        ("select sum(hours) pivot team", True, ["sum-hours"]),
    ],
)
def test_aggregated_and_aggregations(tq: str, aggregated: bool, aggregations: list[str]) -> None:
    a = run(tq)
    assert a.aggregated is aggregated
    assert [a.id_of(x) for x in a.aggregations] == aggregations


def test_type_of_any_expression() -> None:
    a = run("select hours, year(worked_on), upper(team), stamp")
    assert [a.type_of(e) for e in a.selected] == [T.NUMBER, T.NUMBER, T.STRING, T.DATETIME]
    b = run("select sum(salary), max(team), min(worked_on), count(team)")
    assert [b.type_of(e) for e in b.selected] == [T.NUMBER, T.STRING, T.DATE, T.NUMBER]
    assert a.type_of(Literal(dt.date(2020, 1, 1), T.DATE)) is T.DATE


PIVOTS = [
    # one aggregation: the label is just the pivot values
    (
        "select team, sum(hours) group by team pivot provider_id",
        [("alpha",), (None,), ("beta",)],
        [("team", None), (" sum-hours", ""), ("alpha sum-hours", "alpha"), ("beta sum-hours", "beta")],
    ),
    # several: values, a space, the aggregation's label; grouped by aggregation
    (
        "select sum(hours), count(hours) pivot provider_id",
        [("b",), ("a",)],
        [
            ("a sum-hours", "a sum Hours"),
            ("b sum-hours", "b sum Hours"),
            ("a count-hours", "a count Hours"),
            ("b count-hours", "b count Hours"),
        ],
    ),
    # numbers as Java doubles, several pivot columns joined by commas, null as "null"
    (
        "select sum(salary) pivot hours, team",
        [(2009, "x"), (None, "y"), (1.5, "x")],
        [("null,y sum-salary", "null,y"), ("1.5,x sum-salary", "1.5,x"), ("2009.0,x sum-salary", "2009.0,x")],
    ),
    (
        "select sum(hours) pivot worked_on",
        [(dt.date(2009, 10, 2),), (dt.date(2009, 1, 31),)],
        [("2009-01-31 sum-hours", "2009-01-31"), ("2009-10-02 sum-hours", "2009-10-02")],
    ),
    (
        "select sum(hours) pivot billable",
        [(True,), (False,)],
        [("false sum-hours", "false"), ("true sum-hours", "true")],
    ),
    # a LABEL on a pivoted aggregation: values, a space, the label
    ("select sum(hours) pivot team label sum(hours) 'Total'", [("x",)], [("x sum-hours", "x Total")]),
    # text keys in code-point order: upper case before lower case
    (
        "select sum(hours) pivot team",
        [("b",), ("B",), ("a",)],
        [("B sum-hours", "B"), ("a sum-hours", "a"), ("b sum-hours", "b")],
    ),
    # a null text and '' are one pivot value (the first one seen is kept)
    ("select sum(hours) pivot team", [("",), (None,)], [(" sum-hours", "")]),
    # scalar functions over aggregations are pivoted too, labelled with the key and their label
    ("select sum(hours) / 2 pivot team", [("x",)], [("x quotient_sum-hours,2.0_", "x quotient(sum Hours2.0())")]),
    (
        "select sum(hours), sum(hours) / 2 pivot team",
        [("x",)],
        [("x sum-hours", "x"), ("x quotient_sum-hours,2.0_", "x quotient(sum Hours2.0())")],
    ),
    # several distinct aggregations, wherever they are selected: each labelled in full
    (
        "select max(hours), sum(salary) / 2 pivot team",
        [("x",)],
        [("x max-hours", "x max Hours"), ("x quotient_sum-salary,2.0_", "x quotient(sum Salary2.0())")],
    ),
    (
        "select sum(hours) / 2 pivot team label sum(hours) / 2 'Half'",
        [("x",), ("y",)],
        [("x quotient_sum-hours,2.0_", "x Half"), ("y quotient_sum-hours,2.0_", "y Half")],
    ),
    # no key (WHERE left no row): the columns of the query without its PIVOT
    (
        "select team, sum(hours) / 2 group by team pivot billable",
        [],
        [("team", None), ("quotient_sum-hours,2.0_", "quotient(sum Hours2.0())")],
    ),
    ("select sum(hours) pivot team label sum(hours) 'Total'", [], [("sum-hours", "Total")]),
]


@pytest.mark.parametrize(("tq", "keys", "expected"), PIVOTS, ids=[q for q, _, _ in PIVOTS])
def test_pivot_output_columns(tq: str, keys: list[tuple], expected: list[tuple[str, str | None]]) -> None:  # type: ignore[type-arg]
    a = run(tq)
    assert [(c.id, c.label) for c in a.pivot_output_columns(keys)] == expected


def test_pivot_key_order_and_types() -> None:
    a = run("select sum(salary) pivot team, hours")
    assert a.pivot_types == (T.STRING, T.NUMBER)
    assert a.pivot_key_order([("b", 1), ("a", 2), ("a", None), (None, 3), ("", 1)]) == [
        ("", 1),
        (None, 3),
        ("a", None),
        ("a", 2),
        ("b", 1),
    ]


def test_pivot_column_types_and_patterns() -> None:
    a = run("select team, max(worked_on) group by team pivot billable format max(worked_on) 'yyyy'")
    cols = a.pivot_output_columns([(True,)])
    assert [(c.type, c.pattern) for c in cols] == [(T.STRING, None), (T.DATE, "yyyy")]


# --- options ------------------------------------------------------------------------------------


def test_implicit_group_by_groups_by_the_plain_selected_expressions() -> None:
    a = run("select worked_on, provider_id, year(stamp), sum(hours)", implicit_group_by=True)
    assert [a.id_of(e) for e in a.query.group_by] == ["worked_on", "provider_id", "year_stamp"]
    assert a.aggregated


@pytest.mark.parametrize(
    "tq",
    ["select hours", "select sum(hours)", "select team, sum(hours) group by team", "select 1, sum(hours)"],
)
def test_implicit_group_by_leaves_other_queries_alone(tq: str) -> None:
    assert run(tq, implicit_group_by=True).query.group_by == parse(tq).group_by


def test_without_implicit_group_by_mixing_is_an_error() -> None:
    with pytest.raises(QueryError) as info:
        run("select provider_id, sum(hours)")
    assert str(info.value) == (
        'Column "provider_id" should be added to GROUP BY, removed from SELECT, or aggregated in SELECT (at position 7)'
    )


@pytest.mark.parametrize(
    ("tq", "literal"),
    [
        ("where worked_on >= '2009-10-01'", Literal(dt.date(2009, 10, 1), T.DATE)),
        ('where worked_on = "2009-1-5"', Literal(dt.date(2009, 1, 5), T.DATE)),
        ("where '2009-10-01' < worked_on", Literal(dt.date(2009, 10, 1), T.DATE)),
        ("where stamp > '2009-10-01'", Literal(dt.datetime(2009, 10, 1), T.DATETIME)),
        ("where stamp > '2009-10-01 12:30:00'", Literal(dt.datetime(2009, 10, 1, 12, 30), T.DATETIME)),
    ],
)
def test_date_strings_become_date_literals(tq: str, literal: Literal) -> None:
    where = run(tq, date_strings=True).query.where
    assert isinstance(where, Comparison)
    assert literal in (where.left, where.right)


def test_date_strings_reach_into_and_or_not() -> None:
    where = run("where not (worked_on > '2009-10-01' or team = 'x') and hours > 1", date_strings=True).query.where
    assert "DATE" in repr(where) and "'x'" in repr(where)


def test_date_strings_off_keeps_the_string() -> None:
    where = run("where worked_on >= '2009-10-01'").query.where
    assert isinstance(where, Comparison) and where.right == Literal("2009-10-01", T.STRING)


def test_date_strings_leave_text_comparisons_alone() -> None:
    where = run("where team = '2009-10-01' and worked_on contains '2009'", date_strings=True).query.where
    assert "DATE" not in repr(where)


# --- warnings -----------------------------------------------------------------------------------


def test_invalid_format_pattern_is_a_warning_and_kept() -> None:
    a = run("select hours, worked_on format hours '#,##0.0', worked_on 'yyyy-MM-dd' ")
    assert a.warnings == ()
    b = run("select hours format hours '#.#.#'")
    assert [w.reason for w in b.warnings] == ["illegal_formatting_patterns"]
    assert b.output_columns()[0].pattern == "#.#.#"  # kept, as the reference (renderers give no f)


# --- errors -------------------------------------------------------------------------------------

ERRORS = [
    # unknown columns, wherever they are
    ("select foo", 'Column "foo" does not exist in table (at position 7)'),
    ("select Hours", 'Column "Hours" does not exist in table (at position 7)'),
    ("where foo = 1", 'Column "foo" does not exist in table (at position 6)'),
    ("select sum(hours) group by foo", 'Column "foo" does not exist in table (at position 27)'),
    ("select sum(hours) pivot foo", 'Column "foo" does not exist in table (at position 24)'),
    ("order by foo", 'Column "foo" does not exist in table (at position 9)'),
    ("label foo 'x'", 'Column "foo" does not exist in table (at position 6)'),
    ("format foo 'x'", 'Column "foo" does not exist in table (at position 7)'),
    ("select sum(foo)", 'Column "foo" does not exist in table (at position 11)'),
    ("select year(foo)", 'Column "foo" does not exist in table (at position 12)'),
    # grouping
    (
        "select team, sum(hours)",
        'Column "team" should be added to GROUP BY, removed from SELECT, or aggregated in SELECT (at position 7)',
    ),
    (
        "select team, sum(hours) group by provider_id",
        'Column "team" should be added to GROUP BY, removed from SELECT, or aggregated in SELECT (at position 7)',
    ),
    (
        "select worked_on, sum(hours) group by year(worked_on)",
        'Column "worked_on" should be added to GROUP BY, removed from SELECT, or aggregated in SELECT (at position 7)',
    ),
    (
        "select hours + sum(salary)",
        'Column "hours" should be added to GROUP BY, removed from SELECT, or aggregated in SELECT (at position 7)',
    ),
    ("select team, sum(hours) pivot team", 'Column "team" is pivoted and cannot be selected (at position 7)'),
    (
        "select team, sum(hours) group by team pivot team",
        'Column "team" cannot be both grouped and pivoted (at position 33)',
    ),
    ("select team group by team", "GROUP BY needs at least one aggregation in SELECT (at position 21)"),
    # as in the reference: a column aggregated in SELECT is used nowhere else as it is
    (
        "select team, count(team) group by team",
        'Column "team" cannot be selected both as it is and aggregated (at position 7)',
    ),
    (
        "select year(worked_on), max(worked_on) group by year(worked_on)",
        'Column "worked_on" cannot be selected both as it is and aggregated (at position 12)',
    ),
    (
        "select count(team) group by team",
        'Column "team" cannot be both grouped and aggregated in "count(team)" (at position 7)',
    ),
    (
        "select provider_id, max(hours) group by provider_id pivot hours",
        'Column "hours" cannot be both pivoted and aggregated in "max(hours)" (at position 20)',
    ),
    ("select team pivot provider_id", "PIVOT needs at least one aggregation in SELECT (at position 18)"),
    ("select sum(hours) group by sum(salary)", 'Aggregation "sum(salary)" is not allowed in GROUP BY (at position 27)'),
    ("select sum(hours) pivot max(team)", 'Aggregation "max(team)" is not allowed in PIVOT (at position 24)'),
    ("where sum(hours) > 1", 'Aggregation "sum(hours)" is not allowed in WHERE (at position 6)'),
    ("where year(worked_on) = count(hours)", 'Aggregation "count(hours)" is not allowed in WHERE (at position 24)'),
    # ORDER BY
    (
        "select team, sum(hours) group by team order by hours",
        '"hours" in ORDER BY must be selected when the query aggregates (at position 47)',
    ),
    (
        "select team, sum(hours) group by team order by max(hours)",
        '"max(hours)" in ORDER BY must be selected when the query aggregates (at position 47)',
    ),
    (
        "select hours order by sum(hours)",
        'Aggregation "sum(hours)" in ORDER BY needs an aggregating query (at position 22)',
    ),
    (
        "select team, sum(hours) group by team pivot provider_id order by sum(hours)",
        '"sum(hours)" cannot be used in ORDER BY with PIVOT: it becomes one column per pivot value (at position 65)',
    ),
    # LABEL and FORMAT
    ("select hours label team 'T'", 'LABEL names "team", which is not selected (at position 19)'),
    ("select hours format team '#'", 'FORMAT names "team", which is not selected (at position 20)'),
    ("select hours label hours 'a', hours 'b'", '"hours" appears more than once in LABEL (at position 30)'),
    ("select hours format hours '#', hours '0'", '"hours" appears more than once in FORMAT (at position 31)'),
    ("select sum(hours) group by team label team 'T'", 'LABEL names "team", which is not selected (at position 38)'),
    # types
    ("select sum(team)", 'Aggregation "sum" needs a number column, but "team" is string (at position 7)'),
    ("select avg(worked_on)", 'Aggregation "avg" needs a number column, but "worked_on" is date (at position 7)'),
    ("select hours + team", 'Operator "+" needs a number argument, but "team" is string (at position 15)'),
    ("select worked_on - 1", 'Operator "-" needs a number argument, but "worked_on" is date (at position 7)'),
    ("select team * 2", 'Operator "*" needs a number argument, but "team" is string (at position 7)'),
    ("select year(hours)", 'Function "year" needs a date or datetime argument, but "hours" is number (at position 12)'),
    (
        "select hour(worked_on)",
        'Function "hour" needs a datetime or timeofday argument, but "worked_on" is date (at position 12)',
    ),
    ("select upper(hours)", 'Function "upper" needs a string argument, but "hours" is number (at position 13)'),
    (
        "select dateDiff(worked_on, start)",
        'Function "dateDiff" needs a date or datetime argument, but "start" is timeofday (at position 27)',
    ),
    (
        "select toDate(team)",
        'Function "toDate" needs a date or datetime or number argument, but "team" is string (at position 14)',
    ),
    ("select upper(lower(hours))", 'Function "lower" needs a string argument, but "hours" is number (at position 19)'),
    (
        "where year(team) = 1",
        'Function "year" needs a date or datetime argument, but "team" is string (at position 11)',
    ),
    # arity
    ("select year(worked_on, stamp)", 'Function "year" takes 1 argument, not 2 (at position 7)'),
    ("select now(1)", 'Function "now" takes 0 arguments, not 1 (at position 7)'),
    ("select dateDiff(worked_on)", 'Function "dateDiff" takes 2 arguments, not 1 (at position 7)'),
    ("select upper()", 'Function "upper" takes 1 argument, not 0 (at position 7)'),
]


@pytest.mark.parametrize(("tq", "message"), ERRORS, ids=[q for q, _ in ERRORS])
def test_errors(tq: str, message: str) -> None:
    with pytest.raises(QueryError) as info:
        run(tq)
    assert info.value.reason == "invalid_query"
    assert str(info.value) == message
    assert info.value.position is not None


def test_invalid_date_string_with_date_strings() -> None:
    with pytest.raises(QueryError) as info:
        run("where worked_on > 'last week'", date_strings=True)
    assert str(info.value) == "Invalid date \"last week\" (expected 'yyyy-MM-dd') (at position 18)"
    with pytest.raises(QueryError) as info:
        run("where stamp > '2009-13-01'", date_strings=True)
    assert str(info.value) == "Invalid datetime \"2009-13-01\" (expected 'yyyy-MM-dd[ HH:mm:ss]') (at position 14)"


def test_type_mismatch_in_where_is_not_an_error() -> None:
    # Comparing values of different types is false at run time, never an error.
    a = run("where hours = 'x' and team > 3 and worked_on = stamp and billable != 1")
    assert a.query.where is not None


def test_duplicate_source_ids_with_star() -> None:
    with pytest.raises(QueryError) as info:
        analyze(parse("select *"), [Column("a"), Column("a")])
    assert info.value.reason == "invalid_query"
    assert str(info.value) == "The table has two columns with the same id"


def test_select_star_of_a_table_wider_than_a_result_may_be() -> None:
    wide = [Column(f"c{i}") for i in range(MAX_COLUMNS + 1)]
    assert len(analyze(parse("select *"), wide[:MAX_COLUMNS]).output_columns()) == MAX_COLUMNS
    with pytest.raises(QueryError) as info:
        analyze(parse("select *"), wide)
    assert info.value.reason == "invalid_query"
    assert str(info.value) == f"The result would have more than {MAX_COLUMNS} columns"


def test_analysis_cache_keeps_each_querys_positions() -> None:
    # A repeated text hits the caches; an equal query written differently keeps its own positions.
    assert run("select hours").query.select[0].pos == 7  # type: ignore[index]
    assert run("select  hours").query.select[0].pos == 8  # type: ignore[index]
    assert run("select hours") is run("select hours")
    with pytest.raises(QueryError) as info:
        run("select   foo")
    assert info.value.position == 9


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            Query(select=(Aggregation(F.SUM, Aggregation(F.MAX, ColumnRef("hours"))),)),  # type: ignore[arg-type]
            'Aggregation "sum" takes a column, not "max(hours)"',
        ),
        (Query(select=(FunctionCall("nope", ()),)), 'Unknown function "nope"'),
        (Query(select=(FunctionCall("quotient", (ColumnRef("hours"),)),)), 'Operator "/" takes 2 arguments, not 1'),
    ],
)
def test_hand_built_queries_are_checked_too(query: Query, message: str) -> None:
    with pytest.raises(QueryError) as info:
        analyze(query, SCHEMA)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("tq", "message"),
    [
        (
            "where team matches '(a)\\1'",
            'The "matches" pattern "(a)\\1" cannot be run: a backreference \\1 at offset 3 (at position 19)',
        ),
        (
            "where hours > 1 and not team matches 'x(?=y)'",
            'The "matches" pattern "x(?=y)" cannot be run: a lookahead (?=...) at offset 1 (at position 37)',
        ),
    ],
)
def test_matches_patterns_re2_cannot_run_are_refused(tq: str, message: str) -> None:
    # Refused at analysis: no executor, no database is asked (every construct: test_regex.py).
    with pytest.raises(QueryError) as info:
        run(tq)
    assert info.value.reason == "invalid_query"
    assert str(info.value) == message


@pytest.mark.parametrize("pattern", ["(a+)+b", "(x*)*", "(", "[a-z]+"])
def test_other_matches_patterns_pass_analysis(pattern: str) -> None:
    # Nested repetition runs in linear time on RE2; an invalid pattern matches nothing.
    assert run(f"where team matches '{pattern}'").query.where is not None
