"""Signing in on the pages, and the session cookie as an alternative to an OAuth signature.

Through the real app (``served_app``) on a private copy of the demo, on
SQLite and PostgreSQL: the cookie's flags, CSRF on every form, the login
throttle shared with the authorize page, the cookie on the API and GDS
routes with the same permissions, no JSONP and no CORS for it, writes that
need the CSRF header, signing out ending the session everywhere, the pages
a signed-out browser is sent away from, and the applications page.
"""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa
from oauth_signing import assert_error, consumer_signer, send, served_app
from starlette.testclient import TestClient

from odesk_server.models import AccessToken, Consumer, WebSession
from odesk_server.web import login_throttle

TEAM_REPORT = "/gds/timereports/v1/companies/acme:acme/teams/acme:engineering"
TQ = "SELECT worked_on, sum(hours) WHERE worked_on >= '2026-06-01' ORDER BY worked_on"


def _csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF field on the page"
    return match.group(1)


def sign_in(client: TestClient, uid: str, password: str, **extra: str):
    """GET / then POST the sign-in form as a browser would; returns the POST's response."""
    page = client.get("/")
    assert page.status_code == 200
    return client.post(
        "/signin", data={"csrf_token": _csrf_of(page.text), "username": uid, "password": password, **extra}
    )


def signed_in_csrf(client: TestClient) -> str:
    """The session's CSRF token, as the signed-in home page's sign-out form carries it."""
    return _csrf_of(client.get("/").text)


@pytest.fixture
def app_client(mutable_demo_database):
    url, credentials = mutable_demo_database
    with served_app(url) as client:
        yield client, credentials, url


def _set_cookie_headers(response) -> list[str]:
    return [value for name, value in response.headers.multi_items() if name == "set-cookie"]


def test_signing_in_gives_an_httponly_samesite_session_cookie(app_client) -> None:
    client, credentials, _url = app_client
    response = sign_in(client, "mhale", credentials.password, next="/reports?report=team")
    assert response.status_code == 303
    assert response.headers["location"] == "/reports?report=team"
    (cookie,) = [c for c in _set_cookie_headers(response) if c.startswith("odesk_session=")]
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=lax", "path=/"} <= flags
    assert "secure" not in flags  # plain http in the test; see the https test below
    home = client.get("/")
    assert "Signed in as" in home.text and "mhale" in home.text
    assert home.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("database_kind", ["sqlite"])
def test_over_https_the_cookies_are_secure(mutable_demo_database) -> None:
    url, credentials = mutable_demo_database
    with served_app(url) as client:
        client.base_url = client.base_url.copy_with(scheme="https")
        page = client.get("/")
        assert "secure" in page.headers["set-cookie"].lower()
        response = sign_in(client, "mhale", credentials.password)
        (cookie,) = [c for c in _set_cookie_headers(response) if c.startswith("odesk_session=")]
        assert "secure" in cookie.lower()


def test_a_next_page_on_another_site_is_ignored(app_client) -> None:
    client, credentials, _url = app_client
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        client.cookies.clear()
        response = sign_in(client, "mhale", credentials.password, next=target)
        assert response.headers["location"] == "/"


def test_a_wrong_password_is_401_and_counts_for_the_authorize_page_too(app_client) -> None:
    client, _credentials, _url = app_client
    for _ in range(login_throttle.ACCOUNT_FREE_FAILURES):
        response = sign_in(client, "dortiz", "not the password")
        assert response.status_code == 401
        assert response.headers["x-odesk-error-code"] == "login_failed"
        assert "Wrong user id or password." in response.text
        assert 'value="dortiz"' in response.text  # the name stays in the form
    throttled = sign_in(client, "dortiz", "not the password")
    assert throttled.status_code == 429
    assert throttled.headers["x-odesk-error-code"] == "login_throttled"
    assert int(throttled.headers["retry-after"]) >= 1
    assert "odesk_session" not in client.cookies


