"""The domain model the whole API shares (SQLAlchemy 2, typed declarative).

Identifiers. Every row has an integer primary key ``id`` used only inside
the database. What the API shows are the oDesk keys:

- ``reference``: a unique number per kind of object (users, companies,
  teams, engagements, accounting entities, ledger entries); the
  ``{ref}`` of ``/api/hr/v2/teams/{ref}`` and of the finreport paths.
  ``next_reference(session, Model)`` hands out the next one.
- literal (text) ids: ``User.uid`` ("jsmith"), ``Team.team_id`` of the form
  ``company:team`` ("acme:design"), and ``Company.company_id``, which is the
  ``team_id`` of the company's root team, whose team part repeats the company
  part ("acme:acme"). GDS ``company_id`` / ``agency_id`` columns and the
  ``{company}`` path keys of time reports are these text ids.

Organisation. A ``Company`` owns a tree of ``Team`` rows with one root team
(``Company.root_team_id``). An agency is a company with ``is_agency`` set;
its root team is "the agency team" that providers are staffed under.
``UserRole`` gives a user a role on one team plus permission flags
(``UserRolePermission`` rows, see ``PERMISSIONS``). A permission held on a team
applies to its whole subtree (see ``odesk_server.permissions``); the company
owner (``Company.owner_user_id``) holds every permission on every team of
the company.

Work. An ``Engagement`` is a contract between a buyer team and a provider,
optionally through an agency. ``TimeLog`` rows hold the hours per
engagement, day and task; their money columns (charges and earnings, online
and offline) are computed when the row is written (``price_time``), so
reports only sum stored columns.

Money. Each company and each provider has an ``AccountingEntity``; one
platform entity (``kind='platform'``) collects the fees. ``LedgerEntry`` rows
are the legs of transactions (``transaction_ref`` groups them): amounts are
signed from the entity's point of view (money in > 0, money out < 0), so the
legs of one internal transaction sum to zero: an hourly invoice is
``-charges`` on the buyer, ``+earnings`` on the provider's entity (the
agency's entity for agency contractors) and ``+fee`` on the platform.
Payments (``type='Payment'``) move money across the platform boundary
(buyer deposits, provider withdrawals) and have a single leg.

Times are stored in UTC (``UTCDateTime`` returns aware datetimes on every
backend); money and hours are ``Numeric``.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import cast

import sqlalchemy as sa
from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

# Stable constraint names: migrations and autogenerate comparisons agree on both backends.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

MONEY = Numeric(14, 2)
HOURS = Numeric(8, 2)
RATE = Numeric(6, 4)

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
STATUSES = frozenset({"active", "inactive"})
JOB_TYPES = frozenset({"hourly", "fixed-price"})
ENGAGEMENT_STATUSES = frozenset({"active", "closed", "suspended"})
LEDGER_TYPES = frozenset({"Invoice", "Payment", "Adjustment"})
LEDGER_SUBTYPES = frozenset(
    {
        "Hourly",
        "Fixed Price",
        "Bonus",
        "Refund",
        "Withdrawal",
        "Payment",
        "Adjustment",
        "Salary",
        "Security Deposit",
        "Chargeback",
        "Chargeback Resolution",
        "Referral",
        "Customer Satisfaction",
        "Expense",
        "Overtime",
        "Milestone",
        "Upfront Payment",
        "Credit",
        "Service Fee",
    }
)
ACCOUNTING_ENTITY_KINDS = frozenset({"company", "provider", "platform"})

# Platform fee taken from charges by default: earnings = charges * (1 - fee).
DEFAULT_FEE_RATE = Decimal("0.1000")

CENT = Decimal("0.01")


def utcnow() -> dt.datetime:
    """The current time, timezone-aware, in UTC."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC; naive values are taken as UTC, results are always aware."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        value = value.astimezone(dt.UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime(), Decimal: MONEY}


def table_of(model: type[Base]) -> sa.Table:
    """The table ``model`` is mapped to (SQLAlchemy types ``__table__`` only as a FromClause)."""
    return cast(sa.Table, model.__table__)


