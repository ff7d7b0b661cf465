"""The running ``odesk-server serve``: health checks a load balancer would ask, and the access log it prints."""

from __future__ import annotations

import re
import time
import urllib.parse

import httpx
import pytest

from odesk_server import db
from tests.e2e.conftest import KINDS
from tests.e2e.e2e_support import Server, clean_env, start_serve, stop_process_group

TEAMS = "/api/hr/v2/teams.json"
HEAD = db.head_revision()


def _log_line_of(server: Server, request_id: str, timeout: float = 10.0) -> str:
    """The access log line of the request ``request_id`` in the server's output (it may take a moment)."""
    deadline = time.monotonic() + timeout
    while True:
        lines = [line for line in server.stderr_text().splitlines() if f" request_id={request_id} " in line]
        if lines or time.monotonic() > deadline:
            assert len(lines) == 1, server.stderr_text()[-3000:]
            return lines[0]
        time.sleep(0.05)


def test_health_checks_answer_without_oauth(server: Server) -> None:
    healthz = httpx.get(server.base_url + "/healthz", timeout=10)
    assert (healthz.status_code, healthz.json()) == (200, {"status": "ok"})
    readyz = httpx.get(server.base_url + "/readyz", timeout=10)
    assert (readyz.status_code, readyz.json()) == (200, {"status": "ready", "schema_revision": HEAD})
    head = httpx.head(server.base_url + "/readyz", timeout=10)
    assert (head.status_code, head.content) == (200, b"")


def test_a_signed_request_is_logged_once_without_its_oauth_parameters(server: Server) -> None:
    """The client signs in the query string; uvicorn's own access log (which printed it all) is off."""
    client = server.client("owner")
    role = server.role("owner")
    url = server.base_url + TEAMS
    query = client.auth.get_oauth_params(url, role.token, role.token_secret, {"tq": "SELECT name"}, "GET")
    oauth = {name: value for name, value in urllib.parse.parse_qsl(query) if name.startswith("oauth_")}
    answer = httpx.get(f"{url}?{query}", headers={"X-Request-Id": f"e2e-{server.kind}-{time.time_ns()}"}, timeout=30)
    assert answer.status_code == 200, answer.text
    request_id = answer.headers["x-request-id"]
    assert request_id.startswith(f"e2e-{server.kind}-")

    line = _log_line_of(server, request_id)
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} method=GET path=/api/hr/v2/teams\.json\?tq=SELECT(%20|\+)name status=200 "
        rf"duration_ms=\d+\.\d request_id={re.escape(request_id)} client=127\.0\.0\.1",
        line,
    ), line
    output = server.stderr_text()
    for name in ("oauth_signature", "oauth_token", "oauth_nonce"):
        assert oauth[name] not in output and urllib.parse.quote(oauth[name], safe="") not in output
    assert '"GET /api/hr/v2/teams.json' not in output  # no uvicorn access line


@pytest.mark.parametrize("kind", KINDS)
def test_readyz_of_a_server_whose_schema_went_back(database_factory, tmp_path, kind: str) -> None:
    """The schema taken back a revision under a running server: /readyz turns 503 and says so, /healthz stays 200."""
    url = database_factory.new_url(kind)
    proc, base_url, _log = start_serve(url, clean_env(), tmp_path / "serve.log")
    try:
        assert httpx.get(base_url + "/readyz", timeout=10).status_code == 200
        db.downgrade(url, "0002")
        readyz = httpx.get(base_url + "/readyz", timeout=10)
        assert (readyz.status_code, readyz.headers["retry-after"]) == (503, "5"), readyz.text
        assert readyz.json() == {
            "status": "not_ready",
            "problem": "schema_behind",
            "message": f"The database schema is at revision 0002; this server needs {HEAD}: run `odesk-server init`",
            "schema_revision": "0002",
            "head_revision": HEAD,
        }
        assert httpx.get(base_url + "/healthz", timeout=10).status_code == 200
        db.migrate(url)  # what the message says to do
        assert httpx.get(base_url + "/readyz", timeout=10).status_code == 200
    finally:
        stop_process_group(proc)
