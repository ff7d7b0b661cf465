"""FORMAT patterns: the formatted (``f``) values of a DataTable, en-US.

The reference (Google's Java data source library) formats with ICU's
``DecimalFormat`` for numbers, ``SimpleDateFormat`` for date, datetime and
timeofday (in GMT), and its own ``true-text:false-text`` format for booleans.
This module reimplements the parts of those pattern languages a report needs:

numbers
    ``0`` ``#`` ``,`` ``.`` digits, grouping (primary and secondary, ICU style),
    half-even rounding of the shortest decimal form of the value (as ICU does:
    ``'#,##0.0'`` turns 6.25 into ``6.2`` and 2.675 with ``'0.00'`` into
    ``2.68``), ``%`` (x100), ``‰`` (x1000), ``¤`` / ``¤¤`` / ``¤¤¤`` (``$``,
    ``USD``, ``US dollars``), quoted literals (``'#'``, ``''``), a negative
    subpattern after ``;`` (only its prefix and suffix count), scientific
    notation (``0.###E0``, ``00.##E0``, engineering ``##0.##E0``, ``E+0``).
    significant digits (``@@#``: at least two, at most three). Not supported
    (the pattern counts as invalid): padding ``*``.
dates and times
    every ICU pattern letter (``G y Y u U Q q M L w W d D F g E e c a b B h H
    K k m s S A z Z O v V X x r``); English names; weeks follow the US rules
    (weeks start on Sunday, week 1 holds January 1); the zone is always GMT.
booleans
    ``yes:no``: the text before the colon for true, after it for false.

``is_valid_pattern`` says whether a pattern compiles; ``format_value`` gives
the ``f`` text (``None`` for a null value or an invalid pattern);
``default_format`` the text the reference uses when a column has no pattern.
Compiled patterns are cached, so formatting many values costs one compile.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from gvizql.datatable import ValueType

__all__ = [
    "default_format",
    "default_formatter",
    "format_value",
    "formatter_for",
    "is_valid_pattern",
]

Formatter = Callable[[Any], str]

# Wide enough that quantizing any double (or a sane Decimal) never overflows.
_DECIMAL = Context(prec=1200, rounding=ROUND_HALF_EVEN, Emin=-99999, Emax=99999)


class PatternError(ValueError):
    """A FORMAT pattern the reference would reject."""


# --------------------------------------------------------------------------
# public API


def is_valid_pattern(value_type: ValueType, pattern: str) -> bool:
    """True when ``pattern`` is a pattern the reference accepts for ``value_type``.

    Text columns accept any pattern (the reference ignores it).
    """
    return formatter_for(ValueType(value_type), pattern) is not None


def format_value(value: Any, value_type: ValueType, pattern: str | None) -> str | None:
    """The formatted text of ``value`` under ``pattern`` (the ``f`` of a cell).

    Returns ``None`` for a null value and for an invalid pattern (the query then
    carries an ``illegal_formatting_patterns`` warning and the cell has no
    ``f``). With ``pattern`` None the type's default formatting is used.
    Raises nothing for well-typed values.
    """
    if value is None:
        return None
    if pattern is None:
        return default_format(value, value_type)
    formatter = formatter_for(ValueType(value_type), pattern)
    if formatter is None:
        return None
    return formatter(value)


def default_format(value: Any, value_type: ValueType) -> str:
    """The text the reference shows for a value of a column without a pattern.

    These are the Java data source library's default formats, used by its CSV
    and HTML output: numbers in plain decimal (``1234.5``, ``3``, no grouping,
    no exponent), booleans ``true``/``false``, dates ``yyyy-MM-dd``, datetimes
    ``yyyy-MM-dd HH:mm:ss``, timeofday ``HH:mm:ss``. A null value gives ``""``.
    """
    if value is None:
        return ""
    return _DEFAULT_FORMATTERS[ValueType(value_type)](value)


def default_formatter(value_type: ValueType) -> Formatter:
    """The function behind ``default_format`` for one type (of a non-null value)."""
    return _DEFAULT_FORMATTERS[ValueType(value_type)]


@lru_cache(maxsize=1024)
def formatter_for(value_type: ValueType, pattern: str) -> Formatter | None:
    """The compiled formatter of ``pattern`` for ``value_type``, or None if invalid.

    The result is a function of one non-null value returning its text; it is
    cached, so call this freely.
    """
    value_type = ValueType(value_type)
    try:
        if value_type is ValueType.NUMBER:
            return _compile_number(pattern)
        if value_type in (ValueType.DATE, ValueType.DATETIME, ValueType.TIMEOFDAY):
            return _compile_date(pattern)
        if value_type is ValueType.BOOLEAN:
            return _compile_boolean(pattern)
        return str
    except PatternError:
        return None


# --------------------------------------------------------------------------
# defaults


def plain_number(value: Any) -> str:
    """A number in plain decimal: no grouping, no exponent, no trailing zeros."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            if abs(value) < 1e16:
                return str(int(value))
        elif math.isnan(value):
            return "NaN"
        elif math.isinf(value):
            return "∞" if value > 0 else "-∞"
        else:
            text = repr(value)
            if "e" not in text:
                return text
    number = value if isinstance(value, Decimal) else Decimal(repr(value))
    if not number.is_finite():
        return "NaN" if number.is_nan() else ("∞" if number > 0 else "-∞")
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _default_date(value: dt.date) -> str:
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def _default_datetime(value: dt.datetime) -> str:
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d} {value.hour:02d}:{value.minute:02d}:{value.second:02d}"


