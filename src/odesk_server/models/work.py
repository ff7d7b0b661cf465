"""Work: contracts (engagements) and the time logged on them.

An ``Engagement`` is a contract between a buyer team and a provider,
optionally through an agency. ``TimeLog`` rows hold the hours per
engagement, day and task; their money columns (charges and earnings, online
and offline) are computed when the row is written (``price_time``), so
reports only sum stored columns. The rules a contract follows (its states,
its terms) are in ``odesk_server.domain.engagements``.

The tables of the hiring flow and of the work diary (jobs, offers,
milestones, snapshots) go in this module, or in a sibling module of this
package once it grows.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from odesk_server.models.base import HOURS, MONEY, RATE, Base, created_at_column
from odesk_server.models.money import DEFAULT_FEE_RATE, money
from odesk_server.models.org import Company, Team, User

JOB_TYPES = frozenset({"hourly", "fixed-price"})
ENGAGEMENT_STATUSES = frozenset({"active", "closed", "suspended"})


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
    created_at: Mapped[dt.datetime] = created_at_column()

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
    created_at: Mapped[dt.datetime] = created_at_column()

    engagement: Mapped[Engagement] = relationship()


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
