"""The permission scope: which permission flags one user holds on which team, loaded in one query.

The rules (docs/permissions.md, "Vocabulary"):

- a flag held through a ``UserRole`` on a team applies to that team and to
  every team below it;
- the ``admin`` role carries every flag on its subtree (``staffing_manager``
  included, which only matters on an agency's teams); ``manager`` and
  ``member`` roles carry exactly their listed flags;
- the owner of a company (``Company.owner_user_id``) holds every flag on
  every team of the company.

``permission_scope(work, user_id)`` loads every team of the companies the
user belongs to (a role on one of their teams) or owns, with the parent
links, each company's owner, kind and root team, and the user's role and
flags on each team: one query. Subtrees and inherited flags are then worked
out here, on those rows, without another query. A team outside those
companies is one on which the user holds nothing, so the key lookups
(``find_company``, ``find_team``) answer None for it, exactly as for a key
that names nothing. The named predicates are in
``odesk_server.access.predicates``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from odesk_server.access.keys import as_reference, company_ids, team_ids, usable
from odesk_server.db.work import UnitOfWork
from odesk_server.models import PERMISSIONS, Company, Team, UserRole, UserRolePermission

# The role that carries every flag on its subtree.
ADMIN_ROLE = "admin"


@dataclass(frozen=True, slots=True)
class TeamNode:
    """A team of one of the user's companies: its keys and its place in the company's tree."""

    id: int
    reference: int
    team_id: str
    parent_team_id: int | None
    company_id: int


@dataclass(frozen=True, slots=True)
class CompanyNode:
    """A company the user belongs to or owns: its keys, owner, kind and root team."""

    id: int
    reference: int
    company_id: str
    owner_user_id: int | None
    is_agency: bool
    root_team_id: int | None


@dataclass(frozen=True, slots=True)
class Role:
    """The user's role on one team: the role name and the flags listed on it."""

    name: str
    flags: frozenset[str]


@dataclass(frozen=True)
class PermissionScope:
    """The teams of one user's companies, and the user's roles on them (see the module docstring).

    ``teams`` and ``companies`` are keyed by primary key; ``roles`` holds the
    user's role on each team where the user has one; ``children`` the direct
    sub-teams of each team.
    """

    user_id: int
    teams: Mapping[int, TeamNode]
    companies: Mapping[int, CompanyNode]
    roles: Mapping[int, Role]
    children: Mapping[int, tuple[int, ...]]

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
_USER_ID = sa.bindparam("user_id", type_=sa.Integer)
# Every team of every company the user owns or holds a role in, in creation
# order, with its company and the user's role (and one row per flag of that
# role): all that the permission rules need, in one query.
_SCOPE_QUERY = (
    sa.select(
        Team.id.label("team_pk"),
        Team.reference.label("team_reference"),
        Team.team_id,
        Team.parent_team_id,
        Company.id.label("company_pk"),
        Company.reference.label("company_reference"),
        Company.company_id,
        Company.owner_user_id,
        Company.is_agency,
        Company.root_team_id,
        UserRole.role,
        UserRolePermission.permission,
    )
    .join(Company, Company.id == Team.company_id)
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


def permission_scope(work: UnitOfWork, user_id: int) -> PermissionScope:
    """The permission scope of ``user_id`` (see the module docstring); one query."""
    teams: dict[int, TeamNode] = {}
    companies: dict[int, CompanyNode] = {}
    role_names: dict[int, str] = {}
    flags: dict[int, set[str]] = defaultdict(set)
    for row in work.connection.execute(_SCOPE_QUERY, {"user_id": user_id}):
        if row.team_pk not in teams:
            teams[row.team_pk] = TeamNode(
                row.team_pk, row.team_reference, row.team_id, row.parent_team_id, row.company_pk
            )
        if row.company_pk not in companies:
            companies[row.company_pk] = CompanyNode(
                row.company_pk,
                row.company_reference,
                row.company_id,
                row.owner_user_id,
                bool(row.is_agency),
                row.root_team_id,
            )
        if row.role is not None:
            role_names[row.team_pk] = row.role
        if row.permission is not None:
            flags[row.team_pk].add(row.permission)
    children: dict[int, list[int]] = defaultdict(list)
    for team in teams.values():
        if team.parent_team_id is not None:
            children[team.parent_team_id].append(team.id)
    return PermissionScope(
        user_id=user_id,
        teams=teams,
        companies=companies,
        roles={pk: Role(name, frozenset(flags.get(pk, ()))) for pk, name in role_names.items()},
        children={pk: tuple(kids) for pk, kids in children.items()},
    )
