"""The in-memory executor: the reference semantics over a ``DataTable``.

Steps, in the reference's order: filter (WHERE), group and pivot, sort (ORDER
BY, stable), SKIPPING, OFFSET, LIMIT, then labels and format patterns on the
columns.

For speed, WHERE conditions, keys and selected expressions are compiled once
into Python source (a list comprehension over the rows, or a lambda) and
evaluated with ``eval``. Only generated names appear in that source: every
value from the query (literals, patterns, functions) is bound in the namespace,
never pasted into the code.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import operator
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from gvizql.analyze import AnalyzedQuery, analyze
from gvizql.ast import (
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
)
from gvizql.datatable import Column, DataTable, ValueType
from gvizql.errors import QueryError, Reason, invalid_query
from gvizql.functions import IMPLEMENTATIONS, now
from gvizql.naming import text_form, value_text
from gvizql.parser import parse
from gvizql.regex import runnable_pattern
from gvizql.values import (
    code_unit_key,
    compare_order,
    group_sort_key,
    like_regex,
    sort_rows,
    text_match,
)

_C = ComparisonOperator


def run_query(
    table: DataTable,
    tq: str,
    *,
    implicit_group_by: bool = False,
    date_strings: bool = False,
) -> DataTable:
    """Run the query text ``tq`` over ``table`` in memory.

    Returns a new ``DataTable`` (columns with ids, labels and FORMAT patterns;
    warnings such as ``illegal_formatting_patterns``). Raises ``QueryError``
    (``invalid_query``) for a query that does not parse or breaks a rule of the
    language, and ``internal_error`` when the table holds values that do not fit
    their column's type. See ``analyze`` for the two options.
    """
    try:
        query = parse(tq)
        analyzed = analyze(query, table.columns, implicit_group_by=implicit_group_by, date_strings=date_strings)
    except (RecursionError, MemoryError):
        raise invalid_query("The query is too complex") from None
    try:
        return execute(analyzed, table)
    except (RecursionError, MemoryError):
        raise invalid_query("The query is too complex") from None
    except TypeError as e:
        # Values that do not fit their column's type (a datetime in a date column...)
        # cannot be compared or computed; that is the table's fault, not the query's.
        raise QueryError(Reason.INTERNAL_ERROR, "The table's values do not match its column types", f"{e}") from e


def execute(analyzed: AnalyzedQuery, table: DataTable) -> DataTable:
    """Execute an analysed query over ``table`` (whose columns it was analysed against)."""
    with _collector_paused():
        return _Execution(analyzed, table).run()


_gc_lock = threading.Lock()
_gc_pauses = 0  # executions running with the collector paused
_gc_restore = False  # whether the collector was on when the first of them started


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a query runs.

    Grouping a large table allocates many lists and tuples, and each allocation
    burst triggers collections that walk every live object, the table's million
    row tuples included: without the pause a query can spend most of its time
    there. Concurrent executions share one pause; the last one to finish turns
    the collector back on (if it was on).
    """
    global _gc_pauses, _gc_restore
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_restore = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_restore:
                gc.enable()


# --- compilation to Python source ---------------------------------------------------------


