"""Throughput and latency of a typical team time report against a bare endpoint of the same app.

Usage::

    .venv/bin/python bench/server_reports.py [--seconds 5] [--concurrency 8] [--database-url URL]

Loads the demo organisation into a fresh SQLite file (or uses ``--database-url``,
which must already hold the demo), serves the app with uvicorn in a child
process on a free loopback port, with one extra route ``GET /bench/constant``
returning a constant JSON body, and drives both with the same asyncio/httpx
load generator: first the constant endpoint (the baseline), then the documented
sample query as an OAuth-signed request of the hiring manager::

    GET /gds/timereports/v1/companies/acme:acme/teams/acme:engineering/hours
        ?tq=SELECT worked_on, provider_id, provider_name, sum(hours)
            WHERE worked_on >= '<month start>' AND worked_on <= '<month end>'

Signed URLs are prepared before the timed run (each with its own nonce, as
replay protection demands), so the load generator spends the same work per
request on both endpoints. Prints requests/s, p50 and p99 of each and the
ratios report/baseline, all measured in this one run.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import httpx
from oauthlib.oauth1 import SIGNATURE_TYPE_QUERY
from oauthlib.oauth1 import Client as OAuthClient

END_DATE = dt.date(2026, 6, 30)
TEAM_REPORT = "/gds/timereports/v1/companies/acme:acme/teams/acme:engineering/hours"
TQ = (
    "SELECT worked_on, provider_id, provider_name, sum(hours) "
    "WHERE worked_on >= '2026-05-01' AND worked_on <= '2026-05-31'"
)


def make_app():
    """The server app plus the bare baseline route (uvicorn ``--factory`` entry point)."""
    from starlette.responses import Response

    from odesk_server.app import create_app
    from odesk_server.settings import Settings

    app = create_app(Settings(database_url=os.environ["BENCH_DATABASE_URL"]))
    body = json.dumps({"server_time": "0", "ok": True}).encode()

    def constant() -> Response:
        return Response(body, media_type="application/json")

    app.add_api_route("/bench/constant", constant, methods=["GET"])
    return app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_database(url: str | None, workdir: str) -> tuple[str, dict]:
    from odesk_server.demo import load_demo, stored_demo_credentials

    if url is None:
        url = f"sqlite:///{workdir}/bench-demo.db"
        credentials = load_demo(url, end_date=END_DATE)
    else:
        credentials = stored_demo_credentials(url)
        if credentials is None:
            sys.exit(f"{url} holds no demo organisation (run odesk-server demo first)")
    return url, credentials.to_json()


def signed_urls(base: str, credentials: dict, role: str, path: str, params: dict, count: int) -> list[str]:
    token = credentials["roles"][role]
    signer = OAuthClient(
        credentials["consumer"]["key"],
        client_secret=credentials["consumer"]["secret"],
        resource_owner_key=token["token"],
        resource_owner_secret=token["token_secret"],
        signature_type=SIGNATURE_TYPE_QUERY,
    )
    url = base + path + "?" + urlencode(params, quote_via=quote)
    return [signer.sign(url)[0] for _ in range(count)]


async def load(urls: list[str], seconds: float, concurrency: int) -> tuple[int, list[float], int]:
    """Fire ``urls`` (one each, in order) for ``seconds``; returns (requests, latencies, failures)."""
    latencies: list[float] = []
    failures = 0
    position = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def worker() -> None:
            nonlocal position, failures
            while time.perf_counter() < deadline and position < len(urls):
                url = urls[position]
                position += 1
                started = time.perf_counter()
                response = await client.get(url)
                latencies.append(time.perf_counter() - started)
                if response.status_code != 200:
                    failures += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return len(latencies), latencies, failures


def measure(name: str, urls: list[str], seconds: float, concurrency: int) -> dict[str, float]:
    asyncio.run(load(urls[: concurrency * 5], 1.0, concurrency))  # warm-up (connections, caches)
    started = time.perf_counter()
    count, latencies, failures = asyncio.run(load(urls[concurrency * 5 :], seconds, concurrency))
    elapsed = time.perf_counter() - started
    if failures:
        sys.exit(f"{name}: {failures} of {count} requests failed")
    latencies.sort()
    result = {
        "rps": count / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        "count": count,
    }
    print(
        f"{name:<24} {result['rps']:8.1f} req/s   p50 {result['p50']:7.2f} ms   p99 {result['p99']:7.2f} ms"
        f"   ({count} requests)"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as workdir:
        url, credentials = prepare_database(args.database_url, workdir)
        port = free_port()
        env = {**os.environ, "BENCH_DATABASE_URL": url}
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "server_reports:make_app",
                "--app-dir",
                str(Path(__file__).parent),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            env=env,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    httpx.get(base + "/bench/constant", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            # Enough URLs for the fastest endpoint; signed ones are made up front.
            constant_urls = [base + "/bench/constant"] * 200_000
            print(
                f"server: uvicorn, 1 process; database: {url.split(':')[0]}; concurrency {args.concurrency}; "
                f"{args.seconds:g} s per endpoint"
            )
            baseline = measure("constant endpoint", constant_urls, args.seconds, args.concurrency)
            budget = int(baseline["rps"] * args.seconds * 0.8) + args.concurrency * 5 + 100
            report_urls = signed_urls(base, credentials, "hiring_manager", TEAM_REPORT, {"tq": TQ}, budget)
            check = httpx.get(report_urls.pop(), timeout=30)
            rows = len(check.json()["table"]["rows"])
            report = measure(f"team report ({rows} rows)", report_urls, args.seconds, args.concurrency)
            print(
                f"ratio report/constant:   throughput {report['rps'] / baseline['rps']:.3f}   "
                f"p50 x{report['p50'] / baseline['p50']:.1f}   p99 x{report['p99'] / baseline['p99']:.1f}"
            )
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
