"""HTML: the page around a table, and that no stored text becomes markup."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from html.parser import HTMLParser

import pytest

from gvizql.datatable import Column, DataTable, ValueType, Warning
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
        Column("s", S, "Name <i>"),
        Column("n", N, "Hours"),
        Column("b", B, "Billable"),
        Column("d", D, "Day"),
        Column("dt", DT, "At"),
        Column("t", T, "Time"),
        Column("f", N, "Amount", pattern="$#,##0.00"),
        Column("y", B, "Yes?", pattern="yes:no"),
    ],
    [
        ("ann", 1234.5, True, dt.date(2009, 1, 31), dt.datetime(2009, 12, 1, 13, 4, 5), dt.time(1, 2, 3), 5, True),
        (None, None, None, None, None, None, None, None),
        ("", Decimal("3.00"), False, dt.date(2000, 12, 1), dt.datetime(2000, 1, 1), dt.time(23, 59), -1.5, False),
        ("é ☃ 𝄞 \"q\" 'a' & </td>", 0, None, None, None, None, None, None),
    ],
    [Warning("data_truncated", "Retrieved data was truncated", "Only <100> rows")],
)

EVERY_TYPE_ROWS = (
    '<table>\n<tr class="head"><td>Name &lt;i&gt;</td><td>Hours</td><td>Billable</td><td>Day</td>'
    "<td>At</td><td>Time</td><td>Amount</td><td>Yes?</td></tr>\n"
    '<tr><td>ann</td><td class="number">1234.5</td><td class="boolean">&#x2714;</td>'
    "<td>2009-01-31</td><td>2009-12-01 13:04:05</td><td>01:02:03</td>"
    '<td class="number">$5.00</td><td>yes</td></tr>\n'
    "<tr>" + "<td>&nbsp;</td>" * 8 + "</tr>\n"
    '<tr><td>&nbsp;</td><td class="number">3</td><td class="boolean">&#x2717;</td>'
    "<td>2000-12-01</td><td>2000-01-01 00:00:00</td><td>23:59:00</td>"
    '<td class="number">-$1.50</td><td>no</td></tr>\n'
    "<tr><td>é ☃ 𝄞 &quot;q&quot; &#x27;a&#x27; &amp; &lt;/td&gt;</td>"
    '<td class="number">0</td>' + "<td>&nbsp;</td>" * 6 + "</tr>\n"
    "</table>\n"
    "<div>Warning: data_truncated. Only &lt;100&gt; rows</div>\n"
)


def test_every_type() -> None:
    response = render(EVERY_TYPE, Tqx(out="html"))
    assert response.media_type == "text/html; charset=utf-8"
    text = response.body.decode("utf-8")
    assert text.startswith('<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n')
    body = text[text.index("<table>") : text.index("</body>")]
    assert body == EVERY_TYPE_ROWS
    assert text.endswith("</body>\n</html>\n")


class TagCollector(HTMLParser):
    """Every start tag a browser would see, and all text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


INJECTIONS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "</td></tr></table><iframe src=javascript:alert(1)>",
    "<!-- comment -->",
    "&lt;b&gt; already escaped",
]


@pytest.mark.parametrize("text", INJECTIONS)
def test_no_markup_injection(text: str) -> None:
    table = DataTable(
        [Column("a", S, text), Column("b", N, text, pattern=f"0 '{text.replace(chr(39), '')}'")],
        [(text, 1)],
        [Warning("other", text)],
    )
    collector = TagCollector()
    collector.feed(render(table, Tqx(out="html")).body.decode())
    allowed = {"html", "head", "meta", "title", "style", "body", "table", "tr", "td", "div"}
    assert set(collector.tags) <= allowed
    assert collector.tags.count("td") == 4
    assert text in "".join(collector.text)


def test_error_page_escapes_the_message() -> None:
    error = QueryError(Reason.INVALID_QUERY, "Invalid query", "Column [<script>x</script>] does not exist")
    response = render_error(error, Tqx(out="html"))
    text = response.body.decode()
    assert "<h3>Oops, an error occurred.</h3>" in text
    assert "<div>Status: error</div>" in text
    assert "<div>Reason: invalid_query</div>" in text
    assert "<div>Description: Column [&lt;script&gt;x&lt;/script&gt;] does not exist</div>" in text
    assert response.status_code == 400


def test_empty_table() -> None:
    text = render(DataTable([Column("a", S, "A")]), Tqx(out="html")).body.decode()
    assert '<table>\n<tr class="head"><td>A</td></tr>\n</table>\n' in text


OPTION_CASES = [
    (frozenset(), '<td class="number">$1,234.50</td><td>yes</td>'),
    (frozenset({"no_format"}), '<td class="number">1234.5</td><td class="boolean">&#x2714;</td>'),
    ("no_format", '<td class="number">1234.5</td><td class="boolean">&#x2714;</td>'),
    (frozenset({"no_values"}), '<td class="number">$1,234.50</td><td>yes</td>'),
]


@pytest.mark.parametrize(("options", "row"), OPTION_CASES)
def test_options(options: frozenset[str] | str, row: str) -> None:
    table = DataTable(
        [Column("n", N, "N", pattern="$#,##0.00"), Column("b", B, "B", pattern="yes:no")], [(1234.5, True)]
    )
    assert f"<tr>{row}</tr>" in render(table, Tqx(out="html"), options=options).body.decode()
