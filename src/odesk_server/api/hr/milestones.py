"""HR v3: fixed-price milestones and submissions (``/api/hr/v3/fp``).

The server side of ``client.hr_v3.create_milestone``, ``edit_milestone``,
``activate_milestone``, ``approve_milestone``, ``delete_milestone``,
``request_submission_approval``, ``approve_submission``,
``reject_submission``, ``get_milestone_submissions`` and
``get_active_milestone`` (``spec/api-surface.md`` section 5.5; the answers'
shapes, which the documentation leaves open, are in docs/hiring.md).

Who may do what (``access.rules``): the buyer's actions (create, edit,
activate, approve, delete a milestone; approve or reject a submission)
need hiring permission on the contract's buyer team; asking for approval is
the contractor's (himself, or his agency's staffing manager); reading is
either side's. A contract, milestone or submission the caller may not see
is answered 404 exactly like an unknown one.

The states and the money are ``domain.milestones``'; a move its state
refuses is 400 ``invalid_state`` naming the state, and so is any milestone
on an hourly or a closed contract. Every move is one conditional UPDATE of
the milestone row (``queries.milestones``), taken before anything else is
written: of two requests approving the same milestone or submission at
once, one pays and the other is refused, and the payment's ledger legs are
written in the same transaction, so a failure leaves none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field
from sqlalchemy.engine import Row
from typing_extensions import TypedDict

from odesk_server.access.rules import ContractParties, require_buyer, require_provider, require_reader
from odesk_server.access.scope import OrgScope, org_scope
from odesk_server.api.endpoint import SIGNED_IN, Api, Call, Params
from odesk_server.api.params import Money, PathKey, UsDate
from odesk_server.domain import ledger, payments
from odesk_server.domain.milestones import (
    MilestoneMove,
    MilestoneStatus,
    Payment,
    SubmissionMove,
    check_contract,
    next_milestone_status,
    next_submission_status,
    payment,
    payment_transaction,
    requested_amount,
)
from odesk_server.models import utcnow
from odesk_server.problems import Invalid, NotFound, WrongState
from odesk_server.queries import milestones as queries
from odesk_server.wire import day_text, epoch_ms_text, money_text

api = Api("hr milestones", "HR v3: fixed-price milestones and submissions (/api/hr/v3/fp)")

PREFIX = "/api/hr/v3/fp"

# A note or a description: text a person wrote, not empty.
Text = Annotated[str, Field(min_length=1, max_length=5000)]


# --------------------------------------------------------------------------
# Shapes (docs/hiring.md, "Milestones and submissions")


class MilestoneObject(TypedDict):
    id: str
    contract_reference: str
    milestone_description: str
    deposit_amount: str
    due_date: str
    status: str
    created_time: str
    funded_time: str
    paid_amount: str
    bonus: str
    pay_comments: str
    underpayment_reason: str
    note2contractor: str
    paid_time: str
    payment_reference: str


class SubmissionObject(TypedDict):
    id: str
    milestone_id: str
    contract_reference: str
    note2client: str
    amount: str
    status: str
    note2contractor: str
    created_time: str
    decided_time: str


class MilestoneReply(TypedDict):
    milestone: MilestoneObject


class SubmissionReply(TypedDict):
    submission: SubmissionObject
    milestone: MilestoneObject


class SubmissionList(TypedDict):
    submission: list[SubmissionObject]


class SubmissionsReply(TypedDict):
    submissions: SubmissionList


def milestone_payload(row: Row[Any]) -> MilestoneObject:
    """A milestone as the API answers it: every value text, "" for what is not set."""
    return {
        "id": str(row.reference),
        "contract_reference": str(row.contract_reference),
        "milestone_description": row.description,
        "deposit_amount": money_text(row.deposit_amount),
        "due_date": day_text(row.due_date),
        "status": row.status,
        "created_time": epoch_ms_text(row.created_at),
        "funded_time": epoch_ms_text(row.funded_at),
        "paid_amount": money_text(row.paid_amount),
        "bonus": money_text(row.bonus),
        "pay_comments": row.pay_comments or "",
        "underpayment_reason": str(row.underpayment_reason) if row.underpayment_reason is not None else "",
        "note2contractor": row.note2contractor or "",
        "paid_time": epoch_ms_text(row.paid_at),
        "payment_reference": str(row.payment_transaction_ref) if row.payment_transaction_ref is not None else "",
    }


def submission_payload(row: Row[Any]) -> SubmissionObject:
    """A submission as the API answers it."""
    return {
        "id": str(row.reference),
        "milestone_id": str(row.milestone_reference),
        "contract_reference": str(row.contract_reference),
        "note2client": row.note2client,
        "amount": money_text(row.amount),
        "status": row.status,
        "note2contractor": row.note2contractor or "",
        "created_time": epoch_ms_text(row.created_at),
        "decided_time": epoch_ms_text(row.decided_at),
    }


# --------------------------------------------------------------------------
# Lookups: what the caller may not see is not found

Side = Callable[[OrgScope, ContractParties, str, str], object]


def _contract(call: Call[Any], key: str, side: Side) -> Row[Any]:
    """The contract ``key`` names, once ``side`` (an ``access.rules`` check) lets the caller at it."""
    row = queries.contract(call.db, key)
    if row is None:
        raise NotFound(f"No contract with reference or id {key!r}")
    side(org_scope(call.db, call.user.id), ContractParties.of(row), "contract", key)
    return row


def _milestone(call: Call[Any], key: str, side: Side) -> Row[Any]:
    """The milestone ``key`` names (deleted ones too), once ``side`` lets the caller at it."""
    row = queries.milestone(call.db, key)
    if row is None:
        raise NotFound(f"No milestone with reference or id {key!r}")
    side(org_scope(call.db, call.user.id), ContractParties.of(row), "milestone", key)
    return row


def _submission(call: Call[Any], key: str, side: Side) -> Row[Any]:
    row = queries.submission(call.db, key)
    if row is None:
        raise NotFound(f"No submission with reference or id {key!r}")
    side(org_scope(call.db, call.user.id), ContractParties.of(row), "submission", key)
    return row


def _writable(row: Row[Any]) -> None:
    check_contract(row.contract_reference, row.job_type, row.contract_status)


def _reread(call: Call[Any], reference: int) -> Row[Any]:
    row = queries.milestone(call.db, reference)
    assert row is not None  # written in this transaction
    return row


def _raced(what: str, reference: int, state: str) -> WrongState:
    return WrongState(f"The {what} {reference} was changed by another request: it is no longer {state}")


def _pay(row: Row[Any], amount: Decimal | None, params: PaymentParams) -> tuple[Payment, dict[str, Any]]:
    """The payment of approving ``row`` with these values and the milestone columns it sets (nothing written)."""
    paid = payment(row.deposit_amount, amount, params.bonus, params.underpayment_reason)
    columns = {
        "paid_amount": paid.amount,
        "bonus": paid.bonus,
        "pay_comments": params.pay_comments,
        "underpayment_reason": paid.underpayment_reason,
        "note2contractor": params.note2contractor,
        "paid_at": utcnow(),
    }
    return paid, columns


def _post_payment(call: Call[Any], row: Row[Any], paid: Payment, params: PaymentParams, now: dt.datetime) -> None:
    """Post the legs of ``paid`` (after the conditional UPDATE won) and name their transaction on the milestone."""
    legs = payment_transaction(
        *payments.contract_sides(call.db, row.engagement_id),
        now.date(),
        row.fee_rate,
        paid,
        f"{row.contract_title}: {row.description}",
        comment=params.pay_comments,
        notes=params.note2contractor,
    )
    reference = ledger.post_now(call.db.connection, [legs], now)
    queries.edit_milestone(call.db, row.id, MilestoneStatus.PAID, {"payment_transaction_ref": reference})


# --------------------------------------------------------------------------
# Parameters


class MilestoneKey(Params):
    milestone_id: PathKey


class SubmissionKey(Params):
    submission_id: PathKey


class ContractKey(Params):
    contract_reference: PathKey


class CreateParams(Params):
    contract_reference: PathKey
    milestone_description: Text
    deposit_amount: Money
    due_date: UsDate | None = None


class EditParams(Params):
    milestone_id: PathKey
    milestone_description: Text | None = None
    deposit_amount: Money | None = None
    due_date: UsDate | None = None
    message: str | None = None


class ActivateParams(Params):
    milestone_id: PathKey
    message: str | None = None


class PaymentParams(Params):
    bonus: Money | None = None
    pay_comments: str | None = None
    underpayment_reason: int | None = None
    note2contractor: str | None = None


class ApproveMilestoneParams(PaymentParams):
    milestone_id: PathKey
    amount: Money | None = None


class SubmitParams(Params):
    milestone_id: PathKey
    note2client: Text
    amount: Money


class ApproveSubmissionParams(PaymentParams):
    submission_id: PathKey
    amount: Money


class RejectParams(Params):
    submission_id: PathKey
    note2contractor: Text


_NOT_FOUND = "not_found: no such contract, milestone or submission, or one the caller may not see (never told apart)"
_BUYER_ERRORS = {
    400: "bad_request: a parameter is missing or wrong (the message names it); invalid_state: the milestone's "
    "state refuses the action, or the contract is hourly or closed (the message names the state)",
    403: "access_denied: the caller sees the contract but lacks hiring permission on its buyer team",
    404: _NOT_FOUND,
}
_PROVIDER_ERRORS = {
    **_BUYER_ERRORS,
    403: "access_denied: the caller sees the contract but is neither its contractor nor his agency's staffing manager",
}
_READER_ERRORS = {404: _NOT_FOUND}


# --------------------------------------------------------------------------
# Milestones (the buyer)


@api.post(f"{PREFIX}/milestones", access=SIGNED_IN, params=CreateParams, returns=MilestoneReply, errors=_BUYER_ERRORS)
def create_milestone(call: Call[CreateParams]) -> MilestoneReply:
    """Add a milestone, not funded yet, to a fixed-price contract that is not closed."""
    params = call.params
    contract = _contract(call, params.contract_reference, require_buyer)
    check_contract(contract.contract_reference, contract.job_type, contract.contract_status)
    reference = queries.add_milestone(
        call.db, contract.engagement_id, params.milestone_description, params.deposit_amount, params.due_date
    )
    return {"milestone": milestone_payload(_reread(call, reference))}


@api.put(
    f"{PREFIX}/milestones/{{milestone_id}}",
    access=SIGNED_IN,
    params=EditParams,
    returns=MilestoneReply,
    errors=_BUYER_ERRORS,
)
def edit_milestone(call: Call[EditParams]) -> MilestoneReply:
    """Change a milestone's description, deposit or due date (the deposit only before it is funded).

    ``message`` is accepted and not kept (the server has no messages yet).
    """
    params = call.params
    row = _milestone(call, params.milestone_id, require_buyer)
    _writable(row)
    next_milestone_status(row.status, MilestoneMove.EDIT, row.reference)
    changes: dict[str, Any] = {}
    if params.milestone_description is not None:
        changes["description"] = params.milestone_description
    if params.due_date is not None:
        changes["due_date"] = params.due_date
    if params.deposit_amount is not None:
        if row.status != MilestoneStatus.NOT_FUNDED:
            raise WrongState(
                f"The milestone {row.reference} is {row.status}: its deposit can change only before it is funded"
            )
        changes["deposit_amount"] = params.deposit_amount
    if not changes:
        raise Invalid("Give milestone_description, deposit_amount or due_date: there is nothing to change")
    if not queries.edit_milestone(call.db, row.id, row.status, changes):
        raise _raced("milestone", row.reference, row.status)
    return {"milestone": milestone_payload(_reread(call, row.reference))}


@api.put(
    f"{PREFIX}/milestones/{{milestone_id}}/activate",
    access=SIGNED_IN,
    params=ActivateParams,
    returns=MilestoneReply,
    errors=_BUYER_ERRORS,
)
def activate_milestone(call: Call[ActivateParams]) -> MilestoneReply:
    """Fund a milestone that is not funded: it becomes active (nothing is posted to the ledger until approval)."""
    row = _milestone(call, call.params.milestone_id, require_buyer)
    _writable(row)
    after = next_milestone_status(row.status, MilestoneMove.ACTIVATE, row.reference)
    if not queries.move_milestone(call.db, row.id, row.status, after, {"funded_at": utcnow()}):
        raise _raced("milestone", row.reference, row.status)
    return {"milestone": milestone_payload(_reread(call, row.reference))}


@api.put(
    f"{PREFIX}/milestones/{{milestone_id}}/approve",
    access=SIGNED_IN,
    params=ApproveMilestoneParams,
    returns=MilestoneReply,
    errors=_BUYER_ERRORS,
)
def approve_milestone(call: Call[ApproveMilestoneParams]) -> MilestoneReply:
    """Pay an active or submitted milestone: ``amount`` (default the deposit) and an optional ``bonus``.

    Paying less than the deposit needs ``underpayment_reason`` (329 to 332).
    A pending submission of the milestone is approved with it.
    """
    params = call.params
    row = _milestone(call, params.milestone_id, require_buyer)
    _writable(row)
    after = next_milestone_status(row.status, MilestoneMove.APPROVE, row.reference)
    paid, columns = _pay(row, params.amount, params)
    if not queries.move_milestone(call.db, row.id, row.status, after, columns):
        raise _raced("milestone", row.reference, row.status)
    pending = queries.pending_submission(call.db, row.id)
    if pending is not None:
        decision = {"note2contractor": params.note2contractor, "decided_at": columns["paid_at"]}
        queries.move_submission(call.db, pending.id, pending.status, "approved", decision)
    _post_payment(call, row, paid, params, columns["paid_at"])
    return {"milestone": milestone_payload(_reread(call, row.reference))}


@api.delete(
    f"{PREFIX}/milestones/{{milestone_id}}",
    access=SIGNED_IN,
    params=MilestoneKey,
    returns=MilestoneReply,
    errors=_BUYER_ERRORS,
)
def delete_milestone(call: Call[MilestoneKey]) -> MilestoneReply:
    """Delete a milestone that is not funded (it stays, as ``deleted``, so its reference is never reused)."""
    row = _milestone(call, call.params.milestone_id, require_buyer)
    _writable(row)
    after = next_milestone_status(row.status, MilestoneMove.DELETE, row.reference)
    if not queries.move_milestone(call.db, row.id, row.status, after):
        raise _raced("milestone", row.reference, row.status)
    return {"milestone": milestone_payload(_reread(call, row.reference))}


# --------------------------------------------------------------------------
# Submissions


@api.post(
    f"{PREFIX}/submissions", access=SIGNED_IN, params=SubmitParams, returns=SubmissionReply, errors=_PROVIDER_ERRORS
)
def request_submission_approval(call: Call[SubmitParams]) -> SubmissionReply:
    """The contractor submits work on an active milestone, asking for ``amount`` (at most the deposit)."""
    params = call.params
    row = _milestone(call, params.milestone_id, require_provider)
    _writable(row)
    after = next_milestone_status(row.status, MilestoneMove.SUBMIT, row.reference)
    amount = requested_amount(row.deposit_amount, params.amount)
    if not queries.move_milestone(call.db, row.id, row.status, after):
        raise _raced("milestone", row.reference, row.status)
    reference = queries.add_submission(call.db, row.id, params.note2client, amount)
    submission = queries.submission(call.db, reference)
    assert submission is not None  # written in this transaction
    return {"submission": submission_payload(submission), "milestone": milestone_payload(_reread(call, row.reference))}


def _decide(call: Call[Any], key: str, move: SubmissionMove) -> tuple[Row[Any], Row[Any]]:
    """The submission ``key`` and its milestone, checked for the buyer deciding ``move`` (nothing written)."""
    submission = _submission(call, key, require_buyer)
    milestone = _reread(call, submission.milestone_reference)
    _writable(milestone)
    next_submission_status(submission.status, move, submission.reference)
    milestone_move = (
        MilestoneMove.APPROVE_SUBMISSION if move is SubmissionMove.APPROVE else MilestoneMove.REJECT_SUBMISSION
    )
    next_milestone_status(milestone.status, milestone_move, milestone.reference)
    return submission, milestone


def _submission_reply(call: Call[Any], submission: Row[Any]) -> SubmissionReply:
    decided = queries.submission(call.db, submission.reference)
    assert decided is not None
    return {
        "submission": submission_payload(decided),
        "milestone": milestone_payload(_reread(call, submission.milestone_reference)),
    }


@api.put(
    f"{PREFIX}/submissions/{{submission_id}}/approve",
    access=SIGNED_IN,
    params=ApproveSubmissionParams,
    returns=SubmissionReply,
    errors=_BUYER_ERRORS,
)
def approve_submission(call: Call[ApproveSubmissionParams]) -> SubmissionReply:
    """Approve a pending submission and pay its milestone ``amount`` and an optional ``bonus``.

    Paying less than the deposit needs ``underpayment_reason`` (329 to 332).
    """
    params = call.params
    submission, milestone = _decide(call, params.submission_id, SubmissionMove.APPROVE)
    paid, columns = _pay(milestone, params.amount, params)
    # The milestone row first, as every move takes it: the racing request waits for it, then finds it paid.
    if not queries.move_milestone(call.db, milestone.id, milestone.status, MilestoneStatus.PAID, columns):
        raise _raced("submission", submission.reference, submission.status)
    decision = {"note2contractor": params.note2contractor, "decided_at": columns["paid_at"]}
    if not queries.move_submission(call.db, submission.id, submission.status, "approved", decision):
        raise _raced("submission", submission.reference, submission.status)
    _post_payment(call, milestone, paid, params, columns["paid_at"])
    return _submission_reply(call, submission)


@api.put(
    f"{PREFIX}/submissions/{{submission_id}}/reject",
    access=SIGNED_IN,
    params=RejectParams,
    returns=SubmissionReply,
    errors=_BUYER_ERRORS,
)
def reject_submission(call: Call[RejectParams]) -> SubmissionReply:
    """Reject a pending submission: its milestone is active (funded) again, for new work."""
    params = call.params
    submission, milestone = _decide(call, params.submission_id, SubmissionMove.REJECT)
    if not queries.move_milestone(call.db, milestone.id, milestone.status, MilestoneStatus.ACTIVE):
        raise _raced("submission", submission.reference, submission.status)
    decision = {"note2contractor": params.note2contractor, "decided_at": utcnow()}
    if not queries.move_submission(call.db, submission.id, submission.status, "rejected", decision):
        raise _raced("submission", submission.reference, submission.status)
    return _submission_reply(call, submission)


# --------------------------------------------------------------------------
# Reading (either side)


@api.get(
    f"{PREFIX}/milestones/{{milestone_id}}/submissions",
    access=SIGNED_IN,
    params=MilestoneKey,
    returns=SubmissionsReply,
    errors=_READER_ERRORS,
)
def get_milestone_submissions(call: Call[MilestoneKey]) -> SubmissionsReply:
    """Every submission of a milestone, oldest first."""
    row = _milestone(call, call.params.milestone_id, require_reader)
    return {"submissions": {"submission": [submission_payload(s) for s in queries.submissions(call.db, row.id)]}}


@api.get(
    f"{PREFIX}/milestones/statuses/active/contracts/{{contract_reference}}",
    access=SIGNED_IN,
    params=ContractKey,
    returns=MilestoneReply,
    errors={404: f"{_NOT_FOUND}; or the contract has no active milestone"},
)
def get_active_milestone(call: Call[ContractKey]) -> MilestoneReply:
    """The contract's active milestone: the first funded one not paid yet (active or submitted)."""
    contract = _contract(call, call.params.contract_reference, require_reader)
    row = queries.active_milestone(call.db, contract.engagement_id)
    if row is None:
        raise NotFound(f"The contract {contract.contract_reference} has no active milestone")
    return {"milestone": milestone_payload(row)}


__all__ = ["api", "milestone_payload", "submission_payload"]
