"""The ``odesk`` command line through ``main(argv)``: output formats, exit codes,
error lines without tracebacks, the credentials file and both login flows.

The server is the recording transport (``odesk.cli.Client`` is given it);
the login's local callback server is real.
"""

from __future__ import annotations

import functools
import io
import json
import os
import stat
import urllib.parse

import httpx
import pytest
from odesk_recording import BASE, Recorder

from odesk import cli
from odesk.client import Client
from odesk.credentials import StoredCredentials, config_dir, save_credentials
from odesk.transport import RetryPolicy

GDS_ANSWER = {
    "server_time": 1,
    "table": {
        "cols": [
            {"label": "worked_on", "type": "date"},
            {"label": "team_name", "type": "string"},
            {"label": "hours", "type": "number"},
        ],
        "rows": [
            {"c": [{"v": "20140506"}, {"v": "Dev"}, {"v": "2.5"}]},
            {"c": [{"v": "20140507"}, {"v": "Design, UX"}, {"v": "10"}]},
        ],
    },
}


@pytest.fixture
def env(tmp_path, monkeypatch, recorder: Recorder) -> Recorder:
    """A config dir in tmp, no base URL in the environment, Client wired to the recorder."""
    monkeypatch.setenv("ODESK_CONFIG_DIR", str(tmp_path / "conf"))
    monkeypatch.delenv("PYTHON_ODESK_BASE_URL", raising=False)
    monkeypatch.delenv("ODESK_CONSUMER_KEY", raising=False)
    monkeypatch.delenv("ODESK_CONSUMER_SECRET", raising=False)
    monkeypatch.setattr(
        cli,
        "Client",
        functools.partial(Client, transport=httpx.MockTransport(recorder.handler), retry=RetryPolicy(max_retries=0)),
    )
    return recorder


def _logged_in(base_url: str | None = BASE) -> None:
    save_credentials(StoredCredentials("ck", "cs", "at", "ats", base_url))


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


# -- api -----------------------------------------------------------------------------------

API_CASES = [
    (["api", "GET", "/api/hr/v2/users/me"], "GET", "/api/hr/v2/users/me.json", {}, None),
    (["api", "get", "hr/v2/users/me.json"], "GET", "/api/hr/v2/users/me.json", {}, None),
    (
        ["api", "GET", "hr/v2/jobs", "buyer_team__reference=t 1", "page=0;20"],
        "GET",
        "/api/hr/v2/jobs.json",
        {"buyer_team__reference": "t 1", "page": "0;20"},
        None,
    ),
    (
        ["api", "GET", "/gds/timereports/v1/companies/c1", "tq=SELECT hours"],
        "GET",
        "/gds/timereports/v1/companies/c1",
        {"tq": "SELECT hours"},
        None,
    ),
    (
        ["api", "POST", "/api/hr/v3/fp/milestones", "contract_reference=k1", "deposit_amount=10"],
        "POST",
        "/api/hr/v3/fp/milestones.json",
        {},
        ("form", {"contract_reference": "k1", "deposit_amount": "10"}),
    ),
    (
        ["api", "PUT", "/api/hr/v2/jobs/j1", "status=filled", "budget:=100", "flags:=[1,2]"],
        "PUT",
        "/api/hr/v2/jobs/j1.json",
        {},
        ("json", {"status": "filled", "budget": 100, "flags": [1, 2]}),
    ),
    (
        ["api", "DELETE", "/api/hr/v2/jobs/j1", "reason_code:=41"],
        "DELETE",
        "/api/hr/v2/jobs/j1.json",
        {},
        ("json", {"reason_code": 41}),
    ),
    (["api", "GET", "hr/v2/teams", "a=1", "a=2"], "GET", "/api/hr/v2/teams.json", {"a": ["1", "2"]}, None),
]


@pytest.mark.parametrize(("argv", "verb", "path", "query", "body"), API_CASES)
def test_api_command(argv, verb, path, query, body, env: Recorder, capsys) -> None:
    _logged_in()
    env.reply(200, {"user": {"id": "u1"}})
    code, out, err = _run(capsys, *argv)
    assert (code, err) == (0, "")
    assert json.loads(out) == {"user": {"id": "u1"}}
    seen = env.last
    assert (seen.method, seen.path, seen.query) == (verb, path, query)
    if body and body[0] == "form":
        assert seen.form == body[1]
    if body and body[0] == "json":
        assert seen.json == body[1]
    assert seen.signature_valid("cs", "ats")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["api", "GET", "hr/v2/teams", "novalue"], "odesk: 'novalue': parameters are written key=value"),
        (["api", "GET", "hr/v2/teams", "=x"], "odesk: '=x': the parameter name is empty"),
        (["api", "PUT", "hr/v2/teams", "a:={bad"], "odesk: 'a:={bad': the value after ':=' is not JSON"),
    ],
)
def test_api_bad_parameters(argv, message, env: Recorder, capsys) -> None:
    _logged_in()
    code, out, err = _run(capsys, *argv)
    assert (code, err.strip()) == (2, message)
    assert env.seen == []


