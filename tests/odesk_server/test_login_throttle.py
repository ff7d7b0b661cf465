"""The login throttle (``odesk_server.web.login_throttle``): its function API and the authorize page behind it.

The rules, as the tests read them: after ``ACCOUNT_FREE_FAILURES`` failures
of one account name, or ``ADDRESS_FREE_FAILURES`` from one address, an
attempt is refused (429, ``Retry-After``) for a delay that doubles with each
further failure, without any password being checked; the state is in the
database, so it holds across server processes; a success clears the
account's count. Time is passed in (``now=``) or moved by editing the
counters, never waited for.
"""

from __future__ import annotations

import datetime as dt
import threading
from contextlib import ExitStack

import pytest
import sqlalchemy as sa
from authorize_browser import (
    assert_page_error,
    counting_hasher,  # noqa: F401 - a fixture
    open_form,
    request_token,
)
from oauth_signing import served_app

from odesk_server import db
from odesk_server.models import FailedLoginCounter
from odesk_server.web import login_throttle
from odesk_server.web.login_throttle import (
    ACCOUNT,
    ACCOUNT_FREE_FAILURES,
    ADDRESS,
    ADDRESS_FREE_FAILURES,
    FIRST_LOCKOUT,
    FORGET_AFTER,
    LOCKOUT_CAP,
    LoginAttempt,
    LoginRefused,
    check_allowed,
    lockout_seconds,
    purge_forgotten,
    record_failure,
    record_success,
)

T0 = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)
FIRST = FIRST_LOCKOUT.total_seconds()
CAP = LOCKOUT_CAP.total_seconds()


@pytest.mark.parametrize(
    ("failures", "free", "seconds"),
    [
        (0, 5, 0),
        (4, 5, 0),
        (5, 5, FIRST),
        (6, 5, 2 * FIRST),
        (8, 5, 8 * FIRST),
        (20, 20, FIRST),
        (5 + 30, 5, CAP),
        (10_000, 5, CAP),
    ],
)
def test_lockout_doubles_after_the_free_failures_up_to_the_cap(failures: int, free: int, seconds: float) -> None:
    assert lockout_seconds(failures, free) == seconds


@pytest.mark.parametrize(
    ("address", "counted_as"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
        ("testclient", "testclient"),
    ],
)
def test_addresses_are_counted_by_host_or_ipv6_64(address: str, counted_as: str) -> None:
    assert LoginAttempt("x", address).counter_keys()[ADDRESS] == LoginAttempt("x", counted_as).counter_keys()[ADDRESS]


@pytest.fixture
def engine(migrated_database_url: str):
    engine = db.create_engine(migrated_database_url)
    yield engine
    engine.dispose()


def _fail(engine, attempt: LoginAttempt, times: int, at: dt.datetime = T0) -> None:
    for _ in range(times):
        record_failure(engine, attempt, now=at)


def _refusal(engine, attempt: LoginAttempt, at: dt.datetime) -> LoginRefused | None:
    try:
        check_allowed(engine, attempt, now=at)
    except LoginRefused as refused:
        return refused
    return None


def test_an_account_is_locked_after_its_free_failures_whatever_the_address(engine) -> None:
    guess = LoginAttempt("jsmith", "192.0.2.1")
    _fail(engine, guess, ACCOUNT_FREE_FAILURES - 1)
    assert _refusal(engine, guess, T0) is None
    _fail(engine, guess, 1)
    refused = _refusal(engine, LoginAttempt(" JSmith ", "198.51.100.9"), T0)  # same name as typed, other address
    assert refused is not None
    assert (refused.status, refused.code, refused.retry_after) == (429, "login_throttled", str(int(FIRST)))
    assert refused.message == f"Too many failed sign-in attempts; try again in {int(FIRST)} seconds."
    assert _refusal(engine, LoginAttempt("someone-else", "192.0.2.1"), T0) is None
    assert _refusal(engine, guess, T0 + FIRST_LOCKOUT) is None

    _fail(engine, guess, 1, at=T0 + FIRST_LOCKOUT)  # one more: twice as long
    assert _refusal(engine, guess, T0 + FIRST_LOCKOUT).retry_after == str(int(2 * FIRST))
    assert _refusal(engine, guess, T0 + 3 * FIRST_LOCKOUT) is None


