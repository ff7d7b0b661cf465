"""HR v2 contracts over HTTP: listing, reading, suspend/restart/end, adjustments, and their money.

Through the real app and database (SQLite and PostgreSQL): the permission
matrix of the demo roles, each method's documented errors, the contract's
state machine as a table of (state, action) -> state or error, and an
adjustment seen in the financial reports with legs that sum to zero.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from decimal import Decimal

import pytest
import sqlalchemy as sa
import sqlalchemy.orm
from hiring_helpers import Hiring, hiring
from hiring_helpers import legs as ledger_legs
from oauth_signing import assert_error

from odesk_server.models import (
    Engagement,
    EngagementEvent,
    EngagementFeedbackScore,
    LedgerEntry,
    Team,
    User,
)

ENGAGEMENT_KEYS = {
    "reference",
    "engagement_title",
    "description",
    "status",
    "engagement_job_type",
    "engagement_start_date",
    "engagement_end_date",
    "created_time",
    "buyer_team__reference",
    "buyer_team__id",
    "buyer_team__name",
    "buyer_company__reference",
    "buyer_company__name",
    "provider__reference",
    "provider__id",
    "dev_recno_ciphertext",
    "provider_team__reference",
    "provider_team__id",
    "provider_team__name",
    "job__reference",
    "job__title",
    "offer__reference",
    "hourly_charge_rate",
    "hourly_pay_rate",
    "weekly_hours_limit",
    "weekly_stipend_hours",
    "fixed_charge_amount_agreed",
    "fixed_pay_amount_agreed",
    "fixed_price_upfront_payment",
    "end_reason",
    "roles",
}
FEEDBACK = {f"fb_scores[{i}]": "5" for i in range(3, 9)}
END = {"reason": "API_REAS_JOB_COMPLETED_SUCCESSFULLY", "would_hire_again": "yes"}


class Api(Hiring):
    """Signed requests to one app as the demo roles, and the demo's contracts by who works them."""

    def contract(self, uid: str, *, status: str = "active", team: str | None = None) -> Engagement:
        """The first contract (by reference) of the provider ``uid`` in ``status``, on ``team`` when given."""
        query = (
            sa.select(Engagement)
            .join(User, User.id == Engagement.provider_user_id)
            .join(Team, Team.id == Engagement.buyer_team_id)
            .where(User.uid == uid, Engagement.status == status)
            .order_by(Engagement.reference)
        )
        if team is not None:
            query = query.where(Team.team_id == team)
        with sa.orm.Session(self.engine) as session:
            return session.execute(query).scalars().first()

    def by_reference(self, reference: int) -> Engagement:
        with sa.orm.Session(self.engine) as session:
            return session.execute(sa.select(Engagement).where(Engagement.reference == reference)).scalar_one()


@pytest.fixture
def reader(demo_database):
    with hiring(demo_database) as shared:
        yield Api(shared.client, shared.credentials, shared.engine)


@pytest.fixture
def writer(mutable_demo_database):
    with hiring(mutable_demo_database) as shared:
        yield Api(shared.client, shared.credentials, shared.engine)


# --------------------------------------------------------------------------
# Reading: who sees which contract


# role -> (status of jwalker's engineering contract, of akowalski's agency contract on mobile)
READ_MATRIX = [
    ("owner", 200, 200),
    ("hiring_manager", 200, 200),
    ("finance", 200, 200),
    ("agency_owner", 404, 200),
    ("staffing_manager", 404, 200),
    ("provider", 200, 404),
    ("agency_provider", 404, 200),
    ("member", 404, 404),
]


@pytest.mark.parametrize(("role", "own", "agency"), READ_MATRIX)
def test_who_reads_a_contract(reader, role, own, agency):
    for uid, expected in (("jwalker", own), ("akowalski", agency)):
        contract = reader.contract(uid)
        response = reader.call(role, "GET", f"/api/hr/v2/engagements/{contract.reference}.json")
        if expected == 200:
            body = response.json()
            assert response.status_code == 200, response.text
            assert set(body["engagement"]) == ENGAGEMENT_KEYS
            assert body["engagement"]["reference"] == str(contract.reference)
        else:
            assert_error(response, 404, "not_found", str(contract.reference))


