"""The rules of engagements: terms, statuses and the moves between them.

Tables of cases first (no database), then every engagement of the demo
organisation read back through the rules, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from odesk_server import db
from odesk_server.domain.engagements import (
    Contract,
    EngagementRuleError,
    EngagementStatus,
    FixedPriceTerms,
    HourlyTerms,
    JobType,
    contract_terms,
    next_status,
)
from odesk_server.models import ENGAGEMENT_STATUSES, JOB_TYPES, Engagement

ACTIVE, SUSPENDED, CLOSED = EngagementStatus.ACTIVE, EngagementStatus.SUSPENDED, EngagementStatus.CLOSED
START = dt.date(2026, 3, 2)
RATE = Decimal("42.50")


def test_the_rules_speak_the_model_vocabulary() -> None:
    assert {status.value for status in EngagementStatus} == ENGAGEMENT_STATUSES
    assert {job_type.value for job_type in JobType} == JOB_TYPES
    assert issubclass(EngagementRuleError, ValueError)


# --------------------------------------------------------------------------
# Statuses: every (status, move) pair, allowed or not


@pytest.mark.parametrize(
    ("status", "move", "outcome"),
    [
        ("active", "suspend", SUSPENDED),
        ("active", "restart", "cannot restart an engagement that is active: only a suspended engagement can be"),
        ("active", "end", CLOSED),
        ("suspended", "suspend", "cannot suspend an engagement that is suspended: only an active engagement can be"),
        ("suspended", "restart", ACTIVE),
        ("suspended", "end", CLOSED),
        ("closed", "suspend", "cannot suspend a closed engagement: a closed engagement is final"),
        ("closed", "restart", "cannot restart a closed engagement: a closed engagement is final"),
        ("closed", "end", "cannot end a closed engagement: a closed engagement is final"),
        ("paused", "suspend", "unknown engagement status 'paused': expected active, suspended or closed"),
        ("active", "cancel", "unknown move 'cancel': expected suspend, restart or end"),
    ],
)
def test_next_status(status: str, move: str, outcome: EngagementStatus | str) -> None:
    if isinstance(outcome, EngagementStatus):
        assert next_status(status, move) is outcome
    else:
        with pytest.raises(EngagementRuleError, match=re.escape(outcome)):
            next_status(status, move)


def test_a_contract_is_suspended_restarted_and_ended() -> None:
    started = Contract(HourlyTerms(RATE), START)
    assert (started.status, started.ended_on) == (ACTIVE, None)
    suspended = started.suspend()
    assert suspended.status is SUSPENDED and started.status is ACTIVE  # each move is a new contract
    restarted = suspended.restart()
    assert restarted == started
    ended = restarted.end(dt.date(2026, 4, 30))
    assert (ended.status, ended.ended_on, ended.started_on, ended.terms) == (
        CLOSED,
        dt.date(2026, 4, 30),
        START,
        HourlyTerms(RATE),
    )
    assert started.suspend().end(START).ended_on == START  # a suspended contract ends; the first day is allowed
    with pytest.raises(EngagementRuleError, match="cannot restart a closed engagement"):
        ended.restart()


@pytest.mark.parametrize(
    ("status", "ended_on", "message"),
    [
        (CLOSED, None, "a closed engagement records the day it ended"),
        (ACTIVE, dt.date(2026, 4, 1), "only a closed engagement has an end date, this one is active"),
        (SUSPENDED, dt.date(2026, 4, 1), "only a closed engagement has an end date, this one is suspended"),
        (
            CLOSED,
            dt.date(2026, 3, 1),
            "an engagement cannot end before it starts: ended on 2026-03-01, started on 2026-03-02",
        ),
        ("done", None, "unknown engagement status 'done'"),
    ],
)
def test_contract_state_must_hold_together(status, ended_on, message: str) -> None:
    with pytest.raises(EngagementRuleError, match=re.escape(message)):
        Contract(HourlyTerms(RATE), START, status, ended_on)


def test_ending_before_the_start_is_refused() -> None:
    with pytest.raises(EngagementRuleError, match="cannot end before it starts: ended on 2026-03-01"):
        Contract(FixedPriceTerms(Decimal(500)), START).end(dt.date(2026, 3, 1))


# --------------------------------------------------------------------------
# Terms: hourly needs a rate, fixed price an amount, money is Decimal in cents


@pytest.mark.parametrize(
    ("job_type", "values", "outcome"),
    [
        ("hourly", {"hourly_rate": RATE}, HourlyTerms(RATE)),
        (
            "hourly",
            {"hourly_rate": Decimal(30), "weekly_limit": Decimal("12.5")},
            HourlyTerms(Decimal(30), Decimal("12.5")),
        ),
        ("fixed-price", {"fixed_price": Decimal("750.00")}, FixedPriceTerms(Decimal(750))),
        (JobType.FIXED_PRICE, {"fixed_price": Decimal("0.01")}, FixedPriceTerms(Decimal("0.01"))),
        ("daily", {"hourly_rate": RATE}, "unknown job type 'daily': expected hourly or fixed-price"),
        ("hourly", {}, "an hourly contract needs an hourly rate"),
        ("hourly", {"hourly_rate": RATE, "fixed_price": Decimal(1)}, "an hourly contract has no fixed price"),
        ("fixed-price", {}, "a fixed-price contract needs a fixed price"),
        ("fixed-price", {"fixed_price": Decimal(1), "hourly_rate": RATE}, "a fixed-price contract has no hourly rate"),
        (
            "fixed-price",
            {"fixed_price": Decimal(1), "weekly_limit": Decimal(10)},
            "a fixed-price contract has no weekly",
        ),
        ("hourly", {"hourly_rate": 42.5}, "the hourly rate must be a Decimal, not float"),
        ("hourly", {"hourly_rate": 42}, "the hourly rate must be a Decimal, not int"),
        ("hourly", {"hourly_rate": "42.50"}, "the hourly rate must be a Decimal, not str"),
        ("hourly", {"hourly_rate": Decimal(0)}, "the hourly rate must be positive, got 0"),
        ("hourly", {"hourly_rate": Decimal("-10")}, "the hourly rate must be positive, got -10"),
        ("hourly", {"hourly_rate": Decimal("NaN")}, "the hourly rate must be positive, got NaN"),
        ("hourly", {"hourly_rate": Decimal("Infinity")}, "the hourly rate must be positive, got Infinity"),
        (
            "hourly",
            {"hourly_rate": Decimal("12.345")},
            "the hourly rate must have at most two decimal places, got 12.345",
        ),
        ("hourly", {"hourly_rate": RATE, "weekly_limit": Decimal(0)}, "the weekly limit must be positive, got 0"),
        ("hourly", {"hourly_rate": RATE, "weekly_limit": 40.0}, "the weekly limit must be a Decimal, not float"),
        ("fixed-price", {"fixed_price": 500.0}, "the fixed price must be a Decimal, not float"),
        ("fixed-price", {"fixed_price": Decimal("-750")}, "the fixed price must be positive, got -750"),
        ("fixed-price", {"fixed_price": Decimal("99.999")}, "the fixed price must have at most two decimal places"),
    ],
)
def test_contract_terms(job_type: str, values: dict, outcome: HourlyTerms | FixedPriceTerms | str) -> None:
    if isinstance(outcome, str):
        with pytest.raises(EngagementRuleError, match=re.escape(outcome)):
            contract_terms(job_type, **values)
    else:
        terms = contract_terms(job_type, **values)
        assert terms == outcome
        assert terms.job_type == job_type


@pytest.mark.parametrize(
    ("contract", "columns"),
    [
        (
            Contract(HourlyTerms(RATE, Decimal(20)), START),
            {
                "job_type": "hourly",
                "hourly_rate": RATE,
                "fixed_price": None,
                "weekly_limit": Decimal(20),
                "status": "active",
                "started_on": START,
                "ended_on": None,
            },
        ),
        (
            Contract(FixedPriceTerms(Decimal(750)), START).suspend().end(dt.date(2026, 5, 1)),
            {
                "job_type": "fixed-price",
                "hourly_rate": None,
                "fixed_price": Decimal(750),
                "weekly_limit": None,
                "status": "closed",
                "started_on": START,
                "ended_on": dt.date(2026, 5, 1),
            },
        ),
    ],
)
def test_columns_are_what_an_engagement_row_stores(contract: Contract, columns: dict) -> None:
    assert contract.columns() == columns
    assert all(type(value) is str for key, value in columns.items() if key in ("job_type", "status"))


# --------------------------------------------------------------------------
# The demo's engagements follow the rules


def test_demo_engagements_follow_the_rules(demo_database) -> None:
    url, _credentials = demo_database
    database = db.Database(url)
    try:
        with database.session() as session:
            rows = session.scalars(sa.select(Engagement).order_by(Engagement.id)).all()
            contracts = [Contract.of(row) for row in rows]
            for row, contract in zip(rows, contracts, strict=True):
                stored = {key: getattr(row, key) for key in contract.columns()}
                assert contract.columns() == stored, row
    finally:
        database.dispose()
    # The demo holds contracts in every status: running, suspended and ended.
    assert {c.status for c in contracts} == set(EngagementStatus)
    assert {c.job_type for c in contracts} == set(JobType)


def test_a_row_that_breaks_a_rule_is_named() -> None:
    row = Engagement(job_type="hourly", hourly_rate=None, started_on=START, status="active")
    with pytest.raises(EngagementRuleError, match="an hourly contract needs an hourly rate"):
        Contract.of(row)
