"""The demo's provider profiles: one for each of its 40 contractors.

Each contractor gets a ``provider_profiles`` row (English skill, region,
availability; two of them private: one who works through the agency, one
independent), skills, tests taken with their scores (a few hidden), and a
portfolio, drawn for the kind of work his contracts are (engineering,
mobile, design, marketing). His user row gains a city, a profile title if
it had none, and an overview. Hours, contracts, feedback and last activity
are not written here: the profile counts them from the demo's contracts,
time logs and work diaries.

The skills, tests and regions are the reference data the migrations write
(``skills``, ``skill_tests``, ``regions``): the part picks them by name
where it can and falls back on other rows in id order, so it works with
whatever list the migrations hold (none at all included). It draws from
its own ``random.Random`` seeded from the demo's seed, and every row it
writes has fixed times, so the same seed and end day give the same rows.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from odesk_server import search
from odesk_server.models import (
    Company,
    Engagement,
    JobCategory,
    Region,
    Skill,
    SkillTest,
    Team,
    User,
    UserRole,
)
from odesk_server.models.base import table_of
from odesk_server.models.profiles import PortfolioItem, ProviderProfile, ProviderSkill, ProviderTest

# The kind of work of each Acme team the contractors work for.
AREAS = {
    "acme:engineering": "engineering",
    "acme:mobile": "mobile",
    "acme:design": "design",
    "acme:marketing": "marketing",
}

TITLES = {
    "engineering": (
        "Python backend developer",
        "Full-stack web developer",
        "API and integrations engineer",
        "DevOps and platform engineer",
        "QA automation engineer",
    ),
    "mobile": ("Android developer", "iOS developer", "React Native developer", "Mobile app developer"),
    "design": ("Product designer", "UI/UX designer", "Illustrator and icon designer", "Brand designer"),
    "marketing": ("Content writer", "SEO specialist", "Social media manager", "Email marketing specialist"),
}

# Skill names wanted per area, compared without case, spaces or punctuation.
SKILL_WISHES = {
    "engineering": (
        "python",
        "django",
        "flask",
        "postgresql",
        "sql",
        "rest-api",
        "docker",
        "linux",
        "javascript",
        "git",
        "amazon-web-services",
        "api-development",
        "automated-testing",
        "linux-system-administration",
    ),
    "mobile": (
        "android-development",
        "kotlin",
        "java",
        "ios-development",
        "swift",
        "react-native",
        "mobile-app-development",
        "firebase",
        "objective-c",
    ),
    "design": (
        "ui-design",
        "ux-design",
        "figma",
        "adobe-photoshop",
        "photoshop",
        "adobe-illustrator",
        "illustrator",
        "graphic-design",
        "logo-design",
        "icon-design",
        "illustration",
        "brand-identity",
        "user-research",
    ),
    "marketing": (
        "seo",
        "content-writing",
        "copywriting",
        "blog-writing",
        "article-writing",
        "social-media-marketing",
        "email-marketing",
        "google-analytics",
        "wordpress",
        "keyword-research",
        "content-marketing",
        "link-building",
        "mailchimp",
    ),
}

# Words a test's name may hold to suit an area.
TEST_WORDS = {
    "engineering": ("python", "sql", "javascript", "linux", "html", "amazon", "testing"),
    "mobile": ("android", "java", "ios"),
    "design": ("photoshop", "illustrator", "design", "css", "html 5"),
    "marketing": ("search engine", "english", "writing", "marketing", "proofreading"),
}

PORTFOLIO = {
    "engineering": (
        ("Order management API", "A REST API for orders, invoices and refunds, with its test suite."),
        ("Data import pipeline", "Nightly imports of supplier catalogues into PostgreSQL, with checks."),
        ("Reporting dashboard backend", "Aggregations and exports behind a sales dashboard."),
        ("Payment provider integration", "Webhooks, retries and reconciliation for card payments."),
        ("CI pipeline migration", "Moved a monolith's builds and deployments to containers."),
    ),
    "mobile": (
        ("Grocery delivery app", "Ordering, tracking and push notifications for a delivery service."),
        ("Fitness tracker", "Workout logging with offline sync and charts."),
        ("Event guide", "Schedules, maps and ticket scanning for a conference."),
        ("Banking app redesign", "New navigation and accessibility work on an existing app."),
    ),
    "design": (
        ("Dashboard redesign", "Wireframes, prototypes and the final screens of an analytics product."),
        ("Icon family", "Ninety icons in three sizes, with the grid and the source files."),
        ("Brand refresh", "Logo, colours and type for a small manufacturer."),
        ("Checkout usability study", "Interviews, findings and the changes they led to."),
    ),
    "marketing": (
        ("Blog series on home workshops", "Twelve articles that doubled the blog's organic traffic."),
        ("SEO audit", "A technical and content audit with a prioritised plan."),
        ("Launch campaign", "Emails, posts and landing page copy for a product launch."),
        ("Social media calendar", "Three months of posts for two networks, with results."),
    ),
}

OVERVIEW_LINES = {
    "engineering": "I build and maintain web backends: APIs, databases, background jobs and their tests.",
    "mobile": "I write native and cross-platform apps and see them through store review.",
    "design": "I design interfaces and brands, from research and sketches to finished files.",
    "marketing": "I write and plan content that people read and search engines find.",
}

# The world region of each country the demo's people live in (names tried in order).
COUNTRY_REGIONS = {
    "United States": ("North America",),
    "Brazil": ("Latin America", "South America"),
    "Argentina": ("Latin America", "South America"),
    "Ukraine": ("Eastern Europe", "Europe"),
    "Poland": ("Eastern Europe", "Europe"),
    "Germany": ("Western Europe", "Europe"),
    "United Kingdom": ("Western Europe", "Europe"),
    "India": ("South Asia", "Asia"),
    "Philippines": ("Southeast Asia", "East Asia", "Asia"),
    "Vietnam": ("Southeast Asia", "East Asia", "Asia"),
    "Kenya": ("Africa",),
}

HOURS_PER_WEEK = (10, 20, 30, 40, 40, None)


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9+#]", "", name.lower())


def build(builder: Any) -> None:
    """Write the profiles of the demo's contractors (see the module docstring)."""
    from odesk_server.demo import PLACES, TEAM_SUBCATEGORIES  # the demo imports this module

    conn = builder.conn
    rng = random.Random(f"{builder.seed}:profiles")
    end: dt.date = builder.end
    providers = [p for p in builder.people.values() if p.is_provider]
    areas = _areas(conn, [p.id for p in providers])
    agency_members = _agency_members(conn)
    skills = conn.execute(sa.select(Skill.id, Skill.name, Skill.category_id).order_by(Skill.id)).all()
    tests = conn.execute(sa.select(SkillTest.id, SkillTest.name, SkillTest.category_id).order_by(SkillTest.id)).all()
    regions = {
        name.lower(): (pk, parent)
        for pk, name, parent in conn.execute(sa.select(Region.id, Region.name, Region.parent_id).order_by(Region.id))
    }
    categories = dict(conn.execute(sa.select(JobCategory.id, JobCategory.parent_id)).all())
    titles = dict(conn.execute(sa.select(User.id, User.title).where(User.id.in_([p.id for p in providers]))).all())
    cities = {(country, tz): city for country, city, tz in PLACES}

    private = _private_ones(rng, builder, agency_members)
    created = builder.at(builder.start - dt.timedelta(days=30))
    profile_rows: list[dict[str, Any]] = []
    skill_rows: list[dict[str, Any]] = []
    test_rows: list[dict[str, Any]] = []
    portfolio_rows: list[dict[str, Any]] = []
    users = table_of(User)
    for person in providers:
        area = areas.get(person.id, "engineering")
        subcategory = next((sub for team, sub in TEAM_SUBCATEGORIES.items() if AREAS[team] == area), None)
        family = _family(categories, subcategory)
        title = titles.get(person.id) or rng.choice(TITLES[area])
        picked = _pick_skills(rng, skills, area, family, title)
        years = rng.randint(2, 14)
        english = 5 if person.country in ("United States", "United Kingdom") else rng.randint(3, 5)
        hours = rng.choice(HOURS_PER_WEEK)
        profile_rows.append(
            {
                "user_id": person.id,
                "is_public": person.id not in private,
                "english_skill": english,
                "region_id": _region(regions, person.country),
                "hours_per_week": hours,
                "updated_at": builder.at(end - dt.timedelta(days=rng.randint(0, 90)), rng.randint(7, 20)),
                "created_at": created,
            }
        )
        for rank, skill in enumerate(picked, start=1):
            skill_rows.append(
                {
                    "user_id": person.id,
                    "skill_id": skill.id,
                    "rank": rank,
                    "level": max(1, min(5, 5 - rank // 3 - rng.randint(0, 1))),
                    "years_experience": rng.randint(1, years),
                    "last_used_year": end.year - rng.choice((0, 0, 0, 1, 2)),
                }
            )
        for test in _pick_tests(rng, tests, area, title):
            test_rows.append(
                {
                    "user_id": person.id,
                    "test_id": test.id,
                    "score": Decimal(rng.randint(250, 500)) / 100,
                    "percentile": rng.randint(35, 99),
                    "taken_on": end - dt.timedelta(days=rng.randint(30, 900)),
                    "duration_minutes": rng.choice((40, 45, 50, 60)),
                    "is_public": rng.random() > 0.15,
                }
            )
        works = list(PORTFOLIO[area])
        rng.shuffle(works)
        for position, (work_title, description) in enumerate(works[: rng.randint(1, 4)]):
            portfolio_rows.append(
                {
                    "user_id": person.id,
                    "position": position,
                    "title": work_title,
                    "description": description,
                    "url": f"https://portfolio.example.com/{person.uid}/{_norm(work_title)}",
                    "category_id": subcategory if subcategory in categories else None,
                    "completed_on": end - dt.timedelta(days=rng.randint(60, 1500)),
                    "created_at": created,
                }
            )
        overview = _overview(rng, title, years, area, [skill.name for skill in picked], hours)
        conn.execute(
            sa.update(users)
            .where(users.c.id == person.id)
            .values(title=title, description=overview, city=cities.get((person.country, person.timezone)))
        )
    conn.execute(sa.insert(table_of(ProviderProfile)), profile_rows)
    if skill_rows:
        conn.execute(sa.insert(table_of(ProviderSkill)), skill_rows)
    if test_rows:
        conn.execute(sa.insert(table_of(ProviderTest)), test_rows)
    if portfolio_rows:
        conn.execute(sa.insert(table_of(PortfolioItem)), portfolio_rows)
    # The search indexes hold the demo's jobs (written before) and these profiles.
    search.rebuild(conn)


def _areas(conn: Any, user_ids: Sequence[int]) -> dict[int, str]:
    """Each provider's kind of work: the area of the Acme team most of his contracts are with."""
    rows = conn.execute(
        sa.select(Engagement.provider_user_id, Team.team_id)
        .join(Team, Team.id == Engagement.buyer_team_id)
        .where(Engagement.provider_user_id.in_(list(user_ids)))
        .order_by(Engagement.provider_user_id, Engagement.started_on, Engagement.id)
    ).all()
    counts: dict[int, Counter[str]] = {}
    for user_id, team_id in rows:
        if team_id in AREAS:
            counts.setdefault(user_id, Counter())[AREAS[team_id]] += 1
    return {user_id: counter.most_common(1)[0][0] for user_id, counter in counts.items()}


def _agency_members(conn: Any) -> set[int]:
    """The users holding a role on a team of an agency."""
    rows = conn.execute(
        sa.select(UserRole.user_id)
        .join(Team, Team.id == UserRole.team_id)
        .join(Company, Company.id == Team.company_id)
        .where(Company.is_agency.is_(True))
    )
    return {user_id for (user_id,) in rows}


def _private_ones(rng: random.Random, builder: Any, agency_members: set[int]) -> set[int]:
    """Two contractors whose profiles are private: one of the agency, one independent (never a role's)."""
    generic = [p for key, p in builder.people.items() if p.is_provider and key.startswith("contractor")]
    members = [p.id for p in generic if p.id in agency_members]
    independents = [p.id for p in generic if p.id not in agency_members]
    chosen: set[int] = set()
    for group in (members, independents):
        if group:
            chosen.add(rng.choice(group))
    return chosen


def _family(categories: dict[int, int | None], subcategory: int | None) -> set[int]:
    """The category ``subcategory`` belongs to and all of that category's subcategories."""
    if subcategory is None or subcategory not in categories:
        return set()
    parent = categories[subcategory] or subcategory
    return {pk for pk, up in categories.items() if pk == parent or up == parent}


def _in_title(name: str, title: str) -> bool:
    """Whether the first word of a skill's or test's name is a word of the profile title."""
    words = set(re.findall(r"[a-z0-9]+", title.lower()))
    first = re.findall(r"[a-z0-9]+", name.lower())
    return bool(first) and first[0] in words


def _pick_skills(rng: random.Random, skills: Sequence[Any], area: str, family: set[int], title: str) -> list[Any]:
    """Three to eight skills: the area's by name (those the title names first), then of its category, then any."""
    wanted = rng.randint(3, 8)
    by_name = {_norm(skill.name): skill for skill in skills}
    named = [by_name[_norm(name)] for name in SKILL_WISHES[area] if _norm(name) in by_name]
    rng.shuffle(named)
    named.sort(key=lambda skill: not _in_title(skill.name, title))
    picked = named[:wanted]
    if len(picked) < wanted:
        taken = {skill.id for skill in picked}
        near = [s for s in skills if s.category_id in family and s.id not in taken]
        picked += rng.sample(near, min(len(near), wanted - len(picked)))
    if len(picked) < min(3, len(skills)):
        taken = {skill.id for skill in picked}
        rest = [s for s in skills if s.id not in taken]
        picked += rng.sample(rest, min(len(rest), 3 - len(picked)))
    return picked


def _pick_tests(rng: random.Random, tests: Sequence[Any], area: str, title: str) -> list[Any]:
    """Zero to four tests: one the title names when there is one, then those that suit the area, then any."""
    wanted = rng.choice((0, 1, 2, 2, 3, 4))
    words = TEST_WORDS[area]
    named = [t for t in tests if _in_title(t.name, title)][:1] if wanted else []
    suited = [t for t in tests if any(word in t.name.lower() for word in words) and t not in named]
    picked = named + rng.sample(suited, min(len(suited), wanted - len(named)))
    if len(picked) < wanted:
        taken = {test.id for test in picked}
        rest = [t for t in tests if t.id not in taken]
        picked += rng.sample(rest, min(len(rest), wanted - len(picked)))
    return picked


def _region(regions: dict[str, tuple[int, int | None]], country: str | None) -> int | None:
    """The world region ``country`` lies in: the parent of its row when listed, else by name, else None."""
    if country is None:
        return None
    if country.lower() in regions:
        pk, parent = regions[country.lower()]
        return parent if parent is not None else pk
    for name in COUNTRY_REGIONS.get(country, ()):
        if name.lower() in regions:
            return regions[name.lower()][0]
    return None


def _overview(rng: random.Random, title: str, years: int, area: str, skills: Sequence[str], hours: int | None) -> str:
    lines = [f"{title} with {years} years of experience.", OVERVIEW_LINES[area]]
    if skills:
        lines.append(f"Most of my work is with {', '.join(skills[:3])}.")
    lines.append(
        rng.choice(
            (
                "I write down what I agree on and send short daily notes.",
                "I like long engagements with teams that review each other's work.",
                "Clients keep me for the follow-up work, which I take as the best review.",
            )
        )
    )
    if hours:
        lines.append(f"Available about {hours} hours a week.")
    return " ".join(lines)
