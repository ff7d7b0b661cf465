"""Query text -> AST (``gvizql.ast``).

The grammar is ``grammar.lark`` (LALR). The tree is never built: a Lark inline
transformer turns each reduction straight into an AST node, so parsing is
iterative (no recursion however deep the text nests) and fast. The depth of the
finished AST is then checked iteratively, so later recursive passes (analysis,
compilation, hashing) can never exhaust the stack.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import lark
import lark.lexer

from gvizql.ast import (
    ARITHMETIC_FUNCTIONS,
    Aggregation,
    AggregationFunction,
    And,
    ColumnRef,
    Comparison,
    ComparisonOperator,
    Condition,
    Expression,
    FormatItem,
    FunctionCall,
    IsNull,
    LabelItem,
    Literal,
    Not,
    Or,
    OrderItem,
    Query,
    QueryOption,
    SortDirection,
)
from gvizql.datatable import ValueType
from gvizql.errors import QueryError, Reason, invalid_query

#: Longest query text accepted, in characters (before ``\\uXXXX`` decoding).
MAX_QUERY_LENGTH = 64 * 1024
#: Deepest nesting of expressions and conditions accepted. Each level compiles to a
#: few levels of SQL, and SQLite's parser stops at about a hundred of those (its
#: stack): the deepest-compiling functions (``dateDiff(toDate(...))`` under a text
#: operator) reach that at 16 levels.
MAX_DEPTH = 12
#: Most conditions (comparisons, ``is null``) in a WHERE clause. ``a and b and ...``
#: is flat here but a chain in SQL, up to two terms deep per condition, and SQLite
#: refuses expressions deeper than 1000 (SQLITE_MAX_EXPR_DEPTH).
MAX_CONDITIONS = 256
#: Most items in a SELECT, GROUP BY, PIVOT or ORDER BY clause, and most columns of a
#: result, pivot columns included (SQLite allows 2000 result columns, PostgreSQL 1664).
MAX_COLUMNS = 1000
#: Largest LIMIT, OFFSET or SKIPPING (Java's Integer.MAX_VALUE, as the reference).
MAX_COUNT = 2**31 - 1

#: The scalar functions a query may call, by lower-case name, with the name the
#: reference uses in ids and labels.
CALLABLE_FUNCTIONS = frozenset(
    {
        "year",
        "month",
        "day",
        "hour",
        "minute",
        "second",
        "millisecond",
        "quarter",
        "dayofweek",
        "now",
        "datediff",
        "todate",
        "upper",
        "lower",
    }
)

_AGGREGATIONS = {f.value: f for f in AggregationFunction}
_OPERATORS = {
    "=": ComparisonOperator.EQ,
    "!=": ComparisonOperator.NE,
    "<>": ComparisonOperator.NE,
    "<": ComparisonOperator.LT,
    "<=": ComparisonOperator.LE,
    ">": ComparisonOperator.GT,
    ">=": ComparisonOperator.GE,
}
_UNICODE_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
# Quoted text (possibly unterminated) or a parenthesis, for the nesting pre-scan.
_NESTING_TOKENS = re.compile(r"'[^']*'?|\"[^\"]*\"?|`[^`]*`?|[()]")

# Java's Integer.parseInt: an optional sign and decimal digits (any script's, as
# Character.digit reads them), within 32 bits.
_JAVA_INT = re.compile(r"[+-]?\d+")
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


def _java_split(text: str, separator: str) -> list[str]:
    """``text.split(separator)`` as Java's ``String.split`` does it: trailing empty parts dropped."""
    if separator not in text:
        return [text]
    parts = text.split(separator)
    while parts and not parts[-1]:
        parts.pop()
    return parts


def _java_int(text: str) -> int | None:
    """``Integer.parseInt(text)``, or None where Java throws NumberFormatException."""
    if _JAVA_INT.fullmatch(text) is None:
        return None
    value = int(text)
    return value if _INT_MIN <= value <= _INT_MAX else None


