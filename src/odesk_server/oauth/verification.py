"""A signed API request's OAuth parameters, parsed once, and its signature (RFC 5849 section 3.2).

API calls are the server's hot path: each one is parsed and checked here,
on oauthlib's public signature functions (``oauthlib.oauth1.rfc5849.signature``),
rather than by oauthlib's endpoint classes, which build a request object of
their own and read the query string and the body several times over. The
rules are oauthlib's, step for step, and the differential test
(``tests/odesk_server/test_oauth_verification.py``) holds this module to
``ResourceEndpoint.validate_protected_resource_request`` over generated requests:

- ``collect_parameters``: section 3.4.1.3.1, the parameters of the
  ``Authorization: OAuth`` header, the query string and a form-encoded body;
  the protocol parameters must come from one of the three, unrepeated;
- ``check_protocol_parameters``: section 3.2 steps 1-2, the format checks
  (mandatory parameters, signature method, version, timestamp window, the
  consumer key's and the nonce's formats);
- ``signature_matches``: section 3.4.2, HMAC over the signature base string
  of each candidate URL, compared in constant time.

The token endpoints stay on oauthlib's endpoint classes (``oauth.provider``).
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from oauthlib.oauth1 import RequestValidator
from oauthlib.oauth1.rfc5849 import CONTENT_TYPE_FORM_URLENCODED, SIGNATURE_HMAC_SHA1, SIGNATURE_HMAC_SHA256
from oauthlib.oauth1.rfc5849 import signature as rfc5849_signature

from odesk_server.oauth.problems import (
    CONSUMER_KEY_FORMAT,
    INSECURE_TRANSPORT,
    NONCE_FORMAT,
    PARAMETER_REPEATED,
    PARAMETERS_ABSENT,
    PARAMETERS_IN_TWO_PLACES,
    SIGNATURE_METHOD_REJECTED,
    TIMESTAMP_NOT_INTEGER,
    TIMESTAMP_OUTSIDE_WINDOW,
    TIMESTAMP_SIZE,
    UNSIGNED,
    VERSION_REJECTED,
    malformed_encoding,
)


@dataclass(frozen=True)
class SignedRequest:
    """An HTTP request as the OAuth layer sees it.

    ``uris``: the absolute URLs the client may have signed, most likely
    first (see ``provider.signature_uris``); ``http_method``: the verb as
    sent on the wire; ``body``: the raw body as text (only form-encoded
    bodies take part in the signature); ``headers``: the request headers.
    """

    uris: tuple[str, ...]
    http_method: str
    body: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class OAuthParameters:
    """A signed request's parameters, collected once.

    The ``oauth_*`` fields are the protocol parameters as sent (None when
    absent); ``signed`` is every parameter the signature covers, in the
    order found (``oauth_signature`` left out, and ``realm`` too when the
    Authorization header mentions one); ``uris`` and ``http_method`` are the
    request's, for the signature base string.
    """

    uris: tuple[str, ...]
    http_method: str
    signed: tuple[tuple[str, str], ...]
    consumer_key: str | None
    token: str | None
    nonce: str | None
    timestamp: str | None
    signature_method: str | None
    signature: str | None
    version: str | None


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """The header ``name`` (lower case), whatever the case it was sent in; the last one wins."""
    found = headers.get(name)
    if found is None:
        for key, value in headers.items():
            if key.lower() == name:
                found = value
    return found


def _protocol(parameters: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(name, value) for name, value in parameters if name.startswith("oauth_")]


def collect_parameters(signed: SignedRequest) -> OAuthParameters:
    """The request's parameters (RFC 5849 section 3.4.1.3.1), each source parsed once.

    Raises ``OAuthProblem``: 401 ``parameter_absent`` when no source holds
    an ``oauth_*`` parameter; 400 ``parameter_rejected`` when two sources
    do, when one is repeated, or when the query string or the Authorization
    header is not valid url-encoding. A form body that is not url-encoding
    counts as no parameters (as for oauthlib).
    """
    if not signed.uris:
        raise ValueError("SignedRequest.uris must not be empty")
    authorization = _header(signed.headers, "authorization")
    content_type = _header(signed.headers, "content-type")
    is_form = content_type is not None and CONTENT_TYPE_FORM_URLENCODED in content_type
    try:
        query = rfc5849_signature.collect_parameters(
            uri_query=urlsplit(signed.uris[0]).query, exclude_oauth_signature=False
        )
        header = (
            rfc5849_signature.collect_parameters(
                headers={"Authorization": authorization}, exclude_oauth_signature=False, with_realm=True
            )
            if authorization is not None
            else []
        )
    except ValueError as error:
        raise malformed_encoding(error) from None
    body = rfc5849_signature.collect_parameters(body=signed.body, exclude_oauth_signature=False) if is_form else []

    sources = [protocol for protocol in (_protocol(header), _protocol(body), _protocol(query)) if protocol]
    if not sources:
        raise UNSIGNED.error()
    if len(sources) > 1:
        raise PARAMETERS_IN_TWO_PLACES.error()
    # The server SHOULD answer 400 to repeated protocol parameters (section 3.2).
    protocol = dict(sources[0])
    if len(protocol) != len(sources[0]):
        raise PARAMETER_REPEATED.error()

    # A realm sent in the Authorization header is not signed (section 3.4.1.3.1).
    unsigned = (
        ("oauth_signature", "realm") if authorization is not None and "realm" in authorization else ("oauth_signature",)
    )
    return OAuthParameters(
        uris=signed.uris,
        http_method=signed.http_method,
        signed=tuple((name, value) for name, value in (*header, *body, *query) if name not in unsigned),
        consumer_key=protocol.get("oauth_consumer_key"),
        token=protocol.get("oauth_token"),
        nonce=protocol.get("oauth_nonce"),
        timestamp=protocol.get("oauth_timestamp"),
        signature_method=protocol.get("oauth_signature_method"),
        signature=protocol.get("oauth_signature"),
        version=protocol.get("oauth_version"),
    )


def check_protocol_parameters(parameters: OAuthParameters, validator: RequestValidator) -> None:
    """The format checks of RFC 5849 section 3.2 (steps 1-2), under ``validator``'s policy.

    Runs in oauthlib's order: transport, mandatory parameters, signature
    method, version, timestamp (ten digits, within the window), consumer
    key format, nonce format. Raises ``OAuthProblem`` for the first that fails.
    """
    if validator.enforce_ssl and not parameters.uris[0].lower().startswith("https://"):
        raise INSECURE_TRANSPORT.error()
    timestamp = parameters.timestamp
    if not (
        parameters.signature
        and parameters.consumer_key
        and parameters.nonce
        and timestamp
        and parameters.signature_method
    ):
        raise PARAMETERS_ABSENT.error()
    if parameters.signature_method not in validator.allowed_signature_methods:
        raise SIGNATURE_METHOD_REJECTED.error()
    if parameters.version is not None and parameters.version != "1.0":
        raise VERSION_REJECTED.error()
    if len(timestamp) != 10:
        raise TIMESTAMP_SIZE.error()
    try:
        seconds = int(timestamp)
    except ValueError:
        raise TIMESTAMP_NOT_INTEGER.error() from None
    # The window bounds how long nonces must be kept (section 3.3).
    if abs(time.time() - seconds) > validator.timestamp_lifetime:
        raise TIMESTAMP_OUTSIDE_WINDOW.error()
    if not validator.check_client_key(parameters.consumer_key):
        raise CONSUMER_KEY_FORMAT.error()
    if not validator.check_nonce(parameters.nonce):
        raise NONCE_FORMAT.error()


@dataclass(frozen=True)
class _Secrets:
    """The two shared secrets, under the names oauthlib's ``sign_*_with_client`` functions read."""

    client_secret: str
    resource_owner_secret: str | None


