"""The time reports at scale: signed reports over HTTP against the same query written by hand in SQL.

Usage::

    .venv/bin/python bench/server_reports.py --scale 1000000 [--database-url URL]
        [--rounds 15] [--clients 8] [--workers 2] [--seconds 20]

Fills the database with ``odesk-server demo --scale N`` (the demo
organisation grown to about N time logs and their invoices; end date
2026-06-30, so every run has the same rows) and prints how long that took.
Without ``--database-url`` it is a SQLite file in a temporary directory; a
URL given must name an empty database, or one this script (or ``demo --scale
N --end-date 2026-06-30``) filled before, which is then used as it is.

Then it serves the database with ``odesk-server serve --workers W`` and, for
each of three reports, the team report (the documented sample query over a
month, as the hiring manager, who supervises Engineering and Mobile), the
company report (hours and charges per team and month over a year, as the
finance user) and the provider report (a year of a provider's own days and
tasks):

1. one at a time, alternating, ``--rounds`` times each: the OAuth-signed GET
   over HTTP (everything: signature, nonce, permission checks, the query
   through gvizql, the rendering, the transfer), and the same query written
   by hand in SQL for that caller's rows, run directly on a connection of
   the same engine settings (the driver's execute and fetchall). Printed:
   both medians and their ratio (the target is at most 1.3), after checking
   that both answer the same number of rows and the same total of hours;
2. ``--clients`` concurrent clients sending that report for ``--seconds``:
   requests per second, p50 and p99.

Every ratio is measured in this one run on this one database. The machine's
load average is printed with each phase: on a shared machine the absolute
times move, the ratios much less.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote, urlencode

import httpx
import sqlalchemy as sa
from oauthlib.oauth1 import SIGNATURE_TYPE_QUERY
from oauthlib.oauth1 import Client as OAuthClient

from odesk_server import db
from odesk_server.demo import DemoCredentials, database_is_empty, load_demo, stored_demo_credentials
from odesk_server.models import Company, Team, TimeLog, User

END_DATE = dt.date(2026, 6, 30)
MONTH = ("2026-05-01", "2026-05-31")
YEAR = ("2025-07-01", "2026-06-30")


@dataclass(frozen=True)
class Report:
    """One report: who asks, its URL and query, and the same question in SQL (``:names`` bound per database)."""

    name: str
    role: str
    path: str
    tq: str
    sql: str
    hours_column: int  # the column of the answer holding hours (to compare totals)


def month_of(dialect: str, column: str) -> str:
    if dialect == "sqlite":
        return f"date({column}, 'start of month')"
    return f"CAST(date_trunc('month', {column}) AS DATE)"


def reports(dialect: str) -> list[Report]:
    return [
        Report(
            "team",
            "hiring_manager",
            "/gds/timereports/v1/companies/acme:acme/teams/acme:engineering",
            "SELECT worked_on, provider_id, provider_name, sum(hours) "
            f"WHERE worked_on >= '{MONTH[0]}' AND worked_on <= '{MONTH[1]}'",
            # The hiring manager supervises Engineering and Mobile: a query naming providers covers those.
            "SELECT t.worked_on, p.uid, p.first_name || ' ' || p.last_name, sum(t.hours_online + t.hours_offline) "
            "FROM time_logs t JOIN engagements e ON e.id = t.engagement_id JOIN users p ON p.id = e.provider_user_id "
            "WHERE e.buyer_team_id IN (:engineering, :mobile) AND t.worked_on >= :month_from AND t.worked_on <= :month_to "
            "GROUP BY t.worked_on, p.uid, p.first_name, p.last_name ORDER BY t.worked_on, p.uid",
            3,
        ),
        Report(
            "company",
            "finance",
            "/gds/timereports/v1/companies/acme:acme",
            "SELECT team_id, month_worked_on, sum(hours), sum(charges) "
            f"WHERE worked_on >= '{YEAR[0]}' AND worked_on <= '{YEAR[1]}'",
            f"SELECT bt.team_id, {month_of(dialect, 't.worked_on')} AS month, "
            "sum(t.hours_online + t.hours_offline), sum(t.charges_online + t.charges_offline) "
            "FROM time_logs t JOIN engagements e ON e.id = t.engagement_id JOIN teams bt ON bt.id = e.buyer_team_id "
            "WHERE bt.company_id = :acme AND t.worked_on >= :year_from AND t.worked_on <= :year_to "
            "GROUP BY bt.team_id, month ORDER BY bt.team_id, month",
            2,
        ),
        Report(
            "provider",
            "provider",
            "/gds/timereports/v1/providers/jwalker",
            f"SELECT worked_on, task, sum(hours) WHERE worked_on >= '{YEAR[0]}' AND worked_on <= '{YEAR[1]}'",
            "SELECT t.worked_on, t.task, sum(t.hours_online + t.hours_offline) "
            "FROM time_logs t JOIN engagements e ON e.id = t.engagement_id "
            "WHERE e.provider_user_id = :jwalker AND t.worked_on >= :year_from AND t.worked_on <= :year_to "
            "GROUP BY t.worked_on, t.task ORDER BY t.worked_on, t.task",
            2,
        ),
    ]


# --- the database ---------------------------------------------------------------------------


def prepare(url: str, scale: int) -> DemoCredentials:
    """The scale demo in ``url``: built when the database is empty, reused when it holds one of about ``scale``."""
    with db.engine_for(url) as engine:
        db.migrate(engine)
        if not database_is_empty(engine):
            credentials = stored_demo_credentials(engine)
            with engine.connect() as conn:
                logs = conn.scalar(sa.select(sa.func.count()).select_from(TimeLog)) or 0
            if credentials is None or abs(logs - scale) > scale * 0.05:
                sys.exit(f"{url} holds other data ({logs:,} time logs): give an empty database or the same --scale")
            print(f"database: {logs:,} time logs already there, used as they are")
            return credentials
    started = time.perf_counter()
    last = [0.0]

    def count(step: str, done: int, total: int) -> None:
        if time.perf_counter() - last[0] > 10 or done >= total:
            last[0] = time.perf_counter()
            print(f"  [{time.perf_counter() - started:6.1f}s] {step}: {done:,} / {total:,}", flush=True)

    credentials = load_demo(url, end_date=END_DATE, scale=scale, count=count)
    with db.engine_for(url) as engine, engine.begin() as conn:
        logs = conn.scalar(sa.select(sa.func.count()).select_from(TimeLog))
    print(f"database: demo --scale {scale:,} built in {time.perf_counter() - started:.1f} s ({logs:,} time logs)")
    if sa.make_url(url).get_backend_name() == "postgresql":
        # What autovacuum does within minutes of a load: the visibility map (index-only scans) and statistics.
        started = time.perf_counter()
        with db.engine_for(url) as engine, engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM (ANALYZE)")
        print(f"database: VACUUM (ANALYZE) in {time.perf_counter() - started:.1f} s")
    return credentials


def key_values(url: str) -> dict[str, object]:
    """The ids the hand-written SQL names (what its author would look up once)."""
    with db.engine_for(url) as engine, engine.connect() as conn:
        teams = dict(conn.execute(sa.select(Team.team_id, Team.id)).all())
        return {
            "engineering": teams["acme:engineering"],
            "mobile": teams["acme:mobile"],
            "acme": conn.scalar(sa.select(Company.id).where(Company.company_id == "acme:acme")),
            "jwalker": conn.scalar(sa.select(User.id).where(User.uid == "jwalker")),
            "month_from": dt.date.fromisoformat(MONTH[0]),
            "month_to": dt.date.fromisoformat(MONTH[1]),
            "year_from": dt.date.fromisoformat(YEAR[0]),
            "year_to": dt.date.fromisoformat(YEAR[1]),
        }


class DirectQuery:
    """A hand-written statement compiled once for the database and run on the driver's cursor."""

    def __init__(self, connection: sa.Connection, sql: str, values: dict[str, object]) -> None:
        compiled = sa.text(sql).compile(dialect=connection.dialect)
        sqlite = connection.dialect.name == "sqlite"
        # Dates as the database stores them (SQLite: ISO text); psycopg takes date objects.
        params = {k: v.isoformat() if sqlite and isinstance(v, dt.date) else v for k, v in values.items()}
        self.sql = compiled.string
        self.parameters = [params[name] for name in compiled.positiontup] if compiled.positional else params
        self.cursor = connection.connection.driver_connection.cursor()

    def run(self) -> list[tuple]:
        self.cursor.execute(self.sql, self.parameters)
        return self.cursor.fetchall()


