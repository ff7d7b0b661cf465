"""Work: contracts (engagements), the time logged on them, and their fixed-price milestones.

An ``Engagement`` is a contract between a buyer team and a provider,
optionally through an agency. ``TimeLog`` rows hold the hours per
engagement, day and task; their money columns (charges and earnings, online
and offline) are computed when the row is written (``price_time``), so
reports only sum stored columns. A fixed-price contract is paid by
``Milestone`` (funded, then paid on approval), the provider asking for
approval with a ``Submission``. ``EngagementEvent`` keeps the history of
suspensions, restarts and the end; ``EngagementFeedbackScore`` the scores
given when the contract ended. The rules a contract follows (its states,
its terms) are in ``odesk_server.domain.engagements``.

Adjustments (``post_team_adjustment``) have no table: an adjustment is a
ledger transaction (``LedgerEntry`` legs of type ``Adjustment`` naming the
engagement, the comments in ``comment`` and the notes in ``notes``), and the
``adjustment.reference`` the API answers is its ``transaction_ref``.

The hiring flow before a contract (jobs, candidacies, offers) is in
``models.hiring``; the work diary (snapshots) in ``models.diary``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from odesk_server.models.base import HOURS, MONEY, RATE, Base, UTCDateTime, created_at_column
from odesk_server.models.money import DEFAULT_FEE_RATE, money
from odesk_server.models.org import Company, Team, User

if TYPE_CHECKING:
    # hiring imports this module; the mapper finds Job and Offer by name.
    from odesk_server.models.hiring import Job, Offer

JOB_TYPES = frozenset({"hourly", "fixed-price"})
ENGAGEMENT_STATUSES = frozenset({"active", "closed", "suspended"})
# end_contract's reasons and would_hire_again choices, as documented.
END_REASONS = frozenset(
    {
        "API_REAS_MISREPRESENTED_SKILLS",
        "API_REAS_CONTRACTOR_NOT_RESPONSIVE",
        "API_REAS_HIRED_DIFFERENT",
        "API_REAS_JOB_COMPLETED_SUCCESSFULLY",
        "API_REAS_WORK_NOT_NEEDED",
        "API_REAS_UNPROFESSIONAL_CONDUCT",
    }
)
# Feedback score ids: 3 to 8 rate the contractor, 9 to 14 the employer.
CONTRACTOR_SCORE_IDS = range(3, 9)
EMPLOYER_SCORE_IDS = range(9, 15)
ENGAGEMENT_EVENT_ACTIONS = frozenset({"suspend", "restart", "end"})
MILESTONE_STATUSES = frozenset({"not_funded", "active", "submitted", "paid", "deleted"})
SUBMISSION_STATUSES = frozenset({"pending", "approved", "rejected"})
# approve_milestone/approve_submission's documented reasons for paying less than agreed.
UNDERPAYMENT_REASONS = frozenset({329, 330, 331, 332})
SCORE = Numeric(3, 2)


def one_of(column: str, values: Iterable[str | int]) -> str:
    """The SQL of a check constraint: ``column`` holds one of ``values`` (or NULL)."""
    items = ", ".join(repr(value) if isinstance(value, str) else str(value) for value in sorted(values))
    return f"{column} IN ({items})"


class Engagement(Base):
    """A contract: a provider works for a buyer team, optionally through an agency.

    ``provider_team_id`` is the provider-side team the provider is staffed
    under (the agency's root team for agency work, NULL for an independent
    provider). Hourly contracts use ``hourly_rate`` and ``weekly_limit``
    (hours); fixed-price ones ``fixed_price``. ``fee_rate`` is the platform
    fee: earnings = charges * (1 - fee_rate).

    ``job_id`` and ``offer_id`` name the job and the accepted offer the
    contract came from (NULL for contracts made otherwise, as the demo's).
    Status: ``active`` -> ``suspended`` (``suspend_contract``) -> ``active``
    (``restart_contract``); ``end_contract`` closes an active or suspended
    contract for good, setting ``ended_on``, ``end_reason`` (one of
    ``END_REASONS``), ``would_hire_again`` (yes is True) and the feedback
    (``feedback_comment``, ``EngagementFeedbackScore`` rows). Each of these
    moves adds an ``EngagementEvent``. The new columns carry no check
    constraint: SQLite can add one only by rebuilding this table, which
    time logs and ledger entries reference; the domain validates them.
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
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"), index=True)
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("offers.id"), index=True, unique=True)
    end_reason: Mapped[str | None] = mapped_column(String(64))
    would_hire_again: Mapped[bool | None] = mapped_column(Boolean)
    feedback_comment: Mapped[str | None] = mapped_column(Text)

    buyer_team: Mapped[Team] = relationship(foreign_keys=[buyer_team_id])
    provider: Mapped[User] = relationship(foreign_keys=[provider_user_id])
    agency: Mapped[Company | None] = relationship(foreign_keys=[agency_company_id])
    provider_team: Mapped[Team | None] = relationship(foreign_keys=[provider_team_id])
    job: Mapped[Job | None] = relationship(foreign_keys=[job_id])
    offer: Mapped[Offer | None] = relationship(foreign_keys=[offer_id])
    milestones: Mapped[list[Milestone]] = relationship(back_populates="engagement", order_by="Milestone.position")
    events: Mapped[list[EngagementEvent]] = relationship(back_populates="engagement", order_by="EngagementEvent.id")
    feedback_scores: Mapped[list[EngagementFeedbackScore]] = relationship(
        back_populates="engagement", cascade="all, delete-orphan", order_by="EngagementFeedbackScore.score_id"
    )

    def __repr__(self) -> str:
        return f"Engagement(reference={self.reference}, title={self.title!r})"


