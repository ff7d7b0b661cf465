"""Search: providers and jobs, v1 (``/api/profiles/v1/search/...``) and v2 (``/api/profiles/v2/search/...``).

The server side of ``client.provider.search_providers`` / ``search_jobs``
(v1) and ``client.provider_v2.search_providers`` / ``search_jobs`` (v2; also
python-upwork's ``freelancers.search.find`` and ``jobs.search.find``).

- v2 takes ``q`` in the documented subset of Lucene's syntax
  (``skills:python AND NOT title:manager``; ``odesk_server.search.syntax``)
  and every documented key as a filter of the same name (``feedback=3,4``,
  ``rate=[20 TO 40]``), ``sort`` (jobs: ``create_time desc``...) and
  ``paging=offset;count``; it answers ``providers`` / ``jobs`` as a list,
  with ``paging`` (offset, count, total) beside it.
- v1 takes the 2010 keys (``q`` as plain words, ``c1``, ``c2``, ``fb``,
  ``hrs``, ``min``, ``max``, ``dp``, ``st``...), ``page=offset;count`` and
  ``sort=field1;field2;AD``; it answers ``{lister, provider}`` /
  ``{lister, job}``: the brief provider profile's fields, the job profile's.

Who finds what: any signed caller finds public provider profiles of active
providers, and public (``public``, ``odesk``) jobs, and the ``private`` jobs
of the buyer teams whose jobs he may read (hiring or finance permission
there, as for the job profiles); ``invite-only`` jobs are found by nobody.
A job search shows open jobs unless it names statuses.

Words are ranked in the database (SQLite FTS5, PostgreSQL tsvector + GIN);
with words to rank and no ``sort``, the best matches come first, the newest
first among equals; otherwise the newest first. A malformed ``q`` or value
is 400 ``bad_request`` naming the key and the position. docs/search.md has
the language, every key, the ranking and the engine interface.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from typing_extensions import TypedDict

from odesk_server import search
from odesk_server.access.keys import as_reference
from odesk_server.access.predicates import reads_hiring
from odesk_server.access.scope import org_scope
from odesk_server.api.endpoint import SIGNED_IN, Api, Call, Params
from odesk_server.api.hr.jobs import public_url
from odesk_server.api.params import OptionalText, Page, PageParam
from odesk_server.api.profiles import JobProfile, job_profile
from odesk_server.models import Company
from odesk_server.problems import Invalid
from odesk_server.queries import jobs as job_queries
from odesk_server.queries.jobs import JobView
from odesk_server.search import fields, keys, results
from odesk_server.search.query import Kind, SearchPage, SearchRequest, Viewer
from odesk_server.wire import Lister, day_text, lister, money_text

api = Api("search", "Search: providers and jobs (profiles v1 and v2)")

V1 = "/api/profiles/v1/search"
V2 = "/api/profiles/v2/search"
# The brief profile's overview and a job's snippet are cut to this many characters.
SHORT_TEXT = 200

_ERRORS = {400: "bad_request: a key cannot be read (the message names it, and for q or a range the position)"}

Text = OptionalText


# --------------------------------------------------------------------------
# Parameters (declared for the API reference; the handlers read the values as sent)


class _Paging(Params):
    page: PageParam = Page(0, 20)


class V1ProviderParams(_Paging):
    q: Text = None
    c1: Text = None
    c2: Text = None
    fb: Text = None
    hrs: Text = None
    ir: Text = None
    min: Text = None
    max: Text = None
    loc: Text = None
    pt: Text = None
    last: Text = None
    test: Text = None
    port: Text = None
    rdy: Text = None
    eng: Text = None
    ag: Text = None
    to: Text = None
    g: Text = None
    skills: Text = None
    sort: Text = None


class V1JobParams(_Paging):
    q: Text = None
    c1: Text = None
    c2: Text = None
    qs: Text = None
    fb: Text = None
    min: Text = None
    max: Text = None
    t: Text = None
    wl: Text = None
    dur: Text = None
    dp: Text = None
    st: Text = None
    tba: Text = None
    gr: Text = None
    to: Text = None
    sort: Text = None


class _V2Common(Params):
    paging: PageParam = Page(0, 20)
    page: PageParam = Page(0, 20)  # python-upwork and v1 habits: read when paging is absent
    q: Text = None
    title: Text = None
    skills: Text = None
    groups: Text = None
    tests: Text = None
    tests_top_10: Text = None
    tests_top_30: Text = None
    category: Text = None
    subcategory: Text = None


class V2ProviderParams(_V2Common):
    region: Text = None
    feedback: Text = None
    rate: Text = None
    hours: Text = None
    recent_hours: Text = None
    last_activity: Text = None
    english_skill: Text = None
    is_odesk_ready: Text = None
    profile_type: Text = None
    include_entities: Text = None
    sort: Text = None


class V2JobParams(_V2Common):
    job_type: Text = None
    duration: Text = None
    workload: Text = None
    client_feedback: Text = None
    client_hires: Text = None
    budget: Text = None
    job_status: Text = None
    posted_since: Text = None
    sort: Text = None


# --------------------------------------------------------------------------
# Shapes


class V1Providers(TypedDict):
    lister: Lister
    provider: list[dict[str, Any]]


class V1ProvidersReply(TypedDict):
    providers: V1Providers


class V1Jobs(TypedDict):
    lister: Lister
    job: list[JobProfile]


class V1JobsReply(TypedDict):
    jobs: V1Jobs


class SearchPaging(TypedDict):
    offset: str
    count: str
    total: str


class ClientObject(TypedDict):
    country: str
    feedback: str
    reviews_count: str
    jobs_posted: str
    past_hires: str
    payment_verification_status: str


class V2Job(TypedDict):
    id: str
    title: str
    snippet: str
    category: str
    subcategory: str
    subcategory2: str
    skills: list[str]
    job_type: str
    budget: str
    duration: str
    workload: str
    job_status: str
    date_created: str
    url: str
    client: ClientObject


class V2JobsReply(TypedDict):
    jobs: list[V2Job]
    paging: SearchPaging


class V2Provider(TypedDict):
    id: str
    name: str
    title: str
    description: str
    country: str
    city: str
    region: str
    rate: str
    feedback: str
    feedback_count: str
    hours: str
    last_activity: str
    english_skill: str
    is_odesk_ready: str
    profile_type: str
    portfolio_items_count: str
    test_passed_count: str
    skills: list[str]
    categories: list[str]
    url: str


class V2ProvidersReply(TypedDict):
    providers: list[V2Provider] | list[str]
    paging: SearchPaging


# --------------------------------------------------------------------------
# Running a search


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _viewer(call: Call[Any], kind: Kind) -> Viewer:
    """The caller, with the buyer teams whose private jobs he may find (job searches only)."""
    if kind is not Kind.JOBS:
        return Viewer(call.user.id)
    scope = org_scope(call.db, call.user.id)
    teams = frozenset(
        team.id for team in scope.teams.values() if team.id in scope.visible_team_ids and reads_hiring(scope, team)
    )
    return Viewer(call.user.id, teams)


def _run(call: Call[Any], build: Any) -> tuple[SearchRequest, SearchPage]:
    try:
        request: SearchRequest = build()
    except keys.SearchInputError as error:
        raise Invalid(str(error)) from None
    return request, search.engine().search(call.db.connection, request)


def _page(call: Call[Any], *names: str) -> Page:
    """The page the first of ``names`` that was sent asks for (0;20 when none was)."""
    for name in names:
        if name in call.raw_params:
            value = getattr(call.params, name)
            assert isinstance(value, Page)
            return value
    return Page(0, 20)


def _paging(page: Page, total: int) -> SearchPaging:
    return {"offset": str(page.offset), "count": str(page.size), "total": str(total)}


def _short(text: str) -> str:
    return text if len(text) <= SHORT_TEXT else text[: SHORT_TEXT - 3].rstrip() + "..."


def _agency(call: Call[Any]) -> Any:
    def find(key: str) -> int | None:
        reference = as_reference(key)
        if reference is None:
            return None
        found = call.db.connection.execute(
            sa.select(Company.id).where(Company.reference == reference, Company.is_agency.is_(True))
        ).scalar_one_or_none()
        return int(found) if found is not None else None

    return find


def _jobs(call: Call[Any], page: SearchPage) -> list[JobView]:
    views = job_queries.jobs_by_keys(call.db, page.keys)
    return [views[key] for key in page.keys if key in views]


def _providers(call: Call[Any], page: SearchPage, vocabulary: fields.Vocabulary) -> list[results.ProviderHit]:
    readiness = vocabulary.tests_named(fields.READINESS_TEST)
    found = results.providers_by_keys(call.db.connection, page.keys, readiness)
    return [found[key] for key in page.keys if key in found]


# --------------------------------------------------------------------------
# Payloads


def _score(value: Decimal | None) -> str:
    return f"{value:.2f}" if value is not None else ""


def _duration_word(hours: int | None) -> str:
    if hours is None:
        return ""
    for word, (low, high) in fields.DURATION_HOURS.items():
        if (low is None or hours > low) and (high is None or hours <= high):
            return word
    return ""  # pragma: no cover - the buckets cover every number of hours


_V2_STATUS = {"open": "Open", "filled": "Completed", "cancelled": "Cancelled"}


def _v2_job(job: JobView, client: results.ClientFacts | None, base_url: str) -> V2Job:
    return {
        "id": job.job_key,
        "title": job.title,
        "snippet": _short(job.description),
        "category": job.category or "",
        "subcategory": job.subcategory or "",
        "subcategory2": job.subcategory2 or "",
        "skills": [skill for skill in job.skills.split(";") if skill],
        "job_type": "Hourly" if job.job_type == "hourly" else "Fixed",
        "budget": money_text(job.budget),
        "duration": _duration_word(job.duration),
        "workload": "",
        "job_status": _V2_STATUS.get(job.status, job.status),
        "date_created": job.created_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "url": public_url(base_url, job.job_key),
        "client": {
            "country": client.country if client else "",
            "feedback": _score(client.feedback) if client else "",
            "reviews_count": str(client.reviews) if client else "0",
            "jobs_posted": str(client.jobs_posted) if client else "0",
            "past_hires": str(client.hires) if client else "0",
            "payment_verification_status": "",
        },
    }


def _profile_url(base_url: str, key: str) -> str:
    return f"{base_url}/users/{key}"


def _short_name(hit: results.ProviderHit) -> str:
    return f"{hit.first_name} {hit.last_name[:1]}.".strip()


def _v2_provider(hit: results.ProviderHit, base_url: str) -> V2Provider:
    return {
        "id": hit.profile_key,
        "name": _short_name(hit),
        "title": hit.title,
        "description": _short(hit.overview),
        "country": hit.country,
        "city": hit.city,
        "region": hit.region,
        "rate": money_text(hit.rate),
        "feedback": _score(hit.feedback),
        "feedback_count": str(hit.rated),
        "hours": f"{hit.hours:.2f}",
        "last_activity": f"{hit.last_worked_on:%Y-%m-%d}T00:00:00Z" if hit.last_worked_on else "",
        "english_skill": str(hit.english_skill),
        "is_odesk_ready": "1" if hit.ready else "0",
        "profile_type": "Agency" if hit.agency else "Independent",
        "portfolio_items_count": str(hit.portfolio_items),
        "test_passed_count": str(hit.tests),
        "skills": list(hit.skills),
        "categories": list(hit.categories),
        "url": _profile_url(base_url, hit.profile_key),
    }


def _v1_provider(hit: results.ProviderHit, base_url: str) -> dict[str, Any]:
    """The brief profile's fields (docs/profiles.md) of a provider found."""
    return {
        "ciphertext": hit.profile_key,
        "dev_recno_ciphertext": hit.profile_key,
        "dev_recno": str(hit.reference),
        "dev_first_name": hit.first_name,
        "dev_last_name": hit.last_name,
        "dev_short_name": _short_name(hit),
        "dev_full_name": f"{hit.first_name} {hit.last_name}".strip(),
        "dev_profile_title": hit.title,
        "dev_blurb_short": _short(hit.overview),
        "dev_country": hit.country,
        "dev_city": hit.city,
        "dev_region": hit.region,
        "dev_timezone": hit.timezone,
        "dev_bill_rate": money_text(hit.rate),
        "dev_eng_skill": str(hit.english_skill),
        "dev_total_hours": f"{hit.hours:.2f}",
        "dev_adj_score": _score(hit.feedback),
        "dev_tot_feedback": str(hit.rated),
        "dev_last_activity": day_text(hit.last_worked_on),
        "dev_is_affiliated": "1" if hit.agency else "0",
        "dev_is_ready": "1" if hit.ready else "0",
        "dev_portfolio_items_count": str(hit.portfolio_items),
        "tsexams_count": str(hit.tests),
        "skills": {"skill": [{"skl_name": name} for name in hit.skills]},
        "public_url": _profile_url(base_url, hit.profile_key),
    }


