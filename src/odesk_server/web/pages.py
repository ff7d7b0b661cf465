"""The pages of a person in a browser: the home page and signing in and out, reports, applications.

- ``GET /``: the home page; signed out, the sign-in form (and what this
  server is); signed in, the way to the other pages.
- ``POST /signin``: the user id (or email) and password, checked exactly as
  on the authorize page (``web.login``: the same throttle, the same
  answers 401 / 429 / 503); a success starts a web session
  (``odesk_server.sessions``) and goes on (303) to the page asked for.
- ``POST /signout``: ends the session (its cookie then works nowhere).
- ``GET /reports``: the reports explorer (``web.report_catalog`` lists the
  reports and keys the person may read; ``static/reports.js`` runs the
  query on the GDS routes with the cookie).
- ``GET /applications`` and its forms: register an application, revoke
  an application or tokens (``oauth.applications`` decides who may).
- ``GET /workdiary`` and ``GET /messages``: a contractor's day on a
  contract, the message trays (``static/workdiary.js``,
  ``static/messages.js`` read the team and mc routes with the cookie).

Every form carries a CSRF token: the sign-in form a double-submit one (a
random value in a ``SameSite=Strict``, ``HttpOnly`` cookie scoped to
``/signin``, repeated in the form), the signed-in forms the session's own.
A form without its token is refused with 403 ``csrf_failed`` and changes
nothing. Database work and hashing run in worker threads (sync handlers).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, RedirectResponse, Response

from odesk_server import sessions
from odesk_server.api.deps import get_database
from odesk_server.db.work import UnitOfWork
from odesk_server.errors import error_headers
from odesk_server.oauth import applications
from odesk_server.oauth.callbacks import OOB, CallbackRejected, origin_of, parse_origin
from odesk_server.problems import Problem
from odesk_server.security import constant_time_equals
from odesk_server.sessions import SignedIn
from odesk_server.web import layout, report_catalog
from odesk_server.web.authorize import AUTHORIZE_PATH
from odesk_server.web.login import LoginFailed, LoginRefused, check_password

router = APIRouter()

SIGNIN_PATH = "/signin"
SIGNIN_CSRF_COOKIE = "odesk_signin_csrf"
MAX_NAME = 200
MAX_ORIGINS = 10
# What the page says after a revocation (the redirect names one of these, never free text).
DONE = {
    "application": "The application and every token issued to it are revoked.",
    "grants": "Revoked: that application no longer acts for you.",
    "token": "The token is revoked.",
}
CSRF_FAILED = "The form has expired or did not come from this site; reload the page and try again"


def _base_url(request: Request) -> str:
    return request.app.state.settings.base_url


def _safe_next(value: str | None) -> str:
    """A page of this site to go on to after signing in: a local path, never another site ("/" otherwise)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    if any(ord(char) < 0x20 for char in value):
        return "/"
    return value


def _redirect(url: str, headers: Mapping[str, str] | None = None) -> RedirectResponse:
    return RedirectResponse(url, status_code=303, headers={**layout.PAGE_HEADERS, **layout.PRIVATE, **(headers or {})})


def _sign_in_first(request: Request) -> RedirectResponse:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return _redirect(f"{layout.root_of(request)}/?{urlencode({'next': here})}")


def _refused(request: Request, signed_in: SignedIn | None, status: int, code: str, message: str) -> HTMLResponse:
    return layout.page(
        request,
        "message.html",
        signed_in=signed_in,
        status=status,
        headers=error_headers(code, message),
        title="Not done",
        message=message,
        error=True,
        link="/",
        link_text="Back to the home page",
    )


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


# --- home, signing in and out -----------------------------------------------------------------


