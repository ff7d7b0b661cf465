"""The rules of a job posting: its terms, its statuses, its public key, and inviting a provider to it.

A job is posted ``open``. The buyer may mark it ``filled`` or ``cancelled``
(``update_job``), cancel it with one of the documented reason codes
(``delete_job``), or open a closed job again (``update_job`` with
``status=open``)::

    open --fill--> filled --reopen--> open
    open --cancel--> cancelled --reopen--> open

A filled job is not cancelled and a cancelled one is not filled: it is
opened again first. Setting the status a job already has is no move and is
allowed (``update_job`` always sends a status). When a job leaves ``open``
the candidacies still waiting (``invited``, ``interviewing``) are
``withdrawn``: the job closed before they were hired. Candidacies with a
pending offer are left to the offer's rules.

Terms: a fixed-price job needs a ``budget``, an hourly job a ``duration``
in hours (the documentation: budget "is used for fixed-price jobs only",
duration "for hourly jobs only"); the other one may be given too and is
kept. A start date is today or later when it is set or changed.

Every broken rule raises ``problems.Invalid`` (400 ``bad_request``) or, for
a move the job's status refuses, ``problems.WrongState`` (400
``invalid_state``) naming the status.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import Decimal
from enum import IntEnum, StrEnum

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from odesk_server.domain.engagements import JobType
from odesk_server.models import Candidacy, Job, next_reference
from odesk_server.problems import Invalid, WrongState


class JobStatus(StrEnum):
    """The statuses of a job (``Job.status``)."""

    OPEN = "open"
    FILLED = "filled"
    CANCELLED = "cancelled"


class Visibility(StrEnum):
    """Who sees a job (``Job.visibility``), as ``post_job`` documents it."""

    PUBLIC = "public"  # every user who searches jobs
    PRIVATE = "private"  # the employer only
    ODESK = "odesk"  # users logged in to the service
    INVITE_ONLY = "invite-only"  # not in searches: the buyer invites the applicants


# What a job profile shows to anyone signed in; the others only to who may read the buyer team.
PUBLIC_VISIBILITIES = frozenset({Visibility.PUBLIC, Visibility.ODESK})


class CancelReason(IntEnum):
    """``delete_job``'s documented reason codes."""

    ACCIDENTAL_OPENING_CREATION = 67
    ALL_POSITIONS_FILLED = 51
    FILLED_BY_ALTERNATE_SOURCE = 49
    PROJECT_WAS_CANCELLED = 41
    NO_DEVELOPER_FOR_REQUESTED_SKILLS = 34


# The moves between different statuses, the only ones (setting the same status is no move).
TRANSITIONS = frozenset(
    {
        (JobStatus.OPEN, JobStatus.FILLED),
        (JobStatus.OPEN, JobStatus.CANCELLED),
        (JobStatus.FILLED, JobStatus.OPEN),
        (JobStatus.CANCELLED, JobStatus.OPEN),
    }
)

# Candidacies a closing job withdraws: those still waiting for the buyer or the provider.
WAITING_CANDIDACIES = frozenset({"invited", "interviewing"})
# Candidacies that count as active on a job (the payload's num_active_candidates).
ACTIVE_CANDIDACIES = frozenset({"invited", "interviewing", "offered"})

JOB_KEY_PREFIX = "~~"
MAX_SKILLS = 50
MAX_SKILL_LENGTH = 100
MAX_DURATION_HOURS = 100_000


def new_job_key() -> str:
    """A fresh public job key: ``~~`` and 16 hex digits from ``secrets`` (not guessable from the reference)."""
    return JOB_KEY_PREFIX + secrets.token_hex(8)


def is_job_key(text: str) -> bool:
    """Whether ``text`` has the form of a job key (``~~`` and 16 lowercase hex digits)."""
    digits = text[len(JOB_KEY_PREFIX) :]
    return text.startswith(JOB_KEY_PREFIX) and len(digits) == 16 and all(c in "0123456789abcdef" for c in digits)


def next_status(current: JobStatus | str, wanted: JobStatus | str) -> JobStatus:
    """The status a job in ``current`` takes when the buyer asks for ``wanted``.

    Raises ``WrongState`` when the move is not one of ``TRANSITIONS`` (fill
    a cancelled job, cancel a filled one), naming the status the job is in.
    """
    now, after = JobStatus(current), JobStatus(wanted)
    if now is after or (now, after) in TRANSITIONS:
        return after
    return _refuse(now, f"a {now} job cannot be marked {after}: open it again first")


def _refuse(status: JobStatus, why: str) -> JobStatus:
    raise WrongState(f"The job is {status}; {why}")


@dataclass(frozen=True)
class Terms:
    """How a job is paid: its type and the budget (fixed price) or duration in hours (hourly) it needs."""

    job_type: JobType
    budget: Decimal | None
    duration: int | None

    def __post_init__(self) -> None:
        if self.job_type is JobType.FIXED_PRICE and self.budget is None:
            raise Invalid("budget is required for a fixed-price job")
        if self.job_type is JobType.HOURLY and self.duration is None:
            raise Invalid("duration (in hours) is required for an hourly job")
        if self.duration is not None and not 0 < self.duration <= MAX_DURATION_HOURS:
            raise Invalid(f"duration must be between 1 and {MAX_DURATION_HOURS} hours, got {self.duration}")


