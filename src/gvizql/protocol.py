"""The data source protocol around a query: the ``tqx`` parameter and the response.

``parse_tqx`` reads the request's output options; ``render`` turns a result
table (or an error) into the bytes, media type and headers of the response in
the format the request asked for; ``render_error`` is the error-only form.

The server calls, per request::

    tqx = parse_tqx(request.query_params.get("tqx"))       # may raise QueryError
    try:
        table = gvizql.run_query(data, tq)
        response = render(table, tqx, options=query_options)
    except QueryError as error:
        response = render_error(error, tqx)
    return Response(response.body, response.status_code,
                    headers=response.headers, media_type=response.media_type)

A ``QueryError`` from ``parse_tqx`` itself is rendered with ``render_error(error,
Tqx())`` (the default tqx: JSON in the default handler).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from gvizql.datatable import DataTable, Warning
from gvizql.errors import QueryError, Reason
from gvizql.render import Problem, RenderOptions, status_of
from gvizql.render import csv as csv_render
from gvizql.render import html as html_render
from gvizql.render import json as json_render
from gvizql.render import xml as xml_render

__all__ = [
    "DEFAULT_RESPONSE_HANDLER",
    "OUTPUT_FORMATS",
    "PROTOCOL_VERSION",
    "RenderedResponse",
    "Tqx",
    "parse_tqx",
    "render",
    "render_error",
    "table_signature",
]

PROTOCOL_VERSION = "0.6"
DEFAULT_RESPONSE_HANDLER = "google.visualization.Query.setResponse"
OUTPUT_FORMATS = ("json", "csv", "tsv-excel", "html", "xml")
# Other spellings clients send for the same output.
_OUT_ALIASES = {"jsonp": "json"}

_MAX_TQX = 2048
_MAX_HANDLER = 128
_MAX_REQ_ID = 128
_MAX_SIG = 128
_MAX_FILE_NAME = 100
_HANDLER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*)*")
_VERSION = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3}){0,3}")
_SIG = re.compile(r"[A-Za-z0-9_.+/=-]*")
_CONTROL = re.compile("[\x00-\x1f\x7f]")
_FILE_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_KEYS = ("reqId", "version", "sig", "out", "responseHandler", "outFileName")


@dataclass(frozen=True, slots=True)
class Tqx:
    """The request's output options (the ``tqx`` parameter), validated.

    ``reqId`` is echoed in JSON and XML responses (None: the request had none,
    and the response then carries no reqId). ``out`` is one of
    ``OUTPUT_FORMATS``. ``responseHandler`` is a dotted JavaScript identifier
    path. ``outFileName`` is already safe for a Content-Disposition header
    (None: the default ``data.csv``). ``extra`` holds keys this version does
    not know, in order, which the protocol says to ignore.
    """

    reqId: str | None = None  # noqa: N815 - the protocol's own names
    version: str = PROTOCOL_VERSION
    sig: str | None = None
    out: str = "json"
    responseHandler: str = DEFAULT_RESPONSE_HANDLER  # noqa: N815
    outFileName: str | None = None  # noqa: N815
    extra: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class RenderedResponse:
    """What to send: the body, its media type, extra headers and an HTTP status.

    ``status_code`` is 200 for every JSON response (the JavaScript client reads
    the status from the body) and for every table; an error in another format
    gets the HTTP status matching its reason (400, 401, 403, 404, 500, 501,
    503). A server is free to override it.
    """

    body: bytes
    media_type: str
    headers: Mapping[str, str] = field(default_factory=dict)
    status_code: int = 200


def _invalid(message: str) -> QueryError:
    return QueryError(Reason.INVALID_REQUEST, message, f"Invalid tqx parameter: {message}")


def parse_tqx(text: str | None) -> Tqx:
    """The ``Tqx`` of a ``tqx`` parameter (``key:value;key:value``).

    Tolerant of whitespace around parts, keys and values, of empty parts, and
    of a bare output name (``tqx=json``, ``tqx=out:csv;reqId:1``). Keys are
    matched case-sensitively as the protocol spells them; unknown keys are kept
    in ``extra`` and otherwise ignored. ``None`` or an empty string gives the
    defaults.

    Raises ``QueryError`` with reason ``not_supported`` for an unknown output
    format, and ``invalid_request`` for: a part that is neither ``key:value``
    nor an output name, a key given twice, a responseHandler that is not a
    dotted JavaScript identifier path of at most 128 characters, a reqId longer
    than 128 characters or holding control characters, a version that is not
    dotted numbers, a sig longer than 128 characters or holding other than
    letters, digits and ``_.+/=-``, or a tqx longer than 2048 characters.
    """
    if text is None or not text.strip():
        return Tqx()
    if len(text) > _MAX_TQX:
        raise _invalid(f"tqx is longer than {_MAX_TQX} characters")
    values: dict[str, str] = {}
    extra: list[tuple[str, str]] = []
    seen: set[str] = set()
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        key, colon, value = part.partition(":")
        key, value = key.strip(), value.strip()
        if not colon:
            if key.lower() in OUTPUT_FORMATS or key.lower() in _OUT_ALIASES:
                key, value = "out", key
            else:
                raise _invalid(f"'{_shown(part)}' is not of the form key:value")
        if not key:
            raise _invalid(f"'{_shown(part)}' has no key before ':'")
        if key in seen:
            raise _invalid(f"'{_shown(key)}' is given more than once")
        seen.add(key)
        if key in _KEYS:
            values[key] = value
        else:
            extra.append((key, value))
    return Tqx(
        reqId=_req_id(values.get("reqId")),
        version=_version(values.get("version")),
        sig=_sig(values.get("sig")),
        out=_out(values.get("out")),
        responseHandler=_handler(values.get("responseHandler")),
        outFileName=_file_name(values.get("outFileName")),
        extra=tuple(extra),
    )


def _shown(text: str) -> str:
    """User text quoted in an error message: bounded, control characters removed."""
    text = _CONTROL.sub("?", text)
    return text if len(text) <= 40 else text[:40] + "..."


def _req_id(value: str | None) -> str | None:
    if value is None:
        return None
    if len(value) > _MAX_REQ_ID:
        raise _invalid(f"reqId is longer than {_MAX_REQ_ID} characters")
    if _CONTROL.search(value):
        raise _invalid("reqId contains control characters")
    return value


def _version(value: str | None) -> str:
    if value is None or value == "":
        return PROTOCOL_VERSION
    if not _VERSION.fullmatch(value):
        raise _invalid(f"version '{_shown(value)}' is not a version number such as 0.6")
    return value


def _sig(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if len(value) > _MAX_SIG or not _SIG.fullmatch(value):
        raise _invalid(f"sig '{_shown(value)}' is not a signature this server issued")
    return value


def _out(value: str | None) -> str:
    if value is None or value == "":
        return "json"
    name = value.lower()
    name = _OUT_ALIASES.get(name, name)
    if name not in OUTPUT_FORMATS:
        raise QueryError(
            Reason.NOT_SUPPORTED,
            f"Output format '{_shown(value)}' is not supported",
            f"tqx out:'{_shown(value)}' is not supported; use one of {', '.join(OUTPUT_FORMATS)}",
        )
    return name


def _handler(value: str | None) -> str:
    if value is None or value == "":
        return DEFAULT_RESPONSE_HANDLER
    if len(value) > _MAX_HANDLER:
        raise _invalid(f"responseHandler is longer than {_MAX_HANDLER} characters")
    if not _HANDLER.fullmatch(value):
        raise _invalid(
            f"responseHandler '{_shown(value)}' is not a JavaScript name such as google.visualization.Query.setResponse"
        )
    return value


def _file_name(value: str | None) -> str | None:
    """A file name safe in a header: letters, digits, ``._-`` only, no path, bounded."""
    if not value:
        return None
    name = value.replace("\\", "/").rsplit("/", 1)[-1]
    name = _FILE_NAME_UNSAFE.sub("_", name).strip("._")
    name = name[:_MAX_FILE_NAME]
    return name or None


# --------------------------------------------------------------------------
# responses

_MEDIA_TYPES = {
    "json": "text/javascript; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "tsv-excel": "text/tab-separated-values; charset=utf-16le",
    "html": "text/html; charset=utf-8",
    "xml": "application/xml; charset=utf-8",
}
_TEXT_ERROR = "text/plain; charset=utf-8"
_NO_SNIFF = {"X-Content-Type-Options": "nosniff"}
_HTTP_STATUS = {
    Reason.INVALID_QUERY: 400,
    Reason.INVALID_REQUEST: 400,
    Reason.UNSUPPORTED_QUERY_OPERATION: 400,
    Reason.ILLEGAL_FORMATTING_PATTERNS: 400,
    Reason.USER_NOT_AUTHENTICATED: 401,
    Reason.ACCESS_DENIED: 403,
    Reason.UNKNOWN_DATA_SOURCE_ID: 404,
    Reason.NOT_SUPPORTED: 501,
    Reason.TIMEOUT: 503,
    Reason.INTERNAL_ERROR: 500,
    Reason.OTHER: 500,
}


def table_signature(table_json: bytes) -> str:
    """The ``sig`` of a rendered table: a stable 64-bit BLAKE2b hash, 16 hex digits."""
    return hashlib.blake2b(table_json, digest_size=8).hexdigest()


def _problems(items: Iterable[Warning | QueryError | Problem]) -> list[Problem]:
    return [Problem.of(item) for item in items]


def _download_headers(tqx: Tqx) -> dict[str, str]:
    # Like the reference, both CSV flavours download as .csv (Excel opens
    # the UTF-16 tab-separated file from a .csv name directly).
    name = tqx.outFileName or "data.csv"
    if not name.lower().endswith(".csv"):
        name += ".csv"
    return {**_NO_SNIFF, "Content-Disposition": f'attachment; filename="{name}"'}


def render(
    table: DataTable | None,
    tqx: Tqx,
    *,
    error: QueryError | None = None,
    warnings: Iterable[Warning | QueryError] = (),
    options: Iterable[str] = frozenset(),
) -> RenderedResponse:
    """The response to a query in the format ``tqx.out`` asks for.

    ``table`` is the result (its own ``warnings`` are reported too, before the
    extra ``warnings``); ``error`` replaces it with an error response (then
    ``table`` is ignored and may be None). ``options`` are the query's OPTIONS
    names (``no_format``, ``no_values``), applied here.

    JSON: ``handler({"version","reqId"?,"status","warnings"?,"sig","table"});``.
    When ``tqx.sig`` equals the table's signature the response is instead an
    error with reason ``not_modified`` and no table. Raises ``ValueError`` when
    neither a table nor an error is given.
    """
    if error is not None:
        return render_error(error, tqx)
    if table is None:
        raise ValueError("render() needs a table or an error")
    render_options = RenderOptions.of(options)
    problems = _problems([*table.warnings, *warnings])
    status = status_of((), problems)
    out = tqx.out
    if out == "json":
        table_json = json_render.datatable_json(table, render_options)
        sig = table_signature(table_json)
        if tqx.sig is not None and tqx.sig == sig:
            not_modified = QueryError(Reason.NOT_MODIFIED, "Data not modified")
            return render_error(not_modified, tqx)
        body = json_render.response_json(
            version=PROTOCOL_VERSION,
            req_id=tqx.reqId,
            status=status,
            warnings=problems,
            sig=sig,
            table_json=table_json,
            response_handler=tqx.responseHandler,
        )
        return RenderedResponse(body, _MEDIA_TYPES["json"], dict(_NO_SNIFF))
    if out in ("csv", "tsv-excel"):
        body = csv_render.render_table(table, render_options, excel=out == "tsv-excel")
        return RenderedResponse(body, _MEDIA_TYPES[out], _download_headers(tqx))
    if out == "html":
        body = html_render.render_table(table, render_options, problems)
        return RenderedResponse(body, _MEDIA_TYPES["html"], dict(_NO_SNIFF))
    if out == "xml":
        # No sig: signatures and not_modified belong to the JSON protocol.
        body = xml_render.render_response(
            version=PROTOCOL_VERSION,
            req_id=tqx.reqId,
            status=status,
            warnings=problems,
            table=table,
            options=render_options,
        )
        return RenderedResponse(body, _MEDIA_TYPES["xml"], dict(_NO_SNIFF))
    raise ValueError(f"unknown output format {out!r}")  # parse_tqx never lets one through


def render_error(error: QueryError, tqx: Tqx | None = None) -> RenderedResponse:
    """The error response to a request, in the format ``tqx.out`` asks for.

    JSON and XML carry ``status: error`` and the error's reason, message and
    detailed message (JSON always with HTTP 200, as the JavaScript client
    expects); CSV and TSV get a plain-text ``Error: <reason>. <message>``; HTML
    an escaped error page. ``tqx`` None means the defaults (JSON).
    """
    tqx = tqx or Tqx()
    problems = _problems([error])
    out = tqx.out
    status_code = _HTTP_STATUS.get(Reason(error.reason), 400)
    if out == "json":
        body = json_render.response_json(
            version=PROTOCOL_VERSION,
            req_id=tqx.reqId,
            status="error",
            errors=problems,
            response_handler=tqx.responseHandler,
        )
        return RenderedResponse(body, _MEDIA_TYPES["json"], dict(_NO_SNIFF), 200)
    if out == "xml":
        body = xml_render.render_response(version=PROTOCOL_VERSION, req_id=tqx.reqId, status="error", errors=problems)
        return RenderedResponse(body, _MEDIA_TYPES["xml"], dict(_NO_SNIFF), status_code)
    if out == "html":
        body = html_render.render_error(problems)
        return RenderedResponse(body, _MEDIA_TYPES["html"], dict(_NO_SNIFF), status_code)
    body = csv_render.render_error(problems)
    return RenderedResponse(body, _TEXT_ERROR, dict(_NO_SNIFF), status_code)
