"""Ids, labels and text forms, as Google's reference implementation writes them.

- An aggregation's id is ``sum-hours``, its label ``sum Hours`` (function name,
  a space, the source column's label).
- A scalar function's id is its name, ``_``, and its arguments' ids joined by
  commas (``year_worked_on``, ``quotient_sum-salary,7.0_``); its label is the
  name and the arguments' labels run together in parentheses
  (``dateDiff(Hire DateSeniority Start)``).
- A literal is a function of no arguments named by its query text: id ``7.0_``,
  label ``7.0()``.
- Numbers are written as Java writes a double (``2009.0``, ``1.0E7``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from gvizql.ast import ARITHMETIC_FUNCTIONS, Aggregation, ColumnRef, Expression, Literal
from gvizql.datatable import Column, ValueType

# The reference's spelling of function names in ids and labels.
FUNCTION_NAMES = {"datediff": "dateDiff", "todate": "toDate", "dayofweek": "dayofweek"}
_OPERATOR_SYMBOLS = {name: symbol for symbol, name in ARITHMETIC_FUNCTIONS.items()}


def java_number(value: int | float | Decimal) -> str:
    """A number as Java's ``Double.toString`` writes it: ``7.0``, ``0.5``, ``1.0E7``, ``NaN``."""
    f = float(value)
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "Infinity" if f > 0 else "-Infinity"
    if f == 0:
        return "-0.0" if math.copysign(1.0, f) < 0 else "0.0"
    a = abs(f)
    if 1e-3 <= a < 1e7:
        text = repr(f)
        if "e" in text or "E" in text:  # repr switches to exponent form in places Java does not
            text = format(f, "f")
        return text if "." in text else text + ".0"
    # Computerized scientific notation with the shortest digits that round-trip.
    _, digits, exponent = Decimal(repr(a)).as_tuple()
    text = "".join(map(str, digits)).rstrip("0") or "0"
    exp = len(digits) - 1 + int(exponent)
    sign = "-" if f < 0 else ""
    return f"{sign}{text[0]}.{text[1:] or '0'}E{exp}"


def value_text(value: Any, value_type: ValueType) -> str:
    """A value's text form in the reference (Java ``toString``): ``5.0``, ``true``, ``2009-10-01``.

    A null is ``""`` for text and ``"null"`` otherwise. Used for pivot ids and labels
    and by ``contains``/``starts with``/... on non-text values.
    """
    if value is None:
        return "" if value_type is ValueType.STRING else "null"
    if value_type is ValueType.STRING:
        return value
    if value_type is ValueType.NUMBER:
        return java_number(value)
    if value_type is ValueType.BOOLEAN:
        return "true" if value else "false"
    if value_type is ValueType.DATE:
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    if value_type is ValueType.DATETIME:
        text = (
            f"{value.year:04d}-{value.month:02d}-{value.day:02d} {value.hour:02d}:{value.minute:02d}:{value.second:02d}"
        )
        ms = value.microsecond // 1000
        return f"{text}.{ms:03d}" if ms else text
    if value_type is ValueType.TIMEOFDAY:
        text = f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
        ms = value.microsecond // 1000
        return f"{text}.{ms:03d}" if ms else text
    return str(value)


def text_form(value_type: ValueType) -> Callable[[Any], str]:
    """``value_text`` specialised to one type (for per-row use)."""
    if value_type is ValueType.STRING:
        return _string_text
    if value_type is ValueType.NUMBER:
        return lambda v: "null" if v is None else java_number(v)
    return lambda v: value_text(v, value_type)


def _string_text(value: str | None) -> str:
    return "" if value is None else value


def literal_text(literal: Literal) -> str:
    """A literal as the reference writes it back as query text: ``7.0``, ``"abc"``, ``DATE '2009-10-1'``."""
    v = literal.value
    t = literal.type
    if t is ValueType.NUMBER:
        return java_number(v)
    if t is ValueType.STRING:
        return f"'{v}'" if '"' in v else f'"{v}"'
    if t is ValueType.BOOLEAN:
        return "true" if v else "false"
    if t is ValueType.DATE:
        return f"DATE '{v.year}-{v.month}-{v.day}'"
    ms = v.microsecond // 1000
    fraction = f".{ms}" if ms else ""
    if t is ValueType.DATETIME:
        return f"DATETIME '{v.year}-{v.month}-{v.day} {v.hour}:{v.minute}:{v.second}{fraction}'"
    return f"TIMEOFDAY '{v.hour}:{v.minute}:{v.second}{fraction}'"


def function_name(name: str) -> str:
    """The reference's spelling of a scalar function name (``dateDiff``, ``dayofweek``)."""
    return FUNCTION_NAMES.get(name, name)


def column_id(expr: Expression) -> str:
    """The id the reference gives a selected expression (``sum-hours``, ``year_worked_on``)."""
    if isinstance(expr, ColumnRef):
        return expr.name
    if isinstance(expr, Aggregation):
        return f"{expr.function.value}-{expr.column.name}"
    if isinstance(expr, Literal):
        return literal_text(expr) + "_"
    return function_name(expr.name) + "_" + ",".join(column_id(a) for a in expr.args)


def column_label(expr: Expression, source: Mapping[str, Column]) -> str:
    """The default label of a selected expression, before any LABEL clause."""
    if isinstance(expr, ColumnRef):
        return _source_label(expr.name, source)
    if isinstance(expr, Aggregation):
        return f"{expr.function.value} {_source_label(expr.column.name, source)}"
    if isinstance(expr, Literal):
        return literal_text(expr) + "()"
    return function_name(expr.name) + "(" + "".join(column_label(a, source) for a in expr.args) + ")"


def _source_label(name: str, source: Mapping[str, Column]) -> str:
    column = source.get(name)
    if column is None or not column.label:
        return name
    return column.label


def pivot_key_text(key: Sequence[Any], types: Sequence[ValueType]) -> str:
    """Pivot values joined by commas, each in its text form (``alpha,2009.0``)."""
    return ",".join(value_text(v, t) for v, t in zip(key, types, strict=True))


def pivot_column_id(key_text: str, expr_id: str) -> str:
    """``alpha sum-hours``: the pivot values, a space, the aggregated column's id."""
    return f"{key_text} {expr_id}"


def query_text(expr: Expression) -> str:
    """An expression written back as query text, for messages (``sum(hours)``, ``hours + 1``)."""
    if isinstance(expr, ColumnRef):
        name = expr.name
        if name.isidentifier() and name.isascii():
            return name
        return f"`{name}`"
    if isinstance(expr, Aggregation):
        return f"{expr.function.value}({query_text(expr.column)})"
    if isinstance(expr, Literal):
        if expr.type is ValueType.NUMBER:
            v = expr.value
            return str(v) if isinstance(v, int) else java_number(v)
        return literal_text(expr)
    symbol = _OPERATOR_SYMBOLS.get(expr.name)
    if symbol is not None and len(expr.args) == 2:
        left, right = (query_text(a) for a in expr.args)
        return f"({left} {symbol} {right})"
    return function_name(expr.name) + "(" + ", ".join(query_text(a) for a in expr.args) + ")"


__all__ = [
    "column_id",
    "column_label",
    "function_name",
    "java_number",
    "literal_text",
    "pivot_column_id",
    "pivot_key_text",
    "query_text",
    "text_form",
    "value_text",
]
