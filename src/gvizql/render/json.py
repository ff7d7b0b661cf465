"""The JSON wire format: the DataTable literal and the ``setResponse(...)`` envelope.

A table is ``{"cols": [...], "rows": [{"c": [cell, ...]}, ...]}``: a column is
``{"id", "label", "type"}`` plus ``"pattern"`` when FORMAT gave it one; a cell
is ``null`` for a null value, else ``{"v": value}`` plus ``"f"`` when its column
has a (valid) pattern. Values: text and booleans as JSON, numbers as JSON
numbers (a ``Decimal`` too; NaN and infinities become ``null``, as JSON has no
word for them), dates ``"Date(y,m,d)"`` with a 0-based month, datetimes
``"Date(y,m,d,h,mi,s)"`` plus ``,ms`` when the milliseconds are not zero,
timeofday ``[h,m,s,ms]``.

Every byte string this module returns is safe inside ``<script>`` and as a
JSONP body: ``<``, ``>``, ``&``, U+2028 and U+2029 only ever occur inside JSON
strings, where they are written as ``\\u003c`` and so on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import orjson

from gvizql.datatable import DataTable, ValueType
from gvizql.render import (
    Problem,
    RenderOptions,
    column_values,
    display_formatters,
    join_rows,
    label_of,
    memoized,
    pattern_formatters,
    without_surrogates,
)

__all__ = ["datatable_json", "plain_datatable_json", "response_json", "script_safe"]

Cell = Callable[[Any], Any]

_UNSAFE = (
    (b"<", b"\\u003c"),
    (b">", b"\\u003e"),
    (b"&", b"\\u0026"),
    ("\u2028".encode(), b"\\u2028"),
    ("\u2029".encode(), b"\\u2029"),
)


def script_safe(data: bytes) -> bytes:
    """JSON bytes with ``< > &`` U+2028 U+2029 escaped (they only occur inside strings)."""
    for raw, escaped in _UNSAFE:
        if raw in data:
            data = data.replace(raw, escaped)
    return data


def _number(value: Any) -> Any:
    if type(value) is Decimal:
        if not value.is_finite():
            return None
        if value == value.to_integral_value() and abs(value) < 2**63:
            return int(value)
        return float(value)
    return value


def _date(value: dt.date) -> str:
    return f"Date({value.year},{value.month - 1},{value.day})"


def _datetime(value: dt.datetime) -> str:
    # The reference drops milliseconds here; we keep them (when not zero)
    # because a datetime that does not survive the wire is a bug.
    millis = value.microsecond // 1000
    tail = f",{millis}" if millis else ""
    return f"Date({value.year},{value.month - 1},{value.day},{value.hour},{value.minute},{value.second}{tail})"


def _timeofday(value: dt.time) -> list[int]:
    return [value.hour, value.minute, value.second, value.microsecond // 1000]


_JSON_VALUE: dict[ValueType, Callable[[Any], Any] | None] = {
    ValueType.STRING: None,
    ValueType.BOOLEAN: None,
    ValueType.NUMBER: _number,
    ValueType.DATE: _date,
    ValueType.DATETIME: _datetime,
    ValueType.TIMEOFDAY: _timeofday,
}


def _cell_function(to_json: Callable[[Any], Any] | None, text: Callable[[Any], str] | None, no_values: bool) -> Cell:
    if no_values:
        assert text is not None
        return lambda v: None if v is None else {"f": text(v)}
    if text is None:
        if to_json is None:
            return lambda v: None if v is None else {"v": v}
        return lambda v: None if v is None else {"v": to_json(v)}
    if to_json is None:
        return lambda v: None if v is None else {"v": v, "f": text(v)}
    return lambda v: None if v is None else {"v": to_json(v), "f": text(v)}


def _table_object(table: DataTable, options: RenderOptions) -> dict[str, Any]:
    texts: Sequence[Callable[[Any], str] | None] = (
        display_formatters(table, options) if options.no_values else pattern_formatters(table, options)
    )
    cols = _cols_object(table, options)
    cells = [
        _cell_function(_JSON_VALUE[column.type], text, options.no_values)
        for column, text in zip(table.columns, texts, strict=True)
    ]
    rows = [{"c": [cell(v) for cell, v in zip(cells, row)]} for row in table.rows]
    return {"cols": cols, "rows": rows}


def _dumps(obj: Any) -> bytes:
    try:
        return orjson.dumps(obj)
    except orjson.JSONEncodeError:
        # Rare inputs orjson refuses: integers beyond 64 bits (JSON numbers are
        # doubles to every JavaScript client anyway) and lone surrogates.
        return orjson.dumps(_sanitized(obj))


def _sanitized(obj: Any) -> Any:
    if isinstance(obj, str):
        return without_surrogates(obj)
    if isinstance(obj, bool) or obj is None:
        return obj
    if isinstance(obj, int):
        return obj if -(2**63) <= obj < 2**64 else float(obj)
    if isinstance(obj, dict):
        return {_sanitized(k): _sanitized(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_sanitized(item) for item in obj]
    return obj


# ---- the fast path -------------------------------------------------------
# Building one dict per cell for orjson costs more than the serialization.
# Instead each column becomes lists of JSON byte pieces, made mostly by C
# loops (one orjson call per column, memoized per-value conversions), and
# the rows are joined from those pieces and constant fragments
# (``join_rows``). Anything unusual (lone surrogates, huge integers, values
# of the wrong type) falls back to the plain path above; the tests check the
# two agree.

_NULL = b"null"
_BOOL = {True: b"true", False: b"false"}


def _decimal_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return _number(value)
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def _scalar(value_type: ValueType) -> Callable[[Any], bytes]:
    """The JSON bytes of one non-null value of a column of ``value_type``."""
    if value_type is ValueType.STRING:
        return orjson.dumps
    if value_type is ValueType.NUMBER:
        return lambda v: orjson.dumps(_number(v))
    if value_type is ValueType.BOOLEAN:
        return lambda v: b"true" if v else b"false"
    if value_type is ValueType.DATE:
        return lambda v: b'"' + _date(v).encode() + b'"'
    if value_type is ValueType.DATETIME:
        return lambda v: b'"' + _datetime(v).encode() + b'"'
    return lambda v: orjson.dumps(_timeofday(v))


class _NotPlain(Exception):
    """A column the fast path cannot split safely (a value of an unexpected type)."""


def _split_checked(pieces: list[bytes], values: list[Any]) -> list[bytes]:
    # A value of an unexpected type (say an int in a text column) merges
    # pieces; the count shows it and the plain path takes over.
    if len(pieces) != len(values):
        raise _NotPlain
    return pieces


def _string_contents(values: list[str]) -> list[bytes]:
    """For non-null strings: the script-safe JSON of each, without its quotes."""
    # orjson writes every inner quote as \", so '","' only ever separates items.
    raw = script_safe(orjson.dumps(values))
    if not (raw.startswith(b'["') and raw.endswith(b'"]')):
        raise _NotPlain
    return _split_checked(raw[2:-2].split(b'","'), values)


def _column_parts(
    values: list[Any],
    value_type: ValueType,
    text: Callable[[Any], str] | None,
    no_values: bool,
) -> list[Any]:
    """One column's cells as ``join_rows`` parts: constant bytes and per-row lists."""
    if None in values:
        scalar = _scalar(value_type)
        if no_values:
            assert text is not None
            cells = [_NULL if v is None else b'{"f":' + orjson.dumps(text(v)) + b"}" for v in values]
        elif text is None:
            cells = [_NULL if v is None else b'{"v":' + scalar(v) + b"}" for v in values]
        else:
            cells = [
                _NULL if v is None else b'{"v":' + scalar(v) + b',"f":' + orjson.dumps(text(v)) + b"}" for v in values
            ]
        if value_type is ValueType.STRING or text is not None:
            # Bytes never hold a raw NUL in JSON, so it can stand between cells.
            cells = script_safe(b"\x00".join(cells)).split(b"\x00")
        return [cells]
    if no_values:
        assert text is not None
        return [b'{"f":"', _string_contents(list(map(memoized(text), values))), b'"}']
    if value_type is ValueType.STRING:
        parts = [b'{"v":"', _string_contents(values), b'"']
    elif value_type is ValueType.NUMBER:
        numbers = orjson.dumps(values, default=_decimal_default)[1:-1].split(b",")
        parts = [b'{"v":', _split_checked(numbers, values)]
    elif value_type is ValueType.BOOLEAN:
        parts = [b'{"v":', list(map(_BOOL.__getitem__, values))]
    else:
        parts = [b'{"v":', list(map(memoized(_scalar(value_type)), values))]
    if text is not None:
        parts += [b',"f":"', _string_contents(list(map(memoized(text), values))), b'"']
    return parts + [b"}"]


