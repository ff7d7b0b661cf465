"""``/docs``: the server's API reference, for people (the home page ``/`` is ``web.pages``).

The reference is read from the OpenAPI document the server serves at
``/openapi.json`` (``request.app.state.openapi()``, a cached dict), so it
says what the endpoints declare and cannot drift from them. ``read_reference``
turns that document into the frozen dataclasses below: operations grouped
by tag, each with its parameters, its access rule (the ``x-odesk-access``
extension), its security, the optional ``.json``/``.xml`` path suffix (the
``x-odesk-formats`` extension), the fields of its 200 answer with every
``$ref`` resolved, and its error statuses. ``docs_templates`` renders them.

The pages are plain server-side HTML: they work offline and without
JavaScript. Their stylesheet and a small filter script are this package's
``static/`` directory, served at ``/static/``; the Content Security Policy
allows nothing from any other origin. ``install(app)`` adds the routes and
the static files to an application.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

from odesk_server import sessions
from odesk_server.web import docs_templates, layout

router = APIRouter()

STATIC_DIR = Path(__file__).parent / "static"
STATIC_PATH = "/static"

# The headers of every page of the layout, as an anonymous reader gets them.
SECURITY_HEADERS = {**layout.PAGE_HEADERS, **layout.PUBLIC}

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
# Deeper than any schema of ours; a bound so a self-referring schema still renders.
MAX_SCHEMA_DEPTH = 12
UNTAGGED = "other"


@dataclass(frozen=True)
class SchemaView:
    """A schema as a reader sees it: a type sentence, and the fields (or alternatives) below it.

    ``fields`` are an object's properties, or those of an array's items;
    ``variants`` are the alternatives of an ``anyOf``/``oneOf`` that have
    fields of their own (when only one has, its fields are ``fields``).
    ``recursive_of`` names the enclosing schema whose fields this one
    repeats (a schema met again inside itself), shown instead of them.
    """

    type_text: str
    description: str = ""
    fields: tuple[FieldView, ...] = ()
    variants: tuple[SchemaView, ...] = ()
    recursive_of: str = ""


@dataclass(frozen=True)
class FieldView:
    """One property of an object schema."""

    name: str
    required: bool
    schema: SchemaView


@dataclass(frozen=True)
class ParameterView:
    """One parameter: ``location`` is ``path``, ``query``, ``header`` or ``cookie``."""

    name: str
    location: str
    required: bool
    type_text: str
    description: str


@dataclass(frozen=True)
class AccessRule:
    """Who may call an operation (``x-odesk-access``)."""

    name: str
    description: str


@dataclass(frozen=True)
class SecurityScheme:
    """A security scheme an operation requires, with the document's words for it."""

    name: str
    description: str


@dataclass(frozen=True)
class Body:
    """A request or response body: its status ("" for a request), description, media types and schema."""

    status: str
    description: str
    media_types: tuple[str, ...]
    schema: SchemaView | None


@dataclass(frozen=True)
class Operation:
    """One verb on one path, everything the reference page shows of it.

    ``security`` is empty for an operation that needs no signature;
    ``security_optional`` when a signature is accepted but not needed.
    """

    anchor: str
    method: str
    path: str
    formats: tuple[str, ...]
    summary: str
    description: str
    deprecated: bool
    parameters: tuple[ParameterView, ...]
    access: AccessRule | None
    security: tuple[SecurityScheme, ...]
    security_optional: bool
    request_body: Body | None
    success: Body | None
    errors: tuple[Body, ...]


@dataclass(frozen=True)
class TagSection:
    """The operations of one tag (an API namespace), in document order."""

    name: str
    anchor: str
    description: str
    operations: tuple[Operation, ...]


@dataclass(frozen=True)
class Link:
    url: str
    text: str


