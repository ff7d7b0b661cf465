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

import datetime as dt
import json
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
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

KINDS = ("sqlite", "postgresql")


@dataclass(frozen=True)
class _Demo:
    database_url: str
    credentials: dict
    stdout: str
    password: str


class DemoServers:
    """The demo server of each database kind, started on first use and stopped at the end.

    Both demos are loaded together, on the same UTC day (their data follow from
    the seed and that day), so the two servers hold the same rows and their
    answers can be compared.
    """

    def __init__(self, database_factory, tmp_path_factory: pytest.TempPathFactory) -> None:
        self._factory = database_factory
        self._tmp = tmp_path_factory
        self._env = clean_env()
        self._demos: dict[str, _Demo] | None = None
        self._servers: dict[str, Server] = {}
        self._procs: list[subprocess.Popen] = []

    def _load_demo(self, kind: str, *demo_args: str) -> _Demo:
        database_url = self._factory.new_url(kind)
        creds_path = self._tmp.mktemp(f"demo-{kind}") / "credentials.json"
        demo = subprocess.run(
            [ODESK_SERVER, "demo", "--credentials-json", str(creds_path), *demo_args],
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            env={**self._env, "ODESK_DATABASE_URL": database_url},
        )
        assert demo.returncode == 0, f"odesk-server demo failed ({demo.returncode}):\n{demo.stderr}"
        password = PASSWORD_IN_DEMO_OUTPUT.search(demo.stdout)
        assert password, f"the demo output names no password:\n{demo.stdout}"
        return _Demo(database_url, json.loads(creds_path.read_text()), demo.stdout, password.group(1))

    def _load_demos(self) -> dict[str, _Demo]:
        for _ in range(3):
            day = dt.datetime.now(dt.UTC).date()
            demos = {kind: self._load_demo(kind) for kind in KINDS}
            if dt.datetime.now(dt.UTC).date() == day:  # midnight did not pass in between
                return demos
        raise RuntimeError("could not load both demos on the same UTC day")

    def _serve(self, kind: str, demo: _Demo, label: str) -> Server:
        """``odesk-server serve`` on ``demo``'s database, answering HTTP (stopped by ``stop``)."""
        log = self._tmp.mktemp(f"{label}-{kind}") / "serve.stderr"
        proc, base_url, stderr_path = start_serve(demo.database_url, self._env, log)
        self._procs.append(proc)
        return Server(
            kind=kind,
            base_url=base_url,
            database_url=demo.database_url,
            credentials=demo.credentials,
            demo_stdout=demo.stdout,
            password=demo.password,
            stderr_path=stderr_path,
            env=self._env,
        )

    def start_own(self, kind: str, *demo_args: str) -> Server:
        """A new server of ``kind`` on a database of its own with a fresh demo (stopped by ``stop``).

        ``demo_args`` go to ``odesk-server demo`` (``--end-date 2026-06-30``: a demo of a fixed day).
        """
        return self._serve(kind, self._load_demo(kind, *demo_args), "serve-own")

    def get(self, kind: str) -> Server:
        """The running server of ``kind`` (demo loaded, answering HTTP)."""
        if kind not in self._servers:
            if self._demos is None:
                self._demos = self._load_demos()
            self._servers[kind] = self._serve(kind, self._demos[kind], "serve")
        return self._servers[kind]

    def stop(self) -> None:
        for proc in self._procs:
            stop_process_group(proc)


@pytest.fixture(scope="session")
def servers(database_factory, tmp_path_factory) -> Iterator[DemoServers]:
    """Both demo servers (for tests comparing SQLite and PostgreSQL answers)."""
    registry = DemoServers(database_factory, tmp_path_factory)
    try:
        yield registry
    finally:
        registry.stop()


@pytest.fixture(scope="session", params=KINDS)
def server(request: pytest.FixtureRequest, servers: DemoServers) -> Server:
    """The demo server of one database kind (session-wide, shared, read-mostly)."""
    return servers.get(request.param)


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
        args = getattr(item, "funcargs", {})
        srv = args.get("server") or args.get("writable_server") or args.get("dated_server")
        if isinstance(srv, Server):
            text = srv.stderr_text()
            report.sections.append((f"odesk-server serve stderr ({srv.kind}, last 6000 chars)", text[-6000:]))


@pytest.fixture(scope="module", params=KINDS)
def writable_server(request: pytest.FixtureRequest, database_factory, tmp_path_factory) -> Iterator[Server]:
    """A server of one database kind for one test module that writes (posts jobs, pays milestones...).

    Its own database and fresh demo, so what the module changes never reaches
    the shared ``server`` whose data other tests compare against the demo.
    """
    registry = DemoServers(database_factory, tmp_path_factory)
    try:
        yield registry.start_own(request.param)
    finally:
        registry.stop()


# The day the dated demo ends (a Tuesday): its week is not invoiced, the week before is.
DATED_DEMO_END = dt.date(2026, 6, 30)


@pytest.fixture(scope="module", params=KINDS)
def dated_server(request: pytest.FixtureRequest, database_factory, tmp_path_factory) -> Iterator[Server]:
    """Like ``writable_server``, on a demo that ends on ``DATED_DEMO_END`` whatever today is.

    Its data do not depend on the day the tests run: a module that needs a
    given weekday, or a full day of work diary, uses it.
    """
    registry = DemoServers(database_factory, tmp_path_factory)
    try:
        yield registry.start_own(request.param, "--end-date", DATED_DEMO_END.isoformat())
    finally:
        registry.stop()
