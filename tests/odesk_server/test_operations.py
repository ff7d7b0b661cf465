"""Operations: ``/healthz``, ``/readyz`` and the access log, through the real app on real databases.

Requests go to ``create_app`` over ASGI (``httpx.ASGITransport``), on SQLite
and PostgreSQL: a migrated database, one taken back to an older revision, one
at a revision the server does not know, an unreachable one (a path in a
missing directory, a closed port) and, on PostgreSQL, one whose schema table
is locked. The access log is read from the ``odesk_server.access`` logger.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from urllib.parse import quote

import httpx
import psycopg
import pytest
import sqlalchemy as sa
from starlette.routing import Route

from odesk_server import access_log, db, errors
from odesk_server.api import health
from odesk_server.app import create_app
from odesk_server.db import ConnectionLimits, Database
from odesk_server.settings import Settings
from tests.db_locks import unreachable_url
from tests.odesk_server.oauth_signing import BASE, consumer_signer

HEAD = db.head_revision()
ME = "/api/hr/v2/users/me.json"
LINE = re.compile(
    r"method=(?P<method>\S+) path=(?P<path>\S+) status=(?P<status>\d+) duration_ms=(?P<duration>\d+\.\d)"
    r" request_id=(?P<request_id>[A-Za-z0-9._:-]{1,64}) client=(?P<client>\S+)"
)
GENERATED_ID = re.compile(r"[0-9a-f]{16}")


def _serve(
    url: str,
    requests: list[tuple[str, str, dict[str, str]]],
    *,
    then: Callable[[], None] | None = None,
    **limits: object,
) -> list[httpx.Response]:
    """Send ``(method, path, headers)`` requests in turn to a fresh app over ``url``; the responses.

    ``then`` runs once the last answer is in, before the event loop waits for work still under way.
    """
    database = Database(url, ConnectionLimits(**limits))  # type: ignore[arg-type]
    app = create_app(Settings(database_url=url), database=database)

    async def scenario() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
            answers = [await client.request(method, path, headers=headers) for method, path, headers in requests]
        if then is not None:
            then()
        return answers

    try:
        return asyncio.run(scenario())
    finally:
        database.dispose()


def _access_lines(caplog) -> list[re.Match[str]]:
    lines = [record.getMessage() for record in caplog.records if record.name == access_log.LOGGER_NAME]
    matches = [LINE.fullmatch(line) for line in lines]
    assert all(matches), lines
    return matches  # type: ignore[return-value]


# --------------------------------------------------------------------------
# /healthz: the process is up, whatever the database does


@pytest.mark.parametrize("reachable", [True, False], ids=["database up", "database unreachable"])
def test_healthz_is_200_without_oauth_whatever_the_database(database_kind, database_url, tmp_path, reachable):
    url = database_url if reachable else unreachable_url(database_kind, tmp_path, credentials="odesk:s3cret-password")
    get, head = _serve(url, [("GET", "/healthz", {}), ("HEAD", "/healthz", {})])
    assert (get.status_code, get.json()) == (200, {"status": "ok"})
    assert get.headers["content-type"] == "application/json"
    assert (head.status_code, head.content) == (200, b"")


# --------------------------------------------------------------------------
# /readyz: reachable, and the schema at the newest revision


def _at_revision(url: str, revision: str | None) -> str:
    """``url``'s database at ``revision`` (None: never migrated; "unknown": a revision of a newer release)."""
    if revision is None:
        return url
    db.migrate(url)
    if revision == "unknown":
        with db.engine_for(url) as engine, engine.begin() as connection:
            connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    elif revision != HEAD:
        db.downgrade(url, revision)
    return url


READINESS = [
    # (schema revision of the database, status, body)
    (HEAD, 200, {"status": "ready", "schema_revision": HEAD}),
    (
        "0002",
        503,
        {
            "status": "not_ready",
            "problem": "schema_behind",
            "message": f"The database schema is at revision 0002; this server needs {HEAD}: run `odesk-server init`",
            "schema_revision": "0002",
            "head_revision": HEAD,
        },
    ),
    (
        None,
        503,
        {
            "status": "not_ready",
            "problem": "schema_behind",
            "message": f"The database schema is at revision none (an empty database); this server needs {HEAD}: "
            "run `odesk-server init`",
            "schema_revision": None,
            "head_revision": HEAD,
        },
    ),
    (
        "unknown",
        503,
        {
            "status": "not_ready",
            "problem": "schema_unknown",
            "message": "The database schema is at revision 9999_from_the_future, which this server does not know "
            f"(its newest is {HEAD})",
            "schema_revision": "9999_from_the_future",
            "head_revision": HEAD,
        },
    ),
]


