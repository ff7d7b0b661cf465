"""OAuth 1.0a provider (RFC 5849) built on oauthlib: see ``provider`` and ``validator``."""

from odesk_server.oauth.problems import OAuthProblem
from odesk_server.oauth.provider import OAuthProvider, SignedRequest, VerifiedRequest, signature_uris

__all__ = ["OAuthProblem", "OAuthProvider", "SignedRequest", "VerifiedRequest", "signature_uris"]
