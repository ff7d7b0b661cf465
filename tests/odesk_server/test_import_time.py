"""``odesk-server import time``: time logs from another system, on SQLite and PostgreSQL.

The rules (odesk_server.domain.timelogs) as a table of files and the errors
they get, each naming its line and column and writing nothing; a good file
shows in the GDS time reports as the demo's time does; a 10,000-row file;
and the command itself, run as a process, for its output and exit codes.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from report_helpers import user

from odesk_server.db import Database
from odesk_server.db.work import UnitOfWork
from odesk_server.domain import timelogs
from odesk_server.models import Activity, ActivityAssignment, Engagement, Team, TimeLog
from odesk_server.reports.access import TimeReportTarget
from odesk_server.reports.fields import TimeEndpoint
from odesk_server.reports.runner import run_time_report

TODAY = dt.date(2026, 7, 31)
HEADER = "contract,date,hours,task,memo"
# jwalker's contract: $39.50 an hour, at most 40 hours a week. The demo logged
# 22.33 hours in the week of 2026-06-22 (ENG-BUGS among them on the 22nd, memo
# "Wrote API documentation").
SENIOR_PYTHON = 4000001
# Activities of Engineering the demo assigns to SENIOR_PYTHON (with ENG-INFRA and ENG-REVIEW).
ASSIGNED = ("ENG-API", "ENG-BUGS")


@pytest.fixture
def database(mutable_demo_database) -> Database:
    """A private demo with Engineering's activity ENG-DOCS added, assigned to no contract."""
    url, _credentials = mutable_demo_database
    database = Database(url)
    with database.session() as session:
        team = session.scalars(sa.select(Team).where(Team.team_id == "acme:engineering")).one()
        contract = session.scalars(sa.select(Engagement).where(Engagement.reference == SENIOR_PYTHON)).one()
        assigned = set(
            session.scalars(
                sa.select(Activity.code)
                .join(ActivityAssignment, ActivityAssignment.activity_id == Activity.id)
                .where(ActivityAssignment.engagement_id == contract.id)
            )
        )
        assert set(ASSIGNED) <= assigned
        session.add(Activity(company_id=team.company_id, team_id=team.id, code="ENG-DOCS", description="Docs"))
    yield database
    database.dispose()


def load(database: Database, text: str, *, today: dt.date = TODAY) -> timelogs.TimeImport:
    with database.session() as session:
        planned = timelogs.plan_import(session, text, today=today)
        timelogs.write_time_logs(session, planned)
    return planned


def count_logs(database: Database) -> int:
    with database.session() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(TimeLog)) or 0


def exact(value: object) -> object:
    """A report's number as a ``Decimal`` (SQLite answers floats), anything else as it is."""
    return Decimal(str(value)) if isinstance(value, float | Decimal) else value


def csv_text(*rows: str, header: str = HEADER) -> str:
    return "\n".join((header, *rows)) + "\n"


# --------------------------------------------------------------------------
# A good file, as the reports show it


def test_a_valid_file_shows_in_the_time_reports(database: Database) -> None:
    planned = load(
        database,
        csv_text(
            f"{SENIOR_PYTHON},2026-07-06,3.5,,Imported: API work",
            f"{SENIOR_PYTHON},2026-07-07,8,ENG-API,",
            f"{SENIOR_PYTHON},2026-07-07,.25,ENG-BUGS,a quick fix",
            # exactly up to the weekly limit: 22.33 logged by the demo + 17.67 = 40
            f"{SENIOR_PYTHON},2026-06-27,17.67,,weekend catch-up",
        ),
    )
    assert [(c.reference, c.rows, c.hours, c.charges) for c in planned.contracts] == [
        (SENIOR_PYTHON, 4, Decimal("29.42"), Decimal("1162.10"))
    ]

    owner = user(database, "mhale")
    team = TimeReportTarget(TimeEndpoint.TEAM, False, company="acme:acme", team="acme:engineering")
    query = (
        "SELECT worked_on, task, memo, hours, hours_online, hours_offline, charges "
        f"WHERE assignment_ref = '{SENIOR_PYTHON}' AND worked_on >= '2026-07-06' ORDER BY worked_on, task"
    )
    with UnitOfWork(database.engine) as work:
        table = run_time_report(work, owner, team, query, timeout=30)
    assert [tuple(exact(value) for value in row) for row in table.rows] == [
        (dt.date(2026, 7, 6), "", "Imported: API work", Decimal("3.5"), 0, Decimal("3.5"), Decimal("138.25")),
        (dt.date(2026, 7, 7), "ENG-API", "", 8, 0, 8, 316),
        (dt.date(2026, 7, 7), "ENG-BUGS", "a quick fix", Decimal("0.25"), 0, Decimal("0.25"), Decimal("9.88")),
    ]

    provider = user(database, "jwalker")
    own = TimeReportTarget(TimeEndpoint.PROVIDER, False, provider="jwalker")
    weekly = "SELECT week_worked_on, sum(hours) WHERE worked_on >= '2026-06-22' GROUP BY week_worked_on"
    with UnitOfWork(database.engine) as work:
        weeks = run_time_report(work, provider, own, weekly, timeout=30)
    hours = {row[0]: exact(row[1]) for row in weeks.rows}
    assert hours[dt.date(2026, 6, 22)] == 40
    assert hours[dt.date(2026, 7, 6)] == Decimal("11.75")
    # earnings = charges less the 10% fee, rounded per time log as the demo's are (the
    # provider report shows no money: the stored rows are what the earnings reports bill)
    with database.session() as session:
        earned = session.scalar(
            sa.select(sa.func.sum(TimeLog.earnings_online + TimeLog.earnings_offline))
            .join(Engagement, Engagement.id == TimeLog.engagement_id)
            .where(Engagement.reference == SENIOR_PYTHON, TimeLog.worked_on >= dt.date(2026, 7, 6))
        )
    assert exact(earned) == Decimal("124.43") + Decimal("284.40") + Decimal("8.89")


