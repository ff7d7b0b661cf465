"""The data source protocol: tqx parsing and the response around a table or an error."""

from __future__ import annotations

import datetime as dt

import orjson
import pytest

from gvizql.datatable import Column, DataTable, ValueType, Warning
from gvizql.errors import QueryError, Reason
from gvizql.protocol import (
    DEFAULT_RESPONSE_HANDLER,
    Tqx,
    parse_tqx,
    render,
    render_error,
    table_signature,
)
from gvizql.render.json import datatable_json

PARSE_CASES = [
    (None, Tqx()),
    ("", Tqx()),
    ("   ", Tqx()),
    ("out:json", Tqx()),
    ("json", Tqx()),
    ("csv", Tqx(out="csv")),
    ("out:jsonp", Tqx()),
    ("out:CSV", Tqx(out="csv")),
    ("out:tsv-excel", Tqx(out="tsv-excel")),
    ("out:html", Tqx(out="html")),
    ("out:xml", Tqx(out="xml")),
    ("reqId:0", Tqx(reqId="0")),
    ("reqId:7;out:json", Tqx(reqId="7")),
    (" reqId : 7 ; out : csv ; ", Tqx(reqId="7", out="csv")),
    (";;reqId:1;;", Tqx(reqId="1")),
    ("version:0.5", Tqx(version="0.5")),
    ("sig:abc123", Tqx(sig="abc123")),
    ("sig:", Tqx()),
    ("responseHandler:myHandler", Tqx(responseHandler="myHandler")),
    ("responseHandler:a.b_c.$d", Tqx(responseHandler="a.b_c.$d")),
    ("responseHandler:", Tqx()),
    ("outFileName:report.csv", Tqx(outFileName="report.csv")),
    ("outFileName:../../etc/passwd", Tqx(outFileName="passwd")),
    ('outFileName:a"b\r\nc.csv', Tqx(outFileName="a_b_c.csv")),
    ("outFileName:mon rapport été.csv", Tqx(outFileName="mon_rapport_t_.csv")),
    ("outFileName:...", Tqx()),
    ("reqId:1:2", Tqx(reqId="1:2")),  # only the first colon separates
    ("foo:bar;out:csv", Tqx(out="csv", extra=(("foo", "bar"),))),
]


@pytest.mark.parametrize(("text", "expected"), PARSE_CASES)
def test_parse_tqx(text: str | None, expected: Tqx) -> None:
    assert parse_tqx(text) == expected


PARSE_ERRORS = [
    ("out:pdf", Reason.NOT_SUPPORTED, "Output format 'pdf' is not supported"),
    ("out:jsonx", Reason.NOT_SUPPORTED, "Output format 'jsonx' is not supported"),
    ("pdf", Reason.INVALID_REQUEST, "'pdf' is not of the form key:value"),
    (":csv", Reason.INVALID_REQUEST, "':csv' has no key before ':'"),
    ("out:csv;out:json", Reason.INVALID_REQUEST, "'out' is given more than once"),
    ("reqId:1;reqId:2", Reason.INVALID_REQUEST, "'reqId' is given more than once"),
    ("reqId:" + "1" * 129, Reason.INVALID_REQUEST, "reqId is longer than 128 characters"),
    ("reqId:a\x00b", Reason.INVALID_REQUEST, "reqId contains control characters"),
    ("version:zero", Reason.INVALID_REQUEST, "version 'zero' is not a version number such as 0.6"),
    ("sig:<script>", Reason.INVALID_REQUEST, "sig '<script>' is not a signature this server issued"),
    ("sig:" + "a" * 129, Reason.INVALID_REQUEST, "is not a signature this server issued"),
    (
        "responseHandler:alert(1)//",
        Reason.INVALID_REQUEST,
        "responseHandler 'alert(1)//' is not a JavaScript name",
    ),
    ("responseHandler:a..b", Reason.INVALID_REQUEST, "is not a JavaScript name"),
    ("responseHandler:1abc", Reason.INVALID_REQUEST, "is not a JavaScript name"),
    ("responseHandler:a.b(", Reason.INVALID_REQUEST, "is not a JavaScript name"),
    ("responseHandler:</script><script>x", Reason.INVALID_REQUEST, "is not a JavaScript name"),
    ("responseHandler:a b", Reason.INVALID_REQUEST, "is not a JavaScript name"),
    ("responseHandler:caf\u00e9", Reason.INVALID_REQUEST, "is not a JavaScript name"),
    ("responseHandler:f\u2028g", Reason.INVALID_REQUEST, "is not a JavaScript name"),
    ("responseHandler:" + "a" * 129, Reason.INVALID_REQUEST, "responseHandler is longer than 128"),
    ("reqId:" + "1" * 2100, Reason.INVALID_REQUEST, "tqx is longer than 2048 characters"),
]


