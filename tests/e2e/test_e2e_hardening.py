"""The real server process under faults: a stuck database and SIGTERM, an outage, a killed demo reload.

Each test starts its own ``odesk-server serve`` on its own copy of the demo
(it locks tables, cuts the database off or kills processes), on SQLite and
on PostgreSQL; the outage test runs on PostgreSQL only, the one database
here that is a server which can go away (an unreachable SQLite file is
covered in ``tests/odesk_server/test_availability.py``).
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from odesk_server import demo as demo_module
from tests.db_locks import nonces_locked, wait_for_lock_waiters
from tests.e2e.e2e_support import (
    COMMAND_TIMEOUT,
    ODESK_SERVER,
    Server,
    clean_env,
    start_serve,
    stop_process_group,
)

KINDS = ("sqlite", "postgresql")
ME = "/api/hr/v2/users/me.json"


def _load_demo(database_url: str, tmp_path: Path, env: dict[str, str]) -> dict:
    credentials = tmp_path / "credentials.json"
    result = subprocess.run(
        [ODESK_SERVER, "--database-url", database_url, "demo", "--credentials-json", str(credentials)],
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(credentials.read_text())


@dataclass
class Running:
    proc: subprocess.Popen
    server: Server


def _serve(
    database_url: str, served_url: str, tmp_path: Path, env: dict[str, str], workers: int | None = None
) -> Running:
    """The demo loaded through ``database_url``, served through ``served_url`` (the same database, or a proxy to it)."""
    credentials = _load_demo(database_url, tmp_path, env)
    log = tmp_path / "serve.log"
    proc, base_url, stderr_path = start_serve(served_url, env, log, workers=workers)
    server = Server(
        kind=sa.make_url(database_url).get_backend_name(),
        base_url=base_url,
        database_url=database_url,
        credentials=credentials,
        demo_stdout="",
        password="",
        stderr_path=stderr_path,
        env=env,
    )
    return Running(proc, server)


# --------------------------------------------------------------------------
# SIGTERM ends a worker stuck in a database call


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("kind", KINDS)
def test_sigterm_ends_a_server_whose_requests_are_stuck_in_the_database(database_factory, tmp_path, kind, workers):
    database_url = database_factory.new_url(kind)
    env = {**clean_env(), "ODESK_SHUTDOWN_TIMEOUT": "1"}
    running = _serve(database_url, database_url, tmp_path, env, workers=workers)
    answers: list[object] = []
    try:
        assert running.server.signed_get("owner", ME).status_code == 200
        with nonces_locked(database_url):

            def stuck_request() -> None:
                try:
                    answers.append(running.server.signed_get("owner", ME).status_code)
                except httpx.HTTPError as error:
                    answers.append(type(error).__name__)

            threads = [threading.Thread(target=stuck_request) for _ in range(3)]
            for thread in threads:
                thread.start()
            wait_for_lock_waiters(database_url, count=3)
            os.kill(running.proc.pid, signal.SIGTERM)
            # The lock is still held: the server must end without its requests finishing.
            # (SQLite's busy timeout, 10 s, and PostgreSQL's statement timeout are far beyond this.)
            running.proc.wait(timeout=8)
        for thread in threads:
            thread.join(timeout=30)
    finally:
        stop_process_group(running.proc)
    assert running.proc.returncode is not None
    # The stuck requests were cut off, not answered from a database that never moved.
    assert 200 not in answers, answers


# --------------------------------------------------------------------------
# An outage of PostgreSQL: 503 with Retry-After, bounded logs, recovery


class FaultyLink:
    """A TCP link to PostgreSQL that forwards, refuses (drops every connection) or hangs (accepts, never answers)."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.mode = "forward"
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.mode == "refuse":
                client.close()
                continue
            with self._lock:
                self._sockets.append(client)
            if self.mode == "forward":
                upstream = socket.create_connection(self.target)
                with self._lock:
                    self._sockets.append(upstream)
                threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()
            # "hang": keep the socket open and never read from it

    def _pipe(self, a: socket.socket, b: socket.socket) -> None:
        try:
            while True:
                ready, _, _ = select.select([a, b], [], [], 0.5)
                for source in ready:
                    data = source.recv(65536)
                    if not data:
                        return
                    (b if source is a else a).sendall(data)
        except OSError:
            return
        finally:
            a.close()
            b.close()

    def set_mode(self, mode: str) -> None:
        """``forward``, ``refuse`` or ``hang``; leaving ``forward`` cuts every open connection."""
        self.mode = mode
        if mode != "forward":
            with self._lock:
                sockets, self._sockets = self._sockets, []
            for sock in sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()

    def close(self) -> None:
        self._closed = True
        self.set_mode("refuse")
        self._listener.close()


