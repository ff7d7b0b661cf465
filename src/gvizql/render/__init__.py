"""Wire formats of a DataTable: JSON, CSV / TSV for Excel, HTML and XML.

Each module renders a table (``render_table``) and an error
(``render_error``) to bytes; ``gvizql.protocol`` picks the module from the
request's ``tqx`` and wraps the bytes in a response. What every format shares
lives here: which columns carry formatted values, the display text of a cell,
and the protocol's status line.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, repeat
from operator import itemgetter
from typing import Any, cast

from gvizql.datatable import Column, DataTable, ValueType, Warning
from gvizql.errors import QueryError
from gvizql.format import default_format, default_formatter, formatter_for

__all__ = [
    "Problem",
    "RenderOptions",
    "column_values",
    "display_formatters",
    "escape_column",
    "join_rows",
    "memoized",
    "label_of",
    "pattern_formatters",
    "status_of",
    "utf8",
    "value_text",
]

TextOf = Callable[[Any], str]


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """The query's OPTIONS, applied when rendering (the table is always complete).

    ``no_format``: ignore FORMAT patterns (no ``f`` in JSON and XML, default
    text elsewhere). ``no_values``: JSON and XML cells carry only ``f`` (the
    pattern's text, or the default text for a column without one); CSV, TSV
    and HTML, which only show text, are unchanged.
    """

    no_format: bool = False
    no_values: bool = False

    @classmethod
    def of(cls, options: Iterable[str] | str) -> RenderOptions:
        """The options named in ``options`` (case-insensitive; one name may be a plain str)."""
        if isinstance(options, str):
            options = options.split()
        names = {str(option).lower() for option in options}
        return cls(no_format="no_format" in names, no_values="no_values" in names)


@dataclass(frozen=True, slots=True)
class Problem:
    """An error or warning entry of a response (``reason``, ``message``, ``detailed_message``)."""

    reason: str
    message: str
    detailed_message: str | None = None

    @classmethod
    def of(cls, item: Warning | QueryError | Problem) -> Problem:
        detail = item.detailed_message
        return cls(str(item.reason), item.message, detail if detail != item.message else None)


def label_of(column: Column) -> str:
    """The label shown for a column (the empty string when it has none)."""
    return column.label or ""


def pattern_formatters(table: DataTable, options: RenderOptions) -> list[TextOf | None]:
    """Per column, the compiled FORMAT pattern (None: no pattern, invalid, or no_format)."""
    if options.no_format:
        return [None] * len(table.columns)
    return [
        formatter_for(column.type, column.pattern) if column.pattern is not None else None for column in table.columns
    ]


def display_formatters(table: DataTable, options: RenderOptions) -> list[TextOf]:
    """Per column, the text a reader sees: the pattern's text, else the default text."""
    patterns = pattern_formatters(table, options)
    return [pattern or _DEFAULT_TEXT[column.type] for pattern, column in zip(patterns, table.columns, strict=True)]


def column_values(table: DataTable) -> list[list[Any]]:
    """The table's values column by column (rendering works a column at a time)."""
    return [list(map(itemgetter(i), table.rows)) for i in range(len(table.columns))]


class _Memo(dict):
    """A dict that fills itself from a function on a miss."""

    __slots__ = ("function",)

    def __init__(self, function: Callable[[Any], Any]) -> None:
        super().__init__()
        self.function = function

    def __missing__(self, key: Any) -> Any:
        value = self[key] = self.function(key)
        return value


def memoized(function: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``function`` remembering its results, for one render of one column.

    Report columns repeat values (dates, hours, flags), so most calls become
    a C-level dict lookup. Values that compare equal must give equal results,
    which holds for the text of numbers (``1`` and ``1.0`` both read ``1``).
    """
    return _Memo(function).__getitem__


def escape_column(values: list[str], escape: Callable[[str], str]) -> list[str] | None:
    """Each of ``values`` escaped, by one ``escape`` over the whole column; None if a value holds NUL.

    The values are joined with NUL and split again after escaping, which is
    one C-level pass instead of one call per value. ``escape`` must leave NUL
    as it is; a NUL inside a value would add a split, so then this gives None
    and the caller escapes value by value.
    """
    joined = "\x00".join(values)
    if joined.count("\x00") != len(values) - 1:
        return None
    return escape(joined).split("\x00")


def join_rows(parts: Sequence[Any], count: int, empty: str | bytes) -> Any:
    """Join ``count`` rows laid out by ``parts``: constants (str or bytes) and per-row lists.

    ``[b"<tr>", names, b"</tr>"]`` gives ``b"<tr>" + names[i] + b"</tr>"`` for
    each row i, all joined (``empty`` says str or bytes). C-level joins over
    the interleaved pieces are several times faster than formatting each row
    with a template.
    """
    merged: list[Any] = []
    for part in parts:
        if isinstance(part, str | bytes) and merged and isinstance(merged[-1], str | bytes):
            # The constants are all str or all bytes (``empty`` says which).
            merged[-1] = cast(Any, merged[-1]) + part
        else:
            merged.append(part)
    iterables = [repeat(p, count) if isinstance(p, str | bytes) else p for p in merged]
    if isinstance(empty, bytes):
        # Measured: bytes.join is slow on a long iterator but fast per row.
        return empty.join(map(empty.join, zip(*iterables)))
    return empty.join(chain.from_iterable(zip(*iterables)))


_DEFAULT_TEXT: dict[ValueType, TextOf] = {t: default_formatter(t) for t in ValueType}


def _millis(value: dt.datetime | dt.time) -> str:
    return f".{value.microsecond // 1000:03d}" if value.microsecond >= 1000 else ""


def value_text(value: Any, value_type: ValueType) -> str:
    """The lossless machine text of a non-null value (XML ``v``).

    Numbers in plain decimal, booleans ``true``/``false``, dates
    ``yyyy-MM-dd``, datetimes ``yyyy-MM-dd HH:mm:ss[.SSS]``, timeofday
    ``HH:mm:ss[.SSS]`` (milliseconds only when not zero).
    """
    if value_type is ValueType.DATETIME:
        return default_format(value, value_type) + _millis(value)
    if value_type is ValueType.TIMEOFDAY:
        return default_format(value, value_type) + _millis(value)
    return _DEFAULT_TEXT[value_type](value)


_SURROGATE = re.compile("[\ud800-\udfff]")


def utf8(text: str) -> bytes:
    """``text`` as UTF-8; lone surrogates (which UTF-8 cannot carry) become U+FFFD."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text).encode("utf-8")


def without_surrogates(text: str) -> str:
    """``text`` with lone surrogates replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def status_of(errors: Sequence[Problem], warnings: Sequence[Problem]) -> str:
    """The protocol status: ``error`` if any error, else ``warning`` if any warning, else ``ok``."""
    if errors:
        return "error"
    return "warning" if warnings else "ok"
