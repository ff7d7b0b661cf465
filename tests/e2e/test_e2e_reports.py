"""Every time and financial report method of the client against the real server, in every format.

The demo's time logs end on the day ``odesk-server demo`` ran (today, UTC), so
queries look back from today. Expected access follows docs/permissions.md.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from odesk.utils import DEFAULT_FINREPORT_FIELDS, Q, Query, Table
from tests.e2e.e2e_support import Server

TODAY = dt.datetime.now(dt.UTC).date()
# The demo ran today or (around midnight) yesterday; 45 days back always holds time logs.
SINCE = TODAY - dt.timedelta(days=45)
FIN_SINCE = TODAY - dt.timedelta(days=120)
# Money in plain decimal notation without float noise (docs/reports.md): at most cents.
MONEY = re.compile(r"-?\d+(\.\d{1,2})?")

# (report, role, router method, path arguments, money field of the full report, text field grouped by)
# Finance supervises nobody: on a team report it groups by task, as a contract is a person's.
# The provider report has no money field, with or without /hours (docs/permissions.md).
TIME_REPORTS = [
    ("team", "owner", "get_team_report", ("acme", "engineering"), "charges", "assignment_ref"),
    ("team", "hiring_manager", "get_team_report", ("acme", "engineering"), "charges", "assignment_ref"),
    ("team", "finance", "get_team_report", ("acme:acme", "acme:marketing"), "charges", "task"),
    ("company", "owner", "get_company_report", ("acme",), "charges", "assignment_ref"),
    ("company", "finance", "get_company_report", ("acme:acme",), "charges", "assignment_ref"),
    ("agency", "staffing_manager", "get_agency_report", ("brightcode", "brightcode"), "earnings", "assignment_ref"),
    ("provider", "provider", "get_provider_report", ("jwalker",), None, "assignment_ref"),
]


def _time_query(money: str | None, group: str = "assignment_ref") -> Query:
    select = ["worked_on", group, "sum(hours)"] + ([f"sum({money})"] if money else [])
    return Query(select, Q("worked_on") >= SINCE.isoformat(), ["worked_on", group])


def _ymd(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


def _total(result: dict, label: str) -> Decimal:
    return sum((Decimal(row[label]) for row in Table(result["table"]) if row[label] is not None), Decimal(0))


@pytest.mark.parametrize("hours", [False, True], ids=["full", "hours"])
@pytest.mark.parametrize(("report", "role", "method", "args", "money", "group"), TIME_REPORTS)
def test_time_report(
    server: Server, report: str, role: str, method: str, args: tuple, money: str | None, group: str, hours: bool
) -> None:
    client = server.client(role)
    result = getattr(client.timereport, method)(*args, _time_query(None if hours else money, group), hours=hours)
    assert result["auth_user"]["uid"] == server.role(role).uid
    labels = [col["label"] for col in result["table"]["cols"]]
    assert labels == ["worked_on", group, "hours"] + ([] if hours or money is None else [money])
    assert [col["type"] for col in result["table"]["cols"]][:3] == ["date", "string", "number"]
    table = Table(result["table"])
    assert len(table) > 0
    days = [row["worked_on"] for row in table]
    assert days == sorted(days)
    assert all(re.fullmatch(r"\d{8}", day) and day >= _ymd(SINCE) for day in days)
    assert all(Decimal(row["hours"]) > 0 for row in table)
    if not hours and money is not None:
        amounts = [row[money] for row in table if row[money] is not None]
        assert amounts and all(Decimal(amount) >= 0 for amount in amounts)
        assert all(MONEY.fullmatch(amount) for amount in amounts), amounts


@pytest.mark.parametrize(("report", "role", "method", "args", "money", "group"), TIME_REPORTS)
def test_hours_report_hides_money(
    server: Server, report: str, role: str, method: str, args: tuple, money: str | None, group: str
) -> None:
    from odesk.exceptions import HTTP400BadRequestError

    field = money or "earnings"
    with pytest.raises(HTTP400BadRequestError) as caught:
        getattr(server.client(role).timereport, method)(*args, _time_query(field, group), hours=True)
    assert caught.value.error_code == "invalid_query"
    assert field in caught.value.error_message


@pytest.mark.parametrize("hours", [False, True], ids=["full", "hours"])
@pytest.mark.parametrize("money", ["earnings", "charges", "earnings_online", "charges_offline"])
def test_provider_report_has_no_money(server: Server, money: str, hours: bool) -> None:
    """The seed: provider reports support no monetary fields; his money is in the financial reports."""
    from odesk.exceptions import HTTP400BadRequestError

    with pytest.raises(HTTP400BadRequestError) as caught:
        server.client("provider").timereport.get_provider_report("jwalker", f"SELECT sum({money})", hours=hours)
    assert caught.value.error_code == "invalid_query"
    assert f'"{money}"' in caught.value.error_message


def test_team_report_with_provider_id_for_a_supervisor(server: Server) -> None:
    query = Query(["provider_id", "sum(hours)"], Q("worked_on") >= SINCE)  # a date object renders quoted too
    result = server.client("hiring_manager").timereport.get_team_report("acme", "engineering", query)
    providers = {row["provider_id"] for row in Table(result["table"])}
    assert server.role("provider").uid in providers


def test_time_report_totals_agree_across_reports(server: Server) -> None:
    """The same hours seen through the company, root-team, agency and provider reports."""
    owner = server.client("owner").timereport
    period = f"worked_on >= '{SINCE.isoformat()}'"
    company = owner.get_company_report("acme", f"SELECT provider_id, agency_id, sum(hours) WHERE {period}")
    root_team = owner.get_team_report("acme", "acme", f"SELECT sum(hours) WHERE {period}")
    assert _total(company, "hours") == _total(root_team, "hours") > 0
    rows = list(Table(company["table"]))
    jwalker = sum(Decimal(r["hours"]) for r in rows if r["provider_id"] == server.role("provider").uid)
    provider = server.client("provider").timereport.get_provider_report("jwalker", f"SELECT sum(hours) WHERE {period}")
    assert _total(provider, "hours") == jwalker > 0
    agency_id = server.credentials["agency"]["id"]
    through_agency = sum(Decimal(r["hours"]) for r in rows if r["agency_id"] == agency_id)
    agency = server.client("staffing_manager").timereport.get_agency_report(
        "brightcode", "brightcode", f"SELECT sum(hours) WHERE {period}", hours=True
    )
    assert _total(agency, "hours") == through_agency > 0


# --- financial reports ------------------------------------------------------------------------

# (F-number of docs/permissions.md, router method, path key, roles allowed among the demo roles)
FIN_REPORTS = [
    ("F1", "get_provider_billings", "jwalker", ["provider"]),
    ("F2", "get_provider_earnings", "jwalker", ["provider"]),
    ("F3", "get_provider_teams_billings", "brightcode:brightcode", ["agency_owner", "staffing_manager"]),
    ("F4", "get_provider_teams_earnings", "brightcode:brightcode", ["agency_owner", "staffing_manager"]),
    ("F5", "get_provider_companies_billings", "brightcode:brightcode", ["agency_owner"]),
    ("F6", "get_provider_companies_earnings", "brightcode:brightcode", ["agency_owner"]),
    ("F7", "get_buyer_teams_billings", "acme:engineering", ["owner", "finance"]),
    ("F8", "get_buyer_teams_earnings", "acme:engineering", ["owner", "hiring_manager", "finance"]),
    ("F9", "get_buyer_companies_billings", "acme:acme", ["owner"]),
    ("F10", "get_buyer_companies_earnings", "acme:acme", ["owner"]),
    ("F12", "get_financial_entities_provider", "jwalker", ["provider"]),
]
FIN_QUERY = Query(["type", "subtype", "sum(amount)"], Q("date") >= FIN_SINCE.isoformat(), ["type", "subtype"])


def _check_fin_result(result: dict) -> Table:
    assert [col["label"] for col in result["table"]["cols"]] == ["type", "subtype", "amount"]
    table = Table(result["table"])
    assert len(table) > 0
    for row in table:
        # money is exact: no binary float noise in a sum of cents
        assert MONEY.fullmatch(row["amount"]), row
    return table


@pytest.mark.parametrize(
    ("number", "method", "key", "role"),
    [(number, method, key, role) for number, method, key, roles in FIN_REPORTS for role in roles],
)
def test_financial_report(server: Server, number: str, method: str, key: str, role: str) -> None:
    result = getattr(server.client(role).finreport, method)(key, FIN_QUERY)
    assert result["auth_user"]["uid"] == server.role(role).uid
    _check_fin_result(result)


@pytest.fixture(scope="session")
def acme_account(server: Server) -> str:
    """The accounting entity reference of Acme's account, as the billing report names it."""
    result = server.client("owner").finreport.get_buyer_companies_billings(
        "acme:acme", "SELECT accounting_entity__reference, count(amount)"
    )
    references = [row["accounting_entity__reference"] for row in Table(result["table"])]
    assert len(references) == 1, references
    return references[0]


