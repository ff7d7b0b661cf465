"""The rules of an engagement (a contract): its terms and the states it goes through.

An engagement is hourly or fixed price (``JobType``), and its terms say so:

- ``HourlyTerms``: a positive hourly rate in whole cents and an optional
  weekly limit in hours, to the hundredth (no limit when ``None``);
- ``FixedPriceTerms``: the positive amount agreed, in whole cents (the
  API's ``fixed_charge_amount_agreed``).

Money and hours are ``Decimal``; a float is refused, never rounded.

A contract starts active. The buyer may suspend and restart it (the API's
``suspend_contract`` and ``restart_contract``) and end it (``end_contract``),
which closes it and records the day it ended. A closed contract is final::

    active --suspend--> suspended --restart--> active
    active | suspended --end--> closed

``Contract`` holds the state and the terms of one engagement, and each move
returns a new ``Contract``; ``Contract.columns()`` gives the ``Engagement``
columns the rules decide. Every broken rule raises ``EngagementRuleError``
with a message that names it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from odesk_server.models import Engagement
from odesk_server.problems import Invalid


class EngagementRuleError(Invalid, ValueError):
    """A rule of engagements was broken; the message says which (an endpoint answers it 400 ``bad_request``)."""


class EngagementStatus(StrEnum):
    """The statuses of an engagement (``Engagement.status``)."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    CLOSED = "closed"


class JobType(StrEnum):
    """How an engagement is paid (``Engagement.job_type``)."""

    HOURLY = "hourly"
    FIXED_PRICE = "fixed-price"


class Move(StrEnum):
    """What may happen to a running contract (the API's suspend, restart and end)."""

    SUSPEND = "suspend"
    RESTART = "restart"
    END = "end"


# The allowed moves, the only ones: what a contract becomes, from what.
TRANSITIONS: dict[tuple[EngagementStatus, Move], EngagementStatus] = {
    (EngagementStatus.ACTIVE, Move.SUSPEND): EngagementStatus.SUSPENDED,
    (EngagementStatus.SUSPENDED, Move.RESTART): EngagementStatus.ACTIVE,
    (EngagementStatus.ACTIVE, Move.END): EngagementStatus.CLOSED,
    (EngagementStatus.SUSPENDED, Move.END): EngagementStatus.CLOSED,
}

# Why a move missing from TRANSITIONS is refused (on an engagement that is not closed).
_REFUSALS = {
    Move.SUSPEND: "only an active engagement can be suspended",
    Move.RESTART: "only a suspended engagement can be restarted",
}


def next_status(status: EngagementStatus | str, move: Move | str) -> EngagementStatus:
    """The status an engagement in ``status`` takes after ``move``.

    Raises ``EngagementRuleError`` for an unknown status or move, and for a
    move the status does not allow (anything on a closed engagement, a
    suspend that is not from active, a restart that is not from suspended).
    """
    current = _status(status)
    try:
        action = Move(move)
    except ValueError:
        raise EngagementRuleError(f"unknown move {move!r}: expected suspend, restart or end") from None
    if current is EngagementStatus.CLOSED:
        raise EngagementRuleError(f"cannot {action} a closed engagement: a closed engagement is final")
    after = TRANSITIONS.get((current, action))
    if after is None:
        raise EngagementRuleError(f"cannot {action} an engagement that is {current}: {_REFUSALS[action]}")
    return after


# --------------------------------------------------------------------------
# Terms


@dataclass(frozen=True)
class HourlyTerms:
    """An hourly contract: the rate per hour, and the most hours a week the buyer pays (None: no limit)."""

    hourly_rate: Decimal
    weekly_limit: Decimal | None = None

    def __post_init__(self) -> None:
        _check_amount("the hourly rate", self.hourly_rate)
        if self.weekly_limit is not None:
            _check_amount("the weekly limit", self.weekly_limit)

    @property
    def job_type(self) -> JobType:
        return JobType.HOURLY


@dataclass(frozen=True)
class FixedPriceTerms:
    """A fixed-price contract: the amount agreed for the whole work."""

    amount: Decimal

    def __post_init__(self) -> None:
        _check_amount("the fixed price", self.amount)

    @property
    def job_type(self) -> JobType:
        return JobType.FIXED_PRICE


Terms = HourlyTerms | FixedPriceTerms


