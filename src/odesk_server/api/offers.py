"""``/api/offers/v1``: offers as the client sends them and the contractor answers them.

The server side of ``client.offers.list_client_offers``,
``send_client_offer``, ``get_client_offer``, ``list_freelancer_offers``,
``get_freelancer_offer`` and ``accept_or_decline``. The offer object is HR
v2's (``api/hr/offers.offer_payload``) with the documented status names of
this API: ``new`` for a pending offer, then ``accepted``, ``declined``,
``withdrawn``, ``expired`` (``cancelled`` and ``changed`` are accepted as
filters; no offer of ours is ever in them).

- Client side (list, send, get): hiring permission on the buyer team to
  send, hiring or finance permission to read.
- Contractor side (list, get, accept or decline): the provider the offer is
  made to, or a staffing manager of the agency it is made through.

``send_client_offer``'s families of parameters are read from the raw
parameters: ``context[K]`` (``job_posting_ref``: the job's key or
reference; ``job_application_ref``: the candidacy; ``previous_offer_ref``
and ``contract_ref``: references, checked for form and not kept) and
``milestones[i][K]`` (``milestone_description``, ``deposit_amount``,
``due_date`` as mm-dd-yyyy), for fixed-price offers only.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

import pydantic
import sqlalchemy as sa
from pydantic import BeforeValidator
from typing_extensions import TypedDict

from odesk_server import search
from odesk_server.access.keys import as_reference
from odesk_server.access.rules import (
    HIRING_NEEDED,
    READING_NEEDED,
    hiring_team,
    readable_teams,
    reading_team,
    require_provider,
    staffed_teams,
)
from odesk_server.access.scope import OrgScope, org_scope
from odesk_server.api.endpoint import SIGNED_IN, Api, Call, Params
from odesk_server.api.hr.offers import (
    V1_STATUS_NAMES,
    OfferList,
    OfferReply,
    WeekHours,
    job_of_team,
    offer_for_buyer_reader,
    offers_payload,
    one_offer_payload,
    parties_of,
    provider_named,
    provider_team_named,
    team_key,
)
from odesk_server.api.params import Money, OptionalText, Page, PageParam, PathKey, StatusList, UsDate
from odesk_server.db.work import UnitOfWork
from odesk_server.domain import offers as rules
from odesk_server.models import Candidacy, Job, JobCategory, Offer, money, utcnow
from odesk_server.problems import Forbidden, Invalid, NotFound
from odesk_server.queries import jobs as job_queries
from odesk_server.queries import offers as queries

api = Api("offers", "Offers v1: the client's offers and the contractor's answers")

PREFIX = "/api/offers/v1"


# --------------------------------------------------------------------------
# Shapes


class OffersReply(TypedDict):
    offers: OfferList


# --------------------------------------------------------------------------
# Parameters


# What each documented status name means: offer statuses (none of ours is cancelled or changed).
_STATUS_MEANING: Mapping[str, tuple[str, ...]] = {
    "new": ("pending",),
    "accepted": ("accepted",),
    "declined": ("declined",),
    "expired": ("expired",),
    "withdrawn": ("withdrawn",),
    "cancelled": (),
    "changed": (),
}


def _unix_time(value: object) -> object:
    text = str(value).strip()
    if not text.isdigit() or len(text) > 12:
        raise ValueError(f"must be a UNIX UTC timestamp like 1400785324, got {value!r}")
    return dt.datetime.fromtimestamp(int(text), dt.UTC)


def _percent(value: object) -> object:
    text = str(value).strip()
    try:
        percent = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"must be a percentage from 0 to 100, got {value!r}") from None
    if not percent.is_finite() or not Decimal(0) <= percent <= Decimal(100):
        raise ValueError(f"must be a percentage from 0 to 100, got {value!r}")
    return percent


# ``status``: the documented names, ;-joined, read into offer statuses; absent: new only (as documented).
V1Statuses = Annotated[tuple[str, ...], StatusList(_STATUS_MEANING, absent=("pending",))]
UnixTime = Annotated[dt.datetime, BeforeValidator(_unix_time)]
Percent = Annotated[Decimal, BeforeValidator(_percent)]


class ClientOffersParams(Params):
    company_id: OptionalText = None
    team__reference: OptionalText = None
    job__reference: OptionalText = None
    status: V1Statuses = ("pending",)
    page: PageParam = Page(0, 20)


class ClientOfferParams(Params):
    offer_id: PathKey
    company_id: OptionalText = None
    job__reference: OptionalText = None


class SendOfferParams(Params):
    title: str
    job_type: Literal["hourly", "fixed-price"]
    charge_rate: Money
    message_to_contractor: str
    team__reference: OptionalText = None
    client_team_ref: OptionalText = None
    contractor_username: OptionalText = None
    contractor_reference: OptionalText = None
    contractor_key: OptionalText = None
    contractor_org: OptionalText = None
    charge_upfront_percent: Percent | None = None
    weekly_limit: WeekHours | None = None
    weekly_stipend: Money | None = None
    expires_on: UnixTime | None = None
    close_on_accept: Literal["0", "1"] = "1"
    related_jobcategory: int | None = None
    related_jobcategory2: int | None = None


class FreelancerOffersParams(Params):
    status: V1Statuses = ("pending",)
    page: PageParam = Page(0, 20)


class FreelancerOfferParams(Params):
    offer_id: PathKey


class ActionParams(Params):
    offer_id: PathKey
    action_name: Literal["accept", "decline"]


class _MilestoneItem(pydantic.BaseModel):
    """One ``milestones[i]`` of ``send_client_offer``."""

    model_config = pydantic.ConfigDict(frozen=True, extra="forbid")

    milestone_description: str
    deposit_amount: Money
    due_date: UsDate | None = None


_NOT_FOUND = {
    404: "not_found: no such offer, team, job or contractor, or one the caller may not see (never told apart)"
}


# --------------------------------------------------------------------------
# Client side


@api.get(
    f"{PREFIX}/clients/offers",
    access=SIGNED_IN,
    params=ClientOffersParams,
    returns=OffersReply,
    errors={**_NOT_FOUND, 403: f"access_denied: the caller lacks {READING_NEEDED} on the team or company"},
)
def list_client_offers(call: Call[ClientOffersParams]) -> OffersReply:
    """The offers of a client's team, company or job (one of them is required), new ones unless ``status`` says."""
    p = call.params
    work = call.db
    now = utcnow()
    scope = org_scope(work, call.user.id)
    conditions: list[sa.ColumnElement[bool]] = [queries.effective_status(now).in_(p.status)]
    if p.company_id is None and p.team__reference is None and p.job__reference is None:
        raise Invalid("company_id, team__reference or job__reference is required")
    if p.team__reference is not None:
        conditions.append(Offer.buyer_team_id == reading_team(scope, p.team__reference).id)
    if p.company_id is not None:
        conditions.append(Offer.buyer_team_id.in_(_readable_teams_of_company(scope, p.company_id)))
    if p.job__reference is not None:
        job = job_of_team(work, scope, p.job__reference)
        reading_team(scope, team_key(scope, job.buyer_team_id))
        conditions.append(Offer.job_id == job.id)
    return {
        "offers": offers_payload(
            work, now, conditions, offset=p.page.offset, limit=p.page.size, status_names=V1_STATUS_NAMES
        )
    }


