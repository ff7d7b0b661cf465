"""What one API call puts on the wire, built once and sent by any transport.

A router (or :meth:`odesk.Client.read`) turns a Python call into an
:class:`ApiRequest`; a sync or async transport signs it (a fresh OAuth nonce per
attempt) and sends it.  The encoding follows the original client: GET data in the
query string, POST data as a form body, PUT/DELETE data as a JSON body, every
value ``str()``-ed for query and form, lists as repeated keys.
"""

from __future__ import annotations

import datetime as _dt
import json
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from oauthlib import oauth1

from odesk.utils import decimal_default

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded;charset=UTF-8"
JSON_CONTENT_TYPE = "application/json"
METHODS = ("GET", "POST", "PUT", "DELETE")


@dataclass(frozen=True)
class Credentials:
    """The keys one request is signed with (OAuth 1.0a, HMAC-SHA1).

    ``token``/``token_secret`` are the access token for API calls, the request
    token for the access-token exchange, and absent for the request-token call.
    """

    consumer_key: str
    consumer_secret: str
    token: str | None = None
    token_secret: str | None = None
    verifier: str | None = None


@dataclass(frozen=True)
class ApiRequest:
    """One HTTP request, ready to be signed: verb, full URL (query included), body."""

    method: str
    url: str
    credentials: Credentials
    body: bytes = b""
    content_type: str | None = None
    #: form bodies are part of the OAuth signature; JSON bodies are not
    form_signed: bool = False
    headers: tuple[tuple[str, str], ...] = ()


def _quote(value: str | bytes, safe: str | bytes = "", encoding: str | None = None, errors: str | None = None) -> str:
    # spaces travel as %20 (never '+'), as the original client sent them
    if isinstance(value, bytes):  # urlencode's contract; encode_params passes str only
        return urllib.parse.quote(value, safe="")
    return urllib.parse.quote(value, safe="", encoding=encoding, errors=errors)


def _text(value: Any) -> str:
    # dates travel in ISO 8601 (the API's documented form), everything else as str()
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    return str(value)


def _json_default(obj: Any) -> Any:
    if isinstance(obj, (_dt.date, _dt.datetime)):
        return obj.isoformat()
    return decimal_default(obj)


def encode_params(data: Mapping[str, Any] | Iterable[tuple[str, Any]] | None) -> str:
    """Return ``data`` url-encoded: values ``str()``-ed (dates in ISO 8601), a list/tuple
    as repeated keys."""
    if not data:
        return ""
    items = data.items() if isinstance(data, Mapping) else data
    pairs: list[tuple[str, str]] = []
    for key, value in items:
        if isinstance(value, (list, tuple)):
            pairs.extend((str(key), _text(item)) for item in value)
        else:
            pairs.append((str(key), _text(value)))
    return urllib.parse.urlencode(pairs, quote_via=_quote)


def encode_json(data: Any) -> bytes:
    """Return the JSON body of a PUT/DELETE: ``None`` is an empty body, Decimals are
    strings, dates ISO 8601.  Raises TypeError for other values JSON cannot hold."""
    if data is None:
        return b""
    return json.dumps(data, default=_json_default).encode("utf-8")


def with_format(url: str, fmt: str) -> str:
    """Append ``.{fmt}`` to the path of an API URL; GDS URLs (``/gds/``) get nothing."""
    if "/gds/" in url:
        return url
    split = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(split._replace(path=f"{split.path}.{fmt}"))


def add_query(url: str, query: str) -> str:
    """Return ``url`` with the encoded ``query`` appended to any query it already has."""
    if not query:
        return url
    return f"{url}&{query}" if "?" in url else f"{url}?{query}"


def build_request(method: str, url: str, data: Any, credentials: Credentials) -> ApiRequest:
    """Describe an API call of ``method`` on the absolute ``url`` carrying ``data``.

    Raises ``ValueError`` for a verb other than GET, POST, PUT and DELETE.
    """
    method = method.upper()
    if method == "GET":
        return ApiRequest("GET", add_query(url, encode_params(data)), credentials)
    if method == "POST":
        body = encode_params(data).encode("ascii")
        return ApiRequest("POST", url, credentials, body, FORM_CONTENT_TYPE, form_signed=True)
    if method in ("PUT", "DELETE"):
        return ApiRequest(method, url, credentials, encode_json(data), JSON_CONTENT_TYPE)
    raise ValueError(f"Wrong http method: {method!r}, expected one of {', '.join(METHODS)}")


def sign(request: ApiRequest) -> httpx.Request:
    """Return the httpx request for ``request`` with a freshly signed OAuth header.

    The URL is normalised by httpx first, so the signature covers exactly the
    URL the server will see.
    """
    url = httpx.URL(request.url)
    creds = request.credentials
    signer = oauth1.Client(
        creds.consumer_key,
        client_secret=creds.consumer_secret,
        resource_owner_key=creds.token,
        resource_owner_secret=creds.token_secret,
        verifier=creds.verifier,
        signature_method=oauth1.SIGNATURE_HMAC_SHA1,
        signature_type=oauth1.SIGNATURE_TYPE_AUTH_HEADER,
    )
    headers: dict[str, str] = {}
    if request.form_signed and request.body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        _, signed, _ = signer.sign(str(url), request.method, request.body.decode("ascii"), headers)
    else:
        _, signed, _ = signer.sign(str(url), request.method)
    out = {"Authorization": signed["Authorization"], "Accept": "application/json"}
    if request.content_type:
        out["Content-Type"] = request.content_type
    out.update(request.headers)
    return httpx.Request(request.method, url, headers=out, content=request.body)
