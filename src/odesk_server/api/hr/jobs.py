"""HR: job postings (``/api/hr/v2/jobs``) and invitations to interview (``/api/hr/v1/jobs/{job}/candidates``).

The server side of ``client.hr.get_jobs``, ``get_job``, ``post_job``,
``update_job``, ``delete_job`` and ``client.hr_v1.invite_to_interview``.
The rules (terms, statuses, reason codes, one candidacy per provider and
job) are ``odesk_server.domain.jobs``; the SQL is ``odesk_server.queries.jobs``.

Who may do what (``access.rules``): posting, changing, deleting a job and
inviting to it need hiring permission on the job's buyer team; reading
(``get_jobs``, ``get_job``) hiring or finance permission. A job whose team
the caller does not see is answered 404 like an unknown one; a visible team
without the permission is 403 naming it.

The ``job`` payload has the fields of ``spec/api-surface.md`` section 6,
every value text, plus ``job_key`` (the public key), ``subcategory2``,
``skills`` (``;``-joined) and ``cancel_reason``. Instants
(``created_time``, ``last_candidacy_access_time``) are milliseconds since
the epoch, as oDesk wrote them; days (``start_date``, ``end_date``,
``filled_date``, ``cancelled_date``) are ``mm-dd-yyyy``, as ``post_job``
takes them; an absent value is ``""``. docs/hiring.md says what the
documentation left open and what we chose.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field
from typing_extensions import TypedDict

from odesk_server import search
from odesk_server.access.keys import as_reference
from odesk_server.access.predicates import is_hiring_manager, reads_hiring
from odesk_server.access.rules import HIRING_NEEDED, READING_NEEDED, hiring_team, reading_team
from odesk_server.access.scope import OrgScope, TeamNode, org_scope
from odesk_server.api.endpoint import SIGNED_IN, Api, Call, Params
from odesk_server.api.params import (
    Flag,
    HrListingParams,
    OptionalDate,
    OptionalMoney,
    OptionalText,
    PathKey,
    StatusList,
)
from odesk_server.domain import jobs as rules
from odesk_server.domain import messages
from odesk_server.domain.engagements import JobType
from odesk_server.domain.jobs import CancelReason, JobStatus, Visibility
from odesk_server.models import Job, utcnow
from odesk_server.problems import Forbidden, Invalid, NotFound
from odesk_server.queries import jobs as queries
from odesk_server.queries.jobs import JobFilter, JobView
from odesk_server.queries.metadata import ReasonType, reasons
from odesk_server.wire import Lister, day_text, epoch_ms_text, lister, money_text

api = Api(
    "hr jobs", "HR: job postings (/api/hr/v2/jobs) and invitations to interview (/api/hr/v1/jobs/{job}/candidates)"
)

PREFIX = "/api/hr/v2/jobs"
MAX_TITLE = 200
MAX_DESCRIPTION = 50_000
MAX_COVER = 10_000


# --------------------------------------------------------------------------
# Parameter types of this resource


def _hours(value: object) -> object:
    text = str(value).strip() if value is not None else ""
    if not text:
        return None
    if not (text.isdigit() and text.isascii()) or int(text) == 0:
        raise ValueError(f"must be a whole number of hours above 0, got {value!r}")
    return int(text)


def _reason(value: object) -> object:
    # A whole number is read as one (41, "41", "041"); delete_job checks the code against the reference data.
    text = str(value).strip()
    return str(int(text)) if text.isdigit() and text.isascii() else text


OptionalHours = Annotated[int | None, BeforeValidator(_hours), Field(json_schema_extra={"examples": ["90"]})]
# get_jobs' status: one status or several joined by ";" (absent: all).
JobStatuses = Annotated[tuple[str, ...] | None, StatusList(status.value for status in JobStatus)]
ReasonCode = Annotated[str, BeforeValidator(_reason), Field(json_schema_extra={"examples": ["41"]})]


# --------------------------------------------------------------------------
# Shapes


class JobObject(TypedDict):
    reference: str
    job_key: str
    title: str
    job_type: str
    description: str
    visibility: str
    category: str
    subcategory: str
    subcategory2: str
    skills: str
    budget: str
    duration: str
    status: str
    cancel_reason: str
    start_date: str
    end_date: str
    created_time: str
    created_by: str
    buyer_team__reference: str
    buyer_team__id: str
    buyer_team__name: str
    buyer_company__reference: str
    buyer_company__name: str
    public_url: str
    num_candidates: str
    num_active_candidates: str
    num_new_candidates: str
    last_candidacy_access_time: str
    filled_date: str
    cancelled_date: str


class JobList(TypedDict):
    lister: Lister
    job: list[JobObject]


class JobsReply(TypedDict):
    jobs: JobList


class JobReply(TypedDict):
    job: JobObject


class ApplicationObject(TypedDict):
    reference: str
    job__reference: str
    job_key: str
    provider__reference: str
    provider__id: str
    profile_key: str
    origin: str
    status: str
    cover: str
    created_time: str


class InvitationReply(TypedDict):
    application: ApplicationObject


def public_url(base_url: str, job_key: str) -> str:
    """The job's public address (its key, never its reference)."""
    return f"{base_url}/jobs/{job_key}"