def _readable_teams_of_company(scope: OrgScope, key: str) -> list[int]:
    company = scope.find_company(key)
    if company is None:
        raise NotFound(f"No company with reference or id {key!r}")
    teams = readable_teams(scope, scope.teams_of(company))
    if not teams:
        raise Forbidden(f"You need {READING_NEEDED} on a team of the company {key}")
    return teams


@api.post(
    f"{PREFIX}/clients/offers",
    access=SIGNED_IN,
    params=SendOfferParams,
    returns=OfferReply,
    errors={
        **_NOT_FOUND,
        403: f"access_denied: the caller sees the team but lacks {HIRING_NEEDED}",
        409: "conflict: the contractor already has a pending offer from the team for this job",
    },
)
def send_client_offer(call: Call[SendOfferParams]) -> OfferReply:
    """Send an offer to a contractor: hourly (``charge_rate`` an hour) or fixed price (``charge_rate`` in all).

    400 ``invalid_state`` when the job of ``context[job_posting_ref]`` is not
    open or the candidate is past offering.
    """
    p = call.params
    work = call.db
    now = utcnow()
    scope = org_scope(work, call.user.id)
    context = _context(call.raw_params)
    job, candidacy = _context_job(work, scope, context)
    team_named = p.team__reference or p.client_team_ref
    if team_named is not None:
        team = hiring_team(scope, team_named)
    elif job is not None:
        team = hiring_team(scope, team_key(scope, job.buyer_team_id))
    else:
        raise Invalid("team__reference or client_team_ref is required")
    for category, version in ((p.related_jobcategory, 1), (p.related_jobcategory2, 2)):
        if category is not None:
            _check_category(work, category, version)
    draft = rules.OfferDraft(
        buyer_team_id=team.id,
        created_by_user_id=call.user.id,
        provider=_contractor(work, p),
        terms=_terms(p, _milestones(call.raw_params)),
        title=p.title,
        message=p.message_to_contractor,
        job=job,
        candidacy=candidacy,
        provider_team=provider_team_named(work, p.contractor_org, "reference or id"),
        keep_open=p.close_on_accept == "0",
        expires_at=p.expires_on,
    )
    offer = rules.make_offer(work, draft, now)
    return {"offer": one_offer_payload(work, now, offer.id, V1_STATUS_NAMES)}


