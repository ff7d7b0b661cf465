"""Offers over HTTP: HR v2 (get_offers, get_offer, post_offer) and Offers v1 (client and contractor offers).

Against the real app on a private copy of the demo, SQLite then PostgreSQL:
each method's success and documented errors, the offer states as a table of
(state, action) -> state or error, the permission matrix of the demo roles,
two racing accepts making one engagement, and the upfront payment's legs
(summing to zero, shown in the financial reports).
"""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
import sqlalchemy as sa
from hiring_helpers import Hiring, hiring, make_candidacy, make_job
from oauth_signing import assert_error
from test_reports_access import UIDS

from odesk_server.db.work import UnitOfWork
from odesk_server.domain import offers as rules
from odesk_server.models import Candidacy, Engagement, Job, LedgerEntry, Milestone, Offer, Team, UserRole
from odesk_server.problems import WrongState

HR = "/api/hr/v2"
V1 = "/api/offers/v1"
ROLES = tuple(UIDS)


class Env(Hiring):
    """Signed calls per role (POST parameters as a form), and direct rows for what other parts make."""

    demo_offers: frozenset[str] = frozenset()

    def ours(self, offers: list[dict]) -> list[str]:
        """The references of a listing's offers, the demo's own offers left out."""
        return [offer["reference"] for offer in offers if offer["reference"] not in self.demo_offers]

    def team(self, team_id: str) -> tuple[int, int]:
        row = self.rows(sa.select(Team.id, Team.reference).where(Team.team_id == team_id))[0]
        return row.id, row.reference

    def job(self, team_id: str = "acme:engineering", status: str = "open", job_type: str = "hourly") -> Job:
        """A job row of the team (the job endpoints are another part's; the offers only need the row)."""
        return make_job(self.engine, team_id, status=status, job_type=job_type)

    def candidacy(self, job: Job, uid: str, status: str) -> Candidacy:
        return make_candidacy(self.engine, job, uid, status)

    def offer_row(self, reference: str) -> Offer:
        with UnitOfWork(self.engine) as work:
            return work.session.execute(sa.select(Offer).where(Offer.reference == int(reference))).scalar_one()

    def set_offer(self, reference: str, **values) -> None:
        with self.engine.begin() as conn:
            conn.execute(sa.update(Offer).where(Offer.reference == int(reference)).values(**values))

    def hourly_offer(self, uid: str = "jwalker", team_id: str = "acme:engineering", **extra) -> dict:
        job = self.job(team_id)
        params = {"job__reference": str(job.reference), "provider__reference": uid, "hourly_pay_rate": "45.00"}
        return self.ok("owner", "POST", f"{HR}/offers.json", {**params, **extra})["offer"]


@pytest.fixture
def env(mutable_demo_database):
    with hiring(mutable_demo_database) as shared:
        environment = Env(shared.client, shared.credentials, shared.engine, form_posts=True)
        environment.demo_offers = frozenset(str(row.reference) for row in environment.rows(sa.select(Offer.reference)))
        yield environment


# --------------------------------------------------------------------------
# HR v2