# --------------------------------------------------------------------------
# Endpoints


@api.get(f"{V1}/providers", access=SIGNED_IN, params=V1ProviderParams, returns=V1ProvidersReply, errors=_ERRORS)
def search_providers_v1(call: Call[V1ProviderParams]) -> V1ProvidersReply:
    """Public provider profiles found by the v1 keys (``q`` words, ``c1``, ``fb``, ``hrs``, ``min``...), a page.

    ``page``: ``offset;count``; ``sort``: fields (``date_created``,
    ``feedback``, ``hours``, ``rate``, ``score``) joined by ``;`` with one
    direction letter each (``date_created;D``).
    """
    page = _page(call, "page")
    vocabulary = fields.load_vocabulary(call.db.connection)
    viewer = _viewer(call, Kind.PROVIDERS)
    values = call.raw_params
    _request, found = _run(
        call,
        lambda: keys.v1_provider_request(values, vocabulary, viewer, _now(), page.offset, page.size, _agency(call)),
    )
    hits = _providers(call, found, vocabulary)
    return {
        "providers": {
            "lister": lister(found.total, page.offset, page.size, call.params.sort or ""),
            "provider": [_v1_provider(hit, call.base_url) for hit in hits],
        }
    }


@api.get(f"{V1}/jobs", access=SIGNED_IN, params=V1JobParams, returns=V1JobsReply, errors=_ERRORS)
def search_jobs_v1(call: Call[V1JobParams]) -> V1JobsReply:
    """Jobs found by the v1 keys (``q`` words, ``c1``, ``c2``, ``qs``, ``min``, ``max``, ``t``, ``st``...), a page.

    Open jobs unless ``st`` says otherwise. ``page``: ``offset;count``;
    ``sort``: fields (``date_posted``, ``budget``, ``title``, ``score``)
    joined by ``;`` with one direction letter each (``date_posted;A``).
    """
    page = _page(call, "page")
    vocabulary = fields.load_vocabulary(call.db.connection)
    viewer = _viewer(call, Kind.JOBS)
    values = call.raw_params
    _request, found = _run(
        call, lambda: keys.v1_job_request(values, vocabulary, viewer, _now(), page.offset, page.size)
    )
    return {
        "jobs": {
            "lister": lister(found.total, page.offset, page.size, call.params.sort or ""),
            "job": [job_profile(job, call.base_url) for job in _jobs(call, found)],
        }
    }