@pytest.mark.parametrize(("revision", "status", "body"), READINESS, ids=["head", "behind", "empty", "unknown"])
def test_readyz_compares_the_schema_revision_with_the_newest(database_url, revision, status, body):
    url = _at_revision(database_url, revision)
    get, head = _serve(url, [("GET", "/readyz", {}), ("HEAD", "/readyz", {})])
    assert (get.status_code, get.json()) == (status, body)
    assert (head.status_code, head.content) == (status, b"")
    if status == 503:
        assert get.headers["retry-after"] == head.headers["retry-after"] == health.SCHEMA_RETRY_AFTER
    else:
        assert "retry-after" not in get.headers


def test_readyz_of_an_unreachable_database_is_503_and_names_no_address(database_kind, tmp_path, caplog, monkeypatch):
    monkeypatch.setattr(errors, "failures", errors.FailureLog(logging.getLogger("odesk_server")))
    url = unreachable_url(database_kind, tmp_path, credentials="odesk:s3cret-password")
    with caplog.at_level(logging.INFO):
        first, during_the_window = _serve(url, [("GET", "/readyz", {}), ("GET", "/readyz", {})], retry_after=30)
    expected = {"status": "not_ready", "problem": "database_unreachable", "message": "The database is unreachable"}
    for answer in (first, during_the_window):
        assert (answer.status_code, answer.json()) == (503, expected)
        for secret in ("s3cret", "odesk.db", "127.0.0.1", "directory"):
            assert secret not in answer.text
    assert first.headers["retry-after"] == "30"
    assert 1 <= int(during_the_window.headers["retry-after"]) <= 30
    # The operator learns why from the log; the password is not in it either.
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "503 GET /readyz: the database is unreachable" in logged
    assert "s3cret" not in logged


BUSY_MESSAGES = [
    # (the app's pool timeout, the message of the probe that finds no turn)
    (0.2, "The server is busy: no database connection came free within 0.2 seconds; retry later"),
    (5.0, "No database turn came free within 0.5 seconds"),
]


@pytest.mark.postgres
@pytest.mark.parametrize(("pool_timeout", "busy_message"), BUSY_MESSAGES)
def test_readyz_answers_within_its_bound_when_the_database_hangs(
    new_database_url, monkeypatch, pool_timeout, busy_message
):
    """A schema table locked by someone else: the probe answers 503 in time, and the next finds no turn."""
    url = new_database_url("postgresql")
    db.migrate(url)
    monkeypatch.setattr(health, "READINESS_TIMEOUT", 0.5)
    libpq = sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    requests = [("GET", "/readyz", {}), ("GET", "/readyz", {})]
    with psycopg.connect(libpq) as locker:
        locker.execute("LOCK TABLE alembic_version IN ACCESS EXCLUSIVE MODE")
        try:
            # The lock goes before the app stops: its abandoned check finishes then.
            hung, busy = _serve(url, requests, then=locker.rollback, pool_size=1, pool_timeout=pool_timeout)
        finally:
            locker.rollback()
    assert (hung.status_code, hung.json()) == (
        503,
        {
            "status": "not_ready",
            "problem": "database_unreachable",
            "message": "The database did not answer within 0.5 seconds",
        },
    )
    assert hung.headers["retry-after"] == "2"  # ConnectionLimits.retry_after
    assert (busy.status_code, busy.json(), busy.headers["retry-after"]) == (
        503,
        {"status": "not_ready", "problem": "server_busy", "message": busy_message},
        "1",
    )


# --------------------------------------------------------------------------
# The access log


def test_the_access_log_line_of_a_signed_request_holds_no_oauth_parameter(demo_database, caplog):
    url, credentials = demo_database
    signer = consumer_signer(credentials, "owner", placement="query")
    signed, headers, _body = signer.sign("GET", "/api/hr/v2/teams.json", {"tq": "x" * 1000, "full": "true"})
    sent = httpx.QueryParams(httpx.URL(signed).query.decode())
    secrets = [sent[name] for name in ("oauth_signature", "oauth_token", "oauth_nonce", "oauth_consumer_key")]
    with caplog.at_level(logging.INFO, logger=access_log.LOGGER_NAME):
        (answer,) = _serve(url, [("GET", signed[len(BASE) :], headers)])
    assert answer.status_code == 200, answer.text
    (line,) = _access_lines(caplog)
    assert (line["method"], line["status"], line["client"]) == ("GET", "200", "127.0.0.1")
    assert line["request_id"] == answer.headers["x-request-id"]
    assert GENERATED_ID.fullmatch(line["request_id"])
    # The path and what is left of the query, cut short; no OAuth name or value anywhere in the line.
    assert line["path"] == "/api/hr/v2/teams.json?" + ("tq=" + "x" * 1000)[: access_log.MAX_LOGGED_QUERY] + "..."
    assert "oauth" not in line.string.lower()
    for value in secrets:
        assert value not in line.string and quote(value, safe="") not in line.string


