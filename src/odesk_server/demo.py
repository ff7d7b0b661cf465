"""The demo organisation: a realistic, deterministic data set and working credentials.

``load_demo(url)`` fills an empty database with:

- Acme Widgets (``acme:acme``), a buyer company with five teams:
  the root team, Engineering (``acme:engineering``) with Mobile
  (``acme:mobile``) below it, Design (``acme:design``) and Marketing
  (``acme:marketing``);
- its people: the owner, a hiring manager (``manage_recruiting`` and
  ``manage_employment`` on Engineering and Design), a finance user
  (``manage_finance`` on the root team) and a member without permissions;
- Bright Code Studio (``brightcode:brightcode``), an agency: its owner
  (admin of the agency team) and a staffing manager holding
  ``staffing_manager`` on the agency team;
- 40 contractors (10 of them through the agency) on about 45 hourly and
  fixed-price engagements, some closed, with two years of weekday time logs
  ending at ``end_date``;
- the ledger: weekly hourly invoices, fixed-price milestone payments,
  bonuses, charge adjustments, a refund, the platform fee leg of each of
  them, monthly client deposits and provider withdrawals;
- the hiring life around them, by the rules of ``odesk_server.domain``: filled,
  open and cancelled jobs, candidacies and offers in every state, milestones
  (and submissions) in every state on fixed-price contracts, paid through the
  ledger on the day of approval, and the history of suspended and ended
  contracts with their feedback;
- a consumer ("odesk-server demo") and an access token per demo role.

Everything except the credentials (random, from ``secrets``) follows from
``seed`` and ``end_date``: the same pair gives the same rows. Every demo user
has the password ``DEMO_PASSWORD``.
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from collections import defaultdict
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from odesk_server import db, security
from odesk_server.demo_parts import messages as demo_messages
from odesk_server.demo_parts import profiles as demo_profiles
from odesk_server.demo_parts import scale as demo_scale
from odesk_server.domain import contracts as contracts_rules
from odesk_server.domain import engagements, ledger, milestones
from odesk_server.domain import jobs as job_rules
from odesk_server.domain import offers as offer_rules
from odesk_server.domain.jobs import CancelReason, JobStatus
from odesk_server.domain.milestones import MilestoneMove, MilestoneStatus, SubmissionMove, SubmissionStatus
from odesk_server.domain.snapshots import tracked_hours
from odesk_server.models import (
    CANDIDACY_ORIGINS,
    CANDIDACY_STATUSES,
    CONTRACTOR_SCORE_IDS,
    DEFAULT_FEE_RATE,
    MANAGE_EMPLOYMENT,
    MANAGE_FINANCE,
    MANAGE_RECRUITING,
    MANAGE_TEAMROOM,
    PERMISSIONS,
    REFERENCE_BASES,
    SEEDED_BY_MIGRATIONS,
    SEGMENT_MINUTES,
    STAFFING_MANAGER,
    AccessToken,
    AccountingEntity,
    Activity,
    ActivityAssignment,
    Base,
    Candidacy,
    Company,
    Consumer,
    Engagement,
    EngagementEvent,
    EngagementFeedbackScore,
    Job,
    LedgerEntry,
    Milestone,
    Offer,
    OfferMilestone,
    Snapshot,
    Submission,
    Team,
    TimeLog,
    User,
    UserRole,
    UserRolePermission,
    money,
    price_time,
    table_of,
)

DEFAULT_SEED = 2011
DEMO_PASSWORD = "odesk-demo"
DEMO_CONSUMER_NAME = "odesk-server demo"
COMPANY_ID = "acme:acme"
AGENCY_ID = "brightcode:brightcode"
ROLE_NAMES = (
    "owner",
    "hiring_manager",
    "finance",
    "agency_owner",
    "staffing_manager",
    "provider",
    "agency_provider",
    "member",
)
# The role users have fixed uids so that the credentials can be found again
# (``stored_demo_credentials``) whatever the seed.
ROLE_UIDS = {
    "owner": "mhale",
    "hiring_manager": "dortiz",
    "finance": "pnatarajan",
    "agency_owner": "cmendes",
    "staffing_manager": "lfischer",
    "provider": "jwalker",
    "agency_provider": "akowalski",
    "member": "tbecker",
}
CONTRACTORS = 40
AGENCY_CONTRACTORS = 10
HISTORY_DAYS = 730
# The last days whose online time comes from snapshots (work diaries); older
# time logs are history from before the tracker, with no diary.
DIARY_DAYS = 28
SEGMENTS_A_DAY = 24 * 60 // SEGMENT_MINUTES

Progress = Callable[[str], None]


class DemoError(RuntimeError):
    """The demo cannot be loaded here (data already present, or the stored demo is incomplete)."""


# --------------------------------------------------------------------------
# What the caller gets back


@dataclass(frozen=True)
class ConsumerCredentials:
    key: str
    secret: str


@dataclass(frozen=True)
class RoleCredentials:
    uid: str
    token: str
    token_secret: str


@dataclass(frozen=True)
class CompanyKey:
    """A company's (or agency's) text id, e.g. "acme:acme", and numeric reference."""

    id: str
    reference: int


@dataclass(frozen=True)
class TeamKey:
    id: str
    reference: int
    name: str


@dataclass(frozen=True)
class DemoCredentials:
    """Credentials and keys of the demo; ``to_json()`` gives the ``--credentials-json`` shape."""

    consumer: ConsumerCredentials
    roles: dict[str, RoleCredentials]
    company: CompanyKey
    teams: tuple[TeamKey, ...]
    agency: CompanyKey
    password: str = DEMO_PASSWORD

    def to_json(self) -> dict[str, Any]:
        """The JSON document written by ``--credentials-json`` (no password in it)."""
        return {
            "consumer": {"key": self.consumer.key, "secret": self.consumer.secret},
            "roles": {
                name: {"uid": role.uid, "token": role.token, "token_secret": role.token_secret}
                for name, role in self.roles.items()
            },
            "company": {"id": self.company.id, "reference": self.company.reference},
            "teams": [{"id": t.id, "reference": t.reference, "name": t.name} for t in self.teams],
            "agency": {"id": self.agency.id, "reference": self.agency.reference},
        }

    def team(self, team_id: str) -> TeamKey:
        """The team whose text id is ``team_id``; KeyError when there is none."""
        for team in self.teams:
            if team.id == team_id:
                return team
        raise KeyError(team_id)


# --------------------------------------------------------------------------
# Public entry points


def load_demo(
    engine_or_url: Engine | str | sa.URL,
    *,
    seed: int = DEFAULT_SEED,
    end_date: dt.date | None = None,
    progress: Progress | None = None,
    replace: bool = False,
    scale: int | None = None,
    count: demo_scale.Counter | None = None,
) -> DemoCredentials:
    """Migrate the database, fill it with the demo organisation and return its credentials.

    ``end_date`` (default: today, UTC) is the last day of the time logs.
    ``replace``: delete every row first, in the same transaction as the
    load, so an interrupted reload leaves the database as it was.
    ``scale``: about that many time logs in all, with their invoices
    (``demo_parts.scale``; ``count(step, done, total)`` follows the time
    logs written); None is the ordinary demo.
    Raises ``DemoError`` when the database already holds data and
    ``replace`` is false, ``ValueError`` for a scale out of range, and
    ``db.DatabaseError`` when the database cannot be reached.
    """
    if scale is not None and not demo_scale.MIN_SCALE <= scale <= demo_scale.MAX_SCALE:
        raise ValueError(
            f"the scale must be between {demo_scale.MIN_SCALE:,} and {demo_scale.MAX_SCALE:,} time logs, got {scale:,}"
        )
    report = progress or (lambda _message: None)
    end = end_date or dt.datetime.now(dt.UTC).date()
    now = dt.datetime.now(dt.UTC)
    with db.engine_for(engine_or_url) as engine:
        db.migrate(engine)
        if not replace and not database_is_empty(engine):
            raise DemoError("the database already holds data")
        with engine.begin() as conn:
            if replace:
                _delete_every_row(conn)
            # The diaries draw from their own generator: the rest of the demo stays as it was before them.
            diary = _Diary(random.Random(seed * 7919 + 1), end, now if now.date() <= end else None)
            builder = _DemoBuilder(conn, random.Random(seed), end, report, diary, seed=seed)
            builder.build()
            if scale is not None:
                report(f"at scale: contractors, contracts, time logs and invoices up to {scale:,} time logs")
                demo_scale.build(builder, scale, count or (lambda _step, _done, _total: None))
        credentials = stored_demo_credentials(engine)
    assert credentials is not None
    return credentials


# Rows the server writes for its own bookkeeping, which are no one's data:
# failed logins (typed names need no account) and used OAuth nonces.
_BOOKKEEPING_TABLES = frozenset({"failed_login_counters", "oauth_nonces"})


def database_is_empty(engine: Engine) -> bool:
    """True when no table of the model holds a row (the server's bookkeeping tables aside)."""
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in _BOOKKEEPING_TABLES or table.info.get(SEEDED_BY_MIGRATIONS):
                continue
            if conn.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first():
                return False
    return True


def reset_database(engine_or_url: Engine | str | sa.URL) -> None:
    """Delete every row of every table of the model (the schema stays), in one transaction."""
    with db.engine_for(engine_or_url) as engine, engine.begin() as conn:
        _delete_every_row(conn)


def _delete_every_row(conn: Connection) -> None:
    # companies.root_team_id and teams.company_id point at each other.
    conn.execute(sa.update(table_of(Company)).values(root_team_id=None))
    with demo_scale.time_log_triggers_paused(conn):  # a scale demo's million time logs
        for table in reversed(Base.metadata.sorted_tables):
            if not table.info.get(SEEDED_BY_MIGRATIONS):  # reference data the schema comes with
                conn.execute(table.delete())


def stored_demo_credentials(engine_or_url: Engine | str | sa.URL) -> DemoCredentials | None:
    """The credentials of the demo already in the database, or None when it holds no demo.

    Raises ``DemoError`` when the demo is there but its consumer, a role
    user or a role token is missing (someone revoked or deleted it).
    """
    with db.engine_for(engine_or_url) as engine, engine.connect() as conn:
        consumer = conn.execute(
            sa.select(Consumer.id, Consumer.key, Consumer.secret)
            .where(Consumer.name == DEMO_CONSUMER_NAME, Consumer.revoked_at.is_(None))
            .order_by(Consumer.id)
        ).first()
        company = conn.execute(sa.select(Company.id, Company.reference).where(Company.company_id == COMPANY_ID)).first()
        agency = conn.execute(sa.select(Company.reference).where(Company.company_id == AGENCY_ID)).first()
        if company is None or agency is None:
            return None
        if consumer is None:
            raise DemoError(f"the demo's consumer {DEMO_CONSUMER_NAME!r} was revoked or deleted")
        roles: dict[str, RoleCredentials] = {}
        for role, uid in ROLE_UIDS.items():
            token = conn.execute(
                sa.select(AccessToken.token, AccessToken.secret)
                .join(User, User.id == AccessToken.user_id)
                .where(
                    User.uid == uid,
                    AccessToken.consumer_id == consumer.id,
                    AccessToken.revoked_at.is_(None),
                )
                .order_by(AccessToken.id.desc())
            ).first()
            if token is None:
                raise DemoError(f"the demo's {role} user {uid!r} has no valid access token any more")
            roles[role] = RoleCredentials(uid=uid, token=token.token, token_secret=token.secret)
        teams = conn.execute(
            sa.select(Team.team_id, Team.reference, Team.name)
            .where(Team.company_id == company.id)
            .order_by(Team.reference)
        ).all()
        return DemoCredentials(
            consumer=ConsumerCredentials(key=consumer.key, secret=consumer.secret),
            roles=roles,
            company=CompanyKey(id=COMPANY_ID, reference=company.reference),
            teams=tuple(TeamKey(id=t.team_id, reference=t.reference, name=t.name) for t in teams),
            agency=CompanyKey(id=AGENCY_ID, reference=agency.reference),
        )


def format_credentials(credentials: DemoCredentials, base_url: str) -> str:
    """The text ``odesk-server demo`` prints: keys, tokens, logins and a copy-paste example."""
    lines = [
        "Demo organisation ready.",
        "",
        f"Consumer key:    {credentials.consumer.key}",
        f"Consumer secret: {credentials.consumer.secret}",
        "",
        f"Company {credentials.company.id} (reference {credentials.company.reference}); "
        f"agency {credentials.agency.id} (reference {credentials.agency.reference})",
        "Teams: " + ", ".join(f"{t.id} ({t.reference})" for t in credentials.teams),
        "",
        f"Access tokens (every demo user logs in on the authorize page with the password {credentials.password!r}):",
    ]
    width = max(len(name) for name in credentials.roles)
    for name, role in credentials.roles.items():
        lines.append(f"  {name:<{width}}  uid {role.uid:<11} token {role.token}  secret {role.token_secret}")
    owner = credentials.roles["owner"]
    team = credentials.team("acme:engineering")
    lines += [
        "",
        "Try it (Python, with the odesk package installed; from a checkout, `. .venv/bin/activate` first):",
        "",
        f"  export PYTHON_ODESK_BASE_URL={base_url}",
        "  python - <<'EOF'",
        "  import odesk",
        f"  client = odesk.Client({credentials.consumer.key!r}, {credentials.consumer.secret!r}, "
        f"oauth_access_token={owner.token!r}, oauth_access_token_secret={owner.token_secret!r})",
        "  print(client.hr.get_user_me())",
        f"  print(client.timereport.get_team_report('acme', {team.id.split(':')[1]!r}, "
        "\"SELECT worked_on, provider_id, sum(hours) WHERE worked_on >= '2025-01-01'\"))",
        "  EOF",
        "",
        f"Or with the odesk command (log in in the browser as {owner.uid}, password {credentials.password!r}):",
        "",
        f"  odesk login --consumer-key {credentials.consumer.key} --consumer-secret {credentials.consumer.secret}",
        f"  odesk report time --company acme --team {team.id.split(':')[1]} --hours",
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------
# The builder


@dataclass
class _Person:
    uid: str
    first_name: str
    last_name: str
    country: str
    timezone: str
    is_provider: bool = False
    title: str | None = None
    rate: Decimal | None = None
    id: int = 0


@dataclass
class _Contract:
    provider: _Person
    team: str  # team text id
    job_type: str
    title: str
    started_on: dt.date
    ended_on: dt.date | None
    hourly_rate: Decimal | None = None
    fixed_price: Decimal | None = None
    weekly_limit: Decimal | None = None
    through_agency: bool = False
    id: int = 0
    reference: int = 0
    logs: list[dict[str, Any]] = field(default_factory=list)
    milestones: list[_Milestone] = field(default_factory=list)


@dataclass(frozen=True)
class _Step:
    """One move in a milestone's life, on a day; ``note`` is the submission's or the buyer's note."""

    move: MilestoneMove
    day: dt.date
    note: str | None = None
    bonus: Decimal | None = None


@dataclass(frozen=True)
class _Milestone:
    """A milestone as offered, and the moves it went through since (none: still not funded)."""

    description: str
    deposit: Decimal
    due_on: dt.date | None
    steps: tuple[_Step, ...] = ()


@dataclass
class _PlayedMilestone:
    """A milestone's row and its submissions' rows once its steps were played; ``payment``: its ledger legs."""

    row: dict[str, Any]
    submissions: list[dict[str, Any]]
    payment: ledger.Transaction | None


FIRST_NAMES = (
    "Olivia",
    "Liam",
    "Sofia",
    "Mateo",
    "Aisha",
    "Noah",
    "Mei",
    "Lucas",
    "Fatima",
    "Ethan",
    "Elena",
    "Ravi",
    "Hana",
    "Diego",
    "Chloe",
    "Arjun",
    "Yuki",
    "Omar",
    "Ingrid",
    "Kofi",
    "Nadia",
    "Pavel",
    "Grace",
    "Tariq",
    "Lucia",
    "Sven",
    "Amara",
    "Jonas",
    "Leila",
    "Bruno",
    "Zara",
    "Felix",
    "Irina",
    "Samuel",
    "Maya",
    "Viktor",
    "Rosa",
    "Kenji",
    "Alma",
    "Tomas",
)
LAST_NAMES = (
    "Silva",
    "Chen",
    "Novak",
    "Okafor",
    "Rossi",
    "Haddad",
    "Kim",
    "Petrov",
    "Garcia",
    "Larsen",
    "Mensah",
    "Dubois",
    "Tanaka",
    "Kaur",
    "Moreau",
    "Hughes",
    "Ivanova",
    "Costa",
    "Nguyen",
    "Berg",
    "Santos",
    "Schmidt",
    "Ali",
    "Murphy",
    "Lindqvist",
    "Popescu",
    "Reyes",
    "Sato",
    "Walsh",
    "Adeyemi",
)
PLACES = (
    ("United States", "New York", "America/New_York"),
    ("United States", "San Francisco", "America/Los_Angeles"),
    ("Brazil", "Sao Paulo", "America/Sao_Paulo"),
    ("Ukraine", "Kyiv", "Europe/Kyiv"),
    ("Poland", "Krakow", "Europe/Warsaw"),
    ("India", "Bangalore", "Asia/Kolkata"),
    ("Philippines", "Manila", "Asia/Manila"),
    ("Germany", "Berlin", "Europe/Berlin"),
    ("Argentina", "Buenos Aires", "America/Argentina/Buenos_Aires"),
    ("Kenya", "Nairobi", "Africa/Nairobi"),
    ("Vietnam", "Hanoi", "Asia/Ho_Chi_Minh"),
    ("United Kingdom", "London", "Europe/London"),
)
TEAM_WORK = {
    "acme:engineering": (
        ("Backend developer (Python)", "Platform engineer", "API integration specialist", "QA automation engineer"),
        ("ENG-API", "ENG-BUGS", "ENG-INFRA", "ENG-REVIEW"),
        (
            "Implemented the order export endpoint",
            "Fixed flaky integration tests",
            "Code review and refactoring",
            "Database migration for invoices",
            "Investigated slow queries",
            "Deployment pipeline work",
            "Pair session on the billing module",
            "Wrote API documentation",
        ),
    ),
    "acme:mobile": (
        ("iOS developer", "Android developer", "React Native developer"),
        ("MOB-APP", "MOB-BUGS", "MOB-RELEASE"),
        (
            "Checkout screen for the app",
            "Crash fixes from the store reports",
            "Push notification handling",
            "Release build and store submission",
            "Offline sync work",
            "UI polish after design review",
        ),
    ),
    "acme:design": (
        ("Product designer", "Illustrator", "UX researcher", "Brand identity refresh"),
        ("DES-UI", "DES-BRAND", "DES-RESEARCH"),
        (
            "Wireframes for the dashboard",
            "Icon set, second round",
            "User interviews and notes",
            "Style guide update",
            "Landing page mockups",
            "Usability test synthesis",
        ),
    ),
    "acme:marketing": (
        ("Content writer", "SEO specialist", "Social media manager", "Email campaign setup"),
        ("MKT-CONTENT", "MKT-SEO", "MKT-SOCIAL"),
        (
            "Blog post draft on widget care",
            "Keyword research",
            "Scheduled the week's posts",
            "Newsletter copy and A/B subject lines",
            "Backlink outreach",
            "Campaign performance summary",
        ),
    ),
}
ACTIVITY_DESCRIPTIONS = {
    "ENG-API": "Public API work",
    "ENG-BUGS": "Bug fixing",
    "ENG-INFRA": "Infrastructure and deployment",
    "ENG-REVIEW": "Code review",
    "MOB-APP": "Mobile app features",
    "MOB-BUGS": "Mobile bug fixing",
    "MOB-RELEASE": "Store releases",
    "DES-UI": "Interface design",
    "DES-BRAND": "Brand and illustration",
    "DES-RESEARCH": "User research",
    "MKT-CONTENT": "Content writing",
    "MKT-SEO": "Search optimisation",
    "MKT-SOCIAL": "Social media",
}
TEAMS = (  # text id, name, parent text id
    ("acme:acme", "Acme Widgets", None),
    ("acme:engineering", "Engineering", "acme:acme"),
    ("acme:mobile", "Mobile", "acme:engineering"),
    ("acme:design", "Design", "acme:acme"),
    ("acme:marketing", "Marketing", "acme:acme"),
)
WORK_TEAMS = ("acme:engineering", "acme:mobile", "acme:design", "acme:marketing")
HIRING_MANAGER_TEAMS = frozenset({"acme:engineering", "acme:mobile", "acme:design"})
PO_NUMBERS = {"acme:marketing": "PO-MKT-2207", "acme:design": "PO-DES-1184"}
# The version-1 subcategory of each team's jobs (ids of the categories the migrations write).
TEAM_SUBCATEGORIES = {
    "acme:engineering": 102,  # Web Development / Web Programming
    "acme:mobile": 205,  # Software Development / Mobile Apps
    "acme:design": 104,  # Web Development / UI Design
    "acme:marketing": 403,  # Writing & Translation / Blog & Article Writing
}


@dataclass(frozen=True)
class _Ending:
    """How some closed contracts ended: the reason, would-hire-again, the feedback scores' range (in quarters).

    No ``comments``: the buyer gave no feedback. ``share`` is the part of the closed contracts ending so.
    """

    share: float
    reason: str
    would_hire_again: str
    lowest: int
    highest: int
    comments: tuple[str, ...]


ENDINGS = (
    _Ending(
        0.6,
        "API_REAS_JOB_COMPLETED_SUCCESSFULLY",
        "yes",
        16,
        20,
        (
            "Great work, delivered on time.",
            "Clear communication and solid results.",
            "Would gladly work together again.",
        ),
    ),
    _Ending(
        0.2, "API_REAS_WORK_NOT_NEEDED", "yes", 15, 20, ("The project was put on hold; good work while it lasted.",)
    ),
    _Ending(0.1, "API_REAS_HIRED_DIFFERENT", "no", 10, 16, ()),
    _Ending(0.1, "API_REAS_CONTRACTOR_NOT_RESPONSIVE", "no", 6, 12, ("Hard to reach in the last weeks.",)),
)
ZERO = Decimal("0")
TRANSACTION_BASE = 8_000_000  # transaction_ref numbers, apart from entry references


# What the demo's contractors have open while they work, per team.
WINDOW_TITLES = {
    "acme:engineering": (
        "orders/export.py - Visual Studio Code",
        "Terminal - pytest -x tests/billing",
        "Pull request review - Code host",
        "psql - acme_staging",
        "Deployment pipeline - CI dashboard",
    ),
    "acme:mobile": (
        "CheckoutView.swift - Xcode",
        "MainActivity.kt - Android Studio",
        "Simulator - iPhone 15",
        "Crash reports - store console",
    ),
    "acme:design": (
        "Dashboard wireframes - design tool",
        "Icon set v2 - vector editor",
        "Interview notes - documents",
        "Style guide - shared board",
    ),
    "acme:marketing": (
        "Blog draft: caring for your widgets - editor",
        "Keyword planner - search console",
        "Post scheduler - social suite",
        "Newsletter A/B test - mail tool",
    ),
}


class _Diary:
    """The demo's snapshots: ten-minute segments for the online time of the last ``DIARY_DAYS`` days.

    Each contractor starts his day near 9:00 in his own time zone (kept
    inside the UTC day the time is logged on), works his contracts one after
    the other, pauses after four hours, and never tracks two contracts in
    the same ten minutes. With ``now`` (the demo ends today), the end day's
    work ends at the current segment: those contractors are online now.
    """

    def __init__(self, rng: random.Random, end: dt.date, now: dt.datetime | None) -> None:
        self.rng = rng
        self.first = end - dt.timedelta(days=DIARY_DAYS - 1)
        self.end = end
        self.now = now
        self.rows: list[dict[str, Any]] = []
        self.taken: dict[tuple[int, dt.date], set[int]] = defaultdict(set)
        self.cursor: dict[tuple[int, dt.date], int] = {}

    def is_today(self, day: dt.date) -> bool:
        """Whether ``day`` is the day the demo is made on: people work then, even on a weekend."""
        return self.now is not None and day == self.now.date()

    def covers(self, day: dt.date) -> bool:
        return self.first <= day <= self.end

    def _start(self, c: _Contract, day: dt.date, count: int) -> int:
        if self.now is not None and day == self.now.date():
            current = (self.now.hour * 60 + self.now.minute) // SEGMENT_MINUTES
            return max(0, current - count - 3)
        local = dt.datetime.combine(day, dt.time(9), zoneinfo.ZoneInfo(c.provider.timezone))
        offset = local.utcoffset() or dt.timedelta()
        start = (
            9 * 60 - int(offset.total_seconds()) // 60 + self.rng.randint(-6, 6) * SEGMENT_MINUTES
        ) // SEGMENT_MINUTES
        return max(0, min(start, SEGMENTS_A_DAY - count - 6))

    def track(self, c: _Contract, day: dt.date, task: str, memo: str, hours: Decimal) -> int:
        """Lay out ``hours`` of work as snapshots; returns the minutes tracked (fewer when the day is full)."""
        rng = self.rng
        count = int((hours * 60 / SEGMENT_MINUTES).to_integral_value())
        key = (c.provider.id, day)
        taken = self.taken[key]
        index = self.cursor.get(key)
        if index is None:
            index = self._start(c, day, count)
        last = SEGMENTS_A_DAY - 1
        if self.now is not None and day == self.now.date():
            last = (self.now.hour * 60 + self.now.minute) // SEGMENT_MINUTES
        elif self.now is not None and day > self.now.date():
            return 0
        placed = 0
        run = len(taken)
        titles = WINDOW_TITLES[c.team]
        while placed < count and index <= last:
            if index in taken:
                index += 1
                continue
            if run and run % 24 == 0 and rng.random() < 0.8:
                index += rng.randint(3, 6)  # a break after four hours
                run += 1
                continue
            segment = dt.datetime.combine(day, dt.time(), dt.UTC) + dt.timedelta(minutes=index * SEGMENT_MINUTES)
            idle = rng.random() < 0.08
            keyboard = [0 if idle or rng.random() < 0.12 else rng.randint(15, 180) for _ in range(SEGMENT_MINUTES)]
            mouse = [0 if idle or rng.random() < 0.1 else rng.randint(10, 140) for _ in range(SEGMENT_MINUTES)]
            self.rows.append(
                {
                    "engagement_id": c.id,
                    "segment_at": segment,
                    "taken_at": segment + dt.timedelta(seconds=rng.randrange(SEGMENT_MINUTES * 60)),
                    "memo": memo,
                    "task": task,
                    "window_title": "" if idle else rng.choice(titles),
                    "computer_name": f"{c.provider.uid}-laptop",
                    "keyboard_per_minute": ",".join(map(str, keyboard)),
                    "mouse_per_minute": ",".join(map(str, mouse)),
                    "image_key": f"{rng.getrandbits(128):032x}",
                    "created_at": segment + dt.timedelta(minutes=SEGMENT_MINUTES),
                }
            )
            taken.add(index)
            placed += 1
            run += 1
            index += 1
        self.cursor[key] = index + 1
        return placed * SEGMENT_MINUTES

    def insert(self, conn: Connection) -> None:
        self.rows.sort(key=lambda row: (row["segment_at"], row["engagement_id"]))
        for start in range(0, len(self.rows), 5000):
            conn.execute(sa.insert(table_of(Snapshot)), self.rows[start : start + 5000])


class _DemoBuilder:
    def __init__(
        self, conn: Connection, rng: random.Random, end: dt.date, progress: Progress, diary: _Diary, *, seed: int
    ) -> None:
        self.conn = conn
        self.seed = seed  # for the demo parts' own generators (demo_parts)
        self.rng = rng
        self.diary = diary
        self.end = end
        self.start = end - dt.timedelta(days=HISTORY_DAYS)
        self.progress = progress
        self.references: dict[type, int] = {}
        self.people: dict[str, _Person] = {}
        self.team_ids: dict[str, int] = {}
        self.team_refs: dict[str, int] = {}
        self.company_ids: dict[str, int] = {}
        self.agency_entity = 0
        self.provider_entity: dict[int, int] = {}
        self.played: list[_PlayedMilestone] = []

    # -- helpers ---------------------------------------------------------

    def ref(self, model: type) -> int:
        value = self.references.get(model, REFERENCE_BASES[model]) + 1
        self.references[model] = value
        return value

    def at(self, day: dt.date, hour: int = 9) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)

    def insert(self, model: type[Base], rows: list[dict[str, Any]]) -> list[int]:
        """Insert rows and return their new ids in row order."""
        if not rows:
            return []
        table = table_of(model)
        result = self.conn.execute(sa.insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
        return [row[0] for row in result]

    # -- the steps -------------------------------------------------------

    def build(self) -> None:
        self.progress("people")
        self.make_people()
        self.progress("companies and teams")
        self.make_organisation()
        self.progress("engagements")
        contracts = self.make_contracts()
        self.progress("roles and permissions")
        self.make_roles(contracts)
        self.progress("time logs (two years of weekdays) and work diaries (four weeks of snapshots)")
        self.make_time_logs(contracts)
        self.make_activities(contracts)
        self.progress("ledger (invoices, payments, fees)")
        book = self.make_ledger(contracts)
        self.progress("hiring (jobs, candidacies, offers, milestones, contract history)")
        self.make_hiring(contracts, book)
        book.payments(self.provider_entity.values(), self.agency_entity)
        self.make_milestones(book.flush())
        self.progress("provider profiles")
        demo_profiles.build(self)
        self.progress("message threads")
        demo_messages.build(self)
        self.progress("consumer and access tokens")
        self.make_credentials()

    def make_people(self) -> None:
        rng = self.rng
        fixed = (
            ("owner", "Margaret", "Hale", 0, False, None),
            ("hiring_manager", "Daniel", "Ortiz", 1, False, None),
            ("finance", "Priya", "Natarajan", 0, False, None),
            ("staffing_manager", "Lena", "Fischer", 7, False, None),
            ("member", "Tom", "Becker", 0, False, None),
            ("provider", "James", "Walker", 11, True, "Senior Python developer"),
            ("agency_provider", "Anna", "Kowalski", 4, True, "Android developer"),
        )
        for role, first, last, place, provider, title in fixed:
            country, _city, tz = PLACES[place]
            self.people[role] = _Person(ROLE_UIDS[role], first, last, country, tz, provider, title)
        self.people["agency_owner"] = _Person(
            ROLE_UIDS["agency_owner"], "Carlos", "Mendes", "Brazil", "America/Sao_Paulo"
        )
        taken = {p.uid for p in self.people.values()}
        for index in range(CONTRACTORS - 2):
            while True:
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                uid = (first[0] + last).lower()
                if uid not in taken:
                    break
            taken.add(uid)
            country, _city, tz = rng.choice(PLACES)
            self.people[f"contractor{index}"] = _Person(uid, first, last, country, tz, True)
        for person in self.people.values():
            if person.is_provider:
                person.rate = Decimal(rng.randrange(30, 190)) / 2
        password_hash = security.hash_password(DEMO_PASSWORD)  # one hash: argon2 is slow on purpose
        created = self.at(self.start - dt.timedelta(days=30))
        rows = []
        for person in self.people.values():
            rows.append(
                {
                    "uid": person.uid,
                    "reference": self.ref(User),
                    "first_name": person.first_name,
                    "last_name": person.last_name,
                    "email": f"{person.uid}@{'example.com' if person.is_provider else 'acme.example'}",
                    "timezone": person.timezone,
                    "is_provider": person.is_provider,
                    "status": "active",
                    "password_hash": password_hash,
                    "title": person.title,
                    "country": person.country,
                    "profile_key": f"~~{rng.getrandbits(64):016x}" if person.is_provider else None,
                    "profile_hourly_rate": person.rate,
                    "created_at": created,
                }
            )
        for person, new_id in zip(self.people.values(), self.insert(User, rows)):
            person.id = new_id

    def make_organisation(self) -> None:
        created = self.at(self.start - dt.timedelta(days=30))
        companies = [
            {
                "reference": self.ref(Company),
                "company_id": COMPANY_ID,
                "name": "Acme Widgets",
                "owner_user_id": self.people["owner"].id,
                "is_agency": False,
                "status": "active",
                "created_at": created,
            },
            {
                "reference": self.ref(Company),
                "company_id": AGENCY_ID,
                "name": "Bright Code Studio",
                "owner_user_id": self.people["agency_owner"].id,
                "is_agency": True,
                "status": "active",
                "created_at": created,
            },
        ]
        acme, agency = self.insert(Company, companies)
        self.company_ids = {COMPANY_ID: acme, AGENCY_ID: agency}
        teams = list(TEAMS) + [(AGENCY_ID, "Bright Code Studio", None)]
        for team_id, name, parent in teams:
            company = agency if team_id == AGENCY_ID else acme
            reference = self.ref(Team)
            (new_id,) = self.insert(
                Team,
                [
                    {
                        "reference": reference,
                        "team_id": team_id,
                        "name": name,
                        "company_id": company,
                        "parent_team_id": self.team_ids.get(parent) if parent else None,
                        "status": "active",
                        "is_hidden": False,
                        "created_at": created,
                    }
                ],
            )
            self.team_ids[team_id] = new_id
            self.team_refs[team_id] = reference
        companies_table = table_of(Company)
        for company_id, pk in self.company_ids.items():
            self.conn.execute(
                sa.update(companies_table)
                .where(companies_table.c.id == pk)
                .values(root_team_id=self.team_ids[company_id])
            )

    def make_contracts(self) -> list[_Contract]:
        rng = self.rng
        contracts: list[_Contract] = []
        providers = [
            p for key, p in self.people.items() if p.is_provider and key not in ("provider", "agency_provider")
        ]
        # The role contractors work the whole two years, hourly, on fixed teams.
        contracts.append(
            self.contract(
                self.people["provider"],
                "acme:engineering",
                "hourly",
                self.start,
                None,
                False,
                title="Senior Python developer",
                limit=Decimal(40),
            )
        )
        contracts.append(
            self.contract(
                self.people["agency_provider"],
                "acme:mobile",
                "hourly",
                self.start + dt.timedelta(days=3),
                None,
                True,
                title="Android developer",
                limit=Decimal(30),
            )
        )
        agency_people = providers[: AGENCY_CONTRACTORS - 1]
        for person in providers:
            through_agency = person in agency_people
            teams = list(WORK_TEAMS)
            rng.shuffle(teams)
            count = 2 if rng.random() < 0.25 else 1
            begin = self.start + dt.timedelta(days=rng.randrange(0, HISTORY_DAYS - 60))
            for number in range(count):
                job_type = "hourly" if through_agency or rng.random() < 0.72 else "fixed-price"
                last = number == count - 1
                closed = not last or rng.random() < 0.18
                ended = None
                if closed:
                    ended = min(begin + dt.timedelta(days=rng.randrange(45, 400)), self.end - dt.timedelta(days=7))
                contracts.append(self.contract(person, teams[number], job_type, begin, ended, through_agency))
                if ended is None or ended >= self.end - dt.timedelta(days=40):
                    break
                begin = ended + dt.timedelta(days=rng.randrange(5, 30))
        # Make sure one finished contract was paid in a single fixed-price payment.
        finished = [c for c in contracts if c.job_type == "fixed-price" and c.ended_on]
        if finished and all((c.fixed_price or ZERO) >= 1000 for c in finished):
            finished[-1].fixed_price = Decimal(750)
        self.insert_contracts(contracts)
        return contracts

    def insert_contracts(self, contracts: list[_Contract], **columns: Any) -> None:
        """Number and insert ``contracts`` (with ``columns`` on every row), setting their ids."""
        rows = []
        for c in contracts:
            c.reference = self.ref(Engagement)
            rows.append(
                {
                    "reference": c.reference,
                    "buyer_team_id": self.team_ids[c.team],
                    "provider_user_id": c.provider.id,
                    "agency_company_id": self.company_ids[AGENCY_ID] if c.through_agency else None,
                    "provider_team_id": self.team_ids[AGENCY_ID] if c.through_agency else None,
                    "created_by_user_id": self.manager_of(c.team).id,
                    "title": c.title,
                    "description": f"{c.title} for the {c.team.split(':')[1]} team of Acme Widgets.",
                    **self.engagement_rules(c).columns(),
                    "fee_rate": DEFAULT_FEE_RATE,
                    # The day the offer was accepted (see ``hire``).
                    "created_at": self.at(c.started_on - dt.timedelta(days=2)),
                    **columns,
                }
            )
        for c, new_id in zip(contracts, self.insert(Engagement, rows)):
            c.id = new_id

    def manager_of(self, team: str) -> _Person:
        """Who hires for ``team``: the hiring manager on his teams, the owner elsewhere."""
        return self.people["hiring_manager" if team in HIRING_MANAGER_TEAMS else "owner"]

    def payee_of(self, c: _Contract) -> int:
        """The accounting entity that earns on ``c``: the agency's for agency work, else the provider's."""
        return self.agency_entity if c.through_agency else self.provider_entity[c.provider.id]

    @staticmethod
    def engagement_rules(c: _Contract) -> engagements.Contract:
        """The contract as the engagement rules see it: its terms, started, and ended if it has an end date."""
        terms = engagements.contract_terms(
            c.job_type, hourly_rate=c.hourly_rate, weekly_limit=c.weekly_limit, fixed_price=c.fixed_price
        )
        contract = engagements.Contract(terms, c.started_on)
        return contract if c.ended_on is None else contract.end(c.ended_on)

    def contract(
        self,
        person: _Person,
        team: str,
        job_type: str,
        begin: dt.date,
        ended: dt.date | None,
        through_agency: bool,
        *,
        title: str | None = None,
        limit: Decimal | None = None,
    ) -> _Contract:
        rng = self.rng
        titles = TEAM_WORK[team][0]
        c = _Contract(person, team, job_type, title or rng.choice(titles), begin, ended, through_agency=through_agency)
        if person.title is None:
            person.title = c.title
        if job_type == "hourly":
            c.hourly_rate = person.rate
            c.weekly_limit = (
                limit if limit is not None else rng.choice((Decimal(10), Decimal(20), Decimal(30), Decimal(40), None))
            )
        else:
            c.fixed_price = Decimal(rng.choice((400, 750, 1200, 2500, 4000, 6500)))
        return c

    def make_roles(self, contracts: list[_Contract]) -> None:
        t = self.team_ids
        p = self.people
        # user, team, role, affiliation, permissions, engagement
        grants: list[tuple[_Person, str, str, str, AbstractSet[str], int | None]] = [
            (p["owner"], "acme:acme", "admin", "employee", PERMISSIONS - {STAFFING_MANAGER}, None),
            (
                p["hiring_manager"],
                "acme:engineering",
                "manager",
                "employee",
                {MANAGE_RECRUITING, MANAGE_EMPLOYMENT, MANAGE_TEAMROOM},
                None,
            ),
            (p["hiring_manager"], "acme:design", "manager", "employee", {MANAGE_RECRUITING, MANAGE_EMPLOYMENT}, None),
            (p["finance"], "acme:acme", "manager", "employee", {MANAGE_FINANCE}, None),
            (p["member"], "acme:marketing", "member", "employee", set(), None),
            (p["agency_owner"], AGENCY_ID, "admin", "employee", set(PERMISSIONS), None),
            (p["staffing_manager"], AGENCY_ID, "manager", "employee", {STAFFING_MANAGER, MANAGE_EMPLOYMENT}, None),
        ]
        seen = {(user.uid, team) for user, team, *_ in grants}
        for c in sorted(contracts, key=lambda c: (c.ended_on is not None, c.id)):
            if c.ended_on is None and (c.provider.uid, c.team) not in seen:
                seen.add((c.provider.uid, c.team))
                grants.append((c.provider, c.team, "member", "contractor", set(), c.id))
            if c.through_agency and (c.provider.uid, AGENCY_ID) not in seen:
                seen.add((c.provider.uid, AGENCY_ID))
                grants.append((c.provider, AGENCY_ID, "member", "contractor", set(), None))
        created = self.at(self.start - dt.timedelta(days=20))
        rows = [
            {
                "reference": self.ref(UserRole),
                "user_id": user.id,
                "team_id": t[team],
                "role": role,
                "affiliation_status": affiliation,
                "has_team_room_access": True,
                "engagement_id": engagement,
                "created_at": created,
            }
            for user, team, role, affiliation, _flags, engagement in grants
        ]
        role_ids = self.insert(UserRole, rows)
        flags = [
            {"user_role_id": role_id, "permission": flag}
            for role_id, (_u, _t, _r, _a, permissions, _e) in zip(role_ids, grants)
            for flag in sorted(permissions)
        ]
        self.conn.execute(sa.insert(table_of(UserRolePermission)), flags)

    def make_time_logs(self, contracts: list[_Contract]) -> None:
        rng = self.rng
        rows: list[dict[str, Any]] = []
        for c in contracts:
            if c.job_type != "hourly":
                continue
            _titles, tasks, memos = TEAM_WORK[c.team]
            daily = (c.weekly_limit or Decimal(40)) / 5
            last = min(c.ended_on or self.end, self.end)
            day = c.started_on
            week_total = ZERO
            while day <= last:
                weekday = day.weekday()
                if weekday == 0:
                    week_total = ZERO
                if (weekday < 5 or self.diary.is_today(day)) and rng.random() < 0.86:
                    minutes = int(rng.gauss(float(daily) * 60, 70))
                    minutes = max(20, min(minutes, 600)) // 10 * 10
                    hours = Decimal(minutes) / 60
                    if c.weekly_limit is not None:
                        hours = min(hours, c.weekly_limit - week_total)
                    hours = hours.quantize(Decimal("0.01"))
                    if hours > 0:
                        week_total += hours
                        rows.extend(self.day_logs(c, day, hours, tasks, memos))
                day += dt.timedelta(days=1)
        rows.sort(key=lambda r: (r["worked_on"], r["engagement_id"], r["task"]))
        self.conn.execute(sa.insert(table_of(TimeLog)), rows)
        self.diary.insert(self.conn)

    def make_activities(self, contracts: list[_Contract]) -> None:
        """Each work team's task codes as activities, assigned to the team's hourly contracts."""
        created = self.at(self.start - dt.timedelta(days=14))
        rows = []
        for team in WORK_TEAMS:
            for code in TEAM_WORK[team][1]:
                rows.append(
                    {
                        "company_id": self.company_ids[COMPANY_ID],
                        "team_id": self.team_ids[team],
                        "code": code,
                        "description": ACTIVITY_DESCRIPTIONS[code],
                        "url": "",
                        "status": "active",
                        "created_at": created,
                        "updated_at": created,
                    }
                )
        ids = self.insert(Activity, rows)
        by_team: dict[str, list[int]] = defaultdict(list)
        for row, activity_id in zip(rows, ids):
            team = next(t for t in WORK_TEAMS if self.team_ids[t] == row["team_id"])
            by_team[team].append(activity_id)
        assignments = [
            {"activity_id": activity_id, "engagement_id": c.id}
            for c in contracts
            if c.job_type == "hourly"
            for activity_id in by_team[c.team]
        ]
        if assignments:
            self.conn.execute(sa.insert(table_of(ActivityAssignment)), assignments)

    def day_logs(self, c: _Contract, day: dt.date, hours: Decimal, tasks, memos) -> list[dict[str, Any]]:
        rng = self.rng
        parts = [hours]
        if hours >= 2 and rng.random() < 0.3:
            first = (hours * Decimal(rng.uniform(0.3, 0.7))).quantize(Decimal("0.01"))
            parts = [first, hours - first]
        chosen = rng.sample(tasks, len(parts))
        logs = []
        for task, part in zip(chosen, parts):
            draw = rng.random()
            if draw < 0.82:
                online, offline = part, ZERO
            elif draw < 0.95:
                offline = min(part, Decimal(rng.choice((30, 45, 60, 90, 120))) / 60).quantize(Decimal("0.01"))
                online = part - offline
            else:
                online, offline = ZERO, part
            tracked = 0
            if online > 0 and self.diary.covers(day):
                tracked = self.diary.track(c, day, task, memo := rng.choice(memos), online)
                online = tracked_hours(tracked)
                if online == 0 and offline == 0:
                    continue
            else:
                memo = rng.choice(memos)
            log = {
                "engagement_id": c.id,
                "worked_on": day,
                "task": task,
                "memo": memo,
                "hours_online": online,
                "hours_offline": offline,
                "tracked_minutes": tracked,
                "created_at": self.at(day, 18),
                **price_time(c.hourly_rate, DEFAULT_FEE_RATE, online, offline),
            }
            c.logs.append(log)
            logs.append(log)
        return logs

    def make_ledger(self, contracts: list[_Contract]) -> _Ledger:
        """Every transaction of the existing contracts, not posted yet: the hiring step adds its own."""
        rng = self.rng
        entity_rows = [
            {
                "reference": self.ref(AccountingEntity),
                "name": "oDesk Corporation",
                "kind": "platform",
                "company_id": None,
                "user_id": None,
            },
            {
                "reference": self.ref(AccountingEntity),
                "name": "Acme Widgets",
                "kind": "company",
                "company_id": self.company_ids[COMPANY_ID],
                "user_id": None,
            },
            {
                "reference": self.ref(AccountingEntity),
                "name": "Bright Code Studio",
                "kind": "company",
                "company_id": self.company_ids[AGENCY_ID],
                "user_id": None,
            },
        ]
        providers = [p for p in self.people.values() if p.is_provider]
        entity_rows += [
            {
                "reference": self.ref(AccountingEntity),
                "name": f"{p.first_name} {p.last_name}",
                "kind": "provider",
                "company_id": None,
                "user_id": p.id,
            }
            for p in providers
        ]
        created = self.at(self.start - dt.timedelta(days=30))
        for row in entity_rows:
            row["created_at"] = created
        ids = self.insert(AccountingEntity, entity_rows)
        platform, buyer, agency = ids[:3]
        provider_entity = {p.id: entity for p, entity in zip(providers, ids[3:])}
        self.agency_entity = agency
        self.provider_entity = provider_entity

        book = _Ledger(self, platform, buyer)
        for c in contracts:
            payee = agency if c.through_agency else provider_entity[c.provider.id]
            if c.job_type == "hourly":
                weeks: dict[dt.date, list[dict[str, Any]]] = defaultdict(list)
                for log in c.logs:
                    weeks[log["worked_on"] - dt.timedelta(days=log["worked_on"].weekday())].append(log)
                for monday, logs in sorted(weeks.items()):
                    invoice_day = monday + dt.timedelta(days=7)
                    if invoice_day > self.end:
                        continue  # the running week is not invoiced yet
                    charges = sum((entry["charges_online"] + entry["charges_offline"] for entry in logs), ZERO)
                    earnings = sum((entry["earnings_online"] + entry["earnings_offline"] for entry in logs), ZERO)
                    hours = sum((entry["hours_online"] + entry["hours_offline"] for entry in logs), ZERO)
                    book.transaction(
                        c,
                        payee,
                        invoice_day,
                        "Invoice",
                        "Hourly",
                        charges,
                        earnings,
                        description=f"Hourly: {hours} hrs @ ${c.hourly_rate}/hr, week of {monday.isoformat()}",
                        memo=f"{c.title} ({hours} hrs)",
                    )
            else:
                last = c.ended_on or self.end
                total = c.fixed_price or ZERO
                count = 1 if total < 1000 else rng.randint(2, 4)
                amounts = [money(total / count)] * (count - 1)
                amounts.append(total - sum(amounts, ZERO))
                span = max((last - c.started_on).days, count)
                days = [c.started_on + dt.timedelta(days=span * number // count) for number in range(1, count + 1)]
                if count > 1:
                    c.milestones = self.paid_in_stages(c, amounts, days)
                    self.play_milestones(c, book)
                elif days[0] <= self.end and c.ended_on is not None:
                    # A small contract is paid once, when it ends (a running one is not paid yet).
                    book.transaction(
                        c,
                        payee,
                        days[0],
                        "Invoice",
                        "Fixed Price",
                        total,
                        ledger.provider_share(total),
                        description=f"Fixed Price: {c.title} (1 of 1)",
                    )
        # Bonuses, adjustments and one refund, on random contracts.
        for c in rng.sample(contracts, 12):
            payee = agency if c.through_agency else provider_entity[c.provider.id]
            day = self.day_within(c)
            amount = Decimal(rng.choice((50, 100, 150, 250, 500)))
            book.transaction(
                c,
                payee,
                day,
                "Invoice",
                "Bonus",
                amount,
                ledger.provider_share(amount),
                description=f"Bonus: {c.title}",
                memo="Thanks for the extra effort",
            )
        hourly = [c for c in contracts if c.job_type == "hourly" and c.logs]
        for c in rng.sample(hourly, 3):
            payee = agency if c.through_agency else provider_entity[c.provider.id]
            amount = Decimal(rng.choice((40, 85, 120)))
            book.transaction(
                c,
                payee,
                self.day_within(c),
                "Adjustment",
                "Adjustment",
                amount,
                ledger.provider_share(amount),
                description=f"Adjustment: {c.title}",
                comment="Offline work agreed by chat, not tracked",
                notes="Approved by Daniel Ortiz",
            )
        fixed = [c for c in contracts if c.job_type == "fixed-price" and c.ended_on]
        refunded = fixed[0] if fixed else contracts[-1]
        payee = agency if refunded.through_agency else provider_entity[refunded.provider.id]
        amount = Decimal(150)
        book.transaction(
            refunded,
            payee,
            refunded.ended_on or self.end,
            "Adjustment",
            "Refund",
            -amount,
            -ledger.provider_share(amount),
            description=f"Refund: {refunded.title}",
            comment="Partial refund: one deliverable dropped",
        )
        return book

    def day_within(self, c: _Contract) -> dt.date:
        last = min(c.ended_on or self.end, self.end)
        return c.started_on + dt.timedelta(days=self.rng.randrange(0, max((last - c.started_on).days, 1)))

    # -- fixed-price milestones -------------------------------------------

    def paid_in_stages(self, c: _Contract, amounts: list[Decimal], days: list[dt.date]) -> list[_Milestone]:
        """The milestones of an existing fixed-price contract, one per payment the ledger always had.

        Each is funded when the previous one is paid, submitted two days
        before its payment day and approved that day. The first milestone not
        paid by now (the last one of a running contract) is funded and being
        worked on; any after it is not funded yet.
        """
        stages: list[_Milestone] = []
        funded_on = c.started_on
        count = len(amounts)
        for number, (amount, day) in enumerate(zip(amounts, days), start=1):
            description = f"Delivery {number} of {count}"
            steps: tuple[_Step, ...]
            paid = day <= self.end and (c.ended_on is not None or number < count)
            if not paid:
                working = all(m.steps and m.steps[-1].move is MilestoneMove.APPROVE_SUBMISSION for m in stages)
                steps = (_Step(MilestoneMove.ACTIVATE, funded_on),) if working else ()
                stages.append(_Milestone(description, amount, day, steps))
                funded_on = self.end + dt.timedelta(days=1)  # nothing after it is funded
                continue
            submitted_on = max(funded_on, day - dt.timedelta(days=2))
            steps = (
                _Step(MilestoneMove.ACTIVATE, funded_on),
                _Step(MilestoneMove.SUBMIT, submitted_on, note=f"{description} is ready for review"),
                _Step(MilestoneMove.APPROVE_SUBMISSION, day, note="Approved, thank you"),
            )
            stages.append(_Milestone(description, amount, day, steps))
            funded_on = day
        return stages

    def play_milestones(self, c: _Contract, book: _Ledger) -> None:
        """Walk each milestone of ``c`` through its steps by the rules of ``domain.milestones``.

        The rows wait in ``self.played`` until the ledger is posted (a paid
        milestone names its transaction); a payment's legs go in ``book``,
        dated the day of the approval, as the API posts them.
        """
        for position, m in enumerate(c.milestones):
            reference = self.ref(Milestone)
            status = MilestoneStatus.NOT_FUNDED
            row: dict[str, Any] = {
                "reference": reference,
                "engagement_id": c.id,
                "position": position,
                "description": m.description,
                "deposit_amount": m.deposit,
                "due_date": m.due_on,
                "created_at": self.at(c.started_on - dt.timedelta(days=2)),
            }
            submissions: list[dict[str, Any]] = []
            payment: ledger.Transaction | None = None
            for step in m.steps:
                status = milestones.next_milestone_status(status, step.move, reference)
                if step.move is MilestoneMove.ACTIVATE:
                    row["funded_at"] = self.at(step.day, 10)
                elif step.move is MilestoneMove.SUBMIT:
                    submissions.append(
                        {
                            "reference": self.ref(Submission),
                            "note2client": step.note or "",
                            "amount": milestones.requested_amount(m.deposit, m.deposit),
                            "status": SubmissionStatus.PENDING.value,
                            "created_at": self.at(step.day, 16),
                        }
                    )
                elif step.move is MilestoneMove.REJECT_SUBMISSION:
                    self.decide_submission(submissions[-1], SubmissionMove.REJECT, step)
                elif step.move in (MilestoneMove.APPROVE, MilestoneMove.APPROVE_SUBMISSION):
                    pending = submissions[-1] if submissions and submissions[-1]["status"] == "pending" else None
                    if pending is not None:
                        self.decide_submission(pending, SubmissionMove.APPROVE, step)
                    asked = pending["amount"] if step.move is MilestoneMove.APPROVE_SUBMISSION and pending else None
                    paid = milestones.payment(m.deposit, asked, step.bonus, None)
                    payment = book.milestone_payment(c, step.day, paid, f"{c.title}: {m.description}", step.note)
                    row |= {
                        "paid_amount": paid.amount,
                        "bonus": paid.bonus,
                        "pay_comments": step.note,
                        "paid_at": self.at(step.day, 6),  # the hour the ledger dates its entries
                    }
            row["status"] = status.value
            self.played.append(_PlayedMilestone(row, submissions, payment))

    def decide_submission(self, submission: dict[str, Any], move: SubmissionMove, step: _Step) -> None:
        after = milestones.next_submission_status(submission["status"], move, submission["reference"])
        submission["status"] = after.value
        submission["decided_at"] = self.at(step.day, 6 if move is SubmissionMove.APPROVE else 11)
        if move is SubmissionMove.REJECT:
            submission["note2contractor"] = step.note

    def make_milestones(self, transaction_ref: Callable[[ledger.Transaction], int]) -> None:
        """Insert the played milestones (a paid one naming its ledger transaction) and their submissions."""
        rows = [
            {
                "funded_at": None,
                "paid_amount": None,
                "bonus": None,
                "pay_comments": None,
                "paid_at": None,
                **played.row,
                "payment_transaction_ref": transaction_ref(played.payment) if played.payment else None,
            }
            for played in self.played
        ]
        ids = self.insert(Milestone, rows)
        submissions = [
            {"note2contractor": None, "decided_at": None, **submission, "milestone_id": milestone_id}
            for played, milestone_id in zip(self.played, ids)
            for submission in played.submissions
        ]
        if submissions:
            self.conn.execute(sa.insert(table_of(Submission)), submissions)

    # -- hiring: jobs, candidacies, offers, contract history ----------------

    def make_hiring(self, contracts: list[_Contract], book: _Ledger) -> None:
        """The hiring life around the contracts, by the rules of ``domain`` (jobs, offers, engagements).

        Filled jobs and accepted offers behind some existing contracts and
        behind two new fixed-price ones (their milestones in every state);
        open jobs with candidates at every stage and offers pending, declined
        and withdrawn; cancelled jobs; an offer left to expire; the end of
        every closed contract (reason, feedback) and the suspensions of two
        running ones, each with its event.
        """
        self.end_contracts([c for c in contracts if c.ended_on is not None])
        self.pause_contracts(contracts)
        running = contracts[:2]  # the role contractors' contracts
        for team in WORK_TEAMS:
            running.append(next(c for c in contracts[2:] if c.team == team))
        for c in running:
            job_id, offer_id = self.hire(c)
            self.conn.execute(
                sa.update(table_of(Engagement))
                .where(table_of(Engagement).c.id == c.id)
                .values(job_id=job_id, offer_id=offer_id)
            )
        self.new_fixed_price_contracts(book)
        self.open_jobs()
        self.closed_jobs()

    def end_contracts(self, closed: list[_Contract]) -> None:
        """Each closed contract's reason, would-hire-again and feedback (``domain.contracts``), and its end event."""
        rng = self.rng
        events = []
        scores = []
        for c in closed:
            how = rng.choices(ENDINGS, weights=[e.share for e in ENDINGS])[0]
            params: dict[str, str] = {}
            comment = None
            if how.comments:
                params = {
                    f"fb_scores[{score_id}]": str(Decimal(rng.randint(how.lowest, how.highest)) / 4)
                    for score_id in CONTRACTOR_SCORE_IDS
                }
                comment = rng.choice(how.comments)
            ending = contracts_rules.ending(how.reason, how.would_hire_again, params, comment, charged=True)
            self.conn.execute(
                sa.update(table_of(Engagement))
                .where(table_of(Engagement).c.id == c.id)
                .values(
                    end_reason=ending.reason,
                    would_hire_again=ending.would_hire_again,
                    feedback_comment=ending.comment,
                )
            )
            assert c.ended_on is not None
            events.append(self.event(c, engagements.Move.END, c.ended_on, 20, None))
            scores += [
                {"engagement_id": c.id, "score_id": score_id, "score": score}
                for score_id, score in ending.scores.items()
            ]
        self.conn.execute(sa.insert(table_of(EngagementEvent)), events)
        if scores:
            self.conn.execute(sa.insert(table_of(EngagementFeedbackScore)), scores)

    def pause_contracts(self, contracts: list[_Contract]) -> None:
        """Suspend one running hourly contract tonight; another was suspended over a weekend, then restarted.

        Both are independent contractors' (the role contractors' contracts
        stay active). The weekend pause fits the time logs: nobody logs time
        on a weekend. Tonight's suspension comes after today's logs.
        """
        hourly = [c for c in contracts[2:] if c.ended_on is None and c.job_type == "hourly" and not c.through_agency]
        tonight, weekend = hourly[0], hourly[1]
        friday = self.end - dt.timedelta(days=60)
        friday -= dt.timedelta(days=(friday.weekday() - 4) % 7)
        friday = max(friday, weekend.started_on + dt.timedelta(days=(4 - weekend.started_on.weekday()) % 7 + 7))
        suspended = self.engagement_rules(tonight).suspend()
        self.engagement_rules(weekend).suspend().restart()  # the moves the rules allow
        self.conn.execute(
            sa.update(table_of(Engagement))
            .where(table_of(Engagement).c.id == tonight.id)
            .values(status=suspended.status.value)
        )
        self.conn.execute(
            sa.insert(table_of(EngagementEvent)),
            [
                self.event(weekend, engagements.Move.SUSPEND, friday, 19, "Paused while the release is frozen"),
                self.event(
                    weekend, engagements.Move.RESTART, friday + dt.timedelta(days=3), 8, "Release done, back to work"
                ),
                self.event(tonight, engagements.Move.SUSPEND, self.end, 20, "Paused until next quarter's budget"),
            ],
        )

    def event(
        self, c: _Contract, move: engagements.Move, day: dt.date, hour: int, message: str | None
    ) -> dict[str, Any]:
        return {
            "engagement_id": c.id,
            "action": move.value,
            "message": message,
            "user_id": self.manager_of(c.team).id,
            "created_at": self.at(day, hour),
        }

    def hire(self, c: _Contract, *, origin: str = "application") -> tuple[int, int]:
        """The filled job ``c`` came from, its hired candidacy and the accepted offer: ``(job id, offer id)``.

        The job was posted 16 days before the contract started, the offer
        made 5 days before and accepted 2 days before (when the contract
        was created); its terms are the contract's, milestones included.
        """
        accepted_on = c.started_on - dt.timedelta(days=2)
        posted_on = c.started_on - dt.timedelta(days=16)
        hourly = c.job_type == "hourly"
        job_id = self.job(
            c.team,
            c.title,
            c.job_type,
            posted_on,
            budget=None if hourly else c.fixed_price,
            duration=160 if hourly else None,
            closed=(JobStatus.FILLED, accepted_on, None),
        )
        candidacy_id = self.candidacy(
            job_id, c.provider, origin, "hired", posted_on + dt.timedelta(days=2), agency=c.through_agency
        )
        terms: offer_rules.OfferTerms
        if hourly:
            assert c.hourly_rate is not None
            terms = offer_rules.HourlyOfferTerms(c.hourly_rate, c.weekly_limit)
        else:
            assert c.fixed_price is not None
            offered = tuple(offer_rules.OfferedMilestone(m.description, m.deposit, m.due_on) for m in c.milestones)
            terms = offer_rules.FixedPriceOfferTerms(c.fixed_price, milestones=offered)
        offer_id = self.offer(
            c.team,
            c.provider,
            terms,
            accepted_on - dt.timedelta(days=3),
            title=c.title,
            job_id=job_id,
            candidacy_id=candidacy_id,
            decision=(offer_rules.OfferAction.ACCEPT, accepted_on),
            start_date=c.started_on,
            agency=c.through_agency,
        )
        return job_id, offer_id

    def new_fixed_price_contracts(self, book: _Ledger) -> None:
        """Two running fixed-price contracts of the role contractors, hired through a job and an offer.

        Between them their milestones are in every state: paid through an
        approved submission with a bonus, paid directly, submitted (a pending
        submission, after a rejected one), active after a rejected
        submission, not funded, and deleted.
        """
        day = self.days_ago
        agency_work = _Contract(
            self.people["agency_provider"],
            "acme:mobile",
            "fixed-price",
            "Home screen widget for the Android app",
            day(60),
            None,
            fixed_price=Decimal(3000),
            through_agency=True,
        )
        agency_work.milestones = [
            _Milestone(
                "Widget design and data contract",
                Decimal(800),
                day(30),
                (
                    _Step(MilestoneMove.ACTIVATE, day(60)),
                    _Step(MilestoneMove.SUBMIT, day(32), note="Designs and the data contract are in the shared folder"),
                    _Step(
                        MilestoneMove.APPROVE_SUBMISSION,
                        day(30),
                        note="Great work, and a bonus for delivering early",
                        bonus=Decimal(100),
                    ),
                ),
            ),
            _Milestone(
                "Widget implementation",
                Decimal(1400),
                day(-5),
                (
                    _Step(MilestoneMove.ACTIVATE, day(29)),
                    _Step(MilestoneMove.SUBMIT, day(16), note="First build attached"),
                    _Step(MilestoneMove.REJECT_SUBMISSION, day(14), note="The widget crashes on Android 12"),
                    _Step(MilestoneMove.SUBMIT, day(4), note="Crash fixed, new build attached"),
                ),
            ),
            _Milestone("Store release and handover", Decimal(600), day(-20)),
            _Milestone("Tablet layout", Decimal(200), day(-30), (_Step(MilestoneMove.DELETE, day(20)),)),
        ]
        own_work = _Contract(
            self.people["provider"],
            "acme:engineering",
            "fixed-price",
            "Billing export service",
            day(45),
            None,
            fixed_price=Decimal(2400),
        )
        own_work.milestones = [
            _Milestone(
                "Export format and first endpoint",
                Decimal(900),
                day(20),
                (
                    _Step(MilestoneMove.ACTIVATE, day(45)),
                    _Step(MilestoneMove.APPROVE, day(20), note="Works as specified"),
                ),
            ),
            _Milestone(
                "Scheduling and retries",
                Decimal(1000),
                day(-3),
                (
                    _Step(MilestoneMove.ACTIVATE, day(19)),
                    _Step(MilestoneMove.SUBMIT, day(9), note="Ready for review"),
                    _Step(MilestoneMove.REJECT_SUBMISSION, day(7), note="Retries must stop after five attempts"),
                ),
            ),
            _Milestone("Documentation and handover", Decimal(500), day(-15)),
        ]
        for c, origin in ((agency_work, "application"), (own_work, "invitation")):
            job_id, offer_id = self.hire(c, origin=origin)
            self.insert_contracts([c], job_id=job_id, offer_id=offer_id)
            self.play_milestones(c, book)

    def open_jobs(self) -> None:
        """Open jobs of the four teams with candidates at every stage, and offers pending, declined, withdrawn."""
        day = self.days_ago
        p = self.people
        walker, kowalski = p["provider"], p["agency_provider"]
        decline, withdraw = offer_rules.OfferAction.DECLINE, offer_rules.OfferAction.WITHDRAW
        # Engineering: a fixed-price job; James Walker has a pending offer, another candidate declined his.
        payments = self.job(
            "acme:engineering",
            "Payment provider integration",
            "fixed-price",
            day(10),
            budget=Decimal(3500),
            skills="python;rest-api;payments",
        )
        invited = self.candidacy(payments, walker, "invitation", "offered", day(9))
        self.offer(
            "acme:engineering",
            walker,
            offer_rules.FixedPriceOfferTerms(
                Decimal(3200),
                milestones=(
                    offer_rules.OfferedMilestone("Sandbox integration", Decimal(1200), day(-14)),
                    offer_rules.OfferedMilestone("Production rollout", Decimal(2000), day(-35)),
                ),
            ),
            day(3),
            title="Payment provider integration",
            job_id=payments,
            candidacy_id=invited,
            message="We would like you to lead this integration.",
            expires_on=day(-11),
        )
        declined = self.candidacy(payments, p["contractor10"], "application", "interviewing", day(8))
        self.offer(
            "acme:engineering",
            p["contractor10"],
            offer_rules.FixedPriceOfferTerms(Decimal(3400)),
            day(7),
            title="Payment provider integration",
            job_id=payments,
            candidacy_id=declined,
            decision=(decline, day(5)),
        )
        self.candidacy(payments, p["contractor11"], "application", "interviewing", day(7), shortlisted=True)
        self.candidacy(payments, p["contractor12"], "invitation", "invited", day(2))
        # Mobile: an hourly job; James Walker is invited, Anna Kowalski interviews through her agency.
        push = self.job(
            "acme:mobile",
            "Backend for push notifications",
            "hourly",
            day(8),
            duration=120,
            skills="python;firebase;android;ios",
        )
        self.candidacy(
            push,
            walker,
            "invitation",
            "invited",
            day(1),
            cover="Your work on our API fits this job well: would you like to interview?",
        )
        self.candidacy(push, kowalski, "application", "interviewing", day(6), agency=True)
        self.candidacy(push, p["contractor13"], "application", "declined", day(5))
        # Design: an hourly job; one offer withdrawn, another pending.
        research = self.job(
            "acme:design",
            "UX researcher for the checkout study",
            "hourly",
            day(14),
            duration=80,
            skills="ux-research;usability-testing",
        )
        withdrawn = self.candidacy(research, p["contractor14"], "application", "interviewing", day(12))
        self.offer(
            "acme:design",
            p["contractor14"],
            offer_rules.HourlyOfferTerms(Decimal(45), Decimal(20)),
            day(9),
            title="UX researcher for the checkout study",
            job_id=research,
            candidacy_id=withdrawn,
            decision=(withdraw, day(6)),
        )
        offered = self.candidacy(research, p["contractor15"], "application", "offered", day(11))
        self.offer(
            "acme:design",
            p["contractor15"],
            offer_rules.HourlyOfferTerms(Decimal(52), Decimal(15)),
            day(4),
            title="UX researcher for the checkout study",
            job_id=research,
            candidacy_id=offered,
            expires_on=day(-10),
        )
        self.candidacy(research, p["contractor16"], "invitation", "invited", day(3))
        # Marketing: a fixed-price job with a shortlisted candidate and one who withdrew.
        copy = self.job(
            "acme:marketing",
            "Launch campaign copy",
            "fixed-price",
            day(20),
            budget=Decimal(1200),
            skills="copywriting;email-marketing",
        )
        self.candidacy(copy, p["contractor17"], "application", "interviewing", day(18), shortlisted=True)
        self.candidacy(copy, p["contractor18"], "application", "withdrawn", day(17))
        # An offer made without a job, never answered: it expired.
        self.offer(
            "acme:marketing",
            p["contractor21"],
            offer_rules.FixedPriceOfferTerms(Decimal(350)),
            day(30),
            title="Translate the product sheets into Spanish",
            expires_on=day(16),
        )

    def closed_jobs(self) -> None:
        """Cancelled jobs, with the documented reason codes; their candidates were withdrawn or declined."""
        day = self.days_ago
        p = self.people
        warehouse = self.job(
            "acme:engineering",
            "Data warehouse consultant",
            "hourly",
            day(130),
            duration=200,
            skills="sql;data-modeling",
            closed=(JobStatus.CANCELLED, day(100), CancelReason.PROJECT_WAS_CANCELLED),
        )
        self.candidacy(warehouse, p["contractor19"], "application", "withdrawn", day(125))
        self.job(
            "acme:marketing",
            "Social media manager",
            "hourly",
            day(40),
            duration=60,
            closed=(JobStatus.CANCELLED, day(40), CancelReason.ACCIDENTAL_OPENING_CREATION),
        )
        illustrations = self.job(
            "acme:design",
            "Illustrations for the annual report",
            "fixed-price",
            day(70),
            budget=Decimal(900),
            skills="illustration;print-design",
            closed=(JobStatus.CANCELLED, day(45), CancelReason.NO_DEVELOPER_FOR_REQUESTED_SKILLS),
        )
        self.candidacy(illustrations, p["contractor20"], "application", "declined", day(60))

    def days_ago(self, days: int) -> dt.date:
        """The day ``days`` before ``end_date`` (after it when negative)."""
        return self.end - dt.timedelta(days=days)

    def job(
        self,
        team: str,
        title: str,
        job_type: str,
        posted_on: dt.date,
        *,
        budget: Decimal | None = None,
        duration: int | None = None,
        skills: str = "",
        closed: tuple[JobStatus, dt.date, CancelReason | None] | None = None,
    ) -> int:
        """Insert a job of ``team`` posted on ``posted_on``, open, or ``closed`` (status, day, reason) since; its id."""
        terms = job_rules.Terms(engagements.JobType(job_type), budget, duration)
        status, closed_at, reason = JobStatus.OPEN, None, None
        if closed is not None:
            after, closed_on, reason = closed
            status, closed_at = job_rules.next_status(status, after), self.at(closed_on, 9)
        created = self.at(posted_on, 8)
        return self.insert(
            Job,
            [
                {
                    "reference": self.ref(Job),
                    "job_key": f"~~{self.rng.getrandbits(64):016x}",
                    "buyer_team_id": self.team_ids[team],
                    "created_by_user_id": self.manager_of(team).id,
                    "title": title,
                    "job_type": terms.job_type.value,
                    "description": f"{title} for the {team.split(':')[1]} team of Acme Widgets.",
                    "visibility": job_rules.Visibility.PUBLIC.value,
                    "subcategory_id": TEAM_SUBCATEGORIES[team],
                    "subcategory2_id": None,
                    "budget": terms.budget,
                    "duration": terms.duration,
                    "start_date": posted_on,
                    "skills": job_rules.skills_text(skills),
                    "status": status.value,
                    "cancel_reason": int(reason) if reason is not None else None,
                    "closed_at": closed_at,
                    "last_candidacy_access_at": None,
                    "created_at": created,
                    "updated_at": closed_at or created,
                }
            ],
        )[0]

    def candidacy(
        self,
        job_id: int,
        person: _Person,
        origin: str,
        status: str,
        made_on: dt.date,
        *,
        cover: str | None = None,
        agency: bool = False,
        shortlisted: bool = False,
    ) -> int:
        """Insert ``person``'s candidacy for the job ``job_id`` (through the agency when ``agency``); its id."""
        assert origin in CANDIDACY_ORIGINS and status in CANDIDACY_STATUSES
        if cover is None:
            cover = (
                "We think you would be a good fit for this job."
                if origin == "invitation"
                else "I have done this kind of work before and would be glad to help."
            )
        created = self.at(made_on, 12)
        return self.insert(
            Candidacy,
            [
                {
                    "reference": self.ref(Candidacy),
                    "job_id": job_id,
                    "provider_user_id": person.id,
                    "provider_team_id": self.team_ids[AGENCY_ID] if agency else None,
                    "origin": origin,
                    "status": status,
                    "cover": cover,
                    "is_shortlisted": shortlisted,
                    "is_hidden": False,
                    "created_at": created,
                    "updated_at": created,
                }
            ],
        )[0]

    def offer(
        self,
        team: str,
        person: _Person,
        terms: offer_rules.OfferTerms,
        made_on: dt.date,
        *,
        title: str,
        job_id: int | None = None,
        candidacy_id: int | None = None,
        message: str | None = None,
        decision: tuple[offer_rules.OfferAction, dt.date] | None = None,
        expires_on: dt.date | None = None,
        start_date: dt.date | None = None,
        agency: bool = False,
    ) -> int:
        """Insert an offer made on ``made_on``, pending or moved by ``decision`` (``domain.offers``); its id.

        A pending offer whose ``expires_on`` has passed is expired for
        whoever reads it, as the rules say; nothing writes that state.
        """
        status, decided_at = offer_rules.OfferStatus.PENDING, None
        if decision is not None:
            action, decided_on = decision
            status, decided_at = offer_rules.next_status(status, action), self.at(decided_on, 9)
        offer_id = self.insert(
            Offer,
            [
                {
                    "reference": self.ref(Offer),
                    "job_id": job_id,
                    "candidacy_id": candidacy_id,
                    "buyer_team_id": self.team_ids[team],
                    "created_by_user_id": self.manager_of(team).id,
                    "provider_user_id": person.id,
                    "provider_team_id": self.team_ids[AGENCY_ID] if agency else None,
                    "title": title,
                    "message_from_buyer": message,
                    **offer_rules.terms_columns(terms),
                    "start_date": start_date,
                    "keep_open": False,
                    "status": status.value,
                    "expires_at": self.at(expires_on, 9) if expires_on is not None else None,
                    "created_at": self.at(made_on, 9),
                    "decided_at": decided_at,
                }
            ],
        )[0]
        if isinstance(terms, offer_rules.FixedPriceOfferTerms) and terms.milestones:
            self.conn.execute(
                sa.insert(table_of(OfferMilestone)),
                [
                    {
                        "offer_id": offer_id,
                        "position": position,
                        "description": m.description,
                        "deposit_amount": m.deposit_amount,
                        "due_date": m.due_date,
                    }
                    for position, m in enumerate(terms.milestones)
                ],
            )
        return offer_id

    def make_credentials(self) -> None:
        consumer_id = self.insert(
            Consumer,
            [
                {
                    "key": security.new_key(),
                    "secret": security.new_secret(),
                    "name": DEMO_CONSUMER_NAME,
                    "callback_uri": None,
                    "owner_user_id": self.people["owner"].id,
                    "created_at": dt.datetime.now(dt.UTC),
                }
            ],
        )[0]
        now = dt.datetime.now(dt.UTC)
        self.conn.execute(
            sa.insert(table_of(AccessToken)),
            [
                {
                    "token": security.new_key(),
                    "secret": security.new_secret(),
                    "consumer_id": consumer_id,
                    "user_id": self.people[role].id,
                    "created_at": now,
                }
                for role in ROLE_NAMES
            ],
        )


class _Ledger:
    """The demo's transactions, built by ``odesk_server.domain.ledger`` and posted by it in date order."""

    def __init__(self, builder: _DemoBuilder, platform: int, buyer: int) -> None:
        self.builder = builder
        self.platform = platform
        self.buyer = buyer
        self.transactions: list[ledger.Transaction] = []

    def transaction(
        self,
        c: _Contract,
        payee: int,
        day: dt.date,
        kind: str,
        subtype: str,
        charges: Decimal,
        earnings: Decimal,
        *,
        description: str,
        memo: str | None = None,
        comment: str | None = None,
        notes: str | None = None,
    ) -> None:
        """Three legs: the buyer pays ``charges``, the payee earns ``earnings``, the platform the rest."""
        self.transactions.append(
            ledger.contract_transaction(
                self.parties(c),
                self.accounts(payee),
                day,
                kind,
                subtype,
                charges,
                earnings,
                description=description,
                memo=memo,
                comment=comment,
                notes=notes,
            )
        )

    def milestone_payment(
        self, c: _Contract, day: dt.date, paid: milestones.Payment, title: str, comment: str | None
    ) -> ledger.Transaction:
        """The legs approving a milestone of ``c`` posts, as the API posts them (``milestones.payment_transaction``)."""
        legs = milestones.payment_transaction(
            self.parties(c),
            self.accounts(self.builder.payee_of(c)),
            day,
            DEFAULT_FEE_RATE,
            paid,
            title,
            comment=comment,
            notes=None,
        )
        self.transactions.append(legs)
        return legs

    def parties(self, c: _Contract) -> ledger.ContractParties:
        b = self.builder
        return ledger.ContractParties(
            engagement_id=c.id,
            buyer_company_id=b.company_ids[COMPANY_ID],
            buyer_team_id=b.team_ids[c.team],
            provider_user_id=c.provider.id,
            provider_company_id=b.company_ids[AGENCY_ID] if c.through_agency else None,
            provider_team_id=b.team_ids[AGENCY_ID] if c.through_agency else None,
            po_number=PO_NUMBERS.get(c.team),
        )

    def accounts(self, payee: int) -> ledger.ContractAccounts:
        return ledger.ContractAccounts(buyer=self.buyer, payee=payee, platform=self.platform)

    def payments(self, provider_entities, agency: int) -> None:
        """Monthly client deposits covering last month's charges; monthly provider withdrawals."""
        b = self.builder
        by_month: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
        earned: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
        for leg in (leg for legs in self.transactions for leg in legs):
            if leg.accounting_entity_id == self.buyer:
                by_month[(leg.date.year, leg.date.month)] -= leg.amount
            elif leg.accounting_entity_id != self.platform:
                earned[leg.accounting_entity_id].append((leg.date, leg.amount))
        for (year, month), due in sorted(by_month.items()):
            day = dt.date(year + month // 12, month % 12 + 1, 1)
            if day <= b.end and due > 0:
                self.transactions.append(
                    ledger.external_transaction(self.buyer, day, "Payment", "Payment", due, "Credit card payment")
                )
        for entity in list(provider_entities) + [agency]:
            history = sorted(earned.get(entity, []))
            day = b.start.replace(day=15)
            balance, index = ZERO, 0
            while day <= b.end:
                while index < len(history) and history[index][0] <= day:
                    balance += history[index][1]
                    index += 1
                if balance > 0:
                    self.transactions.append(
                        ledger.external_transaction(
                            entity, day, "Payment", "Withdrawal", -balance, "Withdrawal to bank account"
                        )
                    )
                    balance = ZERO
                day = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=15)

    def flush(self) -> Callable[[ledger.Transaction], int]:
        """Post every transaction, in date order, numbering entries and transactions.

        Returns what tells the ``transaction_ref`` a transaction was posted under.
        """
        b = self.builder
        # The order ledger.post numbers them in (its sort is stable, so sorting again changes nothing).
        ordered = sorted(self.transactions, key=lambda legs: legs[0].date)
        ledger.post(
            b.conn,
            ordered,
            first_transaction_ref=TRANSACTION_BASE + 1,
            next_reference=lambda: b.ref(LedgerEntry),
            created_at=lambda day: b.at(day, 6),
        )
        # Keyed by identity: two transactions may hold equal legs, each has its own number.
        numbers = {id(legs): TRANSACTION_BASE + 1 + index for index, legs in enumerate(ordered)}
        return lambda legs: numbers[id(legs)]
