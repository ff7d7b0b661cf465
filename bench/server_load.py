"""Many signed clients at once against a real ``odesk-server serve``: every request answered, none starved.

For each database (SQLite, PostgreSQL) the script loads the demo into a fresh
database with ``odesk-server demo --credentials-json`` (PostgreSQL: a new
database on the local cluster, dropped at the end), and for each worker count
starts ``odesk-server serve --workers N`` on a free loopback port. Then:

1. **baseline**: ``--clients`` concurrent clients for ``--duration`` seconds,
   each sending one request after the other. The mix (``request_mix``) is 80%
   HR calls (users/me, users, teams, team users, companies, company teams and
   users, user roles) and 20% reports (team, company, agency and provider time
   reports, buyer, provider and account financial reports, each a real ``tq``
   over a date range ending on the demo's last day), each through the demo
   role allowed to run it.
2. **with a backtracking regex**: the same, plus one client looping a team
   report whose ``tq`` is ``SELECT memo, hours WHERE memo matches '(.|.)*X'``
   (the hiring manager's), which exponential-time regex engines never finish.

Each run has a server of its own (started, warmed up for ``--warmup``
seconds, stopped), so a server stuck by the first run does not spoil the
second.

Every request is OAuth-signed by the ``odesk`` client's own signer
(``odesk.wire.sign``: its own nonce, header signature), ahead of the run as
far as the warm-up's rate says it will need (``SignedRequests``), so that
signing does not take CPU from the server during the run. A request gets
``--timeout`` seconds (total); one without an answer by then is
*unanswered*. The documented answer of an overloaded server is HTTP 503 with
``Retry-After`` and ``X-Odesk-Error-Code``; any other error status, or a
connection error, is an *undocumented error*. (The regex client's own answers
may also be that report's documented errors, e.g. 503 ``timeout`` or 400
``invalid_query``.)

Printed per run: requests, requests/s, p50 and p99 latency (all, HR,
reports), counts by status, unanswered and undocumented errors, and the load
generator's own CPU time; for the run with the regex client, the other
requests' p99 over the baseline's p99 measured just before on the same
database and worker count (goal: at most 2x) and the regex client's answers. Exit status 1 when
any request went unanswered or got an undocumented error.

    .venv/bin/python bench/server_load.py [--clients 64] [--duration 60] [--timeout 30]
        [--databases sqlite,postgresql] [--workers 1,2] [--warmup 3] [--pg-url URL] [--no-regex]

The load generator is one asyncio process (``run_load``: httpx.AsyncClient,
one coroutine per client); it shares the machine with the server, so each
run prints the CPU it used. ``tests/e2e/test_e2e_load.py`` runs a smaller
load through the same functions.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from odesk.wire import Credentials, build_request, sign  # noqa: E402
from tests.e2e.e2e_support import (  # noqa: E402
    COMMAND_TIMEOUT,
    ODESK_SERVER,
    clean_env,
    serve_supports_workers,
    start_serve,
    stop_process_group,
)

DEFAULT_PG_URL = os.environ.get("ODESK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
CLIENT_TIMEOUT = 30.0
P99_RATIO_GOAL = 2.0
HR = "hr"
REPORT = "report"
REGEX = "regex"

HR_BASE = "/api/hr/v2"
TIME_BASE = "/gds/timereports/v1"
FIN_BASE = "/gds/finreports/v2"
ENGINEERING_REPORT = f"{TIME_BASE}/companies/acme:acme/teams/acme:engineering"
BACKTRACKING_TQ = "SELECT memo, hours WHERE memo matches '(.|.)*X'"


# --------------------------------------------------------------------------
# What the clients send


@dataclass(frozen=True)
class Call:
    """One kind of request of the mix: a signed GET of ``path`` with ``params`` by demo role ``role``."""

    kind: str  # HR, REPORT or REGEX
    role: str
    path: str
    params: tuple[tuple[str, str], ...] = ()
    weight: int = 1


def request_mix(last_day: dt.date) -> tuple[Call, ...]:
    """The baseline mix, HR calls 80% of the weight and reports 20%; report periods end on ``last_day``.

    Each call is one its role may make (docs/permissions.md): every one answers 200.
    """

    def since(days: int) -> str:
        return (last_day - dt.timedelta(days=days)).isoformat()

    def period(field: str, days: int) -> str:
        return f"{field} >= '{since(days)}' AND {field} <= '{last_day.isoformat()}'"

    def tq(query: str) -> tuple[tuple[str, str], ...]:
        return (("tq", query),)

    hr = (
        Call(HR, "member", f"{HR_BASE}/users/me.json", weight=12),
        Call(HR, "provider", f"{HR_BASE}/users/me.json", weight=8),
        Call(HR, "owner", f"{HR_BASE}/teams.json", weight=10),
        Call(HR, "hiring_manager", f"{HR_BASE}/teams.json", weight=8),
        Call(HR, "owner", f"{HR_BASE}/companies.json", weight=6),
        Call(HR, "staffing_manager", f"{HR_BASE}/companies.json", weight=4),
        Call(HR, "owner", f"{HR_BASE}/companies/acme:acme/teams.json", weight=6),
        Call(HR, "owner", f"{HR_BASE}/companies/acme:acme/users.json", weight=4),
        Call(HR, "hiring_manager", f"{HR_BASE}/teams/acme:engineering.json", weight=6),
        Call(HR, "owner", f"{HR_BASE}/teams/acme:engineering/users.json", weight=6),
        Call(HR, "finance", f"{HR_BASE}/userroles.json", weight=6),
        Call(HR, "owner", f"{HR_BASE}/users/jwalker.json", weight=4),
    )
    reports = (
        Call(
            REPORT,
            "hiring_manager",
            ENGINEERING_REPORT + "/hours",
            tq(f"SELECT worked_on, provider_id, provider_name, sum(hours) WHERE {period('worked_on', 30)}"),
            4,
        ),
        Call(
            REPORT,
            "owner",
            f"{TIME_BASE}/companies/acme:acme/teams/acme:acme",
            tq(
                f"SELECT assignment_team_id, sum(hours), sum(charges) WHERE {period('worked_on', 90)} "
                "GROUP BY assignment_team_id"
            ),
            3,
        ),
        Call(
            REPORT,
            "finance",
            f"{TIME_BASE}/companies/acme:acme",
            tq(
                f"SELECT provider_id, sum(hours), sum(charges) WHERE {period('worked_on', 60)} "
                "ORDER BY sum(charges) DESC LIMIT 10"
            ),
            3,
        ),
        Call(
            REPORT,
            "staffing_manager",
            f"{TIME_BASE}/companies/brightcode:brightcode/agencies/brightcode:brightcode",
            tq(f"SELECT provider_id, sum(hours), sum(earnings) WHERE {period('worked_on', 60)}"),
            2,
        ),
        Call(
            REPORT,
            "provider",
            f"{TIME_BASE}/providers/jwalker",
            # a provider's time report has no money (the seed); his earnings are in the financial reports below
            tq(f"SELECT worked_on, task, sum(hours), sum(hours_online) WHERE {period('worked_on', 45)}"),
            3,
        ),
        Call(
            REPORT,
            "finance",
            f"{FIN_BASE}/buyer_teams/acme:engineering/billings",
            tq(f"SELECT type, subtype, sum(amount) WHERE {period('date', 120)}"),
            2,
        ),
        Call(
            REPORT,
            "owner",
            f"{FIN_BASE}/buyer_companies/acme:acme/billings",
            tq(f"SELECT month, sum(amount) WHERE {period('date', 180)}"),
            1,
        ),
        Call(
            REPORT,
            "provider",
            f"{FIN_BASE}/providers/jwalker/earnings",
            tq(f"SELECT date, type, amount WHERE {period('date', 120)} ORDER BY date"),
            1,
        ),
        Call(
            REPORT,
            "provider",
            f"{FIN_BASE}/financial_account_owner/jwalker",
            tq(f"SELECT type, sum(amount) WHERE {period('date', 365)}"),
            1,
        ),
    )
    return hr + reports


#: the extra client's report: exponential time for a backtracking regex engine on every memo
BACKTRACKING_CALL = Call(REGEX, "hiring_manager", ENGINEERING_REPORT, (("tq", BACKTRACKING_TQ),))


@dataclass(frozen=True)
class Demo:
    """What ``odesk-server demo --credentials-json`` wrote: consumer and role tokens."""

    base_url: str
    credentials: dict[str, Any]

    def signed(self, call: Call) -> httpx.Request:
        """``call`` as an httpx request carrying a fresh OAuth header signature (the client's signer)."""
        role = self.credentials["roles"][call.role]
        consumer = self.credentials["consumer"]
        keys = Credentials(consumer["key"], consumer["secret"], role["token"], role["token_secret"])
        return sign(build_request("GET", self.base_url + call.path, dict(call.params), keys))


# --------------------------------------------------------------------------
# Outcomes


@dataclass(frozen=True)
class Sample:
    """One request's fate. ``status`` is None when no HTTP answer came (``failure`` says why)."""

    kind: str
    seconds: float
    status: int | None
    error_code: str = ""  # X-Odesk-Error-Code
    retry_after: bool = False
    failure: str = ""  # "timeout" (unanswered within the client timeout) or a transport error's name

    @property
    def unanswered(self) -> bool:
        return self.failure == "timeout"

    @property
    def documented_503(self) -> bool:
        """The documented "overloaded / database unavailable" answer: 503 with Retry-After and an error code."""
        return self.status == 503 and self.retry_after and bool(self.error_code)

    @property
    def undocumented_error(self) -> bool:
        """An answer that is neither success nor a documented 503 (the regex client's report errors allowed)."""
        if self.status is None:
            return not self.unanswered
        if self.status < 400 or self.documented_503:
            return False
        # The regex report may be refused (400) or run out of its report time (503 timeout), as documented.
        return not (self.kind == REGEX and self.error_code and (self.status < 500 or self.status == 503))

    @property
    def label(self) -> str:
        if self.status is None:
            return self.failure
        if self.status < 400:
            return str(self.status)
        return f"{self.status} {self.error_code or '(no error code)'}{' +Retry-After' if self.retry_after else ''}"


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of ``values`` (sorted or not); 0.0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


@dataclass(frozen=True)
class LoadResult:
    """Every sample of one run, its wall time and the load generator's own CPU time."""

    samples: tuple[Sample, ...]
    seconds: float
    generator_cpu_seconds: float
    signed_late: int  # requests signed during the run (the others were signed before it)
    presigned: int = 0
    presign_seconds: float = 0.0  # the generator's CPU time signing them, before the run

    def of(self, *kinds: str) -> list[Sample]:
        return [s for s in self.samples if s.kind in kinds]

    @property
    def others(self) -> list[Sample]:
        """The mix's samples (not the regex client's)."""
        return self.of(HR, REPORT)

    def p99(self, *kinds: str) -> float:
        return percentile([s.seconds for s in self.of(*kinds)], 0.99)

    @property
    def unanswered(self) -> list[Sample]:
        return [s for s in self.samples if s.unanswered]

    @property
    def undocumented_errors(self) -> list[Sample]:
        return [s for s in self.samples if s.undocumented_error]

    @property
    def ok(self) -> bool:
        return not self.unanswered and not self.undocumented_errors

    def statuses(self, *kinds: str) -> Counter[str]:
        return Counter(s.label for s in self.of(*kinds))

    def describe(self) -> str:
        """The printed summary: throughput, latency by kind, statuses, failures, generator CPU."""
        others = self.others
        lines = [
            f"  {len(others)} requests in {self.seconds:.1f} s: {len(others) / self.seconds:.1f} req/s; "
            f"load generator CPU {self.generator_cpu_seconds / self.seconds:.0%} of a core "
            f"(+{self.presign_seconds:.1f} s before it signing {self.presigned} requests; "
            f"{self.signed_late} signed during the run)",
            f"  {'':<8} {'requests':>9} {'p50 ms':>9} {'p99 ms':>9}",
        ]
        for name, kinds in (("all", (HR, REPORT)), ("hr", (HR,)), ("reports", (REPORT,)), ("regex", (REGEX,))):
            times = [s.seconds for s in self.of(*kinds)]
            if times:
                lines.append(
                    f"  {name:<8} {len(times):9d} {percentile(times, 0.5) * 1000:9.1f} "
                    f"{percentile(times, 0.99) * 1000:9.1f}"
                )
        lines.append("  statuses: " + _counts(self.statuses(HR, REPORT)))
        if self.of(REGEX):
            lines.append("  regex client: " + _counts(self.statuses(REGEX)))
        lines.append(f"  unanswered: {len(self.unanswered)}, undocumented errors: {len(self.undocumented_errors)}")
        return "\n".join(lines)


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{label}: {count}" for label, count in sorted(counter.items())) or "none"


# --------------------------------------------------------------------------
# The load generator


class SignedRequests:
    """The mix's requests in a seeded weighted order, ``presigned`` of them signed before the run.

    Signing costs the generator about as much CPU as sending, and the
    generator shares the machine with the server: signed ahead, that CPU is
    not taken from the server during the run. Past the pre-signed ones, each
    request is signed when drawn (counted in ``signed_late``). Each carries
    its own nonce and a timestamp of when it was signed, which the server
    accepts for minutes (``ODESK_OAUTH_TIMESTAMP_WINDOW``).
    """

    def __init__(self, demo: Demo, mix: Sequence[Call], presigned: int, seed: int) -> None:
        self._demo = demo
        self._mix = list(mix)
        self._weights = [call.weight for call in mix]
        self._rng = random.Random(seed)
        self._ready = deque((call, demo.signed(call)) for call in self._draw(presigned))
        self.signed_late = 0

    def _draw(self, count: int) -> list[Call]:
        return self._rng.choices(self._mix, self._weights, k=count)

    def next(self) -> tuple[Call, httpx.Request]:
        if self._ready:
            return self._ready.popleft()
        self.signed_late += 1
        call = self._draw(1)[0]
        return call, self._demo.signed(call)


async def _send(http: httpx.AsyncClient, call: Call, request: httpx.Request, timeout: float) -> Sample:
    """Send ``request`` and wait at most ``timeout`` seconds in all for its answer; never raises."""
    started = time.perf_counter()
    try:
        response = await asyncio.wait_for(http.send(request), timeout)
    except TimeoutError:
        return Sample(call.kind, time.perf_counter() - started, None, failure="timeout")
    except httpx.TransportError as error:
        return Sample(call.kind, time.perf_counter() - started, None, failure=type(error).__name__)
    headers = response.headers
    return Sample(
        call.kind,
        time.perf_counter() - started,
        response.status_code,
        headers.get("X-Odesk-Error-Code", ""),
        "Retry-After" in headers,
    )


async def _load(
    demo: Demo, requests: SignedRequests, clients: int, seconds: float, timeout: float, regex_client: bool
) -> LoadResult:
    samples: list[Sample] = []
    late_before = requests.signed_late
    cpu_started = time.process_time()
    started = time.perf_counter()
    deadline = started + seconds

    def connection() -> httpx.AsyncClient:
        # One keep-alive connection per client, as many API clients have. It is never idle
        # long, so it does not race the server's keep-alive timeout (a reused connection the
        # server just closed would show up as a transport error that is no fault of the server's);
        # and a shared pool costs the generator CPU per request that grows with the clients.
        # httpx's own timeouts are off: asyncio.wait_for bounds each request's total time.
        return httpx.AsyncClient(limits=httpx.Limits(max_connections=1, max_keepalive_connections=1), timeout=None)

    async def client() -> None:
        async with connection() as http:
            while time.perf_counter() < deadline:
                call, request = requests.next()
                samples.append(await _send(http, call, request, timeout))

    async def backtracking_client() -> None:
        async with connection() as http:
            while time.perf_counter() < deadline:
                samples.append(await _send(http, BACKTRACKING_CALL, demo.signed(BACKTRACKING_CALL), timeout))

    workers = [client() for _ in range(clients)]
    if regex_client:
        workers.append(backtracking_client())
    await asyncio.gather(*workers)
    return LoadResult(
        tuple(samples),
        time.perf_counter() - started,
        time.process_time() - cpu_started,
        requests.signed_late - late_before,
    )


def run_load(
    demo: Demo,
    mix: Sequence[Call],
    *,
    clients: int,
    seconds: float,
    timeout: float = CLIENT_TIMEOUT,
    regex_client: bool = False,
    presigned: int = 0,
    seed: int = 2011,
) -> LoadResult:
    """``clients`` concurrent clients sending ``mix`` (weighted) for ``seconds``, plus the regex client if asked.

    ``presigned`` requests are signed before the clients start (see
    ``SignedRequests``; ``presign_count`` sizes it from an earlier run). A
    client starts no request after ``seconds``; the run ends when the last
    answer (or timeout) is in. Never raises for a failed request: each is a sample.
    """
    signing_started = time.process_time()
    requests = SignedRequests(demo, mix, presigned, seed)
    signing = time.process_time() - signing_started
    result = asyncio.run(_load(demo, requests, clients, seconds, timeout, regex_client))
    return replace(result, presigned=presigned, presign_seconds=signing)


def presign_count(warmup: LoadResult, seconds: float, clients: int) -> int:
    """How many requests to sign ahead for a run of ``seconds``: the warm-up's rate with room to spare."""
    return int(len(warmup.others) / warmup.seconds * seconds * 2) + 20 * clients


def check_mix(demo: Demo, mix: Sequence[Call], timeout: float = CLIENT_TIMEOUT) -> list[str]:
    """Send each call of ``mix`` once, one after the other; returns what did not answer 200 (empty: all did)."""
    problems = []
    with httpx.Client(timeout=timeout) as http:
        for call in mix:
            response = http.send(demo.signed(call))
            if response.status_code != 200:
                problems.append(
                    f"{call.role} GET {call.path} {dict(call.params)}: HTTP {response.status_code} "
                    f"{response.text[:300]}"
                )
    return problems


# --------------------------------------------------------------------------
# Databases and servers


@contextmanager
def fresh_database(kind: str, workdir: Path, pg_url: str) -> Iterator[str]:
    """A new empty database of ``kind``: a SQLite file in ``workdir``, or a PostgreSQL database dropped after."""
    if kind == "sqlite":
        yield f"sqlite:///{workdir / f'load-{uuid.uuid4().hex}.db'}"
        return
    name = f"odesk_load_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
        try:
            yield sa.make_url(pg_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def load_demo(database_url: str, workdir: Path) -> dict[str, Any]:
    """Run ``odesk-server demo --credentials-json`` on ``database_url``; returns that JSON document."""
    path = workdir / f"credentials-{uuid.uuid4().hex}.json"
    done = subprocess.run(
        [ODESK_SERVER, "demo", "--credentials-json", str(path)],
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        env={**clean_env(), "ODESK_DATABASE_URL": database_url},
    )
    if done.returncode != 0:
        raise RuntimeError(f"odesk-server demo failed ({done.returncode}):\n{done.stderr}")
    return json.loads(path.read_text())


@contextmanager
def serving(database_url: str, workers: int, log: Path) -> Iterator[str]:
    """``odesk-server serve --workers N`` on a free loopback port; yields its base URL, stops it after.

    Before the server has ``--workers`` (older builds) one worker is its default
    and the option is left out.
    """
    option = workers if workers != 1 or serve_supports_workers() else None
    proc, base_url, _ = start_serve(database_url, clean_env(), log, workers=option)
    try:
        yield base_url
    finally:
        stop_process_group(proc)


# --------------------------------------------------------------------------
# The benchmark


@dataclass(frozen=True)
class Outcome:
    database: str
    workers: int
    baseline: LoadResult
    with_regex: LoadResult | None

    @property
    def p99_ratio(self) -> float:
        base = self.baseline.p99(HR, REPORT)
        return self.with_regex.p99(HR, REPORT) / base if self.with_regex and base else math.nan

    @property
    def ok(self) -> bool:
        return self.baseline.ok and (self.with_regex is None or self.with_regex.ok)


def measured_run(
    title: str,
    database_url: str,
    workers: int,
    credentials: dict[str, Any],
    log: Path,
    args: argparse.Namespace,
    *,
    regex_client: bool,
) -> LoadResult:
    """One run on a server of its own (one stuck by an earlier run must not spoil the next): warm-up, then load."""
    with serving(database_url, workers, log) as base_url:
        demo = Demo(base_url, credentials)
        mix = request_mix(dt.datetime.now(dt.UTC).date())
        problems = check_mix(demo, mix, args.timeout)
        if problems:
            raise SystemExit("the request mix does not answer 200:\n" + "\n".join(problems))
        # Warm-up (connections, caches); its rate sizes the requests signed ahead.
        warmup = run_load(demo, mix, clients=args.clients, seconds=args.warmup, timeout=args.timeout, seed=1)
        print(f"\n{title}", flush=True)
        result = run_load(
            demo,
            mix,
            clients=args.clients,
            seconds=args.duration,
            timeout=args.timeout,
            regex_client=regex_client,
            presigned=presign_count(warmup, args.duration, args.clients),
        )
    print(result.describe(), flush=True)
    if not result.ok:
        text = log.read_text(errors="replace")
        tail = "\n".join("    " + line for line in text.splitlines()[-5:])
        print(f"  server log: {text.count('Traceback')} tracebacks; it ends with:\n{tail}")
    return result


def measure(
    database: str, workers: int, database_url: str, credentials: dict[str, Any], workdir: Path, args: argparse.Namespace
) -> Outcome:
    title = f"{database}, {workers} worker{'s' if workers > 1 else ''}, {args.clients} clients, {args.duration:g} s"
    baseline = measured_run(
        f"{title}: baseline",
        database_url,
        workers,
        credentials,
        workdir / f"serve-{database}-{workers}.log",
        args,
        regex_client=False,
    )
    with_regex = None
    if args.regex:
        with_regex = measured_run(
            f"{title}: with the backtracking regex client",
            database_url,
            workers,
            credentials,
            workdir / f"serve-{database}-{workers}-regex.log",
            args,
            regex_client=True,
        )
    outcome = Outcome(database, workers, baseline, with_regex)
    if with_regex is not None:
        print(
            f"  other requests' p99 with the regex client / without: {outcome.p99_ratio:.2f}x "
            f"(goal <= {P99_RATIO_GOAL:g}x)"
        )
    return outcome


def print_summary(outcomes: Sequence[Outcome]) -> None:
    print(
        f"\n{'database':<11} {'workers':>7} {'req/s':>8} {'p99 ms':>8} {'hr p99':>8} {'rep p99':>8} "
        f"{'503 doc':>7} {'unans.':>6} {'undoc.':>6} {'regex p99x':>10} {'ok':>4}"
    )
    for o in outcomes:
        b = o.baseline
        documented = sum(s.documented_503 for s in b.others)
        regex = o.with_regex
        print(
            f"{o.database:<11} {o.workers:7d} {len(b.others) / b.seconds:8.1f} {b.p99(HR, REPORT) * 1000:8.1f} "
            f"{b.p99(HR) * 1000:8.1f} {b.p99(REPORT) * 1000:8.1f} {documented:7d} "
            f"{len(b.unanswered) + (len(regex.unanswered) if regex else 0):6d} "
            f"{len(b.undocumented_errors) + (len(regex.undocumented_errors) if regex else 0):6d} "
            f"{'-' if math.isnan(o.p99_ratio) else f'{o.p99_ratio:.2f}x':>10} {'yes' if o.ok else 'NO':>4}"
        )


def _csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=64, help="concurrent clients (default 64)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per run (default 60)")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds before each server's runs")
    parser.add_argument("--timeout", type=float, default=CLIENT_TIMEOUT, help="seconds a request may take (default 30)")
    parser.add_argument("--databases", type=_csv, default=["sqlite", "postgresql"], help="default sqlite,postgresql")
    parser.add_argument(
        "--workers",
        type=lambda text: [int(n) for n in _csv(text)],
        default=[1, 2],
        help="uvicorn worker counts (default 1,2)",
    )
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="PostgreSQL cluster to create the database on")
    parser.add_argument("--no-regex", dest="regex", action="store_false", help="skip the backtracking regex runs")
    args = parser.parse_args(argv)
    unknown = set(args.databases) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown database {', '.join(sorted(unknown))} (sqlite, postgresql)")

    if not serve_supports_workers() and any(n != 1 for n in args.workers):
        print("odesk-server serve has no --workers option yet: measuring 1 worker only")
        args.workers = [1]

    outcomes = []
    with tempfile.TemporaryDirectory(prefix="odesk-load-") as tmp:
        workdir = Path(tmp)
        for database in args.databases:
            with fresh_database(database, workdir, args.pg_url) as database_url:
                print(f"loading the demo into a fresh {database} database ...", flush=True)
                credentials = load_demo(database_url, workdir)
                for workers in args.workers:
                    outcomes.append(measure(database, workers, database_url, credentials, workdir, args))
        print_summary(outcomes)
    failed = [o for o in outcomes if not o.ok]
    print(
        "\nevery request answered, no undocumented error"
        if not failed
        else f"\nFAILED: unanswered requests or undocumented errors in {len(failed)} configuration(s)"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
