"""The SQL search engine on rows made here: query -> the jobs and providers found, ranking, paging, visibility.

A fresh database (SQLite, then PostgreSQL) gets two buyer companies, an
agency, a dozen jobs and six providers with profiles, contracts, time logs
and feedback (``World``); the search indexes are built as the demo builds
them (``search.rebuild``), the work summary by its triggers as the rows go
in. Each table row is a v2 search (``q`` and keys, read by
``search.keys``) and the names of what it must find, in any order (the
ranking and sort tests check orders).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from odesk_server import db, search
from odesk_server.models import (
    Company,
    Engagement,
    EngagementFeedbackScore,
    Job,
    Team,
    TimeLog,
    User,
    UserRole,
)
from odesk_server.models.profiles import PortfolioItem, ProviderProfile, ProviderSkill, ProviderTest
from odesk_server.search import fields, index, keys
from odesk_server.search.query import Kind, SearchPage, Viewer

TODAY = dt.datetime.now(dt.UTC).date()
NOW = dt.datetime.now(dt.UTC)


def _days_ago(days: int, hour: int = 9) -> dt.datetime:
    moment = NOW - dt.timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


# name -> (team, visibility, status, title, description, skills, job_type, budget, duration, subcategory, age in days)
JOBS: dict[str, tuple[Any, ...]] = {
    "django": ("acme", "public", "open", "Python developer for a Django shop",
               "Build a web shop with Django and PostgreSQL.", "python;django;postgresql",
               "hourly", None, 100, 102, 1),
    "analyst": ("acme", "public", "open", "Data analyst", "Analyse sales data with Python and pandas.",
                "python;pandas", "fixed-price", Decimal(500), None, 203, 3),
    "manager": ("acme", "public", "open", "Project manager", "Manage a team of Python developers.",
                "scrum;agile-software-development", "hourly", None, 400, 102, 5),
    "logo": ("other", "public", "open", "Logo design", "A logo for a bakery.", "logo-design;illustration",
             "fixed-price", Decimal(150), None, 602, 10),
    "rails": ("other", "public", "filled", "Ruby on Rails upgrade", "Upgrade a Rails application.",
              "ruby-on-rails", "fixed-price", Decimal(2000), None, 102, 20),
    "wordpress": ("other", "public", "cancelled", "WordPress theme", "Customise a WordPress theme.",
                  "wordpress;php", "fixed-price", Decimal(300), None, 101, 30),
    "tool": ("acme", "private", "open", "Internal Python tool", "A command line tool for the office.",
             "python", "hourly", None, 30, 203, 2),
    "secret": ("other", "private", "open", "Secret Python job", "Nobody outside sees this.", "python",
               "hourly", None, 30, 203, 2),
    "invite": ("acme", "invite-only", "open", "Python job by invitation", "Only the invited apply.", "python",
               "hourly", None, 30, 203, 2),
    "scraper": ("other", "odesk", "open", "Web scraper in Python", "Scrape prices every night.",
                "python;web-scraping", "fixed-price", Decimal(800), None, 203, 4),
    # one word, in the title, the skills or the description only; the newest has it in the description
    "k-title": ("acme", "public", "open", "Kotlin app", "An app for phones.", "android",
                "fixed-price", Decimal(1000), None, 205, 60),
    "k-skills": ("acme", "public", "open", "Android app", "An app for phones.", "kotlin;android",
                 "fixed-price", Decimal(1000), None, 205, 50),
    "k-body": ("acme", "public", "open", "Mobile app", "An app for phones, written in Kotlin.", "android",
               "fixed-price", Decimal(1000), None, 205, 40),
}  # fmt: skip

# name -> (first name, title, overview, skills, region, rate, english, public, active, agency)
PROVIDERS: dict[str, tuple[Any, ...]] = {
    "alice": ("Alice", "Senior Python developer", "I build Django web shops.", ["python", "django"],
              "Germany", Decimal(40), 5, True, True, False),
    "bob": ("Bob", "Python team manager", "I manage Python teams.", ["python", "scrum"],
            "United States", Decimal(80), 4, True, True, False),
    "carol": ("Carol", "Logo designer", "Logos and illustrations, never as a developer.",
              ["logo-design", "adobe-illustrator"],
              "India", Decimal(25), 3, True, True, False),
    "dan": ("Dan", "Android developer", "Apps for phones.", ["kotlin", "android-development"],
            "Germany", Decimal(50), 4, True, True, True),
    "eve": ("Eve", "Python developer", "A private profile.", ["python"], "Germany", Decimal(40), 5, False, True, False),
    "frank": ("Frank", "Python expert", "No longer active.", ["python"], "Germany", Decimal(40), 5, True, False, False),
}  # fmt: skip


class World:
    """The rows of the module docstring, by name, in a fresh migrated database."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = db.create_engine(url)
        self.jobs: dict[str, int] = {}
        self.job_keys: dict[str, str] = {}
        self.users: dict[str, int] = {}
        self.profile_keys: dict[str, str] = {}
        self.teams: dict[str, int] = {}
        self.companies: dict[str, int] = {}
        self._reference = 9_000_000
        with self.engine.begin() as conn:
            self._build(conn)

    def ref(self) -> int:
        self._reference += 1
        return self._reference

    def insert(self, conn: sa.Connection, model: Any, **values: Any) -> int:
        table = model.__table__
        key = table.primary_key.columns.values()[0]
        return int(conn.execute(sa.insert(table).values(**values).returning(key)).scalar_one())

    def user(self, conn: sa.Connection, name: str, *, provider: bool = False, **values: Any) -> int:
        user_id = self.insert(
            conn,
            User,
            uid=name,
            reference=self.ref(),
            first_name=values.pop("first_name", name.title()),
            last_name="Tester",
            email=f"{name}@example.com",
            is_provider=provider,
            profile_key=f"~~{self.ref():016x}" if provider else None,
            created_at=NOW - dt.timedelta(days=400),
            **values,
        )
        self.users[name] = user_id
        return user_id

    def _build(self, conn: sa.Connection) -> None:
        for name, agency in (("acme", False), ("other", False), ("agency", True)):
            owner = self.user(conn, f"{name}-owner", country="United States" if name == "acme" else "France")
            company = self.insert(
                conn, Company, reference=self.ref(), company_id=name, name=name.title(), owner_user_id=owner,
                is_agency=agency,
            )  # fmt: skip
            team = self.insert(
                conn, Team, reference=self.ref(), team_id=f"{name}:main", name="Main", company_id=company
            )
            conn.execute(sa.update(Company.__table__).where(Company.id == company).values(root_team_id=team))
            self.companies[name], self.teams[name] = company, team
        for name, row in JOBS.items():
            team, visibility, status, title, description, skills, job_type, budget, duration, sub, age = row
            key = f"~~{self.ref():016x}"
            self.jobs[name] = self.insert(
                conn, Job, reference=self.ref(), job_key=key, buyer_team_id=self.teams[team],
                created_by_user_id=self.users[f"{team}-owner"], title=title, job_type=job_type,
                description=description, visibility=visibility, subcategory_id=sub, budget=budget,
                duration=duration, skills=skills, status=status, created_at=_days_ago(age), updated_at=_days_ago(age),
            )  # fmt: skip
            self.job_keys[name] = key
        skills = dict(conn.execute(sa.text("SELECT name, id FROM skills")).all())
        regions = dict(conn.execute(sa.text("SELECT name, id FROM regions")).all())
        for name, row in PROVIDERS.items():
            first, title, overview, wanted, region, rate, english, public, active, agency = row
            user = self.user(
                conn, name, provider=True, first_name=first, title=title, description=overview, country=region,
                profile_hourly_rate=rate, status="active" if active else "inactive",
            )  # fmt: skip
            self.profile_keys[name] = str(conn.execute(sa.select(User.profile_key).where(User.id == user)).scalar_one())
            conn.execute(
                sa.insert(ProviderProfile.__table__).values(
                    user_id=user, is_public=public, english_skill=english, region_id=regions[region],
                    updated_at=NOW, created_at=NOW - dt.timedelta(days=300),
                )
            )  # fmt: skip
            for rank, skill in enumerate(wanted, start=1):
                conn.execute(
                    sa.insert(ProviderSkill.__table__).values(user_id=user, skill_id=skills[skill], rank=rank, level=4)
                )
            if agency:
                self.insert(conn, UserRole, reference=self.ref(), user_id=user, team_id=self.teams["agency"])
        # tests: the readiness test and Python Test (top 5%) for Alice, Python Test (60th percentile) for Bob
        for user, test, percentile in (("alice", 1, 80), ("alice", 102, 95), ("bob", 102, 60)):
            conn.execute(
                sa.insert(ProviderTest.__table__).values(
                    user_id=self.users[user], test_id=test, score=Decimal("4.5"), percentile=percentile,
                    taken_on=TODAY - dt.timedelta(days=100), is_public=True,
                )
            )  # fmt: skip
        for position, (title, category) in enumerate((("Bakery logo", 602), ("Book cover", 603))):
            conn.execute(
                sa.insert(PortfolioItem.__table__).values(
                    user_id=self.users["carol"], position=position, title=title, description="For a client.",
                    category_id=category, created_at=NOW,
                )
            )  # fmt: skip
        # contracts: Alice (120 recent hours, all six scores 5), Bob (30 hours two years ago, scores 4), ended;
        # Acme's providers rated it 4 and 5 (employer scores 9-14)
        for user, hours_ago, hours, score, employer in (("alice", 20, 120, 5, 5), ("bob", 700, 30, 4, 4)):
            started = TODAY - dt.timedelta(days=hours_ago + 30)
            contract = self.insert(
                conn, Engagement, reference=self.ref(), buyer_team_id=self.teams["acme"],
                provider_user_id=self.users[user], title="Work", job_type="hourly", hourly_rate=Decimal(30),
                status="active", started_on=started, created_at=NOW,
            )  # fmt: skip
            for day in range(4):
                conn.execute(
                    sa.insert(TimeLog.__table__).values(
                        engagement_id=contract, worked_on=TODAY - dt.timedelta(days=hours_ago + day),
                        hours_online=Decimal(hours) / 4, created_at=NOW,
                    )
                )  # fmt: skip
            scores = [(score_id, score) for score_id in range(3, 9)] + [(s, employer) for s in range(9, 15)]
            for score_id, value in scores:
                conn.execute(
                    sa.insert(EngagementFeedbackScore.__table__).values(
                        engagement_id=contract, score_id=score_id, score=Decimal(value)
                    )
                )
            conn.execute(
                sa.update(Engagement.__table__)
                .where(Engagement.id == contract)
                .values(status="closed", ended_on=TODAY - dt.timedelta(days=hours_ago))
            )
        search.rebuild(conn)

    # -- searching
    def find(self, kind: Kind, viewer: Viewer | None = None, **values: str) -> SearchPage:
        viewer = viewer or Viewer(self.users["acme-owner"], frozenset({self.teams["acme"]}))
        offset, _, count = values.pop("paging", "0;50").partition(";")
        with self.engine.connect() as conn:
            vocabulary = fields.load_vocabulary(conn)
            request = keys.v2_request(kind, values, vocabulary, viewer, TODAY, int(offset), int(count))
            return search.engine().search(conn, request)

    def names(self, kind: Kind, page: SearchPage) -> list[str]:
        by_key = {v: k for k, v in (self.job_keys if kind is Kind.JOBS else self.profile_keys).items()}
        return [by_key[key] for key in page.keys]


