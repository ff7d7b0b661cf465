"""delete_job and end_contract accept exactly the reason codes of the reference table, on a private demo copy.

The metadata lists what the write routes take because they read the same
rows: a reason added to the table is accepted at once, a reason taken out
is refused (with the message listing what is left). SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from hiring_helpers import hiring
from oauth_signing import assert_error
from test_engagements_endpoints import END, Api
from test_jobs_endpoints import Http

from odesk_server.models import Engagement, Job, Reason


@pytest.fixture
def shared(mutable_demo_database):
    with hiring(mutable_demo_database) as made:
        yield made


def _write(engine: sa.Engine, statement: sa.Executable) -> None:
    with engine.begin() as connection:
        connection.execute(statement)


def test_delete_job_takes_the_close_opening_codes_of_the_table(shared) -> None:
    http = Http(shared.client, shared.credentials, shared.engine)
    first, second, third = http.new_job(), http.new_job(), http.new_job()
    _write(shared.engine, sa.delete(Reason).where(Reason.reason_type == "CloseOpening", Reason.code == "34"))
    assert_error(
        http.delete("owner", first, "34"),
        400,
        "bad_request",
        "reason_code must be one of the documented reason codes 67, 51, 49, 41, got '34'",
    )
    assert http.scalar(sa.select(Job.status).where(Job.reference == int(first["reference"]))) == "open"
    # the reason is checked before the job: an unknown job with a bad code is 400, as before
    assert_error(http.delete("owner", {"reference": "8999999"}, "34"), 400, "bad_request", "reason_code")
    done = http.delete("owner", first, "049")  # a whole number, however written
    assert done.status_code == 200, done.text
    assert done.json()["job"]["cancel_reason"] == "49"
    # a CloseOpening code is the route's, not another type's
    assert_error(http.delete("owner", second, "API_REAS_WORK_NOT_NEEDED"), 400, "bad_request", "reason_code")
    assert http.delete("owner", third, 67).status_code == 200


def test_end_contract_takes_the_end_provider_contract_codes_of_the_table(shared) -> None:
    api = Api(shared.client, shared.credentials, shared.engine)
    contract = api.contract("jwalker")
    path = f"/api/hr/v2/contracts/{contract.reference}.json"
    new = {"reason": "API_REAS_TEAM_DISBANDED", "would_hire_again": "yes"}
    assert_error(api.call("owner", "DELETE", path, new), 400, "bad_request", "got 'API_REAS_TEAM_DISBANDED'")
    # another type's code is not an end_contract reason
    other = {**END, "reason": "API_REAS_PAYMENT_ISSUES"}
    assert_error(api.call("owner", "DELETE", path, other), 400, "bad_request", "reason must be one of")

    _write(
        shared.engine,
        sa.insert(Reason).values(
            id=599, reason_type="EndProviderContract", code="API_REAS_TEAM_DISBANDED", title="The team was disbanded"
        ),
    )
    _write(shared.engine, sa.delete(Reason).where(Reason.code == "API_REAS_HIRED_DIFFERENT"))
    listed = api.ok("member", "GET", "/api/profiles/v1/metadata/reasons.json", {"type": "EndProviderContract"})
    assert "API_REAS_TEAM_DISBANDED" in [r["code"] for r in listed["reasons"]]

    gone = {**END, "reason": "API_REAS_HIRED_DIFFERENT"}
    refused = api.call("owner", "DELETE", path, gone)
    assert_error(refused, 400, "bad_request", "got 'API_REAS_HIRED_DIFFERENT'")
    assert "API_REAS_TEAM_DISBANDED" in refused.json()["error"]["message"]
    ended = api.call("owner", "DELETE", path, new)
    assert ended.status_code == 200, ended.text
    assert ended.json()["engagement"]["end_reason"] == "API_REAS_TEAM_DISBANDED"
    assert api.scalar(sa.select(Engagement.status).where(Engagement.id == contract.id)) == "closed"
