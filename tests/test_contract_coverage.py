"""Which client router methods the server answers: the client contract, walked call by call.

Every public method of every router ``odesk.Client`` attaches (``client.hr``,
``client.mc``, ... : the documented contract, 113 methods) is called through
the real client with plausible arguments. The request it would send is
caught at the httpx transport, before the network, and handed to the
server's own ``CompatMiddleware`` (path suffix, ``/gds`` alias,
``http_method`` override) so the verb and path are the ones the server
routes. That pair is then matched against the routes of ``create_app()``
with Starlette's ``Route.matches``.

A method the server does not answer yet (no route, or a route for another
verb) is listed in ``NOT_BUILT_YET``. The list is the to-do list of the
server: the test fails when a listed method gains a route (delete its line)
and when an unlisted method has none. No database, no server process: the
app is built but never connected.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.routing import BaseRoute, Match
from starlette.types import Message, Scope

import odesk
from odesk.namespaces import GdsNamespace, Namespace
from odesk_server.app import create_app
from odesk_server.compat import CompatMiddleware
from odesk_server.settings import Settings

#: public methods of the routers; a changed count means the contract changed
ROUTER_METHOD_COUNT = 113

# Methods the server does not answer yet, with why; every documented method is served today.
NOT_BUILT_YET: dict[str, str] = {}

#: a plausible value for every required parameter, by name (the docs' examples where they give one)
ARGUMENTS: dict[str, Any] = {
    "accounting_id": "1001",
    "action_name": "accept",
    "agency_id": "acme:agency",
    "amount": "100.00",
    "application_id": "2001",
    "body": "Could you start on Monday?",
    "buyer_company_id": "acme",
    "buyer_team__reference": "3001",
    "buyer_team_id": "acme:engineering",
    "buyer_team_reference": "3001",
    "charge_amount": "25.00",
    "charge_rate": "30.00",
    "code": "T-17",
    "comments": "Bonus for the release",
    "company_id": "acme",
    "company_or_team_id": "acme:engineering",
    "company_referece": "4001",
    "contract_id": "5001",
    "contract_reference": "5001",
    "cover": "We would like to talk to you about this job.",
    "csv_data": "acme,acme:engineering,alice,T-17,Release,http://example.com/T-17",
    "date": "20240115",
    "deposit_amount": "500.00",
    "description": "Ship the release",
    "engagement": "5001",
    "engagement_ref": "5001",
    "engagement_reference": "5001",
    "job_id": "6001",
    "job_key": "~~9f3b2c1d4e5a6b7c",
    "job_reference": "6001",
    "job_type": "hourly",
    "memo": "Reviewing pull requests",
    "message": "Paused for the holidays",
    "message_to_contractor": "Welcome aboard",
    "milestone_description": "First delivery",
    "milestone_id": "7001",
    "note2client": "Delivered, please review",
    "note2contractor": "Thanks, well done",
    "offer_id": "8001",
    "offer_reference": "8001",
    "provider_ciphertext": "~~2a4c6e8f0b1d3f5a",
    "provider_company_id": "agency",
    "provider_id": "alice",
    "provider_team_id": "agency:dev",
    "query": "SELECT worked_on, hours WHERE worked_on >= '2024-01-01'",
    "reason": "API_REAS_JOB_COMPLETED_SUCCESSFULLY",
    "reason_code": 41,
    "reason_type": "EndProviderContract",
    "recipients": ["bob"],
    "subject": "Next sprint",
    "submission_id": "9001",
    "task_code": "T-17",
    "task_codes": ["T-17", "T-18"],
    "team_id": "acme:engineering",
    "team_reference": "3001",
    "thread_id": "1101",
    "thread_ids": ["1101", "1102"],
    "title": "Python developer",
    "tray": "inbox",
    "url": "http://example.com/T-17",
    "user_id": "alice",
    "user_reference": "1201",
    "username": "alice",
    "visibility": "public",
    "would_hire_again": "yes",
}

#: optional arguments some methods need to pass their own validation
OVERRIDES: dict[str, dict[str, Any]] = {
    "hr_v1.invite_to_interview": {"profile_key": "~~2a4c6e8f0b1d3f5a"},
    "hr.post_job": {"category": "Web Development", "subcategory": "Web Programming", "budget": 500},
    "hr.update_job": {"budget": 500, "status": "open"},
    "hr.post_offer": {"profile_key": "~~2a4c6e8f0b1d3f5a"},
}

#: further calls of a method whose optional arguments change the URL; a method is
#: served only when every form of its URL is
VARIANTS: dict[str, tuple[dict[str, Any], ...]] = {
    "timereport.get_provider_report": ({"hours": True},),
    "timereport.get_company_report": ({"hours": True},),
    "timereport.get_team_report": ({"hours": True},),
    "timereport.get_agency_report": ({"hours": True},),
    "hr.get_company_users": ({"active": False},),
    "mc.get_trays": ({"username": "alice"},),
    "mc.get_thread_by_context": ({"last_posts": True},),
    "mc.post_message": ({"thread_id": "1101"},),
    "team.get_snapshot": ({"datetime": "1705312800"},),
    "team.update_snapshot": ({"datetime": "1705312800"},),
    "team.delete_snapshot": ({"datetime": "1705312800"},),
    "team.get_workdiaries": ({"date": "20240115"},),
    "team_v2.get_snapshot_by_contract": ({"datetime": "1705312800"},),
    "team_v2.update_snapshot_by_contract": ({"datetime": "1705312800"},),
    "team_v2.delete_snapshot_by_contract": ({"datetime": "1705312800"},),
}

BASE_URL = "http://odesk.test"


# --------------------------------------------------------------------------
# The client side: what each method puts on the wire


class Captured(Exception):
    """Raised by the transport in place of sending: carries the signed request."""

    def __init__(self, request: httpx.Request) -> None:
        super().__init__(f"{request.method} {request.url}")
        self.request = request


def _capture(request: httpx.Request) -> httpx.Response:
    request.read()
    raise Captured(request)


def router_methods(client: odesk.Client) -> dict[str, Callable[..., Any]]:
    """``{"hr.get_user_me": bound method, ...}`` for every public method of every router.

    A router is a client attribute holding a Namespace from ``odesk.routers``;
    the request helpers every Namespace has (``get``, ``post``, ...) are not its own.
    """
    shared = set(dir(GdsNamespace))
    methods: dict[str, Callable[..., Any]] = {}
    for attribute, router in vars(client).items():
        if not isinstance(router, Namespace) or not type(router).__module__.startswith("odesk.routers."):
            continue
        for name, _ in inspect.getmembers(type(router), inspect.isfunction):
            if not name.startswith("_") and name not in shared:
                methods[f"{attribute}.{name}"] = getattr(router, name)
    return methods


def call_arguments(qualified_name: str, method: Callable[..., Any]) -> dict[str, Any]:
    """Keyword arguments for ``method``: ``ARGUMENTS`` for the required ones, then ``OVERRIDES``."""
    arguments: dict[str, Any] = {}
    for parameter in inspect.signature(method).parameters.values():
        if parameter.default is inspect.Parameter.empty:
            assert parameter.name in ARGUMENTS, (
                f"{qualified_name}: add a plausible value for its parameter {parameter.name!r} to ARGUMENTS"
            )
            arguments[parameter.name] = ARGUMENTS[parameter.name]
    arguments.update(OVERRIDES.get(qualified_name, {}))
    return arguments


def sent_request(qualified_name: str, method: Callable[..., Any], arguments: Mapping[str, Any]) -> httpx.Request:
    """The request ``method(**arguments)`` sends (it is caught before the network)."""
    try:
        method(**arguments)
    except Captured as captured:
        return captured.request
    except Exception as error:  # the arguments do not pass the method's own checks
        raise AssertionError(
            f"{qualified_name}(**{dict(arguments)}) raised {error!r}: fix ARGUMENTS or OVERRIDES"
        ) from error
    raise AssertionError(f"{qualified_name}(**{dict(arguments)}) sent no request")


# --------------------------------------------------------------------------
# The server side: how the app routes that request


@dataclass(frozen=True)
class RoutedCall:
    """A request as the server's router sees it: after ``CompatMiddleware``."""

    method: str
    path: str

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def as_routed(request: httpx.Request) -> RoutedCall:
    """Run ``request`` through the server's ``CompatMiddleware``; return the verb and path it routes."""
    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": request.method,
        "scheme": "http",
        "path": request.url.path,
        "raw_path": request.url.raw_path.split(b"?", 1)[0],
        "query_string": request.url.query,
        "root_path": "",
        "headers": [(key.lower(), value) for key, value in request.headers.raw],
    }
    seen: list[Scope] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": request.content, "more_body": False}

    async def send(message: Message) -> None:  # the inner app never answers
        raise AssertionError(f"unexpected response message {message['type']}")

    async def inner(inner_scope: Scope, _receive: Any, _send: Any) -> None:
        seen.append(inner_scope)

    asyncio.run(CompatMiddleware(inner)(scope, receive, send))
    return RoutedCall(seen[0]["method"], seen[0]["path"])