def job_payload(job: JobView, base_url: str) -> JobObject:
    """The ``job`` object of the HR v2 API (see the module docstring for the formats)."""
    return {
        "reference": str(job.reference),
        "job_key": job.job_key,
        "title": job.title,
        "job_type": job.job_type,
        "description": job.description,
        "visibility": job.visibility,
        "category": job.category or "",
        "subcategory": job.subcategory or "",
        "subcategory2": job.subcategory2 or "",
        "skills": job.skills,
        "budget": money_text(job.budget),
        "duration": str(job.duration) if job.duration is not None else "",
        "status": job.status,
        "cancel_reason": str(job.cancel_reason) if job.cancel_reason is not None else "",
        "start_date": day_text(job.start_date),
        "end_date": day_text(job.closed_at),
        "created_time": epoch_ms_text(job.created_at),
        "created_by": job.created_by_uid,
        "buyer_team__reference": str(job.team_reference),
        "buyer_team__id": job.team_id,
        "buyer_team__name": job.team_name,
        "buyer_company__reference": str(job.company_reference),
        "buyer_company__name": job.company_name,
        "public_url": public_url(base_url, job.job_key),
        "num_candidates": str(job.num_candidates),
        "num_active_candidates": str(job.num_active_candidates),
        "num_new_candidates": str(job.num_new_candidates),
        "last_candidacy_access_time": epoch_ms_text(job.last_candidacy_access_at),
        "filled_date": day_text(job.closed_at) if job.status == JobStatus.FILLED else "",
        "cancelled_date": day_text(job.closed_at) if job.status == JobStatus.CANCELLED else "",
    }


# --------------------------------------------------------------------------
# Who may see and act on a job


def _visible_team(scope: OrgScope, job: JobView) -> TeamNode | None:
    team = scope.teams.get(job.buyer_team_id)
    return team if team is not None and team.id in scope.visible_team_ids else None


def may_read_jobs_of(scope: OrgScope, job: JobView) -> bool:
    """Whether the caller may read the jobs of ``job``'s buyer team (hiring or finance permission there)."""
    team = _visible_team(scope, job)
    return team is not None and reads_hiring(scope, team)


def _job(call: Call[Any], scope: OrgScope, key: str, *, acting: bool) -> JobView:
    """The job ``key`` names, when its buyer team is visible and the caller may read it (``acting``: hire on it).

    ``NotFound`` when the job is unknown or its team not visible, ``Forbidden`` naming the permission otherwise.
    """
    job = queries.job_by_key(call.db, key)
    team = _visible_team(scope, job) if job is not None else None
    if job is None or team is None:
        raise NotFound(f"No job with reference or id {key!r}")
    if acting and not is_hiring_manager(scope, team):
        raise Forbidden(f"You need {HIRING_NEEDED} on the buyer team of the job {key}")
    if not acting and not may_read_jobs_of(scope, job):
        raise Forbidden(f"You need {READING_NEEDED} on the buyer team of the job {key}")
    return job


def _shown(call: Call[Any], key: str) -> JobReply:
    job = queries.job_by_key(call.db, key)
    if job is None:  # the write just made it: it cannot be gone within the transaction
        raise NotFound(f"No job with reference or id {key!r}")
    return {"job": job_payload(job, call.base_url)}


# --------------------------------------------------------------------------
# Parameters


class JobsParams(HrListingParams):
    buyer_team__reference: str
    include_sub_teams: Flag = False
    status: JobStatuses = None
    created_by: OptionalText = None


class JobRef(Params):
    job_reference: PathKey