def _default_time(value: dt.time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"


_DEFAULT_FORMATTERS: dict[ValueType, Formatter] = {
    ValueType.BOOLEAN: lambda v: "true" if v else "false",
    ValueType.NUMBER: plain_number,
    ValueType.STRING: str,
    ValueType.DATE: _default_date,
    ValueType.DATETIME: _default_datetime,
    ValueType.TIMEOFDAY: _default_time,
}


# --------------------------------------------------------------------------
# booleans


def _compile_boolean(pattern: str) -> Formatter:
    # The reference splits on ':' the Java way (trailing empty parts dropped)
    # and wants exactly two parts: "yes:no", ":no"; not "yes:", "a:b:c", "yes".
    parts = pattern.split(":")
    while parts and parts[-1] == "":
        parts.pop()
    if len(parts) != 2:
        raise PatternError("a boolean pattern is 'text if true:text if false'")
    true_text, false_text = parts
    return lambda v: true_text if v else false_text


# --------------------------------------------------------------------------
# numbers

_CURRENCY = {1: "$", 2: "USD", 3: "US dollars"}
_NUMBER_CHARS = frozenset("0#,.@")
_INTEGER_DIGITS = re.compile("#*0*")
_FRACTION_DIGITS = re.compile("0*#*")
_SIGNIFICANT_DIGITS = re.compile("#*@+#*")


def _split_quoted(pattern: str) -> list[tuple[str, bool]]:
    """Split a pattern into (char, quoted) pairs; ``''`` is a quoted apostrophe."""
    out: list[tuple[str, bool]] = []
    i, n, quoted = 0, len(pattern), False
    while i < n:
        ch = pattern[i]
        if ch == "'":
            if i + 1 < n and pattern[i + 1] == "'":
                out.append(("'", True))
                i += 2
                continue
            quoted = not quoted
            i += 1
            continue
        out.append((ch, quoted))
        i += 1
    if quoted:
        raise PatternError("unterminated quote")
    return out


def _affix(chars: list[tuple[str, bool]]) -> tuple[str, int]:
    """The text of a prefix or suffix and the multiplier it implies (%, ‰)."""
    text: list[str] = []
    multiplier = 1
    i = 0
    while i < len(chars):
        ch, quoted = chars[i]
        if quoted:
            text.append(ch)
        elif ch == "%":
            text.append("%")
            multiplier = 100
        elif ch == "\u2030":
            text.append("\u2030")
            multiplier = 1000
        elif ch == "\u00a4":
            run = 1
            while i + run < len(chars) and chars[i + run] == ("\u00a4", False):
                run += 1
            if run > 3:
                raise PatternError("too many currency signs")
            text.append(_CURRENCY[run])
            i += run
            continue
        elif ch in _NUMBER_CHARS or ch in "@*;":
            raise PatternError(f"unquoted special character {ch!r} in affix")
        else:
            text.append(ch)
        i += 1
    return "".join(text), multiplier


class _NumberPattern:
    __slots__ = (
        "prefix",
        "suffix",
        "neg_prefix",
        "neg_suffix",
        "min_int",
        "max_int",
        "min_frac",
        "max_frac",
        "grouping",
        "secondary",
        "multiplier",
        "decimal_always",
        "exponent_digits",
        "exponent_plus",
        "min_significant",
        "max_significant",
    )
    # Set by _compile_number and the _parse_* helpers it calls; read by the formatters.
    prefix: str
    suffix: str
    neg_prefix: str
    neg_suffix: str
    min_int: int
    max_int: int
    min_frac: int
    max_frac: int
    grouping: int
    secondary: int
    multiplier: int
    decimal_always: bool
    exponent_digits: int
    exponent_plus: bool
    min_significant: int
    max_significant: int


def _parse_subpattern(
    chars: list[tuple[str, bool]],
) -> tuple[list[tuple[str, bool]], list[str], list[tuple[str, bool]]]:
    """Split one subpattern into prefix chars, number-part chars, suffix chars."""
    i, n = 0, len(chars)
    while i < n and not (not chars[i][1] and chars[i][0] in _NUMBER_CHARS):
        i += 1
    prefix = chars[:i]
    number: list[str] = []
    while i < n and not chars[i][1] and chars[i][0] in _NUMBER_CHARS:
        number.append(chars[i][0])
        i += 1
    if i < n and chars[i] == ("E", False) and number:
        number.append("E")
        i += 1
        if i < n and chars[i] == ("+", False):
            number.append("+")
            i += 1
        while i < n and chars[i] == ("0", False):
            number.append("0")
            i += 1
    return prefix, number, chars[i:]


def _compile_number(pattern: str) -> Formatter:
    if pattern == "":
        return plain_number
    chars = _split_quoted(pattern)
    parts: list[list[tuple[str, bool]]] = [[]]
    for ch, quoted in chars:
        if ch == ";" and not quoted:
            parts.append([])
        else:
            parts[-1].append((ch, quoted))
    if len(parts) > 2:
        raise PatternError("more than one ';'")
    prefix_chars, number, suffix_chars = _parse_subpattern(parts[0])
    if not number:
        raise PatternError("no digits in the pattern")
    p = _NumberPattern()
    p.prefix, mult1 = _affix(prefix_chars)
    p.suffix, mult2 = _affix(suffix_chars)
    p.multiplier = max(mult1, mult2)
    _parse_number_part(p, number)
    if len(parts) == 2 and parts[1]:  # "0.0;" has an empty (default) negative part
        neg_prefix, _, neg_suffix = _parse_subpattern(parts[1])
        p.neg_prefix = _affix(neg_prefix)[0]
        p.neg_suffix = _affix(neg_suffix)[0]
    else:
        p.neg_prefix = "-" + p.prefix
        p.neg_suffix = p.suffix
    if p.max_significant:
        return lambda v: _format_significant(p, v)
    if p.exponent_digits:
        return lambda v: _format_scientific(p, v)
    return lambda v: _format_fixed(p, v)


def _parse_number_part(p: _NumberPattern, number: list[str]) -> None:
    text = "".join(number)
    mantissa, _, exponent = text.partition("E")
    if "E" in text:
        plus = exponent.startswith("+")
        zeros = exponent[1:] if plus else exponent
        if not zeros or set(zeros) != {"0"}:
            raise PatternError("exponent needs at least one '0'")
        p.exponent_digits = len(zeros)
        p.exponent_plus = plus
    else:
        p.exponent_digits = 0
        p.exponent_plus = False
    p.min_significant = p.max_significant = 0
    if "@" in mantissa:
        _parse_significant(p, mantissa)
        return
    if mantissa.count(".") > 1:
        raise PatternError("more than one decimal point")
    integer, dot, fraction = mantissa.partition(".")
    if "," in fraction:
        raise PatternError("grouping separator after the decimal point")
    if not _FRACTION_DIGITS.fullmatch(fraction):
        raise PatternError("'0' after '#' in the fraction")
    digits = integer.replace(",", "")
    if not _INTEGER_DIGITS.fullmatch(digits):
        raise PatternError("'#' after '0' in the integer part")
    if not digits and not fraction:
        raise PatternError("no digits in the pattern")
    p.min_int = digits.count("0")
    p.max_int = len(digits)
    p.min_frac = fraction.count("0")
    p.max_frac = len(fraction)
    p.decimal_always = bool(dot) and not fraction
    _parse_grouping(p, integer)


def _parse_significant(p: _NumberPattern, mantissa: str) -> None:
    """``@@#``: at least two, at most three significant digits (ICU)."""
    digits = mantissa.replace(",", "")
    if p.exponent_digits or not _SIGNIFICANT_DIGITS.fullmatch(digits):
        raise PatternError("'@' mixed with '0', '.' or an exponent")
    p.min_significant = digits.count("@")
    p.max_significant = len(digits.lstrip("#"))
    p.min_int = p.max_int = p.min_frac = p.max_frac = 0
    p.decimal_always = False
    _parse_grouping(p, mantissa)


def _parse_grouping(p: _NumberPattern, integer: str) -> None:
    p.grouping = p.secondary = 0
    if "," in integer:
        groups = integer.split(",")
        p.grouping = len(groups[-1])
        if p.grouping == 0:
            raise PatternError("grouping separator right before the decimal point")
        if len(groups) > 2:
            p.secondary = len(groups[-2])
            if p.secondary == 0:
                raise PatternError("two grouping separators in a row")
            if p.secondary == p.grouping:
                p.secondary = 0
        if p.exponent_digits:
            raise PatternError("grouping in a scientific pattern")


def _to_decimal(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        # ICU rounds the shortest decimal form of a double, not its binary value.
        return Decimal(repr(value))
    return Decimal(int(value))


def _group(digits: str, grouping: int, secondary: int) -> str:
    if not grouping or len(digits) <= grouping:
        return digits
    if not secondary and grouping == 3 and digits[0] != "0":
        return format(int(digits), ",")
    head, tail = digits[:-grouping], digits[-grouping:]
    size = secondary or grouping
    groups = [tail]
    while head:
        groups.append(head[-size:])
        head = head[:-size]
    return ",".join(reversed(groups))


def _scaled_magnitude(p: _NumberPattern, number: Decimal) -> tuple[bool, Decimal]:
    """Whether the finite ``number`` is negative, and its magnitude times the multiplier."""
    negative = number < 0
    number = abs(number)
    if p.multiplier != 1:
        number = _DECIMAL.multiply(number, p.multiplier)
    return negative, number


def _with_affixes(p: _NumberPattern, negative: bool, body: str) -> str:
    """``body`` between the pattern's negative or positive prefix and suffix."""
    if negative:
        return p.neg_prefix + body + p.neg_suffix
    return p.prefix + body + p.suffix


def _non_finite(p: _NumberPattern, number: Decimal) -> str:
    if number.is_nan():
        return "NaN"
    return _with_affixes(p, number < 0, "∞")


def _float_text(p: _NumberPattern, value: float) -> str | None:
    """The formatted text of a float the quick way (C-level ``format``), or None.

    Python rounds the double's exact binary value; ICU rounds its shortest
    decimal form. They differ only when that shortest form is exactly halfway
    (2.675 at two digits): a halfway point between the two would be a
    shorter or closer round-tripping form, so the shortest form would be it.
    Those cases, exponent forms (big and tiny values) and patterns Python's
    format cannot group go the Decimal way.
    """
    if p.min_int > 1 or p.secondary or p.grouping not in (0, 3):
        return None
    shortest = repr(value)
    if "e" in shortest or "n" in shortest:  # exponent form, inf, nan
        return None
    digits = len(shortest) - shortest.index(".") - 1
    if digits <= p.max_frac:
        # Nothing to round: ICU shows the shortest form's digits (the binary
        # value's own digits would differ further right).
        integer, _, fraction = shortest.lstrip("-").partition(".")
        if p.grouping:
            integer = format(int(integer), ",")
    elif digits == p.max_frac + 1 and shortest[-1] == "5":
        return None
    else:
        text = format(abs(value), (",." if p.grouping else ".") + f"{p.max_frac}f")
        integer, _, fraction = text.partition(".")
    if len(fraction) > p.min_frac:
        fraction = fraction[: p.min_frac] + fraction[p.min_frac :].rstrip("0")
    fraction = fraction.ljust(p.min_frac, "0")
    if not p.min_int and integer == "0" and fraction:
        integer = ""
    if fraction or p.decimal_always:
        integer += "." + fraction
    return _with_affixes(p, value < 0, integer)


def _format_fixed(p: _NumberPattern, value: Any) -> str:
    if type(value) is float and p.multiplier == 1:
        text = _float_text(p, value)
        if text is not None:
            return text
    number = _to_decimal(value)
    if not number.is_finite():
        return _non_finite(p, number)
    negative, number = _scaled_magnitude(p, number)
    try:
        rounded = number.quantize(Decimal(1).scaleb(-p.max_frac), ROUND_HALF_EVEN, _DECIMAL)
    except InvalidOperation:  # absurdly large: keep every digit
        rounded = number
    text = format(rounded, "f")
    integer, _, fraction = text.partition(".")
    if len(fraction) > p.min_frac:
        fraction = fraction[: p.min_frac] + fraction[p.min_frac :].rstrip("0")
    fraction = fraction.ljust(p.min_frac, "0")
    integer = integer.lstrip("0")
    if len(integer) < p.min_int:
        integer = integer.rjust(p.min_int, "0")
    if not integer and not fraction:
        integer = "0"
    body = _group(integer, p.grouping, p.secondary)
    if fraction or p.decimal_always:
        body = body + "." + fraction
    return _with_affixes(p, negative, body)


def _format_significant(p: _NumberPattern, value: Any) -> str:
    number = _to_decimal(value)
    if not number.is_finite():
        return _non_finite(p, number)
    negative, number = _scaled_magnitude(p, number)
    if number == 0:
        integer, fraction = "0", ""
    else:
        step = Decimal(1).scaleb(number.adjusted() - p.max_significant + 1)
        integer, _, fraction = format(number.quantize(step, ROUND_HALF_EVEN, _DECIMAL), "f").partition(".")
        fraction = fraction.rstrip("0")
    shown = len((integer + fraction).lstrip("0")) or 1
    if shown < p.min_significant:  # 1 with '@@@' is 1.00
        fraction += "0" * (p.min_significant - shown)
    body = _group(integer.lstrip("0") or "0", p.grouping, p.secondary)
    if fraction:
        body += "." + fraction
    return _with_affixes(p, negative, body)


def _format_scientific(p: _NumberPattern, value: Any) -> str:
    number = _to_decimal(value)
    if not number.is_finite():
        return _non_finite(p, number)
    negative, number = _scaled_magnitude(p, number)
    engineering = p.max_int > p.min_int and p.max_int > 1
    if number == 0:
        exponent = 0
        mantissa = Decimal(0)
    elif engineering:
        # The exponent is a multiple of the integer width; the mantissa keeps
        # min_int + max_frac significant digits (Java's documented rule).
        significant = max(p.min_int + p.max_frac, 1)
        number = number.quantize(Decimal(1).scaleb(number.adjusted() - significant + 1), ROUND_HALF_EVEN, _DECIMAL)
        exponent = (number.adjusted() // p.max_int) * p.max_int
        mantissa = number.scaleb(-exponent, _DECIMAL)
    else:
        int_digits = max(p.min_int, 1)
        exponent = number.adjusted() - (int_digits - 1)
        mantissa = number.scaleb(-exponent, _DECIMAL).quantize(
            Decimal(1).scaleb(-p.max_frac), ROUND_HALF_EVEN, _DECIMAL
        )
        if mantissa.adjusted() >= int_digits:  # 9.9996 -> 10.000: renormalize
            exponent += 1
            mantissa = number.scaleb(-exponent, _DECIMAL).quantize(
                Decimal(1).scaleb(-p.max_frac), ROUND_HALF_EVEN, _DECIMAL
            )
    text = format(mantissa, "f")
    integer, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0").ljust(p.min_frac, "0")
    integer = integer.lstrip("0").rjust(max(p.min_int, 1), "0")
    body = integer
    if fraction or p.decimal_always:
        body += "." + fraction
    sign = "-" if exponent < 0 else ("+" if p.exponent_plus else "")
    body += "E" + sign + str(abs(exponent)).rjust(p.exponent_digits, "0")
    return _with_affixes(p, negative, body)


# --------------------------------------------------------------------------
# dates, datetimes, times of day

_MONTHS = ("January February March April May June July August September October November December").split()
_DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
_QUARTER_NAMES = ("1st quarter", "2nd quarter", "3rd quarter", "4th quarter")
_DATE_LETTERS = frozenset("GyYuUQqMLlwWdDFgEecabBhHKkmsSAzZOvVXxr")
_EPOCH = dt.date(1970, 1, 1)


class _Moment:
    """The calendar fields of a value, computed once per formatted value."""

    __slots__ = ("date", "hour", "minute", "second", "millis")

    def __init__(self, value: Any) -> None:
        if isinstance(value, dt.datetime):
            self.date = value.date()
            self.hour, self.minute, self.second = value.hour, value.minute, value.second
            self.millis = value.microsecond // 1000
        elif isinstance(value, dt.date):
            self.date = value
            self.hour = self.minute = self.second = self.millis = 0
        elif isinstance(value, dt.time):
            # A time of day is formatted as that time on the epoch day (GMT).
            self.date = _EPOCH
            self.hour, self.minute, self.second = value.hour, value.minute, value.second
            self.millis = value.microsecond // 1000
        else:
            raise TypeError(f"not a date or time: {value!r}")


def _us_week(day: dt.date) -> tuple[int, int]:
    """(week year, week of year) under US rules: Sunday first, week 1 holds Jan 1."""
    sunday_based = (day.weekday() + 1) % 7  # Sunday 0 ... Saturday 6
    week_end = day + dt.timedelta(days=6 - sunday_based)
    if week_end.year > day.year:  # the week holding next January 1 is its week 1
        return day.year + 1, 1
    jan1 = dt.date(day.year, 1, 1)
    offset = (jan1.weekday() + 1) % 7
    return day.year, (day.timetuple().tm_yday - 1 + offset) // 7 + 1


def _pad(number: int, count: int) -> str:
    text = str(abs(number)).rjust(count, "0")
    return "-" + text if number < 0 else text


def _text_field(names: tuple[str, ...] | list[str], index: int, count: int) -> str:
    name = names[index]
    if count == 4:
        return name
    if count == 5:
        return name[0]
    return name[:3]


def _field(letter: str, count: int) -> Callable[[_Moment], str]:  # noqa: C901 - one table
    if letter == "G":
        return lambda m: "Anno Domini" if count == 4 else ("A" if count == 5 else "AD")
    if letter in "yYur" or letter == "U":
        if letter == "y" and count == 2:
            return lambda m: _pad(m.date.year % 100, 2)
        if letter == "Y":
            if count == 2:
                return lambda m: _pad(_us_week(m.date)[0] % 100, 2)
            return lambda m: _pad(_us_week(m.date)[0], count)
        return lambda m: _pad(m.date.year, count)
    if letter in "Qq":
        if count <= 2:
            return lambda m: _pad((m.date.month - 1) // 3 + 1, count)
        if count == 3:
            return lambda m: f"Q{(m.date.month - 1) // 3 + 1}"
        if count == 4:
            return lambda m: _QUARTER_NAMES[(m.date.month - 1) // 3]
        return lambda m: str((m.date.month - 1) // 3 + 1)
    if letter in "MLl":
        if letter == "l":  # ICU's obsolete leap-month marker: prints nothing
            return lambda m: ""
        if count <= 2:
            return lambda m: _pad(m.date.month, count)
        return lambda m: _text_field(_MONTHS, m.date.month - 1, count)
    if letter == "w":
        return lambda m: _pad(_us_week(m.date)[1], count)
    if letter == "W":

        def week_of_month(m: _Moment) -> str:
            first = m.date.replace(day=1)
            offset = (first.weekday() + 1) % 7
            return _pad((m.date.day - 1 + offset) // 7 + 1, count)

        return week_of_month
    if letter == "d":
        return lambda m: _pad(m.date.day, count)
    if letter == "D":
        return lambda m: _pad(m.date.timetuple().tm_yday, count)
    if letter == "F":
        return lambda m: _pad((m.date.day - 1) // 7 + 1, count)
    if letter == "g":  # modified Julian day
        return lambda m: _pad(m.date.toordinal() - 678576, count)
    if letter in "Eec":
        if letter != "E" and count <= 2:
            return lambda m: _pad((m.date.weekday() + 1) % 7 + 1, count)
        if count == 6:
            return lambda m: _DAYS[m.date.weekday()][:2]
        if count > 6:
            raise PatternError(f"too many {letter!r}")
        return lambda m: _text_field(_DAYS, m.date.weekday(), count if count >= 4 else 3)
    if letter in "abB":
        if count == 5:
            return lambda m: "a" if m.hour < 12 else "p"
        return lambda m: "AM" if m.hour < 12 else "PM"
    if letter == "h":
        return lambda m: _pad((m.hour % 12) or 12, count)
    if letter == "H":
        return lambda m: _pad(m.hour, count)
    if letter == "K":
        return lambda m: _pad(m.hour % 12, count)
    if letter == "k":
        return lambda m: _pad(m.hour or 24, count)
    if letter == "m":
        return lambda m: _pad(m.minute, count)
    if letter == "s":
        return lambda m: _pad(m.second, count)
    if letter == "S":
        # ICU: S is the fraction of the second, truncated to `count` digits.
        return lambda m: f"{m.millis:03d}"[:count].ljust(count, "0")
    if letter == "A":
        return lambda m: _pad(((m.hour * 60 + m.minute) * 60 + m.second) * 1000 + m.millis, count)
    return _zone_field(letter, count)


def _zone_field(letter: str, count: int) -> Callable[[_Moment], str]:
    # Every value is formatted in GMT, so each zone field is a constant.
    if letter == "z":
        text = "Greenwich Mean Time" if count == 4 else "GMT"
    elif letter == "Z":
        text = {4: "GMT", 5: "Z"}.get(count, "+0000")
    elif letter in "Ov":
        text = "GMT"
    elif letter == "V":
        text = {1: "gmt", 2: "Etc/GMT", 3: "Unknown City"}.get(count, "GMT")
    elif letter == "X":
        text = "Z"
    elif letter == "x":
        text = {1: "+00", 2: "+0000", 3: "+00:00", 4: "+0000", 5: "+00:00"}.get(count, "+00:00")
    else:
        raise PatternError(f"unknown pattern letter {letter!r}")
    return lambda m: text


def _compile_date(pattern: str) -> Formatter:
    pieces: list[str | Callable[[_Moment], str]] = []
    literal: list[str] = []
    chars = _split_quoted(pattern)
    i, n = 0, len(chars)
    while i < n:
        ch, quoted = chars[i]
        if quoted or not ("a" <= ch <= "z" or "A" <= ch <= "Z"):
            literal.append(ch)
            i += 1
            continue
        if ch not in _DATE_LETTERS:
            raise PatternError(f"illegal pattern character {ch!r}")
        count = 1
        while i + count < n and chars[i + count] == (ch, False):
            count += 1
        if literal:
            pieces.append("".join(literal))
            literal = []
        pieces.append(_field(ch, count))
        i += count
    if literal:
        pieces.append("".join(literal))
    if not any(callable(piece) for piece in pieces):
        constant = "".join(piece for piece in pieces if isinstance(piece, str))
        return lambda v: constant

    def format_moment(value: Any) -> str:
        moment = _Moment(value)
        return "".join(piece if isinstance(piece, str) else piece(moment) for piece in pieces)

    return format_moment
