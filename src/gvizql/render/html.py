"""HTML: a small standalone page holding the table, in the reference's layout.

Every label, value and message is HTML-escaped (``& < > " '``), so nothing a
user stored can become markup or script. Null and empty cells show a
non-breaking space; numbers are right-aligned; booleans without a pattern
show the reference's check mark (``✔``) or cross (``✗``). Warnings follow the
table; an error is a page of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from gvizql.datatable import DataTable, ValueType
from gvizql.render import (
    utf8,
    Problem,
    RenderOptions,
    display_formatters,
    label_of,
    pattern_formatters,
)

__all__ = ["escape", "render_error", "render_table"]

_HEAD = (
    "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"
    "<title>Google Visualization</title>\n</head>\n<body>\n"
)
_TAIL = "</body>\n</html>\n"
_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"}
)
_NBSP = "&nbsp;"


def escape(text: str) -> str:
    """``text`` with ``& < > " '`` as character references."""
    return text.translate(_ESCAPES)


def _cell(value_type: ValueType, text: Callable[[Any], str], has_pattern: bool):
    if value_type is ValueType.NUMBER:
        return lambda v: "<td>&nbsp;</td>" if v is None else f'<td align="right">{escape(text(v))}</td>'
    if value_type is ValueType.BOOLEAN and not has_pattern:
        return lambda v: (
            "<td>&nbsp;</td>" if v is None else ('<td align="center">\u2714</td>' if v else '<td align="center">\u2717</td>')
        )

    def cell(v: Any) -> str:
        if v is None:
            return "<td>&nbsp;</td>"
        shown = text(v)
        return f"<td>{escape(shown)}</td>" if shown else "<td>&nbsp;</td>"

    return cell


def render_table(table: DataTable, options: RenderOptions, warnings: Sequence[Problem] = ()) -> bytes:
    """The page (UTF-8 bytes) showing ``table`` and then its warnings."""
    patterns = pattern_formatters(table, options)
    cells = [
        _cell(column.type, text, pattern is not None)
        for column, text, pattern in zip(
            table.columns, display_formatters(table, options), patterns, strict=True
        )
    ]
    parts = [_HEAD, '<table border="1" cellpadding="2" cellspacing="0">\n']
    parts.append('<tr style="font-weight: bold; background-color: #aaa;">')
    parts.extend(f"<td>{escape(label_of(column))}</td>" for column in table.columns)
    parts.append("</tr>\n")
    odd = '<tr style="background-color: #f0f0f0">'
    even = '<tr style="background-color: #ffffff">'
    for number, row in enumerate(table.rows):
        parts.append(even if number % 2 else odd)
        parts.append("".join([cell(v) for cell, v in zip(cells, row)]))
        parts.append("</tr>\n")
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
