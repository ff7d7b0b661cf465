"""GROUP BY, PIVOT and ORDER BY of the in-memory executor against a naive model, on random data."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gvizql import Column, DataTable, run_query
from gvizql import ValueType as T
from gvizql.values import code_unit_key, text_sort_key

COLUMNS = [Column("s", T.STRING), Column("n", T.NUMBER), Column("b", T.BOOLEAN), Column("d", T.DATE)]
TYPES = {c.id: c.type for c in COLUMNS}

cells = st.tuples(
    st.one_of(st.none(), st.sampled_from(["", "a", "A", "b", "á", "\U0001f600", "\uff5e", " a", "-"])),
    st.one_of(st.none(), st.sampled_from([0, 1, 2.5, -1, 10])),
    st.one_of(st.none(), st.booleans()),
    st.one_of(st.none(), st.dates(dt.date(2009, 1, 1), dt.date(2009, 1, 4))),
)
tables = st.lists(cells, max_size=15).map(lambda rows: DataTable(COLUMNS, rows))
names = st.sampled_from([c.id for c in COLUMNS])


def group_key(value: Any, column: str) -> Any:
    if TYPES[column] is T.STRING and value is None:
        return ""
    return value


def null_first(value: Any, column: str) -> tuple[Any, ...]:
    if value is None:
        return (0,)
    return (1, code_unit_key(value) if TYPES[column] is T.STRING else value)


def aggregate(function: str, values: list[Any], column: str) -> Any:
    present = [v for v in values if v is not None]
    if function == "count":
        return len(present)
    if not present:
        return None
    if function == "sum":
        return sum(present)
    key = code_unit_key if TYPES[column] is T.STRING else None
    return (min if function == "min" else max)(present, key=key)


@settings(max_examples=100, deadline=None)
@given(tables, st.lists(names, min_size=1, max_size=2, unique=True), st.sampled_from(["count", "min", "max"]), names)
def test_group_by_matches_the_model(table: DataTable, keys: list[str], function: str, target: str) -> None:
    assume(target not in keys)  # a grouped column cannot be aggregated (as in the reference)
    tq = f"select {', '.join(keys)}, {function}({target}) group by {', '.join(keys)}"
    index = {c.id: i for i, c in enumerate(COLUMNS)}
    groups: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
    for row in table.rows:
        groups.setdefault(tuple(group_key(row[index[k]], k) for k in keys), []).append(row)
    ordered = sorted(groups, key=lambda g: tuple(null_first(v, k) for v, k in zip(g, keys, strict=True)))
    expected = [
        tuple(groups[g][0][index[k]] for k in keys)
        + (aggregate(function, [r[index[target]] for r in groups[g]], target),)
        for g in ordered
    ]
    assert run_query(table, tq).rows == expected, tq


@settings(max_examples=100, deadline=None)
@given(tables, names, names)
def test_pivot_matches_the_model(table: DataTable, pivot: str, target: str) -> None:
    assume(target != pivot)  # a pivoted column cannot be aggregated (as in the reference)
    tq = f"select count({target}), max({target}) pivot {pivot}"
    index = {c.id: i for i, c in enumerate(COLUMNS)}
    cells: dict[Any, list[tuple[Any, ...]]] = {}
    for row in table.rows:
        cells.setdefault(group_key(row[index[pivot]], pivot), []).append(row)
    ordered = sorted(cells, key=lambda v: null_first(v, pivot))
    result = run_query(table, tq)
    if not table.rows:
        # No pivot value: the columns of the query without its PIVOT, as in the reference.
        assert result.rows == [] and [c.id for c in result.columns] == [f"count-{target}", f"max-{target}"]
        return
    values = [[r[index[target]] for r in cells[k]] for k in ordered]
    expected = tuple(aggregate("count", v, target) for v in values) + tuple(aggregate("max", v, target) for v in values)
    assert result.rows == [expected], tq
    assert len(result.columns) == 2 * len(ordered)


def order_compare(a: Any, b: Any, column: str) -> int:
    if TYPES[column] is T.STRING:
        ka, kb = text_sort_key(a or ""), text_sort_key(b or "")
    else:
        if a is None or b is None:
            return (a is not None) - (b is not None)
        ka, kb = a, b
    return (ka > kb) - (ka < kb)


@settings(max_examples=100, deadline=None)
@given(tables, st.lists(st.tuples(names, st.booleans()), min_size=1, max_size=3, unique_by=lambda t: t[0]))
def test_order_by_matches_the_model(table: DataTable, items: list[tuple[str, bool]]) -> None:
    order = ", ".join(f"{name} {'desc' if desc else 'asc'}" for name, desc in items)
    tq = f"select s, n, b, d order by {order}"
    index = {c.id: i for i, c in enumerate(COLUMNS)}

    def compare(x: tuple[Any, ...], y: tuple[Any, ...]) -> int:
        for name, desc in items:
            c = order_compare(x[index[name]], y[index[name]], name)
            if c:
                return -c if desc else c
        return 0

    expected = sorted(table.rows, key=functools.cmp_to_key(compare))  # stable, like ORDER BY
    assert run_query(table, tq).rows == expected, tq