def test_an_address_is_locked_after_its_free_failures_whatever_the_name(engine) -> None:
    for n in range(ADDRESS_FREE_FAILURES):
        record_failure(engine, LoginAttempt(f"user{n}", "192.0.2.1"), now=T0)
    refused = _refusal(engine, LoginAttempt("fresh-name", "192.0.2.1"), T0 + dt.timedelta(seconds=0.5))
    assert refused is not None and refused.retry_after == "2"  # 1.5 s rounded up
    assert _refusal(engine, LoginAttempt("fresh-name", "192.0.2.2"), T0) is None


def test_a_success_clears_the_account_but_not_the_address(engine) -> None:
    attempt = LoginAttempt("jsmith", "192.0.2.1")
    _fail(engine, attempt, ACCOUNT_FREE_FAILURES)
    for n in range(ADDRESS_FREE_FAILURES - ACCOUNT_FREE_FAILURES):
        record_failure(engine, LoginAttempt(f"user{n}", "192.0.2.1"), now=T0)
    record_success(engine, attempt)
    with engine.connect() as conn:
        left = dict(conn.execute(sa.select(FailedLoginCounter.scope, FailedLoginCounter.failures)).all())
    assert left[ADDRESS] == ADDRESS_FREE_FAILURES
    assert _refusal(engine, LoginAttempt("jsmith", "198.51.100.9"), T0) is None
    assert _refusal(engine, attempt, T0) is not None  # the address still is locked


def test_counts_start_again_after_a_quiet_period_and_are_purged(engine) -> None:
    attempt = LoginAttempt("jsmith", "192.0.2.1")
    _fail(engine, attempt, ACCOUNT_FREE_FAILURES + 10)
    later = T0 + FORGET_AFTER + dt.timedelta(seconds=1)
    assert _refusal(engine, attempt, later) is None
    _fail(engine, LoginAttempt("jsmith", "198.51.100.9"), 1, at=later)
    with engine.connect() as conn:
        counts = dict(
            conn.execute(
                sa.select(FailedLoginCounter.scope, FailedLoginCounter.failures).where(
                    FailedLoginCounter.last_failure_at == later
                )
            ).all()
        )
    assert counts == {ACCOUNT: 1, ADDRESS: 1}
    # (record_failure may have purged already: at most once a minute per process)
    purge_forgotten(engine, now=later)
    with engine.connect() as conn:
        assert set(conn.execute(sa.select(FailedLoginCounter.last_failure_at)).scalars()) == {later}
    purge_forgotten(engine, now=later + FORGET_AFTER + dt.timedelta(seconds=1))
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(FailedLoginCounter)).scalar() == 0