def skills_text(skills: str) -> str:
    """The ``;``-joined skills as stored: each one trimmed, empty ones dropped, repeats removed.

    Raises ``Invalid`` for more than ``MAX_SKILLS`` skills or one longer than ``MAX_SKILL_LENGTH``.
    """
    found: list[str] = []
    for part in skills.split(";"):
        skill = part.strip()
        if skill and skill not in found:
            if len(skill) > MAX_SKILL_LENGTH:
                raise Invalid(f"skills: a skill is at most {MAX_SKILL_LENGTH} characters, got {skill[:20]!r}...")
            found.append(skill)
    if len(found) > MAX_SKILLS:
        raise Invalid(f"skills: at most {MAX_SKILLS} skills, got {len(found)}")
    return ";".join(found)


def check_start_date(start: dt.date | None, today: dt.date) -> None:
    """Return when ``start`` (a new or changed start date) is today or later; ``Invalid`` otherwise."""
    if start is not None and start < today:
        raise Invalid(f"start_date must be today ({today:%m-%d-%Y}) or later, got {start:%m-%d-%Y}")


@dataclass(frozen=True)
class Posting:
    """What the buyer says about a job: everything ``post_job`` and ``update_job`` set but the status."""

    title: str
    description: str
    visibility: Visibility
    terms: Terms
    subcategory_id: int | None
    subcategory2_id: int | None
    start_date: dt.date | None
    skills: str


def post(session: Session, buyer_team_id: int, user_id: int, posting: Posting, now: dt.datetime) -> Job:
    """A new open job of the team ``buyer_team_id`` posted by ``user_id`` (added to ``session`` and flushed).

    The start date defaults to ``now``'s day ("starting immediately"); raises
    ``Invalid`` for a start date before it.
    """
    check_start_date(posting.start_date, now.date())
    job = Job(
        reference=next_reference(session, Job),
        job_key=new_job_key(),
        buyer_team_id=buyer_team_id,
        created_by_user_id=user_id,
        status=JobStatus.OPEN.value,
        created_at=now,
        updated_at=now,
        job_type=posting.terms.job_type.value,
    )
    _write(job, posting, start_date=posting.start_date or now.date())
    session.add(job)
    session.flush()
    return job


def revise(job: Job, posting: Posting, status: JobStatus, now: dt.datetime) -> None:
    """Apply ``update_job``: the new posting, then the move to ``status`` (see ``next_status``).

    Raises ``Invalid`` for a changed start date in the past and ``WrongState`` for a refused move.
    """
    after = next_status(job.status, status)
    if posting.start_date is not None and posting.start_date != job.start_date:
        check_start_date(posting.start_date, now.date())
    _write(job, posting, start_date=posting.start_date or job.start_date)
    job.updated_at = now
    _move(job, after, now)


def cancel(job: Job, reason: CancelReason, now: dt.datetime) -> None:
    """Apply ``delete_job``: an open job becomes cancelled with ``reason``; ``WrongState`` for a closed job."""
    if job.status != JobStatus.OPEN:
        _refuse(JobStatus(job.status), "only an open job can be deleted")
    _move(job, JobStatus.CANCELLED, now)
    job.cancel_reason = int(reason)


def _write(job: Job, posting: Posting, *, start_date: dt.date | None) -> None:
    job.title = posting.title
    job.description = posting.description
    job.visibility = posting.visibility.value
    job.budget = posting.terms.budget
    job.duration = posting.terms.duration
    job.subcategory_id = posting.subcategory_id
    job.subcategory2_id = posting.subcategory2_id
    job.start_date = start_date
    job.skills = posting.skills


def _move(job: Job, after: JobStatus, now: dt.datetime) -> None:
    before = JobStatus(job.status)
    if before is after:
        return
    job.status = after.value
    job.updated_at = now
    if after is JobStatus.OPEN:
        job.closed_at = None
        job.cancel_reason = None
        return
    job.closed_at = now
    for candidacy in job.candidacies:
        if candidacy.status in WAITING_CANDIDACIES:
            candidacy.status = "withdrawn"
            candidacy.updated_at = now


def invite(session: Session, job: Job, provider_user_id: int, cover: str, now: dt.datetime) -> Candidacy:
    """A candidacy of the provider ``provider_user_id`` for ``job``, invited by the buyer with ``cover``.

    Raises ``WrongState`` when the job is not open, or when the provider
    already has a candidacy for it (one per provider and job; the message
    names its reference and status), also when a concurrent invitation got
    there first.
    """
    if job.status != JobStatus.OPEN:
        _refuse(JobStatus(job.status), "only an open job takes invitations to interview")
    existing = _candidacy(session, job, provider_user_id)
    if existing is not None:
        raise _already(existing)
    candidacy = Candidacy(
        reference=next_reference(session, Candidacy),
        job_id=job.id,
        provider_user_id=provider_user_id,
        origin="invitation",
        status="invited",
        cover=cover,
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(candidacy)
    except IntegrityError:
        # A concurrent invitation of the same provider committed first (the unique constraint said so).
        existing = _candidacy(session, job, provider_user_id)
        if existing is None:
            raise
        raise _already(existing) from None
    return candidacy


def _candidacy(session: Session, job: Job, provider_user_id: int) -> Candidacy | None:
    return session.scalars(
        sa.select(Candidacy).where(Candidacy.job_id == job.id, Candidacy.provider_user_id == provider_user_id)
    ).one_or_none()


def _already(existing: Candidacy) -> WrongState:
    return WrongState(
        f"The provider already has a candidacy for this job (application {existing.reference}, "
        f"status {existing.status}); a provider has one candidacy per job"
    )
