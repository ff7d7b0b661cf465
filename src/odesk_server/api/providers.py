"""``/api/profiles/v1/providers``: provider profiles, full and brief.

The server side of ``client.provider.get_provider`` and
``get_provider_brief``: ``/providers/{key}`` and ``/providers/{key}/brief``
with one profile key (``~~`` and hex digits, ``users.profile_key``) or up to
20 keys joined by ``;``. One key answers ``profile`` as an object, several
as a list in the order asked (a key repeated is answered once); more than
20 keys is 400.

Who sees a profile: any signed caller sees a public profile. A private one
(``provider_profiles.is_public`` false) is seen by the provider himself and
by the staffing managers of an agency he belongs to (who staff him, and so
must see what he shows), by nobody else. A key that names no active
provider with a profile, or a private profile the caller may not see,
answers 404 naming the keys, like an unknown object.

What a profile never shows: the provider's earnings, the rates and amounts
of his contracts, the buyer of a contract whose job was not public, a
contract's own title (the buyer's words) unless it came from a public job,
test results he hid. Hours worked, contracts, feedback and last activity
are counted from the rows when the profile is read (``queries.providers``).

The field names follow oDesk's provider profiles (``dev_*``, ``skills``,
``tsexams``, ``portfolio_items``, ``assignments``, ``dev_scores``,
``dev_ac_agencies``); docs/profiles.md lists each field, what it holds and
what we chose where the documentation left it open. Every value is text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

from typing_extensions import TypedDict

from odesk_server.access.predicates import is_staffing_manager
from odesk_server.access.scope import org_scope
from odesk_server.api.endpoint import SIGNED_IN, Api, Call, Params
from odesk_server.api.params import PathKey
from odesk_server.domain.jobs import PUBLIC_VISIBILITIES
from odesk_server.problems import Invalid, NotFound
from odesk_server.queries import providers as queries
from odesk_server.queries.providers import AgencyRow, ContractRow, ProviderRow
from odesk_server.wire import day_text, epoch_ms_text, money_text

api = Api("providers", "Provider profiles: full and brief (profiles v1)")

# The most profile keys one request may ask for.
MAX_PROVIDER_KEYS = 20
# Feedback given on contracts that ended this many days ago or less is "recent".
RECENT_DAYS = 180
# The brief profile's overview is cut to this many characters.
SHORT_OVERVIEW = 200

# The six scores a buyer gives a contractor when ending a contract (``fb_scores[3]`` to ``[8]``).
SCORE_LABELS = {
    3: ("Skills", "Competency and skills for the job, understanding of specifications"),
    4: ("Quality", "Quality of specific deliverables"),
    5: ("Availability", "Online presence on a consistent schedule"),
    6: ("Deadlines", "Understanding of complexity and meeting deadlines"),
    7: ("Communication", "Communication skills, frequent progress updates, responsiveness"),
    8: ("Cooperation", "Cooperation and flexibility, suggestions for improvement"),
}
# ``provider_skills.level`` as words.
SKILL_LEVELS = {1: "Beginner", 2: "Intermediate", 3: "Proficient", 4: "Advanced", 5: "Expert"}

_CENT = Decimal("0.01")


# --------------------------------------------------------------------------
# Shapes


class SkillObject(TypedDict):
    skl_recno: str
    skl_name: str
    skl_rank: str
    skl_level: str
    skl_level_num: str
    skl_year_exp: str
    skl_last_used: str
    skl_has_tests: str


class Skills(TypedDict):
    skill: list[SkillObject]


class TestObject(TypedDict):
    ts_ref: str
    ts_name: str
    ts_score: str
    ts_percentile: str
    ts_when: str
    ts_duration: str


class Tests(TypedDict):
    tsexam: list[TestObject]


class PortfolioObject(TypedDict):
    pi_recno: str
    pi_title: str
    pi_description: str
    pi_url: str
    pi_category: str
    pi_completed: str


class Portfolio(TypedDict):
    portfolio_item: list[PortfolioObject]


class Feedback(TypedDict):
    score: str
    comment: str


class AssignmentObject(TypedDict, total=False):
    as_ciphertext_opening_recno: str
    as_opening_title: str
    as_opening_access: str
    as_client: str
    as_agency_name: str
    as_job_type: str
    as_status: str
    as_from: str
    as_to: str
    as_total_hours: str
    feedback: Feedback


class Jobs(TypedDict):
    job: list[AssignmentObject]


class Assignments(TypedDict):
    hr: Jobs
    fp: Jobs


class ScoreObject(TypedDict):
    order: str
    label: str
    description: str
    avg_category_score: str
    avg_category_score_recent: str


class Scores(TypedDict):
    dev_score: list[ScoreObject]


class AgencyObject(TypedDict):
    ag_recno: str
    ag_name: str


class Agencies(TypedDict):
    dev_ac_agency: list[AgencyObject]


class BriefProfile(TypedDict):
    ciphertext: str
    dev_recno_ciphertext: str
    dev_recno: str
    dev_first_name: str
    dev_last_name: str
    dev_short_name: str
    dev_full_name: str
    dev_profile_title: str
    dev_blurb_short: str
    dev_country: str
    dev_city: str
    dev_region: str
    dev_timezone: str
    dev_bill_rate: str
    dev_eng_skill: str
    dev_total_hours: str
    dev_billed_assignments: str
    dev_adj_score: str
    dev_tot_feedback: str
    dev_last_activity: str
    dev_is_affiliated: str
    dev_ui_profile_access: str
    dev_portfolio_items_count: str
    tsexams_count: str
    public_url: str


class FullProfile(BriefProfile):
    dev_blurb: str
    dev_availability: str
    dev_member_since: str
    dev_profile_updated: str
    dev_total_hours_rounded: str
    dev_total_assignments: str
    dev_cur_assignments: str
    dev_adj_score_recent: str
    dev_tot_feedback_recent: str
    dev_last_worked: str
    dev_last_worked_ts: str
    dev_ac_agencies: Agencies | str
    dev_scores: Scores
    skills: Skills
    tsexams: Tests
    portfolio_items: Portfolio
    assignments: Assignments


class FullReply(TypedDict):
    profile: FullProfile | list[FullProfile]


class BriefReply(TypedDict):
    profile: BriefProfile | list[BriefProfile]


# --------------------------------------------------------------------------
# What a profile counts


def _hours_text(hours: Decimal) -> str:
    return f"{hours.quantize(_CENT, ROUND_HALF_UP):.2f}"


def _mean(values: Iterable[Decimal]) -> Decimal | None:
    numbers = list(values)
    if not numbers:
        return None
    return (sum(numbers, Decimal(0)) / len(numbers)).quantize(_CENT, ROUND_HALF_UP)


def _score_text(score: Decimal | None) -> str:
    return f"{score:.2f}" if score is not None else ""


def _contract_score(contract: ContractRow) -> Decimal | None:
    """The mean of the six scores the buyer gave on ``contract`` (None: no feedback)."""
    return _mean(contract.scores.values())


def _rated(contracts: Iterable[ContractRow], since: dt.date | None = None) -> list[ContractRow]:
    """The closed contracts with feedback (ended on ``since`` or later when given)."""
    return [c for c in contracts if c.scores and c.ended_on is not None and (since is None or c.ended_on >= since)]


def _public_job(contract: ContractRow) -> bool:
    return contract.job_visibility is not None and contract.job_visibility in PUBLIC_VISIBILITIES


def _month(day: dt.date | None) -> str:
    return f"{day:%m/%Y}" if day is not None else ""


class _Facts:
    """What one provider's profile shows that is counted from his work (see docs/profiles.md)."""

    def __init__(
        self,
        contracts: Sequence[ContractRow],
        last_snapshot: dt.datetime | None,
        today: dt.date,
    ) -> None:
        self.contracts = contracts
        self.total_hours = sum((c.hours for c in contracts), Decimal(0))
        self.closed = [c for c in contracts if c.status == "closed"]
        self.current = [c for c in contracts if c.status != "closed"]
        self.rated = _rated(contracts)
        self.recent = _rated(contracts, today - dt.timedelta(days=RECENT_DAYS))
        self.adj_score = _mean(score for c in self.rated if (score := _contract_score(c)) is not None)
        self.adj_score_recent = _mean(score for c in self.recent if (score := _contract_score(c)) is not None)
        worked = [c.last_worked_on for c in contracts if c.last_worked_on is not None]
        self.last_worked = max(worked) if worked else None
        moments: list[dt.datetime] = []
        if last_snapshot is not None:
            moments.append(last_snapshot)
        if self.last_worked is not None:
            moments.append(dt.datetime.combine(self.last_worked, dt.time(), tzinfo=dt.UTC))
        self.last_activity = max(moments) if moments else None

    def category_scores(self) -> list[ScoreObject]:
        return [
            {
                "order": str(position),
                "label": label,
                "description": description,
                "avg_category_score": _score_text(
                    _mean(c.scores[score_id] for c in self.rated if score_id in c.scores)
                ),
                "avg_category_score_recent": _score_text(
                    _mean(c.scores[score_id] for c in self.recent if score_id in c.scores)
                ),
            }
            for position, (score_id, (label, description)) in enumerate(SCORE_LABELS.items(), start=1)
        ]


