"""The rules of an offer: its terms, its states, and what accepting or declining it does.

An offer is hourly or fixed price (``OfferTerms``):

- ``HourlyOfferTerms``: the hourly rate the buyer is charged, an optional
  weekly limit of hours and stipend hours, and an optional fixed weekly
  payment (charged, and paid when given);
- ``FixedPriceOfferTerms``: the amount agreed (what the buyer is charged),
  what the provider is paid when given, the upfront payment charged on
  acceptance and the milestones offered; the upfront payment and the
  milestones together never exceed the amount.

An offer starts pending and is decided once::

    pending --accept--> accepted     (the engagement exists)
    pending --decline--> declined
    pending --withdraw--> withdrawn
    pending, once expires_at has passed: expired

Expiry is a matter of time, not of a write: a pending offer whose
``expires_at`` has passed is expired for whoever reads it or acts on it
(``current_status``; the listings compute the same in SQL).

``accept_offer`` and ``decline_offer`` do the whole move in the request's
unit of work: the offer changes state only if it is still pending (one
conditional UPDATE, so two concurrent accepts make one engagement on SQLite
and PostgreSQL alike); accepting creates the ``Engagement`` (its terms
through ``domain.engagements``), copies the offered milestones into
``Milestone`` rows (all ``not_funded``: funding is the buyer's
``activate_milestone``), charges the upfront payment through
``domain.ledger`` and moves the candidacy to hired and the job to filled
(unless the offer keeps it open); declining brings the candidacy back to
interviewing. A broken rule raises a ``problems`` class whose message names it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from odesk_server.db.work import UnitOfWork
from odesk_server.domain import engagements, ledger, messages, payments
from odesk_server.models import (
    DEFAULT_FEE_RATE,
    Candidacy,
    Engagement,
    Job,
    Milestone,
    Offer,
    OfferMilestone,
    Team,
    User,
    UserRole,
)
from odesk_server.models.references import next_reference
from odesk_server.problems import Conflict, Invalid, WrongState
from odesk_server.queries import offers as queries

# Most hours a week has: a weekly limit or stipend above it means nothing.
HOURS_IN_A_WEEK = Decimal(168)
ZERO = Decimal(0)


class OfferStatus(StrEnum):
    """The statuses of an offer (``Offer.status``)."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class OfferAction(StrEnum):
    """What may happen to a pending offer: the provider accepts or declines, the buyer withdraws."""

    ACCEPT = "accept"
    DECLINE = "decline"
    WITHDRAW = "withdraw"


# The allowed moves, the only ones: every move starts from pending.
TRANSITIONS: dict[tuple[OfferStatus, OfferAction], OfferStatus] = {
    (OfferStatus.PENDING, OfferAction.ACCEPT): OfferStatus.ACCEPTED,
    (OfferStatus.PENDING, OfferAction.DECLINE): OfferStatus.DECLINED,
    (OfferStatus.PENDING, OfferAction.WITHDRAW): OfferStatus.WITHDRAWN,
}


def current_status(status: str, expires_at: dt.datetime | None, now: dt.datetime) -> OfferStatus:
    """The status an offer has at ``now``: a pending offer past ``expires_at`` is expired."""
    found = OfferStatus(status)
    if found is OfferStatus.PENDING and expires_at is not None and expires_at <= now:
        return OfferStatus.EXPIRED
    return found


def next_status(status: OfferStatus | str, action: OfferAction | str) -> OfferStatus:
    """The status an offer in ``status`` takes after ``action``.

    Raises ``Invalid`` for an unknown action and ``WrongState`` (400
    ``invalid_state``) when the offer is not pending, naming its status.
    """
    try:
        move = OfferAction(action)
    except ValueError:
        raise Invalid(f"action_name must be accept or decline, got {action!r}") from None
    current = OfferStatus(status)
    after = TRANSITIONS.get((current, move))
    if after is None:
        raise WrongState(f"cannot {move} an offer that is {current}: only a pending offer can be decided")
    return after


# --------------------------------------------------------------------------
# Terms


@dataclass(frozen=True)
class OfferedMilestone:
    """A milestone given with a fixed-price offer: what it is for, its amount, when it is due."""

    description: str
    deposit_amount: Decimal
    due_date: dt.date | None = None


