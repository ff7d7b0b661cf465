"""Helpers of the documented ``odesk.utils`` module: GDS query building, result
tables, argument checks."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from odesk.exceptions import ApiValueError

DEFAULT_TIMEREPORT_FIELDS = ["worked_on", "team_id", "team_name", "task", "memo", "hours"]

DEFAULT_FINREPORT_FIELDS = [
    "reference",
    "date",
    "buyer_company__id",
    "buyer_company_name",
    "buyer_team__id",
    "buyer_team_name",
    "provider_company__id",
    "provider_company_name",
    "provider_team__id",
    "provider_team_name",
    "provider__id",
    "provider_name",
    "type",
    "subtype",
    "amount",
]


def assert_parameter(parameter_name: str, value: Any, options: Iterable[Any]) -> None:
    """Return None when ``value`` is one of ``options``.

    Raises ApiValueError naming the parameter, the value and the valid values.
    """
    options = tuple(options)
    if value not in options:
        raise ApiValueError(f"Incorrect value for {parameter_name}: {value!r}, valid values are {options!r}")


def decimal_default(obj: Any) -> str:
    """``json.dumps`` hook: return a Decimal as its string; raise TypeError otherwise."""
    if isinstance(obj, Decimal):
        return str(obj)
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


class Q:
    """A GDS ``WHERE`` condition: ``(Q('hours') > 2) & (Q('worked_on') <= date(...))``.

    ``str()`` renders the condition: strings and dates single-quoted, numbers bare,
    nested conditions in parentheses.
    """

    _OPERATORS = {"&": "AND", "|": "OR", "==": "=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}

    def __init__(self, arg1: Any, operator: str | None = None, arg2: Any = None) -> None:
        if operator is not None and operator not in self._OPERATORS:
            raise ApiValueError(
                f"Incorrect value for operator: {operator!r}, valid values are {tuple(self._OPERATORS)!r}"
            )
        self.arg1 = arg1
        self.operator = operator
        self.arg2 = arg2

    def __and__(self, other: Any) -> Q:
        return Q(self, "&", other)

    def __or__(self, other: Any) -> Q:
        return Q(self, "|", other)

    def __eq__(self, other: Any) -> Q:  # type: ignore[override]
        return Q(self, "==", other)

    def __lt__(self, other: Any) -> Q:
        return Q(self, "<", other)

    def __le__(self, other: Any) -> Q:
        return Q(self, "<=", other)

    def __gt__(self, other: Any) -> Q:
        return Q(self, ">", other)

    def __ge__(self, other: Any) -> Q:
        return Q(self, ">=", other)

    __hash__ = object.__hash__

    @staticmethod
    def _render(operand: Any) -> str:
        if isinstance(operand, Q):
            return f"({operand})" if operand.operator is not None else str(operand)
        if isinstance(operand, str):
            return f"'{operand}'"
        if isinstance(operand, (_dt.date, _dt.datetime)):
            return f"'{operand.isoformat()}'"
        return str(operand)

    def __str__(self) -> str:
        if self.operator is None:
            return str(self.arg1)
        return f"{self._render(self.arg1)} {self._OPERATORS[self.operator]} {self._render(self.arg2)}"

    def __repr__(self) -> str:
        return f"Q({str(self)!r})"


class Query:
    """A GDS query: ``str(Query(['a', 'b'], Q('a') > 1, ['a']))`` is
    ``SELECT a, b WHERE a > 1 ORDER BY a``."""

    DEFAULT_TIMEREPORT_FIELDS = DEFAULT_TIMEREPORT_FIELDS
    DEFAULT_FINREPORT_FIELDS = DEFAULT_FINREPORT_FIELDS

    def __init__(self, select: Sequence[str], where: Any = None, order_by: Sequence[str] | None = None) -> None:
        self.select = select
        self.where = where
        self.order_by = order_by

    def __str__(self) -> str:
        text = "SELECT " + ", ".join(self.select)
        if self.where:
            text += f" WHERE {self.where}"
        if self.order_by:
            text += " ORDER BY " + ",".join(self.order_by)
        return text

    def __repr__(self) -> str:
        return f"Query({str(self)!r})"


class Table:
    """A GDS result ``table`` as rows of ``{column label: value}``.

    ``t[i]`` is one row as a dict, ``t[a:b]`` a list of them, ``len(t)`` the row
    count; ``cols`` holds the labels and ``rows`` the plain value lists.
    """

    def __init__(self, data: dict[str, Any]) -> None:
        self.cols = [col.get("label") for col in data.get("cols", [])]
        raw_rows = data.get("rows") or []
        # the API spells "no rows" as a list holding one empty string
        if raw_rows and raw_rows[0] == "":
            raw_rows = []
        self.rows = [[cell.get("v") if isinstance(cell, dict) else cell for cell in row["c"]] for row in raw_rows]

    def _row(self, values: list[Any]) -> dict[str, Any]:
        return dict(zip(self.cols, values))

    def __getitem__(self, key: int | slice) -> Any:
        if isinstance(key, bool) or not isinstance(key, (int, slice)):
            raise TypeError(f"Table indices must be integers or slices, not {type(key).__name__}")
        if isinstance(key, slice):
            return [self._row(values) for values in self.rows[key]]
        return self._row(self.rows[key])

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self):
        return (self._row(values) for values in self.rows)