def test_listing_shows_exactly_the_contracts_a_role_may_read(reader):
    def listed(role, params=None):
        params = {"page": "0;200", **(params or {})}
        response = reader.call(role, "GET", "/api/hr/v2/engagements.json", params)
        assert response.status_code == 200, response.text
        return response.json()["engagements"]

    everything = listed("owner")
    assert int(everything["lister"]["total_items"]) == reader.scalar(sa.select(sa.func.count(Engagement.id)))
    mine = listed("provider")["engagement"]
    assert {e["provider__id"] for e in mine} == {"jwalker"}
    assert all(e["roles"]["role"] == ["provider"] for e in mine)
    agency = listed("staffing_manager")["engagement"]
    assert agency and all(e["provider_team__id"] for e in agency)
    assert listed("member")["engagement"] == []
    hiring = listed("hiring_manager")["engagement"]
    assert {e["buyer_team__id"] for e in hiring} <= {"acme:engineering", "acme:mobile", "acme:design"}


def test_listing_filters_sorts_and_pages(reader):
    team = reader.credentials.team("acme:engineering")

    def listed(params):
        response = reader.call("owner", "GET", "/api/hr/v2/engagements.json", {"page": "0;200", **params})
        assert response.status_code == 200, response.text
        return response.json()["engagements"]["engagement"]

    by_team = listed({"buyer_team__reference": str(team.reference)})
    assert by_team and {e["buyer_team__id"] for e in by_team} == {"acme:engineering"}
    root = reader.credentials.team("acme:acme")
    assert listed({"buyer_team__reference": str(root.reference)}) == []  # no contract on the root itself
    assert len(listed({"buyer_team__reference": str(root.reference), "include_sub_teams": "1"})) == len(listed({}))
    # python-odesk sends the provider under both names
    ref = reader.scalar(sa.select(User.reference).where(User.uid == "jwalker"))
    both = listed({"provider_reference": str(ref), "provider__reference": str(ref)})
    assert {e["provider__id"] for e in both} == {"jwalker"}
    assert listed({"status": "closed"}) and all(e["status"] == "closed" for e in listed({"status": "closed"}))
    assert {e["status"] for e in listed({"status": "active;closed"})} <= {"active", "closed"}
    agency = reader.credentials.agency
    through = listed({"agency_team_reference": str(agency.reference)})
    assert through and all(e["provider_team__id"] for e in through)
    newest_first = listed({"order_by": "created_time;D"})
    times = [int(e["created_time"]) for e in newest_first]
    assert times == sorted(times, reverse=True)
    page = reader.call("owner", "GET", "/api/hr/v2/engagements.json", {"page": "2;3"}).json()["engagements"]
    assert page["lister"]["paging"] == {"offset": "2", "count": "3"}
    assert [e["reference"] for e in page["engagement"]] == [e["reference"] for e in listed({})[2:5]]
    assert listed({"created_time_from": "2100-01-01 00:00:00"}) == []


@pytest.mark.parametrize(
    ("role", "params", "status", "code", "part"),
    [
        ("owner", {"status": "open"}, 400, "bad_request", "status"),
        ("owner", {"order_by": "title"}, 400, "bad_request", "order_by"),
        ("owner", {"page": "x"}, 400, "bad_request", "page"),
        ("owner", {"created_time_from": "yesterday"}, 400, "bad_request", "created_time_from"),
        ("owner", {"buyer_team__reference": "no:such"}, 404, "not_found", "no:such"),
        ("member", {"buyer_team__reference": "acme:marketing"}, 403, "access_denied", "acme:marketing"),
        ("hiring_manager", {"buyer_team__reference": "acme:marketing"}, 404, "not_found", "acme:marketing"),
    ],
)
def test_listing_errors(reader, role, params, status, code, part):
    assert_error(reader.call(role, "GET", "/api/hr/v2/engagements.json", params), status, code, part)


