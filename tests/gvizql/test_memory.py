"""The in-memory executor: query -> rows, feature by feature, against one small table."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

import pytest

from gvizql import Column, DataTable, QueryError, run_query
from gvizql import ValueType as T

D, DT, TOD = dt.date, dt.datetime, dt.time

STAFF = DataTable(
    [
        Column("name", T.STRING, "Name"),
        Column("dept", T.STRING),
        Column("hours", T.NUMBER, "Hours"),
        Column("salary", T.NUMBER, "Salary"),
        Column("hired", T.DATE, "Hired"),
        Column("stamp", T.DATETIME, "Stamp"),
        Column("start", T.TIMEOFDAY, "Start"),
        Column("senior", T.BOOLEAN, "Senior"),
    ],
    [
        ("John", "Eng", 8, 1000, D(2005, 3, 19), DT(2008, 1, 1, 10), TOD(9), True),
        ("Dave", "Eng", 4.5, 500, D(2006, 4, 19), DT(2008, 2, 29, 23, 59, 59, 500000), TOD(10, 30), False),
        ("Sally", "Eng", 6, 600, D(2005, 10, 10), None, TOD(8), True),
        ("Ben", "Sales", 2, 400, D(2002, 10, 10), DT(2009, 12, 31), None, False),
        ("dana", "Sales", None, 350, None, DT(2010, 1, 1), TOD(12), None),
        ("Élise", "Marketing", 7, 800, D(2005, 3, 19), DT(2008, 3, 1, 10), TOD(13, 0, 0, 250000), True),
        (None, None, 1, None, D(2009, 1, 1), None, None, False),
        ("", "Sales", 3, 300, D(2009, 1, 2), DT(2008, 2, 28), TOD(9), True),
    ],
)

ALL_NAMES = [("John",), ("Dave",), ("Sally",), ("Ben",), ("dana",), ("Élise",), (None,), ("",)]

ROWS: list[tuple[str, list[tuple[Any, ...]]]] = [
    # --- WHERE: comparisons, nulls, types
    ("select name where hours > 5", [("John",), ("Sally",), ("Élise",)]),
    ("select name where hours < 2", [("dana",), (None,)]),  # a null number is smaller than any
    ("select name where hours <= 1", [("dana",), (None,)]),
    ("select name where hours >= 7", [("John",), ("Élise",)]),
    ("select name where hours = 4.5", [("Dave",)]),
    ("select name where hours != 8", [(n,) for n in ["Dave", "Sally", "Ben", "dana", "Élise", None, ""]]),
    ("select name where hours <> 8 and hours is not null", [(n,) for n in ["Dave", "Sally", "Ben", "Élise", None, ""]]),
    ("select name where 4 < hours", [("John",), ("Dave",), ("Sally",), ("Élise",)]),
    ("select name where 7 >= hours", [(n,) for n in ["Dave", "Sally", "Ben", "dana", "Élise", None, ""]]),
    ("select name where 1 = 1", ALL_NAMES),
    ("select name where 1 = 2", []),
    # different types: false, even with !=
    ("select name where hours = 'x'", []),
    ("select name where hours != 'x'", []),
    ("select name where hired = stamp", []),
    ("select name where senior != 1", []),
    # a null text is the empty string
    ("select dept where name = ''", [(None,), ("Sales",)]),
    ("select name where name != ''", [(n,) for n in ["John", "Dave", "Sally", "Ben", "dana", "Élise"]]),
    ("select name where name < 'D'", [("Ben",), (None,), ("",)]),  # code-unit order: 'd' > 'D'
    ("select name where name > 'Sally'", [("dana",), ("Élise",)]),
    ("select name where name = dept", [(None,)]),  # two null texts: '' = ''
    ("select name where hours = salary", []),
    ("select name where senior = true", [("John",), ("Sally",), ("Élise",), ("",)]),
    ("select name where senior = false", [("Dave",), ("Ben",), (None,)]),
    ("select name where senior < true", [("Dave",), ("Ben",), ("dana",), (None,)]),
    # dates, datetimes, timeofday
    ("select name where hired >= date '2005-10-10'", [("Dave",), ("Sally",), (None,), ("",)]),
    ("select name where hired < date '2005-1-1'", [("Ben",), ("dana",)]),
    ("select name where hired = date '2005-03-19'", [("John",), ("Élise",)]),
    ("select name where stamp > datetime '2008-02-29 23:59:59'", [("Dave",), ("Ben",), ("dana",), ("Élise",)]),
    ("select name where stamp = datetime '2008-02-29 23:59:59.500'", [("Dave",)]),
    ("select name where start = timeofday '13:00:00.250'", [("Élise",)]),
    ("select name where start < timeofday '9:00:00'", [("Sally",), ("Ben",), (None,)]),
    ("select name where year(hired) = 2005", [("John",), ("Sally",), ("Élise",)]),
    ("select name where month(hired) = 2", [("John",), ("Élise",)]),
    ("select name where upper(name) = 'DANA'", [("dana",)]),
    ("select name where lower(name) = ''", [(None,), ("",)]),
    # is null
    ("select name where stamp is null", [("Sally",), (None,)]),
    ("select name where name is null", [(None,)]),
    ("select name where senior is not null and start is null", [("Ben",), (None,)]),
    # text operators
    ("select name where name contains 'a'", [("Dave",), ("Sally",), ("dana",)]),
    ("select name where name starts with 'Da'", [("Dave",)]),
    ("select name where name ends with 'e'", [("Dave",), ("Élise",)]),
    ("select name where name contains ''", ALL_NAMES),
    ("select name where name like 'D_ve'", [("Dave",)]),
    ("select name where name like '%a%'", [("Dave",), ("Sally",), ("dana",)]),
    ("select name where name like 'd%'", [("dana",)]),  # case-sensitive
    ("select name where name like '%'", ALL_NAMES),
    ("select name where name like 'Da'", []),  # whole value
    ("select name where name like '.*'", []),  # no regex meaning
    ("select name where name matches '[A-Z].*'", [("John",), ("Dave",), ("Sally",), ("Ben",)]),
    ("select name where name matches 'a'", []),  # whole value
    ("select name where name matches '('", []),  # an invalid pattern matches nothing
    ("select name where dept matches name", [(None,)]),
    ("select name where name contains dept", [(None,)]),  # '' contains ''
    # text operators on non-text values use the Java text form
    ("select name where hours contains '.5'", [("Dave",)]),
    ("select name where hours ends with '.0'", [(n,) for n in ["John", "Sally", "Ben", "Élise", None, ""]]),
    ("select name where hours = 8 and hours starts with '8.0'", [("John",)]),
    ("select name where hours like 'null'", [("dana",)]),
    ("select name where senior starts with 'tr'", [("John",), ("Sally",), ("Élise",), ("",)]),
    ("select name where hired starts with '2005-03'", [("John",), ("Élise",)]),
    ("select name where stamp ends with '.500'", [("Dave",)]),
    ("select name where start contains '13:00:00.250'", [("Élise",)]),
    # and / or / not, with not > and > or
    ("select name where dept = 'Eng' and not senior = true or hours < 2", [("Dave",), ("dana",), (None,)]),
    ("select name where dept = 'Eng' and (senior = false or hours < 5)", [("Dave",)]),
    ("select name where not (dept = 'Eng' or dept = 'Sales')", [("Élise",), (None,)]),
    ("select name where not (not hours > 7)", [("John",)]),
    # --- scalar functions and arithmetic
    (
        "select year(stamp), month(stamp), day(stamp), hour(stamp), minute(stamp), second(stamp), "
        "millisecond(stamp), quarter(stamp), dayOfWeek(stamp) where name = 'Dave'",
        [(2008, 1, 29, 23, 59, 59, 500, 1, 6)],
    ),
    ("select hour(start), minute(start), second(start), millisecond(start) where name = 'Élise'", [(13, 0, 0, 250)]),
    ("select year(hired), month(hired), quarter(hired), dayofweek(hired) where name = 'Sally'", [(2005, 9, 4, 2)]),
    ("select year(stamp), dayOfWeek(hired) where name is null", [(None, 5)]),
    (
        "select dateDiff(hired, date '2005-03-18'), dateDiff(date '2008-02-28', datetime '2008-03-01 10:00:00'), "
        "dateDiff(stamp, hired) where name = 'John'",
        [(1, -2, 1018)],
    ),
    ("select dateDiff(stamp, hired) where name = 'Sally'", [(None,)]),
    (
        "select toDate(stamp), toDate(hired), toDate(86400000), toDate(hours) where name = 'John'",
        [(D(2008, 1, 1), D(2005, 3, 19), D(1970, 1, 2), D(1970, 1, 1))],
    ),
    ("select upper(name), lower(name), lower(dept) where hours < 2", [("DANA", "dana", "sales"), ("", "", "")]),
    (
        "select hours + 1, hours - 1, hours * 2, hours / 2, hours % 3, hours / 0 where name = 'Dave'",
        [(5.5, 3.5, 9.0, 2.25, 1.5, None)],
    ),
    ("select -7 % 3, 7 % -3, 7.5 % 2, 1 / 4, (1 + 2) * 3, 1 + 2 * 3 where name = 'John'", [(-1, 1, 1.5, 0.25, 9, 7)]),
    ("select hours + 1, hours * salary where name = 'dana'", [(None, None)]),
    ("select hours * 2 + salary where hours > 6", [(1016,), (814,)]),
    ("select 'x', 7, true, date '2009-1-2' where name = 'Ben'", [("x", 7, True, D(2009, 1, 2))]),
    # --- GROUP BY and aggregations
    (
        "select dept, sum(hours), count(hours), avg(hours), min(hours), max(hours) group by dept",
        [
            (None, 1, 1, 1.0, 1, 1),
            ("Eng", 18.5, 3, 18.5 / 3, 4.5, 8),
            ("Marketing", 7, 1, 7.0, 7, 7),
            ("Sales", 5, 2, 2.5, 2, 3),
        ],
    ),
    ("select dept, count(name) group by dept", [(None, 0), ("Eng", 3), ("Marketing", 1), ("Sales", 3)]),
    ("select max(name), min(name), max(hired), min(start)", [("Élise", "", D(2009, 1, 2), TOD(8))]),
    ("select min(senior), max(senior), count(senior)", [(False, True, 7)]),
    ("select senior, count(hours) group by senior", [(None, 0), (False, 3), (True, 4)]),
    ("select sum(hours)", [(31.5,)]),
    ("select count(stamp), count(name), count(dept)", [(6, 7, 7)]),
    ("select sum(hours) where dept = 'Marketing'", [(7,)]),
    ("select sum(hours), count(hours), max(name) where name = 'dana'", [(None, 0, "dana")]),
    # an aggregation over zero rows gives no rows
    ("select sum(hours) where hours > 100", []),
    ("select count(name) where hours > 100", []),
    ("select dept, sum(hours) where hours > 100 group by dept", []),
    (
        "select year(hired), count(name) group by year(hired)",
        [(None, 1), (2002, 1), (2005, 3), (2006, 1), (2009, 1)],
    ),
    ("select year(hired), sum(hours) group by hired limit 2", [(None, None), (2002, 2)]),
    # null text and '' are one group, keyed by whichever came first
    (
        "select name, count(dept) group by name",
        [(None, 1), ("Ben", 1), ("Dave", 1), ("John", 1), ("Sally", 1), ("dana", 1), ("Élise", 1)],
    ),
    (
        "select dept, senior, count(name) group by dept, senior",
        [
            (None, False, 0),
            ("Eng", False, 1),
            ("Eng", True, 2),
            ("Marketing", True, 1),
            ("Sales", None, 1),
            ("Sales", False, 1),
            ("Sales", True, 1),
        ],
    ),
    (
        "select dept, sum(salary) / count(salary) group by dept",
        [(None, None), ("Eng", 700.0), ("Marketing", 800.0), ("Sales", 350.0)],
    ),
    ("select upper(dept), max(hours) group by dept", [("", 1), ("ENG", 8), ("MARKETING", 7), ("SALES", 3)]),
    ("select 1, max(hours) group by senior", [(1, None), (1, 4.5), (1, 8)]),
    (
        "select dept, sum(hours) group by dept order by sum(hours) desc",
        [("Eng", 18.5), ("Marketing", 7), ("Sales", 5), (None, 1)],
    ),
    (
        "select dept, sum(hours) group by dept order by dept desc",
        [("Sales", 5), ("Marketing", 7), ("Eng", 18.5), (None, 1)],
    ),
    (
        "select dept, count(name) group by dept order by count(name), dept",
        [(None, 0), ("Marketing", 1), ("Eng", 3), ("Sales", 3)],
    ),
    # --- PIVOT
    (
        "select dept, sum(hours) group by dept pivot senior",
        [(None, None, 1, None), ("Eng", None, 4.5, 14), ("Marketing", None, None, 7), ("Sales", None, 2, 3)],
    ),
    ("select sum(hours) pivot dept", [(1, 18.5, 7, 5)]),
    ("select sum(hours), count(hours) where dept = 'Eng' pivot senior", [(4.5, 14, 1, 2)]),
    (
        "select dept, sum(hours) group by dept pivot senior order by dept desc limit 2",
        [("Sales", None, 2, 3), ("Marketing", None, None, 7)],
    ),
    (
        "select senior, count(name) group by senior pivot dept",
        [(None, None, None, None, 1), (False, 0, 1, None, 1), (True, None, 2, 1, 1)],
    ),
    ("select sum(hours) where hours > 100 pivot dept", []),
    ("select max(hours) / 2 pivot senior", [(None, 2.25, 4.0)]),
    # --- ORDER BY without aggregation: stable, nulls first, en-US collation for text
    ("select name order by name", [(None,), ("",), ("Ben",), ("dana",), ("Dave",), ("Élise",), ("John",), ("Sally",)]),
    (
        "select name order by name desc",
        [("Sally",), ("John",), ("Élise",), ("Dave",), ("dana",), ("Ben",), (None,), ("",)],
    ),
    (
        "select name, hours order by hours desc, name",
        [("John", 8), ("Élise", 7), ("Sally", 6), ("Dave", 4.5), ("", 3), ("Ben", 2), (None, 1), ("dana", None)],
    ),
    (
        "select name order by hired, name",
        [("dana",), ("Ben",), ("Élise",), ("John",), ("Sally",), ("Dave",), (None,), ("",)],
    ),
    (
        "select name order by hours * -1",
        [("dana",), ("John",), ("Élise",), ("Sally",), ("Dave",), ("",), ("Ben",), (None,)],
    ),
    (
        "select name order by senior desc, start",
        [("Sally",), ("John",), ("",), ("Élise",), ("Ben",), (None,), ("Dave",), ("dana",)],
    ),
    ("select name order by stamp desc limit 3", [("dana",), ("Ben",), ("Élise",)]),
    # --- SKIPPING, OFFSET, LIMIT (in that order, after sorting)
    ("select name skipping 3", [("John",), ("Ben",), (None,)]),
    ("select name skipping 1", ALL_NAMES),
    ("select name limit 2 offset 3", [("Ben",), ("dana",)]),
    ("select name limit 0", []),
    ("select name limit -1", ALL_NAMES),
    ("select name offset 7", [("",)]),
    ("select name offset 8", []),  # past the end: empty, not an error
    ("select name offset 2147483647", []),
    ("select name order by name skipping 2 limit 2 offset 1", [("Ben",), ("Dave",)]),
    ("select dept, count(name) group by dept limit 1 offset 1", [("Eng", 3)]),
    # --- options never change the table
    ("select name where hours > 7 options no_format", [("John",)]),
    ("select name where hours > 7 options no_values", [("John",)]),
]


@pytest.mark.parametrize(("tq", "expected"), ROWS, ids=[q for q, _ in ROWS])
def test_rows(tq: str, expected: list[tuple[Any, ...]]) -> None:
    assert run_query(STAFF, tq).rows == expected


COLUMNS = [
    ("", [(c.id, c.type.value, c.label, None) for c in STAFF.columns]),
    (
        "select name, sum(hours) group by name label name 'N', sum(hours) 'Total' format sum(hours) '#,##0.0'",
        [("name", "string", "N", None), ("sum-hours", "number", "Total", "#,##0.0")],
    ),
    (
        "select dept, sum(hours) group by dept pivot senior",
        [
            ("dept", "string", None, None),
            ("null sum-hours", "number", "null", None),
            ("false sum-hours", "number", "false", None),
            ("true sum-hours", "number", "true", None),
        ],
    ),
    (
        "select sum(hours), max(hired) where dept != 'Sales' pivot dept",
        [
            (" sum-hours", "number", " sum Hours", None),
            ("Eng sum-hours", "number", "Eng sum Hours", None),
            ("Marketing sum-hours", "number", "Marketing sum Hours", None),
            (" max-hired", "date", " max Hired", None),
            ("Eng max-hired", "date", "Eng max Hired", None),
            ("Marketing max-hired", "date", "Marketing max Hired", None),
        ],
    ),
    # no pivot value: the columns of the query without its PIVOT, as in the reference
    ("select sum(hours) where hours > 100 pivot dept", [("sum-hours", "number", "sum Hours", None)]),
    (
        "select dept, max(hours) / 2 where hours > 100 group by dept pivot senior",
        [("dept", "string", None, None), ("quotient_max-hours,2.0_", "number", "quotient(max Hours2.0())", None)],
    ),
    (
        "select dept, max(hours) / 2 where hours > 7 group by dept pivot senior",
        [
            ("dept", "string", None, None),
            ("true quotient_max-hours,2.0_", "number", "true quotient(max Hours2.0())", None),
        ],
    ),
    (
        "select year(hired), sum(salary) / 7 group by year(hired)",
        [
            ("year_hired", "number", "year(Hired)", None),
            ("quotient_sum-salary,7.0_", "number", "quotient(sum Salary7.0())", None),
        ],
    ),
    ("select hours where hours > 100", [("hours", "number", "Hours", None)]),
]


@pytest.mark.parametrize(("tq", "expected"), COLUMNS, ids=[q for q, _ in COLUMNS])
def test_columns(tq: str, expected: list[tuple[str, str, str | None, str | None]]) -> None:
    table = run_query(STAFF, tq)
    assert [(c.id, c.type.value, c.label, c.pattern) for c in table.columns] == expected


def test_pivot_with_two_columns_and_numbers() -> None:
    table = run_query(STAFF, "select sum(salary) where hours >= 6 pivot senior, hours")
    assert [c.id for c in table.columns] == ["true,6.0 sum-salary", "true,7.0 sum-salary", "true,8.0 sum-salary"]
    assert table.rows == [(600, 800, 1000)]


def test_modulo_by_zero_is_nan() -> None:
    (row,) = run_query(STAFF, "select hours % 0, hours / 0 where name = 'John'").rows
    assert math.isnan(row[0]) and row[1] is None


def test_now_is_the_current_utc_time_once_per_query() -> None:
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(seconds=1)
    rows = run_query(STAFF, "select now(), dateDiff(now(), hired)").rows
    after = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(seconds=1)
    assert len({r[0] for r in rows}) == 1
    assert before <= rows[0][0] <= after
    assert rows[0][0].microsecond % 1000 == 0


def test_en_us_collation_for_order_by() -> None:
    words = [
        "b",
        "B",
        "a",
        "A",
        "á",
        "1",
        "-x",
        " z",
        "Z",
        "ab",
        "Ab",
        "a b",
        "10",
        "2",
        "é",
        "e",
        "E",
        "_y",
        "$5",
        ".",
        "(",
        "~",
        "a-b",
    ]
    table = DataTable([Column("w", T.STRING)], [(w,) for w in words])
    # ICU order: spaces, punctuation (_ - . ( in ICU's own order), symbols, currency, digits, letters
    assert [r[0] for r in run_query(table, "order by w").rows] == [
        " z",
        "_y",
        "-x",
        ".",
        "(",
        "~",
        "$5",
        "1",
        "10",
        "2",
        "a",
        "A",
        "á",
        "a b",
        "a-b",
        "ab",
        "Ab",
        "b",
        "B",
        "e",
        "E",
        "é",
        "Z",
    ]
    # GROUP BY keeps code-point (UTF-16) order
    table = DataTable([Column("w", T.STRING), Column("n", T.NUMBER)], [(w, 1) for w in words])
    grouped = run_query(table, "select w, count(n) group by w").rows
    assert [r[0] for r in grouped] == sorted(words)


def test_group_by_orders_text_by_utf16_code_units() -> None:
    # U+FF5E (fullwidth tilde) is above U+10000's high surrogate in code points but below in UTF-16.
    words = ["\uff5e", "\U0001f600", "a"]
    table = DataTable([Column("w", T.STRING), Column("n", T.NUMBER)], [(w, 1) for w in words])
    assert [r[0] for r in run_query(table, "select w, sum(n) group by w").rows] == ["a", "\U0001f600", "\uff5e"]
    assert run_query(table, "select max(w), min(w)").rows == [("\uff5e", "a")]
    assert [r[0] for r in run_query(table, "select w where w > 'a' and w < '\uff5e'").rows] == ["\U0001f600"]


def test_decimal_values() -> None:
    table = DataTable(
        [Column("x", T.NUMBER), Column("y", T.NUMBER)],
        [(Decimal("1.5"), 2.5), (Decimal("2.25"), None), (None, 1.0)],
    )
    assert run_query(table, "select sum(x), avg(x), max(x), sum(y)").rows == [
        (Decimal("3.75"), Decimal("1.875"), Decimal("2.25"), 3.5)
    ]
    assert run_query(table, "select x + y, x * 2, x % 1 where x > 1.6").rows == [
        (None, Decimal("4.50"), Decimal("0.25"))
    ]
    assert run_query(table, "select x + y where y = 2.5").rows == [(4.0,)]


def test_warnings_for_illegal_format_patterns() -> None:
    table = run_query(STAFF, "select hours format hours '#.#.#'")
    assert [w.reason for w in table.warnings] == ["illegal_formatting_patterns"]
    assert table.columns[0].pattern == "#.#.#"  # kept, as the reference: no f, see the renderers
    assert run_query(STAFF, "select hours format hours '#.#'").warnings == []


def test_options_of_run_query() -> None:
    rows = run_query(
        STAFF, "select dept, sum(hours) where hired < '2005-04-01'", implicit_group_by=True, date_strings=True
    ).rows
    assert rows == [("Eng", 8), ("Marketing", 7), ("Sales", 2)]
    with pytest.raises(QueryError):
        run_query(STAFF, "select dept, sum(hours)")


def test_the_source_table_is_not_modified() -> None:
    before = list(STAFF.rows)
    run_query(STAFF, "select name order by name desc limit 2")
    assert STAFF.rows == before


def test_empty_table_and_no_columns() -> None:
    empty = DataTable([Column("a", T.NUMBER), Column("b", T.NUMBER)])
    assert run_query(empty, "select a, count(b) group by a").rows == []
    assert run_query(empty, "select count(a)").rows == []
    assert run_query(DataTable([]), "").rows == []


@pytest.mark.parametrize(
    ("tq", "reason", "message"),
    [
        ("select nope", "invalid_query", 'Column "nope" does not exist in table (at position 7)'),
        ("select name from staff", "invalid_query", 'Unexpected token "from" at position 12'),
        (
            "select name limit 9999999999",
            "invalid_query",
            "LIMIT must be -1 or a whole number from 0 to 2147483647, not 9999999999 (at position 18)",
        ),
    ],
)
def test_errors(tq: str, reason: str, message: str) -> None:
    with pytest.raises(QueryError) as info:
        run_query(STAFF, tq)
    assert info.value.reason == reason
    assert str(info.value) == message


def test_values_that_do_not_fit_their_column_type() -> None:
    table = DataTable([Column("d", T.DATE)], [(D(2009, 1, 1),), (DT(2009, 1, 2, 10),), ("oops",)])
    with pytest.raises(QueryError) as info:
        run_query(table, "select d order by d")
    assert info.value.reason == "internal_error"
    assert info.value.message == "The table's values do not match its column types"


def test_the_garbage_collector_is_back_on_after_a_query() -> None:
    import gc

    assert gc.isenabled()
    run_query(STAFF, "select dept, count(name) group by dept")
    assert gc.isenabled()
    with pytest.raises(QueryError):
        run_query(DataTable([Column("d", T.DATE)], [(D(2009, 1, 1),), ("x",)]), "order by d")
    assert gc.isenabled()
    gc.disable()
    try:
        run_query(STAFF, "select name")
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()
