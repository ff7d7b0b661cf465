"""``/api/hr/v3/fp``: fixed-price milestones and submissions over HTTP, on a private copy of the demo.

The demo's own fixed-price contracts belong to providers without a demo
token, so each test adds two active fixed-price contracts the demo roles
act on: ``own`` (acme:engineering, the provider jwalker himself) and
``agency`` (acme:mobile, akowalski through Bright Code Studio). The demo's
hourly contract 4000001 and its closed fixed-price contracts stay as they are.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from hiring_helpers import Hiring
from hiring_helpers import legs as ledger_legs
from oauth_signing import assert_error, consumer_signer, send, served_app

from odesk_server import db
from odesk_server.api.hr.milestones import MilestoneObject, SubmissionObject
from odesk_server.domain import ledger
from odesk_server.domain.milestones import MILESTONE_MOVES, MilestoneMove, MilestoneStatus, next_milestone_status
from odesk_server.models import Company, Engagement, LedgerEntry, Milestone, Submission, Team, User
from odesk_server.problems import WrongState

PREFIX = "/api/hr/v3/fp"
HOURLY = "4000001"


class Fp(Hiring):
    """A served app over a private demo copy, with the two fixed-price contracts added; paths under ``PREFIX``."""

    contracts: dict[str, str]  # own, agency, closed -> reference

    # Setting up a milestone in each state through the API itself.
    def create(self, contract: str = "own", deposit: str = "300.00", role: str = "owner") -> str:
        body = self.ok(
            role,
            "POST",
            "/milestones.json",
            {
                "contract_reference": self.contracts[contract],
                "milestone_description": "Design",
                "deposit_amount": deposit,
            },
        )
        return body["milestone"]["id"]

    def milestone_in(self, state: str, contract: str = "own") -> tuple[str, str | None]:
        """A new milestone of ``contract`` in ``state``, and its latest submission (None if it has none)."""
        provider = PROVIDER_OF[contract]
        milestone = self.create(contract)
        submission = None
        if state == "not_funded":
            return milestone, None
        if state == "deleted":
            self.ok("owner", "DELETE", f"/milestones/{milestone}.json")
            return milestone, None
        self.ok("owner", "PUT", f"/milestones/{milestone}/activate.json")
        if state in ("submitted", "paid", "rejected"):
            body = self.ok(
                provider,
                "POST",
                "/submissions.json",
                {"milestone_id": milestone, "note2client": "Done", "amount": "300"},
            )
            submission = body["submission"]["id"]
        if state == "paid":
            self.ok("owner", "PUT", f"/submissions/{submission}/approve.json", {"amount": "300.00"})
        if state == "rejected":  # the milestone is active again, its submission rejected
            self.ok("owner", "PUT", f"/submissions/{submission}/reject.json", {"note2contractor": "Not yet"})
        return milestone, submission

    def status_of(self, milestone: str) -> str:
        with self.engine.connect() as conn:
            return conn.scalar(sa.select(Milestone.status).where(Milestone.reference == int(milestone)))

    def legs(self, milestone: str) -> list[Any]:
        return ledger_legs(
            self.engine,
            self.scalar(sa.select(Milestone.payment_transaction_ref).where(Milestone.reference == int(milestone))),
        )

    def ledger_size(self) -> int:
        with self.engine.connect() as conn:
            return conn.scalar(sa.select(sa.func.count()).select_from(LedgerEntry))


PROVIDER_OF = {"own": "provider", "agency": "agency_provider"}


def _add_contracts(engine: sa.Engine) -> dict[str, str]:
    with engine.begin() as conn:

        def one(model, column, value):
            return conn.scalar(sa.select(model.id).where(column == value))

        last = conn.scalar(sa.select(sa.func.max(Engagement.reference)))
        agency_id = one(Company, Company.company_id, "brightcode:brightcode")
        rows = [
            {
                "reference": last + 1,
                "buyer_team_id": one(Team, Team.team_id, "acme:engineering"),
                "provider_user_id": one(User, User.uid, "jwalker"),
                "title": "Landing page, fixed price",
            },
            {
                "reference": last + 2,
                "buyer_team_id": one(Team, Team.team_id, "acme:mobile"),
                "provider_user_id": one(User, User.uid, "akowalski"),
                "agency_company_id": agency_id,
                "provider_team_id": one(Team, Team.team_id, "brightcode:brightcode"),
                "title": "App store assets, fixed price",
            },
        ]
        for row in rows:
            row.setdefault("agency_company_id", None)
            row.setdefault("provider_team_id", None)
            conn.execute(
                sa.insert(Engagement.__table__).values(
                    **row,
                    job_type="fixed-price",
                    fixed_price=Decimal("2000.00"),
                    status="active",
                    started_on=dt.date(2026, 5, 1),
                    fee_rate=Decimal("0.1000"),
                )
            )
        closed = conn.scalar(
            sa.select(Engagement.reference)
            .where(Engagement.job_type == "fixed-price", Engagement.status == "closed")
            .order_by(Engagement.reference)
        )
    return {"own": str(last + 1), "agency": str(last + 2), "closed": str(closed)}


@pytest.fixture
def fp(mutable_demo_database) -> Iterator[Fp]:
    url, credentials = mutable_demo_database
    database = db.Database(url)
    try:
        contracts = _add_contracts(database.engine)
        with served_app(url) as client:
            fixed_price = Fp(client, credentials, database.engine, prefix=PREFIX)
            fixed_price.contracts = contracts
            yield fixed_price
    finally:
        database.dispose()


def gds(fp: Fp, role: str, path: str, tq: str) -> list[list[Any]]:
    response = send(fp.client, consumer_signer(fp.credentials, role), "GET", path, {"tq": tq})
    assert response.status_code == 200, response.text
    rows = response.json()["table"]["rows"]
    return [[cell["v"] for cell in row["c"]] for row in rows if row]


# --------------------------------------------------------------------------
# The state machines, as the domain states them: (state, move) -> state, or refused


def test_milestone_moves_table():
    allowed = {(state, move) for state, move in MILESTONE_MOVES}
    for state in MilestoneStatus:
        for move in MilestoneMove:
            if (state, move) in allowed:
                assert next_milestone_status(state, move, 1) == MILESTONE_MOVES[(state, move)]
            else:
                with pytest.raises(WrongState, match=f"The milestone 1 is {state}:"):
                    next_milestone_status(state, move, 1)


# --------------------------------------------------------------------------
# The same machines over HTTP: (milestone state, action) -> new state, or 400 invalid_state

INVALID = "invalid_state"
ACTIONS = {
    "edit": ("owner", "PUT", "/milestones/{m}.json", {"milestone_description": "Renamed"}),
    "activate": ("owner", "PUT", "/milestones/{m}/activate.json", {}),
    "delete": ("owner", "DELETE", "/milestones/{m}.json", {}),
    "submit": (
        "provider",
        "POST",
        "/submissions.json",
        {"milestone_id": "{m}", "note2client": "Done", "amount": "300"},
    ),
    "approve": ("owner", "PUT", "/milestones/{m}/approve.json", {}),
    "approve_submission": ("owner", "PUT", "/submissions/{s}/approve.json", {"amount": "300"}),
    "reject_submission": ("owner", "PUT", "/submissions/{s}/reject.json", {"note2contractor": "No"}),
}
# "rejected": an active milestone whose submission was rejected.
STATE_TABLE = [
    ("not_funded", "edit", "not_funded"),
    ("not_funded", "activate", "active"),
    ("not_funded", "delete", "deleted"),
    ("not_funded", "submit", INVALID),
    ("not_funded", "approve", INVALID),
    ("active", "edit", "active"),
    ("active", "activate", INVALID),
    ("active", "delete", INVALID),
    ("active", "submit", "submitted"),
    ("active", "approve", "paid"),
    ("submitted", "edit", INVALID),
    ("submitted", "activate", INVALID),
    ("submitted", "delete", INVALID),
    ("submitted", "submit", INVALID),
    ("submitted", "approve", "paid"),
    ("submitted", "approve_submission", "paid"),
    ("submitted", "reject_submission", "active"),
    *[("paid", action, INVALID) for action in ACTIONS],
    *[("deleted", action, INVALID) for action in ("edit", "activate", "delete", "submit", "approve")],
    ("rejected", "submit", "submitted"),
    ("rejected", "approve_submission", INVALID),
    ("rejected", "reject_submission", INVALID),
]


def _act(fp: Fp, action: str, milestone: str, submission: str | None):
    role, method, path, params = ACTIONS[action]
    values = {k: v.format(m=milestone, s=submission) for k, v in params.items()}
    return fp.call(role, method, path.format(m=milestone, s=submission), values)


def test_state_table_over_http(fp):
    seen = []
    for state, action, _expected in STATE_TABLE:
        milestone, submission = fp.milestone_in(state)
        response = _act(fp, action, milestone, submission)
        if response.status_code == 200:
            seen.append((state, action, fp.status_of(milestone)))
        else:
            assert response.status_code == 400, response.text
            code = response.headers["x-odesk-error-code"]
            assert code != INVALID or "is " in response.json()["error"]["message"], response.text
            seen.append((state, action, code))
    assert seen == STATE_TABLE


# --------------------------------------------------------------------------
# Every method's success, and the shapes of the answers


def test_the_life_of_a_milestone(fp):
    contract = fp.contracts["own"]
    created = fp.ok(
        "hiring_manager",
        "POST",
        "/milestones.json",
        {
            "contract_reference": contract,
            "milestone_description": "Wireframes",
            "deposit_amount": "400",
            "due_date": "07-15-2026",
        },
    )["milestone"]
    assert set(created) == set(MilestoneObject.__annotations__)
    assert (created["status"], created["deposit_amount"], created["due_date"]) == ("not_funded", "400.00", "07-15-2026")
    assert created["contract_reference"] == contract and created["funded_time"] == ""
    m = created["id"]
    edited = fp.ok("owner", "PUT", f"/milestones/{m}.json", {"deposit_amount": "500.5", "due_date": "2026-08-01"})
    assert (edited["milestone"]["deposit_amount"], edited["milestone"]["due_date"]) == ("500.50", "08-01-2026")
    assert_error(fp.call("owner", "GET", f"/milestones/statuses/active/contracts/{contract}.json"), 404, "not_found")
    activated = fp.ok("owner", "PUT", f"/milestones/{m}/activate.json", {"message": "Funded"})["milestone"]
    assert activated["status"] == "active" and activated["funded_time"]
    active = fp.ok("provider", "GET", f"/milestones/statuses/active/contracts/{contract}.json")
    assert active["milestone"] == activated

    asked = fp.ok("provider", "POST", "/submissions.json", {"milestone_id": m, "note2client": "v1", "amount": "500.50"})
    assert set(asked["submission"]) == set(SubmissionObject.__annotations__)
    assert (asked["submission"]["status"], asked["milestone"]["status"]) == ("pending", "submitted")
    rejected = fp.ok(
        "owner", "PUT", f"/submissions/{asked['submission']['id']}/reject.json", {"note2contractor": "Fix"}
    )
    assert (rejected["submission"]["status"], rejected["milestone"]["status"]) == ("rejected", "active")
    assert rejected["submission"]["note2contractor"] == "Fix" and rejected["submission"]["decided_time"]
    again = fp.ok("provider", "POST", "/submissions.json", {"milestone_id": m, "note2client": "v2", "amount": "500.50"})
    s = again["submission"]["id"]
    paid = fp.ok(
        "owner",
        "PUT",
        f"/submissions/{s}/approve.json",
        {"amount": "500.50", "bonus": "49.50", "pay_comments": "Great", "note2contractor": "Thanks"},
    )
    assert paid["submission"]["status"] == "approved"
    milestone = paid["milestone"]
    assert (milestone["status"], milestone["paid_amount"], milestone["bonus"]) == ("paid", "500.50", "49.50")
    assert milestone["pay_comments"] == "Great" and milestone["payment_reference"]
    listed = fp.ok("finance", "GET", f"/milestones/{m}/submissions.json")["submissions"]["submission"]
    assert [(x["note2client"], x["status"]) for x in listed] == [("v1", "rejected"), ("v2", "approved")]

    doomed = fp.create()
    deleted = fp.ok("owner", "DELETE", f"/milestones/{doomed}.json")
    assert deleted["milestone"]["status"] == "deleted"

    direct, _ = fp.milestone_in("active")
    under = fp.ok("owner", "PUT", f"/milestones/{direct}/approve.json", {"amount": "120", "underpayment_reason": "330"})
    assert (under["milestone"]["paid_amount"], under["milestone"]["underpayment_reason"]) == ("120.00", "330")


def test_xml_answer(fp):
    m = fp.create()
    response = fp.call("owner", "PUT", f"/milestones/{m}/activate.xml")
    assert response.status_code == 200 and b"<status>active</status>" in response.content


# --------------------------------------------------------------------------
# Documented errors: (role, method, path, params) -> status, code, part of the message

ERRORS = [
    (
        "owner",
        "POST",
        "/milestones.json",
        {"contract_reference": "{own}", "deposit_amount": "5"},
        400,
        "bad_request",
        "milestone_description is required",
    ),
    (
        "owner",
        "POST",
        "/milestones.json",
        {"contract_reference": "{own}", "milestone_description": "x"},
        400,
        "bad_request",
        "deposit_amount is required",
    ),
    (
        "owner",
        "POST",
        "/milestones.json",
        {"contract_reference": "{own}", "milestone_description": "x", "deposit_amount": "0"},
        400,
        "bad_request",
        "more than 0",
    ),
    (
        "owner",
        "POST",
        "/milestones.json",
        {"contract_reference": "{own}", "milestone_description": "x", "deposit_amount": "-5"},
        400,
        "bad_request",
        "more than 0",
    ),
    (
        "owner",
        "POST",
        "/milestones.json",
        {"contract_reference": "{own}", "milestone_description": "x", "deposit_amount": "1.234"},
        400,
        "bad_request",
        "two decimal places",
    ),
    (
        "owner",
        "POST",
        "/milestones.json",
        {"contract_reference": "{own}", "milestone_description": "x", "deposit_amount": "5", "due_date": "31-12-2026"},
        400,
        "bad_request",
        "due_date must be a date",
    ),
    (
        "owner",
        "POST",
        "/milestones.json",
        {"contract_reference": HOURLY, "milestone_description": "x", "deposit_amount": "5"},
        400,
        INVALID,
        "is hourly",
    ),
    (
        "owner",
        "POST",
        "/milestones.json",
        {"contract_reference": "{closed}", "milestone_description": "x", "deposit_amount": "5"},
        400,
        INVALID,
        "is closed",
    ),
    (
        "owner",
        "POST",
        "/milestones.json",
        {"contract_reference": "99999999", "milestone_description": "x", "deposit_amount": "5"},
        404,
        "not_found",
        "No contract",
    ),
    (
        "owner",
        "POST",
        "/milestones.json",
        {"contract_reference": "acme", "milestone_description": "x", "deposit_amount": "5"},
        404,
        "not_found",
        "No contract",
    ),
    ("owner", "PUT", "/milestones/{not_funded}.json", {"message": "hi"}, 400, "bad_request", "nothing to change"),
    ("owner", "PUT", "/milestones/{active}.json", {"deposit_amount": "10"}, 400, INVALID, "only before it is funded"),
    ("owner", "PUT", "/milestones/99999999.json", {"milestone_description": "x"}, 404, "not_found", "No milestone"),
    ("owner", "PUT", "/milestones/{not_funded}/approve.json", {}, 400, INVALID, "is not_funded"),
    (
        "owner",
        "PUT",
        "/milestones/{active}/approve.json",
        {"amount": "300.01"},
        400,
        "bad_request",
        "pay the difference as a bonus",
    ),
    (
        "owner",
        "PUT",
        "/milestones/{active}/approve.json",
        {"amount": "100"},
        400,
        "bad_request",
        "underpayment_reason is required",
    ),
    (
        "owner",
        "PUT",
        "/milestones/{active}/approve.json",
        {"amount": "100", "underpayment_reason": "333"},
        400,
        "bad_request",
        "329, 330, 331, 332",
    ),
    (
        "owner",
        "PUT",
        "/milestones/{active}/approve.json",
        {"underpayment_reason": "329"},
        400,
        "bad_request",
        "only for paying less",
    ),
    (
        "owner",
        "PUT",
        "/milestones/{active}/approve.json",
        {"bonus": "0"},
        400,
        "bad_request",
        "bonus must be more than 0",
    ),
    (
        "owner",
        "PUT",
        "/milestones/{active}/approve.json",
        {"underpayment_reason": "x"},
        400,
        "bad_request",
        "underpayment_reason",
    ),
    (
        "owner",
        "DELETE",
        "/milestones/{active}.json",
        {},
        400,
        INVALID,
        "only a milestone that is not funded can be deleted",
    ),
    (
        "provider",
        "POST",
        "/submissions.json",
        {"milestone_id": "{active}", "amount": "5"},
        400,
        "bad_request",
        "note2client is required",
    ),
    (
        "provider",
        "POST",
        "/submissions.json",
        {"milestone_id": "{active}", "note2client": "x", "amount": "300.01"},
        400,
        "bad_request",
        "more than the milestone's deposit",
    ),
    (
        "provider",
        "POST",
        "/submissions.json",
        {"milestone_id": "{not_funded}", "note2client": "x", "amount": "5"},
        400,
        INVALID,
        "is not_funded",
    ),
    (
        "provider",
        "POST",
        "/submissions.json",
        {"milestone_id": "99999999", "note2client": "x", "amount": "5"},
        404,
        "not_found",
        "No milestone",
    ),
    ("owner", "PUT", "/submissions/{pending}/approve.json", {}, 400, "bad_request", "amount is required"),
    ("owner", "PUT", "/submissions/{pending}/reject.json", {}, 400, "bad_request", "note2contractor is required"),
    ("owner", "PUT", "/submissions/99999999/reject.json", {"note2contractor": "x"}, 404, "not_found", "No submission"),
    ("owner", "GET", "/milestones/99999999/submissions.json", {}, 404, "not_found", "No milestone"),
    ("owner", "GET", "/milestones/statuses/active/contracts/99999999.json", {}, 404, "not_found", "No contract"),
    (
        "owner",
        "GET",
        "/milestones/statuses/active/contracts/{own}.json",
        {},
        404,
        "not_found",
        "has no active milestone",
    ),
]


def test_documented_errors(fp):
    keys = dict(fp.contracts)
    keys["not_funded"], _ = fp.milestone_in("not_funded", "agency")  # the own contract keeps no active milestone
    keys["active"], _ = fp.milestone_in("active", "agency")
    _, keys["pending"] = fp.milestone_in("submitted", "agency")
    for role, method, path, params, status, code, part in ERRORS:
        if "{active}" in path + str(params) or "{not_funded}" in path + str(params):
            role = {"provider": "agency_provider"}.get(role, role)
        values = {k: v.format(**keys) for k, v in params.items()}
        assert_error(fp.call(role, method, path.format(**keys), values), status, code, part)


def test_a_contract_closed_later_accepts_no_milestone_moves(fp):
    milestone, submission = fp.milestone_in("submitted")
    with fp.engine.begin() as conn:
        conn.execute(
            sa.update(Engagement.__table__)
            .where(Engagement.reference == int(fp.contracts["own"]))
            .values(status="closed", ended_on=dt.date(2026, 6, 1))
        )
    for action in ("edit", "approve", "approve_submission", "reject_submission"):
        assert_error(_act(fp, action, milestone, submission), 400, INVALID, "is closed")
    assert fp.ok("provider", "GET", f"/milestones/{milestone}/submissions.json")["submissions"]["submission"]


# --------------------------------------------------------------------------
# Permissions: each demo role on each side of the two contracts (status of a buyer's, the contractor's, a reader's call)

NOBODY = (404, 404, 404)
SIDES = {
    "own": {
        "owner": (200, 403, 200),
        "hiring_manager": (200, 403, 200),
        "finance": (403, 403, 200),
        "provider": (403, 200, 200),
        "agency_provider": NOBODY,
        "staffing_manager": NOBODY,
        "agency_owner": NOBODY,
        "member": NOBODY,
    },
    "agency": {
        "owner": (200, 403, 200),
        "hiring_manager": (200, 403, 200),
        "finance": (403, 403, 200),
        "provider": NOBODY,
        "agency_provider": (403, 200, 200),
        "staffing_manager": (403, 200, 200),
        "agency_owner": (403, 200, 200),
        "member": NOBODY,
    },
}
# method -> (side, state its milestone needs, method, path, params)
METHODS = {
    "create_milestone": (
        0,
        None,
        "POST",
        "/milestones.json",
        {"contract_reference": "{c}", "milestone_description": "x", "deposit_amount": "9"},
    ),
    "edit_milestone": (0, "not_funded", "PUT", "/milestones/{m}.json", {"milestone_description": "y"}),
    "activate_milestone": (0, "not_funded", "PUT", "/milestones/{m}/activate.json", {}),
    "approve_milestone": (0, "active", "PUT", "/milestones/{m}/approve.json", {"bonus": "1"}),
    "delete_milestone": (0, "not_funded", "DELETE", "/milestones/{m}.json", {}),
    "request_submission_approval": (
        1,
        "active",
        "POST",
        "/submissions.json",
        {"milestone_id": "{m}", "note2client": "x", "amount": "1"},
    ),
    "approve_submission": (0, "submitted", "PUT", "/submissions/{s}/approve.json", {"amount": "300"}),
    "reject_submission": (0, "submitted", "PUT", "/submissions/{s}/reject.json", {"note2contractor": "x"}),
    "get_milestone_submissions": (2, "submitted", "GET", "/milestones/{m}/submissions.json", {}),
    "get_active_milestone": (2, "active", "GET", "/milestones/statuses/active/contracts/{c}.json", {}),
}


@pytest.mark.parametrize("contract", sorted(SIDES))
def test_permission_matrix(fp, contract):
    seen, expected = {}, {}
    for role, statuses in SIDES[contract].items():
        for name, (side, state, method, path, params) in METHODS.items():
            milestone, submission = fp.milestone_in(state, contract) if state else ("", None)
            keys = {"c": fp.contracts[contract], "m": milestone, "s": submission}
            values = {k: v.format(**keys) for k, v in params.items()}
            response = fp.call(role, method, path.format(**keys), values)
            seen[(role, name)] = response.status_code
            expected[(role, name)] = statuses[side]
            if response.status_code == 404:
                assert (
                    "No contract" in response.text
                    or "No milestone" in response.text
                    or "No submission" in response.text
                )
            if state and response.status_code == 200 and name == "approve_milestone":
                fp.ok("owner", "PUT", f"/milestones/{fp.create(contract)}/activate.json")  # keep one active
    assert seen == expected


# --------------------------------------------------------------------------
# Money: balanced legs, billings and earnings of the same day


def test_payments_are_balanced_legs_in_the_reports(fp):
    before = fp.ledger_size()
    direct, _ = fp.milestone_in("active")
    fp.ok(
        "owner",
        "PUT",
        f"/milestones/{direct}/approve.json",
        {"amount": "250.55", "bonus": "19.99", "underpayment_reason": "331"},
    )
    _, submission = fp.milestone_in("submitted", "agency")
    body = fp.ok("owner", "PUT", f"/submissions/{submission}/approve.json", {"amount": "300"})
    via_agency = body["milestone"]["id"]
    assert fp.ledger_size() == before + 6 + 3

    own_legs, agency_legs = fp.legs(direct), fp.legs(via_agency)
    for legs in (own_legs, agency_legs):
        assert sum(leg.amount for leg in legs) == 0
        assert len({leg.transaction_ref for leg in legs}) == 1
    buyer = [(leg.subtype, leg.amount) for leg in own_legs if leg.amount < 0]
    assert buyer == [("Milestone", Decimal("-250.55")), ("Bonus", Decimal("-19.99"))]
    earned = sorted(leg.amount for leg in own_legs if leg.amount > 0)
    shares = [ledger.provider_share(Decimal(amount)) for amount in ("250.55", "19.99")]
    fees = [Decimal("250.55") - shares[0], Decimal("19.99") - shares[1]]
    assert earned == sorted(shares + fees) == [Decimal("2.00"), Decimal("17.99"), Decimal("25.05"), Decimal("225.50")]
    assert {leg.provider_company_id is not None for leg in agency_legs} == {True}

    contract = fp.contracts["own"]
    team = fp.credentials.team("acme:engineering").reference
    today = own_legs[0].date.isoformat()
    where = f"WHERE assignment__reference = '{contract}' AND date = '{today}'"
    billings = gds(fp, "owner", f"/gds/finreports/v2/buyer_teams/{team}/billings", f"SELECT subtype, amount {where}")
    assert sorted((row[0], abs(Decimal(str(row[1])))) for row in billings) == [
        ("Bonus", Decimal("19.99")),
        ("Milestone", Decimal("250.55")),
    ]
    earnings = gds(fp, "provider", "/gds/finreports/v2/providers/jwalker/earnings", f"SELECT subtype, amount {where}")
    assert sorted((row[0], Decimal(str(row[1]))) for row in earnings) == [
        ("Bonus", ledger.provider_share(Decimal("19.99"))),
        ("Milestone", ledger.provider_share(Decimal("250.55"))),
    ]


def test_a_failure_half_way_leaves_nothing(fp, monkeypatch):
    milestone, submission = fp.milestone_in("submitted")
    before = fp.ledger_size()

    def broken(*_args, **_kwargs):
        raise RuntimeError("the ledger is down")

    monkeypatch.setattr(ledger, "post", broken)
    response = fp.call("owner", "PUT", f"/submissions/{submission}/approve.json", {"amount": "300", "bonus": "5"})
    assert response.status_code == 500
    assert fp.ledger_size() == before
    assert fp.status_of(milestone) == "submitted"
    with fp.engine.connect() as conn:
        assert conn.scalar(sa.select(Submission.status).where(Submission.reference == int(submission))) == "pending"


# --------------------------------------------------------------------------
# Concurrency: two approvals of the same submission (or milestone) at once pay once


@pytest.mark.parametrize("target", ["submission", "milestone"])
def test_concurrent_approvals_pay_once(fp, target):
    milestone, submission = fp.milestone_in("submitted")
    before = fp.ledger_size()
    if target == "submission":
        path, params = f"/submissions/{submission}/approve.json", {"amount": "300", "bonus": "10"}
    else:
        path, params = f"/milestones/{milestone}/approve.json", {"bonus": "10"}
    barrier = threading.Barrier(4)
    statuses: list[int] = []

    def approve() -> None:
        barrier.wait()
        statuses.append(fp.call("owner", "PUT", path, params).status_code)

    threads = [threading.Thread(target=approve) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses.count(200) == 1, statuses
    assert set(statuses) <= {200, 400, 503}, statuses
    assert fp.ledger_size() == before + 6
    assert fp.status_of(milestone) == "paid"


# --------------------------------------------------------------------------
# Concurrency: payments on different contracts at once each get their own ledger numbers


def _job_for_offer(fp: Fp) -> str:
    """An open fixed-price job of acme:engineering, posted through the API; its reference."""
    team = str(fp.credentials.team("acme:engineering").reference)
    params = {
        "buyer_team__reference": team,
        "title": "Parallel payments",
        "job_type": "fixed-price",
        "description": "A job whose offer is accepted while other payments are made",
        "visibility": "public",
        "category": "Web Development",
        "subcategory": "Web Programming",
        "budget": "500",
    }
    response = send(fp.client, consumer_signer(fp.credentials, "owner"), "POST", "/api/hr/v2/jobs.json", params)
    assert response.status_code == 200, response.text
    return response.json()["job"]["reference"]


def _acme_contracts(fp: Fp, count: int) -> list[tuple[str, str]]:
    """``count`` active demo contracts of acme teams other than the test's own: (team reference, contract)."""
    ours = [int(reference) for reference in fp.contracts.values()]
    with fp.engine.connect() as conn:
        rows = conn.execute(
            sa.select(Team.reference, Engagement.reference)
            .join(Team, Team.id == Engagement.buyer_team_id)
            .where(Engagement.status == "active", Team.team_id.like("acme:%"), Engagement.reference.not_in(ours))
            .order_by(Engagement.reference)
            .limit(count)
        ).all()
    assert len(rows) == count
    return [(str(team), str(contract)) for team, contract in rows]


