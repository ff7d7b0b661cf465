"""The three-legged OAuth flow of ``client.auth`` against canned token endpoints."""

from __future__ import annotations

import asyncio
import urllib.parse

import httpx
import pytest
from odesk_recording import BASE, Recorder, make_client

import odesk
from odesk.exceptions import AuthenticationError
from odesk.transport import RetryPolicy

TOKEN_BODY = "oauth_token=rt&oauth_token_secret=rts&oauth_callback_confirmed=1"


def _form(text: str) -> httpx.Response:
    return httpx.Response(200, content=text.encode(), headers={"Content-Type": "application/x-www-form-urlencoded"})


def test_request_token(recorder: Recorder) -> None:
    recorder.replies.append(_form(TOKEN_BODY))
    client = make_client(recorder, oauth_access_token=None, oauth_access_token_secret=None)
    assert client.auth.get_request_token() == ("rt", "rts")
    assert (client.auth.request_token, client.auth.request_token_secret) == ("rt", "rts")
    seen = recorder.last
    assert (seen.method, seen.path, seen.request.content) == ("POST", "/api/auth/v1/oauth/token/request", b"")
    assert "oauth_token" not in seen.oauth and "oauth_callback" not in seen.oauth
    assert seen.oauth["oauth_consumer_key"] == "ck"
    assert seen.signature_valid("cs", None)


def test_authorize_url_uses_the_stored_token(recorder: Recorder) -> None:
    client = make_client(recorder)
    client.auth.request_token, client.auth.request_token_secret = "rt", "rts"
    url = client.auth.get_authorize_url("http://127.0.0.1:5000/callback")
    assert url == f"{BASE}/services/api/auth?oauth_token=rt&oauth_callback=" + urllib.parse.quote(
        "http://127.0.0.1:5000/callback", safe=""
    )
    assert client.auth.get_authorize_url() == f"{BASE}/services/api/auth?oauth_token=rt"
    assert recorder.seen == []


def test_authorize_url_fetches_a_request_token_first(recorder: Recorder) -> None:
    recorder.replies.append(_form(TOKEN_BODY))
    client = make_client(recorder)
    assert client.auth.get_authorize_url() == f"{BASE}/services/api/auth?oauth_token=rt"
    assert len(recorder.seen) == 1


def test_access_token_needs_a_request_token(recorder: Recorder) -> None:
    with pytest.raises(AuthenticationError, match="At first you need to call get_authorize_url"):
        make_client(recorder).auth.get_access_token("v")
    assert recorder.seen == []


def test_access_token(recorder: Recorder) -> None:
    recorder.replies.append(_form(TOKEN_BODY))
    recorder.replies.append(_form("oauth_token=new-at&oauth_token_secret=new-ats"))
    client = make_client(recorder, oauth_access_token=None, oauth_access_token_secret=None)
    client.auth.get_authorize_url()
    assert client.auth.get_access_token("verif") == ("new-at", "new-ats")
    assert (client.auth.access_token, client.auth.access_token_secret) == ("new-at", "new-ats")
    assert client.oauth_access_token is None  # as documented: the caller builds a new Client
    seen = recorder.last
    assert (seen.method, seen.path) == ("POST", "/api/auth/v1/oauth/token/access")
    assert seen.oauth["oauth_token"] == "rt" and seen.oauth["oauth_verifier"] == "verif"
    assert seen.signature_valid("cs", "rts")


TOKEN_FAILURES = [
    (
        httpx.Response(
            401,
            content=b"oauth_problem=signature_invalid",
            headers={"X-Odesk-Error-Code": "401", "X-Odesk-Error-Message": "Bad signature"},
        ),
        "Invalid request token response: HTTP 401 (Code 401: Bad signature): oauth_problem=signature_invalid",
    ),
    (httpx.Response(500, content=b"boom"), "Invalid request token response: HTTP 500: boom"),
    (_form("oauth_token=only"), "Invalid request token response: oauth_token=only"),
]


@pytest.mark.parametrize(("response", "message"), TOKEN_FAILURES)
def test_refused_token_request(response: httpx.Response, message: str, recorder: Recorder) -> None:
    recorder.replies.append(response)
    with pytest.raises(AuthenticationError) as caught:
        make_client(recorder).auth.get_request_token()
    assert str(caught.value) == message
    assert isinstance(caught.value, Exception)


def test_request_token_is_not_retried(recorder: Recorder) -> None:
    recorder.reply(503)
    with pytest.raises(AuthenticationError, match="HTTP 503"):
        make_client(recorder).auth.get_request_token()
    assert len(recorder.seen) == 1


def test_get_oauth_params(recorder: Recorder) -> None:
    auth = make_client(recorder).auth
    header = auth.get_oauth_params(f"{BASE}/api/x", "at", "ats", {"a": "1"}, to_header=True)
    assert header["Authorization"].startswith("OAuth ") and 'oauth_token="at"' in header["Authorization"]
    query = auth.get_oauth_params(f"{BASE}/api/x", "at", "ats", {"a": "1"})
    params = dict(urllib.parse.parse_qsl(query))
    assert params["a"] == "1" and params["oauth_signature_method"] == "HMAC-SHA1"
    as_dict = auth.get_oauth_params(f"{BASE}/api/x", "at", "ats", to_dict=True)
    assert as_dict["oauth_consumer_key"] == "ck" and "oauth_signature" in as_dict
    assert auth.get_oauth_consumer() == type(auth.get_oauth_consumer())("ck", "cs")


def test_async_oauth_flow(recorder: Recorder) -> None:
    recorder.replies.append(_form(TOKEN_BODY))
    recorder.replies.append(_form("oauth_token=at2&oauth_token_secret=ats2"))

    async def scenario():
        async with odesk.AsyncClient(
            "ck",
            "cs",
            base_url=BASE,
            retry=RetryPolicy(max_retries=0),
            transport=httpx.MockTransport(recorder.async_handler),
        ) as client:
            url = await client.auth.get_authorize_url("http://cb")
            again = await client.auth.get_authorize_url()
            tokens = await client.auth.get_access_token("v")
            return url, again, tokens

    url, again, tokens = asyncio.run(scenario())
    assert url.startswith(f"{BASE}/services/api/auth?oauth_token=rt&oauth_callback=")
    assert again == f"{BASE}/services/api/auth?oauth_token=rt"
    assert tokens == ("at2", "ats2")
    assert len(recorder.seen) == 2
