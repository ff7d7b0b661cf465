"""CSV and TSV-for-Excel: a header of labels, then one line per row.

The reference's style: every label and every text value in double quotes
(inner quotes doubled), other values bare unless they contain the separator,
a quote or a line break (then quoted too: the reference only checked for a
comma, which broke on quotes and newlines). A cell shows its formatted value
when its column has a pattern, else the type's default text
(``gvizql.format.default_format``). A null cell is an empty field (the
reference wrote the word ``null``, which reads back as text). Lines end with
``\\n`` as in the reference.

``tsv-excel`` is the same with a tab separator, encoded UTF-16LE with a byte
order mark, which is what Excel opens without an import dialog.

Both are meant to be opened in a spreadsheet, which runs a cell starting with
``=``, ``+``, ``-`` or ``@`` as a formula (``=HYPERLINK(...)`` in a memo):
text cells and labels that start like that, or with a tab or carriage
return, get a leading ``'`` (OWASP's advice against CSV injection; see
``_neutralised``). Number, date and boolean cells are never changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
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
    utf8,
    without_surrogates,
)

__all__ = ["render_error", "render_table"]


#: First characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection).
_FORMULA_STARTS = frozenset("=+-@\t\r")
# A value starting with one of _FORMULA_STARTS, in a column joined with NUL (see escape_column).
_FORMULA_CELL = re.compile("(?:^|(?<=\x00))[=+\\-@\t\r][^\x00]*")
# Text that is only a number: a spreadsheet reads it as that number, never as a formula.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _neutralised(text: str) -> str:
    """``text`` as a spreadsheet must show it: with a leading ``'`` if it would start a formula.

    A text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets
    the ``'`` (which spreadsheets hide and read as "this is text"), unless the whole
    text is a plain number such as ``-5`` or ``+1.5e3``: the oDesk envelope writes its
    numbers as text, and those must stay numbers.
    """
    if text[:1] in _FORMULA_STARTS and _NUMBER.fullmatch(text) is None:
        return "'" + text
    return text


def _text_fields(joined: str) -> str:
    """NUL-joined text values, each neutralised and with its quotes doubled (for ``escape_column``)."""
    return _FORMULA_CELL.sub(lambda m: _neutralised(m.group()), joined.replace('"', '""'))


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _field_function(text: Callable[[Any], str], separator: str) -> Callable[[Any], str]:
    """The CSV field of one value of a non-text column (quoted only when it must be)."""
    specials = (separator, '"', "\n", "\r")

    def field(value: Any) -> str:
        if value is None:
            return ""
        shown = text(value)
        for special in specials:
            if special in shown:
                return _quote(shown)
        return shown

    return field


def _column_parts(values: list[Any], value_type: ValueType, text: Callable[[Any], str], separator: str) -> list[Any]:
    """One column's fields as ``join_rows`` parts: constant text and per-row lists."""
    if value_type is ValueType.STRING:
        if None not in values:
            texts = escape_column(values, _text_fields)
            if texts is not None:
                return ['"', texts, '"']
        return [["" if v is None else _quote(_neutralised(v)) for v in values]]
    # Same value, same text: a per-render cache turns repeats into lookups.
    return [list(map(memoized(_field_function(text, separator)), values))]


def render_text(table: DataTable, options: RenderOptions, separator: str = ",") -> str:
    """The CSV (or TSV) text of ``table``; an empty string for a table without columns."""
    if not table.columns:
        return ""
    # Labels are text cells too, and pivot labels come from the data.
    header = separator.join(_quote(_neutralised(label_of(column))) for column in table.columns) + "\n"
    if not table.rows:
        return header
    parts: list[Any] = []
    for i, (values, column, text) in enumerate(
        zip(column_values(table), table.columns, display_formatters(table, options), strict=True)
    ):
        if i:
            parts.append(separator)
        parts += _column_parts(values, column.type, text, separator)
    parts.append("\n")
    return header + join_rows(parts, len(table.rows), "")


def render_table(table: DataTable, options: RenderOptions, *, excel: bool = False) -> bytes:
    """CSV as UTF-8 bytes, or with ``excel`` tab-separated UTF-16LE with a BOM."""
    if excel:
        return b"\xff\xfe" + without_surrogates(render_text(table, options, "\t")).encode("utf-16-le")
    return utf8(render_text(table, options))


def render_error(errors: list[Problem]) -> bytes:
    """A plain-text error for CSV clients: ``Error: <reason>. <message>`` per error."""
    lines = []
    for problem in errors:
        detail = problem.detailed_message or problem.message
        lines.append(f"Error: {problem.reason}. {detail}")
    lines.append("")
    return utf8("\n".join(lines))
