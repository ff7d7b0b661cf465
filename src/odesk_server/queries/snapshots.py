"""The reads of work diaries: snapshots with their contract and people, and their wire shape.

``SNAPSHOT_ROWS`` selects a snapshot with what its object shows (the
contract's reference, the contractor, the buyer team and company); callers
add their conditions. ``snapshot_object`` turns one row into the snapshot
object every team route answers:

``{time, cellts, uid, user_id, contract, company_id, team_id, team__reference,
memo, task, active_window_title, computer_name, status, billing_status,
activity, online_presence, keyboard_events_count, mouse_events_count,
keyboard_per_minute, mouse_per_minute, screenshot_url, screenshot_img,
screenshot_img_med, screenshot_img_lrg, screenshot_img_thmb, snapshot_api,
workdiary_api}``: ``time`` is when the screenshot was taken and ``cellts``
the start of its ten minutes (UNIX seconds, as text); ``activity`` the
minutes of the ten with keyboard or mouse input; ``online_presence`` one
``1``/``0`` per minute; ``billing_status`` ``billed.active`` for an
invoiced week, ``not_billed.active`` otherwise. The screenshot fields lead
to the server's placeholder images (``/screenshots/{key}.svg``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row
from typing_extensions import TypedDict

from odesk_server.db.work import UnitOfWork
from odesk_server.models import Company, Engagement, LedgerEntry, Snapshot, Team, User

SNAPSHOT_ROWS = (
    sa.select(
        Snapshot.id,
        Snapshot.engagement_id,
        Snapshot.segment_at,
        Snapshot.taken_at,
        Snapshot.memo,
        Snapshot.task,
        Snapshot.window_title,
        Snapshot.computer_name,
        Snapshot.keyboard_per_minute,
        Snapshot.mouse_per_minute,
        Snapshot.image_key,
        Engagement.reference.label("contract_reference"),
        Engagement.buyer_team_id,
        Engagement.provider_user_id,
        Engagement.agency_company_id,
        User.uid.label("provider_uid"),
        Team.team_id.label("team_id"),
        Team.reference.label("team_reference"),
        Company.company_id.label("company_id"),
    )
    .join(Engagement, Engagement.id == Snapshot.engagement_id)
    .join(User, User.id == Engagement.provider_user_id)
    .join(Team, Team.id == Engagement.buyer_team_id)
    .join(Company, Company.id == Team.company_id)
)


class SnapshotObject(TypedDict):
    """A snapshot as every team route shows it (``snapshot_object``)."""

    time: str
    cellts: str
    uid: str
    user_id: str
    contract: str
    company_id: str
    team_id: str
    team__reference: str
    memo: str
    task: str
    active_window_title: str
    computer_name: str
    status: str
    billing_status: str
    activity: str
    online_presence: str
    keyboard_events_count: str
    mouse_events_count: str
    keyboard_per_minute: str
    mouse_per_minute: str
    screenshot_url: str
    screenshot_img: str
    screenshot_img_med: str
    screenshot_img_lrg: str
    screenshot_img_thmb: str
    snapshot_api: str
    workdiary_api: str


def billed_until(work: UnitOfWork, engagement_ids: Collection[int]) -> Mapping[int, dt.date]:
    """Per contract, the day of its latest hourly invoice: its time before that day is billed."""
    if not engagement_ids:
        return {}
    rows = work.connection.execute(
        sa.select(LedgerEntry.engagement_id, sa.func.max(LedgerEntry.date))
        .where(
            LedgerEntry.engagement_id.in_(sorted(engagement_ids)),
            LedgerEntry.type == "Invoice",
            LedgerEntry.subtype == "Hourly",
        )
        .group_by(LedgerEntry.engagement_id)
    ).all()
    return {engagement_id: day for engagement_id, day in rows if day is not None}


def screenshot_urls(base_url: str, image_key: str) -> dict[str, str]:
    """The screenshot fields of a snapshot: the placeholder image and its sizes."""
    image = f"{base_url}/screenshots/{image_key}.svg"
    return {
        "screenshot_url": image,
        "screenshot_img": image,
        "screenshot_img_med": f"{image}?size=med",
        "screenshot_img_lrg": f"{image}?size=lrg",
        "screenshot_img_thmb": f"{image}?size=thmb",
    }


def _counts(text: str) -> list[int]:
    return [int(piece) for piece in text.split(",")] if text else []


def _epoch(moment: dt.datetime) -> str:
    return str(int(moment.timestamp()))


def snapshot_object(row: Row[Any], base_url: str, billed: Mapping[int, dt.date]) -> SnapshotObject:
    """The wire object of a ``SNAPSHOT_ROWS`` row (see the module docstring)."""
    keyboard = _counts(row.keyboard_per_minute)
    mouse = _counts(row.mouse_per_minute)
    presence = ["1" if k or m else "0" for k, m in zip(keyboard, mouse)]
    segment = row.segment_at.astimezone(dt.UTC)
    invoiced = billed.get(row.engagement_id)
    stamp = segment.strftime("%Y%m%dT%H%M%SZ")
    images = screenshot_urls(base_url, row.image_key)
    return {
        "time": _epoch(row.taken_at),
        "cellts": _epoch(segment),
        "uid": f"{row.contract_reference}:{stamp}",
        "user_id": row.provider_uid,
        "contract": str(row.contract_reference),
        "company_id": row.company_id,
        "team_id": row.team_id,
        "team__reference": str(row.team_reference),
        "memo": row.memo,
        "task": row.task,
        "active_window_title": row.window_title,
        "computer_name": row.computer_name,
        "status": "NORMAL",
        "billing_status": "billed.active"
        if invoiced is not None and segment.date() < invoiced
        else "not_billed.active",
        "activity": str(presence.count("1")),
        "online_presence": ",".join(presence),
        "keyboard_events_count": str(sum(keyboard)),
        "mouse_events_count": str(sum(mouse)),
        "keyboard_per_minute": row.keyboard_per_minute,
        "mouse_per_minute": row.mouse_per_minute,
        "screenshot_url": images["screenshot_url"],
        "screenshot_img": images["screenshot_img"],
        "screenshot_img_med": images["screenshot_img_med"],
        "screenshot_img_lrg": images["screenshot_img_lrg"],
        "screenshot_img_thmb": images["screenshot_img_thmb"],
        "snapshot_api": f"{base_url}/api/team/v2/snapshots/contracts/{row.contract_reference}/{stamp}.json",
        "workdiary_api": (
            f"{base_url}/api/team/v2/workdiaries/contracts/{row.contract_reference}/{segment.strftime('%Y%m%d')}.json"
        ),
    }


def snapshot_objects(work: UnitOfWork, rows: list[Row[Any]], base_url: str) -> list[SnapshotObject]:
    """The wire objects of ``rows`` (one query for the invoiced weeks of their contracts)."""
    billed = billed_until(work, {row.engagement_id for row in rows})
    return [snapshot_object(row, base_url, billed) for row in rows]