def test_post_offer_hourly_then_read_and_list_it(env):
    job = env.job()
    made = env.ok(
        "hiring_manager",
        "POST",
        f"{HR}/offers.json",
        {
            "job__reference": str(job.reference),
            "provider__reference": "jwalker",
            "engagement_title": "Python work",
            "hourly_pay_rate": "45",
            "weekly_hours_limit": "30",
            "message_from_buyer": "Welcome",
            "start_date": "07-01-2026",
            "keep_open": "yes",
        },
    )["offer"]
    assert made["status"] == "pending"
    assert made["job_type"] == "hourly"
    assert made["hourly_pay_rate"] == "45.00"
    assert made["weekly_hours_limit"] == "30.00"
    assert made["keep_open"] == "yes"
    assert made["provider__id"] == "jwalker"
    assert made["job__reference"] == str(job.reference)
    assert made["start_date"] == "07-01-2026"
    assert made["engagement__reference"] == ""
    assert made["application__reference"] != ""  # a candidacy was made for him, offered

    read = env.ok("finance", "GET", f"{HR}/offers/{made['reference']}.json")["offer"]
    assert read == made
    _, team_ref = env.team("acme:engineering")
    listed = env.ok("owner", "GET", f"{HR}/offers.json", {"buyer_team__reference": str(team_ref)})["offers"]
    assert env.ours(listed["offer"]) == [made["reference"]]
    assert listed["lister"]["total_items"] == str(len(listed["offer"]))
    # Filters: status, provider, job, sub-teams from the root team.
    acme_ref = str(env.credentials.team("acme:acme").reference)
    query = {"buyer_team__reference": acme_ref, "include_sub_teams": "True", "status": "pending;accepted"}
    assert len(env.ours(env.ok("owner", "GET", f"{HR}/offers.json", query)["offers"]["offer"])) == 1
    assert env.ours(env.ok("owner", "GET", f"{HR}/offers.json", {**query, "status": "closed"})["offers"]["offer"]) == []
    assert env.ok("owner", "GET", f"{HR}/offers.json", {**query, "include_sub_teams": "False"})["offers"]["offer"] == []
    assert (
        len(
            env.ours(
                env.ok("owner", "GET", f"{HR}/offers.json", {**query, "provider__reference": "jwalker"})["offers"][
                    "offer"
                ]
            )
        )
        == 1
    )
    unknown = env.call("owner", "GET", f"{HR}/offers.json", {**query, "provider__reference": "nobody"})
    assert_error(unknown, 404, "not_found", "No provider")


def test_post_offer_without_a_charge_invites_to_interview(env):
    job = env.job()
    reply = env.ok(
        "owner", "POST", f"{HR}/offers.json", {"job__reference": str(job.reference), "provider__reference": "jwalker"}
    )
    assert reply["application"]["status"] == "invited"
    assert reply["application"]["job__reference"] == str(job.reference)


# (role, parameters beyond a fresh job's reference, status, error code, part of the message)
POST_OFFER_ERRORS = [
    ("owner", {"hourly_pay_rate": "10"}, 400, "bad_request", "provider__reference or profile_key is required"),
    ("owner", {"provider__reference": "nobody", "hourly_pay_rate": "10"}, 404, "not_found", "No provider"),
    ("owner", {"provider__reference": "mhale", "hourly_pay_rate": "10"}, 404, "not_found", "No provider"),
    ("finance", {"provider__reference": "jwalker", "hourly_pay_rate": "10"}, 403, "access_denied", "hiring"),
    ("member", {"provider__reference": "jwalker", "hourly_pay_rate": "10"}, 404, "not_found", "No job"),
    ("provider", {"provider__reference": "jwalker", "hourly_pay_rate": "10"}, 403, "access_denied", "hiring"),
    ("agency_owner", {"provider__reference": "jwalker", "hourly_pay_rate": "10"}, 404, "not_found", "No job"),
    ("owner", {"provider__reference": "jwalker", "hourly_pay_rate": "-5"}, 400, "bad_request", "hourly_pay_rate"),
    ("owner", {"provider__reference": "jwalker", "hourly_pay_rate": "1.005"}, 400, "bad_request", "two decimal"),
    (
        "owner",
        {"provider__reference": "jwalker", "hourly_pay_rate": "10", "keep_open": "maybe"},
        400,
        "bad_request",
        "keep_open",
    ),
    (
        "owner",
        {"provider__reference": "jwalker", "hourly_pay_rate": "10", "weekly_hours_limit": "200"},
        400,
        "bad_request",
        "weekly_hours_limit",
    ),
    (
        "owner",
        {"provider__reference": "jwalker", "hourly_pay_rate": "10", "fixed_charge_amount_agreed": "100"},
        400,
        "bad_request",
        "a fixed-price offer takes no hourly_pay_rate",
    ),
    (
        "owner",
        {"provider__reference": "jwalker", "fixed_charge_amount_agreed": "100", "fixed_price_upfront_payment": "150"},
        400,
        "bad_request",
        "cannot exceed the amount agreed",
    ),
    (
        "owner",
        {"provider__reference": "jwalker", "fixed_charge_amount_agreed": "100", "fixed_pay_amount_agreed": "120"},
        400,
        "bad_request",
        "cannot exceed",
    ),
    (
        "owner",
        {
            "provider__reference": "jwalker",
            "hourly_pay_rate": "10",
            "provider_team__reference": "brightcode:brightcode",
        },
        400,
        "bad_request",
        "is not in the team",
    ),
    (
        "owner",
        {"provider__reference": "jwalker", "hourly_pay_rate": "10", "start_date": "31-31-2026"},
        400,
        "bad_request",
        "start_date",
    ),
]