# --------------------------------------------------------------------------
# Every rule: the errors name their line and column, and nothing is written

ERROR_CASES = [
    ("bad date", [f"{SENIOR_PYTHON},2026-07-32,2,,"], [(2, "date", "must be a date YYYY-MM-DD, got '2026-07-32'")]),
    ("date not ISO", [f"{SENIOR_PYTHON},07/06/2026,2,,"], [(2, "date", "must be a date YYYY-MM-DD")]),
    ("unknown contract", ["9999999,2026-07-06,2,,"], [(2, "contract", "no contract has the reference 9999999")]),
    ("contract not a number", ["abc,2026-07-06,2,,"], [(2, "contract", "must be a contract reference, got 'abc'")]),
    ("fixed-price contract", ["4000020,2026-07-06,2,,"], [(2, "contract", "contract 4000020 is fixed-price")]),
    ("future date", [f"{SENIOR_PYTHON},2026-08-01,2,,"], [(2, "date", "2026-08-01 is in the future")]),
    ("before the start", ["4000019,2026-03-26,2,,"], [(2, "date", "is before contract 4000019 started (2026-03-27)")]),
    ("after the end", ["4000003,2026-06-24,2,,"], [(2, "date", "is after contract 4000003 ended (2026-06-23)")]),
    (
        "bad hours",
        [
            f"{SENIOR_PYTHON},2026-07-{day:02},{hours},,"
            for day, hours in enumerate(("0", "24.01", "1.234", "x", "-1"), start=6)
        ],
        [(line, "hours", "must be a number of hours above 0 and at most 24") for line in range(2, 7)],
    ),
    (
        "over the weekly limit",
        [f"{SENIOR_PYTHON},2026-07-{day:02},8.5,," for day in range(6, 11)],
        [(6, "hours", "week of 2026-07-06 to 42.5 hours, over its weekly limit of 40.00 (34.0 logged before")],
    ),
    (
        "over the weekly limit with the time already logged",
        [f"{SENIOR_PYTHON},2026-06-27,17.68,,"],
        [(2, "hours", "to 40.01 hours, over its weekly limit of 40.00 (22.33 logged before")],
    ),
    ("unknown task", [f"{SENIOR_PYTHON},2026-07-06,2,NOPE,"], [(2, "task", "'NOPE' is not an activity assigned")]),
    ("task not assigned", [f"{SENIOR_PYTHON},2026-07-06,2,ENG-DOCS,"], [(2, "task", "'ENG-DOCS' is not an activity")]),
    (
        "repeated row",
        [f"{SENIOR_PYTHON},2026-07-06,2,ENG-API,", f"{SENIOR_PYTHON},2026-07-06,1,ENG-API,"],
        [(3, None, "repeats line 2 (contract 4000001 on 2026-07-06 for task 'ENG-API' with no memo)")],
    ),
    (
        "time already logged",
        [f"{SENIOR_PYTHON},2026-06-22,1,ENG-BUGS,Wrote API documentation"],
        [
            (
                2,
                None,
                "contract 4000001 on 2026-06-22 for task 'ENG-BUGS' with the memo 'Wrote API documentation' "
                "already has a time log",
            )
        ],
    ),
    ("wrong field count", [f"{SENIOR_PYTHON},2026-07-06,2"], [(2, None, "has 3 fields, the header has 5")]),
    ("only a header", [], [(1, None, "no time logs after the header")]),
    (
        "errors everywhere, good rows too",
        [f"{SENIOR_PYTHON},2026-07-06,2,,", "", "9999999,2026-07-07,1,,", f"{SENIOR_PYTHON},2026-07-08,25,,"],
        [(4, "contract", "no contract"), (5, "hours", "must be a number of hours")],
    ),
]


