"""The machinery under the endpoint declaration: the verified caller, parameters, the way to the database.

Endpoints are declared (``odesk_server.api.endpoint``), which uses these
pieces; a handler never calls them. The rule they keep: no database call
runs on the event loop. The body and the parameters are read on the loop
(``request_params``), everything blocking runs in a worker thread through
``run_blocking``, OAuth verification included (``verify_caller``).

``run_blocking`` also bounds how many requests of a process work on the
database at once (the pool size) and answers 503 ``server_busy`` when a
request waits too long for its turn. ``verify_caller`` checks the OAuth
signature (header, query or form body) over the URL exactly as the client
sent it (see ``odesk_server.compat``) and raises the 401/400
``OAuthProblem`` that names the failed check; ``authenticated`` is the same
as a FastAPI dependency. A request that carries no OAuth parameter at all
but a web session cookie (``odesk_server.sessions``) is the session's
person instead: the same ``Caller`` and so the same permission checks; a
write through the cookie (any verb but GET and HEAD) must repeat the
session's CSRF token in the ``X-CSRF-Token`` header.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import threading
import weakref
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, TypeVar
from urllib.parse import parse_qsl

import anyio
from fastapi import Request

from odesk_server import sessions
from odesk_server.compat import original_method, original_url
from odesk_server.db import Database
from odesk_server.errors import ApiError, bad_request
from odesk_server.models import AccessToken, Consumer, User
from odesk_server.oauth import OAuthProvider, SignedRequest, signature_uris
from odesk_server.oauth.problems import unauthorized
from odesk_server.settings import Settings

T = TypeVar("T")

# Parameters that steer the protocol rather than the resource.
_PROTOCOL_PARAMS = frozenset({"http_method", "realm"})


@dataclass(frozen=True)
class Caller:
    """The authenticated caller of an API request.

    ``user`` acts through ``consumer`` with ``access_token`` (an OAuth
    signed request), or through the web session ``session`` (a signed-in
    browser: ``consumer`` and ``access_token`` are None). They are
    detached ORM objects, shared read-only with other requests of the same
    token (the OAuth layer caches them briefly; revocation is still checked
    on every request): read their columns (``user.id``, ``user.uid``...),
    never modify them or add them to a session; query your own session
    (``session.get(User, caller.user.id)``) for anything related or fresh.
    """

    user: User
    consumer: Consumer | None
    access_token: AccessToken | None
    session: sessions.SignedIn | None = None

    @property
    def by_cookie(self) -> bool:
        """Whether the request was authenticated by a web session cookie rather than an OAuth signature."""
        return self.session is not None


def get_database(request: Request) -> Database:
    """The app's ``Database`` (``app.state.database``)."""
    return request.app.state.database


def get_settings(request: Request) -> Settings:
    """The app's ``Settings`` (``app.state.settings``)."""
    return request.app.state.settings


def get_oauth_provider(request: Request) -> OAuthProvider:
    """The app's ``OAuthProvider`` (``app.state.oauth``)."""
    return request.app.state.oauth


# One gate per database and event loop (uvicorn runs one loop; test clients may start several).
_GATES: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, weakref.WeakKeyDictionary[Database, anyio.CapacityLimiter]
] = weakref.WeakKeyDictionary()
# One pool of worker threads per database: never scarcer than the turns on it.
_WORKERS: weakref.WeakKeyDictionary[Database, ThreadPoolExecutor] = weakref.WeakKeyDictionary()
_WORKERS_LOCK = threading.Lock()


def _gate(database: Database) -> anyio.CapacityLimiter:
    gates = _GATES.setdefault(asyncio.get_running_loop(), weakref.WeakKeyDictionary())
    gate = gates.get(database)
    if gate is None:
        gate = gates[database] = anyio.CapacityLimiter(database.limits.pool_size)
    return gate


def _workers(database: Database) -> ThreadPoolExecutor:
    workers = _WORKERS.get(database)
    if workers is None:
        with _WORKERS_LOCK:
            workers = _WORKERS.get(database)
            if workers is None:
                size = database.limits.pool_size + 8
                workers = _WORKERS[database] = ThreadPoolExecutor(size, thread_name_prefix="odesk-db")
    return workers