@pytest.mark.parametrize("role, params, status, code, message", POST_OFFER_ERRORS)
def test_post_offer_errors(env, role, params, status, code, message):
    job = env.job()
    response = env.call(role, "POST", f"{HR}/offers.json", {"job__reference": str(job.reference), **params})
    assert_error(response, status, code, message)


def test_post_offer_state_errors(env):
    filled = env.job(status="filled")
    offer = {"provider__reference": "jwalker", "hourly_pay_rate": "10"}
    response = env.call("owner", "POST", f"{HR}/offers.json", {"job__reference": str(filled.reference), **offer})
    assert_error(response, 400, "invalid_state", "job that is filled")
    unknown = env.call("owner", "POST", f"{HR}/offers.json", {"job__reference": "99999999", **offer})
    assert_error(unknown, 404, "not_found", "No job")
    job = env.job()
    env.ok("owner", "POST", f"{HR}/offers.json", {"job__reference": str(job.reference), **offer})
    again = env.call("owner", "POST", f"{HR}/offers.json", {"job__reference": str(job.reference), **offer})
    assert_error(again, 409, "conflict", "already has a pending offer")
    hired_job = env.job()
    env.candidacy(hired_job, "jwalker", "declined")
    declined = env.call("owner", "POST", f"{HR}/offers.json", {"job__reference": str(hired_job.reference), **offer})
    assert_error(declined, 400, "invalid_state", "application that is declined")


def test_get_offers_and_get_offer_errors(env):
    made = env.hourly_offer()
    assert_error(env.call("owner", "GET", f"{HR}/offers/99999999.json"), 404, "not_found", "No offer")
    assert_error(env.call("owner", "GET", f"{HR}/offers/abc.json"), 404, "not_found", "No offer")
    assert_error(env.call("member", "GET", f"{HR}/offers/{made['reference']}.json"), 404, "not_found", "No offer")
    assert_error(env.call("provider", "GET", f"{HR}/offers/{made['reference']}.json"), 403, "access_denied", "")
    team = str(env.credentials.team("acme:engineering").reference)
    listing = f"{HR}/offers.json"
    assert_error(env.call("owner", "GET", listing, {}), 400, "bad_request", "buyer_team__reference is required")
    assert_error(env.call("member", "GET", listing, {"buyer_team__reference": team}), 404, "not_found", "No team")
    assert_error(env.call("provider", "GET", listing, {"buyer_team__reference": team}), 403, "access_denied", "")
    bad = {"buyer_team__reference": team}
    assert_error(env.call("owner", "GET", listing, {**bad, "status": "open"}), 400, "bad_request", "status")
    assert_error(env.call("owner", "GET", listing, {**bad, "order_by": "salary"}), 400, "bad_request", "order_by")
    assert_error(env.call("owner", "GET", listing, {**bad, "page": "x"}), 400, "bad_request", "page")
    assert_error(
        env.call("owner", "GET", listing, {**bad, "created_time_from": "yesterday"}),
        400,
        "bad_request",
        "created_time_from",
    )
    ordered = env.ok(
        "owner", "GET", listing, {**bad, "order_by": "created_time;D", "created_time_from": "2020-01-01T00:00:00"}
    )
    assert env.ours(ordered["offers"]["offer"]) == [made["reference"]]


# --------------------------------------------------------------------------
# Offers v1 and the money of an accepted offer