def _java_ints(parts: list[str], count: int) -> list[int] | None:
    if len(parts) != count:
        return None
    values = [_java_int(p) for p in parts]
    return None if any(v is None for v in values) else values  # type: ignore[return-value]


def _date_fields(text: str) -> list[int] | None:
    return _java_ints(_java_split(text, "-"), 3)


def _time_fields(text: str) -> list[int] | None:
    """Hours, minutes, seconds and milliseconds of ``H:m:s[.S]`` (milliseconds read as an integer)."""
    parts = _java_split(text, ":")
    if len(parts) != 3:
        return None
    seconds = parts[2]
    millis = "0"
    if "." in seconds:
        pieces = _java_split(seconds, ".")
        if len(pieces) != 2:
            return None
        seconds, millis = pieces
    return _java_ints([parts[0], parts[1], seconds, millis], 4)


def _make(factory: Callable[..., Any], *fields: int) -> Any:
    try:
        return factory(*fields)
    except (ValueError, OverflowError):
        return None


def parse_date(text: str) -> dt.date | None:
    """``yyyy-M-d`` as a date, or None if it is not one.

    Read as the reference reads it: three parts split at ``-`` (trailing empty parts
    dropped, as Java's ``String.split``), each a Java integer (a sign and any number
    of digits: ``2009-1-5``, ``02009-01-005``, ``+2009-+1-+5``), making a real date.
    Years are 1 to 9999 (Python's dates; the reference's go further).
    """
    fields = _date_fields(text)
    return None if fields is None else _make(dt.date, *fields)


def parse_datetime(text: str) -> dt.datetime | None:
    """``yyyy-M-d H:m:s[.S]`` as a datetime, or None.

    One space between date and time (trailing spaces are dropped, as Java's split
    drops trailing empty parts); seconds are required; milliseconds are read as an
    integer from 0 to 999, as the reference does (``.4`` is 4 ms, ``.999`` 999 ms).
    """
    parts = _java_split(text, " ")
    if len(parts) != 2:
        return None
    day, time = _date_fields(parts[0]), _time_fields(parts[1])
    if day is None or time is None or not 0 <= time[3] <= 999:
        return None
    return _make(dt.datetime, *day, *time[:3], time[3] * 1000)


def parse_timeofday(text: str) -> dt.time | None:
    """``H:m:s[.S]`` as a time, or None (milliseconds accepted, unlike the reference, which
    rejects every timeofday literal that has them)."""
    time = _time_fields(text)
    if time is None or not 0 <= time[3] <= 999:
        return None
    return _make(dt.time, *time[:3], time[3] * 1000)


def _number(token: _Token) -> int | float:
    """The value of a NUMBER token: digits with an optional fraction, no exponent.

    The reference reads every number as a Java double; small integers stay Python
    ints (exact, and printed as doubles where ids need it). Its grammar has no
    exponent (``1e5`` is the number 1 and then an unexpected ``e5``): refused here
    with its own message.
    """
    text = token.value
    if text.isdigit() and len(text) <= 18:
        return int(text)
    if "e" in text or "E" in text:
        raise _error(f'Number "{text}" has an exponent, which the query language does not allow', token.start_pos)
    return float(text)


# --- the transformer: reductions -> AST nodes ----------------------------------------------


def _pos(item: Any) -> int | None:
    if isinstance(item, _Token):
        return item.start_pos
    return getattr(item, "pos", None)


def _error(message: str, pos: int | None) -> QueryError:
    return invalid_query(message, position=pos)


def _temporal_literal(c: list[Any], parse: Callable[[str], Any], value_type: ValueType, expected: str) -> Literal:
    """The literal of a ``date '...'`` style reduction (keyword token, quoted text token).

    Raises QueryError "Invalid <type> literal '...' (expected '<expected>')" when
    ``parse`` finds no value in the quoted text.
    """
    value = parse(c[1].value[1:-1])
    if value is None:
        raise _error(f"Invalid {value_type} literal {c[1].value} (expected '{expected}')", c[1].start_pos)
    return Literal(value, value_type, pos=c[0].start_pos)