def test_parallel_payments_on_different_contracts_never_share_ledger_numbers(fp):
    """Every payment path at the same moment: two approvals, an upfront payment, two adjustments.

    PostgreSQL: the ledger's lock makes them take turns, all five pay. SQLite:
    its single writer serializes them; a writer that cannot wait is told to
    retry (503 with Retry-After), never a 500.
    """
    _, submission = fp.milestone_in("submitted", "own")
    milestone, _ = fp.milestone_in("active", "agency")
    hr = "/api/hr/v2"
    offer = send(
        fp.client,
        consumer_signer(fp.credentials, "owner"),
        "POST",
        f"{hr}/offers.json",
        {
            "job__reference": _job_for_offer(fp),
            "provider__reference": "jwalker",
            "fixed_charge_amount_agreed": "500",
            "fixed_price_upfront_payment": "50",
        },
    )
    assert offer.status_code == 200, offer.text
    offer_reference = offer.json()["offer"]["reference"]
    (team_a, contract_a), (team_b, contract_b) = _acme_contracts(fp, 2)
    payments = [
        ("owner", f"{PREFIX}/submissions/{submission}/approve.json", {"amount": "300", "bonus": "10"}),
        ("owner", f"{PREFIX}/milestones/{milestone}/approve.json", {"bonus": "5"}),
        ("provider", f"/api/offers/v1/contractors/actions/{offer_reference}.json", {"action_name": "accept"}),
        (
            "owner",
            f"{hr}/teams/{team_a}/adjustments.json",
            {"engagement__reference": contract_a, "comments": "A", "charge_amount": "11"},
        ),
        (
            "owner",
            f"{hr}/teams/{team_b}/adjustments.json",
            {"engagement__reference": contract_b, "comments": "B", "charge_amount": "12"},
        ),
    ]
    # Legs each payment posts: milestone and bonus (6), milestone and bonus (6), upfront (3), adjustments (3 each).
    legs_of = [6, 6, 3, 3, 3]
    methods = ["PUT", "PUT", "POST", "POST", "POST"]
    before = fp.ledger_size()
    barrier = threading.Barrier(len(payments))
    answers: list[Any] = [None] * len(payments)

    def pay(index: int) -> None:
        role, path, params = payments[index]
        barrier.wait()
        answers[index] = send(fp.client, consumer_signer(fp.credentials, role), methods[index], path, params)

    threads = [threading.Thread(target=pay, args=(index,)) for index in range(len(payments))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = [answer.status_code for answer in answers]
    if fp.engine.dialect.name == "postgresql":
        assert statuses == [200] * len(payments), [answer.text for answer in answers]
    else:
        assert set(statuses) <= {200, 503}, [answer.text for answer in answers]
        assert 200 in statuses
        for answer in answers:
            if answer.status_code == 503:
                assert_error(answer, 503, "server_busy")
                assert answer.headers["retry-after"]
    paid = [legs for legs, status in zip(legs_of, statuses, strict=True) if status == 200]
    assert fp.ledger_size() == before + sum(paid)
    with fp.engine.connect() as conn:
        new = conn.execute(
            sa.select(LedgerEntry.transaction_ref, LedgerEntry.amount).order_by(LedgerEntry.reference).offset(before)
        ).all()
    by_transaction: dict[int, Decimal] = {}
    for transaction_ref, amount in new:
        by_transaction[transaction_ref] = by_transaction.get(transaction_ref, Decimal(0)) + amount
    assert len(by_transaction) == len(paid)
    assert set(by_transaction.values()) == {Decimal(0)}