class _Compiler:
    """Turns expressions and conditions into Python source over a row named ``r``.

    ``env`` maps the expressions available in the row to their index: source
    columns for the source rows, group keys and aggregations for grouped rows.
    """

    def __init__(self, analyzed: AnalyzedQuery, env: Mapping[Expression, int], namespace: dict[str, Any]) -> None:
        self.analyzed = analyzed
        self.env = env
        self.ns = namespace

    def bind(self, value: Any) -> str:
        name = f"_v{len(self.ns)}"
        self.ns[name] = value
        return name

    def expression(self, e: Expression) -> str:
        i = self.env.get(e)
        if i is not None:
            return f"r[{i}]"
        if isinstance(e, Literal):
            return self.bind(e.value)
        if isinstance(e, FunctionCall):
            if e.name == "now":
                # One instant for the whole query.
                return self.bind(self.ns.setdefault("_now", now()))
            args = ", ".join(self.expression(a) for a in e.args)
            return f"{self.bind(IMPLEMENTATIONS[e.name])}({args})"
        raise QueryError(Reason.INTERNAL_ERROR, f"Cannot evaluate {e!r} here")

    def function(self, e: Expression) -> Callable[[Any], Any]:
        i = self.env.get(e)
        if i is not None:
            return operator.itemgetter(i)
        return self.lambda_(self.expression(e))

    def lambda_(self, body: str) -> Callable[[Any], Any]:
        return eval(f"lambda r: {body}", self.ns)  # noqa: S307 - generated source, see module doc

    def tuple_(self, exprs: Sequence[Expression]) -> str:
        if not exprs:
            return "()"
        return "(" + ", ".join(self.expression(e) for e in exprs) + ",)"

    # -- conditions
    def condition(self, c: Condition) -> str:
        if isinstance(c, And):
            return "(" + " and ".join(self.condition(o) for o in c.operands) + ")"
        if isinstance(c, Or):
            return "(" + " or ".join(self.condition(o) for o in c.operands) + ")"
        if isinstance(c, Not):
            return f"(not {self.condition(c.operand)})"
        if isinstance(c, IsNull):
            return f"({self.expression(c.operand)} is {'not ' if c.negated else ''}None)"
        return self.comparison(c)

    def comparison(self, c: Comparison) -> str:
        left_type = self.analyzed.type_of(c.left)
        right_type = self.analyzed.type_of(c.right)
        if c.operator in (_C.CONTAINS, _C.STARTS_WITH, _C.ENDS_WITH, _C.LIKE, _C.MATCHES):
            return self.text_comparison(c, left_type, right_type)
        if left_type is not right_type:
            return "False"
        if left_type is ValueType.NUMBER and (_may_be_nan(c.left) or _may_be_nan(c.right)):
            # x % 0 is NaN, which compares as Java's Double.compare has it (greater than every
            # number, equal to itself), as in the reference and on PostgreSQL and DuckDB.
            compare = self.bind(functools.partial(compare_order, value_type=ValueType.NUMBER))
            test = self.bind(_ORDER_TESTS[c.operator])
            return f"{test}({compare}({self.expression(c.left)}, {self.expression(c.right)}))"
        a, b = self.expression(c.left), self.expression(c.right)
        op = c.operator
        if left_type is ValueType.STRING:
            a, b = self._text(c.left, a), self._text(c.right, b)
        if op is _C.EQ:
            return f"({a} == {b})"
        if op is _C.NE:
            return f"({a} != {b})"
        symbol = _SYMBOLS[op]
        if left_type is ValueType.STRING:
            if _ascii_literal(c.left) or _ascii_literal(c.right):
                # Against ASCII text, code-point order is code-unit order.
                return f"({a} {symbol} {b})"
            key = self.bind(code_unit_key)
            return f"({key}({a}) {symbol} {key}({b}))"
        # A null is smaller than any value; literals are never null.
        if isinstance(c.right, Literal) and _simple(a):
            null_holds = op in (_C.LT, _C.LE)
            return f"({a} is None or {a} {symbol} {b})" if null_holds else f"({a} is not None and {a} {symbol} {b})"
        if isinstance(c.left, Literal) and _simple(b):
            null_holds = op in (_C.GT, _C.GE)
            return f"({b} is None or {a} {symbol} {b})" if null_holds else f"({b} is not None and {a} {symbol} {b})"
        return f"{self.bind(_NULL_SAFE[op])}({a}, {b})"

    def _text(self, e: Expression, code: str) -> str:
        if isinstance(e, Literal):
            return code
        return f"({code} or '')"

    def text_form(self, e: Expression, value_type: ValueType) -> str:
        if isinstance(e, Literal):
            return self.bind(value_text(e.value, value_type))
        code = self.expression(e)
        if value_type is ValueType.STRING:
            return f"({code} or '')"
        return f"{self.bind(text_form(value_type))}({code})"

    def text_comparison(self, c: Comparison, left_type: ValueType, right_type: ValueType) -> str:
        a = self.text_form(c.left, left_type)
        op = c.operator
        if op is _C.LIKE and isinstance(c.right, Literal):
            like = like_regex(value_text(c.right.value, right_type))
            return f"({self.bind(like.fullmatch)}({a}) is not None)"
        if op is _C.MATCHES and isinstance(c.right, Literal):
            # Translated and compiled once; one that cannot run matches nothing (a literal
            # that RE2 cannot run was refused by the analysis already).
            pattern = runnable_pattern(value_text(c.right.value, right_type))
            return "False" if pattern is None else f"{self.bind(pattern.matches)}({a})"
        b = self.text_form(c.right, right_type)
        if op is _C.CONTAINS:
            return f"({b} in {a})"
        if op is _C.STARTS_WITH:
            return f"{a}.startswith({b})"
        if op is _C.ENDS_WITH:
            return f"{a}.endswith({b})"
        return f"{self.bind(text_match)}({self.bind(op)}, {a}, {b})"


