"""oauthlib's ``RequestValidator`` over our models (consumers, tokens, nonces).

One validator is made per request around a SQLAlchemy session. Beyond
oauthlib's yes/no answers it records *why* a check failed on the oauthlib
request (``request.odesk_problems``: category -> ``OAuthProblem``), so the
endpoints can tell the client exactly what was wrong while oauthlib keeps
running every check (dummy credentials keep the timing uniform).

Choices that differ from oauthlib's defaults (see ``spec/api-surface.md`` §4):

- key, token and verifier formats allow our hex keys and any RFC 3986
  unreserved characters of 8 to 64 characters;
- nonces may be as short as one character (python-odesk sends 8 digits,
  oauth2 a random integer); replay protection comes from storing them;
- ``oauth_callback`` is optional on the request-token call (oob when absent),
  and must be one the consumer may use (``odesk_server.oauth.callbacks``);
- realms are ignored;
- HMAC-SHA1 and HMAC-SHA256 are the accepted signature methods.
"""

from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass

import sqlalchemy as sa
from oauthlib.common import Request as OAuthlibRequest
from oauthlib.oauth1 import RequestValidator
from oauthlib.oauth1.rfc5849 import SIGNATURE_HMAC_SHA1, SIGNATURE_HMAC_SHA256
from sqlalchemy.orm import Session

from odesk_server.models import AccessToken, Consumer, OAuthNonce, RequestToken, User, utcnow
from odesk_server.oauth.callbacks import OOB, CallbackRejected, check_callback, registered_origins
from odesk_server.oauth.problems import OAuthProblem, unauthorized
from odesk_server.security import constant_time_equals

REQUEST_TOKEN_LIFETIME = dt.timedelta(hours=1)
# Secrets used when a key is unknown, so the signature check still runs.
_DUMMY_SECRET = "0" * 32
_DUMMY_KEY = "dummy" + "0" * 27
# RFC 3986 unreserved characters; built once (oauthlib asks for it several times a request).
_SAFE_CHARACTERS = frozenset(string.ascii_letters + string.digits + "-._~")


# Prebuilt statements for the per-request lookups (parameters bound at execution).
_CONSUMER_QUERY = sa.select(Consumer).where(Consumer.key == sa.bindparam("key"))
_ACCESS_TOKEN_QUERY = (
    sa.select(AccessToken, User, Consumer)
    .join(User, User.id == AccessToken.user_id)
    .join(Consumer, Consumer.id == AccessToken.consumer_id)
    .where(AccessToken.token == sa.bindparam("token"))
)


@dataclass(frozen=True)
class ValidatorPolicy:
    """The settings the validator takes from the server: the timestamp window (seconds)."""

    timestamp_lifetime: int = 300


def _problems(request: OAuthlibRequest) -> dict[str, OAuthProblem]:
    problems = getattr(request, "odesk_problems", None)
    if problems is None:
        problems = {}
        request.odesk_problems = problems
    return problems


def record_problem(request: OAuthlibRequest, category: str, problem: OAuthProblem) -> None:
    """Remember the first problem of a category (client, token, verifier, nonce) on ``request``."""
    _problems(request).setdefault(category, problem)


