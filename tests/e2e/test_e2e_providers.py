"""Provider profiles end to end: ``client.provider.get_provider`` and ``get_provider_brief`` on both databases.

The real ``odesk.Client`` against the demo server. Profile keys are found
through the API (``users/me``) or in the server's database, never written
here; what a profile counts (hours, contracts, feedback, last activity) is
checked against the time reports and the demo's rows. The tests that write
(a token for a private provider, a contract ended with feedback) use a
server of the module's own (``writable_server``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from odesk.exceptions import HTTP400BadRequestError, HTTP401UnauthorizedError, HTTP404NotFoundError
from odesk.utils import Table
from tests.e2e.e2e_support import Role, Server

CENT = Decimal("0.01")
ALL_TIME = "worked_on >= '2000-01-01'"
# Field names that would carry money a profile must never show.
MONEY_NAMES = re.compile(r"charge|earning|(^|_)pay(_|$)|amount|(^|_)fees?(_|$)|as_rate|pay_rate|salary|budget", re.I)


@contextmanager
def _database(server: Server) -> Iterator[sa.Connection]:
    engine = sa.create_engine(server.database_url)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def _rows(server: Server, sql: str, **params: Any) -> list[Any]:
    with _database(server) as conn:
        return list(conn.execute(sa.text(sql), params))


def _own_key(server: Server, role: str) -> str:
    """A provider role's profile key, as the API shows it (``users/me``'s public URL ends with it)."""
    url = server.client(role).hr.get_user_me()["public_url"]
    key = url.rsplit("/", 1)[1]
    assert key.startswith("~~"), url
    return key


def _key_of(server: Server, uid: str) -> str:
    return _rows(server, "SELECT profile_key FROM users WHERE uid = :uid", uid=uid)[0][0]


def _public_keys(server: Server) -> list[str]:
    return [
        key
        for (key,) in _rows(
            server,
            "SELECT u.profile_key FROM users u JOIN provider_profiles p ON p.user_id = u.id "
            "WHERE p.is_public ORDER BY u.uid",
        )
    ]


def _private(server: Server) -> dict[str, tuple[str, str]]:
    """The private profiles: ``agency`` (a member of the agency) and ``independent``, as (uid, key)."""
    rows = _rows(
        server,
        "SELECT u.uid, u.profile_key, EXISTS (SELECT 1 FROM user_roles r JOIN teams t ON t.id = r.team_id "
        "JOIN companies c ON c.id = t.company_id WHERE r.user_id = u.id AND c.is_agency) AS member "
        "FROM users u JOIN provider_profiles p ON p.user_id = u.id WHERE NOT p.is_public ORDER BY u.uid",
    )
    found = {("agency" if member else "independent"): (uid, key) for uid, key, member in rows}
    assert set(found) == {"agency", "independent"}, rows
    return found


def _hours(text: str) -> Decimal:
    return Decimal(text).quantize(CENT)


def _mean(values: list[Decimal]) -> Decimal:
    return (sum(values, Decimal(0)) / len(values)).quantize(CENT, ROUND_HALF_UP)


def _values(node: Any) -> Iterator[tuple[str, str]]:
    """Every (field name, text value) pair of a profile, however deep."""
    if isinstance(node, dict):
        for name, value in node.items():
            if isinstance(value, (dict, list)):
                yield from _values(value)
            else:
                yield name, str(value)
    elif isinstance(node, list):
        for item in node:
            yield from _values(item)


def _names(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for name, value in node.items():
            yield name
            yield from _names(value)
    elif isinstance(node, list):
        for item in node:
            yield from _names(item)


# --- one profile -----------------------------------------------------------------------------


def test_one_key_answers_the_full_profile(server: Server) -> None:
    key = _own_key(server, "provider")
    profile = server.client("hiring_manager").provider.get_provider(key)
    assert isinstance(profile, dict)
    ((first, last, title, country, city, rate, uid),) = _rows(
        server,
        "SELECT first_name, last_name, title, country, city, profile_hourly_rate, uid FROM users "
        "WHERE profile_key = :key",
        key=key,
    )
    assert uid == server.role("provider").uid
    assert profile["ciphertext"] == profile["dev_recno_ciphertext"] == key
    assert (profile["dev_first_name"], profile["dev_last_name"]) == (first, last)
    assert profile["dev_full_name"] == f"{first} {last}"
    assert profile["dev_short_name"] == f"{first} {last[0]}."
    assert profile["dev_profile_title"] == title and title
    assert (profile["dev_country"], profile["dev_city"]) == (country, city)
    assert profile["dev_bill_rate"] == f"{Decimal(rate):.2f}"
    assert profile["dev_ui_profile_access"] == "Public"
    assert profile["dev_blurb"] and profile["dev_blurb"].startswith(profile["dev_blurb_short"].removesuffix("..."))
    assert profile["public_url"].endswith(f"/users/{key}")

    ((region, english, hours_per_week),) = _rows(
        server,
        "SELECT r.name, p.english_skill, p.hours_per_week FROM provider_profiles p "
        "JOIN users u ON u.id = p.user_id LEFT JOIN regions r ON r.id = p.region_id WHERE u.profile_key = :key",
        key=key,
    )
    assert profile["dev_region"] == (region or "")
    assert profile["dev_eng_skill"] == str(english)
    assert profile["dev_availability"] == ("" if hours_per_week is None else str(hours_per_week))

    skills = _rows(
        server,
        "SELECT s.name, ps.rank, ps.level FROM provider_skills ps JOIN skills s ON s.id = ps.skill_id "
        "JOIN users u ON u.id = ps.user_id WHERE u.profile_key = :key ORDER BY ps.rank",
        key=key,
    )
    assert skills, "the demo gives every contractor skills"
    assert [(s["skl_name"], s["skl_rank"], s["skl_level_num"]) for s in profile["skills"]["skill"]] == [
        (name, str(rank), str(level)) for name, rank, level in skills
    ]
    shown_tests = _rows(
        server,
        "SELECT t.name FROM provider_tests pt JOIN skill_tests t ON t.id = pt.test_id "
        "JOIN users u ON u.id = pt.user_id WHERE u.profile_key = :key AND pt.is_public",
        key=key,
    )
    assert sorted(t["ts_name"] for t in profile["tsexams"]["tsexam"]) == sorted(name for (name,) in shown_tests)
    assert profile["tsexams_count"] == str(len(shown_tests))
    items = profile["portfolio_items"]["portfolio_item"]
    assert items and profile["dev_portfolio_items_count"] == str(len(items))
    assert all(item["pi_title"] and item["pi_url"].startswith("https://") for item in items)


def test_a_hidden_test_result_is_not_shown(server: Server) -> None:
    hidden = _rows(
        server,
        "SELECT u.profile_key, t.name FROM provider_tests pt JOIN skill_tests t ON t.id = pt.test_id "
        "JOIN users u ON u.id = pt.user_id JOIN provider_profiles p ON p.user_id = u.id "
        "WHERE NOT pt.is_public AND p.is_public ORDER BY u.uid, t.name",
    )
    assert hidden, "the demo hides a few test results"
    key, name = hidden[0]
    profile = server.client("owner").provider.get_provider(key)
    assert name not in {t["ts_name"] for t in profile["tsexams"]["tsexam"]}


# --- counted from the work -------------------------------------------------------------------


@pytest.mark.parametrize("role", ["provider", "agency_provider"])
def test_total_hours_are_the_hours_of_the_provider_report(server: Server, role: str) -> None:
    uid = server.role(role).uid
    report = server.client(role).timereport.get_provider_report(uid, f"SELECT sum(hours) WHERE {ALL_TIME}")
    reported = sum((Decimal(row["hours"]) for row in Table(report["table"])), Decimal(0))
    profile = server.client("hiring_manager").provider.get_provider(_own_key(server, role))
    assert _hours(profile["dev_total_hours"]) == reported.quantize(CENT) > 0
    assert profile["dev_total_hours_rounded"] == str(int(reported.quantize(Decimal(1), ROUND_HALF_UP)))
    hourly = profile["assignments"]["hr"]["job"]
    assert sum((_hours(job["as_total_hours"]) for job in hourly), Decimal(0)) == _hours(profile["dev_total_hours"])
    brief = server.client("member").provider.get_provider_brief(_own_key(server, role))
    assert brief["dev_total_hours"] == profile["dev_total_hours"]


def test_contracts_are_counted_from_the_engagements(server: Server) -> None:
    key = _own_key(server, "provider")
    profile = server.client("owner").provider.get_provider(key)
    engagements = server.client("provider").hr.get_engagements(page_size=200)["engagement"]
    assert profile["dev_total_assignments"] == str(len(engagements)) != "0"
    closed = [e for e in engagements if e["status"] == "closed"]
    assert profile["dev_billed_assignments"] == str(len(closed))
    assert profile["dev_cur_assignments"] == str(len(engagements) - len(closed))
    shown = profile["assignments"]["hr"]["job"] + profile["assignments"]["fp"]["job"]
    assert len(shown) == len(engagements)
    hourly = sum(1 for e in engagements if e["engagement_job_type"] == "hourly")
    assert len(profile["assignments"]["hr"]["job"]) == hourly


def test_feedback_comes_from_the_ended_contracts(server: Server) -> None:
    (uid, key, _count), *_ = _rows(
        server,
        "SELECT u.uid, u.profile_key, COUNT(DISTINCT e.id) AS n FROM engagements e "
        "JOIN users u ON u.id = e.provider_user_id JOIN provider_profiles p ON p.user_id = u.id "
        "JOIN engagement_feedback_scores f ON f.engagement_id = e.id "
        "WHERE p.is_public GROUP BY u.uid, u.profile_key ORDER BY n DESC, u.uid",
    )
    scores = _rows(
        server,
        "SELECT e.id, f.score_id, f.score, e.feedback_comment FROM engagement_feedback_scores f "
        "JOIN engagements e ON e.id = f.engagement_id JOIN users u ON u.id = e.provider_user_id "
        "WHERE u.uid = :uid AND f.score_id BETWEEN 3 AND 8",
        uid=uid,
    )
    by_contract: dict[int, list[Decimal]] = {}
    by_score: dict[int, list[Decimal]] = {}
    comments = set()
    for contract, score_id, score, comment in scores:
        by_contract.setdefault(contract, []).append(Decimal(str(score)))
        by_score.setdefault(score_id, []).append(Decimal(str(score)))
        comments.add(comment or "")
    profile = server.client("hiring_manager").provider.get_provider(key)
    assert profile["dev_tot_feedback"] == str(len(by_contract))
    assert profile["dev_adj_score"] == str(_mean([_mean(values) for values in by_contract.values()]))
    categories = profile["dev_scores"]["dev_score"]
    assert [c["label"] for c in categories] == [
        "Skills",
        "Quality",
        "Availability",
        "Deadlines",
        "Communication",
        "Cooperation",
    ]
    assert [c["avg_category_score"] for c in categories] == [str(_mean(by_score[i])) for i in range(3, 9)]
    jobs = profile["assignments"]["hr"]["job"] + profile["assignments"]["fp"]["job"]
    rated = [job for job in jobs if "feedback" in job]
    assert len(rated) == len(by_contract)
    assert {job["feedback"]["comment"] for job in rated} == comments
    assert all(job["as_status"] == "Closed" for job in rated)
    assert sorted(job["feedback"]["score"] for job in rated) == sorted(
        str(_mean(values)) for values in by_contract.values()
    )


def test_last_activity_is_the_latest_snapshot_or_day_of_work(server: Server) -> None:
    key = _own_key(server, "provider")
    uid = server.role("provider").uid
    ((taken_at,),) = _rows(
        server,
        "SELECT MAX(s.taken_at) FROM snapshots s JOIN engagements e ON e.id = s.engagement_id "
        "JOIN users u ON u.id = e.provider_user_id WHERE u.uid = :uid",
        uid=uid,
    )
    ((worked_on,),) = _rows(
        server,
        "SELECT MAX(t.worked_on) FROM time_logs t JOIN engagements e ON e.id = t.engagement_id "
        "JOIN users u ON u.id = e.provider_user_id WHERE u.uid = :uid",
        uid=uid,
    )
    days = [dt.date.fromisoformat(str(value)[:10]) for value in (taken_at, worked_on) if value is not None]
    profile = server.client("member").provider.get_provider(key)
    assert profile["dev_last_activity"] == f"{max(days):%m-%d-%Y}"
    assert profile["dev_last_worked"] == f"{dt.date.fromisoformat(str(worked_on)[:10]):%m-%d-%Y}"


def test_agency_membership(server: Server) -> None:
    client = server.client("owner")
    agency = client.provider.get_provider(_own_key(server, "agency_provider"))
    assert agency["dev_is_affiliated"] == "1"
    assert agency["dev_ac_agencies"]["dev_ac_agency"] == [
        {"ag_recno": str(server.credentials["agency"]["reference"]), "ag_name": "Bright Code Studio"}
    ]
    assert any(job["as_agency_name"] == "Bright Code Studio" for job in agency["assignments"]["hr"]["job"])
    independent = client.provider.get_provider(_own_key(server, "provider"))
    assert independent["dev_is_affiliated"] == "0" and independent["dev_ac_agencies"] == ""


# --- several keys, brief ---------------------------------------------------------------------


def test_several_keys_answer_a_list_in_the_order_asked(server: Server) -> None:
    keys = _public_keys(server)[:3]
    client = server.client("hiring_manager")
    profiles = client.provider.get_provider([keys[2], keys[0], keys[1]])
    assert [p["ciphertext"] for p in profiles] == [keys[2], keys[0], keys[1]]
    repeated = client.provider.get_provider_brief(f"{keys[0]};{keys[1]};{keys[0]}")
    assert [p["ciphertext"] for p in repeated] == [keys[0], keys[1]]
    assert isinstance(client.provider.get_provider([keys[0]]), dict)


def test_the_brief_profile_is_a_part_of_the_full_one(server: Server) -> None:
    keys = _public_keys(server)[:5]
    client = server.client("finance")
    full = client.provider.get_provider(keys)
    brief = client.provider.get_provider_brief(keys)
    for whole, short in zip(full, brief, strict=True):
        assert short == {name: whole[name] for name in short}
        assert not {"skills", "tsexams", "portfolio_items", "assignments", "dev_scores"} & set(short)
        assert len(short) < len(whole)


def test_twenty_keys_at_most(server: Server) -> None:
    keys = _public_keys(server)
    assert len(keys) >= 21
    client = server.client("hiring_manager")
    assert len(client.provider.get_provider_brief(keys[:21])) == 20  # the client keeps the first 20
    for method in (client.provider.get_provider, client.provider.get_provider_brief):
        with pytest.raises(HTTP400BadRequestError) as refused:
            method(";".join(keys[:21]))  # a string goes as it is
        assert "20" in refused.value.error_message


def test_unknown_keys_are_not_found(server: Server) -> None:
    client = server.client("hiring_manager")
    known = _public_keys(server)[0]
    with pytest.raises(HTTP404NotFoundError) as missing:
        client.provider.get_provider("~~0000000000000000")
    assert "~~0000000000000000" in missing.value.error_message
    with pytest.raises(HTTP404NotFoundError) as mixed:
        client.provider.get_provider_brief([known, "~~ffffffffffffffff"])
    assert "~~ffffffffffffffff" in mixed.value.error_message and known not in mixed.value.error_message
    # a user with no provider profile: the owner is no provider
    with pytest.raises(HTTP404NotFoundError):
        client.provider.get_provider("mhale")


def test_profiles_need_a_signed_in_caller(server: Server) -> None:
    with pytest.raises(HTTP401UnauthorizedError):
        server.client().provider.get_provider(_public_keys(server)[0])


# --- private profiles ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "hiring_manager", "member", "provider", "agency_provider"])
def test_private_profiles_answer_like_unknown_ones(server: Server, role: str) -> None:
    client = server.client(role)
    for _uid, key in _private(server).values():
        for method in (client.provider.get_provider, client.provider.get_provider_brief):
            with pytest.raises(HTTP404NotFoundError) as hidden:
                method(key)
            assert key in hidden.value.error_message
    with pytest.raises(HTTP404NotFoundError):
        client.provider.get_provider([_public_keys(server)[0], _private(server)["agency"][1]])


@pytest.mark.parametrize("role", ["staffing_manager", "agency_owner"])
def test_the_agency_staffing_managers_see_their_contractors_private_profile(server: Server, role: str) -> None:
    client = server.client(role)
    private = _private(server)
    profile = client.provider.get_provider(private["agency"][1])
    assert profile["dev_ui_profile_access"] == "Private"
    assert client.provider.get_provider_brief(private["agency"][1])["dev_ui_profile_access"] == "Private"
    with pytest.raises(HTTP404NotFoundError):
        client.provider.get_provider(private["independent"][1])


def test_a_provider_sees_his_own_private_profile(writable_server: Server) -> None:
    private = _private(writable_server)
    for uid, _key in private.values():
        issued = writable_server.admin(
            "token", "create", "--user", uid, "--consumer", writable_server.consumer_key
        ).stdout
        token = re.search(r"^token:\s+(\S+)$", issued, re.M)
        secret = re.search(r"^secret:\s+(\S+)$", issued, re.M)
        assert token and secret, issued
        writable_server.extra_roles[uid] = Role(uid, token.group(1), secret.group(1))
    (uid, key), (other_uid, other_key) = private["independent"], private["agency"]
    own = writable_server.client(uid).provider.get_provider(key)
    assert own["ciphertext"] == key and own["dev_ui_profile_access"] == "Private"
    assert writable_server.client(uid).provider.get_provider_brief(key)["ciphertext"] == key
    with pytest.raises(HTTP404NotFoundError):
        writable_server.client(uid).provider.get_provider(other_key)
    with pytest.raises(HTTP404NotFoundError):
        writable_server.client(other_uid).provider.get_provider([other_key, key])


# --- what a profile never shows --------------------------------------------------------------


def test_no_earnings_rates_or_private_contract_details(server: Server) -> None:
    client = server.client("hiring_manager")
    keys = _public_keys(server)
    profiles = client.provider.get_provider(keys[:20]) + client.provider.get_provider(keys[20:40])
    briefs = client.provider.get_provider_brief(keys[:20])
    assert len(profiles) == len(keys)
    for profile in profiles + briefs:
        money_fields = [name for name in _names(profile) if MONEY_NAMES.search(name)]
        assert money_fields == [], money_fields
    contracts = _rows(
        server,
        "SELECT u.profile_key, e.hourly_rate, e.fixed_price, e.title, j.visibility FROM engagements e "
        "JOIN users u ON u.id = e.provider_user_id LEFT JOIN jobs j ON j.id = e.job_id",
    )
    for profile in profiles:
        mine = [c for c in contracts if c[0] == profile["ciphertext"]]
        values = {value for name, value in _values(profile) if name != "dev_bill_rate" and "hours" not in name}
        for _key, hourly_rate, fixed_price, _title, _visibility in mine:
            for amount in (hourly_rate, fixed_price):
                if amount is not None:
                    assert f"{Decimal(str(amount)):.2f}" not in values, (profile["ciphertext"], amount)
        jobs = profile["assignments"]["hr"]["job"] + profile["assignments"]["fp"]["job"]
        for job in jobs:
            if job["as_opening_access"] != "public":
                assert job["as_client"] == job["as_opening_title"] == job["as_ciphertext_opening_recno"] == ""
        private_titles = {title for _k, _r, _f, title, visibility in mine if visibility not in ("public", "odesk")}
        public_titles = {job["as_opening_title"] for job in jobs}
        assert not (private_titles - public_titles) & {value for _name, value in _values(jobs)}
    # what the provider earned (his earnings report: the provider time report has no money) is nowhere in his profile
    report = server.client("provider").finreport.get_provider_earnings("jwalker", "SELECT sum(amount)")
    earned = sum((Decimal(row["amount"]) for row in Table(report["table"])), Decimal(0))
    assert earned > 0
    text = json.dumps(client.provider.get_provider(_own_key(server, "provider")))
    assert f"{earned:.2f}" not in text and str(earned) not in text


# --- feedback given through end_contract -----------------------------------------------------


def test_ending_a_contract_with_feedback_shows_on_the_profile(writable_server: Server) -> None:
    owner = writable_server.client("owner")
    key = _own_key(writable_server, "provider")
    before = owner.provider.get_provider(key)
    engineering = writable_server.team("acme:engineering")["reference"]
    running = owner.hr.get_engagements(buyer_team_reference=engineering, status="active", page_size=100)
    reference = next(c["reference"] for c in running["engagement"] if c["provider__id"] == "jwalker")
    scores = {"fb_scores[3]": 5, "fb_scores[4]": 4, "fb_scores[5]": 5, "fb_scores[6]": 4, "fb_scores[7]": 5}
    scores["fb_scores[8]"] = 3
    owner.hr.end_contract(reference, "API_REAS_JOB_COMPLETED_SUCCESSFULLY", "yes", scores, "Clear and on time.")
    after = owner.provider.get_provider(key)
    assert int(after["dev_tot_feedback"]) == int(before["dev_tot_feedback"]) + 1
    assert int(after["dev_billed_assignments"]) == int(before["dev_billed_assignments"]) + 1
    assert int(after["dev_cur_assignments"]) == int(before["dev_cur_assignments"]) - 1
    rated = [
        job
        for job in after["assignments"]["hr"]["job"] + after["assignments"]["fp"]["job"]
        if job.get("feedback", {}).get("comment") == "Clear and on time."
    ]
    assert len(rated) == 1
    assert rated[0]["feedback"]["score"] == "4.33" and rated[0]["as_status"] == "Closed"
    if before["dev_tot_feedback"] == "0":
        assert after["dev_adj_score"] == "4.33"
        assert [s["avg_category_score"] for s in after["dev_scores"]["dev_score"]] == [
            "5.00",
            "4.00",
            "5.00",
            "4.00",
            "5.00",
            "3.00",
        ]
    assert after["dev_total_hours"] == before["dev_total_hours"]