class _ToAst(lark.Transformer):
    """Builds the AST during the LALR parse (used as Lark's inline transformer).

    It also tracks each node's depth as it is built, so that a deeply nested
    query is rejected before anything recursive (even hashing) touches it.
    """

    def __init__(self) -> None:
        super().__init__()
        self._local = threading.local()

    def reset(self) -> None:
        # id(node) -> (node, depth); holding the node keeps its id from being reused.
        self._local.depths = {}
        # Parenthesised expressions, and the operator token of each arithmetic node
        # (id(node) -> (node, ...)): what the reference's rule on literals needs.
        self._local.parenthesised = {}
        self._local.operators = {}

    def _nested(self, node: Any, children: tuple[Any, ...]) -> Any:
        depths: dict[int, tuple[Any, int]] = self._local.depths
        depth = 1 + max((depths.get(id(c), (None, 1))[1] for c in children), default=1)
        if depth > MAX_DEPTH:
            raise _error(f"The query nests deeper than {MAX_DEPTH} levels", node.pos)
        depths[id(node)] = (node, depth)
        return node

    # -- clauses
    def _part(self, c: list[Any]) -> Any:
        return c[0]

    select_part = where_part = group_part = pivot_part = order_part = skipping_part = _part
    limit_part = offset_part = label_part = format_part = options_part = _part

    def start(self, c: list[Any]) -> Query:
        select, where, group, pivot, order, skipping, limit, offset, labels, formats, options = c
        return Query(
            select=select,
            where=where,
            group_by=group or (),
            pivot=pivot or (),
            order_by=order or (),
            skipping=skipping,
            limit=limit,
            offset=offset or 0,
            labels=labels or (),
            formats=formats or (),
            options=options or frozenset(),
        )

    def select_all(self, c: list[Any]) -> None:
        return None

    def first(self, c: list[Any]) -> list[Any]:
        return [c[0]]

    def append(self, c: list[Any]) -> list[Any]:
        c[0].append(c[1])
        return c[0]

    def select_clause(self, c: list[Any]) -> tuple[Expression, ...]:
        return self._unique(c[1], "SELECT")

    def where_clause(self, c: list[Any]) -> Condition:
        _check_condition_count(c[1])
        return c[1]

    def group_clause(self, c: list[Any]) -> tuple[Expression, ...]:
        return self._unique(c[2], "GROUP BY")

    def pivot_clause(self, c: list[Any]) -> tuple[Expression, ...]:
        return self._unique(c[1], "PIVOT")

    def order_clause(self, c: list[Any]) -> tuple[OrderItem, ...]:
        # As in the reference, an expression may be sorted on once, whatever the directions.
        self._unique([item.expression for item in c[2]], "ORDER BY")
        return tuple(c[2])

    def order_item(self, c: list[Any]) -> OrderItem:
        expression, direction = c
        d = SortDirection.DESC if direction is not None and direction.type == "DESC" else SortDirection.ASC
        return OrderItem(expression, d, pos=_pos(expression))

    def skipping_clause(self, c: list[Any]) -> int:
        n, pos = c[1]
        if n <= 0 or n > MAX_COUNT:
            raise _error(f"SKIPPING must be a whole number from 1 to {MAX_COUNT}, not {n}", pos)
        return n

    def limit_clause(self, c: list[Any]) -> int | None:
        n, pos = c[1]
        if n == -1:
            return None
        if n < 0 or n > MAX_COUNT:
            raise _error(f"LIMIT must be -1 or a whole number from 0 to {MAX_COUNT}, not {n}", pos)
        return n

    def offset_clause(self, c: list[Any]) -> int:
        n, pos = c[1]
        if n < 0 or n > MAX_COUNT:
            raise _error(f"OFFSET must be a whole number from 0 to {MAX_COUNT}, not {n}", pos)
        return n

    def signed_number(self, c: list[Any]) -> tuple[int, int]:
        return self._whole(c[0], c[0].start_pos, 1)

    def negative_number(self, c: list[Any]) -> tuple[int, int]:
        return self._whole(c[1], c[0].start_pos, -1)

    @staticmethod
    def _whole(token: _Token, pos: int, sign: int) -> tuple[int, int]:
        if not token.value.isdigit():
            raise _error(f'Expected a whole number, not "{token.value}"', token.start_pos)
        if len(token.value) > 12:  # far beyond MAX_COUNT; don't convert huge digit strings
            raise _error(f'Number "{token.value}" is too large', token.start_pos)
        return sign * int(token.value), pos

    def label_clause(self, c: list[Any]) -> tuple[LabelItem, ...]:
        return tuple(c[1])

    def label_item(self, c: list[Any]) -> LabelItem:
        return LabelItem(c[0], c[1].value[1:-1], pos=_pos(c[0]))

    def format_clause(self, c: list[Any]) -> tuple[FormatItem, ...]:
        return tuple(c[1])

    def format_item(self, c: list[Any]) -> FormatItem:
        return FormatItem(c[0], c[1].value[1:-1], pos=_pos(c[0]))

    def options_clause(self, c: list[Any]) -> frozenset[QueryOption]:
        return frozenset(c[1:])

    def option(self, c: list[Any]) -> QueryOption:
        return QueryOption(c[0].value.lower())

    @staticmethod
    def _unique(items: list[Expression], clause: str) -> tuple[Expression, ...]:
        _check_item_count(items, clause)
        seen: set[Expression] = set()
        for item in items:
            if item in seen:
                raise _error(f'"{_text(item)}" appears more than once in {clause}', _pos(item))
            seen.add(item)
        return tuple(items)

    # -- conditions
    def pair(self, c: list[Any]) -> list[Any]:
        return [c[0], c[2]]

    def extend(self, c: list[Any]) -> list[Any]:
        c[0].append(c[2])
        return c[0]

    def or_(self, c: list[Any]) -> Or:
        operands = c[0]
        return self._nested(Or(tuple(operands), pos=operands[0].pos), operands)

    def and_(self, c: list[Any]) -> And:
        operands = c[0]
        return self._nested(And(tuple(operands), pos=operands[0].pos), operands)

    def not_(self, c: list[Any]) -> Not:
        return self._nested(Not(c[1], pos=c[0].start_pos), (c[1],))

    def compare(self, c: list[Any]) -> Comparison:
        self._check_literals(c[0], c[2])
        return self._nested(Comparison(_OPERATORS[c[1].value], c[0], c[2], pos=_pos(c[0])), (c[0], c[2]))

    def _text_operator(op: ComparisonOperator) -> Any:  # type: ignore[misc]  # noqa: N805
        def build(self: _ToAst, c: list[Any]) -> Comparison:
            self._check_literals(c[0], c[-1])
            return self._nested(Comparison(op, c[0], c[-1], pos=_pos(c[0])), (c[0], c[-1]))

        return build

    contains = _text_operator(ComparisonOperator.CONTAINS)
    starts_with = _text_operator(ComparisonOperator.STARTS_WITH)
    ends_with = _text_operator(ComparisonOperator.ENDS_WITH)
    matches = _text_operator(ComparisonOperator.MATCHES)
    like = _text_operator(ComparisonOperator.LIKE)
    del _text_operator

    def is_null(self, c: list[Any]) -> IsNull:
        self._check_null_test(c[0], c[1])
        return self._nested(IsNull(c[0], False, pos=_pos(c[0])), (c[0],))

    def is_not_null(self, c: list[Any]) -> IsNull:
        self._check_null_test(c[0], c[1])
        return self._nested(IsNull(c[0], True, pos=_pos(c[0])), (c[0],))

    # The reference's grammar reads a literal first wherever an operand may be one, and
    # then stands by it: the operand on the left of a comparison, or on the right of
    # anything but a literal, is that literal alone. ``2 * hours > 10`` and
    # ``hours > 2 * 3`` are errors at the ``*``, ``1 is null`` at the ``is``;
    # ``hours * 2 > 10``, ``(2) * hours > 10`` and ``1 = 1 + 1`` are fine.

    def _leading_literal(self, e: Expression) -> tuple[Literal, _Token | None] | None:
        """The literal ``e`` starts with (not in parentheses) and the operator just after it."""
        parenthesised = self._local.parenthesised
        operators = self._local.operators
        after = None
        while id(e) not in parenthesised:
            if isinstance(e, Literal):
                return e, after
            operator = operators.get(id(e))
            if operator is None:
                return None
            after = operator[1]
            e = e.args[0]  # type: ignore[union-attr]
        return None

    def _check_literals(self, left: Expression, right: Expression) -> None:
        lead = self._leading_literal(left)
        if lead is not None:
            if lead[1] is not None:
                raise _SyntaxError("token", lead[1].start_pos, lead[1].value)
            return  # a literal on the left: the right may be any expression
        lead = self._leading_literal(right)
        if lead is not None and lead[1] is not None:
            raise _SyntaxError("token", lead[1].start_pos, lead[1].value)

    def _check_null_test(self, operand: Expression, is_token: _Token) -> None:
        lead = self._leading_literal(operand)
        if lead is not None:
            token = lead[1] or is_token
            raise _SyntaxError("token", token.start_pos, token.value)

    # -- expressions
    def arithmetic(self, c: list[Any]) -> FunctionCall:
        left, op, right = c
        node = FunctionCall(ARITHMETIC_FUNCTIONS[op.value], (left, right), pos=_pos(left))
        self._local.operators[id(node)] = (node, op)
        return self._nested(node, (left, right))

    def parenthesised(self, c: list[Any]) -> Expression:
        self._local.parenthesised[id(c[0])] = c[0]
        return c[0]

    def call(self, c: list[Any]) -> Expression:
        name_token = c[0]
        args = tuple(c[1]) if c[1] is not None else ()
        name = name_token.value.lower()
        pos = name_token.start_pos
        if name in _AGGREGATIONS:
            if len(args) != 1:
                raise _error(
                    f'Aggregation "{name_token.value}" takes exactly one column, not {len(args)} arguments', pos
                )
            (arg,) = args
            if isinstance(arg, Aggregation):
                raise _error(f'Aggregations cannot be nested: "{name}({_text(arg)})"', _pos(arg))
            if not isinstance(arg, ColumnRef):
                raise _error(f'Aggregation "{name_token.value}" takes a column, not "{_text(arg)}"', _pos(arg))
            return self._nested(Aggregation(_AGGREGATIONS[name], arg, pos=pos), args)
        if name not in CALLABLE_FUNCTIONS:
            raise _error(f'Unknown function "{name_token.value}"', pos)
        return self._nested(FunctionCall(name, args, pos=pos), args)

    def negative_literal(self, c: list[Any]) -> Literal:
        return Literal(-_number(c[1]), ValueType.NUMBER, pos=c[0].start_pos)

    def column(self, c: list[Any]) -> ColumnRef:
        token = c[0]
        name = token.value[1:-1] if token.type == "QUOTED_IDENTIFIER" else token.value
        return ColumnRef(name, pos=token.start_pos)

    def number(self, c: list[Any]) -> Literal:
        return Literal(_number(c[0]), ValueType.NUMBER, pos=c[0].start_pos)

    def string(self, c: list[Any]) -> Literal:
        return Literal(c[0].value[1:-1], ValueType.STRING, pos=c[0].start_pos)

    def true(self, c: list[Any]) -> Literal:
        return Literal(True, ValueType.BOOLEAN, pos=c[0].start_pos)

    def false(self, c: list[Any]) -> Literal:
        return Literal(False, ValueType.BOOLEAN, pos=c[0].start_pos)

    def date(self, c: list[Any]) -> Literal:
        return _temporal_literal(c, parse_date, ValueType.DATE, "yyyy-MM-dd")

    def datetime(self, c: list[Any]) -> Literal:
        return _temporal_literal(c, parse_datetime, ValueType.DATETIME, "yyyy-MM-dd HH:mm:ss[.SSS]")

    def timeofday(self, c: list[Any]) -> Literal:
        return _temporal_literal(c, parse_timeofday, ValueType.TIMEOFDAY, "HH:mm:ss[.SSS]")


