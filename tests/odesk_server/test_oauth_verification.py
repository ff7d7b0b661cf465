"""API-call verification held equal to oauthlib's own, over generated requests.

``OAuthProvider.verify`` parses a signed request once and checks it on
oauthlib's public signature functions (``odesk_server.oauth.verification``);
oauthlib's ``ResourceEndpoint.validate_protected_resource_request`` does the
same job its own way. Given the same credentials, policy and nonce history,
the two must take the same decision on every request: hypothesis draws the
parameters (names and values from a wide alphabet, percent- or
plus-encoded), where the OAuth parameters go (header, query, form body, two
places), the verb, the URL (default ports, ``;`` paths signed cut), the
signature method, and what goes wrong (wrong secrets, unknown or malformed
keys, stale or malformed timestamps, odd nonces, a tampered or missing
parameter, a repeated one, a bad version).

``verify`` runs against the demo database; the oauthlib side gets a
validator with the same formats and policy that answers the database
questions from the demo credentials and the nonces accepted so far.
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, quote_plus, urlencode

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from oauthlib.oauth1 import (
    SIGNATURE_HMAC_SHA1,
    SIGNATURE_HMAC_SHA256,
    SIGNATURE_HMAC_SHA512,
    SIGNATURE_PLAINTEXT,
    SIGNATURE_TYPE_AUTH_HEADER,
    SIGNATURE_TYPE_BODY,
    SIGNATURE_TYPE_QUERY,
    Client,
    ResourceEndpoint,
)
from oauthlib.oauth1.rfc5849 import utils as oauth1_utils

from odesk_server.db import Database
from odesk_server.demo import DemoCredentials
from odesk_server.oauth import OAuthProblem, OAuthProvider, SignedRequest, signature_uris
from odesk_server.oauth.validator import OdeskRequestValidator

FORM = "application/x-www-form-urlencoded"
WINDOW = 300
UNKNOWN_KEY = "0123abcd" * 4


class _DemoAnswers(OdeskRequestValidator):
    """Our validator's formats and policy, with the database questions answered from the demo."""

    def __init__(self, consumer_key: str, consumer_secret: str, token: str, token_secret: str) -> None:
        super().__init__(None)  # type: ignore[arg-type]
        self.consumer = (consumer_key, consumer_secret)
        self.token = (token, token_secret)
        self.accepted_nonces: set[tuple[str, str, str, int]] = set()

    def validate_client_key(self, client_key, request):
        return client_key == self.consumer[0]

    def validate_access_token(self, client_key, token, request):
        return client_key == self.consumer[0] and token == self.token[0]

    def get_client_secret(self, client_key, request):
        return self.consumer[1] if client_key == self.consumer[0] else "0" * 32

    def get_access_token_secret(self, client_key, token, request):
        return self.token[1] if token == self.token[0] else "0" * 32

    def validate_timestamp_and_nonce(
        self, client_key, timestamp, nonce, request, request_token=None, access_token=None
    ):
        return (client_key, access_token or "", nonce, int(timestamp)) not in self.accepted_nonces


@dataclass(frozen=True)
class Drawn:
    """One generated request: the candidate URLs the server derives, and what the client sent.

    ``replay_key``: the (consumer key, token, nonce, timestamp) the request
    stores as its nonce if accepted.
    """

    uris: tuple[str, ...]
    http_method: str
    body: str
    headers: dict[str, str]
    replay_key: tuple[str, str, str, str]


# ---- strategies

# Parameter text: letters, digits, reserved and unreserved punctuation, spaces and non-ASCII.
_TEXT = st.text(alphabet=st.sampled_from("aZ09-._~ !*'()&=+%/?;:@,$#[]é€\u00a0"), max_size=6)
_NAMES = st.one_of(st.sampled_from(["q", "page", "realm", "oauth_body_hash", "oauth_extra", "a b", "é"]), _TEXT)
_PATHS = st.sampled_from(
    ["/api/hr/v2/teams.json", "/api/echo/v1/a%20b.json", "/api/mc/v1/threads/u/1;2;3.json", "/", "/api/x/%C3%A9"]
)
_HOSTS = st.sampled_from(["http://testserver", "http://127.0.0.1:8000", "https://Example.COM:443", "http://[::1]:80"])
_METHODS = st.sampled_from(["GET", "POST", "PUT", "DELETE", "get"])
_SIGNATURE_METHODS = st.sampled_from(
    [SIGNATURE_HMAC_SHA1, SIGNATURE_HMAC_SHA256, SIGNATURE_HMAC_SHA256, SIGNATURE_HMAC_SHA512, SIGNATURE_PLAINTEXT]
)
_PLACEMENTS = st.sampled_from([SIGNATURE_TYPE_AUTH_HEADER, SIGNATURE_TYPE_QUERY, SIGNATURE_TYPE_BODY])
_NONCES = st.one_of(
    st.just("fresh"),
    st.text(alphabet=st.sampled_from("aZ09-._~"), min_size=1, max_size=3),
    st.sampled_from(["", "a" * 255, "a" * 256, "bad nonce", "é", "n%41"]),
)
# Seconds from now: well inside the window, or well outside (the edge would race the clock).
_OFFSETS = st.one_of(
    st.integers(-WINDOW + 20, WINDOW - 20), st.integers(WINDOW + 20, 10**6), st.integers(-(10**6), -WINDOW - 20)
)
_TIMESTAMP_FORMS = st.sampled_from(["ok", "ok", "ok", "short", "long", "spaced", "letters"])
_SECRETS = st.sampled_from(["right", "right", "right", "wrong_consumer_secret", "wrong_token_secret"])
_KEYS = st.sampled_from(
    [
        "right",
        "right",
        "right",
        "unknown_consumer",
        "unknown_token",
        "malformed_consumer",
        "malformed_token",
        "no_token",
    ]
)
_MUTATIONS = st.sampled_from(
    [
        "none",
        "none",
        "none",
        "tamper_query",
        "drop_signature",
        "duplicate_parameter",
        "two_places",
        "bad_version",
        "no_oauth",
        "malformed_query",
        "bearer_header",
        "realm_in_query",
    ]
)


