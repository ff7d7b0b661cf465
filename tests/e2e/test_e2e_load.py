"""Many signed clients at once against one uvicorn worker: every request is answered, and the only error is the
documented 503 (with ``Retry-After`` and ``X-Odesk-Error-Code``), even beside a report with a backtracking regex.

The load is ``bench/server_load.py``'s, smaller: 20 clients for 10 s, 80% HR calls and 20% time and financial
reports, each OAuth-signed with a demo role's token, against a second ``odesk-server serve`` on the demo database
of each kind. A request not answered within 30 s counts as unanswered. Latency ratios are the benchmark's business.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.e2e_support import Server, serve_supports_workers, start_serve, stop_process_group

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from server_load import Demo, LoadResult, check_mix, presign_count, request_mix, run_load  # noqa: E402

CLIENTS = 20
SECONDS = 10.0
WARMUP_SECONDS = 1.0
TIMEOUT = 30.0


@pytest.fixture
def load_server(server: Server, tmp_path: Path) -> Iterator[tuple[Demo, Path]]:
    """A one-worker server of the test's own on the demo database (a stuck one holds up no other test)."""
    log = tmp_path / "serve.stderr"
    workers = 1 if serve_supports_workers() else None  # one worker is the default of older builds
    proc, base_url, _ = start_serve(server.database_url, server.env, log, workers=workers)
    try:
        yield Demo(base_url, server.credentials), log
    finally:
        stop_process_group(proc)


def _run(demo: Demo, *, regex_client: bool) -> LoadResult:
    mix = request_mix(dt.datetime.now(dt.UTC).date())
    assert check_mix(demo, mix, TIMEOUT) == []
    warmup = run_load(demo, mix, clients=CLIENTS, seconds=WARMUP_SECONDS, timeout=TIMEOUT, seed=1)
    return run_load(
        demo,
        mix,
        clients=CLIENTS,
        seconds=SECONDS,
        timeout=TIMEOUT,
        regex_client=regex_client,
        presigned=presign_count(warmup, SECONDS, CLIENTS),
    )


def _explained(result: LoadResult, log: Path) -> str:
    """The run's summary and the load server's log without its access lines."""
    lines = [line for line in log.read_text(errors="replace").splitlines() if '" 200 OK' not in line]
    tail = "\n".join(lines[-60:])
    return f"\n{result.describe()}\nserver log (end, without the 200 lines):\n{tail}"


def test_every_request_is_answered_under_load(load_server: tuple[Demo, Path]) -> None:
    demo, log = load_server
    result = _run(demo, regex_client=False)
    assert result.others, "no request completed"
    assert (len(result.unanswered), len(result.undocumented_errors)) == (0, 0), _explained(result, log)


def test_a_backtracking_regex_report_starves_no_one(load_server: tuple[Demo, Path]) -> None:
    demo, log = load_server
    result = _run(demo, regex_client=True)
    others = result.others
    assert others, "no request completed"
    unanswered = [s for s in others if s.unanswered]
    undocumented = [s for s in others if s.undocumented_error]
    assert (len(unanswered), len(undocumented)) == (0, 0), _explained(result, log)