@pytest.fixture(scope="module")
def worlds(database_factory) -> Iterator[dict[str, World]]:
    made: dict[str, World] = {}
    yield made
    for world in made.values():
        world.engine.dispose()


@pytest.fixture
def world(worlds: dict[str, World], database_factory, database_kind: str) -> World:
    """The world of this database kind, built once per module (READ-ONLY: tests that write make their own)."""
    if database_kind not in worlds:
        url = database_factory.new_url(database_kind)
        db.migrate(url)
        worlds[database_kind] = World(url)
    return worlds[database_kind]


# --------------------------------------------------------------------------
# Jobs: query -> found

OPEN_PYTHON = {"django", "analyst", "manager", "tool", "scraper"}
JOB_TABLE: list[tuple[dict[str, str], set[str]]] = [
    ({"q": "python"}, OPEN_PYTHON),
    ({"q": "PYTHON"}, OPEN_PYTHON),
    ({"q": "developers"}, {"django", "manager"}),  # stemming: developer(s)
    ({"q": "skills:python"}, {"django", "analyst", "tool", "scraper"}),
    ({"q": "title:python"}, {"django", "tool", "scraper"}),
    ({"q": "skills:python AND NOT title:manager"}, {"django", "analyst", "tool", "scraper"}),
    ({"q": "python -django"}, {"analyst", "manager", "tool", "scraper"}),
    ({"q": "python NOT skills:django"}, {"analyst", "manager", "tool", "scraper"}),
    ({"q": "NOT python"}, {"logo", "k-title", "k-skills", "k-body"}),
    ({"q": "python AND (pandas OR django)"}, {"django", "analyst"}),
    ({"q": "title:(logo OR scraper)"}, {"logo", "scraper"}),
    ({"q": "pandas,bakery"}, {"analyst", "logo"}),
    ({"q": '"web shop"'}, {"django"}),
    ({"q": '"shop web"'}, set()),
    ({"q": "web shop"}, {"django"}),
    ({"q": "skills:ruby-on-rails job_status:completed"}, {"rails"}),
    ({"q": "job_status:cancelled"}, {"wordpress"}),
    ({"q": "job_status:open,cancelled AND php"}, {"wordpress"}),
    ({"job_status": "completed,cancelled"}, {"rails", "wordpress"}),
    ({"q": "job_type:fixed AND budget:[100 TO 600]"}, {"analyst", "logo"}),
    ({"q": "budget:{150 TO 500]"}, {"analyst"}),
    ({"budget": "[* TO 150]"}, {"logo"}),
    ({"q": "budget:500"}, {"analyst"}),
    ({"q": "duration:month"}, {"django"}),
    ({"duration": "week,semester"}, {"tool"}),
    ({"q": "job_type:hourly"}, {"django", "manager", "tool"}),
    ({"job_type": "fixed", "q": "python"}, {"analyst", "scraper"}),
    ({"q": "category:web_development"}, {"django", "manager"}),
    ({"category": "Design & Multimedia"}, {"logo"}),
    ({"q": 'subcategory:"Scripts & Utilities"'}, {"analyst", "tool", "scraper"}),
    ({"q": "posted_since:3"}, {"django", "analyst", "tool"}),
    ({"posted_since": "[4 TO 10]"}, {"scraper", "logo", "manager"}),
    ({"q": "client_hires:[1 TO *]"}, {"django", "analyst", "manager", "tool", "k-title", "k-skills", "k-body"}),
    ({"q": "client_hires:0"}, {"logo", "scraper"}),
    ({"q": "client_feedback:[4 TO 5] python"}, {"django", "analyst", "manager", "tool"}),
    ({"client_feedback": "None"}, {"logo", "scraper"}),
    ({"q": "workload:full_time"}, set()),
    ({"q": "groups:anything OR title:logo"}, {"logo"}),
    ({"q": "tests:php"}, set()),
    ({"title": "python developer", "skills": "django"}, {"django"}),
    ({"q": "android", "title": "app"}, {"k-title", "k-skills", "k-body"}),
]