def server_busy(waited: float) -> ApiError:
    """The 503 of a request that waited ``waited`` seconds for its turn on the database."""
    return ApiError(
        503,
        "server_busy",
        f"The server is busy: no database connection came free within {waited:g} seconds; retry later",
        headers={"Retry-After": "1"},
    )


async def run_blocking(request: Request, work: Callable[[], T]) -> T:
    """``work()`` run in a worker thread, as one of the requests allowed on the database at once.

    Every database call of a request goes through here (or through a sync
    FastAPI dependency or endpoint), never on the event loop. At most
    ``limits.pool_size`` requests of a process work at once, so each finds
    a pooled connection free. Raises ``ApiError`` 503 ``server_busy`` when
    the turn does not come within ``limits.pool_timeout`` seconds; ``work``
    gets ``DatabaseUnavailable`` (answered 503 too) at once when it asks for
    a new connection while the database is known to be unreachable.
    """
    database = get_database(request)
    gate = _gate(database)
    turn = object()  # who holds the turn: released by this call, or by its thread's end
    try:
        gate.acquire_on_behalf_of_nowait(turn)
    except anyio.WouldBlock:
        timeout = database.limits.pool_timeout
        try:
            with anyio.fail_after(timeout):
                await gate.acquire_on_behalf_of(turn)
        except TimeoutError:
            raise server_busy(timeout) from None
    # A plain executor hop costs about a third less than anyio's worker threads; the
    # context goes along (as anyio would carry it) for what logs from the thread.
    context = contextvars.copy_context()
    done = asyncio.get_running_loop().run_in_executor(_workers(database), context.run, work)
    try:
        # Shielded: a request cancelled meanwhile (the client left) keeps its turn
        # until its thread is done with the database, so no more than pool_size work at once.
        return await asyncio.shield(done)
    finally:
        if done.done():
            gate.release_on_behalf_of(turn)
        else:
            done.add_done_callback(lambda finished: _release_after(gate, turn, finished))


def _release_after(gate: anyio.CapacityLimiter, turn: object, finished: asyncio.Future[Any]) -> None:
    gate.release_on_behalf_of(turn)
    if not finished.cancelled():
        finished.exception()  # retrieved: nobody waits for this outcome any more


def signed_request(request: Request, body: bytes) -> SignedRequest:
    """What the OAuth layer verifies for ``request``: the URL(s) and verb as sent, body and headers.

    The candidate URLs are the URL as received (host from the ``Host``
    header) and, when the server has a ``public_url``, the same path under
    it; each with its ``;``-cut variant, and, for a percent-encoded path,
    with the decoded path.
    """
    public_url = get_settings(request).public_url
    bases = [None, public_url] if public_url else [None]
    # A percent-encoded path may have been signed before it was encoded.
    encodings = [False, True] if b"%" in getattr(request.state, "original_raw_path", b"") else [False]
    uris: list[str] = []
    for base_url in bases:
        for decoded in encodings:
            for uri in signature_uris(original_url(request, base_url=base_url, decoded_path=decoded)):
                if uri not in uris:
                    uris.append(uri)
    return SignedRequest(
        uris=tuple(uris),
        http_method=original_method(request),
        body=body.decode("utf-8", "replace"),
        headers=dict(request.headers),
    )


async def authenticated(request: Request) -> Caller:
    """The verified caller of an OAuth-signed API request (the dependency; see ``verify_caller``).

    Reads the body on the event loop, then verifies in a worker thread
    (``run_blocking``). Raises ``OAuthProblem`` (an ``ApiError``): 401
    ``parameter_absent`` (unsigned request), ``consumer_key_unknown``,
    ``consumer_key_rejected`` (revoked consumer), ``token_rejected``
    (unknown token or another consumer's), ``token_revoked``,
    ``user_inactive``, ``signature_invalid``, ``timestamp_refused``,
    ``nonce_used``; 400 for malformed OAuth parameters.
    """
    cached = getattr(request.state, "caller", None)
    if cached is not None:
        return cached
    body = await request.body()
    return await run_blocking(request, lambda: verify_caller(request, body))