@pytest.mark.parametrize(
    "rows, expected", [pytest.param(rows, expected, id=name) for name, rows, expected in ERROR_CASES]
)
def test_each_error_names_its_line_and_writes_nothing(database: Database, rows, expected) -> None:
    before = count_logs(database)
    with pytest.raises(timelogs.TimeImportRefused) as refused:
        load(database, csv_text(*rows))
    errors = refused.value.errors
    assert [(e.line, e.column) for e in errors] == [(line, column) for line, column, _ in expected]
    for error, (_line, _column, fragment) in zip(errors, expected):
        assert fragment in error.message, str(error)
    assert count_logs(database) == before


HEADER_CASES = [
    ("missing column", "contract,date,task", (1, "hours", "missing column")),
    ("unknown column", "contract,date,hours,minutes", (1, "minutes", "unknown column")),
    ("column twice", "contract,date,hours,date", (1, "date", "the column is named twice")),
    ("empty file", "", (1, None, "the file is empty")),
]


@pytest.mark.parametrize("header, expected", [pytest.param(h, e, id=name) for name, h, e in HEADER_CASES])
def test_a_bad_header_is_the_only_error(database: Database, header: str, expected) -> None:
    text = csv_text(f"{SENIOR_PYTHON},2026-07-06,2", header=header) if header else ""
    with pytest.raises(timelogs.TimeImportRefused) as refused:
        load(database, text)
    (error,) = refused.value.errors
    assert (error.line, error.column) == expected[:2] and expected[2] in error.message


def test_a_header_in_any_order_and_case_and_blank_lines(database: Database) -> None:
    text = f"\ufeffHours , Contract,DATE\r\n\r\n2,{SENIOR_PYTHON},2026-07-06\r\n\r\n1.5,{SENIOR_PYTHON},2026-07-07\r\n"
    planned = load(database, text)
    assert [(row.line, row.hours, row.task, row.memo) for row in planned.rows] == [
        (3, Decimal(2), "", ""),
        (5, Decimal("1.5"), "", ""),
    ]


def test_a_multiline_memo_keeps_the_line_numbers(database: Database) -> None:
    text = csv_text(f'{SENIOR_PYTHON},2026-07-06,2,,"two\nlines"', f"{SENIOR_PYTHON},2026-07-66,1,,")
    with pytest.raises(timelogs.TimeImportRefused) as refused:
        load(database, text)
    assert [str(e) for e in refused.value.errors] == [
        "line 4, column date: must be a date YYYY-MM-DD, got '2026-07-66'"
    ]


# --------------------------------------------------------------------------
# A large file

# Contracts without a weekly limit, and the team their activities come from.
UNLIMITED = {
    4000010: "acme:mobile",
    4000012: "acme:engineering",
    4000035: "acme:engineering",
    4000007: "acme:marketing",
}
LARGE_TASKS = ("", "IMP-1", "IMP-2", "IMP-3", "IMP-4", "IMP-5")


def large_file(database: Database, size: int) -> str:
    """``size`` rows of a quarter hour on the unlimited contracts, each day and task once (tasks assigned here)."""
    rows: list[str] = []
    with database.session() as session:
        for reference, team_key in UNLIMITED.items():
            team = session.scalars(sa.select(Team).where(Team.team_id == team_key)).one()
            contract = session.scalars(sa.select(Engagement).where(Engagement.reference == reference)).one()
            for code in LARGE_TASKS[1:]:
                activity = session.scalars(sa.select(Activity).filter_by(team_id=team.id, code=code)).first()
                if activity is None:
                    activity = Activity(company_id=team.company_id, team_id=team.id, code=code, description=code)
                    session.add(activity)
                    session.flush()
                session.add(ActivityAssignment(activity_id=activity.id, engagement_id=contract.id))
            day = contract.started_on
            while day <= TODAY:
                rows.extend(f"{reference},{day},0.25,{task},imported" for task in LARGE_TASKS)
                day += dt.timedelta(days=1)
    assert len(rows) >= size
    return csv_text(*rows[:size])


