"""The demo's message threads: conversations between its people, interview threads, notifications.

Written through the message center's own rules (``domain.messages``) in the
demo's transaction, at times counted back from the demo's last day (never
later than the evening before it), with a generator of its own: the same
seed and day give the same rows.

- Every candidacy of an open job that got past the application gets its
  interview thread (the ``Interviews`` context): the buyer's invitation, or
  the provider's cover letter answered by the buyer; those who accepted an
  invitation answered it, and candidates with an offer were told about it.
- Conversations: the owner plans hiring with the hiring manager and finance
  (starred by the owner); the hiring manager and James Walker discuss the
  API work in a long thread (more posts than one page); finance writes to
  the owner with the hiring manager in bcc; the agency owner and the
  staffing manager write to Anna Kowalski; Walker's note about his holiday
  is in his trash; Tom Becker asks for access; a few contractors write to
  the hiring manager.
- Notifications of the service: payments sent to Walker, the owner's
  weekly invoice, a new application for the hiring manager.
- Some threads are read, as their members would have left them.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from odesk_server.domain import messages as rules
from odesk_server.domain.messages import Draft, Flags, ThreadKind
from odesk_server.models import Candidacy, Job
from odesk_server.models.messages import MessageThread

_THANKS = (
    "Thank you for the invitation. I have read the description and would be glad to talk: "
    "I am free most afternoons this week."
)
_ANSWERS = (
    "Thanks for applying. Your experience looks relevant; could we have a short call this week?",
    "Thank you for your application. We would like to know more about a similar project you did.",
    "Thanks, we read your cover letter with interest. When would you be available to start?",
)
_OFFER_NOTE = "We have just sent you an offer for this job; let us know if anything in the terms needs discussing."
_DECLINED = "Thank you for your interest. We have decided to go on with other candidates for this job."
_API_TOPICS = (
    "The rate limiter now answers 429 with a Retry-After header.",
    "Could you add the limits to the API documentation?",
    "Done; the table is in the reference section.",
    "The load test shows p99 under 80 ms with the limiter on.",
    "Good. What happens to a client that ignores Retry-After?",
    "It keeps getting 429 until its window resets; nothing worse.",
    "Let us log those clients so we can write to them.",
    "Logging added, one line per client per minute at most.",
    "Please also count them in the metrics dashboard.",
    "A counter is there now, by consumer key.",
)
_CONTRACTOR_QUESTIONS = (
    ("Question about the deadline", "Is the end of the month still the deadline for the first delivery?"),
    ("Access to the repository", "Could you give me read access to the design repository?"),
    ("Invoice for last week", "My hours for last week look short by two hours in the report; could you check?"),
    ("Next milestone", "I have finished the current milestone: shall I start on the next one?"),
    ("Weekly call", "Can we move our weekly call to Thursday morning?"),
)


class _Writer:
    def __init__(self, builder: Any, session: Session) -> None:
        self.session = session
        self.people = builder.people
        self.end: dt.date = builder.end
        # Nothing is dated later than the evening before the demo's last day (it may be today).
        self.latest = dt.datetime.combine(self.end, dt.time(0), tzinfo=dt.UTC) - dt.timedelta(hours=1)

    def at(self, days_ago: int, hour: int, minute: int = 0) -> dt.datetime:
        day = self.end - dt.timedelta(days=days_ago)
        return self.clamp(dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC))

    def clamp(self, moment: dt.datetime) -> dt.datetime:
        return min(moment, self.latest)

    def id(self, role: str) -> int:
        return int(self.people[role].id)

    def start(
        self, author: str | None, to: list[str], subject: str, body: str, when: dt.datetime, bcc: tuple[str, ...] = ()
    ) -> MessageThread:
        kind = ThreadKind.MESSAGE if author is not None else ThreadKind.NOTIFICATION
        thread, _ = rules.start_thread(
            self.session,
            self.id(author) if author is not None else None,
            [self.id(role) for role in to],
            [self.id(role) for role in bcc],
            Draft(subject, body),
            when,
            kind=kind,
        )
        return thread

    def reply(self, thread: MessageThread, author: str, body: str, when: dt.datetime) -> None:
        self.reply_by_id(thread, self.id(author), body, when)

    def reply_by_id(self, thread: MessageThread, author_id: int, body: str, when: dt.datetime) -> None:
        moment = max(self.clamp(when), thread.last_post_at)
        rules.reply(self.session, thread, author_id, [], [], Draft(thread.subject, body), moment)

    def flags(self, role: str, threads: list[MessageThread], **flags: bool) -> None:
        rules.set_flags(self.session, self.id(role), [thread.id for thread in threads], Flags(**flags))


def build(builder: Any) -> None:
    """Write the message threads between the demo's people (see the module docstring)."""
    rng = random.Random(f"messages:{builder.seed}")
    session = Session(bind=builder.conn)
    try:
        writer = _Writer(builder, session)
        _interviews(writer, rng)
        _conversations(writer, rng)
        _notifications(writer)
        session.flush()
    finally:
        session.close()