@dataclass(frozen=True)
class ApiReference:
    """The whole reference: the document's title, version and description, and its sections."""

    title: str
    version: str
    description: str
    external_docs: Link | None
    sections: tuple[TagSection, ...]


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _strings(value: object) -> tuple[str, ...]:
    return tuple(item for item in value if isinstance(item, str)) if isinstance(value, list) else ()


def _web_link(value: object, text: str) -> Link | None:
    """A link for an http(s) URL of the document; None for anything else (``javascript:``...)."""
    url = _text(value)
    return Link(url, text or url) if re.match(r"https?://", url, re.IGNORECASE) else None


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-").lower() or "x"


def _literal(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


class _Reader:
    """Reads one OpenAPI document; ``$ref`` pointers resolve against it."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self._anchors: set[str] = set()

    def resolve(self, node: object) -> tuple[str | None, Mapping[str, Any]]:
        """``(name of the referenced component or None, the node it stands for)``; an unknown ref is ``{}``."""
        name = None
        seen: set[str] = set()
        found = _mapping(node)
        while isinstance(found.get("$ref"), str) and found["$ref"] not in seen:
            ref = found["$ref"]
            seen.add(ref)
            target: object = self.document
            if ref.startswith("#/"):
                for part in ref[2:].split("/"):
                    target = _mapping(target).get(part.replace("~1", "/").replace("~0", "~"))
            else:
                target = None  # only pointers into this document
            name = ref.rsplit("/", 1)[-1]
            found = _mapping(target)
        return name, found

    def anchor(self, prefix: str, text: str) -> str:
        anchor = base = f"{prefix}-{_slug(text)}"
        number = 1
        while anchor in self._anchors:
            number += 1
            anchor = f"{base}-{number}"
        self._anchors.add(anchor)
        return anchor

    def schema(self, node: object, depth: int = 0, enclosing: frozenset[str] = frozenset()) -> SchemaView:
        """The ``SchemaView`` of a schema node, following ``$ref`` (a schema met again inside itself is named only)."""
        name, schema = self.resolve(node)
        description = _text(_mapping(node).get("description")) or _text(schema.get("description"))
        if (name is not None and name in enclosing) or depth > MAX_SCHEMA_DEPTH:
            return SchemaView(type_text=name or "object", description=description, recursive_of=name or "")
        if name is not None:
            enclosing = enclosing | {name}
        alternatives = schema.get("anyOf") or schema.get("oneOf")
        all_of = schema.get("allOf")
        if isinstance(all_of, list) and len(all_of) == 1 and not schema.get("properties") and not alternatives:
            # A lone allOf is how a reference gets a description of its own in older documents.
            inner = self.schema(all_of[0], depth + 1, enclosing)
            return SchemaView(inner.type_text, description or inner.description, inner.fields, inner.variants)
        if isinstance(alternatives, list) and alternatives:
            views = [self.schema(alternative, depth + 1, enclosing) for alternative in alternatives]
            kind = " or ".join(dict.fromkeys(view.type_text for view in views))
            structured = tuple(view for view in views if view.fields or view.variants)
            if len(structured) == 1:
                fields, variants = structured[0].fields, structured[0].variants
            else:
                fields, variants = (), structured
            recursive_of = next((view.recursive_of for view in views if view.recursive_of), "")
        else:
            kind, fields, variants, recursive_of = self._plain(schema, depth, enclosing)
        if name is not None:
            kind = name if kind == "object" else f"{name} ({kind})"
        return SchemaView(kind, description, fields, variants, "" if fields or variants else recursive_of)

    def _plain(
        self, schema: Mapping[str, Any], depth: int, enclosing: frozenset[str]
    ) -> tuple[str, tuple[FieldView, ...], tuple[SchemaView, ...], str]:
        """Type sentence, fields, variants and recursion of a schema without ``anyOf``/``oneOf``."""
        type_value = schema.get("type")
        types = list(_strings(type_value)) if isinstance(type_value, list) else [_text(type_value)]
        types = [t for t in types if t]
        fields: tuple[FieldView, ...] = ()
        variants: tuple[SchemaView, ...] = ()
        recursive_of = ""
        if "items" in schema and "array" not in types:
            types.insert(0, "array")
        words = []
        for kind in types:
            if kind == "array":
                items = self.schema(schema.get("items", {}), depth + 1, enclosing)
                fields, variants, recursive_of = items.fields, items.variants, items.recursive_of
                kind = f"array of {items.type_text}"
            words.append(kind)
        all_of = schema.get("allOf")
        parts = [schema, *(self.resolve(part)[1] for part in all_of)] if isinstance(all_of, list) else [schema]
        required = {name for part in parts for name in _strings(part.get("required"))}
        properties = [(name, prop) for part in parts for name, prop in _mapping(part.get("properties")).items()]
        if properties:
            fields = tuple(
                FieldView(name, name in required, self.schema(prop, depth + 1, enclosing)) for name, prop in properties
            )
            if "object" not in words:
                words.insert(0, "object")
        extra = schema.get("additionalProperties")
        if isinstance(extra, Mapping):
            values = self.schema(extra, depth + 1, enclosing)
            words = [word for word in words if word != "object"]
            words.insert(0, f"map of names to {values.type_text}")
            fields = fields or values.fields
        text = " or ".join(words) or "any"
        if _text(schema.get("format")):
            text += f" ({schema['format']})"
        if isinstance(schema.get("enum"), list):
            text += ", one of " + ", ".join(_literal(value) for value in schema["enum"])
        if "const" in schema:
            text += f", always {_literal(schema['const'])}"
        if "default" in schema:
            text += f", default {_literal(schema['default'])}"
        return text, fields, variants, recursive_of

    def parameter(self, node: object) -> ParameterView | None:
        _name, found = self.resolve(node)
        name = _text(found.get("name"))
        if not name:
            return None
        location = _text(found.get("in"))
        return ParameterView(
            name=name,
            location=location,
            required=found.get("required") is True or location == "path",
            type_text=self.schema(found.get("schema", {})).type_text,
            description=_text(found.get("description")),
        )

    def body(self, status: str, node: object) -> Body:
        _name, found = self.resolve(node)
        content = _mapping(found.get("content"))
        media_types = tuple(content)
        preferred = "application/json" if "application/json" in content else next(iter(content), None)
        schema_node = _mapping(content.get(preferred)).get("schema") if preferred is not None else None
        return Body(
            status=status,
            description=_text(found.get("description")),
            media_types=media_types,
            schema=self.schema(schema_node) if schema_node is not None else None,
        )

    def security(self, operation: Mapping[str, Any]) -> tuple[tuple[SecurityScheme, ...], bool]:
        """The schemes an operation requires (empty: none) and whether an unsigned call is accepted too."""
        requirements = operation.get("security", self.document.get("security", []))
        requirements = [_mapping(r) for r in requirements] if isinstance(requirements, list) else []
        schemes_by_name = _mapping(_mapping(self.document.get("components")).get("securitySchemes"))
        names = dict.fromkeys(name for requirement in requirements for name in requirement)
        schemes = []
        for name in names:
            scheme = _mapping(schemes_by_name.get(name))
            words = _text(scheme.get("description")) or " ".join(
                _text(scheme.get(key)) for key in ("type", "scheme") if _text(scheme.get(key))
            )
            schemes.append(SecurityScheme(name, words))
        return tuple(schemes), bool(schemes) and any(not requirement for requirement in requirements)

    def operation(self, method: str, path: str, path_item: Mapping[str, Any], node: Mapping[str, Any]) -> Operation:
        by_place: dict[tuple[str, str], ParameterView] = {}
        for declared in [*(path_item.get("parameters") or ()), *(node.get("parameters") or ())]:
            parameter = self.parameter(declared)
            if parameter is not None:
                by_place[(parameter.name, parameter.location)] = parameter  # the operation's wins
        access = _mapping(node.get("x-odesk-access"))
        responses = _mapping(node.get("responses"))
        statuses = [str(status) for status in responses]
        success = "200" if "200" in statuses else next((s for s in statuses if s.startswith("2")), None)
        errors = sorted(s for s in statuses if s[:1] in ("4", "5") or s == "default")
        schemes, optional = self.security(node)
        request_body = node.get("requestBody")
        return Operation(
            anchor=self.anchor("op", _text(node.get("operationId")) or f"{method}-{path}"),
            method=method.upper(),
            path=path,
            formats=_strings(node.get("x-odesk-formats")),
            summary=_text(node.get("summary")),
            description=_text(node.get("description")),
            deprecated=node.get("deprecated") is True,
            parameters=tuple(by_place.values()),
            access=AccessRule(_text(access.get("name")), _text(access.get("description"))) if access else None,
            security=schemes,
            security_optional=optional,
            request_body=self.body("", request_body) if request_body is not None else None,
            success=self.body(success, responses[success]) if success is not None else None,
            errors=tuple(self.body(status, responses[status]) for status in errors),
        )

    def reference(self) -> ApiReference:
        info = _mapping(self.document.get("info"))
        tag_descriptions: dict[str, str] = {}
        for tag in self.document.get("tags") or ():
            if _text(_mapping(tag).get("name")):
                tag_descriptions[tag["name"]] = _text(tag.get("description"))
        grouped: dict[str, list[Operation]] = {name: [] for name in tag_descriptions}
        for path, path_item in _mapping(self.document.get("paths")).items():
            item = _mapping(path_item)
            for method in HTTP_METHODS:
                node = _mapping(item.get(method))
                if node:
                    tag = next(iter(_strings(node.get("tags"))), UNTAGGED)
                    grouped.setdefault(tag, []).append(self.operation(method, str(path), item, node))
        external = _mapping(self.document.get("externalDocs"))
        return ApiReference(
            title=_text(info.get("title")) or "API reference",
            version=_text(info.get("version")),
            description=_text(info.get("description")),
            external_docs=_web_link(external.get("url"), _text(external.get("description"))),
            sections=tuple(
                TagSection(name, self.anchor("tag", name), tag_descriptions.get(name, ""), tuple(operations))
                for name, operations in grouped.items()
                if operations
            ),
        )


def read_reference(document: Mapping[str, Any]) -> ApiReference:
    """The reference page's content of an OpenAPI 3.1 ``document``.

    Tolerant: a missing or malformed part of the document leaves its part of
    the page empty rather than failing; a ``$ref`` outside the document
    resolves to an empty schema.
    """
    return _Reader(document).reference()


def _root(request: Request) -> str:
    """The path prefix the app is mounted under ("" at the root), for the pages' own links."""
    return str(request.scope.get("root_path", "")).rstrip("/")


@router.api_route("/docs", methods=["GET", "HEAD"], include_in_schema=False)
@router.api_route("/docs/", methods=["GET", "HEAD"], include_in_schema=False)
def reference_page(request: Request) -> HTMLResponse:
    """The API reference built from the server's OpenAPI document (HTML)."""
    document = request.app.state.openapi()
    signed_in = sessions.of_request(request)
    body = docs_templates.reference_page(_root(request), read_reference(document), signed_in)
    headers = {**layout.PAGE_HEADERS, **(layout.PRIVATE if signed_in is not None else layout.PUBLIC)}
    return HTMLResponse(body, headers=headers)


def install(app: FastAPI) -> None:
    """Add the pages and the static files they load (``/static/...``) to ``app``.

    The routes go on the app's own list (as the declared endpoints do), so
    the app's ``routes`` name every page (the API reference lists them).
    """
    app.router.routes.extend(router.routes)
    app.mount(STATIC_PATH, StaticFiles(directory=STATIC_DIR), name="static")
