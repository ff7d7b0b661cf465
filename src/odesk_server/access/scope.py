"""The organisation scope: the part of the organisation one user may see, in one query.

Rules (docs/permissions.md, HR section):

- a role on a team (any role, any permissions) shows that team and every
  team below it; owning a company shows all of its teams;
- a company is visible when one of its teams is;
- a user is visible to themselves, and to anyone who sees a team the user
  holds a role on or a company the user owns.

``org_scope(work, user_id)`` loads it: every team of the companies the user
belongs to or owns, with the companies and their owners, in one query run at
driver level (``db.prepared``: it runs on every HR call). Lookups by path
key (``odesk_server.access.keys``) answer None for what the user may not
see, exactly as for what does not exist.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Row

from odesk_server.access.keys import as_reference, company_ids, usable
from odesk_server.db.prepared import PreparedStatement
from odesk_server.db.work import UnitOfWork
from odesk_server.models import Company, Team, User, UserRole


class TeamInfo(NamedTuple):
    """The columns of a team that payloads and visibility need.

    Immutable like a frozen dataclass; a NamedTuple because every HR call
    builds one per team of the caller's companies, at a third of the cost.
    """

    id: int
    reference: int
    team_id: str
    name: str
    status: str
    is_hidden: bool
    parent_team_id: int | None
    company_id: int


class CompanyInfo(NamedTuple):
    """The columns of a company that payloads need, with its owner's uid (a NamedTuple, as ``TeamInfo``)."""

    id: int
    reference: int
    company_id: str
    name: str
    status: str
    owner_user_id: int | None
    owner_uid: str


@dataclass(frozen=True)
class OrgScope:
    """The part of the organisation visible to one user.

    ``teams``: every team of the companies the user belongs to, by primary
    key (visible or not: parents are named in payloads); ``visible_team_ids``
    the teams the user may see; ``companies`` the visible companies by key.
    """

    user_id: int
    teams: Mapping[int, TeamInfo]
    visible_team_ids: frozenset[int]
    companies: Mapping[int, CompanyInfo]

    def visible_teams(self, company_id: int | None = None) -> list[TeamInfo]:
        """Visible teams (of one company when given), in creation order."""
        return [
            team
            for pk, team in sorted(self.teams.items())
            if pk in self.visible_team_ids and (company_id is None or team.company_id == company_id)
        ]

    def find_team(self, key: str) -> TeamInfo | None:
        """The visible team whose reference or ``team_id`` is ``key``, or None."""
        reference = as_reference(key)
        for pk in self.visible_team_ids:
            team = self.teams[pk]
            if team.team_id == key or team.reference == reference:
                return team
        return None

    def find_company(self, key: str) -> CompanyInfo | None:
        """The visible company whose reference or ``company_id`` is ``key`` (or its short form), or None."""
        reference = as_reference(key)
        ids = company_ids(key)
        for company in self.companies.values():
            if company.company_id in ids or company.reference == reference:
                return company
        return None

    def owns_or_sees_user(self, work: UnitOfWork, user_id: int) -> bool:
        """Whether the user ``user_id`` is visible: the scope's user, an owner, or holding a visible role."""
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


_OWNER = sa.orm.aliased(User)
# Every team of every company the user belongs to (through a role) or owns,
# with its company, the owner's uid and whether the user holds a role on the
# team: all that visibility and the payloads need, in one query.
_ORG_QUERY = (
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
        sa.exists().where(UserRole.team_id == Team.id, UserRole.user_id == sa.bindparam("user_id")).label("has_role"),
    )
    .join(Company, Company.id == Team.company_id)
    .outerjoin(_OWNER, _OWNER.id == Company.owner_user_id)
    .where(
        sa.or_(
            Company.owner_user_id == sa.bindparam("user_id"),
            Company.id.in_(
                sa.select(Team.company_id)
                .join(UserRole, UserRole.team_id == Team.id)
                .where(UserRole.user_id == sa.bindparam("user_id"))
                .scalar_subquery()
            ),
        )
    )
)
# Every HR call runs it: at driver level it costs about half of a SQLAlchemy execution.
_PREPARED_ORG_QUERY = PreparedStatement(_ORG_QUERY)


def org_scope(work: UnitOfWork, user_id: int) -> OrgScope:
    """What ``user_id`` may see (see the module docstring); one query."""
    teams: dict[int, TeamInfo] = {}
    companies: dict[int, CompanyInfo] = {}
    starts: list[int] = []
    for row in work.fetch(_PREPARED_ORG_QUERY, {"user_id": user_id}):
        team = TeamInfo(*row[:8])
        teams[team.id] = team
        if team.company_id not in companies:
            companies[team.company_id] = CompanyInfo(
                team.company_id, row[8], row[9], row[10], row[11], row[12], row[13] or ""
            )
        # row[14]: whether the user holds a role on the team; row[12]: the company owner.
        if row[14] or row[12] == user_id:
            starts.append(team.id)
    children: dict[int, list[int]] = defaultdict(list)
    for team in teams.values():
        if team.parent_team_id is not None:
            children[team.parent_team_id].append(team.id)
    visible: set[int] = set()
    while starts:
        pk = starts.pop()
        if pk not in visible:
            visible.add(pk)
            starts.extend(children[pk])
    visible_company_ids = {teams[pk].company_id for pk in visible}
    return OrgScope(
        user_id=user_id,
        teams=teams,
        visible_team_ids=frozenset(visible),
        companies={pk: c for pk, c in companies.items() if pk in visible_company_ids},
    )


# A user as HR reads it: a Core row of the user columns (attribute access like the model).
USER_COLUMNS = sa.select(*User.__table__.columns)


def find_visible_user(work: UnitOfWork, scope: OrgScope, key: str) -> Row | None:
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
    if user is None or not scope.owns_or_sees_user(work, user.id):
        return None
    return user
