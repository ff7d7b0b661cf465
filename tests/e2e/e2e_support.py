"""Helpers of the end-to-end suite (fixtures: conftest.py).

- ``Server``: one running ``odesk-server serve`` with the demo loaded: its base
  URL, database URL, the ``--credentials-json`` document, the demo password,
  ``client(role)`` (an ``odesk.Client`` pointed at it with ``base_url=``),
  ``signed_get`` (raw signed GET for non-JSON formats), ``admin(...)`` (the
  ``odesk-server`` command against its database).
- ``start_serve`` / ``stop_process_group``: start a server on a free port and
  wait until it answers; stop its whole process group. ``serve_supports_workers``:
  whether ``serve`` takes ``--workers``.
- ``submit_authorize_page``: act as the user's browser on the authorize page.

Subprocesses get the server through ``PYTHON_ODESK_BASE_URL``, as a user would.
"""

from __future__ import annotations

import html
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

import odesk

VENV_BIN = Path(sys.executable).parent
ODESK_SERVER = str(VENV_BIN / "odesk-server")
ODESK = str(VENV_BIN / "odesk")
STARTUP_TIMEOUT = 60.0
COMMAND_TIMEOUT = 120.0
ROLES = (
    "owner",
    "hiring_manager",
    "finance",
    "agency_owner",
    "staffing_manager",
    "provider",
    "agency_provider",
    "member",
)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Role:
    uid: str
    token: str
    token_secret: str