_SYMBOLS = {_C.LT: "<", _C.LE: "<=", _C.GT: ">", _C.GE: ">="}


def _lt(a: Any, b: Any) -> bool:
    if a is None:
        return b is not None
    return b is not None and a < b


def _le(a: Any, b: Any) -> bool:
    if a is None:
        return True
    return b is not None and a <= b


_NULL_SAFE = {_C.LT: _lt, _C.LE: _le, _C.GT: lambda a, b: _lt(b, a), _C.GE: lambda a, b: _le(b, a)}


_ORDER_TESTS: dict[ComparisonOperator, Callable[[int], bool]] = {
    _C.EQ: lambda c: c == 0,
    _C.NE: lambda c: c != 0,
    _C.LT: lambda c: c < 0,
    _C.LE: lambda c: c <= 0,
    _C.GT: lambda c: c > 0,
    _C.GE: lambda c: c >= 0,
}


def _may_be_nan(e: Expression) -> bool:
    """Whether ``e`` computes a remainder (``x % 0`` is the language's only NaN)."""
    if isinstance(e, FunctionCall):
        return e.name == "modulo" or any(_may_be_nan(a) for a in e.args)
    return False


def _simple(code: str) -> bool:
    # A row item or a bound name: cheap to evaluate twice.
    return code.startswith("r[") or (code.startswith("_v") and code[2:].isdigit())


def _ascii_literal(e: Expression) -> bool:
    return isinstance(e, Literal) and isinstance(e.value, str) and e.value.isascii()


# --- aggregation -----------------------------------------------------------------------------


def _needs_code_units(texts: list[str]) -> bool:
    # Python's str order is UTF-16 order except where U+E000..U+FFFF meets U+10000+.
    joined = "".join(texts)
    return not joined.isascii() and max(joined) >= "\ue000"


def _sum(values: list[Any]) -> Any:
    try:
        return sum(values)
    except TypeError:  # Decimal mixed with float
        return sum(float(v) for v in values)


# --- execution ---------------------------------------------------------------------------------