def contract_terms(
    job_type: JobType | str,
    *,
    hourly_rate: Decimal | None = None,
    weekly_limit: Decimal | None = None,
    fixed_price: Decimal | None = None,
) -> Terms:
    """The terms of a contract of ``job_type`` from the values an offer or a row carries.

    An hourly contract needs ``hourly_rate`` and may have ``weekly_limit``;
    a fixed-price one needs ``fixed_price`` and has neither of the others.
    Raises ``EngagementRuleError`` for an unknown job type, a missing or
    extra value, or a value that is not a positive ``Decimal`` with at most two decimals.
    """
    try:
        kind = JobType(job_type)
    except ValueError:
        raise EngagementRuleError(f"unknown job type {job_type!r}: expected hourly or fixed-price") from None
    if kind is JobType.HOURLY:
        if hourly_rate is None:
            raise EngagementRuleError("an hourly contract needs an hourly rate")
        if fixed_price is not None:
            raise EngagementRuleError("an hourly contract has no fixed price")
        return HourlyTerms(hourly_rate, weekly_limit)
    if fixed_price is None:
        raise EngagementRuleError("a fixed-price contract needs a fixed price")
    if hourly_rate is not None:
        raise EngagementRuleError("a fixed-price contract has no hourly rate")
    if weekly_limit is not None:
        raise EngagementRuleError("a fixed-price contract has no weekly limit")
    return FixedPriceTerms(fixed_price)


# --------------------------------------------------------------------------
# The contract


@dataclass(frozen=True)
class Contract:
    """The terms and the state of one engagement; each move returns a new ``Contract``.

    ``ended_on`` is set exactly when the contract is closed, and is never
    before ``started_on``. Construction raises ``EngagementRuleError`` when
    these do not hold.
    """

    terms: Terms
    started_on: dt.date
    status: EngagementStatus = EngagementStatus.ACTIVE
    ended_on: dt.date | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", _status(self.status))
        if self.status is EngagementStatus.CLOSED and self.ended_on is None:
            raise EngagementRuleError("a closed engagement records the day it ended")
        if self.status is not EngagementStatus.CLOSED and self.ended_on is not None:
            raise EngagementRuleError(f"only a closed engagement has an end date, this one is {self.status}")
        if self.ended_on is not None and self.ended_on < self.started_on:
            raise EngagementRuleError(
                f"an engagement cannot end before it starts: ended on {self.ended_on.isoformat()}, "
                f"started on {self.started_on.isoformat()}"
            )

    @classmethod
    def of(cls, engagement: Engagement) -> Contract:
        """The contract an ``Engagement`` row holds; raises ``EngagementRuleError`` if the row breaks a rule."""
        terms = contract_terms(
            engagement.job_type,
            hourly_rate=engagement.hourly_rate,
            weekly_limit=engagement.weekly_limit,
            fixed_price=engagement.fixed_price,
        )
        return cls(terms, engagement.started_on, _status(engagement.status), engagement.ended_on)

    @property
    def job_type(self) -> JobType:
        return self.terms.job_type

    def suspend(self) -> Contract:
        """The contract suspended; raises ``EngagementRuleError`` unless it is active."""
        return dataclasses.replace(self, status=next_status(self.status, Move.SUSPEND))

    def restart(self) -> Contract:
        """The contract active again; raises ``EngagementRuleError`` unless it is suspended."""
        return dataclasses.replace(self, status=next_status(self.status, Move.RESTART))

    def end(self, on: dt.date) -> Contract:
        """The contract closed on the day ``on``.

        Raises ``EngagementRuleError`` if it is already closed or ``on`` is
        before the day it started.
        """
        return dataclasses.replace(self, status=next_status(self.status, Move.END), ended_on=on)

    def columns(self) -> dict[str, object]:
        """The ``Engagement`` columns these rules decide, as they are stored."""
        terms = self.terms
        amounts: dict[str, Decimal | None]
        if isinstance(terms, HourlyTerms):
            amounts = {"hourly_rate": terms.hourly_rate, "fixed_price": None, "weekly_limit": terms.weekly_limit}
        else:
            amounts = {"hourly_rate": None, "fixed_price": terms.amount, "weekly_limit": None}
        return {
            "job_type": self.job_type.value,
            **amounts,
            "status": self.status.value,
            "started_on": self.started_on,
            "ended_on": self.ended_on,
        }


# --------------------------------------------------------------------------
# Checks


def _status(status: EngagementStatus | str) -> EngagementStatus:
    try:
        return EngagementStatus(status)
    except ValueError:
        raise EngagementRuleError(
            f"unknown engagement status {status!r}: expected active, suspended or closed"
        ) from None


def _check_amount(name: str, value: object) -> None:
    """Refuse what is not a positive, finite ``Decimal`` with at most two decimals (the columns' scale)."""
    if not isinstance(value, Decimal):
        raise EngagementRuleError(f"{name} must be a Decimal, not {type(value).__name__}")
    if not value.is_finite() or value <= 0:
        raise EngagementRuleError(f"{name} must be positive, got {value}")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise EngagementRuleError(f"{name} must have at most two decimal places, got {value}")
