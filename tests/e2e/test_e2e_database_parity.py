"""SQLite and PostgreSQL give the same answers: both demo servers hold the same rows (same seed, same day),
so every report query must return the same table from either.

Numbers are compared to six decimals: the exact-money rule has its own tests
(test_reports.py), this file looks for every other difference between the
two SQL dialects (ordering, NULLs, collation, date functions, text matching).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.e2e.conftest import DemoServers

QUERIES = [
    (
        "company",
        "SELECT provider_id, task, sum(hours), sum(charges), count(memo) GROUP BY provider_id, task "
        "ORDER BY provider_id, task",
    ),
    (
        "company",
        "SELECT year(worked_on), month(worked_on), dayOfWeek(worked_on), sum(hours) "
        "GROUP BY year(worked_on), month(worked_on), dayOfWeek(worked_on) "
        "ORDER BY year(worked_on), month(worked_on), dayOfWeek(worked_on)",
    ),
    ("company", "SELECT task, sum(hours) GROUP BY task PIVOT year_worked_on ORDER BY task"),
    ("company", "SELECT agency_id, sum(hours) GROUP BY agency_id ORDER BY agency_id"),
    ("company", "SELECT agency_id, sum(hours) GROUP BY agency_id ORDER BY agency_id DESC"),
    ("company", "SELECT provider_name, sum(hours) GROUP BY provider_name ORDER BY provider_name"),
    ("company", "SELECT memo, count(hours) WHERE memo contains 'test' GROUP BY memo ORDER BY memo"),
    ("company", "SELECT memo, count(hours) WHERE memo starts with 'Fix' GROUP BY memo ORDER BY memo"),
    ("company", "SELECT memo, count(hours) WHERE memo matches '.*[Tt]ests?' GROUP BY memo ORDER BY memo"),
    ("company", "SELECT memo, count(hours) WHERE memo like '%flaky%' GROUP BY memo ORDER BY memo"),
    (
        "company",
        "SELECT provider_name, sum(hours) WHERE provider_name < 'M' GROUP BY provider_name ORDER BY provider_name",
    ),
    (
        "company",
        "SELECT upper(task), lower(provider_id), sum(hours) GROUP BY upper(task), lower(provider_id) "
        "ORDER BY upper(task), lower(provider_id) LIMIT 20 OFFSET 5",
    ),
    (
        "company",
        "SELECT week_worked_on, max(hours), min(hours), avg(hours) "
        "WHERE worked_on >= '2025-01-01' AND worked_on < '2025-03-01' GROUP BY week_worked_on ORDER BY week_worked_on",
    ),
    (
        "company",
        "SELECT assignment_ref, sum(hours_online), sum(hours_offline), sum(charges_offline) "
        "WHERE hours_offline > 0 GROUP BY assignment_ref ORDER BY assignment_ref",
    ),
    (
        "company",
        "SELECT quarter(worked_on), sum(hours) * 2, sum(charges) / sum(hours) "
        "GROUP BY quarter(worked_on) ORDER BY quarter(worked_on)",
    ),
    ("company", "SELECT provider_id, sum(hours) GROUP BY provider_id ORDER BY sum(hours) DESC LIMIT 5"),
    ("company", "SELECT count(worked_on), max(worked_on), min(worked_on)"),
    (
        "team",
        "SELECT worked_on, assignment_ref, task, memo, hours, charges WHERE worked_on < '2025-01-01' "
        "ORDER BY worked_on, assignment_ref, task, memo, hours",
    ),
    ("fin", "SELECT type, subtype, sum(amount), count(amount) GROUP BY type, subtype ORDER BY type, subtype"),
    (
        "fin",
        "SELECT month(date), provider__id, sum(amount) WHERE type = 'Invoice' GROUP BY month(date), provider__id "
        "ORDER BY month(date), provider__id",
    ),
]


def _run(client, report: str, tq: str) -> dict:
    if report == "company":
        return client.timereport.get_company_report("acme", tq)
    if report == "team":
        return client.timereport.get_team_report("acme", "engineering", tq)
    return client.finreport.get_buyer_companies_billings("acme:acme", tq)


def _normalized(result: dict) -> tuple[list, list]:
    cols = result["table"]["cols"]
    rows = []
    for row in result["table"]["rows"]:
        cells = []
        for col, cell in zip(cols, row["c"], strict=True):
            value = cell["v"]
            if col["type"] == "number" and value is not None:
                value = str(Decimal(value).quantize(Decimal("0.000001")).normalize())
            cells.append(value)
        rows.append(cells)
    return cols, rows


@pytest.mark.parametrize(("report", "tq"), QUERIES)
def test_same_answer_on_sqlite_and_postgresql(servers: DemoServers, report: str, tq: str) -> None:
    sqlite, postgresql = servers.get("sqlite"), servers.get("postgresql")
    lite = _normalized(_run(sqlite.client("owner"), report, tq))
    pg = _normalized(_run(postgresql.client("owner"), report, tq))
    assert lite[0] == pg[0]  # columns
    assert len(lite[1]) > 0
    if lite[1] != pg[1]:
        first = (
            next(i for i, (a, b) in enumerate(zip(lite[1], pg[1])) if a != b) if len(lite[1]) == len(pg[1]) else None
        )
        detail = (
            f"first differing row {first}: sqlite {lite[1][first]} postgresql {pg[1][first]}"
            if first is not None
            else f"{len(lite[1])} rows on sqlite, {len(pg[1])} on postgresql"
        )
        pytest.fail(f"SQLite and PostgreSQL differ for {tq!r}: {detail}")
