"""The landing page, the API reference and their static files, through the real app.

The reference is rendered from ``DOCUMENT``, an OpenAPI 3.1 document shaped
like the server's own (tags per namespace, ``$ref`` schemas, path and query
parameters, the ``x-odesk-formats`` and ``x-odesk-access`` extensions), and,
once the server describes itself, from its own document too. No database is
touched: the pages only read the document.
"""

from __future__ import annotations

import copy
import html
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from odesk_server.app import create_app
from odesk_server.settings import Settings
from odesk_server.web import docs

EXTERNAL_DOCS = "https://example.org/odesk-api-history"

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "oDesk API (self-hosted)",
        "version": "0.1.0",
        "description": "The oDesk REST API.\n\nEvery call but the `operations` ones is signed.",
    },
    "externalDocs": {"url": EXTERNAL_DOCS, "description": "the historic API"},
    "tags": [
        {"name": "auth", "description": "OAuth 1.0a credentials."},
        {"name": "hr", "description": "Users, companies, teams and roles."},
        {"name": "gds time reports", "description": "Time reports in the query language."},
        {"name": "operations", "description": "Health checks."},
    ],
    "security": [{"oauth1": []}],
    "paths": {
        "/api/auth/v1/oauth/token/request": {
            "post": {
                "tags": ["auth"],
                "operationId": "request_token",
                "summary": "Get a request token",
                "description": "Temporary credentials for the authorize page.",
                "parameters": [
                    {
                        "name": "oauth_callback",
                        "in": "query",
                        "required": False,
                        "description": "Where the user goes after the decision; `oob` by default.",
                        "schema": {"type": "string", "format": "uri"},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "The request token, form-encoded.",
                        "content": {
                            "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/TokenPair"}}
                        },
                    },
                    "401": {"$ref": "#/components/responses/Unauthorized"},
                },
            }
        },
        "/api/hr/v2/users/{user_reference}": {
            "parameters": [
                {
                    "name": "user_reference",
                    "in": "path",
                    "required": True,
                    "description": "The user's reference number.",
                    "schema": {"type": "integer"},
                }
            ],
            "get": {
                "tags": ["hr"],
                "operationId": "get_user",
                "summary": "One user",
                "x-odesk-formats": ["json", "xml"],
                "x-odesk-access": {"name": "same_company", "description": "Anyone in a company the user works for."},
                "parameters": [
                    {
                        "name": "detail",
                        "in": "query",
                        "description": "How much to say.",
                        "schema": {"type": "string", "enum": ["brief", "full"], "default": "brief"},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "The user.",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/UserEnvelope"}},
                            "application/xml": {},
                        },
                    },
                    "401": {"$ref": "#/components/responses/Unauthorized"},
                    "404": {"description": "No such user, or one the caller may not see."},
                },
            },
        },
        "/gds/timereports/v1/companies/{company}/teams/{team}": {
            "get": {
                "tags": ["gds time reports"],
                "operationId": "team_time_report",
                "summary": "A team's time report",
                "x-odesk-formats": ["json", "xml"],
                "x-odesk-access": {"name": "team_reports", "description": "Managers of the team and its company."},
                "parameters": [
                    {"name": "company", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "team", "in": "path", "required": True, "schema": {"type": "string"}},
                    {
                        "name": "tq",
                        "in": "query",
                        "required": True,
                        "description": "The query.",
                        "schema": {"type": "string"},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "The report.",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ReportEnvelope"}}},
                    },
                    "400": {"description": "The query does not parse."},
                    "403": {"description": "The caller may not see this team's reports."},
                },
            }
        },
        "/healthz": {
            "get": {
                "tags": ["operations"],
                "operationId": "healthz",
                "summary": "The process is up",
                "security": [],
                "responses": {
                    "200": {
                        "description": "Always.",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {"status": {"type": "string", "enum": ["ok"]}},
                                    "required": ["status"],
                                }
                            }
                        },
                    }
                },
            }
        },
    },
    "components": {
        "securitySchemes": {
            "oauth1": {
                "type": "http",
                "scheme": "OAuth",
                "description": "OAuth 1.0a (RFC 5849), HMAC-SHA1 or HMAC-SHA256",
            }
        },
        "responses": {"Unauthorized": {"description": "The signature or the token was refused."}},
        "schemas": {
            "TokenPair": {
                "type": "object",
                "properties": {"oauth_token": {"type": "string"}, "oauth_token_secret": {"type": "string"}},
                "required": ["oauth_token", "oauth_token_secret"],
            },
            "UserEnvelope": {
                "type": "object",
                "properties": {"user": {"$ref": "#/components/schemas/User"}},
                "required": ["user"],
            },
            "User": {
                "type": "object",
                "description": "A person of the organisation.",
                "properties": {
                    "reference": {"type": "string", "description": "Numeric id, as a string."},
                    "first_name": {"type": "string"},
                    "status": {"type": "string", "enum": ["active", "inactive"]},
                    "teams": {"type": "array", "items": {"$ref": "#/components/schemas/Team"}},
                },
                "required": ["reference"],
            },
            "Team": {
                "type": "object",
                "properties": {
                    "team_name": {"type": "string"},
                    "parent_team": {"anyOf": [{"$ref": "#/components/schemas/Team"}, {"type": "null"}]},
                },
            },
            "ReportEnvelope": {
                "type": "object",
                "properties": {
                    "table": {
                        "type": "object",
                        "properties": {
                            "cols": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "properties": {"label": {"type": "string"}, "column_type": {"type": "string"}},
                                },
                            },
                            "rows": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "properties": {
                                        "cell_value": {
                                            "anyOf": [{"type": "string"}, {"type": "number"}, {"type": "null"}]
                                        }
                                    },
                                },
                            },
                        },
                    }
                },
            },
        },
    },
}

