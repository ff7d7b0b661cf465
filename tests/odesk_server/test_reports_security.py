"""Two report rules a caller must not get around, as tables (docs/permissions.md, "GDS reports").

1. The supervisor rule.  A team report query that reaches a field about a
   person (the provider, or his contract) only covers the contracts of the
   teams the caller supervises, and is refused when there are none.  Every
   way to reach such a field counts: naming it in any clause, inside any
   function, aggregate or arithmetic, or selecting every column (``SELECT *``,
   or no SELECT clause at all).
2. No existence oracle.  Over HTTP, a path key the caller may not see and a
   key that names nothing get byte-identical answers (status, headers, body)
   on every time report endpoint, in every key position, whatever the query.

Both run on SQLite and PostgreSQL (``demo_database``).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest
import sqlalchemy as sa
from oauth_signing import AppCache, consumer_signer, send
from report_helpers import user

from odesk_server.db.work import UnitOfWork
from odesk_server.models import User
from odesk_server.reports.access import TimeReportTarget
from odesk_server.reports.errors import ReportError
from odesk_server.reports.fields import SUPERVISOR_FIELDS, TimeEndpoint
from odesk_server.reports.runner import run_time_report

# --- 1. the supervisor rule -------------------------------------------------------------

# Written from docs/permissions.md: the provider and the contract (one provider each).
PERSON_FIELDS = ("provider_id", "provider_name", "assignment_ref", "assignment_name")


def test_the_rule_lists_the_documented_person_fields():
    assert SUPERVISOR_FIELDS == frozenset(PERSON_FIELDS)


# Every clause and construct that can carry a field ({f} is each person field in turn).
THROUGH = [
    "SELECT {f}",
    "SELECT `{f}`",
    "SELECT worked_on WHERE {f} != 'nobody'",
    "SELECT worked_on WHERE NOT (task = 'x' OR {f} IS NULL)",
    "SELECT sum(hours) WHERE lower({f}) contains 'a'",
    "SELECT worked_on, sum(hours) GROUP BY worked_on, {f}",
    "SELECT sum(hours) PIVOT {f}",
    "SELECT worked_on ORDER BY {f} DESC",
    "SELECT count({f})",
    "SELECT max({f})",
    "SELECT upper({f})",
    "SELECT count({f}) + 1",
    "SELECT {f}, hours LABEL {f} 'who'",
    "SELECT {f}, hours FORMAT {f} 'x'",
    "SELECT count({f}) LABEL count({f}) 'n'",
]
SELECTS_EVERY_COLUMN = [
    "SELECT *",
    "",
    "WHERE hours > 0",
    "SELECT * ORDER BY worked_on",
    "LIMIT 3 LABEL worked_on 'day'",
]
ABOUT_PEOPLE = (
    [t.format(f=f) for t in THROUGH for f in PERSON_FIELDS]
    + SELECTS_EVERY_COLUMN
    + ["SELECT \\u0070rovider_id"]  # an escape the parser decodes
)
ABOUT_TEAMS = [
    "SELECT worked_on, sum(hours)",
    "SELECT assignment_team_id, sum(hours)",
    "SELECT agency_id, agency_name, agency_company_id, company_id, count(hours)",
    "SELECT task, memo, hours_online, hours_offline",
    "SELECT worked_on, week_worked_on, month_worked_on, year_worked_on, hours LIMIT 3",
    "SELECT worked_on LIMIT 1 LABEL worked_on 'provider_id'",
    "SELECT hours WHERE memo = 'provider_name' OR task = 'assignment_ref'",
]

DENIED, SUPERVISED, EVERYTHING = "denied", "rows of the supervised teams", "every row"
# The team report on acme:acme, the root team.  The finance user holds manage_finance
# there; the hiring manager holds manage_employment on Engineering (with Mobile) and
# Design only; the owner holds everything; the member nothing.
OUTCOMES = {
    "people": {"owner": EVERYTHING, "finance": DENIED, "hiring_manager": SUPERVISED, "member": DENIED},
    "teams": {"owner": EVERYTHING, "finance": EVERYTHING, "hiring_manager": DENIED, "member": DENIED},
}
UIDS = {"owner": "mhale", "finance": "pnatarajan", "hiring_manager": "dortiz", "member": "tbecker"}
ROOT = {"company": "acme:acme", "team": "acme:acme"}

RULE_CASES = [
    pytest.param(
        tq, kind, role, hours, OUTCOMES[kind][role], id=f"{role}-{'hours' if hours else 'full'}-{kind}-{tq or 'empty'}"
    )
    for kind, queries in (("people", ABOUT_PEOPLE), ("teams", ABOUT_TEAMS))
    for tq in queries
    for role in UIDS
    # /hours hides the money, not the people: shown with the queries that select every column.
    for hours in ((False, True) if tq in SELECTS_EVERY_COLUMN else (False,))
]


@pytest.mark.parametrize("tq, kind, role, hours, outcome", RULE_CASES)
def test_every_way_to_a_person_field_follows_the_supervisor_rule(demo_db, tq, kind, role, hours, outcome):
    target = TimeReportTarget(TimeEndpoint.TEAM, hours, **ROOT)
    with UnitOfWork(demo_db.engine) as work:
        if outcome is DENIED:
            with pytest.raises(ReportError) as denied:
                run_time_report(work, user(demo_db, UIDS[role]), target, tq, timeout=30)
            assert denied.value.reason == "access_denied"
            expected = "supervisor" if kind == "people" else "hiring manager or finance permission"
            assert expected in denied.value.message
            return
        table = run_time_report(work, user(demo_db, UIDS[role]), target, tq, timeout=30)
    assert table.columns


@pytest.mark.parametrize(
    "tq, reach",
    [
        ("SELECT *", "selecting every column"),
        ("", "selecting every column"),
        ("SELECT worked_on, sum(hours) GROUP BY worked_on, assignment_ref", "naming assignment_ref"),
        ("SELECT sum(hours) WHERE upper(assignment_name) = 'X' ORDER BY provider_id", "naming assignment_name"),
    ],
)
def test_the_refusal_says_what_made_the_query_about_people(demo_db, tq, reach):
    target = TimeReportTarget(TimeEndpoint.TEAM, False, company="acme", team="engineering")
    with UnitOfWork(demo_db.engine) as work, pytest.raises(ReportError) as denied:
        run_time_report(work, user(demo_db, UIDS["finance"]), target, tq, timeout=30)
    assert denied.value.message == (
        f"A query {reach} is about providers and needs a supervisor of those providers: "
        "manage_employment on the team engineering of the company acme or on a team below it"
    )


SUPERVISED_TEAMS = {"acme:engineering", "acme:mobile", "acme:design"}
ALL_TEAMS = SUPERVISED_TEAMS | {"acme:acme", "acme:marketing"}


def _hours_per_team(table) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    ids = [c.id for c in table.columns]
    for row in table.rows:
        values = dict(zip(ids, row))
        totals[values["assignment_team_id"]] += Decimal(str(values["hours"]))
    return {team: total.quantize(Decimal("0.01")) for team, total in totals.items()}


@pytest.mark.parametrize(
    "role, tq, teams",
    [
        ("hiring_manager", "SELECT *", SUPERVISED_TEAMS),
        ("hiring_manager", "WHERE hours > 0", SUPERVISED_TEAMS),
        ("hiring_manager", "SELECT assignment_team_id, provider_name, hours", SUPERVISED_TEAMS),
        (
            "hiring_manager",
            "SELECT assignment_team_id, assignment_ref, hours ORDER BY assignment_name",
            SUPERVISED_TEAMS,
        ),
        ("owner", "SELECT *", ALL_TEAMS - {"acme:acme"}),  # no contract is on the root team itself
        ("finance", "SELECT assignment_team_id, hours", ALL_TEAMS - {"acme:acme"}),
    ],
)
def test_a_query_about_people_covers_the_supervised_teams_whole(demo_db, role, tq, teams):
    target = TimeReportTarget(TimeEndpoint.TEAM, True, **ROOT)
    with UnitOfWork(demo_db.engine) as work:
        got = _hours_per_team(run_time_report(work, user(demo_db, UIDS[role]), target, tq, timeout=30))
        everything = _hours_per_team(
            run_time_report(work, user(demo_db, "mhale"), target, "SELECT assignment_team_id, hours", timeout=30)
        )
    assert set(got) == teams
    assert got == {team: everything[team] for team in teams}


# --- 2. hidden and unknown keys answer alike, over HTTP ---------------------------------


@pytest.fixture(scope="module")
def apps():
    cache = AppCache()
    yield cache
    cache.close()


@pytest.fixture
def http(demo_database, demo_db, apps):
    """``get(role, path, params)`` and the demo's numeric references by name (``acme_ref`` ...)."""
    url, credentials = demo_database
    client = apps.client(url)
    with demo_db.session() as session:
        users = {uid: reference for uid, reference in session.execute(sa.select(User.uid, User.reference))}
    refs = {
        "acme_ref": credentials.company.reference,
        "brightcode_ref": credentials.agency.reference,
        "engineering_ref": credentials.team("acme:engineering").reference,
        "marketing_ref": credentials.team("acme:marketing").reference,
        "jwalker_ref": users["jwalker"],
        "lfischer_ref": users["lfischer"],
    }

    def get(role: str, path: str, params: dict[str, str]):
        return send(client, consumer_signer(credentials, role), "GET", path, params)

    return get, {name: str(ref) for name, ref in refs.items()}


