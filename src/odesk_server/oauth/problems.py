"""OAuth failures as API errors, named after the OAuth Problem Reporting extension.

Every failure of the OAuth layer is an ``OAuthProblem`` (an ``ApiError``):
the status is 401 when the credentials do not authenticate the request and
400 when the request is malformed, the code is the problem name
(``signature_invalid``, ``nonce_used``, ...), and the message says which
check failed. oauthlib reports its own format checks as ``OAuth1Error`` with
a free-text description; ``problem_from_oauthlib`` maps those to our codes.
"""

from __future__ import annotations

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


# (substring of oauthlib's description, status, code, our message); first match wins.
_OAUTHLIB_DESCRIPTIONS: tuple[tuple[str, int, str, str], ...] = (
    (
        "Missing mandatory OAuth parameters",
        400,
        "parameter_absent",
        "Missing OAuth parameters: oauth_consumer_key, oauth_nonce, oauth_timestamp, "
        "oauth_signature_method and oauth_signature are required",
    ),
    (
        "must come from only 1 signature",
        400,
        "parameter_rejected",
        "OAuth parameters must come from one place only: the Authorization header, the query string or the form body",
    ),
    ("Duplicate OAuth1 entries", 400, "parameter_rejected", "An OAuth parameter is repeated"),
    ("Invalid OAuth version", 400, "version_rejected", "oauth_version must be 1.0"),
    ("Invalid timestamp size", 401, "timestamp_refused", "oauth_timestamp is not a current Unix time in seconds"),
    ("Timestamp must be an integer", 401, "timestamp_refused", "oauth_timestamp must be an integer"),
    ("Timestamp given is invalid", 401, "timestamp_refused", "oauth_timestamp is too far from the server's clock"),
    ("Invalid client key format", 401, "consumer_key_unknown", "Unknown consumer key"),
    ("Invalid nonce format", 400, "parameter_rejected", "oauth_nonce has an invalid format"),
    ("Missing resource owner", 400, "parameter_absent", "oauth_token is missing"),
    ("Invalid resource owner key format", 401, "token_rejected", "Unknown or invalid request token"),
    ("Missing verifier", 400, "parameter_absent", "oauth_verifier is missing"),
    ("Invalid verifier format", 401, "verifier_invalid", "oauth_verifier is not valid for this token"),
    ("Invalid realm", 400, "parameter_rejected", "Unknown realm"),
)


def problem_from_oauthlib(error: oauthlib_errors.OAuth1Error) -> OAuthProblem:
    """Our problem for an error raised by oauthlib's parameter checks."""
    description = str(error.description or "")
    if isinstance(error, oauthlib_errors.InvalidSignatureMethodError):
        return malformed(
            "signature_method_rejected",
            "Unsupported oauth_signature_method: use HMAC-SHA1 or HMAC-SHA256",
        )
    if isinstance(error, oauthlib_errors.InsecureTransportError):
        return malformed("insecure_transport", "OAuth requests must use HTTPS")
    for needle, status, code, message in _OAUTHLIB_DESCRIPTIONS:
        if needle in description:
            return OAuthProblem(status, code, message)
    return malformed("parameter_rejected", f"Invalid OAuth request: {description or error.error}")
