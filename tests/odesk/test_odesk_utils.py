"""``odesk.utils``: GDS query building, result tables, argument checks."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

import odesk
from odesk.exceptions import ApiValueError
from odesk.utils import (
    DEFAULT_FINREPORT_FIELDS,
    DEFAULT_TIMEREPORT_FIELDS,
    Q,
    Query,
    Table,
    assert_parameter,
    decimal_default,
)

CONDITIONS = [
    (Q("name"), "name"),
    (Q("hours") > 2, "hours > 2"),
    (Q("hours") >= 2.5, "hours >= 2.5"),
    (Q("team_id") == "dev team", "team_id = 'dev team'"),
    (Q("worked_on") < dt.date(2014, 5, 6), "worked_on < '2014-05-06'"),
    (Q("worked_on") <= dt.datetime(2014, 1, 2, 3, 4, 5), "worked_on <= '2014-01-02T03:04:05'"),
    (
        (Q("worked_on") <= dt.date(2014, 5, 6)) & (Q("worked_on") > "2010-05-01"),
        "(worked_on <= '2014-05-06') AND (worked_on > '2010-05-01')",
    ),
    ((Q("a") == 1) | ((Q("b") == 2) & (Q("c") == 3)), "(a = 1) OR ((b = 2) AND (c = 3))"),
]


@pytest.mark.parametrize(("condition", "text"), CONDITIONS)
def test_q_renders(condition: Q, text: str) -> None:
    assert str(condition) == text


def test_q_rejects_unknown_operator() -> None:
    with pytest.raises(ApiValueError, match="Incorrect value for operator: '!='"):
        Q("a", "!=", 1)


QUERIES = [
    (Query(["a", "b"]), "SELECT a, b"),
    (Query(["a"], Q("a") > 1), "SELECT a WHERE a > 1"),
    (Query(["a", "b"], None, ["a", "b"]), "SELECT a, b ORDER BY a,b"),
    (
        Query(DEFAULT_TIMEREPORT_FIELDS, (Q("hours") > 1) & (Q("task") == "x"), ["worked_on"]),
        "SELECT worked_on, team_id, team_name, task, memo, hours WHERE (hours > 1) AND (task = 'x') ORDER BY worked_on",
    ),
]


@pytest.mark.parametrize(("query", "text"), QUERIES)
def test_query_renders(query: Query, text: str) -> None:
    assert str(query) == text


def test_default_field_lists() -> None:
    assert DEFAULT_TIMEREPORT_FIELDS == ["worked_on", "team_id", "team_name", "task", "memo", "hours"]
    assert DEFAULT_FINREPORT_FIELDS[0] == "reference" and DEFAULT_FINREPORT_FIELDS[-1] == "amount"
    assert len(DEFAULT_FINREPORT_FIELDS) == 15


GDS = {
    "cols": [{"label": "worked_on", "type": "date"}, {"label": "hours", "type": "number"}],
    "rows": [{"c": [{"v": "20140506"}, {"v": "2.5"}]}, {"c": [{"v": "20140507"}, {"v": "1"}]}],
}


def test_table() -> None:
    table = Table(GDS)
    assert table.cols == ["worked_on", "hours"]
    assert table.rows == [["20140506", "2.5"], ["20140507", "1"]]
    assert len(table) == 2
    assert table[0] == {"worked_on": "20140506", "hours": "2.5"}
    assert table[0:2] == [table[0], table[1]]
    assert list(table) == table[:]
    with pytest.raises(TypeError, match="not str"):
        table["hours"]


def test_table_without_rows() -> None:
    table = Table({"cols": [{"label": "a"}], "rows": [""]})
    assert (len(table), table[:]) == (0, [])


ASSERT_CASES = [
    ("tz", "gmt", ("mine", "user", "gmt"), None),
    ("tz", "utc", ("mine", "user", "gmt"), "Incorrect value for tz: 'utc', valid values are ('mine', 'user', 'gmt')"),
]


@pytest.mark.parametrize(("name", "value", "options", "message"), ASSERT_CASES)
def test_assert_parameter(name, value, options, message) -> None:
    if message is None:
        assert assert_parameter(name, value, options) is None
    else:
        with pytest.raises(ApiValueError) as caught:
            assert_parameter(name, value, options)
        assert str(caught.value) == message


def test_decimal_default() -> None:
    assert json.dumps({"a": Decimal("0.132")}, default=decimal_default) == '{"a": "0.132"}'
    with pytest.raises(TypeError, match="object is not JSON serializable|not JSON serializable"):
        decimal_default(object())


def test_version_and_exports() -> None:
    assert odesk.VERSION == "0.5.8" and odesk.get_version() == "0.5.8"
    from odesk.routers.finreport import Finreports
    from odesk.routers.hr import HR, HR_V1, HR_V3
    from odesk.routers.job import Job
    from odesk.routers.mc import MC
    from odesk.routers.offers import Offers
    from odesk.routers.provider import Provider, Provider_V2
    from odesk.routers.task import Task, Task_V2
    from odesk.routers.team import Team, Team_V2
    from odesk.routers.timereport import TimeReport

    layout = {
        Finreports: ("finreports/", 2),
        HR: ("hr/", 2),
        HR_V1: ("hr/", 1),
        HR_V3: ("hr/", 3),
        Job: ("profiles/", 1),
        MC: ("mc/", 1),
        Offers: ("offers/", 1),
        Provider: ("profiles/", 1),
        Provider_V2: ("profiles/", 2),
        Task: ("otask/", 1),
        Task_V2: ("tasks/", 2),
        Team: ("team/", 1),
        Team_V2: ("team/", 2),
        TimeReport: ("timereports/", 1),
    }
    for router, (api_url, version) in layout.items():
        assert (router.api_url, router.version) == (api_url, version), router


def test_client_needs_only_httpx_and_oauthlib() -> None:
    import subprocess
    import sys

    code = (
        "import sys, odesk, odesk.cli; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('gvizql', 'odesk_server', 'sqlalchemy', 'fastapi')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
