"""The three-legged OAuth flow through ``client.auth``, with the test acting as the user's browser."""

from __future__ import annotations

import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

import odesk
from odesk.exceptions import AuthenticationError, HTTP401UnauthorizedError

from tests.e2e.e2e_support import Server, free_port, submit_authorize_page


def _new_token_client(server: Server, token: str, secret: str) -> odesk.Client:
    return odesk.Client(server.consumer_key, server.consumer_secret, token, secret, base_url=server.base_url)


class _Callback(BaseHTTPRequestHandler):
    received: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        type(self).received.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args) -> None:
        pass


@pytest.mark.parametrize("role", ["hiring_manager", "provider"])
def test_callback_flow_gives_a_working_token(server: Server, role: str) -> None:
    """get_request_token -> authorize page (login + allow) -> callback -> get_access_token -> API works."""
    port = free_port()
    handler = type("Handler", (_Callback,), {"received": []})
    callback_server = HTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=callback_server.handle_request, daemon=True)
    thread.start()
    try:
        client = server.client()
        request_token, request_secret = client.auth.get_request_token()
        assert request_token and request_secret
        callback = f"http://127.0.0.1:{port}/done"
        url = client.auth.get_authorize_url(callback)
        assert url.startswith(f"{server.base_url}/services/api/auth?")
        assert urllib.parse.parse_qs(urllib.parse.urlsplit(url).query) == {
            "oauth_token": [request_token], "oauth_callback": [callback],
        }
        uid = server.role(role).uid
        approval = submit_authorize_page(url, uid, server.password)
        assert approval.status == 303
        assert approval.location.startswith(callback + "?")
        # the browser follows the redirect to the application's callback
        import httpx

        assert httpx.get(approval.location, timeout=10).text == "ok"
        thread.join(timeout=10)
        assert len(handler.received) == 1
        params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(handler.received[0]).query))
        assert params["oauth_token"] == request_token
        token, secret = client.auth.get_access_token(params["oauth_verifier"])
        assert (client.auth.access_token, client.auth.access_token_secret) == (token, secret)
    finally:
        callback_server.server_close()
    fresh = _new_token_client(server, token, secret)
    assert fresh.hr.get_user("me")["id"] == uid
    info = fresh.auth.get_info()
    assert info["auth_user"]["uid"] == uid
    assert info["info"]["uid"] == uid


def test_out_of_band_flow_shows_the_verifier(server: Server) -> None:
    client = server.client()
    url = client.auth.get_authorize_url()  # fetches the request token itself
    assert client.auth.request_token
    approval = submit_authorize_page(url, server.role("finance").uid, server.password)
    assert approval.status == 200
    token, secret = client.auth.get_access_token(approval.shown_verifier)
    assert _new_token_client(server, token, secret).hr.get_user_me()["id"] == server.role("finance").uid


def test_wrong_password_is_refused_and_the_form_shown_again(server: Server) -> None:
    client = server.client()
    url = client.auth.get_authorize_url("http://127.0.0.1:9/never")
    approval = submit_authorize_page(url, server.role("owner").uid, server.password + "-wrong")
    assert approval.status == 401
    assert approval.location is None
    assert "Wrong user id or password." in approval.body
    with pytest.raises(AuthenticationError):
        client.auth.get_access_token("not-a-verifier")


def test_denied_authorization_redirects_with_user_refused(server: Server) -> None:
    client = server.client()
    callback = "http://127.0.0.1:9/cb"
    url = client.auth.get_authorize_url(callback)
    approval = submit_authorize_page(url, server.role("owner").uid, server.password, decision="deny")
    assert approval.status == 303
    assert approval.callback_params == {"oauth_token": client.auth.request_token, "oauth_problem": "user_refused"}


def test_access_token_is_single_use(server: Server) -> None:
    client = server.client()
    url = client.auth.get_authorize_url("http://127.0.0.1:9/cb")
    verifier = submit_authorize_page(url, server.role("member").uid, server.password).callback_params["oauth_verifier"]
    client.auth.get_access_token(verifier)
    with pytest.raises(AuthenticationError) as caught:
        client.auth.get_access_token(verifier)
    assert "HTTP 401" in str(caught.value)


def test_request_token_alone_is_no_access_token(server: Server) -> None:
    client = server.client()
    token, secret = client.auth.get_request_token()
    with pytest.raises(HTTP401UnauthorizedError):
        _new_token_client(server, token, secret).hr.get_user_me()
