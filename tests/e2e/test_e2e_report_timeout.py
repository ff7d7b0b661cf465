"""The report timeout seen from the client: a second ``odesk-server serve`` on the same demo database
with ``ODESK_REPORT_TIMEOUT`` set very low."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import odesk
from odesk.exceptions import HTTPError
from tests.e2e.e2e_support import Server, start_serve, stop_process_group

# Heavy enough to outlast 1 ms on either database (10 ms was sometimes not enough on a warm PostgreSQL): every time log, grouped three ways.
HEAVY = "SELECT provider_id, task, memo, sum(hours), sum(charges) GROUP BY provider_id, task, memo ORDER BY memo"
TIMEOUT_MESSAGE = "The report took longer than 0.001 seconds; ask for a shorter period or fewer columns"


@pytest.fixture(scope="session")
def impatient_server(server: Server, tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """A second server on the demo database whose reports may run 1 ms: (base URL, its log file)."""
    log_path = tmp_path_factory.mktemp(f"impatient-{server.kind}") / "serve.stderr"
    proc, base_url, log = start_serve(server.database_url, {**server.env, "ODESK_REPORT_TIMEOUT": "0.001"}, log_path)
    try:
        yield base_url, log
    finally:
        stop_process_group(proc)


def _owner_client(server: Server, base_url: str) -> odesk.Client:
    owner = server.role("owner")
    return odesk.Client(server.consumer_key, server.consumer_secret, owner.token, owner.token_secret, base_url=base_url)


def test_timeout_is_503_with_the_servers_message(server: Server, impatient_server) -> None:
    base_url, _ = impatient_server
    with pytest.raises(HTTPError) as caught:
        _owner_client(server, base_url).timereport.get_company_report("acme", HEAVY)
    error = caught.value
    assert (error.code, error.error_code, error.error_message) == (503, "timeout", TIMEOUT_MESSAGE)


def test_timed_out_report_is_not_run_again(server: Server, impatient_server) -> None:
    base_url, log = impatient_server
    # A report that ran out of time runs out of time again: the client must not run it
    # three more times (docs/reports.md: "ask for a shorter period").
    # The same heavy query, its columns in an order no other test sends, so the
    # access lines of this test are told apart from the others' on this server.
    heavy_here = HEAVY.replace("SELECT provider_id, task, memo,", "SELECT task, memo, provider_id,")
    marker = "tq=SELECT%20task%2C%20memo%2C%20provider_id"
    with pytest.raises(HTTPError):
        _owner_client(server, base_url).timereport.get_company_report("acme", heavy_here)
    # The access line is written once the response is complete: give it a moment to land.
    deadline = time.monotonic() + 10
    while marker not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # a second attempt, had there been one, would be logged by now too
    assert log.read_text().count(marker) == 1
