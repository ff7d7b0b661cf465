"""The access log: one line per HTTP request, written by our own ASGI middleware.

A line reads (logfmt, one ``key=value`` per field, no value ever needs quoting)::

    method=GET path=/api/hr/v2/teams.json?tq=SELECT%20... status=200 duration_ms=3.1 \
        request_id=4f0c9a1e2b7d6a35 client=10.0.0.7

(one line in the log; cut here to fit the page).

- ``path`` is the path and query exactly as sent (percent-encoding kept),
  with every ``oauth_*`` parameter removed, so no signature, token, nonce
  or verifier reaches the log; the query is cut to ``MAX_LOGGED_QUERY``
  characters and the path to ``MAX_LOGGED_PATH`` (a ``tq`` may be long),
  and any byte outside printable ASCII is percent-encoded, so a hostile
  URL cannot forge or break log lines.
- ``request_id`` is the caller's ``X-Request-Id`` when it is sane (1 to 64
  letters, digits, ``.``, ``_``, ``:`` or ``-``; a proxy's id ties its log
  to ours), otherwise a fresh random one; it is echoed in the response's
  ``X-Request-Id`` header and kept in ``request.state.request_id``.
- ``status`` is 0 when no answer was sent at all (the client went away
  first, or the server stopped).
- ``client`` is the peer address (the proxy's client once uvicorn trusts
  ``FORWARDED_ALLOW_IPS``), ``-`` when unknown.

Lines go to the ``odesk_server.access`` logger at INFO; when nothing would
print them, the middleware skips building them. ``odesk-server serve``
prints them on stdout (``serve_log_config``) instead of uvicorn's own access
log, whose lines carry the full query string, OAuth signature included.
"""

from __future__ import annotations

import copy
import logging
import os
import re
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

if TYPE_CHECKING:  # the command line imports this module without the server stack
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOGGER_NAME = "odesk_server.access"
REQUEST_ID_HEADER = "X-Request-Id"
MAX_LOGGED_PATH = 200
MAX_LOGGED_QUERY = 300

log = logging.getLogger(LOGGER_NAME)

_SANE_REQUEST_ID = re.compile(rb"[A-Za-z0-9._:-]{1,64}")
_REQUEST_ID_HEADER_KEY = REQUEST_ID_HEADER.lower().encode("latin-1")
# Printable ASCII except space, '"' and '\' is logged as sent; any other byte is percent-encoded.
_UNSAFE_BYTES = re.compile(rb"[^!#-\[\]-~]")


def request_id_of(headers: list[tuple[bytes, bytes]] | tuple[tuple[bytes, bytes], ...]) -> str:
    """The request id for a request with these raw ASGI headers: the caller's, if sane, or a new one."""
    for key, value in headers:  # ASGI header names are lowercase
        if key == _REQUEST_ID_HEADER_KEY:
            if _SANE_REQUEST_ID.fullmatch(value):
                return value.decode("ascii")
            break
    return os.urandom(8).hex()


def _escaped(raw: bytes) -> str:
    return _UNSAFE_BYTES.sub(lambda found: b"%%%02X" % found.group()[0], raw).decode("ascii")


def _is_oauth_parameter(pair: bytes) -> bool:
    name = pair.split(b"=", 1)[0]
    if b"%" in name or b"+" in name:
        # The server decodes names before it reads them, so must we (oauth%5Fsignature).
        name = unquote(name.decode("latin-1").replace("+", " ")).encode("latin-1", "replace")
    return name[:6].lower() == b"oauth_"


def logged_target(raw_path: bytes, query_string: bytes) -> str:
    """The path and query as logged: ``oauth_*`` parameters removed, cut short, printable ASCII only."""
    target = raw_path if len(raw_path) <= MAX_LOGGED_PATH else raw_path[:MAX_LOGGED_PATH] + b"..."
    if query_string:
        if b"oauth" in query_string.lower() or b"%" in query_string:
            query_string = b"&".join(pair for pair in query_string.split(b"&") if not _is_oauth_parameter(pair))
        if len(query_string) > MAX_LOGGED_QUERY:
            query_string = query_string[:MAX_LOGGED_QUERY] + b"..."
        if query_string:
            target += b"?" + query_string
    return _escaped(target)


class AccessLogMiddleware:
    """ASGI middleware: a request id for every HTTP request, and its access log line (see module docstring).

    Must be the outermost middleware, so that the status it logs is the one
    the client got (a 500 from ``LastResortMiddleware`` included) and the
    duration covers the whole answer.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = request_id_of(scope.get("headers", ()))
        scope.setdefault("state", {})["request_id"] = request_id
        request_id_header = (_REQUEST_ID_HEADER_KEY, request_id.encode("ascii"))
        status = 0

        async def send_with_request_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), request_id_header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_request_id)
        except Exception:
            # Nothing answered: the ASGI server answers 500 (or drops the connection if the answer broke off).
            status = status or 500
            raise
        finally:
            if log.isEnabledFor(logging.INFO):
                client = scope.get("client")
                raw_path = scope.get("raw_path") or scope["path"].encode("utf-8")
                log.info(
                    "method=%s path=%s status=%d duration_ms=%.1f request_id=%s client=%s",
                    _escaped(scope["method"].encode("latin-1", "replace")),
                    logged_target(raw_path, scope.get("query_string", b"")),
                    status,
                    (time.perf_counter() - started) * 1000,
                    request_id,
                    client[0] if client else "-",
                )


def serve_log_config(uvicorn_config: dict[str, Any]) -> dict[str, Any]:
    """``uvicorn_config`` (uvicorn's ``LOGGING_CONFIG``) plus the access log on stdout, for ``uvicorn.run``.

    The access lines are timestamped (uvicorn's own lines are not, and go
    to stderr); the ``odesk_server`` error lines are left as they were.
    """
    config = copy.deepcopy(uvicorn_config)
    config.setdefault("formatters", {})["odesk_access"] = {"format": "%(asctime)s %(message)s"}
    config.setdefault("handlers", {})["odesk_access"] = {
        "class": "logging.StreamHandler",
        "formatter": "odesk_access",
        "stream": "ext://sys.stdout",
    }
    config.setdefault("loggers", {})[LOGGER_NAME] = {"handlers": ["odesk_access"], "level": "INFO", "propagate": False}
    return config
