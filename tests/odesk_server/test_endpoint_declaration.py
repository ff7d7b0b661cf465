"""``api.endpoint``: what one declaration gives every endpoint, through a real app and database.

A test namespace (``/api/probe/v1``) is declared here and installed on the
real app: parameters by wire name, the access rule before the handler,
problems mapped to their responses, one unit of work committed or rolled
back as a whole, verbs and 405s, the envelope in JSON and XML.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Literal

import pytest
import sqlalchemy as sa
from oauth_signing import assert_error, consumer_signer, send, served_app
from pydantic import Field

from odesk_server.api import endpoint
from odesk_server.api.endpoint import CONSUMER, PUBLIC, SIGNED_IN, Api, Call, Params, Reply, render_json, requires
from odesk_server.api.params import Flag, PathKey, StatusFilter
from odesk_server.models import Company, User
from odesk_server.problems import Conflict, Forbidden, Invalid, NotFound

probe = Api("probe", "endpoints of the declaration tests")
BASE = "/api/probe/v1"


class EchoParams(Params):
    ref: PathKey
    flag: Flag = False
    status: StatusFilter = None
    count: int = 1
    kind: Literal["a", "b"] = "a"
    page_size: int = Field(default=10, alias="page-size", ge=1, le=100)


@probe.get(f"{BASE}/echo/{{ref}}", access=SIGNED_IN, params=EchoParams)
def echo(call: Call[EchoParams]) -> dict[str, object]:
    """Echo the parsed parameters."""
    scores = {k: v for k, v in call.raw_params.items() if k.startswith("fb_scores[")}
    return {"echo": call.params.model_dump(), "uid": call.user.uid, **({"scores": scores} if scores else {})}


class NameParams(Params):
    first_name: str
    fail: Literal["", "not_found", "forbidden", "invalid", "conflict", "crash"] = ""


_PROBLEMS = {"not_found": NotFound, "forbidden": Forbidden, "invalid": Invalid, "conflict": Conflict}


@probe.post(f"{BASE}/me/name", access=SIGNED_IN, params=NameParams)
def rename(call: Call[NameParams]) -> dict[str, object]:
    """Rename the caller, then fail as asked: nothing of a failed request stays."""
    call.db.session.execute(sa.update(User).where(User.id == call.user.id).values(first_name=call.params.first_name))
    if call.params.fail == "crash":
        raise RuntimeError("the handler crashed")
    if call.params.fail:
        raise _PROBLEMS[call.params.fail](f"refused: {call.params.fail}")
    return {"renamed": call.params.first_name}


@probe.get(f"{BASE}/me/name", access=SIGNED_IN)
def read_name(call: Call[Params]) -> dict[str, object]:
    """The caller's first name, as stored."""
    name = call.db.connection.execute(sa.select(User.first_name).where(User.id == call.user.id)).scalar_one()
    return {"first_name": name}


def _only_owners(call: Call[Params]) -> None:
    # The check runs in the request's unit of work.
    owned = sa.select(Company.id).where(Company.owner_user_id == call.user.id).limit(1)
    if call.db.connection.execute(owned).first() is None:
        raise Forbidden("Only a company's owner may call this")


@probe.get(f"{BASE}/owners", access=requires("owner", "a company's owner only", _only_owners))
def owners_only(call: Call[Params]) -> dict[str, object]:
    """Reached only past the access rule."""
    return {"ok": "yes"}


@probe.get(f"{BASE}/public", access=PUBLIC, render=render_json, head=True)
async def public(call: Call[Params]) -> Reply:
    """No signature, no database."""
    return Reply({"public": True}, headers={"X-Probe": "1"})


@pytest.fixture
def client(mutable_demo_database):
    url, credentials = mutable_demo_database
    with served_app(url) as client:
        endpoint.install(client.app_under_test, [probe])
        yield client, credentials


def _get(client, credentials, path, params=None, role="owner", method="GET"):
    return send(client, consumer_signer(credentials, role), method, path, params)


# --------------------------------------------------------------------------
# Declaring


def test_a_declaration_needs_an_access_rule():
    api = Api("x")
    with pytest.raises(TypeError, match="access must be an Access rule"):
        api.get("/api/x/v1/y", access=None)
    with pytest.raises(TypeError):
        api.get("/api/x/v1/y")  # type: ignore[call-arg]