# -- report ------------------------------------------------------------------------------------

REPORT_CASES = [
    (
        ["report", "time", "--company", "c1"],
        "/gds/timereports/v1/companies/c1",
        "SELECT worked_on, team_id, team_name, task, memo, hours",
    ),
    # a team report has no team columns, so its default query leaves them out
    (
        ["report", "time", "--company", "c1", "--team", "t1"],
        "/gds/timereports/v1/companies/c1/teams/t1",
        "SELECT worked_on, task, memo, hours",
    ),
    (
        ["report", "time", "--company", "c1", "--team", "t1", "--hours", "--tq", "SELECT hours"],
        "/gds/timereports/v1/companies/c1/teams/t1/hours",
        "SELECT hours",
    ),
    (
        ["report", "time", "--company", "c1", "--agency", "a1", "--tq", "SELECT hours"],
        "/gds/timereports/v1/companies/c1/agencies/a1",
        "SELECT hours",
    ),
    (
        ["report", "time", "--provider", "p1", "--tq", "SELECT hours"],
        "/gds/timereports/v1/providers/p1",
        "SELECT hours",
    ),
    (
        ["report", "fin", "billings", "--provider", "p1", "--tq", "SELECT amount"],
        "/gds/finreports/v2/providers/p1/billings",
        "SELECT amount",
    ),
    (
        ["report", "fin", "earnings", "--buyer-team", "b1", "--tq", "SELECT amount"],
        "/gds/finreports/v2/buyer_teams/b1/earnings",
        "SELECT amount",
    ),
    (
        ["report", "fin", "billings", "--buyer-company", "b1", "--tq", "SELECT amount"],
        "/gds/finreports/v2/buyer_companies/b1/billings",
        "SELECT amount",
    ),
    (
        ["report", "fin", "earnings", "--provider-team", "t1", "--tq", "SELECT amount"],
        "/gds/finreports/v2/provider_teams/t1/earnings",
        "SELECT amount",
    ),
    (
        ["report", "fin", "earnings", "--provider-company", "c1", "--tq", "SELECT amount"],
        "/gds/finreports/v2/provider_companies/c1/earnings",
        "SELECT amount",
    ),
    (
        ["report", "fin", "accounts", "--accounting-id", "a1", "--tq", "SELECT amount"],
        "/gds/finreports/v2/financial_accounts/a1",
        "SELECT amount",
    ),
    (
        ["report", "fin", "accounts", "--owner", "p1"],
        "/gds/finreports/v2/financial_account_owner/p1",
        "SELECT reference, date, buyer_company__id, buyer_company_name, buyer_team__id, buyer_team_name, "
        "provider_company__id, provider_company_name, provider_team__id, provider_team_name, provider__id, "
        "provider_name, type, subtype, amount",
    ),
]


@pytest.mark.parametrize(("argv", "path", "tq"), REPORT_CASES)
def test_report_routes(argv, path, tq, env: Recorder, capsys) -> None:
    _logged_in()
    env.reply(200, GDS_ANSWER)
    code, out, err = _run(capsys, *argv, "--format", "csv")
    assert (code, err) == (0, "")
    assert out == 'worked_on,team_name,hours\n20140506,Dev,2.5\n20140507,"Design, UX",10\n'
    assert (env.last.path, env.last.query) == (path, {"tq": tq})


FORMAT_CASES = [
    (
        "table",
        "worked_on  team_name   hours\n"
        "---------  ----------  -----\n"
        "20140506   Dev           2.5\n"
        "20140507   Design, UX     10\n",
    ),
    ("json", json.dumps(GDS_ANSWER, indent=2, sort_keys=True) + "\n"),
]


@pytest.mark.parametrize(("fmt", "expected"), FORMAT_CASES)
def test_report_formats(fmt, expected, env: Recorder, capsys) -> None:
    _logged_in()
    env.reply(200, GDS_ANSWER)
    # the global option may also come before the command
    code, out, _ = _run(capsys, "--format", fmt, "report", "time", "--company", "c1")
    assert (code, out) == (0, expected)