@dataclass(frozen=True)
class HourlyOfferTerms:
    """An hourly offer: rate, weekly limit and stipend hours, and an optional fixed weekly payment."""

    hourly_rate: Decimal
    weekly_limit: Decimal | None = None
    weekly_stipend_hours: Decimal | None = None
    weekly_salary_charge: Decimal | None = None
    weekly_salary_pay: Decimal | None = None

    def __post_init__(self) -> None:
        for name, hours in (
            ("weekly_hours_limit", self.weekly_limit),
            ("weekly_stipend_hours", self.weekly_stipend_hours),
        ):
            if hours is not None and hours > HOURS_IN_A_WEEK:
                raise Invalid(f"{name} must be at most {HOURS_IN_A_WEEK} hours, got {hours}")
        if self.weekly_salary_pay is not None:
            if self.weekly_salary_charge is None:
                raise Invalid("weekly_salary_pay_amount needs weekly_salary_charge_amount")
            if self.weekly_salary_pay > self.weekly_salary_charge:
                raise Invalid(
                    f"weekly_salary_pay_amount ({self.weekly_salary_pay}) cannot exceed "
                    f"weekly_salary_charge_amount ({self.weekly_salary_charge})"
                )

    @property
    def job_type(self) -> engagements.JobType:
        return engagements.JobType.HOURLY

    def contract_terms(self) -> engagements.Terms:
        """The engagement terms these make."""
        return engagements.contract_terms(self.job_type, hourly_rate=self.hourly_rate, weekly_limit=self.weekly_limit)


@dataclass(frozen=True)
class FixedPriceOfferTerms:
    """A fixed-price offer: the amount agreed, the provider's pay, the upfront payment and the milestones."""

    amount: Decimal
    pay_amount: Decimal | None = None
    upfront_payment: Decimal | None = None
    milestones: tuple[OfferedMilestone, ...] = ()

    def __post_init__(self) -> None:
        if self.pay_amount is not None and self.pay_amount > self.amount:
            raise Invalid(f"the pay agreed ({self.pay_amount}) cannot exceed the amount agreed ({self.amount})")
        committed = (self.upfront_payment or ZERO) + sum((m.deposit_amount for m in self.milestones), ZERO)
        if committed > self.amount:
            raise Invalid(
                f"the upfront payment and the milestones ({committed}) cannot exceed the amount agreed ({self.amount})"
            )

    @property
    def job_type(self) -> engagements.JobType:
        return engagements.JobType.FIXED_PRICE

    def contract_terms(self) -> engagements.Terms:
        """The engagement terms these make."""
        return engagements.contract_terms(self.job_type, fixed_price=self.amount)


OfferTerms = HourlyOfferTerms | FixedPriceOfferTerms


def terms_of(offer: Offer) -> OfferTerms:
    """The terms an ``Offer`` row holds (its milestones included)."""
    if offer.job_type == engagements.JobType.HOURLY:
        assert offer.hourly_pay_rate is not None  # the offer was made from HourlyOfferTerms
        return HourlyOfferTerms(
            offer.hourly_pay_rate,
            offer.weekly_hours_limit,
            offer.weekly_stipend_hours,
            offer.weekly_salary_charge_amount,
            offer.weekly_salary_pay_amount,
        )
    assert offer.fixed_charge_amount_agreed is not None
    return FixedPriceOfferTerms(
        offer.fixed_charge_amount_agreed,
        offer.fixed_pay_amount_agreed,
        offer.fixed_price_upfront_payment,
        tuple(OfferedMilestone(m.description, m.deposit_amount, m.due_date) for m in offer.milestones),
    )


def terms_columns(terms: OfferTerms) -> dict[str, object]:
    """The ``Offer`` columns of ``terms`` (the milestones go in ``OfferMilestone`` rows)."""
    empty: dict[str, object] = {
        "hourly_pay_rate": None,
        "weekly_hours_limit": None,
        "weekly_stipend_hours": None,
        "weekly_salary_charge_amount": None,
        "weekly_salary_pay_amount": None,
        "fixed_charge_amount_agreed": None,
        "fixed_pay_amount_agreed": None,
        "fixed_price_upfront_payment": None,
    }
    if isinstance(terms, HourlyOfferTerms):
        return {
            **empty,
            "job_type": terms.job_type.value,
            "hourly_pay_rate": terms.hourly_rate,
            "weekly_hours_limit": terms.weekly_limit,
            "weekly_stipend_hours": terms.weekly_stipend_hours,
            "weekly_salary_charge_amount": terms.weekly_salary_charge,
            "weekly_salary_pay_amount": terms.weekly_salary_pay,
        }
    return {
        **empty,
        "job_type": terms.job_type.value,
        "fixed_charge_amount_agreed": terms.amount,
        "fixed_pay_amount_agreed": terms.pay_amount,
        "fixed_price_upfront_payment": terms.upfront_payment,
    }


# --------------------------------------------------------------------------
# Making an offer


