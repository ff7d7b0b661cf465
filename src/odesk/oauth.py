"""OAuth 1.0a three-legged flow (router ``client.auth``).

``get_request_token`` -> send the user to ``get_authorize_url`` -> exchange the
verifier with ``get_access_token``.  Token endpoints answer form-encoded text
(``oauth_token=..&oauth_token_secret=..``), not JSON.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import Any

import httpx
from oauthlib import oauth1

from odesk.exceptions import AuthenticationError
from odesk.namespaces import Namespace
from odesk.wire import ApiRequest, Credentials, encode_params


@dataclass(frozen=True)
class Consumer:
    """The application's OAuth consumer key and secret."""

    key: str
    secret: str


def _parse_token_response(kind: str, response: httpx.Response) -> tuple[str, str]:
    body = response.text
    if response.status_code != 200:
        code = response.headers.get("X-Odesk-Error-Code")
        message = response.headers.get("X-Odesk-Error-Message")
        detail = f" (Code {code}: {message})" if code or message else ""
        raise AuthenticationError(f"Invalid {kind} token response: HTTP {response.status_code}{detail}: {body}")
    fields = dict(urllib.parse.parse_qsl(body, keep_blank_values=True))
    if "oauth_token" not in fields or "oauth_token_secret" not in fields:
        raise AuthenticationError(f"Invalid {kind} token response: {body}")
    return fields["oauth_token"], fields["oauth_token_secret"]


class OAuth(Namespace):
    """The ``auth`` API: OAuth tokens and ``get_info``."""

    api_url = "auth/"
    version = 1

    def __init__(self, client: Any) -> None:
        super().__init__(client)
        self.request_token: str | None = None
        self.request_token_secret: str | None = None
        self.access_token: str | None = None
        self.access_token_secret: str | None = None

    @property
    def request_token_url(self) -> str:
        return self.full_url("oauth/token/request")

    @property
    def access_token_url(self) -> str:
        return self.full_url("oauth/token/access")

    @property
    def authorize_url(self) -> str:
        return f"{self.client.base_url}/services/api/auth"

    def get_oauth_consumer(self) -> Consumer:
        """Return the client's consumer key and secret."""
        return Consumer(self.client.public_key, self.client.secret_key)

    def get_oauth_params(
        self,
        url: str,
        key: str | None,
        secret: str | None,
        data: Any = None,
        method: str = "GET",
        to_header: bool = False,
        to_dict: bool = False,
    ) -> Any:
        """Return ``data`` plus signed OAuth parameters for token ``key``/``secret``.

        Returns a url-encoded string, or ``{'Authorization': 'OAuth ...'}`` with
        ``to_header=True``, or a dict with ``to_dict=True``.
        """
        signer = oauth1.Client(
            self.client.public_key,
            client_secret=self.client.secret_key,
            resource_owner_key=key,
            resource_owner_secret=secret,
            signature_type=oauth1.SIGNATURE_TYPE_AUTH_HEADER if to_header else oauth1.SIGNATURE_TYPE_QUERY,
        )
        query = encode_params(data)
        signed_url, headers, _ = signer.sign(f"{url}?{query}" if query else url, method.upper())
        if to_header:
            return {"Authorization": headers["Authorization"]}
        signed_query = urllib.parse.urlsplit(signed_url).query
        if to_dict:
            return dict(urllib.parse.parse_qsl(signed_query))
        return signed_query

    def _store_request_token(self, response: httpx.Response) -> tuple[str, str]:
        self.request_token, self.request_token_secret = _parse_token_response("request", response)
        return self.request_token, self.request_token_secret

    def _store_access_token(self, response: httpx.Response) -> tuple[str, str]:
        self.access_token, self.access_token_secret = _parse_token_response("access", response)
        return self.access_token, self.access_token_secret

    def get_request_token(self) -> Any:
        """Fetch, store and return ``(request_token, request_token_secret)``.

        Raises AuthenticationError when the server refuses.
        """
        request = ApiRequest(
            "POST",
            self.request_token_url,
            Credentials(self.client.public_key, self.client.secret_key),
        )
        return self.client._execute(request, self._store_request_token)

    def _authorize_url_for(self, callback_url: str | None) -> str:
        params = {"oauth_token": self.request_token}
        if callback_url:
            params["oauth_callback"] = callback_url
        return f"{self.authorize_url}?{urllib.parse.urlencode(params)}"

    def get_authorize_url(self, callback_url: str | None = None) -> Any:
        """Return the URL where the user approves the application.

        Fetches a request token first unless one is stored.
        """
        if self.request_token:
            return self.client._ready(self._authorize_url_for(callback_url))
        return self.client._then(self.get_request_token(), lambda _: self._authorize_url_for(callback_url))

    def get_access_token(self, verifier: str) -> Any:
        """Exchange the stored request token and ``verifier`` for the access token.

        Returns ``(access_token, access_token_secret)``, also stored on this router.
        Raises AuthenticationError without a stored request token or when refused.
        """
        if not (self.request_token and self.request_token_secret):
            raise AuthenticationError("At first you need to call get_authorize_url")
        request = ApiRequest(
            "POST",
            self.access_token_url,
            Credentials(
                self.client.public_key, self.client.secret_key, self.request_token, self.request_token_secret, verifier
            ),
        )
        return self.client._execute(request, self._store_access_token)

    def get_info(self) -> Any:
        """Return the authenticated user's info (``GET /api/auth/v1/info``), whole."""
        return self._call("GET", "info")
