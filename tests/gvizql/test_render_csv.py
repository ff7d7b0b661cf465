"""CSV and TSV for Excel: exact bytes for tables of every type."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from gvizql.datatable import Column, DataTable, ValueType
from gvizql.errors import QueryError, Reason
from gvizql.protocol import Tqx, render, render_error

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
        Column("s", S, 'Name "full"'),
        Column("n", N, "Hours"),
        Column("b", B, "Billable"),
        Column("d", D, "Day"),
        Column("dt", DT, "At"),
        Column("t", T, "Time"),
    ],
    [
        ("ann", 1234.5, True, dt.date(2009, 1, 31), dt.datetime(2009, 12, 1, 13, 4, 5, 6000), dt.time(1, 2, 3)),
        (None, None, None, None, None, None),
        ("", 0, False, dt.date(2000, 12, 1), dt.datetime(2000, 1, 1), dt.time(23, 59, 59, 999000)),
        ("é ☃ 𝄞 </script> <b>", Decimal("3.00"), True, None, None, None),
        ('q"uote,comma\nnew\ttab\r', -2.75, False, None, None, None),
    ],
)

EVERY_TYPE_CSV = (
    '"Name ""full""","Hours","Billable","Day","At","Time"\n'
    '"ann",1234.5,true,2009-01-31,2009-12-01 13:04:05,01:02:03\n'
    ",,,,,\n"
    '"",0,false,2000-12-01,2000-01-01 00:00:00,23:59:59\n'
    '"é ☃ 𝄞 </script> <b>",3,true,,,\n'
    '"q""uote,comma\nnew\ttab\r",-2.75,false,,,\n'
)


def test_every_type() -> None:
    response = render(EVERY_TYPE, Tqx(out="csv"))
    assert response.body.decode("utf-8") == EVERY_TYPE_CSV
    # Python's csv module (an RFC 4180 reader) reads back every field.
    rows = list(csv.reader(io.StringIO(response.body.decode("utf-8"), newline="")))
    assert rows[0] == ['Name "full"', "Hours", "Billable", "Day", "At", "Time"]
    assert rows[4][0] == "é ☃ 𝄞 </script> <b>"
    assert rows[5][0] == 'q"uote,comma\nnew\ttab\r'


def test_tsv_excel_is_utf16le_with_bom() -> None:
    body = render(EVERY_TYPE, Tqx(out="tsv-excel")).body
    assert body[:2] == b"\xff\xfe"
    text = body[2:].decode("utf-16-le")
    assert text == (
        '"Name ""full"""\t"Hours"\t"Billable"\t"Day"\t"At"\t"Time"\n'
        '"ann"\t1234.5\ttrue\t2009-01-31\t2009-12-01 13:04:05\t01:02:03\n'
        "\t\t\t\t\t\n"
        '""\t0\tfalse\t2000-12-01\t2000-01-01 00:00:00\t23:59:59\n'
        '"é ☃ 𝄞 </script> <b>"\t3\ttrue\t\t\t\n'
        '"q""uote,comma\nnew\ttab\r"\t-2.75\tfalse\t\t\t\n'
    )


FORMATTED = DataTable(
    [
        Column("n", N, "Amount", pattern="$#,##0.00"),
        Column("d", D, "Day", pattern="MMM d, yyyy"),
        Column("b", B, "Billable", pattern="yes:no"),
        Column("q", N, "Quoted", pattern="0 'say \"hi\"'"),
        Column("x", N, "Bad", pattern="0#"),
    ],
    [(1234.5, dt.date(2009, 2, 3), True, 5, 1.5), (None, None, False, None, None)],
)

FORMATTED_CASES = [
    (
        frozenset(),
        '"Amount","Day","Billable","Quoted","Bad"\n"$1,234.50","Feb 3, 2009",yes,"5 say ""hi""",1.5\n,,no,,\n',
    ),
    (
        frozenset({"no_format"}),
        '"Amount","Day","Billable","Quoted","Bad"\n1234.5,2009-02-03,true,5,1.5\n,,false,,\n',
    ),
    (
        frozenset({"no_values"}),  # CSV always shows text: no_values changes nothing
        '"Amount","Day","Billable","Quoted","Bad"\n"$1,234.50","Feb 3, 2009",yes,"5 say ""hi""",1.5\n,,no,,\n',
    ),
]