@pytest.mark.parametrize("role", ["owner", "finance"])
def test_financial_entities_of_the_company_account(server: Server, acme_account: str, role: str) -> None:
    result = server.client(role).finreport.get_financial_entities(acme_account, FIN_QUERY)
    _check_fin_result(result)


def test_financial_totals_agree(server: Server) -> None:
    """The company's billings equal its root team's; the earnings are the billings less the fee."""
    owner = server.client("owner").finreport
    query = Query(["sum(amount)"], Q("date") >= FIN_SINCE.isoformat())
    company = _total(owner.get_buyer_companies_billings("acme:acme", query), "amount")
    root_team = _total(owner.get_buyer_teams_billings("acme:acme", query), "amount")
    assert company == root_team != 0


def test_default_finreport_fields(server: Server) -> None:
    result = server.client("provider").finreport.get_provider_earnings("jwalker", Query(DEFAULT_FINREPORT_FIELDS))
    assert [col["label"] for col in result["table"]["cols"]] == DEFAULT_FINREPORT_FIELDS
    assert {row["provider__id"] for row in Table(result["table"])} == {"jwalker"}


# --- output formats ---------------------------------------------------------------------------

TEAM_PATH = "/gds/timereports/v1/companies/acme/teams/engineering"
FORMAT_QUERY = str(_time_query("charges"))