def _check_item_count(items: list[Any], clause: str) -> None:
    """Raise "<clause> has more than MAX_COLUMNS items" at the first item past the limit."""
    if len(items) > MAX_COLUMNS:
        raise _error(f"{clause} has more than {MAX_COLUMNS} items", _pos(items[MAX_COLUMNS]))


def _check_condition_count(condition: Condition) -> None:
    """Raise "The WHERE clause has more than MAX_CONDITIONS conditions" at the first one past it.

    Iterative, left to right; the tree is at most MAX_DEPTH deep here.
    """
    count = 0
    pending: list[Condition] = [condition]
    while pending:
        c = pending.pop()
        if isinstance(c, (And, Or)):
            pending.extend(reversed(c.operands))
        elif isinstance(c, Not):
            pending.append(c.operand)
        else:
            count += 1
            if count > MAX_CONDITIONS:
                raise _error(f"The WHERE clause has more than {MAX_CONDITIONS} conditions", c.pos)


def _text(expr: Expression) -> str:
    from gvizql.naming import query_text

    return query_text(expr)


# --- the lexer -------------------------------------------------------------------------------

_KEYWORDS = frozenset(
    {
        "SELECT",
        "WHERE",
        "GROUP",
        "BY",
        "PIVOT",
        "ORDER",
        "SKIPPING",
        "LIMIT",
        "OFFSET",
        "LABEL",
        "FORMAT",
        "OPTIONS",
        "ASC",
        "DESC",
        "AND",
        "OR",
        "NOT",
        "IS",
        "NULL",
        "CONTAINS",
        "STARTS",
        "ENDS",
        "WITH",
        "MATCHES",
        "LIKE",
        "TRUE",
        "FALSE",
        "DATE",
        "DATETIME",
        "TIMEOFDAY",
        "TIMESTAMP",
        "NO_FORMAT",
        "NO_VALUES",
    }
)
_PUNCTUATION = {
    "+": "PLUS",
    "-": "MINUS",
    "*": "STAR",
    "/": "SLASH",
    "%": "PERCENT",
    ",": "COMMA",
    "(": "LPAR",
    ")": "RPAR",
}
_TOKEN = re.compile(
    r"""\s*(?:
    (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    |(?P<number>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
    |(?P<string>'[^']*'|"[^"]*")
    |(?P<quoted>`[^`]*`)
    |(?P<compare><=|>=|!=|<>|=|<|>)
    |(?P<punctuation>[-+*/%,()])
    )""",
    re.VERBOSE,
)


