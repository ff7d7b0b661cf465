"""Rendering command-line results as an aligned table, CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from odesk.utils import Table

FORMATS = ("table", "csv", "json")


@dataclass(frozen=True)
class Grid:
    """Rows of cells under a header: what the table and CSV formats print."""

    header: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    #: which columns hold numbers (right-aligned); None: guess from the values
    numeric: tuple[bool, ...] | None = None


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    # nested answers become dotted keys so they fit in two columns
    if isinstance(value, dict):
        flat: dict[str, Any] = {}
        for name, item in value.items():
            flat.update(_flatten(item, f"{prefix}{name}."))
        return flat if flat or not prefix else {prefix[:-1]: ""}
    if isinstance(value, list) and not all(isinstance(item, dict) for item in value):
        return {prefix[:-1]: ", ".join(_cell(item) for item in value)}
    if isinstance(value, list):
        flat = {}
        for index, item in enumerate(value):
            flat.update(_flatten(item, f"{prefix}{index}."))
        return flat
    return {prefix[:-1] if prefix else "value": value}


def gds_grid(result: Any) -> Grid | None:
    """Return the grid of a GDS answer (``{"table": {"cols", "rows"}}``), else None."""
    if isinstance(result, dict) and isinstance(result.get("table"), dict):
        table = Table(result["table"])
        types = tuple(col.get("type") == "number" for col in result["table"].get("cols", []))
        return Grid(tuple(str(col) for col in table.cols), tuple(tuple(row) for row in table.rows), types)
    return None


def to_grid(result: Any) -> Grid:
    """Return ``result`` as a grid: a GDS table, a list of records, or key/value pairs."""
    grid = gds_grid(result)
    if grid is not None:
        return grid
    if isinstance(result, list) and result and all(isinstance(item, dict) for item in result):
        records = [_flatten(item) for item in result]
        header: list[str] = []
        for record in records:
            header.extend(name for name in record if name not in header)
        return Grid(tuple(header), tuple(tuple(record.get(name, "") for name in header) for record in records))
    return Grid(("key", "value"), tuple(_flatten(result).items()))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return str(value)


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return bool(text)


def render_table(grid: Grid) -> str:
    """Return an aligned text table (numbers right-aligned) with a header rule."""
    cells = [[_cell(value) for value in row] for row in grid.rows]
    widths = [len(name) for name in grid.header]
    for row in cells:
        for index, text in enumerate(row):
            widths[index] = max(widths[index], len(text))
    if grid.numeric is not None:
        numeric = list(grid.numeric)
    else:
        numeric = [
            all(_is_number(row[i]) or row[i] == "" for row in cells) and any(row[i] for row in cells)
            for i in range(len(grid.header))
        ]

    def line(values: Sequence[str]) -> str:
        parts = [value.rjust(widths[i]) if numeric[i] else value.ljust(widths[i]) for i, value in enumerate(values)]
        return "  ".join(parts).rstrip()

    out = [line(grid.header), "  ".join("-" * width for width in widths)]
    out.extend(line(row) for row in cells)
    if not cells:
        out.append("(no rows)")
    return "\n".join(out) + "\n"


def render_csv(grid: Grid) -> str:
    """Return the grid as CSV text with a header line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(grid.header)
    writer.writerows([_cell(value) for value in row] for row in grid.rows)
    return buffer.getvalue()


def render(result: Any, fmt: str) -> str:
    """Return ``result`` rendered in ``fmt`` (table, csv or json)."""
    if fmt == "json":
        return json.dumps(result, indent=2, sort_keys=True, default=str) + "\n"
    grid = to_grid(result)
    return render_csv(grid) if fmt == "csv" else render_table(grid)
