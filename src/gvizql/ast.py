"""The query as the parser hands it on: frozen dataclasses, nothing stringly typed.

Every node carries ``pos``, the 0-based offset of its first character in the
query text (excluded from equality, so trees compare by meaning).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from gvizql.datatable import ValueType


def _pos() -> Any:
    return field(default=None, compare=False, repr=False)


# --- expressions -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ColumnRef:
    """A column of the source table, by id (back-quoted in the text when needed)."""

    name: str
    pos: int | None = _pos()


@dataclass(frozen=True, slots=True)
class Literal:
    """A constant: number (int or float), string, boolean, date, datetime or timeofday."""

    value: Any
    type: ValueType
    pos: int | None = _pos()


class AggregationFunction(StrEnum):
    COUNT = "count"
    SUM = "sum"
    AVG = "avg"
    MIN = "min"
    MAX = "max"


@dataclass(frozen=True, slots=True)
class Aggregation:
    """``sum(hours)``: an aggregation over a plain column (the language allows no more)."""

    function: AggregationFunction
    column: ColumnRef
    pos: int | None = _pos()


# Arithmetic operators are scalar functions named as the reference names them:
# ``+`` sum, ``-`` difference, ``*`` product, ``/`` quotient, ``%`` modulo.
ARITHMETIC_FUNCTIONS = {"+": "sum", "-": "difference", "*": "product", "/": "quotient", "%": "modulo"}

SCALAR_FUNCTIONS = frozenset(
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
        "sum",
        "difference",
        "product",
        "quotient",
        "modulo",
    }
)


@dataclass(frozen=True, slots=True)
class FunctionCall:
    """A scalar function or arithmetic; ``name`` is lower case (``dayofweek``, ``quotient``)."""

    name: str
    args: tuple[Expression, ...]
    pos: int | None = _pos()


Expression = ColumnRef | Literal | Aggregation | FunctionCall


# --- conditions (WHERE) --------------------------------------------------------------


class ComparisonOperator(StrEnum):
    EQ = "="
    NE = "!="  # ``<>`` parses to this too
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    CONTAINS = "contains"
    STARTS_WITH = "starts with"
    ENDS_WITH = "ends with"
    MATCHES = "matches"
    LIKE = "like"


@dataclass(frozen=True, slots=True)
class Comparison:
    operator: ComparisonOperator
    left: Expression
    right: Expression
    pos: int | None = _pos()


@dataclass(frozen=True, slots=True)
class IsNull:
    operand: Expression
    negated: bool = False  # ``is not null``
    pos: int | None = _pos()


@dataclass(frozen=True, slots=True)
class And:
    operands: tuple[Condition, ...]
    pos: int | None = _pos()


@dataclass(frozen=True, slots=True)
class Or:
    operands: tuple[Condition, ...]
    pos: int | None = _pos()


@dataclass(frozen=True, slots=True)
class Not:
    operand: Condition
    pos: int | None = _pos()


Condition = Comparison | IsNull | And | Or | Not


# --- clauses ------------------------------------------------------------------------


class SortDirection(StrEnum):
    ASC = "asc"
    DESC = "desc"


@dataclass(frozen=True, slots=True)
class OrderItem:
    expression: Expression
    direction: SortDirection = SortDirection.ASC
    pos: int | None = _pos()


@dataclass(frozen=True, slots=True)
class LabelItem:
    expression: Expression
    label: str
    pos: int | None = _pos()


@dataclass(frozen=True, slots=True)
class FormatItem:
    expression: Expression
    pattern: str
    pos: int | None = _pos()


class QueryOption(StrEnum):
    NO_FORMAT = "no_format"
    NO_VALUES = "no_values"


@dataclass(frozen=True, slots=True)
class Query:
    """A whole query. ``select`` None means ``SELECT *`` (or no SELECT clause)."""

    select: tuple[Expression, ...] | None = None
    where: Condition | None = None
    group_by: tuple[Expression, ...] = ()
    pivot: tuple[Expression, ...] = ()
    order_by: tuple[OrderItem, ...] = ()
    skipping: int | None = None
    limit: int | None = None  # None: no limit (``LIMIT -1`` too)
    offset: int = 0
    labels: tuple[LabelItem, ...] = ()
    formats: tuple[FormatItem, ...] = ()
    options: frozenset[QueryOption] = frozenset()
