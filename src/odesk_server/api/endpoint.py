"""One way to write an endpoint: a declaration turned into a route.

A namespace module (``api/hr/org.py``, ``api/auth.py``...) makes an ``Api`` and
declares each endpoint on it::

    api = Api(tag="hr")

    class TeamParams(Params):
        ref: PathKey
        include_users: Flag = False

    @api.get("/api/hr/v2/teams/{ref}", access=SIGNED_IN, params=TeamParams, returns=TeamReply)
    def get_team(call: Call[TeamParams]) -> TeamReply:
        \"\"\"One visible team, with its users when ``include_users`` is true.\"\"\"
        scope = org_scope(call.db, call.user.id)
        ...
        return {"team": team_payload(team, scope)}

What the declaration gives, once, for every endpoint (``install`` makes the
routes; ``openapi`` describes them):

- the path as declared and with the ``.json`` / ``.xml`` suffix (the suffix
  and the ``http_method`` override are the ``CompatMiddleware``'s);
- 405 with ``Allow`` for a verb the path does not declare;
- the body and parameters read on the event loop, then, in a worker thread
  (``deps.run_blocking``: no database call on the loop), the OAuth
  verification the access rule asks for, the parameters parsed into the
  declared ``Params`` model (wire names, types, 400 ``bad_request`` naming
  the parameter), the access rule's check, the handler, and the response;
- one ``UnitOfWork`` per request (``call.db``): one connection, one
  transaction, committed when the handler returns, rolled back when it
  raises;
- the response: by default the oDesk envelope (``server_time``,
  ``auth_user``, the handler's keys) in JSON, or XML for the ``.xml``
  suffix; another ``render`` for the endpoints that answer otherwise (the
  token endpoints' form bodies, the reports' dialects, plain JSON);
- errors: a ``problems.Problem`` from the handler or the access rule
  becomes its documented response (``problems.PROBLEM_RESPONSES``), an
  ``ApiError`` its own; anything else is the app's error handlers' business.

Every declaration names its access rule (``access=``, no default): who may
call it and what the check is. A handler never sees the request, a driver
connection or a response object: it gets a ``Call`` and returns data.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, cast

import orjson
import pydantic
from fastapi import FastAPI, Request
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from odesk_server import problems
from odesk_server.api.deps import (
    Caller,
    get_database,
    get_oauth_provider,
    get_settings,
    request_params,
    run_blocking,
    signed_request,
    verify_caller,
)
from odesk_server.compat import response_format
from odesk_server.db.work import UnitOfWork
from odesk_server.errors import ApiError, bad_request
from odesk_server.oauth import OAuthProvider, SignedRequest
from odesk_server.settings import Settings
from odesk_server.wire import auth_user
from odesk_server.xmlout import to_xml

if TYPE_CHECKING:
    from odesk_server.models import User

P = TypeVar("P", bound="Params")
R = TypeVar("R")

Verb = Literal["GET", "POST", "PUT", "DELETE"]
JSON_MEDIA_TYPE = "application/json"
XML_MEDIA_TYPE = "application/xml"


# --------------------------------------------------------------------------
# Parameters


class Params(pydantic.BaseModel):
    """Base of every endpoint's parameters: one field per parameter, path keys included.

    A field's wire name is its alias when it has one, else its name; a field
    whose wire name appears in the path template is a path parameter, the
    others come from the query string or the body (form or JSON). Unknown
    parameters are ignored, as oDesk did. Values arrive as text; the field
    types (``odesk_server.api.params``) read them.
    """

    model_config = pydantic.ConfigDict(frozen=True, extra="ignore", populate_by_name=False)


class NoParams(Params):
    """The parameters of an endpoint that takes none."""


_NO_PARAMS = NoParams()


def _parse(model: type[P], values: Mapping[str, str]) -> P:
    """``values`` (wire name -> text) read into ``model``; raises 400 ``bad_request`` naming the parameter."""
    try:
        return model.model_validate(values)
    except pydantic.ValidationError as invalid:
        raise bad_request(_problem_text(invalid.errors()[0])) from None


def _problem_text(error: Any) -> str:
    name = ".".join(str(part) for part in error["loc"]) or "the parameters"
    kind = error["type"]
    if kind == "missing":
        return f"{name} is required"
    if kind == "literal_error":
        expected = str(error["ctx"]["expected"]).replace("'", "")
        return f"{name} must be {expected}, got {error['input']!r}"
    if kind == "value_error":
        # Our parameter types raise ValueError("must be ..., got ...").
        return f"{name} {error['ctx']['error']}"
    return f"{name}: {error['msg']}"


# --------------------------------------------------------------------------
# Access rules


@dataclass(frozen=True)
class Access:
    """Who may call an endpoint: the signature it needs and the check run before the handler.

    ``signature``: ``"none"`` (anyone), ``"consumer"`` (a consumer's
    signature, verified by the handler itself: the OAuth token endpoints) or
    ``"token"`` (a consumer's signature with an access token, verified
    before anything else; ``call.caller`` is set). ``check(call)`` runs in
    the request's unit of work after verification; it raises a
    ``problems.Problem`` (or an ``ApiError``) to refuse. ``description`` is
    what the API reference says about it.
    """

    name: str
    description: str
    signature: Literal["none", "consumer", "token"]
    check: Callable[[Call[Any]], None] | None = None


PUBLIC = Access("public", "Anyone: no OAuth signature is needed.", "none")
CONSUMER = Access(
    "consumer",
    "Signed with a registered consumer's key (and, for the access token, the authorized request token); "
    "the token endpoint checks the signature itself (RFC 5849).",
    "consumer",
)
SIGNED_IN = Access(
    "signed_in",
    "Any caller signed with an access token. What the caller may not see (outside the caller's "
    "organisation scope, docs/permissions.md) is answered 404 exactly like what does not exist.",
    "token",
)


def requires(name: str, description: str, check: Callable[[Call[Any]], None]) -> Access:
    """An access rule for signed callers that ``check`` must pass (a named permission predicate)."""
    return Access(name, description, "token", check)


# --------------------------------------------------------------------------
# The call a handler gets


@dataclass
class Call(Generic[P]):
    """One request as its handler sees it: parameters, caller, database, settings.

    ``params``: the declared ``Params`` model, parsed; ``caller``: the
    verified caller (None under ``PUBLIC`` and ``CONSUMER`` rules); ``db``:
    the request's ``UnitOfWork``; ``suffix``: the path's format suffix
    (``"json"``, ``"xml"``) or None, for renderers (``format`` is the
    envelope's: ``"xml"`` or ``"json"``).
    """

    params: P
    caller: Caller | None
    settings: Settings
    suffix: str | None
    _request: Request
    _body: bytes
    _db: UnitOfWork | None = None
    _raw: Mapping[str, str] = field(default_factory=dict)

    @property
    def raw_params(self) -> Mapping[str, str]:
        """Every parameter as sent (wire name -> text), for families a model cannot name (``fb_scores[3]``).

        Prefer the declared ``params``; read this only for bracketed families
        of names, and validate what you take.
        """
        return self._raw

    @property
    def db(self) -> UnitOfWork:
        """The request's unit of work (blocking handlers only: an ``async`` handler has none)."""
        if self._db is None:
            raise RuntimeError("an async handler has no unit of work: declare it with a def to use the database")
        return self._db

    @property
    def format(self) -> str:
        """The envelope's format: ``"xml"`` for the ``.xml`` suffix, else ``"json"``."""
        return "xml" if self.suffix == "xml" else "json"

    @property
    def user(self) -> User:
        """The verified caller's user (endpoints whose access rule needs an access token)."""
        if self.caller is None:
            raise RuntimeError("this endpoint's access rule verifies no caller")
        return self.caller.user

    @property
    def base_url(self) -> str:
        """The server's public base URL, for links in payloads."""
        return self.settings.base_url

    @property
    def oauth(self) -> OAuthProvider:
        """The OAuth provider (the token endpoints issue credentials through it)."""
        return get_oauth_provider(self._request)

    def signed(self) -> SignedRequest:
        """What the OAuth layer verifies for this request (the token endpoints' own check)."""
        return signed_request(self._request, self._body)

    async def run_blocking(self, work: Callable[[], R]) -> R:
        """``work()`` in a worker thread as one of the requests allowed on the database (``async`` handlers)."""
        return await run_blocking(self._request, work)

    def state(self, name: str) -> Any:
        """An app-wide object set on ``app.state`` (``database``, ``openapi``...)."""
        return getattr(self._request.app.state, name)


# --------------------------------------------------------------------------
# Rendering


@dataclass(frozen=True)
class Reply:
    """A response that is not the oDesk envelope: plain JSON with a status and headers."""

    body: Mapping[str, Any]
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)


