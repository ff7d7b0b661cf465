"""Helpers of the time tracker and team room tests: a new contractor, his contracts, his uploads.

A contractor made for the test (``odesk-server user create`` and ``token
create``, as an administrator would) has no demo time, so every ten minutes
up to now are free for his uploads. He is hired through the API (a job, an
offer, its acceptance), so his contracts start today (UTC); a test that
uploads earlier time moves a contract's start back (``start_contract_on``,
in the server's database), so its uploads do not depend on the time of day.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import httpx
import sqlalchemy as sa

from tests.e2e.e2e_support import Role, Server

TRACKER = "/api/team/v2/snapshots/contracts/{contract}"
WEB = {"category": "Web Development", "subcategory": "Web Programming"}
SEGMENT = dt.timedelta(minutes=10)
# The fields of a snapshot object, as every team route answers it.
SNAPSHOT_KEYS = {
    "time",
    "cellts",
    "uid",
    "user_id",
    "contract",
    "company_id",
    "team_id",
    "team__reference",
    "memo",
    "task",
    "active_window_title",
    "computer_name",
    "status",
    "billing_status",
    "activity",
    "online_presence",
    "keyboard_events_count",
    "mouse_events_count",
    "keyboard_per_minute",
    "mouse_per_minute",
    "screenshot_url",
    "screenshot_img",
    "screenshot_img_med",
    "screenshot_img_lrg",
    "screenshot_img_thmb",
    "snapshot_api",
    "workdiary_api",
}


def new_contractor(server: Server, uid: str, first_name: str, last_name: str) -> None:
    """Create the provider ``uid`` and an access token for him, known to ``server`` as the role ``uid``."""
    server.admin(
        "user",
        "create",
        "--uid",
        uid,
        "--email",
        f"{uid}@example.com",
        "--first-name",
        first_name,
        "--last-name",
        last_name,
        "--timezone",
        "Europe/Lisbon",
        "--provider",
    )
    issued = server.admin("token", "create", "--user", uid, "--consumer", server.consumer_key).stdout
    token = re.search(r"^token:\s+(\S+)$", issued, re.M)
    secret = re.search(r"^secret:\s+(\S+)$", issued, re.M)
    assert token and secret, issued
    server.extra_roles[uid] = Role(uid, token.group(1), secret.group(1))


def hire(
    server: Server,
    contractor: str,
    team: str = "acme:engineering",
    *,
    rate: str = "45.00",
    weekly_limit: str | None = None,
    fixed_price: str | None = None,
) -> str:
    """The reference of a new active contract of ``contractor`` with ``team``, made by the owner; hourly by default."""
    owner = server.client("owner")
    team_ref = server.team(team)["reference"]
    if fixed_price is not None:
        job = owner.hr.post_job(team_ref, "Landing page", "fixed-price", "One page.", "private", **WEB, budget=500)
        terms: dict[str, Any] = {"fixed_charge_amount_agreed": fixed_price}
    else:
        job = owner.hr.post_job(
            team_ref, "Tracked work", "hourly", "Hours on the tracker.", "private", **WEB, duration=40
        )
        terms = {"hourly_pay_rate": rate}
        if weekly_limit is not None:
            terms["weekly_hours_limit"] = weekly_limit
    offer = owner.hr.post_offer(
        job["job"]["reference"], provider_reference=contractor, engagement_title="Tracked work", **terms
    )["offer"]
    accepted = server.client(contractor).offers.accept_or_decline(offer["reference"], "accept")["offer"]
    return accepted["engagement__reference"]


def start_contract_on(server: Server, contract: str, day: dt.date) -> None:
    """Make ``contract`` start on ``day``, in ``server``'s database (test setup: no API moves a start back)."""
    engagements = sa.table("engagements", sa.column("reference", sa.BigInteger), sa.column("started_on", sa.Date))
    engine = sa.create_engine(server.database_url)
    try:
        with engine.begin() as connection:
            changed = connection.execute(
                sa.update(engagements).where(engagements.c.reference == int(contract)).values(started_on=day)
            )
            assert changed.rowcount == 1, contract
    finally:
        engine.dispose()


def stamp(moment: dt.datetime) -> str:
    """A moment as the tracker sends it: ``yyyymmddTHHMMSSZ``."""
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def current_segment(now: dt.datetime | None = None) -> dt.datetime:
    """The start of the ten minutes holding ``now`` (default: this moment), UTC."""
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return now.replace(minute=now.minute - now.minute % 10, second=0, microsecond=0)


def upload_form(server: Server, role: str, contract: str, fields: dict[str, str]) -> httpx.Response:
    """POST one snapshot's ``fields`` as a form to the tracker route, signed as ``role``; the raw response."""
    url = server.base_url + TRACKER.format(contract=contract)
    return server.client(role).urlopen(url, fields, "POST")


def upload_json(server: Server, role: str, contract: str, body: Any) -> httpx.Response:
    """POST ``body`` as JSON to the tracker route, signed (OAuth header) as ``role``; the raw response.

    A JSON body is not part of an OAuth 1.0 signature: the header signs the URL and verb.
    """
    url = server.base_url + TRACKER.format(contract=contract)
    creds = server.role(role)
    headers = server.client(role).auth.get_oauth_params(
        url, creds.token, creds.token_secret, None, "POST", to_header=True
    )
    headers["Content-Type"] = "application/json"
    return httpx.post(url, content=json.dumps(body), headers=headers, timeout=30)


def error_of(response: httpx.Response) -> tuple[int, str, str]:
    """``(status, code, message)`` of an error response."""
    error = response.json()["error"]
    return response.status_code, error["code"], error["message"]
