"""Wire compatibility with the historic clients, as one ASGI middleware.

What the middleware does before routing (see ``spec/api-surface.md``
sections 3, 4 and 8):

- strips an optional ``.json`` / ``.xml`` suffix from ``/api/...`` and
  ``/gds/...`` paths and records it as ``request.state.response_format``
  (``"json"``, ``"xml"`` or ``None``);
- turns ``POST`` with ``http_method=put|delete`` (query string, form body or
  JSON body) into the real verb, as python-odesk < 0.5, python-odesk3 and
  python-upwork 2.1.0 (DELETE) send them; the body is buffered and replayed
  untouched to the application;
- rewrites ``/gds/<namespace>/...`` to ``/api/<namespace>/...`` for every
  namespace other than the report ones, which absorbs python-upwork's habit
  of sending later calls to the ``gds`` endpoint once a report router exists;
- keeps what the client put on the wire in ``request.state``:
  ``original_method``, ``original_path`` (decoded) and ``original_raw_path``
  (bytes as sent): OAuth signatures are computed over those, not over the
  rewritten request. ``original_url(request)`` rebuilds the signed URL.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

FORMAT_SUFFIXES = {".json": "json", ".xml": "xml"}
OVERRIDABLE_METHODS = {"put": "PUT", "delete": "DELETE"}
# Report namespaces really live under /gds; any other /gds/<ns>/ is an alias of /api/<ns>/.
GDS_NAMESPACES = ("timereports", "finreports")
# An http_method override only ever rides on small bodies; a larger body is
# passed through without being inspected.
MAX_INSPECTED_BODY = 1 << 20


def split_format_suffix(path: str) -> tuple[str, str | None]:
    """``(path without the suffix, "json" | "xml" | None)`` for an API path."""
    for suffix, fmt in FORMAT_SUFFIXES.items():
        if path.endswith(suffix) and len(path) > len(suffix) + 1 and path[-len(suffix) - 1] != "/":
            return path[: -len(suffix)], fmt
    return path, None


def _is_api_path(path: str) -> bool:
    return path.startswith("/api/") or path.startswith("/gds/")


def _gds_alias(path: str) -> str:
    if path.startswith("/gds/"):
        namespace = path[len("/gds/") :].split("/", 1)[0]
        if namespace not in GDS_NAMESPACES:
            return "/api/" + path[len("/gds/") :]
    return path


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


def method_override(query_string: bytes, content_type: str, body: bytes) -> str | None:
    """The verb that ``http_method`` asks for (``"PUT"``/``"DELETE"``), or None.

    Looks in the query string, then a form-encoded body, then a JSON object
    body. Values other than put/delete are ignored (the request stays POST).
    """
    candidates: list[str] = []
    if b"http_method" in query_string:
        candidates += [v for k, v in parse_qsl(query_string.decode("latin-1")) if k == "http_method"]
    if body and b"http_method" in body:
        media = content_type.split(";", 1)[0].strip().lower()
        if media == "application/x-www-form-urlencoded":
            candidates += [v for k, v in parse_qsl(body.decode("utf-8", "replace")) if k == "http_method"]
        elif media == "application/json" or media.endswith("+json"):
            try:
                decoded = json.loads(body)
            except ValueError:
                decoded = None
            if isinstance(decoded, dict) and isinstance(decoded.get("http_method"), str):
                candidates.append(decoded["http_method"])
    for value in candidates:
        verb = OVERRIDABLE_METHODS.get(value.strip().lower())
        if verb:
            return verb
    return None


class CompatMiddleware:
    """ASGI middleware applying the wire habits of the historic clients (see module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope = dict(scope)
        state = dict(scope.get("state") or {})
        scope["state"] = state
        path: str = scope["path"]
        raw_path: bytes = scope.get("raw_path") or path.encode("utf-8")
        state["original_method"] = scope["method"]
        state["original_path"] = path
        state["original_raw_path"] = raw_path
        state["response_format"] = None

        if _is_api_path(path):
            new_path, fmt = split_format_suffix(path)
            if fmt is not None:
                state["response_format"] = fmt
                suffix = b"." + fmt.encode()
                raw_path = raw_path[: -len(suffix)] if raw_path.endswith(suffix) else new_path.encode()
            aliased = _gds_alias(new_path)
            if aliased != new_path:
                raw_path = b"/api/" + raw_path[len(b"/gds/") :]
            scope["path"] = aliased
            scope["raw_path"] = raw_path

        if scope["method"] == "POST":
            receive = await self._apply_method_override(scope, receive)
        await self.app(scope, receive, send)

    async def _apply_method_override(self, scope: Scope, receive: Receive) -> Receive:
        """Read the body (to find ``http_method``) and return a receive that replays it."""
        query_string: bytes = scope.get("query_string", b"")
        content_type = _header(scope, b"content-type")
        media = content_type.split(";", 1)[0].strip().lower()
        inspect_body = media in ("application/x-www-form-urlencoded", "application/json") or media.endswith("+json")
        length = _header(scope, b"content-length")
        if length.isdigit() and int(length) > MAX_INSPECTED_BODY:
            inspect_body = False
        if not inspect_body:
            verb = method_override(query_string, "", b"")
            if verb:
                scope["method"] = verb
            return receive

        chunks: list[bytes] = []
        first_other: list[Message] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                first_other.append(message)  # a disconnect: hand it on after the body
                break
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        verb = method_override(query_string, content_type, body)
        if verb:
            scope["method"] = verb

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            if first_other:
                return first_other.pop(0)
            return await receive()

        return replay


def response_format(request: Request) -> str | None:
    """The format the path suffix asked for: ``"json"``, ``"xml"`` or None (no suffix)."""
    return getattr(request.state, "response_format", None)


def original_method(request: Request) -> str:
    """The HTTP verb the client sent (before any ``http_method`` override)."""
    return getattr(request.state, "original_method", request.method)


def original_url(request: Request, base_url: str | None = None, decoded_path: bool = False) -> str:
    """The absolute URL the client requested, as sent (path suffix and encoding intact).

    ``base_url`` (scheme://host[:port]) replaces the scheme and host the
    request arrived with, for servers behind a proxy that advertise a public URL.
    ``decoded_path`` uses the percent-decoded path instead of the raw one
    (clients that sign a non-ASCII path before encoding it).
    """
    scope = request.scope
    state = request.state
    if decoded_path:
        original_path = getattr(state, "original_path", None)
        raw_path = (original_path if original_path is not None else request.url.path).encode("utf-8")
    else:
        # ``request.url`` only when the middleware did not run and the server gave no raw path.
        raw_path = getattr(state, "original_raw_path", None) or scope.get("raw_path") or request.url.path.encode()
    root_path = scope.get("root_path", "")
    if base_url is None:
        # Straight from the scope: building ``request.url`` costs more than
        # the rest of this function and is only needed without a Host header.
        scheme = scope.get("scheme", "http")
        host = request.headers.get("host") or request.url.netloc
        base_url = f"{scheme}://{host}{root_path}"
    url = base_url.rstrip("/") + raw_path.decode("utf-8" if decoded_path else "latin-1")
    query = scope.get("query_string", b"")
    if query:
        url += "?" + query.decode("latin-1")
    return url
