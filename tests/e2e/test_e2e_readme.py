"""The README's promise: on a fresh clone, after ``./scripts/run``, its examples run as written.

The examples are read from README.md itself and run as real subprocesses in a
directory laid out like the repository (``.venv`` and ``demo-credentials.json``),
pointed at the server only by ``PYTHON_ODESK_BASE_URL``, with a PATH that does
not hold the venv until the README's activation line puts it there.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest

from tests.e2e.e2e_support import COMMAND_TIMEOUT, VENV_BIN, Server, submit_authorize_page

README = Path(__file__).resolve().parents[2] / "README.md"
README_PORT_URL = "http://127.0.0.1:8000"  # the README's URL; the reader puts his ODESK_PORT in it
SINCE = "2025-01-01"  # the date in README.md's examples; the demo ends today


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README.read_text(), re.S)


def _shell_lines() -> list[str]:
    """The README's shell lines after ``./scripts/run`` (running and testing the repository aside)."""
    lines = [line for block in _blocks("sh") for line in block.splitlines() if line.strip()]
    return [line for line in lines if not line.startswith("./scripts/")]


@pytest.fixture
def checkout(server: Server, tmp_path: Path) -> Path:
    """A directory standing for the repository after ``./scripts/run``: its ``.venv`` and ``demo-credentials.json``."""
    (tmp_path / ".venv").symlink_to(VENV_BIN.parent, target_is_directory=True)
    (tmp_path / "demo-credentials.json").write_text(json.dumps(server.credentials))
    return tmp_path


@pytest.fixture
def shell_env(server: Server, checkout: Path) -> dict[str, str]:
    """The environment of a fresh terminal: no venv on PATH, no base URL, a private odesk config dir."""
    path = [
        entry
        for entry in os.environ.get("PATH", "").split(os.pathsep)
        if entry and Path(entry).resolve() != VENV_BIN.resolve()
    ]
    return {**server.env, "PATH": os.pathsep.join(path), "ODESK_CONFIG_DIR": str(checkout / "config")}


def _shell(server: Server, lines: list[str], checkout: Path, env: dict[str, str], **popen) -> subprocess.Popen[str]:
    script = "set -e\n" + "\n".join(line.replace(README_PORT_URL, server.base_url) for line in lines) + "\n"
    return subprocess.Popen(
        ["bash", "-c", script],
        cwd=checkout,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **popen,
    )


def _run_python(server: Server, source: str, *, base_url: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**server.env, "PYTHON_ODESK_BASE_URL": base_url or server.base_url}
    return subprocess.run(
        [sys.executable, "-c", source], capture_output=True, text=True, timeout=COMMAND_TIMEOUT, env=env
    )


def _owner_values(server: Server) -> dict[str, str]:
    owner = server.role("owner")
    return {
        "key": server.consumer_key,
        "secret": server.consumer_secret,
        "token": owner.token,
        "token_secret": owner.token_secret,
    }


def test_readme_names_the_venv_and_the_port_settings() -> None:
    text = README.read_text()
    assert ". .venv/bin/activate" in text and ".venv/bin/python" in text and ".venv/bin/odesk" in text
    assert "ODESK_PORT=" in text and "ODESK_HOST" in text
    run = (README.parent / "scripts" / "run").read_text()
    assert "ODESK_PORT" in run and "ODESK_HOST" in run


# What ./scripts/run writes at the root of the repository: the SQLite file (with its
# write-ahead log and shared memory while the server runs) and the demo's credentials.
RUN_OUTPUTS = ["odesk.db", "odesk.db-wal", "odesk.db-shm", "demo-credentials.json"]


@pytest.mark.parametrize("name", RUN_OUTPUTS)
def test_what_scripts_run_writes_stays_out_of_git(name: str) -> None:
    root = README.parent
    inside = subprocess.run(["git", "rev-parse", "--is-inside-work-tree"], cwd=root, capture_output=True, text=True)
    if inside.returncode != 0:
        pytest.skip("not a git checkout")
    ignored = subprocess.run(["git", "check-ignore", "--no-index", "-q", name], cwd=root)
    assert ignored.returncode == 0, f"{name} is not ignored by .gitignore"


