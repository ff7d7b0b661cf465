"""Validation of a parsed query against a table's columns.

``analyze`` checks every rule of the language and returns an ``AnalyzedQuery``:
the normalised query plus what both executors need (types, ids, labels, output
columns). Any violation raises ``QueryError`` with reason ``invalid_query`` and a
message naming the offending expression and its position.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeGuard

from gvizql.ast import (
    Aggregation,
    AggregationFunction,
    And,
    ColumnRef,
    Comparison,
    ComparisonOperator,
    Condition,
    Expression,
    FunctionCall,
    IsNull,
    Literal,
    Not,
    Or,
    Query,
)
from gvizql.datatable import Column, ValueType, Warning
from gvizql.errors import QueryError, Reason, invalid_query
from gvizql.functions import SIGNATURES
from gvizql.naming import (
    column_id,
    column_label,
    function_name,
    pivot_column_id,
    pivot_key_text,
    query_text,
)
from gvizql.parser import MAX_COLUMNS, parse_date, parse_datetime
from gvizql.regex import InvalidPattern, UnsupportedPattern, java_pattern
from gvizql.values import ORDERING_OPERATORS, pivot_key_order

_NUMERIC_AGGREGATIONS = frozenset({AggregationFunction.SUM, AggregationFunction.AVG})


@dataclass(frozen=True, eq=False)
class AnalyzedQuery:
    """A query checked against its source columns, ready for an executor.

    ``query`` is normalised: ``SELECT *`` expanded into column references, the
    implicit GROUP BY and date-string options applied. ``selected`` is
    ``query.select``; ``aggregations`` lists each distinct aggregation the query
    uses (SELECT, then ORDER BY), in order of appearance.
    """

    query: Query
    source: Mapping[str, Column]
    selected: tuple[Expression, ...]
    aggregated: bool
    aggregations: tuple[Aggregation, ...]
    warnings: tuple[Warning, ...] = ()
    _types: Mapping[Expression, ValueType] = field(default_factory=dict, repr=False)
    _labels: Mapping[Expression, str] = field(default_factory=dict, repr=False)
    _patterns: Mapping[Expression, str] = field(default_factory=dict, repr=False)

    @property
    def group_by(self) -> tuple[Expression, ...]:
        return self.query.group_by

    @property
    def pivot(self) -> tuple[Expression, ...]:
        return self.query.pivot

    @property
    def where(self) -> Condition | None:
        return self.query.where

    def type_of(self, expr: Expression) -> ValueType:
        """The value type of any expression of the query (or built from its columns)."""
        t = self._types.get(expr)
        if t is None:
            t = _Typer(self.source).type_of(expr)
        return t

    def id_of(self, expr: Expression) -> str:
        """The output column id the reference gives ``expr`` (``sum-hours``)."""
        return column_id(expr)

    def label_of(self, expr: Expression) -> str:
        """The default label of ``expr``, before the LABEL clause (``sum Hours``)."""
        return column_label(expr, self.source)

    def output_label_of(self, expr: Expression) -> str | None:
        """The label of a selected expression after the LABEL clause.

        A plain column keeps its source label (None when it has none).
        """
        label = self._labels.get(expr)
        if label is not None:
            return label
        if isinstance(expr, ColumnRef):
            column = self.source.get(expr.name)
            return column.label if column is not None else None
        return self.label_of(expr)

    def pattern_of(self, expr: Expression) -> str | None:
        """The FORMAT pattern of a selected expression (even an invalid one, which renderers
        do not apply: see ``warnings``), or None."""
        return self._patterns.get(expr)

    def is_pivoted(self, expr: Expression) -> bool:
        """Whether a selected expression becomes one column per pivot value (it aggregates)."""
        return bool(self.query.pivot) and contains_aggregation(expr)

    @property
    def pivot_types(self) -> tuple[ValueType, ...]:
        return tuple(self.type_of(e) for e in self.query.pivot)

    def output_columns(self) -> list[Column]:
        """The result's columns for a query without PIVOT: ids, labels, types, patterns."""
        return [
            Column(self.id_of(e), self.type_of(e), self.output_label_of(e), self.pattern_of(e)) for e in self.selected
        ]

    def pivot_key_order(self, keys: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
        """Distinct pivot value tuples sorted as the output columns go (see ``values.pivot_key_order``)."""
        return pivot_key_order(keys, self.pivot_types)

    @property
    def max_pivot_keys(self) -> int:
        """Most distinct pivot value tuples a PIVOT result has room for (MAX_COLUMNS columns in all)."""
        pivoted = sum(1 for e in self.selected if self.is_pivoted(e))
        return (MAX_COLUMNS - (len(self.selected) - pivoted)) // max(pivoted, 1)

    def check_pivot_keys(self, count: int) -> None:
        """Refuse a PIVOT whose ``count`` distinct value tuples would make too many columns.

        Raises ``QueryError`` (``invalid_query``) "The result would have more than
        1000 columns: PIVOT <keys> has more than <max_pivot_keys> distinct values".
        """
        if count > self.max_pivot_keys:
            pivot = ", ".join(query_text(e) for e in self.query.pivot)
            raise invalid_query(
                f"The result would have more than {MAX_COLUMNS} columns: "
                f"PIVOT {pivot} has more than {self.max_pivot_keys} distinct values",
                position=self.query.pivot[0].pos,
            )

    def pivot_output_columns(self, pivot_keys: Sequence[Sequence[Any]]) -> list[Column]:
        """The result's columns for a PIVOT query.

        ``pivot_keys`` are the distinct pivot value tuples found in the data (sorted
        here with ``pivot_key_order``, so any order will do). Each selected
        aggregating expression becomes one column per key, in key order; the other
        selected expressions (the grouped ones) keep their place. Raises
        ``QueryError`` when the keys make too many columns (see ``check_pivot_keys``).

        Labels, as the reference writes them: an aggregation is labelled with the
        key alone (``alpha``) when SELECT holds one distinct aggregation, else with
        the key and its label (``alpha sum Hours``); any other expression with the
        key and its label (``alpha quotient(sum Hours2.0())``); a LABEL with the key
        and that label. No key at all (WHERE left no row) gives the columns of the
        query without its PIVOT, as the reference does.
        """
        if not pivot_keys:
            return self.output_columns()
        self.check_pivot_keys(len(pivot_keys))
        keys = self.pivot_key_order(pivot_keys)
        types = self.pivot_types
        key_texts = [pivot_key_text(k, types) for k in keys]
        distinct = {a for e in self.selected for a in aggregations_in(e)}
        key_alone = len(distinct) == 1
        columns: list[Column] = []
        for e in self.selected:
            if not self.is_pivoted(e):
                columns.append(Column(self.id_of(e), self.type_of(e), self.output_label_of(e), self.pattern_of(e)))
                continue
            expr_id = self.id_of(e)
            value_type = self.type_of(e)
            pattern = self.pattern_of(e)
            explicit = self._labels.get(e)
            for text in key_texts:
                if explicit is not None:
                    label = f"{text} {explicit}"
                elif key_alone and isinstance(e, Aggregation):
                    label = text
                else:
                    label = f"{text} {self.label_of(e)}"
                columns.append(Column(pivot_column_id(text, expr_id), value_type, label, pattern))
        return columns


# --- tree walking ---------------------------------------------------------------------------


def subexpressions(expr: Expression) -> Iterator[Expression]:
    """``expr`` and every expression inside it, parents first."""
    yield expr
    if isinstance(expr, FunctionCall):
        for a in expr.args:
            yield from subexpressions(a)
    elif isinstance(expr, Aggregation):
        yield expr.column


def condition_operands(condition: Condition) -> Iterator[Expression]:
    """The expressions compared anywhere in a WHERE condition."""
    if isinstance(condition, Comparison):
        yield condition.left
        yield condition.right
    elif isinstance(condition, IsNull):
        yield condition.operand
    elif isinstance(condition, (And, Or)):
        for c in condition.operands:
            yield from condition_operands(c)
    elif isinstance(condition, Not):
        yield from condition_operands(condition.operand)


def aggregations_in(expr: Expression) -> list[Aggregation]:
    """The aggregations inside ``expr``, left to right."""
    if isinstance(expr, Aggregation):
        return [expr]
    if isinstance(expr, FunctionCall):
        found: list[Aggregation] = []
        for a in expr.args:
            found += aggregations_in(a)
        return found
    return []


def contains_aggregation(expr: Expression) -> bool:
    if isinstance(expr, Aggregation):
        return True
    if isinstance(expr, FunctionCall):
        return any(contains_aggregation(a) for a in expr.args)
    return False


def column_refs(expr: Expression) -> Iterator[ColumnRef]:
    for e in subexpressions(expr):
        if isinstance(e, ColumnRef):
            yield e


# --- typing ----------------------------------------------------------------------------------


class _Typer:
    """Computes (and checks) the type of expressions over the source columns."""

    def __init__(self, source: Mapping[str, Column]) -> None:
        self.source = source
        self.types: dict[Expression, ValueType] = {}

    def type_of(self, expr: Expression) -> ValueType:
        t = self.types.get(expr)
        if t is None:
            t = self.types[expr] = self._compute(expr)
        return t

    def _compute(self, expr: Expression) -> ValueType:
        if isinstance(expr, ColumnRef):
            column = self.source.get(expr.name)
            if column is None:
                raise invalid_query(f'Column "{expr.name}" does not exist in table', position=expr.pos)
            return column.type
        if isinstance(expr, Literal):
            return expr.type
        if isinstance(expr, Aggregation):
            if not isinstance(expr.column, ColumnRef):  # only a hand-built AST can hold this
                raise invalid_query(
                    f'Aggregation "{expr.function.value}" takes a column, not "{query_text(expr.column)}"',
                    position=expr.pos,
                )
            column_type = self.type_of(expr.column)
            if expr.function is AggregationFunction.COUNT:
                return ValueType.NUMBER
            if expr.function in _NUMERIC_AGGREGATIONS and column_type is not ValueType.NUMBER:
                raise invalid_query(
                    f'Aggregation "{expr.function.value}" needs a number column, but '
                    f'"{expr.column.name}" is {column_type.value}',
                    position=expr.pos,
                )
            return column_type
        if isinstance(expr, FunctionCall):
            return self._call(expr)
        raise invalid_query(f"Not an expression: {expr!r}")

    def _call(self, call: FunctionCall) -> ValueType:
        signature = SIGNATURES.get(call.name)
        if signature is None:
            raise invalid_query(f'Unknown function "{call.name}"', position=call.pos)
        shown = _shown_name(call)
        expected = len(signature.arguments)
        if len(call.args) != expected:
            plural = "argument" if expected == 1 else "arguments"
            kind = "Operator" if call.name in _SYMBOLS else "Function"
            raise invalid_query(f'{kind} "{shown}" takes {expected} {plural}, not {len(call.args)}', position=call.pos)
        for arg, allowed in zip(call.args, signature.arguments, strict=True):
            t = self.type_of(arg)
            if t not in allowed:
                wanted = " or ".join(sorted(a.value for a in allowed))
                kind = "Operator" if call.name in _SYMBOLS else "Function"
                raise invalid_query(
                    f'{kind} "{shown}" needs a {wanted} argument, but "{query_text(arg)}" is {t.value}',
                    position=arg.pos if arg.pos is not None else call.pos,
                )
        return signature.result


_SYMBOLS = {"sum": "+", "difference": "-", "product": "*", "quotient": "/", "modulo": "%"}


def _shown_name(call: FunctionCall) -> str:
    symbol = _SYMBOLS.get(call.name)
    return symbol if symbol is not None else function_name(call.name)


# --- the rules ---------------------------------------------------------------------------------


def analyze(
    query: Query,
    schema: Sequence[Column],
    *,
    implicit_group_by: bool = False,
    date_strings: bool = False,
) -> AnalyzedQuery:
    """Check ``query`` against the source columns ``schema``.

    Returns the ``AnalyzedQuery`` (normalised query, types, ids, labels, output
    columns, warnings). Raises ``QueryError`` (``invalid_query``) when the query
    breaks a rule of the language: unknown column, type mismatch in a function or
    aggregation, selected column neither grouped nor aggregated, GROUP BY or PIVOT
    without aggregation, aggregation in WHERE/GROUP BY/PIVOT, a column both grouped
    and pivoted, ORDER BY on an unselected expression of an aggregating query,
    LABEL/FORMAT of an unselected or repeated column, and so on.

    ``implicit_group_by``: a SELECT mixing plain expressions and aggregations
    without GROUP BY is grouped by its plain expressions. ``date_strings``: a string
    literal compared with a date or datetime becomes a date (datetime) literal.
    """
    schema = tuple(schema)
    key = (id(query), schema, implicit_group_by, date_strings)
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None and hit[0] is query:
            _CACHE.move_to_end(key)
            return hit[1]
    analyzed = _analyze(query, schema, implicit_group_by, date_strings)
    with _CACHE_LOCK:
        # Keyed by the query object itself (``parse`` returns the same object for the
        # same text): no deep hashing, and positions always belong to this query.
        _CACHE[key] = (query, analyzed)
        if len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return analyzed


_CACHE: OrderedDict[tuple[Any, ...], tuple[Query, AnalyzedQuery]] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 256


def _analyze(query: Query, schema: tuple[Column, ...], implicit_group_by: bool, date_strings: bool) -> AnalyzedQuery:
    source: dict[str, Column] = {}
    for c in schema:
        source.setdefault(c.id, c)
    typer = _Typer(source)

    select = query.select if query.select is not None else tuple(ColumnRef(c.id) for c in schema)
    if query.select is None and len(source) != len(schema):
        raise QueryError(Reason.INVALID_QUERY, "The table has two columns with the same id")
    if len(select) > MAX_COLUMNS:
        raise invalid_query(f"The result would have more than {MAX_COLUMNS} columns")
    query = replace(query, select=select)

    # Types first: unknown columns and type errors are reported before structure.
    for e in select:
        typer.type_of(e)
    if query.where is not None:
        for e in condition_operands(query.where):
            typer.type_of(e)
    for clause in (query.group_by, query.pivot):
        for e in clause:
            typer.type_of(e)
    for item in query.order_by:
        typer.type_of(item.expression)
    for items in (query.labels, query.formats):
        for labelled in items:
            typer.type_of(labelled.expression)

    if date_strings and query.where is not None:
        query = replace(query, where=_dates_from_strings(query.where, typer))

    _check_no_aggregation(query)
    if query.where is not None:
        _check_patterns(query.where)

    select_aggregates = any(contains_aggregation(e) for e in select)
    if implicit_group_by and select_aggregates and not query.group_by:
        plain = tuple(
            e
            for e in select
            if not contains_aggregation(e) and next(column_refs(e), None) is not None and e not in query.pivot
        )
        if plain:
            query = replace(query, group_by=plain)

    aggregated = select_aggregates or bool(query.group_by) or bool(query.pivot)
    if aggregated:
        _check_grouping(query, select_aggregates)
    _check_order_by(query, aggregated)
    _targets(query.labels, select, "LABEL")
    patterns, warnings = _patterns(query, select, typer)

    seen: dict[Aggregation, None] = {}
    for e in list(select) + [o.expression for o in query.order_by]:
        for a in aggregations_in(e):
            seen.setdefault(a, None)

    return AnalyzedQuery(
        query=query,
        source=source,
        selected=select,
        aggregated=aggregated,
        aggregations=tuple(seen),
        warnings=tuple(warnings),
        _types=typer.types,
        _labels={item.expression: item.label for item in query.labels},
        _patterns=patterns,
    )


def _check_no_aggregation(query: Query) -> None:
    places: list[tuple[str, Expression]] = []
    if query.where is not None:
        places += [("WHERE", e) for e in condition_operands(query.where)]
    places += [("GROUP BY", e) for e in query.group_by]
    places += [("PIVOT", e) for e in query.pivot]
    for clause, e in places:
        for a in aggregations_in(e):
            raise invalid_query(f'Aggregation "{query_text(a)}" is not allowed in {clause}', position=a.pos)


def _check_patterns(condition: Condition) -> None:
    """Refuse literal ``matches`` patterns that RE2 cannot run, before any row is read.

    Raises ``invalid_query`` naming the construct and its offset in the pattern
    (see ``gvizql.regex``). A pattern Java itself rejects is no error: it matches
    nothing, as in the reference.
    """
    pending = [condition]
    while pending:
        c = pending.pop()
        if isinstance(c, (And, Or)):
            pending.extend(c.operands)
        elif isinstance(c, Not):
            pending.append(c.operand)
        elif (
            isinstance(c, Comparison)
            and c.operator is ComparisonOperator.MATCHES
            and isinstance(c.right, Literal)
            and isinstance(c.right.value, str)
        ):
            pattern = c.right.value
            try:
                java_pattern(pattern)
            except UnsupportedPattern as error:
                shown = pattern if len(pattern) <= 40 else pattern[:40] + "..."
                raise invalid_query(
                    f'The "matches" pattern "{shown}" cannot be run: {error}', position=c.right.pos
                ) from None
            except InvalidPattern:
                pass


def _check_grouping(query: Query, select_aggregates: bool) -> None:
    select = query.select or ()
    if not select_aggregates:
        clause, first = ("GROUP BY", query.group_by[0]) if query.group_by else ("PIVOT", query.pivot[0])
        raise invalid_query(f"{clause} needs at least one aggregation in SELECT", position=first.pos)
    _check_aggregated_columns(query)
    pivoted = set(query.pivot)
    for e in query.group_by:
        if e in pivoted:
            raise invalid_query(f'Column "{query_text(e)}" cannot be both grouped and pivoted', position=e.pos)
    grouped = set(query.group_by)

    def is_grouped(e: Expression) -> bool:
        if e in grouped or isinstance(e, (Literal, Aggregation)):
            return True
        if isinstance(e, FunctionCall):
            return all(is_grouped(a) for a in e.args)
        return False

    for e in select:
        if not is_grouped(e):
            culprit = next((c for c in column_refs(e) if not is_grouped(c)), e)
            if culprit in pivoted or e in pivoted:
                raise invalid_query(
                    f'Column "{query_text(culprit)}" is pivoted and cannot be selected', position=culprit.pos
                )
            raise invalid_query(
                f'Column "{query_text(culprit)}" should be added to GROUP BY, removed from SELECT, '
                f"or aggregated in SELECT",
                position=culprit.pos,
            )


def _check_aggregated_columns(query: Query) -> None:
    """A column aggregated in SELECT is used nowhere else as it is, as in the reference.

    It may not also be selected plainly (even inside a scalar function: ``select
    year(d), max(d)``), nor be a GROUP BY or PIVOT column.
    """
    aggregated: dict[str, Aggregation] = {}
    plain: list[ColumnRef] = []
    for e in query.select or ():
        for a in aggregations_in(e):
            aggregated.setdefault(a.column.name, a)
        plain.extend(_plain_columns(e))
    for column in plain:
        if column.name in aggregated:
            raise invalid_query(
                f'Column "{query_text(column)}" cannot be selected both as it is and aggregated',
                position=column.pos,
            )
    for verb, items in (("grouped", query.group_by), ("pivoted", query.pivot)):
        for e in items:
            if isinstance(e, ColumnRef) and e.name in aggregated:
                a = aggregated[e.name]
                raise invalid_query(
                    f'Column "{query_text(e)}" cannot be both {verb} and aggregated in "{query_text(a)}"',
                    position=a.pos,
                )


def _plain_columns(e: Expression) -> Iterator[ColumnRef]:
    """The columns of ``e`` outside any aggregation."""
    if isinstance(e, ColumnRef):
        yield e
    elif isinstance(e, FunctionCall):
        for arg in e.args:
            yield from _plain_columns(arg)


def _check_order_by(query: Query, aggregated: bool) -> None:
    selected = set(query.select or ())
    for item in query.order_by:
        e = item.expression
        if not aggregated:
            for a in aggregations_in(e):
                raise invalid_query(
                    f'Aggregation "{query_text(a)}" in ORDER BY needs an aggregating query', position=a.pos
                )
            continue
        if e not in selected:
            raise invalid_query(
                f'"{query_text(e)}" in ORDER BY must be selected when the query aggregates', position=e.pos
            )
        if query.pivot and contains_aggregation(e):
            raise invalid_query(
                f'"{query_text(e)}" cannot be used in ORDER BY with PIVOT: it becomes one column per pivot value',
                position=e.pos,
            )


def _targets(items: Sequence[Any], select: Sequence[Expression], clause: str) -> dict[Expression, Any]:
    selected = set(select)
    found: dict[Expression, Any] = {}
    for item in items:
        e = item.expression
        if e not in selected:
            raise invalid_query(f'{clause} names "{query_text(e)}", which is not selected', position=e.pos)
        if e in found:
            raise invalid_query(f'"{query_text(e)}" appears more than once in {clause}', position=e.pos)
        found[e] = item
    return found


def _patterns(query: Query, select: Sequence[Expression], typer: _Typer) -> tuple[dict[Expression, str], list[Warning]]:
    _targets(query.formats, select, "FORMAT")
    patterns: dict[Expression, str] = {}
    warnings: list[Warning] = []
    if not query.formats:
        return patterns, warnings
    is_valid = _pattern_checker()
    for item in query.formats:
        value_type = typer.type_of(item.expression)
        # As in the reference, the column keeps even an invalid pattern's text; renderers
        # give its cells no formatted value.
        patterns[item.expression] = item.pattern
        if not is_valid(value_type, item.pattern):
            warnings.append(
                Warning(
                    str(Reason.ILLEGAL_FORMATTING_PATTERNS),
                    "Illegal formatting pattern",
                    f'The pattern "{item.pattern}" of "{query_text(item.expression)}" is not a valid '
                    f"{value_type.value} pattern",
                )
            )
    return patterns, warnings


def _pattern_checker() -> Any:
    try:
        from gvizql.format import is_valid_pattern
    except ImportError:  # the formatter is optional at analysis time
        return lambda value_type, pattern: True
    return is_valid_pattern


def _dates_from_strings(condition: Condition, typer: _Typer) -> Condition:
    """``date_strings``: a quoted string compared with a date(time) becomes a date(time) literal."""
    if isinstance(condition, (And, Or)):
        return type(condition)(tuple(_dates_from_strings(c, typer) for c in condition.operands), pos=condition.pos)
    if isinstance(condition, Not):
        return Not(_dates_from_strings(condition.operand, typer), pos=condition.pos)
    if not isinstance(condition, Comparison) or condition.operator not in ORDERING_OPERATORS:
        return condition
    left, right = condition.left, condition.right
    left_type, right_type = typer.type_of(left), typer.type_of(right)
    if _is_string_literal(right) and left_type in (ValueType.DATE, ValueType.DATETIME):
        right = _date_literal(right, left_type)
        typer.types[right] = right.type
    elif _is_string_literal(left) and right_type in (ValueType.DATE, ValueType.DATETIME):
        left = _date_literal(left, right_type)
        typer.types[left] = left.type
    else:
        return condition
    return Comparison(condition.operator, left, right, pos=condition.pos)


def _is_string_literal(e: Expression) -> TypeGuard[Literal]:
    return isinstance(e, Literal) and e.type is ValueType.STRING


def _date_literal(literal: Literal, target: ValueType) -> Literal:
    text = literal.value.strip()
    if target is ValueType.DATE:
        value: Any = parse_date(text)
        if value is None:
            raise invalid_query(f"Invalid date \"{literal.value}\" (expected 'yyyy-MM-dd')", position=literal.pos)
        return Literal(value, ValueType.DATE, pos=literal.pos)
    value = parse_datetime(text)
    if value is None:
        day = parse_date(text)
        if day is None:
            raise invalid_query(
                f"Invalid datetime \"{literal.value}\" (expected 'yyyy-MM-dd[ HH:mm:ss]')", position=literal.pos
            )
        value = dt.datetime(day.year, day.month, day.day)
    return Literal(value, ValueType.DATETIME, pos=literal.pos)
