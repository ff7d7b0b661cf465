"""End-to-end fixtures: the real ``odesk-server`` process, filled by its own demo command.

For each database kind (SQLite, PostgreSQL) the session fixture ``server``
creates a fresh database, runs ``odesk-server demo --credentials-json FILE``
as a subprocess, then ``odesk-server serve`` on a free loopback port, waits
until it answers HTTP, and stops its whole process group at the end of the
session. Every test asking for ``server`` (or a fixture built on it) runs once
per kind. The server's stderr is attached to the report of every failing test
that used it, so a 500 comes with its traceback. Helpers: ``e2e_support``.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tests.e2e.e2e_support import (
    COMMAND_TIMEOUT,
    ODESK,
    ODESK_SERVER,
    PASSWORD_IN_DEMO_OUTPUT,
    Server,
    clean_env,
    start_serve,
    stop_process_group,
)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, database_factory, tmp_path_factory) -> Iterator[Server]:
    """The demo server of one database kind (session-wide, shared, read-mostly)."""
    kind = request.param
    work = tmp_path_factory.mktemp(f"e2e-{kind}")
    database_url = database_factory.new_url(kind)
    env = clean_env()
    creds_path = work / "credentials.json"
    demo = subprocess.run(
        [ODESK_SERVER, "demo", "--credentials-json", str(creds_path)],
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        env={**env, "ODESK_DATABASE_URL": database_url},
    )
    assert demo.returncode == 0, f"odesk-server demo failed ({demo.returncode}):\n{demo.stderr}"
    password = PASSWORD_IN_DEMO_OUTPUT.search(demo.stdout)
    assert password, f"the demo output names no password:\n{demo.stdout}"
    proc, base_url, stderr_path = start_serve(database_url, env, work / "serve.stderr")
    try:
        yield Server(
            kind=kind,
            base_url=base_url,
            database_url=database_url,
            credentials=json.loads(creds_path.read_text()),
            demo_stdout=demo.stdout,
            password=password.group(1),
            stderr_path=stderr_path,
            env=env,
        )
    finally:
        stop_process_group(proc)


@pytest.fixture
def cli_env(server: Server, tmp_path: Path) -> dict[str, str]:
    """Environment for an ``odesk`` subprocess: the server in PYTHON_ODESK_BASE_URL, a private config dir."""
    return {
        **server.env,
        "PYTHON_ODESK_BASE_URL": server.base_url,
        "ODESK_CONFIG_DIR": str(tmp_path / "odesk-config"),
    }


@pytest.fixture
def run_odesk(cli_env: dict[str, str]) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the installed ``odesk`` command with ``cli_env``; returns the completed process."""

    def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [ODESK, *args], capture_output=True, text=True, timeout=COMMAND_TIMEOUT, env=env or cli_env
        )

    return run


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        srv = getattr(item, "funcargs", {}).get("server")
        if isinstance(srv, Server):
            text = srv.stderr_text()
            report.sections.append((f"odesk-server serve stderr ({srv.kind}, last 6000 chars)", text[-6000:]))

