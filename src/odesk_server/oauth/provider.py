"""The OAuth 1.0a provider: the three server-side checks of RFC 5849, on oauthlib.

``OAuthProvider`` answers the two token endpoints (section 2.1 temporary
credentials, section 2.3 token credentials) and verifies signed API requests
(section 3.2). On the token endpoints oauthlib's endpoint classes do the
protocol work: parameter collection from the Authorization header, query
string and form body (section 3.4.1.3), the format checks and the
signature; ``OdeskRequestValidator`` answers their questions from the
database. API calls, the hot path, parse their parameters once and check
them on oauthlib's public signature functions (``oauth.verification``),
with the same rules and the same validator's policy.

What we add around oauthlib:

- precise errors: every failure raises an ``OAuthProblem`` naming the check
  (``consumer_key_unknown``, ``token_revoked``, ``signature_invalid``, ...);
- signature URL variants (``SignedRequest.uris``): the URL as received and,
  when the last path segment holds a ``;``, the URL cut there, because
  python-odesk 0.5.8 (oauth2 1.5.211) signs ``/a/b/1;2;3.json`` as ``/a/b/1``;
- nonces are stored only once the request proved authentic, atomically
  (``nonces.consume_nonce``), so a forged request cannot burn a nonce and two
  concurrent replays cannot both pass;
- a request-token request without ``oauth_callback`` means out-of-band.

Revocation is immediate: the statement that stores each request's nonce
also checks that the token, its consumer and its user are still valid
(``nonces.consume_nonce_if_valid``), so the credentials themselves may come
from a short-lived cache (``credentials.CredentialCache``).
"""

from __future__ import annotations

import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from oauthlib.common import Request as OAuthlibRequest
from oauthlib.oauth1 import AccessTokenEndpoint, RequestTokenEndpoint
from oauthlib.oauth1.rfc5849 import errors as oauthlib_errors
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from odesk_server.db import Database
from odesk_server.db.prepared import RawConnection, raw_connection
from odesk_server.models import AccessToken, Consumer, User
from odesk_server.oauth.credentials import CredentialCache, TokenCredentials
from odesk_server.oauth.nonces import consume_nonce, consume_nonce_if_valid, purge_expired
from odesk_server.oauth.problems import UNSIGNED, OAuthProblem, malformed_encoding, problem_from_oauthlib, unauthorized
from odesk_server.oauth.validator import OOB, OdeskRequestValidator, ValidatorPolicy
from odesk_server.oauth.verification import (
    OAuthParameters,
    SignedRequest,
    check_protocol_parameters,
    collect_parameters,
    signature_matches,
)
from odesk_server.security import new_key

NONCE_PURGE_INTERVAL = 60.0

# The order in which a failed request's problems are reported: the first
# credential that fails explains the rest (a bad key makes the signature fail too).
_PROBLEM_ORDER = ("client", "token", "verifier", "callback", "nonce")


@dataclass(frozen=True)
class VerifiedRequest:
    """A signed API request that passed every check: who sent it, for whom.

    The ORM objects are detached (loaded in the provider's own session):
    read their columns, but query again in your session for relationships.
    """

    consumer: Consumer
    access_token: AccessToken
    user: User


def signature_uris(url: str) -> tuple[str, ...]:
    """The URL variants a client may have signed ``url`` as.

    Always ``url`` itself; plus, when the last path segment contains ``;``,
    the URL with that segment cut at the first ``;`` (query kept).
    """
    if ";" not in url:
        return (url,)
    parts = urlsplit(url)
    head, _, last = parts.path.rpartition("/")
    if ";" not in last:
        return (url,)
    cut = urlunsplit((parts.scheme, parts.netloc, f"{head}/{last.split(';', 1)[0]}", parts.query, ""))
    return (url, cut)


def _new_token(_request: OAuthlibRequest | None = None) -> str:
    return new_key()


class _SignatureVariants:
    """Mixin: a signature is valid when it matches any of the request's candidate URLs.

    oauthlib's public token checks (``validate_request_token_request``,
    ``validate_access_token_request``) call this private method; overriding it
    is the one way to give them several URLs (see test_private_internals.py).
    """

    def _check_signature(self, request, is_token_request=False):
        for uri in request.odesk_uris:
            request.uri = uri
            if super()._check_signature(request, is_token_request):  # type: ignore[misc]
                return True
        return False