def _created_at() -> Mapped[dt.datetime]:
    return mapped_column(UTCDateTime(), default=utcnow, nullable=False)


# --------------------------------------------------------------------------
# People and organisation


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
    created_at: Mapped[dt.datetime] = _created_at()

    roles: Mapped[list[UserRole]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

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
    created_at: Mapped[dt.datetime] = _created_at()

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
    created_at: Mapped[dt.datetime] = _created_at()

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
    created_at: Mapped[dt.datetime] = _created_at()

    user: Mapped[User] = relationship(back_populates="roles")
    team: Mapped[Team] = relationship()
    permission_rows: Mapped[list[UserRolePermission]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="UserRolePermission.permission"
    )

    @property
    def permissions(self) -> frozenset[str]:
        """The permission flags held through this role."""
        return frozenset(row.permission for row in self.permission_rows)

    def set_permissions(self, permissions: set[str] | frozenset[str]) -> None:
        """Replace the flags; raises ValueError for a flag not in ``PERMISSIONS``."""
        unknown = set(permissions) - PERMISSIONS
        if unknown:
            raise ValueError(f"unknown permission(s): {', '.join(sorted(unknown))}")
        self.permission_rows = [UserRolePermission(permission=p) for p in sorted(permissions)]


class UserRolePermission(Base):
    """One permission flag of a ``UserRole`` (a row per flag keeps flags queryable in SQL)."""

    __tablename__ = "user_role_permissions"

    user_role_id: Mapped[int] = mapped_column(ForeignKey("user_roles.id", ondelete="CASCADE"), primary_key=True)
    permission: Mapped[str] = mapped_column(String(32), primary_key=True)


# --------------------------------------------------------------------------
# Work


class Engagement(Base):
    """A contract: a provider works for a buyer team, optionally through an agency.

    ``provider_team_id`` is the provider-side team the provider is staffed
    under (the agency's root team for agency work, NULL for an independent
    provider). Hourly contracts use ``hourly_rate`` and ``weekly_limit``
    (hours); fixed-price ones ``fixed_price``. ``fee_rate`` is the platform
    fee: earnings = charges * (1 - fee_rate).
    """

    __tablename__ = "engagements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[int] = mapped_column(BigInteger, unique=True)
    buyer_team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    provider_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    agency_company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"), index=True)
    provider_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    job_type: Mapped[str] = mapped_column(String(16))
    hourly_rate: Mapped[Decimal | None] = mapped_column(MONEY)
    fixed_price: Mapped[Decimal | None] = mapped_column(MONEY)
    weekly_limit: Mapped[Decimal | None] = mapped_column(HOURS)
    status: Mapped[str] = mapped_column(String(16), default="active")
    started_on: Mapped[dt.date] = mapped_column(Date)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    fee_rate: Mapped[Decimal] = mapped_column(RATE, default=DEFAULT_FEE_RATE)
    created_at: Mapped[dt.datetime] = _created_at()

    buyer_team: Mapped[Team] = relationship(foreign_keys=[buyer_team_id])
    provider: Mapped[User] = relationship(foreign_keys=[provider_user_id])
    agency: Mapped[Company | None] = relationship(foreign_keys=[agency_company_id])
    provider_team: Mapped[Team | None] = relationship(foreign_keys=[provider_team_id])

    def __repr__(self) -> str:
        return f"Engagement(reference={self.reference}, title={self.title!r})"


class TimeLog(Base):
    """Hours one provider logged on one engagement, day and task, with their money.

    ``task`` is a task code ("" when none). The money columns are written by
    ``price_time`` from the engagement's rate and fee at the time of logging.
    """

    __tablename__ = "time_logs"
    __table_args__ = (
        UniqueConstraint("engagement_id", "worked_on", "task"),
        Index("ix_time_logs_worked_on", "worked_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"))
    worked_on: Mapped[dt.date] = mapped_column(Date)
    task: Mapped[str] = mapped_column(String(64), default="")
    memo: Mapped[str] = mapped_column(Text, default="")
    hours_online: Mapped[Decimal] = mapped_column(HOURS, default=Decimal("0"))
    hours_offline: Mapped[Decimal] = mapped_column(HOURS, default=Decimal("0"))
    charges_online: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    charges_offline: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    earnings_online: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    earnings_offline: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    created_at: Mapped[dt.datetime] = _created_at()

    engagement: Mapped[Engagement] = relationship()


def money(value: Decimal | int | str) -> Decimal:
    """``value`` rounded half-up to cents."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def price_time(
    hourly_rate: Decimal | None, fee_rate: Decimal, hours_online: Decimal, hours_offline: Decimal
) -> dict[str, Decimal]:
    """The money columns of a time log: charges = hours * rate, earnings = charges * (1 - fee).

    A fixed-price engagement (no hourly rate) logs hours with zero money.
    Returns a dict with ``charges_online``, ``charges_offline``,
    ``earnings_online`` and ``earnings_offline``, each rounded to cents.
    """
    rate = hourly_rate or Decimal("0")
    charges_online = money(hours_online * rate)
    charges_offline = money(hours_offline * rate)
    keep = Decimal(1) - fee_rate
    return {
        "charges_online": charges_online,
        "charges_offline": charges_offline,
        "earnings_online": money(charges_online * keep),
        "earnings_offline": money(charges_offline * keep),
    }


# --------------------------------------------------------------------------
# Money


class AccountingEntity(Base):
    """An account: one per company (``company_id``), one per provider (``user_id``), one platform."""

    __tablename__ = "accounting_entities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[int] = mapped_column(BigInteger, unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    created_at: Mapped[dt.datetime] = _created_at()

    company: Mapped[Company | None] = relationship()
    user: Mapped[User | None] = relationship()


class LedgerEntry(Base):
    """One leg of a financial transaction on one accounting entity (see the module docstring).

    The buyer/provider columns describe the parties of the transaction and
    are the same on every leg, so each leg carries every finreport field.
    """

    __tablename__ = "ledger_entries"
    __table_args__ = (
        Index("ix_ledger_entries_accounting_entity_id_date", "accounting_entity_id", "date"),
        Index("ix_ledger_entries_buyer_team_id_date", "buyer_team_id", "date"),
        Index("ix_ledger_entries_provider_user_id_date", "provider_user_id", "date"),
        Index("ix_ledger_entries_buyer_company_id_date", "buyer_company_id", "date"),
        Index("ix_ledger_entries_provider_company_id_date", "provider_company_id", "date"),
        Index("ix_ledger_entries_provider_team_id_date", "provider_team_id", "date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[int] = mapped_column(BigInteger, unique=True)
    transaction_ref: Mapped[int] = mapped_column(BigInteger, index=True)
    accounting_entity_id: Mapped[int] = mapped_column(ForeignKey("accounting_entities.id"))
    date: Mapped[dt.date] = mapped_column(Date)
    date_due: Mapped[dt.date | None] = mapped_column(Date)
    type: Mapped[str] = mapped_column(String(16))
    subtype: Mapped[str] = mapped_column(String(32))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    description: Mapped[str] = mapped_column(Text, default="")
    comment: Mapped[str | None] = mapped_column(Text)
    memo: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    po_number: Mapped[str | None] = mapped_column(String(64))
    engagement_id: Mapped[int | None] = mapped_column(ForeignKey("engagements.id"), index=True)
    buyer_company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"))
    buyer_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    provider_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    provider_company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"))
    provider_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    created_at: Mapped[dt.datetime] = _created_at()

    accounting_entity: Mapped[AccountingEntity] = relationship()
    engagement: Mapped[Engagement | None] = relationship()


# --------------------------------------------------------------------------
# OAuth 1.0a storage. Token and consumer secrets are stored as issued: the
# server needs them in clear to verify HMAC signatures.


class Consumer(Base):
    """A registered application (OAuth client credentials)."""

    __tablename__ = "oauth_consumers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    secret: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    callback_uri: Mapped[str | None] = mapped_column(Text)
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = _created_at()
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class ConsumerCallbackOrigin(Base):
    """An origin (``scheme://host[:port]``, normalised) a consumer may send its users back to.

    The origin of the consumer's default callback (``callback_uri``) counts
    as registered without a row; see ``odesk_server.oauth.callbacks``.
    """

    __tablename__ = "oauth_consumer_callback_origins"
    __table_args__ = (UniqueConstraint("consumer_id", "origin"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consumer_id: Mapped[int] = mapped_column(ForeignKey("oauth_consumers.id", ondelete="CASCADE"))
    origin: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = _created_at()


class RequestToken(Base):
    """A temporary credential (RFC 5849 section 2.1), authorized by a user with a verifier."""

    __tablename__ = "oauth_request_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    secret: Mapped[str] = mapped_column(String(64))
    consumer_id: Mapped[int] = mapped_column(ForeignKey("oauth_consumers.id", ondelete="CASCADE"), index=True)
    callback: Mapped[str] = mapped_column(Text, default="oob")
    verifier: Mapped[str | None] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = _created_at()
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # Set when exchanged for an access token: a request token works once.
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    consumer: Mapped[Consumer] = relationship()
    user: Mapped[User | None] = relationship()


class AccessToken(Base):
    """Token credentials (RFC 5849 section 2.3): a consumer acting for a user."""

    __tablename__ = "oauth_access_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    secret: Mapped[str] = mapped_column(String(64))
    consumer_id: Mapped[int] = mapped_column(ForeignKey("oauth_consumers.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = _created_at()
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    consumer: Mapped[Consumer] = relationship()
    user: Mapped[User] = relationship()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class OAuthNonce(Base):
    """A (consumer, token, nonce, timestamp) seen once; a second insert is a replay.

    ``token`` is "" for requests without a token (request-token requests),
    so the unique constraint holds on every backend (NULLs never collide).
    Rows older than the timestamp window can be purged.
    """

    __tablename__ = "oauth_nonces"
    __table_args__ = (UniqueConstraint("consumer_key", "token", "nonce", "timestamp"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consumer_key: Mapped[str] = mapped_column(String(64))
    token: Mapped[str] = mapped_column(String(64), default="")
    nonce: Mapped[str] = mapped_column(String(255))
    timestamp: Mapped[int] = mapped_column(BigInteger, index=True)
    created_at: Mapped[dt.datetime] = _created_at()


class FailedLoginCounter(Base):
    """The recent failed logins of one account name or one client address (the login throttle).

    ``scope`` is "account" or "address"; ``key_hash`` the SHA-256 (hex) of
    the name as typed or of the address, so that a password typed into the
    name field is never stored. The count starts again after a quiet period;
    see ``odesk_server.web.login_throttle``.
    """

    __tablename__ = "failed_login_counters"

    scope: Mapped[str] = mapped_column(String(16), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failure_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)


# --------------------------------------------------------------------------
# Helpers

# Each kind numbers its references from its own base so that a reference
# read in a log hints at what it names (users 1xxxxxx, teams 2xxxxxx...).
REFERENCE_BASES: dict[type[Base], int] = {
    User: 1_000_000,
    Team: 2_000_000,
    Company: 3_000_000,
    Engagement: 4_000_000,
    AccountingEntity: 5_000_000,
    LedgerEntry: 6_000_000,
    UserRole: 7_000_000,
}


def next_reference(session: Session, model: type[Base]) -> int:
    """The next free ``reference`` for ``model`` (max + 1, starting at its base).

    Two concurrent writers may pick the same number; the unique constraint
    then rejects one of them, which is what we want.
    """
    column = model.__table__.c.reference
    current = session.execute(sa.select(sa.func.max(column))).scalar()
    base = REFERENCE_BASES.get(model, 1)
    return max(int(current or 0), base) + 1