def test_report_without_rows_in_a_table(env: Recorder, capsys) -> None:
    _logged_in()
    env.reply(200, {"table": {"cols": [{"label": "hours"}], "rows": [""]}})
    code, out, _ = _run(capsys, "report", "time", "--company", "c1", "--format", "table")
    assert (code, out) == (0, "hours\n-----\n(no rows)\n")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["report", "time"], "odesk: report time needs --company (with --team or --agency) or --provider"),
        (
            ["report", "time", "--team", "t1"],
            "odesk: report time needs --company (with --team or --agency) or --provider",
        ),
        (["report", "time", "--company", "c", "--provider", "p"], "odesk: --provider reports need no --company"),
    ],
)
def test_report_usage_errors(argv, message, env: Recorder, capsys) -> None:
    _logged_in()
    code, _, err = _run(capsys, *argv)
    assert (code, err.strip()) == (2, message)
    assert env.seen == []


def test_argparse_errors_exit_2(env: Recorder, capsys) -> None:
    code, _, err = _run(capsys, "report", "fin", "billings", "--provider", "p", "--buyer-team", "b")
    assert code == 2 and "not allowed with argument" in err
    code, _, err = _run(capsys, "api", "PATCH", "/x")
    assert code == 2 and "invalid choice" in err


# -- whoami and output of nested answers -------------------------------------------------------

INFO = {"auth_user": {"uid": "bob", "first_name": "Bob"}, "info": {"ref": "1", "roles": ["a", "b"]}}


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        (
            "table",
            "key                   value\n"
            "--------------------  -----\n"
            "auth_user.uid         bob\n"
            "auth_user.first_name  Bob\n"
            "info.ref              1\n"
            "info.roles            a, b\n",
        ),
        ("csv", 'key,value\nauth_user.uid,bob\nauth_user.first_name,Bob\ninfo.ref,1\ninfo.roles,"a, b"\n'),
    ],
)
def test_whoami(fmt, expected, env: Recorder, capsys) -> None:
    _logged_in()
    env.reply(200, INFO)
    code, out, _ = _run(capsys, "whoami", "--format", fmt)
    assert code == 0
    assert env.last.path == "/api/auth/v1/info.json"
    assert out == expected


def test_list_of_records_as_table(env: Recorder, capsys) -> None:
    _logged_in()
    env.reply(200, [{"id": 1, "name": "a"}, {"id": 22, "team": {"x": 1}}])
    code, out, _ = _run(capsys, "api", "GET", "hr/v2/teams", "--format", "csv")
    assert (code, out) == (0, "id,name,team.x\n1,a,\n22,,1\n")


# -- errors --------------------------------------------------------------------------------------


def test_server_error_is_one_line(env: Recorder, capsys) -> None:
    _logged_in()
    env.reply(404, headers={"X-Odesk-Error-Code": "404", "X-Odesk-Error-Message": "Team not found"})
    code, out, err = _run(capsys, "api", "GET", "hr/v2/teams/zz")
    assert (code, out, err) == (1, "", "odesk: error: HTTP 404: 404: Team not found\n")


def test_invalid_json_is_reported(env: Recorder, capsys) -> None:
    _logged_in()
    env.reply(200, content=b"<html>")
    code, _, err = _run(capsys, "whoami")
    assert code == 1 and err.startswith("odesk: error: The response from http://odesk.test/api/auth/v1/info.json")


def test_unreachable_server(env: Recorder, capsys) -> None:
    _logged_in()
    env.replies.append(httpx.ConnectError("Connection refused"))
    code, _, err = _run(capsys, "whoami")
    assert (code, err) == (1, "odesk: cannot reach the server: ConnectError: Connection refused\n")


def test_not_logged_in(env: Recorder, capsys) -> None:
    code, _, err = _run(capsys, "whoami")
    assert (code, err) == (2, "odesk: not logged in: run `odesk login` first\n")


def test_damaged_credentials(env: Recorder, capsys) -> None:
    path = config_dir() / "credentials.json"
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    code, _, err = _run(capsys, "whoami")
    assert code == 2 and err.startswith(f"odesk: {path} is not valid JSON")
    path.write_text('{"consumer_key": "k"}')
    code, _, err = _run(capsys, "whoami")
    assert (code, err) == (2, f"odesk: {path} lacks the field 'consumer_secret'; run `odesk login` again\n")