def test_send_fixed_price_offer_accept_it_and_see_the_money(env):
    job = env.job(job_type="fixed-price")
    team = str(env.credentials.team("acme:engineering").reference)
    sent = env.ok(
        "owner",
        "POST",
        f"{V1}/clients/offers.json",
        {
            "title": "Landing page",
            "job_type": "fixed-price",
            "charge_rate": "1000",
            "message_to_contractor": "Please build it",
            "team__reference": team,
            "contractor_username": "jwalker",
            "charge_upfront_percent": "10",
            "context[job_posting_ref]": job.job_key,
            "milestones[0][milestone_description]": "Design",
            "milestones[0][deposit_amount]": "400",
            "milestones[0][due_date]": "08-01-2026",
            "milestones[1][milestone_description]": "Build",
            "milestones[1][deposit_amount]": "500",
        },
    )["offer"]
    assert sent["status"] == "new"
    assert sent["fixed_charge_amount_agreed"] == "1000.00"
    assert sent["fixed_price_upfront_payment"] == "100.00"
    assert sent["keep_open"] == "no"
    assert [m["milestone_description"] for m in sent["milestones"]["milestone"]] == ["Design", "Build"]
    assert sent["milestones"]["milestone"][0]["due_date"] == "08-01-2026"

    ref = sent["reference"]
    assert env.ok("finance", "GET", f"{V1}/clients/offers/{ref}.json", {"offer_id": ref})["offer"] == sent
    client_list = env.ok("owner", "GET", f"{V1}/clients/offers.json", {"team__reference": team})["offers"]["offer"]
    assert [o["reference"] for o in client_list] == [ref]
    mine = env.ok("provider", "GET", f"{V1}/contractors/offers.json")["offers"]["offer"]
    assert ref in [o["reference"] for o in mine]
    assert (
        env.ok("provider", "GET", f"{V1}/contractors/offers/{ref}.json", {"offer_id": ref})["offer"]["status"] == "new"
    )

    accepted = env.ok("provider", "POST", f"{V1}/contractors/actions/{ref}.json", {"action_name": "accept"})["offer"]
    assert accepted["status"] == "accepted"
    assert accepted["engagement__reference"] != ""

    with UnitOfWork(env.engine) as work:
        engagement = work.session.execute(
            sa.select(Engagement).where(Engagement.reference == int(accepted["engagement__reference"]))
        ).scalar_one()
        assert (engagement.job_type, engagement.fixed_price, engagement.status) == (
            "fixed-price",
            Decimal("1000.00"),
            "active",
        )
        assert engagement.job_id == job.id and engagement.offer_id is not None
        milestones = (
            work.session.execute(
                sa.select(Milestone).where(Milestone.engagement_id == engagement.id).order_by(Milestone.position)
            )
            .scalars()
            .all()
        )
        assert [(m.description, m.deposit_amount, m.status) for m in milestones] == [
            ("Design", Decimal("400.00"), "not_funded"),
            ("Build", Decimal("500.00"), "not_funded"),
        ]
        legs = (
            work.session.execute(sa.select(LedgerEntry).where(LedgerEntry.engagement_id == engagement.id))
            .scalars()
            .all()
        )
        assert len(legs) == 3 and len({leg.transaction_ref for leg in legs}) == 1
        assert sum(leg.amount for leg in legs) == 0
        assert sorted(leg.amount for leg in legs) == [Decimal("-100.00"), Decimal("10.00"), Decimal("90.00")]
        assert {leg.subtype for leg in legs} == {"Upfront Payment"}
        filled = work.session.get(Job, job.id)
        assert filled is not None and filled.status == "filled"
        assert (
            work.session.execute(
                sa.select(UserRole.id).where(
                    UserRole.user_id == engagement.provider_user_id, UserRole.team_id == engagement.buyer_team_id
                )
            ).first()
            is not None
        )
        day = legs[0].date.isoformat()

    where = f"WHERE date >= '{day}' AND date <= '{day}' AND assignment__reference = '{engagement.reference}'"
    billings = env.call(
        "owner", "GET", f"/gds/finreports/v2/buyer_teams/{team}/billings", {"tq": f"SELECT amount, subtype {where}"}
    )
    assert billings.status_code == 200, billings.text
    # The buyer's billing is his leg, as the reports sign it: money out.
    rows = [[c["v"] for c in row["c"]] for row in billings.json()["table"]["rows"]]
    assert [(Decimal(amount), subtype) for amount, subtype in rows] == [(Decimal("-100"), "Upfront Payment")]
    earnings = env.call(
        "provider", "GET", "/gds/finreports/v2/providers/jwalker/earnings", {"tq": f"SELECT amount {where}"}
    )
    assert earnings.status_code == 200, earnings.text
    assert [Decimal(row["c"][0]["v"]) for row in earnings.json()["table"]["rows"]] == [Decimal("90")]


