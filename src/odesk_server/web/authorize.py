"""``/services/api/auth``: the page where a user authorizes a request token (RFC 5849 §2.2).

``GET ?oauth_token=T[&oauth_callback=URL]`` shows a login form with an
"allow" and a "deny" button. ``POST`` checks the CSRF token, the request
token and the callback, then the user's id (uid or email) and password; on
"allow" it records the user and a fresh verifier on the request token, then
redirects (303) to the callback with ``oauth_token`` and ``oauth_verifier``,
or shows the verifier when the callback is ``oob``. python-odesk sends the
callback on this URL rather than with the request token, so a callback
given here wins over the one stored with the token, but only one the
consumer may use (``odesk_server.oauth.callbacks``): any other is an error
page, for "allow" and "deny" alike, so no link can send a verifier, or the
user, to a stranger's site.

The password check is the sign-in page's (``odesk_server.web.login``), through the login throttle
(``odesk_server.web.login_throttle``): a throttled attempt gets 429 and a
saturated server 503, both with ``Retry-After`` and without checking the
password. Database work and hashing run in a worker thread, and no
database connection is held while the password hash is checked.

CSRF protection is a double-submit token: a random value in a
``SameSite=Strict``, ``HttpOnly`` cookie scoped to this path, repeated in a
hidden form field; both must match. Pages forbid framing (clickjacking).
The pages are the site's layout (``web/layout.py``, ``templates/authorize.html``).
Errors are HTML pages with the matching status and the ``X-Odesk-Error-*``
headers.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import sqlalchemy as sa
from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, RedirectResponse, Response

from odesk_server.api.deps import get_database
from odesk_server.db import Database
from odesk_server.errors import error_headers
from odesk_server.models import Consumer, RequestToken, utcnow
from odesk_server.oauth.callbacks import OOB, CallbackRejected, check_callback, registered_origins
from odesk_server.security import constant_time_equals, new_verifier
from odesk_server.web import layout
from odesk_server.web.login import LoginFailed, LoginRefused, check_password

router = APIRouter()

AUTHORIZE_PATH = "/services/api/auth"
CSRF_COOKIE = "odesk_csrf"
# The layout's headers, never cached (the verifier must not stay in a cache).
_SECURITY_HEADERS = {**layout.PAGE_HEADERS, **layout.PRIVATE}


class PageError(Exception):
    """An error shown as an HTML page: status, code (for the headers) and a sentence."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class PendingAuthorization:
    """A request token waiting for the user's decision, with its consumer's name and the callback to use.

    ``callback`` is the one given on the authorize URL or, without one, the
    one stored with the token; either way one the consumer may use.
    """

    token: str
    consumer_name: str
    callback: str


def _html(
    request: Request, template: str, status: int = 200, extra: dict[str, str] | None = None, **context: Any
) -> HTMLResponse:
    headers = dict(_SECURITY_HEADERS)
    if extra:
        headers.update(extra)
    body = layout.render(
        template, root=layout.root_of(request), signed_in=None, authorize_path=AUTHORIZE_PATH, **context
    )
    return HTMLResponse(body, status_code=status, headers=headers)


def _error_page(request: Request, error: PageError) -> HTMLResponse:
    return _html(
        request,
        "message.html",
        status=error.status,
        extra=error_headers(error.code, error.message),
        title="Authorization failed",
        message=error.message,
        error=True,
        link="",
    )


def _pending(session: Session, token: str, given_callback: str) -> PendingAuthorization:
    """The request token ``token`` if it may still be authorized, with its callback; raises ``PageError``.

    ``given_callback`` ("" for none) is the callback named on the authorize
    URL; it, or else the stored one, must pass the consumer's callback policy.
    """
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
    callback = given_callback or row.callback or OOB
    try:
        # The stored callback is checked again: origins may have been removed since.
        check_callback(callback, registered_origins(session, consumer.id, consumer.callback_uri))
    except CallbackRejected as rejected:
        raise PageError(400, "parameter_rejected", str(rejected)) from None
    return PendingAuthorization(token=row.token, consumer_name=consumer.name, callback=callback)


