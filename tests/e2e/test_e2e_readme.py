"""The README's promise: a three-line script pulls a time report from the demo server.

The script runs as a real ``python`` subprocess, pointed at the server only by
``PYTHON_ODESK_BASE_URL``, with the key, secret and token the demo printed.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import textwrap

import pytest

from tests.e2e.e2e_support import COMMAND_TIMEOUT, Server

# The script for README.md: replace the four values with what `odesk-server demo` printed
# (the consumer and the owner's token).
README_SCRIPT = """\
import odesk
client = odesk.Client("{key}", "{secret}", oauth_access_token="{token}", oauth_access_token_secret="{token_secret}")
for row in odesk.utils.Table(client.timereport.get_team_report("acme", "engineering", odesk.utils.Query(["worked_on", "provider_id", "sum(hours)"], odesk.utils.Q("worked_on") >= "{since}"))["table"]): print(row)
"""


def _run_python(server: Server, source: str, *, base_url: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**server.env, "PYTHON_ODESK_BASE_URL": base_url or server.base_url}
    return subprocess.run(
        [sys.executable, "-c", source], capture_output=True, text=True, timeout=COMMAND_TIMEOUT, env=env
    )


def _owner_values(server: Server) -> dict[str, str]:
    owner = server.role("owner")
    return {"key": server.consumer_key, "secret": server.consumer_secret, "token": owner.token,
            "token_secret": owner.token_secret}


@pytest.mark.parametrize("since", ["2025-01-01"])  # the date shown in README.md; the demo ends today
def test_three_line_script_prints_rows(server: Server, since: str) -> None:
    script = README_SCRIPT.format(**_owner_values(server), since=since)
    assert len(script.strip().splitlines()) == 3
    result = _run_python(server, script)
    assert result.returncode == 0, result.stderr
    rows = [ast.literal_eval(line) for line in result.stdout.splitlines()]
    assert rows, result.stdout
    assert all(set(row) == {"worked_on", "provider_id", "hours"} for row in rows)
    assert all(row["worked_on"] >= since.replace("-", "") for row in rows)
    assert server.role("provider").uid in {row["provider_id"] for row in rows}


def test_the_demo_printed_example_runs(server: Server) -> None:
    """The copy-paste example ``odesk-server demo`` prints works as printed (with the base URL exported)."""
    text = server.demo_stdout
    match = re.search(r"python - <<'EOF'\n(.*?)\n\s*EOF", text, re.S)
    assert match, text
    script = textwrap.dedent(match.group(1))
    result = _run_python(server, script)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    me = ast.literal_eval(lines[0])
    assert me["id"] == server.role("owner").uid
    report = ast.literal_eval(lines[1])
    assert [col["label"] for col in report["table"]["cols"]] == ["worked_on", "provider_id", "hours"]
    assert report["table"]["rows"]


def test_base_url_comes_from_the_environment(server: Server) -> None:
    """Without PYTHON_ODESK_BASE_URL the client calls www.odesk.com; with it, our server."""
    values = _owner_values(server)
    script = (
        "import odesk\n"
        f"client = odesk.Client({values['key']!r}, {values['secret']!r}, {values['token']!r}, {values['token_secret']!r})\n"
        "print(client.base_url)\n"
        "print(client.hr.get_user_me()['id'])\n"
    )
    result = _run_python(server, script)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [server.base_url, server.role("owner").uid]
    # a trailing slash in the variable is tolerated
    result = _run_python(server, script, base_url=server.base_url + "/")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1] == server.role("owner").uid


def test_debug_log_names_the_calls_but_no_secret(server: Server, tmp_path) -> None:
    """PYTHON_ODESK_DEBUG + PYTHON_ODESK_DEBUG_FILE (with the logger lowered, as api-surface.md says)."""
    values = _owner_values(server)
    log = tmp_path / "odesk-debug.log"
    script = (
        "import logging, odesk\n"
        "logging.getLogger('python-odesk').setLevel(logging.DEBUG)\n"
        f"client = odesk.Client({values['key']!r}, {values['secret']!r}, {values['token']!r}, {values['token_secret']!r})\n"
        "client.hr.get_user_me()\n"
        "try:\n    client.hr.get_company('nosuch:company')\nexcept odesk.exceptions.HTTP404NotFoundError:\n    pass\n"
    )
    env = {**server.env, "PYTHON_ODESK_BASE_URL": server.base_url, "PYTHON_ODESK_DEBUG": "1",
           "PYTHON_ODESK_DEBUG_FILE": str(log)}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=COMMAND_TIMEOUT, env=env)
    assert result.returncode == 0, result.stderr
    text = log.read_text()
    assert f"{server.base_url}/api/hr/v2/users/me.json" in text
    assert "No company with reference or id 'nosuch:company'" in text
    assert values["secret"] not in text and values["token_secret"] not in text