def _home(
    request: Request,
    signed_in: SignedIn | None,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    error: str = "",
    username: str = "",
    next_page: str = "/",
) -> HTMLResponse:
    csrf = request.cookies.get(SIGNIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = layout.page(
        request,
        "home.html",
        signed_in=signed_in,
        status=status,
        headers=headers,
        title="Home" if signed_in else "Sign in",
        current="home",
        csrf_token=csrf,
        error=error,
        username=username,
        next=next_page,
        authorize_path=AUTHORIZE_PATH,
        base_url=_base_url(request),
    )
    if signed_in is None:
        response.set_cookie(
            SIGNIN_CSRF_COOKIE,
            csrf,
            path=f"{layout.root_of(request)}{SIGNIN_PATH}",
            httponly=True,
            samesite="strict",
            secure=sessions.secure_transport(request),
        )
    return response


@router.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
def home_page(request: Request) -> HTMLResponse:
    """The home page: sign in (with the demo's or any user's password), then reports and applications (HTML)."""
    return _home(request, sessions.of_request(request), next_page=_safe_next(request.query_params.get("next")))


def _sign_in(request: Request, fields: Mapping[str, str]) -> Response:
    """The answer to the sign-in form; in a worker thread."""
    database = get_database(request)
    username = fields.get("username", "").strip()
    next_page = _safe_next(fields.get("next"))
    address = request.client.host if request.client else ""
    try:
        user_id = check_password(database, username, fields.get("password", ""), address)
    except (LoginFailed, LoginRefused) as refused:
        headers = dict(error_headers(refused.code, refused.message.rstrip(".")))
        retry_after = getattr(refused, "retry_after", None)
        if retry_after is not None:
            headers["Retry-After"] = retry_after
        return _home(
            request,
            None,
            status=refused.status,
            headers=headers,
            error=refused.message,
            username=username,
            next_page=next_page,
        )
    sessions.end(database, sessions.cookie_token(request))  # a browser holds one session at a time
    token = sessions.start(database, user_id)
    response = _redirect(f"{layout.root_of(request)}{next_page}")
    sessions.set_cookie(response, request, token)
    response.delete_cookie(SIGNIN_CSRF_COOKIE, path=f"{layout.root_of(request)}{SIGNIN_PATH}")
    return response


@router.post(SIGNIN_PATH, include_in_schema=False)
async def sign_in(request: Request) -> Response:
    """Sign in: user id or email and password, CSRF-checked and throttled like the authorize page (HTML form)."""
    fields = await _form(request)
    cookie = request.cookies.get(SIGNIN_CSRF_COOKIE, "")
    if not cookie or not constant_time_equals(cookie, fields.get(sessions.CSRF_FIELD, "")):
        return _refused(request, None, 403, "csrf_failed", CSRF_FAILED)
    return await run_in_threadpool(_sign_in, request, fields)


def _sign_out(request: Request, fields: Mapping[str, str]) -> Response:
    signed_in = sessions.of_request(request)
    if signed_in is not None and not signed_in.csrf_matches(fields.get(sessions.CSRF_FIELD)):
        return _refused(request, signed_in, 403, "csrf_failed", CSRF_FAILED)
    sessions.end(get_database(request), sessions.cookie_token(request))
    response = _redirect(f"{layout.root_of(request)}/")
    sessions.clear_cookie(response, request)
    return response


@router.post("/signout", include_in_schema=False)
async def sign_out(request: Request) -> Response:
    """Sign out: the session ends, and its cookie stops working on every page and API route (HTML form)."""
    fields = await _form(request)
    return await run_in_threadpool(_sign_out, request, fields)


# --- reports -----------------------------------------------------------------------------------


def _reports(request: Request) -> Response:
    signed_in = sessions.of_request(request)
    if signed_in is None:
        return _sign_in_first(request)
    database = get_database(request)
    with UnitOfWork(database.engine) as work:
        catalog = report_catalog.catalog_for(work, signed_in.user, today=dt.datetime.now(dt.UTC).date())
    return layout.page(
        request,
        "reports.html",
        signed_in=signed_in,
        title="Reports",
        current="reports",
        scripts=("vendor/chart.umd.min.js", "reports.js"),
        catalog=catalog.to_json(),
        reports=catalog.reports,
        from_date=catalog.from_date,
        to_date=catalog.to_date,
    )


@router.api_route("/reports", methods=["GET", "HEAD"], include_in_schema=False)
def reports_page(request: Request) -> Response:
    """The reports explorer: a report and its key, dates, a query, then a table, a chart and downloads (HTML)."""
    return _reports(request)


# --- work diary and messages --------------------------------------------------------------------


@router.api_route("/workdiary", methods=["GET", "HEAD"], include_in_schema=False)
def work_diary_page(request: Request) -> Response:
    """A contractor's work diary of a day on a contract he or you work on: snapshots, memos, activity (HTML)."""
    signed_in = sessions.of_request(request)
    if signed_in is None:
        return _sign_in_first(request)
    return layout.page(
        request,
        "workdiary.html",
        signed_in=signed_in,
        title="Work diary",
        current="workdiary",
        scripts=("workdiary.js",),
        today=dt.datetime.now(dt.UTC).date().isoformat(),
    )


@router.api_route("/messages", methods=["GET", "HEAD"], include_in_schema=False)
def messages_page(request: Request) -> Response:
    """The message center: your trays, their threads and the posts of a thread (HTML)."""
    signed_in = sessions.of_request(request)
    if signed_in is None:
        return _sign_in_first(request)
    return layout.page(
        request, "messages.html", signed_in=signed_in, title="Messages", current="messages", scripts=("messages.js",)
    )


# --- applications and tokens -------------------------------------------------------------------


def _applications_page(
    request: Request,
    signed_in: SignedIn,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    registered: applications.Registered | None = None,
    notice: str = "",
    error: str = "",
    form: Mapping[str, str] | None = None,
) -> HTMLResponse:
    database = get_database(request)
    user_id = signed_in.user.id
    with database.session() as session:
        mine = applications.applications_registered_by(session, [user_id])
        grants = applications.grants_of(session, [user_id])
        companies = applications.company_views(session, user_id)
    by_application: dict[str, list[applications.Grant]] = {}
    for grant in grants:
        by_application.setdefault(grant.consumer_key, []).append(grant)
    return layout.page(
        request,
        "applications.html",
        signed_in=signed_in,
        status=status,
        headers=headers,
        title="Applications and tokens",
        current="applications",
        scripts=("applications.js",),
        mine=mine,
        authorized=by_application,
        companies=companies,
        registered=registered,
        notice=notice,
        error=error,
        form=form or {},
        base_url=_base_url(request),
    )


@router.api_route("/applications", methods=["GET", "HEAD"], include_in_schema=False)
def applications_page(request: Request) -> Response:
    """Applications and tokens: register one, see yours and those you authorized, revoke any (HTML)."""
    signed_in = sessions.of_request(request)
    if signed_in is None:
        return _sign_in_first(request)
    return _applications_page(request, signed_in, notice=DONE.get(request.query_params.get("done", ""), ""))


def _checked_form(request: Request, fields: Mapping[str, str]) -> SignedIn | Response:
    """The session of a signed-in form whose CSRF token matches, or the response refusing it."""
    signed_in = sessions.of_request(request)
    if signed_in is None:
        return _refused(request, None, 401, "login_required", "Your session has ended; sign in again")
    if not signed_in.csrf_matches(fields.get(sessions.CSRF_FIELD)):
        return _refused(request, signed_in, 403, "csrf_failed", CSRF_FAILED)
    return signed_in


def _registration(fields: Mapping[str, str]) -> tuple[str, str | None, list[str]]:
    """The name, callback and extra origins of the registration form; raises ValueError with a sentence."""
    name = fields.get("name", "").strip()
    if not name or len(name) > MAX_NAME:
        raise ValueError(f"Give the application a name of 1 to {MAX_NAME} characters.")
    callback = fields.get("callback", "").strip() or None
    if callback is not None and callback != OOB and origin_of(callback) is None:
        raise ValueError(
            "The callback must be an absolute http(s) URL (without user name, backslash or whitespace) or oob."
        )
    origins = []
    for line in fields.get("origins", "").split():
        try:
            origins.append(parse_origin(line))
        except CallbackRejected as rejected:
            raise ValueError(f"{line}: {rejected}.") from None
    if len(origins) > MAX_ORIGINS:
        raise ValueError(f"At most {MAX_ORIGINS} more origins.")
    return name, callback, origins


def _register(request: Request, fields: Mapping[str, str]) -> Response:
    checked = _checked_form(request, fields)
    if not isinstance(checked, SignedIn):
        return checked
    try:
        name, callback, origins = _registration(fields)
    except ValueError as invalid:
        message = str(invalid)
        return _applications_page(
            request, checked, status=400, headers=error_headers("bad_request", message), error=message, form=fields
        )
    with get_database(request).session() as session:
        registered = applications.register_application(session, name, callback, origins, owner_user_id=checked.user.id)
    return _applications_page(request, checked, registered=registered)


@router.post("/applications", include_in_schema=False)
async def register_application(request: Request) -> Response:
    """Register an application: its key and secret are shown once, on the page this answers (HTML form)."""
    fields = await _form(request)
    return await run_in_threadpool(_register, request, fields)


def _revoke(request: Request, fields: Mapping[str, str]) -> Response:
    checked = _checked_form(request, fields)
    if not isinstance(checked, SignedIn):
        return checked
    user_id = checked.user.id
    what = fields.get("what", "")
    not_found = "No such application or token among those you may revoke"
    try:
        with get_database(request).session() as session:
            if what == "application":
                key = fields.get("key", "")
                if not applications.may_revoke_application(session, user_id, key):
                    return _refused(request, checked, 404, "not_found", not_found)
                applications.revoke_application(session, key)
                done = "application"
            elif what == "grants":
                key = fields.get("key", "")
                if not applications.revoke_grants_to(session, user_id, key):
                    return _refused(request, checked, 404, "not_found", not_found)
                done = "grants"
            elif what == "token" and fields.get("token_id", "").isdigit():
                token_id = int(fields["token_id"])
                if not applications.may_revoke_token(session, user_id, token_id):
                    return _refused(request, checked, 404, "not_found", not_found)
                applications.revoke_token(session, token_id)
                done = "token"
            else:
                return _refused(request, checked, 400, "bad_request", "The form names nothing to revoke")
    except Problem as problem:
        return _refused(request, checked, 400, "invalid_state", problem.message)
    return _redirect(f"{layout.root_of(request)}/applications?{urlencode({'done': done})}")


@router.post("/applications/revoke", include_in_schema=False)
async def revoke(request: Request) -> Response:
    """Revoke an application (and its tokens), your tokens for an application, or one token (HTML form)."""
    fields = await _form(request)
    return await run_in_threadpool(_revoke, request, fields)


def install(app: FastAPI) -> None:
    """Add the pages' routes to ``app`` (on its own route list, so the API reference names them)."""
    app.router.routes.extend(router.routes)
