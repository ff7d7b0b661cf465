"""The GDS endpoints over HTTP: dialects, formats, errors, hostile input, timeout.

Requests are OAuth-signed with the demo credentials and sent to the real app
(``create_app``) on the demo database, SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import quote, urlencode

import httpx
import pytest
import sqlalchemy as sa
from oauthlib.oauth1 import SIGNATURE_TYPE_QUERY
from oauthlib.oauth1 import Client as OAuthClient
from starlette.testclient import TestClient

from odesk_server.app import create_app
from odesk_server.db import Database
from odesk_server.models import LedgerEntry, TimeLog, User
from odesk_server.settings import Settings

TEAM = "/gds/timereports/v1/companies/acme:acme/teams/acme:engineering"
SAMPLE = (
    "SELECT worked_on, provider_id, provider_name, sum(hours) "
    "WHERE worked_on >= '2025-10-01' AND worked_on <= '2025-10-03'"
)

_clients: dict[tuple[str, float], TestClient] = {}


class Api:
    """Signed GETs against the app as one demo role."""

    def __init__(self, client: TestClient, credentials) -> None:
        self.client = client
        self.credentials = credentials

    def get(self, role: str, path: str, **params: str):
        token = self.credentials.roles[role]
        signer = OAuthClient(
            self.credentials.consumer.key,
            client_secret=self.credentials.consumer.secret,
            resource_owner_key=token.token,
            resource_owner_secret=token.token_secret,
            signature_type=SIGNATURE_TYPE_QUERY,
        )
        url = "http://testserver" + path + ("?" + urlencode(params, quote_via=quote) if params else "")
        # Sign the URL as httpx will send it (it normalises dot segments, for one).
        signed, _headers, _body = signer.sign(str(httpx.URL(url)))
        return self.client.get(signed)


def _client(url: str, timeout: float = 30.0) -> TestClient:
    if (url, timeout) not in _clients:
        _clients[(url, timeout)] = TestClient(create_app(Settings(database_url=url, report_timeout=timeout)))
    return _clients[(url, timeout)]


@pytest.fixture
def api(demo_database) -> Api:
    url, credentials = demo_database
    return Api(_client(url), credentials)


def odesk_error(response, status: int, reason: str, message_part: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["version"] == "0.6" and body["status"] == "error"
    (error,) = body["errors"]
    assert error["reason"] == reason
    assert message_part in error["message"]
    assert response.headers["X-Odesk-Error-Code"] == reason
    assert message_part in response.headers["X-Odesk-Error-Message"]


def google_response(text: str, handler: str = "google.visualization.Query.setResponse") -> dict:
    assert text.startswith(handler + "(") and text.rstrip().endswith(");")
    return json.loads(text[len(handler) + 1 : text.rstrip().rindex(")")])


# --- the oDesk dialect ---------------------------------------------------------------------


def test_odesk_envelope(api):
    response = api.get("hiring_manager", TEAM + "/hours", tq=SAMPLE)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"server_time", "auth_user", "table"}
    assert body["server_time"].isdigit()
    assert body["auth_user"] == {
        "first_name": "Daniel",
        "last_name": "Ortiz",
        "uid": "dortiz",
        "mail": "dortiz@acme.example",
        "messenger_id": None,
        "messenger_type": None,
        "timezone": body["auth_user"]["timezone"],
        "timezone_offset": body["auth_user"]["timezone_offset"],
    }
    assert re.fullmatch(r"-?[0-9]+", body["auth_user"]["timezone_offset"])
    assert body["table"]["cols"] == [
        {"type": "date", "label": "worked_on"},
        {"type": "string", "label": "provider_id"},
        {"type": "string", "label": "provider_name"},
        {"type": "number", "label": "hours"},
    ]
    rows = body["table"]["rows"]
    assert rows
    for row in rows:
        assert set(row) == {"c"}
        day, uid, name, hours = (cell["v"] for cell in row["c"])
        assert all(set(cell) == {"v"} for cell in row["c"])
        assert re.fullmatch(r"202510(01|02|03)", day)
        assert isinstance(uid, str) and isinstance(name, str)
        assert re.fullmatch(r"[0-9]+(\.[0-9]+)?", hours)
    # grouped: one row per (day, provider)
    assert len({(r["c"][0]["v"], r["c"][1]["v"]) for r in rows}) == len(rows)


def test_odesk_empty_result_is_an_empty_rows_list(api):
    response = api.get("owner", TEAM, tq="SELECT worked_on, sum(hours) WHERE worked_on < '2001-01-01'")
    assert response.status_code == 200
    assert response.json()["table"] == {
        "cols": [{"type": "date", "label": "worked_on"}, {"type": "number", "label": "hours"}],
        "rows": [],
    }


def test_odesk_labels_keep_a_label_clause(api):
    response = api.get("owner", TEAM, tq="SELECT task, sum(hours), max(charges) LABEL sum(hours) 'Total'")
    labels = [c["label"] for c in response.json()["table"]["cols"]]
    assert labels == ["task", "Total", "charges"]


def test_odesk_financial_report(api):
    response = api.get(
        "owner",
        "/gds/finreports/v2/buyer_companies/acme:acme/billings",
        tq="SELECT date, type, sum(amount) WHERE date >= '2025-01-06' AND date <= '2025-01-06'",
    )
    assert response.status_code == 200, response.text
    table = response.json()["table"]
    assert [c["label"] for c in table["cols"]] == ["date", "type", "amount"]
    assert {r["c"][0]["v"] for r in table["rows"]} == {"20250106"}
    assert all(re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", r["c"][2]["v"]) for r in table["rows"])


FORMAT_CASES = [
    # (path suffix, tqx, media type, kind)
    ("", None, "application/json", "json"),
    (".json", None, "application/json", "json"),
    ("", "out:json", "application/json", "json"),
    ("", "json", "application/json", "json"),  # Upwork-era clients sent a bare name
    (".xml", None, "application/xml", "xml"),
    ("", "out:xml", "application/xml", "xml"),
    ("", "out:csv", "text/csv", "csv"),
    (".xml", "out:csv", "text/csv", "csv"),  # an explicit out wins over the suffix
    ("", "out:tsv-excel", "text/tab-separated-values", "tsv"),
    ("", "out:html", "text/html", "html"),
]


@pytest.mark.parametrize("suffix, tqx, media_type, kind", FORMAT_CASES)
def test_odesk_formats(api, suffix, tqx, media_type, kind):
    params = {"tq": "SELECT worked_on, task, sum(hours) WHERE worked_on = '2025-10-01' ORDER BY task"}
    if tqx is not None:
        params["tqx"] = tqx
    response = api.get("owner", TEAM + suffix, **params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(media_type)
    if kind == "json":
        rows = [[c["v"] for c in r["c"]] for r in response.json()["table"]["rows"]]
    elif kind == "xml":
        root = ET.fromstring(response.content)
        assert root.tag == "response"
        assert root.find("auth_user/uid").text == "mhale"
        assert [c.find("label").text for c in root.find("table/cols")] == ["worked_on", "task", "hours"]
        rows = [[v.text for v in row.iter("v")] for row in root.find("table/rows")]
    elif kind in ("csv", "tsv"):
        text = response.content.decode("utf-16" if kind == "tsv" else "utf-8")
        lines = list(csv.reader(io.StringIO(text), delimiter="\t" if kind == "tsv" else ","))
        assert lines[0] == ["worked_on", "task", "hours"]
        rows = lines[1:]
    else:
        lines = [
            re.findall(r"<td[^>]*>(.*?)</td>", tr) for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", response.text, re.S)
        ]
        assert lines[0] == ["worked_on", "task", "hours"]
        rows = lines[1:]
    assert rows and all(r[0] == "20251001" for r in rows)
    assert [r[1] for r in rows] == sorted(r[1] for r in rows)


# --- Google's dialect ----------------------------------------------------------------------


def test_google_dialect_with_req_id(api):
    response = api.get("owner", TEAM, tq=SAMPLE, tqx="reqId:7")
    assert response.status_code == 200
    body = google_response(response.text)
    assert body["reqId"] == "7" and body["status"] == "ok" and body["version"] == "0.6"
    assert re.fullmatch(r"[0-9a-f]{16}", body["sig"])
    cols = body["table"]["cols"]
    assert [c["id"] for c in cols] == ["worked_on", "provider_id", "provider_name", "sum-hours"]
    first = body["table"]["rows"][0]["c"]
    assert first[0]["v"] == "Date(2025,9,1)"
    assert isinstance(first[3]["v"], (int, float))
    # The same signature again: not modified.
    again = google_response(api.get("owner", TEAM, tq=SAMPLE, tqx=f"reqId:8;sig:{body['sig']}").text)
    assert again["status"] == "error" and again["errors"][0]["reason"] == "not_modified"


def test_google_dialect_with_response_handler(api):
    response = api.get("owner", TEAM, tq=SAMPLE, tqx="responseHandler:myCallback")
    body = google_response(response.text, "myCallback")
    assert body["status"] == "ok" and "reqId" not in body


def test_google_dialect_csv(api):
    response = api.get(
        "owner", TEAM, tq="SELECT worked_on, sum(hours) WHERE worked_on = '2025-10-01'", tqx="reqId:1;out:csv"
    )
    assert response.status_code == 200
    lines = response.text.splitlines()
    assert lines[0] == '"worked_on","sum hours"'
    assert lines[1].startswith("2025-10-01,") or lines[1].startswith('"')


@pytest.mark.parametrize(
    "role, tq, reason, message",
    [
        ("member", SAMPLE, "access_denied", "supervisor"),
        ("member", "SELECT sum(hours)", "access_denied", "hiring manager or finance permission"),
        ("owner", "SELECT team_name", "invalid_query", 'Column "team_name" does not exist'),
        ("owner", "SELECT hours WHERE", "invalid_query", "Unexpected end of query"),
    ],
)
def test_google_dialect_errors(api, role, tq, reason, message):
    response = api.get(role, TEAM, tq=tq, tqx="reqId:5")
    assert response.status_code == 200  # Google's clients read the status from the body
    assert "X-Odesk-Error-Code" not in response.headers
    body = google_response(response.text)
    assert body["status"] == "error" and body["reqId"] == "5"
    assert body["errors"][0]["reason"] == reason
    assert message in body["errors"][0]["message"]


# --- oDesk errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, path, params, status, reason, message",
    [
        (
            "member",
            TEAM,
            {"tq": "SELECT task, sum(hours)"},
            403,
            "access_denied",
            "hiring manager or finance permission on the team acme:engineering",
        ),
        ("finance", TEAM, {"tq": SAMPLE}, 403, "access_denied", "supervisor"),
        ("owner", TEAM, {"tq": "SELECT earnings"}, 400, "invalid_query", 'Column "earnings" does not exist'),
        ("owner", TEAM + "/hours", {"tq": "SELECT sum(charges)"}, 400, "invalid_query", '"charges"'),
        ("owner", TEAM, {"tq": "SELECT hours WHERE"}, 400, "invalid_query", "Unexpected end of query"),
        ("owner", TEAM, {"tq": "SELECT hours", "tqx": "out:pdf"}, 400, "not_supported", "'pdf' is not supported"),
        ("owner", TEAM, {"tq": "SELECT hours", "tqx": "what;ever"}, 400, "invalid_request", "key:value"),
        ("owner", TEAM, {"tq": "SELECT hours " + "x" * 20_001}, 400, "invalid_query", "too long"),
        (
            "owner",
            "/gds/finreports/v2/buyer_companies/acme:acme/billings",
            {"tq": "SELECT po_numbr"},
            400,
            "invalid_query",
            '"po_numbr"',
        ),
        (
            "provider",
            "/gds/finreports/v2/providers/jwalker/billings",
            {"tq": "SELECT comment"},
            400,
            "invalid_query",
            '"comment"',
        ),
        (
            "provider",
            "/gds/finreports/v2/providers/mhale/earnings",
            {"tq": "SELECT amount"},
            403,
            "access_denied",
            "Only the provider mhale",
        ),
        (
            "hiring_manager",
            "/gds/finreports/v2/buyer_companies/acme:acme/billings",
            {"tq": ""},
            403,
            "access_denied",
            "Only the owner of the company acme:acme",
        ),
        ("member", "/gds/finreports/v2/financial_accounts/5000002", {}, 403, "access_denied", "finance permission"),
    ],
)
def test_odesk_errors(api, role, path, params, status, reason, message):
    odesk_error(api.get(role, path, **params), status, reason, message)


def test_xml_error_for_the_xml_suffix(api):
    response = api.get("member", TEAM + ".xml", tq=SAMPLE)
    assert response.status_code == 403
    root = ET.fromstring(response.content)
    assert root.find("status").text == "error"
    assert root.find("errors/error/reason").text == "access_denied"


def test_unsigned_request_is_refused(api):
    response = api.client.get(TEAM, params={"tq": SAMPLE})
    assert response.status_code == 401
    assert response.headers["X-Odesk-Error-Code"]


def test_timeout_over_http(demo_database):
    url, credentials = demo_database
    api = Api(_client(url, timeout=0.001), credentials)
    response = api.get(
        "owner", "/gds/timereports/v1/companies/acme:acme", tq="SELECT provider_id, sum(hours) PIVOT worked_on"
    )
    odesk_error(response, 503, "timeout", "took longer than 0.001 seconds")
    google = api.get(
        "owner",
        "/gds/timereports/v1/companies/acme:acme",
        tq="SELECT provider_id, sum(hours) PIVOT worked_on",
        tqx="reqId:9",
    )
    assert google_response(google.text)["errors"][0]["reason"] == "timeout"


# --- hostile input --------------------------------------------------------------------------


def counts(url: str) -> tuple[int, int, int]:
    database = Database(url)
    try:
        with database.session() as session:
            return tuple(
                session.scalar(sa.select(sa.func.count()).select_from(m)) for m in (User, TimeLog, LedgerEntry)
            )
    finally:
        database.dispose()


INJECTIONS = [
    "'; DROP TABLE users; --",
    "SELECT hours WHERE task = ''; DROP TABLE users; --'",
    "SELECT hours WHERE task = '\\'; DROP TABLE time_logs; --'",
    'SELECT hours WHERE task = "it\'s"',
    "SELECT hours WHERE memo = 'a\" OR 1=1 --'",
    "SELECT hours; DELETE FROM time_logs",
    "SELECT `hours; DROP TABLE users` ",
    "SELECT hours WHERE task = 'x' OR 1 = 1",
    "SELECT hours WHERE task matches '.*'' OR ''1''=''1'",
    "SELECT hours LABEL hours 'x''); DROP TABLE users; --'",
    "SELECT hours FORMAT hours '#'' || (SELECT password_hash FROM users) || '''",
    "SELECT sum(hours) PIVOT task LIMIT 99999999999999999999",
    "SELECT hours WHERE worked_on = '2025-13-45'",
    "SELECT hours WHERE worked_on = date 'nope'",
    "SELECT \\u0027 DROP",
    "SELECT hours WHERE task = '\x00'",
    "SELECT hours WHERE task = 'x\u0000'",
    "SELECT hours ORDER BY `provider_name` DESC, `; DROP TABLE x`",
]


@pytest.mark.parametrize("tq", INJECTIONS)
def test_injection_through_tq(api, demo_database, tq):
    url, _credentials = demo_database
    before = counts(url)
    response = api.get("owner", TEAM, tq=tq)
    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:
        assert response.json()["errors"][0]["reason"] == "invalid_query"
    else:
        assert "table" in response.json()
    assert counts(url) == before


PATH_KEYS = [
    "..",
    "../..",
    "%2E%2E",
    "acme:acme'",
    "acme:acme' OR '1'='1",
    '"',
    "acme:acme';--",
    "\u00fc\u00f1\u00ef",
    "99999999999999999999999999",
    "-1",
    "0",
    "1e3",
    "\x00",
    " ",
    "acme:acme/../..",
    "\U0001f4a5",
    "5000002 OR 1=1",
    "2000002;2000003",
    "x" * 5000,
]

PATH_TEMPLATES = [
    "/gds/timereports/v1/companies/{k}/teams/acme:engineering",
    "/gds/timereports/v1/companies/acme:acme/teams/{k}/hours",
    "/gds/timereports/v1/companies/{k}",
    "/gds/timereports/v1/companies/brightcode:brightcode/agencies/{k}",
    "/gds/timereports/v1/providers/{k}",
    "/gds/finreports/v2/buyer_teams/{k}/billings",
    "/gds/finreports/v2/providers/{k}/earnings",
    "/gds/finreports/v2/financial_accounts/{k}",
    "/gds/finreports/v2/financial_account_owner/{k}",
]


@pytest.mark.parametrize("template", PATH_TEMPLATES)
def test_hostile_path_keys(api, demo_database, template):
    url, _credentials = demo_database
    before = counts(url)
    for key in PATH_KEYS:
        response = api.get("owner", template.format(k=quote(key, safe="")), tq="SELECT hours")
        # HTTP clients resolve dot segments before sending: ``teams/../hours`` reaches the
        # server as another (legitimate) URL, which may answer 200.
        expected = (200, 403, 404) if key in ("..", "../..") else (403, 404)
        assert response.status_code in expected, (key, response.status_code, response.text)
        if response.status_code == 200:
            continue
        body = response.json()
        if response.status_code == 403:
            assert body["errors"][0]["reason"] == "access_denied"
            assert response.headers["X-Odesk-Error-Code"] == "access_denied"
        else:  # a key with a slash in it makes a route the server does not have
            assert body["error"]["code"] == "unsupported"
    assert counts(url) == before


@pytest.mark.parametrize(
    "path",
    [
        "/gds/timereports/v1/companies/acme/teams/engineering",
        "/gds/timereports/v1/companies/{company_ref}/teams/{team_ref}",
        "/gds/finreports/v2/buyer_teams/{team_ref}/earnings",
        "/gds/finreports/v2/buyer_companies/{company_ref}/earnings",
    ],
)
def test_numeric_references_in_paths(api, demo_database, path):
    _url, credentials = demo_database
    path = path.format(
        company_ref=credentials.company.reference, team_ref=credentials.team("acme:engineering").reference
    )
    response = api.get("owner", path, tq="SELECT count(hours)" if "time" in path else "SELECT count(amount)")
    assert response.status_code == 200, response.text
    assert float(response.json()["table"]["rows"][0]["c"][0]["v"]) > 0


def test_a_database_failure_is_reason_other(mutable_demo_database):
    url, credentials = mutable_demo_database
    engine = sa.create_engine(url)
    with engine.begin() as connection:  # break the schema under the report (a column the query reads)
        connection.execute(sa.text("ALTER TABLE time_logs RENAME COLUMN hours_online TO hours_online_gone"))
    engine.dispose()
    api = Api(TestClient(create_app(Settings(database_url=url))), credentials)
    odesk_error(api.get("owner", TEAM, tq="SELECT sum(hours)"), 500, "other", "The report failed on the server")
    google = google_response(api.get("owner", TEAM, tq="SELECT sum(hours)", tqx="reqId:2").text)
    assert google["errors"][0]["reason"] == "other"


# --- oversized queries and spreadsheet formulas, through the report endpoint -------------------

_LONG_AND_CHAIN = "SELECT hours WHERE " + " AND ".join(f"hours > {i}" for i in range(1000))
_WIDE_PIVOT = "SELECT sum(hours) PIVOT memo, task, worked_on"


@pytest.mark.parametrize(
    ("tq", "message"),
    [
        (_LONG_AND_CHAIN, "more than 256 conditions"),  # SQLite's expression depth, before the database is asked
        (_WIDE_PIVOT, "1000"),  # thousands of result columns
    ],
    ids=["1000-term-and", "pivot-over-three-text-columns"],
)
def test_oversized_queries_are_the_callers_400(api, tq, message):
    response = api.get("owner", TEAM, tq=tq)
    assert response.status_code == 400, response.text[:300]
    odesk_error(response, 400, "invalid_query", message)


@pytest.mark.parametrize("out", ["csv", "tsv-excel"])
def test_a_memo_that_is_a_formula_is_text_in_spreadsheets(mutable_demo_database, out):
    url, credentials = mutable_demo_database
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        log_id = connection.execute(sa.select(TimeLog.id).order_by(TimeLog.id).limit(1)).scalar_one()
        connection.execute(
            sa.update(TimeLog).where(TimeLog.id == log_id).values(memo='=HYPERLINK("http://evil.example","x")')
        )
    engine.dispose()
    api = Api(TestClient(create_app(Settings(database_url=url))), credentials)
    response = api.get(
        "owner",
        "/gds/timereports/v1/companies/acme:acme",
        tq="SELECT memo, hours WHERE memo STARTS WITH '=HYPERLINK'",
        tqx=f"out:{out}",
    )
    assert response.status_code == 200, response.text
    text = response.content.decode("utf-16" if out == "tsv-excel" else "utf-8")
    assert "'=HYPERLINK(" in text
    assert "\n=HYPERLINK" not in text and '"=HYPERLINK' not in text
