"""``odesk.AsyncClient`` against the real server, and many clients at once (no lost or mixed-up answers)."""

from __future__ import annotations

import asyncio
import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest

import odesk
from odesk.exceptions import HTTP403ForbiddenError
from odesk.utils import Q, Query, Table
from tests.e2e.e2e_support import Server

SINCE = (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=30)).isoformat()
QUERY = Query(["sum(hours)"], Q("worked_on") >= SINCE)


def _async_client(server: Server, role: str) -> odesk.AsyncClient:
    creds = server.role(role)
    return odesk.AsyncClient(
        server.consumer_key, server.consumer_secret, creds.token, creds.token_secret, base_url=server.base_url
    )


def test_async_client_routers(server: Server) -> None:
    async def scenario() -> tuple:
        async with _async_client(server, "owner") as client:
            me, teams, report = await asyncio.gather(
                client.hr.get_user_me(),
                client.hr.get_teams(),
                client.timereport.get_company_report("acme", QUERY),
            )
            with pytest.raises(HTTP403ForbiddenError):
                await client.timereport.get_provider_report("jwalker", QUERY)
            return me, teams, report

    me, teams, report = asyncio.run(scenario())
    assert me["id"] == server.role("owner").uid
    assert [t["id"] for t in teams] == [t["id"] for t in server.credentials["teams"]]
    sync = server.client("owner").timereport.get_company_report("acme", QUERY)
    assert Table(report["table"]).rows == Table(sync["table"]).rows


def test_async_oauth_flow(server: Server) -> None:
    from tests.e2e.e2e_support import submit_authorize_page

    async def scenario() -> str:
        async with odesk.AsyncClient(server.consumer_key, server.consumer_secret, base_url=server.base_url) as client:
            url = await client.auth.get_authorize_url()
            approval = await asyncio.to_thread(submit_authorize_page, url, server.role("member").uid, server.password)
            token, secret = await client.auth.get_access_token(approval.shown_verifier)
        async with odesk.AsyncClient(
            server.consumer_key, server.consumer_secret, token, secret, base_url=server.base_url
        ) as authorized:
            return (await authorized.hr.get_user_me())["id"]

    assert asyncio.run(scenario()) == server.role("member").uid


ROLE_REPORTS = {
    "owner": lambda c: c.timereport.get_team_report("acme", "acme", QUERY),
    "hiring_manager": lambda c: c.timereport.get_team_report("acme", "engineering", QUERY),
    "finance": lambda c: c.timereport.get_team_report("acme", "marketing", QUERY),
    "staffing_manager": lambda c: c.timereport.get_agency_report("brightcode", "brightcode", QUERY),
    "provider": lambda c: c.timereport.get_provider_report("jwalker", QUERY),
}


def test_concurrent_clients_get_their_own_answers(server: Server) -> None:
    """Five roles, four rounds each, all at once: every answer names its caller and matches the serial one."""
    expected = {role: (Table(run(server.client(role))["table"]).rows) for role, run in ROLE_REPORTS.items()}

    def call(role: str) -> tuple[str, str, list]:
        result = ROLE_REPORTS[role](server.client(role))
        return role, result["auth_user"]["uid"], Table(result["table"]).rows

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(call, [role for _ in range(4) for role in ROLE_REPORTS]))
    assert len(results) == 20
    for role, uid, rows in results:
        assert uid == server.role(role).uid
        assert rows == expected[role]


def test_client_survives_a_server_restart(server: Server, tmp_path) -> None:
    """A client holding pooled keep-alive connections keeps working when the server restarts on the same port."""
    from tests.e2e.e2e_support import free_port, start_serve, stop_process_group

    port = free_port()
    proc, base_url, _ = start_serve(server.database_url, server.env, tmp_path / "first.stderr", port=port)
    try:
        owner = server.role("owner")
        client = odesk.Client(
            server.consumer_key, server.consumer_secret, owner.token, owner.token_secret, base_url=base_url
        )
        assert client.hr.get_user_me()["id"] == owner.uid
    finally:
        stop_process_group(proc)
    proc, _, _ = start_serve(server.database_url, server.env, tmp_path / "second.stderr", port=port)
    try:
        assert client.hr.get_user_me()["id"] == owner.uid
        assert client.timereport.get_company_report("acme", QUERY)["table"]["rows"]
    finally:
        stop_process_group(proc)
