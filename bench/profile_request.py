"""Where one signed request's time goes: cProfile over signed HR calls driven in-process.

The app is ``bench/server_http.py``'s (``create_app`` over the demo
organisation in SQLite, plus the bare ``GET /api/ping``); the requests are
its signed URLs (one fresh nonce each, so replay protection does its real
work). Each request is one ASGI call, made straight from this script, one
at a time: no HTTP server, no socket and no HTTP parsing (what uvicorn adds
is in the bare endpoint's cost that ``server_http.py`` measures).

Printed:

1. the time per request without the profiler, for the bare endpoint and for
   the signed one, and the ratio of the two (an upper bound of the HTTP
   benchmark's ratio, which adds uvicorn's cost to both);
2. the breakdown of the signed request: the profile of the event loop's
   thread and of the worker thread that runs the blocking part
   (verification, parameters, unit of work, handler, rendering), each step's
   own time (nested steps taken out), as a share of the request and as
   microseconds scaled to the unprofiled time;
3. with ``--top N``, the N functions with the most time of their own.

The profiler slows pure-Python code more than C code (pydantic-core,
orjson, the SQLite driver), so the shares lean towards the Python steps;
use them to rank the steps, and the unprofiled time for absolute numbers.

    python bench/profile_request.py [--requests 2000] [--path /api/hr/v2/teams.json] [--role owner] [--top 0]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from server_http import DB_ENV, SRC, bench_app, signed_paths  # noqa: E402

sys.path.insert(0, str(SRC))
from odesk_server.demo import load_demo  # noqa: E402

HOST = "127.0.0.1:8000"
BARE_PATH = "/api/ping"


# --------------------------------------------------------------------------
# Driving the app


def _scope(target: str) -> dict[str, Any]:
    """The ASGI scope uvicorn would build for ``GET target`` (path and query)."""
    path, _, query = target.partition("?")
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode("latin-1"),
        "query_string": query.encode("latin-1"),
        "root_path": "",
        "headers": [(b"host", HOST.encode()), (b"user-agent", b"profile_request"), (b"accept", b"*/*")],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }


async def _receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


@dataclass(frozen=True)
class Run:
    """What ``drive`` did: how many requests, how many were not answered 200, and the seconds it took."""

    requests: int
    failures: int
    seconds: float


async def drive(app: ASGIApp, targets: Iterable[str]) -> Run:
    """Send every ``GET target`` through ``app``, one after the other."""
    failures = requests = 0
    started = time.perf_counter()
    for target in targets:
        status = 0

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        await app(_scope(target), _receive, send)
        requests += 1
        if status != 200:
            failures += 1
    return Run(requests, failures, time.perf_counter() - started)


def _checked(run: Run) -> Run:
    if run.failures:
        raise SystemExit(f"{run.failures} of {run.requests} requests were not answered 200")
    return run


def timed(app: ASGIApp, targets: list[str]) -> float:
    """Seconds per request for ``targets`` sent one at a time (no profiler); raises if any failed."""
    run = _checked(asyncio.run(drive(app, targets)))
    return run.seconds / run.requests


class _ProfilingExecutor(Executor):
    """Runs what the endpoint layer hands to its worker threads under ``profile`` (one request at a time)."""

    def __init__(self, inner: Executor, profile: cProfile.Profile) -> None:
        self.inner = inner
        self.profile = profile

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        return self.inner.submit(self.profile.runcall, fn, *args, **kwargs)


def profiled(app: ASGIApp, targets: list[str]) -> tuple[cProfile.Profile, cProfile.Profile, float]:
    """The profiles of ``targets`` (the event loop's thread, the worker thread's part) and the seconds taken.

    cProfile follows one thread; the worker thread's part is profiled by
    wrapping each function the endpoint layer hands to its worker threads
    (``api.deps``: the database's executor), which is safe as requests go
    one at a time. The seconds are those of the requests, profiled, without
    starting and closing the event loop. Raises ``SystemExit`` if a request failed.
    """
    from odesk_server.api import deps

    loop_profile = cProfile.Profile()
    worker_profile = cProfile.Profile()
    workers = deps._workers

    def profiling_workers(database: Any) -> Executor:
        return _ProfilingExecutor(workers(database), worker_profile)

    deps._workers = profiling_workers  # type: ignore[assignment]
    try:
        loop_profile.enable()
        run = asyncio.run(drive(app, targets))
        loop_profile.disable()
    finally:
        deps._workers = workers  # type: ignore[assignment]
    return loop_profile, worker_profile, _checked(run).seconds


# --------------------------------------------------------------------------
# The breakdown

# A marker names a function as ``path/suffix.py:name`` (``~:text`` for a
# built-in whose description contains ``text``), optionally ``callee<caller``
# for the time of the callee when called from that caller only.


@dataclass(frozen=True)
class Step:
    """A step of the request: the time inside its ``markers`` less the time inside its ``inner`` steps.

    ``inner`` follows the calls (a step called from within this one), so
    each microsecond is counted once; ``group`` is the line of the printed
    table the step's own time is added to.
    """

    group: str
    markers: tuple[str, ...]
    inner: tuple[Step, ...] = ()


def _step(group: str, *markers: str, inner: Iterable[Step] = ()) -> Step:
    return Step(group, markers, tuple(inner))


STACK = "ASGI stack: FastAPI/Starlette app, error and exception middlewares, routing"
ACCESS_LOG = "middleware: access log"
LAST_RESORT = "middleware: last resort (500, nosniff)"
COMPAT = "middleware: compat (suffix, http_method, /gds alias)"
DISPATCH = "endpoint layer: dispatch, Call, envelope plumbing"
READING = "request reading on the loop: body, query parameters"
HOP = "event loop and worker-thread hop (gate, executor, wake-up)"
SIGNED = "OAuth: the request as signed (candidate URLs, headers)"
PARSE = "OAuth: the OAuth parameters collected (header, query, body), once"
FORMAT = "OAuth: protocol parameter checks (format, timestamp window, nonce)"
CACHE = "OAuth: credential cache lookup"
SIGNATURE = "OAuth: signature base string and HMAC (oauthlib's public functions)"
NONCE_CONNECTION = "OAuth: pool checkout and return for the nonce insert"
NONCE = "OAuth: nonce insert (prepared statement, revocation check)"
NONCE_COMMIT = "OAuth: nonce commit"
OAUTH_REST = "OAuth: provider glue (verify, verify_caller)"
PARAMS = "parameters (pydantic)"
UOW_OPEN = "unit of work: pool checkout and BEGIN"
UOW_CLOSE = "unit of work: COMMIT and return to the pool"
SCOPE_SQL = "org scope query: SQL at driver level (prepared)"
SCOPE_PY = "org scope: rows to teams, companies, visibility (Python)"
READS = "other reads of the handler (queries/)"
PAYLOAD = "payload building (handler, team/user payloads)"
AUTH_USER = "render: auth_user block"
JSON = "render: JSON (orjson) and the Response object"
SEND = "response sent through the middlewares' send wrappers"

GROUPS = (
    STACK,
    ACCESS_LOG,
    LAST_RESORT,
    COMPAT,
    DISPATCH,
    READING,
    HOP,
    SIGNED,
    PARSE,
    FORMAT,
    CACHE,
    SIGNATURE,
    NONCE_CONNECTION,
    NONCE,
    NONCE_COMMIT,
    OAUTH_REST,
    PARAMS,
    UOW_OPEN,
    UOW_CLOSE,
    SCOPE_SQL,
    SCOPE_PY,
    READS,
    PAYLOAD,
    AUTH_USER,
    JSON,
    SEND,
)

_FETCH = "db/work.py:fetch"
_UOW_CONNECTION = "db/work.py:connection"


def _reads(handler: str) -> Step:
    """What a handler's reads cost: driver-level statements, the unit of work's connection, the scope."""
    return _step(
        PAYLOAD,
        handler,
        inner=[
            _step(
                SCOPE_PY,
                "access/scope.py:org_scope",
                inner=[
                    _step(
                        SCOPE_SQL,
                        f"{_FETCH}<access/scope.py:org_scope",
                        inner=[_step(UOW_OPEN, f"{_UOW_CONNECTION}<{_FETCH}")],
                    )
                ],
            ),
            _step(
                READS,
                "queries/org.py:user_by_id",
                inner=[
                    _step(
                        READS,
                        f"{_FETCH}<queries/org.py:user_by_id",
                        inner=[_step(UOW_OPEN, f"{_UOW_CONNECTION}<{_FETCH}")],
                    )
                ],
            ),
        ],
    )


def worker_steps(handler: str) -> Step:
    """The worker thread's part of a request (``endpoint._work``), ``handler`` being the endpoint's marker."""
    verify = _step(
        OAUTH_REST,
        "oauth/provider.py:verify",
        inner=[
            _step(PARSE, "oauth/verification.py:collect_parameters"),
            _step(FORMAT, "oauth/verification.py:check_protocol_parameters"),
            _step(
                CACHE, "oauth/credentials.py:get", "oauth/credentials.py:instances", "oauth/credentials.py:consumer_key"
            ),
            _step(CACHE, "rfc5849/request_validator.py:check_access_token"),
            _step(SIGNATURE, "oauth/verification.py:signature_matches"),
            _step(NONCE_CONNECTION, "db/prepared.py:raw_connection"),
            _step(NONCE, "oauth/nonces.py:consume_nonce_if_valid"),
            _step(NONCE_COMMIT, "db/prepared.py:commit"),
        ],
    )
    return _step(
        DISPATCH,
        "api/endpoint.py:_work",
        inner=[
            _step(OAUTH_REST, "api/deps.py:verify_caller", inner=[_step(SIGNED, "api/deps.py:signed_request"), verify]),
            _step(PARAMS, "api/endpoint.py:_parse_values"),
            _step(UOW_OPEN, "db/work.py:__init__", f"{_UOW_CONNECTION}<api/endpoint.py:_work"),
            _step(UOW_CLOSE, "db/work.py:__exit__"),
            _reads(handler),
            _step(
                DISPATCH,
                "api/endpoint.py:_answer",
                inner=[
                    _step(AUTH_USER, "odesk_server/wire.py:auth_user"),
                    _step(JSON, "~:orjson.dumps", "starlette/responses.py:__init__"),
                ],
            ),
        ],
    )


# The loop thread: the app's layers, outermost first, each inside the previous one.
LOOP_STEPS = _step(
    STACK,
    "fastapi/applications.py:__call__",
    inner=[
        _step(
            ACCESS_LOG,
            "odesk_server/access_log.py:__call__",
            inner=[
                _step(
                    LAST_RESORT,
                    "odesk_server/errors.py:__call__",
                    inner=[
                        _step(
                            COMPAT,
                            "odesk_server/compat.py:__call__",
                            inner=[
                                _step(
                                    STACK,
                                    "starlette/middleware/exceptions.py:__call__",
                                    inner=[
                                        _step(
                                            DISPATCH,
                                            "api/endpoint.py:__call__",
                                            inner=[
                                                _step(SEND, "starlette/responses.py:__call__"),
                                                _step(
                                                    READING,
                                                    "api/endpoint.py:_serve",
                                                    inner=[_step(HOP, "api/deps.py:run_blocking")],
                                                ),
                                            ],
                                        )
                                    ],
                                )
                            ],
                        )
                    ],
                )
            ],
        )
    ],
)


class Profile:
    """A thread's ``pstats`` data, read by marker."""

    def __init__(self, profile: cProfile.Profile) -> None:
        self.stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
        self.total = sum(entry[2] for entry in self.stats.values())

    def _find(self, spec: str) -> list[tuple[Any, ...]]:
        where, _, name = spec.rpartition(":")
        if where == "~":
            return [key for key in self.stats if key[0] == "~" and name in key[2]]
        return [key for key in self.stats if key[2] == name and key[0].replace(os.sep, "/").endswith(where)]

    def time(self, marker: str) -> float:
        """Seconds spent inside ``marker`` (see the markers' comment above)."""
        callee, _, caller = marker.partition("<")
        total = 0.0
        for key in self._find(callee):
            if not caller:
                total += self.stats[key][3]
                continue
            callers = self.stats[key][4]
            for caller_key in self._find(caller):
                if caller_key in callers:
                    total += callers[caller_key][3]
        return total

    def own(self, step: Step, into: dict[str, float]) -> float:
        """Add each step's own time to ``into`` (by group); returns the time inside ``step``."""
        inside = sum(self.time(marker) for marker in step.markers)
        if not inside:
            return 0.0  # never ran: neither did the steps inside it (their markers may run elsewhere)
        nested = sum(self.own(inner, into) for inner in step.inner)
        into[step.group] = into.get(step.group, 0.0) + inside - nested
        return inside


def breakdown(loop: Profile, worker: Profile, handler: str, seconds: float) -> dict[str, float]:
    """Seconds per group over the profiled run, which took ``seconds``; they add up to it, less the driver's own."""
    groups: dict[str, float] = {}
    app = loop.own(LOOP_STEPS, groups)
    work = worker.own(worker_steps(handler), groups)
    # Whatever else ran in the worker thread (the lambda around _work).
    groups[DISPATCH] += worker.total - work
    driver = loop.time("profile_request.py:drive") - app
    # The rest is the event loop's: running callbacks, and waiting for the
    # worker thread beyond the worker's own time (the thread switches).
    groups[HOP] += seconds - driver - app - worker.total
    return groups


def stale_markers(groups: dict[str, float], total: float) -> list[str]:
    """The steps whose markers no longer fit the code: an own time below zero, or no OAuth time at all."""
    stale = [group for group, seconds in groups.items() if seconds < -0.005 * total]
    if not groups.get(SIGNATURE):
        stale.append(SIGNATURE)
    return stale


def handler_marker(app: Any, path: str) -> str:
    """The marker of the handler that answers ``GET path`` (its module and function name)."""
    for api in app.state.apis:
        for endpoint in api.endpoints:
            template = endpoint.path
            if endpoint.method == "GET" and _matches(template, path):
                code = endpoint.handler.__code__
                return f"{Path(code.co_filename).parent.name}/{Path(code.co_filename).name}:{code.co_name}"
    raise SystemExit(f"no endpoint declared for GET {path}")


def _matches(template: str, path: str) -> bool:
    path = path.removesuffix(".json").removesuffix(".xml")
    wanted, given = template.strip("/").split("/"), path.strip("/").split("/")
    return len(wanted) == len(given) and all(w == g or w.startswith("{") for w, g in zip(wanted, given, strict=True))


# --------------------------------------------------------------------------
# The run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="signed requests to profile (default 2000)")
    parser.add_argument("--path", default="/api/hr/v2/teams.json", help="the signed GET (default the teams listing)")
    parser.add_argument("--role", default="owner", help="whose token signs it (a demo role, default owner)")
    parser.add_argument("--top", type=int, default=0, help="also print the N functions with most time of their own")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="odesk-profile-") as tmp:
        database_url = f"sqlite:///{Path(tmp) / 'demo.db'}"
        print(f"loading the demo organisation into {database_url} ...", flush=True)
        credentials = load_demo(database_url)
        os.environ[DB_ENV] = database_url
        app = bench_app()
        handler = handler_marker(app, args.path)

        def signed(count: int) -> list[str]:
            return signed_paths(credentials, args.role, args.path, count, HOST)

        # Warm up: imports, the pool, the credential cache, SQLite's page cache.
        timed(app, signed(300))
        timed(app, [BARE_PATH] * 300)
        bare = timed(app, [BARE_PATH] * args.requests)
        plain = timed(app, signed(args.requests))
        loop_profile, worker_profile, seconds = profiled(app, signed(args.requests))
        app.state.database.dispose()

    loop, worker = Profile(loop_profile), Profile(worker_profile)
    groups = breakdown(loop, worker, handler, seconds)
    total = sum(groups.values())
    n = args.requests
    print(f"\n{n} requests each, one at a time, in-process (no HTTP server); handler {handler}")
    print(f"bare GET {BARE_PATH}: {bare * 1e6:7.1f} us per request")
    print(f"signed GET {args.path} ({args.role}): {plain * 1e6:7.1f} us per request (ratio {bare / plain:.3f})")
    print(f"profiled: {total / n * 1e6:.1f} us per request (the profiler's own cost included)\n")
    print(f"{'step':<78} {'share':>6} {'~us':>7}")
    for group in GROUPS:
        seconds = groups.get(group, 0.0)
        share = seconds / total if total else 0.0
        print(f"{group:<78} {share:6.1%} {share * plain * 1e6:7.1f}")
    print(f"{'total':<78} {1:6.0%} {plain * 1e6:7.1f}")
    print("\n~us: the share times the unprofiled time per request")
    for group in stale_markers(groups, total):
        print(f"warning: '{group}' does not add up: a function this script names has moved or been renamed")
    if args.top:
        merged = pstats.Stats(loop_profile)
        merged.add(worker_profile)
        merged.sort_stats("tottime").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
