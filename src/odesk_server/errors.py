"""Error conventions of the API: every error is JSON, with the oDesk headers.

Historic clients read errors in two ways, and we satisfy both at once:

- python-odesk 0.5.8 looks only at the HTTP status (400/401/403/404 map to
  its exception classes) and builds its message from the response headers
  ``X-Odesk-Error-Code`` and ``X-Odesk-Error-Message``;
- python-upwork 2.1.0 decodes every body as JSON whatever the status, so an
  error body must be JSON too.

The body is ``{"error": {"status": 404, "code": "not_found", "message":
"..."}}``. ``code`` is a short snake_case word; the OAuth failures use the
problem names of the OAuth Problem Reporting extension (``signature_invalid``,
``nonce_used``, ``timestamp_refused``, ``consumer_key_unknown``, ...).

When the database cannot serve a request (unreachable, or every connection
busy for longer than the pool timeout), the answer is 503 with a
``Retry-After`` header: ``database_unavailable`` or ``server_busy``. Such
failures, and unexpected ones (500 ``internal_error``), are logged one line
each, at most one line a second per kind of failure (the others counted in
the next line), and with a traceback at most once a minute per kind
(``FailureLog``), so an outage cannot fill the disk with logs.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from http import HTTPStatus

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from odesk_server.db import DatabaseUnavailable, first_line, retry_after_header

log = logging.getLogger("odesk_server")

ERROR_CODE_HEADER = "X-Odesk-Error-Code"
ERROR_MESSAGE_HEADER = "X-Odesk-Error-Message"

# Default codes for statuses raised by the framework itself (unknown route,
# wrong verb) rather than by our code. A 404 from the framework means the
# server has no such route: ``unsupported``, so a client can tell a wrong URL
# from an object it may not see (``not_found``, raised by the endpoints).
_CODE_FOR_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "access_denied",
    404: "unsupported",
    405: "method_not_allowed",
    413: "request_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
    500: "internal_error",
    503: "service_unavailable",
}


class ApiError(Exception):
    """An error the API reports to the client.

    ``status`` is the HTTP status, ``code`` a short snake_case word that
    goes to ``X-Odesk-Error-Code`` and ``error.code``, ``message`` a human
    sentence naming what was wrong (``X-Odesk-Error-Message``,
    ``error.message``). ``headers`` adds response headers (e.g.
    ``WWW-Authenticate``).
    """

    def __init__(self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})

    def __repr__(self) -> str:
        return f"ApiError({self.status}, {self.code!r}, {self.message!r})"


def bad_request(message: str, code: str = "bad_request") -> ApiError:
    """A 400 error (``bad_request`` unless another code is given)."""
    return ApiError(400, code, message)


def header_safe(text: str, limit: int = 300) -> str:
    """``text`` made fit for an HTTP header value: printable ASCII on one line, at most ``limit`` chars."""
    cleaned = "".join(ch if " " <= ch <= "~" else "?" for ch in " ".join(text.split()))
    return cleaned[:limit]


def error_headers(code: str, message: str) -> dict[str, str]:
    """The ``X-Odesk-Error-Code`` / ``X-Odesk-Error-Message`` headers for an error."""
    return {ERROR_CODE_HEADER: header_safe(code, 64), ERROR_MESSAGE_HEADER: header_safe(message)}


def error_body(status: int, code: str, message: str) -> dict[str, object]:
    """The JSON body of an error response."""
    return {"error": {"status": status, "code": code, "message": message}}


def error_response(status: int, code: str, message: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    """A complete JSON error response: status, body and the oDesk error headers."""
    all_headers = error_headers(code, message)
    if headers:
        all_headers.update(headers)
    return JSONResponse(error_body(status, code, message), status_code=status, headers=all_headers)


def response_for(error: ApiError) -> JSONResponse:
    """The response that reports ``error``."""
    return error_response(error.status, error.code, error.message, error.headers)


async def _api_error_handler(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return response_for(exc)


def _path(request: Request) -> str:
    # The path as the client sent it, suffix included (the router saw it without).
    return getattr(request.state, "original_path", request.url.path)


async def _http_exception_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    code = _CODE_FOR_STATUS.get(status, "error")
    if status == 404:
        message = f"No such resource: {request.method} {_path(request)}"
    elif status == 405:
        message = f"Method {request.method} is not allowed on {_path(request)}"
    elif isinstance(exc.detail, str) and exc.detail:
        message = exc.detail
    else:
        message = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    return error_response(status, code, message, getattr(exc, "headers", None))


async def _validation_error_handler(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = []
    for item in exc.errors():
        where = ".".join(str(part) for part in item.get("loc", ()) if part not in ("query", "path", "body"))
        problems.append(f"{where or 'request'}: {item.get('msg', 'invalid value')}")
    return error_response(400, "bad_request", "Invalid request parameters: " + "; ".join(problems))


class FailureLog:
    """Logs failures of one kind (``key``) as single lines, bounded in rate.

    At most one line per ``line_interval`` seconds per key (the failures in
    between are counted in the next line) and a traceback at most once per
    ``traceback_interval`` seconds per key. Thread-safe.
    """

    def __init__(self, logger: logging.Logger, line_interval: float = 1.0, traceback_interval: float = 60.0) -> None:
        self.logger = logger
        self.line_interval = line_interval
        self.traceback_interval = traceback_interval
        self._lock = threading.Lock()
        self._last_line: dict[str, float] = {}
        self._last_traceback: dict[str, float] = {}
        self._suppressed: dict[str, int] = {}

    def failure(self, key: str, message: str, exc: BaseException | None = None) -> None:
        """Log ``message`` (with ``exc``'s traceback when one is due), unless a line of ``key`` just went out."""
        now = time.monotonic()
        with self._lock:
            if now - self._last_line.get(key, -self.line_interval) < self.line_interval:
                self._suppressed[key] = self._suppressed.get(key, 0) + 1
                return
            self._last_line[key] = now
            suppressed = self._suppressed.pop(key, 0)
            with_traceback = exc is not None and (
                now - self._last_traceback.get(key, -self.traceback_interval) >= self.traceback_interval
            )
            if with_traceback:
                self._last_traceback[key] = now
        if suppressed:
            message = f"{message} ({suppressed} more like it not logged)"
        self.logger.error("%s", message, exc_info=exc if with_traceback else None)


failures = FailureLog(log)


def _database_unavailable(retry_after: float) -> JSONResponse:
    return error_response(
        503,
        "database_unavailable",
        "The database is unreachable; retry later",
        {"Retry-After": retry_after_header(retry_after)},
    )


async def _unreachable_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DatabaseUnavailable)
    failures.failure("database_unavailable", f"503 {request.method} {_path(request)}: {exc}")
    return _database_unavailable(exc.retry_after)


