"""Reads and writes of fixed-price milestones and submissions, with the contract each belongs to.

The reads answer Core rows carrying the milestone's (or submission's)
columns and the contract's (``CONTRACT_COLUMNS``: its reference, sides,
type, status, fee): what the permission rules, the state rules and the
payment need, in one query. The writes that change a status are
conditional (``... WHERE id = :id AND status = :from``) and say whether
they changed the row: of two requests racing for the same move, exactly
one sees ``True``, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row

from odesk_server.access.keys import as_reference
from odesk_server.db.work import UnitOfWork
from odesk_server.models import Engagement, Milestone, Submission, next_reference, table_of

# What every read carries of the contract.
CONTRACT_COLUMNS = (
    Engagement.id.label("engagement_id"),
    Engagement.reference.label("contract_reference"),
    Engagement.title.label("contract_title"),
    Engagement.job_type,
    Engagement.status.label("contract_status"),
    Engagement.buyer_team_id,
    Engagement.provider_user_id,
    Engagement.agency_company_id,
    Engagement.provider_team_id,
    Engagement.fee_rate,
)

_MILESTONE_COLUMNS = (
    Milestone.id,
    Milestone.reference,
    Milestone.position,
    Milestone.description,
    Milestone.deposit_amount,
    Milestone.due_date,
    Milestone.status,
    Milestone.funded_at,
    Milestone.paid_amount,
    Milestone.bonus,
    Milestone.pay_comments,
    Milestone.underpayment_reason,
    Milestone.note2contractor,
    Milestone.paid_at,
    Milestone.payment_transaction_ref,
    Milestone.created_at,
)

_MILESTONES = sa.select(*_MILESTONE_COLUMNS, *CONTRACT_COLUMNS).join(
    Engagement, Engagement.id == Milestone.engagement_id
)

_SUBMISSIONS = (
    sa.select(
        Submission.id,
        Submission.reference,
        Submission.note2client,
        Submission.amount,
        Submission.status,
        Submission.note2contractor,
        Submission.created_at,
        Submission.decided_at,
        Milestone.id.label("milestone_pk"),
        Milestone.reference.label("milestone_reference"),
        Milestone.status.label("milestone_status"),
        *CONTRACT_COLUMNS,
    )
    .join(Milestone, Milestone.id == Submission.milestone_id)
    .join(Engagement, Engagement.id == Milestone.engagement_id)
)


def contract(work: UnitOfWork, key: str) -> Row[Any] | None:
    """The contract whose reference is ``key`` (``CONTRACT_COLUMNS``), or None."""
    reference = as_reference(key)
    if reference is None:
        return None
    return work.connection.execute(sa.select(*CONTRACT_COLUMNS).where(Engagement.reference == reference)).first()


def milestone(work: UnitOfWork, key: str | int) -> Row[Any] | None:
    """The milestone whose reference is ``key``, with its contract's columns, or None (deleted ones too)."""
    reference = as_reference(str(key))
    if reference is None:
        return None
    return work.connection.execute(_MILESTONES.where(Milestone.reference == reference)).first()


def active_milestone(work: UnitOfWork, engagement_id: int) -> Row[Any] | None:
    """The contract's first funded milestone not yet paid (active or submitted), by position; or None."""
    query = (
        _MILESTONES.where(Milestone.engagement_id == engagement_id, Milestone.status.in_(("active", "submitted")))
        .order_by(Milestone.position)
        .limit(1)
    )
    return work.connection.execute(query).first()


def submission(work: UnitOfWork, key: str | int) -> Row[Any] | None:
    """The submission whose reference is ``key``, with its milestone's keys and contract's columns, or None."""
    reference = as_reference(str(key))
    if reference is None:
        return None
    return work.connection.execute(_SUBMISSIONS.where(Submission.reference == reference)).first()


def submissions(work: UnitOfWork, milestone_id: int) -> Sequence[Row[Any]]:
    """The milestone's submissions, oldest first."""
    return work.connection.execute(
        _SUBMISSIONS.where(Submission.milestone_id == milestone_id).order_by(Submission.id)
    ).all()


def pending_submission(work: UnitOfWork, milestone_id: int) -> Row[Any] | None:
    """The milestone's pending submission, or None."""
    query = _SUBMISSIONS.where(Submission.milestone_id == milestone_id, Submission.status == "pending")
    return work.connection.execute(query).first()


def add_milestone(
    work: UnitOfWork, engagement_id: int, description: str, deposit: Decimal, due_date: dt.date | None
) -> int:
    """Insert a not funded milestone at the end of the contract's; returns its reference."""
    position = work.connection.scalar(
        sa.select(sa.func.coalesce(sa.func.max(Milestone.position) + 1, 0)).where(
            Milestone.engagement_id == engagement_id
        )
    )
    reference = next_reference(work.session, Milestone)
    work.connection.execute(
        sa.insert(table_of(Milestone)).values(
            reference=reference,
            engagement_id=engagement_id,
            position=position,
            description=description,
            deposit_amount=deposit,
            due_date=due_date,
            status="not_funded",
        )
    )
    return reference


def add_submission(work: UnitOfWork, milestone_id: int, note2client: str, amount: Decimal) -> int:
    """Insert a pending submission of the milestone; returns its reference."""
    reference = next_reference(work.session, Submission)
    work.connection.execute(
        sa.insert(table_of(Submission)).values(
            reference=reference, milestone_id=milestone_id, note2client=note2client, amount=amount, status="pending"
        )
    )
    return reference


def move_milestone(
    work: UnitOfWork, milestone_id: int, before: str, after: str, changes: Mapping[str, Any] | None = None
) -> bool:
    """Set the milestone's status from ``before`` to ``after`` (and ``changes``), only if it is still ``before``.

    Returns whether the row changed: False when another request moved it first.
    """
    statement = (
        sa.update(table_of(Milestone))
        .where(Milestone.id == milestone_id, Milestone.status == str(before))
        .values(status=str(after), **(changes or {}))
    )
    return work.connection.execute(statement).rowcount == 1


def edit_milestone(work: UnitOfWork, milestone_id: int, status: str, changes: Mapping[str, Any]) -> bool:
    """Change the milestone's columns if it is still in ``status``; returns whether it changed."""
    return move_milestone(work, milestone_id, status, status, changes)


def move_submission(
    work: UnitOfWork, submission_id: int, before: str, after: str, changes: Mapping[str, Any] | None = None
) -> bool:
    """Set the submission's status from ``before`` to ``after`` (and ``changes``), only if it is still ``before``."""
    statement = (
        sa.update(table_of(Submission))
        .where(Submission.id == submission_id, Submission.status == str(before))
        .values(status=str(after), **(changes or {}))
    )
    return work.connection.execute(statement).rowcount == 1
