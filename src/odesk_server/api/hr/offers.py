"""``/api/hr/v2/offers``: the offers a buyer team makes, as HR v2 lists, shows and makes them.

The server side of ``client.hr.get_offers``, ``get_offer`` and
``post_offer``. The rules (terms, states, what accepting does) are
``odesk_server.domain.offers``; the SQL ``odesk_server.queries.offers``.
The offer object (``offer_payload``) is the same here and in Offers v1
(``api/offers.py``), except for the name of the pending status.

- ``get_offers``: the offers of ``buyer_team__reference`` (and of its
  sub-teams with ``include_sub_teams``), for a caller with hiring or finance
  permission on it; filters on provider, job, agency team, status (``;``-
  joined: ``pending`` (also ``new``, ``active``), ``accepted``,
  ``declined``, ``withdrawn``, ``expired``; ``closed`` is every decided
  status) and creation time; ``page`` and ``order_by``.
- ``get_offer``: one offer, to a caller who reads the buyer team's hiring.
- ``post_offer``: with a charge (``hourly_pay_rate`` or
  ``fixed_charge_amount_agreed``) an offer on the job, for a caller with
  hiring permission on the job's team; without one, as the documentation
  says, an invitation to interview (the provider's candidacy for the job).

An offer or a job the caller may not see is 404 exactly like an unknown one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from pydantic import BeforeValidator, Field
from sqlalchemy.engine import Row
from typing_extensions import TypedDict

from odesk_server.access.rules import HIRING_NEEDED, ContractParties, hiring_team, reading_team, require_reader
from odesk_server.access.scope import OrgScope, org_scope
from odesk_server.api.endpoint import SIGNED_IN, Api, Call, Params
from odesk_server.api.params import (
    Flag,
    HrListingParams,
    Money,
    OptionalText,
    PathKey,
    StatusList,
    UsDate,
)
from odesk_server.db.work import UnitOfWork
from odesk_server.domain import messages
from odesk_server.domain import offers as rules
from odesk_server.models import Candidacy, Job, Offer, Team, User, utcnow
from odesk_server.models.references import next_reference
from odesk_server.problems import Forbidden, Invalid, NotFound, WrongState
from odesk_server.queries import jobs as job_queries
from odesk_server.queries import offers as queries
from odesk_server.queries import ordering
from odesk_server.wire import Lister, day_text, iso_time_text, lister, text

api = Api("hr offers", "HR v2: offers a buyer team makes (/api/hr/v2/offers)")

PREFIX = "/api/hr/v2"


# --------------------------------------------------------------------------
# Parameter types shared with Offers v1


def _week_hours(value: object) -> object:
    text = str(value).strip()
    try:
        hours = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"must be a number of hours like 40 or 12.5, got {value!r}") from None
    if not hours.is_finite() or "e" in text.lower():
        raise ValueError(f"must be a number of hours like 40 or 12.5, got {value!r}")
    if not Decimal(0) < hours <= rules.HOURS_IN_A_WEEK:
        raise ValueError(f"must be more than 0 and at most {rules.HOURS_IN_A_WEEK}, got {value!r}")
    if hours != hours.quantize(Decimal("0.01")):
        raise ValueError(f"must have at most two decimal places, got {value!r}")
    return hours.quantize(Decimal("0.01"))


# Hours in a week: more than 0, at most 168, two decimal places at most.
WeekHours = Annotated[Decimal, BeforeValidator(_week_hours), Field(json_schema_extra={"examples": ["40"]})]


# --------------------------------------------------------------------------
# Shapes


class OfferMilestoneObject(TypedDict):
    position: str
    milestone_description: str
    deposit_amount: str
    due_date: str


class OfferMilestoneList(TypedDict):
    milestone: list[OfferMilestoneObject]


class OfferObject(TypedDict):
    reference: str
    status: str
    engagement_title: str
    job_type: str
    message_from_buyer: str
    job__reference: str
    job__title: str
    job__key: str
    application__reference: str
    buyer_team__reference: str
    buyer_team__id: str
    buyer_team__name: str
    buyer_company__reference: str
    buyer_company__name: str
    provider__reference: str
    provider__id: str
    provider__name: str
    provider_team__reference: str
    provider_team__id: str
    provider_team__name: str
    hourly_pay_rate: str
    weekly_hours_limit: str
    weekly_stipend_hours: str
    weekly_salary_charge_amount: str
    weekly_salary_pay_amount: str
    fixed_charge_amount_agreed: str
    fixed_pay_amount_agreed: str
    fixed_price_upfront_payment: str
    start_date: str
    keep_open: str
    created_by: str
    created_time: str
    expires_time: str
    decided_time: str
    engagement__reference: str
    milestones: OfferMilestoneList


class OfferList(TypedDict):
    lister: Lister
    offer: list[OfferObject]


class OffersReply(TypedDict):
    offers: OfferList


class OfferReply(TypedDict):
    offer: OfferObject


class InvitationObject(TypedDict):
    reference: str
    status: str
    job__reference: str
    provider__reference: str


class InvitationReply(TypedDict):
    application: InvitationObject


# --------------------------------------------------------------------------
# Payloads


# How Offers v1 names the statuses (the documentation's "new" is our pending).
V1_STATUS_NAMES: Mapping[str, str] = {"pending": "new"}


def offer_payload(row: Row[Any], milestones: Sequence[Row[Any]], status_names: Mapping[str, str]) -> OfferObject:
    """An offer object (a listing row of ``queries.offers``); ``status_names`` renames statuses for an API."""
    return {
        "reference": str(row.reference),
        "status": status_names.get(row.status, row.status),
        "engagement_title": row.title,
        "job_type": row.job_type,
        "message_from_buyer": text(row.message_from_buyer),
        "job__reference": text(row.job_reference),
        "job__title": text(row.job_title),
        "job__key": text(row.job_key),
        "application__reference": text(row.candidacy_reference),
        "buyer_team__reference": str(row.buyer_team_reference),
        "buyer_team__id": row.buyer_team_text_id,
        "buyer_team__name": row.buyer_team_name,
        "buyer_company__reference": str(row.buyer_company_reference),
        "buyer_company__name": row.buyer_company_name,
        "provider__reference": str(row.provider_reference),
        "provider__id": row.provider_uid,
        "provider__name": f"{row.provider_first_name} {row.provider_last_name}",
        "provider_team__reference": text(row.provider_team_reference),
        "provider_team__id": text(row.provider_team_text_id),
        "provider_team__name": text(row.provider_team_name),
        "hourly_pay_rate": text(row.hourly_pay_rate),
        "weekly_hours_limit": text(row.weekly_hours_limit),
        "weekly_stipend_hours": text(row.weekly_stipend_hours),
        "weekly_salary_charge_amount": text(row.weekly_salary_charge_amount),
        "weekly_salary_pay_amount": text(row.weekly_salary_pay_amount),
        "fixed_charge_amount_agreed": text(row.fixed_charge_amount_agreed),
        "fixed_pay_amount_agreed": text(row.fixed_pay_amount_agreed),
        "fixed_price_upfront_payment": text(row.fixed_price_upfront_payment),
        "start_date": day_text(row.start_date),
        "keep_open": "yes" if row.keep_open else "no",
        "created_by": row.creator_uid,
        "created_time": iso_time_text(row.created_at),
        "expires_time": iso_time_text(row.expires_at),
        "decided_time": iso_time_text(row.decided_at)
        if row.status != "expired"
        else iso_time_text(row.decided_at or row.expires_at),
        "engagement__reference": text(row.engagement_reference),
        "milestones": {
            "milestone": [
                {
                    "position": str(m.position),
                    "milestone_description": m.description,
                    "deposit_amount": str(m.deposit_amount),
                    "due_date": day_text(m.due_date),
                }
                for m in milestones
            ]
        },
    }


def offers_payload(
    work: UnitOfWork,
    now: dt.datetime,
    conditions: Sequence[sa.ColumnElement[bool]],
    *,
    offset: int,
    limit: int,
    order: Sequence[sa.ColumnElement[Any]] = (),
    sort: str = "",
    status_names: Mapping[str, str],
) -> OfferList:
    """A page of the offers meeting ``conditions``, in the list envelope (``lister`` and ``offer``)."""
    total, rows = queries.offer_rows(work, now, conditions, order=order, offset=offset, limit=limit)
    milestones = queries.milestones_of(work, (row.id for row in rows))
    return {
        "lister": lister(total, offset, limit, sort),
        "offer": [offer_payload(row, milestones.get(row.id, []), status_names) for row in rows],
    }


def one_offer_payload(
    work: UnitOfWork, now: dt.datetime, offer_id: int, status_names: Mapping[str, str]
) -> OfferObject:
    """The offer object of one offer."""
    row = queries.offer_row(work, now, offer_id)
    return offer_payload(row, queries.milestones_of(work, [offer_id]).get(offer_id, []), status_names)


# --------------------------------------------------------------------------
# Lookups shared with Offers v1


def parties_of(work: UnitOfWork, offer: Offer) -> ContractParties:
    """Who is on each side of ``offer``, for the access rules."""
    return ContractParties(
        buyer_team_id=offer.buyer_team_id,
        provider_user_id=offer.provider_user_id,
        agency_company_id=queries.agency_company_of(work, offer.provider_team_id),
    )


def offer_for_buyer_reader(work: UnitOfWork, scope: OrgScope, key: str) -> Offer:
    """The offer ``key`` names, when the caller reads its buyer team's hiring.

    ``NotFound`` when it does not exist or the caller sees it on neither
    side; ``Forbidden`` when the caller sees it only as its contractor, or
    the buyer team without hiring or finance permission.
    """
    offer = queries.offer_by_key(work, key)
    if offer is None:
        raise NotFound(f"No offer with reference or id {key!r}")
    seen = require_reader(scope, parties_of(work, offer), "offer", key)
    if not seen.reads_as_buyer:
        raise Forbidden(f"You need hiring or finance permission on the buyer team of the offer {key}")
    return offer


def provider_named(work: UnitOfWork, reference: str | None, profile_key: str | None, what: str) -> User:
    """The provider a reference (or uid) or profile key names; ``NotFound`` naming ``what`` otherwise."""
    provider = job_queries.provider_by_key(work, reference=reference, profile_key=profile_key)
    if provider is None:
        raise NotFound(f"No provider with {what} {reference or profile_key!r}")
    return provider


def provider_team_named(work: UnitOfWork, key: str | None, what: str) -> Team | None:
    """The provider's team ``key`` names (any team: not one of the buyer's), or None when no key."""
    if key is None:
        return None
    team = queries.team_by_key(work, key)
    if team is None:
        raise NotFound(f"No team with {what} {key!r}")
    return team


def job_of_team(work: UnitOfWork, scope: OrgScope, key: str) -> Job:
    """The job ``key`` names when the caller sees its buyer team; ``NotFound`` otherwise."""
    view = job_queries.job_by_key(work, key)
    job = work.session.get(Job, view.id) if view is not None else None
    if job is None or job.buyer_team_id not in scope.visible_team_ids:
        raise NotFound(f"No job with reference or id {key!r}")
    return job


def team_key(scope: OrgScope, team_id: int) -> str:
    """The reference of a team of the scope, as a key for the access rules."""
    return str(scope.teams[team_id].reference)


# --------------------------------------------------------------------------
# Parameters


# What each name of the status filter means: offer statuses.
_STATUS_MEANING: Mapping[str, tuple[str, ...]] = {
    "pending": ("pending",),
    "new": ("pending",),
    "active": ("pending",),
    "accepted": ("accepted",),
    "declined": ("declined",),
    "withdrawn": ("withdrawn",),
    "expired": ("expired",),
    "closed": ("accepted", "declined", "withdrawn", "expired"),
}


# ``status``: ;-joined names, read into the offer statuses they mean.
OfferStatuses = Annotated[tuple[str, ...] | None, StatusList(_STATUS_MEANING)]


class OffersParams(HrListingParams):
    buyer_team__reference: str
    include_sub_teams: Flag = False
    provider__reference: OptionalText = None
    profile_key: OptionalText = None
    job__reference: OptionalText = None
    agency_team__reference: OptionalText = None
    status: OfferStatuses = None


class OfferRef(Params):
    offer_reference: PathKey


class PostOfferParams(Params):
    job__reference: str
    provider_team__reference: OptionalText = None
    provider__reference: OptionalText = None
    profile_key: OptionalText = None
    message_from_buyer: OptionalText = None
    engagement_title: OptionalText = None
    attached_doc: OptionalText = None
    fixed_charge_amount_agreed: Money | None = None
    fixed_pay_amount_agreed: Money | None = None
    fixed_price_upfront_payment: Money | None = None
    hourly_pay_rate: Money | None = None
    weekly_salary_charge_amount: Money | None = None
    weekly_salary_pay_amount: Money | None = None
    weekly_stipend_hours: WeekHours | None = None
    weekly_hours_limit: WeekHours | None = None
    start_date: UsDate | None = None
    keep_open: Literal["yes", "no"] = "no"


_NOT_FOUND = {404: "not_found: no such offer, job, team or provider, or one the caller may not see (never told apart)"}
_FORBIDDEN = {403: f"access_denied: the caller sees the team but lacks {HIRING_NEEDED}"}
_READ_FORBIDDEN = {403: "access_denied: the caller sees the team but lacks hiring or finance permission"}


# --------------------------------------------------------------------------
# Endpoints


@api.get(
    f"{PREFIX}/offers",
    access=SIGNED_IN,
    params=OffersParams,
    returns=OffersReply,
    errors={**_NOT_FOUND, **_READ_FORBIDDEN},
)
def get_offers(call: Call[OffersParams]) -> OffersReply:
    """The offers of a buyer team (and its sub-teams with ``include_sub_teams``), filtered, a page at a time."""
    p = call.params
    work = call.db
    now = utcnow()
    scope = org_scope(work, call.user.id)
    team = reading_team(scope, p.buyer_team__reference)
    team_ids = scope.subtree(team) if p.include_sub_teams else frozenset({team.id})
    conditions: list[sa.ColumnElement[bool]] = [Offer.buyer_team_id.in_(sorted(team_ids))]
    if p.provider__reference is not None or p.profile_key is not None:
        provider = provider_named(work, p.provider__reference, p.profile_key, "reference or profile key")
        conditions.append(Offer.provider_user_id == provider.id)
    if p.job__reference is not None:
        conditions.append(Offer.job_id == job_of_team(work, scope, p.job__reference).id)
    if p.agency_team__reference is not None:
        agency_team = provider_team_named(work, p.agency_team__reference, "reference or id")
        assert agency_team is not None
        conditions.append(Offer.provider_team_id == agency_team.id)
    if p.status is not None:
        conditions.append(queries.effective_status(now).in_(p.status))
    if p.created_time_from is not None:
        conditions.append(Offer.created_at >= p.created_time_from)
    if p.created_time_to is not None:
        conditions.append(Offer.created_at <= p.created_time_to)
    return {
        "offers": offers_payload(
            work,
            now,
            conditions,
            offset=p.page.offset,
            limit=p.page.size,
            # Newest first unless order_by says otherwise.
            order=ordering.order_by(p.order_by, queries.ORDER_FIELDS, "reference") if p.order_by else (),
            sort=p.order_by or "",
            status_names={},
        )
    }


@api.get(
    f"{PREFIX}/offers/{{offer_reference}}",
    access=SIGNED_IN,
    params=OfferRef,
    returns=OfferReply,
    errors={**_NOT_FOUND, **_READ_FORBIDDEN},
)
def get_offer(call: Call[OfferRef]) -> OfferReply:
    """One offer, to a caller with hiring or finance permission on its buyer team."""
    scope = org_scope(call.db, call.user.id)
    offer = offer_for_buyer_reader(call.db, scope, call.params.offer_reference)
    return {"offer": one_offer_payload(call.db, utcnow(), offer.id, {})}


@api.post(
    f"{PREFIX}/offers",
    access=SIGNED_IN,
    params=PostOfferParams,
    returns=OfferReply | InvitationReply,
    errors={
        **_NOT_FOUND,
        **_FORBIDDEN,
        409: "conflict: the provider already has a pending offer from the team for this job",
    },
)
def post_offer(call: Call[PostOfferParams]) -> OfferReply | InvitationReply:
    """Make an offer on a job; without a charge amount, invite the provider to interview instead.

    The offer is hourly with ``hourly_pay_rate``, fixed price with
    ``fixed_charge_amount_agreed``; 400 ``invalid_state`` when the job is
    not open or the candidate is past offering.
    """
    p = call.params
    work = call.db
    now = utcnow()
    if p.provider__reference is None and p.profile_key is None:
        raise Invalid("provider__reference or profile_key is required")
    scope = org_scope(work, call.user.id)
    job = job_of_team(work, scope, p.job__reference)
    hiring_team(scope, team_key(scope, job.buyer_team_id))
    provider = provider_named(work, p.provider__reference, p.profile_key, "reference or profile key")
    provider_team = provider_team_named(work, p.provider_team__reference, "reference or id")
    if p.hourly_pay_rate is None and p.fixed_charge_amount_agreed is None and p.weekly_salary_charge_amount is None:
        cover = p.message_from_buyer or ""
        return {"application": _invite(work, job, provider, provider_team, cover, now, call.user.id)}
    draft = rules.OfferDraft(
        buyer_team_id=job.buyer_team_id,
        created_by_user_id=call.user.id,
        provider=provider,
        terms=_terms(p),
        title=p.engagement_title,
        message=p.message_from_buyer,
        job=job,
        provider_team=provider_team,
        start_date=p.start_date,
        keep_open=p.keep_open == "yes",
    )
    offer = rules.make_offer(work, draft, now)
    return {"offer": one_offer_payload(work, now, offer.id, {})}


_HOURLY_ONLY = ("hourly_pay_rate", "weekly_hours_limit", "weekly_stipend_hours")
_SALARY = ("weekly_salary_charge_amount", "weekly_salary_pay_amount")
_FIXED_ONLY = ("fixed_charge_amount_agreed", "fixed_pay_amount_agreed", "fixed_price_upfront_payment")


def _terms(p: PostOfferParams) -> rules.OfferTerms:
    """The terms the parameters give: fixed price with ``fixed_charge_amount_agreed``, else hourly."""
    given = {name for name in (*_HOURLY_ONLY, *_SALARY, *_FIXED_ONLY) if getattr(p, name) is not None}
    if p.fixed_charge_amount_agreed is not None:
        extra = sorted(given - set(_FIXED_ONLY))
        if extra:
            raise Invalid(f"a fixed-price offer takes no {extra[0]}")
        return rules.FixedPriceOfferTerms(
            p.fixed_charge_amount_agreed, p.fixed_pay_amount_agreed, p.fixed_price_upfront_payment
        )
    extra = sorted(given & set(_FIXED_ONLY))
    if extra:
        raise Invalid(f"{extra[0]} needs fixed_charge_amount_agreed")
    if p.hourly_pay_rate is None:
        raise Invalid("an hourly offer needs hourly_pay_rate")
    return rules.HourlyOfferTerms(
        p.hourly_pay_rate,
        p.weekly_hours_limit,
        p.weekly_stipend_hours,
        p.weekly_salary_charge_amount,
        p.weekly_salary_pay_amount,
    )


def _invite(
    work: UnitOfWork,
    job: Job,
    provider: User,
    provider_team: Team | None,
    cover: str,
    now: dt.datetime,
    author_id: int,
) -> InvitationObject:
    """The provider's candidacy for the job: an invitation, unless he is a candidate already."""
    if job.status != "open":
        raise WrongState(f"cannot invite to a job that is {job.status}: only an open job takes candidates")
    if provider_team is not None and not queries.holds_role(work, provider.id, provider_team.id):
        raise Invalid(f"the provider {provider.uid} is not in the team {provider_team.team_id}")
    candidacy = queries.candidacy_of(work, job.id, provider.id)
    if candidacy is None:
        candidacy = Candidacy(
            reference=next_reference(work.session, Candidacy),
            job_id=job.id,
            provider_user_id=provider.id,
            provider_team_id=provider_team.id if provider_team is not None else None,
            origin="invitation",
            status="invited",
            cover=cover,
            created_at=now,
        )
        work.session.add(candidacy)
        work.session.flush()
        # The invitation opens the candidacy's interview thread (domain.messages).
        messages.interview_post(
            work.session, candidacy, author_id, cover, now, fallback=f"Invitation to interview: {job.title}"
        )
    return {
        "reference": str(candidacy.reference),
        "status": candidacy.status,
        "job__reference": str(job.reference),
        "provider__reference": str(provider.reference),
    }


__all__ = [
    "OfferList",
    "OfferObject",
    "OfferReply",
    "V1_STATUS_NAMES",
    "WeekHours",
    "api",
    "job_of_team",
    "offer_for_buyer_reader",
    "offer_payload",
    "offers_payload",
    "one_offer_payload",
    "parties_of",
    "provider_named",
    "provider_team_named",
    "team_key",
]
