"""The ASGI application: ``create_app(settings)`` wires settings, database, OAuth and routers.

Request pipeline (outermost first):

1. ``CompatMiddleware`` (``odesk_server.compat``): path suffix, ``http_method``
   override, ``/gds`` aliases; keeps the URL as sent for OAuth;
2. routing to an endpoint of ``odesk_server.api.*`` or ``odesk_server.web``;
3. the endpoint's dependencies (``odesk_server.api.deps``): ``authenticated``
   verifies the OAuth signature, ``db_session`` opens the session;
4. the endpoint renders its payload (``odesk_server.api.responses``);
5. any ``ApiError`` or framework error becomes the JSON error response with
   the ``X-Odesk-Error-*`` headers (``odesk_server.errors``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from odesk_server.api import auth as auth_api
from odesk_server.api import gds as gds_api
from odesk_server.api import hr as hr_api
from odesk_server.compat import CompatMiddleware
from odesk_server.db import Database
from odesk_server.errors import install_error_handlers
from odesk_server.oauth import OAuthProvider
from odesk_server.settings import Settings
from odesk_server.web import authorize as authorize_page


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    """The server application for ``settings`` (default: ``Settings.from_env()``).

    ``database`` shares an existing ``Database`` (tests, the bench); by
    default the app makes its own from ``settings.database_url`` and disposes
    of it at shutdown. The schema must already be migrated (``odesk-server
    init`` / ``serve`` do that). The app state holds ``settings``,
    ``database`` and ``oauth`` (the ``OAuthProvider``).
    """
    settings = settings or Settings.from_env()
    owns_database = database is None
    database = database or Database(settings.database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
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
    # First: the HR routes are the hot ones, and routes are matched in order.
    hr_api.install(app)
    app.include_router(auth_api.router)
    app.include_router(gds_api.router)
    app.include_router(authorize_page.router)
    app.add_middleware(CompatMiddleware)
    return app