HOSTILE = "<script>alert(1)</script>"

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


def _app(tmp_path) -> FastAPI:
    """The server app, with the pages and static files installed when app.py does not install them yet."""
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path}/docs.db"))
    if not any(getattr(route, "path", None) == "/docs" for route in app.routes):
        docs.install(app)
    return app


@pytest.fixture
def app(tmp_path) -> FastAPI:
    return _app(tmp_path)


def _client(app: FastAPI, document: dict[str, Any] | None = None) -> Iterator[TestClient]:
    if document is not None:
        app.state.openapi = lambda: document
    with TestClient(app) as client:
        yield client


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """A client of the app whose reference renders ``DOCUMENT``."""
    yield from _client(app, DOCUMENT)


class _Page(HTMLParser):
    """What a page links to (every src and href) and the ``lang`` of its ``html`` element."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href") and value is not None:
                self.links.append(value)
            if tag == "html" and name == "lang":
                self.lang = value


def _parsed(body: str) -> _Page:
    page = _Page()
    page.feed(body)
    return page


def _operations(body: str) -> dict[tuple[str, str], str]:
    """Each operation's section of the reference page by (VERB, path as shown without its suffix)."""
    sections: dict[tuple[str, str], str] = {}
    for section in re.findall(r'<section class="operation".*?</section>', body, re.DOTALL):
        heading = re.search(r'<span class="verb[^"]*">([A-Z]+)</span> <code class="path">([^<]*)', section)
        assert heading is not None, section[:200]
        sections[(heading.group(1), heading.group(2))] = section
    return sections


def _declared_operations(document: dict[str, Any]) -> Iterator[tuple[str, str, list[str]]]:
    """(VERB, path, parameter names) of every operation of an OpenAPI document."""
    for path, item in document["paths"].items():
        for method in docs.HTTP_METHODS:
            if method in item:
                declared = [*item.get("parameters", ()), *item[method].get("parameters", ())]
                names = [_resolved(document, p)["name"] for p in declared]
                yield method.upper(), path, names