@dataclass(frozen=True)
class OfferDraft:
    """An offer as a buyer asks for it, its keys already read (``make_offer`` checks the rest)."""

    buyer_team_id: int
    created_by_user_id: int
    provider: User
    terms: OfferTerms
    title: str | None = None
    message: str | None = None
    job: Job | None = None
    candidacy: Candidacy | None = None
    provider_team: Team | None = None
    start_date: dt.date | None = None
    keep_open: bool = False
    expires_at: dt.datetime | None = None


def make_offer(work: UnitOfWork, draft: OfferDraft, now: dt.datetime) -> Offer:
    """A pending offer from ``draft``, its milestones and its candidacy (made or moved to ``offered``).

    Raises ``Invalid`` when the job is another team's, the candidacy another
    job's or provider's, the provider outside the team named for him, or no
    title can be found; ``WrongState`` when the job is not open or the
    candidacy is past offering; ``Conflict`` when the team already has a
    pending offer for the provider on that job.
    """
    session = work.session
    job = draft.job
    provider = draft.provider
    if job is not None:
        if job.buyer_team_id != draft.buyer_team_id:
            raise Invalid(f"the job {job.reference} is not a job of the buyer team")
        if job.status != "open":
            raise WrongState(f"cannot make an offer on a job that is {job.status}: only an open job takes offers")
    if draft.provider_team is not None and not queries.holds_role(work, provider.id, draft.provider_team.id):
        raise Invalid(f"the provider {provider.uid} is not in the team {draft.provider_team.team_id}")
    if draft.expires_at is not None and draft.expires_at <= now:
        raise Invalid("expires_on must be in the future")
    title = draft.title or (job.title if job is not None else None)
    if not title:
        raise Invalid("a title is needed when the offer names no job")
    if queries.has_pending_offer(work, now, draft.buyer_team_id, job.id if job else None, provider.id):
        raise Conflict(f"the provider {provider.uid} already has a pending offer from this team for this job")
    candidacy = _offered_candidacy(work, draft, now)
    provider_team = draft.provider_team or (
        candidacy.provider_team if candidacy is not None and candidacy.provider_team_id is not None else None
    )
    offer = Offer(
        reference=next_reference(session, Offer),
        job_id=job.id if job is not None else None,
        candidacy_id=candidacy.id if candidacy is not None else None,
        buyer_team_id=draft.buyer_team_id,
        created_by_user_id=draft.created_by_user_id,
        provider_user_id=provider.id,
        provider_team_id=provider_team.id if provider_team is not None else None,
        title=title,
        message_from_buyer=draft.message,
        start_date=draft.start_date,
        keep_open=draft.keep_open,
        status=OfferStatus.PENDING.value,
        expires_at=draft.expires_at,
        created_at=now,
        **terms_columns(draft.terms),
    )
    if isinstance(draft.terms, FixedPriceOfferTerms):
        offer.milestones = [
            OfferMilestone(
                position=position,
                description=m.description,
                deposit_amount=m.deposit_amount,
                due_date=m.due_date,
            )
            for position, m in enumerate(draft.terms.milestones)
        ]
    session.add(offer)
    session.flush()
    if candidacy is not None:  # the buyer answers the candidate: his interview thread says so (domain.messages)
        messages.interview_post(
            session, candidacy, draft.created_by_user_id, draft.message or "", now, fallback=f"An offer: {title}"
        )
    return offer


# Candidacy statuses an offer may be made from (an offer moves them to offered).
_OFFERABLE = frozenset({"invited", "interviewing"})


def _offered_candidacy(work: UnitOfWork, draft: OfferDraft, now: dt.datetime) -> Candidacy | None:
    """The candidacy the offer answers, moved to ``offered``; made for a job offer that has none."""
    job = draft.job
    candidacy = draft.candidacy
    if candidacy is not None:
        if candidacy.provider_user_id != draft.provider.id or (job is not None and candidacy.job_id != job.id):
            raise Invalid(f"the application {candidacy.reference} is not the provider's application for this job")
    elif job is not None:
        candidacy = queries.candidacy_of(work, job.id, draft.provider.id)
    if candidacy is None:
        if job is None:
            return None
        candidacy = Candidacy(
            reference=next_reference(work.session, Candidacy),
            job_id=job.id,
            provider_user_id=draft.provider.id,
            provider_team_id=draft.provider_team.id if draft.provider_team is not None else None,
            origin="invitation",
            status="offered",
            created_at=now,
        )
        work.session.add(candidacy)
        work.session.flush()
        return candidacy
    if candidacy.status not in _OFFERABLE:
        raise WrongState(
            f"cannot make an offer on an application that is {candidacy.status}: "
            "only an invited or interviewing candidate can get an offer"
        )
    candidacy.status = "offered"
    return candidacy


# --------------------------------------------------------------------------
# Moves


