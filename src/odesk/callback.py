"""A one-shot local HTTP server that catches the OAuth verifier after the user
approves the application in the browser."""

from __future__ import annotations

import threading
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CALLBACK_PATH = "/callback"

_PAGE = (
    b"<!doctype html><title>odesk</title><p>The application is authorized. "
    b"You can close this window and return to the terminal.</p>"
)


@dataclass(frozen=True)
class Redirect:
    """What the authorize page sent back: the request token and its verifier."""

    oauth_token: str | None
    oauth_verifier: str


class CallbackServer:
    """Serve ``http://127.0.0.1:<port>/callback`` in a thread until a verifier arrives."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._received = threading.Event()
        self.redirect: Redirect | None = None
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                split = urllib.parse.urlsplit(self.path)
                params = dict(urllib.parse.parse_qsl(split.query))
                if split.path != CALLBACK_PATH or "oauth_verifier" not in params:
                    self.send_error(404, "Not the OAuth callback")
                    return
                owner.redirect = Redirect(params.get("oauth_token"), params["oauth_verifier"])
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(_PAGE)))
                self.end_headers()
                self.wfile.write(_PAGE)
                owner._received.set()

            def log_message(self, format: str, *args: object) -> None:
                pass  # keep the terminal for the user's prompts

        self._server = ThreadingHTTPServer((host, port), Handler)
        # a short poll interval so shutting down never keeps the user waiting
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        """The callback URL to give the authorize page."""
        host, port = self._server.server_address[:2]
        if not isinstance(host, str):  # an AF_INET server address is always (str, int)
            raise RuntimeError(f"unexpected callback server address {self._server.server_address!r}")
        return f"http://{host}:{port}{CALLBACK_PATH}"

    def __enter__(self) -> CallbackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def wait(self, timeout: float) -> Redirect | None:
        """Return the redirect once it arrived, or None after ``timeout`` seconds."""
        self._received.wait(timeout)
        return self.redirect
