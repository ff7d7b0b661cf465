"""Money: accounts and the ledger of every movement between them.

Each company and each provider has an ``AccountingEntity``; one platform
entity (``kind='platform'``) collects the fees. ``LedgerEntry`` rows are the
legs of transactions (``transaction_ref`` groups them): amounts are signed
from the entity's point of view (money in > 0, money out < 0), so the legs
of one internal transaction sum to zero: an hourly invoice is ``-charges``
on the buyer, ``+earnings`` on the provider's entity (the agency's entity
for agency contractors) and ``+fee`` on the platform. Payments
(``type='Payment'``) move money across the platform boundary (buyer
deposits, provider withdrawals) and have a single leg.

Rows of this module are written by ``odesk_server.domain.ledger`` only.
A new table about money (payment methods, invoices as documents...) goes
in this module.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from odesk_server.models.base import MONEY, Base, created_at_column
from odesk_server.models.org import Company, User

if TYPE_CHECKING:
    # work imports this module (the default fee); the mapper finds Engagement by name.
    from odesk_server.models.work import Engagement

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


def money(value: Decimal | int | str) -> Decimal:
    """``value`` rounded half-up to cents."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


class AccountingEntity(Base):
    """An account: one per company (``company_id``), one per provider (``user_id``), one platform."""

    __tablename__ = "accounting_entities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[int] = mapped_column(BigInteger, unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    created_at: Mapped[dt.datetime] = created_at_column()

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
    created_at: Mapped[dt.datetime] = created_at_column()

    accounting_entity: Mapped[AccountingEntity] = relationship()
    engagement: Mapped[Engagement | None] = relationship()
