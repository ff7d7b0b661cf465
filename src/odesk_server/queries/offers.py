"""Reads and writes of offers: the listing rows, the keys an offer names, the conditional state change.

An offer's ``status`` column says ``pending`` until someone decides it;
an offer whose ``expires_at`` has passed is expired all the same, so the
listings read the status through ``effective_status`` (one CASE), never the
bare column.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row
from sqlalchemy.orm import QueryableAttribute, aliased

from odesk_server.access.keys import as_reference, usable
from odesk_server.db.work import UnitOfWork
from odesk_server.models import (
    Candidacy,
    Company,
    Engagement,
    Job,
    Offer,
    OfferMilestone,
    Team,
    User,
    UserRole,
)
from odesk_server.models.base import UTCDateTime


def effective_status(now: dt.datetime) -> sa.ColumnElement[str]:
    """``Offer.status`` as of ``now``: a pending offer past its ``expires_at`` reads ``expired``."""
    moment = sa.literal(now, UTCDateTime())
    return sa.case(
        (sa.and_(Offer.status == "pending", Offer.expires_at.is_not(None), Offer.expires_at <= moment), "expired"),
        else_=Offer.status,
    )


_BUYER_TEAM = aliased(Team)
_BUYER_COMPANY = aliased(Company)
_PROVIDER = aliased(User)
_PROVIDER_TEAM = aliased(Team)
_PROVIDER_COMPANY = aliased(Company)
_CREATOR = aliased(User)


def _listing(now: dt.datetime) -> sa.Select[Any]:
    """Every column an offer payload shows, by name (one row per offer)."""
    return (
        sa.select(
            Offer.id,
            Offer.reference,
            effective_status(now).label("status"),
            Offer.title,
            Offer.message_from_buyer,
            Offer.job_type,
            Offer.hourly_pay_rate,
            Offer.weekly_hours_limit,
            Offer.weekly_stipend_hours,
            Offer.weekly_salary_charge_amount,
            Offer.weekly_salary_pay_amount,
            Offer.fixed_charge_amount_agreed,
            Offer.fixed_pay_amount_agreed,
            Offer.fixed_price_upfront_payment,
            Offer.start_date,
            Offer.keep_open,
            Offer.created_at,
            Offer.expires_at,
            Offer.decided_at,
            Offer.buyer_team_id,
            Offer.provider_user_id,
            Offer.provider_team_id,
            Job.reference.label("job_reference"),
            Job.title.label("job_title"),
            Job.job_key.label("job_key"),
            Candidacy.reference.label("candidacy_reference"),
            _BUYER_TEAM.reference.label("buyer_team_reference"),
            _BUYER_TEAM.team_id.label("buyer_team_text_id"),
            _BUYER_TEAM.name.label("buyer_team_name"),
            _BUYER_COMPANY.reference.label("buyer_company_reference"),
            _BUYER_COMPANY.name.label("buyer_company_name"),
            _PROVIDER.reference.label("provider_reference"),
            _PROVIDER.uid.label("provider_uid"),
            _PROVIDER.first_name.label("provider_first_name"),
            _PROVIDER.last_name.label("provider_last_name"),
            _PROVIDER_TEAM.reference.label("provider_team_reference"),
            _PROVIDER_TEAM.team_id.label("provider_team_text_id"),
            _PROVIDER_TEAM.name.label("provider_team_name"),
            sa.case((_PROVIDER_COMPANY.is_agency, _PROVIDER_COMPANY.id), else_=None).label("agency_company_id"),
            _CREATOR.uid.label("creator_uid"),
            Engagement.reference.label("engagement_reference"),
        )
        .select_from(Offer)
        .join(_BUYER_TEAM, _BUYER_TEAM.id == Offer.buyer_team_id)
        .join(_BUYER_COMPANY, _BUYER_COMPANY.id == _BUYER_TEAM.company_id)
        .join(_PROVIDER, _PROVIDER.id == Offer.provider_user_id)
        .join(_CREATOR, _CREATOR.id == Offer.created_by_user_id)
        .outerjoin(Job, Job.id == Offer.job_id)
        .outerjoin(Candidacy, Candidacy.id == Offer.candidacy_id)
        .outerjoin(_PROVIDER_TEAM, _PROVIDER_TEAM.id == Offer.provider_team_id)
        .outerjoin(_PROVIDER_COMPANY, _PROVIDER_COMPANY.id == _PROVIDER_TEAM.company_id)
        .outerjoin(Engagement, Engagement.offer_id == Offer.id)
    )


# order_by names the listings accept, and the column each sorts on.
ORDER_FIELDS: Mapping[str, QueryableAttribute[Any]] = {
    "reference": Offer.reference,
    "offer__reference": Offer.reference,
    "created_time": Offer.created_at,
    "status": Offer.status,
    "job__reference": Job.reference,
    "buyer_team__reference": _BUYER_TEAM.reference,
    "provider__reference": _PROVIDER.reference,
}


def offer_rows(
    work: UnitOfWork,
    now: dt.datetime,
    conditions: Sequence[sa.ColumnElement[bool]],
    *,
    order: Sequence[sa.ColumnElement[Any]] = (),
    offset: int = 0,
    limit: int | None = None,
) -> tuple[int, Sequence[Row[Any]]]:
    """The offers meeting every condition (write them on ``Offer`` columns, ``effective_status``, and the
    aliases here), newest first unless ``order`` says otherwise, and how many there are in all."""
    query = _listing(now).where(*conditions)
    total = work.connection.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
    ordered = query.order_by(*order, Offer.reference.desc()).offset(offset)
    if limit is not None:
        ordered = ordered.limit(limit)
    return int(total), work.connection.execute(ordered).all()


def offer_row(work: UnitOfWork, now: dt.datetime, offer_id: int) -> Row[Any]:
    """The listing row of one offer (it exists: the caller found it)."""
    return work.connection.execute(_listing(now).where(Offer.id == offer_id)).one()


def milestones_of(work: UnitOfWork, offer_ids: Iterable[int]) -> dict[int, list[Row[Any]]]:
    """The milestones offered with each of ``offer_ids``, in their order."""
    ids = list(offer_ids)
    found: dict[int, list[Row[Any]]] = defaultdict(list)
    if not ids:
        return found
    rows = work.connection.execute(
        sa.select(
            OfferMilestone.offer_id,
            OfferMilestone.position,
            OfferMilestone.description,
            OfferMilestone.deposit_amount,
            OfferMilestone.due_date,
        )
        .where(OfferMilestone.offer_id.in_(ids))
        .order_by(OfferMilestone.offer_id, OfferMilestone.position)
    )
    for row in rows:
        found[row.offer_id].append(row)
    return found


# --------------------------------------------------------------------------
# Keys


def offer_by_key(work: UnitOfWork, key: str) -> Offer | None:
    """The offer whose reference is ``key``, or None."""
    reference = as_reference(key) if usable(key) else None
    if reference is None:
        return None
    return work.session.execute(sa.select(Offer).where(Offer.reference == reference)).scalar_one_or_none()


def team_by_key(work: UnitOfWork, key: str) -> Team | None:
    """Any team whose reference or text id is ``key`` (a provider's team is not in the buyer's scope)."""
    if not usable(key):
        return None
    number = as_reference(key)
    condition = Team.reference == number if number is not None else Team.team_id == key
    return work.session.execute(sa.select(Team).where(condition)).scalar_one_or_none()


def candidacy_of(work: UnitOfWork, job_id: int, provider_user_id: int) -> Candidacy | None:
    """The provider's candidacy for the job, or None."""
    return work.session.execute(
        sa.select(Candidacy).where(Candidacy.job_id == job_id, Candidacy.provider_user_id == provider_user_id)
    ).scalar_one_or_none()