def _assignment(contract: ContractRow) -> AssignmentObject:
    """What the profile shows of one contract: no rate, no amount; the job and buyer only for a public job."""
    public = _public_job(contract)
    item: AssignmentObject = {
        "as_ciphertext_opening_recno": (contract.job_key or "") if public else "",
        "as_opening_title": (contract.job_title or "") if public else "",
        "as_opening_access": "public" if public else "private",
        "as_client": contract.buyer_company if public else "",
        "as_agency_name": contract.agency or "",
        "as_job_type": "Hourly" if contract.job_type == "hourly" else "Fixed",
        "as_status": "Closed" if contract.status == "closed" else "Active",
        "as_from": _month(contract.started_on),
        "as_to": _month(contract.ended_on) if contract.status == "closed" else "Present",
        "as_total_hours": _hours_text(contract.hours) if contract.job_type == "hourly" else "",
    }
    score = _contract_score(contract)
    if score is not None:
        item["feedback"] = {"score": _score_text(score), "comment": contract.feedback_comment or ""}
    return item


# --------------------------------------------------------------------------
# Payloads


def _brief(
    provider: ProviderRow, facts: _Facts, agencies: Sequence[AgencyRow], counts: tuple[int, int], base_url: str
) -> BriefProfile:
    overview = provider.overview or ""
    portfolio_count, tests_count = counts
    return {
        "ciphertext": provider.profile_key,
        "dev_recno_ciphertext": provider.profile_key,
        "dev_recno": str(provider.reference),
        "dev_first_name": provider.first_name,
        "dev_last_name": provider.last_name,
        "dev_short_name": f"{provider.first_name} {provider.last_name[:1]}.".strip(),
        "dev_full_name": f"{provider.first_name} {provider.last_name}".strip(),
        "dev_profile_title": provider.title or "",
        "dev_blurb_short": overview
        if len(overview) <= SHORT_OVERVIEW
        else overview[: SHORT_OVERVIEW - 3].rstrip() + "...",
        "dev_country": provider.country or "",
        "dev_city": provider.city or "",
        "dev_region": provider.region or "",
        "dev_timezone": provider.timezone,
        "dev_bill_rate": money_text(provider.rate),
        "dev_eng_skill": str(provider.english_skill),
        "dev_total_hours": _hours_text(facts.total_hours),
        "dev_billed_assignments": str(len(facts.closed)),
        "dev_adj_score": _score_text(facts.adj_score),
        "dev_tot_feedback": str(len(facts.rated)),
        "dev_last_activity": day_text(facts.last_activity),
        "dev_is_affiliated": "1" if agencies else "0",
        "dev_ui_profile_access": "Public" if provider.is_public else "Private",
        "dev_portfolio_items_count": str(portfolio_count),
        "tsexams_count": str(tests_count),
        "public_url": f"{base_url}/users/{provider.profile_key}",
    }