class PostJobParams(Params):
    buyer_team__reference: str
    title: str
    job_type: Literal["hourly", "fixed-price"]
    description: str
    visibility: Literal["public", "private", "odesk", "invite-only"]
    category: OptionalText = None
    subcategory: OptionalText = None
    subcategory2: OptionalText = None
    budget: OptionalMoney = None
    duration: OptionalHours = None
    start_date: OptionalDate = None
    skills: str = ""


class UpdateJobParams(Params):
    job_id: PathKey
    buyer_team__reference: str
    title: str
    description: str
    visibility: Literal["public", "private", "odesk", "invite-only"]
    category: OptionalText = None
    subcategory: OptionalText = None
    budget: OptionalMoney = None
    duration: OptionalHours = None
    start_date: OptionalDate = None
    status: Literal["open", "filled", "cancelled"]


class DeleteJobParams(Params):
    job_id: PathKey
    reason_code: ReasonCode


class InviteParams(Params):
    job_id: PathKey
    cover: str
    profile_key: OptionalText = None
    provider__reference: OptionalText = None


def _text(name: str, value: str, longest: int) -> str:
    text = value.strip()
    if not text:
        raise Invalid(f"{name} must not be empty")
    if len(text) > longest:
        raise Invalid(f"{name} must be at most {longest} characters, got {len(text)}")
    return text


def _subcategory(call: Call[Any], category: str | None, subcategory: str | None) -> int | None:
    """The version-1 subcategory ``category`` and ``subcategory`` name (both or neither); ``Invalid`` otherwise."""
    if category is None and subcategory is None:
        return None
    if category is None or subcategory is None:
        raise Invalid("category and subcategory go together: give both, or neither")
    found = queries.subcategory_id(call.db, category, subcategory)
    if found is None:
        raise Invalid(
            f"No subcategory {subcategory!r} in the category {category!r} (see the metadata API's categories)"
        )
    return found


def _subcategory2(call: Call[Any], title: str | None) -> int | None:
    if title is None:
        return None
    found = queries.subcategory2_id(call.db, title)
    if found is None:
        raise Invalid(f"No subcategory2 {title!r} (see the metadata API's categories, version 2)")
    return found


_NOT_FOUND = {404: "not_found: no such job, or one whose buyer team the caller does not see (never told apart)"}
_FORBIDDEN_READ = {403: "access_denied: the caller sees the buyer team but has neither hiring nor finance permission"}
_FORBIDDEN_HIRE = {403: "access_denied: the caller sees the buyer team but has no hiring permission"}
_BAD = {400: "bad_request: a parameter is missing or breaks a documented rule (the message names it)"}
_STATE = {400: "bad_request, or invalid_state: the job's status refuses the action (the message names it)"}


# --------------------------------------------------------------------------
# Endpoints (declaration order is match order)


@api.get(PREFIX, access=SIGNED_IN, params=JobsParams, returns=JobsReply, errors={**_NOT_FOUND, **_FORBIDDEN_READ})
def get_jobs(call: Call[JobsParams]) -> JobsReply:
    """The jobs of a buyer team (and of its sub-teams with ``include_sub_teams``), a page at a time.

    ``status``: open, filled or cancelled (several joined by ``;``);
    ``created_by``: the creator's uid or reference; ``created_time_from`` and
    ``created_time_to``: timestamps (UTC), both ends included; ``order_by``:
    fields (reference, title, job_type, status, visibility, created_time,
    start_date) joined by ``;``, then optionally one A or D per field
    (``created_time;D``). Needs hiring or finance permission on the team.
    """
    p = call.params
    scope = org_scope(call.db, call.user.id)
    team = reading_team(scope, p.buyer_team__reference)
    teams = scope.subtree(team) if p.include_sub_teams else frozenset({team.id})
    creator = queries.user_id_of(call.db, p.created_by) if p.created_by is not None else None
    total, found = 0, list[JobView]()
    if p.created_by is None or creator is not None:  # an unknown creator created nothing
        only = JobFilter(teams, frozenset(p.status or ()), creator, p.created_time_from, p.created_time_to)
        total, found = queries.list_jobs(call.db, only, p.page.offset, p.page.size, p.order_by)
    return {
        "jobs": {
            "lister": lister(total, p.page.offset, p.page.size, p.order_by or ""),
            "job": [job_payload(job, call.base_url) for job in found],
        }
    }