# (parameters, status, code, part of the message) for send_client_offer; the title etc. are added.
SEND_ERRORS = [
    ({}, 400, "bad_request", "team__reference or client_team_ref is required"),
    ({"team__reference": "{team}"}, 400, "bad_request", "contractor_username, contractor_key or contractor_reference"),
    ({"team__reference": "{team}", "contractor_username": "ghost"}, 404, "not_found", "No provider"),
    (
        {"client_team_ref": "acme:engineering", "contractor_reference": "jwalker"},
        400,
        "bad_request",
        "must be a number",
    ),
    ({"team__reference": "{team}", "contractor_key": "~~0000"}, 404, "not_found", "No provider"),
    (
        {"team__reference": "{team}", "contractor_username": "jwalker", "job_type": "weekly"},
        400,
        "bad_request",
        "job_type",
    ),
    (
        {"team__reference": "{team}", "contractor_username": "jwalker", "context[color]": "red"},
        400,
        "bad_request",
        "context[color]",
    ),
    (
        {
            "team__reference": "{team}",
            "contractor_username": "jwalker",
            "milestones[0][milestone_description]": "A",
            "milestones[0][deposit_amount]": "5",
        },
        400,
        "bad_request",
        "an hourly offer has no milestones",
    ),
    (
        {"team__reference": "{team}", "contractor_username": "jwalker", "close_on_accept": "2"},
        400,
        "bad_request",
        "close_on_accept",
    ),
    (
        {"team__reference": "{team}", "contractor_username": "jwalker", "expires_on": "1400785324"},
        400,
        "bad_request",
        "expires_on",
    ),
    (
        {"team__reference": "{team}", "contractor_username": "jwalker", "related_jobcategory": "999999"},
        400,
        "bad_request",
        "related_jobcategory",
    ),
    (
        {"team__reference": "{team}", "contractor_username": "jwalker", "context[job_posting_ref]": "~~nothing"},
        404,
        "not_found",
        "No job",
    ),
    (
        {
            "team__reference": "{team}",
            "contractor_username": "jwalker",
            "job_type": "fixed-price",
            "milestones[0][deposit_amount]": "5",
        },
        400,
        "bad_request",
        "milestones[0][milestone_description] is required",
    ),
    (
        {
            "team__reference": "{team}",
            "contractor_username": "jwalker",
            "job_type": "fixed-price",
            "milestones[0][milestone_description]": "A",
            "milestones[0][deposit_amount]": "5000",
        },
        400,
        "bad_request",
        "cannot exceed the amount agreed",
    ),
]


@pytest.mark.parametrize("params, status, code, message", SEND_ERRORS)
def test_send_client_offer_errors(env, params, status, code, message):
    team = str(env.credentials.team("acme:engineering").reference)
    base = {"title": "Work", "job_type": "hourly", "charge_rate": "30", "message_to_contractor": "Hi"}
    given = {key: value.replace("{team}", team) for key, value in params.items()}
    assert_error(env.call("owner", "POST", f"{V1}/clients/offers.json", {**base, **given}), status, code, message)