def _skills(skills: Sequence[queries.SkillRow], tested_categories: set[int]) -> Skills:
    return {
        "skill": [
            {
                "skl_recno": str(skill.skill_id),
                "skl_name": skill.name,
                "skl_rank": str(skill.rank),
                "skl_level": SKILL_LEVELS.get(skill.level, ""),
                "skl_level_num": str(skill.level),
                "skl_year_exp": "" if skill.years_experience is None else str(skill.years_experience),
                "skl_last_used": "" if skill.last_used_year is None else str(skill.last_used_year),
                "skl_has_tests": "1"
                if skill.category_id is not None and skill.category_id in tested_categories
                else "0",
            }
            for skill in skills
        ]
    }


def _tests(tests: Sequence[queries.TestRow]) -> Tests:
    return {
        "tsexam": [
            {
                "ts_ref": str(test.test_id),
                "ts_name": test.name,
                "ts_score": f"{test.score:.2f}",
                "ts_percentile": str(test.percentile),
                "ts_when": day_text(test.taken_on),
                "ts_duration": "" if test.duration_minutes is None else str(test.duration_minutes),
            }
            for test in tests
        ]
    }


def _portfolio(items: Sequence[queries.PortfolioRow]) -> Portfolio:
    return {
        "portfolio_item": [
            {
                "pi_recno": str(item.id),
                "pi_title": item.title,
                "pi_description": item.description,
                "pi_url": item.url or "",
                "pi_category": item.category or "",
                "pi_completed": day_text(item.completed_on),
            }
            for item in items
        ]
    }