@pytest.mark.parametrize(("values", "found"), JOB_TABLE, ids=[str(values) for values, _f in JOB_TABLE])
def test_job_query_finds(world: World, values: dict[str, str], found: set[str]) -> None:
    page = world.find(Kind.JOBS, **values)
    assert set(world.names(Kind.JOBS, page)) == found
    assert page.total == len(found)


def test_who_finds_private_jobs(world: World) -> None:
    acme, other = world.teams["acme"], world.teams["other"]
    everyone = Viewer(world.users["alice"])
    acme_hiring = Viewer(world.users["acme-owner"], frozenset({acme}))
    both = Viewer(world.users["acme-owner"], frozenset({acme, other}))
    pages = {name: world.find(Kind.JOBS, viewer, q="python") for name, viewer in
             (("everyone", everyone), ("acme", acme_hiring), ("both", both))}  # fmt: skip
    assert set(world.names(Kind.JOBS, pages["everyone"])) == {"django", "analyst", "manager", "scraper"}
    assert set(world.names(Kind.JOBS, pages["acme"])) == {"django", "analyst", "manager", "scraper", "tool"}
    # invite-only jobs are found by nobody, even with hiring permission on their team
    assert set(world.names(Kind.JOBS, pages["both"])) == {"django", "analyst", "manager", "scraper", "tool", "secret"}