def _contractor(work: UnitOfWork, p: SendOfferParams) -> Any:
    """The contractor: by username, else profile key, else reference (the documented priority)."""
    if p.contractor_username is not None:
        return provider_named(work, p.contractor_username, None, "username")
    if p.contractor_key is not None:
        return provider_named(work, None, p.contractor_key, "profile key")
    if p.contractor_reference is not None:
        if as_reference(p.contractor_reference) is None:
            raise Invalid(f"contractor_reference must be a number, got {p.contractor_reference!r}")
        return provider_named(work, p.contractor_reference, None, "reference")
    raise Invalid("contractor_username, contractor_key or contractor_reference is required")


_CONTEXT_KEYS = ("previous_offer_ref", "job_posting_ref", "job_application_ref", "contract_ref")
_FAMILY = re.compile(r"^(?P<family>context|milestones)\[(?P<first>[^\]]*)\](?:\[(?P<second>[^\]]*)\])?$")


def _context(raw: Mapping[str, str]) -> dict[str, str]:
    """The ``context[K]`` parameters, by K; ``Invalid`` for a key the documentation does not list."""
    found: dict[str, str] = {}
    for name, value in raw.items():
        match = _FAMILY.match(name)
        if match is None or match["family"] != "context":
            continue
        key = match["first"]
        if key not in _CONTEXT_KEYS or match["second"] is not None:
            raise Invalid(f"{name} is not a context of an offer: the keys are {', '.join(_CONTEXT_KEYS)}")
        found[key] = value
    for key in ("previous_offer_ref", "contract_ref", "job_application_ref"):
        if key in found and as_reference(found[key]) is None:
            raise Invalid(f"context[{key}] must be a reference number, got {found[key]!r}")
    return found


def _context_job(work: UnitOfWork, scope: OrgScope, context: Mapping[str, str]) -> tuple[Job | None, Candidacy | None]:
    """The job and the candidacy the context names (the candidacy's job when only it is named)."""
    job = job_of_team(work, scope, context["job_posting_ref"]) if "job_posting_ref" in context else None
    candidacy = None
    if "job_application_ref" in context:
        key = context["job_application_ref"]
        candidacy = queries.candidacy_by_key(work, key)
        if candidacy is None or candidacy.job.buyer_team_id not in scope.visible_team_ids:
            raise NotFound(f"No application with reference or id {key!r}")
        job = job or candidacy.job
    return job, candidacy


def _milestones(raw: Mapping[str, str]) -> tuple[rules.OfferedMilestone, ...]:
    """The ``milestones[i][K]`` parameters, in the order of ``i``; ``Invalid`` naming a bad one."""
    items: dict[int, dict[str, str]] = {}
    for name, value in raw.items():
        match = _FAMILY.match(name)
        if match is None or match["family"] != "milestones":
            continue
        if not match["first"].isdigit() or match["second"] is None or len(match["first"]) > 4:
            raise Invalid(f"{name} is not a milestone parameter: write milestones[0][deposit_amount]")
        items.setdefault(int(match["first"]), {})[match["second"]] = value
    milestones = []
    for index in sorted(items):
        try:
            item = _MilestoneItem.model_validate(items[index])
        except pydantic.ValidationError as invalid:
            error = invalid.errors()[0]
            field = f"milestones[{index}][{error['loc'][0]}]"
            if error["type"] == "missing":
                raise Invalid(f"{field} is required") from None
            if error["type"] == "extra_forbidden":
                raise Invalid(
                    f"{field} is not a milestone field: milestone_description, deposit_amount, due_date"
                ) from None
            raise Invalid(f"{field} {error['ctx']['error'] if 'ctx' in error else error['msg']}") from None
        milestones.append(rules.OfferedMilestone(item.milestone_description, item.deposit_amount, item.due_date))
    return tuple(milestones)


def _terms(p: SendOfferParams, milestones: tuple[rules.OfferedMilestone, ...]) -> rules.OfferTerms:
    if p.job_type == "hourly":
        if milestones:
            raise Invalid("an hourly offer has no milestones")
        if p.charge_upfront_percent:
            raise Invalid("charge_upfront_percent is for fixed-price offers only")
        return rules.HourlyOfferTerms(p.charge_rate, p.weekly_limit, weekly_salary_charge=p.weekly_stipend)
    if p.weekly_limit is not None or p.weekly_stipend is not None:
        raise Invalid("weekly_limit and weekly_stipend are for hourly offers only")
    upfront = money(p.charge_rate * p.charge_upfront_percent / 100) if p.charge_upfront_percent else None
    return rules.FixedPriceOfferTerms(p.charge_rate, None, upfront or None, milestones)


