"""People and organisation: users, companies, teams, and the roles that tie them.

A ``Company`` owns a tree of ``Team`` rows with one root team
(``Company.root_team_id``). An agency is a company with ``is_agency`` set;
its root team is "the agency team" that providers are staffed under.
``UserRole`` gives a user a role on one team plus permission flags
(``UserRolePermission`` rows, see ``PERMISSIONS``). A permission held on a
team applies to its whole subtree (see ``odesk_server.access.scope``); the
company owner (``Company.owner_user_id``) holds every permission on every
team of the company.

Literal (text) ids live here: ``User.uid`` ("jsmith"), ``Team.team_id`` of
the form ``company:team`` ("acme:design"), and ``Company.company_id``, which
is the ``team_id`` of the company's root team, whose team part repeats the
company part ("acme:acme").

A new table about who belongs where (invitations, agency staffing
requests...) goes in this module.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from odesk_server.models.base import MONEY, Base, created_at_column

# Permission flags a UserRole may carry. staffing_manager only means
# something on an agency's teams (it lets the holder see agency reports and
# manage the agency's contractors).
MANAGE_RECRUITING = "manage_recruiting"
MANAGE_EMPLOYMENT = "manage_employment"
MANAGE_FINANCE = "manage_finance"
MANAGE_TEAMROOM = "manage_teamroom"
STAFFING_MANAGER = "staffing_manager"
PERMISSIONS = frozenset({MANAGE_RECRUITING, MANAGE_EMPLOYMENT, MANAGE_FINANCE, MANAGE_TEAMROOM, STAFFING_MANAGER})

ROLES = frozenset({"admin", "manager", "member"})


class User(Base):
    """A person: buyer-side staff, a provider (contractor), or both."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), unique=True)
    reference: Mapped[int] = mapped_column(BigInteger, unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    is_provider: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="active")
    # argon2 hash (odesk_server.security); NULL means the user cannot log in on the web.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Profile fields for the provider/profile API.
    title: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(64))
    city: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    profile_key: Mapped[str | None] = mapped_column(String(64), unique=True)  # "~~" + hex, public id
    profile_hourly_rate: Mapped[Decimal | None] = mapped_column(MONEY)
    created_at: Mapped[dt.datetime] = created_at_column()

    roles: Mapped[list[UserRole]] = relationship(back_populates="user", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"User(uid={self.uid!r}, reference={self.reference})"


class Company(Base):
    """A company (buyer) or an agency (``is_agency``: a provider company).

    ``company_id`` is the text id, equal to the root team's ``team_id``.
    ``root_team_id`` is nullable only so that the company and its root team
    can be inserted one after the other; every company has one.
    """

    __tablename__ = "companies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[int] = mapped_column(BigInteger, unique=True)
    company_id: Mapped[str] = mapped_column(String(129), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # use_alter: companies and teams reference each other.
    root_team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", use_alter=True, name="fk_companies_root_team_id_teams")
    )
    is_agency: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[dt.datetime] = created_at_column()

    owner: Mapped[User | None] = relationship(foreign_keys=[owner_user_id])
    root_team: Mapped[Team | None] = relationship(foreign_keys=[root_team_id], post_update=True)
    teams: Mapped[list[Team]] = relationship(
        back_populates="company", foreign_keys="Team.company_id", order_by="Team.id"
    )

    def __repr__(self) -> str:
        return f"Company(company_id={self.company_id!r}, reference={self.reference})"


class Team(Base):
    """A team inside a company; ``parent_team_id`` builds the hierarchy (NULL for the root)."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[int] = mapped_column(BigInteger, unique=True)
    team_id: Mapped[str] = mapped_column(String(129), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    parent_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="active")
    is_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = created_at_column()

    company: Mapped[Company] = relationship(back_populates="teams", foreign_keys=[company_id])
    parent: Mapped[Team | None] = relationship(remote_side=[id], foreign_keys=[parent_team_id])

    def __repr__(self) -> str:
        return f"Team(team_id={self.team_id!r}, reference={self.reference})"


class UserRole(Base):
    """A user's role on one team, with permission flags.

    ``role`` is "admin", "manager" or "member". ``affiliation_status`` says
    how the user belongs to the team ("employee" for buyer staff,
    "contractor" for a provider staffed under an agency team, ...);
    ``engagement_id`` links a contractor's role to the contract that gave it.
    A user has at most one role per team.
    """

    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "team_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[int] = mapped_column(BigInteger, unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16), default="member")
    affiliation_status: Mapped[str] = mapped_column(String(32), default="employee")
    has_team_room_access: Mapped[bool] = mapped_column(Boolean, default=True)
    engagement_id: Mapped[int | None] = mapped_column(ForeignKey("engagements.id"))
    created_at: Mapped[dt.datetime] = created_at_column()

    user: Mapped[User] = relationship(back_populates="roles")
    team: Mapped[Team] = relationship()
    permission_rows: Mapped[list[UserRolePermission]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="UserRolePermission.permission"
    )

    @property
    def permissions(self) -> frozenset[str]:
        """The permission flags held through this role."""
        return frozenset(row.permission for row in self.permission_rows)


class UserRolePermission(Base):
    """One permission flag of a ``UserRole`` (a row per flag keeps flags queryable in SQL)."""

    __tablename__ = "user_role_permissions"

    user_role_id: Mapped[int] = mapped_column(ForeignKey("user_roles.id", ondelete="CASCADE"), primary_key=True)
    permission: Mapped[str] = mapped_column(String(32), primary_key=True)