@api.get(
    f"{PREFIX}/{{job_reference}}",
    access=SIGNED_IN,
    params=JobRef,
    returns=JobReply,
    errors={**_NOT_FOUND, **_FORBIDDEN_READ},
)
def get_job(call: Call[JobRef]) -> JobReply:
    """One job, by reference (or its public key); needs hiring or finance permission on its buyer team."""
    scope = org_scope(call.db, call.user.id)
    job = _job(call, scope, call.params.job_reference, acting=False)
    return {"job": job_payload(job, call.base_url)}


@api.post(PREFIX, access=SIGNED_IN, params=PostJobParams, returns=JobReply, errors={**_BAD, **_FORBIDDEN_HIRE})
def post_job(call: Call[PostJobParams]) -> JobReply:
    """Post an open job for a buyer team; answers the ``job`` with its reference and public key.

    Needs ``category`` and ``subcategory`` (titles of the categories
    metadata) or ``subcategory2``; a fixed-price job needs ``budget``, an
    hourly job ``duration`` (hours). ``start_date`` (mm-dd-yyyy, today or
    later) defaults to today; ``skills`` is ``;``-joined. Needs hiring
    permission on the team.
    """
    p = call.params
    scope = org_scope(call.db, call.user.id)
    team = hiring_team(scope, p.buyer_team__reference)
    if p.subcategory2 is None and (p.category is None or p.subcategory is None):
        raise Invalid("Give category and subcategory, or subcategory2")
    posting = rules.Posting(
        title=_text("title", p.title, MAX_TITLE),
        description=_text("description", p.description, MAX_DESCRIPTION),
        visibility=Visibility(p.visibility),
        terms=rules.Terms(JobType(p.job_type), p.budget, p.duration),
        subcategory_id=_subcategory(call, p.category, p.subcategory),
        subcategory2_id=_subcategory2(call, p.subcategory2),
        start_date=p.start_date,
        skills=rules.skills_text(p.skills),
    )
    job = rules.post(call.db.session, team.id, call.user.id, posting, utcnow())
    search.jobs_changed(call.db.connection, [job.id])
    return _shown(call, str(job.reference))


@api.put(
    f"{PREFIX}/{{job_id}}",
    access=SIGNED_IN,
    params=UpdateJobParams,
    returns=JobReply,
    errors={**_STATE, **_NOT_FOUND, **_FORBIDDEN_HIRE},
)
def update_job(call: Call[UpdateJobParams]) -> JobReply:
    """Change a job's posting and status (open, filled, cancelled); answers the ``job`` as it now is.

    ``buyer_team__reference`` must name the job's own team (a job does not
    move between teams). ``category`` and ``subcategory`` go together and,
    absent, leave the job's as they are; so do an absent ``budget``,
    ``duration`` and ``start_date``. A filled job is not cancelled (nor a
    cancelled one filled) without opening it again. Needs hiring permission
    on the job's team.
    """
    p = call.params
    scope = org_scope(call.db, call.user.id)
    view = _job(call, scope, p.job_id, acting=True)
    named = hiring_team(scope, p.buyer_team__reference)
    if named.id != view.buyer_team_id:
        raise Invalid(
            f"buyer_team__reference {p.buyer_team__reference!r} is not the team of the job {p.job_id} "
            f"({view.team_reference}); a job does not move between teams"
        )
    job = call.db.session.get(Job, view.id, with_for_update=True)
    if job is None:
        raise NotFound(f"No job with reference or id {p.job_id!r}")
    same_category = p.category is None and p.subcategory is None
    posting = rules.Posting(
        title=_text("title", p.title, MAX_TITLE),
        description=_text("description", p.description, MAX_DESCRIPTION),
        visibility=Visibility(p.visibility),
        terms=rules.Terms(
            JobType(job.job_type),
            p.budget if p.budget is not None else job.budget,
            p.duration if p.duration is not None else job.duration,
        ),
        subcategory_id=job.subcategory_id if same_category else _subcategory(call, p.category, p.subcategory),
        subcategory2_id=job.subcategory2_id,
        start_date=p.start_date,
        skills=job.skills,
    )
    rules.revise(job, posting, JobStatus(p.status), utcnow())
    call.db.session.flush()
    search.jobs_changed(call.db.connection, [job.id])
    return _shown(call, str(job.reference))


