"""Scalar functions: their signatures (for analysis) and Python implementations.

Every implementation takes and returns plain Python values; a null argument
gives a null result unless the reference says otherwise (``upper``/``lower`` of
a null text is ``''``, since a null text behaves as the empty string).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from gvizql.datatable import ValueType

_DATES = frozenset({ValueType.DATE, ValueType.DATETIME})
_TIMES = frozenset({ValueType.DATETIME, ValueType.TIMEOFDAY})
_NUMBER = frozenset({ValueType.NUMBER})
_TEXT = frozenset({ValueType.STRING})


@dataclass(frozen=True, slots=True)
class Signature:
    """What a scalar function accepts (allowed types per argument) and returns."""

    arguments: tuple[frozenset[ValueType], ...]
    result: ValueType


SIGNATURES: dict[str, Signature] = {
    "year": Signature((_DATES,), ValueType.NUMBER),
    "month": Signature((_DATES,), ValueType.NUMBER),
    "day": Signature((_DATES,), ValueType.NUMBER),
    "quarter": Signature((_DATES,), ValueType.NUMBER),
    "dayofweek": Signature((_DATES,), ValueType.NUMBER),
    "hour": Signature((_TIMES,), ValueType.NUMBER),
    "minute": Signature((_TIMES,), ValueType.NUMBER),
    "second": Signature((_TIMES,), ValueType.NUMBER),
    "millisecond": Signature((_TIMES,), ValueType.NUMBER),
    "now": Signature((), ValueType.DATETIME),
    "datediff": Signature((_DATES, _DATES), ValueType.NUMBER),
    "todate": Signature((_DATES | _NUMBER,), ValueType.DATE),
    "upper": Signature((_TEXT,), ValueType.STRING),
    "lower": Signature((_TEXT,), ValueType.STRING),
    "sum": Signature((_NUMBER, _NUMBER), ValueType.NUMBER),
    "difference": Signature((_NUMBER, _NUMBER), ValueType.NUMBER),
    "product": Signature((_NUMBER, _NUMBER), ValueType.NUMBER),
    "quotient": Signature((_NUMBER, _NUMBER), ValueType.NUMBER),
    "modulo": Signature((_NUMBER, _NUMBER), ValueType.NUMBER),
}


# --- dates and times -----------------------------------------------------------------------


def year(v: dt.date | None) -> int | None:
    return None if v is None else v.year


def month(v: dt.date | None) -> int | None:
    """0-based, as the reference (January is 0)."""
    return None if v is None else v.month - 1


def day(v: dt.date | None) -> int | None:
    return None if v is None else v.day


def quarter(v: dt.date | None) -> int | None:
    return None if v is None else (v.month - 1) // 3 + 1


def dayofweek(v: dt.date | None) -> int | None:
    """1 for Sunday through 7 for Saturday (Java's ``Calendar.DAY_OF_WEEK``)."""
    return None if v is None else (v.weekday() + 1) % 7 + 1


def hour(v: dt.datetime | dt.time | None) -> int | None:
    return None if v is None else v.hour


def minute(v: dt.datetime | dt.time | None) -> int | None:
    return None if v is None else v.minute


def second(v: dt.datetime | dt.time | None) -> int | None:
    return None if v is None else v.second


def millisecond(v: dt.datetime | dt.time | None) -> int | None:
    return None if v is None else v.microsecond // 1000


def now() -> dt.datetime:
    """The current UTC time, to the millisecond, as a naive datetime."""
    t = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    return t.replace(microsecond=t.microsecond // 1000 * 1000)


def _as_datetime(v: dt.date) -> dt.datetime:
    if isinstance(v, dt.datetime):
        return v.replace(tzinfo=None) if v.tzinfo is None else v.astimezone(dt.UTC).replace(tzinfo=None)
    return dt.datetime(v.year, v.month, v.day)


_DAY_US = 86_400_000_000


def datediff(a: dt.date | None, b: dt.date | None) -> int | None:
    """Whole days of ``a - b``, truncating the exact difference toward zero."""
    if a is None or b is None:
        return None
    us = (_as_datetime(a) - _as_datetime(b)) // dt.timedelta(microseconds=1)
    days = abs(us) // _DAY_US
    return days if us >= 0 else -days


_EPOCH = dt.datetime(1970, 1, 1)


def todate(v: Any) -> dt.date | None:
    """The date of a date or datetime, or of a number of milliseconds since 1970-01-01 UTC.

    A number is first truncated toward zero to whole milliseconds, as the reference's
    ``(long)`` cast does: ``-0.5`` is 1970-01-01, ``-1.5`` 1969-12-31, NaN 0 (1970-01-01).
    """
    if v is None:
        return None
    if isinstance(v, dt.datetime):
        return _as_datetime(v).date()
    if isinstance(v, dt.date):
        return v
    try:
        number = float(v)
        millis = 0 if math.isnan(number) else int(number)
        return (_EPOCH + dt.timedelta(milliseconds=millis)).date()
    except (OverflowError, ValueError):
        return None  # infinities and dates outside years 1..9999 (the reference goes further)


def upper(v: str | None) -> str:
    return "" if v is None else v.upper()


def lower(v: str | None) -> str:
    return "" if v is None else v.lower()


# --- arithmetic ------------------------------------------------------------------------------


def _float(v: Any) -> float:
    try:
        return float(v)
    except OverflowError:
        return math.inf if v > 0 else -math.inf


def _mixed(op: Callable[[Any, Any], Any], a: Any, b: Any) -> Any:
    # Decimal meets float, or an int grew past what a float holds: fall back to
    # doubles, as the reference computes everything in doubles anyway.
    try:
        return op(_float(a), _float(b))
    except OverflowError:
        return math.nan


# Integers stay exact ints up to 2**53, where every one is a double too; past it the
# reference's doubles round, and so does the result here.
_EXACT = 2**53


def _as_double(r: Any) -> Any:
    if type(r) is int and not -_EXACT <= r <= _EXACT:
        return _float(r)
    return r


def sum_(a: Any, b: Any) -> Any:
    if a is None or b is None:
        return None
    try:
        return _as_double(a + b)
    except (TypeError, OverflowError):
        return _mixed(lambda x, y: x + y, a, b)


def difference(a: Any, b: Any) -> Any:
    if a is None or b is None:
        return None
    try:
        return _as_double(a - b)
    except (TypeError, OverflowError):
        return _mixed(lambda x, y: x - y, a, b)


def product(a: Any, b: Any) -> Any:
    if a is None or b is None:
        return None
    if type(a) is int and type(b) is int and (a.bit_length() + b.bit_length()) > 1100:
        # Beyond any double: don't let repeated products build enormous ints.
        return _float(a) * _float(b)
    try:
        return _as_double(a * b)
    except (TypeError, OverflowError):
        return _mixed(lambda x, y: x * y, a, b)


def quotient(a: Any, b: Any) -> Any:
    """``a / b``; null when ``b`` is zero (as the reference)."""
    if a is None or b is None or b == 0:
        return None
    try:
        return a / b
    except (TypeError, OverflowError, ArithmeticError):
        try:
            return _float(a) / _float(b)
        except (OverflowError, ZeroDivisionError):
            return None


def modulo(a: Any, b: Any) -> Any:
    """``a % b`` with the sign of ``a`` (Java's remainder); NaN when ``b`` is zero."""
    if a is None or b is None:
        return None
    if b == 0:
        return math.nan
    if type(a) is int and type(b) is int:
        r = abs(a) % abs(b)
        return -r if a < 0 else r
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        try:
            return a % b
        except ArithmeticError:
            return math.nan
    try:
        return math.fmod(_float(a), _float(b))
    except ValueError:  # an infinite dividend
        return math.nan


IMPLEMENTATIONS: dict[str, Callable[..., Any]] = {
    "year": year,
    "month": month,
    "day": day,
    "quarter": quarter,
    "dayofweek": dayofweek,
    "hour": hour,
    "minute": minute,
    "second": second,
    "millisecond": millisecond,
    "now": now,
    "datediff": datediff,
    "todate": todate,
    "upper": upper,
    "lower": lower,
    "sum": sum_,
    "difference": difference,
    "product": product,
    "quotient": quotient,
    "modulo": modulo,
}


def call(name: str, *args: Any) -> Any:
    """Apply the scalar function ``name`` (lower case, as in the AST) to argument values."""
    return IMPLEMENTATIONS[name](*args)