def _with_params(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def _csrf_cookie(request: Request) -> str:
    return request.cookies.get(CSRF_COOKIE, "")


def _form_page(
    request: Request,
    pending: PendingAuthorization,
    given_callback: str,
    status: int = 200,
    username: str = "",
    error: str = "",
) -> HTMLResponse:
    csrf = _csrf_cookie(request) or secrets.token_urlsafe(32)
    response = _html(
        request,
        "authorize.html",
        status=status,
        title="Authorize application",
        consumer=pending.consumer_name,
        csrf_token=csrf,
        oauth_token=pending.token,
        # The form carries the callback the user saw; "" means the stored one.
        oauth_callback=given_callback,
        username=username,
        error=error,
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
    given_callback = request.query_params.get("oauth_callback", "")
    try:
        with get_database(request).session() as session:
            pending = _pending(session, request.query_params.get("oauth_token", ""), given_callback)
    except PageError as error:
        return _error_page(request, error)
    return _form_page(request, pending, given_callback)


@dataclass(frozen=True)
class _Decision:
    token: str
    callback: str
    username: str
    password: str
    allow: bool


def _grant(database: Database, pending: PendingAuthorization, user_id: int) -> str:
    """Give the request token its user and a fresh verifier; returns the verifier. Raises ``PageError``."""
    verifier = new_verifier()
    with database.session() as session:
        # An UPDATE gives a CursorResult; Session.execute is only typed to return a Result.
        granted = cast(
            sa.CursorResult[Any],
            session.execute(
                sa.update(RequestToken)
                .where(
                    RequestToken.token == pending.token, RequestToken.user_id.is_(None), RequestToken.used_at.is_(None)
                )
                .values(user_id=user_id, verifier=verifier)
            ),
        )
        if granted.rowcount != 1:  # authorized in another tab meanwhile
            raise PageError(400, "token_used", "This request token has already been authorized")
    return verifier


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303, headers=_SECURITY_HEADERS)


def _authorize(request: Request, decision: _Decision) -> Response:
    """The decision's answer; runs in a worker thread (database work and hashing). Raises ``PageError``."""
    database = get_database(request)
    with database.session() as session:
        pending = _pending(session, decision.token, decision.callback)
    if not decision.allow:
        if pending.callback == OOB:
            return _html(
                request,
                "message.html",
                title="Access denied",
                message=f"You denied {pending.consumer_name} access.",
                error=False,
                link="",
            )
        refusal = {"oauth_token": pending.token, "oauth_problem": "user_refused"}
        return _redirect(_with_params(pending.callback, refusal))

    address = request.client.host if request.client else ""
    try:
        user_id = check_password(database, decision.username, decision.password, address)
    except LoginFailed as failed:
        return _login_form_again(request, pending, decision, failed.status, failed.code, failed.message)
    except LoginRefused as refused:
        return _login_form_again(
            request, pending, decision, refused.status, refused.code, refused.message, refused.retry_after
        )
    verifier = _grant(database, pending, user_id)
    if pending.callback == OOB:
        return _html(
            request, "verifier.html", title="Application authorized", consumer=pending.consumer_name, verifier=verifier
        )
    return _redirect(_with_params(pending.callback, {"oauth_token": pending.token, "oauth_verifier": verifier}))


def _login_form_again(
    request: Request,
    pending: PendingAuthorization,
    decision: _Decision,
    status: int,
    code: str,
    sentence: str,
    retry_after: str | None = None,
) -> HTMLResponse:
    """The form again, with ``sentence`` as its error, ``status``, the error headers and any ``Retry-After``."""
    response = _form_page(
        request, pending, decision.callback, status=status, username=decision.username.strip(), error=sentence
    )
    response.headers.update(error_headers(code, sentence.rstrip(".")))
    if retry_after is not None:
        response.headers["Retry-After"] = retry_after
    return response


@router.post(AUTHORIZE_PATH)
async def submit_authorize_page(request: Request) -> Response:
    """The user's decision: CSRF check, then (in a worker thread) callback, login and the answer."""
    form = await request.form()

    def field(name: str) -> str:
        value = form.get(name)
        return value if isinstance(value, str) else ""

    cookie = _csrf_cookie(request)
    submitted = field("csrf_token")
    if not cookie or not submitted or not constant_time_equals(cookie, submitted):
        return _error_page(
            request,
            PageError(403, "csrf_failed", "The form has expired or did not come from this site; reload the page"),
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
        return _error_page(request, error)
