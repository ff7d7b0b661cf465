"""Web sessions: a person signed in on the pages, by a cookie, and the CSRF token that goes with it.

Signing in (``odesk_server.web.pages``) checks the password exactly as the
authorize page does, through the same login throttle, then ``start`` makes
a session: a random token for the browser's cookie (``odesk_session``), a
``WebSession`` row holding only the token's SHA-256, the session's CSRF
token and when it expires (``LIFETIME`` after signing in). ``find`` is the
one lookup, used by the pages and, as an alternative to an OAuth
signature, by the API and GDS routes (``odesk_server.api.deps``): a token
that is unknown, expired, ended, or whose user is no longer active, finds
nothing. ``end`` (signing out) marks the row ended, so the cookie stops
working everywhere at once, in every server process.

The cookie is ``HttpOnly`` (no script reads it), ``SameSite=Lax`` (another
site's forms, frames, scripts and fetches do not carry it; a link followed
from elsewhere does, so a shared report URL opens signed in), ``Path=/``,
and ``Secure`` when the request came over HTTPS or the server's public URL
is ``https``. Every form of a signed-in page repeats the session's CSRF
token in a hidden field; a write to the API signed by the cookie repeats it
in the ``X-CSRF-Token`` header.

Every function here is blocking: call it from a worker thread.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import Response

from odesk_server.db import Database
from odesk_server.models import User, WebSession, utcnow
from odesk_server.security import constant_time_equals

COOKIE = "odesk_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
LIFETIME = dt.timedelta(hours=12)
# Sessions that ended or expired this long ago are deleted when someone signs in.
KEEP_ENDED = dt.timedelta(days=7)


@dataclass(frozen=True)
class SignedIn:
    """A live session: its row id, its CSRF token and its user (a detached, read-only row)."""

    id: int
    csrf_token: str
    user: User
    expires_at: dt.datetime

    def csrf_matches(self, submitted: str | None) -> bool:
        """Whether ``submitted`` is this session's CSRF token (compared in constant time)."""
        return bool(submitted) and constant_time_equals(self.csrf_token, submitted or "")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start(database: Database, user_id: int) -> str:
    """A new session for ``user_id``; returns the token for the cookie (stored only as its hash)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with database.session() as session:
        session.execute(sa.delete(WebSession).where(WebSession.expires_at < now - KEEP_ENDED))
        session.add(
            WebSession(
                token_hash=_digest(token),
                csrf_token=secrets.token_urlsafe(32),
                user_id=user_id,
                expires_at=now + LIFETIME,
            )
        )
    return token


def find(database: Database, token: str | None) -> SignedIn | None:
    """The live session of the cookie's ``token``, or None (no token, unknown, ended, expired, user inactive)."""
    if not token or len(token) > 128:
        return None
    with database.session() as session:
        found = session.execute(
            sa.select(WebSession.id, WebSession.csrf_token, WebSession.expires_at, User)
            .join(User, User.id == WebSession.user_id)
            .where(
                WebSession.token_hash == _digest(token),
                WebSession.ended_at.is_(None),
                WebSession.expires_at > utcnow(),
                User.status == "active",
            )
        ).one_or_none()
    if found is None:
        return None
    session_id, csrf_token, expires_at, user = found
    return SignedIn(session_id, csrf_token, user, expires_at)


def end(database: Database, token: str | None) -> None:
    """End the session of ``token`` (signing out); nothing happens for an unknown or ended one."""
    if not token:
        return
    with database.session() as session:
        session.execute(
            sa.update(WebSession)
            .where(WebSession.token_hash == _digest(token), WebSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )


def cookie_token(request: Request) -> str | None:
    """The session token the browser sent, if any."""
    return request.cookies.get(COOKIE) or None


def secure_transport(request: Request) -> bool:
    """Whether cookies must be ``Secure``: the request came over HTTPS, or the public URL is https."""
    public_url = getattr(request.app.state.settings, "public_url", None) or ""
    return request.url.scheme == "https" or public_url.lower().startswith("https://")


def set_cookie(response: Response, request: Request, token: str) -> None:
    """Give the browser its session cookie (``HttpOnly``, ``SameSite=Lax``, ``Secure`` over HTTPS)."""
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(LIFETIME.total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=secure_transport(request),
    )


def clear_cookie(response: Response, request: Request) -> None:
    """Tell the browser to forget its session cookie."""
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=secure_transport(request))


def of_request(request: Request) -> SignedIn | None:
    """The live session of ``request``'s cookie, or None (blocking: one read when there is a cookie)."""
    token = cookie_token(request)
    return find(request.app.state.database, token) if token else None