@pytest.mark.parametrize(
    ("stored", "env_url", "option", "expected"),
    [
        ("http://stored", None, None, "http://stored"),
        ("http://stored", "http://env:1/", None, "http://env:1"),
        ("http://stored", "http://env:1", "http://option/", "http://option"),
        (None, None, None, "https://www.odesk.com"),
    ],
)
def test_base_url_precedence(stored, env_url, option, expected, env: Recorder, capsys, monkeypatch) -> None:
    _logged_in(stored)
    if env_url:
        monkeypatch.setenv("PYTHON_ODESK_BASE_URL", env_url)
    argv = ["whoami"] + (["--base-url", option] if option else [])
    assert _run(capsys, *argv)[0] == 0
    assert str(env.last.request.url) == f"{expected}/api/auth/v1/info.json"


# -- login ------------------------------------------------------------------------------------------


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _token_replies(recorder: Recorder) -> None:
    recorder.replies.append(httpx.Response(200, content=b"oauth_token=rt&oauth_token_secret=rts"))
    recorder.replies.append(httpx.Response(200, content=b"oauth_token=at&oauth_token_secret=ats"))


def test_login_with_local_callback(env: Recorder, capsys, monkeypatch) -> None:
    _token_replies(env)
    opened: list[str] = []

    def browser(url: str) -> bool:
        # plays the user approving on the authorize page, which redirects to the callback
        opened.append(url)
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
        callback = query["oauth_callback"]
        answer = httpx.get(f"{callback}?oauth_token={query['oauth_token']}&oauth_verifier=v123")
        assert answer.status_code == 200 and b"authorized" in answer.content
        return True

    monkeypatch.setattr(cli.webbrowser, "open", browser)
    code, out, err = _run(
        capsys, "login", "--consumer-key", "ck", "--consumer-secret", "cs", "--base-url", "http://self.hosted"
    )
    assert (code, err) == (0, "")
    assert opened and opened[0].startswith("http://self.hosted/services/api/auth?oauth_token=rt&oauth_callback=http")
    assert opened[0] in out
    access = env.last
    assert access.path == "/api/auth/v1/oauth/token/access" and access.oauth["oauth_verifier"] == "v123"
    assert access.signature_valid("cs", "rts")
    path = config_dir() / "credentials.json"
    assert f"Credentials saved to {path}" in out
    assert _mode(path) == 0o600 and _mode(path.parent) == 0o700
    assert json.loads(path.read_text()) == {
        "consumer_key": "ck",
        "consumer_secret": "cs",
        "access_token": "at",
        "access_token_secret": "ats",
        "base_url": "http://self.hosted",
    }


def test_login_callback_timeout(env: Recorder, capsys, monkeypatch) -> None:
    _token_replies(env)
    monkeypatch.setenv("ODESK_CONSUMER_KEY", "ck")
    monkeypatch.setenv("ODESK_CONSUMER_SECRET", "cs")
    code, out, err = _run(capsys, "login", "--no-browser", "--timeout", "0.2")
    assert (code, err) == (1, "odesk: no answer from the browser within 0.2 seconds\n")
    assert "Open this URL" in out
    assert not (config_dir() / "credentials.json").exists()


def test_login_rejects_a_foreign_token(env: Recorder, capsys, monkeypatch) -> None:
    _token_replies(env)

    def browser(url: str) -> bool:
        callback = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))["oauth_callback"]
        httpx.get(f"{callback}?oauth_token=other&oauth_verifier=v")
        return True

    monkeypatch.setattr(cli.webbrowser, "open", browser)
    code, _, err = _run(capsys, "login", "--consumer-key", "ck", "--consumer-secret", "cs")
    assert (code, err) == (1, "odesk: the callback carried another request token; try again\n")


def test_login_out_of_band_in_two_steps(env: Recorder, capsys, monkeypatch) -> None:
    _token_replies(env)
    monkeypatch.setattr(cli.webbrowser, "open", lambda url: False)
    code, out, err = _run(capsys, "login", "--oob", "--consumer-key", "ck", "--consumer-secret", "cs")
    assert (code, err) == (0, "")
    assert f"{'https://www.odesk.com'}/services/api/auth?oauth_token=rt\n" in out
    assert "odesk login --verifier VERIFIER" in out
    pending = config_dir() / "pending-login.json"
    assert _mode(pending) == 0o600

    code, out, err = _run(capsys, "login", "--verifier", "v9")
    assert (code, err) == (0, "")
    assert env.last.oauth["oauth_verifier"] == "v9" and env.last.signature_valid("cs", "rts")
    assert not pending.exists()
    credentials = config_dir() / "credentials.json"
    assert _mode(credentials) == 0o600
    assert json.loads(credentials.read_text())["access_token"] == "at"


