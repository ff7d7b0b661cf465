"""FastAPI dependencies every API module shares: database session, caller, parameters.

Usage in an endpoint module::

    from fastapi import Depends
    from odesk_server.api.deps import Caller, authenticated, db_session, request_params

    @router.get("/api/hr/v2/teams")
    def list_teams(
        caller: Caller = Depends(authenticated),
        session: Session = Depends(db_session),
        params: Mapping[str, str] = Depends(request_params),
    ) -> Response: ...

``authenticated`` verifies the OAuth signature (header, query or form body)
over the URL exactly as the client sent it (see ``odesk_server.compat``) and
raises the 401/400 ``OAuthProblem`` that names the failed check.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from types import MappingProxyType
from urllib.parse import parse_qsl

from fastapi import Request
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from odesk_server.compat import original_method, original_url
from odesk_server.db import Database
from odesk_server.errors import bad_request
from odesk_server.models import AccessToken, Consumer, User
from odesk_server.oauth import OAuthProvider, SignedRequest, signature_uris
from odesk_server.oauth.prepared import RawConnection
from odesk_server.settings import Settings

# Parameters that steer the protocol rather than the resource.
_PROTOCOL_PARAMS = frozenset({"http_method", "realm"})


@dataclass(frozen=True)
class Caller:
    """The authenticated caller of an API request.

    ``user`` acts through ``consumer`` with ``access_token``. They are
    detached ORM objects, shared read-only with other requests of the same
    token (the OAuth layer caches them briefly; revocation is still checked
    on every request): read their columns (``user.id``, ``user.uid``...),
    never modify them or add them to a session; query your own session
    (``session.get(User, caller.user.id)``) for anything related or fresh.
    """

    user: User
    consumer: Consumer
    access_token: AccessToken


def get_database(request: Request) -> Database:
    """The app's ``Database`` (``app.state.database``)."""
    return request.app.state.database


def get_settings(request: Request) -> Settings:
    """The app's ``Settings`` (``app.state.settings``)."""
    return request.app.state.settings


def get_oauth_provider(request: Request) -> OAuthProvider:
    """The app's ``OAuthProvider`` (``app.state.oauth``)."""
    return request.app.state.oauth


async def db_session(request: Request) -> AsyncIterator[Session]:
    """A SQLAlchemy session for the request: committed when the endpoint returns, rolled back on error.

    Use it from sync (``def``) endpoints, which FastAPI runs in its thread
    pool. The dependency itself is async on purpose: opening a session does
    no I/O (it connects at the first query) and closing it is one COMMIT, so
    running them on the event loop saves two thread-pool round trips per request.
    """
    with get_database(request).session() as session:
        yield session


@contextmanager
def read_connection(request: Request) -> Iterator[Connection]:
    """A Core connection for read-only work, opened and closed around the block.

    Cheaper than ``db_session`` (no ORM session, no dependency to resolve):
    the HR endpoints use it from ``async`` handlers. Writes belong in
    ``db_session`` or ``get_database(request).session()``.
    """
    with get_database(request).engine.connect() as connection:
        yield connection


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
    """The verified caller of an OAuth-signed API request (the dependency; see ``authenticate``).

    Raises ``OAuthProblem`` (an ``ApiError``): 401 ``parameter_absent``
    (unsigned request), ``consumer_key_unknown``, ``consumer_key_rejected``
    (revoked consumer), ``token_rejected`` (unknown token or another
    consumer's), ``token_revoked``, ``user_inactive``, ``signature_invalid``,
    ``timestamp_refused``, ``nonce_used``; 400 for malformed OAuth parameters.
    """
    return await authenticate(request)


async def authenticate(request: Request, connection: RawConnection | None = None) -> Caller:
    """``authenticated`` as a plain call, for handlers that resolve no dependencies.

    ``connection`` (from ``raw_connection(get_database(request).engine)``)
    lets the nonce insert run on a driver connection the handler keeps using
    afterwards, saving a pool checkout (and, on PostgreSQL, its ping); the
    insert is committed on it. Returns the ``Caller`` (cached on
    ``request.state.caller``). Raises ``OAuthProblem`` as ``authenticated``.
    """
    cached = getattr(request.state, "caller", None)
    if cached is not None:
        return cached
    body = await request.body()
    # Inline on the event loop, not in the thread pool: the check is a few
    # hundred microseconds of CPU and one short statement, and a thread-pool
    # round trip costs about as much again (see docs/server-internals.md).
    verified = get_oauth_provider(request).verify(signed_request(request, body), connection=connection)
    caller = Caller(user=verified.user, consumer=verified.consumer, access_token=verified.access_token)
    request.state.caller = caller
    return caller


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
            for key, value in form.multi_items():
                if isinstance(value, str):
                    merged[key] = value
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
