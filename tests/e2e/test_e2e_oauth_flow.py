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
            "oauth_token": [request_token],
            "oauth_callback": [callback],
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


def test_authorize_form_without_the_csrf_cookie_is_refused(server: Server) -> None:
    import httpx

    client = server.client()
    url = client.auth.get_authorize_url("http://127.0.0.1:9/cb")
    page = httpx.get(url, timeout=10)
    assert page.status_code == 200
    assert page.headers["x-frame-options"] == "DENY"
    form = {
        "csrf_token": "forged",
        "oauth_token": client.auth.request_token,
        "oauth_callback": "",
        "username": server.role("owner").uid,
        "password": server.password,
        "decision": "allow",
    }
    answer = httpx.post(f"{server.base_url}/services/api/auth", data=form, timeout=10)
    assert answer.status_code == 403
    assert answer.headers["x-odesk-error-code"] == "csrf_failed"
    assert "location" not in answer.headers


def test_authorize_page_for_an_unknown_request_token(server: Server) -> None:
    import httpx

    page = httpx.get(f"{server.base_url}/services/api/auth", params={"oauth_token": "0" * 32}, timeout=10)
    assert page.status_code == 404
    assert (page.headers["x-odesk-error-code"], page.headers["x-odesk-error-message"]) == (
        "token_rejected",
        "Unknown request token",
    )


def test_cli_login_in_process_with_the_browser_hook(server: Server, tmp_path, monkeypatch) -> None:
    """docs/client.md "Driving it from tests": odesk.cli.main with webbrowser.open replaced by a submitting browser."""
    import httpx

    import odesk.cli
    from odesk.credentials import load_credentials

    monkeypatch.setenv("ODESK_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("PYTHON_ODESK_BASE_URL", server.base_url)
    opened: list[str] = []

    def browser(url: str) -> bool:
        opened.append(url)
        approval = submit_authorize_page(url, server.role("staffing_manager").uid, server.password)
        httpx.get(approval.location, timeout=30)
        return True

    monkeypatch.setattr(odesk.cli.webbrowser, "open", browser)
    code = odesk.cli.main(
        ["login", "--consumer-key", server.consumer_key, "--consumer-secret", server.consumer_secret, "--timeout", "30"]
    )
    assert code == 0
    assert len(opened) == 1
    stored = load_credentials()
    assert stored is not None and stored.base_url == server.base_url
    fresh = _new_token_client(server, stored.access_token, stored.access_token_secret)
    assert fresh.hr.get_user_me()["id"] == server.role("staffing_manager").uid


def test_login_with_the_email_address(server: Server) -> None:
    client = server.client()
    me = server.client("owner").auth.get_info()["auth_user"]
    url = client.auth.get_authorize_url("http://127.0.0.1:9/cb")
    approval = submit_authorize_page(url, me["mail"], server.password)
    token, secret = client.auth.get_access_token(approval.callback_params["oauth_verifier"])
    assert _new_token_client(server, token, secret).hr.get_user_me()["id"] == me["uid"]
