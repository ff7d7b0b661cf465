"""OAuth failures as API errors, named after the OAuth Problem Reporting extension.

Every failure of the OAuth layer is an ``OAuthProblem`` (an ``ApiError``):
the status is 401 when the credentials do not authenticate the request and
400 when the request is malformed, the code is the problem name
(``signature_invalid``, ``nonce_used``, ...), and the message says which
check failed. The format problems (``FormatProblem``) are named once here,
for the API calls' own checks (``oauth.verification``) and for oauthlib's on
the token endpoints, which it reports as ``OAuth1Error`` with a free-text
description that ``problem_from_oauthlib`` maps.
"""

from __future__ import annotations

from dataclasses import dataclass

from oauthlib.oauth1.rfc5849 import errors as oauthlib_errors

from odesk_server.errors import ApiError

# RFC 5849 section 3.2: an unauthenticated request gets 401 and a challenge.
CHALLENGE = {"WWW-Authenticate": 'OAuth realm="odesk"'}


class OAuthProblem(ApiError):
    """An OAuth check failed: ``code`` is the problem name, ``message`` the reason."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(status, code, message, CHALLENGE if status == 401 else None)


def unauthorized(code: str, message: str) -> OAuthProblem:
    """A 401 problem: the request does not authenticate."""
    return OAuthProblem(401, code, message)


def malformed(code: str, message: str) -> OAuthProblem:
    """A 400 problem: the OAuth parameters are malformed."""
    return OAuthProblem(400, code, message)


@dataclass(frozen=True)
class FormatProblem:
    """A problem of the format checks (RFC 5849 section 3.2 steps 1-2): what to answer.

    ``error()`` makes a fresh ``OAuthProblem`` to raise; the same text serves
    our own parameter checks (``oauth.verification``) and oauthlib's, whose
    errors ``problem_from_oauthlib`` maps here.
    """

    status: int
    code: str
    message: str

    def error(self) -> OAuthProblem:
        return OAuthProblem(self.status, self.code, self.message)


UNSIGNED = FormatProblem(401, "parameter_absent", "This resource needs an OAuth 1.0 signed request")
MALFORMED_ENCODING = FormatProblem(400, "parameter_rejected", "Malformed request parameters")
PARAMETERS_ABSENT = FormatProblem(
    400,
    "parameter_absent",
    "Missing OAuth parameters: oauth_consumer_key, oauth_nonce, oauth_timestamp, "
    "oauth_signature_method and oauth_signature are required",
)
PARAMETERS_IN_TWO_PLACES = FormatProblem(
    400,
    "parameter_rejected",
    "OAuth parameters must come from one place only: the Authorization header, the query string or the form body",
)
PARAMETER_REPEATED = FormatProblem(400, "parameter_rejected", "An OAuth parameter is repeated")
SIGNATURE_METHOD_REJECTED = FormatProblem(
    400, "signature_method_rejected", "Unsupported oauth_signature_method: use HMAC-SHA1 or HMAC-SHA256"
)
INSECURE_TRANSPORT = FormatProblem(400, "insecure_transport", "OAuth requests must use HTTPS")
VERSION_REJECTED = FormatProblem(400, "version_rejected", "oauth_version must be 1.0")
TIMESTAMP_SIZE = FormatProblem(401, "timestamp_refused", "oauth_timestamp is not a current Unix time in seconds")
TIMESTAMP_NOT_INTEGER = FormatProblem(401, "timestamp_refused", "oauth_timestamp must be an integer")
TIMESTAMP_OUTSIDE_WINDOW = FormatProblem(401, "timestamp_refused", "oauth_timestamp is too far from the server's clock")
CONSUMER_KEY_FORMAT = FormatProblem(401, "consumer_key_unknown", "Unknown consumer key")
NONCE_FORMAT = FormatProblem(400, "parameter_rejected", "oauth_nonce has an invalid format")


def malformed_encoding(reason: object) -> OAuthProblem:
    """The 400 of a query string or Authorization header that is not valid url-encoding."""
    return malformed(MALFORMED_ENCODING.code, f"{MALFORMED_ENCODING.message}: {reason}")


# (substring of oauthlib's description, our problem); first match wins.
_OAUTHLIB_DESCRIPTIONS: tuple[tuple[str, FormatProblem], ...] = (
    ("Missing mandatory OAuth parameters", PARAMETERS_ABSENT),
    ("must come from only 1 signature", PARAMETERS_IN_TWO_PLACES),
    ("Duplicate OAuth1 entries", PARAMETER_REPEATED),
    ("Invalid OAuth version", VERSION_REJECTED),
    ("Invalid timestamp size", TIMESTAMP_SIZE),
    ("Timestamp must be an integer", TIMESTAMP_NOT_INTEGER),
    ("Timestamp given is invalid", TIMESTAMP_OUTSIDE_WINDOW),
    ("Invalid client key format", CONSUMER_KEY_FORMAT),
    ("Invalid nonce format", NONCE_FORMAT),
    ("Missing resource owner", FormatProblem(400, "parameter_absent", "oauth_token is missing")),
    ("Invalid resource owner key format", FormatProblem(401, "token_rejected", "Unknown or invalid request token")),
    ("Missing verifier", FormatProblem(400, "parameter_absent", "oauth_verifier is missing")),
    ("Invalid verifier format", FormatProblem(401, "verifier_invalid", "oauth_verifier is not valid for this token")),
    ("Invalid realm", FormatProblem(400, "parameter_rejected", "Unknown realm")),
)


def problem_from_oauthlib(error: oauthlib_errors.OAuth1Error) -> OAuthProblem:
    """Our problem for an error raised by oauthlib's parameter checks (the token endpoints)."""
    description = str(error.description or "")
    if isinstance(error, oauthlib_errors.InvalidSignatureMethodError):
        return SIGNATURE_METHOD_REJECTED.error()
    if isinstance(error, oauthlib_errors.InsecureTransportError):
        return INSECURE_TRANSPORT.error()
    for needle, problem in _OAUTHLIB_DESCRIPTIONS:
        if needle in description:
            return problem.error()
    return malformed("parameter_rejected", f"Invalid OAuth request: {description or error.error}")
