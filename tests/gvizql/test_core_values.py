"""The shared value rules (values.py), names (naming.py) and scalar functions (functions.py)."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

import pytest

from gvizql import ValueType as T
from gvizql.ast import ComparisonOperator as Op
from gvizql.ast import Literal
from gvizql.functions import call
from gvizql.naming import java_number, literal_text, value_text
from gvizql.regex import runnable_pattern
from gvizql.values import code_unit_key, compare, like_regex, text_sort_key

COMPARISONS = [
    (Op.EQ, 1, 1.0, T.NUMBER, T.NUMBER, True),
    (Op.EQ, 1, "1", T.NUMBER, T.STRING, False),
    (Op.NE, 1, "1", T.NUMBER, T.STRING, False),  # different types: false even with !=
    (Op.LT, None, 1, T.NUMBER, T.NUMBER, True),  # null is smallest
    (Op.GT, None, 1, T.NUMBER, T.NUMBER, False),
    (Op.EQ, None, None, T.NUMBER, T.NUMBER, True),
    (Op.LE, None, None, T.DATE, T.DATE, True),
    (Op.EQ, None, "", T.STRING, T.STRING, True),  # null text is ''
    (Op.LT, None, "a", T.STRING, T.STRING, True),
    (Op.LT, "B", "a", T.STRING, T.STRING, True),  # code units, not collation
    (Op.LT, "\uff5e", "\U0001f600", T.STRING, T.STRING, False),  # UTF-16 order
    (Op.GE, dt.date(2009, 1, 2), dt.date(2009, 1, 1), T.DATE, T.DATE, True),
    (Op.EQ, True, True, T.BOOLEAN, T.BOOLEAN, True),
    (Op.LT, False, True, T.BOOLEAN, T.BOOLEAN, True),
    (Op.CONTAINS, 5, ".0", T.NUMBER, T.STRING, True),  # text form 5.0
    (Op.STARTS_WITH, True, "tr", T.BOOLEAN, T.STRING, True),
    (Op.ENDS_WITH, None, "ll", T.NUMBER, T.STRING, True),  # a null number reads "null"
    (Op.CONTAINS, None, "", T.STRING, T.STRING, True),
    (Op.LIKE, "abc", "a_c", T.STRING, T.STRING, True),
    (Op.LIKE, "abc", "A%", T.STRING, T.STRING, False),
    (Op.LIKE, "a.c", "a.c", T.STRING, T.STRING, True),
    (Op.LIKE, "abc", "a.c", T.STRING, T.STRING, False),
    (Op.LIKE, "a\nb", "a%", T.STRING, T.STRING, True),
    (Op.MATCHES, "abc", "a.c", T.STRING, T.STRING, True),
    (Op.MATCHES, "abcd", "a.c", T.STRING, T.STRING, False),
    (Op.MATCHES, "abc", "[", T.STRING, T.STRING, False),
    (Op.MATCHES, 2009, "2009\\.0", T.NUMBER, T.STRING, True),
]


@pytest.mark.parametrize(("op", "left", "right", "lt", "rt", "expected"), COMPARISONS)
def test_compare(op: Op, left: Any, right: Any, lt: T, rt: T, expected: bool) -> None:
    assert compare(op, left, right, lt, rt) is expected


def test_like_and_matches_regexes() -> None:
    assert like_regex("100%").fullmatch("100% sure")
    assert like_regex("a*b").fullmatch("a*b") and not like_regex("a*b").fullmatch("aab")
    assert runnable_pattern("(") is None  # Java rejects it: matches nothing
    assert runnable_pattern("(a)\\1") is None  # RE2 cannot run it: matches nothing (a literal is refused)


def test_code_unit_key() -> None:
    assert code_unit_key("abc") == "abc"
    assert sorted(["\uff5e", "\U0001f600"], key=code_unit_key) == ["\U0001f600", "\uff5e"]


def test_text_sort_key_levels() -> None:
    assert text_sort_key("a") < text_sort_key("A") < text_sort_key("á") < text_sort_key("b")
    assert text_sort_key("") < text_sort_key(" ") < text_sort_key("-") < text_sort_key("0") < text_sort_key("a")
    assert text_sort_key("résumé") > text_sort_key("resume")
    assert text_sort_key("a\x00b") == text_sort_key("ab")  # control characters are ignorable
    # ICU's own expansions, as the reference's Collator: ß as ss, æ as ae, the ﬁ ligature as fi
    words = ["straße", "Strasse", "strasse", "æsir", "aesir", "Ann", "ﬁle", "file", "ss", "ß", "t"]
    assert sorted(words, key=text_sort_key) == [
        "aesir",
        "æsir",
        "Ann",
        "file",
        "ﬁle",
        "ss",
        "ß",
        "strasse",
        "Strasse",
        "straße",
        "t",
    ]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (7, "7.0"),
        (2009, "2009.0"),
        (0.5, "0.5"),
        (-1.25, "-1.25"),
        (0, "0.0"),
        (1e7, "1.0E7"),
        (12345678.9, "1.23456789E7"),
        (0.001, "0.001"),
        (1e-4, "1.0E-4"),
        (-3e20, "-3.0E20"),
        (1 / 3, "0.3333333333333333"),
        (Decimal("2.50"), "2.5"),
        (float("nan"), "NaN"),
        (float("inf"), "Infinity"),
        (float("-inf"), "-Infinity"),
        (-0.0, "-0.0"),
        (9999999, "9999999.0"),
    ],
)
def test_java_number(value: Any, text: str) -> None:
    assert java_number(value) == text


@pytest.mark.parametrize(
    ("value", "type_", "text"),
    [
        (None, T.STRING, ""),
        (None, T.NUMBER, "null"),
        (None, T.DATE, "null"),
        ("x", T.STRING, "x"),
        (True, T.BOOLEAN, "true"),
        (False, T.BOOLEAN, "false"),
        (5, T.NUMBER, "5.0"),
        (dt.date(2009, 1, 5), T.DATE, "2009-01-05"),
        (dt.datetime(2009, 1, 5, 7, 8, 9), T.DATETIME, "2009-01-05 07:08:09"),
        (dt.datetime(2009, 1, 5, 7, 8, 9, 50000), T.DATETIME, "2009-01-05 07:08:09.050"),
        (dt.time(7, 8, 9), T.TIMEOFDAY, "07:08:09"),
        (dt.time(7, 8, 9, 123000), T.TIMEOFDAY, "07:08:09.123"),
    ],
)
def test_value_text(value: Any, type_: T, text: str) -> None:
    assert value_text(value, type_) == text


@pytest.mark.parametrize(
    ("literal", "text"),
    [
        (Literal(7, T.NUMBER), "7.0"),
        (Literal("x", T.STRING), '"x"'),
        (Literal('say "hi"', T.STRING), "'say \"hi\"'"),
        (Literal(True, T.BOOLEAN), "true"),
        (Literal(dt.date(2009, 10, 1), T.DATE), "DATE '2009-10-1'"),
        (Literal(dt.datetime(2009, 10, 1, 8, 5, 0, 4000), T.DATETIME), "DATETIME '2009-10-1 8:5:0.4'"),
        (Literal(dt.time(8, 5, 3), T.TIMEOFDAY), "TIMEOFDAY '8:5:3'"),
    ],
)
def test_literal_text(literal: Literal, text: str) -> None:
    assert literal_text(literal) == text


D, DT, TOD = dt.date, dt.datetime, dt.time
FUNCTIONS = [
    ("year", (D(2009, 10, 1),), 2009),
    ("year", (None,), None),
    ("month", (D(2009, 1, 31),), 0),
    ("month", (DT(2009, 12, 1, 5),), 11),
    ("day", (D(2009, 10, 7),), 7),
    ("quarter", (D(2009, 3, 31),), 1),
    ("quarter", (D(2009, 10, 1),), 4),
    ("dayofweek", (D(2024, 6, 2),), 1),
    ("dayofweek", (D(2024, 6, 8),), 7),
    ("dayofweek", (D(2024, 6, 3),), 2),
    ("hour", (TOD(13, 4, 5),), 13),
    ("minute", (DT(2009, 1, 1, 13, 4, 5),), 4),
    ("second", (TOD(13, 4, 5),), 5),
    ("millisecond", (TOD(13, 4, 5, 250999),), 250),
    ("millisecond", (None,), None),
    ("datediff", (D(2008, 2, 28), DT(2008, 3, 1, 10)), -2),
    ("datediff", (D(2008, 3, 1), D(2008, 2, 28)), 2),
    ("datediff", (DT(2008, 3, 1, 23, 59), D(2008, 3, 1)), 0),
    ("datediff", (DT(2008, 3, 2, 0, 1), DT(2008, 3, 1, 0, 2)), 0),
    ("datediff", (None, D(2008, 3, 1)), None),
    ("todate", (DT(2009, 1, 1, 23, 59),), D(2009, 1, 1)),
    ("todate", (D(2009, 1, 1),), D(2009, 1, 1)),
    ("todate", (1234567890123,), D(2009, 2, 13)),
    ("todate", (-86400000,), D(1969, 12, 31)),
    ("todate", (-0.5,), D(1970, 1, 1)),  # truncated toward zero first, as Java's (long) cast
    ("todate", (-1.5,), D(1969, 12, 31)),
    ("todate", (86399999.9,), D(1970, 1, 1)),
    ("todate", (float("nan"),), D(1970, 1, 1)),  # (long) NaN is 0 in Java
    ("todate", (float("inf"),), None),  # past Python's dates
    ("todate", (1e300,), None),
    ("todate", (None,), None),
    ("upper", ("abc",), "ABC"),
    ("upper", (None,), ""),
    ("lower", ("ÀB",), "àb"),
    ("lower", (None,), ""),
    ("sum", (1, 2), 3),
    ("sum", (None, 2), None),
    ("sum", (Decimal("1.5"), 1.5), 3.0),
    ("difference", (1, 2.5), -1.5),
    ("product", (3, 2.5), 7.5),
    ("product", (10**600, 10**600), math.inf),
    ("quotient", (1, 4), 0.25),
    ("quotient", (1, 0), None),
    ("quotient", (None, 1), None),
    ("modulo", (7, 3), 1),
    ("modulo", (-7, 3), -1),
    ("modulo", (7, -3), 1),
    ("modulo", (7.5, 2), 1.5),
    ("modulo", (-7.5, 2), -1.5),
    ("modulo", (Decimal("7.5"), Decimal("2")), Decimal("1.5")),
    ("modulo", (None, 0), None),
]


@pytest.mark.parametrize(("name", "args", "expected"), FUNCTIONS, ids=[f"{n}{a}" for n, a, _ in FUNCTIONS])
def test_functions(name: str, args: tuple[Any, ...], expected: Any) -> None:
    assert call(name, *args) == expected


@pytest.mark.parametrize("args", [(1, 0), (1.5, 0), (math.inf, 2), (None, None)])
def test_modulo_nan_cases(args: tuple[Any, ...]) -> None:
    result = call("modulo", *args)
    assert result is None if args[0] is None else math.isnan(result)


def test_now_is_naive_utc_milliseconds() -> None:
    now = call("now")
    assert now.tzinfo is None and now.microsecond % 1000 == 0
    assert abs(now - dt.datetime.now(dt.UTC).replace(tzinfo=None)) < dt.timedelta(seconds=5)


def test_like_does_not_backtrack() -> None:
    # As a regex ('.*a.*a...b') this would take exponential time on a long run of a's.
    pattern = "%a" * 30 + "%b"
    assert compare(Op.LIKE, "a" * 5000, pattern, T.STRING, T.STRING) is False
    assert compare(Op.LIKE, "a" * 5000 + "b", pattern, T.STRING, T.STRING) is True