def test_readme_python_runs_as_written(server: Server, checkout: Path, shell_env: dict[str, str]) -> None:
    (script,) = _blocks("python")
    (checkout / "report.py").write_text(script)
    setup = [line for line in _shell_lines() if not line.startswith("odesk ")]
    proc = _shell(server, [*setup, "python report.py"], checkout, shell_env)
    out, err = proc.communicate(timeout=COMMAND_TIMEOUT)
    assert proc.returncode == 0, err
    rows = [ast.literal_eval(line) for line in out.splitlines()]
    assert rows, out
    assert all(set(row) == {"worked_on", "provider_id", "hours"} for row in rows)
    assert all(row["worked_on"] >= SINCE.replace("-", "") for row in rows)
    assert server.role("provider").uid in {row["provider_id"] for row in rows}


def test_readme_shell_session_runs_as_written(server: Server, checkout: Path, shell_env: dict[str, str]) -> None:
    """Activate, export, the ``odesk login`` line the demo printed (as mhale in the browser), the report."""
    setup = [line for line in _shell_lines() if not line.startswith("odesk ")]
    commands = [line for line in _shell_lines() if line.startswith("odesk ")]
    (login,) = [line.strip() for line in server.demo_stdout.splitlines() if line.strip().startswith("odesk login")]
    owner = server.role("owner").uid
    assert f"as `{owner}` with the password `{server.password}`" in " ".join(README.read_text().split())

    proc = _shell(server, [*setup, login + " --no-browser"], checkout, shell_env)
    try:
        url = next(line.strip() for line in proc.stdout if line.strip().startswith("http"))
        approval = submit_authorize_page(url, owner, server.password)
        assert approval.status == 303, approval.body
        httpx.get(approval.location, timeout=30)  # the browser follows the redirect to the login's callback
        _out, err = proc.communicate(timeout=COMMAND_TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err

    proc = _shell(server, [*setup, *commands], checkout, shell_env)
    out, err = proc.communicate(timeout=COMMAND_TIMEOUT)
    assert proc.returncode == 0, err
    report = json.loads(out)  # not a terminal: JSON
    assert report["auth_user"]["uid"] == owner
    assert [col["label"] for col in report["table"]["cols"]] == ["provider_id", "hours"]
    assert server.role("provider").uid in {row["c"][0]["v"] for row in report["table"]["rows"]}


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
    env = {
        **server.env,
        "PYTHON_ODESK_BASE_URL": server.base_url,
        "PYTHON_ODESK_DEBUG": "1",
        "PYTHON_ODESK_DEBUG_FILE": str(log),
    }
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=COMMAND_TIMEOUT, env=env
    )
    assert result.returncode == 0, result.stderr
    text = log.read_text()
    assert f"{server.base_url}/api/hr/v2/users/me.json" in text
    assert "No company with reference or id 'nosuch:company'" in text
    assert values["secret"] not in text and values["token_secret"] not in text


def test_the_pages_the_readme_names_answer(server: Server) -> None:
    """ "Once it runs, open ...": the landing page, the API reference, the OpenAPI document, the health checks."""
    text = README.read_text()
    paragraph = text[text.index("Once it runs") :].split("\n\n", 1)[0]
    paths = ["/"] + re.findall(r"`(/[a-z.]+)`", paragraph)
    assert set(paths) >= {"/", "/docs", "/openapi.json", "/healthz", "/readyz"}, paragraph
    for path in paths:
        response = httpx.get(server.base_url + path, timeout=COMMAND_TIMEOUT)
        assert response.status_code == 200, (path, response.text[:200])
    document = httpx.get(server.base_url + "/openapi.json", timeout=COMMAND_TIMEOUT).json()
    reference = httpx.get(server.base_url + "/docs", timeout=COMMAND_TIMEOUT).text
    assert "/api/hr/v2/teams/{ref}" in document["paths"] and "get_team" in reference