def test_a_path_parameter_needs_a_field():
    api = Api("x")
    with pytest.raises(ValueError, match="no field of NoParams for ref"):
        api.get("/api/x/v1/{ref}", access=SIGNED_IN)(lambda call: {})


def test_a_verb_and_path_is_declared_once():
    api = Api("x")
    api.get("/api/x/v1/y", access=SIGNED_IN)(lambda call: {})
    with pytest.raises(ValueError, match="declared twice"):
        api.get("/api/x/v1/y", access=SIGNED_IN)(lambda call: {})


def test_the_envelope_needs_a_verified_caller():
    api = Api("x")
    for rule in (PUBLIC, CONSUMER):
        with pytest.raises(ValueError, match="needs a verified caller"):
            api.get(f"/api/x/v1/{rule.name}", access=rule)(lambda call: {})


# --------------------------------------------------------------------------
# Parameters


def test_parameters_are_read_by_wire_name_and_type(client):
    client, credentials = client
    params = {"flag": "True", "status": "inactive", "count": "7", "kind": "b", "page-size": "25", "other": "ignored"}
    response = _get(client, credentials, f"{BASE}/echo/acme.json", params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["echo"] == {
        "ref": "acme",
        "flag": True,
        "status": "inactive",
        "count": 7,
        "kind": "b",
        "page_size": 25,
    }
    assert set(body) == {"server_time", "auth_user", "echo", "uid"}
    # A family of bracketed names reaches the handler as sent.
    body = _get(client, credentials, f"{BASE}/echo/acme.json", {"fb_scores[3]": "4.5", "fb_scores[9]": "5"}).json()
    assert body["scores"] == {"fb_scores[3]": "4.5", "fb_scores[9]": "5"}


def test_defaults_and_empty_values(client):
    client, credentials = client
    body = _get(client, credentials, f"{BASE}/echo/1001", {"status": "", "flag": ""}).json()
    assert body["echo"] == {"ref": "1001", "flag": False, "status": None, "count": 1, "kind": "a", "page_size": 10}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"flag": "maybe"}, "flag must be true or false, got 'maybe'"),
        ({"status": "gone"}, "status must be active or inactive, got 'gone'"),
        ({"kind": "c"}, "kind must be a or b, got 'c'"),
        ({"count": "seven"}, "count: Input should be a valid integer"),
        ({"page-size": "0"}, "page-size: Input should be greater than or equal to 1"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(client, params, message):
    client, credentials = client
    assert_error(_get(client, credentials, f"{BASE}/echo/acme", params), 400, "bad_request", message)


def test_a_missing_required_parameter_is_named(client):
    client, credentials = client
    response = _get(client, credentials, f"{BASE}/me/name", {}, method="POST")
    assert_error(response, 400, "bad_request", "first_name is required")


def test_an_unsigned_request_is_refused_before_its_parameters_are_read(client):
    client, _credentials = client
    response = client.get(f"{BASE}/echo/acme?flag=maybe")
    assert_error(response, 401, "parameter_absent")


# --------------------------------------------------------------------------
# Access rules, problems, the unit of work


def test_the_access_rule_runs_before_the_handler(client):
    client, credentials = client
    assert_error(_get(client, credentials, f"{BASE}/owners", role="member"), 403, "access_denied", "Only a company's")
    assert _get(client, credentials, f"{BASE}/owners").json()["ok"] == "yes"


@pytest.mark.parametrize(
    ("fail", "status", "code"),
    [
        ("not_found", 404, "not_found"),
        ("forbidden", 403, "access_denied"),
        ("invalid", 400, "bad_request"),
        ("conflict", 409, "conflict"),
    ],
)
def test_a_problem_becomes_its_response_and_rolls_back(client, fail, status, code):
    client, credentials = client
    before = _get(client, credentials, f"{BASE}/me/name").json()["first_name"]
    response = _get(client, credentials, f"{BASE}/me/name", {"first_name": "Lost", "fail": fail}, method="POST")
    assert_error(response, status, code, f"refused: {fail}")
    assert _get(client, credentials, f"{BASE}/me/name").json()["first_name"] == before


def test_a_crash_is_a_500_and_rolls_back(client):
    client, credentials = client
    before = _get(client, credentials, f"{BASE}/me/name").json()["first_name"]
    response = _get(client, credentials, f"{BASE}/me/name", {"first_name": "Lost", "fail": "crash"}, method="POST")
    assert_error(response, 500, "internal_error")
    assert "crashed" not in response.text
    assert _get(client, credentials, f"{BASE}/me/name").json()["first_name"] == before


def test_a_handler_that_returns_commits(client):
    client, credentials = client
    response = _get(client, credentials, f"{BASE}/me/name", {"first_name": "Kept"}, method="POST")
    assert response.json()["renamed"] == "Kept"
    assert _get(client, credentials, f"{BASE}/me/name").json()["first_name"] == "Kept"
    # The JSON body and the http_method override reach the same declaration.
    response = _get(
        client, credentials, f"{BASE}/me/name", {"first_name": "Again", "http_method": "post"}, method="POST"
    )
    assert response.json()["renamed"] == "Again"


# --------------------------------------------------------------------------
# Verbs, formats


def test_an_undeclared_verb_is_405_with_the_declared_ones(client):
    client, credentials = client
    response = _get(client, credentials, f"{BASE}/me/name", method="DELETE")
    assert_error(response, 405, "method_not_allowed")
    assert set(response.headers["allow"].split(", ")) == {"GET", "POST"}
    response = _get(client, credentials, f"{BASE}/echo/acme", method="HEAD")
    assert response.status_code == 405 and response.headers["allow"] == "GET"


def test_head_where_declared_and_public_endpoints(client):
    client, _credentials = client
    response = client.get(f"{BASE}/public")
    assert response.json() == {"public": True} and response.headers["x-probe"] == "1"
    head = client.head(f"{BASE}/public")
    assert head.status_code == 200 and head.content == b"" and head.headers["x-probe"] == "1"


def test_the_xml_suffix_renders_the_envelope_in_xml(client):
    client, credentials = client
    response = _get(client, credentials, f"{BASE}/echo/acme.xml", {"count": "3"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    assert root.findtext("echo/count") == "3"
    assert root.findtext("auth_user/uid") == credentials.roles["owner"].uid


def test_domain_errors_map_to_their_documented_responses():
    from odesk_server import problems
    from odesk_server.domain.engagements import EngagementRuleError

    assert problems.response_of(EngagementRuleError("a closed engagement is final")) == (400, "bad_request")

    class Gone(NotFound):
        pass

    assert problems.response_of(Gone("x")) == (404, "not_found")
    assert problems.response_of(problems.Problem("x")) == (400, "bad_request")
    assert problems.response_of(problems.WrongState("the milestone is not funded")) == (400, "invalid_state")


def test_shared_parameter_types():
    import datetime as dt
    from decimal import Decimal

    from odesk_server.api.endpoint import _parse
    from odesk_server.api.params import Money, Page, PageParam, UsDate
    from odesk_server.errors import ApiError

    class Shared(Params):
        page: PageParam = Page(0, 20)
        amount: Money | None = None
        due: UsDate | None = None

    parsed = _parse(Shared, {"page": "40;10", "amount": "150.5", "due": "12-31-2026"})
    assert parsed.page == Page(40, 10) and parsed.amount == Decimal("150.50") and parsed.due == dt.date(2026, 12, 31)
    assert _parse(Shared, {"page": "None;None"}).page == Page(0, 20)
    assert _parse(Shared, {"due": "2026-01-02"}).due == dt.date(2026, 1, 2)
    for values, message in [
        ({"page": "20"}, "page must be offset;count"),
        ({"page": "-1;20"}, "offset >= 0"),
        ({"page": "0;100000"}, "count <= 200"),
        ({"amount": "0"}, "amount must be more than 0"),
        ({"amount": "-5"}, "amount must be more than 0"),
        ({"amount": "1.005"}, "at most two decimal places"),
        ({"amount": "1e3"}, "amount must be an amount like 150.00"),
        ({"amount": "NaN"}, "amount must be an amount like 150.00"),
        ({"amount": "ten"}, "amount must be an amount like 150.00"),
        ({"due": "31/12/2026"}, "due must be a date as mm-dd-yyyy"),
    ]:
        with pytest.raises(ApiError) as raised:
            _parse(Shared, values)
        assert raised.value.status == 400 and message in raised.value.message, (values, raised.value.message)