REQUEST_IDS = [
    # (X-Request-Id sent, echoed: the same one, or a new one)
    ("req-42.a_b:c", "same"),
    ("A" * 64, "same"),
    ("A" * 65, "new"),
    ("", "new"),
    ("two words", "new"),
    ("<script>alert(1)</script>", "new"),
    ("id\tand=tab", "new"),
    ("caf\u00e9".encode(), "new"),  # bytes outside ASCII
]


@pytest.mark.parametrize(("sent", "echoed"), REQUEST_IDS)
def test_a_sane_request_id_is_kept_and_any_other_replaced(migrated_database_url, caplog, sent, echoed):
    with caplog.at_level(logging.INFO, logger=access_log.LOGGER_NAME):
        (answer,) = _serve(migrated_database_url, [("GET", "/healthz", {"X-Request-Id": sent})])
    request_id = answer.headers["x-request-id"]
    if echoed == "same":
        assert request_id == sent
    else:
        assert GENERATED_ID.fullmatch(request_id), request_id
    (line,) = _access_lines(caplog)
    assert (line["path"], line["status"], line["request_id"]) == ("/healthz", "200", request_id)


def test_every_answer_is_logged_with_its_status_even_an_unexpected_failure(migrated_database_url, caplog):
    database = Database(migrated_database_url)
    app = create_app(Settings(database_url=migrated_database_url), database=database)

    async def broken(_request):
        raise RuntimeError("a bug")

    app.router.routes.append(Route("/broken", broken))

    async def scenario() -> list[httpx.Response]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
            return [await client.get("/broken"), await client.get("/api/nothing.json?oauth_token=T&a=1")]

    try:
        with caplog.at_level(logging.INFO, logger=access_log.LOGGER_NAME):
            broken_answer, unknown = asyncio.run(scenario())
    finally:
        database.dispose()
    assert (broken_answer.status_code, unknown.status_code) == (500, 404)
    lines = _access_lines(caplog)
    assert [(line["path"], line["status"], line["request_id"]) for line in lines] == [
        ("/broken", "500", broken_answer.headers["x-request-id"]),
        ("/api/nothing.json?a=1", "404", unknown.headers["x-request-id"]),
    ]


LOGGED_TARGETS = [
    # (raw path, query string) -> logged path
    ((b"/api/hr/v2/teams.json", b""), "/api/hr/v2/teams.json"),
    ((b"/api/hr/v2/teams.json", b"oauth_token=T&oauth_signature=S"), "/api/hr/v2/teams.json"),
    ((b"/gds/x", b"tq=SELECT%20a&OAuth_Nonce=N&oauth%5Fsignature=S&oauth+x=1"), "/gds/x?tq=SELECT%20a&oauth+x=1"),
    ((b"/a", b"x=1&&oauth_verifier=V&y"), "/a?x=1&&y"),
    # Nothing that could break a line or a logfmt field: spaces, quotes, control and non-ASCII bytes.
    ((b"/evil\n200 GET /forged", b'q=a b"c\\d\r'), "/evil%0A200%20GET%20/forged?q=a%20b%22c%5Cd%0D"),
    ((b"/caf\xc3\xa9", b""), "/caf%C3%A9"),
    ((b"/" + b"p" * 300, b""), "/" + "p" * (access_log.MAX_LOGGED_PATH - 1) + "..."),
    ((b"/q", b"tq=" + b"s" * 400), "/q?tq=" + "s" * (access_log.MAX_LOGGED_QUERY - 3) + "..."),
]


@pytest.mark.parametrize(("request_target", "logged"), LOGGED_TARGETS)
def test_the_logged_path_drops_oauth_parameters_and_escapes_what_could_forge_a_line(request_target, logged):
    assert access_log.logged_target(*request_target) == logged


def test_serve_prints_the_access_log_on_stdout_beside_uvicorns_config():
    base = {"version": 1, "handlers": {"default": {}}, "loggers": {"uvicorn": {"handlers": ["default"]}}}
    config = access_log.serve_log_config(base)
    assert config["loggers"]["uvicorn"] == base["loggers"]["uvicorn"] and "odesk_access" not in base["handlers"]
    assert config["loggers"][access_log.LOGGER_NAME] == {
        "handlers": ["odesk_access"],
        "level": "INFO",
        "propagate": False,
    }
    assert config["handlers"]["odesk_access"]["stream"] == "ext://sys.stdout"