def test_words_rank_title_then_skills_then_description(world: World) -> None:
    page = world.find(Kind.JOBS, q="kotlin")
    assert world.names(Kind.JOBS, page) == ["k-title", "k-skills", "k-body"]
    # create_time desc: the newest first whatever the words
    newest = world.find(Kind.JOBS, q="kotlin", sort="create_time desc")
    assert world.names(Kind.JOBS, newest) == ["k-body", "k-skills", "k-title"]
    oldest = world.find(Kind.JOBS, q="kotlin", sort="create_time asc")
    assert world.names(Kind.JOBS, oldest) == ["k-title", "k-skills", "k-body"]
    # without words, the newest first
    assert world.names(Kind.JOBS, world.find(Kind.JOBS, q="job_type:fixed AND budget:1000")) == [
        "k-body",
        "k-skills",
        "k-title",
    ]


def test_sorts(world: World) -> None:
    by_duration = world.find(Kind.JOBS, q="job_type:hourly", sort="duration desc")
    assert world.names(Kind.JOBS, by_duration) == ["manager", "django", "tool"]
    by_rating = world.find(Kind.JOBS, q="python", sort="client_rating desc, create_time desc")
    assert world.names(Kind.JOBS, by_rating) == ["django", "tool", "analyst", "manager", "scraper"]
    by_hours = world.find(Kind.JOBS, q="python", sort="client_total_hours asc, create_time asc")
    assert world.names(Kind.JOBS, by_hours) == ["manager", "analyst", "tool", "django", "scraper"]
    # workload is not kept: it sorts nothing, the next key decides
    assert world.names(Kind.JOBS, world.find(Kind.JOBS, q="python", sort="workload desc, create_time desc")) == [
        "django",
        "tool",
        "analyst",
        "scraper",
        "manager",
    ]


