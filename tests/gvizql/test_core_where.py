"""The compiled WHERE of the in-memory executor agrees with ``values.compare`` on random data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from gvizql import Column, DataTable, run_query
from gvizql import ValueType as T
from gvizql.ast import ComparisonOperator as Op
from gvizql.values import compare

TYPES = [T.STRING, T.NUMBER, T.BOOLEAN, T.DATE, T.DATETIME, T.TIMEOFDAY]
COLUMNS = {t: f"c_{t.value}" for t in TYPES}

texts = st.text(alphabet="aAbB%_.é\U0001f600\uff5e 1", max_size=4)
values = {
    T.STRING: texts,
    T.NUMBER: st.one_of(st.integers(-5, 5), st.sampled_from([0.5, -2.5, 1.0, 1e7])),
    T.BOOLEAN: st.booleans(),
    T.DATE: st.dates(dt.date(2009, 1, 1), dt.date(2009, 1, 5)),
    T.DATETIME: st.datetimes(dt.datetime(2009, 1, 1), dt.datetime(2009, 1, 2)).map(
        lambda v: v.replace(microsecond=v.microsecond // 1000 * 1000)
    ),
    T.TIMEOFDAY: st.times().map(lambda v: v.replace(microsecond=v.microsecond // 1000 * 1000)),
}


def literal_text(value: Any, value_type: T) -> str:
    if value_type is T.STRING:
        return "'" + value + "'"
    if value_type is T.NUMBER:
        # Plain decimals: the language has no exponents (1e7 is written 10000000).
        text = str(int(abs(value))) if value == int(value) else repr(abs(value))
        return text if value >= 0 else "-" + text
    if value_type is T.BOOLEAN:
        return "true" if value else "false"
    if value_type is T.DATE:
        return f"date '{value.isoformat()}'"
    ms = f".{value.microsecond // 1000:03d}"
    if value_type is T.DATETIME:
        return f"datetime '{value:%Y-%m-%d %H:%M:%S}{ms}'"
    return f"timeofday '{value:%H:%M:%S}{ms}'"


rows = st.lists(st.tuples(*[st.one_of(st.none(), values[t]) for t in TYPES]), min_size=1, max_size=12)
operators = st.sampled_from(list(Op))


@st.composite
def operands(draw: st.DrawFn) -> tuple[str, T, Any]:
    """(query text, type, None for a column or the literal's value)."""
    value_type = draw(st.sampled_from(TYPES))
    if draw(st.booleans()):
        return COLUMNS[value_type], value_type, None
    value = draw(values[value_type])
    return literal_text(value, value_type), value_type, value


@settings(max_examples=200, deadline=None)
@given(rows, operators, operands(), operands())
def test_where_agrees_with_compare(data: list[tuple[Any, ...]], op: Op, left: Any, right: Any) -> None:
    table = DataTable(
        [Column("i", T.NUMBER)] + [Column(COLUMNS[t], t) for t in TYPES],
        [(i, *row) for i, row in enumerate(data)],
    )
    tq = f"select i where {left[0]} {op.value} {right[0]}"
    got = [r[0] for r in run_query(table, tq).rows]

    def value(operand: tuple[str, T, Any], row: tuple[Any, ...]) -> Any:
        text, value_type, literal = operand
        return row[TYPES.index(value_type)] if text == COLUMNS[value_type] else literal

    expected = [i for i, row in enumerate(data) if compare(op, value(left, row), value(right, row), left[1], right[1])]
    assert got == expected, tq