@api.get(f"{V2}/providers", access=SIGNED_IN, params=V2ProviderParams, returns=V2ProvidersReply, errors=_ERRORS)
def search_providers_v2(call: Call[V2ProviderParams]) -> V2ProvidersReply:
    """Public provider profiles found by ``q`` (Lucene subset) and the documented v2 keys, a page.

    ``q``: words, phrases, ``field:value``, ``field:[a TO b]``, comma lists,
    AND, OR, NOT, parentheses, on the fields title, skills, groups, tests,
    tests_top_10, tests_top_30, category, subcategory, region, feedback,
    rate, hours, recent_hours, last_activity, english_skill,
    is_odesk_ready, profile_type. ``paging``: ``offset;count``.
    ``include_entities=1`` answers the profile keys only.
    """
    page = _page(call, "paging", "page")
    vocabulary = fields.load_vocabulary(call.db.connection)
    viewer = _viewer(call, Kind.PROVIDERS)
    values = call.raw_params
    today = _now().date()
    _request, found = _run(
        call, lambda: keys.v2_request(Kind.PROVIDERS, values, vocabulary, viewer, today, page.offset, page.size)
    )
    entities = (call.params.include_entities or "").strip()
    if entities not in ("", "0", "1"):
        raise Invalid(f"include_entities must be 0 or 1, got {entities!r}")
    if entities == "1":
        return {"providers": list(found.keys), "paging": _paging(page, found.total)}
    hits = _providers(call, found, vocabulary)
    return {"providers": [_v2_provider(hit, call.base_url) for hit in hits], "paging": _paging(page, found.total)}