class _Token(NamedTuple):
    """A token: its terminal name in the grammar, its text, and its offset."""

    type: str
    value: str
    start_pos: int


_END = "$END"


class _SyntaxError(Exception):
    """Raised by the lexer or the parser loop; turned into a QueryError by ``parse``."""

    def __init__(self, kind: str, pos: int, value: str = "") -> None:
        super().__init__(kind)
        self.kind = kind
        self.pos = pos
        self.value = value


def _tokens(text: str) -> Iterator[_Token]:
    """The tokens of ``text`` and a final ``$END``, from one regular expression.

    Keywords are keywords everywhere (a column named like one is back-quoted,
    as in the reference).
    """
    pos = 0
    end = len(text)
    match = _TOKEN.match
    new = tuple.__new__
    while True:
        m = match(text, pos)
        if m is None or m.lastgroup is None:
            start = pos
            while start < end and text[start].isspace():
                start += 1
            if start >= end:
                yield new(_Token, (_END, "", end))
                return
            raise _SyntaxError("character", start, text[start])
        group = m.lastgroup
        value = m.group(group)
        kind = group
        if kind == "word":
            upper = value.upper()
            kind = upper if upper in _KEYWORDS else "IDENTIFIER"
        elif kind == "punctuation":
            kind = _PUNCTUATION[value]
        else:
            kind = _TERMINALS[kind]
        yield new(_Token, (kind, value, m.start(group)))
        pos = m.end()


