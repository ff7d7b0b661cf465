"""Reads of provider profiles: the profile rows and everything counted from the provider's work.

``providers_by_keys`` finds the profiles (an active provider with a
``provider_profiles`` row) that public keys name; every other read takes
the providers' user ids and answers per user, a few queries for up to 20
providers at once. Nothing here decides who may see what: the endpoint
(``api.providers``) does, and chooses which of these facts a profile shows.

What is counted, never stored: the hours of each contract (the sum of its
time logs' online and offline hours, as the time reports count them), its
last day of work, the feedback scores given when it ended, the latest
snapshot of the provider's work diary.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from odesk_server.access.keys import usable
from odesk_server.db.work import UnitOfWork
from odesk_server.models import (
    CONTRACTOR_SCORE_IDS,
    Company,
    Engagement,
    EngagementFeedbackScore,
    Job,
    JobCategory,
    Region,
    Skill,
    SkillTest,
    Snapshot,
    Team,
    TimeLog,
    User,
    UserRole,
)
from odesk_server.models.profiles import PortfolioItem, ProviderProfile, ProviderSkill, ProviderTest


@dataclass(frozen=True, slots=True)
class ProviderRow:
    """A provider with a profile: the user's profile columns and the ``provider_profiles`` row."""

    id: int
    reference: int
    profile_key: str
    first_name: str
    last_name: str
    title: str | None
    overview: str | None
    country: str | None
    city: str | None
    timezone: str
    rate: Decimal | None
    member_since: dt.datetime
    is_public: bool
    english_skill: int
    region: str | None
    hours_per_week: int | None
    updated_at: dt.datetime


@dataclass(frozen=True, slots=True)
class SkillRow:
    skill_id: int
    name: str
    category_id: int | None
    rank: int
    level: int
    years_experience: int | None
    last_used_year: int | None


@dataclass(frozen=True, slots=True)
class TestRow:
    test_id: int
    name: str
    category_id: int | None
    score: Decimal
    percentile: int
    taken_on: dt.date
    duration_minutes: int | None
    is_public: bool


@dataclass(frozen=True, slots=True)
class PortfolioRow:
    id: int
    title: str
    description: str
    url: str | None
    category: str | None
    completed_on: dt.date | None


@dataclass(frozen=True, slots=True)
class ContractRow:
    """One contract of the provider, with what a profile may show of it and what is counted from it.

    ``job_*`` are None for a contract made without a job; ``buyer_company``
    is the buyer's name (shown for a contract of a public job only).
    ``scores`` are the contractor scores (ids 3 to 8) the buyer gave when
    ending it, empty when none were given.
    """

    id: int
    job_type: str
    status: str
    started_on: dt.date
    ended_on: dt.date | None
    job_key: str | None
    job_title: str | None
    job_visibility: str | None
    buyer_company: str
    agency: str | None
    feedback_comment: str | None
    hours: Decimal
    last_worked_on: dt.date | None
    scores: dict[int, Decimal]


@dataclass(frozen=True, slots=True)
class AgencyRow:
    """An agency the provider belongs to (a role on one of its teams), and the teams he holds roles on."""

    company_id: int
    reference: int
    name: str
    team_ids: tuple[int, ...]


def providers_by_keys(work: UnitOfWork, keys: Collection[str]) -> dict[str, ProviderRow]:
    """The profiles ``keys`` name, by key: active providers with a ``provider_profiles`` row only."""
    wanted = [key for key in keys if usable(key)]
    if not wanted:
        return {}
    query = (
        sa.select(
            User.id,
            User.reference,
            User.profile_key,
            User.first_name,
            User.last_name,
            User.title,
            User.description.label("overview"),
            User.country,
            User.city,
            User.timezone,
            User.profile_hourly_rate.label("rate"),
            User.created_at.label("member_since"),
            ProviderProfile.is_public,
            ProviderProfile.english_skill,
            Region.name.label("region"),
            ProviderProfile.hours_per_week,
            ProviderProfile.updated_at,
        )
        .join(ProviderProfile, ProviderProfile.user_id == User.id)
        .outerjoin(Region, Region.id == ProviderProfile.region_id)
        .where(User.profile_key.in_(wanted), User.is_provider.is_(True), User.status == "active")
    )
    return {row.profile_key: ProviderRow(**row._asdict()) for row in work.connection.execute(query)}


