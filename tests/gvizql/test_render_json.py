"""JSON: the DataTable literal (DataTable.to_json) and its safety in script contexts."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gvizql.datatable import Column, DataTable, ValueType
from gvizql.protocol import Tqx, render
from gvizql.render import RenderOptions
from gvizql.render.json import datatable_json, plain_datatable_json

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
        Column("s", S, "Name"),
        Column("n", N, "Hours"),
        Column("b", B, "Billable"),
        Column("d", D, "Day"),
        Column("dt", DT, "At"),
        Column("t", T, "Time"),
    ],
    [
        ("ann", 1.5, True, dt.date(2009, 1, 31), dt.datetime(2009, 12, 1, 13, 4, 5), dt.time(1, 2, 3)),
        (None, None, None, None, None, None),
        ("", 0, False, dt.date(2000, 12, 1), dt.datetime(2000, 1, 1, 0, 0, 0, 7000), dt.time(23, 59, 59, 999000)),
        ("é ☃ 𝄞", Decimal("3.00"), True, dt.date(1, 1, 1), dt.datetime(1999, 2, 3, 4, 5, 6), dt.time(0, 0)),
        ('q"uote,comma\nnew\ttab\\', Decimal("-2.75"), False, None, None, None),
    ],
)

EVERY_TYPE_JSON = (
    '{"cols":[{"id":"s","label":"Name","type":"string"},'
    '{"id":"n","label":"Hours","type":"number"},'
    '{"id":"b","label":"Billable","type":"boolean"},'
    '{"id":"d","label":"Day","type":"date"},'
    '{"id":"dt","label":"At","type":"datetime"},'
    '{"id":"t","label":"Time","type":"timeofday"}],'
    '"rows":['
    '{"c":[{"v":"ann"},{"v":1.5},{"v":true},{"v":"Date(2009,0,31)"},'
    '{"v":"Date(2009,11,1,13,4,5)"},{"v":[1,2,3,0]}]},'
    '{"c":[null,null,null,null,null,null]},'
    '{"c":[{"v":""},{"v":0},{"v":false},{"v":"Date(2000,11,1)"},'
    '{"v":"Date(2000,0,1,0,0,0,7)"},{"v":[23,59,59,999]}]},'
    '{"c":[{"v":"é ☃ 𝄞"},{"v":3},{"v":true},{"v":"Date(1,0,1)"},'
    '{"v":"Date(1999,1,3,4,5,6)"},{"v":[0,0,0,0]}]},'
    '{"c":[{"v":"q\\"uote,comma\\nnew\\ttab\\\\"},{"v":-2.75},{"v":false},null,null,null]}'
    "]}"
)


def test_every_type() -> None:
    assert EVERY_TYPE.to_json() == EVERY_TYPE_JSON
    assert plain_datatable_json(EVERY_TYPE).decode() == EVERY_TYPE_JSON


FORMATTED = DataTable(
    [
        Column("n", N, "Hours", pattern="#,##0.0"),
        Column("d", D, "Day", pattern="MMM d, yyyy"),
        Column("b", B, "Billable", pattern="yes:no"),
        Column("x", N, "Bad", pattern="0#"),  # invalid: the pattern shown (as the reference), no f
        Column("s", S, "Text", pattern="anything"),
    ],
    [(6.25, dt.date(2009, 2, 3), True, 1, "<b>"), (None, None, None, None, None)],
)

FORMATTED_CASES = [
    (
        RenderOptions(),
        '{"cols":[{"id":"n","label":"Hours","type":"number","pattern":"#,##0.0"},'
        '{"id":"d","label":"Day","type":"date","pattern":"MMM d, yyyy"},'
        '{"id":"b","label":"Billable","type":"boolean","pattern":"yes:no"},'
        '{"id":"x","label":"Bad","type":"number","pattern":"0#"},'
        '{"id":"s","label":"Text","type":"string","pattern":"anything"}],'
        '"rows":[{"c":[{"v":6.25,"f":"6.2"},{"v":"Date(2009,1,3)","f":"Feb 3, 2009"},'
        '{"v":true,"f":"yes"},{"v":1},{"v":"\\u003cb\\u003e","f":"\\u003cb\\u003e"}]},'
        '{"c":[null,null,null,null,null]}]}',
    ),
    (
        RenderOptions(no_format=True),
        '{"cols":[{"id":"n","label":"Hours","type":"number"},'
        '{"id":"d","label":"Day","type":"date"},'
        '{"id":"b","label":"Billable","type":"boolean"},'
        '{"id":"x","label":"Bad","type":"number"},'
        '{"id":"s","label":"Text","type":"string"}],'
        '"rows":[{"c":[{"v":6.25},{"v":"Date(2009,1,3)"},{"v":true},{"v":1},{"v":"\\u003cb\\u003e"}]},'
        '{"c":[null,null,null,null,null]}]}',
    ),
    (
        RenderOptions(no_values=True),
        '{"cols":[{"id":"n","label":"Hours","type":"number","pattern":"#,##0.0"},'
        '{"id":"d","label":"Day","type":"date","pattern":"MMM d, yyyy"},'
        '{"id":"b","label":"Billable","type":"boolean","pattern":"yes:no"},'
        '{"id":"x","label":"Bad","type":"number","pattern":"0#"},'
        '{"id":"s","label":"Text","type":"string","pattern":"anything"}],'
        '"rows":[{"c":[{"f":"6.2"},{"f":"Feb 3, 2009"},{"f":"yes"},{"f":"1"},{"f":"\\u003cb\\u003e"}]},'
        '{"c":[null,null,null,null,null]}]}',
    ),
]


@pytest.mark.parametrize(("options", "expected"), FORMATTED_CASES)
def test_formatted_values_and_options(options: RenderOptions, expected: str) -> None:
    assert datatable_json(FORMATTED, options).decode() == expected
    assert plain_datatable_json(FORMATTED, options).decode() == expected


EDGE_CASES = [
    ("no rows", DataTable([Column("a", S)]), '{"cols":[{"id":"a","label":"","type":"string"}],"rows":[]}'),
    ("no columns", DataTable([], [(), ()]), '{"cols":[],"rows":[{"c":[]},{"c":[]}]}'),
    (
        "label None is empty",
        DataTable([Column("a", N, None)], [(1,)]),
        '{"cols":[{"id":"a","label":"","type":"number"}],"rows":[{"c":[{"v":1}]}]}',
    ),
    (
        "not finite numbers are null",
        DataTable([Column("a", N)], [(float("nan"),), (float("inf"),), (Decimal("NaN"),)]),
        '{"cols":[{"id":"a","label":"","type":"number"}],'
        '"rows":[{"c":[{"v":null}]},{"c":[{"v":null}]},{"c":[{"v":null}]}]}',
    ),
    (
        "integers beyond 64 bits become doubles",
        DataTable([Column("a", N)], [(2**70,), (1,)]),
        '{"cols":[{"id":"a","label":"","type":"number"}],"rows":[{"c":[{"v":1.1805916207174113e21}]},{"c":[{"v":1}]}]}',
    ),
    (
        "lone surrogates become U+FFFD",
        DataTable([Column("a", S)], [("x\ud800y",)]),
        '{"cols":[{"id":"a","label":"","type":"string"}],"rows":[{"c":[{"v":"x\ufffdy"}]}]}',
    ),
    (
        "a NUL inside a value",
        DataTable([Column("a", S, pattern="")], [("a\x00b",), (None,)]),
        '{"cols":[{"id":"a","label":"","type":"string","pattern":""}],'
        '"rows":[{"c":[{"v":"a\\u0000b","f":"a\\u0000b"}]},{"c":[null]}]}',
    ),
]


# Values of an unexpected type must not corrupt the output: the plain path takes them.
MISTYPED = [
    DataTable([Column("a", S)], [(1,)]),
    DataTable([Column("a", S)], [("a",), (1,), ("b",)]),
    DataTable([Column("a", S)], [("a",), (["x", "y"],)]),
    DataTable([Column("a", N)], [("1,2",), (3,)]),
    DataTable([Column("a", B)], [(True,), (2,)]),
]


@pytest.mark.parametrize("table", MISTYPED)
def test_mistyped_values_still_give_valid_json(table: DataTable) -> None:
    assert datatable_json(table) == plain_datatable_json(table)
    orjson.loads(datatable_json(table))


@pytest.mark.parametrize(("name", "table", "expected"), EDGE_CASES, ids=[c[0] for c in EDGE_CASES])
def test_edge_cases(name: str, table: DataTable, expected: str) -> None:
    assert orjson.loads(table.to_json()) == orjson.loads(expected)
    assert table.to_json() == datatable_json(table).decode()


INJECTIONS = [
    "</script><script>alert(1)</script>",
    "<!--",
    "]]>",
    "a\u2028b\u2029c",
    "&lt;",
    "');alert(1);//",
]


@pytest.mark.parametrize("text", INJECTIONS)
def test_strings_are_safe_inside_a_script_element(text: str) -> None:
    table = DataTable([Column(text, S, text, pattern=text)], [(text,), (None,)])
    body = render(table, Tqx(reqId=text)).body
    # Nothing can close the script element or end a JS string early.
    assert re.search(rb"[<>&]", body) is None
    assert "\u2028".encode() not in body and "\u2029".encode() not in body
    payload = orjson.loads(body[len(b"google.visualization.Query.setResponse(") : -2])
    assert payload["reqId"] == text
    assert payload["table"]["cols"][0] == {"id": text, "label": text, "type": "string", "pattern": text}
    assert payload["table"]["rows"][0]["c"][0] == {"v": text, "f": text}


# Random tables: the column-at-a-time renderer agrees with the one-dict-per-cell one.
VALUES = {
    S: st.text(max_size=8),
    N: st.one_of(
        st.integers(-(2**70), 2**70),
        st.floats(allow_nan=True, allow_infinity=True),
        st.decimals(places=3, allow_nan=False, allow_infinity=False),
    ),
    B: st.booleans(),
    D: st.dates(),
    DT: st.datetimes(),
    T: st.times(),
}
PATTERNS = {S: "x", N: "#,##0.0#", B: "y:n", D: "EEE d MMM yyyy", DT: "h:mm:ss.SSS a", T: "HH:mm"}


@st.composite
def tables(draw: st.DrawFn) -> DataTable:
    types = draw(st.lists(st.sampled_from(list(ValueType)), min_size=1, max_size=4))
    formatted = draw(st.lists(st.booleans(), min_size=len(types), max_size=len(types)))
    columns = [
        Column(f"c{i}", t, f"L{i}", pattern=PATTERNS[t] if f else None)
        for i, (t, f) in enumerate(zip(types, formatted, strict=True))
    ]
    row = st.tuples(*(st.one_of(st.none(), VALUES[t]) for t in types))
    return DataTable(columns, draw(st.lists(row, max_size=6)))


@settings(max_examples=200, deadline=None)
@given(tables(), st.sampled_from([RenderOptions(), RenderOptions(no_format=True), RenderOptions(no_values=True)]))
def test_fast_and_plain_renderers_agree(table: DataTable, options: RenderOptions) -> None:
    assert datatable_json(table, options) == plain_datatable_json(table, options)
