"""The historic oDesk dialect of a GDS response (``spec/gds-data-model.md`` section 4).

A success is a plain JSON object::

    {"server_time": "1265822250",
     "auth_user": {"first_name", "last_name", "uid", "mail", "messenger_id",
                   "messenger_type", "timezone", "timezone_offset"},
     "table": {"cols": [{"type": "date", "label": "worked_on"}, ...],
               "rows": [{"c": [{"v": "20100205"}, {"v": "8.5"}]}, ...]}}

``cols`` carry only ``type`` and ``label``; an aggregated column is labelled
with its bare field name (``sum(hours)`` -> ``hours``); every value is a
string (dates ``YYYYMMDD``, numbers in plain decimal notation) or ``null``;
an empty result is an empty ``rows`` list (oDesk sent ``[""]``; we chose
``[]``, which every client that special-cased ``[""]`` also reads as empty).

An error is ``{"version": "0.6", "status": "error", "errors": [{"reason",
"message"}]}`` with the HTTP status of the reason and the
``X-Odesk-Error-Code`` / ``X-Odesk-Error-Message`` headers.

A table cut to the server's row limit (a ``data_truncated`` warning, see
``reports.runner``) is still a success: the JSON and XML objects get a
``warnings`` list after ``table`` (``[{"reason": "data_truncated",
"message"}]``, the error entries' shape), and every format, CSV and HTML
included, the ``X-Odesk-Warning-Code`` / ``X-Odesk-Warning-Message``
headers. Other warnings (FORMAT patterns) do not apply to this dialect.

XML is the mechanical XML form of the same object (``odesk_server.xmlout``);
CSV, TSV for Excel and HTML hold the header row of labels and the string
values (docs/reports.md shows each).
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from decimal import Decimal
from operator import getitem
from typing import Any

import orjson

from gvizql.datatable import Column, DataTable, ValueType, Warning
from gvizql.errors import Reason
from gvizql.protocol import RenderedResponse
from gvizql.render import RenderOptions
from gvizql.render import csv as csv_render
from gvizql.render import html as html_render
from odesk_server.errors import error_headers, header_safe
from odesk_server.models import User
from odesk_server.reports.heap import collector_paused
from odesk_server.wire import auth_user
from odesk_server.xmlout import to_xml

_AGGREGATED_ID = re.compile(r"(count|sum|avg|min|max)-(.+)")
WARNING_CODE_HEADER = "X-Odesk-Warning-Code"
WARNING_MESSAGE_HEADER = "X-Odesk-Warning-Message"


# --- values and labels ----------------------------------------------------------------------


def value_text(value: Any, value_type: ValueType) -> str | None:
    """A cell as oDesk wrote it: a string, or None for a missing value."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return f"{value.year:04d}{value.month:02d}{value.day:02d} {value:%H:%M:%S}"
    if isinstance(value, dt.date):
        return f"{value.year:04d}{value.month:02d}{value.day:02d}"
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, (int, float, Decimal)):
        return number_text(value)
    return str(value)


def number_text(value: int | float | Decimal) -> str:
    """A number in plain decimal notation, without float noise (``7.2``, ``3``, ``12.50``)."""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        # Sums of cents in SQLite are floats: ten decimals hide the binary noise.
        text = repr(round(value, 10))
        if "e" in text:
            text = format(Decimal(text), "f")
        return text[:-2] if text.endswith(".0") else text
    return format(value, "f")


def column_label(column: Column) -> str:
    """The oDesk label of a result column: the bare field name of an aggregation.

    A LABEL clause (any label other than the engine's default ``sum hours``)
    is kept as given.
    """
    match = _AGGREGATED_ID.fullmatch(column.id)
    if match and column.label == f"{match.group(1)} {match.group(2)}":
        return match.group(2)
    return column.label if column.label is not None else column.id


# --- the envelope ---------------------------------------------------------------------------


def _date_text(value: Any) -> str | None:
    if value is None:
        return None
    if type(value) is dt.date:
        return f"{value.year:04d}{value.month:02d}{value.day:02d}"
    return value_text(value, ValueType.DATE)


def _number_text(value: Any) -> str | None:
    return (
        None
        if value is None
        else number_text(value)
        if not isinstance(value, bool)
        else value_text(value, ValueType.NUMBER)
    )


def _string_text(value: Any) -> str | None:
    return value if value is None or type(value) is str else str(value)


# The converters of the frequent column types (the rest go through ``value_text``).
_CONVERTERS = {ValueType.DATE: _date_text, ValueType.NUMBER: _number_text, ValueType.STRING: _string_text}


