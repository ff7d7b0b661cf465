"""Provider profiles over HTTP on the fixed demo, and the rules of what a profile counts.

``/api/profiles/v1/providers/{keys}`` and ``/{keys}/brief`` in process
(``create_app`` on the demo of DEMO_SEED and DEMO_END_DATE): the documented
errors as a table, XML, the demo's profiles, a provider who is no longer
active; and the counting rules (feedback means, the recent window, what an
assignment shows) on rows made here. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
import sqlalchemy as sa
from oauth_signing import AppCache, assert_error, consumer_signer, send, served_app

from odesk_server.api import providers as api
from odesk_server.models import User
from odesk_server.models.profiles import ProviderProfile, ProviderSkill
from odesk_server.queries.providers import ContractRow

BASE = "/api/profiles/v1/providers/"


@pytest.fixture(scope="module")
def apps():
    cache = AppCache()
    yield cache
    cache.close()


def _keys(url: str, public: bool | None = None) -> list[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            query = (
                sa.select(User.profile_key).join(ProviderProfile, ProviderProfile.user_id == User.id).order_by(User.uid)
            )
            if public is not None:
                query = query.where(ProviderProfile.is_public.is_(public))
            return [key for (key,) in conn.execute(query)]
    finally:
        engine.dispose()


def _get(apps, demo_database, role: str, path: str):
    url, credentials = demo_database
    return send(apps.client(url), consumer_signer(credentials, role), "GET", BASE + path)


def test_every_demo_contractor_has_a_profile(demo_database) -> None:
    url, _credentials = demo_database
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            providers = conn.execute(sa.select(sa.func.count()).where(User.is_provider.is_(True))).scalar_one()
            profiles = conn.execute(sa.select(ProviderProfile.is_public, ProviderProfile.region_id)).all()
            skills = dict(
                conn.execute(sa.select(ProviderSkill.user_id, sa.func.count()).group_by(ProviderSkill.user_id)).all()
            )
            untitled = conn.execute(
                sa.select(sa.func.count()).where(
                    User.is_provider.is_(True), sa.or_(User.title.is_(None), User.description.is_(None))
                )
            ).scalar_one()
    finally:
        engine.dispose()
    assert providers == len(profiles) == 40
    assert sum(1 for is_public, _region in profiles if not is_public) == 2
    assert all(region is not None for _public, region in profiles)
    assert len(skills) == 40 and min(skills.values()) >= 3
    assert untitled == 0


ERRORS = [
    # (path, status, code, part of the message)
    (";;.json", 400, "bad_request", "Give a provider profile key"),
    (" ; ;.json", 400, "bad_request", "Give a provider profile key"),
    ("~~0000000000000000.json", 404, "not_found", "'~~0000000000000000'"),
    ("~~0000000000000000/brief.json", 404, "not_found", "'~~0000000000000000'"),
    ("jwalker.json", 404, "not_found", "'jwalker'"),
]


@pytest.mark.parametrize(("path", "status", "code", "message"), ERRORS)
def test_documented_errors(apps, demo_database, path: str, status: int, code: str, message: str) -> None:
    assert_error(_get(apps, demo_database, "hiring_manager", path), status, code, message)


@pytest.mark.parametrize("suffix", ["", "/brief"])
def test_twenty_keys_at_most(apps, demo_database, suffix: str) -> None:
    keys = _keys(demo_database[0], public=True)
    ok = _get(apps, demo_database, "member", ";".join(keys[:20]) + suffix + ".json")
    assert ok.status_code == 200, ok.text
    assert len(ok.json()["profile"]) == 20
    too_many = _get(apps, demo_database, "member", ";".join(keys[:21]) + suffix + ".json")
    assert_error(too_many, 400, "bad_request", "At most 20 provider keys per request, got 21")


def test_a_private_key_in_a_list_is_named_alone(apps, demo_database) -> None:
    public = _keys(demo_database[0], public=True)[:2]
    private = _keys(demo_database[0], public=False)[0]
    response = _get(apps, demo_database, "owner", ";".join([public[0], private, public[1]]) + ".json")
    assert_error(response, 404, "not_found", repr(private))
    assert public[0] not in response.json()["error"]["message"]


def test_xml_answers(apps, demo_database) -> None:
    keys = _keys(demo_database[0], public=True)[:2]
    one = _get(apps, demo_database, "finance", f"{keys[0]}.xml")
    assert one.status_code == 200, one.text
    root = ET.fromstring(one.text)
    assert root.findtext("profile/ciphertext") == keys[0]
    assert root.find("profile/skills/skill/skl_name") is not None
    several = _get(apps, demo_database, "finance", f"{keys[0]};{keys[1]}/brief.xml")
    assert several.status_code == 200, several.text
    assert [p.findtext("ciphertext") for p in ET.fromstring(several.text).iter("profile")] == keys


def test_an_inactive_provider_has_no_profile(mutable_demo_database) -> None:
    url, credentials = mutable_demo_database
    key = _keys(url, public=True)[0]
    with served_app(url) as client:
        signer = consumer_signer(credentials, "hiring_manager")
        assert send(client, signer, "GET", f"{BASE}{key}.json").status_code == 200
        engine = sa.create_engine(url)
        try:
            with engine.begin() as conn:
                conn.execute(sa.update(User).where(User.profile_key == key).values(status="inactive"))
        finally:
            engine.dispose()
        assert_error(send(client, signer, "GET", f"{BASE}{key}.json"), 404, "not_found", key)


# --- the counting rules ----------------------------------------------------------------------

TODAY = dt.date(2026, 6, 30)


def _contract(
    number: int,
    scores: dict[int, str] | None = None,
    *,
    ended: dt.date | None = None,
    visibility: str | None = None,
    hours: str = "10",
    job_type: str = "hourly",
) -> ContractRow:
    return ContractRow(
        id=number,
        job_type=job_type,
        status="closed" if ended else "active",
        started_on=dt.date(2025, 1, 6),
        ended_on=ended,
        job_key="~~00000000000000aa" if visibility else None,
        job_title="Job title" if visibility else None,
        job_visibility=visibility,
        buyer_company="Buyer Inc",
        agency=None,
        feedback_comment="Good" if scores else None,
        hours=Decimal(hours),
        last_worked_on=dt.date(2025, 3, 3),
        scores={k: Decimal(v) for k, v in (scores or {}).items()},
    )


def test_feedback_is_the_mean_of_each_contracts_mean() -> None:
    five = {i: "5" for i in range(3, 9)}
    mixed = {3: "4", 4: "4", 5: "3", 6: "3", 7: "4", 8: "4"}  # mean 3.67
    old = _contract(1, five, ended=TODAY - dt.timedelta(days=400))
    recent = _contract(2, mixed, ended=TODAY - dt.timedelta(days=10))
    unrated = _contract(3, ended=TODAY - dt.timedelta(days=5))
    running = _contract(4)
    facts = api._Facts([old, recent, unrated, running], None, TODAY)
    assert facts.adj_score == Decimal("4.34")  # (5.00 + 3.67) / 2, rounded half up
    assert facts.adj_score_recent == Decimal("3.67")
    assert (len(facts.rated), len(facts.recent), len(facts.closed), len(facts.current)) == (2, 1, 3, 1)
    assert facts.total_hours == Decimal(40)
    scores = facts.category_scores()
    assert [s["avg_category_score"] for s in scores] == ["4.50", "4.50", "4.00", "4.00", "4.50", "4.50"]
    assert [s["avg_category_score_recent"] for s in scores] == ["4.00", "4.00", "3.00", "3.00", "4.00", "4.00"]


def test_no_feedback_is_empty_not_zero() -> None:
    facts = api._Facts([_contract(1)], None, TODAY)
    assert facts.adj_score is None
    assert {s["avg_category_score"] for s in facts.category_scores()} == {""}


def test_last_activity_is_the_later_of_snapshot_and_work() -> None:
    contract = _contract(1)
    snapshot = dt.datetime(2025, 3, 4, 15, 20, tzinfo=dt.UTC)
    assert api._Facts([contract], snapshot, TODAY).last_activity == snapshot
    earlier = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)
    assert api._Facts([contract], earlier, TODAY).last_activity == dt.datetime(2025, 3, 3, tzinfo=dt.UTC)
    assert api._Facts([], None, TODAY).last_activity is None


@pytest.mark.parametrize(
    ("visibility", "shown"),
    [("public", True), ("odesk", True), ("private", False), ("invite-only", False), (None, False)],
)
def test_an_assignment_names_job_and_buyer_of_a_public_job_only(visibility: str | None, shown: bool) -> None:
    item = api._assignment(_contract(1, {i: "4" for i in range(3, 9)}, ended=TODAY, visibility=visibility))
    assert (item["as_client"] == "Buyer Inc") is shown
    assert (item["as_opening_title"] == "Job title") is shown
    assert (item["as_ciphertext_opening_recno"] != "") is shown
    assert item["as_opening_access"] == ("public" if shown else "private")
    assert item["feedback"] == {"score": "4.00", "comment": "Good"}
    assert not {"as_rate", "as_total_charge"} & set(item)


def test_a_fixed_price_assignment_shows_no_hours() -> None:
    item = api._assignment(_contract(1, job_type="fixed-price", hours="0"))
    assert item["as_job_type"] == "Fixed" and item["as_total_hours"] == ""
    assert item["as_status"] == "Active" and item["as_to"] == "Present" and "feedback" not in item