Render = Callable[["Call[Any]", Any], Response]


def render_envelope(call: Call[Any], payload: Mapping[str, Any]) -> Response:
    """The 200 response of an API resource: ``server_time``, ``auth_user``, then ``payload``'s keys, JSON or XML."""
    envelope: dict[str, Any] = {"server_time": str(int(time.time())), "auth_user": auth_user(call.user)}
    envelope.update(payload)
    if call.format == "xml":
        return Response(to_xml(envelope), media_type=XML_MEDIA_TYPE)
    return Response(orjson.dumps(envelope, default=str), media_type=JSON_MEDIA_TYPE)


def render_json(_call: Call[Any], reply: Reply) -> Response:
    """A ``Reply`` as plain JSON (operations endpoints, the OpenAPI document)."""
    return Response(
        orjson.dumps(reply.body), status_code=reply.status, headers=dict(reply.headers), media_type=JSON_MEDIA_TYPE
    )


# --------------------------------------------------------------------------
# Declarations


@dataclass(frozen=True)
class Endpoint:
    """One declared endpoint (see the module docstring); made by ``Api.get`` and friends."""

    method: Verb
    path: str
    handler: Callable[[Call[Any]], Any]
    access: Access
    params: type[Params]
    returns: Any
    render: Render
    tag: str
    formats: tuple[str, ...]
    head: bool
    errors: Mapping[int, str]
    summary: str
    description: str

    @property
    def name(self) -> str:
        """The handler's name: the route name and the OpenAPI ``operationId``."""
        return self.handler.__name__

    @property
    def blocking(self) -> bool:
        """Whether the handler runs in a worker thread with a unit of work (``def``), or on the loop (``async def``)."""
        return not inspect.iscoroutinefunction(self.handler)

    @property
    def path_names(self) -> tuple[str, ...]:
        """The names of the path template's ``{parameters}``, in order."""
        return tuple(part[1:-1].split(":")[0] for part in self.path.split("/") if part.startswith("{"))


