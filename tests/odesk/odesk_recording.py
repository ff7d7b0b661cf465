"""The client's unit layer: a recording httpx transport stands in for the server.

Every request the client sends is kept (verb, path, query, form, JSON body,
Authorization header) and answered from a queue of canned responses, so a test
reads like "this call puts this on the wire and returns that".
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from oauthlib.common import Request as OAuthRequest
from oauthlib.oauth1.rfc5849 import signature

import odesk
from odesk.transport import RetryPolicy

BASE = "http://odesk.test"
KEYS = {"public_key": "ck", "secret_key": "cs", "oauth_access_token": "at", "oauth_access_token_secret": "ats"}


def _pairs_to_dict(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in pairs:
        if name in out:
            out[name] = (out[name] if isinstance(out[name], list) else [out[name]]) + [value]
        else:
            out[name] = value
    return out


@dataclass
class Seen:
    """One request as the server would see it."""

    request: httpx.Request

    @property
    def method(self) -> str:
        return self.request.method

    @property
    def path(self) -> str:
        return self.request.url.raw_path.decode("ascii").split("?", 1)[0]

    @property
    def query(self) -> dict[str, Any]:
        return _pairs_to_dict(urllib.parse.parse_qsl(self.request.url.query.decode("ascii"), keep_blank_values=True))

    @property
    def is_form(self) -> bool:
        return self.request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded")

    @property
    def form(self) -> dict[str, Any] | None:
        if not self.is_form:
            return None
        return _pairs_to_dict(urllib.parse.parse_qsl(self.request.content.decode("ascii"), keep_blank_values=True))

    @property
    def json(self) -> Any:
        if self.request.headers.get("content-type") != "application/json":
            return None
        return json.loads(self.request.content) if self.request.content else None

    @property
    def oauth(self) -> dict[str, str]:
        header = self.request.headers["authorization"]
        return dict(signature.collect_parameters(headers={"Authorization": header}, exclude_oauth_signature=False))

    def signature_valid(self, consumer_secret: str, token_secret: str | None) -> bool:
        """Verify the HMAC-SHA1 signature the way a server built on oauthlib would."""
        header = self.request.headers["authorization"]
        body = self.request.content.decode("ascii") if self.is_form else None
        params = signature.collect_parameters(
            uri_query=self.request.url.query.decode("ascii"), body=body, headers={"Authorization": header}
        )
        oauth_request = OAuthRequest(str(self.request.url), self.request.method)
        oauth_request.params = params
        oauth_request.signature = self.oauth["oauth_signature"]
        return signature.verify_hmac_sha1(oauth_request, consumer_secret, token_secret)


Reply = httpx.Response | Callable[[httpx.Request], httpx.Response] | Exception


@dataclass
class Recorder:
    """Records requests and answers them from ``replies`` (then with ``default``)."""

    replies: list[Reply] = field(default_factory=list)
    default: Any = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)

    def reply(self, status: int = 200, json_body: Any = None, **kwargs: Any) -> None:
        if json_body is not None:
            kwargs["json"] = json_body
        self.replies.append(httpx.Response(status, **kwargs))

    def _answer(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.seen.append(Seen(request))
        if not self.replies:
            return httpx.Response(200, json=self.default)
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        if callable(reply) and not isinstance(reply, httpx.Response):
            return reply(request)
        return reply

    def handler(self, request: httpx.Request) -> httpx.Response:
        return self._answer(request)

    async def async_handler(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        return self._answer(request)

    @property
    def last(self) -> Seen:
        return self.seen[-1]


def make_client(recorder: Recorder, **kwargs: Any) -> odesk.Client:
    """A Client on the recorder with instant retries (no sleeping in tests)."""
    options = dict(KEYS)
    options.update(kwargs)
    options.setdefault("retry", RetryPolicy(max_retries=3, backoff_factor=0))
    client = odesk.Client(base_url=BASE, transport=httpx.MockTransport(recorder.handler), **options)
    client._sleep = lambda seconds: None
    return client