def test_concurrent_failures_are_all_counted(engine) -> None:
    attempt = LoginAttempt("jsmith", "192.0.2.1")
    start = threading.Barrier(8)

    def guess() -> None:
        start.wait()
        for _ in range(5):
            record_failure(engine, attempt, now=T0)

    threads = [threading.Thread(target=guess) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with engine.connect() as conn:
        counts = set(conn.execute(sa.select(FailedLoginCounter.failures)).scalars())
    assert counts == {40}


# --------------------------------------------------------------------------
# On the authorize page


def _move_counters_back(url: str, by: dt.timedelta) -> None:
    engine = db.create_engine(url)
    with engine.begin() as conn:
        rows = conn.execute(
            sa.select(FailedLoginCounter.scope, FailedLoginCounter.key_hash, FailedLoginCounter.last_failure_at)
        ).all()
        for row in rows:
            conn.execute(
                sa.update(FailedLoginCounter)
                .where(FailedLoginCounter.scope == row.scope, FailedLoginCounter.key_hash == row.key_hash)
                .values(last_failure_at=row.last_failure_at - by)
            )
    engine.dispose()


def _counters(url: str) -> dict[str, int]:
    engine = db.create_engine(url)
    with engine.connect() as conn:
        found = dict(conn.execute(sa.select(FailedLoginCounter.scope, FailedLoginCounter.failures)).all())
    engine.dispose()
    return found


@pytest.mark.parametrize("username", ["mhale", "nobody"])  # known or not, the same answers
def test_the_page_throttles_an_account_without_checking_the_password(
    mutable_demo_database, counting_hasher, username: str
) -> None:
    url, credentials = mutable_demo_database
    with served_app(url) as client:
        form = open_form(client, request_token(client, credentials))
        for _ in range(ACCOUNT_FREE_FAILURES):
            refused = form.submit(username, "wrong-password")
            assert_page_error(refused, 401, "login_failed", "Wrong user id or password.")
        assert len(counting_hasher.verifications) == ACCOUNT_FREE_FAILURES

        throttled = form.submit(username, credentials.password)  # even the right password
        assert_page_error(throttled, 429, "login_throttled", "Too many failed sign-in attempts; try again in")
        assert 1 <= int(throttled.headers["retry-after"]) <= FIRST
        assert throttled.headers["x-odesk-error-message"].startswith("Too many failed sign-in attempts")
        assert 'name="password"' in throttled.text  # the form again, to try later
        assert len(counting_hasher.verifications) == ACCOUNT_FREE_FAILURES  # no password checked

        _move_counters_back(url, FIRST_LOCKOUT)
        if username == "mhale":
            answer = form.submit(username, credentials.password)
            assert answer.status_code == 200 and 'id="oauth_verifier"' in answer.text
            assert _counters(url) == {ADDRESS: ACCOUNT_FREE_FAILURES}  # the account's count is cleared
        else:
            assert_page_error(form.submit(username, "x"), 401, "login_failed", "Wrong user id or password.")
            assert _counters(url) == {ACCOUNT: ACCOUNT_FREE_FAILURES + 1, ADDRESS: ACCOUNT_FREE_FAILURES + 1}


def test_the_page_throttles_an_address(mutable_demo_database, counting_hasher) -> None:
    url, credentials = mutable_demo_database
    engine = db.create_engine(url)
    for n in range(ADDRESS_FREE_FAILURES):
        record_failure(engine, LoginAttempt(f"guess{n}", "testclient"))  # TestClient's address
    engine.dispose()
    with served_app(url) as client:
        form = open_form(client, request_token(client, credentials))
        response = form.submit("mhale", credentials.password)
    assert_page_error(response, 429, "login_throttled", "Too many failed sign-in attempts")
    assert counting_hasher.verifications == []


def test_the_throttle_holds_across_server_processes(mutable_demo_database, counting_hasher) -> None:
    # Two apps over one database stand for two uvicorn workers: nothing is shared but the database.
    url, credentials = mutable_demo_database
    with served_app(url) as first, served_app(url) as second:
        form = open_form(first, request_token(first, credentials))
        for _ in range(ACCOUNT_FREE_FAILURES):
            form.submit("mhale", "wrong-password")
        other = open_form(second, request_token(second, credentials))
        assert_page_error(other.submit("mhale", credentials.password), 429, "login_throttled", "try again in")


def test_a_login_waits_briefly_for_a_busy_hasher_then_gets_503(
    mutable_demo_database, counting_hasher, monkeypatch
) -> None:
    url, credentials = mutable_demo_database
    monkeypatch.setattr(login_throttle, "PASSWORD_CHECK_WAIT", 0.05)
    with served_app(url) as client:
        form = open_form(client, request_token(client, credentials))
        with ExitStack() as slots:
            for _ in range(login_throttle.PASSWORD_CHECK_CONCURRENCY):
                slots.enter_context(login_throttle.password_check_slot())
            busy = form.submit("mhale", credentials.password)
        assert_page_error(busy, 503, "server_busy", "The server is busy checking other sign-ins")
        assert busy.headers["retry-after"] == "1"
        assert counting_hasher.verifications == []
        assert _counters(url) == {}  # no password checked, nothing counted
        answer = form.submit("mhale", credentials.password)  # the slots are free again
    assert answer.status_code == 200 and 'id="oauth_verifier"' in answer.text