@pytest.fixture(scope="session")
def team_rows(server: Server) -> list[list]:
    result = server.client("owner").timereport.get_team_report("acme", "engineering", FORMAT_QUERY)
    return Table(result["table"]).rows


def _csv_line(values: list, sep: str = ",") -> str:
    return sep.join('"' + ("" if v is None else str(v)) + '"' for v in values)


@pytest.mark.parametrize(
    ("tqx", "media_type"),
    [
        ("out:csv", "text/csv"),
        ("out:tsv-excel", "text/tab-separated-values"),
        ("out:html", "text/html"),
        ("out:xml", "application/xml"),
        ("out:json", "application/json"),
        ("csv", "text/csv"),
    ],
)
def test_report_formats(server: Server, team_rows: list[list], tqx: str, media_type: str) -> None:
    response = server.signed_get("owner", TEAM_PATH, {"tq": FORMAT_QUERY, "tqx": tqx})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(media_type)
    header = ["worked_on", "assignment_ref", "hours", "charges"]
    if "csv" in tqx:
        lines = response.text.strip().splitlines()
        assert lines[0] == _csv_line(header)
        assert lines[1:] == [_csv_line(row) for row in team_rows]
    elif "tsv" in tqx:
        assert response.content.startswith(b"\xff\xfe")  # UTF-16LE with its byte order mark
        lines = response.content.decode("utf-16").strip().splitlines()
        assert lines[0] == _csv_line(header, "\t")
        assert lines[1:] == [_csv_line(row, "\t") for row in team_rows]
    elif "html" in tqx:
        assert "<table" in response.text
        assert response.text.count("<tr") == len(team_rows) + 1
        assert team_rows[0][1] in response.text
    elif "xml" in tqx:
        assert response.text.count("<row>") == len(team_rows)
        assert "<label>charges</label>" in response.text
    else:
        assert [[c["v"] for c in row["c"]] for row in response.json()["table"]["rows"]] == team_rows


