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
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

log = logging.getLogger("odesk_server")

ERROR_CODE_HEADER = "X-Odesk-Error-Code"
ERROR_MESSAGE_HEADER = "X-Odesk-Error-Message"

# Default codes for statuses raised by the framework itself (unknown route,
# wrong verb) rather than by our code.
_CODE_FOR_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "access_denied",
    404: "not_found",
    405: "method_not_allowed",
    413: "request_too_large",
    415: "unsupported_media_type",
    500: "internal_error",
}


class ApiError(Exception):
    """An error the API reports to the client.

    ``status`` is the HTTP status, ``code`` a short snake_case word that
    goes to ``X-Odesk-Error-Code`` and ``error.code``, ``message`` a human
    sentence naming what was wrong (``X-Odesk-Error-Message``,
    ``error.message``). ``headers`` adds response headers (e.g.
    ``WWW-Authenticate``).
    """

    def __init__(
        self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})

    def __repr__(self) -> str:
        return f"ApiError({self.status}, {self.code!r}, {self.message!r})"


def not_found(message: str) -> ApiError:
    """A 404 ``not_found`` error."""
    return ApiError(404, "not_found", message)


def access_denied(message: str) -> ApiError:
    """A 403 ``access_denied`` error."""
    return ApiError(403, "access_denied", message)


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


def error_response(
    status: int, code: str, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
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


async def _unhandled_error_handler(request: Request, exc: Exception) -> Response:
    # Log the traceback for the operator; the client only learns that it failed.
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal_error", "The server failed to handle this request")


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that turn every error into the JSON error response."""
    app.add_exception_handler(ApiError, _api_error_handler)
    app.add_exception_handler(StarletteHTTPException, _http_exception_handler)
    app.add_exception_handler(RequestValidationError, _validation_error_handler)
    app.add_exception_handler(Exception, _unhandled_error_handler)