# What goes wrong: mostly nothing, else one kind of thing, sometimes anything.
_FAULTS = st.sampled_from(
    ["none"] * 6 + ["keys", "secrets", "signature_method", "nonce", "timestamp", "mutation", "any", "any"]
)


def _encode(pairs: list[tuple[str, str]], plus: bool) -> str:
    return urlencode(pairs, quote_via=quote_plus if plus else quote, safe="")


def _timestamp(offset: int, form: str) -> str:
    seconds = str(int(time.time()) + offset)
    return {
        "ok": seconds,
        "short": seconds[1:],
        "long": seconds + "0",
        "spaced": " " + seconds[1:],
        "letters": "12345abcde",
    }[form]


@st.composite
def signed_requests(draw: Any, credentials: DemoCredentials) -> Drawn:
    fault = draw(_FAULTS)

    def faulty(axis: str, strategy: st.SearchStrategy[Any], good: Any) -> Any:
        return draw(strategy) if fault in (axis, "any") else good

    owner = credentials.roles["owner"]
    consumer_key, consumer_secret = credentials.consumer.key, credentials.consumer.secret
    token: str | None = owner.token
    token_secret: str | None = owner.token_secret
    match faulty("keys", _KEYS, "right"):
        case "unknown_consumer":
            consumer_key = UNKNOWN_KEY
        case "unknown_token":
            token = UNKNOWN_KEY
        case "malformed_consumer":
            consumer_key = "bad key!"
        case "malformed_token":
            token = "t" * 65
        case "no_token":
            token, token_secret = None, None
    match faulty("secrets", _SECRETS, "right"):
        case "wrong_consumer_secret":
            consumer_secret = "x" + consumer_secret[1:]
        case "wrong_token_secret":
            token_secret = "x" * 32

    http_method = draw(_METHODS)
    placement = draw(_PLACEMENTS)
    if placement == SIGNATURE_TYPE_BODY and http_method.upper() not in ("POST", "PUT"):
        http_method = "POST"
    plus = draw(st.booleans())
    query = draw(st.lists(st.tuples(_NAMES, _TEXT), max_size=3))
    form = draw(st.lists(st.tuples(_NAMES, _TEXT), max_size=3)) if http_method.upper() in ("POST", "PUT") else []
    if placement == SIGNATURE_TYPE_BODY and not form:
        form = [("field", "value")]
    body = _encode(form, plus) if form else None
    headers = {"Content-Type": FORM} if body is not None else {}
    nonce = faulty("nonce", _NONCES, "fresh")
    nonce = uuid.uuid4().hex if nonce == "fresh" else nonce
    timestamp = _timestamp(
        faulty("timestamp", _OFFSETS, draw(st.integers(-WINDOW + 20, WINDOW - 20))),
        faulty("timestamp", _TIMESTAMP_FORMS, "ok"),
    )
    client = Client(
        consumer_key,
        client_secret=consumer_secret,
        resource_owner_key=token,
        resource_owner_secret=token_secret,
        signature_method=faulty(
            "signature_method", _SIGNATURE_METHODS, draw(st.sampled_from([SIGNATURE_HMAC_SHA1, SIGNATURE_HMAC_SHA256]))
        ),
        signature_type=placement,
        nonce=nonce,
        timestamp=timestamp,
        realm=draw(st.sampled_from([None, "odesk"])),
    )
    # The URL on the wire; python-odesk signs a ``;`` path cut at the ``;``.
    base = draw(_HOSTS) + draw(_PATHS)
    signed_base = draw(st.sampled_from(signature_uris(base)))
    signed_url = signed_base + ("?" + _encode(query, plus) if query else "")
    sent_url, sent_headers, sent_body = client.sign(signed_url, http_method=http_method, body=body, headers=headers)
    sent_query = sent_url.partition("?")[2]
    sent_headers = dict(sent_headers)
    sent_body = sent_body or ""

    def add(parameter: str) -> str:
        return sent_query + "&" + parameter if sent_query else parameter

    match faulty("mutation", _MUTATIONS, "none"):
        case "tamper_query":
            sent_query = add("q=tampered")
        case "drop_signature":
            sent_query, sent_body = _drop("oauth_signature", sent_query), _drop("oauth_signature", sent_body)
            if "Authorization" in sent_headers:
                sent_headers["Authorization"] = re.sub(
                    r',?\s*oauth_signature="[^"]*"', "", sent_headers["Authorization"]
                )
        case "duplicate_parameter":
            if placement == SIGNATURE_TYPE_QUERY:
                sent_query = add("oauth_nonce=again")
            elif placement == SIGNATURE_TYPE_BODY:
                sent_body += "&oauth_nonce=again"
            else:
                sent_headers["Authorization"] += ', oauth_nonce="again"'
        case "two_places":
            if placement == SIGNATURE_TYPE_QUERY:
                sent_headers["Authorization"] = 'OAuth oauth_version="1.0"'
            else:
                sent_query = add("oauth_version=1.0")
        case "bad_version":
            sent_query = sent_query.replace("oauth_version=1.0", "oauth_version=2.0")
            sent_body = sent_body.replace("oauth_version=1.0", "oauth_version=2.0")
            if "Authorization" in sent_headers:
                sent_headers["Authorization"] = sent_headers["Authorization"].replace('"1.0"', '"2.0"')
        case "no_oauth":
            sent_query, sent_body, sent_headers = _encode(query, plus), body or "", headers
        case "malformed_query":
            sent_query = add(draw(st.sampled_from(["a=%zz", "a b=1", "a=1\u00e9", "%"])))
        case "bearer_header":
            sent_headers["Authorization"] = "Bearer abc"
        case "realm_in_query":
            sent_query = add("realm=x")
    if draw(st.booleans()):
        # Starlette hands the headers over in lower case.
        sent_headers = {name.lower(): value for name, value in sent_headers.items()}
    wire_url = base + ("?" + sent_query if sent_query else "")
    return Drawn(
        signature_uris(wire_url), http_method, sent_body, sent_headers, (consumer_key, token or "", nonce, timestamp)
    )