def _value_text_of(value_type: ValueType) -> Callable[[Any], str | None]:
    return lambda value: value_text(value, value_type)


class _Cells(dict[Any, dict[str, str | None]]):
    """The cells ``{"v": text}`` of one column, one shared object per distinct value.

    Report rows repeat their values (days, people, tasks, round hours), so a
    value is converted once per answer and its cell reused: the rendering
    costs a dictionary lookup per cell.
    """

    __slots__ = ("convert",)

    def __init__(self, convert: Callable[[Any], str | None]) -> None:
        super().__init__()
        self.convert = convert

    def __missing__(self, value: Any) -> dict[str, str | None]:
        cell = {"v": self.convert(value)}
        if type(value) is not Decimal:  # equal Decimals may print differently (1.5, 1.50)
            self[value] = cell
        return cell


def table_payload(table: DataTable) -> dict[str, Any]:
    """The ``table`` object: typed, labelled columns and string values.

    Equal values of a column share one cell object (read-only: the answer is
    serialised, never changed).
    """
    cells = [_Cells(_CONVERTERS.get(c.type) or _value_text_of(c.type)) for c in table.columns]
    with collector_paused():
        rows = [{"c": list(map(getitem, cells, row))} for row in table.rows]
    return {"cols": [{"type": str(c.type), "label": column_label(c)} for c in table.columns], "rows": rows}


def payload(table: DataTable, user: User) -> dict[str, Any]:
    """The whole success object (``server_time``, ``auth_user``, ``table``, and ``warnings`` if cut short)."""
    body: dict[str, Any] = {
        "server_time": str(int(time.time())),
        "auth_user": auth_user(user),
        "table": table_payload(table),
    }
    warnings = _truncation(table)
    if warnings:
        body["warnings"] = [{"reason": w.reason, "message": w.message} for w in warnings]
    return body


def _truncation(table: DataTable) -> list[Warning]:
    """The warnings of ``table`` this dialect reports: the row limit's."""
    return [w for w in table.warnings if w.reason == Reason.DATA_TRUNCATED]


def warning_headers(table: DataTable) -> dict[str, str]:
    """``X-Odesk-Warning-Code`` / ``-Message`` of a table cut short (empty otherwise)."""
    warnings = _truncation(table)
    if not warnings:
        return {}
    return {
        WARNING_CODE_HEADER: header_safe(warnings[0].reason, 64),
        WARNING_MESSAGE_HEADER: header_safe(warnings[0].message),
    }


def text_table(table: DataTable) -> DataTable:
    """``table`` as oDesk showed it: string columns with oDesk labels and string values."""
    return DataTable(
        [Column(c.id, ValueType.STRING, column_label(c)) for c in table.columns],
        [[cell["v"] for cell in row["c"]] for row in table_payload(table)["rows"]],
    )


_TEXT_MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "tsv-excel": "text/tab-separated-values; charset=utf-16le",
    "html": "text/html; charset=utf-8",
}


def render(table: DataTable, user: User, out: str) -> RenderedResponse:
    """The success response in format ``out`` (json, xml, csv, tsv-excel or html: ``tqx`` ``out``).

    CSV, TSV and HTML are gvizql's renderers applied to ``text_table(table)``.
    Raises ValueError for another format.
    """
    headers = warning_headers(table)
    if out == "json":
        return RenderedResponse(orjson.dumps(payload(table, user)), "application/json", headers)
    if out == "xml":
        return RenderedResponse(to_xml(payload(table, user)), "application/xml", headers)
    options = RenderOptions.of(())
    if out in ("csv", "tsv-excel"):
        body = csv_render.render_table(text_table(table), options, excel=out == "tsv-excel")
    elif out == "html":
        body = html_render.render_table(text_table(table), options)
    else:
        raise ValueError(f"unknown output format {out!r}")
    return RenderedResponse(body, _TEXT_MEDIA_TYPES[out], headers)


def error_payload(reason: str, message: str) -> dict[str, Any]:
    """The error object of the oDesk dialect."""
    return {"version": "0.6", "status": "error", "errors": [{"reason": reason, "message": message}]}


def render_error(reason: str, message: str, status: int, out: str) -> RenderedResponse:
    """The error response: JSON (XML when ``out`` is xml) with the oDesk error headers and HTTP ``status``."""
    headers = error_headers(reason, message)
    if out == "xml":
        return RenderedResponse(to_xml(error_payload(reason, message)), "application/xml", headers, status)
    return RenderedResponse(orjson.dumps(error_payload(reason, message)), "application/json", headers, status)