def _rows_fast(table: DataTable, options: RenderOptions) -> bytes:
    texts: Sequence[Callable[[Any], str] | None] = (
        display_formatters(table, options) if options.no_values else pattern_formatters(table, options)
    )
    parts: list[Any] = [b'{"c":[']
    for i, (values, column, text) in enumerate(zip(column_values(table), table.columns, texts, strict=True)):
        if i:
            parts.append(b",")
        parts += _column_parts(values, column.type, text, options.no_values)
    parts.append(b"]},")
    return join_rows(parts, len(table.rows), b"")[:-1]


def _cols_object(table: DataTable, options: RenderOptions) -> list[dict[str, str]]:
    cols = []
    for column in table.columns:
        col = {"id": column.id, "label": label_of(column), "type": str(column.type)}
        if column.pattern is not None and not options.no_format:
            col["pattern"] = column.pattern  # an invalid pattern too, as the reference (it has no f)
        cols.append(col)
    return cols


def datatable_json(table: DataTable, options: RenderOptions | None = None) -> bytes:
    """The DataTable JSON literal of ``table`` (UTF-8 bytes, script-safe).

    ``options`` applies no_format / no_values; by default values and formatted
    values are both rendered. Raises nothing for a well-typed table.
    """
    options = options or RenderOptions()
    if table.columns and table.rows:
        try:
            rows = _rows_fast(table, options)
            cols = script_safe(orjson.dumps(_cols_object(table, options)))
            return b'{"cols":' + cols + b',"rows":[' + rows + b"]}"
        except (orjson.JSONEncodeError, KeyError, TypeError, _NotPlain):
            pass  # the plain path below handles what the fast one refuses
    return plain_datatable_json(table, options)


