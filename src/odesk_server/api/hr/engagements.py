"""HR v2: contracts (engagements), their suspension, restart and end, and team adjustments.

The server side of ``client.hr.get_engagements``, ``get_engagement``,
``suspend_contract``, ``restart_contract``, ``end_contract`` and
``post_team_adjustment`` (python-upwork: ``hr.engagements``,
``hr.contracts``, ``payments.submit_bonus``). Shapes: spec/api-surface.md
section 6; every value is text, as oDesk sent it; dates and times are
milliseconds since the epoch (UTC), as oDesk's engagement payloads wrote
them; an empty value is ``""``.

Who may do what (``access.rules``):

- reading a contract: the buyer side with hiring or finance permission on
  its buyer team, the provider himself, or a staffing manager of the agency
  it was made through. A contract the caller may not read answers 404
  exactly like one that does not exist;
- suspending, restarting, ending it and adjusting it: hiring permission on
  its buyer team (403 for a caller who sees it otherwise).

The moves follow ``domain.engagements`` (a move the contract's state does
not allow is 400 ``invalid_state``, naming the state); each adds an
``EngagementEvent``. Ending reads the reason and feedback with
``domain.contracts``. An adjustment is a ledger transaction posted through
``domain.payments`` (type ``Adjustment``: the buyer is charged
``charge_amount``, the payee earns it less the contract's platform fee);
its ``reference`` is the transaction's number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import Field
from typing_extensions import TypedDict

from odesk_server.access import rules
from odesk_server.access.scope import OrgScope, org_scope
from odesk_server.api.endpoint import SIGNED_IN, Api, Call, Params
from odesk_server.api.params import (
    Flag,
    HrListingParams,
    Money,
    OptionalText,
    PathKey,
    StatusList,
)
from odesk_server.domain import contracts, ledger
from odesk_server.domain.engagements import Contract, EngagementRuleError, EngagementStatus, contract_terms
from odesk_server.domain.payments import Payment, pay_on_contract
from odesk_server.models import Engagement, EngagementEvent, EngagementFeedbackScore, money
from odesk_server.problems import Invalid, NotFound, WrongState
from odesk_server.queries import engagements as queries
from odesk_server.queries.engagements import EngagementFilter, EngagementRow, EngagementVisibility
from odesk_server.queries.metadata import ReasonType, reason_codes
from odesk_server.wire import Lister, epoch_ms_text, lister, text

api = Api("hr engagements", "HR v2: contracts (engagements), their suspension, restart and end, and team adjustments")

PREFIX = "/api/hr/v2"
WHAT = "engagement"


# --------------------------------------------------------------------------
# Shapes


class RoleList(TypedDict):
    role: list[str]


class EngagementObject(TypedDict):
    reference: str
    engagement_title: str
    description: str
    status: str
    engagement_job_type: str
    engagement_start_date: str
    engagement_end_date: str
    created_time: str
    buyer_team__reference: str
    buyer_team__id: str
    buyer_team__name: str
    buyer_company__reference: str
    buyer_company__name: str
    provider__reference: str
    provider__id: str
    dev_recno_ciphertext: str
    provider_team__reference: str
    provider_team__id: str
    provider_team__name: str
    job__reference: str
    job__title: str
    offer__reference: str
    hourly_charge_rate: str
    hourly_pay_rate: str
    weekly_hours_limit: str
    weekly_stipend_hours: str
    fixed_charge_amount_agreed: str
    fixed_pay_amount_agreed: str
    fixed_price_upfront_payment: str
    end_reason: str
    roles: RoleList


class EngagementList(TypedDict):
    lister: Lister
    engagement: list[EngagementObject]


class EngagementsReply(TypedDict):
    engagements: EngagementList


class EngagementReply(TypedDict):
    engagement: EngagementObject


class AdjustmentObject(TypedDict):
    reference: str
    engagement__reference: str
    buyer_team__reference: str
    charge_amount: str
    amount: str
    comments: str
    notes: str
    created_time: str


class AdjustmentReply(TypedDict):
    adjustment: AdjustmentObject


def engagement_payload(row: EngagementRow, roles: Iterable[str]) -> EngagementObject:
    """A contract as HR v2 shows it; ``roles``: the caller's sides of it (``buyer``, ``provider``).

    Hourly: the buyer's rate is ``hourly_charge_rate``, the provider's
    (less the platform fee) ``hourly_pay_rate``. Fixed price: the buyer's
    price is ``fixed_charge_amount_agreed``, the provider's the offer's
    ``fixed_pay_amount_agreed`` or else the price less the fee.
    """
    hourly_pay = ledger.provider_share(row.hourly_rate, row.fee_rate) if row.hourly_rate is not None else None
    fixed_pay = row.fixed_pay_amount_agreed
    if fixed_pay is None and row.fixed_price is not None:
        fixed_pay = ledger.provider_share(row.fixed_price, row.fee_rate)
    return {
        "reference": str(row.reference),
        "engagement_title": row.title,
        "description": row.description or "",
        "status": row.status,
        "engagement_job_type": row.job_type,
        "engagement_start_date": epoch_ms_text(row.started_on),
        "engagement_end_date": epoch_ms_text(row.ended_on),
        "created_time": epoch_ms_text(row.created_at),
        "buyer_team__reference": str(row.buyer_team_reference),
        "buyer_team__id": row.buyer_team_key,
        "buyer_team__name": row.buyer_team_name,
        "buyer_company__reference": str(row.buyer_company_reference),
        "buyer_company__name": row.buyer_company_name,
        "provider__reference": str(row.provider_reference),
        "provider__id": row.provider_uid,
        "dev_recno_ciphertext": row.provider_profile_key or "",
        "provider_team__reference": text(row.provider_team_reference),
        "provider_team__id": row.provider_team_key or "",
        "provider_team__name": row.provider_team_name or "",
        "job__reference": text(row.job_reference),
        "job__title": row.job_title or "",
        "offer__reference": text(row.offer_reference),
        "hourly_charge_rate": text(row.hourly_rate),
        "hourly_pay_rate": text(hourly_pay),
        "weekly_hours_limit": text(row.weekly_limit),
        "weekly_stipend_hours": text(row.weekly_stipend_hours),
        "fixed_charge_amount_agreed": text(row.fixed_price),
        "fixed_pay_amount_agreed": text(fixed_pay),
        "fixed_price_upfront_payment": text(row.fixed_price_upfront_payment),
        "end_reason": row.end_reason or "",
        "roles": {"role": list(roles)},
    }


def _roles(seen: rules.Standing) -> list[str]:
    return [name for name, held in (("buyer", seen.reads_as_buyer), ("provider", seen.provides)) if held]


# --------------------------------------------------------------------------
# Parameters


STATUS_CHOICES = tuple(status.value for status in EngagementStatus)


class EngagementsParams(HrListingParams):
    buyer_team_reference: Annotated[OptionalText, Field(alias="buyer_team__reference")] = None
    include_sub_teams: Flag = False
    # python-odesk sends the provider twice, under both names; the reference wins over the profile key.
    provider_reference: OptionalText = None
    provider__reference: OptionalText = None
    profile_key: OptionalText = None
    job_reference: Annotated[OptionalText, Field(alias="job__reference")] = None
    agency_team_reference: OptionalText = None
    status: Annotated[tuple[str, ...] | None, StatusList(STATUS_CHOICES)] = None


class ContractRef(Params):
    ref: PathKey


class MoveParams(Params):
    ref: PathKey
    message: str


class EndParams(Params):
    ref: PathKey
    reason: str
    would_hire_again: OptionalText = None
    fb_comment: OptionalText = None


class AdjustmentParams(Params):
    team: PathKey
    engagement_reference: Annotated[str, Field(alias="engagement__reference")]
    comments: str
    charge_amount: Money | None = None
    amount: Money | None = None
    notes: OptionalText = None


# --------------------------------------------------------------------------
# Lookups


def _visibility(scope: OrgScope) -> EngagementVisibility:
    """The contracts ``scope``'s user may read: buyer teams with hiring or finance, his own, his agencies'."""
    return EngagementVisibility(rules.readable_teams(scope), scope.user_id, rules.staffed_agencies(scope))


def _readable(call: Call[Any], scope: OrgScope, key: str) -> tuple[EngagementRow, rules.Standing]:
    row = queries.engagement_by_reference(call.db, key)
    if row is None:
        raise NotFound(f"No {WHAT} with reference or id {key!r}")
    return row, rules.require_reader(scope, rules.ContractParties.of(row), WHAT, key)


def _for_the_buyer(call: Call[Any], scope: OrgScope, key: str) -> EngagementRow:
    """The contract ``key`` names, locked, when the caller may act for its buyer; NotFound or Forbidden."""
    row = queries.engagement_by_reference(call.db, key, for_update=True)
    if row is None:
        raise NotFound(f"No {WHAT} with reference or id {key!r}")
    rules.require_buyer(scope, rules.ContractParties.of(row), WHAT, key)
    return row


def _contract(row: EngagementRow) -> Contract:
    """The contract rules' view of ``row`` (its terms and state)."""
    terms = contract_terms(
        row.job_type, hourly_rate=row.hourly_rate, weekly_limit=row.weekly_limit, fixed_price=row.fixed_price
    )
    return Contract(terms, row.started_on, row.status, row.ended_on)


