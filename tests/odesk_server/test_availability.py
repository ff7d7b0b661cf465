"""One request must never stall the server: the event loop, the database turn, outages, logs.

Requests go to the real app (``create_app``) over ASGI, several at once on one
event loop, against the demo database on SQLite and PostgreSQL. A database
write lock taken by the test stands for a slow or stuck database: every
signed request stores its OAuth nonce, so it waits on that lock. The tests
check the order in which answers arrive, never how long they took.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time

import httpx
import pytest
import sqlalchemy as sa
from starlette.responses import Response

from odesk_server import errors
from odesk_server.app import create_app
from odesk_server.db import ConnectionLimits, Database, DatabaseHealth, DatabaseUnavailable
from odesk_server.errors import FailureLog, is_database_fault
from odesk_server.settings import Settings, SettingsError
from tests.db_locks import nonces_locked, unreachable_url
from tests.odesk_server.oauth_signing import BASE, assert_error, consumer_signer

ME = "/api/hr/v2/users/me.json"
TEAM_REPORT = "/gds/timereports/v1/companies/acme:acme/teams/acme:engineering"


def _app(url: str, **settings: object):
    settings_ = Settings(database_url=url, **settings)
    database = Database(url, settings_.connection_limits)
    return create_app(settings_, database=database), database


async def _signed_get(client: httpx.AsyncClient, credentials, path: str, role: str = "owner", **params: str):
    url, headers, _body = consumer_signer(credentials, role).sign("GET", path, params or None)
    return await client.get(url, headers=headers)


async def _until_started(tasks: list[asyncio.Task], rounds: int = 20) -> None:
    # Let the requests reach their worker threads (a few loop turns and a short pause).
    for _ in range(rounds):
        await asyncio.sleep(0.01)
    assert not any(task.done() for task in tasks), [task.result() for task in tasks if task.done()]


def _client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url=BASE)


# --------------------------------------------------------------------------
# The event loop never waits on the database


def test_requests_without_the_database_are_answered_while_the_database_is_stuck(mutable_demo_database):
    url, credentials = mutable_demo_database
    app, database = _app(url)

    async def scenario() -> None:
        async with _client(app) as client:
            with nonces_locked(url):
                stuck = [
                    asyncio.create_task(_signed_get(client, credentials, path))
                    for path in (ME, "/api/hr/v2/teams.json", TEAM_REPORT)
                ]
                await _until_started(stuck)
                # No database needed: an unknown route, an unsigned call.
                unknown = await client.get("/api/nothing/v1/here.json")
                unsigned = await client.get(ME)
                assert not any(task.done() for task in stuck), "the stuck requests finished before the lock went"
            answers = await asyncio.gather(*stuck)
        assert_error(unknown, 404, "unsupported")
        assert_error(unsigned, 401, "parameter_absent")
        assert [answer.status_code for answer in answers] == [200, 200, 200], [a.text for a in answers]

    try:
        asyncio.run(scenario())
    finally:
        database.dispose()


def test_a_request_that_waits_too_long_for_its_database_turn_is_answered_503(mutable_demo_database):
    url, credentials = mutable_demo_database
    # One turn on the database: the stuck request holds it, the next one waits, then gives up.
    app, database = _app(url, db_pool_size=1, db_pool_timeout=0.2)

    async def scenario() -> None:
        async with _client(app) as client:
            with nonces_locked(url):
                holder = asyncio.create_task(_signed_get(client, credentials, ME))
                await _until_started([holder])
                waiting = await _signed_get(client, credentials, "/api/hr/v2/teams.json")
                assert not holder.done()
            held = await holder
        assert_error(waiting, 503, "server_busy", "no database connection came free within 0.2 seconds")
        assert waiting.headers["retry-after"] == "1"
        assert held.status_code == 200

    try:
        asyncio.run(scenario())
    finally:
        database.dispose()


def test_an_exhausted_connection_pool_is_answered_503_not_a_hang(mutable_demo_database):
    url, credentials = mutable_demo_database
    app, database = _app(url, db_pool_size=1, db_pool_timeout=0.2)

    async def scenario() -> httpx.Response:
        async with _client(app) as client:
            return await _signed_get(client, credentials, ME)

    try:
        # Something else holds the only pooled connection: the request gets its turn, but no connection.
        with database.engine.connect():
            answer = asyncio.run(scenario())
        assert_error(answer, 503, "server_busy", "no database connection came free in time")
        assert answer.headers["retry-after"] == "1"
        after = asyncio.run(scenario())
        assert after.status_code == 200, after.text
    finally:
        database.dispose()


# --------------------------------------------------------------------------
# An unreachable database: fast 503s, no retry storm, recovery


def test_an_unreachable_database_is_answered_503_with_retry_after(
    database_kind, demo_database, tmp_path, caplog, monkeypatch
):
    _url, credentials = demo_database
    monkeypatch.setattr(errors, "failures", FailureLog(logging.getLogger("odesk_server")))
    url = unreachable_url(database_kind, tmp_path)
    settings = Settings(database_url=url)
    limits = ConnectionLimits(retry_after=30)
    database = Database(url, limits)
    attempts: list[int] = []
    sa.event.listen(database.engine, "do_connect", lambda *_args: attempts.append(1))
    app = create_app(settings, database=database)

    async def scenario() -> list[httpx.Response]:
        async with _client(app) as client:
            answers = [await _signed_get(client, credentials, path) for path in (ME, ME, TEAM_REPORT)]
            answers.append(await client.get(ME))  # unsigned: needs no database
            return answers

    try:
        with caplog.at_level(logging.ERROR, logger="odesk_server"):
            first, second, report, unsigned = asyncio.run(scenario())
    finally:
        database.dispose()
    for answer in (first, second, report):
        assert_error(answer, 503, "database_unavailable", "The database is unreachable; retry later")
        assert 1 <= int(answer.headers["retry-after"]) <= 30
    assert_error(unsigned, 401, "parameter_absent")
    # One real attempt: the requests after it were refused without trying again.
    assert len(attempts) == 1
    # One line for the first failure, with its traceback; the refusals after it share one kind and second.
    lines = [record for record in caplog.records if record.name == "odesk_server"]
    assert 1 <= len(lines) <= 2, [record.getMessage() for record in lines]
    assert lines[0].exc_info is not None


def test_database_health_refuses_during_the_window_then_lets_one_probe_through():
    health = DatabaseHealth(retry_after=0.05, probe_time=60)
    health.check()
    health.before_connect()  # healthy: connections go ahead
    health.failed()
    with pytest.raises(DatabaseUnavailable) as refused:
        health.before_connect()
    assert 0 < refused.value.retry_after <= 0.05
    with pytest.raises(DatabaseUnavailable):
        health.check()
    time.sleep(0.06)
    health.check()  # the window is over: a request may go on
    health.before_connect()  # this connection probes...
    with pytest.raises(DatabaseUnavailable):
        health.before_connect()  # ...and the others wait for it
    health.connected()
    health.before_connect()
    health.check()


# --------------------------------------------------------------------------
# Which database errors are the database's fault


def _sqlite_error(tmp_path, make) -> sa.exc.DBAPIError:
    engine = sa.create_engine(f"sqlite:///{tmp_path}/faults.db", connect_args={"timeout": 0})
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS t (x INTEGER)")
            conn.commit()
        make(engine)
    except sa.exc.DBAPIError as error:
        return error
    finally:
        engine.dispose()
    raise AssertionError("no error raised")


def _locked(engine) -> None:
    holder = sqlite3.connect(engine.url.database, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def _sql(text: str):
    def run(engine) -> None:
        with engine.connect() as conn:
            conn.exec_driver_sql(text)

    return run


@pytest.mark.parametrize(
    ("make", "fault"),
    [
        (_locked, True),
        (_sql("SELEKT 1"), False),
        (_sql("SELECT * FROM no_such_table"), False),
        (_sql("INSERT INTO t VALUES (1, 2)"), False),
    ],
    ids=["locked", "syntax", "no-table", "too-many-values"],
)
def test_sqlite_errors_that_are_faults(tmp_path, make, fault):
    assert is_database_fault(_sqlite_error(tmp_path, make)) is fault


@pytest.mark.postgres
def test_postgresql_errors_that_are_faults(new_database_url, tmp_path):
    url = new_database_url("postgresql")
    engine = sa.create_engine(url)
    errors: dict[str, sa.exc.DBAPIError] = {}
    try:
        for name, sql in {
            "syntax": "SELEKT 1",
            "timeout": "SET statement_timeout = 1; SELECT pg_sleep(1)",
            "terminated": "SELECT pg_terminate_backend(pg_backend_pid())",
        }.items():
            try:
                with engine.connect() as conn:
                    conn.exec_driver_sql(sql)
            except sa.exc.DBAPIError as error:
                errors[name] = error
    finally:
        engine.dispose()
    unreachable = sa.create_engine(unreachable_url("postgresql", tmp_path))
    try:
        with pytest.raises(sa.exc.DBAPIError) as refused:
            unreachable.connect()
    finally:
        unreachable.dispose()
    assert {name: is_database_fault(error) for name, error in errors.items()} == {
        "syntax": False,
        "timeout": False,  # the report timeout, answered as such
        "terminated": True,
    }
    assert is_database_fault(refused.value)


# --------------------------------------------------------------------------
# Logs stay bounded; unexpected errors are answered once and logged once


def _records(log: FailureLog, caplog, calls) -> list[logging.LogRecord]:
    with caplog.at_level(logging.ERROR, logger=log.logger.name):
        calls()
    return [record for record in caplog.records if record.name == log.logger.name]


def test_failure_log_writes_one_line_per_interval_and_kind(caplog):
    log = FailureLog(logging.getLogger("odesk_server.test_failures"), line_interval=60, traceback_interval=60)
    error = RuntimeError("database gone")

    def calls() -> None:
        for _ in range(1000):
            log.failure("gone", "503: database gone", error)
        log.failure("other", "500: something else", error)

    records = _records(log, caplog, calls)
    assert [record.getMessage() for record in records] == ["503: database gone", "500: something else"]
    assert all(record.exc_info is not None for record in records)


def test_failure_log_counts_what_it_left_out_and_repeats_tracebacks_rarely(caplog):
    log = FailureLog(logging.getLogger("odesk_server.test_failures"), line_interval=0.02, traceback_interval=60)
    error = RuntimeError("database gone")

    def calls() -> None:
        for _ in range(10):
            log.failure("gone", "503: database gone", error)
        time.sleep(0.03)
        log.failure("gone", "503: database gone", error)

    first, second = _records(log, caplog, calls)
    assert first.getMessage() == "503: database gone" and first.exc_info is not None
    assert second.getMessage() == "503: database gone (9 more like it not logged)"
    assert second.exc_info is None


def test_an_unexpected_error_is_a_json_500_logged_once(demo_database, caplog, monkeypatch):
    url, _credentials = demo_database
    app, database = _app(url)
    # A log of its own: the module's one may have just written this kind of line for another test.
    monkeypatch.setattr(errors, "failures", FailureLog(logging.getLogger("odesk_server")))

    async def explode() -> Response:
        raise RuntimeError("boom")

    app.add_api_route("/api/boom/v1/now", explode)

    async def scenario() -> httpx.Response:
        async with _client(app) as client:
            return await client.get("/api/boom/v1/now")

    try:
        with caplog.at_level(logging.DEBUG):
            answer = asyncio.run(scenario())
    finally:
        database.dispose()
    assert_error(answer, 500, "internal_error", "The server failed to handle this request")
    assert answer.headers["x-content-type-options"] == "nosniff"
    logged = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert [record.getMessage() for record in logged] == ["500 GET /api/boom/v1/now: unhandled RuntimeError: boom"]


# --------------------------------------------------------------------------
# Every response says nosniff


@pytest.mark.parametrize(
    ("path", "signed", "status"),
    [
        (ME, True, 200),
        (ME, False, 401),
        ("/api/nothing/v1/here.json", False, 404),
        (TEAM_REPORT + "?tq=SELECT+hours&tqx=out:csv", True, 200),
        (TEAM_REPORT + "?tq=SELECT+nonsense&tqx=out:csv", True, 400),
        ("/services/api/auth?oauth_token=unknown", False, 404),
    ],
)
def test_every_response_is_marked_nosniff(demo_database, path, signed, status):
    url, credentials = demo_database
    app, database = _app(url)

    async def scenario() -> httpx.Response:
        async with _client(app) as client:
            if not signed:
                return await client.get(path)
            base, _, query = path.partition("?")
            params = dict(pair.split("=", 1) for pair in query.split("&")) if query else {}
            params = {k: v.replace("+", " ") for k, v in params.items()}
            return await _signed_get(client, credentials, base, **params)

    try:
        answer = asyncio.run(scenario())
    finally:
        database.dispose()
    assert answer.status_code == status, answer.text
    assert answer.headers["x-content-type-options"] == "nosniff"


# --------------------------------------------------------------------------
# The settings behind all this


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ODESK_WORKERS", "0"),
        ("ODESK_WORKERS", "65"),
        ("ODESK_WORKERS", "two"),
        ("ODESK_DB_POOL_SIZE", "0"),
        ("ODESK_DB_POOL_SIZE", "1.5"),
        ("ODESK_DB_POOL_TIMEOUT", "-1"),
        ("ODESK_DB_CONNECT_TIMEOUT", "soon"),
        ("ODESK_DB_STATEMENT_TIMEOUT", "0"),
        ("ODESK_SHUTDOWN_TIMEOUT", "nan"),
    ],
)
def test_bad_limits_are_refused_naming_the_variable(variable, value):
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({variable: value})
    assert variable in str(refused.value) or variable.removeprefix("ODESK_").lower() in str(refused.value)


def test_limits_reach_the_database():
    settings = Settings.from_env(
        {"ODESK_DB_POOL_SIZE": "7", "ODESK_DB_POOL_TIMEOUT": "1.5", "ODESK_REPORT_TIMEOUT": "300"}
    )
    limits = settings.connection_limits
    assert (limits.pool_size, limits.pool_timeout) == (7, 1.5)
    # A report may run as long as its own timeout allows, whatever the general statement limit.
    assert limits.statement_timeout == 300
