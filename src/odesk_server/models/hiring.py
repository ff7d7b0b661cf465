"""Hiring: job categories, jobs, candidacies and offers, up to the contract they lead to.

A buyer team posts a ``Job`` (in a ``JobCategory``); providers become
``Candidacy`` rows of the job, invited by the buyer (``invite_to_interview``)
or applying themselves; the buyer makes an ``Offer`` (its fixed-price
milestones wait in ``OfferMilestone`` rows); the provider accepts it and an
``Engagement`` (``models.work``) points back at the offer and the job.

The API names these rows by their ``reference`` (the job reference, the
offer and application ids) and a job also by its public ``job_key``. The
columns hold what the wire sends, typed (money ``Decimal``, dates ``date``);
counters the API shows (a job's candidates, new candidates) are counted from
the rows, never stored. The states and what moves them are described on each
class; the rules themselves live in ``odesk_server.domain``. The database
refuses unknown statuses and non-positive amounts (check constraints).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from odesk_server.models.base import HOURS, MONEY, Base, UTCDateTime, created_at_column, utcnow
from odesk_server.models.org import Team, User
from odesk_server.models.work import JOB_TYPES, Engagement, one_of

JOB_VISIBILITIES = frozenset({"public", "private", "odesk", "invite-only"})
JOB_STATUSES = frozenset({"open", "filled", "cancelled"})
# delete_job's documented reason codes: 67 accidental opening creation, 51 all
# positions filled, 49 filled by alternate source, 41 project was cancelled,
# 34 no developer for requested skills.
JOB_CANCEL_REASONS = frozenset({67, 51, 49, 41, 34})
CANDIDACY_ORIGINS = frozenset({"invitation", "application"})
CANDIDACY_STATUSES = frozenset({"invited", "interviewing", "offered", "hired", "declined", "withdrawn"})
OFFER_STATUSES = frozenset({"pending", "accepted", "declined", "withdrawn", "expired"})
# Key of ``Table.info`` marking a table whose rows the migrations write (reference data, not anyone's data).
SEEDED_BY_MIGRATIONS = "seeded_by_migrations"


class JobCategory(Base):
    """A category or subcategory a job is posted in, as the metadata API lists them.

    ``version`` 1 holds the categories of ``post_job``'s ``category`` and
    ``subcategory`` (and of ``/profiles/v1/metadata/categories``); version 2
    those of ``subcategory2`` (``/profiles/v2/metadata/categories``). A row
    without ``parent_id`` is a category, a row with one is a subcategory of
    it. ``id`` is the number the API shows (``related_jobcategory``), so the
    rows are written by the migrations with fixed ids, never by the server;
    the table's ``info`` says so (``SEEDED_BY_MIGRATIONS``), and whatever
    empties a database (the demo's reset) leaves its rows alone.
    """

    __tablename__ = "job_categories"
    __table_args__ = (
        UniqueConstraint("version", "parent_id", "title"),
        CheckConstraint("version IN (1, 2)", name="version"),
        {"info": {SEEDED_BY_MIGRATIONS: True}},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(SmallInteger)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("job_categories.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))

    parent: Mapped[JobCategory | None] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"JobCategory(id={self.id}, title={self.title!r})"


class Job(Base):
    """A job posting of a buyer team.

    ``job_key`` is the public key (``~~`` and 16 hex digits) that job
    profiles and the application listings take. ``job_type`` is ``hourly``
    or ``fixed-price``; a fixed-price job has a ``budget``, an hourly one a
    ``duration`` in hours (either may be given, as ``post_job`` allows).
    ``subcategory_id`` is a version-1 subcategory (its parent is the job's
    ``category``), ``subcategory2_id`` a version-2 one. ``skills`` is the
    text as sent, ``;``-joined.

    Status: ``open`` when posted; ``update_job`` may set ``filled`` or
    ``cancelled`` (or open it again); ``delete_job`` sets ``cancelled``
    with ``cancel_reason`` (one of ``JOB_CANCEL_REASONS``); accepting an
    offer fills the job unless the offer keeps it open. ``closed_at`` is
    when it last left ``open`` (the payload's filled or cancelled date).
    ``last_candidacy_access_at`` is when the buyer last listed its
    candidates: later candidacies are the "new" ones.
    """

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(one_of("job_type", JOB_TYPES), name="job_type"),
        CheckConstraint(one_of("visibility", JOB_VISIBILITIES), name="visibility"),
        CheckConstraint(one_of("status", JOB_STATUSES), name="status"),
        CheckConstraint(one_of("cancel_reason", JOB_CANCEL_REASONS), name="cancel_reason"),
        CheckConstraint("budget > 0", name="budget_positive"),
        CheckConstraint("duration > 0", name="duration_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[int] = mapped_column(BigInteger, unique=True)
    job_key: Mapped[str] = mapped_column(String(64), unique=True)
    buyer_team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    created_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    job_type: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text)
    visibility: Mapped[str] = mapped_column(String(16))
    subcategory_id: Mapped[int | None] = mapped_column(ForeignKey("job_categories.id"))
    subcategory2_id: Mapped[int | None] = mapped_column(ForeignKey("job_categories.id"))
    budget: Mapped[Decimal | None] = mapped_column(MONEY)
    duration: Mapped[int | None] = mapped_column(Integer)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    skills: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    cancel_reason: Mapped[int | None] = mapped_column(SmallInteger)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_candidacy_access_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = created_at_column()
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    buyer_team: Mapped[Team] = relationship()
    created_by: Mapped[User] = relationship()
    subcategory: Mapped[JobCategory | None] = relationship(foreign_keys=[subcategory_id])
    subcategory2: Mapped[JobCategory | None] = relationship(foreign_keys=[subcategory2_id])
    candidacies: Mapped[list[Candidacy]] = relationship(back_populates="job", order_by="Candidacy.id")

    def __repr__(self) -> str:
        return f"Job(reference={self.reference}, title={self.title!r})"


class Candidacy(Base):
    """A provider's candidacy for a job: the "application" of the HR v3/v4 listings.

    ``origin`` says how it began: ``invitation`` (the buyer's
    ``invite_to_interview``, ``cover`` is the buyer's letter) or
    ``application`` (the provider applied, ``cover`` is his cover letter).
    ``provider_team_id`` is the agency team he applies through, if any. A
    provider has at most one candidacy per job.

    Status: ``invited`` (an invitation not answered yet) -> ``interviewing``
    (he accepted the invitation; an application starts here) -> ``offered``
    (an offer to him for this job is pending) -> ``hired`` (he accepted it);
    a declined or withdrawn offer brings it back to ``interviewing``.
    ``declined``: the provider declined the invitation or the buyer rejected
    him; ``withdrawn``: the provider withdrew, or the job closed before he
    was hired. ``is_shortlisted`` and ``is_hidden`` are the buyer's marks.

    The listings filter on these: the contractor's ``invites`` are
    ``invited``, ``interviews`` are ``interviewing`` and ``offered``,
    ``active`` are ``invited``, ``interviewing`` and ``offered``; the client's
    ``messaged`` is ``interviewing``, ``offered`` and ``hired`` are
    themselves, ``declined`` is ``declined`` and ``withdrawn``,
    ``shortlisted`` and ``hidden`` are the marks.
    """

    __tablename__ = "candidacies"
    __table_args__ = (
        UniqueConstraint("job_id", "provider_user_id"),
        CheckConstraint(one_of("origin", CANDIDACY_ORIGINS), name="origin"),
        CheckConstraint(one_of("status", CANDIDACY_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[int] = mapped_column(BigInteger, unique=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"))
    provider_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    provider_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    origin: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    cover: Mapped[str] = mapped_column(Text, default="")
    is_shortlisted: Mapped[bool] = mapped_column(Boolean, default=False)
    is_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = created_at_column()
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    job: Mapped[Job] = relationship(back_populates="candidacies")
    provider: Mapped[User] = relationship(foreign_keys=[provider_user_id])
    provider_team: Mapped[Team | None] = relationship(foreign_keys=[provider_team_id])

    def __repr__(self) -> str:
        return f"Candidacy(reference={self.reference}, status={self.status!r})"


class Offer(Base):
    """The terms a buyer team offers a provider; accepting them starts an engagement.

    Made by ``post_offer`` (HR v2, always for a job) or ``send_client_offer``
    (offers v1, ``job_id`` may be NULL). ``candidacy_id`` is the candidacy it
    answers, when there is one; ``provider_team_id`` the agency team of an
    agency provider. ``title`` is the engagement title (the job's title
    when none is given).

    Terms, by ``job_type``: hourly uses ``hourly_pay_rate`` (what the buyer
    is charged an hour), ``weekly_hours_limit`` and ``weekly_stipend_hours``;
    fixed price uses ``fixed_charge_amount_agreed`` (the buyer's price),
    ``fixed_pay_amount_agreed`` (what the provider gets, when given) and
    ``fixed_price_upfront_payment`` (paid on acceptance), with the
    milestones in ``OfferMilestone``. ``weekly_salary_charge_amount`` and
    ``weekly_salary_pay_amount`` are a fixed weekly payment (HR v2's weekly
    salary; the offers v1 ``weekly_stipend``). ``keep_open`` leaves the job
    open when the offer is accepted (offers v1's ``close_on_accept`` is its
    negation).

    Status: ``pending`` (offers v1 calls it ``new``) -> ``accepted`` (the
    provider accepted: the engagement exists and names this offer in
    ``Engagement.offer_id``), ``declined`` (the provider declined),
    ``withdrawn`` (the buyer took it back) or ``expired`` (``expires_at``
    passed while pending). ``decided_at`` is when it left ``pending``.
    """

    __tablename__ = "offers"
    __table_args__ = (
        CheckConstraint(one_of("job_type", JOB_TYPES), name="job_type"),
        CheckConstraint(one_of("status", OFFER_STATUSES), name="status"),
        CheckConstraint("hourly_pay_rate > 0", name="hourly_pay_rate_positive"),
        CheckConstraint("weekly_hours_limit >= 0", name="weekly_hours_limit_not_negative"),
        CheckConstraint("weekly_stipend_hours >= 0", name="weekly_stipend_hours_not_negative"),
        CheckConstraint("weekly_salary_charge_amount > 0", name="weekly_salary_charge_amount_positive"),
        CheckConstraint("weekly_salary_pay_amount > 0", name="weekly_salary_pay_amount_positive"),
        CheckConstraint("fixed_charge_amount_agreed > 0", name="fixed_charge_amount_agreed_positive"),
        CheckConstraint("fixed_pay_amount_agreed > 0", name="fixed_pay_amount_agreed_positive"),
        CheckConstraint("fixed_price_upfront_payment >= 0", name="fixed_price_upfront_payment_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[int] = mapped_column(BigInteger, unique=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"), index=True)
    candidacy_id: Mapped[int | None] = mapped_column(ForeignKey("candidacies.id"), index=True)
    buyer_team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    created_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    provider_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    provider_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    message_from_buyer: Mapped[str | None] = mapped_column(Text)
    job_type: Mapped[str] = mapped_column(String(16))
    hourly_pay_rate: Mapped[Decimal | None] = mapped_column(MONEY)
    weekly_hours_limit: Mapped[Decimal | None] = mapped_column(HOURS)
    weekly_stipend_hours: Mapped[Decimal | None] = mapped_column(HOURS)
    weekly_salary_charge_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    weekly_salary_pay_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    fixed_charge_amount_agreed: Mapped[Decimal | None] = mapped_column(MONEY)
    fixed_pay_amount_agreed: Mapped[Decimal | None] = mapped_column(MONEY)
    fixed_price_upfront_payment: Mapped[Decimal | None] = mapped_column(MONEY)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    keep_open: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = created_at_column()
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    job: Mapped[Job | None] = relationship()
    candidacy: Mapped[Candidacy | None] = relationship()
    buyer_team: Mapped[Team] = relationship(foreign_keys=[buyer_team_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_user_id])
    provider: Mapped[User] = relationship(foreign_keys=[provider_user_id])
    provider_team: Mapped[Team | None] = relationship(foreign_keys=[provider_team_id])
    milestones: Mapped[list[OfferMilestone]] = relationship(
        back_populates="offer", cascade="all, delete-orphan", order_by="OfferMilestone.position"
    )
    # The engagement names its offer (Engagement.offer_id), so an offer needs no column for it.
    engagement: Mapped[Engagement | None] = relationship(
        primaryjoin="Offer.id == Engagement.offer_id", foreign_keys="Engagement.offer_id", viewonly=True
    )

    def __repr__(self) -> str:
        return f"Offer(reference={self.reference}, status={self.status!r})"


class OfferMilestone(Base):
    """A milestone of a fixed-price offer, kept until the offer is decided.

    ``position`` orders them from 0 as sent (``milestones[i]``). Accepting
    the offer copies them into the engagement's ``Milestone`` rows; these
    rows stay as the record of what was offered.
    """

    __tablename__ = "offer_milestones"
    __table_args__ = (
        UniqueConstraint("offer_id", "position"),
        CheckConstraint("deposit_amount > 0", name="deposit_amount_positive"),
        CheckConstraint("position >= 0", name="position_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    deposit_amount: Mapped[Decimal] = mapped_column(MONEY)
    due_date: Mapped[dt.date | None] = mapped_column(Date)

    offer: Mapped[Offer] = relationship(back_populates="milestones")
