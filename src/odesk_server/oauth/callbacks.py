"""Where the server may send a user back with a verifier: the callback policy.

RFC 5849 section 2.1 lets the client name its callback (``oauth_callback``),
and python-odesk 0.5.8 names it on the authorize URL instead, where anyone
can change it. The verifier is half of what a client needs for an access
token, and a request token of an installed application is no secret (its
consumer secret ships with it), so a callback is accepted only when it is

- ``oob`` (the page shows the verifier), or
- on a loopback address: ``http://127.0.0.1``, ``http://[::1]`` or
  ``http://localhost``, any port, for command-line clients that catch the
  verifier with a local server (RFC 8252 section 7.3), or
- on one of the consumer's registered origins: scheme, host and port equal
  to those of its default callback (``Consumer.callback_uri``) or of one of
  its ``ConsumerCallbackOrigin`` rows.

Callbacks with a user name, a backslash or any whitespace or control
character are refused outright: browsers and ``urllib`` may disagree on the
host of such URLs.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Session

from odesk_server.models import ConsumerCallbackOrigin

OOB = "oob"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
MAX_ORIGIN_LENGTH = 255
_DEFAULT_PORTS = {"http": 80, "https": 443}


class CallbackRejected(ValueError):
    """A callback the consumer may not use; the message says why (for the ``parameter_rejected`` error)."""


@dataclass(frozen=True)
class _HttpUrl:
    """An absolute http(s) URL safe to redirect to, split into what the policy compares."""

    scheme: str
    host: str
    port: int
    has_path_or_query: bool

    @property
    def origin(self) -> str:
        """``scheme://host[:port]``, lowercase, the default port left out, IPv6 hosts in brackets."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        if self.port == _DEFAULT_PORTS[self.scheme]:
            return f"{self.scheme}://{host}"
        return f"{self.scheme}://{host}:{self.port}"


def _http_url(uri: str) -> _HttpUrl:
    """Split an absolute http(s) URL; raises ``CallbackRejected`` for anything else."""
    try:
        parts = urlsplit(uri)
        scheme = parts.scheme.lower()
        port = parts.port  # ValueError for a port that is not a number in range
    except ValueError:
        raise CallbackRejected("oauth_callback must be oob or an http(s) URL") from None
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise CallbackRejected("oauth_callback must be oob or an http(s) URL")
    if "@" in parts.netloc or any(c == "\\" or c.isspace() or not c.isprintable() for c in uri):
        raise CallbackRejected("oauth_callback must be a plain http(s) URL: no user name, backslash or whitespace")
    return _HttpUrl(
        scheme=scheme,
        host=parts.hostname,
        port=port or _DEFAULT_PORTS[scheme],
        has_path_or_query=parts.path not in ("", "/") or "?" in uri or "#" in uri,
    )


def origin_of(uri: str | None) -> str | None:
    """The normalised origin (``scheme://host[:port]``) of an http(s) URL; None for ``oob`` or anything else."""
    if not uri or uri == OOB:
        return None
    try:
        return _http_url(uri).origin
    except CallbackRejected:
        return None


def parse_origin(text: str) -> str:
    """The normalised form of an origin as a person types it (``https://app.example[:8443][/]``).

    Raises ``CallbackRejected`` when ``text`` is not an http(s) origin (a
    path, query, fragment or user name included) or is too long; the message
    reads after the name of the field.
    """
    try:
        url = _http_url(text)
    except CallbackRejected:
        url = None
    if url is None or url.has_path_or_query:
        raise CallbackRejected(
            "must be an http(s) origin such as https://app.example or https://app.example:8443 "
            "(scheme, host and port only)"
        )
    if len(url.origin) > MAX_ORIGIN_LENGTH:
        raise CallbackRejected(f"must have at most {MAX_ORIGIN_LENGTH} characters")
    return url.origin


def check_callback(uri: str, registered_origins: Collection[str]) -> None:
    """Return when ``uri`` is ``oob``, a loopback URL or on one of ``registered_origins``.

    Raises ``CallbackRejected`` (its message names ``oauth_callback``) otherwise.
    """
    if uri == OOB:
        return
    url = _http_url(uri)
    if url.scheme == "http" and url.host in LOOPBACK_HOSTS:
        return
    if url.origin not in registered_origins:
        raise CallbackRejected(
            f"oauth_callback {url.origin} is not a registered callback origin of this application: "
            "use oob, a loopback address or a registered origin"
        )


def registered_origins(session: Session, consumer_id: int, default_callback: str | None) -> frozenset[str]:
    """The origins a consumer may send users back to: its default callback's and its registered ones."""
    stored = session.scalars(
        sa.select(ConsumerCallbackOrigin.origin).where(ConsumerCallbackOrigin.consumer_id == consumer_id)
    ).all()
    default = origin_of(default_callback)
    return frozenset(stored) | ({default} if default else frozenset())
