"""FORMAT patterns: (type, pattern, value) -> the text the reference gives (en-US, GMT)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gvizql.datatable import ValueType
from gvizql.format import default_format, format_value, formatter_for, is_valid_pattern

N, D, DT, T, B, S = (
    ValueType.NUMBER,
    ValueType.DATE,
    ValueType.DATETIME,
    ValueType.TIMEOFDAY,
    ValueType.BOOLEAN,
    ValueType.STRING,
)

DAY = dt.date(2009, 2, 3)  # a Tuesday
MOMENT = dt.datetime(2009, 2, 3, 16, 5, 6, 789000)

# ICU DecimalFormat behaviour (the reference formats numbers with ICU4J).
NUMBER_CASES = [
    ("#,##0.00", 1234.5, "1,234.50"),
    ("#,##0.00", 0, "0.00"),
    ("#,##0.00", -1234.567, "-1,234.57"),
    ("#,##0.00", Decimal("1234.565"), "1,234.56"),
    ("#,##0", 1234567, "1,234,567"),
    ("#,##0", 1e20, "100,000,000,000,000,000,000"),
    # half-even on the shortest decimal form of the double
    ("#,##0.0", 6.25, "6.2"),
    ("#,##0.0", 6.35, "6.4"),
    ("#,##0.0", 6.15, "6.2"),
    ("0.00", 2.675, "2.68"),
    ("0.00", 1.005, "1.00"),
    ("0.00", 0.125, "0.12"),
    ("0.00", 0.375, "0.38"),
    ("0.0", 0.05, "0.0"),
    ("0.0", 0.15, "0.2"),
    ("0.0", 1e-7, "0.0"),
    ("#,##0.0", 1.5e16, "15,000,000,000,000,000.0"),
    ("0.0000", 549755813888.023, "549755813888.0230"),
    ("#,##0.00", 1234567.1, "1,234,567.10"),
    ("0", 0.5, "0"),
    ("0", 1.5, "2"),
    ("0", 2.5, "2"),
    ("#,##0.###", 1234.56789, "1,234.568"),
    ("#,##0.###", 3, "3"),
    ("00000", 42, "00042"),
    ("00,000", 12, "00,012"),
    ("#,##,##0", 12345678, "1,23,45,678"),
    ("#.##", 0.456, ".46"),
    ("#", 0, "0"),
    ("0.", 3, "3."),
    # percent, per mille, currency
    ("0.0%", 0.256, "25.6%"),
    ("#%", 0.5, "50%"),
    ("0\u2030", 0.123, "123\u2030"),
    ("$#,##0.00", 1234.5, "$1,234.50"),
    ("$#,##0.00", -5, "-$5.00"),
    ("\u00a4#,##0.00", 12.3, "$12.30"),
    ("\u00a4\u00a4 #,##0.00", 12.3, "USD 12.30"),
    # quoted literals and negative subpatterns
    ("'#'#", 5, "#5"),
    ("#,##0 'hours'", 1234, "1,234 hours"),
    ("0 o''clock", 5, "5 o'clock"),
    ("#,##0.00;(#,##0.00)", -1234.5, "(1,234.50)"),
    ("#,##0.00;(#,##0.00)", 1234.5, "1,234.50"),
    ("0.0;'minus '0.0", -2.25, "minus 2.2"),
    # scientific and engineering notation
    ("0.###E0", 12345, "1.234E4"),
    ("0.###E0", 0.00012345, "1.234E-4"),
    ("0.###E0", 0, "0E0"),
    ("00.###E0", 0.00123, "12.3E-4"),
    ("##0.#####E0", 12345, "12.345E3"),
    ("##0.#####E0", 123456, "123.456E3"),
    ("##0.##E0", 12345, "12.3E3"),
    ("0.0E00", 9.96, "1.0E01"),
    ("0.0E+00", 123, "1.2E+02"),
    # significant digits
    ("@@@", 12345, "12300"),
    ("@@@", 0.12345, "0.123"),
    ("@@##", 3.14159, "3.142"),
    ("@@##", 3, "3.0"),
    ("@@@", 1, "1.00"),
    ("@@@", -0.0012345, "-0.00123"),
    ("#,@@@", 1234567, "1,230,000"),
    # values that are not finite
    ("0.0", float("nan"), "NaN"),
    ("#,##0.0", float("inf"), "\u221e"),
    ("#,##0.0", float("-inf"), "-\u221e"),
]

DATE_CASES = [
    (D, "yyyy-MM-dd", DAY, "2009-02-03"),
    (D, "MMM d, yyyy", DAY, "Feb 3, 2009"),
    (D, "MMMM d, yyyy", DAY, "February 3, 2009"),
    (D, "MMMMM", DAY, "F"),
    (D, "dd/MM/yy", DAY, "03/02/09"),
    (D, "EEEE", DAY, "Tuesday"),
    (D, "EEE, d MMM", DAY, "Tue, 3 Feb"),
    (D, "EEEEE", DAY, "T"),
    (D, "D", DAY, "34"),
    (D, "'week' w", DAY, "week 6"),
    (D, "W F", DAY, "1 1"),
    (D, "G yyyy", DAY, "AD 2009"),
    (D, "Q QQQ QQQQ", dt.date(2009, 11, 5), "4 Q4 4th quarter"),
    # US weeks: the week holding January 1 is week 1 of the new week-year
    (D, "w Y", dt.date(2008, 12, 31), "1 2009"),
    (D, "w Y", dt.date(2008, 12, 27), "52 2008"),
    (D, "HH:mm", DAY, "00:00"),
    (DT, "yyyy-MM-dd HH:mm:ss", MOMENT, "2009-02-03 16:05:06"),
    (DT, "yyyy-MM-dd'T'HH:mm:ss", MOMENT, "2009-02-03T16:05:06"),
    (DT, "HH:mm", MOMENT, "16:05"),
    (DT, "h:mm a", MOMENT, "4:05 PM"),
    (DT, "hh:mm:ss.SSS", MOMENT, "04:05:06.789"),
    (DT, "s.S", MOMENT, "6.7"),
    (DT, "k K", MOMENT, "16 4"),
    (DT, "h:mm a", dt.datetime(2009, 2, 3, 0, 30), "12:30 AM"),
    (DT, "h:mm a", dt.datetime(2009, 2, 3, 12, 0), "12:00 PM"),
    (DT, "k K H", dt.datetime(2009, 2, 3, 0, 30), "24 0 0"),
    (DT, "z Z", MOMENT, "GMT +0000"),
    (DT, "MMM d, yyyy", MOMENT, "Feb 3, 2009"),
    (T, "HH:mm:ss.SSS", dt.time(13, 4, 5, 6000), "13:04:05.006"),
    (T, "h 'o''clock' a", dt.time(13, 4, 5), "1 o'clock PM"),
    (T, "H:mm", dt.time(9, 7), "9:07"),
    (T, "''", dt.time(9, 7), "'"),
]

BOOLEAN_CASES = [
    ("yes:no", True, "yes"),
    ("yes:no", False, "no"),
    (":no", True, ""),
    ("\u2714:\u2717", False, "\u2717"),
]

INVALID_PATTERNS = [
    (N, "0#"),  # '#' after '0' in the integer part
    (N, "0.0#0"),  # '0' after '#' in the fraction
    (N, "#.#.#"),  # two decimal points
    (N, "#,##0,"),  # grouping separator closing the integer part
    (N, "#,##0.0,0"),  # grouping separator in the fraction
    (N, "'0"),  # unterminated quote
    (N, "0E"),  # exponent without digits
    (N, "#,##0E0"),  # grouping in scientific notation
    (N, "0;0;0"),  # two negative subpatterns
    (N, "0 0"),  # digits after the suffix started
    (N, "abc"),  # no digits at all
    (N, "@0"),  # significant digits mixed with '0'
    (N, "@.#"),  # significant digits with a fraction
    (N, "#@#@"),
    (N, "@E0"),
    (N, "*x0"),  # padding: not supported
    (N, "\u00a4\u00a4\u00a4\u00a4 0"),  # four currency signs
    (D, "yyyy-MM-dd i"),  # not a pattern letter
    (D, "'unclosed"),
    (DT, "yyyy-MM-ddTHH:mm"),  # unquoted T
    (T, "HH:mm:ss n"),
    (D, "EEEEEEE"),  # seven E
    (B, "yes"),
    (B, "yes:"),  # Java's split drops the trailing empty part
    (B, "a:b:c"),
    (B, ""),
]


@pytest.mark.parametrize(("pattern", "value", "expected"), NUMBER_CASES)
def test_number_patterns(pattern: str, value: object, expected: str) -> None:
    assert is_valid_pattern(N, pattern)
    assert format_value(value, N, pattern) == expected


@pytest.mark.parametrize(("value_type", "pattern", "value", "expected"), DATE_CASES)
def test_date_patterns(value_type: ValueType, pattern: str, value: object, expected: str) -> None:
    assert is_valid_pattern(value_type, pattern)
    assert format_value(value, value_type, pattern) == expected


@pytest.mark.parametrize(("pattern", "value", "expected"), BOOLEAN_CASES)
def test_boolean_patterns(pattern: str, value: bool, expected: str) -> None:
    assert format_value(value, B, pattern) == expected


@pytest.mark.parametrize(("value_type", "pattern"), INVALID_PATTERNS)
def test_invalid_patterns(value_type: ValueType, pattern: str) -> None:
    assert not is_valid_pattern(value_type, pattern)
    # An invalid pattern is no error: the cell simply has no formatted value.
    sample = {N: 1.5, D: DAY, DT: MOMENT, T: dt.time(1, 2), B: True}[value_type]
    assert format_value(sample, value_type, pattern) is None


@pytest.mark.parametrize("pattern", ["", "anything", "#,##0.00", "'"])
def test_text_columns_accept_any_pattern_and_keep_the_text(pattern: str) -> None:
    assert is_valid_pattern(S, pattern)
    assert format_value("a <b>", S, pattern) == "a <b>"


@pytest.mark.parametrize("value_type", list(ValueType))
def test_null_has_no_formatted_value(value_type: ValueType) -> None:
    assert format_value(None, value_type, "#") is None
    assert default_format(None, value_type) == ""


# The Java data source library's default formats (its CSV and HTML output).
DEFAULT_CASES = [
    (N, 1234.5, "1234.5"),
    (N, 3, "3"),
    (N, 3.0, "3"),
    (N, -0.25, "-0.25"),
    (N, 0.1 + 0.2, "0.30000000000000004"),
    (N, 1e20, "100000000000000000000"),
    (N, 1e-7, "0.0000001"),
    (N, Decimal("3.50"), "3.5"),
    (N, Decimal("-0.000"), "0"),
    (N, float("nan"), "NaN"),
    (N, float("-inf"), "-\u221e"),
    (B, True, "true"),
    (B, False, "false"),
    (S, 'x,"y"', 'x,"y"'),
    (D, dt.date(2009, 2, 3), "2009-02-03"),
    (D, dt.date(5, 1, 1), "0005-01-01"),
    (DT, MOMENT, "2009-02-03 16:05:06"),
    (T, dt.time(9, 7, 5, 123000), "09:07:05"),
]


@pytest.mark.parametrize(("value_type", "value", "expected"), DEFAULT_CASES)
def test_default_format(value_type: ValueType, value: object, expected: str) -> None:
    assert default_format(value, value_type) == expected
    assert format_value(value, value_type, None) == expected


def test_compiled_patterns_are_cached() -> None:
    assert formatter_for(N, "#,##0.00") is formatter_for(N, "#,##0.00")


@settings(max_examples=200, deadline=None)
@given(st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-(10**9), max_value=10**9))
def test_fixed_patterns_round_half_even_and_group_by_three(value: Decimal) -> None:
    text = format_value(value, N, "#,##0.00")
    assert text is not None
    expected = value.quantize(Decimal("0.01"))  # the default context rounds half-even
    assert Decimal(text.replace(",", "")) == expected
    integer = text.lstrip("-").split(".")[0]
    assert all(len(group) == 3 for group in integer.split(",")[1:])


@settings(max_examples=300, deadline=None)
@given(
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
    st.sampled_from(["#,##0", "#,##0.0", "0.00", "#,##0.###", "0.0000", "#.##", "#,###.#", "0."]),
)
def test_floats_round_their_shortest_decimal_form_half_even(value: float, pattern: str) -> None:
    # The quick float path must agree with rounding repr(value) as a Decimal.
    places = len(pattern.partition(".")[2])
    exact = Decimal(repr(value)).quantize(Decimal(1).scaleb(-places))  # half-even
    text = format_value(value, N, pattern)
    assert text is not None
    assert Decimal(text.replace(",", "")) == exact
    assert text == format_value(Decimal(repr(value)), N, pattern)  # the Decimal path, exactly
