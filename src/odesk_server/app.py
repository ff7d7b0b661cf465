"""The ASGI application: ``create_app(settings)`` wires settings, database, OAuth and routers.

Request pipeline (outermost first):

0. ``AccessLogMiddleware`` (``odesk_server.access_log``): the request id and
   one access log line per request, without OAuth parameters;
1. ``CompatMiddleware`` (``odesk_server.compat``): path suffix, ``http_method``
   override, ``/gds`` aliases; keeps the URL as sent for OAuth;
2. routing to a declared endpoint (``odesk_server.api.endpoint``: the
   modules of ``API``, in that order) or a page of ``odesk_server.web``;
3. the declared endpoint reads the body and the parameters on the loop,
   then, in a worker thread (``api.deps.run_blocking``), verifies the OAuth
   signature, parses the parameters, opens the request's unit of work,
   checks the access rule and runs the handler;
4. the declaration renders the handler's result (the oDesk envelope in JSON
   or XML, or the endpoint's own renderer);
5. a ``problems.Problem`` becomes its documented error; any ``ApiError`` or
   framework error becomes the JSON error response with
   the ``X-Odesk-Error-*`` headers (``odesk_server.errors``); database
   faults become 503 with ``Retry-After``; ``LastResortMiddleware`` answers
   anything else as a 500 and marks every response ``nosniff``.

No database call runs on the event loop: endpoints do their database work
through ``deps.run_blocking`` (worker threads, at most ``db_pool_size``
requests at once per process).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from odesk_server.access_log import AccessLogMiddleware
from odesk_server.api import (
    auth,
    endpoint,
    gds,
    health,
    hr,
    mc,
    metadata,
    offers,
    openapi,
    profiles,
    providers,
    search,
    tasks,
    team,
    teamrooms,
)
from odesk_server.compat import CompatMiddleware
from odesk_server.db import Database
from odesk_server.errors import LastResortMiddleware, install_error_handlers
from odesk_server.oauth import OAuthProvider
from odesk_server.settings import Settings
from odesk_server.web import authorize as authorize_page
from odesk_server.web import docs as docs_pages
from odesk_server.web import pages as person_pages

# Every declared endpoint, by namespace; the order is the route table's.
API = (
    *hr.APIS,
    offers.api,
    tasks.api,
    team.api,
    teamrooms.api,
    mc.api,
    profiles.api,
    providers.api,
    search.api,
    metadata.api,
    auth.api,
    gds.time_api,
    gds.financial_api,
    health.api,
    openapi.api,
)


def create_app(settings: Settings | None = None, database: Database | None = None, *, serving: bool = False) -> FastAPI:
    """The server application for ``settings`` (default: ``Settings.from_env()``).

    ``database`` shares an existing ``Database`` (tests, the bench); by
    default the app makes its own from ``settings.database_url`` and disposes
    of it at shutdown. The schema must already be migrated (``odesk-server
    init`` / ``serve`` do that). The app state holds ``settings``,
    ``database`` and ``oauth`` (the ``OAuthProvider``). ``serving``: the
    app is a server process's own (``serving_app``), which ends the process
    at shutdown if requests are still stuck after ``shutdown_timeout``.
    """
    settings = settings or Settings.from_env()
    owns_database = database is None
    database = database or Database(settings.database_url, settings.connection_limits)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if serving:
            # The server stops and has given requests in flight their time: a
            # worker thread still stuck in a database call must not keep the
            # process alive (Python waits for such threads at exit).
            exit_when_stuck(min(settings.shutdown_timeout, 3.0))
        if owns_database:
            database.dispose()

    app = FastAPI(
        title="oDesk API (self-hosted)",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.oauth = OAuthProvider(database, timestamp_window=settings.oauth_timestamp_window)

    install_error_handlers(app)
    # Declared endpoints first, the hot HR ones leading: routes are matched in order.
    endpoint.install(app, API)
    openapi.install(app, API)
    # The pages' routes go on the app's own list, like the endpoints' (one matching pass; listed in the API document).
    app.router.routes.extend(authorize_page.router.routes)
    person_pages.install(app)
    docs_pages.install(app)
    app.add_middleware(CompatMiddleware)
    app.add_middleware(LastResortMiddleware)
    # Last added, so outermost: it logs the status the client got and the whole time taken.
    app.add_middleware(AccessLogMiddleware)
    return app


def serving_app() -> FastAPI:
    """The app of one ``odesk-server serve`` process (uvicorn's factory), settings from the environment."""
    return create_app(Settings.from_env(), serving=True)


def exit_when_stuck(grace: float) -> None:
    """End the process ``grace`` seconds from now unless it has ended by then.

    For a stopping server only: a daemon timer, so a process that finishes
    its shutdown in time exits normally and the timer dies with it.
    """

    def force_exit() -> None:
        stuck = [
            t.name for t in threading.enumerate() if t.is_alive() and not t.daemon and t is not threading.main_thread()
        ]
        logging.getLogger("odesk_server").error(
            "shutdown: %d thread(s) still busy after %gs (%s); exiting anyway", len(stuck), grace, ", ".join(stuck)
        )
        sys.stderr.flush()
        os._exit(0)

    timer = threading.Timer(grace, force_exit)
    timer.daemon = True
    timer.start()