def test_ten_thousand_rows_load_in_seconds(database: Database) -> None:
    text = large_file(database, 10_000)
    before = count_logs(database)
    steps: list[tuple[str, int, int]] = []
    started = time.perf_counter()
    with database.session() as session:
        planned = timelogs.plan_import(session, text, today=TODAY, progress=lambda *step: steps.append(step))
        timelogs.write_time_logs(session, planned, lambda *step: steps.append(step))
    elapsed = time.perf_counter() - started
    print(f"10,000 rows checked and written in {elapsed:.2f}s")
    assert count_logs(database) == before + 10_000
    assert planned.hours == 2500
    assert steps[0] == ("checking", 0, 10_000) and steps[-1] == ("writing", 10_000, 10_000)
    assert elapsed < 30


# --------------------------------------------------------------------------
# The command


def odesk_server(url: str, *argv: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    script = str(Path(sys.executable).with_name("odesk-server"))
    return subprocess.run(
        [script, "--database-url", url, *argv], input=stdin, capture_output=True, text=True, timeout=120
    )


def test_the_command_loads_checks_and_refuses(database: Database, tmp_path: Path) -> None:
    url = database.engine.url.render_as_string(hide_password=False)
    good = tmp_path / "good.csv"
    good.write_text(csv_text(f"{SENIOR_PYTHON},2026-07-06,3.5,,", f"{SENIOR_PYTHON},2026-07-07,8,ENG-API,"))
    before = count_logs(database)

    dry = odesk_server(url, "import", "time", str(good), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines() == [
        f"Checked 2 time logs from {good}: 11.5 hours, $454.25 charged, on 1 contract.",
        "  contract 4000001 (Senior Python developer): 2 rows, 11.5 hours, $454.25",
        "Nothing was written (--dry-run).",
    ]
    assert count_logs(database) == before

    done = odesk_server(url, "import", "time", str(good))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Loaded 2 time logs from {good}: 11.5 hours")
    assert count_logs(database) == before + 2

    again = odesk_server(url, "import", "time", "-", stdin=good.read_text())
    assert again.returncode == 1
    assert again.stderr.splitlines() == [
        "odesk-server: standard input: line 2: contract 4000001 on 2026-07-06 without a task or memo already has a time log",
        "odesk-server: standard input: line 3: contract 4000001 on 2026-07-07 for task 'ENG-API' with no memo already has a time log",
        "odesk-server: 2 errors in standard input; nothing was written",
    ]
    assert count_logs(database) == before + 2


def test_the_command_shows_the_first_twenty_errors(database: Database, tmp_path: Path) -> None:
    url = database.engine.url.render_as_string(hide_password=False)
    bad = tmp_path / "bad.csv"
    bad.write_text(csv_text(*(f"{SENIOR_PYTHON},2100-01-01,{n},," for n in range(1, 26))))
    done = odesk_server(url, "import", "time", str(bad))
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert len(lines) == 21 and "Traceback" not in done.stderr
    assert lines[0].startswith(f"odesk-server: {bad}: line 2, column date: 2100-01-01 is in the future (today is ")
    assert lines[-1] == f"odesk-server: 25 errors in {bad} (5 more not shown); nothing was written"


@pytest.mark.parametrize(
    "argv, code, message",
    [
        (["import", "time"], 2, "the following arguments are required: FILE.csv"),
        (["import", "time", "/nonexistent/t.csv"], 2, "cannot read '/nonexistent/t.csv': No such file or directory"),
        (["import", "hours", "t.csv"], 2, "invalid choice: 'hours'"),
    ],
)
def test_the_command_line_errors(database: Database, argv: list[str], code: int, message: str) -> None:
    done = odesk_server(database.engine.url.render_as_string(hide_password=False), *argv)
    assert done.returncode == code and message in done.stderr and "Traceback" not in done.stderr


def test_the_command_shows_progress_on_a_large_file(database: Database) -> None:
    url = database.engine.url.render_as_string(hide_password=False)
    done = odesk_server(url, "import", "time", "-", "--dry-run", stdin=large_file(database, 1500))
    assert done.returncode == 0, done.stderr
    progress = done.stderr.splitlines()
    assert progress[0] == f"checking [{'.' * 30}] 0/1500 rows"
    assert progress[-1] == f"checking [{'#' * 30}] 1500/1500 rows"
    assert "Checked 1500 time logs" in done.stdout
