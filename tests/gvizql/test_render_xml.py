"""XML: our documented schema, well-formed and escaped whatever the data."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gvizql.datatable import Column, DataTable, ValueType, Warning
from gvizql.errors import QueryError, Reason
from gvizql.protocol import Tqx, parse_tqx, render, render_error

S, N, B, D, DT, T = (
    ValueType.STRING,
    ValueType.NUMBER,
    ValueType.BOOLEAN,
    ValueType.DATE,
    ValueType.DATETIME,
    ValueType.TIMEOFDAY,
)

EVERY_TYPE = DataTable(
    [
        Column("s", S, 'Name "<x>"'),
        Column("n", N, "Hours", pattern="#,##0.0"),
        Column("b", B, "Billable"),
        Column("d", D, "Day"),
        Column("dt", DT, "At"),
        Column("t", T, "Time"),
    ],
    [
        ("ann & bob", 6.25, True, dt.date(2009, 1, 31), dt.datetime(2009, 12, 1, 13, 4, 5, 6000), dt.time(1, 2, 3)),
        (None, None, None, None, None, None),
        (
            "tab\tline\nret\r",
            Decimal("3.00"),
            False,
            dt.date(2000, 12, 1),
            dt.datetime(2000, 1, 1),
            dt.time(23, 59, 59, 999000),
        ),
    ],
)

EVERY_TYPE_XML = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<response>\n<version>0.6</version>\n<reqId>5</reqId>\n'
    "<status>ok</status>\n<table>\n<cols>\n"
    '<col id="s" label="Name &quot;&lt;x&gt;&quot;" type="string"/>\n'
    '<col id="n" label="Hours" type="number" pattern="#,##0.0"/>\n'
    '<col id="b" label="Billable" type="boolean"/>\n'
    '<col id="d" label="Day" type="date"/>\n'
    '<col id="dt" label="At" type="datetime"/>\n'
    '<col id="t" label="Time" type="timeofday"/>\n'
    "</cols>\n<rows>\n"
    '<row><c v="ann &amp; bob"/><c v="6.25" f="6.2"/><c v="true"/><c v="2009-01-31"/>'
    '<c v="2009-12-01 13:04:05.006"/><c v="01:02:03"/></row>\n'
    "<row><c/><c/><c/><c/><c/><c/></row>\n"
    '<row><c v="tab&#9;line&#10;ret&#13;"/><c v="3" f="3.0"/><c v="false"/><c v="2000-12-01"/>'
    '<c v="2000-01-01 00:00:00"/><c v="23:59:59.999"/></row>\n'
    "</rows>\n</table>\n</response>\n"
)


def test_every_type() -> None:
    response = render(EVERY_TYPE, parse_tqx("out:xml;reqId:5"))
    assert response.body.decode() == EVERY_TYPE_XML
    assert response.media_type == "application/xml; charset=utf-8"
    root = ET.fromstring(response.body)
    cells = root.findall("./table/rows/row")[2].findall("c")
    # Attribute normalization keeps tabs and line breaks written as references.
    assert cells[0].get("v") == "tab\tline\nret\r"
    assert [c.get("f") for c in root.findall("./table/rows/row")[0]] == [None, "6.2", None, None, None, None]


def test_options() -> None:
    no_values = render(EVERY_TYPE, Tqx(out="xml"), options={"no_values"}).body.decode()
    assert (
        '<row><c f="ann &amp; bob"/><c f="6.2"/><c f="true"/><c f="2009-01-31"/>'
        '<c f="2009-12-01 13:04:05"/><c f="01:02:03"/></row>\n<row><c/><c/><c/><c/><c/><c/></row>'
    ) in no_values
    no_format = render(EVERY_TYPE, Tqx(out="xml"), options={"no_format"}).body.decode()
    assert '<c v="6.25"/>' in no_format and "pattern=" not in no_format


def test_warnings_and_errors() -> None:
    table = DataTable([Column("a", S)], [], [Warning("data_truncated", "Truncated", "Only <10> rows")])
    root = ET.fromstring(render(table, Tqx(out="xml")).body)
    assert root.findtext("status") == "warning"
    assert root.find("warnings/warning").attrib == {
        "reason": "data_truncated",
        "message": "Truncated",
        "detailed_message": "Only <10> rows",
    }
    error = QueryError(Reason.INVALID_QUERY, "Invalid query", 'Unexpected "<" at position 3')
    response = render_error(error, parse_tqx("out:xml;reqId:2"))
    assert response.body.decode() == (
        '<?xml version="1.0" encoding="UTF-8"?>\n<response>\n<version>0.6</version>\n'
        "<reqId>2</reqId>\n<status>error</status>\n"
        '<errors><error reason="invalid_query" message="Invalid query" '
        'detailed_message="Unexpected &quot;&lt;&quot; at position 3"/></errors>\n</response>\n'
    )
    assert response.status_code == 400


def xml_safe(text: str) -> str:
    """What XML can carry of ``text``: characters XML 1.0 cannot hold become U+FFFD."""
    return "".join(
        "\ufffd"
        if (ord(ch) < 0x20 and ch not in "\t\n\r") or 0xD800 <= ord(ch) <= 0xDFFF or ch in "\ufffe\uffff"
        else ch
        for ch in text
    )


@settings(max_examples=200, deadline=None)
@given(st.text(), st.text(max_size=10), st.lists(st.one_of(st.none(), st.text(max_size=12)), max_size=5), st.booleans())
def test_any_text_is_well_formed_and_round_trips(
    text: str, req_id: str, column: list[str | None], formatted: bool
) -> None:
    table = DataTable(
        [Column(text, S, text), Column("c", S, pattern="x" if formatted else None)],
        [(text, value) for value in column] or [(text, None)],
    )
    root = ET.fromstring(render(table, Tqx(out="xml", reqId=req_id)).body)
    assert root.find("table/cols/col").get("label") == xml_safe(text)
    assert root.findtext("reqId") == xml_safe(req_id)
    for row, value in zip(root.findall("table/rows/row"), column, strict=False):
        first, second = row.findall("c")
        assert first.get("v") == xml_safe(text)
        expected = None if value is None else xml_safe(value)
        assert second.get("v") == expected
        assert second.get("f") == (expected if formatted else None)


@pytest.mark.parametrize("text", ["]]>", "<!DOCTYPE x [<!ENTITY a 'b'>]>", "&a;", "<?xml?>"])
def test_no_markup_injection(text: str) -> None:
    table = DataTable([Column("a", S, text)], [(text,)])
    root = ET.fromstring(render(table, Tqx(out="xml")).body)
    assert root.find("table/rows/row/c").get("v") == text
    # response, version, status, table, cols, col, rows, row, c: nothing more
    assert len(list(root.iter())) == 9