def test_paging_cuts_one_order(world: World) -> None:
    whole = world.names(Kind.JOBS, world.find(Kind.JOBS, q="python", sort="create_time desc"))
    assert whole == ["django", "tool", "analyst", "scraper", "manager"]
    pages = [world.find(Kind.JOBS, q="python", sort="create_time desc", paging=f"{o};2") for o in (0, 2, 4, 6)]
    assert [world.names(Kind.JOBS, page) for page in pages] == [whole[0:2], whole[2:4], whole[4:], []]
    assert {page.total for page in pages} == {5}


# --------------------------------------------------------------------------
# Providers: query -> found

PROVIDER_TABLE: list[tuple[dict[str, str], set[str]]] = [
    ({}, {"alice", "bob", "carol", "dan"}),  # never the private profile, never the inactive provider
    ({"q": "skills:python AND NOT title:manager"}, {"alice"}),
    ({"q": "python"}, {"alice", "bob"}),
    ({"q": "title:developer"}, {"alice", "dan"}),
    ({"q": "skills:python,kotlin"}, {"alice", "bob", "dan"}),
    ({"skills": "python,kotlin", "title": "developer"}, {"alice", "dan"}),
    ({"q": '"web shops"'}, {"alice"}),
    ({"q": "alice"}, {"alice"}),  # the name is in the document
    ({"q": "region:germany"}, {"alice", "dan"}),
    ({"region": "Western Europe"}, {"alice", "dan"}),
    ({"q": 'region:"North America" OR region:"South Asia"'}, {"bob", "carol"}),
    ({"q": "feedback:[4.5 TO 5]"}, {"alice"}),
    ({"feedback": "4"}, {"bob"}),
    ({"feedback": "4,5"}, {"alice", "bob"}),
    ({"q": "hours:[100 TO *]"}, {"alice"}),
    ({"q": "hours:[1 TO 50]"}, {"bob"}),
    ({"q": "recent_hours:[1 TO *]"}, {"alice"}),
    ({"q": "rate:[30 TO 60]"}, {"alice", "dan"}),
    ({"rate": "{40 TO *]"}, {"bob", "dan"}),
    ({"q": "english_skill:[4 TO 5]"}, {"alice", "bob", "dan"}),
    ({"english_skill": "3"}, {"carol"}),
    ({"q": "tests:python"}, {"alice", "bob"}),
    ({"q": "tests_top_10:python"}, {"alice"}),
    ({"q": "tests_top_30:python"}, {"alice"}),
    ({"is_odesk_ready": "1"}, {"alice"}),
    ({"q": "is_odesk_ready:0"}, {"bob", "carol", "dan"}),
    ({"profile_type": "Agency"}, {"dan"}),
    ({"q": "profile_type:independent"}, {"alice", "bob", "carol"}),
    ({"q": "category:web_mobile_software_dev"}, {"alice", "bob", "dan"}),
    ({"category": "Design & Creative"}, {"carol"}),
    ({"q": "category:design_multimedia"}, {"carol"}),  # a portfolio item in Logo Design
    ({"q": "subcategory:illustration"}, {"carol"}),
    ({"q": f"last_activity:[{TODAY - dt.timedelta(days=60):%Y-%m-%d} TO *]"}, {"alice"}),
    ({"last_activity": f"[* TO {TODAY - dt.timedelta(days=365):%Y-%m-%d}]"}, {"bob"}),
    ({"q": "groups:anything"}, set()),
]