def _has_session_rows(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.scalar(sa.select(sa.func.count()).select_from(WebSession)) or 0
    finally:
        engine.dispose()


def test_every_form_refuses_a_missing_or_wrong_csrf_token(app_client) -> None:
    client, credentials, url = app_client
    # Signing in: the double-submit token.
    client.get("/")
    for token in ("", "forged"):
        refused = client.post("/signin", data={"csrf_token": token, "username": "mhale", "password": "odesk-demo"})
        assert refused.status_code == 403 and refused.headers["x-odesk-error-code"] == "csrf_failed"
    assert _has_session_rows(url) == 0
    assert sign_in(client, "mhale", credentials.password).status_code == 303
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            consumers = connection.scalar(sa.select(sa.func.count()).select_from(Consumer))
            live_tokens = connection.scalar(
                sa.select(sa.func.count()).select_from(AccessToken).where(AccessToken.revoked_at.is_(None))
            )
            token_id = connection.scalar(sa.select(sa.func.min(AccessToken.id)))
            key = connection.scalar(sa.select(Consumer.key))
        forms = [
            ("/applications", {"name": "Forged"}),
            ("/applications/revoke", {"what": "application", "key": key}),
            ("/applications/revoke", {"what": "grants", "key": key}),
            ("/applications/revoke", {"what": "token", "token_id": str(token_id)}),
            ("/signout", {}),
        ]
        for path, fields in forms:
            for token in (None, "forged"):
                data = {**fields, **({"csrf_token": token} if token is not None else {})}
                refused = client.post(path, data=data)
                assert refused.status_code == 403, (path, token)
                assert refused.headers["x-odesk-error-code"] == "csrf_failed"
        with engine.connect() as connection:
            assert connection.scalar(sa.select(sa.func.count()).select_from(Consumer)) == consumers
            assert (
                connection.scalar(
                    sa.select(sa.func.count()).select_from(AccessToken).where(AccessToken.revoked_at.is_(None))
                )
                == live_tokens
            )
    finally:
        engine.dispose()
    assert client.get("/reports").status_code == 200  # still signed in: the forged sign-out did nothing


def test_the_cookie_reads_the_api_and_the_reports_as_the_signature_does(app_client) -> None:
    client, credentials, _url = app_client
    sign_in(client, "mhale", credentials.password)
    me = client.get("/api/auth/v1/info.json")
    assert me.status_code == 200 and me.json()["auth_user"]["uid"] == "mhale"
    assert me.headers["cache-control"] == "no-store"
    by_cookie = client.get(TEAM_REPORT, params={"tq": TQ})
    assert by_cookie.status_code == 200
    signed = send(
        TestClient(client.app_under_test, base_url="http://testserver"),
        consumer_signer(credentials, "owner"),
        "GET",
        TEAM_REPORT,
        {"tq": TQ},
    )
    assert signed.status_code == 200
    assert by_cookie.json()["table"] == signed.json()["table"]
    csv_by_cookie = client.get(TEAM_REPORT, params={"tq": TQ, "tqx": "out:csv"})
    assert csv_by_cookie.headers["content-type"].startswith("text/csv")
    html_by_cookie = client.get(TEAM_REPORT, params={"tq": TQ, "tqx": "out:html"})
    assert "script-src" not in html_by_cookie.headers["content-security-policy"]
    assert html_by_cookie.headers["content-security-policy"].startswith("default-src 'none'")
    assert html_by_cookie.headers["x-frame-options"] == "DENY"


def test_a_member_gets_the_same_refusal_for_a_hidden_and_an_unknown_team(app_client) -> None:
    client, credentials, _url = app_client
    sign_in(client, "tbecker", credentials.password)  # the member: Marketing only
    hidden = client.get("/gds/timereports/v1/companies/acme:acme/teams/acme:engineering", params={"tq": TQ})
    unknown = client.get("/gds/timereports/v1/companies/acme:acme/teams/acme:nosuchx", params={"tq": TQ})
    assert hidden.status_code == unknown.status_code == 403
    assert hidden.json()["errors"][0]["reason"] == "access_denied"
    # Byte for byte the same answer, but for the key as typed.
    assert hidden.content.replace(b"acme:engineering", b"KEY") == unknown.content.replace(b"acme:nosuchx", b"KEY")
    # And the explorer offers the member nothing: he may run no report.
    catalog = _catalog(client.get("/reports").text)
    assert all(report["keys"] == [] for report in catalog.values())
    # The hiring manager: the teams he manages (and the company's root team, for queries about people).
    client.cookies.clear()
    sign_in(client, "dortiz", credentials.password)
    catalog = _catalog(client.get("/reports").text)
    assert {key["path"].rsplit("/", 1)[1] for key in catalog["team"]["keys"]} == {
        "acme:acme",
        "acme:engineering",
        "acme:mobile",
        "acme:design",
    }
    assert catalog["company"]["keys"] == []


def _catalog(html: str) -> dict[str, dict]:
    match = re.search(r'<script type="application/json" id="report-catalog">(.*?)</script>', html, re.S)
    assert match
    return {report["id"]: report for report in json.loads(match.group(1))["reports"]}


def test_the_owner_is_offered_every_key_the_routes_answer(app_client) -> None:
    client, credentials, _url = app_client
    sign_in(client, "mhale", credentials.password)
    catalog = _catalog(client.get("/reports").text)
    assert {key["path"].rsplit("/", 1)[1] for key in catalog["team"]["keys"]} == {
        "acme:acme",
        "acme:engineering",
        "acme:mobile",
        "acme:design",
        "acme:marketing",
    }
    assert [key["path"] for key in catalog["company"]["keys"]] == ["companies/acme:acme"]
    assert catalog["provider"]["keys"] == []  # the owner is not a provider
    for report in catalog.values():
        for key in report["keys"]:
            path = f"{report['base']}/{key['path']}"
            answered = client.get(path, params={"tq": "SELECT " + report["fields"][0]["name"] + " LIMIT 1"})
            assert answered.status_code == 200, (path, answered.text)


def test_no_jsonp_and_no_cors_for_the_cookie(app_client) -> None:
    client, credentials, _url = app_client
    sign_in(client, "mhale", credentials.password)
    for tqx in ("responseHandler:steal", "reqId:0", "reqId:0;out:json"):
        refused = client.get(TEAM_REPORT, params={"tq": TQ, "tqx": tqx}, headers={"Origin": "https://evil.example"})
        assert refused.status_code == 400, tqx
        assert refused.headers["content-type"].startswith("application/json")
        assert refused.json()["errors"][0]["reason"] == "invalid_request"
        assert "steal" not in refused.text and "setResponse" not in refused.text
        assert not [name for name in refused.headers if name.lower().startswith("access-control-")]
    answered = client.get(TEAM_REPORT, params={"tq": TQ}, headers={"Origin": "https://evil.example"})
    assert answered.status_code == 200
    assert not [name for name in answered.headers if name.lower().startswith("access-control-")]
    preflight = client.options(TEAM_REPORT, headers={"Origin": "https://evil.example"})
    assert not [name for name in preflight.headers if name.lower().startswith("access-control-")]
    # An OAuth-signed request still gets Google's protocol.
    signed = send(
        TestClient(client.app_under_test, base_url="http://testserver"),
        consumer_signer(credentials, "owner"),
        "GET",
        TEAM_REPORT,
        {"tq": TQ, "tqx": "reqId:0"},
    )
    assert signed.text.startswith("google.visualization.Query.setResponse(")


def test_a_write_through_the_cookie_needs_the_csrf_header(app_client) -> None:
    client, credentials, _url = app_client
    sign_in(client, "mhale", credentials.password)
    path = "/api/hr/v2/jobs"
    refused = client.post(path, data={"buyer_team__reference": "2000002"})
    assert_error(refused, 403, "csrf_failed", "X-CSRF-Token")
    wrong = client.post(path, data={"buyer_team__reference": "2000002"}, headers={"X-CSRF-Token": "forged"})
    assert_error(wrong, 403, "csrf_failed")
    allowed = client.post(
        path, data={"buyer_team__reference": "2000002"}, headers={"X-CSRF-Token": signed_in_csrf(client)}
    )
    assert allowed.status_code == 400  # past authentication: the job's fields are missing
    assert allowed.headers["x-odesk-error-code"] == "bad_request"


def test_signing_out_ends_the_session_everywhere(app_client) -> None:
    client, credentials, _url = app_client
    sign_in(client, "mhale", credentials.password)
    cookie = client.cookies["odesk_session"]
    out = client.post("/signout", data={"csrf_token": signed_in_csrf(client)})
    assert out.status_code == 303 and out.headers["location"] == "/"
    assert any(c.startswith("odesk_session=") and "max-age=0" in c.lower() for c in _set_cookie_headers(out))
    client.cookies.clear()
    client.cookies.set("odesk_session", cookie)  # a copy of the old cookie, replayed
    assert client.get("/reports").status_code == 303
    assert client.get("/applications").status_code == 303
    assert "Sign in" in client.get("/").text
    assert_error(client.get("/api/auth/v1/info.json"), 401, "parameter_absent", "sign in again")
    assert_error(client.get(TEAM_REPORT, params={"tq": TQ}), 401, "parameter_absent")


def test_signed_out_pages_send_the_browser_to_sign_in(app_client) -> None:
    client, _credentials, _url = app_client
    for path in ("/reports?report=team&tq=SELECT%20worked_on", "/applications", "/workdiary", "/messages"):
        response = client.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/?next=")
    assert_error(client.get("/api/auth/v1/info.json"), 401, "parameter_absent")


def test_register_list_and_revoke_applications(app_client) -> None:
    client, credentials, url = app_client
    sign_in(client, "dortiz", credentials.password)
    csrf = signed_in_csrf(client)
    registered = client.post(
        "/applications", data={"csrf_token": csrf, "name": "Budget sheet", "callback": "https://sheet.example/cb"}
    )
    assert registered.status_code == 200
    key = re.search(r'id="new-key" type="text" readonly value="([0-9a-f]+)"', registered.text).group(1)
    secret = re.search(r'id="new-secret" type="text" readonly value="([0-9a-f]+)"', registered.text).group(1)
    assert registered.headers["cache-control"] == "no-store"
    again = client.get("/applications").text
    assert key in again and secret not in again  # the secret is shown once
    bad = client.post("/applications", data={"csrf_token": csrf, "name": "x", "callback": "javascript:alert(1)"})
    assert bad.status_code == 400 and "callback" in bad.text
    # Another person may not revoke it, and is told the same as for a key that does not exist.
    other = TestClient(client.app_under_test, base_url="http://testserver", follow_redirects=False)
    sign_in(other, "tbecker", credentials.password)
    for target in (key, "0" * 32):
        refused = other.post(
            "/applications/revoke", data={"csrf_token": signed_in_csrf(other), "what": "application", "key": target}
        )
        assert refused.status_code == 404
    # The owner of the company sees it among his staff's, and may revoke it.
    owner = TestClient(client.app_under_test, base_url="http://testserver", follow_redirects=False)
    sign_in(owner, "mhale", credentials.password)
    assert key in owner.get("/applications").text
    revoked = client.post("/applications/revoke", data={"csrf_token": csrf, "what": "application", "key": key})
    assert revoked.status_code == 303 and revoked.headers["location"] == "/applications?done=application"
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            assert connection.scalar(sa.select(Consumer.revoked_at).where(Consumer.key == key)) is not None
    finally:
        engine.dispose()


def test_revoking_my_token_makes_the_signed_client_get_401(app_client) -> None:
    client, credentials, _url = app_client
    api = TestClient(client.app_under_test, base_url="http://testserver")
    signer = consumer_signer(credentials, "member")
    assert send(api, signer, "GET", "/api/auth/v1/info.json").status_code == 200
    sign_in(client, "tbecker", credentials.password)
    page = client.get("/applications").text
    token_id = re.search(r'name="token_id" value="(\d+)"', page).group(1)
    done = client.post(
        "/applications/revoke", data={"csrf_token": signed_in_csrf(client), "what": "token", "token_id": token_id}
    )
    assert done.status_code == 303
    assert_error(send(api, signer, "GET", "/api/auth/v1/info.json"), 401, "token_revoked")


def test_signing_in_again_ends_the_browsers_previous_session(app_client) -> None:
    client, credentials, _url = app_client
    sign_in(client, "mhale", credentials.password)
    first = client.cookies["odesk_session"]
    # A sign-in form left open in another tab, posted while the first session still lives.
    client.cookies.clear()
    page = client.get("/")
    client.cookies.set("odesk_session", first)
    again = client.post(
        "/signin", data={"csrf_token": _csrf_of(page.text), "username": "dortiz", "password": credentials.password}
    )
    assert again.status_code == 303
    (cookie,) = [c for c in _set_cookie_headers(again) if c.startswith("odesk_session=")]
    second = cookie.split(";", 1)[0].split("=", 1)[1]
    assert second != first
    client.cookies.clear()
    client.cookies.set("odesk_session", second)
    assert client.get("/api/auth/v1/info.json").json()["auth_user"]["uid"] == "dortiz"
    client.cookies.clear()
    client.cookies.set("odesk_session", first)
    assert_error(client.get("/api/auth/v1/info.json"), 401, "parameter_absent")