class OdeskRequestValidator(RequestValidator):
    """The RequestValidator of our provider (see the module docstring)."""

    def __init__(self, session: Session, policy: ValidatorPolicy = ValidatorPolicy()) -> None:
        super().__init__()
        self.session = session
        self.policy = policy

    # ---- formats and policy (RFC 5849 section 3.2 leaves them to the server)

    @property
    def allowed_signature_methods(self):
        return (SIGNATURE_HMAC_SHA1, SIGNATURE_HMAC_SHA256)

    @property
    def safe_characters(self):
        return _SAFE_CHARACTERS

    @property
    def client_key_length(self):
        return 8, 64

    @property
    def request_token_length(self):
        return 8, 64

    @property
    def access_token_length(self):
        return 8, 64

    @property
    def verifier_length(self):
        return 8, 64

    @property
    def nonce_length(self):
        return 1, 255

    @property
    def timestamp_lifetime(self):
        return self.policy.timestamp_lifetime

    @property
    def enforce_ssl(self):
        # TLS is the reverse proxy's business; loopback and tests speak HTTP.
        return False

    @property
    def dummy_client(self):
        return _DUMMY_KEY

    @property
    def dummy_request_token(self):
        return _DUMMY_KEY

    @property
    def dummy_access_token(self):
        return _DUMMY_KEY

    def check_realms(self, realms):
        return True

    def get_default_realms(self, client_key, request):
        return []

    def validate_requested_realms(self, client_key, realms, request):
        return True

    def validate_realms(self, client_key, token, request, uri=None, realms=None):
        return True

    def get_realms(self, token, request):
        return []

    def validate_redirect_uri(self, client_key, redirect_uri, request):
        # Called after validate_client_key: an unknown consumer has no
        # registered origins (and its own problem is reported first).
        consumer = getattr(request, "odesk_consumer", None)
        origins = registered_origins(self.session, consumer.id, consumer.callback_uri) if consumer else frozenset()
        try:
            check_callback(redirect_uri, origins)
        except CallbackRejected as rejected:
            record_problem(request, "callback", OAuthProblem(400, "parameter_rejected", str(rejected)))
            return False
        return True

    # ---- consumers

    def _consumer(self, client_key: str, request: OAuthlibRequest) -> Consumer | None:
        cached = getattr(request, "odesk_consumer", None)
        if cached is not None and cached.key == client_key:
            return cached
        consumer = self.session.execute(_CONSUMER_QUERY, {"key": client_key}).scalar_one_or_none()
        request.odesk_consumer = consumer
        return consumer

    def validate_client_key(self, client_key, request):
        consumer = self._consumer(client_key, request)
        if consumer is None:
            record_problem(request, "client", unauthorized("consumer_key_unknown", "Unknown consumer key"))
            return False
        if consumer.is_revoked:
            record_problem(
                request, "client", unauthorized("consumer_key_rejected", "The consumer key has been revoked")
            )
            return False
        return True

    def get_client_secret(self, client_key, request):
        consumer = getattr(request, "odesk_consumer", None)
        if consumer is not None and consumer.key == client_key:
            return consumer.secret
        return _DUMMY_SECRET

    # ---- request tokens (temporary credentials)

    def save_request_token(self, token, request):
        consumer = request.odesk_consumer
        self.session.add(
            RequestToken(
                token=token["oauth_token"],
                secret=token["oauth_token_secret"],
                consumer_id=consumer.id,
                callback=request.redirect_uri or OOB,
                expires_at=utcnow() + REQUEST_TOKEN_LIFETIME,
            )
        )
        self.session.flush()

    def _request_token(self, token: str, request: OAuthlibRequest) -> RequestToken | None:
        cached = getattr(request, "odesk_request_token", None)
        if cached is not None and cached.token == token:
            return cached
        row = self.session.execute(sa.select(RequestToken).where(RequestToken.token == token)).scalar_one_or_none()
        request.odesk_request_token = row
        return row

    def validate_request_token(self, client_key, token, request):
        row = self._request_token(token, request)
        consumer = getattr(request, "odesk_consumer", None)
        if row is None:
            record_problem(request, "token", unauthorized("token_rejected", "Unknown request token"))
            return False
        if consumer is None or row.consumer_id != consumer.id:
            record_problem(
                request, "token", unauthorized("token_rejected", "The request token belongs to another consumer")
            )
            return False
        if row.used_at is not None:
            record_problem(request, "token", unauthorized("token_used", "The request token has already been exchanged"))
            return False
        if row.expires_at <= utcnow():
            record_problem(request, "token", unauthorized("token_expired", "The request token has expired"))
            return False
        return True

    def get_request_token_secret(self, client_key, token, request):
        row = getattr(request, "odesk_request_token", None)
        if row is not None and row.token == token:
            return row.secret
        return _DUMMY_SECRET

    def validate_verifier(self, client_key, token, verifier, request):
        row = getattr(request, "odesk_request_token", None)
        if row is None or row.token != token:
            return False  # the token problem already says why
        if row.verifier is None or row.user_id is None:
            record_problem(
                request,
                "verifier",
                unauthorized("permission_unknown", "The user has not authorized this request token"),
            )
            return False
        if not constant_time_equals(row.verifier, verifier):
            record_problem(
                request, "verifier", unauthorized("verifier_invalid", "oauth_verifier is not valid for this token")
            )
            return False
        return True

    def invalidate_request_token(self, client_key, request_token, request):
        row = self._request_token(request_token, request)
        if row is not None:
            row.used_at = utcnow()
            self.session.flush()

    def save_access_token(self, token, request):
        row = request.odesk_request_token
        self.session.add(
            AccessToken(
                token=token["oauth_token"],
                secret=token["oauth_token_secret"],
                consumer_id=row.consumer_id,
                user_id=row.user_id,
            )
        )
        self.session.flush()

    # ---- access tokens (token credentials)

    def prefetch_access_token(self, client_key: str, token: str, request: OAuthlibRequest) -> None:
        """Load the access token, its user and its consumer in one query (the hot path).

        When the token's consumer is the one the request names, the consumer
        check that follows needs no query of its own.
        """
        found = self.session.execute(_ACCESS_TOKEN_QUERY, {"token": token}).one_or_none()
        request.odesk_access_found = found
        if found is not None and found[2].key == client_key:
            request.odesk_consumer = found[2]

    def validate_access_token(self, client_key, token, request):
        if hasattr(request, "odesk_access_found"):
            found = request.odesk_access_found
        else:
            found = self.session.execute(_ACCESS_TOKEN_QUERY, {"token": token}).one_or_none()
        if found is None:
            record_problem(request, "token", unauthorized("token_rejected", "Unknown access token"))
            return False
        access_token, user, _token_consumer = found
        request.odesk_access_token = access_token
        request.odesk_user = user
        consumer = getattr(request, "odesk_consumer", None)
        if consumer is None or access_token.consumer_id != consumer.id:
            record_problem(
                request, "token", unauthorized("token_rejected", "The access token belongs to another consumer")
            )
            return False
        if access_token.is_revoked:
            record_problem(request, "token", unauthorized("token_revoked", "The access token has been revoked"))
            return False
        if user.status != "active":
            record_problem(
                request, "token", unauthorized("user_inactive", "The user of this access token is not active")
            )
            return False
        return True

    def get_access_token_secret(self, client_key, token, request):
        access_token = getattr(request, "odesk_access_token", None)
        if access_token is not None and access_token.token == token:
            return access_token.secret
        return _DUMMY_SECRET

    # ---- nonces (RFC 5849 section 3.3)

    def validate_timestamp_and_nonce(
        self, client_key, timestamp, nonce, request, request_token=None, access_token=None
    ):
        # Only a read here: the nonce is stored by ``consume_nonce`` once the
        # request has proved authentic, so forged requests cannot burn nonces.
        seen = self.session.execute(
            sa.select(OAuthNonce.id).where(
                OAuthNonce.consumer_key == client_key,
                OAuthNonce.token == (request_token or access_token or ""),
                OAuthNonce.nonce == nonce,
                OAuthNonce.timestamp == int(timestamp),
            )
        ).first()
        if seen is not None:
            record_problem(
                request, "nonce", unauthorized("nonce_used", "This nonce and timestamp have already been used")
            )
            return False
        return True
