"""``GET /openapi.json``: the API described from its endpoint declarations (OpenAPI 3.1).

Every declared endpoint (``odesk_server.api.endpoint``) becomes an
operation: its verb and path, its parameters under their oDesk wire names
(path or query; a POST may send the same as a form or JSON body), the
security it needs (OAuth 1.0a, as an ``http`` scheme named ``OAuth``: the
``Authorization: OAuth ...`` header of RFC 5849; the signature may also ride
in the query string or a form body), the 200 response's shape (the
``returns`` type, inside the oDesk envelope for envelope endpoints) and its
error responses. Two extensions carry what OpenAPI has no word for:
``x-odesk-access`` (the access rule: name and description) and
``x-odesk-formats`` (the formats the ``.json``/``.xml`` suffix or ``tqx``
may ask for).

Schemas come from pydantic (the ``Params`` models and the ``TypedDict``
shapes); the document is built once per app, on first request.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from pydantic import TypeAdapter
from starlette.routing import BaseRoute, Route
from typing_extensions import TypedDict

from odesk_server.api.endpoint import (
    PUBLIC,
    Api,
    Call,
    Endpoint,
    Params,
    Reply,
    is_declared,
    render_envelope,
    render_json,
)

api = Api("operations")

SCHEMA_REF = "#/components/schemas/{model}"
SECURITY_SCHEME = "oauth1"
SESSION_SCHEME = "session"


class AuthUser(TypedDict):
    first_name: str
    last_name: str
    uid: str
    mail: str
    messenger_id: str | None
    messenger_type: str | None
    timezone: str
    timezone_offset: str


class Envelope(TypedDict):
    """What every API response carries besides its resource keys."""

    server_time: str
    auth_user: AuthUser


class ErrorDetail(TypedDict):
    status: int
    code: str
    message: str


class Error(TypedDict):
    """Every error: the status, a short code (also in ``X-Odesk-Error-Code``) and a message."""

    error: ErrorDetail


def _version() -> str:
    try:
        return metadata.version("odesk-revived")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare tree
        return "0"


def _operation_id(endpoint: Endpoint, taken: set[str]) -> str:
    name = endpoint.name
    if name in taken:
        name = f"{name}_{endpoint.method.lower()}"
    taken.add(name)
    return name


def _parameters(endpoint: Endpoint, schema: Mapping[str, Any]) -> list[dict[str, Any]]:
    properties: Mapping[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", ()))
    in_path = set(endpoint.path_names)
    result = []
    for wire_name, field_schema in properties.items():
        where = "path" if wire_name in in_path else "query"
        field_schema = dict(field_schema)
        description = field_schema.pop("description", None)
        field_schema.pop("title", None)
        parameter: dict[str, Any] = {
            "name": wire_name,
            "in": where,
            "required": where == "path" or wire_name in required,
            "schema": field_schema,
        }
        if description:
            parameter["description"] = description
        result.append(parameter)
    return result


def _content_type(endpoint: Endpoint) -> str:
    if "form" in endpoint.formats:
        return "application/x-www-form-urlencoded"
    if "svg" in endpoint.formats:
        return "image/svg+xml"
    return "application/json"


@dataclass(frozen=True)
class Page:
    """An HTML page of the server (not a declared endpoint): listed in the document for completeness."""

    method: str
    path: str
    name: str
    summary: str


PAGE_ACCESS = {
    "name": "page",
    "description": "An HTML page for a person in a browser, not for API clients; no OAuth signature. "
    "The authorize page asks the user to sign in.",
}


def pages_of(routes: Iterable[BaseRoute]) -> list[Page]:
    """The HTML pages among ``routes``: every verb (but HEAD) of a route that is not a declared endpoint."""
    result = []
    for route in routes:
        if not isinstance(route, Route) or is_declared(route):
            continue
        doc = inspect.cleandoc(getattr(route.endpoint, "__doc__", None) or "")
        for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
            result.append(Page(method, route.path, route.name, doc.partition("\n")[0]))
    return result


def _page_operations(pages: Iterable[Page], paths: dict[str, dict[str, Any]], taken: set[str]) -> None:
    for page in pages:
        operation_id = f"page_{page.name}_{page.method.lower()}"
        if operation_id in taken:  # one page under two paths (``/docs`` and ``/docs/``)
            operation_id += "_" + "_".join(part for part in page.path.split("/") if part) + "_slash"
        taken.add(operation_id)
        paths.setdefault(page.path, {})[page.method.lower()] = {
            "operationId": operation_id,
            "tags": ["pages"],
            "summary": page.summary,
            "parameters": [],
            "responses": {"200": {"description": "The page", "content": {"text/html": {"schema": {"type": "string"}}}}},
            "security": [],
            "x-odesk-access": PAGE_ACCESS,
            "x-odesk-formats": ["html"],
        }


def build(apis: Iterable[Api], public_url: str | None = None, pages: Iterable[Page] = ()) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``apis``' endpoints (and of the HTML ``pages``, under the tag ``pages``)."""
    apis = list(apis)
    endpoints = [endpoint for a in apis for endpoint in a.endpoints]
    # Every schema in one pass, so shared shapes become one component each.
    inputs: list[tuple[Any, Any, TypeAdapter[Any]]] = [
        (("params", id(e)), "validation", TypeAdapter(e.params)) for e in endpoints if e.params.model_fields
    ]
    inputs += [(("returns", id(e)), "serialization", TypeAdapter(e.returns)) for e in endpoints if e.returns]
    inputs += [(name, "serialization", TypeAdapter(kind)) for name, kind in (("Envelope", Envelope), ("Error", Error))]
    schemas, definitions = TypeAdapter.json_schemas(inputs, ref_template=SCHEMA_REF)

    def schema_of(key: Any) -> dict[str, Any]:
        for (name, mode), schema in schemas.items():
            if name == key and mode in ("validation", "serialization"):
                return dict(schema)
        return {}

    error_response = {"$ref": SCHEMA_REF.format(model="Error")}
    paths: dict[str, dict[str, Any]] = {}
    taken: set[str] = set()
    for endpoint in endpoints:
        params_schema = schema_of(("params", id(endpoint)))
        if "$ref" in params_schema:  # a model: its properties live in the definitions
            params_schema = definitions.get("$defs", definitions).get(params_schema["$ref"].rsplit("/", 1)[1], {})
        returns = schema_of(("returns", id(endpoint))) if endpoint.returns else {}
        if endpoint.render is render_envelope:
            body: dict[str, Any] = {"allOf": [{"$ref": SCHEMA_REF.format(model="Envelope")}, returns]}
        else:
            body = returns or {"type": "string" if "form" in endpoint.formats else "object"}
        responses: dict[str, Any] = {
            "200": {
                "description": endpoint.summary or "Success",
                "content": {_content_type(endpoint): {"schema": body}},
            }
        }
        for status, meaning in sorted(endpoint.errors.items()):
            responses[str(status)] = {
                "description": meaning,
                "content": {"application/json": {"schema": error_response}},
            }
        operation: dict[str, Any] = {
            "operationId": _operation_id(endpoint, taken),
            "tags": [endpoint.tag],
            "summary": endpoint.summary,
            "parameters": _parameters(endpoint, params_schema),
            "responses": responses,
            "security": [] if endpoint.access.signature == "none" else _signed_security(endpoint),
            "x-odesk-access": {"name": endpoint.access.name, "description": endpoint.access.description},
            "x-odesk-formats": list(endpoint.formats),
        }
        if endpoint.description:
            operation["description"] = endpoint.description
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = operation
        if endpoint.head:
            paths[endpoint.path]["head"] = {**operation, "operationId": _operation_id(endpoint, taken) + "_head"}
    pages = list(pages)
    _page_operations(pages, paths, taken)
    component_schemas = dict(definitions.get("$defs", {}))
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "oDesk API (self-hosted)",
            "version": _version(),
            "description": (
                "The oDesk REST API and the GDS report endpoints, served by odesk-server. Every API path "
                "also answers with a .json or .xml suffix; a POST may carry http_method=put or delete to "
                "stand for those verbs; parameters may come in the query string, a form body or a JSON body."
            ),
        },
        "tags": [{"name": a.tag, "description": a.description} for a in apis if a.endpoints]
        + (
            [
                {
                    "name": "pages",
                    "description": "HTML pages for people: the landing page, this reference, the authorize page",
                }
            ]
            if pages
            else []
        ),
        "paths": paths,
        "components": {
            "schemas": component_schemas,
            "securitySchemes": {
                SECURITY_SCHEME: {
                    "type": "http",
                    "scheme": "OAuth",
                    "description": (
                        "OAuth 1.0a (RFC 5849), HMAC-SHA1 or PLAINTEXT: a registered consumer's key and an access "
                        "token from /api/auth/v1/oauth/token/access, in the Authorization header, the query "
                        "string or a form body. The token endpoints need the consumer's signature only."
                    ),
                },
                SESSION_SCHEME: {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "odesk_session",
                    "description": (
                        "A browser signed in on the server's pages (POST /signin): a request without any OAuth "
                        "parameter is its session's person, with the same permission checks. A write (not GET or "
                        "HEAD) must repeat the session's CSRF token in X-CSRF-Token; the reports never answer such "
                        "a request in Google's JSONP dialect, and no response to it carries CORS headers."
                    ),
                },
            },
        },
    }
    if public_url:
        document["servers"] = [{"url": public_url}]
    return document


def _signed_security(endpoint: Endpoint) -> list[dict[str, list[str]]]:
    """An OAuth signature; for the endpoints acting for a user, a web session's cookie instead."""
    if endpoint.access.signature == "token":
        return [{SECURITY_SCHEME: []}, {SESSION_SCHEME: []}]
    return [{SECURITY_SCHEME: []}]


def install(app: Any, apis: Iterable[Api]) -> None:
    """Give ``app`` its document: ``app.state.openapi()`` builds it on first use and keeps it.

    The HTML pages are read from the app's routes then, so routes added after this call are listed.
    """
    apis = list(apis)
    public_url = app.state.settings.public_url
    app.state.openapi = functools.cache(lambda: build(apis, public_url, pages_of(app.router.routes)))


@api.get("/openapi.json", access=PUBLIC, render=render_json, formats=("json",))
async def openapi_document(call: Call[Params]) -> Reply:
    """This API's OpenAPI 3.1 document: every route, its parameters, security and response shapes."""
    return Reply(call.state("openapi")())
