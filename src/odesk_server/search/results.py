"""What a page of search results shows beyond the job rows: the clients of jobs, the providers found.

The engine answers public keys; these reads fetch what the v1 and v2
answers show of them, a few queries per page whatever its size. The work
numbers of a provider (hours, feedback, last day worked) come from the work
summary the triggers keep (``search.index``), the same numbers the filters
use.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from odesk_server.models import (
    Company,
    Engagement,
    EngagementFeedbackScore,
    Job,
    JobCategory,
    Region,
    Skill,
    Team,
    User,
    UserRole,
)
from odesk_server.models.profiles import PortfolioItem, ProviderProfile, ProviderSkill, ProviderTest


@dataclass(frozen=True, slots=True)
class ClientFacts:
    """A buyer company as job results show it: where its owner is, its feedback, jobs and hires."""

    country: str
    feedback: Decimal | None
    reviews: int
    jobs_posted: int
    hires: int


def _pairs(connection: sa.Connection, query: sa.Select[Any]) -> dict[Any, Any]:
    """The first column of each row -> the second."""
    return {row[0]: row[1] for row in connection.execute(query)}


def clients_of_teams(connection: sa.Connection, team_ids: Collection[int]) -> dict[int, ClientFacts]:
    """The client facts of the companies of these buyer teams, by team id."""
    if not team_ids:
        return {}
    company_of = _pairs(connection, sa.select(Team.id, Team.company_id).where(Team.id.in_(sorted(team_ids))))
    companies = sorted(set(company_of.values()))
    owners = _pairs(
        connection,
        sa.select(Company.id, User.country)
        .join(User, User.id == Company.owner_user_id)
        .where(Company.id.in_(companies)),
    )
    team = sa.alias(Team.__table__, "t")
    jobs = _pairs(
        connection,
        sa.select(team.c.company_id, sa.func.count(Job.id))
        .join(team, team.c.id == Job.buyer_team_id)
        .where(team.c.company_id.in_(companies))
        .group_by(team.c.company_id),
    )
    hires = _pairs(
        connection,
        sa.select(team.c.company_id, sa.func.count(Engagement.id))
        .join(team, team.c.id == Engagement.buyer_team_id)
        .where(team.c.company_id.in_(companies))
        .group_by(team.c.company_id),
    )
    per_contract = (
        sa.select(team.c.company_id, sa.func.round(sa.func.avg(EngagementFeedbackScore.score), 2).label("score"))
        .select_from(Engagement)
        .join(team, team.c.id == Engagement.buyer_team_id)
        .join(EngagementFeedbackScore, EngagementFeedbackScore.engagement_id == Engagement.id)
        .where(
            team.c.company_id.in_(companies),
            Engagement.ended_on.is_not(None),
            EngagementFeedbackScore.score_id.between(9, 14),
        )
        .group_by(Engagement.id, team.c.company_id)
        .subquery()
    )
    rated = {
        row.company_id: (row.feedback, row.reviews)
        for row in connection.execute(
            sa.select(
                per_contract.c.company_id,
                sa.func.round(sa.func.avg(per_contract.c.score), 2).label("feedback"),
                sa.func.count().label("reviews"),
            ).group_by(per_contract.c.company_id)
        )
    }
    found: dict[int, ClientFacts] = {}
    for team_id, company_id in company_of.items():
        feedback, reviews = rated.get(company_id, (None, 0))
        found[team_id] = ClientFacts(
            country=owners.get(company_id) or "",
            feedback=Decimal(str(feedback)) if feedback is not None else None,
            reviews=int(reviews),
            jobs_posted=int(jobs.get(company_id, 0)),
            hires=int(hires.get(company_id, 0)),
        )
    return found


@dataclass(frozen=True, slots=True)
class ProviderHit:
    """A provider found, with what the v1 and v2 results show of him."""

    id: int
    reference: int
    profile_key: str
    first_name: str
    last_name: str
    title: str
    overview: str
    country: str
    city: str
    region: str
    timezone: str
    rate: Decimal | None
    english_skill: int
    hours: Decimal
    feedback: Decimal | None
    rated: int
    last_worked_on: dt.date | None
    portfolio_items: int
    tests: int
    agency: bool
    ready: bool
    skills: tuple[str, ...]
    categories: tuple[str, ...]


def _stats() -> sa.TableClause:
    return sa.table(
        "search_provider_stats",
        sa.column("user_id", sa.Integer),
        sa.column("hours", sa.Numeric(14, 2)),
        sa.column("last_worked_on", sa.Date),
        sa.column("feedback", sa.Numeric(4, 2)),
        sa.column("rated", sa.Integer),
    )


def _date(value: object) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def providers_by_keys(
    connection: sa.Connection, keys: Collection[str], readiness: Collection[int]
) -> dict[str, ProviderHit]:
    """The providers these profile keys name, by key (``readiness``: the ids of the readiness test)."""
    if not keys:
        return {}
    stats = _stats()
    rows = connection.execute(
        sa.select(
            User.id,
            User.reference,
            User.profile_key,
            User.first_name,
            User.last_name,
            User.title,
            User.description,
            User.country,
            User.city,
            User.timezone,
            User.profile_hourly_rate,
            ProviderProfile.english_skill,
            Region.name.label("region"),
            stats.c.hours,
            stats.c.feedback,
            stats.c.rated,
            stats.c.last_worked_on,
        )
        .join(ProviderProfile, ProviderProfile.user_id == User.id)
        .outerjoin(Region, Region.id == ProviderProfile.region_id)
        .outerjoin(stats, stats.c.user_id == User.id)
        .where(User.profile_key.in_(sorted(keys)))
    ).all()
    ids = [row.id for row in rows]
    skills: dict[int, list[str]] = defaultdict(list)
    categories: dict[int, list[str]] = defaultdict(list)
    for user_id, name, category in connection.execute(
        sa.select(ProviderSkill.user_id, Skill.name, JobCategory.title)
        .join(Skill, Skill.id == ProviderSkill.skill_id)
        .outerjoin(JobCategory, JobCategory.id == Skill.category_id)
        .where(ProviderSkill.user_id.in_(ids))
        .order_by(ProviderSkill.user_id, ProviderSkill.rank, Skill.name)
    ):
        skills[user_id].append(name)
        if category is not None and category not in categories[user_id]:
            categories[user_id].append(category)
    portfolio = _pairs(
        connection,
        sa.select(PortfolioItem.user_id, sa.func.count())
        .where(PortfolioItem.user_id.in_(ids))
        .group_by(PortfolioItem.user_id),
    )
    tests = _pairs(
        connection,
        sa.select(ProviderTest.user_id, sa.func.count())
        .where(ProviderTest.user_id.in_(ids), ProviderTest.is_public.is_(True))
        .group_by(ProviderTest.user_id),
    )
    ready = set(
        connection.execute(
            sa.select(ProviderTest.user_id).where(
                ProviderTest.user_id.in_(ids),
                ProviderTest.test_id.in_(sorted(readiness)),
                ProviderTest.is_public.is_(True),
            )
        ).scalars()
    )
    agency_team = sa.alias(Team.__table__, "agency_team")
    agencies = set(
        connection.execute(
            sa.select(UserRole.user_id)
            .join(agency_team, agency_team.c.id == UserRole.team_id)
            .join(Company, Company.id == agency_team.c.company_id)
            .where(UserRole.user_id.in_(ids), Company.is_agency.is_(True), Company.status == "active")
        ).scalars()
    )
    return {
        row.profile_key: ProviderHit(
            id=row.id,
            reference=row.reference,
            profile_key=row.profile_key,
            first_name=row.first_name,
            last_name=row.last_name,
            title=row.title or "",
            overview=row.description or "",
            country=row.country or "",
            city=row.city or "",
            region=row.region or "",
            timezone=row.timezone,
            rate=row.profile_hourly_rate,
            english_skill=row.english_skill,
            hours=Decimal(str(row.hours)).quantize(Decimal("0.01")) if row.hours is not None else Decimal("0.00"),
            feedback=Decimal(str(row.feedback)).quantize(Decimal("0.01")) if row.feedback is not None else None,
            rated=int(row.rated or 0),
            last_worked_on=_date(row.last_worked_on),
            portfolio_items=int(portfolio.get(row.id, 0)),
            tests=int(tests.get(row.id, 0)),
            agency=row.id in agencies,
            ready=row.id in ready,
            skills=tuple(skills.get(row.id, ())),
            categories=tuple(categories.get(row.id, ())),
        )
        for row in rows
    }
