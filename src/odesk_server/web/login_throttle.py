"""The gate in front of every password check: failed-login throttling and a bound on hashing.

A page that checks a password (the authorize page, later the sign-in page)
does, in a sync function (never on the event loop)::

    attempt = LoginAttempt(login=username, address=client_host)
    check_allowed(engine, attempt)          # LoginRefused (429) while throttled
    with password_check_slot():             # LoginRefused (503) when hashing is saturated
        ok = verify_password(stored_hash, password)
    if ok:
        record_success(engine, attempt)
    else:
        record_failure(engine, attempt)

Throttling. Failures are counted per account name as typed (known or not,
so a refusal never tells which accounts exist) and per client address (an
IPv6 address counts for its /64). After ``ACCOUNT_FREE_FAILURES`` failures
of one name, or ``ADDRESS_FREE_FAILURES`` from one address, the next attempt
is refused until ``lockout_seconds`` after the last failure, a delay that
doubles with every further failure up to ``LOCKOUT_CAP``; a refused attempt
checks no password and counts nothing. A count starts again after
``FORGET_AFTER`` without a failure, and a successful login clears the
account's count (not the address's: one good account must not reset a
guesser's address). The counts live in the database
(``FailedLoginCounter``), so every worker process shares them; each
statement commits on its own, so no transaction holds two counters.

Hashing bound. argon2 is slow on purpose: at most ``PASSWORD_CHECK_CONCURRENCY``
checks run at once per process, so guessers cannot take every CPU from the
API. An attempt waits up to ``PASSWORD_CHECK_WAIT`` seconds for a slot and
is then refused (503, ``Retry-After``) rather than queued.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from odesk_server.db import retry_after_header
from odesk_server.models import FailedLoginCounter, UTCDateTime, utcnow

log = logging.getLogger(__name__)

ACCOUNT_FREE_FAILURES = 5
ADDRESS_FREE_FAILURES = 20
FIRST_LOCKOUT = dt.timedelta(seconds=2)
LOCKOUT_CAP = dt.timedelta(minutes=15)
FORGET_AFTER = dt.timedelta(hours=1)
PURGE_INTERVAL = 60.0  # seconds between deletions of forgotten counters, per process

PASSWORD_CHECK_CONCURRENCY = max(1, (os.cpu_count() or 2) // 2)
PASSWORD_CHECK_WAIT = 1.0  # seconds
BUSY_RETRY_AFTER = "1"  # seconds, for the Retry-After header

ACCOUNT = "account"
ADDRESS = "address"
_FREE_FAILURES = {ACCOUNT: ACCOUNT_FREE_FAILURES, ADDRESS: ADDRESS_FREE_FAILURES}


class LoginRefused(Exception):
    """A login attempt refused before its password was checked.

    ``status`` 429 (``login_throttled``) or 503 (``server_busy``), ``code``,
    a ``message`` for the user, and ``retry_after``, the ``Retry-After``
    header's value (whole seconds).
    """

    def __init__(self, status: int, code: str, message: str, retry_after: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after


@dataclass(frozen=True)
class LoginAttempt:
    """Who tries to log in: the account name as typed and the client's address."""

    login: str
    address: str

    def counter_keys(self) -> dict[str, str]:
        """scope -> key hash of the two counters this attempt counts against."""
        return {ACCOUNT: _key_hash(self.login.strip().casefold()), ADDRESS: _key_hash(_address_block(self.address))}


