"""The demo at scale: ``odesk-server demo --scale N``, about N time logs with their ledger legs.

After the demo organisation (unchanged: every role, contract and row of the
ordinary demo is there), more contractors join Acme's four work teams, each
on one running hourly contract started somewhere in the demo's two years,
until the time logs they are expected to write, with the demo's own, make
about ``N``. Their time follows the demo's rules: weekdays, most of them
worked, the daily share of the weekly limit with some spread, a day split
between two task codes of the team now and then; charges and earnings by
``price_time``. Every week a contract worked is invoiced the Monday after
(``ledger.contract_transaction``: the buyer's charges, the payee's earnings,
the platform's fee), as the demo invoices its own contracts. A fifth of the
contractors work through the agency, which is then the payee.

What is left out at scale, on purpose:

- **No work diaries.** The contractors added here write no snapshots: the
  time before the demo's diary window is history, as the demo's own older
  time is (online hours, ``tracked_minutes`` 0), and inside the window it is
  manual (offline) time, so that no diary ever lacks the online time a
  report shows.
- No profiles, jobs, offers, messages, deposits or withdrawals for them:
  the ordinary demo holds one of each kind.

The rows are written day after day (time logs in date order, as they would
have arrived) through ``db.bulk.BulkInsert``; on PostgreSQL the time logs'
row triggers (the search engine's work summary) are paused for the load and
the summary counted once after it. A generator of its own, seeded from the
demo's seed and ``N``, makes the same rows for the same seed, day and ``N``.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from odesk_server.db.bulk import BulkInsert
from odesk_server.domain import engagements, ledger
from odesk_server.models import (
    DEFAULT_FEE_RATE,
    AccountingEntity,
    Activity,
    ActivityAssignment,
    Engagement,
    LedgerEntry,
    TimeLog,
    User,
    UserRole,
    price_time,
    table_of,
)
from odesk_server.search import index as search_index

#: The largest ``--scale``: beyond it the ledger's entry references would reach the next kind's range.
MAX_SCALE = 1_500_000
#: The smallest: the ordinary demo alone has about 10,000 time logs.
MIN_SCALE = 20_000
#: Share of the added contractors who work through the agency.
AGENCY_SHARE = 0.2
#: Days of the demo's history on which a contract may start (it then runs to the end).
LATEST_START = 60

# The demo's habits (demo.make_time_logs, demo.day_logs): a weekday is worked with this
# chance, a day of two hours or more is split between two tasks with this one.
_WORKED = 0.86
_SPLIT = 0.3

# (step, done, total): how far the time logs are.
Counter = Callable[[str, int, int], None]

_LOG_COLUMNS = (
    "engagement_id",
    "worked_on",
    "task",
    "memo",
    "hours_online",
    "hours_offline",
    "charges_online",
    "charges_offline",
    "earnings_online",
    "earnings_offline",
    "tracked_minutes",
    "created_at",
)
_LEG_COLUMNS = tuple(c.name for c in table_of(LedgerEntry).columns if c.name != "id")
_ZERO = Decimal(0)
_HUNDREDTH = Decimal("0.01")
# Hours of a day of ``minutes`` (a multiple of ten), to the hundredth.
_HOURS = {minutes: (Decimal(minutes) / 60).quantize(_HUNDREDTH) for minutes in range(0, 610, 10)}


@dataclass
class _Contract:
    """One added contract and what it has logged in the running week."""

    id: int
    title: str
    team: str
    rate: Decimal
    weekly_limit: Decimal | None
    daily_minutes: float
    started_on: dt.date
    parties: ledger.ContractParties
    accounts: ledger.ContractAccounts
    week_hours: Decimal = _ZERO
    week_charges: Decimal = _ZERO
    week_earnings: Decimal = _ZERO


def expected_logs(started_on: dt.date, end: dt.date, daily_minutes: float) -> float:
    """About how many time logs a contract running from ``started_on`` to ``end`` writes."""
    days = (end - started_on).days + 1
    weekdays = days // 7 * 5 + sum(1 for i in range(days % 7) if (started_on.weekday() + i) % 7 < 5)
    # A day split in two only when it has two hours or more.
    split = _SPLIT if daily_minutes >= 150 else _SPLIT / 2 if daily_minutes >= 90 else 0.05
    return weekdays * _WORKED * (1 + split)


def build(builder: Any, scale: int, count: Counter) -> None:
    """Add contractors, contracts, time logs and invoices to ``builder``'s demo until about ``scale`` logs.

    ``builder`` is the demo's ``_DemoBuilder`` after its ``build()``, in the
    load's transaction. Raises ``ValueError`` for a scale outside
    ``MIN_SCALE`` .. ``MAX_SCALE``.
    """
    if not MIN_SCALE <= scale <= MAX_SCALE:
        raise ValueError(f"the scale must be between {MIN_SCALE:,} and {MAX_SCALE:,} time logs, got {scale:,}")
    conn: sa.Connection = builder.conn
    have = conn.scalar(sa.select(sa.func.count()).select_from(table_of(TimeLog))) or 0
    rng = random.Random(f"{builder.seed}:scale:{scale}")
    contracts = _hire(builder, rng, scale - have)
    with time_log_triggers_paused(conn):
        _write_time(builder, rng, contracts, scale - have, count)
    if conn.dialect.name == "postgresql":
        # The planner's statistics of tables that just grew a hundredfold (autovacuum would take its time).
        conn.exec_driver_sql("ANALYZE")


@contextmanager
def time_log_triggers_paused(conn: sa.Connection) -> Iterator[None]:
    """On PostgreSQL, the time logs' row triggers off while the block writes, their work done once after.

    The search engine's work summary (``search_provider_stats``) is kept by a
    row trigger on ``time_logs``; a million updates of a few thousand rows in
    one transaction leave PostgreSQL ever longer chains of row versions to
    walk, so the load slows down as it goes. ``ALTER TABLE ... DISABLE TRIGGER
    USER`` is transactional (nobody else sees it) and the summary is counted
    again from the rows afterwards (``search.index.rebuild_stats``). SQLite
    updates in place: its triggers stay on. Deleting every time log (the
    demo's ``--reset``) has the same trouble and the same cure.
    """
    if conn.dialect.name != "postgresql":
        yield
        return
    table = conn.dialect.identifier_preparer.format_table(table_of(TimeLog))
    conn.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    yield
    conn.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    search_index.rebuild_stats(conn)


# --------------------------------------------------------------------------
# People and contracts


def _hire(builder: Any, rng: random.Random, wanted: int) -> list[_Contract]:
    from odesk_server.demo import AGENCY_ID, COMPANY_ID, FIRST_NAMES, LAST_NAMES, PLACES, TEAM_WORK, WORK_TEAMS

    end: dt.date = builder.end
    start: dt.date = builder.start
    taken = set(builder.conn.scalars(sa.select(User.uid)))
    password_hash = builder.conn.scalar(sa.select(User.password_hash).where(User.uid == builder.people["owner"].uid))
    created = builder.at(start - dt.timedelta(days=30))

    plans: list[dict[str, Any]] = []
    expected = 0.0
    while expected < wanted:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        uid = (first[0] + last).lower()
        number = 2
        while uid in taken:
            uid, number = f"{first[0]}{last}{number}".lower(), number + 1
        taken.add(uid)
        country, _city, timezone = rng.choice(PLACES)
        limit = rng.choice((Decimal(10), Decimal(20), Decimal(30), Decimal(40), None))
        daily_minutes = float((limit or Decimal(40)) / 5) * 60
        started_on = start + dt.timedelta(days=rng.randrange(0, (end - start).days - LATEST_START))
        team = rng.choice(WORK_TEAMS)
        plans.append(
            {
                "uid": uid,
                "first_name": first,
                "last_name": last,
                "country": country,
                "timezone": timezone,
                "rate": Decimal(rng.randrange(30, 190)) / 2,
                "weekly_limit": limit,
                "daily_minutes": daily_minutes,
                "started_on": started_on,
                "team": team,
                "title": rng.choice(TEAM_WORK[team][0]),
                "through_agency": rng.random() < AGENCY_SHARE,
            }
        )
        expected += expected_logs(started_on, end, daily_minutes)

    users = [
        {
            "uid": p["uid"],
            "reference": builder.ref(User),
            "first_name": p["first_name"],
            "last_name": p["last_name"],
            "email": f"{p['uid']}@example.com",
            "timezone": p["timezone"],
            "is_provider": True,
            "status": "active",
            "password_hash": password_hash,
            "title": p["title"],
            "country": p["country"],
            "profile_key": None,
            "profile_hourly_rate": p["rate"],
            "created_at": created,
        }
        for p in plans
    ]
    user_ids = builder.insert(User, users)
    entities = builder.insert(
        AccountingEntity,
        [
            {
                "reference": builder.ref(AccountingEntity),
                "name": f"{p['first_name']} {p['last_name']}",
                "kind": "provider",
                "company_id": None,
                "user_id": user_id,
                "created_at": created,
            }
            for p, user_id in zip(plans, user_ids, strict=True)
        ],
    )
    agency_company, agency_team = builder.company_ids[AGENCY_ID], builder.team_ids[AGENCY_ID]
    rows = []
    for p, user_id in zip(plans, user_ids, strict=True):
        terms = engagements.contract_terms("hourly", hourly_rate=p["rate"], weekly_limit=p["weekly_limit"])
        rows.append(
            {
                "reference": builder.ref(Engagement),
                "buyer_team_id": builder.team_ids[p["team"]],
                "provider_user_id": user_id,
                "agency_company_id": agency_company if p["through_agency"] else None,
                "provider_team_id": agency_team if p["through_agency"] else None,
                "created_by_user_id": builder.manager_of(p["team"]).id,
                "title": p["title"],
                "description": f"{p['title']} for the {p['team'].split(':')[1]} team of Acme Widgets.",
                **engagements.Contract(terms, p["started_on"]).columns(),
                "fee_rate": DEFAULT_FEE_RATE,
                "created_at": builder.at(p["started_on"] - dt.timedelta(days=2)),
            }
        )
    engagement_ids = builder.insert(Engagement, rows)

    # As the demo does for its running contracts: a contractor role on the buyer team (and the agency's).
    roles = []
    for p, user_id, engagement_id in zip(plans, user_ids, engagement_ids, strict=True):
        roles.append((user_id, p["team"], engagement_id))
        if p["through_agency"]:
            roles.append((user_id, AGENCY_ID, None))
    builder.insert(
        UserRole,
        [
            {
                "reference": builder.ref(UserRole),
                "user_id": user_id,
                "team_id": builder.team_ids[team],
                "role": "member",
                "affiliation_status": "contractor",
                "has_team_room_access": True,
                "engagement_id": engagement_id,
                "created_at": builder.at(start - dt.timedelta(days=20)),
            }
            for user_id, team, engagement_id in roles
        ],
    )
    activities = builder.conn.execute(
        sa.select(Activity.id, Activity.team_id).where(Activity.company_id == builder.company_ids[COMPANY_ID])
    ).all()
    builder.conn.execute(
        sa.insert(table_of(ActivityAssignment)),
        [
            {"activity_id": activity_id, "engagement_id": engagement_id}
            for p, engagement_id in zip(plans, engagement_ids, strict=True)
            for activity_id, team_id in activities
            if team_id == builder.team_ids[p["team"]]
        ],
    )

    buyer = builder.conn.scalar(
        sa.select(AccountingEntity.id).where(AccountingEntity.company_id == builder.company_ids[COMPANY_ID])
    )
    platform = builder.conn.scalar(sa.select(AccountingEntity.id).where(AccountingEntity.kind == "platform"))
    contracts = []
    for p, user_id, entity, engagement_id in zip(plans, user_ids, entities, engagement_ids, strict=True):
        agency = p["through_agency"]
        parties = ledger.ContractParties(
            engagement_id=engagement_id,
            buyer_company_id=builder.company_ids[COMPANY_ID],
            buyer_team_id=builder.team_ids[p["team"]],
            provider_user_id=user_id,
            provider_company_id=agency_company if agency else None,
            provider_team_id=agency_team if agency else None,
        )
        payee = builder.agency_entity if agency else entity
        contracts.append(
            _Contract(
                id=engagement_id,
                title=p["title"],
                team=p["team"],
                rate=p["rate"],
                weekly_limit=p["weekly_limit"],
                daily_minutes=p["daily_minutes"],
                started_on=p["started_on"],
                parties=parties,
                accounts=ledger.ContractAccounts(buyer=buyer, payee=payee, platform=platform),
            )
        )
    return contracts


# --------------------------------------------------------------------------
# Time and money, day after day


def _write_time(builder: Any, rng: random.Random, contracts: list[_Contract], wanted: int, count: Counter) -> None:
    from odesk_server.demo import DIARY_DAYS, TEAM_WORK

    conn: sa.Connection = builder.conn
    end: dt.date = builder.end
    diary_from = end - dt.timedelta(days=DIARY_DAYS - 1)
    next_transaction = (conn.scalar(sa.select(sa.func.max(LedgerEntry.transaction_ref))) or ledger.TRANSACTION_BASE) + 1
    by_start = sorted(contracts, key=lambda c: c.started_on)
    running: list[_Contract] = []
    day = by_start[0].started_on
    logs = BulkInsert(conn, table_of(TimeLog), _LOG_COLUMNS)
    legs = BulkInsert(conn, table_of(LedgerEntry), _LEG_COLUMNS)
    count("time logs and invoices", 0, wanted)
    while day <= end:
        while len(running) < len(by_start) and by_start[len(running)].started_on <= day:
            running.append(by_start[len(running)])
        if day.weekday() == 0:
            invoices = [_invoice(c, day) for c in running if c.week_hours > 0]
            rows = ledger.ledger_rows(invoices, next_transaction, lambda: builder.ref(LedgerEntry), _morning(builder))
            legs.extend(rows)
            next_transaction += len(invoices)
        if day.weekday() < 5:
            manual = day >= diary_from
            created_at = builder.at(day, 18)
            for c in running:
                if rng.random() < _WORKED:
                    _work_day(c, day, manual, created_at, rng, TEAM_WORK[c.team], logs)
        if day.weekday() == 4 or day == end:
            count("time logs and invoices", logs.added, wanted)
        day += dt.timedelta(days=1)
    logs.flush()
    legs.flush()
    # About as many as wanted: the last count is the total.
    count("time logs and invoices", logs.written, logs.written)


def _morning(builder: Any) -> Callable[[dt.date], dt.datetime]:
    return lambda day: builder.at(day, 6)


def _work_day(
    c: _Contract,
    day: dt.date,
    manual: bool,
    created_at: dt.datetime,
    rng: random.Random,
    work: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]],
    logs: BulkInsert,
) -> None:
    """One worked day of ``c``: one or two time logs, within the weekly limit (the demo's ``day_logs`` rules)."""
    minutes = max(20, min(int(rng.gauss(c.daily_minutes, 70)), 600)) // 10 * 10
    hours = _HOURS[minutes]
    if c.weekly_limit is not None:
        hours = min(hours, c.weekly_limit - c.week_hours)
    if hours <= 0:
        return
    _titles, tasks, memos = work
    parts = [hours]
    if hours >= 2 and rng.random() < _SPLIT:
        first = (hours * Decimal(rng.uniform(0.3, 0.7))).quantize(_HUNDREDTH)
        parts = [first, hours - first]
    for task, part in zip(rng.sample(tasks, len(parts)), parts, strict=True):
        draw = rng.random()
        if manual or draw >= 0.95:
            online, offline = _ZERO, part
        elif draw < 0.82:
            online, offline = part, _ZERO
        else:
            offline = min(part, Decimal(rng.choice((30, 45, 60, 90, 120))) / 60).quantize(_HUNDREDTH)
            online = part - offline
        money = price_time(c.rate, DEFAULT_FEE_RATE, online, offline)
        logs.add(
            {
                "engagement_id": c.id,
                "worked_on": day,
                "task": task,
                "memo": rng.choice(memos),
                "hours_online": online,
                "hours_offline": offline,
                "tracked_minutes": 0,
                "created_at": created_at,
                **money,
            }
        )
        c.week_hours += part
        c.week_charges += money["charges_online"] + money["charges_offline"]
        c.week_earnings += money["earnings_online"] + money["earnings_offline"]


def _invoice(c: _Contract, day: dt.date) -> ledger.Transaction:
    """Last week's hours of ``c``, invoiced on Monday ``day`` (the demo's weekly hourly invoice)."""
    monday = day - dt.timedelta(days=7)
    legs = ledger.contract_transaction(
        c.parties,
        c.accounts,
        day,
        "Invoice",
        "Hourly",
        c.week_charges,
        c.week_earnings,
        description=f"Hourly: {c.week_hours} hrs @ ${c.rate}/hr, week of {monday.isoformat()}",
        memo=f"{c.title} ({c.week_hours} hrs)",
    )
    c.week_hours = c.week_charges = c.week_earnings = _ZERO
    return legs