def plain_datatable_json(table: DataTable, options: RenderOptions | None = None) -> bytes:
    """``datatable_json`` the simple way: one dict per cell, one orjson call."""
    return script_safe(_dumps(_table_object(table, options or RenderOptions())))


def response_json(
    *,
    version: str,
    req_id: str | None,
    status: str,
    errors: Sequence[Problem] = (),
    warnings: Sequence[Problem] = (),
    sig: str | None = None,
    table_json: bytes | None = None,
    response_handler: str | None = None,
) -> bytes:
    """The response object, optionally wrapped as ``handler({...});`` (script-safe bytes).

    Keys in the reference's order: version, reqId (only when the request had
    one), status, warnings or errors, sig, table. ``table_json`` is spliced in
    as already-rendered bytes so a large table is serialized once.
    """
    envelope: dict[str, Any] = {"version": version}
    if req_id is not None:
        envelope["reqId"] = req_id
    envelope["status"] = status
    if warnings:
        envelope["warnings"] = [_problem(p) for p in warnings]
    if errors:
        envelope["errors"] = [_problem(p) for p in errors]
    if sig is not None:
        envelope["sig"] = sig
    head = script_safe(_dumps(envelope))
    parts = [head] if table_json is None else [head[:-1], b',"table":', table_json, b"}"]
    if response_handler is not None:
        parts = [response_handler.encode("ascii"), b"(", *parts, b");"]
    # One join: a large table is copied once, not once per wrapper.
    return b"".join(parts)


def _problem(problem: Problem) -> dict[str, str]:
    entry = {"reason": problem.reason, "message": problem.message}
    if problem.detailed_message is not None:
        entry["detailed_message"] = problem.detailed_message
    return entry