def test_payload_values(reader):
    contract = reader.contract("jwalker")
    body = reader.call("owner", "GET", f"/api/hr/v2/engagements/{contract.reference}.json").json()["engagement"]
    assert body["engagement_job_type"] == "hourly"
    assert body["hourly_charge_rate"] == str(contract.hourly_rate)
    assert Decimal(body["hourly_pay_rate"]) == (contract.hourly_rate * Decimal("0.9")).quantize(Decimal("0.01"))
    assert body["fixed_charge_amount_agreed"] == "" and body["engagement_end_date"] == ""
    assert body["buyer_team__id"] == "acme:engineering" and body["provider__id"] == "jwalker"
    assert body["roles"] == {"role": ["buyer"]}
    for ref in ("no-such", "999999999"):
        assert_error(reader.call("owner", "GET", f"/api/hr/v2/engagements/{ref}.json"), 404, "not_found", ref)


# --------------------------------------------------------------------------
# Acting: suspend, restart, end, adjust


def _act(api: Api, role: str, action: str, contract: Engagement, **extra):
    ref = contract.reference
    if action in ("suspend", "restart"):
        return api.call(role, "PUT", f"/api/hr/v2/contracts/{ref}/{action}.json", {"message": "note", **extra})
    if action == "end":
        return api.call(role, "DELETE", f"/api/hr/v2/contracts/{ref}.json", {**END, **extra})
    team = api.scalar(sa.select(Team.reference).where(Team.id == contract.buyer_team_id))
    params = {"engagement__reference": str(ref), "comments": "Bonus", "charge_amount": "10", **extra}
    return api.call(role, "POST", f"/api/hr/v2/teams/{team}/adjustments.json", params)


# (state, action) -> the state after it, or the error
STATE_MACHINE = [
    ("active", "suspend", "suspended"),
    ("active", "restart", "invalid_state"),
    ("active", "end", "closed"),
    ("active", "adjust", "active"),
    ("suspended", "suspend", "invalid_state"),
    ("suspended", "restart", "active"),
    ("suspended", "end", "closed"),
    ("suspended", "adjust", "suspended"),
    ("closed", "suspend", "invalid_state"),
    ("closed", "restart", "invalid_state"),
    ("closed", "end", "invalid_state"),
    ("closed", "adjust", "invalid_state"),
]


def test_the_state_machine(writer):
    # One contract per case, each on the owner's marketing team or elsewhere: all start active.
    actives = writer.rows(
        sa.select(Engagement.reference).where(Engagement.status == "active").order_by(Engagement.reference)
    )
    assert len(actives) >= len(STATE_MACHINE)
    for (state, action, expected), (ref,) in zip(STATE_MACHINE, actives, strict=False):
        contract = writer.by_reference(ref)
        if state in ("suspended", "closed"):
            assert _act(writer, "owner", "suspend", contract).status_code == 200
        if state == "closed":
            assert _act(writer, "owner", "end", contract).status_code == 200
        events_before = writer.scalar(
            sa.select(sa.func.count(EngagementEvent.id)).where(EngagementEvent.engagement_id == contract.id)
        )
        response = _act(writer, "owner", action, contract)
        status = writer.scalar(sa.select(Engagement.status).where(Engagement.id == contract.id))
        events = writer.scalar(
            sa.select(sa.func.count(EngagementEvent.id)).where(EngagementEvent.engagement_id == contract.id)
        )
        if expected == "invalid_state":
            assert_error(response, 400, "invalid_state", state)
            assert status == state and events == events_before, (state, action)
        else:
            assert response.status_code == 200, (state, action, response.text)
            assert status == expected, (state, action)
            assert events == events_before + (action != "adjust")


# role -> status of suspend on jwalker's engineering contract, and on akowalski's mobile (agency) one
ACT_MATRIX = [
    ("hiring_manager", 200, 200),
    ("finance", 403, 403),
    ("agency_owner", 404, 403),
    ("staffing_manager", 404, 403),
    ("provider", 403, 404),
    ("agency_provider", 404, 403),
    ("member", 404, 404),
]