# (role, path under /gds/timereports/v1 with {key} where the key goes, a key that role
# may not see).  Who sees what: docs/permissions.md, "HR".  The staffing manager sees
# only Bright Code, the owner only Acme, the member only Marketing, the hiring
# manager Engineering, Mobile and Design.
HIDDEN_KEYS = [
    # team report, company position
    ("staffing_manager", "companies/{key}/teams/acme:engineering", "acme:acme"),
    ("staffing_manager", "companies/{key}/teams/engineering", "acme"),
    ("staffing_manager", "companies/{key}/teams/{engineering_ref}", "{acme_ref}"),
    # team report, team position
    ("staffing_manager", "companies/acme:acme/teams/{key}", "acme:engineering"),
    ("member", "companies/acme:acme/teams/{key}", "acme:engineering"),
    ("member", "companies/acme/teams/{key}", "design"),
    ("member", "companies/{acme_ref}/teams/{key}", "{engineering_ref}"),
    ("hiring_manager", "companies/acme:acme/teams/{key}", "acme:marketing"),
    ("hiring_manager", "companies/acme:acme/teams/{key}", "{marketing_ref}"),
    # company report
    ("staffing_manager", "companies/{key}", "acme:acme"),
    ("staffing_manager", "companies/{key}", "acme"),
    ("staffing_manager", "companies/{key}", "{acme_ref}"),
    ("owner", "companies/{key}", "brightcode:brightcode"),
    ("owner", "companies/{key}", "{brightcode_ref}"),
    # agency report, company position and agency position
    ("owner", "companies/{key}/agencies/{brightcode_ref}", "brightcode:brightcode"),
    ("owner", "companies/{key}/agencies/brightcode", "{brightcode_ref}"),
    ("owner", "companies/{brightcode_ref}/agencies/{key}", "brightcode:brightcode"),
    ("owner", "companies/brightcode/agencies/{key}", "{brightcode_ref}"),
    ("hiring_manager", "companies/{brightcode_ref}/agencies/{key}", "brightcode"),
    # provider report
    ("staffing_manager", "providers/{key}", "jwalker"),
    ("staffing_manager", "providers/{key}", "{jwalker_ref}"),
    ("owner", "providers/{key}", "lfischer"),
    ("owner", "providers/{key}", "{lfischer_ref}"),
]