def served_by(routes: list[BaseRoute], call: RoutedCall) -> tuple[BaseRoute | None, list[BaseRoute]]:
    """``(route that answers call, routes with its path but another verb)``, as Starlette matches."""
    scope: Scope = {"type": "http", "method": call.method, "path": call.path, "root_path": ""}
    partial: list[BaseRoute] = []
    for route in routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return route, partial
        if match is Match.PARTIAL:
            partial.append(route)
    return None, partial


# --------------------------------------------------------------------------
# The walk


@dataclass(frozen=True)
class MethodCoverage:
    """What one router method sends and whether the server answers every form of it."""

    name: str
    calls: tuple[RoutedCall, ...]
    missing: tuple[str, ...]  # one line per call no route answers, saying why

    @property
    def served(self) -> bool:
        return not self.missing


@pytest.fixture(scope="module")
def client() -> Iterator[odesk.Client]:
    with odesk.Client(
        "consumer-key",
        "consumer-secret",
        "access-token",
        "access-secret",
        base_url=BASE_URL,
        transport=httpx.MockTransport(_capture),
    ) as contract_client:
        yield contract_client


@pytest.fixture(scope="module")
def routes(tmp_path_factory: pytest.TempPathFactory) -> list[BaseRoute]:
    database_file = tmp_path_factory.mktemp("contract") / "odesk.db"
    app = create_app(Settings(database_url=f"sqlite:///{database_file}"))
    # building the app must not touch the database: this test has none
    assert not database_file.exists()
    return list(app.routes)