def test_xml_path_suffix_selects_xml(server: Server, team_rows: list[list]) -> None:
    response = server.signed_get("owner", TEAM_PATH + ".xml", {"tq": FORMAT_QUERY})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    assert response.text.count("<row>") == len(team_rows)


def test_google_dialect(server: Server, team_rows: list[list]) -> None:
    response = server.signed_get("owner", TEAM_PATH, {"tq": FORMAT_QUERY, "tqx": "reqId:7"})
    assert response.status_code == 200, response.text
    body = response.text
    assert body.startswith("google.visualization.Query.setResponse(")
    assert "'reqId':'7'" in body.replace('"', "'")
    assert "'status':'ok'" in body.replace('"', "'")


def test_unknown_format_is_a_400(server: Server) -> None:
    response = server.signed_get("owner", TEAM_PATH, {"tq": FORMAT_QUERY, "tqx": "out:pdf"})
    assert response.status_code == 400
    assert response.headers["x-odesk-error-code"] in ("not_supported", "invalid_request")
    assert response.json()["status"] == "error"


def test_python_odesk_058_query_string_signature(server: Server, team_rows: list[list]) -> None:
    """0.5.8 put the OAuth parameters in the query string (``get_oauth_params``); the server takes that too."""
    import httpx

    client = server.client("owner")
    owner = server.role("owner")
    url = server.base_url + TEAM_PATH
    signed = client.auth.get_oauth_params(url, owner.token, owner.token_secret, {"tq": FORMAT_QUERY}, "GET")
    assert "oauth_signature=" in signed
    response = httpx.get(f"{url}?{signed}", timeout=30)
    assert response.status_code == 200, response.text
    assert Table(response.json()["table"]).rows == team_rows


@pytest.mark.parametrize(
    ("team", "teams_seen"),
    [
        ("acme", ["acme:design", "acme:engineering", "acme:mobile"]),
        ("engineering", ["acme:engineering", "acme:mobile"]),
        ("design", ["acme:design"]),
    ],
)
def test_supervisor_sees_only_the_contracts_of_teams_he_supervises(server: Server, team: str, teams_seen: list) -> None:
    """docs/permissions.md: a query naming provider_id covers only the subtree teams the caller supervises."""
    result = server.client("hiring_manager").timereport.get_team_report(
        "acme", team, "SELECT assignment_team_id, count(provider_id)"
    )
    assert [row["assignment_team_id"] for row in Table(result["table"])] == teams_seen


def test_xml_and_json_path_suffixes_on_reports(server: Server, team_rows: list[list]) -> None:
    response = server.signed_get("owner", TEAM_PATH + ".json", {"tq": FORMAT_QUERY})
    assert response.status_code == 200, response.text
    assert Table(response.json()["table"]).rows == team_rows
    # an explicit tqx format wins over the suffix
    response = server.signed_get("owner", TEAM_PATH + ".xml", {"tq": FORMAT_QUERY, "tqx": "out:csv"})
    assert response.headers["content-type"].startswith("text/csv")


def test_errors_in_each_dialect(server: Server) -> None:
    """oDesk dialect: status + X-Odesk-Error-* headers, body in the request's format; Google's: 200 + wrapper."""
    google = server.signed_get("owner", TEAM_PATH, {"tq": "SELEC x", "tqx": "reqId:3"})
    assert google.status_code == 200
    assert google.text.startswith("google.visualization.Query.setResponse(")
    body = google.text[len("google.visualization.Query.setResponse(") :].rstrip().rstrip(";").rstrip(")")
    import json

    answer = json.loads(body)
    assert (answer["reqId"], answer["status"]) == ("3", "error")
    assert answer["errors"][0] == {"reason": "invalid_query", "message": 'Unexpected token "SELEC" at position 0'}
    xml = server.signed_get("member", TEAM_PATH + ".xml", {"tq": "SELECT worked_on"})
    assert xml.status_code == 403
    assert xml.headers["content-type"].startswith("application/xml")
    assert xml.headers["x-odesk-error-code"] == "access_denied"
    assert "<reason>access_denied</reason>" in xml.text
    assert f"<message>{xml.headers['x-odesk-error-message']}</message>" in xml.text


