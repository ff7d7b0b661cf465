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
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gvizql.datatable import DataTable, ValueType
from gvizql.render import Problem, RenderOptions, display_formatters, label_of, utf8, without_surrogates

__all__ = ["render_error", "render_table"]


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _bare_or_quoted(separator: str) -> Callable[[str], str]:
    specials = (separator, '"', "\n", "\r")

    def field(text: str) -> str:
        for special in specials:
            if special in text:
                return _quote(text)
        return text

    return field


def _column_field(value_type: ValueType, text: Callable[[Any], str], separator: str):
    if value_type is ValueType.STRING:
        return lambda v: "" if v is None else _quote(text(v))
    bare = _bare_or_quoted(separator)
    return lambda v: "" if v is None else bare(text(v))


def render_text(table: DataTable, options: RenderOptions, separator: str = ",") -> str:
    """The CSV (or TSV) text of ``table``; an empty string for a table without columns."""
    if not table.columns:
        return ""
    fields = [
        _column_field(column.type, text, separator)
        for column, text in zip(table.columns, display_formatters(table, options), strict=True)
    ]
    lines = [separator.join(_quote(label_of(column)) for column in table.columns)]
    join = separator.join
    lines.extend(join([f(v) for f, v in zip(fields, row)]) for row in table.rows)
    lines.append("")
    return "\n".join(lines)


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