def test_send_client_offer_permissions_and_list_errors(env):
    base = {
        "title": "Work",
        "job_type": "hourly",
        "charge_rate": "30",
        "message_to_contractor": "Hi",
        "contractor_username": "jwalker",
    }
    team = str(env.credentials.team("acme:engineering").reference)
    assert_error(
        env.call("finance", "POST", f"{V1}/clients/offers.json", {**base, "team__reference": team}),
        403,
        "access_denied",
        "",
    )
    assert_error(
        env.call("member", "POST", f"{V1}/clients/offers.json", {**base, "team__reference": team}), 404, "not_found", ""
    )
    assert_error(
        env.call("owner", "GET", f"{V1}/clients/offers.json"),
        400,
        "bad_request",
        "company_id, team__reference or job__reference",
    )
    assert_error(
        env.call("owner", "GET", f"{V1}/clients/offers.json", {"company_id": "brightcode"}),
        404,
        "not_found",
        "No company",
    )
    assert_error(
        env.call("member", "GET", f"{V1}/clients/offers.json", {"company_id": "acme"}), 403, "access_denied", ""
    )
    assert_error(
        env.call("owner", "GET", f"{V1}/clients/offers.json", {"company_id": "acme", "status": "open"}),
        400,
        "bad_request",
        "status",
    )
    assert (
        env.ours(
            env.ok("finance", "GET", f"{V1}/clients/offers.json", {"company_id": "acme", "status": "new;accepted"})[
                "offers"
            ]["offer"]
        )
        == []
    )
    made = env.hourly_offer()
    ref = made["reference"]
    by_company = env.ok("finance", "GET", f"{V1}/clients/offers.json", {"company_id": "acme"})["offers"]["offer"]
    assert env.ours(by_company) == [ref]
    by_job = env.ok("owner", "GET", f"{V1}/clients/offers.json", {"job__reference": made["job__reference"]})["offers"][
        "offer"
    ]
    assert [o["reference"] for o in by_job] == [ref]
    other_job = env.job()
    assert_error(
        env.call(
            "owner",
            "GET",
            f"{V1}/clients/offers/{ref}.json",
            {"offer_id": ref, "job__reference": str(other_job.reference)},
        ),
        404,
        "not_found",
        "No offer",
    )
    assert_error(
        env.call("owner", "GET", f"{V1}/clients/offers/{ref}.json", {"offer_id": ref, "company_id": "brightcode"}),
        404,
        "not_found",
        "",
    )
    assert (
        env.ok("owner", "GET", f"{V1}/clients/offers/{ref}.json", {"offer_id": ref, "company_id": "acme"})["offer"][
            "reference"
        ]
        == ref
    )
    assert_error(
        env.call("provider", "GET", f"{V1}/clients/offers/{ref}.json", {"offer_id": ref}), 403, "access_denied", ""
    )
    assert_error(
        env.call("owner", "GET", f"{V1}/contractors/offers/{ref}.json", {"offer_id": ref}), 403, "access_denied", ""
    )
    assert_error(
        env.call("agency_provider", "GET", f"{V1}/contractors/offers/{ref}.json", {"offer_id": ref}),
        404,
        "not_found",
        "",
    )
    assert_error(
        env.call("provider", "GET", f"{V1}/contractors/offers.json", {"status": "open"}), 400, "bad_request", "status"
    )
    assert_error(
        env.call("provider", "POST", f"{V1}/contractors/actions/{ref}.json", {"action_name": "maybe"}),
        400,
        "bad_request",
        "action_name",
    )
    assert_error(
        env.call("provider", "POST", f"{V1}/contractors/actions/99999999.json", {"action_name": "accept"}),
        404,
        "not_found",
        "",
    )


# --------------------------------------------------------------------------
# The states: (state, action) -> state or error


STATE_TABLE = [
    ("pending", "accept", "accepted"),
    ("pending", "decline", "declined"),
    ("accepted", "accept", "invalid_state"),
    ("accepted", "decline", "invalid_state"),
    ("declined", "accept", "invalid_state"),
    ("declined", "decline", "invalid_state"),
    ("withdrawn", "accept", "invalid_state"),
    ("withdrawn", "decline", "invalid_state"),
    ("expired", "accept", "invalid_state"),
    ("expired", "decline", "invalid_state"),
]
V1_NAME = {"pending": "new"}


