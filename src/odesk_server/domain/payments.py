"""Paying on a contract from a request: the accounts of its parties, the next numbers, one posted transaction.

``domain.ledger`` builds balanced legs and posts them; this module gives it
what a live request knows only by asking the database (``contract_sides``):
the accounting entities of the contract's buyer company, its payee (the
agency the provider works through, else the provider) and the platform,
and the parties the legs name. ``pay_on_contract`` posts one contract
transaction and returns its ``transaction_ref`` (what
``post_team_adjustment`` answers as the adjustment's reference); a
milestone approval builds its own legs (``domain.milestones``) on the same
sides and posts them through ``ledger.post_now`` too.

The numbers come from ``ledger.post_now``, which takes the ledger's lock
(``ledger.lock_numbering``) first; ``pay_on_contract`` takes it before
anything else, since a new accounting entity is numbered the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from odesk_server.db.work import UnitOfWork
from odesk_server.domain import ledger
from odesk_server.models import AccountingEntity, Company, Engagement, LedgerEntry, Team, User
from odesk_server.models.references import REFERENCE_BASES


@dataclass(frozen=True)
class Payment:
    """Money moving on a contract: the buyer is charged ``charges``, the payee earns ``earnings``.

    ``kind`` and ``subtype`` are the ledger's (``Adjustment``/``Bonus``,
    ``Invoice``/``Milestone``...); the texts go on every leg.
    """

    kind: str
    subtype: str
    charges: Decimal
    earnings: Decimal
    description: str
    memo: str | None = None
    comment: str | None = None
    notes: str | None = None


def contract_sides(work: UnitOfWork, engagement_id: int) -> tuple[ledger.ContractParties, ledger.ContractAccounts]:
    """Who the engagement's money concerns, and the accounting entities it moves between.

    The payee is the agency's entity for a contract made through an agency,
    else the provider's own. Takes the ledger's lock and creates the payee's
    or the buyer's entity when the contract's party has none yet. Raises
    ``LookupError`` for an unknown engagement.
    """
    ledger.lock_numbering(work.connection)
    parties = _parties(work, engagement_id)
    accounts = ledger.ContractAccounts(
        buyer=_entity_of_company(work, parties.buyer_company_id),
        payee=(
            _entity_of_company(work, parties.provider_company_id)
            if parties.provider_company_id is not None
            else _entity_of_provider(work, parties.provider_user_id)
        ),
        platform=_platform_entity(work),
    )
    return parties, accounts


def pay_on_contract(work: UnitOfWork, engagement_id: int, day: dt.date, payment: Payment) -> int:
    """Post ``payment`` on the engagement ``engagement_id`` dated ``day``; returns its ``transaction_ref``.

    Creates the payee's or the buyer's accounting entity when the contract's
    party has none yet. Raises ``LookupError`` for an unknown engagement.
    """
    parties, accounts = contract_sides(work, engagement_id)
    legs = ledger.contract_transaction(
        parties,
        accounts,
        day,
        payment.kind,
        payment.subtype,
        payment.charges,
        payment.earnings,
        description=payment.description,
        memo=payment.memo,
        comment=payment.comment,
        notes=payment.notes,
    )
    return ledger.post_now(work.connection, [legs], dt.datetime.now(dt.UTC))


def _parties(work: UnitOfWork, engagement_id: int) -> ledger.ContractParties:
    # The PO number the contract's earlier transactions carried, if any.
    po_number = (
        sa.select(LedgerEntry.po_number)
        .where(LedgerEntry.engagement_id == Engagement.id, LedgerEntry.po_number.is_not(None))
        .limit(1)
        .scalar_subquery()
    )
    row = work.connection.execute(
        sa.select(
            Engagement.id,
            Team.company_id,
            Engagement.buyer_team_id,
            Engagement.provider_user_id,
            Engagement.agency_company_id,
            Engagement.provider_team_id,
            po_number.label("po_number"),
        )
        .join(Team, Team.id == Engagement.buyer_team_id)
        .where(Engagement.id == engagement_id)
    ).one_or_none()
    if row is None:
        raise LookupError(f"no engagement with id {engagement_id}")
    return ledger.ContractParties(
        engagement_id=row.id,
        buyer_company_id=row.company_id,
        buyer_team_id=row.buyer_team_id,
        provider_user_id=row.provider_user_id,
        provider_company_id=row.agency_company_id,
        provider_team_id=row.provider_team_id if row.agency_company_id is not None else None,
        po_number=row.po_number,
    )


def _platform_entity(work: UnitOfWork) -> int:
    found = work.connection.execute(
        sa.select(AccountingEntity.id).where(AccountingEntity.kind == "platform").order_by(AccountingEntity.id)
    ).first()
    if found is not None:
        return int(found.id)
    return _new_entity(work, "oDesk Corporation", "platform")


def _entity_of_company(work: UnitOfWork, company_id: int) -> int:
    found = work.connection.execute(
        sa.select(AccountingEntity.id).where(AccountingEntity.company_id == company_id)
    ).first()
    if found is not None:
        return int(found.id)
    name = work.connection.execute(sa.select(Company.name).where(Company.id == company_id)).scalar_one()
    return _new_entity(work, name, "company", company_id=company_id)


def _entity_of_provider(work: UnitOfWork, user_id: int) -> int:
    found = work.connection.execute(sa.select(AccountingEntity.id).where(AccountingEntity.user_id == user_id)).first()
    if found is not None:
        return int(found.id)
    person = work.connection.execute(sa.select(User.first_name, User.last_name).where(User.id == user_id)).one()
    return _new_entity(work, f"{person.first_name} {person.last_name}", "provider", user_id=user_id)


def _new_entity(
    work: UnitOfWork, name: str, kind: str, *, company_id: int | None = None, user_id: int | None = None
) -> int:
    current = work.connection.execute(sa.select(sa.func.max(AccountingEntity.reference))).scalar()
    reference = max(int(current or 0), REFERENCE_BASES[AccountingEntity]) + 1
    inserted = work.connection.execute(
        sa.insert(AccountingEntity)
        .values(reference=reference, name=name, kind=kind, company_id=company_id, user_id=user_id)
        .returning(AccountingEntity.id)
    )
    return int(inserted.scalar_one())