def _close_reason(call: Call[Any], code: str) -> CancelReason:
    """``reason_code`` as a ``CancelReason``: one of the ``CloseOpening`` reasons' codes (``queries.metadata``)."""
    known = [row.code for row in reversed(reasons(call.db, ReasonType.CLOSE_OPENING))]
    if code not in known:
        raise Invalid(f"reason_code must be one of the documented reason codes {', '.join(known)}, got {code!r}")
    return CancelReason(int(code))


@api.delete(
    f"{PREFIX}/{{job_id}}",
    access=SIGNED_IN,
    params=DeleteJobParams,
    returns=JobReply,
    errors={**_STATE, **_NOT_FOUND, **_FORBIDDEN_HIRE},
)
def delete_job(call: Call[DeleteJobParams]) -> JobReply:
    """Cancel an open job with a documented reason code (67, 51, 49, 41, 34); answers the cancelled ``job``.

    The job stays readable (status cancelled, ``cancel_reason``); a job
    already filled or cancelled is refused with ``invalid_state``. Needs
    hiring permission on the job's team.
    """
    p = call.params
    reason = _close_reason(call, p.reason_code)
    scope = org_scope(call.db, call.user.id)
    view = _job(call, scope, p.job_id, acting=True)
    job = call.db.session.get(Job, view.id, with_for_update=True)
    if job is None:
        raise NotFound(f"No job with reference or id {p.job_id!r}")
    rules.cancel(job, reason, utcnow())
    call.db.session.flush()
    search.jobs_changed(call.db.connection, [job.id])
    return _shown(call, str(job.reference))


@api.post(
    "/api/hr/v1/jobs/{job_id}/candidates",
    access=SIGNED_IN,
    params=InviteParams,
    returns=InvitationReply,
    errors={**_STATE, **_NOT_FOUND, **_FORBIDDEN_HIRE},
)
def invite_to_interview(call: Call[InviteParams]) -> InvitationReply:
    """Invite a provider (``provider__reference``, else ``profile_key``) to interview for an open job.

    Creates the provider's candidacy (origin invitation, status invited)
    and answers it as ``application``. A provider has one candidacy per
    job: a second invitation is 400 ``invalid_state`` naming the existing
    one. Needs hiring permission on the job's team.
    """
    p = call.params
    scope = org_scope(call.db, call.user.id)
    view = _job(call, scope, p.job_id, acting=True)
    if p.provider__reference is None and p.profile_key is None:
        raise Invalid("Give provider__reference or profile_key: the provider to invite")
    provider = None
    # provider__reference is a reference number here, never a uid.
    if p.provider__reference is None or as_reference(p.provider__reference) is not None:
        provider = queries.provider_by_key(call.db, reference=p.provider__reference, profile_key=p.profile_key)
    if provider is None:
        named = (
            f"provider__reference {p.provider__reference!r}"
            if p.provider__reference
            else (f"profile_key {p.profile_key!r}")
        )
        raise Invalid(f"No active provider with {named}")
    provider_id = provider.id
    if provider_id == call.user.id:
        raise Invalid("You cannot invite yourself to interview")
    job = call.db.session.get(Job, view.id, with_for_update=True)
    if job is None:
        raise NotFound(f"No job with reference or id {p.job_id!r}")
    candidacy = rules.invite(call.db.session, job, provider_id, _text("cover", p.cover, MAX_COVER), utcnow())
    # The invitation opens the candidacy's interview thread in the message center (domain.messages).
    fallback = f"Invitation to interview: {job.title}"
    messages.interview_post(
        call.db.session, candidacy, call.user.id, candidacy.cover, candidacy.created_at, fallback=fallback
    )
    provider = candidacy.provider
    return {
        "application": {
            "reference": str(candidacy.reference),
            "job__reference": str(job.reference),
            "job_key": job.job_key,
            "provider__reference": str(provider.reference),
            "provider__id": provider.uid,
            "profile_key": provider.profile_key or "",
            "origin": candidacy.origin,
            "status": candidacy.status,
            "cover": candidacy.cover,
            "created_time": epoch_ms_text(candidacy.created_at),
        }
    }


def jobs_visible_in(scope: OrgScope, jobs: Iterable[JobView]) -> list[JobView]:
    """Of ``jobs``, those whose profile the caller may see: public or odesk, or a team whose jobs the caller reads."""
    return [job for job in jobs if job.visibility in rules.PUBLIC_VISIBILITIES or may_read_jobs_of(scope, job)]


__all__ = ["api", "job_payload", "jobs_visible_in", "may_read_jobs_of", "public_url"]