@pytest.mark.parametrize("state, action, outcome", STATE_TABLE)
def test_offer_states(env, state, action, outcome):
    made = env.hourly_offer()
    ref = made["reference"]
    if state == "expired":
        env.set_offer(ref, expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
    elif state != "pending":
        env.set_offer(ref, status=state, decided_at=dt.datetime.now(dt.UTC))
    assert env.ok("provider", "GET", f"{V1}/contractors/offers/{ref}.json")["offer"]["status"] == V1_NAME.get(
        state, state
    )
    response = env.call("provider", "POST", f"{V1}/contractors/actions/{ref}.json", {"action_name": action})
    if outcome == "invalid_state":
        assert_error(response, 400, "invalid_state", f"cannot {action} an offer that is {state}")
        return
    assert response.status_code == 200, response.text
    assert response.json()["offer"]["status"] == outcome
    row = env.offer_row(ref)
    assert row.status == outcome
    with env.engine.connect() as conn:
        engagements = conn.execute(sa.select(sa.func.count()).where(Engagement.offer_id == row.id)).scalar_one()
        candidacy = conn.execute(sa.select(Candidacy.status).where(Candidacy.id == row.candidacy_id)).scalar_one()
        job = conn.execute(sa.select(Job.status).where(Job.id == row.job_id)).scalar_one()
    assert engagements == (1 if outcome == "accepted" else 0)
    assert candidacy == ("hired" if outcome == "accepted" else "interviewing")
    assert job == ("filled" if outcome == "accepted" else "open")


def test_transitions_are_the_only_moves():
    for status in rules.OfferStatus:
        for action in rules.OfferAction:
            if (status, action) in rules.TRANSITIONS:
                assert rules.next_status(status, action) is rules.TRANSITIONS[(status, action)]
            else:
                with pytest.raises(WrongState, match=f"that is {status}"):
                    rules.next_status(status, action)


def test_keep_open_leaves_the_job_open(env):
    made = env.hourly_offer(keep_open="yes")
    env.ok("provider", "POST", f"{V1}/contractors/actions/{made['reference']}.json", {"action_name": "accept"})
    with env.engine.connect() as conn:
        assert (
            conn.execute(sa.select(Job.status).where(Job.reference == int(made["job__reference"]))).scalar_one()
            == "open"
        )


def test_two_racing_accepts_make_one_engagement(env):
    made = env.hourly_offer()
    offer_id = env.offer_row(made["reference"]).id
    outcomes: list[str] = []
    first = UnitOfWork(env.engine)
    first.__enter__()
    rules.accept_offer(first, first.session.get(Offer, offer_id), dt.datetime.now(dt.UTC))

    def second() -> None:
        try:
            with UnitOfWork(env.engine) as work:
                rules.accept_offer(work, work.session.get(Offer, offer_id), dt.datetime.now(dt.UTC))
            outcomes.append("accepted")
        except WrongState as refused:
            outcomes.append(refused.message)

    racer = threading.Thread(target=second)
    racer.start()
    racer.join(0.5)  # it waits on the first one's write
    first.__exit__(None, None, None)
    racer.join(30)
    assert outcomes == ["cannot accept an offer that is accepted: only a pending offer can be decided"]
    with env.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).where(Engagement.offer_id == offer_id)).scalar_one() == 1


# --------------------------------------------------------------------------
# Permissions: an agency offer (akowalski through Bright Code) on acme:engineering, every demo role


# role -> (HR v2 get_offer, v1 get_client_offer, v1 get_freelancer_offer, listed in list_freelancer_offers, accept)
PERMISSIONS = {
    "owner": (200, 200, 403, False, 403),
    "hiring_manager": (200, 200, 403, False, 403),
    "finance": (200, 200, 403, False, 403),
    "member": (404, 404, 404, False, 404),
    "provider": (404, 404, 404, False, 404),
    "agency_owner": (403, 403, 200, True, None),
    "staffing_manager": (403, 403, 200, True, None),
    "agency_provider": (403, 403, 200, True, 200),
}


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(env, role):
    made = env.hourly_offer("akowalski", provider_team__reference="brightcode:brightcode")
    assert made["provider_team__id"] == "brightcode:brightcode"
    ref = made["reference"]
    hr_read, client_read, contractor_read, listed, accept = PERMISSIONS[role]
    assert env.call(role, "GET", f"{HR}/offers/{ref}.json").status_code == hr_read
    assert env.call(role, "GET", f"{V1}/clients/offers/{ref}.json", {"offer_id": ref}).status_code == client_read
    assert (
        env.call(role, "GET", f"{V1}/contractors/offers/{ref}.json", {"offer_id": ref}).status_code == contractor_read
    )
    mine = env.ok(role, "GET", f"{V1}/contractors/offers.json")["offers"]["offer"]
    assert (ref in [o["reference"] for o in mine]) is listed
    response = env.call(role, "POST", f"{V1}/contractors/actions/{ref}.json", {"action_name": "accept"})
    assert response.status_code == (accept or 200), response.text
    if response.status_code == 200:
        with UnitOfWork(env.engine) as work:
            engagement = work.session.execute(
                sa.select(Engagement).where(
                    Engagement.reference == int(response.json()["offer"]["engagement__reference"])
                )
            ).scalar_one()
            assert engagement.agency_company_id is not None
            assert engagement.provider_user_id == env.user_id("akowalski")