# Error responses every signed endpoint may give, for the API reference.
SIGNED_ERRORS: Mapping[int, str] = {
    400: "bad_request: a parameter is missing or malformed (the message names it); or malformed OAuth parameters",
    401: "the OAuth check failed: parameter_absent, signature_invalid, token_rejected, nonce_used, ...",
    503: "server_busy or database_unavailable, with Retry-After",
}


class Api:
    """The endpoints of one namespace (an OpenAPI tag), in declaration order."""

    def __init__(self, tag: str, description: str = "") -> None:
        self.tag = tag
        self.description = description
        self.endpoints: list[Endpoint] = []

    def get(self, path: str, **declaration: Any) -> Callable[[Callable[[Call[P]], R]], Callable[[Call[P]], R]]:
        """Declare ``GET path`` (see ``declare``)."""
        return self.declare("GET", path, **declaration)

    def post(self, path: str, **declaration: Any) -> Callable[[Callable[[Call[P]], R]], Callable[[Call[P]], R]]:
        """Declare ``POST path`` (see ``declare``)."""
        return self.declare("POST", path, **declaration)

    def put(self, path: str, **declaration: Any) -> Callable[[Callable[[Call[P]], R]], Callable[[Call[P]], R]]:
        """Declare ``PUT path`` (see ``declare``)."""
        return self.declare("PUT", path, **declaration)

    def delete(self, path: str, **declaration: Any) -> Callable[[Callable[[Call[P]], R]], Callable[[Call[P]], R]]:
        """Declare ``DELETE path`` (see ``declare``)."""
        return self.declare("DELETE", path, **declaration)

    def declare(
        self,
        method: Verb,
        path: str,
        *,
        access: Access,
        params: type[Params] = NoParams,
        returns: Any = None,
        render: Render | None = None,
        formats: Iterable[str] = ("json", "xml"),
        head: bool = False,
        errors: Mapping[int, str] | None = None,
    ) -> Callable[[Callable[[Call[P]], R]], Callable[[Call[P]], R]]:
        """Declare ``method path`` answered by the decorated handler.

        ``access``: the ``Access`` rule (required). ``params``: the
        ``Params`` model (path keys and parameters). ``returns``: the type of
        what the handler returns (a ``TypedDict`` for the envelope's keys,
        or a pydantic-describable type), for the API reference. ``render``:
        how the handler's result becomes a response (default: the oDesk
        envelope). ``formats``: the response formats the path suffix or
        ``tqx`` may ask for. ``head``: answer HEAD like GET (no body).
        ``errors``: status -> meaning, beyond the common ones.
        Raises ``TypeError`` for a declaration without an ``Access`` rule,
        and ``ValueError`` when the path's parameters and the model's fields
        disagree or the path is declared twice for the verb.
        """
        if not isinstance(access, Access):
            raise TypeError(f"{method} {path}: access must be an Access rule, got {access!r}")

        def register(handler: Callable[[Call[P]], R]) -> Callable[[Call[P]], R]:
            doc = inspect.cleandoc(handler.__doc__ or "")
            summary, _, description = doc.partition("\n")
            common = dict(SIGNED_ERRORS) if access.signature != "none" else {}
            endpoint = Endpoint(
                method=method,
                path=path,
                handler=handler,
                access=access,
                params=params,
                returns=returns,
                render=render or render_envelope,
                tag=self.tag,
                formats=tuple(formats),
                head=head,
                errors={**common, **(errors or {})},
                summary=summary.strip(),
                description=description.strip(),
            )
            wire_names = {f.alias or name for name, f in params.model_fields.items()}
            missing = [name for name in endpoint.path_names if name not in wire_names]
            if missing:
                raise ValueError(f"{method} {path}: no field of {params.__name__} for {', '.join(missing)}")
            if any(e.method == method and e.path == path for e in self.endpoints):
                raise ValueError(f"{method} {path} is declared twice")
            if render is None and access.signature != "token":
                raise ValueError(f"{method} {path}: the oDesk envelope needs a verified caller; give a render")
            self.endpoints.append(endpoint)
            return handler

        return register