@api.get(f"{V2}/jobs", access=SIGNED_IN, params=V2JobParams, returns=V2JobsReply, errors=_ERRORS)
def search_jobs_v2(call: Call[V2JobParams]) -> V2JobsReply:
    """Jobs found by ``q`` (Lucene subset) and the documented v2 keys, a page.

    ``q`` fields: title, skills, groups, tests, tests_top_10, tests_top_30,
    category, subcategory, job_type, duration, workload, client_feedback,
    client_hires, budget, job_status, posted_since. Open jobs unless
    ``job_status`` is given. ``sort``: create_time, client_rating,
    client_total_charge, client_total_hours, score, workload or duration,
    then asc or desc (``create_time desc``). ``paging``: ``offset;count``.
    """
    page = _page(call, "paging", "page")
    vocabulary = fields.load_vocabulary(call.db.connection)
    viewer = _viewer(call, Kind.JOBS)
    values = call.raw_params
    today = _now().date()
    _request, found = _run(
        call, lambda: keys.v2_request(Kind.JOBS, values, vocabulary, viewer, today, page.offset, page.size)
    )
    jobs = _jobs(call, found)
    clients = results.clients_of_teams(call.db.connection, {job.buyer_team_id for job in jobs})
    return {
        "jobs": [_v2_job(job, clients.get(job.buyer_team_id), call.base_url) for job in jobs],
        "paging": _paging(page, found.total),
    }


__all__ = ["api"]