def _key_hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def _address_block(address: str) -> str:
    """The address a client is counted under: IPv4 as is, IPv6 by its /64 (one host gets a whole /64)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def lockout_seconds(failures: int, free_failures: int) -> float:
    """How long after the last failure the next attempt waits: 0 below ``free_failures``,
    then ``FIRST_LOCKOUT`` doubled for each failure beyond, at most ``LOCKOUT_CAP``."""
    if failures < free_failures:
        return 0.0
    doublings = min(failures - free_failures, 32)
    return min(FIRST_LOCKOUT.total_seconds() * 2**doublings, LOCKOUT_CAP.total_seconds())


def check_allowed(engine: Engine, attempt: LoginAttempt, now: dt.datetime | None = None) -> None:
    """Return when ``attempt`` may check a password; raise ``LoginRefused`` (429) while it is throttled."""
    now = now or utcnow()
    keys = attempt.counter_keys()
    with engine.connect() as connection:
        counters = connection.execute(
            sa.select(FailedLoginCounter.scope, FailedLoginCounter.failures, FailedLoginCounter.last_failure_at).where(
                sa.or_(
                    *(
                        sa.and_(FailedLoginCounter.scope == scope, FailedLoginCounter.key_hash == key)
                        for scope, key in keys.items()
                    )
                )
            )
        ).all()
    wait = 0.0
    for counter in counters:
        if counter.last_failure_at <= now - FORGET_AFTER:
            continue
        locked_until = counter.last_failure_at + dt.timedelta(
            seconds=lockout_seconds(counter.failures, _FREE_FAILURES[counter.scope])
        )
        wait = max(wait, (locked_until - now).total_seconds())
    if wait > 0:
        seconds = retry_after_header(wait)
        raise LoginRefused(
            429, "login_throttled", f"Too many failed sign-in attempts; try again in {seconds} seconds.", seconds
        )


# One statement per counter: insert it, or count one more failure (from 1
# again when the last one is older than FORGET_AFTER). Atomic on both
# backends, so concurrent failures are all counted.
_COUNT_FAILURE = sa.text(
    "INSERT INTO failed_login_counters (scope, key_hash, failures, last_failure_at) "
    "VALUES (:scope, :key_hash, 1, :now) "
    "ON CONFLICT (scope, key_hash) DO UPDATE SET "
    "failures = CASE WHEN failed_login_counters.last_failure_at > :forget_before "
    "THEN failed_login_counters.failures + 1 ELSE 1 END, "
    "last_failure_at = excluded.last_failure_at"
).bindparams(sa.bindparam("now", type_=UTCDateTime()), sa.bindparam("forget_before", type_=UTCDateTime()))


def record_failure(engine: Engine, attempt: LoginAttempt, now: dt.datetime | None = None) -> None:
    """Count a failed login (wrong password, unknown or inactive account) against its name and address."""
    now = now or utcnow()
    for scope, key in attempt.counter_keys().items():
        with engine.begin() as connection:
            connection.execute(
                _COUNT_FAILURE, {"scope": scope, "key_hash": key, "now": now, "forget_before": now - FORGET_AFTER}
            )
    _purge.maybe_run(engine, now)


def record_success(engine: Engine, attempt: LoginAttempt) -> None:
    """Clear the account name's count after a successful login (the address keeps its count)."""
    with engine.begin() as connection:
        connection.execute(
            sa.delete(FailedLoginCounter).where(
                FailedLoginCounter.scope == ACCOUNT, FailedLoginCounter.key_hash == attempt.counter_keys()[ACCOUNT]
            )
        )


def purge_forgotten(engine: Engine, now: dt.datetime | None = None) -> int:
    """Delete the counters whose last failure is older than ``FORGET_AFTER``; returns how many."""
    cutoff = (now or utcnow()) - FORGET_AFTER
    with engine.begin() as connection:
        result = connection.execute(sa.delete(FailedLoginCounter).where(FailedLoginCounter.last_failure_at < cutoff))
    return result.rowcount or 0


class _PurgeSchedule:
    """Runs ``purge_forgotten`` at most once per ``PURGE_INTERVAL`` in this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next = 0.0

    def maybe_run(self, engine: Engine, now: dt.datetime) -> None:
        if time.monotonic() < self._next or not self._lock.acquire(blocking=False):
            return
        try:
            self._next = time.monotonic() + PURGE_INTERVAL
            purge_forgotten(engine, now)
        except sa.exc.OperationalError as exc:
            # Two processes purging at once may deadlock on PostgreSQL; the next purge catches up.
            log.warning("purging failed-login counters failed: %s", exc)
        finally:
            self._lock.release()


_purge = _PurgeSchedule()
_password_checks = threading.BoundedSemaphore(PASSWORD_CHECK_CONCURRENCY)


@contextmanager
def password_check_slot() -> Iterator[None]:
    """Hold one of this process's ``PASSWORD_CHECK_CONCURRENCY`` password-check slots for the block.

    Waits up to ``PASSWORD_CHECK_WAIT`` seconds for a free slot, then
    raises ``LoginRefused`` (503 ``server_busy``). Call it from a worker
    thread, never on the event loop.
    """
    if not _password_checks.acquire(timeout=PASSWORD_CHECK_WAIT):
        raise LoginRefused(
            503, "server_busy", "The server is busy checking other sign-ins; try again in a moment.", BUSY_RETRY_AFTER
        )
    try:
        yield
    finally:
        _password_checks.release()
