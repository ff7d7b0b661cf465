"""HTTP throughput of signed API calls against a bare endpoint of the same app, in one run.

uvicorn (one worker) serves the demo organisation from SQLite; the app is
``create_app`` plus a bench-only ``GET /api/ping`` that returns a constant
through the same middleware, the same kind of route as the HR endpoints and
at the same place in the route table (see ``bench_app``: the earlier
baseline, a FastAPI route appended last, is still measured for comparison). The load tool is ``wrk`` (one thread, keep-alive
connections) fed precomputed OAuth-signed URLs, each used once (every
request carries a fresh nonce, so replay protection does its real work);
without ``wrk`` a Python httpx generator does the same, less precisely.

Printed per scenario: requests per second, p50 and p99 latency, non-2xx
responses, and the throughput ratio to the bare endpoint measured in the
same run (best of the rounds, and the median of each round's own ratio,
which load from elsewhere on the machine disturbs less). Target: the signed
``GET /api/hr/v2/teams`` reaches at least 40% of the bare endpoint's
throughput (judged on the per-round median).

    python bench/server_http.py [--duration 10] [--connections 16] [--rounds 3] [--tool wrk|python]

Scenarios are a table (``SCENARIOS``): add one with a name, a role and a
path to benchmark another signed endpoint.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
sys.path.insert(0, str(SRC))

TARGET_RATIO = 0.40
DB_ENV = "ODESK_BENCH_DATABASE_URL"


@dataclass(frozen=True)
class Scenario:
    """One benchmarked request: signed with ``role``'s token when ``role`` is set, bare otherwise."""

    name: str
    path: str
    role: str | None = None


BARE = Scenario("bare GET /api/ping", "/api/ping")
SCENARIOS = (
    Scenario("signed GET /api/hr/v2/teams.json (owner)", "/api/hr/v2/teams.json", role="owner"),
    Scenario("signed GET /api/hr/v2/users/me.json (member)", "/api/hr/v2/users/me.json", role="member"),
    # The baseline of earlier runs, kept for comparison: a FastAPI route at the
    # end of the route table, which pays for matching every router before it.
    Scenario("bare FastAPI GET /api/ping-last (old baseline)", "/api/ping-last"),
)


def bench_app():
    """The ASGI app uvicorn serves: ``create_app`` over the bench database, plus the bare endpoints.

    ``/api/ping`` is the baseline: the same kind of route as the HR endpoints
    (a Starlette ``request -> response`` route), placed in the route table
    right before them, so it goes through the same middleware and about the
    same routing and differs only by the work. ``/api/ping-last`` is how
    earlier runs measured it (a FastAPI route returning a dict, appended
    last): matching every router before it costs it about 50 µs a call
    (in-process), which made the signed endpoints look better than they are.
    """
    from starlette.responses import Response
    from starlette.routing import Route

    from odesk_server.app import create_app
    from odesk_server.settings import Settings

    app = create_app(Settings(database_url=os.environ[DB_ENV]))

    async def ping(_request) -> Response:
        return Response(b'{"ping":"pong"}', media_type="application/json")

    routes = app.router.routes
    first_hr = next(i for i, r in enumerate(routes) if getattr(r, "path", "").startswith("/api/hr/"))
    routes.insert(first_hr, Route("/api/ping", ping, methods=["GET"]))

    @app.get("/api/ping-last")
    async def ping_last() -> dict[str, str]:
        return {"ping": "pong"}

    return app


# --------------------------------------------------------------------------
# Requests


def signed_paths(credentials, role: str, path: str, count: int, host: str) -> list[str]:
    """``count`` distinct query-signed URLs (path + query) for ``path`` as ``role``."""
    from oauthlib.oauth1 import SIGNATURE_TYPE_QUERY, Client

    token = credentials.roles[role]
    now = str(int(time.time()))
    result = []
    for _ in range(count):
        client = Client(
            credentials.consumer.key,
            client_secret=credentials.consumer.secret,
            resource_owner_key=token.token,
            resource_owner_secret=token.token_secret,
            signature_type=SIGNATURE_TYPE_QUERY,
            nonce=uuid.uuid4().hex,
            timestamp=now,
        )
        url, _, _ = client.sign(f"http://{host}{path}")
        result.append(url[len(f"http://{host}") :])
    return result


@dataclass(frozen=True)
class Measurement:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    failures: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