@dataclass
class Server:
    """A running ``odesk-server serve`` with the demo loaded, and what the demo printed."""

    kind: str
    base_url: str
    database_url: str
    credentials: dict[str, Any]
    demo_stdout: str
    password: str
    stderr_path: Path
    env: dict[str, str] = field(default_factory=dict)
    #: roles added by tests (tokens made with ``odesk-server token create``), beside the demo's
    extra_roles: dict[str, Role] = field(default_factory=dict)

    @property
    def consumer_key(self) -> str:
        return self.credentials["consumer"]["key"]

    @property
    def consumer_secret(self) -> str:
        return self.credentials["consumer"]["secret"]

    def role(self, name: str) -> Role:
        if name in self.extra_roles:
            return self.extra_roles[name]
        data = self.credentials["roles"][name]
        return Role(data["uid"], data["token"], data["token_secret"])

    def team(self, team_id: str) -> dict[str, Any]:
        for team in self.credentials["teams"]:
            if team["id"] == team_id:
                return team
        raise KeyError(team_id)

    def client(self, role: str | None = None, **kwargs: Any) -> odesk.Client:
        """An ``odesk.Client`` for the demo consumer, with ``role``'s access token (None: no token)."""
        if role is None:
            return odesk.Client(self.consumer_key, self.consumer_secret, base_url=self.base_url, **kwargs)
        creds = self.role(role)
        return odesk.Client(
            self.consumer_key, self.consumer_secret, creds.token, creds.token_secret, base_url=self.base_url, **kwargs
        )

    def stderr_text(self) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")
        except OSError:
            return ""

    def admin(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run ``odesk-server --database-url URL ARGS...`` against this server's database."""
        result = subprocess.run(
            [ODESK_SERVER, "--database-url", self.database_url, *args],
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            env=self.env,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"odesk-server {' '.join(args)} exited {result.returncode}\nstdout:\n{result.stdout}\n"
                f"stderr:\n{result.stderr}"
            )
        return result

    def signed_get(self, role: str, path: str, params: dict[str, str] | None = None) -> httpx.Response:
        """A raw GET of ``path`` signed (OAuth header) with ``role``'s token by the client's own signer.

        For answers that are not JSON (csv, xml, html, tsv-excel), which ``Client.get`` refuses.
        """
        client = self.client(role)
        url = self.base_url + path
        creds = self.role(role)
        headers = client.auth.get_oauth_params(
            url, creds.token, creds.token_secret, params or {}, "GET", to_header=True
        )
        query = urllib.parse.urlencode(params or {}, quote_via=urllib.parse.quote)
        return httpx.get(f"{url}?{query}" if query else url, headers=headers, timeout=30)


def clean_env() -> dict[str, str]:
    env = dict(os.environ)
    for name in list(env):
        if name.startswith(("ODESK_", "PYTHON_ODESK_")):
            del env[name]
    return env


def wait_until_up(proc: subprocess.Popen, base_url: str, stderr_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"odesk-server serve exited with {proc.returncode} before answering:\n{stderr_path.read_text()}"
            )
        try:
            httpx.get(base_url + "/api/auth/v1/info.json", timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"odesk-server serve did not answer within {STARTUP_TIMEOUT}s:\n{stderr_path.read_text()}")


def stop_process_group(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def start_serve(
    database_url: str, env: dict[str, str], stderr_path: Path, port: int | None = None, *, workers: int | None = None
) -> tuple[subprocess.Popen, str, Path]:
    """Start ``odesk-server serve`` on ``port`` (default: a free loopback port) and wait until it answers.

    ``workers`` passes ``--workers N`` (uvicorn worker processes); None leaves
    the server's default. Returns the process (leader of its own process
    group), its base URL and the file holding its stdout and stderr. Raises
    RuntimeError when it exits or stays silent.
    """
    port = port or free_port()
    base_url = f"http://127.0.0.1:{port}"
    worker_args = [] if workers is None else ["--workers", str(workers)]
    with open(stderr_path, "wb") as stderr:
        proc = subprocess.Popen(
            [
                ODESK_SERVER,
                "--database-url",
                database_url,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                *worker_args,
            ],
            stdout=stderr,
            stderr=stderr,
            env=env,
            start_new_session=True,  # its own process group, stopped as a whole
        )
    try:
        wait_until_up(proc, base_url, stderr_path)
    except BaseException:
        stop_process_group(proc)
        raise
    return proc, base_url, stderr_path


def serve_supports_workers() -> bool:
    """Whether the installed ``odesk-server serve`` takes ``--workers`` (its ``--help`` names it)."""
    result = subprocess.run([ODESK_SERVER, "serve", "--help"], capture_output=True, text=True, timeout=COMMAND_TIMEOUT)
    return "--workers" in result.stdout


PASSWORD_IN_DEMO_OUTPUT = re.compile(r"password '([^']+)'")


_HIDDEN = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">')
_VERIFIER = re.compile(r'id="oauth_verifier">([^<]+)<')


@dataclass(frozen=True)
class Approval:
    """What the authorize page answered to the user's decision."""

    status: int
    location: str | None  # the redirect to the callback, if any
    body: str

    @property
    def callback_params(self) -> dict[str, str]:
        assert self.location, f"no redirect (HTTP {self.status}):\n{self.body}"
        return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.location).query))

    @property
    def shown_verifier(self) -> str:
        found = _VERIFIER.search(self.body)
        assert found, f"the page shows no verifier (HTTP {self.status}):\n{self.body}"
        return found.group(1)


def submit_authorize_page(authorize_url: str, username: str, password: str, decision: str = "allow") -> Approval:
    """Act as the user's browser: GET the authorize page, POST the form with its CSRF token.

    Does not follow the redirect to the callback (the caller decides).
    """
    with httpx.Client(timeout=30, follow_redirects=False) as browser:
        page = browser.get(authorize_url)
        assert page.status_code == 200, f"authorize page: HTTP {page.status_code}\n{page.text}"
        hidden = {name: html.unescape(value) for name, value in _HIDDEN.findall(page.text)}
        assert "csrf_token" in hidden, page.text
        form = {**hidden, "username": username, "password": password, "decision": decision}
        action = urllib.parse.urljoin(authorize_url, "/services/api/auth")
        answer = browser.post(action, data=form)
        return Approval(answer.status_code, answer.headers.get("location"), answer.text)
