"""Search over 100,000 provider profiles and 100,000 jobs, against a plain indexed lookup of the same rows.

Usage::

    .venv/bin/python bench/search.py [--providers 100000] [--jobs 100000] [--runs 100]
        [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--only sqlite|postgresql]

Builds, once, a database of each kind at the newest schema revision holding
a deterministic marketplace (``SEED``): buyer companies and agencies, the
providers with profiles (titles, overviews, skills drawn from the reference
skills with a few popular ones, tests, portfolio, regions, rates), contracts
with time logs and feedback (the work summary's triggers count them as they
go in), and the jobs (titles, descriptions, skills, categories, budgets or
durations, statuses, visibilities, a year of posting times). The SQLite file
and the PostgreSQL database (named after the sizes) are kept under
``bench/.data/`` and on the server, so later runs start at once.

Then, per database, each typical search (``QUERIES``: the issue's own, words,
phrases, fields with ranges, filters alone, a deep page) runs ``--runs``
times (round the queries, so that other work on the machine falls on all of
them alike) as the API runs it: the v2 keys read and bound (``search.keys``) and
the SQL engine's count and page queries, each in its own transaction. The
baseline, measured in the same run, is a plain lookup of the same page's rows
by their unique public keys. Prints the matches, p50 and p99 of both, and
the ratio of the p50s; the target is a search p50 under 20 ms. Timings are
in-process (no HTTP, no OAuth): what the database and the engine cost.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

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
from odesk_server.search import fields, keys
from odesk_server.search.query import Kind, Viewer

DATA_DIR = Path(__file__).resolve().parent / ".data"
VERSION = 2  # bump when the data or the schema they need change: the caches are rebuilt
SEED = 20100601
TODAY = dt.date(2026, 6, 30)
NOW = dt.datetime(2026, 6, 30, 12, tzinfo=dt.UTC)
COMPANIES = 2_000
AGENCIES = 100
BATCH = 20_000

# The skills most profiles and jobs name (the rest of the reference skills follow, less and less often).
POPULAR = [
    "php", "javascript", "wordpress", "python", "html", "css", "mysql", "jquery", "java", "react",
    "graphic-design", "adobe-photoshop", "article-writing", "seo", "data-entry", "android-development",
    "ios-development", "node.js", "laravel", "magento", "shopify", "logo-design", "copywriting", "django",
]  # fmt: skip
ROLES = ["developer", "engineer", "designer", "writer", "consultant", "analyst", "specialist", "architect",
         "administrator", "manager", "expert", "programmer", "translator", "marketer"]  # fmt: skip
LEVELS = ["Senior", "Junior", "Lead", "Freelance", "Certified", "Experienced", "Full-stack", "Creative", ""]
WORDS = (
    "web mobile app application website shop store platform dashboard report api integration database "
    "design redesign landing page blog content article marketing campaign email newsletter social media "
    "video animation logo brand identity illustration print brochure catalogue data analysis scraping "
    "automation script plugin theme module migration upgrade testing support maintenance server cloud "
    "security performance optimisation responsive layout checkout payment booking calendar chat map "
    "search filter import export translation research proofreading editing training documentation "
    "prototype wireframe mockup feature bug fix deadline budget team client customer startup agency"
).split()
SENTENCES = [
    "We need help with our {a} {b}.",
    "Looking for someone to build a {a} {b} with {s1}.",
    "The work covers the {a}, the {b} and the {c}.",
    "Experience with {s1} and {s2} is required.",
    "It should be delivered within the budget.",
    "You will work with our {a} team on the {b}.",
    "Please describe similar {a} work you have done.",
    "Knowledge of {s2} is a plus.",
]
OVERVIEWS = [
    "I have {y} years of experience as a {role}.",
    "I work mostly with {s1}, {s2} and {s3}.",
    "I built {a} and {b} projects for clients in many countries.",
    "My strengths are {a}, {b} and clear communication.",
    "I deliver on time and keep clients informed.",
    "Recent work: a {a} {b} built with {s1}.",
]

# name -> (kind, v2 keys): the typical searches, as a client would send them.
QUERIES: list[tuple[str, Kind, dict[str, str]]] = [
    ("providers: skills:python AND NOT title:manager", Kind.PROVIDERS, {"q": "skills:python AND NOT title:manager"}),
    ("providers: wordpress developer", Kind.PROVIDERS, {"q": "wordpress developer"}),
    ('providers: "logo design"', Kind.PROVIDERS, {"q": '"logo design"'}),
    ("providers: skills:php feedback rate", Kind.PROVIDERS,
     {"q": "skills:php AND feedback:[4.5 TO 5] AND rate:[* TO 30]"}),
    ("providers: region english hours (no words)", Kind.PROVIDERS,
     {"region": "Eastern Europe", "english_skill": "[4 TO 5]", "hours": "[100 TO *]"}),
    ("providers: everyone, newest first", Kind.PROVIDERS, {"sort": "create_time desc"}),
    ("jobs: python", Kind.JOBS, {"q": "python"}),
    ("jobs: skills:react budget", Kind.JOBS, {"q": "skills:react AND budget:[500 TO *]"}),
    ('jobs: "mobile app" fixed', Kind.JOBS, {"q": '"mobile app"', "job_type": "fixed"}),
    ("jobs: title:(wordpress OR shopify) 30 days", Kind.JOBS, {"q": "title:(wordpress OR shopify) AND posted_since:30"}),
    ("jobs: category open (no words)", Kind.JOBS, {"category": "Web Development"}),
    ("jobs: php page 50", Kind.JOBS, {"q": "php", "paging": "1000;20"}),
]  # fmt: skip


# --------------------------------------------------------------------------
# The data


def _skill_order(names: list[str], rng: random.Random) -> list[str]:
    rest = [name for name in names if name not in POPULAR]
    rng.shuffle(rest)
    return [name for name in POPULAR if name in names] + rest


def _pick(rng: random.Random, items: list[Any], weights: list[float], k: int) -> list[Any]:
    found: list[Any] = []
    while len(found) < k:
        item = rng.choices(items, weights)[0]
        if item not in found:
            found.append(item)
    return found


def _text(rng: random.Random, templates: list[str], count: int, skills: list[str], **extra: str) -> str:
    s1, s2, s3 = (skills + skills + skills)[:3]
    return " ".join(
        template.format(a=rng.choice(WORDS), b=rng.choice(WORDS), c=rng.choice(WORDS), s1=s1, s2=s2, s3=s3, **extra)
        for template in rng.sample(templates, count)
    )


class Loader:
    """Inserts the marketplace in batches (the ids are assigned here, so the rows are the same everywhere)."""

    def __init__(self, conn: sa.Connection, providers: int, jobs: int) -> None:
        self.conn = conn
        self.providers = providers
        self.jobs = jobs
        self.rng = random.Random(SEED)
        self.reference = 50_000_000

    def ref(self) -> int:
        self.reference += 1
        return self.reference

    def insert(self, model: Any, rows: list[dict[str, Any]]) -> None:
        for start in range(0, len(rows), BATCH):
            self.conn.execute(sa.insert(model.__table__), rows[start : start + BATCH])

    def load(self) -> None:
        rng, conn = self.rng, self.conn
        skills = dict(conn.execute(sa.text("SELECT name, id FROM skills")).all())
        order = _skill_order(sorted(skills), rng)
        weights = [1.0 / (rank + 3) for rank in range(len(order))]
        tests = [row[0] for row in conn.execute(sa.text("SELECT id FROM skill_tests ORDER BY id"))]
        countries = [row[0] for row in conn.execute(sa.text("SELECT id FROM regions WHERE parent_id IS NOT NULL"))]
        subcategories = [
            row[0]
            for row in conn.execute(
                sa.text("SELECT id FROM job_categories WHERE parent_id IS NOT NULL AND version = 1 ORDER BY id")
            )
        ]
        created = NOW - dt.timedelta(days=800)
        # buyers: an owner, a company and its root team each; agencies likewise
        users: list[dict[str, Any]] = []
        for n in range(COMPANIES + AGENCIES):
            users.append(
                {"id": n + 1, "uid": f"buyer{n}", "reference": self.ref(), "first_name": "Buyer", "last_name": str(n),
                 "email": f"buyer{n}@bench.example", "country": "United States", "created_at": created}
            )  # fmt: skip
        self.insert(User, users)
        self.insert(
            Company,
            [
                {"id": n + 1, "reference": self.ref(), "company_id": f"company{n}", "name": f"Company {n}",
                 "owner_user_id": n + 1, "is_agency": n >= COMPANIES, "created_at": created}
                for n in range(COMPANIES + AGENCIES)
            ],
        )  # fmt: skip
        self.insert(
            Team,
            [
                {"id": n + 1, "reference": self.ref(), "team_id": f"company{n}:main", "name": "Main",
                 "company_id": n + 1, "created_at": created}
                for n in range(COMPANIES + AGENCIES)
            ],
        )  # fmt: skip
        first = COMPANIES + AGENCIES + 1
        provider_ids = list(range(first, first + self.providers))
        people, profiles, their_skills, their_tests, portfolio, roles = [], [], [], [], [], []
        for user_id in provider_ids:
            picked = _pick(rng, order, weights, rng.randint(3, 8))
            role = rng.choice(ROLES)
            title = f"{rng.choice(LEVELS)} {picked[0]} {role}".strip()
            people.append(
                {"id": user_id, "uid": f"provider{user_id}", "reference": self.ref(), "first_name": "Pro",
                 "last_name": str(user_id), "email": f"p{user_id}@bench.example", "is_provider": True,
                 "title": title, "profile_key": f"~~{rng.getrandbits(64):016x}",
                 "description": _text(rng, OVERVIEWS, 3, picked, y=str(rng.randint(1, 15)), role=role),
                 "profile_hourly_rate": Decimal(rng.randint(5, 120)), "country": "Somewhere",
                 "created_at": created + dt.timedelta(minutes=user_id)}
            )  # fmt: skip
            profiles.append(
                {"user_id": user_id, "is_public": rng.random() > 0.05, "english_skill": rng.randint(0, 5),
                 "region_id": rng.choice(countries), "hours_per_week": 30, "updated_at": NOW, "created_at": created}
            )  # fmt: skip
            their_skills.extend(
                {"user_id": user_id, "skill_id": skills[name], "rank": rank, "level": rng.randint(1, 5)}
                for rank, name in enumerate(picked, start=1)
            )
            their_tests.extend(
                {"user_id": user_id, "test_id": test, "score": Decimal(rng.randint(250, 500)) / 100,
                 "percentile": rng.randint(1, 99), "taken_on": TODAY - dt.timedelta(days=rng.randint(1, 900)),
                 "is_public": rng.random() > 0.1}
                for test in rng.sample(tests, rng.randint(0, 3))
            )  # fmt: skip
            portfolio.extend(
                {"user_id": user_id, "position": position, "title": f"{rng.choice(WORDS)} {rng.choice(WORDS)}",
                 "description": "A project.", "category_id": rng.choice(subcategories), "created_at": created}
                for position in range(rng.randint(0, 3))
            )  # fmt: skip
            if rng.random() < 0.1:
                roles.append(
                    {"reference": self.ref(), "user_id": user_id, "team_id": COMPANIES + rng.randint(1, AGENCIES)}
                )
        for model, rows in (
            (User, people),
            (ProviderProfile, profiles),
            (ProviderSkill, their_skills),
            (ProviderTest, their_tests),
            (PortfolioItem, portfolio),
            (UserRole, roles),
        ):
            self.insert(model, rows)  # fmt: skip
        self.work(provider_ids)
        self.postings(skills=order, weights=weights, subcategories=subcategories)

    def work(self, provider_ids: list[int]) -> None:
        """Contracts for half the providers, four time logs each, feedback on those that ended."""
        rng = self.rng
        contracts, logs, scores, endings = [], [], [], []
        for n, user_id in enumerate(rng.sample(provider_ids, len(provider_ids) // 2), start=1):
            started = TODAY - dt.timedelta(days=rng.randint(30, 700))
            contracts.append(
                {"id": n, "reference": self.ref(), "buyer_team_id": rng.randint(1, COMPANIES),
                 "provider_user_id": user_id, "title": "Work", "job_type": "hourly",
                 "hourly_rate": Decimal(rng.randint(5, 100)), "status": "active", "started_on": started,
                 "created_at": NOW}
            )  # fmt: skip
            for week in range(4):
                logs.append(
                    {"engagement_id": n, "worked_on": started + dt.timedelta(days=7 * week),
                     "hours_online": Decimal(rng.randint(1, 40)), "created_at": NOW}
                )  # fmt: skip
            if rng.random() < 0.6:
                mean = rng.uniform(2.5, 5.0)
                scores.extend(
                    {"engagement_id": n, "score_id": score_id,
                     "score": Decimal(str(round(min(5.0, max(1.0, rng.gauss(mean, 0.4))), 2)))}
                    for score_id in range(3, 15)
                )  # fmt: skip
                endings.append({"id": n, "ended_on": started + dt.timedelta(days=28)})
        self.insert(Engagement, contracts)
        self.insert(TimeLog, logs)
        self.insert(EngagementFeedbackScore, scores)
        table = Engagement.__table__
        self.conn.execute(
            sa.update(table)
            .where(table.c.id == sa.bindparam("b_id"))
            .values(status="closed", ended_on=sa.bindparam("b_end")),
            [{"b_id": row["id"], "b_end": row["ended_on"]} for row in endings],
        )

    def postings(self, skills: list[str], weights: list[float], subcategories: list[int]) -> None:
        rng = self.rng
        rows = []
        for n in range(1, self.jobs + 1):
            picked = _pick(rng, skills, weights, rng.randint(1, 5))
            fixed = rng.random() < 0.5
            company = rng.randint(1, COMPANIES)
            posted = NOW - dt.timedelta(minutes=rng.randint(0, 365 * 24 * 60))
            status = rng.choices(["open", "filled", "cancelled"], [70, 20, 10])[0]
            rows.append(
                {"id": n, "reference": self.ref(), "job_key": f"~~{rng.getrandbits(64):016x}", "buyer_team_id": company,
                 "created_by_user_id": company,
                 "title": f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} {picked[0]} {rng.choice(ROLES)}",
                 "job_type": "fixed-price" if fixed else "hourly",
                 "description": _text(rng, SENTENCES, rng.randint(2, 5), picked),
                 "visibility": rng.choices(["public", "odesk", "private", "invite-only"], [80, 10, 7, 3])[0],
                 "subcategory_id": rng.choice(subcategories),
                 "budget": Decimal(rng.randint(50, 5000)) if fixed else None,
                 "duration": None if fixed else rng.randint(5, 2000), "skills": ";".join(picked), "status": status,
                 "created_at": posted, "updated_at": posted}
            )  # fmt: skip
        self.insert(Job, rows)


def _prepare(conn: sa.Connection, providers: int, jobs: int) -> None:
    started = time.perf_counter()
    if conn.dialect.name == "postgresql":
        # Bulk load without firing triggers (the work numbers' and the foreign keys'): rebuild counts all after.
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
    Loader(conn, providers, jobs).load()
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL session_replication_role = DEFAULT")
    search.rebuild(conn)
    print(f"  loaded and indexed in {time.perf_counter() - started:.0f} s")


def sqlite_database(providers: int, jobs: int) -> str:
    """The URL of the cached SQLite file (built on first use)."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / f"search_v{VERSION}_{providers}_{jobs}.db"
    if not path.exists():
        building = path.with_suffix(".building")
        building.unlink(missing_ok=True)
        url = f"sqlite:///{building}"
        print(f"building {path.name} (once)...")
        db.migrate(url)
        engine = db.create_engine(url)
        with engine.begin() as conn:
            _prepare(conn, providers, jobs)
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
        engine.dispose()
        building.rename(path)
    return f"sqlite:///{path}"