@pytest.mark.parametrize(("options", "expected"), FORMATTED_CASES)
def test_formatted_values(options: frozenset[str], expected: str) -> None:
    assert render(FORMATTED, Tqx(out="csv"), options=options).body.decode() == expected


EDGE_CASES = [
    ("no columns", DataTable([], [(), ()]), b""),
    ("no rows", DataTable([Column("a", S, "A"), Column("b", N)]), b'"A",""\n'),
    ("one column", DataTable([Column("a", N, "A")], [(1,), (None,)]), b'"A"\n1\n\n'),
    ("a NUL inside text", DataTable([Column("a", S)], [('a\x00"b',)]), b'""\n"a\x00""b"\n'),
    ("lone surrogate", DataTable([Column("a", S)], [("x\udc00",)]), '""\n"x\ufffd"\n'.encode()),
]


@pytest.mark.parametrize(("name", "table", "expected"), EDGE_CASES, ids=[c[0] for c in EDGE_CASES])
def test_edge_cases(name: str, table: DataTable, expected: bytes) -> None:
    assert render(table, Tqx(out="csv")).body == expected


def test_errors_are_plain_text() -> None:
    error = QueryError(Reason.ACCESS_DENIED, "Access denied", "You may not see team 'x'")
    for out in ("csv", "tsv-excel"):
        response = render_error(error, Tqx(out=out))
        assert response.body == b"Error: access_denied. You may not see team 'x'\n"
        assert response.status_code == 403
        assert "Content-Disposition" not in response.headers


# Text a spreadsheet would run as a formula gets a leading ' (OWASP: CSV injection);
# text that is only a number, and every non-text cell, are left as they are.
FORMULA_CASES = [
    ('=HYPERLINK("http://evil","x")', '"\'=HYPERLINK(""http://evil"",""x"")"'),
    ("+1+2", '"\'+1+2"'),
    ("-2+3+cmd|' /C calc'!A0", "\"'-2+3+cmd|' /C calc'!A0\""),
    ("@SUM(A1:A9)", '"\'@SUM(A1:A9)"'),
    ("\t=1+1", '"\'\t=1+1"'),
    ("\r=1+1", '"\'\r=1+1"'),
    ("-", '"\'-"'),
    ("-5", '"-5"'),
    ("+1.5e3", '"+1.5e3"'),
    ("-.5", '"-.5"'),
    ("a=b", '"a=b"'),
    (" =1+1", '" =1+1"'),
    ("'=1+1", '"\'=1+1"'),
    ("", '""'),
]


@pytest.mark.parametrize("with_null", [False, True], ids=["column", "value by value"])
@pytest.mark.parametrize(("text", "field"), FORMULA_CASES, ids=[repr(c[0]) for c in FORMULA_CASES])
def test_formula_text_is_neutralised(text: str, field: str, with_null: bool) -> None:
    # A null in the column takes the renderer's value-by-value path: the same rule applies.
    rows = [(text, -5, text)] + ([(None, None, None)] if with_null else [])
    table = DataTable([Column("memo", S, "Memo"), Column("n", N, "N"), Column("m", S, "M", pattern="x")], rows)
    lines = render(table, Tqx(out="csv")).body.decode().split("\n")
    assert lines[1] == f"{field},-5,{field}"


def test_formula_neutralising_spares_numbers_and_covers_labels_and_tsv() -> None:
    table = DataTable(
        [Column("memo", S, "=cmd"), Column("n", N, "-n", pattern="$#,##0.00"), Column("p", N, "+p")],
        [("@x", -5, -1.5)],
    )
    assert render(table, Tqx(out="csv")).body.decode() == '"\'=cmd","\'-n","\'+p"\n"\'@x",-$5.00,-1.5\n'
    tsv = render(table, Tqx(out="tsv-excel")).body[2:].decode("utf-16-le")
    assert tsv == '"\'=cmd"\t"\'-n"\t"\'+p"\n"\'@x"\t-$5.00\t-1.5\n'
