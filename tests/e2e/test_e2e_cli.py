"""The installed ``odesk`` command against the running server, as a user runs it (subprocesses)."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import pty
import stat
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from odesk.credentials import StoredCredentials, save_credentials
from tests.e2e.e2e_support import COMMAND_TIMEOUT, ODESK, Server, submit_authorize_page

Run = Callable[..., subprocess.CompletedProcess]


def _config_file(env: dict[str, str]) -> Path:
    return Path(env["ODESK_CONFIG_DIR"]) / "credentials.json"


@pytest.fixture
def logged_in_as(server: Server, cli_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Store ``role``'s demo token in the CLI's config dir (the documented shortcut past ``odesk login``)."""

    def store(role: str) -> None:
        monkeypatch.setenv("ODESK_CONFIG_DIR", cli_env["ODESK_CONFIG_DIR"])
        creds = server.role(role)
        save_credentials(
            StoredCredentials(
                server.consumer_key, server.consumer_secret, creds.token, creds.token_secret, server.base_url
            )
        )

    return store


def _no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout


def test_login_with_the_local_callback(server: Server, cli_env: dict[str, str], run_odesk: Run) -> None:
    """``odesk login``: prints the authorize URL, catches the verifier on its callback, stores the token."""
    proc = subprocess.Popen(
        [
            ODESK,
            "login",
            "--no-browser",
            "--timeout",
            "60",
            "--consumer-key",
            server.consumer_key,
            "--consumer-secret",
            server.consumer_secret,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env,
    )
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if line.strip().startswith("http"):
                break
        url = lines[-1].strip()
        assert url.startswith(f"{server.base_url}/services/api/auth?oauth_token="), lines
        assert "oauth_callback=http%3A%2F%2F127.0.0.1%3A" in url
        approval = submit_authorize_page(url, server.role("hiring_manager").uid, server.password)
        assert approval.status == 303, approval.body
        # the browser follows the redirect to the CLI's one-shot callback server
        httpx.get(approval.location, timeout=30)
        out, err = proc.communicate(timeout=COMMAND_TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "Logged in." in out
    path = _config_file(cli_env)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    stored = json.loads(path.read_text())
    assert stored["consumer_key"] == server.consumer_key
    assert stored["base_url"] == server.base_url
    # the new token is not one of the demo's
    assert stored["access_token"] not in {server.role(r).token for r in server.credentials["roles"]}
    whoami = run_odesk("whoami", "--format", "json")
    assert whoami.returncode == 0, whoami.stderr
    assert json.loads(whoami.stdout)["auth_user"]["uid"] == server.role("hiring_manager").uid
    # the stored base URL is enough without PYTHON_ODESK_BASE_URL
    env = {k: v for k, v in cli_env.items() if k != "PYTHON_ODESK_BASE_URL"}
    assert json.loads(run_odesk("whoami", "--format", "json", env=env).stdout)["auth_user"]["uid"] == "dortiz"


def test_login_out_of_band_then_verifier(server: Server, cli_env: dict[str, str], run_odesk: Run) -> None:
    started = run_odesk(
        "login",
        "--oob",
        "--no-browser",
        "--consumer-key",
        server.consumer_key,
        "--consumer-secret",
        server.consumer_secret,
    )
    assert started.returncode == 0, started.stderr
    url = next(line.strip() for line in started.stdout.splitlines() if line.strip().startswith("http"))
    assert "odesk login --verifier" in started.stdout
    approval = submit_authorize_page(url, server.role("provider").uid, server.password)
    assert approval.status == 200
    finished = run_odesk("login", "--verifier", approval.shown_verifier)
    assert finished.returncode == 0, finished.stderr
    whoami = run_odesk("whoami", "--format", "json")
    assert json.loads(whoami.stdout)["auth_user"]["uid"] == server.role("provider").uid
    again = run_odesk("login", "--verifier", approval.shown_verifier)
    assert again.returncode == 2
    assert again.stderr.startswith("odesk: no login is waiting for a verifier")


def test_whoami_without_login_is_a_usage_error(run_odesk: Run) -> None:
    result = run_odesk("whoami")
    assert result.returncode == 2
    assert result.stderr.strip() == "odesk: not logged in: run `odesk login` first"


TQ = "SELECT worked_on, assignment_ref, sum(hours) WHERE worked_on >= '{since}' ORDER BY worked_on, assignment_ref"


def _since() -> str:
    import datetime as dt

    return (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=20)).isoformat()


@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_report_time_formats(server: Server, logged_in_as, run_odesk: Run, fmt: str) -> None:
    logged_in_as("owner")
    reference = server.client("owner").timereport.get_team_report("acme", "engineering", TQ.format(since=_since()))
    expected = [[cell["v"] for cell in row["c"]] for row in reference["table"]["rows"]]
    result = run_odesk(
        "report",
        "time",
        "--company",
        "acme",
        "--team",
        "engineering",
        "--tq",
        TQ.format(since=_since()),
        "--format",
        fmt,
    )
    assert result.returncode == 0, result.stderr
    if fmt == "json":
        rows = [[cell["v"] for cell in row["c"]] for row in json.loads(result.stdout)["table"]["rows"]]
        assert rows == expected
    elif fmt == "csv":
        parsed = list(csv.reader(io.StringIO(result.stdout)))
        assert parsed[0] == ["worked_on", "assignment_ref", "hours"]
        assert parsed[1:] == expected
    else:
        lines = result.stdout.rstrip("\n").splitlines()
        assert lines[0].split() == ["worked_on", "assignment_ref", "hours"]
        body = [line for line in lines[1:] if not set(line.strip()) <= set("-+| ")]
        assert [line.split() for line in body] == expected


@pytest.mark.parametrize(
    ("role", "args"),
    [
        ("owner", ["--company", "acme"]),
        ("staffing_manager", ["--company", "brightcode", "--agency", "brightcode", "--hours"]),
        ("provider", ["--provider", "jwalker"]),
        ("hiring_manager", ["--company", "acme", "--team", "engineering", "--hours"]),
    ],
)
def test_report_time_kinds(server: Server, logged_in_as, run_odesk: Run, role: str, args: list[str]) -> None:
    logged_in_as(role)
    result = run_odesk(
        "report", "time", *args, "--tq", f"SELECT sum(hours) WHERE worked_on >= '{_since()}'", "--format", "json"
    )
    assert result.returncode == 0, result.stderr
    assert float(json.loads(result.stdout)["table"]["rows"][0]["c"][0]["v"]) > 0


def test_report_time_default_query_on_a_team(logged_in_as, run_odesk: Run) -> None:
    """Without --tq the CLI selects "the default time fields" (docs/client.md): it must work on a team report."""
    logged_in_as("owner")
    result = run_odesk("report", "time", "--company", "acme", "--team", "engineering", "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("worked_on")


def test_report_time_default_query_on_the_company(logged_in_as, run_odesk: Run) -> None:
    logged_in_as("finance")
    result = run_odesk("report", "time", "--company", "acme", "--format", "csv")
    assert result.returncode == 0, result.stderr
    header = next(csv.reader(io.StringIO(result.stdout)))
    assert header == ["worked_on", "team_id", "team_name", "task", "memo", "hours"]


@pytest.mark.parametrize(
    ("role", "args"),
    [
        ("owner", ["billings", "--buyer-company", "acme:acme"]),
        ("owner", ["earnings", "--buyer-team", "acme:engineering"]),
        ("provider", ["earnings", "--provider", "jwalker"]),
        ("provider", ["billings", "--provider", "jwalker"]),
        ("staffing_manager", ["billings", "--provider-team", "brightcode:brightcode"]),
        ("provider", ["accounts", "--owner", "jwalker"]),
    ],
)
def test_report_fin(server: Server, logged_in_as, run_odesk: Run, role: str, args: list[str]) -> None:
    logged_in_as(role)
    result = run_odesk("report", "fin", *args, "--tq", "SELECT type, count(amount)", "--format", "csv")
    assert result.returncode == 0, result.stderr
    parsed = list(csv.reader(io.StringIO(result.stdout)))
    assert parsed[0] == ["type", "amount"]
    assert len(parsed) > 1 and all(int(count) > 0 for _, count in parsed[1:])


def test_report_fin_default_fields(logged_in_as, run_odesk: Run) -> None:
    logged_in_as("provider")
    result = run_odesk("report", "fin", "earnings", "--provider", "jwalker", "--format", "json")
    assert result.returncode == 0, result.stderr
    labels = [col["label"] for col in json.loads(result.stdout)["table"]["cols"]]
    assert labels[0] == "reference" and labels[-1] == "amount"


@pytest.mark.parametrize("path", ["/api/hr/v2/teams", "hr/v2/teams", "/api/hr/v2/teams.json"])
def test_api_get(server: Server, logged_in_as, run_odesk: Run, path: str) -> None:
    logged_in_as("owner")
    result = run_odesk("api", "GET", path, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert [t["id"] for t in json.loads(result.stdout)["teams"]] == [t["id"] for t in server.credentials["teams"]]


def test_api_get_with_parameters(server: Server, logged_in_as, run_odesk: Run) -> None:
    logged_in_as("owner")
    result = run_odesk("api", "GET", "/api/hr/v2/teams/acme:engineering", "include_users=true", "--format", "json")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["team"]["id"] == "acme:engineering"
    assert server.role("hiring_manager").uid in {u["id"] for u in answer["users"]}
    gds = run_odesk("api", "GET", "/gds/timereports/v1/providers/jwalker", "tq=SELECT count(hours)", "--format", "csv")
    assert gds.returncode == 1  # the owner is not jwalker
    assert gds.stderr.startswith("odesk: error: HTTP 403: access_denied: ")


@pytest.mark.parametrize(
    ("role", "args", "line"),
    [
        (
            "member",
            ["report", "time", "--company", "acme", "--tq", "SELECT worked_on"],
            "odesk: error: HTTP 403: access_denied: You need hiring or finance permission on every team of the company acme",
        ),
        (
            "owner",
            ["report", "time", "--company", "acme", "--tq", "SELEC worked_on"],
            'odesk: error: HTTP 400: invalid_query: Unexpected token "SELEC" at position 0',
        ),
        (
            "owner",
            ["api", "GET", "/api/hr/v2/companies/nosuch:company"],
            "odesk: error: HTTP 404: not_found: No company with reference or id 'nosuch:company'",
        ),
    ],
)
def test_errors_print_code_and_message(logged_in_as, run_odesk: Run, role: str, args: list[str], line: str) -> None:
    logged_in_as(role)
    result = run_odesk(*args)
    assert result.returncode == 1
    assert result.stderr.strip() == line
    assert result.stdout == ""
    _no_traceback(result)


def test_revoked_token_prints_401(server: Server, cli_env: dict[str, str], run_odesk: Run, monkeypatch) -> None:
    monkeypatch.setenv("ODESK_CONFIG_DIR", cli_env["ODESK_CONFIG_DIR"])
    save_credentials(
        StoredCredentials(server.consumer_key, server.consumer_secret, "0" * 32, "1" * 32, server.base_url)
    )
    result = run_odesk("whoami")
    assert result.returncode == 1
    assert result.stderr.strip() == "odesk: error: HTTP 401: token_rejected: Unknown access token"
    _no_traceback(result)


def test_unreachable_server(logged_in_as, run_odesk: Run, cli_env: dict[str, str]) -> None:
    from tests.e2e.e2e_support import free_port

    logged_in_as("owner")
    result = run_odesk("whoami", env={**cli_env, "PYTHON_ODESK_BASE_URL": f"http://127.0.0.1:{free_port()}"})
    assert result.returncode == 1
    assert result.stderr.startswith("odesk: cannot reach the server: ")
    _no_traceback(result)


@pytest.mark.parametrize(
    ("key", "secret", "expected"),
    [
        (None, "0" * 32, "(Code signature_invalid: Invalid signature)"),
        ("0" * 32, "0" * 32, "(Code consumer_key_unknown: Unknown consumer key)"),
    ],
)
def test_login_with_bad_consumer_credentials(server: Server, run_odesk: Run, key, secret, expected) -> None:
    result = run_odesk(
        "login", "--oob", "--no-browser", "--consumer-key", key or server.consumer_key, "--consumer-secret", secret
    )
    assert result.returncode == 1
    assert result.stderr.startswith("odesk: error: Invalid request token response: HTTP 401 ")
    assert expected in result.stderr
    _no_traceback(result)


def test_login_times_out_without_the_browser(server: Server, run_odesk: Run, cli_env: dict[str, str]) -> None:
    result = run_odesk(
        "login",
        "--no-browser",
        "--timeout",
        "0.5",
        "--consumer-key",
        server.consumer_key,
        "--consumer-secret",
        server.consumer_secret,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == "odesk: no answer from the browser within 0.5 seconds"
    assert not _config_file(cli_env).exists()


ENDED = "the input ended before one was typed; pass it as an option"


def _login_on_a_terminal_that_ends(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run ``odesk login ARGS`` on a pseudo-terminal where the user presses Ctrl-D at every prompt."""
    controller, terminal = pty.openpty()
    # A session of its own: no controlling terminal, so getpass reads this terminal, not the one running the tests.
    process = subprocess.Popen(
        [ODESK, "login", *args],
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    os.close(terminal)
    try:
        deadline = time.monotonic() + COMMAND_TIMEOUT
        while process.poll() is None and time.monotonic() < deadline:
            # Again and again: getpass flushes what was typed before it turned echo off.
            with contextlib.suppress(OSError):
                os.write(controller, b"\x04")
            time.sleep(0.1)
        stdout, stderr = process.communicate(timeout=5)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(controller)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.mark.parametrize(
    ("how", "args", "last_line"),
    [
        ("stdin from /dev/null", [], "odesk: missing consumer key: pass it as an option"),
        ("stdin closed", [], "odesk: missing consumer key: pass it as an option"),
        ("terminal, Ctrl-D", [], f"odesk: missing consumer key: {ENDED}"),
        ("terminal, Ctrl-D", ["--consumer-key", "ck"], f"odesk: missing consumer secret: {ENDED}"),
    ],
)
def test_login_without_input_is_a_one_line_error(
    how: str, args: list[str], last_line: str, cli_env: dict[str, str]
) -> None:
    if how == "stdin from /dev/null":
        result = subprocess.run(
            [ODESK, "login", *args],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            env=cli_env,
        )
    elif how == "stdin closed":
        result = subprocess.run(
            ["sh", "-c", '"$0" login "$@" <&-', ODESK, *args],
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            env=cli_env,
        )
    else:
        result = _login_on_a_terminal_that_ends(args, cli_env)
    _no_traceback(result)
    assert result.returncode == 2, result.stderr
    # Only the prompt (getpass writes it to stderr) may come before the error's own line.
    assert result.stderr.splitlines()[-1] == last_line
    assert result.stderr.endswith("\n" + last_line + "\n") or result.stderr == last_line + "\n"
    assert not _config_file(cli_env).exists()


def test_report_fin_accounts_by_accounting_id(server: Server, logged_in_as, run_odesk: Run) -> None:
    logged_in_as("finance")
    found = run_odesk(
        "report",
        "fin",
        "billings",
        "--buyer-team",
        "acme:acme",
        "--tq",
        "SELECT accounting_entity__reference, count(amount)",
        "--format",
        "csv",
    )
    assert found.returncode == 0, found.stderr
    account = list(csv.reader(io.StringIO(found.stdout)))[1][0]
    result = run_odesk(
        "report",
        "fin",
        "accounts",
        "--accounting-id",
        account,
        "--tq",
        "SELECT accounting_entity_name, count(amount)",
        "--format",
        "csv",
    )
    assert result.returncode == 0, result.stderr
    assert list(csv.reader(io.StringIO(result.stdout)))[1][0] == "Acme Widgets"
