"""The three-legged OAuth 1.0a flow over HTTP, and the authorize page's error paths."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from oauth_signing import Signer, assert_error, consumer_signer, send, served_app

from odesk_server.db import Database
from odesk_server.models import Consumer, ConsumerCallbackOrigin, RequestToken
from odesk_server.security import new_key, new_secret

REQUEST_TOKEN = "/api/auth/v1/oauth/token/request"
ACCESS_TOKEN = "/api/auth/v1/oauth/token/access"
AUTHORIZE = "/services/api/auth"
CALLBACK = "http://client.example/callback?state=abc"  # on an origin the tests register for the demo consumer


def _register_callback_origin(url: str, consumer_key: str, origin: str = "http://client.example") -> None:
    database = Database(url)
    with database.session() as session:
        consumer_id = session.scalar(sa.select(Consumer.id).where(Consumer.key == consumer_key))
        session.add(ConsumerCallbackOrigin(consumer_id=consumer_id, origin=origin))
    database.dispose()


def _form(response) -> dict[str, str]:
    assert response.headers["content-type"].startswith("application/x-www-form-urlencoded"), response.text
    return {k: v[0] for k, v in parse_qs(response.text).items()}


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden field {name}"
    return match.group(1)


def _request_token(client, signer: Signer) -> dict[str, str]:
    response = send(client, signer, "POST", REQUEST_TOKEN)
    assert response.status_code == 200, response.text
    return _form(response)


def _authorize(client, token: str, username: str, password: str, callback: str | None = None, decision="allow"):
    query = {"oauth_token": token}
    if callback:
        query["oauth_callback"] = callback
    page = client.get(AUTHORIZE, params=query)
    assert page.status_code == 200, page.text
    assert page.headers["x-frame-options"] == "DENY"
    return client.post(
        AUTHORIZE,
        data={
            "csrf_token": _hidden(page.text, "csrf_token"),
            "oauth_token": _hidden(page.text, "oauth_token"),
            "oauth_callback": _hidden(page.text, "oauth_callback"),
            "username": username,
            "password": password,
            "decision": decision,
        },
    )


@pytest.mark.parametrize(
    ("request_placement", "access_placement", "api_placement", "method"),
    [
        ("body", "body", "query", "HMAC-SHA1"),  # python-odesk 0.5.8
        ("header", "header", "query", "HMAC-SHA1"),  # python-upwork 2.1.0
        ("query", "header", "header", "HMAC-SHA256"),
    ],
)
def test_three_legged_flow_with_callback(
    mutable_demo_database, request_placement, access_placement, api_placement, method
):
    url, credentials = mutable_demo_database
    _register_callback_origin(url, credentials.consumer.key)
    consumer = consumer_signer(credentials, method=method)
    with served_app(url) as client:
        temporary = _request_token(client, consumer.with_(placement=request_placement))
        assert temporary["oauth_callback_confirmed"] == "true"
        assert len(temporary["oauth_token"]) == 32

        redirect = _authorize(client, temporary["oauth_token"], "dortiz", credentials.password, callback=CALLBACK)
        assert redirect.status_code == 303, redirect.text
        location = urlsplit(redirect.headers["location"])
        assert (location.scheme, location.netloc, location.path) == ("http", "client.example", "/callback")
        query = {k: v[0] for k, v in parse_qs(location.query).items()}
        assert query["state"] == "abc"
        assert query["oauth_token"] == temporary["oauth_token"]

        exchange = consumer.with_(
            placement=access_placement,
            token=temporary["oauth_token"],
            token_secret=temporary["oauth_token_secret"],
            verifier=query["oauth_verifier"],
        )
        response = send(client, exchange, "POST", ACCESS_TOKEN)
        assert response.status_code == 200, response.text
        access = _form(response)

        api = consumer.with_(
            placement=api_placement, token=access["oauth_token"], token_secret=access["oauth_token_secret"]
        )
        info = send(client, api, "GET", "/api/auth/v1/info.json")
        assert info.status_code == 200, info.text
        assert info.json()["auth_user"]["uid"] == "dortiz"

        # A request token works once.
        again = send(client, exchange.with_(placement="header"), "POST", ACCESS_TOKEN)
        assert_error(again, 401, "token_used", "already been exchanged")


def test_out_of_band_flow_shows_the_verifier(mutable_demo_database):
    url, credentials = mutable_demo_database
    consumer = consumer_signer(credentials, placement="header", callback="oob")
    with served_app(url) as client:
        temporary = _request_token(client, consumer)
        page = _authorize(client, temporary["oauth_token"], "mhale@acme.example", credentials.password)
        assert page.status_code == 200, page.text
        verifier = re.search(r'id="oauth_verifier">([0-9a-f]+)<', page.text).group(1)
        exchange = consumer.with_(
            callback=None,
            token=temporary["oauth_token"],
            token_secret=temporary["oauth_token_secret"],
            verifier=verifier,
        )
        access = _form(send(client, exchange, "POST", ACCESS_TOKEN))
        api = consumer.with_(callback=None, token=access["oauth_token"], token_secret=access["oauth_token_secret"])
        assert send(client, api, "GET", "/api/hr/v2/users/me").json()["user"]["id"] == "mhale"


def test_token_endpoints_accept_get(mutable_demo_database):
    url, credentials = mutable_demo_database
    with served_app(url) as client:
        response = send(client, consumer_signer(credentials), "GET", REQUEST_TOKEN)
        assert response.status_code == 200
        assert "oauth_token_secret" in _form(response)


def test_deny_redirects_with_user_refused(mutable_demo_database):
    url, credentials = mutable_demo_database
    _register_callback_origin(url, credentials.consumer.key)
    with served_app(url) as client:
        temporary = _request_token(client, consumer_signer(credentials, callback=CALLBACK))
        response = _authorize(client, temporary["oauth_token"], "", "", decision="deny")
        assert response.status_code == 303
        assert "oauth_problem=user_refused" in response.headers["location"]


def _page_error(response, status: int, code: str, text: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["x-odesk-error-code"] == code
    assert text in response.text
    assert response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    ("case", "status", "code", "text"),
    [
        ("missing_token", 400, "parameter_absent", "oauth_token is missing"),
        ("unknown_token", 404, "token_rejected", "Unknown request token"),
        ("bad_callback", 400, "parameter_rejected", "oauth_callback must be oob or an http(s) URL"),
    ],
)
def test_authorize_page_refuses_bad_requests(mutable_demo_database, case, status, code, text):
    url, credentials = mutable_demo_database
    with served_app(url) as client:
        temporary = _request_token(client, consumer_signer(credentials))
        query = {
            "missing_token": {},
            "unknown_token": {"oauth_token": "f" * 32},
            "bad_callback": {"oauth_token": temporary["oauth_token"], "oauth_callback": "javascript:alert(1)"},
        }[case]
        _page_error(client.get(AUTHORIZE, params=query), status, code, text)


@pytest.mark.parametrize("csrf", ["missing_cookie", "wrong_value", "missing_field"])
def test_authorize_post_needs_the_csrf_token(mutable_demo_database, csrf):
    url, credentials = mutable_demo_database
    with served_app(url) as client:
        temporary = _request_token(client, consumer_signer(credentials))
        page = client.get(AUTHORIZE, params={"oauth_token": temporary["oauth_token"]})
        token = _hidden(page.text, "csrf_token")
        data = {"oauth_token": temporary["oauth_token"], "username": "mhale", "password": credentials.password}
        if csrf == "missing_cookie":
            client.cookies.clear()
            data["csrf_token"] = token
        elif csrf == "wrong_value":
            data["csrf_token"] = token[::-1]
        response = client.post(AUTHORIZE, data=data)
        _page_error(response, 403, "csrf_failed", "did not come from this site")


@pytest.mark.parametrize(("username", "password"), [("mhale", "wrong-password"), ("nobody", "odesk-demo"), ("", "x")])
def test_authorize_refuses_wrong_credentials(mutable_demo_database, username, password):
    url, credentials = mutable_demo_database
    with served_app(url) as client:
        temporary = _request_token(client, consumer_signer(credentials))
        response = _authorize(client, temporary["oauth_token"], username, password)
        _page_error(response, 401, "login_failed", "Wrong user id or password.")
        # The form comes back, still usable: the right password then works.
        assert 'name="csrf_token"' in response.text
        retry = _authorize(client, temporary["oauth_token"], "mhale", credentials.password)
        assert retry.status_code == 200 and 'id="oauth_verifier"' in retry.text


def test_authorize_page_escapes_html(mutable_demo_database):
    url, credentials = mutable_demo_database
    database = Database(url)
    with database.session() as session:
        session.execute(
            sa.update(Consumer).where(Consumer.key == credentials.consumer.key).values(name="<script>x</script>")
        )
    database.dispose()
    with served_app(url) as client:
        temporary = _request_token(client, consumer_signer(credentials))
        page = client.get(AUTHORIZE, params={"oauth_token": temporary["oauth_token"]})
        assert "<script>x" not in page.text and "&lt;script&gt;x" in page.text


def test_authorized_token_cannot_be_authorized_twice(mutable_demo_database):
    url, credentials = mutable_demo_database
    with served_app(url) as client:
        temporary = _request_token(client, consumer_signer(credentials))
        assert _authorize(client, temporary["oauth_token"], "mhale", credentials.password).status_code == 200
        page = client.get(AUTHORIZE, params={"oauth_token": temporary["oauth_token"]})
        _page_error(page, 400, "token_used", "already been authorized")


@pytest.mark.parametrize("case", ["wrong_verifier", "not_authorized", "other_consumer", "unknown_token", "no_verifier"])
def test_access_token_refusals(mutable_demo_database, case):
    url, credentials = mutable_demo_database
    consumer = consumer_signer(credentials, placement="header")
    database = Database(url)
    with database.session() as session:
        other = Consumer(key=new_key(), secret=new_secret(), name="other app")
        session.add(other)
    database.dispose()
    with served_app(url) as client:
        temporary = _request_token(client, consumer)
        verifier = "0" * 20
        if case != "not_authorized":
            page = _authorize(client, temporary["oauth_token"], "mhale", credentials.password)
            verifier = re.search(r'id="oauth_verifier">([0-9a-f]+)<', page.text).group(1)
        exchange = consumer.with_(
            token=temporary["oauth_token"], token_secret=temporary["oauth_token_secret"], verifier=verifier
        )
        expected = {
            "wrong_verifier": (401, "verifier_invalid", "oauth_verifier is not valid"),
            "not_authorized": (401, "permission_unknown", "has not authorized"),
            "other_consumer": (401, "token_rejected", "belongs to another consumer"),
            "unknown_token": (401, "token_rejected", "Unknown request token"),
            "no_verifier": (400, "parameter_absent", "oauth_verifier is missing"),
        }[case]
        if case == "wrong_verifier":
            exchange = exchange.with_(verifier="1" * 20)
        elif case == "other_consumer":
            exchange = exchange.with_(consumer_key=other.key, consumer_secret=other.secret)
        elif case == "unknown_token":
            exchange = exchange.with_(token="a" * 32)
        elif case == "no_verifier":
            exchange = exchange.with_(verifier=None)
        assert_error(send(client, exchange, "POST", ACCESS_TOKEN), *expected)


def test_expired_request_token_is_refused(mutable_demo_database):
    url, credentials = mutable_demo_database
    with served_app(url) as client:
        temporary = _request_token(client, consumer_signer(credentials))
        database = Database(url)
        with database.session() as session:
            session.execute(
                sa.update(RequestToken)
                .where(RequestToken.token == temporary["oauth_token"])
                .values(expires_at=RequestToken.created_at)
            )
        database.dispose()
        page = client.get(AUTHORIZE, params={"oauth_token": temporary["oauth_token"]})
        _page_error(page, 400, "token_expired", "has expired")


def test_request_token_refusals(mutable_demo_database):
    url, credentials = mutable_demo_database
    with served_app(url) as client:
        unknown = Signer("0123456789abcdef", "secret", placement="header")
        assert_error(send(client, unknown, "POST", REQUEST_TOKEN), 401, "consumer_key_unknown", "Unknown consumer key")
        bad_secret = consumer_signer(credentials).with_(consumer_secret="x" * 32)
        assert_error(send(client, bad_secret, "POST", REQUEST_TOKEN), 401, "signature_invalid", "Invalid signature")
        bad_callback = consumer_signer(credentials, callback="ftp://evil.example/")
        assert_error(
            send(client, bad_callback, "POST", REQUEST_TOKEN), 400, "parameter_rejected", "oauth_callback must be oob"
        )
        response = client.post(REQUEST_TOKEN)
        assert_error(response, 401, "parameter_absent", "needs an OAuth 1.0 signed request")
        assert response.headers["www-authenticate"].startswith("OAuth")