class _RequestTokenEndpoint(_SignatureVariants, RequestTokenEndpoint):
    def _create_request(self, uri, http_method, body, headers):
        request = super()._create_request(uri, http_method, body, headers)
        if not request.redirect_uri:
            # python-odesk and python-upwork put the callback on the authorize URL.
            request.redirect_uri = OOB
        return request


class _AccessTokenEndpoint(_SignatureVariants, AccessTokenEndpoint):
    pass


def _first_problem(request: OAuthlibRequest) -> OAuthProblem:
    problems = getattr(request, "odesk_problems", {})
    for category in _PROBLEM_ORDER:
        if category in problems:
            return problems[category]
    if request.validator_log.get("signature") is False:
        return unauthorized("signature_invalid", "Invalid signature")
    return unauthorized("permission_denied", "The request was not authorized")


class OAuthProvider:
    """The provider over one database; safe to share between threads."""

    def __init__(self, database: Database, timestamp_window: int = 300, credentials_ttl: float = 60.0) -> None:
        self.database = database
        self.credentials = CredentialCache(ttl=credentials_ttl)
        self.policy = ValidatorPolicy(timestamp_lifetime=timestamp_window)
        self._purge_lock = threading.Lock()
        self._next_purge = 0.0
        # The formats and policy of API calls: a validator that needs no session.
        self._format_validator = OdeskRequestValidator(None, self.policy)  # type: ignore[arg-type]

    # ---- parsing (token endpoints: oauthlib's request object)

    def _parse(self, endpoint, signed: SignedRequest) -> OAuthlibRequest:
        if not signed.uris:
            raise ValueError("SignedRequest.uris must not be empty")
        try:
            request = endpoint._create_request(signed.uris[0], signed.http_method, signed.body, dict(signed.headers))
        except oauthlib_errors.OAuth1Error as error:
            if "Missing mandatory OAuth parameters" in str(error.description):
                raise UNSIGNED.error() from None
            raise problem_from_oauthlib(error) from None
        except ValueError as error:
            # oauthlib refuses query strings and bodies that are not valid url-encoding.
            raise malformed_encoding(error) from None
        request.odesk_uris = signed.uris
        return request

    @staticmethod
    def _check(endpoint, check, request: OAuthlibRequest):
        try:
            return check(request)
        except oauthlib_errors.OAuth1Error as error:
            raise problem_from_oauthlib(error) from None

    def _validated(self, endpoint, signed: SignedRequest, validate) -> OAuthlibRequest:
        """The parsed request once ``validate`` (a token endpoint's check) accepts it.

        Raises ``OAuthProblem`` naming the first check that failed.
        """
        request = self._parse(endpoint, signed)
        valid, request = self._check(endpoint, validate, request)
        if not valid:
            raise _first_problem(request)
        return request

    def _consume_nonce(self, session: Session, request: OAuthlibRequest, token: str) -> None:
        self._maybe_purge(session)
        if not consume_nonce(session, request.client_key, token, request.nonce, int(request.timestamp)):
            raise unauthorized("nonce_used", "This nonce and timestamp have already been used")

    def _maybe_purge(self, session: Session | Connection) -> None:
        if self._purge_due():
            self._purge(session)

    def _purge_due(self) -> bool:
        return time.monotonic() >= self._next_purge

    def _purge(self, session: Session | Connection) -> None:
        if not self._purge_lock.acquire(blocking=False):
            return  # another thread is purging
        try:
            now = time.monotonic()
            if now < self._next_purge:
                return
            self._next_purge = now + NONCE_PURGE_INTERVAL
            purge_expired(session, self.policy.timestamp_lifetime)
        finally:
            self._purge_lock.release()

    # ---- RFC 5849 section 2.1: temporary credentials

    def issue_request_token(self, signed: SignedRequest) -> str:
        """Check a request-token request and issue one.

        Returns the form-encoded response body
        (``oauth_token=..&oauth_token_secret=..&oauth_callback_confirmed=true``).
        Raises ``OAuthProblem``.
        """
        with self.database.session() as session:
            validator = OdeskRequestValidator(session, self.policy)
            endpoint = _RequestTokenEndpoint(validator, token_generator=_new_token)
            request = self._validated(endpoint, signed, endpoint.validate_request_token_request)
            self._consume_nonce(session, request, "")
            return endpoint.create_request_token(request, {})

    # ---- RFC 5849 section 2.3: token credentials

    def issue_access_token(self, signed: SignedRequest) -> str:
        """Exchange an authorized request token and its verifier for an access token.

        Returns the form-encoded response body (``oauth_token=..&oauth_token_secret=..``).
        The request token works once. Raises ``OAuthProblem``.
        """
        with self.database.session() as session:
            validator = OdeskRequestValidator(session, self.policy)
            endpoint = _AccessTokenEndpoint(validator, token_generator=_new_token)
            request = self._validated(endpoint, signed, endpoint.validate_access_token_request)
            self._consume_nonce(session, request, request.resource_owner_key)
            body = endpoint.create_access_token(request, {})
            validator.invalidate_request_token(request.client_key, request.resource_owner_key, request)
            return body

    # ---- RFC 5849 section 3.2: verifying requests

    def verify(self, signed: SignedRequest, connection: RawConnection | None = None) -> VerifiedRequest:
        """Verify a signed API request made with an access token.

        Returns who made it. Raises ``OAuthProblem`` naming the failed check.
        ``connection``: a driver connection (``prepared.raw_connection``) for
        the nonce insert, committed here and left open for the caller's
        reads; without it the provider checks one out of the pool.

        Hot path: the parameters are parsed once (``verification``), the
        token's credentials come from the ``CredentialCache`` and one
        statement stores the nonce while re-checking that the token,
        consumer and user are still valid. Any failure there takes the full
        path, which reads everything again and names the problem.
        """
        parameters = collect_parameters(signed)
        check_protocol_parameters(parameters, self._format_validator)
        consumer_key, token = parameters.consumer_key, parameters.token
        assert consumer_key is not None  # checked by check_protocol_parameters
        if not token:
            raise unauthorized("parameter_absent", "oauth_token is missing: API calls need an access token")
        if not self._format_validator.check_access_token(token):
            raise unauthorized("token_rejected", "Unknown access token")

        cached = self.credentials.get(token)
        if cached is not None and cached.consumer_key == consumer_key:
            consumer, access_token, user = cached.instances()
            if signature_matches(parameters, consumer.secret, access_token.secret):
                if self._purge_due():
                    with self.database.engine.begin() as purge_connection:
                        self._purge(purge_connection)
                # The one statement of the hot path, at driver level (db.prepared).
                with ExitStack() as stack:
                    if connection is None:
                        connection = stack.enter_context(raw_connection(self.database.engine))
                    stack.enter_context(self.database.short_write())
                    stored = consume_nonce_if_valid(connection, consumer_key, token, *_nonce(parameters))
                    # Committed at once either way: a failed insert leaves
                    # nothing, and the caller's reads must not see an open write.
                    connection.commit()
                if stored:
                    return VerifiedRequest(consumer=consumer, access_token=access_token, user=user)
            # Revoked meanwhile, a replay or a bad signature: the full check says which.
            self.credentials.discard(token)
        return self._verify_from_database(parameters, consumer_key, token)

    def _verify_from_database(self, parameters: OAuthParameters, consumer_key: str, token: str) -> VerifiedRequest:
        """The full check of ``verify``: every row read again, the first failed check named."""
        with self.database.session() as session:
            validator = OdeskRequestValidator(session, self.policy)
            # The validator records its findings (rows, problems) on an oauthlib request.
            request = OAuthlibRequest(parameters.uris[0], parameters.http_method)
            validator.prefetch_access_token(consumer_key, token, request)
            valid_client = validator.validate_client_key(consumer_key, request)
            valid_token = valid_client and validator.validate_access_token(consumer_key, token, request)
            # Unknown credentials are checked against dummy secrets: the same work either way.
            valid_signature = signature_matches(
                parameters,
                validator.get_client_secret(consumer_key, request),
                validator.get_access_token_secret(consumer_key, token, request),
            )
            request.validator_log["signature"] = valid_signature
            if not (valid_client and valid_token and valid_signature):
                raise _first_problem(request)
            self._maybe_purge(session)
            if not consume_nonce_if_valid(session, consumer_key, token, *_nonce(parameters)):
                raise unauthorized("nonce_used", "This nonce and timestamp have already been used")
            credentials = TokenCredentials.of(request.odesk_consumer, request.odesk_access_token, request.odesk_user)
        self.credentials.put(token, credentials)
        return VerifiedRequest(*credentials.instances())


def _nonce(parameters: OAuthParameters) -> tuple[str, int]:
    """The nonce and timestamp of parameters that passed ``check_protocol_parameters``."""
    assert parameters.nonce is not None and parameters.timestamp is not None
    return parameters.nonce, int(parameters.timestamp)