async def _pool_timeout_handler(request: Request, exc: Exception) -> Response:
    # SQLAlchemy's pool ran dry for longer than its timeout (the request gate normally prevents it).
    failures.failure("server_busy", f"503 {request.method} {_path(request)}: {first_line(exc)}")
    return error_response(
        503,
        "server_busy",
        "The server is busy: no database connection came free in time; retry later",
        {"Retry-After": "1"},
    )


# PostgreSQL error classes that say the server cannot serve now, whatever the query:
# connection exception, insufficient resources, operator intervention (shutdown,
# but not 57014, a cancelled statement: the report timeout), system error.
_POSTGRESQL_FAULT_CLASSES = ("08", "53", "57", "58")
# SQLite result codes of the same kind: busy or locked past the busy timeout, cannot open, I/O, full.
_SQLITE_FAULTS = frozenset({"SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_FULL"})


def is_database_fault(exc: BaseException) -> bool:
    """True when ``exc`` says the database cannot serve now (gone, unreachable, locked, full).

    False for errors a query itself causes (bad SQL, a limit of the
    database, a cancelled statement), which are not the database's fault.
    """
    if not isinstance(exc, sa.exc.DBAPIError):
        return False
    if exc.connection_invalidated or isinstance(exc, sa.exc.InterfaceError):
        return True
    orig = exc.orig
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate[:2] in _POSTGRESQL_FAULT_CLASSES and sqlstate != "57014"
    sqlite_code = getattr(orig, "sqlite_errorname", None)
    if sqlite_code is not None:
        # Extended codes name their base code first (SQLITE_IOERR_READ is an SQLITE_IOERR).
        return "_".join(sqlite_code.split("_")[:2]) in _SQLITE_FAULTS
    # A driver error with no code: the connection failed before any statement ran.
    return isinstance(exc, sa.exc.OperationalError)


async def _database_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, sa.exc.DBAPIError)
    if is_database_fault(exc):
        failures.failure(
            "database_fault:" + type(exc.orig).__name__,
            f"503 {request.method} {_path(request)}: database fault: {first_line(exc)}",
            exc,
        )
        retry_after = request.app.state.database.limits.retry_after
        return _database_unavailable(retry_after)
    return _internal_error(request, exc)


def _internal_error(request: Request, exc: BaseException) -> JSONResponse:
    # Log for the operator (bounded); the client only learns that it failed.
    failures.failure(
        "internal_error:" + type(exc).__name__,
        f"500 {request.method} {_path(request)}: unhandled {type(exc).__name__}: {first_line(exc)}",
        exc,
    )
    return error_response(500, "internal_error", "The server failed to handle this request")


class LastResortMiddleware:
    """Answers any exception no handler took as the JSON 500, logged through ``failures``.

    Starlette's own last handler re-raises after answering, which makes the
    ASGI server log every traceback again; this one does not. It also sets
    ``X-Content-Type-Options: nosniff`` on every response, so no browser
    guesses an HTML or script type from a report's content.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_nosniff(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                MutableHeaders(scope=message)["X-Content-Type-Options"] = "nosniff"
            await send(message)

        try:
            await self.app(scope, receive, send_with_nosniff)
        except Exception as exc:  # noqa: BLE001 - the last place an error can be answered
            if started:
                raise
            response = _internal_error(Request(scope), exc)
            await response(scope, receive, send_with_nosniff)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that turn every error into the JSON error response.

    ``LastResortMiddleware`` must be added too (``create_app`` does), as the
    innermost middleware-level wrapper of unexpected errors.
    """
    app.add_exception_handler(ApiError, _api_error_handler)
    app.add_exception_handler(StarletteHTTPException, _http_exception_handler)
    app.add_exception_handler(RequestValidationError, _validation_error_handler)
    app.add_exception_handler(DatabaseUnavailable, _unreachable_handler)
    app.add_exception_handler(sa.exc.TimeoutError, _pool_timeout_handler)
    app.add_exception_handler(sa.exc.DBAPIError, _database_error_handler)