class _Loaded:
    """Everything the profiles of some providers show, read in a few queries."""

    def __init__(self, call: Call[ProviderKeys], providers: Sequence[ProviderRow]) -> None:
        ids = [p.id for p in providers]
        work = call.db
        self.skills = queries.skills_of(work, ids)
        self.tests = {
            user_id: [test for test in tests if test.is_public]
            for user_id, tests in queries.tests_of(work, ids).items()
        }
        self.portfolios = queries.portfolios_of(work, ids)
        self.contracts = queries.contracts_of(work, ids)
        self.snapshots = queries.last_snapshots(work, ids)
        self.today = dt.datetime.now(dt.UTC).date()
        self.base_url = call.base_url

    def facts(self, provider: ProviderRow) -> _Facts:
        return _Facts(self.contracts.get(provider.id, []), self.snapshots.get(provider.id), self.today)

    def brief(self, provider: ProviderRow, agencies: Sequence[AgencyRow]) -> BriefProfile:
        counts = (len(self.portfolios.get(provider.id, [])), len(self.tests.get(provider.id, [])))
        return _brief(provider, self.facts(provider), agencies, counts, self.base_url)

    def full(self, provider: ProviderRow, agencies: Sequence[AgencyRow]) -> FullProfile:
        facts = self.facts(provider)
        tests = self.tests.get(provider.id, [])
        counts = (len(self.portfolios.get(provider.id, [])), len(tests))
        brief = _brief(provider, facts, agencies, counts, self.base_url)
        tested = {test.category_id for test in tests if test.category_id is not None}
        hourly = [_assignment(c) for c in facts.contracts if c.job_type == "hourly"]
        fixed = [_assignment(c) for c in facts.contracts if c.job_type != "hourly"]
        agency_list: Agencies | str = (
            {"dev_ac_agency": [{"ag_recno": str(a.reference), "ag_name": a.name} for a in agencies]} if agencies else ""
        )
        return {
            **brief,
            "dev_blurb": provider.overview or "",
            "dev_availability": "" if provider.hours_per_week is None else str(provider.hours_per_week),
            "dev_member_since": day_text(provider.member_since),
            "dev_profile_updated": day_text(provider.updated_at),
            "dev_total_hours_rounded": str(int(facts.total_hours.quantize(Decimal(1), ROUND_HALF_UP))),
            "dev_total_assignments": str(len(facts.contracts)),
            "dev_cur_assignments": str(len(facts.current)),
            "dev_adj_score_recent": _score_text(facts.adj_score_recent),
            "dev_tot_feedback_recent": str(len(facts.recent)),
            "dev_last_worked": day_text(facts.last_worked),
            "dev_last_worked_ts": epoch_ms_text(facts.last_worked),
            "dev_ac_agencies": agency_list,
            "dev_scores": {"dev_score": facts.category_scores()},
            "skills": _skills(self.skills.get(provider.id, []), tested),
            "tsexams": _tests(tests),
            "portfolio_items": _portfolio(self.portfolios.get(provider.id, [])),
            "assignments": {"hr": {"job": hourly}, "fp": {"job": fixed}},
        }


