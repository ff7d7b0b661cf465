"""Reads for ``/api/auth/v1/info``: in what capacities a user acts."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from odesk_server.db.work import UnitOfWork
from odesk_server.models import STAFFING_MANAGER, Company, Team, UserRole, UserRolePermission


@dataclass(frozen=True)
class UserCapacity:
    """Where a user holds roles and what they own: the basis of ``info``'s capacity block."""

    in_buyer_company: bool
    in_agency: bool
    owns_company: bool
    staffing_manager: bool


_ROLE_COMPANIES = (
    sa.select(Company.is_agency)
    .select_from(UserRole)
    .join(Team, Team.id == UserRole.team_id)
    .join(Company, Company.id == Team.company_id)
    .where(UserRole.user_id == sa.bindparam("user_id"))
    .distinct()
)
_OWNS = sa.exists().where(Company.owner_user_id == sa.bindparam("user_id"))
_STAFFING = sa.exists().where(
    UserRolePermission.user_role_id == UserRole.id,
    UserRole.user_id == sa.bindparam("user_id"),
    UserRolePermission.permission == STAFFING_MANAGER,
)


def capacity(work: UnitOfWork, user_id: int) -> UserCapacity:
    """The capacity of ``user_id`` (two queries)."""
    kinds = {bool(is_agency) for (is_agency,) in work.connection.execute(_ROLE_COMPANIES, {"user_id": user_id})}
    owns, staffing = work.connection.execute(
        sa.select(_OWNS.label("owns"), _STAFFING.label("staffing")), {"user_id": user_id}
    ).one()
    return UserCapacity(
        in_buyer_company=False in kinds,
        in_agency=True in kinds,
        owns_company=bool(owns),
        staffing_manager=bool(staffing),
    )