class TimeLog(Base):
    """Hours one provider logged on one engagement, day, task and memo, with their money.

    ``task`` is a task code ("" when none). One row per engagement, day
    (UTC), task and memo: the domain keeps it so under the contract's lock
    (no unique constraint, because a memo may be longer than an index entry
    allows). ``hours_online`` includes the ``tracked_minutes`` of the
    contract's snapshots for that day, task and memo (``models.diary``),
    rounded to the hundredth of an hour; ``hours_offline`` is manual time.
    The money columns are written by ``price_time`` from the engagement's
    rate and fee whenever the hours change.
    """

    __tablename__ = "time_logs"
    __table_args__ = (
        # Every report scope (team, company, provider, agency) reaches its time logs
        # through their contracts (``engagements`` is indexed on each scope column),
        # then a range of days. The hours and money are in the key too, so a report
        # that sums them reads this index alone, never the scattered table rows
        # (docs/reports.md, "Reports at scale").
        Index(
            "ix_time_logs_engagement_id_worked_on_totals",
            "engagement_id",
            "worked_on",
            "hours_online",
            "hours_offline",
            "charges_online",
            "charges_offline",
            "earnings_online",
            "earnings_offline",
        ),
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
    tracked_minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[dt.datetime] = created_at_column()

    engagement: Mapped[Engagement] = relationship()


class EngagementEvent(Base):
    """One move in a contract's history: who suspended, restarted or ended it, when, and why.

    ``action`` is ``suspend``, ``restart`` or ``end``; ``message`` is the
    message sent with it (``suspend_contract``/``restart_contract``), NULL
    for an end. Rows are only ever added.
    """

    __tablename__ = "engagement_events"
    __table_args__ = (CheckConstraint(one_of("action", ENGAGEMENT_EVENT_ACTIONS), name="action"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    message: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = created_at_column()

    engagement: Mapped[Engagement] = relationship(back_populates="events")
    user: Mapped[User | None] = relationship()


class EngagementFeedbackScore(Base):
    """One feedback score given when the contract ended (``end_contract``'s ``fb_scores[id]``).

    ``score_id`` 3 to 8 rate the contractor (given by the buyer), 9 to 14
    the employer (given by the provider); ``score`` is from 1 to 5. One row
    per engagement and score id.
    """

    __tablename__ = "engagement_feedback_scores"
    __table_args__ = (
        CheckConstraint("score_id >= 3 AND score_id <= 14", name="score_id"),
        CheckConstraint("score >= 1 AND score <= 5", name="score"),
    )

    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"), primary_key=True)
    score_id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    score: Mapped[Decimal] = mapped_column(SCORE)

    engagement: Mapped[Engagement] = relationship(back_populates="feedback_scores")


class Milestone(Base):
    """A milestone of a fixed-price contract: a described amount, funded into escrow, then paid.

    ``reference`` is the ``milestone_id`` of the API; ``position`` orders the
    contract's milestones. Status: ``not_funded`` (created, or copied from
    the offer) -> ``active`` (``activate_milestone`` funded it:
    ``funded_at``) -> ``submitted`` (the provider asked for approval: a
    pending ``Submission``) -> ``active`` again when the submission is
    rejected, or ``paid`` when it is approved or when ``approve_milestone``
    pays it directly (from ``active`` or ``submitted``). Only a
    ``not_funded`` milestone may be deleted: it becomes ``deleted`` (kept,
    so references are never reused).

    The payment columns say what approving paid, whichever route:
    ``paid_amount`` (the amount approved, at most ``deposit_amount``),
    ``bonus``, ``pay_comments``, ``underpayment_reason`` (one of
    ``UNDERPAYMENT_REASONS`` when ``paid_amount`` is less than the deposit),
    ``note2contractor``, ``paid_at`` and ``payment_transaction_ref``, the
    ledger transaction that paid it.
    """

    __tablename__ = "milestones"
    __table_args__ = (
        UniqueConstraint("engagement_id", "position"),
        CheckConstraint(one_of("status", MILESTONE_STATUSES), name="status"),
        CheckConstraint("deposit_amount > 0", name="deposit_amount_positive"),
        CheckConstraint("paid_amount >= 0", name="paid_amount_not_negative"),
        CheckConstraint("bonus >= 0", name="bonus_not_negative"),
        CheckConstraint(one_of("underpayment_reason", UNDERPAYMENT_REASONS), name="underpayment_reason"),
        CheckConstraint("position >= 0", name="position_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[int] = mapped_column(BigInteger, unique=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id"))
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    deposit_amount: Mapped[Decimal] = mapped_column(MONEY)
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="not_funded", index=True)
    funded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    paid_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    bonus: Mapped[Decimal | None] = mapped_column(MONEY)
    pay_comments: Mapped[str | None] = mapped_column(Text)
    underpayment_reason: Mapped[int | None] = mapped_column(SmallInteger)
    note2contractor: Mapped[str | None] = mapped_column(Text)
    paid_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    payment_transaction_ref: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = created_at_column()

    engagement: Mapped[Engagement] = relationship(back_populates="milestones")
    submissions: Mapped[list[Submission]] = relationship(back_populates="milestone", order_by="Submission.id")

    def __repr__(self) -> str:
        return f"Milestone(reference={self.reference}, status={self.status!r})"


class Submission(Base):
    """The provider's request to approve a milestone (``request_submission_approval``).

    ``reference`` is the ``submission_id`` of the API; ``amount`` is what
    the provider asks for, ``note2client`` his note. Status: ``pending`` ->
    ``approved`` (``approve_submission``; the milestone is paid, its payment
    columns say how much) or ``rejected`` (``reject_submission``; the
    milestone is active again). ``note2contractor`` is the buyer's note with
    the decision, ``decided_at`` its time.
    """

    __tablename__ = "submissions"
    __table_args__ = (
        CheckConstraint(one_of("status", SUBMISSION_STATUSES), name="status"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[int] = mapped_column(BigInteger, unique=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestones.id"), index=True)
    note2client: Mapped[str] = mapped_column(Text)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    note2contractor: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = created_at_column()
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    milestone: Mapped[Milestone] = relationship(back_populates="submissions")

    def __repr__(self) -> str:
        return f"Submission(reference={self.reference}, status={self.status!r})"


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