def _interviews(w: _Writer, rng: random.Random) -> None:
    candidacies = w.session.scalars(
        sa.select(Candidacy)
        .join(Job, Job.id == Candidacy.job_id)
        .where(Job.status == "open", Candidacy.status.in_(("invited", "interviewing", "offered", "declined")))
        .order_by(Candidacy.id)
    ).all()
    for candidacy in candidacies:
        job = w.session.get(Job, candidacy.job_id)
        assert job is not None
        buyer = job.created_by_user_id
        began = w.clamp(candidacy.created_at)
        if candidacy.origin == "invitation":
            thread = rules.interview_post(
                w.session, candidacy, buyer, candidacy.cover, began, fallback=f"Invitation to interview: {job.title}"
            )
            if candidacy.status == "invited":
                continue
            w.reply_by_id(thread, candidacy.provider_user_id, _THANKS, began + dt.timedelta(hours=5))
        else:
            answered = w.clamp(began + dt.timedelta(hours=rng.randrange(20, 30)))
            text = _DECLINED if candidacy.status == "declined" else rng.choice(_ANSWERS)
            thread = rules.interview_post(w.session, candidacy, buyer, text, answered, fallback=text)
            if candidacy.status == "declined":
                continue
            w.reply_by_id(
                thread,
                candidacy.provider_user_id,
                "Thank you, any time after 2 pm UTC works for me.",
                answered + dt.timedelta(hours=3),
            )
        if candidacy.status == "offered":
            w.reply_by_id(thread, buyer, _OFFER_NOTE, thread.last_post_at + dt.timedelta(hours=20))


def _conversations(w: _Writer, rng: random.Random) -> None:
    plan = w.start(
        "owner",
        ["hiring_manager", "finance"],
        "Hiring plan for next quarter",
        "Let us agree on the hiring plan: two more developers for engineering and one designer.",
        w.at(12, 9, 30),
    )
    w.reply(plan, "hiring_manager", "Agreed on the developers; the designer could wait a month.", w.at(12, 11))
    w.reply(plan, "finance", "The budget allows all three if the designer starts next month.", w.at(11, 10, 15))
    w.flags("owner", [plan], starred=True, read=True)

    api = w.start(
        "hiring_manager",
        ["provider"],
        "API rate limiting: next steps",
        "Let us use this thread for the rate limiting work.",
        w.at(30, 9),
    )
    for index in range(25):
        author = "provider" if index % 2 == 0 else "hiring_manager"
        text = _API_TOPICS[index % len(_API_TOPICS)]
        w.reply(api, author, text, w.at(29 - index, 10 + rng.randrange(0, 7), rng.randrange(0, 60)))
    w.flags("hiring_manager", [api], read=True)

    invoices = w.start(
        "finance",
        ["owner"],
        "Invoices for last month",
        "The invoices of last month are paid; the summary is in the finance report.",
        w.at(9, 14),
        bcc=("hiring_manager",),
    )
    w.flags("owner", [invoices], read=True)

    timesheet = w.start(
        "agency_owner",
        ["agency_provider"],
        "Timesheet reminder",
        "Please make sure your hours for Acme are logged by Friday.",
        w.at(6, 8),
    )
    w.reply(timesheet, "agency_provider", "They are all logged now.", w.at(6, 15))
    w.start(
        "staffing_manager",
        ["agency_provider"],
        "Availability next month",
        "Acme may need you for ten more hours a week next month. Would that work for you?",
        w.at(3, 10),
    )

    holiday = w.start(
        "provider",
        ["hiring_manager"],
        "Holiday next week",
        "I will be away from Monday to Wednesday next week.",
        w.at(20, 16),
    )
    w.reply(holiday, "hiring_manager", "Noted, enjoy the break.", w.at(20, 17, 30))
    w.flags("provider", [holiday], read=True, deleted=True)

    w.start(
        "member",
        ["hiring_manager"],
        "Access to the staging server",
        "Could you ask for my access to the staging server to be renewed?",
        w.at(2, 9, 45),
    )

    contractors = sorted(role for role in w.people if role.startswith("contractor"))
    for offset, (subject, body) in enumerate(_CONTRACTOR_QUESTIONS):
        role = rng.choice(contractors)
        contractors.remove(role)
        thread = w.start(role, ["hiring_manager"], subject, body, w.at(15 - 2 * offset, 13))
        if offset % 2 == 0:
            w.reply(thread, "hiring_manager", "Thanks, I will look into it today.", w.at(15 - 2 * offset, 16))


def _notifications(w: _Writer) -> None:
    payments = [
        w.start(
            None,
            ["provider"],
            "Payment sent",
            f"Your earnings of the week ending {(w.end - dt.timedelta(days=days)):%m-%d-%Y} were sent to your account.",
            w.at(days, 6),
        )
        for days in (15, 8)
    ]
    w.flags("provider", payments[:1], read=True)
    w.start(None, ["owner"], "Your weekly invoice is ready", "The invoice of last week is in your reports.", w.at(4, 6))
    w.start(
        None,
        ["hiring_manager"],
        "A new candidate applied",
        "A provider applied to one of your open jobs; see the job's applications.",
        w.at(5, 7),
    )