_TERMINALS = {"number": "NUMBER", "string": "STRING", "quoted": "QUOTED_IDENTIFIER", "compare": "COMPARE"}


class _Lexer(lark.lexer.Lexer):
    """Satisfies Lark's constructor; ``_tokens`` does the lexing for ``_LalrLoop``."""

    def __init__(self, lexer_conf: Any) -> None:
        pass

    def lex(self, text: str) -> Iterator[Any]:  # type: ignore[override]
        return _tokens(text)


class _LalrLoop:
    """The LALR(1) parse loop over the tables Lark computes from ``grammar.lark``.

    The same algorithm as Lark's own loop, with each table entry flattened once
    into plain tuples (Lark's looks rules up by hashing rule objects on every
    reduction), which makes parsing a typical query about twice as fast.
    """

    def __init__(self, parser: lark.Lark) -> None:
        from lark.parsers.lalr_analysis import Shift

        lalr = parser.parser.parser.parser
        table = lalr.parse_table
        callbacks = lalr.callbacks
        self.start = table.start_states["start"]
        self.end = table.end_states["start"]
        self.states: dict[Any, dict[str, tuple[bool, Any]]] = {}
        for state, actions in table.states.items():
            row: dict[str, tuple[bool, Any]] = {}
            for symbol, (action, arg) in actions.items():
                symbol = str(symbol)  # plain str keys: Lark's Token keys make every lookup call Token.__eq__
                if action is Shift:
                    row[symbol] = (True, arg)
                elif arg.options.expand1 and len(arg.expansion) == 1 and arg.alias is None:
                    # ``?rule: child``: the value passes through, only the state changes.
                    row[symbol] = (False, (1, None, str(arg.origin.name)))
                else:
                    row[symbol] = (False, (len(arg.expansion), callbacks[arg], str(arg.origin.name)))
            self.states[state] = row

    def parse(self, text: str) -> Any:
        states = self.states
        end_state = self.end
        stack = [self.start]
        values: list[Any] = []
        for token in _tokens(text):
            symbol = token.type
            while True:
                entry = states[stack[-1]].get(symbol)
                if entry is None:
                    if symbol == _END:
                        raise _SyntaxError("end", token.start_pos)
                    raise _SyntaxError("token", token.start_pos, token.value)
                shift, arg = entry
                if shift:
                    stack.append(arg)
                    values.append(token)
                    break
                size, callback, origin = arg
                if callback is None:
                    stack[-1] = states[stack[-2]][origin][1]
                    continue
                if size:
                    children = values[-size:]
                    del stack[-size:]
                    del values[-size:]
                else:
                    children = []
                values.append(callback(children))
                stack.append(states[stack[-1]][origin][1])
                if symbol == _END and stack[-1] == end_state:
                    return values[-1]
        raise _SyntaxError("end", len(text))  # pragma: no cover - $END always ends the loop