class _Execution:
    def __init__(self, analyzed: AnalyzedQuery, table: DataTable) -> None:
        self.analyzed = analyzed
        self.query = analyzed.query
        self.table = table
        self.ns: dict[str, Any] = {"__builtins__": {}}
        source_env: dict[Expression, int] = {}
        for i, column in enumerate(table.columns):
            source_env.setdefault(ColumnRef(column.id), i)
        self.source = _Compiler(analyzed, source_env, self.ns)

    def run(self) -> DataTable:
        rows = self.table.rows
        if self.query.where is not None:
            condition = self.source.condition(self.query.where)
            self.ns["_rows"] = rows
            rows = eval(f"[r for r in _rows if {condition}]", self.ns)  # noqa: S307
        if not self.analyzed.aggregated:
            return self._plain(rows)
        if self.query.pivot:
            return self._pivoted(rows)
        return self._grouped(rows)

    def _finish(self, columns: list[Column], rows: list[tuple[Any, ...]]) -> DataTable:
        return DataTable(columns, rows, self.analyzed.warnings)

    def _paginate(self, rows: list[Any]) -> list[Any]:
        q = self.query
        if q.skipping is not None and q.skipping > 1:
            rows = rows[:: q.skipping]
        if q.offset:
            rows = rows[q.offset :]
        if q.limit is not None:
            rows = rows[: q.limit]
        return rows

    def _plain(self, rows: list[Any]) -> DataTable:
        a = self.analyzed
        if self.query.order_by:
            keys = [
                (self.source.function(o.expression), a.type_of(o.expression), o.direction.value == "desc")
                for o in self.query.order_by
            ]
            rows = sort_rows(rows, keys)
        rows = self._paginate(rows)
        project = self.source.tuple_(a.selected)
        self.ns["_rows"] = rows
        out = eval(f"[{project} for r in _rows]", self.ns)  # noqa: S307
        return self._finish(a.output_columns(), out)

    # -- grouping
    def _groups(self, rows: list[Any], exprs: Sequence[Expression]) -> dict[tuple[Any, ...], tuple[Any, ...]]:
        """Rows by the (normalised) values of ``exprs``: a null text and '' are one key.

        Each group is ``(first row, values of aggregated column 1, ...)``: the values
        are gathered while each row is at hand, which is much faster than walking
        the group's rows again later.
        """
        parts = []
        for e in exprs:
            code = self.source.expression(e)
            if self.analyzed.type_of(e) is ValueType.STRING:
                code = f"({code} or '')"
            parts.append(code)
        # One key expression: key on the bare value (no tuple per row), wrap afterwards.
        key = parts[0] if len(parts) == 1 else "(" + ", ".join(parts) + ",)" if parts else "()"
        indexes = [self.source.env[ColumnRef(name)] for name in self._aggregated_columns]
        first = "".join(f", [r[{i}]]" for i in indexes)
        appends = "".join(f"\n            g[{j + 1}].append(r[{i}])" for j, i in enumerate(indexes))
        source = (
            "def _group(rows):\n"
            "    groups = {}\n"
            "    get = groups.get\n"
            "    for r in rows:\n"
            f"        k = {key}\n"
            "        g = get(k)\n"
            "        if g is None:\n"
            f"            groups[k] = (r{first})\n"
            "        else:\n"
            f"            pass{appends}\n"
            "    return groups\n"
        )
        exec(source, self.ns)  # noqa: S102 - generated source, see module doc
        groups = self.ns["_group"](rows)
        if len(parts) == 1:
            return {(k,): g for k, g in groups.items()}
        return groups

    @functools.cached_property
    def _aggregated_columns(self) -> list[str]:
        names: dict[str, None] = {}
        for agg in self.analyzed.aggregations:
            names.setdefault(agg.column.name, None)
        return list(names)

    def _aggregation_code(self) -> tuple[str, str]:
        """Source computing the aggregations of a group ``g`` into ``a0, a1, ...``.

        Returns (statements, tuple expression). Each aggregated column's values sit
        in ``g[slot]``; nulls are dropped once per column.
        """
        a = self.analyzed
        ns = self.ns
        ns.update(_len=len, _min=min, _max=max, _sum=_sum, _cuk=code_unit_key)
        slots = {name: j + 1 for j, name in enumerate(self._aggregated_columns)}
        lines = []
        for slot in slots.values():
            lines.append(f"v{slot} = g[{slot}]")
            lines.append(f"if None in v{slot}: v{slot} = [x for x in v{slot} if x is not None]")
        names = []
        for j, agg in enumerate(a.aggregations):
            v = f"v{slots[agg.column.name]}"
            f = agg.function
            if f is AggregationFunction.COUNT:
                code = f"_len({v})"
            elif f is AggregationFunction.SUM:
                code = f"(_sum({v}) if {v} else None)"
            elif f is AggregationFunction.AVG:
                code = f"(_sum({v}) / _len({v}) if {v} else None)"
            else:
                pick = "_min" if f is AggregationFunction.MIN else "_max"
                text = a.type_of(agg.column) is ValueType.STRING
                code = f"({pick}({v}{', key=_cuk' if text else ''}) if {v} else None)"
            lines.append(f"a{j} = {code}")
            names.append(f"a{j}")
        return "\n".join(lines), "(" + "".join(n + ", " for n in names) + ")"

    def _aggregator(self) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
        """A function from a group (see ``_groups``) to its aggregation values."""
        statements, values = self._aggregation_code()
        body = "".join(f"    {line}\n" for line in statements.splitlines())
        exec(f"def _aggregate(g):\n{body}    return {values}\n", self.ns)  # noqa: S102
        return self.ns["_aggregate"]

    def _group_env(self, keys: Sequence[Expression]) -> _Compiler:
        env: dict[Expression, int] = {e: i for i, e in enumerate(keys)}
        for j, agg in enumerate(self.analyzed.aggregations):
            env[agg] = len(keys) + j
        return _Compiler(self.analyzed, env, self.ns)

    def _raw_key(self, exprs: Sequence[Expression]) -> Callable[[Any], tuple[Any, ...]]:
        return self.source.lambda_(self.source.tuple_(exprs))

    def _sorted_keys(self, keys: Sequence[tuple[Any, ...]], exprs: Sequence[Expression]) -> list[tuple[Any, ...]]:
        element_keys = [group_sort_key(self.analyzed.type_of(e)) for e in exprs]
        text = [i for i, e in enumerate(exprs) if self.analyzed.type_of(e) is ValueType.STRING]
        if not any(_needs_code_units([k[i] for k in keys]) for i in text):
            try:
                # Keys compare natively unless a null meets a value (text keys are never
                # null here): then TypeError, and the explicit null-first key below.
                return sorted(keys)
            except TypeError:
                pass
        return sorted(keys, key=lambda k: tuple(f(v) for f, v in zip(element_keys, k, strict=True)))

    def _grouped(self, rows: list[Any]) -> DataTable:
        a = self.analyzed
        group_by = self.query.group_by
        groups = self._groups(rows, group_by)
        # One generated loop: for each group in order, the first row's key values
        # (a null text keeps its first spelling), the aggregations, the output row.
        statements, aggregates = self._aggregation_code()
        body = "".join(f"        {line}\n" for line in statements.splitlines())
        compiler = self._group_env(group_by)
        source = (
            "def _output(groups, keys):\n"
            "    out = []\n"
            "    for k in keys:\n"
            "        g = groups[k]\n"
            "        r = g[0]\n"
            f"{body}"
            f"        r = {self.source.tuple_(group_by)} + {aggregates}\n"
            f"        out.append({compiler.tuple_(a.selected)})\n"
            "    return out\n"
        )
        exec(source, self.ns)  # noqa: S102 - generated source, see module doc
        out = self.ns["_output"](groups, self._sorted_keys(list(groups), group_by))
        out = self._order_output(out, list(range(len(a.selected))))
        return self._finish(a.output_columns(), self._paginate(out))

    def _pivoted(self, rows: list[Any]) -> DataTable:
        a = self.analyzed
        group_by, pivot = self.query.group_by, self.query.pivot
        n = len(group_by)
        cells = self._groups(rows, tuple(group_by) + tuple(pivot))
        raw_group = self._raw_key(group_by)
        raw_pivot = self._raw_key(pivot)
        group_keys: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        pivot_keys: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        for key, cell in cells.items():
            group_keys.setdefault(key[:n], raw_group(cell[0]))
            pivot_keys.setdefault(key[n:], raw_pivot(cell[0]))
        # Refused before any output row is built: their width grows with the keys.
        a.check_pivot_keys(len(pivot_keys))
        ordered_pivots = self._sorted_keys(list(pivot_keys), pivot)
        compiler = self._group_env(group_by)
        evaluators = [compiler.function(e) for e in a.selected]
        pivoted = [a.is_pivoted(e) for e in a.selected]
        aggregate = self._aggregator()
        nulls = (None,) * len(a.aggregations)
        out = []
        for gkey in self._sorted_keys(list(group_keys), group_by):
            graw = group_keys[gkey]
            plain_row = graw + nulls
            cell_rows = []
            for pkey in ordered_pivots:
                pivot_cell = cells.get(gkey + pkey)
                cell_rows.append(None if pivot_cell is None else graw + aggregate(pivot_cell))
            row: list[Any] = []
            for evaluate, is_pivoted in zip(evaluators, pivoted, strict=True):
                if not is_pivoted:
                    row.append(evaluate(plain_row))
                else:
                    row.extend(None if c is None else evaluate(c) for c in cell_rows)
            out.append(tuple(row))
        # Where each selected expression lands in the output row (pivoted ones spread).
        positions, p = [], 0
        for is_pivoted in pivoted:
            positions.append(p)
            p += len(ordered_pivots) if is_pivoted else 1
        out = self._order_output(out, positions)
        columns = a.pivot_output_columns([pivot_keys[k] for k in ordered_pivots])
        return self._finish(columns, self._paginate(out))

    def _order_output(self, rows: list[tuple[Any, ...]], positions: Sequence[int]) -> list[tuple[Any, ...]]:
        """ORDER BY over output rows (an aggregating query orders by selected expressions only)."""
        if not self.query.order_by:
            return rows
        a = self.analyzed
        index = {e: positions[i] for i, e in enumerate(a.selected)}
        keys = [
            (operator.itemgetter(index[o.expression]), a.type_of(o.expression), o.direction.value == "desc")
            for o in self.query.order_by
        ]
        return sort_rows(rows, keys)


__all__ = ["execute", "run_query"]