def _drop(name: str, encoded: str) -> str:
    return "&".join(part for part in encoded.split("&") if part and not part.startswith(name + "="))


# ---- the property


@pytest.fixture
def sides(
    demo_database: tuple[str, DemoCredentials], demo_db: Database
) -> tuple[OAuthProvider, ResourceEndpoint, DemoCredentials]:
    _url, credentials = demo_database
    owner = credentials.roles["owner"]
    answers = _DemoAnswers(credentials.consumer.key, credentials.consumer.secret, owner.token, owner.token_secret)
    return OAuthProvider(demo_db, timestamp_window=WINDOW), ResourceEndpoint(answers), credentials


def _ours(provider: OAuthProvider, drawn: Drawn, cold: bool) -> OAuthProblem | None:
    if cold:
        provider.credentials.discard(drawn.replay_key[1])  # the full path, from the database
    try:
        provider.verify(SignedRequest(drawn.uris, drawn.http_method, drawn.body, drawn.headers))
    except OAuthProblem as problem:
        assert problem.status in (400, 401), problem
        return problem
    return None


def _oauthlibs(endpoint: ResourceEndpoint, drawn: Drawn) -> bool:
    try:
        return any(
            endpoint.validate_protected_resource_request(uri, drawn.http_method, drawn.body, dict(drawn.headers))[0]
            for uri in drawn.uris
        )
    except ValueError:
        # oauthlib raises on a query string or Authorization header that is not url-encoding.
        return False


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), cold=st.booleans())
def test_verify_decides_like_oauthlibs_resource_endpoint(sides, data: st.DataObject, cold: bool) -> None:
    provider, endpoint, credentials = sides
    drawn = data.draw(signed_requests(credentials))
    expected = _oauthlibs(endpoint, drawn)
    problem = _ours(provider, drawn, cold)
    event("accepted" if problem is None else f"refused: {problem.code}")
    assert (problem is None) == expected, (
        f"oauthlib {'accepts' if expected else 'refuses'}, "
        f"verify {'accepts' if problem is None else f'refuses: {problem.code} {problem.message}'}: {drawn}"
    )
    if expected:
        # verify stored the nonce: a repeated example must now be refused on both sides.
        consumer_key, token, nonce, timestamp = drawn.replay_key
        # Both sides read protocol values unescaped once more after form decoding (RFC 5849's
        # collect_parameters, as oauthlib does): "n%41" is stored, and checked, as "nA".
        seen = oauth1_utils.unescape(nonce)
        endpoint.request_validator.accepted_nonces.add((consumer_key, token, seen, int(timestamp)))