def postgresql_database(admin_url: str, providers: int, jobs: int) -> str:
    """The URL of the cached PostgreSQL database (built on first use)."""
    name = f"search_bench_v{VERSION}_{providers}_{jobs}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
        ready = (
            exists
            and conn.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :n AND datallowconn"), {"n": name}
            ).first()
        )
        if exists and not ready:  # pragma: no cover - an interrupted build
            conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            exists = None
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
    admin.dispose()
    url = sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    engine = db.create_engine(url)
    if not exists:
        print(f"building {name} (once)...")
        db.migrate(url)
        try:
            with engine.begin() as conn:
                _prepare(conn, providers, jobs)
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        except BaseException:
            engine.dispose()
            admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
            raise
    engine.dispose()
    return url


# --------------------------------------------------------------------------
# Measuring


def _clock(step: Callable[[], Any]) -> float:
    started = time.perf_counter()
    step()
    return (time.perf_counter() - started) * 1000


def _p(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(url: str, runs: int) -> list[tuple[str, int, list[float], list[float]]]:
    """Each query: its matches, the search times and the lookup times (ms).

    The runs go round the queries (every query once, then again), each
    search followed by its lookup, so that a burst of other work on the
    machine falls on all of them alike rather than on one.
    """
    engine = db.create_engine(url)
    try:
        with engine.connect() as conn:
            conn.commit()
            vocabulary = fields.load_vocabulary(conn)
            conn.commit()
            viewer = Viewer(1, frozenset({1}))
            steps: list[tuple[str, int, Callable[[], Any], Callable[[], Any]]] = []
            for name, kind, values in QUERIES:
                paging = values.get("paging", "0;20")
                offset, _, count = paging.partition(";")
                asked = {k: v for k, v in values.items() if k != "paging"}

                def run(kind: Kind = kind, asked: dict[str, str] = asked, offset: str = offset, count: str = count):
                    with conn.begin():
                        request = keys.v2_request(kind, asked, vocabulary, viewer, TODAY, int(offset), int(count))
                        return search.engine().search(conn, request)

                page = run()
                table, column = (Job.__table__, Job.__table__.c.job_key) if kind is Kind.JOBS else (
                    User.__table__, User.__table__.c.profile_key)  # fmt: skip
                lookup = sa.select(table).where(column.in_(list(page.keys)))

                def look(lookup: sa.Select[Any] = lookup) -> Any:
                    with conn.begin():
                        return conn.execute(lookup).all()

                assert len(look()) == len(page.keys)
                steps.append((name, page.total, run, look))
            for _name, _total, run, look in steps:  # warm the caches and the plans
                for _ in range(3):
                    run()
                    look()
            searched: list[list[float]] = [[] for _ in steps]
            looked: list[list[float]] = [[] for _ in steps]
            for _ in range(runs):
                for n, (_name, _total, run, look) in enumerate(steps):
                    searched[n].append(_clock(run))
                    looked[n].append(_clock(look))
            return [(name, total, searched[n], looked[n]) for n, (name, total, _r, _l) in enumerate(steps)]
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--providers", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--only", choices=("sqlite", "postgresql"), default=None)
    args = parser.parse_args()
    urls = {}
    if args.only in (None, "sqlite"):
        urls["sqlite"] = sqlite_database(args.providers, args.jobs)
    if args.only in (None, "postgresql"):
        urls["postgresql"] = postgresql_database(args.pg, args.providers, args.jobs)
    print(f"{args.providers:,} providers, {args.jobs:,} jobs, {args.runs} runs per query; times in ms")
    for kind, url in urls.items():
        print(f"\n{kind} (load average {os.getloadavg()[0]:.1f} at the start)")
        print(f"  {'query':52} {'matches':>8} {'search p50':>10} {'p99':>7} {'lookup p50':>10} {'p99':>6} {'ratio':>6}")
        p50s = []
        for name, total, searched, looked in measure(url, args.runs):
            p50, lookup = statistics.median(searched), statistics.median(looked)
            p50s.append(p50)
            print(
                f"  {name:52} {total:>8} {p50:>10.2f} {_p(searched, 0.99):>7.2f} "
                f"{lookup:>10.2f} {_p(looked, 0.99):>6.2f} {p50 / lookup:>6.1f}"
            )
        print(f"  median of the searches' p50: {statistics.median(p50s):.2f} ms (target: under 20 ms)")
        print(f"  load average {os.getloadavg()[0]:.1f} at the end (the machine's other work slows every timing)")


if __name__ == "__main__":
    main()
