"""Every error is JSON with the HTTP status and the X-Odesk-Error-* headers."""

from __future__ import annotations

import pytest
from fastapi import APIRouter
from oauth_signing import assert_error, served_app

from odesk_server.errors import ApiError, error_headers, header_safe


@pytest.fixture
def client(migrated_database_url):
    with served_app(migrated_database_url) as client:
        router = APIRouter()

        @router.get("/api/boom/v1/crash")
        def crash() -> None:
            raise RuntimeError("secret internals: password=hunter2")

        @router.get("/api/boom/v1/teapot")
        def teapot() -> None:
            raise ApiError(418, "teapot", "I am a teapot\r\nX-Injected: yes")

        @router.get("/api/boom/v1/typed")
        def typed(count: int) -> dict[str, int]:
            return {"count": count}

        client.app_under_test.include_router(router)
        yield client


@pytest.mark.parametrize(
    ("method", "path", "status", "code", "message"),
    [
        # A route the server does not have is ``unsupported``; ``not_found`` is an object the caller may not see.
        ("GET", "/api/nothing/v1/here.json", 404, "unsupported", "No such resource: GET /api/nothing/v1/here.json"),
        ("GET", "/nowhere", 404, "unsupported", "No such resource: GET /nowhere"),
        ("POST", "/", 405, "method_not_allowed", "Method POST is not allowed on /"),
        ("GET", "/api/hr/v2/nothing.json", 404, "unsupported", "No such resource: GET /api/hr/v2/nothing.json"),
        (
            "POST",
            "/gds/timereports/v1/nothing",
            404,
            "unsupported",
            "No such resource: POST /gds/timereports/v1/nothing",
        ),
        (
            "DELETE",
            "/api/hr/v2/teams.json",
            405,
            "method_not_allowed",
            "Method DELETE is not allowed on /api/hr/v2/teams.json",
        ),
        ("GET", "/api/boom/v1/typed?count=abc", 400, "bad_request", "Invalid request parameters: count:"),
        ("GET", "/api/boom/v1/typed", 400, "bad_request", "count: Field required"),
        ("GET", "/api/boom/v1/crash", 500, "internal_error", "The server failed to handle this request"),
        ("GET", "/api/boom/v1/teapot", 418, "teapot", "I am a teapot"),
    ],
)
def test_error_responses(client, method, path, status, code, message):
    response = client.request(method, path)
    assert_error(response, status, code, message)
    assert response.headers["content-type"] == "application/json"


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "HEAD"])
@pytest.mark.parametrize("path", ["/api/hr/v2/teams.json", "/api/hr/v2/users/abc.xml", "/api/hr/v2/companies"])
def test_hr_routes_answer_other_verbs_with_405(client, method, path):
    """The HR routes are Starlette routes: HEAD must not slip through as it does for a plain GET route."""
    response = client.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    assert response.headers["x-odesk-error-code"] == "method_not_allowed"
    assert response.headers["x-odesk-error-message"] == f"Method {method} is not allowed on {path}"
    if method != "HEAD":
        assert_error(response, 405, "method_not_allowed", f"Method {method} is not allowed on {path}")


def test_internal_errors_do_not_leak(client):
    response = client.get("/api/boom/v1/crash")
    assert "hunter2" not in response.text and "RuntimeError" not in response.text


def test_error_headers_cannot_be_injected(client):
    response = client.get("/api/boom/v1/teapot")
    assert "x-injected" not in response.headers
    assert response.headers["x-odesk-error-message"] == "I am a teapot X-Injected: yes"
    # The body keeps the message as raised.
    assert response.json()["error"]["message"] == "I am a teapot\r\nX-Injected: yes"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", "plain"),
        ("two\nlines", "two lines"),
        ("caf\u00e9 \u2603", "caf? ?"),
        ("x" * 400, "x" * 300),
    ],
)
def test_header_safe(text, expected):
    assert header_safe(text) == expected


def test_error_headers_names():
    assert error_headers("not_found", "No team") == {
        "X-Odesk-Error-Code": "not_found",
        "X-Odesk-Error-Message": "No team",
    }