def _move(contract: Contract, key: str, move: str, on: dt.date | None = None) -> Contract:
    """``contract`` after ``move``; ``WrongState`` naming its state when the state does not allow it."""
    try:
        if move == "suspend":
            return contract.suspend()
        if move == "restart":
            return contract.restart()
        return contract.end(on or dt.datetime.now(dt.UTC).date())
    except EngagementRuleError as refused:
        raise WrongState(f"Contract {key}: {refused.message}") from None


def _record(call: Call[Any], row: EngagementRow, action: str, message: str | None, values: Mapping[str, Any]) -> None:
    call.db.connection.execute(sa.update(Engagement).where(Engagement.id == row.id).values(**values))
    call.db.connection.execute(
        sa.insert(EngagementEvent).values(engagement_id=row.id, action=action, message=message, user_id=call.user.id)
    )


def _reply(call: Call[Any], scope: OrgScope, key: str) -> EngagementReply:
    row, seen = _readable(call, scope, key)
    return {"engagement": engagement_payload(row, _roles(seen))}


_NOT_FOUND = {404: "not_found: no such contract, or one the caller may not see (never told apart)"}
_ACTION_ERRORS = {
    **_NOT_FOUND,
    403: "access_denied: the caller sees the contract but has no hiring permission on its buyer team",
    400: "invalid_state: the contract's state does not allow the move (the message names the state); "
    "bad_request: a parameter is missing or not one of the documented choices",
}