def decide(work: UnitOfWork, offer: Offer, action: OfferAction, now: dt.datetime) -> OfferStatus:
    """Move ``offer`` by ``action`` if it is still pending and not expired at ``now``; the new status.

    One conditional UPDATE: of two concurrent requests, one wins and the
    other sees the offer decided. Raises ``WrongState`` naming the status the
    offer has (expired included) when it is not pending.
    """
    status = current_status(offer.status, offer.expires_at, now)
    after = next_status(status, action)
    if not queries.claim_pending(work, offer.id, after.value, now):
        work.session.refresh(offer)
        next_status(current_status(offer.status, offer.expires_at, now), action)  # raises, naming the state
        raise WrongState(f"cannot {action} this offer: it was decided meanwhile")  # pragma: no cover
    offer.status = after.value
    offer.decided_at = now
    return after


def accept_offer(work: UnitOfWork, offer: Offer, now: dt.datetime) -> Engagement:
    """Accept ``offer`` (see the module docstring); the new engagement.

    Raises ``WrongState`` when the offer is not pending.
    """
    decide(work, offer, OfferAction.ACCEPT, now)
    session = work.session
    terms = terms_of(offer)
    today = now.date()
    started_on = max(offer.start_date or today, today)
    contract = engagements.Contract(terms.contract_terms(), started_on)
    agency_company_id = queries.agency_company_of(work, offer.provider_team_id)
    engagement = Engagement(
        reference=next_reference(session, Engagement),
        buyer_team_id=offer.buyer_team_id,
        provider_user_id=offer.provider_user_id,
        agency_company_id=agency_company_id,
        provider_team_id=offer.provider_team_id if agency_company_id is not None else None,
        created_by_user_id=offer.created_by_user_id,
        title=offer.title,
        description=offer.message_from_buyer,
        fee_rate=DEFAULT_FEE_RATE,
        job_id=offer.job_id,
        offer_id=offer.id,
        created_at=now,
        **contract.columns(),
    )
    session.add(engagement)
    session.flush()
    if isinstance(terms, FixedPriceOfferTerms):
        _copy_milestones(work, engagement, terms.milestones, now)
        if terms.upfront_payment:
            _charge_upfront(work, engagement, terms.upfront_payment, today)
    _hire(work, offer, engagement, now)
    return engagement


def decline_offer(work: UnitOfWork, offer: Offer, now: dt.datetime) -> None:
    """Decline ``offer``: no engagement; its candidacy goes back to interviewing. Raises ``WrongState``."""
    decide(work, offer, OfferAction.DECLINE, now)
    candidacy = offer.candidacy
    if candidacy is not None and candidacy.status == "offered":
        candidacy.status = "interviewing"


def _copy_milestones(
    work: UnitOfWork, engagement: Engagement, milestones: tuple[OfferedMilestone, ...], now: dt.datetime
) -> None:
    first = next_reference(work.session, Milestone)
    for position, offered in enumerate(milestones):
        work.session.add(
            Milestone(
                reference=first + position,
                engagement_id=engagement.id,
                position=position,
                description=offered.description,
                deposit_amount=offered.deposit_amount,
                due_date=offered.due_date,
                status="not_funded",
                created_at=now,
            )
        )


def _charge_upfront(work: UnitOfWork, engagement: Engagement, amount: Decimal, day: dt.date) -> None:
    """The upfront payment: the buyer is charged ``amount``, the payee earns it less the platform fee."""
    work.session.flush()
    payments.pay_on_contract(
        work,
        engagement.id,
        day,
        payments.Payment(
            kind="Invoice",
            subtype="Upfront Payment",
            charges=amount,
            earnings=ledger.provider_share(amount, engagement.fee_rate),
            description=f"Upfront Payment: {engagement.title}",
            memo=f"Offer accepted: {engagement.title}",
        ),
    )


def _hire(work: UnitOfWork, offer: Offer, engagement: Engagement, now: dt.datetime) -> None:
    """The candidacy is hired; the job filled unless the offer keeps it open; the provider joins the team."""
    session = work.session
    candidacy: Candidacy | None = offer.candidacy
    if candidacy is not None:
        candidacy.status = "hired"
    job: Job | None = offer.job
    if job is not None and not offer.keep_open and job.status == "open":
        job.status = "filled"
        job.closed_at = now
    # As for every running contract: the contractor holds a member role on the buyer team.
    if not queries.holds_role(work, offer.provider_user_id, offer.buyer_team_id):
        session.add(
            UserRole(
                reference=next_reference(session, UserRole),
                user_id=offer.provider_user_id,
                team_id=offer.buyer_team_id,
                role="member",
                affiliation_status="contractor",
                has_team_room_access=True,
                engagement_id=engagement.id,
                created_at=now,
            )
        )
    session.flush()
