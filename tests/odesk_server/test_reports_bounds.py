"""Bounded answers: a report has at most ``report_max_rows`` rows, and says so when it was cut.

The bound is a LIMIT the database applies (``runner.with_row_limit``), so a
report selecting a million rows reads one row more than the bound; the cut
table carries the data source protocol's ``data_truncated`` warning, which
Google's dialect reports as such and the oDesk envelope as a ``warnings``
list and the ``X-Odesk-Warning-*`` headers (docs/reports.md). On SQLite and
PostgreSQL, through the runner and over HTTP.
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import pytest
import sqlalchemy as sa
from report_helpers import user
from starlette.testclient import TestClient
from test_gds_http import TEAM, Api, google_response

from odesk_server.app import create_app
from odesk_server.db.work import UnitOfWork
from odesk_server.models import TimeLog
from odesk_server.reports.access import TimeReportTarget
from odesk_server.reports.errors import ReportError
from odesk_server.reports.fields import FinancialEndpoint, TimeEndpoint
from odesk_server.reports.runner import run_financial_report, run_time_report, with_row_limit
from odesk_server.settings import Settings, SettingsError

# --- the LIMIT the database gets ------------------------------------------------------------

# (query, bound, text sent to the database)
LIMITED = [
    ("", 11, "limit 11"),
    ("SELECT hours", 11, "SELECT hours limit 11"),
    ("SELECT hours LIMIT 5", 11, "SELECT hours LIMIT 5"),  # already within the bound: unchanged
    ("SELECT hours LIMIT 11", 11, "SELECT hours LIMIT 11"),
    ("SELECT hours LIMIT 500", 11, "SELECT hours LIMIT 11"),
    ("select hours limit   500 offset 3", 11, "select hours limit   11 offset 3"),
    ("SELECT hours LIMIT -1", 11, "SELECT hours LIMIT 11"),  # -1: no limit
    ("SELECT hours OFFSET 3", 11, "SELECT hours limit 11 OFFSET 3"),
    ("SELECT hours LABEL hours 'limit'", 11, "SELECT hours limit 11 LABEL hours 'limit'"),
    ("SELECT hours FORMAT hours '#'", 11, "SELECT hours limit 11 FORMAT hours '#'"),
    ("SELECT hours OPTIONS no_format", 11, "SELECT hours limit 11 OPTIONS no_format"),
    ("SELECT `limit` WHERE memo = 'offset 2'", 11, "SELECT `limit` WHERE memo = 'offset 2' limit 11"),
    (
        "SELECT task WHERE memo = \"a 'label'\" ORDER BY task",
        11,
        "SELECT task WHERE memo = \"a 'label'\" ORDER BY task limit 11",
    ),
    (
        "SELECT task, sum(hours) GROUP BY task PIVOT worked_on",
        11,
        "SELECT task, sum(hours) GROUP BY task PIVOT worked_on limit 11",
    ),
    ("SELECT FROM WHERE", 11, "SELECT FROM WHERE"),  # does not parse: the engine says why, at its position
]


@pytest.mark.parametrize("tq, bound, sent", LIMITED)
def test_with_row_limit(tq, bound, sent):
    assert with_row_limit(tq, bound) == sent


# --- through the runner ---------------------------------------------------------------------

OWNER_TEAM = TimeReportTarget(TimeEndpoint.TEAM, False, company="acme:acme", team="acme:acme")


def time_report(demo_db, tq: str, max_rows: int, target: TimeReportTarget = OWNER_TEAM, uid: str = "mhale"):
    with UnitOfWork(demo_db.engine) as work:
        return run_time_report(work, user(demo_db, uid), target, tq, timeout=30, max_rows=max_rows)


def truncated(table) -> bool:
    return [w.reason for w in table.warnings] == ["data_truncated"]


def test_a_large_answer_is_cut_to_the_bound_with_a_warning(demo_db):
    with demo_db.engine.connect() as conn:
        logs = conn.scalar(sa.select(sa.func.count()).select_from(TimeLog))
    assert logs > 1000
    full = time_report(demo_db, "SELECT worked_on, task, hours ORDER BY worked_on DESC, task, hours", max_rows=logs)
    assert len(full.rows) == logs and not full.warnings
    cut = time_report(demo_db, "SELECT worked_on, task, hours ORDER BY worked_on DESC, task, hours", max_rows=7)
    assert cut.rows == full.rows[:7]
    assert truncated(cut)
    (warning,) = cut.warnings
    assert warning.message == "The report has more than 7 rows; only the first 7 are sent"
    assert "ODESK_REPORT_MAX_ROWS" in warning.detailed_message


@pytest.mark.parametrize(
    "tq, max_rows, rows, cut",
    [
        ("", 25, 25, True),  # no tq: every column of every row
        ("SELECT hours LIMIT 25", 25, 25, False),  # exactly the bound, asked for: nothing was left out
        ("SELECT hours LIMIT 24", 25, 24, False),
        ("SELECT hours LIMIT 26", 25, 25, True),
        ("SELECT hours LIMIT 25 OFFSET 10", 25, 25, False),
        ("SELECT hours OFFSET 10", 25, 25, True),
        ("SELECT task, sum(hours)", 3, 3, True),  # grouped: the bound is on the answer's rows
        ("SELECT sum(hours)", 1, 1, False),
        ("SELECT task, count(hours) GROUP BY task PIVOT year_worked_on", 2, 2, True),
    ],
)
def test_the_bound_counts_the_answers_rows(demo_db, tq, max_rows, rows, cut):
    table = time_report(demo_db, tq, max_rows)
    assert len(table.rows) == rows
    assert truncated(table) == cut


def test_grouped_values_are_not_changed_by_the_bound(demo_db):
    every = time_report(demo_db, "SELECT task, sum(hours) ORDER BY task", max_rows=1000)
    cut = time_report(demo_db, "SELECT task, sum(hours) ORDER BY task", max_rows=4)
    assert cut.rows == every.rows[:4] and len(every.rows) > 4


@pytest.mark.parametrize(
    "tq",
    [
        "SELECT worked_on LABEL nope 'x'",
        "SELECT worked_on OFFSET 2 FORMAT nope '#'",
        "SELECT worked_on LIMIT 5000 LABEL nope 'x'",
        "SELECT worked_on, sum(hours) OPTIONS no_format, no_values",
    ],
)
def test_errors_name_positions_in_the_callers_text(demo_db, tq):
    with pytest.raises(ReportError) as bounded:
        time_report(demo_db, tq, max_rows=3)
    with pytest.raises(ReportError) as unbounded:
        time_report(demo_db, tq, max_rows=100_000_000)
    assert bounded.value.reason == "invalid_query"
    assert (bounded.value.message, bounded.value.detailed_message) == (
        unbounded.value.message,
        unbounded.value.detailed_message,
    )


def test_financial_reports_are_bounded_too(demo_db):
    with UnitOfWork(demo_db.engine) as work:
        table = run_financial_report(
            work,
            user(demo_db, "mhale"),
            FinancialEndpoint.BUYER_COMPANY_BILLINGS,
            "acme:acme",
            "SELECT date, amount WHERE date >= '2000-01-01' ORDER BY date",
            timeout=30,
            max_rows=10,
        )
    assert len(table.rows) == 10 and truncated(table)


# --- over HTTP ------------------------------------------------------------------------------

_clients: dict[str, TestClient] = {}


@pytest.fixture
def api(demo_database) -> Api:
    url, credentials = demo_database
    if url not in _clients:
        _clients[url] = TestClient(create_app(Settings(database_url=url, report_max_rows=3)))
    return Api(_clients[url], credentials)


WIDE = "SELECT worked_on, task, hours ORDER BY worked_on, task, hours"
MESSAGE = "The report has more than 3 rows; only the first 3 are sent"


def test_odesk_envelope_json(api):
    response = api.get("owner", TEAM, tq=WIDE)
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["server_time", "auth_user", "table", "warnings"]
    assert len(body["table"]["rows"]) == 3
    assert body["warnings"] == [{"reason": "data_truncated", "message": MESSAGE}]
    assert response.headers["X-Odesk-Warning-Code"] == "data_truncated"
    assert response.headers["X-Odesk-Warning-Message"] == MESSAGE


def test_odesk_envelope_xml_and_csv(api):
    xml = api.get("owner", TEAM + ".xml", tq=WIDE)
    root = ET.fromstring(xml.content)
    assert len(root.findall("./table/rows/row")) == 3
    assert [(w.findtext("reason"), w.findtext("message")) for w in root.findall("./warnings/warning")] == [
        ("data_truncated", MESSAGE)
    ]
    assert xml.headers["X-Odesk-Warning-Code"] == "data_truncated"
    text = api.get("owner", TEAM, tq=WIDE, tqx="out:csv")
    assert len(list(csv.reader(io.StringIO(text.text)))) == 1 + 3
    assert text.headers["X-Odesk-Warning-Code"] == "data_truncated"


def test_odesk_envelope_within_the_bound_has_no_warning(api):
    response = api.get("owner", TEAM, tq="SELECT sum(hours)")
    assert set(response.json()) == {"server_time", "auth_user", "table"}
    assert "X-Odesk-Warning-Code" not in response.headers


def test_google_dialect_data_truncated(api):
    response = api.get("owner", TEAM, tq=WIDE, tqx="reqId:7")
    assert response.status_code == 200
    body = google_response(response.text)
    assert body["status"] == "warning" and body["reqId"] == "7"
    assert [w["reason"] for w in body["warnings"]] == ["data_truncated"]
    assert body["warnings"][0]["message"] == MESSAGE
    assert len(body["table"]["rows"]) == 3


def test_a_report_without_tq_is_bounded(api):
    body = api.get("owner", TEAM).json()
    assert len(body["table"]["rows"]) == 3 and body["warnings"][0]["reason"] == "data_truncated"


# --- the setting ----------------------------------------------------------------------------


def test_the_setting_from_the_environment():
    assert Settings.from_env({}).report_max_rows == 100_000
    assert Settings.from_env({"ODESK_REPORT_MAX_ROWS": "5000"}).report_max_rows == 5000
    for bad in ("0", "-3", "many", "2.5"):
        with pytest.raises(SettingsError, match="ODESK_REPORT_MAX_ROWS"):
            Settings.from_env({"ODESK_REPORT_MAX_ROWS": bad})
    with pytest.raises(SettingsError, match="report_max_rows"):
        Settings(report_max_rows=0)
