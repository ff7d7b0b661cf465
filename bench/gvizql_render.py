"""Render a 100,000-row table as JSON, CSV and HTML: gvizql against Google's gviz_api.

Both libraries render the same data in the same run; the script prints each
time (best of a few repeats, in CPU time of this process so that other work
on a shared machine distorts it less) and the speed ratio gviz_api / gvizql
(target: at least 5x). Run: ``.venv/bin/python bench/gvizql_render.py [rows]``.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable

import gviz_api

from gvizql.datatable import Column, DataTable, ValueType
from gvizql.protocol import parse_tqx, render

REPEATS = 5


def build_rows(count: int) -> list[tuple]:
    start = dt.date(2009, 1, 1)
    names = ["alpha", "beta <b>", 'gamma "g"', "delta, d", "épsilon"]
    return [
        (
            names[i % len(names)] + str(i),
            (i * 37 % 1000) / 8,
            i % 3 == 0,
            start + dt.timedelta(days=i % 3650),
        )
        for i in range(count)
    ]


def best(fn: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEATS):
        began = time.process_time()
        fn()
        times.append(time.process_time() - began)
    return min(times)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rows = build_rows(count)
    ours = DataTable(
        [
            Column("name", ValueType.STRING, "Name"),
            Column("hours", ValueType.NUMBER, "Hours"),
            Column("billable", ValueType.BOOLEAN, "Billable"),
            Column("worked_on", ValueType.DATE, "Worked on"),
        ],
        rows,
    )
    theirs = gviz_api.DataTable(
        [
            ("name", "string", "Name"),
            ("hours", "number", "Hours"),
            ("billable", "boolean", "Billable"),
            ("worked_on", "date", "Worked on"),
        ],
        [list(r) for r in rows],
    )
    json_tqx, csv_tqx, html_tqx = (parse_tqx(f"out:{o};reqId:0") for o in ("json", "csv", "html"))
    cases = [
        ("JSON table", lambda: ours.to_json(), lambda: theirs.ToJSon()),
        (
            "JSON response",
            lambda: render(ours, json_tqx).body,
            lambda: theirs.ToJSonResponse(req_id=0),
        ),
        ("CSV", lambda: render(ours, csv_tqx).body, lambda: theirs.ToCsv()),
        ("HTML", lambda: render(ours, html_tqx).body, lambda: theirs.ToHtml()),
    ]
    print(f"{count:,} rows x 4 columns (string, number, boolean, date); best of {REPEATS}, CPU time")
    print(f"{'output':<14} {'gvizql':>10} {'gviz_api':>10} {'ratio':>8}")
    for name, our_fn, their_fn in cases:
        our_time = best(our_fn)
        their_time = best(their_fn)
        print(f"{name:<14} {our_time * 1000:>8.1f}ms {their_time * 1000:>8.1f}ms {their_time / our_time:>7.1f}x")


if __name__ == "__main__":
    main()
