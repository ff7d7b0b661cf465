"""The organisation scope: what one user sees of the organisation and which flags they hold, in one query.

``org_scope(work, user_id)`` loads every team of the companies the user
belongs to (a role on one of their teams) or owns, with the parent links,
each company's owner, kind and root team, and the user's role and flags on
each team: one query, run at driver level (``db.prepared``: every HR call
and every report runs it). The rest is worked out here, on those rows:

What the user sees (docs/permissions.md, HR section), for HR:

- a role on a team (any role, any permissions) shows that team and every
  team below it; owning a company shows all of its teams;
- a company is visible when one of its teams is (so: every company loaded);
- a user is visible to themselves, and to anyone who sees a team the user
  holds a role on or a company the user owns.

Which flags the user holds (docs/permissions.md, "Vocabulary"), for the
reports and the coming write endpoints; the named predicates are
``odesk_server.access.predicates``:

- a flag held through a ``UserRole`` on a team applies to that team and to
  every team below it;
- the ``admin`` role carries every flag on its subtree (``staffing_manager``
  included, which only matters on an agency's teams); ``manager`` and
  ``member`` roles carry exactly their listed flags;
- the owner of a company (``Company.owner_user_id``) holds every flag on
  every team of the company.

A team outside those companies is one on which the user holds nothing and
sees nothing, so the key lookups answer None for it, exactly as for a key
that names nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row
from sqlalchemy.orm import aliased

from odesk_server.access.keys import as_reference, company_ids, team_ids, usable
from odesk_server.db.prepared import PreparedStatement
from odesk_server.db.work import UnitOfWork
from odesk_server.models import PERMISSIONS, Company, Team, User, UserRole, UserRolePermission

# The role that carries every flag on its subtree.
ADMIN_ROLE = "admin"


@dataclass(frozen=True, slots=True)
class TeamNode:
    """A team of one of the user's companies: its keys, what payloads show of it, its place in the tree."""

    id: int
    reference: int
    team_id: str
    name: str
    status: str
    is_hidden: bool
    parent_team_id: int | None
    company_id: int


@dataclass(frozen=True, slots=True)
class CompanyNode:
    """A company the user belongs to or owns: its keys, owner, kind and root team."""

    id: int
    reference: int
    company_id: str
    name: str
    status: str
    owner_user_id: int | None
    owner_uid: str
    is_agency: bool
    root_team_id: int | None


@dataclass(frozen=True, slots=True)
class Role:
    """The user's role on one team: the role name and the flags listed on it."""

    name: str
    flags: frozenset[str]


