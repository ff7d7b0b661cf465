"""Test helpers for the authorize page: a browser for its form, and a hasher that counts verifications.

``AuthorizeForm`` is the page a browser got (``open_form``): ``submit``
posts it with a user's decision and any field overridden, the way a user or
an attacker editing the hidden fields would. ``counting_hasher`` (a fixture:
import it into the test module) puts a ``CountingHasher`` in
``odesk_server.security.password_hasher``, so a test can tell that a
password was, or was not, verified without timing anything.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from oauth_signing import consumer_signer, send
from starlette.testclient import TestClient

from odesk_server import security

AUTHORIZE = "/services/api/auth"
REQUEST_TOKEN = "/api/auth/v1/oauth/token/request"


def hidden_field(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden field {name}"
    return match.group(1)


def request_token(client: TestClient, credentials, **signer_options: object) -> str:
    """A fresh request token of the demo consumer (``signer_options``: e.g. ``callback=``)."""
    response = send(client, consumer_signer(credentials, **signer_options), "POST", REQUEST_TOKEN)
    assert response.status_code == 200, response.text
    return dict(parse_qsl(response.text))["oauth_token"]


@dataclass(frozen=True)
class AuthorizeForm:
    """The authorize page's form as a browser received it."""

    client: TestClient
    fields: dict[str, str]

    def submit(self, username: str = "", password: str = "", decision: str = "allow", **overrides: str):
        """POST the form; ``overrides`` replace hidden fields (``oauth_callback=...``)."""
        data = {**self.fields, "username": username, "password": password, "decision": decision, **overrides}
        return self.client.post(AUTHORIZE, data=data)


def open_form(client: TestClient, token: str, callback: str | None = None) -> AuthorizeForm:
    """GET the authorize page for ``token`` (with ``oauth_callback`` when given); it must show the form."""
    params = {"oauth_token": token, **({"oauth_callback": callback} if callback else {})}
    page = client.get(AUTHORIZE, params=params)
    assert page.status_code == 200, page.text
    names = ("csrf_token", "oauth_token", "oauth_callback")
    return AuthorizeForm(client, {name: hidden_field(page.text, name) for name in names})


def assert_page_error(response, status: int, code: str, text: str) -> None:
    """An HTML error page (or form) with ``status``, the error code header and ``text`` on it; no redirect."""
    assert response.status_code == status, response.text
    assert response.headers["x-odesk-error-code"] == code
    assert text in response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "location" not in response.headers


def on_event_loop() -> bool:
    """True when called on a running asyncio event loop (where blocking work must not run)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class CountingHasher(PasswordHasher):
    """An argon2 hasher with the default parameters that records each verification it computes.

    ``verifications``: one entry per ``verify`` that hashed the password
    (matching or not; a hash it cannot even parse costs nothing and is not
    counted), True when it ran on an event loop (it never should).
    """

    def __init__(self) -> None:
        super().__init__()
        self.verifications: list[bool] = []

    def verify(self, hash, password):  # type: ignore[no-untyped-def, override]
        on_loop = on_event_loop()
        try:
            matched = super().verify(hash, password)
        except InvalidHashError:
            raise  # not even parsed: nothing computed
        except VerificationError:
            self.verifications.append(on_loop)
            raise
        self.verifications.append(on_loop)
        return matched


@pytest.fixture
def counting_hasher(monkeypatch: pytest.MonkeyPatch) -> CountingHasher:
    """A ``CountingHasher`` in place of the server's password hasher for the test."""
    hasher = CountingHasher()
    monkeypatch.setattr(security, "password_hasher", hasher)
    return hasher
