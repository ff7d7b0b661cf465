"""``/openapi.json``: every route of the server is described, with oDesk names, security and shapes."""

from __future__ import annotations

import pytest
from oauth_signing import served_app
from openapi_spec_validator import validate
from starlette.routing import Mount, Route

from odesk_server.api.endpoint import is_declared


@pytest.fixture
def served(demo_database):
    url, _credentials = demo_database
    with served_app(url) as client:
        response = client.get("/openapi.json")
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        yield client.app_under_test, response.json()


def test_the_document_is_valid_openapi_3_1(served):
    _app, document = served
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_every_route_is_in_the_document(served):
    app, document = served
    listed = {(path, verb.upper()) for path, item in document["paths"].items() for verb in item}
    missing = []
    for route in app.router.routes:
        if isinstance(route, Mount):  # the static files of the pages
            assert route.path == "/static"
            continue
        assert isinstance(route, Route), route
        for method in route.methods or ():
            if method == "HEAD" and not is_declared(route):
                continue  # Starlette adds HEAD to every page's GET
            if (route.path, method) not in listed:
                missing.append(f"{method} {route.path}")
    assert not missing
    # And nothing listed that the server does not route.
    routed = {(r.path, m) for r in app.router.routes if isinstance(r, Route) for m in r.methods or ()}
    assert listed <= routed


def test_every_operation_names_its_access_rule_and_formats(served):
    _app, document = served
    operations = [op for item in document["paths"].values() for op in item.values()]
    assert len({op["operationId"] for op in operations}) == len(operations)
    for operation in operations:
        assert operation["x-odesk-access"]["name"] and operation["x-odesk-access"]["description"]
        assert operation["x-odesk-formats"]
        assert "200" in operation["responses"]
        access = operation["x-odesk-access"]["name"]
        if access in ("public", "page"):
            assert operation["security"] == []
        elif access == "consumer":
            assert operation["security"] == [{"oauth1": []}]
        else:  # acting for a user: an OAuth signature or a signed-in browser's cookie
            assert operation["security"] == [{"oauth1": []}, {"session": []}]
    assert document["components"]["securitySchemes"]["session"]["in"] == "cookie"
    assert document["components"]["securitySchemes"]["oauth1"] == {
        "type": "http",
        "scheme": "OAuth",
        "description": document["components"]["securitySchemes"]["oauth1"]["description"],
    }


def test_hr_parameters_keep_their_odesk_names(served):
    _app, document = served
    team = document["paths"]["/api/hr/v2/teams/{ref}"]["get"]
    params = {p["name"]: p for p in team["parameters"]}
    assert params["ref"]["in"] == "path" and params["ref"]["required"] is True
    assert params["include_users"]["in"] == "query" and params["include_users"]["required"] is False
    users = document["paths"]["/api/hr/v2/companies/{ref}/users"]["get"]
    status = {p["name"]: p for p in users["parameters"]}["status_in_company"]
    assert {"enum": ["active", "inactive"], "type": "string"} in status["schema"]["anyOf"]
    report = document["paths"]["/gds/timereports/v1/companies/{company}/teams/{team}"]["get"]
    assert {p["name"] for p in report["parameters"]} == {"company", "team", "tq", "tqx"}
    assert report["x-odesk-access"]["name"] == "report_permissions"
    assert "csv" in report["x-odesk-formats"]


def test_response_shapes_resolve_to_the_documented_keys(served):
    _app, document = document_of(served)
    schemas = document["components"]["schemas"]
    body = document["paths"]["/api/hr/v2/teams/{ref}"]["get"]["responses"]["200"]["content"]["application/json"]
    envelope_ref, reply = body["schema"]["allOf"]
    assert envelope_ref == {"$ref": "#/components/schemas/Envelope"}
    assert set(schemas["Envelope"]["properties"]) == {"server_time", "auth_user"}
    reply_schema = schemas[reply["$ref"].rsplit("/", 1)[1]]
    assert reply_schema["required"] == ["team"]
    team_schema = schemas[reply_schema["properties"]["team"]["$ref"].rsplit("/", 1)[1]]
    assert "parent_team__reference" in team_schema["properties"]
    error = document["paths"]["/api/hr/v2/teams/{ref}"]["get"]["responses"]["404"]
    assert error["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def document_of(served):
    return served


def test_the_api_reference_page_shows_every_operation(demo_database):
    url, _credentials = demo_database
    with served_app(url) as client:
        document = client.get("/openapi.json").json()
        page = client.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for path, item in document["paths"].items():
        for operation in item.values():
            assert operation["operationId"] in page.text, path