@dataclass(frozen=True)
class OrgScope:
    """The teams of one user's companies, and the user's roles on them (see the module docstring).

    ``teams`` and ``companies`` are keyed by primary key, in creation order
    (every company here is visible to the user; not every team is);
    ``roles`` holds the user's role on each team where the user has one;
    ``children`` the direct sub-teams of each team; ``visible_team_ids`` the
    teams the user sees.
    """

    user_id: int
    teams: Mapping[int, TeamNode]
    companies: Mapping[int, CompanyNode]
    roles: Mapping[int, Role]
    children: Mapping[int, tuple[int, ...]]
    visible_team_ids: frozenset[int] = field(default=frozenset())

    # --- what the user sees (HR) ---------------------------------------------------------

    def visible_teams(self, company_id: int | None = None) -> list[TeamNode]:
        """The teams the user sees (of one company when given), in creation order."""
        return [
            team
            for pk, team in self.teams.items()
            if pk in self.visible_team_ids and (company_id is None or team.company_id == company_id)
        ]

    def find_visible_team(self, key: str) -> TeamNode | None:
        """The visible team whose reference or ``team_id`` is ``key``, or None."""
        team = self.find_team(key)
        return team if team is not None and team.id in self.visible_team_ids else None

    def sees_user(self, work: UnitOfWork, user_id: int) -> bool:
        """Whether the user ``user_id`` is visible: the scope's own user, an owner, or holding a visible role.

        One query at most (none for the user and the owners).
        """
        if user_id == self.user_id:
            return True
        if any(c.owner_user_id == user_id for c in self.companies.values()):
            return True
        if not self.visible_team_ids:
            return False
        found = work.connection.execute(
            sa.select(UserRole.id)
            .where(UserRole.user_id == user_id, UserRole.team_id.in_(list(self.visible_team_ids)))
            .limit(1)
        ).first()
        return found is not None

    # --- the tree ----------------------------------------------------------------------

    def subtree(self, team: TeamNode) -> frozenset[int]:
        """The primary keys of ``team`` and of every team below it."""
        found: set[int] = set()
        pending = [team.id]
        while pending:
            pk = pending.pop()
            if pk not in found:
                found.add(pk)
                pending.extend(self.children.get(pk, ()))
        return frozenset(found)

    def ancestry(self, team: TeamNode) -> Iterator[TeamNode]:
        """``team``, then each team above it up to its company's root team."""
        seen: set[int] = set()
        node: TeamNode | None = team
        while node is not None and node.id not in seen:
            seen.add(node.id)
            yield node
            node = self.teams.get(node.parent_team_id) if node.parent_team_id is not None else None

    def company_of(self, team: TeamNode) -> CompanyNode:
        """The company ``team`` belongs to."""
        return self.companies[team.company_id]

    def teams_of(self, company: CompanyNode) -> list[TeamNode]:
        """Every team of ``company``, in creation order."""
        return [team for team in self.teams.values() if team.company_id == company.id]

    # --- who holds what ----------------------------------------------------------------

    def owns(self, company: CompanyNode) -> bool:
        """Whether the user owns ``company``."""
        return company.owner_user_id is not None and company.owner_user_id == self.user_id

    def roles_from_above(self, team: TeamNode) -> list[Role]:
        """The user's roles on ``team`` and on the teams above it (what applies to ``team``)."""
        return [self.roles[node.id] for node in self.ancestry(team) if node.id in self.roles]

    def permissions_on(self, team: TeamNode) -> frozenset[str]:
        """Every flag the user holds on ``team``: directly, inherited from above, by the admin role or ownership."""
        if self.owns(self.company_of(team)):
            return PERMISSIONS
        roles = self.roles_from_above(team)
        if any(role.name == ADMIN_ROLE for role in roles):
            return PERMISSIONS
        return frozenset().union(*(role.flags for role in roles))

    def holds_any(self, team: TeamNode, flags: frozenset[str]) -> bool:
        """Whether the user holds at least one of ``flags`` on ``team``.

        Raises ValueError for a flag that is not one of ``models.PERMISSIONS``.
        """
        unknown = flags - PERMISSIONS
        if unknown:
            raise ValueError(f"unknown permission {min(unknown)!r}")
        return not flags.isdisjoint(self.permissions_on(team))

    # --- path keys ---------------------------------------------------------------------

    def find_company(self, key: str) -> CompanyNode | None:
        """The company whose reference or text id (``acme:acme``, or its short form ``acme``) is ``key``.

        None when no company of the scope has it: a company the user neither
        belongs to nor owns is not found, like one that does not exist.
        """
        if not usable(key):
            return None
        reference = as_reference(key)
        ids = company_ids(key)
        for company in self.companies.values():
            if company.company_id in ids or company.reference == reference:
                return company
        return None

    def find_team(self, key: str, company: CompanyNode | None = None) -> TeamNode | None:
        """The team whose reference or text id is ``key``, or None (as ``find_company``).

        With ``company``, only a team of that company, which may also be named
        by the part of its id after the colon (``design`` for ``acme:design``).
        """
        if not usable(key):
            return None
        reference = as_reference(key)
        ids = team_ids(key, company.company_id) if company is not None else (key,)
        for team in self.teams.values():
            if company is not None and team.company_id != company.id:
                continue
            if team.team_id in ids or team.reference == reference:
                return team
        return None