@pytest.fixture(scope="module")
def coverage(client: odesk.Client, routes: list[BaseRoute]) -> dict[str, MethodCoverage]:
    result: dict[str, MethodCoverage] = {}
    for name, method in sorted(router_methods(client).items()):
        arguments = call_arguments(name, method)
        forms = [arguments] + [{**arguments, **variant} for variant in VARIANTS.get(name, ())]
        calls: list[RoutedCall] = []
        missing: list[str] = []
        for form in forms:
            call = as_routed(sent_request(name, method, form))
            calls.append(call)
            route, other_verbs = served_by(routes, call)
            if route is None and other_verbs:
                missing.append(f"{call}: the path is served for another verb only")
            elif route is None:
                missing.append(f"{call}: no route")
        result[name] = MethodCoverage(name, tuple(calls), tuple(missing))
    return result


ROUTING_CASES = [
    # (verb and URL the client sends, form body, verb and path the server routes, served?)
    ("GET", "/api/hr/v2/users/me.json", None, "GET /api/hr/v2/users/me", True),
    ("GET", "/api/hr/v2/users/me.xml", None, "GET /api/hr/v2/users/me", True),
    ("GET", "/gds/hr/v2/teams", None, "GET /api/hr/v2/teams", True),
    ("GET", "/gds/timereports/v1/providers/alice", None, "GET /gds/timereports/v1/providers/alice", True),
    ("POST", "/api/hr/v2/users/me.json", None, "POST /api/hr/v2/users/me", False),
    ("POST", "/api/hr/v2/jobs/6001.json", {"http_method": "put"}, "PUT /api/hr/v2/jobs/6001", True),
    ("POST", "/api/hr/v2/jobs/6001.json?http_method=delete", None, "DELETE /api/hr/v2/jobs/6001", True),
    ("POST", "/api/hr/v2/jobs.json", {"http_method": "delete"}, "DELETE /api/hr/v2/jobs", False),
    ("GET", "/api/mc/v1/trays.json", None, "GET /api/mc/v1/trays", True),
    ("GET", "/api/mc/v9/nowhere.json", None, "GET /api/mc/v9/nowhere", False),
]


@pytest.mark.parametrize(("verb", "url", "form", "routed", "served"), ROUTING_CASES)
def test_a_request_is_routed_as_the_server_routes_it(
    routes: list[BaseRoute], verb: str, url: str, form: dict[str, str] | None, routed: str, served: bool
) -> None:
    call = as_routed(httpx.Request(verb, BASE_URL + url, data=form))
    route, _ = served_by(routes, call)
    assert (str(call), route is not None) == (routed, served)


def test_router_method_count(client: odesk.Client) -> None:
    count = len(router_methods(client))
    assert count == ROUTER_METHOD_COUNT, (
        f"the client's routers have {count} public methods, not {ROUTER_METHOD_COUNT}: "
        "update ROUTER_METHOD_COUNT, and NOT_BUILT_YET for a method the server lacks"
    )


def test_every_table_entry_names_a_router_method(client: odesk.Client) -> None:
    names = set(router_methods(client))
    for table in (NOT_BUILT_YET, OVERRIDES, VARIANTS):
        assert set(table) <= names, f"not router methods: {sorted(set(table) - names)}"


def test_the_server_answers_every_method_not_listed(coverage: dict[str, MethodCoverage]) -> None:
    unserved = {
        name: entry.missing for name, entry in coverage.items() if not entry.served and name not in NOT_BUILT_YET
    }
    assert not unserved, f"no server route for these calls (build them, or list them in NOT_BUILT_YET): {unserved}"


def test_not_built_yet_lists_only_methods_without_a_route(coverage: dict[str, MethodCoverage]) -> None:
    built = sorted(name for name in NOT_BUILT_YET if coverage[name].served)
    assert not built, f"now served, delete from NOT_BUILT_YET: {built}"
