"""The reads of team rooms: who may open a room, who is in it, each member's latest snapshot; screenshot keys.

A team room is a buyer team seen from the time tracker: its members are the
contractors with a contract on the team, each shown with his latest
snapshot on those contracts. These functions read rows for keys they are
given and decide nothing about permissions (``api.teamrooms`` does, on the
caller's organisation scope).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row

from odesk_server.db.work import UnitOfWork
from odesk_server.models import Engagement, Snapshot, User, UserRole
from odesk_server.queries.snapshots import SNAPSHOT_ROWS

# A contract of a room with its contractor: engagement_id, reference, status, started_on, user_id, uid,
# first_name, last_name, timezone, user_status.
MemberContract = Row[Any]

_MEMBER_CONTRACTS = (
    sa.select(
        Engagement.id.label("engagement_id"),
        Engagement.reference,
        Engagement.status,
        Engagement.started_on,
        User.id.label("user_id"),
        User.uid,
        User.first_name,
        User.last_name,
        User.timezone,
        User.status.label("user_status"),
    )
    .join(User, User.id == Engagement.provider_user_id)
    .order_by(User.last_name, User.first_name, User.uid, Engagement.reference)
)


def team_room_roles(work: UnitOfWork, user_id: int) -> frozenset[int]:
    """The teams (primary keys) on which ``user_id`` holds a role with ``has_team_room_access``."""
    rows = work.connection.execute(
        sa.select(UserRole.team_id).where(UserRole.user_id == user_id, UserRole.has_team_room_access.is_(True))
    ).all()
    return frozenset(team_id for (team_id,) in rows)


def member_contracts(work: UnitOfWork, team_ids: Collection[int]) -> list[MemberContract]:
    """Every contract (any status) whose buyer team is one of ``team_ids``, with its contractor.

    Ordered by the contractor's last name, first name and uid, then by contract reference.
    """
    if not team_ids:
        return []
    return list(work.connection.execute(_MEMBER_CONTRACTS.where(Engagement.buyer_team_id.in_(sorted(team_ids)))))


def latest_snapshots(
    work: UnitOfWork, engagement_ids: Collection[int], since: dt.datetime | None = None
) -> Mapping[int, Row[Any]]:
    """Per contractor (user primary key), his latest snapshot on the contracts ``engagement_ids``.

    The rows are ``queries.snapshots.SNAPSHOT_ROWS`` rows; ``since`` leaves
    out snapshots taken before it (a contractor with none after it has no
    entry). "Latest" is the latest ten-minute segment, then the latest
    moment taken.
    """
    if not engagement_ids:
        return {}
    ids = sorted(engagement_ids)
    # The latest segment of each contract (the unique (contract, segment) index answers it), then those rows.
    newest = sa.select(Snapshot.engagement_id, sa.func.max(Snapshot.segment_at).label("segment_at")).where(
        Snapshot.engagement_id.in_(ids)
    )
    if since is not None:
        newest = newest.where(Snapshot.taken_at >= since)
    per_contract = newest.group_by(Snapshot.engagement_id).subquery()
    rows = work.connection.execute(
        SNAPSHOT_ROWS.join(
            per_contract,
            sa.and_(
                per_contract.c.engagement_id == Snapshot.engagement_id,
                per_contract.c.segment_at == Snapshot.segment_at,
            ),
        )
    ).all()
    found: dict[int, Row[Any]] = {}
    for row in rows:
        held = found.get(row.provider_user_id)
        if held is None or (row.segment_at, row.taken_at, row.id) > (held.segment_at, held.taken_at, held.id):
            found[row.provider_user_id] = row
    return found


def snapshot_rows(work: UnitOfWork, snapshot_ids: Collection[int]) -> list[Row[Any]]:
    """The ``SNAPSHOT_ROWS`` rows of ``snapshot_ids``, in time order."""
    if not snapshot_ids:
        return []
    return list(
        work.connection.execute(
            SNAPSHOT_ROWS.where(Snapshot.id.in_(sorted(snapshot_ids))).order_by(Snapshot.segment_at, Snapshot.id)
        )
    )


def screenshot_exists(work: UnitOfWork, image_key: str) -> bool:
    """Whether a snapshot has the screenshot key ``image_key``."""
    found = work.connection.execute(sa.select(Snapshot.id).where(Snapshot.image_key == image_key).limit(1)).first()
    return found is not None