_MEMBER_TEAM = aliased(Team)
_OWNER = aliased(User)
_USER_ID = sa.bindparam("user_id", type_=sa.Integer)
# Every team of every company the user owns or holds a role in, in creation
# order, with its company, the owner's uid and the user's role (one row per
# flag of that role): all that visibility, the permission rules and the HR
# payloads need, in one query.
_SCOPE_QUERY = (
    sa.select(
        Team.id,
        Team.reference,
        Team.team_id,
        Team.name,
        Team.status,
        Team.is_hidden,
        Team.parent_team_id,
        Team.company_id,
        Company.reference,
        Company.company_id,
        Company.name,
        Company.status,
        Company.owner_user_id,
        _OWNER.uid,
        Company.is_agency,
        Company.root_team_id,
        UserRole.role,
        UserRolePermission.permission,
    )
    .join(Company, Company.id == Team.company_id)
    .outerjoin(_OWNER, _OWNER.id == Company.owner_user_id)
    .outerjoin(UserRole, sa.and_(UserRole.team_id == Team.id, UserRole.user_id == _USER_ID))
    .outerjoin(UserRolePermission, UserRolePermission.user_role_id == UserRole.id)
    .where(
        sa.or_(
            Company.owner_user_id == _USER_ID,
            Company.id.in_(
                sa.select(_MEMBER_TEAM.company_id)
                .join(UserRole, UserRole.team_id == _MEMBER_TEAM.id)
                .where(UserRole.user_id == _USER_ID)
            ),
        )
    )
    .order_by(Team.id)
)
# At driver level: through a Core connection it would cost about twice as much.
_PREPARED_SCOPE_QUERY = PreparedStatement(_SCOPE_QUERY)


def org_scope(work: UnitOfWork, user_id: int) -> OrgScope:
    """The organisation scope of ``user_id`` (see the module docstring); one query."""
    teams: dict[int, TeamNode] = {}
    companies: dict[int, CompanyNode] = {}
    role_names: dict[int, str] = {}
    flags: dict[int, set[str]] = defaultdict(set)
    for row in work.fetch(_PREPARED_SCOPE_QUERY, {"user_id": user_id}):
        team_pk, company_pk = row[0], row[7]
        if team_pk not in teams:
            teams[team_pk] = TeamNode(*row[:8])
        if company_pk not in companies:
            companies[company_pk] = CompanyNode(
                company_pk, row[8], row[9], row[10], row[11], row[12], row[13] or "", bool(row[14]), row[15]
            )
        if row[16] is not None:
            role_names[team_pk] = row[16]
        if row[17] is not None:
            flags[team_pk].add(row[17])
    children: dict[int, list[int]] = defaultdict(list)
    for team in teams.values():
        if team.parent_team_id is not None:
            children[team.parent_team_id].append(team.id)
    # Visible: the subtrees of the teams with a role of the user's, and every team of a company the user owns.
    starts = [
        pk for pk, team in teams.items() if pk in role_names or companies[team.company_id].owner_user_id == user_id
    ]
    visible: set[int] = set()
    while starts:
        pk = starts.pop()
        if pk not in visible:
            visible.add(pk)
            starts.extend(children.get(pk, ()))
    return OrgScope(
        user_id=user_id,
        teams=teams,
        companies=companies,
        roles={pk: Role(name, frozenset(flags.get(pk, ()))) for pk, name in role_names.items()},
        children={pk: tuple(kids) for pk, kids in children.items()},
        visible_team_ids=frozenset(visible),
    )


# A user as HR reads it: a Core row of the user columns (attribute access like the model).
USER_COLUMNS = sa.select(*User.__table__.columns)


def find_visible_user(work: UnitOfWork, scope: OrgScope, key: str) -> Row[Any] | None:
    """The user whose reference or uid is ``key`` when ``scope`` sees them, else None (two queries at most)."""
    if not usable(key):
        return None
    reference = as_reference(key)
    if reference is not None:
        user = work.connection.execute(USER_COLUMNS.where(User.reference == reference)).one_or_none()
    elif len(key) <= 64:
        user = work.connection.execute(USER_COLUMNS.where(User.uid == key)).one_or_none()
    else:
        user = None
    if user is None or not scope.sees_user(work, user.id):
        return None
    return user