def verify_caller(request: Request, body: bytes) -> Caller:
    """The verified caller of ``request`` whose body is ``body``; blocking (call it in a worker thread).

    Returns the ``Caller`` (cached on ``request.state.caller``). Raises
    ``OAuthProblem`` as ``authenticated``.
    """
    cached = getattr(request.state, "caller", None)
    if cached is not None:
        return cached
    cookie = sessions.cookie_token(request)
    if cookie is not None and not carries_oauth(request, body):
        caller = session_caller(request, cookie)
        request.state.caller = caller
        return caller
    verified = get_oauth_provider(request).verify(signed_request(request, body))
    caller = Caller(user=verified.user, consumer=verified.consumer, access_token=verified.access_token)
    request.state.caller = caller
    return caller


SAFE_METHODS = frozenset({"GET", "HEAD"})


def carries_oauth(request: Request, body: bytes) -> bool:
    """Whether the request carries any OAuth parameter (header, query string or form body).

    Such a request is verified as OAuth, whatever cookie it carries too.
    """
    if request.headers.get("authorization", "").lstrip()[:6].lower() == "oauth ":
        return True
    if b"oauth_" in request.scope.get("query_string", b""):
        if any(key.startswith("oauth_") for key in request.query_params):
            return True
    if body and b"oauth_" in body:
        media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media == "application/x-www-form-urlencoded":
            return any(key.startswith("oauth_") for key, _ in parse_qsl(body.decode("utf-8", "replace")))
    return False


def session_caller(request: Request, token: str) -> Caller:
    """The caller of a request signed by the web session cookie ``token``; blocking.

    Raises 401 ``parameter_absent`` when the cookie names no live session
    (signed out, expired, unknown) and 403 ``csrf_failed`` for a write
    without the session's CSRF token in ``X-CSRF-Token``.
    """
    signed_in = sessions.find(get_database(request), token)
    if signed_in is None:
        raise unauthorized(
            "parameter_absent",
            "This resource needs an OAuth 1.0 signed request or a live web session; "
            "the session cookie sent has ended or expired: sign in again",
        )
    if original_method(request) not in SAFE_METHODS and not signed_in.csrf_matches(
        request.headers.get(sessions.CSRF_HEADER)
    ):
        raise ApiError(
            403,
            "csrf_failed",
            f"A write signed by the session cookie must repeat the session's CSRF token in {sessions.CSRF_HEADER}",
        )
    return Caller(user=signed_in.user, consumer=None, access_token=None, session=signed_in)


def _json_value_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


async def request_params(request: Request) -> Mapping[str, str]:
    """The request's parameters, merged: query string, then form body, then JSON object body.

    Later sources win for a repeated name; within the query string or a
    form the last value wins. ``oauth_*``, ``http_method`` and ``realm`` are
    left out. JSON values become text (``true``/``false``, numbers as
    written, ``null`` as ``""``, objects and lists as compact JSON).
    Raises ``ApiError`` 400 ``bad_request`` for a body that is not valid
    JSON or not an object when it says it is JSON.
    """
    cached = getattr(request.state, "params", None)
    if cached is not None:
        return cached
    merged: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        merged[key] = value
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    body = await request.body()
    if body:
        if media == "application/x-www-form-urlencoded":
            for key, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
                merged[key] = value
        elif media == "multipart/form-data":
            form = await request.form()
            for key, field in form.multi_items():
                if isinstance(field, str):  # uploaded files are not parameters
                    merged[key] = field
        elif media == "application/json" or media.endswith("+json"):
            try:
                decoded = json.loads(body)
            except ValueError:
                raise bad_request("The request body is not valid JSON") from None
            if not isinstance(decoded, dict):
                raise bad_request("The JSON request body must be an object")
            for key, value in decoded.items():
                merged[str(key)] = _json_value_text(value)
    params = MappingProxyType(
        {k: v for k, v in merged.items() if not k.startswith("oauth_") and k not in _PROTOCOL_PARAMS}
    )
    request.state.params = params
    return params