# Every report endpoint: (role, path under /gds, the same call through the client's router).
ENDPOINTS = {
    "team": (
        "owner",
        "timereports/v1/companies/acme/teams/engineering",
        lambda c, q: c.timereport.get_team_report("acme", "engineering", q),
    ),
    "team/hours": (
        "hiring_manager",
        "timereports/v1/companies/acme/teams/engineering/hours",
        lambda c, q: c.timereport.get_team_report("acme", "engineering", q, hours=True),
    ),
    "company": ("finance", "timereports/v1/companies/acme", lambda c, q: c.timereport.get_company_report("acme", q)),
    "company/hours": (
        "owner",
        "timereports/v1/companies/acme/hours",
        lambda c, q: c.timereport.get_company_report("acme", q, hours=True),
    ),
    "agency": (
        "staffing_manager",
        "timereports/v1/companies/brightcode/agencies/brightcode",
        lambda c, q: c.timereport.get_agency_report("brightcode", "brightcode", q),
    ),
    "agency/hours": (
        "staffing_manager",
        "timereports/v1/companies/brightcode/agencies/brightcode/hours",
        lambda c, q: c.timereport.get_agency_report("brightcode", "brightcode", q, hours=True),
    ),
    "provider": (
        "provider",
        "timereports/v1/providers/jwalker",
        lambda c, q: c.timereport.get_provider_report("jwalker", q),
    ),
    "provider/hours": (
        "provider",
        "timereports/v1/providers/jwalker/hours",
        lambda c, q: c.timereport.get_provider_report("jwalker", q, hours=True),
    ),
    "F1": (
        "provider",
        "finreports/v2/providers/jwalker/billings",
        lambda c, q: c.finreport.get_provider_billings("jwalker", q),
    ),
    "F2": (
        "provider",
        "finreports/v2/providers/jwalker/earnings",
        lambda c, q: c.finreport.get_provider_earnings("jwalker", q),
    ),
    "F3": (
        "staffing_manager",
        "finreports/v2/provider_teams/brightcode:brightcode/billings",
        lambda c, q: c.finreport.get_provider_teams_billings("brightcode:brightcode", q),
    ),
    "F4": (
        "staffing_manager",
        "finreports/v2/provider_teams/brightcode:brightcode/earnings",
        lambda c, q: c.finreport.get_provider_teams_earnings("brightcode:brightcode", q),
    ),
    "F7": (
        "finance",
        "finreports/v2/buyer_teams/acme:engineering/billings",
        lambda c, q: c.finreport.get_buyer_teams_billings("acme:engineering", q),
    ),
    "F8": (
        "hiring_manager",
        "finreports/v2/buyer_teams/acme:engineering/earnings",
        lambda c, q: c.finreport.get_buyer_teams_earnings("acme:engineering", q),
    ),
    "F9": (
        "owner",
        "finreports/v2/buyer_companies/acme:acme/billings",
        lambda c, q: c.finreport.get_buyer_companies_billings("acme:acme", q),
    ),
    "F10": (
        "owner",
        "finreports/v2/buyer_companies/acme:acme/earnings",
        lambda c, q: c.finreport.get_buyer_companies_earnings("acme:acme", q),
    ),
    "F12": (
        "provider",
        "finreports/v2/financial_account_owner/jwalker",
        lambda c, q: c.finreport.get_financial_entities_provider("jwalker", q),
    ),
}
TIME_SELECT = f"SELECT worked_on, task, memo, hours WHERE worked_on >= '{SINCE.isoformat()}' ORDER BY worked_on, task, memo, hours LIMIT 60"
FIN_SELECT = (
    f"SELECT reference, date, type, subtype, amount WHERE date >= '{FIN_SINCE.isoformat()}' ORDER BY reference LIMIT 60"
)


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_every_report_in_every_format(server: Server, endpoint: str) -> None:
    """csv, tsv-excel, html and xml hold the same table as the client's JSON answer."""
    import csv
    import io

    role, path, call = ENDPOINTS[endpoint]
    tq = FIN_SELECT if path.startswith("finreports") else TIME_SELECT
    result = call(server.client(role), tq)
    labels = [col["label"] for col in result["table"]["cols"]]
    rows = [["" if v is None else v for v in row] for row in Table(result["table"]).rows]
    assert rows, f"{endpoint}: no rows to compare"
    for out in ("csv", "tsv-excel", "html", "xml"):
        response = server.signed_get(role, f"/gds/{path}", {"tq": tq, "tqx": f"out:{out}"})
        assert response.status_code == 200, (out, response.text)
        if out in ("csv", "tsv-excel"):
            text = response.content.decode("utf-16") if out == "tsv-excel" else response.text
            parsed = list(csv.reader(io.StringIO(text), delimiter="\t" if out == "tsv-excel" else ","))
            assert parsed == [labels] + rows, out
        elif out == "html":
            assert response.text.count("<tr") == len(rows) + 1
        else:
            assert response.text.count("<row>") == len(rows)