# --------------------------------------------------------------------------
# Serving


async def _serve(request: Request, endpoint: Endpoint) -> Response:
    body = await request.body()
    raw = await request_params(request)
    values = {**raw, **request.path_params} if request.path_params else raw
    settings = get_settings(request)
    fmt = response_format(request)
    if not endpoint.blocking:
        call: Call[Any] = Call(_parse_values(endpoint, values), None, settings, fmt, request, body, None, values)
        handler = cast(Callable[[Call[Any]], Awaitable[Any]], endpoint.handler)
        return _answer(endpoint, call, await handler(call))
    return await run_blocking(request, lambda: _work(request, endpoint, body, values, settings, fmt))


def _parse_values(endpoint: Endpoint, values: Mapping[str, str]) -> Params:
    if endpoint.params is NoParams:
        return _NO_PARAMS
    return _parse(endpoint.params, values)


def _work(
    request: Request, endpoint: Endpoint, body: bytes, values: Mapping[str, str], settings: Settings, fmt: str | None
) -> Response:
    """The blocking part of a request, in a worker thread: verify, parse, check, handle, render."""
    caller = verify_caller(request, body) if endpoint.access.signature == "token" else None
    params = _parse_values(endpoint, values)
    with UnitOfWork(get_database(request).engine) as work:
        call: Call[Any] = Call(params, caller, settings, fmt, request, body, work, values)
        try:
            if endpoint.access.check is not None:
                endpoint.access.check(call)
            result = endpoint.handler(call)
        except problems.Problem as problem:
            status, code = problems.response_of(problem)
            raise ApiError(status, code, problem.message) from None
        response = _answer(endpoint, call, result)
        if caller is not None and caller.by_cookie:
            for_cookie(response)
        return response