@pytest.mark.parametrize(("values", "found"), PROVIDER_TABLE, ids=[str(values) for values, _f in PROVIDER_TABLE])
def test_provider_query_finds(world: World, values: dict[str, str], found: set[str]) -> None:
    page = world.find(Kind.PROVIDERS, **values)
    assert set(world.names(Kind.PROVIDERS, page)) == found
    assert page.total == len(found)


def test_provider_ranking_and_sorts(world: World) -> None:
    # "developer" in Alice's and Dan's titles, in Carol's overview: title words weigh most
    ranked = world.names(Kind.PROVIDERS, world.find(Kind.PROVIDERS, q="developer"))
    assert (set(ranked[:2]), ranked[2:]) == ({"alice", "dan"}, ["carol"])
    by_rate = world.find(Kind.PROVIDERS, sort="rate desc")
    assert world.names(Kind.PROVIDERS, by_rate) == ["bob", "dan", "alice", "carol"]
    by_feedback = world.find(Kind.PROVIDERS, sort="feedback desc, rate asc")
    assert world.names(Kind.PROVIDERS, by_feedback) == ["alice", "bob", "carol", "dan"]
    by_hours = world.find(Kind.PROVIDERS, sort="hours desc, rate desc")
    assert world.names(Kind.PROVIDERS, by_hours) == ["alice", "bob", "dan", "carol"]