QUERIES = {
    "about teams": "SELECT worked_on, sum(hours)",
    "about people": "SELECT provider_id, sum(hours)",
    "every column": "SELECT *",
    "does not parse": "SELECT FROM WHERE",
}
DIALECTS = {"odesk": {}, "google": {"tqx": "reqId:7"}}


def unknown_like(key: str) -> str:
    """A key that names nothing, as long as ``key`` (so that even Content-Length must match)."""
    return "9" * len(key) if key.isdigit() else "z" * len(key)


# Differs on every request, whatever it asks for: the request id of the access log.
_PER_REQUEST_HEADERS = frozenset({"x-request-id"})


def answer(response, typed: str = "", instead: str = "") -> tuple:
    """Status, headers and body of ``response``, with the key the caller ``typed`` replaced by ``instead``.

    Every header counts except the per-request id, which tells nothing about the key.
    """
    headers = [
        (name, value.replace(typed, instead) if typed else value)
        for name, value in response.headers.multi_items()
        if name not in _PER_REQUEST_HEADERS
    ]
    body = response.content.replace(typed.encode(), instead.encode()) if typed else response.content
    return response.status_code, headers, body


@pytest.mark.parametrize("suffix", ["", "/hours"])
@pytest.mark.parametrize("role, template, hidden", HIDDEN_KEYS)
def test_a_hidden_key_answers_exactly_as_an_unknown_one(http, role, template, hidden, suffix):
    get, refs = http
    hidden = hidden.format(**refs)
    unknown = unknown_like(hidden)
    path = "/gds/timereports/v1/" + template.format(key="{key}", **refs) + suffix
    assert hidden not in path.replace("{key}", ""), "the key must be told apart from the rest of the path"
    for query_name, tq in QUERIES.items():
        for dialect_name, options in DIALECTS.items():
            params = {"tq": tq, **options}
            seen = get(role, path.format(key=hidden), params)
            fresh = get(role, path.format(key=unknown), params)
            if not options:
                assert fresh.status_code == 403, fresh.text
                assert fresh.json()["errors"][0]["reason"] == "access_denied"
            assert answer(seen, hidden, unknown) == answer(fresh), (
                query_name,
                dialect_name,
                seen.text,
                fresh.text,
            )