@pytest.mark.parametrize(("text", "reason", "message"), PARSE_ERRORS)
def test_parse_tqx_errors(text: str, reason: Reason, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_tqx(text)
    assert caught.value.reason == reason
    assert message in caught.value.message


def test_unknown_output_error_names_the_formats() -> None:
    with pytest.raises(QueryError) as caught:
        parse_tqx("out:pdf")
    assert caught.value.detailed_message == (
        "tqx out:'pdf' is not supported; use one of json, csv, tsv-excel, html, xml"
    )


def test_error_messages_quote_bounded_text() -> None:
    with pytest.raises(QueryError) as caught:
        parse_tqx("x" * 100)
    assert caught.value.message == f"'{'x' * 40}...' is not of the form key:value"


TABLE = DataTable(
    [Column("name", ValueType.STRING, "Name"), Column("hours", ValueType.NUMBER, "Hours")],
    [("ann", 1.5), ("bob", None)],
)


def unwrap(body: bytes, handler: str = DEFAULT_RESPONSE_HANDLER) -> dict:
    prefix, suffix = handler.encode() + b"(", b");"
    assert body.startswith(prefix) and body.endswith(suffix)
    return orjson.loads(body[len(prefix) : -len(suffix)])


def test_json_response() -> None:
    response = render(TABLE, parse_tqx("reqId:3"))
    sig = table_signature(datatable_json(TABLE))
    assert response.body == (
        b'google.visualization.Query.setResponse({"version":"0.6","reqId":"3","status":"ok",'
        b'"sig":"' + sig.encode() + b'","table":{"cols":[{"id":"name","label":"Name","type":"string"},'
        b'{"id":"hours","label":"Hours","type":"number"}],'
        b'"rows":[{"c":[{"v":"ann"},{"v":1.5}]},{"c":[{"v":"bob"},null]}]}});'
    )
    assert response.media_type == "text/javascript; charset=utf-8"
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_json_response_without_req_id_has_none() -> None:
    assert "reqId" not in unwrap(render(TABLE, Tqx()).body)


def test_custom_response_handler() -> None:
    body = render(TABLE, parse_tqx("responseHandler:my.handler_1")).body
    assert unwrap(body, "my.handler_1")["status"] == "ok"


def test_signature_is_stable_and_tracks_the_data() -> None:
    first = unwrap(render(TABLE, Tqx()).body)["sig"]
    again = unwrap(render(DataTable(TABLE.columns, TABLE.rows), Tqx()).body)["sig"]
    changed = unwrap(render(DataTable(TABLE.columns, [("ann", 1.6)]), Tqx()).body)["sig"]
    assert first == again != changed
    assert len(first) == 16


def test_not_modified_when_the_client_has_the_current_signature() -> None:
    sig = unwrap(render(TABLE, Tqx()).body)["sig"]
    response = render(TABLE, parse_tqx(f"reqId:4;sig:{sig}"))
    assert unwrap(response.body) == {
        "version": "0.6",
        "reqId": "4",
        "status": "error",
        "errors": [{"reason": "not_modified", "message": "Data not modified"}],
    }
    assert response.status_code == 200


def test_an_old_signature_gets_the_table() -> None:
    payload = unwrap(render(TABLE, parse_tqx("sig:0000000000000000")).body)
    assert payload["status"] == "ok" and "table" in payload


def test_warnings_give_status_warning() -> None:
    table = DataTable(TABLE.columns, TABLE.rows, [Warning("data_truncated", "Retrieved data was truncated")])
    extra = Warning("illegal_formatting_patterns", "Illegal formatting pattern", "bad pattern '0#'")
    payload = unwrap(render(table, Tqx(), warnings=[extra]).body)
    assert payload["status"] == "warning"
    assert payload["warnings"] == [
        {"reason": "data_truncated", "message": "Retrieved data was truncated"},
        {
            "reason": "illegal_formatting_patterns",
            "message": "Illegal formatting pattern",
            "detailed_message": "bad pattern '0#'",
        },
    ]
    assert "table" in payload


ERROR = QueryError(Reason.INVALID_QUERY, "Invalid query", "Column [x] does not exist in table (at position 7)")


def test_json_error() -> None:
    response = render_error(ERROR, parse_tqx("reqId:9"))
    assert response.body == (
        b'google.visualization.Query.setResponse({"version":"0.6","reqId":"9","status":"error",'
        b'"errors":[{"reason":"invalid_query","message":"Invalid query",'
        b'"detailed_message":"Column [x] does not exist in table (at position 7)"}]});'
    )
    assert response.status_code == 200


def test_render_with_an_error_ignores_the_table() -> None:
    assert render(None, Tqx(), error=ERROR) == render_error(ERROR, Tqx())
    assert render(TABLE, Tqx(), error=ERROR) == render_error(ERROR, Tqx())


def test_render_needs_a_table_or_an_error() -> None:
    with pytest.raises(ValueError, match="needs a table or an error"):
        render(None, Tqx())


def test_render_error_defaults_to_json() -> None:
    assert render_error(ERROR).body.startswith(b"google.visualization.Query.setResponse(")


ERROR_FORMATS = [
    ("csv", "text/plain; charset=utf-8", 400, b"Error: invalid_query. Column [x] does not exist"),
    ("tsv-excel", "text/plain; charset=utf-8", 400, b"Error: invalid_query. Column [x]"),
    ("html", "text/html; charset=utf-8", 400, b"<div>Reason: invalid_query</div>"),
    ("xml", "application/xml; charset=utf-8", 400, b"<status>error</status>"),
    ("json", "text/javascript; charset=utf-8", 200, b'"status":"error"'),
]


@pytest.mark.parametrize(("out", "media_type", "status_code", "snippet"), ERROR_FORMATS)
def test_render_error_in_each_format(out: str, media_type: str, status_code: int, snippet: bytes) -> None:
    response = render_error(ERROR, parse_tqx(f"out:{out}"))
    assert response.media_type == media_type
    assert response.status_code == status_code
    assert snippet in response.body


STATUS_CODES = [
    (Reason.INVALID_QUERY, 400),
    (Reason.INVALID_REQUEST, 400),
    (Reason.UNSUPPORTED_QUERY_OPERATION, 400),
    (Reason.USER_NOT_AUTHENTICATED, 401),
    (Reason.ACCESS_DENIED, 403),
    (Reason.UNKNOWN_DATA_SOURCE_ID, 404),
    (Reason.INTERNAL_ERROR, 500),
    (Reason.NOT_SUPPORTED, 501),
    (Reason.TIMEOUT, 503),
]


@pytest.mark.parametrize(("reason", "status_code"), STATUS_CODES)
def test_http_status_of_errors_outside_json(reason: Reason, status_code: int) -> None:
    error = QueryError(reason, "something")
    assert render_error(error, Tqx(out="csv")).status_code == status_code
    assert render_error(error, Tqx()).status_code == 200


DOWNLOADS = [
    ("out:csv", "text/csv; charset=utf-8", 'attachment; filename="data.csv"'),
    ("out:csv;outFileName:hours", "text/csv; charset=utf-8", 'attachment; filename="hours.csv"'),
    ("out:csv;outFileName:h.CSV", "text/csv; charset=utf-8", 'attachment; filename="h.CSV"'),
    (
        'out:tsv-excel;outFileName:x" evil=1',
        "text/tab-separated-values; charset=utf-16le",
        'attachment; filename="x_evil_1.csv"',
    ),
]


@pytest.mark.parametrize(("tqx", "media_type", "disposition"), DOWNLOADS)
def test_csv_downloads(tqx: str, media_type: str, disposition: str) -> None:
    response = render(TABLE, parse_tqx(tqx))
    assert response.media_type == media_type
    assert response.headers["Content-Disposition"] == disposition


def test_options_apply_at_render_time() -> None:
    table = DataTable([Column("d", ValueType.DATE, "D", pattern="MMM d, yyyy")], [(dt.date(2009, 2, 3),)])
    plain = unwrap(render(table, Tqx()).body)["table"]["rows"]
    no_format = unwrap(render(table, Tqx(), options={"no_format"}).body)["table"]
    no_values = unwrap(render(table, Tqx(), options=["NO_VALUES"]).body)["table"]["rows"]
    assert plain == [{"c": [{"v": "Date(2009,1,3)", "f": "Feb 3, 2009"}]}]
    assert no_format["rows"] == [{"c": [{"v": "Date(2009,1,3)"}]}]
    assert "pattern" not in no_format["cols"][0]
    assert no_values == [{"c": [{"f": "Feb 3, 2009"}]}]
    csv_no_format = render(table, Tqx(out="csv"), options={"no_format"}).body
    assert csv_no_format == b'"D"\n2009-02-03\n'