# --- the server -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(url: str, port: int, workers: int) -> subprocess.Popen:
    command = shutil.which("odesk-server", path=str(Path(sys.executable).parent)) or "odesk-server"
    env = {
        **os.environ,
        "ODESK_DATABASE_URL": url,
        "ODESK_PORT": str(port),
        "ODESK_REPORT_TIMEOUT": "120",
        "ODESK_DB_STATEMENT_TIMEOUT": "120",
    }
    server = subprocess.Popen(
        [command, "serve", "--workers", str(workers)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(base + "/readyz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    server.terminate()
    sys.exit("the server did not become ready")


class Signer:
    """Signed report URLs of one demo role, each with its own nonce (made before the timed runs)."""

    def __init__(self, base: str, credentials: DemoCredentials, role: str) -> None:
        token = credentials.roles[role]
        self.base = base
        self.client = OAuthClient(
            credentials.consumer.key,
            client_secret=credentials.consumer.secret,
            resource_owner_key=token.token,
            resource_owner_secret=token.token_secret,
            signature_type=SIGNATURE_TYPE_QUERY,
        )

    def urls(self, report: Report, count: int) -> list[str]:
        url = self.base + report.path + "?" + urlencode({"tq": report.tq}, quote_via=quote)
        return [self.client.sign(url)[0] for _ in range(count)]


# --- measuring ------------------------------------------------------------------------------


def load_average() -> str:
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def answer_of(response: httpx.Response, hours_column: int) -> tuple[int, Decimal]:
    if response.status_code != 200:
        sys.exit(f"{response.url.path}: HTTP {response.status_code} {response.text[:300]}")
    body = response.json()
    if "warnings" in body:
        sys.exit(f"{response.url.path}: {body['warnings']}")
    rows = body["table"]["rows"]
    return len(rows), sum((Decimal(row["c"][hours_column]["v"] or 0) for row in rows), Decimal(0))


def sequential(report: Report, urls: list[str], direct: DirectQuery, rounds: int) -> tuple[float, float, int]:
    """Medians (ms) of the HTTP report and the direct query, alternating; the rows each answered."""
    http_times: list[float] = []
    direct_times: list[float] = []
    with httpx.Client(timeout=300) as client:
        rows, total = answer_of(client.get(urls.pop()), report.hours_column)  # warm-up and the answer
        mine = direct.run()
        hand_total = sum((Decimal(str(row[report.hours_column])) for row in mine), Decimal(0))
        if len(mine) != rows or abs(hand_total - total) > Decimal("0.05"):
            sys.exit(f"{report.name}: HTTP {rows} rows, {total} hours; SQL {len(mine)} rows, {hand_total} hours")
        for _ in range(rounds):
            started = time.perf_counter()
            direct.run()
            direct_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            response = client.get(urls.pop())
            response.read()
            http_times.append(time.perf_counter() - started)
            if response.status_code != 200:
                sys.exit(f"{report.name}: HTTP {response.status_code}")
    return statistics.median(http_times) * 1000, statistics.median(direct_times) * 1000, rows


async def concurrent(urls: list[str], clients: int, seconds: float) -> tuple[int, list[float], float]:
    """``clients`` clients sending ``urls`` (one each) for ``seconds``: (requests, latencies, elapsed)."""
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    started = time.perf_counter()
    async with httpx.AsyncClient(limits=limits, timeout=300) as client:

        async def one_client() -> None:
            while time.perf_counter() < deadline and urls:
                url = urls.pop()
                sent = time.perf_counter()
                response = await client.get(url)
                latencies.append(time.perf_counter() - sent)
                if response.status_code != 200:
                    sys.exit(f"HTTP {response.status_code} under load: {response.text[:200]}")

        await asyncio.gather(*(one_client() for _ in range(clients)))
    return len(latencies), latencies, time.perf_counter() - started


def percentile(sorted_values: list[float], share: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * share))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100_000, help="time logs of the demo (default 100,000)")
    parser.add_argument("--database-url", default=None, help="default: a SQLite file in a temporary directory")
    parser.add_argument("--rounds", type=int, default=15, help="sequential runs of each report and query")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--seconds", type=float, default=20.0, help="duration of each concurrent run")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as workdir:
        url = args.database_url or f"sqlite:///{workdir}/bench-scale.db"
        print(f"{load_average()}; {os.cpu_count()} cores")
        credentials = prepare(url, args.scale)
        values = key_values(url)
        engine = db.create_engine(url)
        port = free_port()
        server = start_server(url, port, args.workers)
        base = f"http://127.0.0.1:{port}"
        try:
            dialect = engine.dialect.name
            print(f"server: odesk-server serve --workers {args.workers}; database: {dialect}")
            results = []
            with engine.connect() as connection:
                for report in reports(dialect):
                    signer = Signer(base, credentials, report.role)
                    direct = DirectQuery(connection, report.sql, values)
                    urls = signer.urls(report, args.rounds + 1)
                    http_ms, sql_ms, rows = sequential(report, urls, direct, args.rounds)
                    ratio = http_ms / sql_ms
                    print(
                        f"{report.name:<9} {rows:>6} rows   HTTP {http_ms:8.1f} ms   SQL by hand {sql_ms:8.1f} ms   "
                        f"ratio {ratio:5.2f}   ({load_average()})",
                        flush=True,
                    )
                    results.append((report, signer, http_ms))
            for report, signer, http_ms in results:
                budget = int(args.seconds * args.clients * 1000 / max(http_ms, 1) * 2) + args.clients * 4
                urls = signer.urls(report, budget)
                asyncio.run(concurrent(urls[: args.clients], args.clients, 60))  # warm every worker
                count, latencies, elapsed = asyncio.run(concurrent(urls[args.clients :], args.clients, args.seconds))
                latencies.sort()
                print(
                    f"{report.name:<9} {args.clients} clients: {count / elapsed:7.1f} req/s   "
                    f"p50 {percentile(latencies, 0.5) * 1000:8.1f} ms   p99 {percentile(latencies, 0.99) * 1000:8.1f} ms"
                    f"   ({count} requests; {load_average()})",
                    flush=True,
                )
        finally:
            server.terminate()
            server.wait(timeout=30)
            engine.dispose()


if __name__ == "__main__":
    main()