# --------------------------------------------------------------------------
# Endpoints


@api.get(f"{PREFIX}/engagements", access=SIGNED_IN, params=EngagementsParams, returns=EngagementsReply)
def get_engagements(call: Call[EngagementsParams]) -> EngagementsReply:
    """The contracts the caller may read, filtered, sorted and paged.

    Without ``buyer_team__reference``: every contract the caller may read
    (buyer side, his own, his agency's). With it: that team's contracts
    (and its sub-teams' with ``include_sub_teams``); the caller needs
    hiring or finance permission on it (403), and an unknown or unseen team
    is 404. ``status``: ``;``-separated statuses (``active;closed``);
    ``provider__reference`` (or ``provider_reference``) over
    ``profile_key``; ``agency_team_reference``: the agency's team or company
    reference; ``created_time_from``/``to``: ``2008-09-09 00:00:01``;
    ``order_by``: ``field;...;AD`` on the documented fields.
    """
    p = call.params
    scope = org_scope(call.db, call.user.id)
    team_ids = None
    if p.buyer_team_reference is not None:
        team = rules.reading_team(scope, p.buyer_team_reference)
        team_ids = scope.subtree(team) if p.include_sub_teams else frozenset({team.id})
    filters = EngagementFilter(
        buyer_team_ids=team_ids,
        provider_key=p.provider__reference or p.provider_reference or p.profile_key,
        job_reference=p.job_reference,
        agency_key=p.agency_team_reference,
        statuses=p.status,
        created_from=p.created_time_from,
        created_to=p.created_time_to,
    )
    total, rows = queries.engagements_page(call.db, _visibility(scope), filters, p.order_by, *p.page)
    items = [engagement_payload(row, _roles(rules.standing(scope, rules.ContractParties.of(row)))) for row in rows]
    return {
        "engagements": {
            "lister": lister(total, p.page.offset, p.page.size, p.order_by or "reference"),
            "engagement": items,
        }
    }


@api.get(
    f"{PREFIX}/engagements/{{ref}}", access=SIGNED_IN, params=ContractRef, returns=EngagementReply, errors=_NOT_FOUND
)
def get_engagement(call: Call[ContractRef]) -> EngagementReply:
    """One contract the caller may read (buyer side, the provider, his agency's staffing manager)."""
    return _reply(call, org_scope(call.db, call.user.id), call.params.ref)


@api.put(
    f"{PREFIX}/contracts/{{ref}}/suspend",
    access=SIGNED_IN,
    params=MoveParams,
    returns=EngagementReply,
    errors=_ACTION_ERRORS,
)
def suspend_contract(call: Call[MoveParams]) -> EngagementReply:
    """Suspend an active contract, with a message for the contractor; answers the contract as it is now."""
    return _suspend_or_restart(call, "suspend")


@api.put(
    f"{PREFIX}/contracts/{{ref}}/restart",
    access=SIGNED_IN,
    params=MoveParams,
    returns=EngagementReply,
    errors=_ACTION_ERRORS,
)
def restart_contract(call: Call[MoveParams]) -> EngagementReply:
    """Restart a suspended contract, with a message for the contractor; answers the contract as it is now."""
    return _suspend_or_restart(call, "restart")


def _suspend_or_restart(call: Call[MoveParams], move: str) -> EngagementReply:
    scope = org_scope(call.db, call.user.id)
    key = call.params.ref
    row = _for_the_buyer(call, scope, key)
    after = _move(_contract(row), key, move)
    _record(call, row, move, call.params.message, {"status": after.status.value})
    return _reply(call, scope, key)


