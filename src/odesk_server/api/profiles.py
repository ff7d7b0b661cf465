"""``/api/profiles/v1``: public profiles (job profiles by their public key; provider profiles later).

The server side of ``client.job.get_job_profile``: ``/jobs/{key}`` with one
job key (``~~`` and 16 hex digits) or the job's reference number, or up to
20 keys joined by ``;`` (keys only, as the documentation says). One key
answers ``profiles.profile`` as an object, several as a list in the order
asked (a key repeated is answered once).

Who sees a profile: any signed caller for a ``public`` or ``odesk`` job; a
``private`` or ``invite-only`` job only a caller who may read the jobs of
its buyer team (hiring or finance permission there). Any other job is
answered like an unknown key: 404 naming the keys not found.

The profile's field names follow oDesk's job profiles (``ciphertext``,
``op_*``); docs/hiring.md lists them and what each holds. Every value is
text; ``op_ctime`` is milliseconds since the epoch, ``op_start_date``
``mm-dd-yyyy``.
"""

from __future__ import annotations

from typing_extensions import TypedDict

from odesk_server.access.keys import as_reference
from odesk_server.access.scope import org_scope
from odesk_server.api.endpoint import SIGNED_IN, Api, Call, Params
from odesk_server.api.hr.jobs import jobs_visible_in, public_url
from odesk_server.api.params import PathKey
from odesk_server.problems import Invalid, NotFound
from odesk_server.queries import jobs as queries
from odesk_server.queries.jobs import JobView
from odesk_server.wire import day_text, epoch_ms_text, money_text

api = Api("profiles", "Profiles v1: public job profiles (and provider profiles)")

# The most job keys one request may ask for.
MAX_JOB_KEYS = 20


class RequiredSkill(TypedDict):
    skill: str


class RequiredSkills(TypedDict):
    op_required_skill: list[RequiredSkill]


class JobProfile(TypedDict):
    ciphertext: str
    op_recno: str
    op_title: str
    op_description: str
    op_job_type: str
    op_status: str
    op_visibility: str
    job_category_level_one: str
    job_category_level_two: str
    op_job_category_v2: str
    amount: str
    op_est_duration: str
    op_start_date: str
    op_ctime: str
    op_required_skills: RequiredSkills
    op_tot_cand: str
    op_buyer_company_name: str
    public_url: str


class ProfileOne(TypedDict):
    profile: JobProfile


class ProfileList(TypedDict):
    profile: list[JobProfile]


class JobProfileReply(TypedDict):
    profiles: ProfileOne | ProfileList


def job_profile(job: JobView, base_url: str) -> JobProfile:
    """The public profile of ``job`` (what anyone who may see it reads; no internal ids)."""
    skills = [skill for skill in job.skills.split(";") if skill]
    return {
        "ciphertext": job.job_key,
        "op_recno": str(job.reference),
        "op_title": job.title,
        "op_description": job.description,
        "op_job_type": job.job_type,
        "op_status": job.status,
        "op_visibility": job.visibility,
        "job_category_level_one": job.category or "",
        "job_category_level_two": job.subcategory or "",
        "op_job_category_v2": job.subcategory2 or "",
        "amount": money_text(job.budget),
        "op_est_duration": str(job.duration) if job.duration is not None else "",
        "op_start_date": day_text(job.start_date),
        "op_ctime": epoch_ms_text(job.created_at),
        "op_required_skills": {"op_required_skill": [{"skill": skill} for skill in skills]},
        "op_tot_cand": str(job.num_candidates),
        "op_buyer_company_name": job.company_name,
        "public_url": public_url(base_url, job.job_key),
    }


class JobKeys(Params):
    key: PathKey


def _keys(text: str) -> list[str]:
    """The keys a path names, in order, each once; ``Invalid`` for too many or a reference in a list."""
    keys = list(dict.fromkeys(part.strip() for part in text.split(";") if part.strip()))
    if not keys:
        raise Invalid("Give a job key (~~...), a job reference, or up to 20 job keys joined by ;")
    if len(keys) > MAX_JOB_KEYS:
        raise Invalid(f"At most {MAX_JOB_KEYS} job keys per request, got {len(keys)}")
    if len(keys) > 1 and any(as_reference(key) is not None or not key.startswith("~~") for key in keys):
        raise Invalid("A list holds job keys (~~...) only; a job reference is asked for alone")
    return keys


@api.get(
    "/api/profiles/v1/jobs/{key}",
    access=SIGNED_IN,
    params=JobKeys,
    returns=JobProfileReply,
    errors={
        400: "bad_request: more than 20 keys, or a reference inside a list",
        404: "not_found: a key names no job, or one the caller may not see (the message lists them)",
    },
)
def get_job_profile(call: Call[JobKeys]) -> JobProfileReply:
    """The public profile of one job (by key or reference) or of up to 20 jobs (keys joined by ``;``)."""
    keys = _keys(call.params.key)
    if len(keys) == 1:
        one = queries.job_by_key(call.db, keys[0])
        found = {keys[0]: one} if one is not None else {}
    else:
        found = queries.jobs_by_keys(call.db, keys)
    scope = org_scope(call.db, call.user.id) if found else None
    visible = {job.id for job in jobs_visible_in(scope, found.values())} if scope is not None else set()
    missing = [key for key in keys if key not in found or found[key].id not in visible]
    if missing:
        raise NotFound(f"No job with key {', '.join(repr(key) for key in missing)}")
    profiles = [job_profile(found[key], call.base_url) for key in keys]
    if len(profiles) == 1:
        return {"profiles": {"profile": profiles[0]}}
    return {"profiles": {"profile": profiles}}


__all__ = ["api", "job_profile"]
