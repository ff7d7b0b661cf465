"""The result of a query: typed columns and rows of plain Python values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any


class ValueType(StrEnum):
    BOOLEAN = "boolean"
    NUMBER = "number"
    STRING = "string"
    DATE = "date"
    DATETIME = "datetime"
    TIMEOFDAY = "timeofday"


# The Python types a cell of each column type may hold (None is always allowed).
PYTHON_TYPES: dict[ValueType, tuple[type, ...]] = {
    ValueType.BOOLEAN: (bool,),
    ValueType.NUMBER: (int, float, Decimal),
    ValueType.STRING: (str,),
    ValueType.DATE: (dt.date,),
    ValueType.DATETIME: (dt.datetime,),
    ValueType.TIMEOFDAY: (dt.time,),
}


@dataclass(frozen=True, slots=True)
class Column:
    """A column of a DataTable.

    ``type`` is one of the protocol's type names (a ``ValueType`` or its string);
    ``label`` defaults to the empty string on the wire; ``pattern`` is the FORMAT
    pattern that renderers use to produce the formatted (``f``) values.
    """

    id: str
    type: ValueType = ValueType.STRING
    label: str | None = None
    pattern: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "type", ValueType(self.type))


@dataclass(frozen=True, slots=True)
class Warning:  # noqa: A001 - the protocol's own name
    """A protocol warning carried with a table (``data_truncated``, ...)."""

    reason: str
    message: str
    detailed_message: str | None = None


@dataclass(slots=True)
class DataTable:
    """Columns and rows; each row is a tuple with one Python value (or None) per column."""

    columns: list[Column]
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)

    def __init__(
        self,
        columns: Iterable[Column],
        rows: Iterable[Sequence[Any]] = (),
        warnings: Iterable[Warning] = (),
    ) -> None:
        self.columns = list(columns)
        self.rows = [tuple(r) for r in rows]
        self.warnings = list(warnings)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DataTable):
            return NotImplemented
        return self.columns == other.columns and self.rows == other.rows

    def column_index(self, column_id: str) -> int:
        for i, column in enumerate(self.columns):
            if column.id == column_id:
                return i
        raise KeyError(column_id)

    def to_json(self) -> str:
        """The standard Google DataTable JSON text (``{"cols": [...], "rows": [...]}``)."""
        from gvizql.render.json import datatable_json

        return datatable_json(self).decode()