@api.delete(
    f"{PREFIX}/contracts/{{ref}}", access=SIGNED_IN, params=EndParams, returns=EngagementReply, errors=_ACTION_ERRORS
)
def end_contract(call: Call[EndParams]) -> EngagementReply:
    """End an active or suspended contract: reason, would-hire-again, feedback; it is closed for good.

    ``reason``: one of the six ``API_REAS_*`` codes (the ``EndProviderContract``
    reasons of ``/api/profiles/v1/metadata/reasons``); ``would_hire_again``:
    yes or no (required when nothing was charged on the contract);
    ``fb_scores[3]`` to ``fb_scores[8]``: all six or none, each from 1 to 5;
    ``fb_comment`` only with the scores. The end date is today (UTC), or
    the start date for a contract that has not started yet.
    """
    scope = org_scope(call.db, call.user.id)
    key = call.params.ref
    row = _for_the_buyer(call, scope, key)
    contract = _contract(row)
    today = max(dt.datetime.now(dt.UTC).date(), row.started_on)
    after = _move(contract, key, "end", today)
    charged = queries.total_charged(call.db, row.id) > 0
    p = call.params
    known = reason_codes(call.db, ReasonType.END_PROVIDER_CONTRACT)
    how = contracts.ending(p.reason, p.would_hire_again, call.raw_params, p.fb_comment, charged=charged, reasons=known)
    _record(
        call,
        row,
        "end",
        None,
        {
            "status": after.status.value,
            "ended_on": after.ended_on,
            "end_reason": how.reason,
            "would_hire_again": how.would_hire_again,
            "feedback_comment": how.comment,
        },
    )
    if how.scores:
        call.db.connection.execute(
            sa.insert(EngagementFeedbackScore),
            [{"engagement_id": row.id, "score_id": i, "score": score} for i, score in sorted(how.scores.items())],
        )
    return _reply(call, scope, key)


@api.post(
    f"{PREFIX}/teams/{{team}}/adjustments",
    access=SIGNED_IN,
    params=AdjustmentParams,
    returns=AdjustmentReply,
    errors={
        404: "not_found: no such team or contract on it, or one the caller may not see",
        403: "access_denied: no hiring permission on the team",
        400: "invalid_state: the contract is closed; bad_request: charge_amount (or amount) missing, "
        "not more than 0, or both given",
    },
)
def post_team_adjustment(call: Call[AdjustmentParams]) -> AdjustmentReply:
    """Pay an adjustment (a bonus) on a contract of the team or a team below it.

    ``charge_amount`` is what the buyer is charged; the payee (the
    provider, or the agency he works through) earns it less the contract's
    platform fee. The documentation also allows ``amount`` instead (what
    the payee earns; the charge is grossed up by the fee), never both. The
    contract must be active or suspended.
    """
    p = call.params
    scope = org_scope(call.db, call.user.id)
    team = rules.hiring_team(scope, p.team)
    row = queries.engagement_by_reference(call.db, p.engagement_reference, for_update=True)
    if row is None or row.buyer_team_id not in scope.subtree(team):
        raise NotFound(f"No {WHAT} with reference or id {p.engagement_reference!r} on the team {p.team}")
    if row.status == EngagementStatus.CLOSED:
        raise WrongState(f"Contract {p.engagement_reference} is closed: a closed contract accepts no adjustment")
    charges, earnings = _adjustment_amounts(p.charge_amount, p.amount, row.fee_rate)
    payment = Payment(
        kind="Adjustment",
        subtype="Adjustment",
        charges=charges,
        earnings=earnings,
        description=f"Adjustment: {row.title}",
        comment=p.comments,
        notes=p.notes,
    )
    now = dt.datetime.now(dt.UTC)
    reference = pay_on_contract(call.db, row.id, now.date(), payment)
    return {
        "adjustment": {
            "reference": str(reference),
            "engagement__reference": str(row.reference),
            "buyer_team__reference": str(row.buyer_team_reference),
            "charge_amount": str(charges),
            "amount": str(earnings),
            "comments": p.comments,
            "notes": p.notes or "",
            "created_time": epoch_ms_text(now),
        }
    }


def _adjustment_amounts(charge: Decimal | None, amount: Decimal | None, fee_rate: Decimal) -> tuple[Decimal, Decimal]:
    """``(charges, earnings)`` from ``charge_amount`` or ``amount`` (exactly one of them)."""
    if charge is not None and amount is not None:
        raise Invalid("give charge_amount or amount, not both")
    if charge is not None:
        return charge, ledger.provider_share(charge, fee_rate)
    if amount is None:
        raise Invalid("charge_amount is required (or amount)")
    gross = money(amount / (1 - fee_rate))
    return gross, amount


__all__ = ["api", "engagement_payload"]