# --------------------------------------------------------------------------
# Keys and who sees what


class ProviderKeys(Params):
    key: PathKey


def _keys(text: str) -> list[str]:
    """The keys a path names, in order, each once; ``Invalid`` for none or more than 20."""
    keys = list(dict.fromkeys(part.strip() for part in text.split(";") if part.strip()))
    if not keys:
        raise Invalid("Give a provider profile key (~~...) or up to 20 of them joined by ;")
    if len(keys) > MAX_PROVIDER_KEYS:
        raise Invalid(f"At most {MAX_PROVIDER_KEYS} provider keys per request, got {len(keys)}")
    return keys


def _may_see_private(call: Call[ProviderKeys], provider: ProviderRow, agencies: Sequence[AgencyRow]) -> bool:
    """Whether the caller sees ``provider``'s private profile: he himself, or a staffing manager of his agency."""
    if call.user.id == provider.id:
        return True
    if not agencies:
        return False
    scope = org_scope(call.db, call.user.id)
    for agency in agencies:
        for team_id in agency.team_ids:
            team = scope.teams.get(team_id)
            if team is not None and is_staffing_manager(scope, team):
                return True
    return False


def _visible(call: Call[ProviderKeys]) -> tuple[list[ProviderRow], Mapping[int, list[AgencyRow]]]:
    """The profiles the path's keys name, in order, with their agencies; 404 naming the keys not seen."""
    keys = _keys(call.params.key)
    found = queries.providers_by_keys(call.db, keys)
    agencies = queries.agencies_of(call.db, [p.id for p in found.values()]) if found else {}
    missing = [
        key
        for key in keys
        if key not in found
        or not (found[key].is_public or _may_see_private(call, found[key], agencies.get(found[key].id, [])))
    ]
    if missing:
        raise NotFound(f"No provider profile with key {', '.join(repr(key) for key in missing)}")
    return [found[key] for key in keys], agencies


_ERRORS = {
    400: "bad_request: no key, or more than 20 keys",
    404: "not_found: a key names no provider profile, or a private one the caller may not see (the message lists them)",
}


@api.get(
    "/api/profiles/v1/providers/{key}",
    access=SIGNED_IN,
    params=ProviderKeys,
    returns=FullReply,
    errors=_ERRORS,
)
def get_provider(call: Call[ProviderKeys]) -> FullReply:
    """The full profile of one provider, or of up to 20 (profile keys joined by ``;``): a list then.

    Name, title, overview, place, rate, English, availability; skills, tests
    shown, portfolio; hours worked, contracts and feedback counted from his
    contracts and time logs; last activity; agencies. No earnings, no
    contract rate or amount, no buyer of a job that was not public.
    """
    providers, agencies = _visible(call)
    loaded = _Loaded(call, providers)
    profiles = [loaded.full(p, agencies.get(p.id, [])) for p in providers]
    return {"profile": profiles[0] if len(profiles) == 1 else profiles}


@api.get(
    "/api/profiles/v1/providers/{key}/brief",
    access=SIGNED_IN,
    params=ProviderKeys,
    returns=BriefReply,
    errors=_ERRORS,
)
def get_provider_brief(call: Call[ProviderKeys]) -> BriefReply:
    """The brief profile of one provider, or of up to 20 (profile keys joined by ``;``): a list then.

    The scalar fields of the full profile a list of candidates shows: name,
    title, a short overview, place, rate, English, hours, jobs done,
    feedback score and count, last activity, agency affiliation.
    """
    providers, agencies = _visible(call)
    loaded = _Loaded(call, providers)
    profiles = [loaded.brief(p, agencies.get(p.id, [])) for p in providers]
    return {"profile": profiles[0] if len(profiles) == 1 else profiles}


__all__ = ["api", "get_provider", "get_provider_brief"]
