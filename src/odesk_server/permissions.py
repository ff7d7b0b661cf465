"""Who holds which permission on which team: the queries permission checks build on.

The rules (docs/server.md repeats them):

- A permission held through a ``UserRole`` on a team applies to that team and
  every team below it.
- The ``admin`` role carries every permission flag on its subtree
  (``staffing_manager`` included, which only matters on an agency's teams).
  ``manager`` and ``member`` roles carry exactly their listed flags.
- The owner of a company (``Company.owner_user_id``) holds every flag on
  every team of the company.

All functions take database keys (``id`` columns), not references; they
return plain Python values and raise nothing for unknown ids (an unknown
team simply has no members and grants nothing).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from odesk_server.models import PERMISSIONS, Company, Team, UserRole, UserRolePermission


def subtree_team_ids_select(team_pk: int) -> sa.Select:
    """A SELECT of the ids of ``team_pk`` and every team below it (recursive CTE).

    Usable inside other queries: ``Team.id.in_(subtree_team_ids_select(pk))``.
    """
    teams = Team.__table__
    tree = sa.select(teams.c.id).where(teams.c.id == team_pk).cte("subtree", recursive=True)
    tree = tree.union_all(sa.select(teams.c.id).where(teams.c.parent_team_id == tree.c.id))
    return sa.select(tree.c.id)


def ancestor_team_ids_select(team_pk: int) -> sa.Select:
    """A SELECT of the ids of ``team_pk`` and every team above it, up to the root (recursive CTE)."""
    teams = Team.__table__
    chain = sa.select(teams.c.id, teams.c.parent_team_id).where(teams.c.id == team_pk).cte("ancestors", recursive=True)
    chain = chain.union_all(sa.select(teams.c.id, teams.c.parent_team_id).where(teams.c.id == chain.c.parent_team_id))
    return sa.select(chain.c.id)


def subtree_team_ids(session: Session, team_pk: int) -> set[int]:
    """Ids of ``team_pk`` and every team below it (empty for an unknown team)."""
    return set(session.scalars(subtree_team_ids_select(team_pk)))


def ancestor_team_ids(session: Session, team_pk: int) -> set[int]:
    """Ids of ``team_pk`` and every team above it (empty for an unknown team)."""
    return set(session.scalars(ancestor_team_ids_select(team_pk)))


def team_user_ids(session: Session, team_pk: int, *, include_subteams: bool = False) -> set[int]:
    """Ids of users holding a role on the team (or, with ``include_subteams``, on its subtree)."""
    if include_subteams:
        condition: sa.ColumnElement[bool] = UserRole.team_id.in_(subtree_team_ids_select(team_pk))
    else:
        condition = UserRole.team_id == team_pk
    return set(session.scalars(sa.select(UserRole.user_id).where(condition).distinct()))


def is_company_owner(session: Session, user_pk: int, company_pk: int) -> bool:
    """True when the user owns the company."""
    owner = session.scalar(sa.select(Company.owner_user_id).where(Company.id == company_pk))
    return owner is not None and owner == user_pk


def permissions_on_team(session: Session, user_pk: int, team_pk: int) -> frozenset[str]:
    """Every permission flag the user holds on the team, directly, by inheritance or by ownership."""
    owner = session.scalar(
        sa.select(Company.owner_user_id).join(Team, Team.company_id == Company.id).where(Team.id == team_pk)
    )
    if owner is not None and owner == user_pk:
        return PERMISSIONS
    above = ancestor_team_ids_select(team_pk)
    roles = session.execute(
        sa.select(UserRole.id, UserRole.role).where(UserRole.user_id == user_pk, UserRole.team_id.in_(above))
    ).all()
    if any(role == "admin" for _, role in roles):
        return PERMISSIONS
    if not roles:
        return frozenset()
    flags = session.scalars(
        sa.select(UserRolePermission.permission).where(
            UserRolePermission.user_role_id.in_([role_id for role_id, _ in roles])
        )
    )
    return frozenset(flags)


def has_permission(session: Session, user_pk: int, team_pk: int, permission: str) -> bool:
    """True when the user holds ``permission`` on the team (see the module rules).

    Raises ValueError for a flag that is not one of ``models.PERMISSIONS``.
    """
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")
    return permission in permissions_on_team(session, user_pk, team_pk)


def teams_with_permission(session: Session, user_pk: int, permission: str) -> set[int]:
    """Ids of every team on which the user holds ``permission`` (owned companies included)."""
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")
    granted_on = sa.select(UserRole.team_id).where(
        UserRole.user_id == user_pk,
        sa.or_(
            UserRole.role == "admin",
            UserRole.id.in_(
                sa.select(UserRolePermission.user_role_id).where(UserRolePermission.permission == permission)
            ),
        ),
    )
    result: set[int] = set()
    for team_pk in session.scalars(granted_on):
        result |= subtree_team_ids(session, team_pk)
    owned = sa.select(Team.id).join(Company, Team.company_id == Company.id).where(Company.owner_user_id == user_pk)
    result |= set(session.scalars(owned))
    return result
