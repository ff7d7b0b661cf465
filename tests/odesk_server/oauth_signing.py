"""Test helpers for the server's OAuth tests: signing requests like the historic clients.

``Signer`` signs with oauthlib's client, placing the OAuth parameters in
the Authorization header, the query string or a form body, with the
options the compatibility tests need (HMAC-SHA256, python-odesk's
``oauth_body_hash`` of the empty body, signing a ``;``-cut URL, fixed
nonce/timestamp for replay tests). ``served_app`` gives a TestClient over
``create_app`` for a database URL, disposing of the engine afterwards.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import orjson
from fastapi import APIRouter, Depends, Request
from oauthlib.oauth1 import (
    SIGNATURE_HMAC_SHA1,
    SIGNATURE_TYPE_AUTH_HEADER,
    SIGNATURE_TYPE_BODY,
    SIGNATURE_TYPE_QUERY,
    Client,
)
from starlette.responses import Response
from starlette.testclient import TestClient

from odesk_server.api.deps import Caller, authenticated, request_params
from odesk_server.app import create_app
from odesk_server.compat import response_format
from odesk_server.db import Database
from odesk_server.errors import header_safe
from odesk_server.settings import Settings
from odesk_server.xmlout import to_xml

BASE = "http://testserver"
EMPTY_BODY_HASH = "2jmj7l5rSw0yVb/vlWAYkK/YBwk="
PLACEMENTS = {"header": SIGNATURE_TYPE_AUTH_HEADER, "query": SIGNATURE_TYPE_QUERY, "body": SIGNATURE_TYPE_BODY}
FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Signer:
    """OAuth credentials and signing options; ``sign`` returns what to send."""

    consumer_key: str
    consumer_secret: str
    token: str | None = None
    token_secret: str | None = None
    verifier: str | None = None
    callback: str | None = None
    method: str = SIGNATURE_HMAC_SHA1
    placement: str = "query"

    def with_(self, **changes: object) -> Signer:
        return replace(self, **changes)

    def sign(
        self,
        http_method: str,
        path_or_url: str,
        params: Mapping[str, str] | None = None,
        *,
        nonce: str | None = None,
        timestamp: int | None = None,
        body_hash: bool = False,
        signed_url: str | None = None,
    ) -> tuple[str, dict[str, str], str | None]:
        """``(url, headers, body)`` of a signed request.

        ``params`` go in the query (or the form body with ``placement="body"``).
        ``body_hash`` adds python-odesk's empty-body ``oauth_body_hash``.
        ``signed_url``: sign this URL instead of the one sent (the ``;`` quirk).
        """
        url = path_or_url if path_or_url.startswith("http") else BASE + path_or_url
        params = dict(params or {})
        if body_hash:
            params["oauth_body_hash"] = EMPTY_BODY_HASH
        client = Client(
            self.consumer_key,
            client_secret=self.consumer_secret,
            resource_owner_key=self.token,
            resource_owner_secret=self.token_secret,
            verifier=self.verifier,
            callback_uri=self.callback,
            signature_method=self.method,
            signature_type=PLACEMENTS[self.placement],
            nonce=nonce or uuid.uuid4().hex,
            timestamp=str(timestamp if timestamp is not None else int(time.time())),
        )
        target = signed_url or url
        if self.placement == "body":
            signed, headers, body = client.sign(target, http_method, body=params, headers={"Content-Type": FORM})
        else:
            signed, headers, body = client.sign(_with_query(target, params), http_method)
        if signed_url is not None:
            # Send the real URL with the query the client built for the signed one.
            signed = urlunsplit(urlsplit(url)._replace(query=urlsplit(signed).query))
        return signed, dict(headers), body


def _with_query(url: str, params: Mapping[str, str]) -> str:
    if not params:
        return url
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def send(client: TestClient, signer: Signer, http_method: str, path: str, params=None, **options):
    """Sign and send a request through ``client``; returns the httpx response."""
    url, headers, body = signer.sign(http_method, path, params, **options)
    return client.request(http_method, url, headers=headers, content=body)


def consumer_signer(credentials, role: str | None = None, **options: object) -> Signer:
    """A Signer for the demo consumer, with the access token of ``role`` when given."""
    signer = Signer(credentials.consumer.key, credentials.consumer.secret)
    if role is not None:
        token = credentials.roles[role]
        signer = signer.with_(token=token.token, token_secret=token.token_secret)
    return signer.with_(**options) if options else signer


@contextmanager
def served_app(url: str, **settings: object) -> Iterator[TestClient]:
    """A TestClient over ``create_app`` for the database at ``url`` (errors become 500 responses)."""
    database = Database(url)
    try:
        app = create_app(Settings(database_url=url, **settings), database=database)
        with TestClient(app, base_url=BASE, raise_server_exceptions=False, follow_redirects=False) as client:
            client.app_under_test = app  # type: ignore[attr-defined]
            yield client
    finally:
        database.dispose()


def assert_error(response, status: int, code: str, message_part: str = "") -> None:
    """The response is our JSON error with ``status`` and ``code`` in body and headers."""
    assert response.status_code == status, response.text
    assert response.headers["x-odesk-error-code"] == code, response.text
    body = response.json()
    assert body["error"]["status"] == status
    assert body["error"]["code"] == code
    assert header_safe(body["error"]["message"]) == response.headers["x-odesk-error-message"]
    assert message_part in body["error"]["message"]


def add_echo_route(app) -> None:
    """Mount ``/api/echo/v1/{rest}`` (any verb, authenticated): it answers what the server saw.

    The body is ``{"method", "path", "format", "uid", "params"}``: the verb
    after the ``http_method`` override, the path after the suffix was cut,
    the suffix format (rendered as XML for ``.xml``), the caller's uid and the merged request parameters.
    """
    router = APIRouter()

    @router.api_route("/api/echo/v1/{rest:path}", methods=["GET", "POST", "PUT", "DELETE"])
    async def echo(
        request: Request,
        rest: str,
        caller: Caller = Depends(authenticated),
        params: Mapping[str, str] = Depends(request_params),
    ) -> Response:
        payload = {
            "method": request.method,
            "path": rest,
            "format": response_format(request),
            "uid": caller.user.uid,
            "params": dict(params),
        }
        if response_format(request) == "xml":
            return Response(to_xml(payload), media_type="application/xml")
        return Response(orjson.dumps(payload), media_type="application/json")

    app.include_router(router)


class AppCache:
    """TestClients over ``create_app`` kept open per database URL (for read-only demo tests).

    Starting an app and connecting to PostgreSQL per test is the slow part
    of these tests; a module-scoped cache shares one app per database.
    """

    def __init__(self) -> None:
        self._stack = ExitStack()
        self._clients: dict[str, TestClient] = {}

    def client(self, url: str, echo: bool = False) -> TestClient:
        key = f"{url}#echo" if echo else url
        if key not in self._clients:
            client = self._stack.enter_context(served_app(url))
            if echo:
                add_echo_route(client.app_under_test)
            self._clients[key] = client
        return self._clients[key]

    def close(self) -> None:
        self._stack.close()