def candidacy_by_key(work: UnitOfWork, key: str) -> Candidacy | None:
    """The candidacy (application) whose reference is ``key``, or None."""
    number = as_reference(key) if usable(key) else None
    if number is None:
        return None
    return work.session.execute(sa.select(Candidacy).where(Candidacy.reference == number)).scalar_one_or_none()


def has_pending_offer(
    work: UnitOfWork, now: dt.datetime, buyer_team_id: int, job_id: int | None, provider_id: int
) -> bool:
    """Whether the team already made the provider a pending offer (for that job, when given)."""
    query = sa.select(Offer.id).where(
        Offer.buyer_team_id == buyer_team_id,
        Offer.provider_user_id == provider_id,
        effective_status(now) == "pending",
    )
    if job_id is not None:
        query = query.where(Offer.job_id == job_id)
    return work.connection.execute(query.limit(1)).first() is not None


def holds_role(work: UnitOfWork, user_id: int, team_id: int) -> bool:
    """Whether the user holds a role on the team."""
    found = work.connection.execute(
        sa.select(UserRole.id).where(UserRole.user_id == user_id, UserRole.team_id == team_id)
    ).first()
    return found is not None


def agency_company_of(work: UnitOfWork, team_id: int | None) -> int | None:
    """The company of ``team_id`` when it is an agency, else None."""
    if team_id is None:
        return None
    return work.connection.execute(
        sa.select(Company.id).join(Team, Team.company_id == Company.id).where(Team.id == team_id, Company.is_agency)
    ).scalar_one_or_none()


# --------------------------------------------------------------------------
# Writes


def claim_pending(work: UnitOfWork, offer_id: int, status: str, now: dt.datetime) -> bool:
    """Set the offer's ``status`` if it is still pending and unexpired at ``now``; whether it was.

    The condition is in the UPDATE itself: PostgreSQL re-checks it on the
    row after a concurrent writer commits, SQLite runs writers one at a
    time; either way exactly one of two racing requests changes the row.
    """
    work.session.flush()
    result = work.connection.execute(
        sa.update(Offer)
        .where(
            Offer.id == offer_id,
            Offer.status == "pending",
            sa.or_(Offer.expires_at.is_(None), Offer.expires_at > sa.literal(now, UTCDateTime())),
        )
        .values(status=status, decided_at=now)
    )
    return result.rowcount == 1
