"""XML: the response in a small schema of our own (oDesk offered ``out:xml``;
Google's protocol has none). The schema is documented in docs/gvizql-wire.md::

    <?xml version="1.0" encoding="UTF-8"?>
    <response>
      <version>0.6</version>
      <reqId>7</reqId>                        only when the request had one
      <status>ok|warning|error</status>
      <warnings><warning reason=".." message=".." detailed_message=".."/></warnings>
      <errors><error reason=".." message=".." detailed_message=".."/></errors>
      <table>
        <cols><col id=".." label=".." type=".." pattern=".."/></cols>
        <rows>
          <row><c v=".." f=".."/><c/></row>   <c/> is a null cell
        </rows>
      </table>
    </response>

``v`` is the lossless machine text of a value (``gvizql.render.value_text``),
``f`` the formatted text when the column has a pattern (with the no_values
option, every non-null cell has only ``f``: the pattern's text or the
default text). Attribute values
escape ``& < > "`` and write tab, newline and carriage return as character
references (so they survive attribute normalization); characters XML 1.0
cannot carry at all (most C0 controls, lone surrogates, U+FFFE, U+FFFF)
become U+FFFD.
"""

from __future__ import annotations

import re
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
    value_text,
)

__all__ = ["attribute", "render_response"]

_SPECIAL = re.compile('[&<>"\t\n\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]')
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SPECIAL_BUT_NUL = re.compile('[&<>"\t\n\r\x01-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]')
_NOT_XML_BUT_NUL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ESCAPES = (
    ("&", "&amp;"),
    ("<", "&lt;"),
    (">", "&gt;"),
    ('"', "&quot;"),
    ("\t", "&#9;"),
    ("\n", "&#10;"),
    ("\r", "&#13;"),
)


def attribute(text: str) -> str:
    """``text`` escaped for a double-quoted XML attribute value."""
    if _SPECIAL.search(text) is None:
        return text
    text = _NOT_XML.sub("\ufffd", text)
    for raw, escaped in _ESCAPES:
        text = text.replace(raw, escaped)
    return text


def _problem(tag: str, problem: Problem) -> str:
    detail = (
        f' detailed_message="{attribute(problem.detailed_message)}"' if problem.detailed_message is not None else ""
    )
    return f'<{tag} reason="{attribute(problem.reason)}" message="{attribute(problem.message)}"{detail}/>'


def _cell_function(
    value_type: ValueType, pattern: Callable[[Any], str] | None, no_values: bool
) -> Callable[[Any], str]:
    """The ``<c>`` element of one value."""

    def v_text(v: Any) -> str:
        return value_text(v, value_type)

    if no_values:
        assert pattern is not None  # with no_values, the display text of every column
        return lambda v: "<c/>" if v is None else f'<c f="{attribute(pattern(v))}"/>'
    if pattern is None:
        return lambda v: "<c/>" if v is None else f'<c v="{attribute(v_text(v))}"/>'
    return lambda v: "<c/>" if v is None else f'<c v="{attribute(v_text(v))}" f="{attribute(pattern(v))}"/>'


def _escaped_joined(joined: str) -> str:
    """A NUL-joined column of texts escaped, every NUL (the joint) left as it is."""
    if _SPECIAL_BUT_NUL.search(joined) is not None:
        joined = _NOT_XML_BUT_NUL.sub("\ufffd", joined)
        for raw, escaped in _ESCAPES:
            joined = joined.replace(raw, escaped)
    return joined


def _column_parts(
    values: list[Any], value_type: ValueType, pattern: Callable[[Any], str] | None, no_values: bool
) -> list[Any]:
    """One column's cells as ``join_rows`` parts: constant text and per-row lists."""
    if value_type is ValueType.STRING and None not in values:
        texts = escape_column(values, _escaped_joined)
        if texts is not None:
            # A text's formatted value is the text itself.
            if no_values:
                return ['<c f="', texts, '"/>']
            if pattern is None:
                return ['<c v="', texts, '"/>']
            return ['<c v="', texts, '" f="', texts, '"/>']
    # Same value, same cell: a per-render cache turns repeats into lookups.
    return [list(map(memoized(_cell_function(value_type, pattern, no_values)), values))]


def _table(table: DataTable, options: RenderOptions) -> list[str]:
    patterns = pattern_formatters(table, options)
    parts = ["<table>\n<cols>\n"]
    for column in table.columns:
        # An invalid pattern is shown too, as in the reference (its cells have no f).
        pattern = None if options.no_format else column.pattern
        extra = f' pattern="{attribute(pattern)}"' if pattern is not None else ""
        parts.append(
            f'<col id="{attribute(column.id)}" label="{attribute(label_of(column))}" type="{column.type}"{extra}/>\n'
        )
    parts.append("</cols>\n<rows>\n")
    if table.rows and table.columns:
        # no_values: every cell carries its display text (pattern or default) as f.
        texts = display_formatters(table, options) if options.no_values else patterns
        row_parts: list[Any] = ["<row>"]
        for values, column, text in zip(column_values(table), table.columns, texts, strict=True):
            row_parts += _column_parts(values, column.type, text, options.no_values)
        row_parts.append("</row>\n")
        parts.append(join_rows(row_parts, len(table.rows), ""))
    elif table.rows:
        parts.append("<row></row>\n" * len(table.rows))
    parts.append("</rows>\n</table>\n")
    return parts


def render_response(
    *,
    version: str,
    req_id: str | None,
    status: str,
    errors: Sequence[Problem] = (),
    warnings: Sequence[Problem] = (),
    table: DataTable | None = None,
    options: RenderOptions | None = None,
) -> bytes:
    """The whole XML response document (UTF-8 bytes); the table only when given."""
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<response>\n']
    parts.append(f"<version>{attribute(version)}</version>\n")
    if req_id is not None:
        parts.append(f"<reqId>{attribute(req_id)}</reqId>\n")
    parts.append(f"<status>{status}</status>\n")
    if warnings:
        parts.append("<warnings>" + "".join(_problem("warning", w) for w in warnings) + "</warnings>\n")
    if errors:
        parts.append("<errors>" + "".join(_problem("error", e) for e in errors) + "</errors>\n")
    if table is not None:
        parts.extend(_table(table, options or RenderOptions()))
    parts.append("</response>\n")
    return "".join(parts).encode("utf-8")
