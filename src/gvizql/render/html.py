"""HTML: a small standalone page holding the table.

The look is the reference's (bordered cells, a grey bold header row, shaded
alternate rows, numbers right-aligned, booleans without a pattern as a check
mark ``&#x2714;`` or a cross ``&#x2717;``, null and empty cells as a
non-breaking space) but done with one style sheet instead of attributes on
every row, which keeps large pages small. Every label, value and message is
HTML-escaped (``& < > " '``), so nothing a user stored can become markup or
script. Warnings follow the table; an error is a page of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from gvizql.datatable import DataTable, ValueType
from gvizql.render import (
    Problem,
    RenderOptions,
    column_values,
    display_formatters,
    escape_column,
    join_rows,
    label_of,
    memoized,
    pattern_formatters,
    utf8,
)

__all__ = ["escape", "render_error", "render_table"]

_HEAD = (
    '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
    "<title>Google Visualization</title>\n"
    "<style>\n"
    "table { border-collapse: collapse; }\n"
    "td { border: 1px solid #000; padding: 2px; }\n"
    "tr.head { font-weight: bold; background-color: #aaa; }\n"
    "tr:nth-child(even) { background-color: #f0f0f0; }\n"
    "td.number { text-align: right; }\n"
    "td.boolean { text-align: center; }\n"
    "</style>\n"
    "</head>\n<body>\n"
)
_TAIL = "</body>\n</html>\n"
_NBSP = "&nbsp;"
_EMPTY_CELL = "<td>&nbsp;</td>"
_BOOLEAN_CELLS = {
    True: '<td class="boolean">&#x2714;</td>',
    False: '<td class="boolean">&#x2717;</td>',
    None: _EMPTY_CELL,
}


def escape(text: str) -> str:
    """``text`` with ``& < > " '`` as character references."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    return text.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("'", "&#x27;")


def _cell_function(value_type: ValueType, text: Callable[[Any], str]) -> Callable[[Any], str]:
    """The ``<td>`` of one value of a non-text column."""
    opening = '<td class="number">' if value_type is ValueType.NUMBER else "<td>"

    def cell(value: Any) -> str:
        if value is None:
            return _EMPTY_CELL
        shown = text(value)
        return opening + escape(shown) + "</td>" if shown else _EMPTY_CELL

    return cell


def _column_parts(values: list[Any], value_type: ValueType, text: Callable[[Any], str], has_pattern: bool) -> list[Any]:
    """One column's cells as ``join_rows`` parts: constant text and per-row lists."""
    if value_type is ValueType.STRING:
        if None in values:
            values = ["" if v is None else v for v in values]
        texts = escape_column(values, escape)
        if texts is not None:
            return ["<td>", [p or _NBSP for p in texts], "</td>"]
        return ["<td>", [escape(v) or _NBSP for v in values], "</td>"]
    if value_type is ValueType.BOOLEAN and not has_pattern:
        return [[_BOOLEAN_CELLS[None if v is None else bool(v)] for v in values]]
    # Same value, same cell: a per-render cache turns repeats into lookups.
    return [list(map(memoized(_cell_function(value_type, text)), values))]


def render_table(table: DataTable, options: RenderOptions, warnings: Sequence[Problem] = ()) -> bytes:
    """The page (UTF-8 bytes) showing ``table`` and then its warnings."""
    parts = [_HEAD, "<table>\n", '<tr class="head">']
    parts.extend(f"<td>{escape(label_of(column))}</td>" for column in table.columns)
    parts.append("</tr>\n")
    if table.rows and table.columns:
        row_parts: list[Any] = ["<tr>"]
        for values, column, text, pattern in zip(
            column_values(table),
            table.columns,
            display_formatters(table, options),
            pattern_formatters(table, options),
            strict=True,
        ):
            row_parts += _column_parts(values, column.type, text, pattern is not None)
        row_parts.append("</tr>\n")
        parts.append(join_rows(row_parts, len(table.rows), ""))
    parts.append("</table>\n")
    for warning in warnings:
        detail = warning.detailed_message or warning.message
        parts.append(f"<div>Warning: {escape(warning.reason)}. {escape(detail)}</div>\n")
    parts.append(_TAIL)
    return utf8("".join(parts))


def render_error(errors: Sequence[Problem]) -> bytes:
    """An error page (UTF-8 bytes): status, reason and description of each error."""
    parts = [_HEAD, "<h3>Oops, an error occurred.</h3>\n<div>Status: error</div>\n"]
    for problem in errors:
        parts.append(f"<div>Reason: {escape(problem.reason)}</div>\n")
        detail = problem.detailed_message or problem.message
        parts.append(f"<div>Description: {escape(detail)}</div>\n")
    parts.append(_TAIL)
    return utf8("".join(parts))