def test_login_verifier_without_pending(env: Recorder, capsys) -> None:
    code, _, err = _run(capsys, "login", "--verifier", "v")
    assert (code, err) == (2, "odesk: no login is waiting for a verifier: run `odesk login --oob` first\n")


class _EndedTerminal(io.StringIO):
    """A terminal on which the user pressed Ctrl-D: a TTY with nothing more to read."""

    def isatty(self) -> bool:
        return True


def _closed_file() -> io.StringIO:
    stdin = io.StringIO()
    stdin.close()
    return stdin


def _ended_getpass(prompt: str = "Password: ", stream=None) -> str:
    # getpass reads /dev/tty, not sys.stdin: Ctrl-D there ends its input the same way
    raise EOFError


ENDED = "the input ended before one was typed; pass it as an option"

# (stdin, arguments after ``login``, exit code, stderr)
LOGIN_WITHOUT_INPUT = [
    pytest.param(None, [], 2, "odesk: missing consumer key: pass it as an option\n", id="stdin-closed-by-the-shell"),
    pytest.param(_closed_file, [], 2, "odesk: missing consumer key: pass it as an option\n", id="stdin-file-closed"),
    pytest.param(io.StringIO, [], 2, "odesk: missing consumer key: pass it as an option\n", id="stdin-not-a-terminal"),
    # at a prompt the error starts on a new line: the prompt's line is ended first
    pytest.param(_EndedTerminal, [], 2, f"\nodesk: missing consumer key: {ENDED}\n", id="terminal-ended-at-key"),
    pytest.param(
        _EndedTerminal,
        ["--consumer-key", "ck"],
        2,
        f"\nodesk: missing consumer secret: {ENDED}\n",
        id="terminal-ended-at-secret",
    ),
    pytest.param(
        _EndedTerminal,
        ["--oob", "--consumer-key", "ck", "--consumer-secret", "cs"],
        2,
        "\nodesk: no verifier given; finish later with `odesk login --verifier V`\n",
        id="terminal-ended-at-verifier",
    ),
]


@pytest.mark.parametrize(("stdin", "args", "code", "message"), LOGIN_WITHOUT_INPUT)
def test_login_without_input_is_one_line(stdin, args, code, message, env: Recorder, capsys, monkeypatch) -> None:
    _token_replies(env)
    monkeypatch.setattr("sys.stdin", stdin() if stdin else None)
    monkeypatch.setattr(cli.getpass, "getpass", _ended_getpass)
    monkeypatch.setattr(cli.webbrowser, "open", lambda url: False)
    got, _out, err = _run(capsys, "login", *args)
    assert (got, err) == (code, message)


def test_login_refused_by_server(env: Recorder, capsys) -> None:
    env.reply(401, content=b"oauth_problem=consumer_key_unknown")
    code, _, err = _run(capsys, "login", "--consumer-key", "bad", "--consumer-secret", "x", "--no-browser")
    assert code == 1
    assert err == "odesk: error: Invalid request token response: HTTP 401: oauth_problem=consumer_key_unknown\n"


def test_credentials_file_stays_private_when_rewritten(env: Recorder, tmp_path) -> None:
    path = save_credentials(StoredCredentials("a", "b", "c", "d"))
    os.chmod(path, 0o644)
    old_umask = os.umask(0)
    try:
        save_credentials(StoredCredentials("a", "b", "c", "e"))
    finally:
        os.umask(old_umask)
    assert _mode(path) == 0o600


def test_main_without_arguments_is_usage_error(capsys) -> None:
    code = cli.main([])
    assert code == 2 and "required: COMMAND" in capsys.readouterr().err


def test_login_callback_port_in_use(env: Recorder, capsys) -> None:
    import socket

    _token_replies(env)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, _, err = _run(
            capsys, "login", "--consumer-key", "ck", "--consumer-secret", "cs", "--port", str(port), "--no-browser"
        )
    assert (code, err) == (
        1,
        f"odesk: cannot listen on 127.0.0.1:{port} for the OAuth callback: Address already in use\n",
    )
    assert env.seen == []  # no request token wasted