@functools.cache
def _parser() -> _LalrLoop:
    grammar = (Path(__file__).parent / "grammar.lark").read_text(encoding="utf-8")
    lalr = lark.Lark(grammar, parser="lalr", lexer=_Lexer, transformer=_TRANSFORMER, maybe_placeholders=True)
    return _LalrLoop(lalr)


_TRANSFORMER = _ToAst()


# --- public entry ----------------------------------------------------------------------------


def _decode_escapes(text: str) -> tuple[str, list[int] | None]:
    """Decode ``\\uXXXX``; returns the text and, if anything changed, each char's original offset."""
    if "\\u" not in text:
        return text, None
    out: list[str] = []
    offsets: list[int] = []
    last = 0
    for m in _UNICODE_ESCAPE.finditer(text):
        out.append(text[last : m.start()])
        offsets.extend(range(last, m.start()))
        out.append(chr(int(m[1], 16)))
        offsets.append(m.start())
        last = m.end()
    out.append(text[last:])
    offsets.extend(range(last, len(text) + 1))  # one past the end too, for "end of query"
    return "".join(out), offsets


def _syntax_error(e: _SyntaxError, text: str, offsets: list[int] | None) -> QueryError:
    pos = e.pos if offsets is None else offsets[min(e.pos, len(offsets) - 1)]
    if e.kind == "token":
        message = f'Unexpected token "{e.value}" at position {pos}'
    elif e.kind == "character":
        if e.value in "'\"`":
            kind = "identifier" if e.value == "`" else "string"
            message = f"Unterminated {kind} {e.value} at position {pos}"
        else:
            message = f'Unexpected character "{e.value}" at position {pos}'
    else:
        message = f"Unexpected end of query at position {pos}"
    return QueryError(Reason.INVALID_QUERY, message, message, position=pos)