def test_path_keys_by_reference_and_by_id(server: Server) -> None:
    """docs/permissions.md: path keys are text ids (``acme:acme`` or ``acme``) or numeric references."""
    owner = server.client("owner")
    company = server.credentials["company"]
    team = server.team("acme:engineering")
    tq = f"SELECT assignment_ref, sum(hours) WHERE worked_on >= '{SINCE.isoformat()}'"
    by_id = Table(owner.timereport.get_team_report("acme", "engineering", tq)["table"]).rows
    assert by_id
    assert Table(owner.timereport.get_team_report(company["reference"], team["reference"], tq)["table"]).rows == by_id
    assert Table(owner.timereport.get_team_report(company["id"], team["id"], tq)["table"]).rows == by_id
    fin = "SELECT type, count(amount)"
    assert (
        Table(owner.finreport.get_buyer_teams_billings(team["reference"], fin)["table"]).rows
        == Table(owner.finreport.get_buyer_teams_billings(team["id"], fin)["table"]).rows
    )


def test_empty_result_is_an_empty_rows_list(server: Server) -> None:
    result = server.client("owner").timereport.get_company_report(
        "acme", Query(["worked_on", "sum(hours)"], Q("worked_on") > "2100-01-01")
    )
    assert result["table"]["rows"] == []
    assert [col["label"] for col in result["table"]["cols"]] == ["worked_on", "hours"]
    assert len(Table(result["table"])) == 0


@pytest.mark.parametrize(
    ("role", "call", "money"),
    [
        ("owner", lambda c: c.timereport.get_company_report("acme", "SELECT agency_id, sum(charges)"), "charges"),
        (
            "staffing_manager",
            lambda c: c.timereport.get_agency_report("brightcode", "brightcode", "SELECT sum(earnings)"),
            "earnings",
        ),
        ("provider", lambda c: c.finreport.get_provider_earnings("jwalker", "SELECT type, sum(amount)"), "amount"),
        (
            "owner",
            lambda c: c.finreport.get_buyer_companies_billings("acme:acme", "SELECT type, sum(amount)"),
            "amount",
        ),
    ],
    ids=["company-charges", "agency-earnings", "provider-earnings", "buyer-company-billings"],
)
def test_money_totals_over_the_whole_history_are_exact(server: Server, role: str, call, money: str) -> None:
    """Two years of cents add up to cents (docs/reports.md: numbers "without float noise", e.g. -835.83)."""
    table = Table(call(server.client(role))["table"])
    assert len(table) > 0
    for row in table:
        assert MONEY.fullmatch(row[money]), row