@pytest.mark.parametrize(("role", "own", "agency"), ACT_MATRIX)
def test_who_may_act_on_a_contract(writer, role, own, agency):
    for uid, expected in (("jwalker", own), ("akowalski", agency)):
        contract = writer.contract(uid)
        for action in ("suspend", "adjust"):
            response = _act(writer, role, action, contract)
            if expected == 200:
                assert response.status_code == 200, response.text
            elif action == "adjust":
                # The path names the contract's team: seen but not hired on (403), or not seen (404).
                assert response.status_code in (403, 404), response.text
            else:
                code = {403: "access_denied", 404: "not_found"}[expected]
                assert_error(response, expected, code)
        if expected == 200:
            assert _act(writer, role, "restart", contract).status_code == 200


def test_end_contract_records_reason_feedback_and_the_day(writer):
    contract = writer.contract("jwalker")
    response = _act(writer, "owner", "end", contract, **FEEDBACK, fb_comment="Great work", would_hire_again="no")
    assert response.status_code == 200, response.text
    body = response.json()["engagement"]
    assert body["status"] == "closed" and body["engagement_end_date"] != ""
    assert body["end_reason"] == "API_REAS_JOB_COMPLETED_SUCCESSFULLY"
    row = writer.by_reference(contract.reference)
    assert (row.would_hire_again, row.feedback_comment, row.ended_on is not None) == (False, "Great work", True)
    scores = writer.rows(
        sa.select(EngagementFeedbackScore.score_id, EngagementFeedbackScore.score).where(
            EngagementFeedbackScore.engagement_id == contract.id
        )
    )
    assert sorted((s.score_id, s.score) for s in scores) == [(i, Decimal("5.00")) for i in range(3, 9)]
    actions = writer.rows(sa.select(EngagementEvent.action).where(EngagementEvent.engagement_id == contract.id))
    assert actions[-1].action == "end"
    # After the end: no suspend, no adjustment.
    assert_error(_act(writer, "owner", "suspend", contract), 400, "invalid_state", "closed")
    assert_error(_act(writer, "owner", "adjust", contract), 400, "invalid_state", "closed")


@pytest.mark.parametrize(
    ("params", "part"),
    [
        ({"reason": "API_REAS_BORED"}, "reason"),
        ({"would_hire_again": "maybe"}, "would_hire_again"),
        ({**FEEDBACK, "fb_scores[8]": "6"}, "fb_scores[8]"),
        ({**FEEDBACK, "fb_scores[8]": "x"}, "fb_scores[8]"),
        ({"fb_scores[3]": "5"}, "complete"),
        ({**FEEDBACK, "fb_scores[9]": "5"}, "fb_scores[9]"),
        ({**FEEDBACK, "fb_scores[15]": "5"}, "fb_scores[15]"),
        ({"fb_comment": "words without scores"}, "fb_comment"),
    ],
)
def test_end_contract_refuses_bad_feedback(writer, params, part):
    contract = writer.contract("jwalker")
    assert_error(_act(writer, "owner", "end", contract, **params), 400, "bad_request", part)
    assert writer.scalar(sa.select(Engagement.status).where(Engagement.id == contract.id)) == "active"


def test_end_contract_needs_a_reason(writer):
    contract = writer.contract("jwalker")
    response = writer.call("owner", "DELETE", f"/api/hr/v2/contracts/{contract.reference}.json", {})
    assert_error(response, 400, "bad_request", "reason")


def test_suspend_needs_a_message(writer):
    contract = writer.contract("jwalker")
    response = writer.call("owner", "PUT", f"/api/hr/v2/contracts/{contract.reference}/suspend.json", {})
    assert_error(response, 400, "bad_request", "message")


# --------------------------------------------------------------------------
# Adjustments and the money


def _report_amounts(api: Api, role: str, path: str, contract: Engagement) -> list[Decimal]:
    """The amounts of the contract's adjustments dated today in the report at ``path``."""
    today = dt.datetime.now(dt.UTC).date().isoformat()
    tq = (
        f"SELECT amount WHERE assignment__reference = '{contract.reference}' AND type = 'Adjustment' "
        f"AND date >= '{today}'"
    )
    response = api.call(role, "GET", f"/gds/finreports/v2/{path}?tq={urllib.parse.quote(tq)}")
    assert response.status_code == 200, response.text
    rows = response.json()["table"]["rows"]
    return sorted(Decimal(row["c"][0]["v"]) for row in rows if row)