_WRK_SCRIPT = """
local paths = {}
local i = 0
init = function(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
end
request = function()
  i = i + 1
  if i > #paths then i = 1 end
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99),
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def run_wrk(host: str, paths: list[str], duration: float, connections: int, workdir: Path) -> Measurement:
    """Drive ``paths`` (cycled) with wrk for ``duration`` seconds."""
    paths_file = workdir / f"paths-{uuid.uuid4().hex}.txt"
    paths_file.write_text("\n".join(paths) + "\n")
    script = workdir / "paths.lua"
    script.write_text(_WRK_SCRIPT)
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{max(1, round(duration))}s",
            "-s",
            str(script),
            f"http://{host}",
            "--",
            str(paths_file),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("RESULT "))
    requests, duration_us, p50_us, p99_us, failures = (int(x) for x in line.split()[1:])
    return Measurement(requests, duration_us / 1e6, p50_us / 1000, p99_us / 1000, failures)


def run_python(host: str, paths: list[str], duration: float, connections: int, _workdir: Path) -> Measurement:
    """Drive ``paths`` with ``connections`` httpx keep-alive clients for ``duration`` seconds."""
    import httpx

    latencies: list[float] = []
    failures = 0
    cursor = 0

    async def worker(client: httpx.AsyncClient, stop: float) -> None:
        nonlocal cursor, failures
        while time.perf_counter() < stop:
            path = paths[cursor % len(paths)]
            cursor += 1
            started = time.perf_counter()
            response = await client.get(path)
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                failures += 1

    async def main() -> float:
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        async with httpx.AsyncClient(base_url=f"http://{host}", limits=limits) as client:
            started = time.perf_counter()
            stop = started + duration
            await asyncio.gather(*(worker(client, stop) for _ in range(connections)))
            return time.perf_counter() - started

    elapsed = asyncio.run(main())
    latencies.sort()
    p50 = latencies[len(latencies) // 2] * 1000 if latencies else 0.0
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000 if latencies else 0.0
    return Measurement(len(latencies), elapsed, p50, p99, failures)


# --------------------------------------------------------------------------
# Server


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(database_url: str, port: int) -> subprocess.Popen:
    """uvicorn serving ``bench_app`` on 127.0.0.1:port; returns once it answers."""
    env = dict(os.environ, **{DB_ENV: database_url, "PYTHONPATH": f"{SRC}{os.pathsep}{Path(__file__).parent}"})
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "server_http:bench_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            if process.poll() is not None:
                raise RuntimeError("uvicorn exited before serving") from None
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError("uvicorn did not start within 30 s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measurement (default 10)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent keep-alive connections (default 16)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (default 3)")
    parser.add_argument("--tool", choices=("wrk", "python"), default="wrk" if shutil.which("wrk") else "python")
    parser.add_argument(
        "--max-rps", type=int, default=4000, help="signed URLs to prepare per second of load (default 4000)"
    )
    args = parser.parse_args(argv)

    from odesk_server.demo import load_demo

    run = run_wrk if args.tool == "wrk" else run_python
    with tempfile.TemporaryDirectory(prefix="odesk-bench-") as tmp:
        workdir = Path(tmp)
        database_url = f"sqlite:///{workdir / 'demo.db'}"
        print(f"loading the demo organisation into {database_url} ...", flush=True)
        credentials = load_demo(database_url)
        port = _free_port()
        host = f"127.0.0.1:{port}"
        server = start_server(database_url, port)
        try:
            per_run = int(args.max_rps * args.duration)
            print(f"signing {per_run} URLs per signed run ...", flush=True)
            # Warm up: imports, connection pool, SQLite page cache.
            run(host, [BARE.path], 1.0, args.connections, workdir)
            run(host, signed_paths(credentials, "owner", SCENARIOS[0].path, 2000, host), 1.0, args.connections, workdir)
            best: dict[str, Measurement] = {}
            # Ratios of each round's measurements (bare and signed measured
            # back to back), so that load from elsewhere on the machine during
            # one round does not pair a good bare run with a bad signed one.
            round_ratios: dict[str, list[float]] = {}
            for round_no in range(args.rounds):
                measured_round: dict[str, Measurement] = {}
                for scenario in (BARE, *SCENARIOS):
                    if scenario.role is None:
                        paths = [scenario.path]
                    else:
                        paths = signed_paths(credentials, scenario.role, scenario.path, per_run, host)
                    measured = run(host, paths, args.duration, args.connections, workdir)
                    if measured.requests > per_run and scenario.role is not None:
                        print(f"  warning: {scenario.name} used more requests than prepared URLs (replays refused)")
                    print(
                        f"  round {round_no + 1}: {scenario.name:<48} {measured.rps:9.0f} req/s  "
                        f"p50 {measured.p50_ms:6.2f} ms  p99 {measured.p99_ms:6.2f} ms  failures {measured.failures}",
                        flush=True,
                    )
                    if scenario.name not in best or measured.rps > best[scenario.name].rps:
                        best[scenario.name] = measured
                    measured_round[scenario.name] = measured
                bare_rps = measured_round[BARE.name].rps
                for name, m in measured_round.items():
                    round_ratios.setdefault(name, []).append(m.rps / bare_rps if bare_rps else 0.0)
        finally:
            server.terminate()
            server.wait(timeout=10)

    bare = best[BARE.name]
    print()
    print(
        f"tool: {args.tool}, {args.connections} connections, {args.duration:.0f} s per run, best of {args.rounds} rounds"
    )
    print("ratio: best req/s over best bare req/s; per-round: the median of each round's own ratio")
    print(f"{'scenario':<50} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'fail':>6} {'ratio':>7} {'per-round':>9}")
    for scenario in (BARE, *SCENARIOS):
        m = best[scenario.name]
        ratio = m.rps / bare.rps if bare.rps else 0.0
        paired = statistics.median(round_ratios[scenario.name])
        print(
            f"{scenario.name:<50} {m.rps:9.0f} {m.p50_ms:8.2f} {m.p99_ms:8.2f} {m.failures:6d} {ratio:7.2f} {paired:9.2f}"
        )
    teams = best[SCENARIOS[0].name]
    ratio = teams.rps / bare.rps if bare.rps else 0.0
    paired = statistics.median(round_ratios[SCENARIOS[0].name])
    ok = paired >= TARGET_RATIO and teams.failures == 0
    print(
        f"\nsigned teams / bare throughput: {ratio:.2f} best-of, {paired:.2f} per-round median "
        f"(target >= {TARGET_RATIO:.2f}): {'OK' if ok else 'BELOW TARGET'}"
    )
    legacy = statistics.median(
        t / b for t, b in zip(round_ratios[SCENARIOS[0].name], round_ratios[SCENARIOS[-1].name], strict=True)
    )
    print(f"signed teams / old baseline (FastAPI route last in the table), per-round median: {legacy:.2f}")
    print(f"median latency ratio (teams p50 / bare p50): {statistics.fmean([teams.p50_ms]) / bare.p50_ms:.1f}x")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