def skills_of(work: UnitOfWork, user_ids: Collection[int]) -> dict[int, list[SkillRow]]:
    """Each provider's skills in his order (``rank``)."""
    query = (
        sa.select(
            ProviderSkill.user_id,
            ProviderSkill.skill_id,
            Skill.name,
            Skill.category_id,
            ProviderSkill.rank,
            ProviderSkill.level,
            ProviderSkill.years_experience,
            ProviderSkill.last_used_year,
        )
        .join(Skill, Skill.id == ProviderSkill.skill_id)
        .where(ProviderSkill.user_id.in_(list(user_ids)))
        .order_by(ProviderSkill.user_id, ProviderSkill.rank, Skill.name)
    )
    found: dict[int, list[SkillRow]] = defaultdict(list)
    for row in work.connection.execute(query):
        values = row._asdict()
        found[values.pop("user_id")].append(SkillRow(**values))
    return found


def tests_of(work: UnitOfWork, user_ids: Collection[int]) -> dict[int, list[TestRow]]:
    """Each provider's tests taken, the latest first (hidden ones included: ``is_public`` says)."""
    query = (
        sa.select(
            ProviderTest.user_id,
            ProviderTest.test_id,
            SkillTest.name,
            SkillTest.category_id,
            ProviderTest.score,
            ProviderTest.percentile,
            ProviderTest.taken_on,
            ProviderTest.duration_minutes,
            ProviderTest.is_public,
        )
        .join(SkillTest, SkillTest.id == ProviderTest.test_id)
        .where(ProviderTest.user_id.in_(list(user_ids)))
        .order_by(ProviderTest.user_id, ProviderTest.taken_on.desc(), SkillTest.name)
    )
    found: dict[int, list[TestRow]] = defaultdict(list)
    for row in work.connection.execute(query):
        values = row._asdict()
        found[values.pop("user_id")].append(TestRow(**values))
    return found


def portfolios_of(work: UnitOfWork, user_ids: Collection[int]) -> dict[int, list[PortfolioRow]]:
    """Each provider's portfolio items in his order (``position``)."""
    query = (
        sa.select(
            PortfolioItem.user_id,
            PortfolioItem.id,
            PortfolioItem.title,
            PortfolioItem.description,
            PortfolioItem.url,
            JobCategory.title.label("category"),
            PortfolioItem.completed_on,
        )
        .outerjoin(JobCategory, JobCategory.id == PortfolioItem.category_id)
        .where(PortfolioItem.user_id.in_(list(user_ids)))
        .order_by(PortfolioItem.user_id, PortfolioItem.position, PortfolioItem.id)
    )
    found: dict[int, list[PortfolioRow]] = defaultdict(list)
    for row in work.connection.execute(query):
        values = row._asdict()
        found[values.pop("user_id")].append(PortfolioRow(**values))
    return found


_BUYER_TEAM = aliased(Team)
_BUYER_COMPANY = aliased(Company)
_AGENCY = aliased(Company)


