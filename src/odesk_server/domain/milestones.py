"""The rules of fixed-price milestones and the submissions that ask to pay them.

A milestone goes through these states (``Milestone.status``), the only
moves being those of ``MILESTONE_MOVES``::

    not_funded --activate--> active --submit--> submitted --approve submission--> paid
        |   ^                  |  ^                 |
        |   edit               |  +--reject---------+
        |                      +--approve (pays directly)--> paid
        +--delete--> deleted       (approve also pays a submitted one)

``edit`` changes a milestone that is not funded (anything) or active
(description and due date: the funded deposit stays). A submission is
``pending`` until the buyer approves it (the milestone is paid) or rejects
it (the milestone is active again): ``SUBMISSION_MOVES``.

Funding posts nothing to the ledger: the ledger has no escrow account, so
the money moves once, when a milestone is approved (``payment_transaction``:
the amount as a ``Milestone`` invoice, the bonus as a ``Bonus`` invoice,
three balanced legs each, under one transaction).

A move a state does not allow raises ``problems.WrongState`` naming the
state; a bad amount raises ``problems.Invalid``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from odesk_server.domain import ledger
from odesk_server.models import UNDERPAYMENT_REASONS, money
from odesk_server.problems import Invalid, WrongState


class MilestoneStatus(StrEnum):
    """The statuses of a milestone (``Milestone.status``)."""

    NOT_FUNDED = "not_funded"
    ACTIVE = "active"
    SUBMITTED = "submitted"
    PAID = "paid"
    DELETED = "deleted"


class MilestoneMove(StrEnum):
    """What may happen to a milestone (the API's methods, by what they do to it)."""

    EDIT = "edit"
    ACTIVATE = "activate"
    DELETE = "delete"
    SUBMIT = "submit"  # request_submission_approval
    APPROVE = "approve"  # approve_milestone
    APPROVE_SUBMISSION = "approve submission"
    REJECT_SUBMISSION = "reject submission"


class SubmissionStatus(StrEnum):
    """The statuses of a submission (``Submission.status``)."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class SubmissionMove(StrEnum):
    """What the buyer does with a submission."""

    APPROVE = "approve"
    REJECT = "reject"


M, S = MilestoneStatus, SubmissionStatus

# (state, move) -> state: every allowed move of a milestone, and only those.
MILESTONE_MOVES: dict[tuple[MilestoneStatus, MilestoneMove], MilestoneStatus] = {
    (M.NOT_FUNDED, MilestoneMove.EDIT): M.NOT_FUNDED,
    (M.ACTIVE, MilestoneMove.EDIT): M.ACTIVE,
    (M.NOT_FUNDED, MilestoneMove.ACTIVATE): M.ACTIVE,
    (M.NOT_FUNDED, MilestoneMove.DELETE): M.DELETED,
    (M.ACTIVE, MilestoneMove.SUBMIT): M.SUBMITTED,
    (M.ACTIVE, MilestoneMove.APPROVE): M.PAID,
    (M.SUBMITTED, MilestoneMove.APPROVE): M.PAID,
    (M.SUBMITTED, MilestoneMove.APPROVE_SUBMISSION): M.PAID,
    (M.SUBMITTED, MilestoneMove.REJECT_SUBMISSION): M.ACTIVE,
}

# (state, move) -> state for a submission.
SUBMISSION_MOVES: dict[tuple[SubmissionStatus, SubmissionMove], SubmissionStatus] = {
    (S.PENDING, SubmissionMove.APPROVE): S.APPROVED,
    (S.PENDING, SubmissionMove.REJECT): S.REJECTED,
}

# Why a move is refused, said to the caller after the state.
_MILESTONE_REFUSALS = {
    MilestoneMove.EDIT: "only a milestone that is not funded or active can be edited",
    MilestoneMove.ACTIVATE: "only a milestone that is not funded can be activated",
    MilestoneMove.DELETE: "only a milestone that is not funded can be deleted",
    MilestoneMove.SUBMIT: "work can be submitted only on an active (funded) milestone with no pending submission",
    MilestoneMove.APPROVE: "only an active (funded) or submitted milestone can be approved",
    MilestoneMove.APPROVE_SUBMISSION: "only the submission of a submitted milestone can be approved",
    MilestoneMove.REJECT_SUBMISSION: "only the submission of a submitted milestone can be rejected",
}


def next_milestone_status(status: str, move: MilestoneMove, reference: int | str) -> MilestoneStatus:
    """The status milestone ``reference`` in ``status`` takes after ``move``; ``WrongState`` when refused."""
    current = MilestoneStatus(status)
    after = MILESTONE_MOVES.get((current, move))
    if after is None:
        raise WrongState(f"The milestone {reference} is {current}: {_MILESTONE_REFUSALS[move]}")
    return after


def next_submission_status(status: str, move: SubmissionMove, reference: int | str) -> SubmissionStatus:
    """The status submission ``reference`` in ``status`` takes after ``move``; ``WrongState`` when refused."""
    current = SubmissionStatus(status)
    after = SUBMISSION_MOVES.get((current, move))
    if after is None:
        raise WrongState(f"The submission {reference} is {current}: only a pending submission can be {move}d")
    return after


def check_contract(reference: int, job_type: str, status: str) -> None:
    """Refuse milestones on contract ``reference`` unless it is fixed price and not closed (``WrongState``)."""
    if job_type != "fixed-price":
        raise WrongState(f"The contract {reference} is {job_type}: only fixed-price contracts have milestones")
    if status == "closed":
        raise WrongState(f"The contract {reference} is closed: a closed contract accepts no milestones")


# --------------------------------------------------------------------------
# Payments


@dataclass(frozen=True)
class Payment:
    """What approving a milestone pays: ``amount`` (at most the deposit) and ``bonus`` (zero for none).

    ``underpayment_reason`` is set exactly when ``amount`` is less than
    the deposit. Made by ``payment``, which checks all this.
    """

    amount: Decimal
    bonus: Decimal
    underpayment_reason: int | None

    @property
    def total(self) -> Decimal:
        """What the buyer is billed."""
        return self.amount + self.bonus


def payment(
    deposit: Decimal, amount: Decimal | None, bonus: Decimal | None, underpayment_reason: int | None
) -> Payment:
    """The payment of a milestone with ``deposit`` when approved with these values; ``Invalid`` when wrong.

    ``amount`` defaults to the deposit and may not exceed it (pay more as a
    bonus); less than the deposit needs an ``underpayment_reason`` (329 to
    332), and the reason is refused for a full payment. Amounts are positive
    ``Decimal`` with at most two places.
    """
    paid = deposit if amount is None else _amount("amount", amount)
    extra = Decimal("0.00") if bonus is None else _amount("bonus", bonus)
    if paid > deposit:
        raise Invalid(f"amount {paid} is more than the milestone's deposit {deposit}: pay the difference as a bonus")
    if underpayment_reason is not None and underpayment_reason not in UNDERPAYMENT_REASONS:
        reasons = ", ".join(str(r) for r in sorted(UNDERPAYMENT_REASONS))
        raise Invalid(f"underpayment_reason must be one of {reasons}, got {underpayment_reason}")
    if paid < deposit and underpayment_reason is None:
        raise Invalid(f"underpayment_reason is required to pay {paid}, less than the deposit {deposit}")
    if paid == deposit and underpayment_reason is not None:
        raise Invalid(f"underpayment_reason is only for paying less than the deposit {deposit}")
    return Payment(paid, extra, underpayment_reason)


def requested_amount(deposit: Decimal, amount: Decimal) -> Decimal:
    """The amount a contractor may ask for on a milestone with ``deposit``: positive, at most the deposit."""
    asked = _amount("amount", amount)
    if asked > deposit:
        raise Invalid(f"amount {asked} is more than the milestone's deposit {deposit}")
    return asked


def payment_transaction(
    parties: ledger.ContractParties,
    accounts: ledger.ContractAccounts,
    day: dt.date,
    fee_rate: Decimal,
    paid: Payment,
    title: str,
    *,
    comment: str | None,
    notes: str | None,
) -> ledger.Transaction:
    """The ledger legs of ``paid``: a ``Milestone`` invoice of the amount, a ``Bonus`` one of the bonus.

    Each is three legs summing to zero (buyer, payee less ``fee_rate``,
    platform), all under one transaction; no bonus legs without a bonus.
    """
    legs = ledger.contract_transaction(
        parties,
        accounts,
        day,
        "Invoice",
        "Milestone",
        paid.amount,
        ledger.provider_share(paid.amount, fee_rate),
        description=f"Milestone: {title}",
        memo=title,
        comment=comment,
        notes=notes,
    )
    if paid.bonus:
        legs += ledger.contract_transaction(
            parties,
            accounts,
            day,
            "Invoice",
            "Bonus",
            paid.bonus,
            ledger.provider_share(paid.bonus, fee_rate),
            description=f"Bonus: {title}",
            memo=title,
            comment=comment,
            notes=notes,
        )
    return legs


def _amount(name: str, value: Decimal) -> Decimal:
    if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
        raise Invalid(f"{name} must be more than 0, got {value}")
    if value != money(value):
        raise Invalid(f"{name} must have at most two decimal places, got {value}")
    return money(value)
