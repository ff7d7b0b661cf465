"""An analyzed query -> SQLAlchemy Core statements the database runs.

The compiler walks the AST (``gvizql.ast``) with the analyzer's types and
produces one SELECT (two for PIVOT: the distinct pivot values first).  It
reproduces the language's value rules inside SQL:

- a null text value is ``''`` in comparisons, grouping and text functions;
- a null is smaller than every value in comparisons (``hours < 1`` holds for
  a null ``hours``); comparisons never yield SQL NULL, so NOT stays two-valued;
- values of different types never compare equal, greater or smaller;
- nulls sort first ascending and last descending; text sorts in en-US order
  (ORDER BY) or code-point order (GROUP BY, PIVOT, min/max);
- an aggregation over zero rows returns no row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from gvizql import ast
from gvizql.analyze import contains_aggregation
from gvizql.datatable import ValueType
from gvizql.sql.dialects import DATE_PARTS, Dialect, RawResult
from gvizql.values import code_unit_key, text_match

Expr = ColumnElement[Any]
PivotKey = tuple[Any, ...]

# The empty string as constant SQL text, not a bind parameter: a group key such as
# coalesce(name, '') then renders identically in SELECT, GROUP BY and ORDER BY.
EMPTY = sa.literal_column("''", sa.String())

SA_TYPES: dict[ValueType, Callable[[], sa.types.TypeEngine[Any]]] = {
    ValueType.BOOLEAN: sa.Boolean,
    ValueType.NUMBER: sa.Double,
    ValueType.STRING: sa.String,
    ValueType.DATE: sa.Date,
    ValueType.DATETIME: sa.DateTime,
    ValueType.TIMEOFDAY: sa.Time,
}

_FLIPPED = {
    ast.ComparisonOperator.LT: ast.ComparisonOperator.GT,
    ast.ComparisonOperator.LE: ast.ComparisonOperator.GE,
    ast.ComparisonOperator.GT: ast.ComparisonOperator.LT,
    ast.ComparisonOperator.GE: ast.ComparisonOperator.LE,
    ast.ComparisonOperator.EQ: ast.ComparisonOperator.EQ,
    ast.ComparisonOperator.NE: ast.ComparisonOperator.NE,
}

_ORDERING = {
    ast.ComparisonOperator.EQ: lambda a, b: a == b,
    ast.ComparisonOperator.NE: lambda a, b: a != b,
    ast.ComparisonOperator.LT: lambda a, b: a < b,
    ast.ComparisonOperator.LE: lambda a, b: a <= b,
    ast.ComparisonOperator.GT: lambda a, b: a > b,
    ast.ComparisonOperator.GE: lambda a, b: a >= b,
}

_TEXT_OPERATORS = frozenset(
    {
        ast.ComparisonOperator.CONTAINS,
        ast.ComparisonOperator.STARTS_WITH,
        ast.ComparisonOperator.ENDS_WITH,
        ast.ComparisonOperator.LIKE,
        ast.ComparisonOperator.MATCHES,
    }
)


# Arithmetic whose SQL result is a double (unless a Decimal operand keeps it exact).
_DOUBLE_FUNCTIONS = frozenset({"sum", "difference", "product", "quotient", "modulo"})

# Scalar functions that never return null (a null argument gives '').
_NEVER_NULL_FUNCTIONS = frozenset({"upper", "lower"})


@dataclass(frozen=True, slots=True)
class OutputColumn:
    """One column of the result: its SQL, the type the analyzer gave it, Decimal or not."""

    sql: Expr
    type: ValueType
    decimal: bool = False
    nan_text: bool = False  # NaN comes back as the text 'NaN' (SQLite, which has no NaN)


@dataclass(frozen=True, slots=True)
class Statement:
    """A compiled SELECT, the gviz type of each result column, and which may hold Decimals
    or the text 'NaN' for a NaN."""

    select: sa.Select[Any]
    types: tuple[ValueType, ...]
    decimals: tuple[bool, ...] = ()
    nan_texts: tuple[bool, ...] = ()


class QueryCompiler:
    """Compiles one analyzed query against one source selectable in one dialect.

    ``type_of`` is the analyzer's typing of an expression; ``query`` the
    normalized query (``*`` expanded, options applied).
    """

    def __init__(
        self,
        query: ast.Query,
        type_of: Callable[[ast.Expression], ValueType],
        source: sa.FromClause,
        dialect: Dialect,
        now: dt.datetime,
        row_order: Expr | None = None,
    ) -> None:
        self.query = query
        self._type_of = type_of
        self.source = source
        self.dialect = dialect
        self.now = now
        # The source's row order (see ``stable_source``): ORDER BY's last key, so rows that tie
        # on every key keep the table's order, as the reference's stable sort does.
        self.row_order = row_order
        self.grouped = (
            bool(query.group_by) or bool(query.pivot) or any(contains_aggregation(e) for e in query.select or ())
        )
        self._group_keys = set(query.group_by)
        self._non_null: frozenset[ast.Expression] = frozenset()
        # One SQLAlchemy object per AST node, so a group key compiles to the very same
        # SQL (and bind parameter) in SELECT, GROUP BY and ORDER BY: PostgreSQL needs that.
        self._memo: dict[tuple[Any, ...], Expr] = {}

    def type_of(self, expression: ast.Expression) -> ValueType:
        return ValueType(self._type_of(expression))

    def never_null(self, e: ast.Expression) -> bool:
        """Whether ``e`` cannot be null here: a NOT NULL column, one a sibling condition
        excludes, or ``upper``/``lower`` (which give '' for a null)."""
        if e in self._non_null:
            return True
        if isinstance(e, ast.FunctionCall):
            # No coalesce around them: one SQL call per nested call keeps deep text
            # expressions within SQLite's parser stack (see MAX_DEPTH in the parser).
            return e.name in _NEVER_NULL_FUNCTIONS
        return isinstance(e, ast.ColumnRef) and getattr(self.source.c[e.name], "nullable", True) is False

    # --- expressions ------------------------------------------------------------------

    def expression(self, e: ast.Expression, pivot: PivotKey | None = None) -> Expr:
        """The SQL value of ``e`` (nulls stay null); aggregations restricted to ``pivot``."""
        key = (e, pivot, self.grouped)
        cached = self._memo.get(key)
        if cached is None:
            cached = self._memo[key] = self._expression(e, pivot)
        return cached

    def _expression(self, e: ast.Expression, pivot: PivotKey | None) -> Expr:
        if isinstance(e, ast.ColumnRef):
            column = self.source.c[e.name]
            if (
                self.grouped
                and e in self._group_keys
                and self.type_of(e) is ValueType.STRING
                and not self.never_null(e)
            ):
                # Grouped by coalesce(text, ''): the key, or null when the group holds only nulls.
                return sa.case((sa.func.count(column) == 0, sa.null()), else_=self.group_key(e))
            return column
        if isinstance(e, ast.Literal):
            return self.literal(e.value, ValueType(e.type))
        if isinstance(e, ast.Aggregation):
            return self.aggregation(e, pivot)
        if isinstance(e, ast.FunctionCall):
            if self.grouped and e in self._group_keys and not contains_aggregation(e):
                return self.group_key(e)
            return self.function(e, pivot)
        raise TypeError(f"not an expression: {e!r}")

    def literal(self, value: Any, type_: ValueType) -> Expr:
        if type_ is ValueType.NUMBER:
            if isinstance(value, int):
                number_type: sa.types.TypeEngine[Any] = sa.BigInteger() if abs(value) < 2**63 else sa.Numeric()
            else:
                number_type = sa.Double()
            return sa.literal(value, number_type)
        if type_ is ValueType.STRING:
            return sa.cast(sa.literal(value, sa.String()), sa.String())
        return sa.literal(value, SA_TYPES[type_]())

    def text(self, e: ast.Expression, pivot: PivotKey | None = None) -> Expr:
        """``e`` as text never null: text as is ('' for null), other types in their text form."""
        value = self.expression(e, pivot)
        type_ = self.type_of(e)
        if type_ is ValueType.STRING:
            if isinstance(e, ast.Literal) or self.never_null(e):
                return value
            return sa.func.coalesce(value, EMPTY)
        if type_ is ValueType.NUMBER:
            text = self.dialect.number_text(value)
        elif type_ is ValueType.BOOLEAN:
            text = sa.case((value, sa.literal("true")), else_=sa.literal("false"))
        elif type_ is ValueType.DATE:
            text = self.dialect.date_text(value)
        elif type_ is ValueType.DATETIME:
            text = self.dialect.datetime_text(value)
        else:
            text = self.dialect.time_text(value)
        # A null of a non-text type reads "null", as Java's toString writes it.
        return sa.case((value.is_(None), sa.literal("null", sa.String())), else_=text)

    def aggregation(self, e: ast.Aggregation, pivot: PivotKey | None) -> Expr:
        column = self.source.c[e.column.name]
        type_ = self.type_of(e.column)
        matched = self.pivot_match(pivot) if pivot is not None else None
        value: Expr = column
        if matched is not None:
            value = sa.case((matched, column))
        function = e.function
        if function is ast.AggregationFunction.COUNT:
            result: Expr = sa.func.count(value)
            if matched is not None:
                # A missing pivot combination is a null cell, not a zero.
                result = sa.case((sa.func.count(sa.case((matched, 1))) > 0, result))
            return result
        if function is ast.AggregationFunction.SUM:
            return self.dialect.sum(value, column.type)
        if function is ast.AggregationFunction.AVG:
            return sa.func.avg(self.dialect.to_double(value))
        if type_ is ValueType.STRING:
            value = self.dialect.binary_text(value)
        minimum = function is ast.AggregationFunction.MIN
        return sa.type_coerce(self.dialect.extreme(value, type_, minimum=minimum), SA_TYPES[type_]())

    def function(self, e: ast.FunctionCall, pivot: PivotKey | None) -> Expr:
        name = e.name
        args = [self.expression(a, pivot) for a in e.args]
        types = [self.type_of(a) for a in e.args]
        dialect = self.dialect
        if name in ("sum", "difference", "product"):
            left, right = args
            if not any(self.may_be_decimal(a) for a in e.args):
                # In doubles, as the reference computes: integers (columns, and literals the
                # driver binds as 32-bit) would overflow where it does not (1000000 * 1000000).
                left, right = (self.double_operand(a, sql) for a, sql in zip(e.args, args))
            if name == "sum":
                return left + right
            if name == "difference":
                return left - right
            return left * right
        if name == "quotient":
            left, right = args
            return dialect.to_double(left) / sa.func.nullif(dialect.to_double(right), 0)
        if name == "modulo":
            # x % 0 is NaN, but testing for the zero repeats the divisor's SQL: only a
            # divisor that does not nest may be repeated, else a % (b % (c % ...)) would
            # double the SQL at every level (a nested divisor gives null for zero).
            flat_divisor = isinstance(e.args[1], (ast.ColumnRef, ast.Literal, ast.Aggregation))
            return dialect.modulo(*args, nan_for_zero=flat_divisor)
        if name in DATE_PARTS:
            return dialect.date_part(name, args[0], types[0])
        if name == "datediff":
            return dialect.date_diff(args[0], args[1])
        if name == "todate":
            return sa.type_coerce(dialect.to_date(args[0], types[0]), sa.Date())
        if name == "now":
            return self.literal(self.now, ValueType.DATETIME)
        if name == "upper":
            return dialect.upper(self.text(e.args[0], pivot))
        if name == "lower":
            return dialect.lower(self.text(e.args[0], pivot))
        raise NotImplementedError(f"scalar function {name!r}")

    def double_operand(self, e: ast.Expression, sql: Expr) -> Expr:
        """``sql`` as a double, without a cast where it is one already (a Float column, or
        arithmetic, whose results are doubles): one cast less per nesting level."""
        if isinstance(e, ast.FunctionCall) and e.name in _DOUBLE_FUNCTIONS:
            return sql
        if isinstance(e, ast.ColumnRef) and isinstance(self.source.c[e.name].type, sa.Float):
            return sql
        return self.dialect.to_double(sql)

    # --- grouping and pivoting -----------------------------------------------------------

    def group_key(self, e: ast.Expression) -> Expr:
        """The GROUP BY form of ``e``: text coalesced so null and '' form one group."""
        key = ("group", e)
        cached = self._memo.get(key)
        if cached is None:
            saved, self.grouped = self.grouped, False
            try:
                value = self.expression(e)
                if self.type_of(e) is ValueType.STRING and not self.never_null(e):
                    value = sa.func.coalesce(value, EMPTY)
            finally:
                self.grouped = saved
            cached = self._memo[key] = value
        return cached

    def expression_ungrouped(self, e: ast.Expression) -> Expr:
        """``e`` over the source rows (not the group's output form)."""
        saved, self.grouped = self.grouped, False
        try:
            return self.expression(e)
        finally:
            self.grouped = saved

    def group_order(self, e: ast.Expression) -> list[sa.UnaryExpression[Any]]:
        """Ascending code-point order of a group or pivot key, nulls first."""
        value = self.group_key(e)
        if self.type_of(e) is ValueType.STRING:
            return [self.dialect.binary_text(value).asc()]
        return [value.asc().nulls_first()]

    def pivot_match(self, key: PivotKey) -> Expr:
        conditions = []
        for e, value in zip(self.query.pivot, key, strict=True):
            type_ = self.type_of(e)
            if type_ is ValueType.STRING:
                # Cheaper than comparing coalesce(x, ''): null only ever matches the '' key.
                raw = self.expression_ungrouped(e)
                if value in (None, ""):
                    conditions.append(sa.or_(raw.is_(None), raw == EMPTY))
                else:
                    conditions.append(raw == sa.literal(value, sa.String()))
            elif value is None:
                conditions.append(self.group_key(e).is_(None))
            else:
                conditions.append(self.group_key(e) == self.literal(value, type_))
        return sa.and_(*conditions)

    def pivot_values_statement(self, where: Expr | None, limit: int) -> Statement:
        """SELECT DISTINCT pivot keys, in code-point order (null first), at most ``limit`` of them."""
        columns = []
        ordered = []
        for i, e in enumerate(self.query.pivot):
            value = self.group_key(e)
            if self.type_of(e) is ValueType.STRING:
                # Collated inside the select list: PostgreSQL's DISTINCT orders by it as is.
                value = self.dialect.binary_text(value)
            column = sa.type_coerce(value, SA_TYPES[self.type_of(e)]()).label(f"p{i}")
            columns.append(column)
            ordered.append(column.asc() if self.type_of(e) is ValueType.STRING else column.asc().nulls_first())
        select = sa.select(*columns).select_from(self.source).distinct()
        if where is not None:
            select = select.where(where)
        select = select.order_by(*ordered).limit(limit)
        return Statement(select, tuple(self.type_of(e) for e in self.query.pivot))

    # --- conditions ----------------------------------------------------------------------

    def condition(self, c: ast.Condition) -> Expr:
        """A WHERE condition as a SQL boolean that is never NULL."""
        if isinstance(c, ast.And):
            # Inside an AND whose operand is false for a null x, the other operands need
            # no "x IS NULL OR" rule: the AND is false for that row anyway. This keeps
            # range conditions plain (x >= a AND x <= b), which databases push into scans.
            known = {e for o in c.operands for e in self._non_null_when_true(o)}
            saved = self._non_null
            self._non_null = saved | known
            try:
                return sa.and_(*(self.condition(o) for o in c.operands))
            finally:
                self._non_null = saved
        if isinstance(c, ast.Or):
            return sa.or_(*(self.condition(o) for o in c.operands))
        if isinstance(c, ast.Not):
            return sa.not_(self.condition(c.operand))
        if isinstance(c, ast.IsNull):
            value = self.expression(c.operand)
            return value.is_not(None) if c.negated else value.is_(None)
        if isinstance(c, ast.Comparison):
            return self.comparison(c)
        raise TypeError(f"not a condition: {c!r}")

    def _non_null_when_true(self, c: ast.Condition) -> list[ast.Expression]:
        """Expressions that cannot be null when condition ``c`` holds (as compiled here)."""
        if isinstance(c, ast.IsNull):
            return [c.operand] if c.negated else []
        if not isinstance(c, ast.Comparison) or c.operator in _TEXT_OPERATORS:
            return []
        side = _string_literal_side(c)
        if side is None:
            return []
        expr, literal, op = (
            (c.left, c.right, c.operator) if side == "right" else (c.right, c.left, _FLIPPED[c.operator])
        )
        assert isinstance(literal, ast.Literal)
        if self.type_of(expr) is not self.type_of(literal):
            return []
        if self.type_of(expr) is ValueType.STRING:
            return [] if _python_compare(op, "", literal.value) else [expr]
        return [expr] if op in (ast.ComparisonOperator.EQ, ast.ComparisonOperator.GT, ast.ComparisonOperator.GE) else []

    def comparison(self, c: ast.Comparison) -> Expr:
        op = c.operator
        if op in _TEXT_OPERATORS:
            return self.text_comparison(c)
        left_type, right_type = self.type_of(c.left), self.type_of(c.right)
        if left_type is not right_type:
            return sa.false()
        if left_type is ValueType.STRING:
            literal_side = _string_literal_side(c)
            if literal_side is not None:
                return self.text_literal_comparison(c, literal_side)
            left = self.dialect.binary_text(self.text(c.left))
            right = self.dialect.binary_text(self.text(c.right))
            return _ORDERING[op](left, right)
        left_node, right_node = c.left, c.right
        if isinstance(left_node, ast.Literal) and not isinstance(right_node, ast.Literal):
            left_node, right_node, op = right_node, left_node, _FLIPPED[op]
        left = self.expression(left_node)
        right = self.expression(right_node)
        compare = _ORDERING[op](left, right)
        if isinstance(right_node, ast.Literal):
            if isinstance(left_node, ast.Literal):
                return sa.true() if _python_compare(op, left_node.value, right_node.value) else sa.false()
            # The right side is never null: only a null left side needs a rule.
            if op in (ast.ComparisonOperator.LT, ast.ComparisonOperator.LE, ast.ComparisonOperator.NE):
                if self.never_null(left_node):
                    return compare
                return sa.or_(left.is_(None), compare)
            return sa.and_(left.is_not(None), compare)
        left_null, right_null = left.is_(None), right.is_(None)
        null_rule = {
            ast.ComparisonOperator.EQ: sa.and_(left_null, right_null),
            ast.ComparisonOperator.NE: sa.not_(sa.and_(left_null, right_null)),
            ast.ComparisonOperator.LT: sa.and_(left_null, right.is_not(None)),
            ast.ComparisonOperator.LE: left_null,
            ast.ComparisonOperator.GT: sa.and_(right_null, left.is_not(None)),
            ast.ComparisonOperator.GE: right_null,
        }[op]
        return sa.case((sa.or_(left_null, right_null), null_rule), else_=compare)

    def text_literal_comparison(self, c: ast.Comparison, literal_side: str) -> Expr:
        """Text against a text literal: the column stays bare (indexes work), nulls ruled apart."""
        op = c.operator
        column_node, literal_node = (c.left, c.right) if literal_side == "right" else (c.right, c.left)
        if literal_side == "left":
            op = _FLIPPED[op]
        assert isinstance(literal_node, ast.Literal)
        value = self.expression(column_node)
        literal = sa.literal(literal_node.value, sa.String())
        if op in (ast.ComparisonOperator.EQ, ast.ComparisonOperator.NE):
            compare = _ORDERING[op](value, literal)
        else:
            compare = _ORDERING[op](self.dialect.binary_text(value), literal)
        # A null text is '': whether '' <op> literal holds decides the rule for nulls.
        if _python_compare(op, "", literal_node.value):
            if self.never_null(column_node):
                return compare
            return sa.or_(value.is_(None), compare)
        return sa.and_(value.is_not(None), compare)

    def text_comparison(self, c: ast.Comparison) -> Expr:
        literal = None
        if isinstance(c.right, ast.Literal) and self.type_of(c.right) is ValueType.STRING:
            literal = str(c.right.value)
        if literal is not None and not isinstance(c.left, ast.Literal) and self.type_of(c.left) is ValueType.STRING:
            # Text column against a pattern: keep the column bare, rule on nulls ('') apart.
            value = self.expression(c.left)
            match = self.text_operator(c.operator, value, self.text(c.right), literal)
            if text_match(c.operator, "", literal):
                return sa.or_(value.is_(None), match)
            return sa.and_(value.is_not(None), match)
        return self.text_operator(c.operator, self.text(c.left), self.text(c.right), literal)

    def text_operator(self, op: ast.ComparisonOperator, left: Expr, right: Expr, literal: str | None) -> Expr:
        dialect = self.dialect
        if op is ast.ComparisonOperator.CONTAINS:
            return dialect.contains(left, right)
        if op is ast.ComparisonOperator.STARTS_WITH:
            return dialect.starts_with(left, right)
        if op is ast.ComparisonOperator.ENDS_WITH:
            return dialect.ends_with(left, right)
        if op is ast.ComparisonOperator.LIKE:
            return dialect.like(left, right, literal)
        return dialect.matches(left, right, literal)

    # --- ordering ------------------------------------------------------------------------

    def order_clause(self, item: ast.OrderItem) -> sa.UnaryExpression[Any]:
        value = self.expression(item.expression)
        descending = item.direction is ast.SortDirection.DESC
        if self.type_of(item.expression) is ValueType.STRING:
            if self.grouped and item.expression in self._group_keys:
                value = self.group_key(item.expression)  # already coalesced: null sorts as ''
            elif not self.never_null(item.expression):
                value = sa.func.coalesce(value, EMPTY)
            value = self.dialect.ordered_text(value)
            return value.desc() if descending else value.asc()
        return value.desc().nulls_last() if descending else value.asc().nulls_first()

    # --- the statement ---------------------------------------------------------------------

    def where(self) -> Expr | None:
        """The WHERE condition, over the source rows (never the groups' output forms)."""
        if self.query.where is None:
            return None
        saved, self.grouped = self.grouped, False
        try:
            return self.condition(self.query.where)
        finally:
            self.grouped = saved

    def statement(self, pivot_keys: Sequence[PivotKey] = ()) -> Statement:
        """The main SELECT; ``pivot_keys`` are the distinct pivot values when there is a PIVOT."""
        query = self.query
        outputs: list[OutputColumn] = []
        for e in query.select or ():
            type_ = self.type_of(e)
            decimal = self.dialect.returns_decimal and self.may_be_decimal(e)
            if query.pivot and contains_aggregation(e):
                for key in pivot_keys:
                    outputs.append(self.output(e, type_, decimal, key))
            else:
                outputs.append(self.output(e, type_, decimal, None))
        columns = [sa.type_coerce(o.sql, RawResult()).label(f"c{i}") for i, o in enumerate(outputs)]
        select = sa.select(*columns).select_from(self.source)
        where = self.where()
        if where is not None:
            select = select.where(where)
        # A key without columns or aggregations is the same on every row: it orders nothing
        # (and DuckDB refuses a bound parameter in ORDER BY).
        order: list[sa.UnaryExpression[Any]] = [
            self.order_clause(i) for i in query.order_by if not _constant(i.expression)
        ]
        if self.grouped:
            if query.group_by:
                select = select.group_by(*(self.group_key(e) for e in query.group_by))
                # Rows come in group-key order; ORDER BY sorts stably on top of it.
                order += [o for e in query.group_by for o in self.group_order(e)]
            else:
                select = select.having(sa.func.count() > 0)
        elif order and self.row_order is not None:
            order.append(self.row_order.asc())
        if query.skipping is not None and query.skipping > 1:
            numbered = select.add_columns(
                sa.func.row_number().over(order_by=order or None).label("gvizql_row")
            ).subquery("gvizql_skipping")
            row = numbered.c.gvizql_row
            select = (
                sa.select(*(numbered.c[f"c{i}"] for i in range(len(outputs))))
                .where((row - 1) % query.skipping == 0)
                .order_by(row)
            )
        elif order:
            select = select.order_by(*order)
        if query.limit is not None:
            select = select.limit(query.limit)
        if query.offset:
            select = select.offset(query.offset)
        return Statement(
            select,
            tuple(o.type for o in outputs),
            tuple(o.decimal for o in outputs),
            tuple(o.nan_text for o in outputs),
        )

    def output(self, e: ast.Expression, type_: ValueType, decimal: bool, pivot: PivotKey | None) -> OutputColumn:
        """A selected expression as a result column.

        A selected ``x % y`` whose divisor is a column, literal or aggregation gives NaN
        for ``y = 0`` even where the database has no NaN (``Dialect.nan_modulo``).
        """
        if (
            isinstance(e, ast.FunctionCall)
            and e.name == "modulo"
            and isinstance(e.args[1], (ast.ColumnRef, ast.Literal, ast.Aggregation))
        ):
            left, right = (self.expression(a, pivot) for a in e.args)
            nan = self.dialect.nan_modulo(left, right)
            if nan is not None:
                return OutputColumn(nan, type_, decimal, nan_text=True)
        return OutputColumn(self.expression(e, pivot), type_, decimal)

    def may_be_decimal(self, e: ast.Expression) -> bool:
        """Whether the driver may return Decimal for ``e`` (numeric columns, sums of integers)."""
        if isinstance(e, ast.ColumnRef):
            sql_type = self.source.c[e.name].type
            return isinstance(sql_type, sa.Numeric) and bool(sql_type.asdecimal)
        if isinstance(e, ast.Literal):
            return isinstance(e.value, int) and abs(e.value) >= 2**63
        if isinstance(e, ast.Aggregation):
            sql_type = self.source.c[e.column.name].type
            if e.function is ast.AggregationFunction.SUM:
                return isinstance(sql_type, (sa.Integer, sa.Numeric)) and not isinstance(sql_type, sa.Float)
            if e.function in (ast.AggregationFunction.MIN, ast.AggregationFunction.MAX):
                return self.may_be_decimal(e.column)
            return False
        if e.name in ("sum", "difference", "product"):
            return any(self.may_be_decimal(a) for a in e.args)
        return False


# Functions that make one row of many: a select using one has no row per table row.
_AGGREGATE_FUNCTIONS = frozenset(
    {"count", "sum", "min", "max", "avg", "array_agg", "string_agg", "group_concat", "bool_and", "bool_or", "every"}
)


def stable_source(source: sa.FromClause, dialect: Dialect) -> tuple[sa.FromClause, Expr | None]:
    """``source`` and the expression giving its rows in the table's order, or None.

    A table gives its rowid (SQLite, DuckDB) or ctid (PostgreSQL). A
    ``select(...).subquery()`` with one row per row of the table it reads first (no
    DISTINCT, GROUP BY, HAVING or aggregate; joins allowed) is rebuilt with that
    table's row id as one more column, ``gvizql_row``. Anything else has no known
    order (None): ties on every ORDER BY key then come in the database's order.
    """
    if isinstance(source, sa.Table):
        return source, dialect.row_order(source)
    if not isinstance(source, sa.Subquery) or not isinstance(source.element, sa.Select):
        return source, None
    select = source.element
    if select._distinct or select._group_by_clauses or select._having_criteria or "gvizql_row" in source.c:
        return source, None
    froms = select.get_final_froms()
    if len(froms) != 1:
        return source, None
    base = froms[0]
    while isinstance(base, sa.Join):
        base = base.left
    if not isinstance(base, sa.Table):
        return source, None
    for element in sa.sql.visitors.iterate(select):
        if isinstance(element, sa.sql.functions.FunctionElement) and str(getattr(element, "name", "")).lower() in (
            _AGGREGATE_FUNCTIONS
        ):
            return source, None
    row = dialect.row_order(base)
    if row is None:
        return source, None
    rebuilt = select.add_columns(row.label("gvizql_row")).subquery(source.name)
    return rebuilt, rebuilt.c.gvizql_row


def _constant(e: ast.Expression) -> bool:
    """Whether ``e`` has the same value on every row (no column, no aggregation)."""
    if isinstance(e, ast.Literal):
        return True
    if isinstance(e, ast.FunctionCall):
        return all(_constant(a) for a in e.args)
    return False


def _python_compare(op: ast.ComparisonOperator, left: Any, right: Any) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        left, right = code_unit_key(left), code_unit_key(right)
    return bool(_ORDERING[op](left, right))


def _string_literal_side(c: ast.Comparison) -> str | None:
    """Which side of a text comparison is a literal while the other is not (None: neither or both)."""
    left_literal = isinstance(c.left, ast.Literal)
    right_literal = isinstance(c.right, ast.Literal)
    if right_literal and not left_literal:
        return "right"
    if left_literal and not right_literal:
        return "left"
    return None