def contracts_of(work: UnitOfWork, user_ids: Collection[int]) -> dict[int, list[ContractRow]]:
    """Each provider's contracts, the latest started first, with their hours, last day of work and feedback."""
    ids = list(user_ids)
    logged = (
        sa.select(
            TimeLog.engagement_id,
            sa.func.sum(TimeLog.hours_online + TimeLog.hours_offline).label("hours"),
            sa.func.max(TimeLog.worked_on).label("last_worked_on"),
        )
        .join(Engagement, Engagement.id == TimeLog.engagement_id)
        .where(Engagement.provider_user_id.in_(ids))
        .group_by(TimeLog.engagement_id)
        .subquery()
    )
    query = (
        sa.select(
            Engagement.provider_user_id,
            Engagement.id,
            Engagement.job_type,
            Engagement.status,
            Engagement.started_on,
            Engagement.ended_on,
            Job.job_key,
            Job.title.label("job_title"),
            Job.visibility.label("job_visibility"),
            _BUYER_COMPANY.name.label("buyer_company"),
            _AGENCY.name.label("agency"),
            Engagement.feedback_comment,
            logged.c.hours,
            logged.c.last_worked_on,
        )
        .join(_BUYER_TEAM, _BUYER_TEAM.id == Engagement.buyer_team_id)
        .join(_BUYER_COMPANY, _BUYER_COMPANY.id == _BUYER_TEAM.company_id)
        .outerjoin(_AGENCY, _AGENCY.id == Engagement.agency_company_id)
        .outerjoin(Job, Job.id == Engagement.job_id)
        .outerjoin(logged, logged.c.engagement_id == Engagement.id)
        .where(Engagement.provider_user_id.in_(ids))
        .order_by(Engagement.provider_user_id, Engagement.started_on.desc(), Engagement.id.desc())
    )
    rows = work.connection.execute(query).all()
    scores = _scores(work, [row.id for row in rows])
    found: dict[int, list[ContractRow]] = defaultdict(list)
    for row in rows:
        values = row._asdict()
        user_id = values.pop("provider_user_id")
        values["hours"] = Decimal(values["hours"] or 0)
        found[user_id].append(ContractRow(**values, scores=scores.get(row.id, {})))
    return found


def _scores(work: UnitOfWork, engagement_ids: Iterable[int]) -> dict[int, dict[int, Decimal]]:
    """The contractor feedback scores (ids 3 to 8) given on each contract."""
    ids = list(engagement_ids)
    if not ids:
        return {}
    query = sa.select(
        EngagementFeedbackScore.engagement_id, EngagementFeedbackScore.score_id, EngagementFeedbackScore.score
    ).where(
        EngagementFeedbackScore.engagement_id.in_(ids),
        EngagementFeedbackScore.score_id.in_(list(CONTRACTOR_SCORE_IDS)),
    )
    found: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for row in work.connection.execute(query):
        found[row.engagement_id][row.score_id] = Decimal(row.score)
    return found


def last_snapshots(work: UnitOfWork, user_ids: Collection[int]) -> dict[int, dt.datetime]:
    """When each provider's latest snapshot was taken (providers without one are left out)."""
    query = (
        sa.select(Engagement.provider_user_id, sa.func.max(Snapshot.taken_at).label("taken_at"))
        .join(Engagement, Engagement.id == Snapshot.engagement_id)
        .where(Engagement.provider_user_id.in_(list(user_ids)))
        .group_by(Engagement.provider_user_id)
    )
    return {row.provider_user_id: row.taken_at for row in work.connection.execute(query) if row.taken_at is not None}


def agencies_of(work: UnitOfWork, user_ids: Collection[int]) -> dict[int, list[AgencyRow]]:
    """The active agencies each provider belongs to (a role on one of their teams), by name."""
    query = (
        sa.select(UserRole.user_id, Company.id, Company.reference, Company.name, UserRole.team_id)
        .join(Team, Team.id == UserRole.team_id)
        .join(Company, Company.id == Team.company_id)
        .where(UserRole.user_id.in_(list(user_ids)), Company.is_agency.is_(True), Company.status == "active")
        .order_by(UserRole.user_id, Company.name, Company.id, UserRole.team_id)
    )
    grouped: dict[int, dict[int, tuple[int, str, list[int]]]] = defaultdict(dict)
    for row in work.connection.execute(query):
        entry = grouped[row.user_id].setdefault(row.id, (row.reference, row.name, []))
        entry[2].append(row.team_id)
    return {
        user_id: [
            AgencyRow(company_id, reference, name, tuple(team_ids))
            for company_id, (reference, name, team_ids) in companies.items()
        ]
        for user_id, companies in grouped.items()
    }