def _check_parentheses(text: str, offsets: list[int] | None) -> None:
    """Reject parentheses nested deeper than MAX_DEPTH, before the parser sees them."""
    if text.count("(") <= MAX_DEPTH:
        return
    depth = 0
    for m in _NESTING_TOKENS.finditer(text):
        token = m.group()
        if token == "(":
            depth += 1
            if depth > MAX_DEPTH:
                pos = m.start() if offsets is None else offsets[m.start()]
                raise _error(f"The query nests deeper than {MAX_DEPTH} levels", pos)
        elif token == ")":
            depth -= 1


def _relocate(error: QueryError, offsets: list[int]) -> QueryError:
    pos = error.position
    if pos is None:
        return error
    original = offsets[min(pos, len(offsets) - 1)]
    return invalid_query(error.message, position=original)


def parse(tq: str) -> Query:
    """Parse query text into a ``Query``.

    Returns the AST with 0-based ``pos`` offsets into ``tq``. Raises ``QueryError``
    (``invalid_query``) for text that is too long, not a query (the message names the
    unexpected token and its position), nests too deep, or holds an invalid literal.
    """
    return _parse_cached(tq)


@functools.lru_cache(maxsize=512)
def _parse_cached(tq: str) -> Query:
    if not isinstance(tq, str):
        raise invalid_query("The query must be text")
    if len(tq) > MAX_QUERY_LENGTH:
        raise invalid_query(f"The query is longer than {MAX_QUERY_LENGTH} characters")
    text, offsets = _decode_escapes(tq)
    _check_parentheses(text, offsets)
    parser = _parser()
    _TRANSFORMER.reset()
    try:
        query: Query = parser.parse(text)
    except _SyntaxError as e:
        raise _syntax_error(e, text, offsets) from None
    except QueryError as e:
        if offsets is not None:
            raise _relocate(e, offsets) from None
        raise
    finally:
        _TRANSFORMER.reset()
    if offsets is not None:
        # The parser saw the decoded text: move every position back onto ``tq``.
        query = _relocate_positions(query, offsets)
    return query


def _relocate_positions(node: Any, offsets: list[int]) -> Any:
    if isinstance(node, tuple):
        return tuple(_relocate_positions(n, offsets) for n in node)
    if not dataclasses.is_dataclass(node) or isinstance(node, type):
        return node
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        if f.name == "pos":
            if value is not None:
                changes["pos"] = offsets[min(value, len(offsets) - 1)]
        elif isinstance(value, tuple) or dataclasses.is_dataclass(value):
            changes[f.name] = _relocate_positions(value, offsets)
    return dataclasses.replace(node, **changes)
