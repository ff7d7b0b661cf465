"""The oDesk dialect's values and labels (``odesk_server.reports.envelope``), as tables of cases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gvizql.datatable import Column, DataTable, ValueType
from odesk_server.reports.envelope import column_label, number_text, table_payload, value_text


@pytest.mark.parametrize(
    "value, value_type, text",
    [
        (dt.date(2010, 2, 5), ValueType.DATE, "20100205"),
        (dt.date(999, 1, 1), ValueType.DATE, "09990101"),
        (dt.datetime(2010, 2, 5, 7, 8, 9), ValueType.DATETIME, "20100205 07:08:09"),
        (dt.time(7, 8, 9), ValueType.TIMEOFDAY, "07:08:09"),
        (Decimal("8.34"), ValueType.NUMBER, "8.34"),
        (Decimal("3.00"), ValueType.NUMBER, "3.00"),
        (Decimal("-835.83"), ValueType.NUMBER, "-835.83"),
        (3, ValueType.NUMBER, "3"),
        (3.0, ValueType.NUMBER, "3"),
        (0.5, ValueType.NUMBER, "0.5"),
        (0.1 + 0.2, ValueType.NUMBER, "0.3"),
        (7.199999999999, ValueType.NUMBER, "7.2"),
        (1e20, ValueType.NUMBER, "100000000000000000000"),
        (1e-7, ValueType.NUMBER, "0.0000001"),
        (True, ValueType.BOOLEAN, "true"),
        (False, ValueType.BOOLEAN, "false"),
        ("odeskprod", ValueType.STRING, "odeskprod"),
        ("", ValueType.STRING, ""),
        (None, ValueType.NUMBER, None),
        (None, ValueType.DATE, None),
    ],
)
def test_value_text(value, value_type, text):
    assert value_text(value, value_type) == text
    table = DataTable([Column("x", value_type, "x")], [(value,)])
    assert table_payload(table)["rows"] == [{"c": [{"v": text}]}]


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_number_text_of_non_finite_floats(value):
    assert number_text(value) == str(value)


@pytest.mark.parametrize(
    "column, label",
    [
        (Column("hours", ValueType.NUMBER, "hours"), "hours"),
        (Column("sum-hours", ValueType.NUMBER, "sum hours"), "hours"),
        (Column("max-worked_on", ValueType.DATE, "max worked_on"), "worked_on"),
        (Column("count-provider_id", ValueType.NUMBER, "count provider_id"), "provider_id"),
        (Column("sum-hours", ValueType.NUMBER, "Total hours"), "Total hours"),  # a LABEL clause
        (Column("alpha sum-hours", ValueType.NUMBER, "alpha"), "alpha"),  # a pivot column
        (Column("year_worked_on", ValueType.NUMBER, "year(worked_on)"), "year(worked_on)"),
        (Column("x", ValueType.STRING, None), "x"),
    ],
)
def test_column_label(column, label):
    assert column_label(column) == label


def test_table_payload_columns_carry_only_type_and_label():
    table = DataTable(
        [Column("worked_on", ValueType.DATE, "worked_on"), Column("sum-hours", ValueType.NUMBER, "sum hours")],
        [(dt.date(2010, 2, 5), Decimal("0.5")), (dt.date(2010, 2, 2), None)],
    )
    assert table_payload(table) == {
        "cols": [{"type": "date", "label": "worked_on"}, {"type": "number", "label": "hours"}],
        "rows": [{"c": [{"v": "20100205"}, {"v": "0.5"}]}, {"c": [{"v": "20100202"}, {"v": None}]}],
    }
