"""OAuth 1.0a provider (RFC 5849): see ``provider``, ``verification`` and ``validator``."""

from odesk_server.oauth.problems import OAuthProblem
from odesk_server.oauth.provider import OAuthProvider, VerifiedRequest, signature_uris
from odesk_server.oauth.verification import SignedRequest

__all__ = ["OAuthProblem", "OAuthProvider", "SignedRequest", "VerifiedRequest", "signature_uris"]