def _resolved(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        for part in node["$ref"][2:].split("/"):
            document = document[part]
        node = document
    return node


def _assert_every_operation_shown(document: dict[str, Any], body: str) -> None:
    shown = _operations(body)
    declared = list(_declared_operations(document))
    assert len(shown) == len(declared)
    for verb, path, parameters in declared:
        section = shown[(verb, html.escape(path))]
        for name in parameters:
            assert f"<code>{html.escape(name)}</code>" in section, (verb, path, name)


# --- the pages answer, as HTML, with the security headers ---------------------------------------


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("path", ["/", "/docs", "/docs/"])
def test_pages_answer_html_with_security_headers(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    if method == "HEAD":
        assert response.content == b""
    else:
        page = _parsed(response.text)
        assert response.text.startswith("<!doctype html>")
        assert page.lang == "en"
        assert "<h1>" in response.text and "<main" in response.text


def test_the_pages_load_nothing_from_another_origin(client: TestClient) -> None:
    for path in ("/", "/docs"):
        page = _parsed(client.get(path).text)
        for link in page.links:
            external = re.match(r"[a-z][a-z0-9+.-]*:|//", link, re.IGNORECASE)
            # The one link the document itself gives may leave the server; nothing else may.
            assert not external or link == EXTERNAL_DOCS, (path, link)


def test_every_link_to_this_server_answers(client: TestClient) -> None:
    for path in ("/", "/docs"):
        for link in _parsed(client.get(path).text).links:
            if link.startswith(("/static/", "/docs")) or link == "/":
                assert client.get(link).status_code == 200, link


def test_landing_page_says_how_to_start(client: TestClient) -> None:
    body = client.get("/").text
    for expected in (
        'href="/docs"',
        'href="/openapi.json"',
        'href="/healthz"',
        'href="/readyz"',
        "/services/api/auth?oauth_token=REQUEST_TOKEN",
        "/api/auth/v1/oauth/token/request",
        "/api/auth/v1/oauth/token/access",
        "./scripts/run",
        "export PYTHON_ODESK_BASE_URL=http://127.0.0.1:8000",
        "odesk report time --company acme --team engineering",
    ):
        assert expected in body, expected


# --- the reference shows the document -----------------------------------------------------------


def test_reference_shows_every_operation_with_its_parameters(client: TestClient) -> None:
    _assert_every_operation_shown(DOCUMENT, client.get("/docs").text)


def test_reference_of_the_servers_own_document(app: FastAPI) -> None:
    if not hasattr(app.state, "openapi"):
        pytest.skip("the server does not describe itself yet")
    document = app.state.openapi()
    with TestClient(app) as client:
        response = client.get("/docs")
    assert response.status_code == 200
    _assert_every_operation_shown(document, response.text)


# (VERB, path as shown) -> what its section shows: the spec of the page as a table.
OPERATION_SHOWS = {
    ("POST", "/api/auth/v1/oauth/token/request"): [
        "Get a request token",
        '<code>oauth_callback</code></th><td>query</td><td class="type">string (uri)</td><td>optional</td>',
        "<code>oob</code> by default",
        "Signed request. <strong>oauth1</strong>: OAuth 1.0a (RFC 5849), HMAC-SHA1 or HMAC-SHA256.",
        "<code>application/x-www-form-urlencoded</code>",
        '<code class="field">oauth_token_secret</code> <span class="type">string</span>',
        '<th scope="row">401</th><td>The signature or the token was refused.</td>',
    ],
    ("GET", "/api/hr/v2/users/{user_reference}"): [
        '<span class="suffix">[.json|.xml]</span>',
        "An optional <code>.json</code> or <code>.xml</code> at the end of the path chooses the format.",
        '<strong class="access">same_company</strong>: Anyone in a company the user works for.',
        '<code>user_reference</code></th><td>path</td><td class="type">integer</td><td>required</td>',
        "<code>detail</code></th><td>query</td>"
        '<td class="type">string, one of &quot;brief&quot;, &quot;full&quot;, default &quot;brief&quot;</td>',
        'Type: <span class="type">UserEnvelope</span>',
        '<code class="field">user</code> <span class="type">User</span> <span class="required">required</span>'
        ' <span class="description">A person of the organisation.</span>',
        '<code class="field">reference</code> <span class="type">string</span> <span class="required">required</span>',
        '<code class="field">status</code> <span class="type">string, one of &quot;active&quot;, &quot;inactive&quot;',
        '<code class="field">teams</code> <span class="type">array of Team</span>',
        '<code class="field">team_name</code>',
        '<code class="field">parent_team</code> <span class="type">Team or null</span>',
        '<span class="recursive">(the fields of Team, above)</span>',
        "<code>application/json</code>, <code>application/xml</code>",
        '<th scope="row">404</th><td>No such user, or one the caller may not see.</td>',
    ],
    ("GET", "/gds/timereports/v1/companies/{company}/teams/{team}"): [
        '<strong class="access">team_reports</strong>',
        '<code>tq</code></th><td>query</td><td class="type">string</td><td>required</td>',
        '<code class="field">cols</code> <span class="type">array of object</span>',
        '<code class="field">column_type</code>',
        '<code class="field">cell_value</code> <span class="type">string or number or null</span>',
        '<th scope="row">400</th><td>The query does not parse.</td>',
    ],
    ("GET", "/healthz"): [
        "None: the call needs no signature.",
        "<h4>Parameters</h4>\n<p>None.</p>",
        '<code class="field">status</code> <span class="type">string, one of &quot;ok&quot;</span>',
    ],
}


@pytest.mark.parametrize("operation", list(OPERATION_SHOWS), ids=lambda key: f"{key[0]} {key[1]}")
def test_reference_shows_what_the_document_says(client: TestClient, operation: tuple[str, str]) -> None:
    section = _operations(client.get("/docs").text)[operation]
    for expected in OPERATION_SHOWS[operation]:
        assert expected in section, expected


def test_reference_groups_operations_by_tag_with_contents(client: TestClient) -> None:
    body = client.get("/docs").text
    headings = re.findall(r'<h2 id="tag-[^"]*-title">([^<]*)</h2>', body)
    assert headings == ["auth", "hr", "gds time reports", "operations"]
    contents = body[body.index('<nav class="toc"') : body.index("</nav>", body.index('<nav class="toc"'))]
    anchors = re.findall(r'href="#([^"]+)"', contents)
    for anchor in anchors:
        assert f'id="{anchor}"' in body
    assert len(anchors) == 4 + 4  # a link per tag and per operation
    assert '<a href="https://example.org/odesk-api-history" rel="noopener noreferrer">the historic API</a>' in body


def test_reference_escapes_what_the_document_says(app: FastAPI) -> None:
    hostile = copy.deepcopy(DOCUMENT)
    hostile["info"]["title"] = HOSTILE
    hostile["info"]["description"] = f"`{HOSTILE}`"
    hostile["externalDocs"] = {"url": "javascript:alert(1)", "description": HOSTILE}
    hostile["tags"][1] = {"name": HOSTILE, "description": HOSTILE}
    user = hostile["paths"]["/api/hr/v2/users/{user_reference}"]
    user["get"]["tags"] = [HOSTILE]
    user["get"]["summary"] = HOSTILE
    user["get"]["description"] = HOSTILE
    user["get"]["x-odesk-access"] = {"name": HOSTILE, "description": HOSTILE}
    user["get"]["x-odesk-formats"] = [HOSTILE]
    user["get"]["parameters"][0]["name"] = HOSTILE
    user["get"]["parameters"][0]["schema"]["enum"] = [HOSTILE]
    hostile["paths"][f"/api/{HOSTILE}"] = {
        "get": {"operationId": HOSTILE, "responses": {"418": {"description": HOSTILE}}}
    }
    hostile["components"]["schemas"]["User"]["properties"][HOSTILE] = {"type": HOSTILE, "description": HOSTILE}
    for client in _client(app, hostile):
        body = client.get("/docs").text
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "javascript:" not in body
    assert re.findall(r"<script[^>]*>", body) == ['<script src="/static/docs.js" defer>']
    _assert_every_operation_shown(hostile, body)


def test_reference_of_an_empty_document(app: FastAPI) -> None:
    for client in _client(app, {"openapi": "3.1.0", "info": {"title": "Nothing", "version": "0"}, "paths": {}}):
        response = client.get("/docs")
    assert response.status_code == 200
    assert "The document describes no operations." in response.text


# --- static files --------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/static/docs.css", "text/css"),
        ("/static/docs.js", "text/javascript"),
    ],
)
def test_static_files_are_served_with_their_type(client: TestClient, method: str, path: str, content_type: str) -> None:
    response = client.request(method, path)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == content_type
    assert response.headers["x-content-type-options"] == "nosniff"
    assert int(response.headers["content-length"]) > 0


@pytest.mark.parametrize(
    "path",
    ["/static/nothing.css", "/static/", "/static/%2e%2e/docs.py", "/static/..%2fdocs.py", "/static/docs.css/x"],
)
def test_unknown_static_files_are_404(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404
