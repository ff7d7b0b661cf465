"""Client-side checks: each bad argument raises before anything reaches the wire,
with a message naming what was wrong."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from odesk_recording import Recorder, make_client

from odesk.exceptions import ApiValueError

BAD_CALLS: list[tuple[str, Callable[[Any], Any], type[Exception], str]] = [
    (
        "invite_to_interview/no contractor",
        lambda c: c.hr_v1.invite_to_interview("j1", "cover"),
        ApiValueError,
        "profile_key or provider_reference",
    ),
    (
        "post_team_adjustment/None",
        lambda c: c.hr.post_team_adjustment("t", "e", "c", None),
        ApiValueError,
        "charge_amount: None",
    ),
    (
        "post_team_adjustment/zero",
        lambda c: c.hr.post_team_adjustment("t", "e", "c", 0),
        ApiValueError,
        "charge_amount: 0",
    ),
    (
        "post_job/job_type",
        lambda c: c.hr.post_job("b", "t", "weekly", "d", "public", "c", "s", 1),
        ApiValueError,
        "Incorrect value for job_type: 'weekly', valid values are ('hourly', 'fixed-price')",
    ),
    (
        "post_job/visibility",
        lambda c: c.hr.post_job("b", "t", "hourly", "d", "secret", "c", "s", 1),
        ApiValueError,
        "Incorrect value for visibility: 'secret'",
    ),
    (
        "post_job/category",
        lambda c: c.hr.post_job("b", "t", "hourly", "d", "public", category="c", budget=1),
        ApiValueError,
        "subcategory2",
    ),
    (
        "post_job/budget",
        lambda c: c.hr.post_job("b", "t", "hourly", "d", "public", "c", "s"),
        ApiValueError,
        "budget or duration",
    ),
    (
        "update_job/visibility",
        lambda c: c.hr.update_job("j", "b", "t", "d", "hidden", budget=1, status="open"),
        ApiValueError,
        "Incorrect value for visibility: 'hidden'",
    ),
    (
        "update_job/budget",
        lambda c: c.hr.update_job("j", "b", "t", "d", "public", status="open"),
        ApiValueError,
        "budget or duration",
    ),
    (
        "update_job/missing status",
        lambda c: c.hr.update_job("j", "b", "t", "d", "public", budget=1),
        ApiValueError,
        'Missing required parameter "status"',
    ),
    (
        "update_job/status",
        lambda c: c.hr.update_job("j", "b", "t", "d", "public", budget=1, status="closed"),
        ApiValueError,
        "Incorrect value for status: 'closed', valid values are ('open', 'filled', 'cancelled')",
    ),
    ("post_offer/no contractor", lambda c: c.hr.post_offer("j1"), ApiValueError, "profile_key or provider_reference"),
    (
        "post_offer/keep_open",
        lambda c: c.hr.post_offer("j1", profile_key="~~k", keep_open="maybe"),
        ApiValueError,
        "Incorrect value for keep_open: 'maybe'",
    ),
    (
        "end_contract/reason",
        lambda c: c.hr.end_contract("k", "BORED", "yes"),
        ApiValueError,
        "Incorrect value for reason: 'BORED'",
    ),
    (
        "end_contract/would_hire_again",
        lambda c: c.hr.end_contract("k", "API_REAS_HIRED_DIFFERENT", "perhaps"),
        ApiValueError,
        "Incorrect value for would_hire_again: 'perhaps', valid values are ('yes', 'no')",
    ),
    ("get_job_profile/type", lambda c: c.job.get_job_profile(1.5), ValueError, "Invalid job key"),
    (
        "get_job_profile/too many",
        lambda c: c.job.get_job_profile([f"~~{i}" for i in range(21)]),
        ValueError,
        "Number of keys per request is limited by 20",
    ),
    (
        "get_job_profile/recno in list",
        lambda c: c.job.get_job_profile(["~~a", "123"]),
        ValueError,
        "List should contain only job keys not recno.",
    ),
    (
        "team.get_workdiaries/tz",
        lambda c: c.team.get_workdiaries("t", "u", tz="utc"),
        ApiValueError,
        "Incorrect value for tz: 'utc', valid values are ('mine', 'user', 'gmt')",
    ),
    (
        "team_v2.get_snapshots/online",
        lambda c: c.team_v2.get_snapshots("t", online="today"),
        ApiValueError,
        "Incorrect value for online: 'today', valid values are ('now', 'last_24h', 'all')",
    ),
    (
        "team_v2.get_snapshots/disabled",
        lambda c: c.team_v2.get_snapshots("t", disabled="maybe"),
        ApiValueError,
        "Incorrect value for disabled: 'maybe', valid values are ('yes', 'no')",
    ),
    (
        "team_v2.get_workdiaries_by_contract/tz",
        lambda c: c.team_v2.get_workdiaries_by_contract("k", "20140101", tz="pst"),
        ApiValueError,
        "Incorrect value for tz: 'pst'",
    ),
    (
        "read/format",
        lambda c: c.read("http://odesk.test/api/hr/v2/teams", fmt="xml"),
        AssertionError,
        "Only the 'json' format is supported",
    ),
    (
        "urlopen/verb",
        lambda c: c.urlopen("http://odesk.test/api/x", method="PATCH"),
        ValueError,
        "Wrong http method: 'PATCH'",
    ),
]


@pytest.mark.parametrize(
    ("call", "error", "message"), [case[1:] for case in BAD_CALLS], ids=[case[0] for case in BAD_CALLS]
)
def test_bad_argument_raises_before_the_wire(
    call: Callable[[Any], Any], error: type[Exception], message: str, recorder: Recorder
) -> None:
    client = make_client(recorder)
    with pytest.raises(error) as caught:
        call(client)
    assert message in str(caught.value)
    assert recorder.seen == []


def test_api_value_error_is_an_odesk_exception() -> None:
    from odesk.exceptions import BaseException as OdeskError

    assert issubclass(ApiValueError, OdeskError) and issubclass(ApiValueError, Exception)