# The HMAC methods we can check; the validator's policy decides which are accepted.
_SIGNERS: dict[str, Callable[[str, _Secrets], str]] = {
    SIGNATURE_HMAC_SHA1: rfc5849_signature.sign_hmac_sha1_with_client,
    SIGNATURE_HMAC_SHA256: rfc5849_signature.sign_hmac_sha256_with_client,
}


def signature_matches(parameters: OAuthParameters, client_secret: str, token_secret: str | None) -> bool:
    """Whether ``oauth_signature`` is the HMAC of the request over any of its candidate URLs (section 3.4.2).

    The normalized parameters are the same for every candidate (the query
    is the request's); only the base string URI differs.
    """
    sign = _SIGNERS.get(parameters.signature_method or "")
    if sign is None or parameters.signature is None:
        return False
    secrets = _Secrets(client_secret, token_secret)
    sent = parameters.signature.encode("utf-8", "surrogatepass")
    normalized = rfc5849_signature.normalize_parameters(parameters.signed)
    for uri in parameters.uris:
        base_string = rfc5849_signature.signature_base_string(
            parameters.http_method, rfc5849_signature.base_string_uri(uri), normalized
        )
        if hmac.compare_digest(sign(base_string, secrets).encode("ascii"), sent):
            return True
    return False
