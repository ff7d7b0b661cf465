"""The reads of the Team API's routes: the contracts a diary covers, its snapshots for a day, the days worked.

The snapshot rows and their wire objects are ``queries.snapshots``; this
module finds what the routes name (a company, a team, a user, a contract,
looked up without the caller's organisation scope: a staffing manager reads
his agency's contractors' diaries on companies he is no member of) and the
rows around them. Nothing here decides who may read what: ``DiaryContract``
rows carry the parties, and ``access.rules.standing`` decides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row

from odesk_server.access.keys import as_reference, company_ids, usable
from odesk_server.access.scope import USER_COLUMNS
from odesk_server.db.work import UnitOfWork
from odesk_server.models import Company, Engagement, Snapshot, Team, TimeLog, User
from odesk_server.queries.snapshots import SNAPSHOT_ROWS

# The longest uid a user may have (``User.uid``): a longer key names no one.
_MAX_UID = 64

# A contract as a diary needs it: ``id``, ``reference``, ``buyer_team_id``,
# ``provider_user_id``, ``agency_company_id`` and the contractor's ``provider_timezone``.
DiaryContract = Row[Any]

_CONTRACTS = sa.select(
    Engagement.id,
    Engagement.reference,
    Engagement.buyer_team_id,
    Engagement.provider_user_id,
    Engagement.agency_company_id,
    User.timezone.label("provider_timezone"),
).join(User, User.id == Engagement.provider_user_id)


def _reference_or(column_key: Any, column_reference: Any, keys: Iterable[str], key: str) -> sa.ColumnElement[bool]:
    reference = as_reference(key)
    by_text = column_key.in_(sorted(set(keys)))
    return sa.or_(by_text, column_reference == reference) if reference is not None else by_text


def company_by_key(work: UnitOfWork, key: str) -> Row[Any] | None:
    """The company (``id``, ``reference``, ``company_id``) whose reference, text id or short form is ``key``."""
    if not usable(key):
        return None
    return work.connection.execute(
        sa.select(Company.id, Company.reference, Company.company_id)
        .where(_reference_or(Company.company_id, Company.reference, company_ids(key), key))
        .order_by(Company.id)
        .limit(1)
    ).first()


def team_by_key(work: UnitOfWork, key: str) -> Row[Any] | None:
    """The team (``id``, ``company_id``) whose reference or text id is ``key``, or None."""
    if not usable(key):
        return None
    return work.connection.execute(
        sa.select(Team.id, Team.company_id)
        .where(_reference_or(Team.team_id, Team.reference, (key,), key))
        .order_by(Team.id)
        .limit(1)
    ).first()


def teams_below(work: UnitOfWork, team_id: int, company_id: int) -> frozenset[int]:
    """The team ``team_id`` of the company ``company_id`` and every team below it (primary keys)."""
    children: dict[int, list[int]] = {}
    for pk, parent in work.connection.execute(
        sa.select(Team.id, Team.parent_team_id).where(Team.company_id == company_id)
    ):
        if parent is not None:
            children.setdefault(parent, []).append(pk)
    found: set[int] = set()
    pending = [team_id]
    while pending:
        pk = pending.pop()
        if pk not in found:
            found.add(pk)
            pending.extend(children.get(pk, ()))
    return frozenset(found)


def user_by_key(work: UnitOfWork, key: str) -> Row[Any] | None:
    """The user (every column, as ``USER_COLUMNS``) whose reference or uid is ``key``, or None."""
    if not usable(key):
        return None
    reference = as_reference(key)
    if reference is not None:
        found = work.connection.execute(USER_COLUMNS.where(User.reference == reference)).first()
        if found is not None:
            return found
    if len(key) > _MAX_UID:
        return None
    return work.connection.execute(USER_COLUMNS.where(User.uid == key)).first()


def users_by_id(work: UnitOfWork, user_ids: Collection[int]) -> dict[int, Row[Any]]:
    """The users ``user_ids`` (every column), by primary key."""
    if not user_ids:
        return {}
    rows = work.connection.execute(USER_COLUMNS.where(User.id.in_(sorted(user_ids)))).all()
    return {row.id: row for row in rows}


def contract_by_key(work: UnitOfWork, key: str) -> DiaryContract | None:
    """The contract whose reference is ``key``, or None."""
    reference = as_reference(key)
    if reference is None:
        return None
    return work.connection.execute(_CONTRACTS.where(Engagement.reference == reference)).first()


def contracts_with_teams(
    work: UnitOfWork, buyer_team_ids: Collection[int], provider_user_id: int | None = None
) -> list[DiaryContract]:
    """The contracts (any status) whose buyer team is one of ``buyer_team_ids``, of one contractor when given."""
    if not buyer_team_ids:
        return []
    query = _CONTRACTS.where(Engagement.buyer_team_id.in_(sorted(buyer_team_ids)))
    if provider_user_id is not None:
        query = query.where(Engagement.provider_user_id == provider_user_id)
    return list(work.connection.execute(query.order_by(Engagement.id)).all())


def contracts_of_company(work: UnitOfWork, company_id: int, provider_user_id: int | None = None) -> list[DiaryContract]:
    """The contracts (any status) whose buyer team belongs to the company ``company_id``."""
    teams = sa.select(Team.id).where(Team.company_id == company_id)
    query = _CONTRACTS.where(Engagement.buyer_team_id.in_(teams))
    if provider_user_id is not None:
        query = query.where(Engagement.provider_user_id == provider_user_id)
    return list(work.connection.execute(query.order_by(Engagement.id)).all())


def snapshot_rows(work: UnitOfWork, snapshot_ids: Collection[int]) -> list[Row[Any]]:
    """The ``SNAPSHOT_ROWS`` of ``snapshot_ids``, in time order (then by contract)."""
    if not snapshot_ids:
        return []
    return list(
        work.connection.execute(
            SNAPSHOT_ROWS.where(Snapshot.id.in_(sorted(snapshot_ids))).order_by(
                Snapshot.segment_at, Snapshot.engagement_id
            )
        ).all()
    )


@dataclass(frozen=True)
class DayWindow:
    """Some contracts and the UTC instants ``[start, end)`` of the day their diary shows."""

    engagement_ids: tuple[int, ...]
    start: dt.datetime
    end: dt.datetime


def diary_rows(work: UnitOfWork, windows: Sequence[DayWindow]) -> list[Row[Any]]:
    """The ``SNAPSHOT_ROWS`` whose ten minutes begin inside their contract's window, in time order."""
    clauses = [
        sa.and_(
            Snapshot.engagement_id.in_(sorted(window.engagement_ids)),
            Snapshot.segment_at >= window.start,
            Snapshot.segment_at < window.end,
        )
        for window in windows
        if window.engagement_ids
    ]
    if not clauses:
        return []
    return list(
        work.connection.execute(
            SNAPSHOT_ROWS.where(sa.or_(*clauses)).order_by(Snapshot.segment_at, Snapshot.engagement_id)
        ).all()
    )


def days_worked(work: UnitOfWork, engagement_ids: Collection[int], first: dt.date, last: dt.date) -> list[dt.date]:
    """The days from ``first`` to ``last`` on which one of the contracts logged time (hours above zero)."""
    if not engagement_ids:
        return []
    rows = work.connection.execute(
        sa.select(TimeLog.worked_on)
        .where(
            TimeLog.engagement_id.in_(sorted(engagement_ids)),
            TimeLog.worked_on.between(first, last),
            TimeLog.hours_online + TimeLog.hours_offline > 0,
        )
        .distinct()
        .order_by(TimeLog.worked_on)
    ).all()
    return [row.worked_on for row in rows]
