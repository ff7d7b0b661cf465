"""Reads of job postings: one job with what its payloads show, the listings, the categories and providers.

Every job is read through ``_JOB_VIEW``: the job's columns with its buyer
team and company, its creator's uid, its category titles and the candidacy
counters (counted from the rows, never stored). Permissions are decided by
the caller (``odesk_server.access``) before or after these reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, aliased

from odesk_server.access.keys import as_reference, usable
from odesk_server.db.work import UnitOfWork
from odesk_server.domain.jobs import ACTIVE_CANDIDACIES
from odesk_server.models import Candidacy, Company, Job, JobCategory, Team, User
from odesk_server.queries.ordering import order_by

# The category versions of JobCategory.version.
CATEGORIES_V1 = 1
CATEGORIES_V2 = 2


@dataclass(frozen=True, slots=True)
class JobView:
    """A job as its payloads show it: its columns, its buyer team and company, titles and counters."""

    id: int
    reference: int
    job_key: str
    buyer_team_id: int
    title: str
    job_type: str
    description: str
    visibility: str
    budget: Decimal | None
    duration: int | None
    start_date: dt.date | None
    skills: str
    status: str
    cancel_reason: int | None
    closed_at: dt.datetime | None
    last_candidacy_access_at: dt.datetime | None
    created_at: dt.datetime
    created_by_uid: str
    team_reference: int
    team_id: str
    team_name: str
    company_reference: int
    company_name: str
    category: str | None
    subcategory: str | None
    subcategory2: str | None
    num_candidates: int
    num_active_candidates: int
    num_new_candidates: int


_SUBCATEGORY = aliased(JobCategory)
_CATEGORY = aliased(JobCategory)
_SUBCATEGORY2 = aliased(JobCategory)


def _count(condition: sa.ColumnElement[bool]) -> sa.ScalarSelect[int]:
    return sa.select(sa.func.count(Candidacy.id)).where(Candidacy.job_id == Job.id, condition).scalar_subquery()


# New candidates: applications made since the buyer last listed the job's candidates (all of them before that).
_NEW = sa.and_(
    Candidacy.origin == "application",
    sa.or_(Job.last_candidacy_access_at.is_(None), Candidacy.created_at > Job.last_candidacy_access_at),
)

_JOB_VIEW = (
    sa.select(
        Job.id,
        Job.reference,
        Job.job_key,
        Job.buyer_team_id,
        Job.title,
        Job.job_type,
        Job.description,
        Job.visibility,
        Job.budget,
        Job.duration,
        Job.start_date,
        Job.skills,
        Job.status,
        Job.cancel_reason,
        Job.closed_at,
        Job.last_candidacy_access_at,
        Job.created_at,
        User.uid.label("created_by_uid"),
        Team.reference.label("team_reference"),
        Team.team_id.label("team_id"),
        Team.name.label("team_name"),
        Company.reference.label("company_reference"),
        Company.name.label("company_name"),
        _CATEGORY.title.label("category"),
        _SUBCATEGORY.title.label("subcategory"),
        _SUBCATEGORY2.title.label("subcategory2"),
        _count(sa.true()).label("num_candidates"),
        _count(Candidacy.status.in_(sorted(ACTIVE_CANDIDACIES))).label("num_active_candidates"),
        _count(_NEW).label("num_new_candidates"),
    )
    .join(User, User.id == Job.created_by_user_id)
    .join(Team, Team.id == Job.buyer_team_id)
    .join(Company, Company.id == Team.company_id)
    .outerjoin(_SUBCATEGORY, _SUBCATEGORY.id == Job.subcategory_id)
    .outerjoin(_CATEGORY, _CATEGORY.id == _SUBCATEGORY.parent_id)
    .outerjoin(_SUBCATEGORY2, _SUBCATEGORY2.id == Job.subcategory2_id)
)


def _views(work: UnitOfWork, query: sa.Select[tuple[object, ...]]) -> list[JobView]:
    return [JobView(**row._mapping) for row in work.connection.execute(query)]


def job_by_key(work: UnitOfWork, key: str) -> JobView | None:
    """The job whose reference or public ``job_key`` is ``key``, or None."""
    if not usable(key):
        return None
    reference = as_reference(key)
    condition = Job.reference == reference if reference is not None else Job.job_key == key
    found = _views(work, _JOB_VIEW.where(condition))
    return found[0] if found else None


def jobs_by_keys(work: UnitOfWork, keys: Iterable[str]) -> dict[str, JobView]:
    """The jobs whose public ``job_key`` is one of ``keys``, by key (unknown keys are absent)."""
    wanted = [key for key in keys if usable(key)]
    if not wanted:
        return {}
    return {view.job_key: view for view in _views(work, _JOB_VIEW.where(Job.job_key.in_(wanted)))}


# The listing's order_by fields and their columns.
ORDER_FIELDS: dict[str, InstrumentedAttribute[Any]] = {
    "reference": Job.reference,
    "title": Job.title,
    "job_type": Job.job_type,
    "status": Job.status,
    "visibility": Job.visibility,
    "created_time": Job.created_at,
    "start_date": Job.start_date,
}


@dataclass(frozen=True)
class JobFilter:
    """What ``get_jobs`` keeps: jobs of these teams, with these statuses, by this creator, created in a window."""

    team_ids: frozenset[int]
    statuses: frozenset[str] = frozenset()
    created_by_user_id: int | None = None
    created_from: dt.datetime | None = None
    created_to: dt.datetime | None = None


def list_jobs(work: UnitOfWork, only: JobFilter, offset: int, size: int, sort: str | None) -> tuple[int, list[JobView]]:
    """``(total, at most size jobs after offset)`` matching ``only``, ordered as ``sort`` (``order_by``) says.

    Raises ``problems.Invalid`` for an ``order_by`` it cannot sort on.
    """
    ordering = order_by(sort, ORDER_FIELDS, "reference")
    conditions: list[sa.ColumnElement[bool]] = [Job.buyer_team_id.in_(sorted(only.team_ids))]
    if only.statuses:
        conditions.append(Job.status.in_(sorted(only.statuses)))
    if only.created_by_user_id is not None:
        conditions.append(Job.created_by_user_id == only.created_by_user_id)
    if only.created_from is not None:
        conditions.append(Job.created_at >= only.created_from)
    if only.created_to is not None:
        conditions.append(Job.created_at <= only.created_to)
    total = work.connection.execute(sa.select(sa.func.count(Job.id)).where(*conditions)).scalar_one()
    query = _JOB_VIEW.where(*conditions).order_by(*ordering, Job.reference).offset(offset).limit(size)
    return int(total), _views(work, query)


def user_id_of(work: UnitOfWork, key: str) -> int | None:
    """The primary key of the user whose reference or uid is ``key``, or None."""
    if not usable(key):
        return None
    reference = as_reference(key)
    condition = User.reference == reference if reference is not None else User.uid == key
    return work.connection.execute(sa.select(User.id).where(condition)).scalar_one_or_none()


def provider_by_key(work: UnitOfWork, *, reference: str | None = None, profile_key: str | None = None) -> User | None:
    """The active provider ``reference`` (a reference or a uid; it wins) or ``profile_key`` names, or None."""
    condition: sa.ColumnElement[bool]
    if reference is not None:
        if not usable(reference):
            return None
        number = as_reference(reference)
        condition = User.reference == number if number is not None else User.uid == reference
    elif profile_key is not None and usable(profile_key):
        condition = User.profile_key == profile_key
    else:
        return None
    return work.session.execute(
        sa.select(User).where(condition, User.is_provider.is_(True), User.status == "active")
    ).scalar_one_or_none()


def subcategory_id(work: UnitOfWork, category: str, subcategory: str) -> int | None:
    """The id of the version-1 ``subcategory`` of ``category`` (titles, any case), or None."""
    parent = aliased(JobCategory)
    query = (
        sa.select(JobCategory.id)
        .join(parent, parent.id == JobCategory.parent_id)
        .where(
            JobCategory.version == CATEGORIES_V1,
            parent.parent_id.is_(None),
            sa.func.lower(parent.title) == category.strip().lower(),
            sa.func.lower(JobCategory.title) == subcategory.strip().lower(),
        )
    )
    return work.connection.execute(query).scalar_one_or_none()


def subcategory2_id(work: UnitOfWork, title: str) -> int | None:
    """The id of the version-2 subcategory titled ``title`` (any case), or None."""
    query = sa.select(JobCategory.id).where(
        JobCategory.version == CATEGORIES_V2,
        JobCategory.parent_id.is_not(None),
        sa.func.lower(JobCategory.title) == title.strip().lower(),
    )
    # Titles are unique within a category, not across them: the first (lowest id) answers.
    return work.connection.execute(query.order_by(JobCategory.id).limit(1)).scalar_one_or_none()