@pytest.fixture
def link(database_factory) -> Iterator[tuple[FaultyLink, str, str]]:
    """``(link, database URL, the same database through the link)`` on PostgreSQL."""
    database_url = database_factory.new_url("postgresql")
    parsed = sa.make_url(database_url)
    faulty = FaultyLink((parsed.host or "127.0.0.1", parsed.port or 5432))
    through = parsed.set(host="127.0.0.1", port=faulty.port).render_as_string(hide_password=False)
    yield faulty, database_url, through
    faulty.close()


def _burst(server: Server, count: int) -> list[httpx.Response]:
    return [server.signed_get("owner", ME) for _ in range(count)]


def _assert_unavailable(answers: list[httpx.Response]) -> None:
    for answer in answers:
        assert answer.status_code == 503, answer.text
        assert answer.headers["x-odesk-error-code"] == "database_unavailable"
        assert int(answer.headers["retry-after"]) >= 1


@pytest.mark.postgres
def test_a_postgresql_outage_is_answered_503_logged_briefly_and_recovered_from(link, tmp_path):
    faulty, database_url, through = link
    env = {**clean_env(), "ODESK_DB_CONNECT_TIMEOUT": "2"}
    running = _serve(database_url, through, tmp_path, env)
    server = running.server
    try:
        assert [answer.status_code for answer in _burst(server, 5)] == [200] * 5
        log_before = server.stderr_text()

        outage_started = time.monotonic()
        faulty.set_mode("refuse")  # the database went away
        refused = _burst(server, 60)
        _assert_unavailable(refused)
        # What needs no database still works.
        assert httpx.get(server.base_url + ME, timeout=10).status_code == 401

        faulty.set_mode("hang")  # it came back as a port that accepts and never answers
        time.sleep(2.5)  # past the retry window: the next request probes, and waits for connect_timeout
        hung = _burst(server, 20)
        _assert_unavailable(hung)

        outage_seconds = time.monotonic() - outage_started
        outage_log = server.stderr_text()[len(log_before) :]
        # Beside the access log (one line a request), our entries for 80 failed requests:
        # at most one a second per kind of failure (three kinds here), a traceback once per kind.
        entries = [line for line in outage_log.splitlines() if line.startswith(("503 ", "500 "))]
        assert 1 <= len(entries) <= 3 * (outage_seconds + 1), (outage_seconds, outage_log)
        assert outage_log.count("Traceback (most recent call last)") <= 2 * 2, outage_log  # two kinds, chained

        faulty.set_mode("forward")  # back for good
        deadline = time.monotonic() + 30
        status = None
        while time.monotonic() < deadline:
            status = server.signed_get("owner", ME).status_code
            if status == 200:
                break
            time.sleep(0.5)
        assert status == 200, server.stderr_text()[-3000:]
    finally:
        stop_process_group(running.proc)


# --------------------------------------------------------------------------
# demo --reset killed half-way leaves the database as it was


@pytest.mark.parametrize("kind", KINDS)
def test_a_demo_reload_killed_half_way_leaves_the_old_demo(database_factory, tmp_path, kind):
    database_url = database_factory.new_url(kind)
    env = clean_env()
    before = _load_demo(database_url, tmp_path, env)
    reload = subprocess.Popen(
        [ODESK_SERVER, "--database-url", database_url, "demo", "--reset", "--seed", "99"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert reload.stderr is not None
        for line in reload.stderr:
            if "time logs" in line:  # deleting is done and the load is under way
                reload.send_signal(signal.SIGKILL)
                break
        reload.wait(timeout=COMMAND_TIMEOUT)
    finally:
        if reload.poll() is None:
            reload.kill()
    assert reload.returncode == -signal.SIGKILL
    stored = demo_module.stored_demo_credentials(database_url)
    assert stored is not None and stored.to_json() == before
