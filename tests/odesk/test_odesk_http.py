"""The HTTP layer: status -> exception mapping, JSON decoding, retries, URL
building, encoding, the async client."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import urllib.error
from decimal import Decimal

import httpx
import pytest
from odesk_recording import BASE, KEYS, Recorder, make_client

import odesk
from odesk import exceptions
from odesk.transport import RetryPolicy

HEADERS = {"X-Odesk-Error-Code": "4711", "X-Odesk-Error-Message": "Team not found"}

STATUSES = [
    (400, exceptions.HTTP400BadRequestError),
    (401, exceptions.HTTP401UnauthorizedError),
    (403, exceptions.HTTP403ForbiddenError),
    (404, exceptions.HTTP404NotFoundError),
    (201, exceptions.HTTPError),
    (204, exceptions.HTTPError),
    (500, exceptions.HTTPError),
]


@pytest.mark.parametrize(("status", "error"), STATUSES)
def test_status_maps_to_exception_with_header_code_and_message(status, error, recorder: Recorder) -> None:
    recorder.reply(status, headers=HEADERS)
    client = make_client(recorder)
    with pytest.raises(error) as caught:
        client.hr.get_team("t1")
    exc = caught.value
    assert type(exc) is error
    assert isinstance(exc, urllib.error.HTTPError) and isinstance(exc, exceptions.BaseHttpException)
    assert (exc.code, exc.error_code, exc.error_message) == (status, "4711", "Team not found")
    assert exc.msg == "Code 4711: Team not found"
    assert str(exc) == f"HTTP Error {status}: Code 4711: Team not found"
    assert exc.url == f"{BASE}/api/hr/v2/teams/t1.json?include_users=False"


ERROR_BODIES = [
    ({"error": {"code": "invalid_query", "message": "bad tq"}}, {}, "invalid_query", "bad tq"),
    ({"error": {"code": 13, "message": "no"}}, {}, "13", "no"),
    ({"error": "plain text"}, {}, "N/A", "plain text"),
    (None, {}, "N/A", "N/A"),
    ({"error": {"code": "b", "message": "body"}}, {"X-Odesk-Error-Code": "h"}, "h", "body"),
]


@pytest.mark.parametrize(("body", "headers", "code", "message"), ERROR_BODIES)
def test_error_code_and_message_from_json_body(body, headers, code, message, recorder: Recorder) -> None:
    if body is None:
        recorder.reply(404, content=b"not json", headers=headers)
    else:
        recorder.reply(404, body, headers=headers)
    with pytest.raises(exceptions.HTTP404NotFoundError) as caught:
        make_client(recorder).hr.get_user_me()
    assert (caught.value.error_code, caught.value.error_message) == (code, message)
    assert str(caught.value) == f"HTTP Error 404: Code {code}: {message}"


@pytest.mark.parametrize("content", [b"", b"<html>oops</html>", b"{broken"])
def test_non_json_200_raises_incorrect_json(content: bytes, recorder: Recorder) -> None:
    recorder.reply(200, content=content)
    with pytest.raises(exceptions.IncorrectJsonResponseError) as caught:
        make_client(recorder).hr.get_user_me()
    assert "is not valid JSON" in str(caught.value)
    assert f"{BASE}/api/hr/v2/users/me.json" in str(caught.value)


def test_raise_http_error_is_exported(recorder: Recorder) -> None:
    response = httpx.Response(403, headers=HEADERS)
    with pytest.raises(exceptions.HTTP403ForbiddenError, match="Code 4711: Team not found"):
        odesk.raise_http_error("http://x/api", response)


# -- retries ----------------------------------------------------------------------------

RETRY_CASES = [
    # verb, call, replies before the 200, expected attempts, succeeds
    ("GET 503 then ok", lambda c: c.hr.get_user_me(), [503, 503], 3, True),
    ("PUT 503 then ok", lambda c: c.hr.suspend_contract("k", "m"), [503], 2, True),
    ("DELETE 503 then ok", lambda c: c.hr.delete_job("j", 41), [503], 2, True),
    ("GET connect error then ok", lambda c: c.hr.get_user_me(), [httpx.ConnectError("refused")], 2, True),
    ("POST 503 not retried", lambda c: c.hr_v3.create_milestone("k", "d", 1), [503], 1, False),
    (
        "POST connect error not retried",
        lambda c: c.hr_v3.create_milestone("k", "d", 1),
        [httpx.ConnectError("refused")],
        1,
        False,
    ),
    ("GET 503 exhausted", lambda c: c.hr.get_user_me(), [503] * 4, 4, False),
    ("GET 500 not retried", lambda c: c.hr.get_user_me(), [500], 1, False),
]


@pytest.mark.parametrize(
    ("call", "failures", "attempts", "succeeds"), [c[1:] for c in RETRY_CASES], ids=[c[0] for c in RETRY_CASES]
)
def test_retries_only_idempotent_requests(call, failures, attempts, succeeds, recorder: Recorder) -> None:
    for failure in failures:
        if isinstance(failure, Exception):
            recorder.replies.append(failure)
        else:
            recorder.reply(failure, headers={"X-Odesk-Error-Code": "503", "X-Odesk-Error-Message": "Busy"})
    recorder.reply(200, {"user": {"id": 1}})
    client = make_client(recorder)
    if succeeds:
        call(client)
    else:
        with pytest.raises((exceptions.HTTPError, httpx.ConnectError)):
            call(client)
    assert len(recorder.seen) == attempts
    nonces = {seen.oauth["oauth_nonce"] for seen in recorder.seen}
    assert len(nonces) == attempts  # every attempt is signed afresh
    assert all(seen.signature_valid("cs", "ats") for seen in recorder.seen)


def test_a_report_timeout_is_not_retried(recorder: Recorder) -> None:
    # a 503 ``timeout`` is the server's final answer: running the report again would time out again
    recorder.reply(503, headers={"X-Odesk-Error-Code": "timeout", "X-Odesk-Error-Message": "Took too long"})
    recorder.reply(200, {"user": {"id": 1}})
    client = make_client(recorder)
    with pytest.raises(exceptions.HTTPError, match="Took too long"):
        client.hr.get_user_me()
    assert len(recorder.seen) == 1


def test_retry_backoff_grows_and_honours_retry_after() -> None:
    policy = RetryPolicy(max_retries=5, backoff_factor=0.5, max_backoff=3)
    assert [policy.delay(n) for n in range(4)] == [0.5, 1.0, 2.0, 3]
    assert policy.delay(0, httpx.Response(503, headers={"Retry-After": "2"})) == 2.0


def test_sleeps_between_attempts(recorder: Recorder) -> None:
    slept: list[float] = []
    recorder.reply(503)
    recorder.reply(503)
    client = make_client(recorder, retry=RetryPolicy(max_retries=2, backoff_factor=0.1))
    client._sleep = slept.append
    client.hr.get_user_me()
    assert slept == [0.1, 0.2]


def test_timeouts_are_on_by_default() -> None:
    client = odesk.Client("ck", "cs")
    assert client.http.timeout.read == 30.0 and client.http.timeout.connect == 10.0
    client.close()


# -- URL building and encoding --------------------------------------------------------------


def test_base_url_from_environment(monkeypatch, recorder: Recorder) -> None:
    monkeypatch.setenv("PYTHON_ODESK_BASE_URL", "http://self.hosted:8000/")
    client = odesk.Client("ck", "cs", "at", "ats", transport=httpx.MockTransport(recorder.handler))
    client.hr.get_user_me()
    assert str(recorder.last.request.url) == "http://self.hosted:8000/api/hr/v2/users/me.json"
    assert client.auth.full_url("oauth/token/request") == "http://self.hosted:8000/api/auth/v1/oauth/token/request"
    assert client.timereport.full_url("x") == "http://self.hosted:8000/gds/timereports/v1/x"


def test_default_base_url(monkeypatch) -> None:
    monkeypatch.delenv("PYTHON_ODESK_BASE_URL", raising=False)
    client = odesk.Client("ck", "cs")
    assert client.hr.full_url("teams") == "https://www.odesk.com/api/hr/v2/teams"
    client.close()


def test_bare_namespace_full_url() -> None:
    from odesk.namespaces import Namespace

    client = odesk.Client("ck", "cs", base_url="https://www.odesk.com")
    assert Namespace(client).full_url("test") == "https://www.odesk.com/api/Nonev1/test"
    client.close()


def test_client_verbs_and_encoding(recorder: Recorder) -> None:
    client = make_client(recorder)
    client.get(f"{BASE}/api/x/v1/y", {"a": "b c~", "l": ["1", "2"], "t": True, "n": 2.0})
    assert recorder.last.request.url.query == b"a=b%20c~&l=1&l=2&t=True&n=2.0"
    client.post(f"{BASE}/api/x/v1/y", {"a": "é&="})
    assert recorder.last.request.content == b"a=%C3%A9%26%3D"
    assert recorder.last.request.headers["content-type"] == "application/x-www-form-urlencoded;charset=UTF-8"
    assert recorder.last.signature_valid("cs", "ats")
    client.put(
        f"{BASE}/api/x/v1/y", {"amount": Decimal("0.132"), "ok": True, "none": None, "due": dt.date(2014, 6, 30)}
    )
    assert json.loads(recorder.last.request.content) == {
        "amount": "0.132",
        "ok": True,
        "none": None,
        "due": "2014-06-30",
    }
    with pytest.raises(TypeError, match="not JSON serializable"):
        client.put(f"{BASE}/api/x/v1/y", {"what": object()})
    client.delete(f"{BASE}/api/x/v1/y")
    assert recorder.last.request.content == b""
    assert (client.last_method, client.last_url, client.last_data) == ("DELETE", f"{BASE}/api/x/v1/y.json", None)


def test_gds_substring_skips_the_suffix(recorder: Recorder) -> None:
    make_client(recorder).mc.get_tray_content("gds", "inbox")
    assert recorder.last.path == "/api/mc/v1/trays/gds/inbox"


def test_gds_routers_do_not_write(recorder: Recorder) -> None:
    client = make_client(recorder)
    assert client.timereport.post("x", {}) is None
    assert client.finreport.put("x") is None and client.finreport.delete("x") is None
    assert recorder.seen == []


def test_router_flags_leave_routers_out() -> None:
    client = odesk.Client("ck", "cs", hr=False, team=False, job=False)
    for name in ("hr", "hr_v1", "hr_v3", "team", "team_v2", "job"):
        assert not hasattr(client, name)
    assert hasattr(client, "mc") and hasattr(client, "auth")
    client.close()


def test_urlopen_returns_raw_response_with_extra_headers(recorder: Recorder) -> None:
    recorder.reply(202, content=b"raw")
    response = make_client(recorder).urlopen(f"{BASE}/api/raw", {"a": 1}, "GET", {"X-Extra": "1"})
    assert (response.status_code, response.content) == (202, b"raw")
    assert recorder.last.request.headers["x-extra"] == "1"


UNWRAP_CASES = [
    ("missing key gives whole", lambda c: c.hr.get_user_me(), {"other": 1}, {"other": 1}),
    ("snapshot error whole", lambda c: c.team.get_snapshot("c", "u"), {"error": {"m": 1}}, {"error": {"m": 1}}),
    ("snapshot missing", lambda c: c.team.get_snapshot("c", "u"), {"x": 1}, []),
    ("snapshot empty string kept", lambda c: c.team_v2.get_snapshot_by_contract("k"), {"snapshot": ""}, ""),
    (
        "workdiaries list",
        lambda c: c.team.get_workdiaries("t", "u"),
        {"snapshots": {"user": {"u": 1}, "snapshot": [{"a": 1}, {"b": 2}]}},
        ({"u": 1}, [{"a": 1}, {"b": 2}]),
    ),
    (
        "workdiaries none",
        lambda c: c.team_v2.get_workdiaries_by_contract("k", "20140101"),
        {"snapshots": {"user": {"u": 1}}},
        ({"u": 1}, []),
    ),
    ("workdiaries error", lambda c: c.team.get_workdiaries("t", "u"), {"error": "x"}, {"error": "x"}),
    ("teamrooms missing", lambda c: c.team_v2.get_teamrooms(), {"teamrooms": ""}, []),
    ("teamrooms list", lambda c: c.team_v2.get_teamrooms(), {"teamrooms": {"teamroom": [{"id": 1}]}}, [{"id": 1}]),
    ("tray threads key", lambda c: c.mc.get_tray_content("u", "inbox"), {"threads": [1]}, [1]),
    ("tray not dict", lambda c: c.mc.get_tray_content("u", "inbox"), {"current_tray": ""}, {"current_tray": ""}),
    ("tasks falsy", lambda c: c.task.get_team_tasks("c", "t"), {"tasks": ""}, []),
    ("tasks missing", lambda c: c.task.get_team_tasks("c", "t"), {"x": 1}, {"x": 1}),
    (
        "job profiles list",
        lambda c: c.job.get_job_profile(["~~a", "~~b"]),
        {"profiles": {"profile": [{"a": 1}, {"b": 2}]}},
        [{"a": 1}, {"b": 2}],
    ),
]


@pytest.mark.parametrize(("call", "body", "expected"), [c[1:] for c in UNWRAP_CASES], ids=[c[0] for c in UNWRAP_CASES])
def test_unwrapping(call, body, expected, recorder: Recorder) -> None:
    recorder.reply(200, body)
    assert call(make_client(recorder)) == expected


def test_get_companies_is_strict(recorder: Recorder) -> None:
    recorder.reply(200, {"nothing": 1})
    with pytest.raises(KeyError):
        make_client(recorder).hr.get_companies()


# -- the async client ---------------------------------------------------------------------


def _async_client(recorder: Recorder) -> odesk.AsyncClient:
    client = odesk.AsyncClient(
        base_url=BASE,
        transport=httpx.MockTransport(recorder.async_handler),
        retry=RetryPolicy(max_retries=2, backoff_factor=0),
        **KEYS,
    )

    async def no_sleep(seconds: float) -> None:
        return None

    client._sleep = no_sleep
    return client


def test_async_client_shares_the_routers(recorder: Recorder) -> None:
    recorder.reply(200, {"user": {"id": 7}})
    recorder.reply(503)
    recorder.reply(200, {"table": {"cols": [], "rows": [""]}})
    recorder.reply(404, headers=HEADERS)

    async def scenario():
        async with _async_client(recorder) as client:
            me = await client.hr.get_user_me()
            report = await client.timereport.get_company_report("c1", "SELECT hours")
            with pytest.raises(exceptions.HTTP404NotFoundError, match="Team not found"):
                await client.hr.get_team("t")
            return me, report

    me, report = asyncio.run(scenario())
    assert me == {"id": 7}
    assert report == {"table": {"cols": [], "rows": [""]}}
    assert [seen.path for seen in recorder.seen] == [
        "/api/hr/v2/users/me.json",
        "/gds/timereports/v1/companies/c1",
        "/gds/timereports/v1/companies/c1",
        "/api/hr/v2/teams/t.json",
    ]
    assert all(seen.signature_valid("cs", "ats") for seen in recorder.seen)


def test_async_post_not_retried(recorder: Recorder) -> None:
    recorder.reply(503)

    async def scenario():
        async with _async_client(recorder) as client:
            await client.mc.post_message("u", "a", "s", "b")

    with pytest.raises(exceptions.HTTPError):
        asyncio.run(scenario())
    assert len(recorder.seen) == 1


def test_debug_log_to_file(tmp_path) -> None:
    import os
    import subprocess
    import sys

    log_file = tmp_path / "odesk.log"
    script = (
        "import logging, httpx, odesk\n"
        "logging.getLogger('python-odesk').setLevel(logging.DEBUG)\n"
        "c = odesk.Client('ck', 'cs', 'at', 'ats', base_url='http://x', "
        "transport=httpx.MockTransport(lambda r: httpx.Response(404)))\n"
        "try:\n    c.hr.get_team('t1')\nexcept odesk.exceptions.HTTP404NotFoundError:\n    pass\n"
    )
    env = dict(os.environ, PYTHON_ODESK_DEBUG="1", PYTHON_ODESK_DEBUG_FILE=str(log_file))
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    text = log_file.read_text()
    assert "Prepared url: http://x/api/hr/v2/teams/t1.json" in text
    assert "HTTP404NotFoundError: 404 Code N/A: N/A" in text


def test_debug_logging_never_breaks_a_call(recorder: Recorder, caplog) -> None:
    import datetime as dt
    import logging

    with caplog.at_level(logging.DEBUG, logger="python-odesk"):
        make_client(recorder).hr.get_jobs("b1", created_time_from=dt.datetime(2009, 1, 20, 0, 0, 1))
    assert recorder.last.query["created_time_from"] == "2009-01-20T00:00:01"
    assert '"created_time_from": "2009-01-20 00:00:01"' in caplog.text


def test_async_gds_writes_are_awaitable_none(recorder: Recorder) -> None:
    async def scenario():
        async with _async_client(recorder) as client:
            return await client.timereport.post("x"), await client.finreport.delete("x")

    assert asyncio.run(scenario()) == (None, None)
    assert recorder.seen == []


def test_http_errors_survive_pickling() -> None:
    import pickle

    exc = exceptions.HTTP403ForbiddenError(
        "http://x", 403, "Code no: Forbidden", {"a": "b"}, None, error_code="no", error_message="Forbidden"
    )
    copy = pickle.loads(pickle.dumps(exc))
    assert type(copy) is exceptions.HTTP403ForbiddenError
    assert (copy.code, copy.url, copy.error_code, copy.error_message, str(copy)) == (
        403,
        "http://x",
        "no",
        "Forbidden",
        "HTTP Error 403: Code no: Forbidden",
    )
