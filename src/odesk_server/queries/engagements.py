"""Reads of contracts (engagements): one with everything its payload shows, a filtered page of them.

Every function returns ``EngagementRow`` records (Core rows with the
columns named below) and decides nothing about permissions: the endpoint
passes the teams, provider and agencies the caller may see as an
``EngagementVisibility``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row
from sqlalchemy.orm import aliased

from odesk_server.access.keys import as_reference
from odesk_server.db.work import UnitOfWork
from odesk_server.models import Company, Engagement, Job, LedgerEntry, Offer, Team, User
from odesk_server.models.money import AccountingEntity
from odesk_server.queries.ordering import order_by

_BUYER_TEAM = aliased(Team)
_BUYER_COMPANY = aliased(Company)
_PROVIDER = aliased(User)
_PROVIDER_TEAM = aliased(Team)
_AGENCY = aliased(Company)

# What a contract's payload shows: the contract's columns, its parties' keys and names, its job and offer.
_ENGAGEMENT_COLUMNS = sa.select(
    Engagement.id,
    Engagement.reference,
    Engagement.title,
    Engagement.description,
    Engagement.job_type,
    Engagement.status,
    Engagement.hourly_rate,
    Engagement.weekly_limit,
    Engagement.fixed_price,
    Engagement.fee_rate,
    Engagement.started_on,
    Engagement.ended_on,
    Engagement.created_at,
    Engagement.buyer_team_id,
    Engagement.provider_user_id,
    Engagement.agency_company_id,
    Engagement.end_reason,
    _BUYER_TEAM.reference.label("buyer_team_reference"),
    _BUYER_TEAM.team_id.label("buyer_team_key"),
    _BUYER_TEAM.name.label("buyer_team_name"),
    _BUYER_COMPANY.reference.label("buyer_company_reference"),
    _BUYER_COMPANY.name.label("buyer_company_name"),
    _PROVIDER.reference.label("provider_reference"),
    _PROVIDER.uid.label("provider_uid"),
    _PROVIDER.profile_key.label("provider_profile_key"),
    _PROVIDER_TEAM.reference.label("provider_team_reference"),
    _PROVIDER_TEAM.team_id.label("provider_team_key"),
    _PROVIDER_TEAM.name.label("provider_team_name"),
    Job.reference.label("job_reference"),
    Job.title.label("job_title"),
    Offer.reference.label("offer_reference"),
    Offer.weekly_stipend_hours,
    Offer.fixed_pay_amount_agreed,
    Offer.fixed_price_upfront_payment,
).select_from(
    sa.join(Engagement, _BUYER_TEAM, _BUYER_TEAM.id == Engagement.buyer_team_id)
    .join(_BUYER_COMPANY, _BUYER_COMPANY.id == _BUYER_TEAM.company_id)
    .join(_PROVIDER, _PROVIDER.id == Engagement.provider_user_id)
    .outerjoin(_PROVIDER_TEAM, _PROVIDER_TEAM.id == Engagement.provider_team_id)
    .outerjoin(Job, Job.id == Engagement.job_id)
    .outerjoin(Offer, Offer.id == Engagement.offer_id)
)

EngagementRow = Row[Any]

# order_by's fields (as documented for get_engagements) and their columns.
ORDER_FIELDS: dict[str, Any] = {
    "reference": Engagement.reference,
    "created_time": Engagement.created_at,
    "offer__reference": Offer.reference,
    "job__reference": Job.reference,
    "buyer_team__reference": _BUYER_TEAM.reference,
    "provider__reference": _PROVIDER.reference,
    "status": Engagement.status,
    "engagement_start_date": Engagement.started_on,
    "engagement_end_date": Engagement.ended_on,
}


@dataclass(frozen=True)
class EngagementVisibility:
    """The contracts a caller may see: of these buyer teams, of this provider, made through these agencies."""

    buyer_team_ids: Collection[int]
    provider_user_id: int
    agency_company_ids: Collection[int] = ()

    def condition(self) -> sa.ColumnElement[bool]:
        terms: list[sa.ColumnElement[bool]] = [Engagement.provider_user_id == self.provider_user_id]
        if self.buyer_team_ids:
            terms.append(Engagement.buyer_team_id.in_(sorted(self.buyer_team_ids)))
        if self.agency_company_ids:
            terms.append(Engagement.agency_company_id.in_(sorted(self.agency_company_ids)))
        return sa.or_(*terms)


@dataclass(frozen=True)
class EngagementFilter:
    """``get_engagements``' filters, already read; None leaves a filter out.

    ``provider_key``: a provider's reference or profile key; ``agency_key``:
    the agency's team or company reference; ``statuses``: any of them.
    """

    buyer_team_ids: Collection[int] | None = None
    provider_key: str | None = None
    job_reference: str | None = None
    agency_key: str | None = None
    statuses: Collection[str] | None = None
    created_from: dt.datetime | None = None
    created_to: dt.datetime | None = None

    def conditions(self) -> list[sa.ColumnElement[bool]]:
        where: list[sa.ColumnElement[bool]] = []
        if self.buyer_team_ids is not None:
            where.append(Engagement.buyer_team_id.in_(sorted(self.buyer_team_ids)))
        if self.provider_key is not None:
            reference = as_reference(self.provider_key)
            where.append(
                _PROVIDER.reference == reference
                if reference is not None
                else _PROVIDER.profile_key == self.provider_key
            )
        if self.job_reference is not None:
            where.append(_reference_is(Job.reference, self.job_reference))
        if self.agency_key is not None:
            where.append(
                sa.or_(
                    _reference_is(_PROVIDER_TEAM.reference, self.agency_key),
                    Engagement.agency_company_id.in_(
                        sa.select(_AGENCY.id).where(_reference_is(_AGENCY.reference, self.agency_key))
                    ),
                )
            )
        if self.statuses is not None:
            where.append(Engagement.status.in_(sorted(self.statuses)))
        if self.created_from is not None:
            where.append(Engagement.created_at >= self.created_from)
        if self.created_to is not None:
            where.append(Engagement.created_at <= self.created_to)
        return where


def _reference_is(column: Any, key: str) -> sa.ColumnElement[bool]:
    """``column`` holds the reference ``key`` spells; false for a key that is not a reference."""
    reference = as_reference(key)
    return column == reference if reference is not None else sa.false()


def engagement_by_reference(work: UnitOfWork, key: str, *, for_update: bool = False) -> EngagementRow | None:
    """The contract whose reference is ``key`` (a number), or None.

    ``for_update`` locks the contract's row until the request ends
    (PostgreSQL), so two moves on one contract take turns.
    """
    reference = as_reference(key)
    if reference is None:
        return None
    if for_update:
        locked = work.connection.execute(
            sa.select(Engagement.id).where(Engagement.reference == reference).with_for_update()
        ).first()
        if locked is None:
            return None
    return work.connection.execute(_ENGAGEMENT_COLUMNS.where(Engagement.reference == reference)).one_or_none()


def engagements_page(
    work: UnitOfWork,
    visible: EngagementVisibility,
    filters: EngagementFilter,
    sort: str | None,
    offset: int,
    size: int,
) -> tuple[int, Sequence[EngagementRow]]:
    """``(total, rows)``: how many visible contracts match ``filters``, and the page of them sorted by ``sort``.

    Raises ``problems.Invalid`` for an ``order_by`` it cannot sort on.
    """
    where = [visible.condition(), *filters.conditions()]
    terms = order_by(sort, ORDER_FIELDS, "reference")
    query = _ENGAGEMENT_COLUMNS.where(*where)
    total = work.connection.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
    rows = work.connection.execute(query.order_by(*terms, Engagement.reference).offset(offset).limit(size)).all()
    return int(total), rows


def total_charged(work: UnitOfWork, engagement_id: int) -> Decimal:
    """What the buyer was charged on the contract so far: the sum of its legs on the buyer company's account."""
    charged = work.connection.execute(
        sa.select(sa.func.coalesce(sa.func.sum(-LedgerEntry.amount), 0))
        .join(AccountingEntity, AccountingEntity.id == LedgerEntry.accounting_entity_id)
        .where(
            LedgerEntry.engagement_id == engagement_id,
            AccountingEntity.kind == "company",
            AccountingEntity.company_id == LedgerEntry.buyer_company_id,
        )
    ).scalar_one()
    return Decimal(charged)