@pytest.mark.parametrize("uid", ["jwalker", "akowalski"])
def test_an_adjustment_is_in_the_ledger_and_the_reports(writer, uid):
    contract = writer.contract(uid)
    team = writer.scalar(sa.select(Team.reference).where(Team.id == contract.buyer_team_id))
    comment = f"Bonus for {uid}"
    response = _act(writer, "owner", "adjust", contract, charge_amount="150.00", comments=comment, notes="N1")
    assert response.status_code == 200, response.text
    adjustment = response.json()["adjustment"]
    assert adjustment["charge_amount"] == "150.00" and adjustment["amount"] == "135.00"
    legs = ledger_legs(writer.engine, int(adjustment["reference"]))
    assert len(legs) == 3 and sum(leg.amount for leg in legs) == 0
    assert sorted(leg.amount for leg in legs) == [Decimal("-150.00"), Decimal("15.00"), Decimal("135.00")]
    assert {(leg.type, leg.engagement_id, leg.comment, leg.notes) for leg in legs} == {
        ("Adjustment", contract.id, comment, "N1")
    }
    # Every transaction of the ledger still balances (payments in and out are single legs).
    # (Summed here, in Decimal: SQLite would sum the amounts as floats.)
    totals: dict[int, Decimal] = {}
    for ref, amount in writer.rows(
        sa.select(LedgerEntry.transaction_ref, LedgerEntry.amount).where(LedgerEntry.type != "Payment")
    ):
        totals[ref] = totals.get(ref, Decimal(0)) + amount
    assert [ref for ref, total in totals.items() if total != 0] == []
    assert _report_amounts(writer, "owner", f"buyer_teams/{team}/billings", contract) == [Decimal("-150.00")]
    if uid == "jwalker":
        earnings = _report_amounts(writer, "provider", "providers/jwalker/earnings", contract)
    else:
        agency = writer.credentials.agency.reference
        earnings = _report_amounts(writer, "agency_owner", f"provider_companies/{agency}/earnings", contract)
    assert earnings == [Decimal("135.00")]


def test_an_adjustment_by_amount_grosses_up_the_charge(writer):
    contract = writer.contract("jwalker")
    team = writer.credentials.team("acme:engineering").reference
    params = {"engagement__reference": str(contract.reference), "comments": "Net bonus", "amount": "90"}
    response = writer.call("owner", "POST", f"/api/hr/v2/teams/{team}/adjustments.json", params)
    assert response.status_code == 200, response.text
    adjustment = response.json()["adjustment"]
    assert (adjustment["charge_amount"], adjustment["amount"]) == ("100.00", "90.00")


@pytest.mark.parametrize(
    ("extra", "status", "code", "part"),
    [
        ({"charge_amount": "0"}, 400, "bad_request", "charge_amount"),
        ({"charge_amount": "-5"}, 400, "bad_request", "charge_amount"),
        ({"charge_amount": "1.005"}, 400, "bad_request", "charge_amount"),
        ({"charge_amount": ""}, 400, "bad_request", "charge_amount"),
        ({"amount": "5"}, 400, "bad_request", "not both"),
        ({"engagement__reference": "999999999"}, 404, "not_found", "999999999"),
    ],
)
def test_adjustment_errors(writer, extra, status, code, part):
    contract = writer.contract("jwalker")
    response = _act(writer, "owner", "adjust", contract, **extra)
    assert_error(response, status, code, part)


def test_an_adjustment_names_a_contract_of_the_team(writer):
    mobile_contract = writer.contract("akowalski")
    design = writer.credentials.team("acme:design").reference  # not above acme:mobile
    params = {"engagement__reference": str(mobile_contract.reference), "comments": "x", "charge_amount": "10"}
    response = writer.call("owner", "POST", f"/api/hr/v2/teams/{design}/adjustments.json", params)
    assert_error(response, 404, "not_found", str(mobile_contract.reference))
    root = writer.credentials.team("acme:acme").reference  # a team above: its subtree holds the contract
    response = writer.call("owner", "POST", f"/api/hr/v2/teams/{root}/adjustments.json", params)
    assert response.status_code == 200, response.text