# --------------------------------------------------------------------------
# The indexes follow the writes


def test_the_work_summary_is_what_rebuilding_counts(world: World) -> None:
    """The triggers' sums, maxima and means equal a count from scratch, after inserts, updates and deletes."""
    with world.engine.connect() as conn, conn.begin() as transaction:
        contract = conn.execute(
            sa.select(Engagement.id).where(Engagement.provider_user_id == world.users["alice"])
        ).scalar_one()
        logs = list(conn.execute(sa.select(TimeLog.id).where(TimeLog.engagement_id == contract)).scalars())
        conn.execute(sa.update(TimeLog.__table__).where(TimeLog.id == logs[0]).values(hours_offline=Decimal("2.5")))
        conn.execute(sa.delete(TimeLog.__table__).where(TimeLog.id == logs[1]))
        conn.execute(
            sa.insert(TimeLog.__table__).values(
                engagement_id=contract, worked_on=TODAY, hours_online=Decimal("1.25"), created_at=NOW
            )
        )
        conn.execute(
            sa.update(EngagementFeedbackScore.__table__)
            .where(EngagementFeedbackScore.engagement_id == contract, EngagementFeedbackScore.score_id == 3)
            .values(score=Decimal(2))
        )
        kept = _stats(conn)
        index.rebuild_stats(conn)
        assert _stats(conn) == kept
        alice = kept[world.users["alice"]]
        assert (alice[0], alice[1], alice[2]) == (Decimal("93.75"), TODAY, Decimal("4.50"))
        transaction.rollback()


def _stats(conn: sa.Connection) -> dict[int, tuple[Decimal, dt.date | None, Decimal | None, int]]:
    """The work summary by provider (rows with nothing in them left out: the triggers may keep them)."""
    found = {}
    for row in conn.execute(
        sa.text("SELECT user_id, hours, last_worked_on, feedback, rated FROM search_provider_stats")
    ):
        hours = Decimal(str(row.hours)).quantize(Decimal("0.01"))
        last = dt.date.fromisoformat(str(row.last_worked_on)) if row.last_worked_on is not None else None
        feedback = Decimal(str(row.feedback)).quantize(Decimal("0.01")) if row.feedback is not None else None
        if hours or last is not None or feedback is not None:
            found[row.user_id] = (hours, last, feedback, int(row.rated))
    return found


def test_a_changed_document_is_found_by_its_new_words_only(world: World) -> None:
    with world.engine.connect() as conn, conn.begin() as transaction:
        job = world.jobs["logo"]
        conn.execute(sa.update(Job.__table__).where(Job.id == job).values(title="Mascot drawing"))
        user = world.users["carol"]
        conn.execute(sa.update(User.__table__).where(User.id == user).values(title="Mascot illustrator"))
        search.jobs_changed(conn, [job])
        search.providers_changed(conn, [user])
        vocabulary = fields.load_vocabulary(conn)
        viewer = Viewer(world.users["alice"])

        def found(kind: Kind, q: str) -> list[str]:
            request = keys.v2_request(kind, {"q": q}, vocabulary, viewer, TODAY, 0, 20)
            return world.names(kind, search.engine().search(conn, request))

        assert found(Kind.JOBS, "title:mascot") == ["logo"]
        assert found(Kind.JOBS, "title:logo") == []
        assert found(Kind.PROVIDERS, "title:mascot") == ["carol"]
        assert found(Kind.PROVIDERS, "title:designer") == []
        transaction.rollback()
    # rolled back with the write: the old words again
    assert world.names(Kind.JOBS, world.find(Kind.JOBS, q="title:logo")) == ["logo"]
