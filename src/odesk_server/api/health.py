"""``/healthz`` and ``/readyz``: what a load balancer or an orchestrator asks the server.

- ``GET /healthz``: the process is up and its event loop answers. Always
  200 ``{"status": "ok"}``; touches no database, needs no OAuth. A failing
  health check means "restart me".
- ``GET /readyz``: this process can serve the API now: its database answers
  and its schema is at the newest migration this server knows. 200
  ``{"status": "ready", "schema_revision": "0003"}``, otherwise 503 with
  ``Retry-After`` and ``{"status": "not_ready", "problem": ..., "message":
  ...}`` (``READINESS_PROBLEMS``). A failing readiness check means "send no
  traffic here for now".

Both answer HEAD too. The readiness check reads the schema revision in a
worker thread (``run_blocking``, so it takes a turn on the database like
any request) and answers within ``READINESS_TIMEOUT`` seconds whatever the
database does; the body never names the database, its address or the
driver's message (those go to the server log, bounded by ``errors.failures``).
"""

from __future__ import annotations

import asyncio
import functools
import threading
from dataclasses import dataclass

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from typing_extensions import TypedDict

from odesk_server import db, errors
from odesk_server.api.endpoint import PUBLIC, Api, Call, Params, Reply, render_json

api = Api("operations", "Health and readiness for load balancers and orchestrators; the API's own description")

# Seconds /readyz waits for the database before it answers 503 anyway.
READINESS_TIMEOUT = 2.0
# Retry-After of a schema problem: someone has to migrate, which takes a while.
SCHEMA_RETRY_AFTER = "5"

READINESS_PROBLEMS = {
    "database_unreachable": "the database cannot be reached, or did not answer within the readiness timeout",
    "database_error": "the database answered the revision query with an error",
    "server_busy": "every database turn of this process is taken",
    "schema_behind": "the schema is older than this server's newest migration (run `odesk-server init`)",
    "schema_unknown": "the schema is at a revision this server does not know (a newer release migrated it)",
}


@dataclass(frozen=True)
class Readiness:
    """The answer of the readiness check: ready, or the ``problem`` (a key of ``READINESS_PROBLEMS``)."""

    problem: str | None
    message: str
    schema_revision: str | None = None
    head_revision: str | None = None
    retry_after: str = SCHEMA_RETRY_AFTER

    def __post_init__(self) -> None:
        assert self.problem is None or self.problem in READINESS_PROBLEMS, self.problem

    def reply(self) -> Reply:
        if self.problem is None:
            return Reply({"status": "ready", "schema_revision": self.schema_revision})
        body: dict[str, object] = {"status": "not_ready", "problem": self.problem, "message": self.message}
        if self.problem.startswith("schema_"):
            body["schema_revision"] = self.schema_revision
            body["head_revision"] = self.head_revision
        return Reply(body, status=503, headers={"Retry-After": self.retry_after})


class Health(TypedDict):
    status: str


class Ready(TypedDict):
    status: str
    schema_revision: str


@api.get("/healthz", access=PUBLIC, render=render_json, returns=Health, head=True, formats=("json",))
async def healthz(_call: Call[Params]) -> Reply:
    """The process is up and its event loop answers: always 200 ``{"status": "ok"}``.

    Touches no database. A failing health check means "restart me".
    """
    return Reply({"status": "ok"})


@api.get(
    "/readyz",
    access=PUBLIC,
    render=render_json,
    returns=Ready,
    head=True,
    formats=("json",),
    errors={503: "not_ready, with Retry-After: problem is one of " + ", ".join(READINESS_PROBLEMS)},
)
async def readyz(call: Call[Params]) -> Reply:
    """This process can serve the API now: its database answers at the newest schema revision.

    A failing readiness check means "send no traffic here for now".
    """
    return (await readiness(call)).reply()


async def readiness(call: Call[Params]) -> Readiness:
    """The readiness of the app serving ``call``, within ``READINESS_TIMEOUT`` seconds.

    The check runs as its own task: when the database does not answer in
    time, the answer goes out and the worker thread finishes (or fails) on
    its own, still holding its database turn, so a hung database ties up
    at most the process's turns, never the event loop.
    """
    database: db.Database = call.state("database")
    started = threading.Event()

    def check_schema() -> Readiness:
        started.set()
        return _schema_readiness(database)

    check = asyncio.ensure_future(call.run_blocking(check_schema))
    check.add_done_callback(_discard_outcome)
    try:
        return await asyncio.wait_for(asyncio.shield(check), READINESS_TIMEOUT)
    except TimeoutError:
        waited = f"{READINESS_TIMEOUT:g}"
        if not started.is_set():  # still waiting for a turn: the process is busy, the database may be fine
            return Readiness("server_busy", f"No database turn came free within {waited} seconds", retry_after="1")
        errors.failures.failure("readiness", f"503 /readyz: no answer from the database within {waited}s")
        return Readiness(
            "database_unreachable",
            f"The database did not answer within {waited} seconds",
            retry_after=db.retry_after_header(database.limits.retry_after),
        )
    except errors.ApiError as busy:  # no database turn came free (run_blocking's server_busy)
        return Readiness("server_busy", busy.message, retry_after=busy.headers.get("Retry-After", "1"))


def _discard_outcome(task: asyncio.Future) -> None:
    # An abandoned check's outcome (or error) is of no use to anyone; fetch it so asyncio does not log it.
    if not task.cancelled():
        task.exception()


@functools.cache
def _known_revisions() -> tuple[str, frozenset[str]]:
    """The newest revision of the package's migrations and every revision it has (read once per process)."""
    known = frozenset(script.revision for script in ScriptDirectory(str(db.MIGRATIONS_DIR)).walk_revisions())
    return db.head_revision(), known


def _schema_readiness(database: db.Database) -> Readiness:
    """Blocking: the schema revision of ``database`` compared with the newest one (a worker thread)."""
    head, known = _known_revisions()
    retry_after = db.retry_after_header(database.limits.retry_after)
    try:
        current = db.current_revision(database.engine)
    except db.DatabaseUnavailable as refused:  # a connection failed a moment ago (already logged)
        wait = db.retry_after_header(refused.retry_after)
        return Readiness("database_unreachable", "The database is unreachable", retry_after=wait)
    except (db.DatabaseError, sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError) as exc:
        errors.failures.failure("readiness", f"503 GET /readyz: the database is unreachable: {db.first_line(exc)}")
        return Readiness("database_unreachable", "The database is unreachable", retry_after=retry_after)
    except sa.exc.DBAPIError as exc:
        errors.failures.failure("readiness", f"503 GET /readyz: the revision query failed: {db.first_line(exc)}", exc)
        return Readiness("database_error", "The database could not tell its schema revision", retry_after=retry_after)
    if current == head:
        return Readiness(None, "ready", schema_revision=current, head_revision=head)
    shown = current or "none (an empty database)"
    if current is None or current in known:
        return Readiness(
            "schema_behind",
            f"The database schema is at revision {shown}; this server needs {head}: run `odesk-server init`",
            schema_revision=current,
            head_revision=head,
        )
    return Readiness(
        "schema_unknown",
        f"The database schema is at revision {current}, which this server does not know (its newest is {head})",
        schema_revision=current,
        head_revision=head,
    )
