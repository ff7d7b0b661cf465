"""The reads of activities: a team's activities, their contracts, a contract's activities."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row

from odesk_server.access.keys import as_reference
from odesk_server.db.work import UnitOfWork
from odesk_server.models import Activity, ActivityAssignment, Engagement, Team, User

# A contract as the activity rules need it: id, reference, buyer_team_id, provider_user_id, status.
ContractRow = Row[Any]

_CONTRACT = sa.select(
    Engagement.id, Engagement.reference, Engagement.buyer_team_id, Engagement.provider_user_id, Engagement.status
)


def activities_of(
    work: UnitOfWork, team_id: int, codes: Collection[str] | None = None, *, for_update: bool = False
) -> list[Activity]:
    """The activities of the team ``team_id`` (only ``codes`` when given), by code; loaded for changing."""
    query = sa.select(Activity).where(Activity.team_id == team_id)
    if codes is not None:
        query = query.where(Activity.code.in_(sorted(codes)))
    if for_update:
        query = query.with_for_update()
    return list(work.session.scalars(query.order_by(Activity.code)))


def activities_of_teams(work: UnitOfWork, team_ids: Collection[int]) -> Mapping[tuple[int, str], Activity]:
    """The activities of ``team_ids``, by ``(team id, code)``, loaded for changing (the batch's upserts)."""
    query = sa.select(Activity).where(Activity.team_id.in_(sorted(team_ids))).with_for_update()
    return {(activity.team_id, activity.code): activity for activity in work.session.scalars(query)}


def contract_references(work: UnitOfWork, activity_ids: Collection[int]) -> Mapping[int, list[int]]:
    """The references of the contracts each of ``activity_ids`` is assigned to, in order."""
    if not activity_ids:
        return {}
    rows = work.connection.execute(
        sa.select(ActivityAssignment.activity_id, Engagement.reference)
        .join(Engagement, Engagement.id == ActivityAssignment.engagement_id)
        .where(ActivityAssignment.activity_id.in_(sorted(activity_ids)))
        .order_by(Engagement.reference)
    ).all()
    found: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        found[row.activity_id].append(row.reference)
    return found


def contracts_by_reference(work: UnitOfWork, keys: Collection[str]) -> Mapping[str, ContractRow]:
    """The contracts ``keys`` (reference numbers as text) name, by key; a key naming none is left out."""
    references = {key: as_reference(key) for key in keys}
    wanted = sorted({reference for reference in references.values() if reference is not None})
    if not wanted:
        return {}
    rows = work.connection.execute(_CONTRACT.where(Engagement.reference.in_(wanted))).all()
    by_reference = {row.reference: row for row in rows}
    return {key: by_reference[ref] for key, ref in references.items() if ref is not None and ref in by_reference}


def open_contracts_of_teams(work: UnitOfWork, team_ids: Collection[int]) -> Sequence[ContractRow]:
    """The contracts (not closed) whose buyer team is one of ``team_ids``, by reference."""
    query = _CONTRACT.where(Engagement.buyer_team_id.in_(sorted(team_ids)), Engagement.status != "closed")
    return work.connection.execute(query.order_by(Engagement.reference)).all()


def open_contracts_of_provider(work: UnitOfWork, user_key: str, team_ids: Collection[int]) -> Sequence[ContractRow]:
    """The contracts (not closed) of the provider ``user_key`` (uid or reference) with one of ``team_ids``."""
    reference = as_reference(user_key)
    who = sa.or_(User.uid == user_key, User.reference == reference) if reference is not None else User.uid == user_key
    query = _CONTRACT.join(User, User.id == Engagement.provider_user_id).where(
        who, Engagement.buyer_team_id.in_(sorted(team_ids)), Engagement.status != "closed"
    )
    return work.connection.execute(query.order_by(Engagement.reference)).all()


def assigned_ids(work: UnitOfWork, engagement_id: int, activity_ids: Collection[int]) -> set[int]:
    """Of ``activity_ids``, those assigned to the contract ``engagement_id``."""
    if not activity_ids:
        return set()
    rows = work.connection.execute(
        sa.select(ActivityAssignment.activity_id).where(
            ActivityAssignment.engagement_id == engagement_id,
            ActivityAssignment.activity_id.in_(sorted(activity_ids)),
        )
    )
    return set(rows.scalars())


def activities_of_contract(work: UnitOfWork, engagement_id: int) -> list[Activity]:
    """The activities assigned to the contract ``engagement_id``, by team then code."""
    query = (
        sa.select(Activity)
        .join(ActivityAssignment, ActivityAssignment.activity_id == Activity.id)
        .join(Team, Team.id == Activity.team_id)
        .where(ActivityAssignment.engagement_id == engagement_id)
        .order_by(Team.reference, Activity.code)
    )
    return list(work.session.scalars(query))


def teams_by_id(work: UnitOfWork, team_ids: Collection[int]) -> Mapping[int, Row[Any]]:
    """``id -> (id, reference, team_id, name)`` of the teams ``team_ids``, for the payloads."""
    if not team_ids:
        return {}
    rows = work.connection.execute(
        sa.select(Team.id, Team.reference, Team.team_id, Team.name).where(Team.id.in_(sorted(team_ids)))
    ).all()
    return {row.id: row for row in rows}


def assignment_pairs(work: UnitOfWork, activity_ids: Collection[int]) -> set[tuple[int, int]]:
    """The ``(activity id, engagement id)`` assignments of ``activity_ids``."""
    if not activity_ids:
        return set()
    rows = work.connection.execute(
        sa.select(ActivityAssignment.activity_id, ActivityAssignment.engagement_id).where(
            ActivityAssignment.activity_id.in_(sorted(activity_ids))
        )
    ).all()
    return {(row.activity_id, row.engagement_id) for row in rows}
