"""The errors a user meets, as the client raises them: the server's status, code and message."""

from __future__ import annotations

import re

import pytest

import odesk
from odesk.exceptions import (
    HTTP400BadRequestError,
    HTTP401UnauthorizedError,
    HTTP403ForbiddenError,
    HTTP404NotFoundError,
    IncorrectJsonResponseError,
)
from tests.e2e.e2e_support import Server

FORBIDDEN_REPORTS = [
    (
        "hiring_manager",
        "timereport",
        "get_team_report",
        ("acme", "marketing"),
        "SELECT worked_on, sum(hours)",
        "You need hiring manager or finance permission on the team marketing of the company acme",
    ),
    (
        "finance",
        "timereport",
        "get_team_report",
        ("acme", "engineering"),
        "SELECT provider_id, sum(hours)",
        "A query naming provider_id is about providers and needs a supervisor of those providers: "
        "manage_employment on the team engineering of the company acme or on a team below it",
    ),
    (
        "member",
        "timereport",
        "get_company_report",
        ("acme",),
        "SELECT worked_on, sum(hours)",
        "You need hiring or finance permission on every team of the company acme",
    ),
    (
        "provider",
        "timereport",
        "get_provider_report",
        ("akowalski",),
        "SELECT worked_on, sum(hours)",
        "Only the provider akowalski may run this provider's time report",
    ),
    (
        "owner",
        "timereport",
        "get_company_report",
        ("nosuch",),
        "SELECT worked_on",
        "You need hiring or finance permission on every team of the company nosuch",
    ),
    (
        "hiring_manager",
        "finreport",
        "get_buyer_companies_billings",
        ("acme:acme",),
        "SELECT amount",
        "Only the owner of the company acme:acme may run this report",
    ),
]


@pytest.mark.parametrize(("role", "router", "method", "args", "tq", "message"), FORBIDDEN_REPORTS)
def test_forbidden_report_is_403(
    server: Server, role: str, router: str, method: str, args: tuple, tq: str, message: str
) -> None:
    client = server.client(role)
    with pytest.raises(HTTP403ForbiddenError) as caught:
        getattr(getattr(client, router), method)(*args, tq)
    error = caught.value
    assert (error.code, error.error_code, error.error_message) == (403, "access_denied", message)
    assert str(error) == f"HTTP Error 403: Code access_denied: {message}"


@pytest.mark.parametrize(
    ("tq", "message"),
    [
        ("SELEC worked_on", 'Unexpected token "SELEC" at position 0'),
        ("SELECT worked_on WHERE", "Unexpected end of query at position 22"),
        ("SELECT company_id", 'Column "company_id" does not exist in table'),  # hidden on the company report
        ("SELECT worked_on WHERE worked_on > 'notadate'", "Invalid date \"notadate\" (expected 'yyyy-MM-dd')"),
    ],
)
def test_invalid_query_is_400_with_the_servers_message(server: Server, tq: str, message: str) -> None:
    with pytest.raises(HTTP400BadRequestError) as caught:
        server.client("owner").timereport.get_company_report("acme", tq)
    error = caught.value
    assert (error.code, error.error_code, error.error_message) == (400, "invalid_query", message)


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        ({"consumer_secret": "0" * 32}, "signature_invalid", "Invalid signature"),
        ({"token_secret": "0" * 32}, "signature_invalid", "Invalid signature"),
        ({"token": "0" * 32}, "token_rejected", "Unknown access token"),
        ({"consumer_key": "0" * 32}, "consumer_key_unknown", "Unknown consumer key"),
    ],
)
def test_bad_credentials_are_401(server: Server, change: dict[str, str], code: str, message: str) -> None:
    owner = server.role("owner")
    values = {
        "consumer_key": server.consumer_key,
        "consumer_secret": server.consumer_secret,
        "token": owner.token,
        "token_secret": owner.token_secret,
        **change,
    }
    client = odesk.Client(
        values["consumer_key"],
        values["consumer_secret"],
        values["token"],
        values["token_secret"],
        base_url=server.base_url,
    )
    with pytest.raises(HTTP401UnauthorizedError) as caught:
        client.hr.get_user_me()
    error = caught.value
    assert (error.code, error.error_code, error.error_message) == (401, code, message)


def test_revoked_consumer_and_its_tokens_are_401_at_once(server: Server) -> None:
    """``odesk-server consumer create`` / ``token create`` / ``consumer revoke`` against the running server."""
    created = server.admin("consumer", "create", "--name", f"e2e revoke test {server.kind}").stdout
    key = re.search(r"^key:\s+(\S+)$", created, re.M).group(1)
    secret = re.search(r"^secret:\s+(\S+)$", created, re.M).group(1)
    issued = server.admin("token", "create", "--user", server.role("finance").uid, "--consumer", key).stdout
    token = re.search(r"^token:\s+(\S+)$", issued, re.M).group(1)
    token_secret = re.search(r"^secret:\s+(\S+)$", issued, re.M).group(1)
    client = odesk.Client(key, secret, token, token_secret, base_url=server.base_url)
    assert client.hr.get_user_me()["id"] == server.role("finance").uid
    assert server.admin("consumer", "revoke", key).returncode == 0
    with pytest.raises(HTTP401UnauthorizedError) as caught:
        client.hr.get_user_me()
    assert caught.value.code == 401
    assert (caught.value.error_code, caught.value.error_message) == (
        "consumer_key_rejected",
        "The consumer key has been revoked",
    )
    with pytest.raises(HTTP401UnauthorizedError):
        client.timereport.get_company_report("acme", "SELECT worked_on")
    # the demo's own consumer is untouched
    assert server.client("finance").hr.get_user_me()["id"] == server.role("finance").uid
    again = server.admin("consumer", "revoke", key, check=False)
    assert again.returncode == 1
    assert "already revoked" in again.stderr


def test_unknown_company_is_404(server: Server) -> None:
    with pytest.raises(HTTP404NotFoundError) as caught:
        server.client("owner").hr.get_company_users("nosuch:company")
    assert (caught.value.error_code, caught.value.error_message) == (
        "not_found",
        "No company with reference or id 'nosuch:company'",
    )


def test_non_json_success_is_incorrect_json_response(server: Server) -> None:
    client = server.client("owner")
    with pytest.raises(IncorrectJsonResponseError):
        client.timereport.get("companies/acme/teams/engineering", {"tq": "SELECT worked_on", "tqx": "out:csv"})


@pytest.mark.parametrize(
    ("method", "path", "status", "code", "message"),
    [
        ("GET", "/api/hr/v2/nothing", 404, "unsupported", "No such resource: GET /api/hr/v2/nothing.json"),
        ("POST", "/api/hr/v2/teams", 405, "method_not_allowed", "Method POST is not allowed on /api/hr/v2/teams.json"),
        (
            "DELETE",
            "/api/hr/v2/teams/acme:engineering",
            405,
            "method_not_allowed",
            "Method DELETE is not allowed on /api/hr/v2/teams/acme:engineering.json",
        ),
    ],
)
def test_unknown_resource_and_method(
    server: Server, method: str, path: str, status: int, code: str, message: str
) -> None:
    from odesk.exceptions import HTTPError

    with pytest.raises(HTTPError) as caught:
        server.client("owner").read(server.base_url + path, {"a": "b"}, method=method)
    error = caught.value
    assert (error.code, error.error_code, error.error_message) == (status, code, message)