def _check_category(work: UnitOfWork, category: int, version: int) -> None:
    found = work.connection.execute(
        sa.select(JobCategory.id).where(JobCategory.id == category, JobCategory.version == version)
    ).first()
    if found is None:
        name = "related_jobcategory" if version == 1 else "related_jobcategory2"
        raise Invalid(f"{name} {category} is not a category of the metadata (version {version})")


@api.get(
    f"{PREFIX}/clients/offers/{{offer_id}}",
    access=SIGNED_IN,
    params=ClientOfferParams,
    returns=OfferReply,
    errors={**_NOT_FOUND, 403: f"access_denied: the caller lacks {READING_NEEDED} on the offer's buyer team"},
)
def get_client_offer(call: Call[ClientOfferParams]) -> OfferReply:
    """One offer, as the client; ``company_id`` and ``job__reference``, when given, must be the offer's."""
    p = call.params
    scope = org_scope(call.db, call.user.id)
    offer = offer_for_buyer_reader(call.db, scope, p.offer_id)
    if p.company_id is not None:
        company = scope.find_company(p.company_id)
        if company is None or scope.teams[offer.buyer_team_id].company_id != company.id:
            raise NotFound(f"No offer with reference or id {p.offer_id!r} in the company {p.company_id!r}")
    if p.job__reference is not None:
        job = job_queries.job_by_key(call.db, p.job__reference)
        if job is None or offer.job_id != job.id:
            raise NotFound(f"No offer with reference or id {p.offer_id!r} on the job {p.job__reference!r}")
    return {"offer": one_offer_payload(call.db, utcnow(), offer.id, V1_STATUS_NAMES)}


# --------------------------------------------------------------------------
# Contractor side


@api.get(f"{PREFIX}/contractors/offers", access=SIGNED_IN, params=FreelancerOffersParams, returns=OffersReply)
def list_freelancer_offers(call: Call[FreelancerOffersParams]) -> OffersReply:
    """The offers made to the caller, and to his agency's contractors when he is its staffing manager."""
    p = call.params
    now = utcnow()
    scope = org_scope(call.db, call.user.id)
    mine: sa.ColumnElement[bool] = Offer.provider_user_id == call.user.id
    staffed = staffed_teams(scope)
    if staffed:
        mine = sa.or_(mine, Offer.provider_team_id.in_(sorted(staffed)))
    conditions = [mine, queries.effective_status(now).in_(p.status)]
    return {
        "offers": offers_payload(
            call.db, now, conditions, offset=p.page.offset, limit=p.page.size, status_names=V1_STATUS_NAMES
        )
    }


def _offer_for_contractor(work: UnitOfWork, scope: OrgScope, key: str) -> Offer:
    offer = queries.offer_by_key(work, key)
    if offer is None:
        raise NotFound(f"No offer with reference or id {key!r}")
    require_provider(scope, parties_of(work, offer), "offer", key)
    return offer


@api.get(
    f"{PREFIX}/contractors/offers/{{offer_id}}",
    access=SIGNED_IN,
    params=FreelancerOfferParams,
    returns=OfferReply,
    errors={**_NOT_FOUND, 403: "access_denied: the caller is not the offer's contractor or his staffing manager"},
)
def get_freelancer_offer(call: Call[FreelancerOfferParams]) -> OfferReply:
    """One offer made to the caller (or to a contractor of the agency he staffs)."""
    scope = org_scope(call.db, call.user.id)
    offer = _offer_for_contractor(call.db, scope, call.params.offer_id)
    return {"offer": one_offer_payload(call.db, utcnow(), offer.id, V1_STATUS_NAMES)}


@api.post(
    f"{PREFIX}/contractors/actions/{{offer_id}}",
    access=SIGNED_IN,
    params=ActionParams,
    returns=OfferReply,
    errors={
        **_NOT_FOUND,
        403: "access_denied: the caller is not the offer's contractor or his staffing manager",
    },
)
def accept_or_decline(call: Call[ActionParams]) -> OfferReply:
    """Accept (the contract starts: ``engagement__reference``) or decline a new offer.

    400 ``invalid_state`` when the offer is no longer new (accepted,
    declined, withdrawn or expired); the message names its status.
    """
    p = call.params
    work = call.db
    now = utcnow()
    scope = org_scope(work, call.user.id)
    offer = _offer_for_contractor(work, scope, p.offer_id)
    if p.action_name == "accept":
        rules.accept_offer(work, offer, now)
        if offer.job_id is not None:  # the job may be filled now: its search document says so
            work.session.flush()
            search.jobs_changed(work.connection, [offer.job_id])
    else:
        rules.decline_offer(work, offer, now)
    return {"offer": one_offer_payload(work, now, offer.id, V1_STATUS_NAMES)}
