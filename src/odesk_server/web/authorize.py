"""``/services/api/auth``: the page where a user authorizes a request token (RFC 5849 §2.2).

``GET ?oauth_token=T[&oauth_callback=URL]`` shows a login form with an
"allow" and a "deny" button. ``POST`` checks the CSRF token, the request
token, and the user's id (uid or email) and password; on "allow" it
records the user and a fresh verifier on the request token, then redirects
(303) to the callback with ``oauth_token`` and ``oauth_verifier``, or shows
the verifier when the callback is ``oob``. python-odesk sends the callback
on this URL rather than with the request token, so a callback given here
wins over the one stored with the token.

CSRF protection is a double-submit token: a random value in a
``SameSite=Strict``, ``HttpOnly`` cookie scoped to this path, repeated in a
hidden form field; both must match. Pages forbid framing (clickjacking).
Errors are HTML pages with the matching status and the ``X-Odesk-Error-*``
headers.
"""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import sqlalchemy as sa
from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, RedirectResponse, Response

from odesk_server.api.deps import get_database
from odesk_server.errors import error_headers
from odesk_server.models import Consumer, RequestToken, User, utcnow
from odesk_server.oauth.validator import OOB, valid_callback
from odesk_server.security import constant_time_equals, hash_password, new_verifier, verify_password
from odesk_server.web import templates

router = APIRouter()

AUTHORIZE_PATH = "/services/api/auth"
CSRF_COOKIE = "odesk_csrf"
_SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}


class PageError(Exception):
    """An error shown as an HTML page: status, code (for the headers) and a sentence."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class PendingAuthorization:
    """A request token waiting for the user's decision, with its consumer's name and callback."""

    token: str
    consumer_name: str
    callback: str


def _html(body: str, status: int = 200, extra: dict[str, str] | None = None) -> HTMLResponse:
    headers = dict(_SECURITY_HEADERS)
    if extra:
        headers.update(extra)
    return HTMLResponse(body, status_code=status, headers=headers)


def _error_page(error: PageError) -> HTMLResponse:
    return _html(
        templates.message_page("Authorization failed", error.message),
        status=error.status,
        extra=error_headers(error.code, error.message),
    )


def _pending(session: Session, token: str) -> PendingAuthorization:
    """The request token ``token`` if it may still be authorized; raises ``PageError``."""
    if not token:
        raise PageError(400, "parameter_absent", "oauth_token is missing from the authorization request")
    found = session.execute(
        sa.select(RequestToken, Consumer)
        .join(Consumer, Consumer.id == RequestToken.consumer_id)
        .where(RequestToken.token == token)
    ).one_or_none()
    if found is None:
        raise PageError(404, "token_rejected", "Unknown request token")
    row, consumer = found
    if consumer.is_revoked:
        raise PageError(403, "consumer_key_rejected", "This application's access has been revoked")
    if row.used_at is not None or row.user_id is not None:
        raise PageError(400, "token_used", "This request token has already been authorized")
    if row.expires_at <= utcnow():
        raise PageError(400, "token_expired", "This request token has expired; ask the application to start again")
    return PendingAuthorization(token=row.token, consumer_name=consumer.name, callback=row.callback or OOB)


def _chosen_callback(pending: PendingAuthorization, given: str) -> str:
    if given:
        if not valid_callback(given):
            raise PageError(400, "parameter_rejected", "oauth_callback must be oob or an http(s) URL")
        return given
    return pending.callback


def _with_params(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def _csrf_cookie(request: Request) -> str:
    return request.cookies.get(CSRF_COOKIE, "")


def _form_page(
    request: Request, pending: PendingAuthorization, callback: str, status: int = 200, username: str = "", error: str = ""
) -> HTMLResponse:
    csrf = _csrf_cookie(request) or secrets.token_urlsafe(32)
    response = _html(
        templates.authorize_form(
            consumer=pending.consumer_name,
            csrf_token=csrf,
            oauth_token=pending.token,
            oauth_callback=callback,
            username=username,
            error=error,
        ),
        status=status,
    )
    response.set_cookie(
        CSRF_COOKIE,
        csrf,
        path=AUTHORIZE_PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.get(AUTHORIZE_PATH)
def show_authorize_page(request: Request) -> Response:
    """The login and approval form for ``oauth_token`` (HTML)."""
    token = request.query_params.get("oauth_token", "")
    given_callback = request.query_params.get("oauth_callback", "")
    try:
        with get_database(request).session() as session:
            pending = _pending(session, token)
        callback = _chosen_callback(pending, given_callback)
    except PageError as error:
        return _error_page(error)
    # The form carries the callback the user saw; "" means the stored one.
    return _form_page(request, pending, given_callback if callback != pending.callback else "")


@dataclass(frozen=True)
class _Decision:
    token: str
    callback: str
    username: str
    password: str
    allow: bool


def _authorize(request: Request, decision: _Decision) -> Response:
    with get_database(request).session() as session:
        pending = _pending(session, decision.token)
        callback = _chosen_callback(pending, decision.callback)
        if not decision.allow:
            if callback == OOB:
                return _html(templates.message_page("Access denied", f"You denied {pending.consumer_name} access."))
            return RedirectResponse(
                _with_params(callback, {"oauth_token": pending.token, "oauth_problem": "user_refused"}),
                status_code=303,
                headers=_SECURITY_HEADERS,
            )
        login = decision.username.strip()
        user = session.execute(
            sa.select(User).where(sa.or_(User.uid == login, User.email == login))
        ).scalar_one_or_none() if login else None
        # Verify even for an unknown user so both failures take the same time.
        password_ok = verify_password(user.password_hash if user else _dummy_hash(), decision.password)
        if user is None or not password_ok or user.status != "active":
            response = _form_page(
                request,
                pending,
                decision.callback,
                status=401,
                username=login,
                error="Wrong user id or password.",
            )
            response.headers.update(error_headers("login_failed", "Wrong user id or password"))
            return response
        verifier = new_verifier()
        session.execute(
            sa.update(RequestToken)
            .where(RequestToken.token == pending.token)
            .values(user_id=user.id, verifier=verifier)
        )
    if callback == OOB:
        return _html(templates.verifier_page(pending.consumer_name, verifier))
    return RedirectResponse(
        _with_params(callback, {"oauth_token": pending.token, "oauth_verifier": verifier}),
        status_code=303,
        headers=_SECURITY_HEADERS,
    )


@router.post(AUTHORIZE_PATH)
async def submit_authorize_page(request: Request) -> Response:
    """The user's decision: CSRF check, login, then redirect with the verifier (or show it)."""
    form = await request.form()

    def field(name: str) -> str:
        value = form.get(name)
        return value if isinstance(value, str) else ""

    cookie = _csrf_cookie(request)
    submitted = field("csrf_token")
    if not cookie or not submitted or not constant_time_equals(cookie, submitted):
        return _error_page(
            PageError(403, "csrf_failed", "The form has expired or did not come from this site; reload the page")
        )
    decision = _Decision(
        token=field("oauth_token"),
        callback=field("oauth_callback"),
        username=field("username"),
        password=field("password"),
        allow=field("decision") != "deny",
    )
    try:
        return await run_in_threadpool(_authorize, request, decision)
    except PageError as error:
        return _error_page(error)


@functools.lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash of a random password, to spend the same time verifying unknown users."""
    return hash_password(secrets.token_hex(16))