def for_cookie(response: Response) -> Response:
    """``response`` made fit for a request signed by a web session cookie.

    No cross-origin answer (every ``Access-Control-*`` header goes), no
    copy kept by a cache (the answer is one person's), and, should a browser
    render it (a report's ``out:html``), no script, no framing.
    """
    for name in [key for key in response.headers if key.lower().startswith("access-control-")]:
        del response.headers[name]
    response.headers["Cache-Control"] = "no-store"
    response.headers["Vary"] = "Cookie"
    if "content-security-policy" not in response.headers:
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; frame-ancestors 'none'"
        )
    response.headers["X-Frame-Options"] = "DENY"
    return response


def _answer(endpoint: Endpoint, call: Call[Any], result: Any) -> Response:
    # For HEAD the server sends the headers only.
    return endpoint.render(call, result)


class _PathApp:
    """The ASGI app of one path template: its declared verbs, and 405 with the full ``Allow`` for the others.

    An ASGI app rather than a request-response function: Starlette hands it
    the request as is, and errors propagate to the app's exception handlers.
    """

    def __init__(self, endpoints: list[Endpoint]) -> None:
        self.by_method: dict[str, Endpoint] = {e.method: e for e in endpoints}
        for endpoint in endpoints:
            if endpoint.method == "GET" and endpoint.head:
                self.by_method["HEAD"] = endpoint
        self.allow = ", ".join(sorted(self.by_method))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)
        endpoint = self.by_method.get(request.method)
        if endpoint is None:
            raise StarletteHTTPException(status_code=405, headers={"Allow": self.allow})
        response = await _serve(request, endpoint)
        await response(scope, receive, send)


def _route(path: str, endpoints: list[Endpoint]) -> Route:
    app = _PathApp(endpoints)
    route = Route(path, app, name=endpoints[0].name, include_in_schema=False)
    # The route says which verbs it serves: Starlette then matches another verb
    # only partially (a later route of the same path may take it) and answers 405.
    route.methods = set(app.by_method)
    return route


def is_declared(route: BaseRoute) -> bool:
    """Whether ``route`` was made by ``install`` from declarations."""
    return isinstance(route, Route) and isinstance(route.app, _PathApp)


def install(app: FastAPI, apis: Iterable[Api]) -> None:
    """Add the routes of ``apis`` to ``app``, in declaration order, one route per path template.

    They go on the app's own route list (not through an included router,
    which FastAPI would match twice), ahead of anything added later. The
    app state gets ``apis`` (the API reference is built from them).
    """
    apis = list(apis)
    by_path: dict[str, list[Endpoint]] = {}
    for api in apis:
        for endpoint in api.endpoints:
            by_path.setdefault(endpoint.path, []).append(endpoint)
    for path, endpoints in by_path.items():
        app.router.routes.append(_route(path, endpoints))
    app.state.apis = apis
