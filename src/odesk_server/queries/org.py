"""Reads of the organisation: users, their roles and permissions on teams."""

from __future__ import annotations

from collections import defaultdict, namedtuple
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol, cast

import sqlalchemy as sa
from sqlalchemy.engine import Row

from odesk_server.access.scope import USER_COLUMNS
from odesk_server.db.prepared import PreparedStatement
from odesk_server.db.work import UnitOfWork
from odesk_server.models import Company, Engagement, Team, User, UserRole, UserRolePermission
from odesk_server.wire import Person


class UserFields(Person, Protocol):
    """The user columns the payloads read (``wire.Person``'s and these), as a Core row and a ``user_by_id`` record give them."""

    @property
    def id(self) -> int: ...
    @property
    def reference(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def profile_key(self) -> str | None: ...
    @property
    def is_provider(self) -> bool: ...


# The caller's own row, for /users/me: at driver level like the organisation query.
_PREPARED_USER_BY_ID = PreparedStatement(USER_COLUMNS.where(User.id == sa.bindparam("user_id")))
# Its rows as records with the same attribute names as a Core row.
_UserRecord = namedtuple("_UserRecord", [column.key for column in User.__table__.columns])  # type: ignore[misc]


def user_by_id(work: UnitOfWork, user_id: int) -> UserFields | None:
    """The user row of ``user_id`` (one driver-level query), or None."""
    rows = work.fetch(_PREPARED_USER_BY_ID, {"user_id": user_id})
    # The record's fields are the User columns, read at import time where mypy cannot see them.
    return cast(UserFields, _UserRecord._make(rows[0])) if rows else None


def users_with_roles(
    work: UnitOfWork, team_ids: Iterable[int], status: str | None, extra_user_ids: Iterable[int] = ()
) -> Sequence[Row[Any]]:
    """Users holding a role on any of ``team_ids`` (plus ``extra_user_ids``), by reference; ``status`` filters."""
    condition: sa.ColumnElement[bool] = User.id.in_(
        sa.select(UserRole.user_id).where(UserRole.team_id.in_(list(team_ids)))
    )
    extra = list(extra_user_ids)
    if extra:
        condition = sa.or_(condition, User.id.in_(extra))
    query = USER_COLUMNS.where(condition).order_by(User.reference)
    if status is not None:
        query = query.where(User.status == status)
    return work.connection.execute(query).all()


_ROLES_QUERY = (
    sa.select(
        UserRole.id,
        UserRole.reference,
        UserRole.role,
        UserRole.affiliation_status,
        UserRole.has_team_room_access,
        Team.id.label("team_pk"),
        Team.team_id,
        Team.name.label("team_name"),
        Team.reference.label("team_reference"),
        Team.parent_team_id,
        Company.name.label("company_name"),
        Company.reference.label("company_reference"),
        Engagement.reference.label("engagement_reference"),
    )
    .join(Team, Team.id == UserRole.team_id)
    .join(Company, Company.id == Team.company_id)
    .outerjoin(Engagement, Engagement.id == UserRole.engagement_id)
    .where(UserRole.user_id == sa.bindparam("user_id"))
    .order_by(UserRole.reference)
)


def roles_of(work: UnitOfWork, user_id: int) -> Sequence[Row[Any]]:
    """Every role of ``user_id``, by reference, with its team, the team's company and its engagement."""
    return work.connection.execute(_ROLES_QUERY, {"user_id": user_id}).all()


def permissions_of_roles(work: UnitOfWork, role_ids: Iterable[int]) -> Mapping[int, list[str]]:
    """The permission flags of each role (role id -> sorted flags); roles without flags are absent."""
    flags: dict[int, list[str]] = defaultdict(list)
    ids = list(role_ids)
    if ids:
        for role_id, permission in work.connection.execute(
            sa.select(UserRolePermission.user_role_id, UserRolePermission.permission)
            .where(UserRolePermission.user_role_id.in_(ids))
            .order_by(UserRolePermission.permission)
        ):
            flags[role_id].append(permission)
    return flags


def teams_by_id(work: UnitOfWork, team_ids: Iterable[int]) -> Mapping[int, Row[Any]]:
    """``id, team_id, name, reference`` of each of ``team_ids`` by id."""
    ids = set(team_ids)
    if not ids:
        return {}
    rows = work.connection.execute(sa.select(Team.id, Team.team_id, Team.name, Team.reference).where(Team.id.in_(ids)))
    return {row.id: row for row in rows}
