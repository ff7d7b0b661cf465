"""The rules of the message center: what a post may hold, who gets it, the trays, the flags, the contexts.

Threads and posts (``models.messages``):

- A post has a subject (one line, 1 to 255 characters), a body (1 to 20,000
  characters, not blank; newlines and tabs allowed, other control
  characters not) and optionally an ``attachment-key``: a reference of 1 to
  64 letters, digits and ``. _ ~ : -``, kept as it is (the file lives
  elsewhere).
- A new thread names at least one recipient; recipients and ``bcc`` are
  usernames, comma-separated, at most 20 people in one post. Nobody sends to
  himself. Someone named in both lists is a plain recipient. A thread holds
  at most 50 people.
- Every member of a thread gets every post: after a post the author has it
  read and in his ``sent`` tray, everyone else has it unread and in his
  ``inbox``; nobody has it in the trash any more (a new post brings a
  deleted thread back). A reply may name new recipients (and ``bcc``): they
  join the thread and read all of it. A bcc member is hidden from the
  others, except from the person who named him; naming him later as a
  plain recipient shows him.
- Notifications are threads of the service (no author): they take no
  replies.

The trays of a user (``Tray``): ``inbox`` (threads someone else wrote to),
``sent`` (threads he wrote to), ``notifications``, ``starred`` (his star),
``trash`` (threads he deleted); the first four leave out what he deleted.
Flags are each member's own: read, starred, deleted, set for one thread or
several in one call, all or none.

Contexts: a thread tied to a job application (``Interviews:{job key}:
{application reference}``), one per candidacy, made by the buyer's first
message about it (an invitation to interview, an offer) and continued by
the next ones. Its members are the provider and every buyer who wrote in
it; for a candidacy the provider applied with, his cover letter opens the
thread.

Every broken rule raises ``problems.Invalid`` (400) naming the parameter,
``problems.WrongState`` for a reply to a notification, and
``problems.NotFound`` for a thread the user is not in (never told apart
from an unknown one).
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from odesk_server.models import Candidacy, Job
from odesk_server.models.messages import MessagePost, MessageThread, ThreadMember
from odesk_server.problems import Invalid, NotFound, WrongState

MAX_SUBJECT = 255
MAX_BODY = 20_000
MAX_ATTACHMENT_KEY = 64
MAX_RECIPIENTS = 20  # people named in one post, recipients and bcc together
MAX_MEMBERS = 50  # people in one thread
MAX_THREAD_IDS = 100  # threads one flag call may name
MAX_USERNAME = 64  # the longest uid (``User.uid``)
# The largest id a thread may have (the column is a 32-bit integer): a bigger number names no thread.
MAX_THREAD_ID = 2**31 - 1
PREVIEW_LENGTH = 200  # characters of the last post shown in a thread summary

INTERVIEWS = "Interviews"  # the one context the documentation names
_ATTACHMENT_KEY = re.compile(r"[A-Za-z0-9._~:-]+")
_THREAD_ID = re.compile(r"[0-9]{1,10}")
_BODY_CONTROLS_ALLOWED = frozenset("\n\r\t")


class Tray(enum.StrEnum):
    """A user's trays, in the order they are listed; ``tray_id`` is the ``id`` shown."""

    SENT = "sent"
    INBOX = "inbox"
    NOTIFICATIONS = "notifications"
    STARRED = "starred"
    TRASH = "trash"

    @property
    def tray_id(self) -> int:
        return list(Tray).index(self) + 1


class ThreadKind(enum.StrEnum):
    MESSAGE = "message"
    NOTIFICATION = "notification"


@dataclass(frozen=True)
class Draft:
    """What one post says, checked: subject, body, attachment reference (or None)."""

    subject: str
    body: str
    attachment_key: str | None = None


# --------------------------------------------------------------------------
# Checking what a caller sends


def _is_control(char: str) -> bool:
    # Control characters (NUL cannot even be stored by PostgreSQL) and lone surrogates (not encodable).
    return unicodedata.category(char) in ("Cc", "Cs")


def subject_text(value: str, name: str = "subject") -> str:
    """``value`` as a subject: trimmed, one line, 1 to ``MAX_SUBJECT`` characters."""
    text = value.strip()
    if not text:
        raise Invalid(f"{name} must not be empty")
    if len(text) > MAX_SUBJECT:
        raise Invalid(f"{name} must be at most {MAX_SUBJECT} characters, got {len(text)}")
    if any(_is_control(char) for char in text):
        raise Invalid(f"{name} must be one line without control characters")
    return text


def body_text(value: str, name: str = "body") -> str:
    """``value`` as a body: not blank, at most ``MAX_BODY`` characters, no control characters but newlines and tabs."""
    if not value.strip():
        raise Invalid(f"{name} must not be empty")
    if len(value) > MAX_BODY:
        raise Invalid(f"{name} must be at most {MAX_BODY} characters, got {len(value)}")
    if any(_is_control(char) and char not in _BODY_CONTROLS_ALLOWED for char in value):
        raise Invalid(f"{name} must not hold control characters other than newlines and tabs")
    return value


def attachment_key_text(value: str | None, name: str = "attachment-key") -> str | None:
    """``value`` as an attachment reference, or None when absent or empty."""
    if value is None or not value.strip():
        return None
    key = value.strip()
    if len(key) > MAX_ATTACHMENT_KEY or not _ATTACHMENT_KEY.fullmatch(key):
        raise Invalid(
            f"{name} must be 1 to {MAX_ATTACHMENT_KEY} letters, digits or . _ ~ : - characters, got {value!r}"
        )
    return key


def draft(subject: str, body: str, attachment_key: str | None = None) -> Draft:
    """A checked ``Draft`` (see ``subject_text``, ``body_text``, ``attachment_key_text``)."""
    return Draft(subject_text(subject), body_text(body), attachment_key_text(attachment_key))


def usernames(value: str | None, name: str) -> tuple[str, ...]:
    """The usernames of ``value`` (comma-separated), trimmed, each once, in order; empty for none."""
    if value is None:
        return ()
    names = [part.strip() for part in value.split(",") if part.strip()]
    for username in names:
        if len(username) > MAX_USERNAME or any(not char.isprintable() or char.isspace() for char in username):
            raise Invalid(f"{name}: {username[:80]!r} is not a username")
    return tuple(dict.fromkeys(names))


def addressees(
    recipients: Sequence[str], bcc: Sequence[str], author_uid: str, *, new_thread: bool
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The plain and bcc recipients of a post, checked (see the module docstring)."""
    if new_thread and not recipients:
        raise Invalid("recipients must name at least one username")
    for name, listed in (("recipients", recipients), ("bcc", bcc)):
        if author_uid in listed:
            raise Invalid(f"{name}: you cannot send a message to yourself ({author_uid!r})")
    hidden = tuple(username for username in bcc if username not in recipients)
    if len(recipients) + len(hidden) > MAX_RECIPIENTS:
        raise Invalid(
            f"a message may name at most {MAX_RECIPIENTS} people (recipients and bcc), "
            f"got {len(recipients) + len(hidden)}"
        )
    return tuple(recipients), hidden


def thread_id(value: str) -> int:
    """The thread id ``value`` names; ``NotFound`` when it cannot name a thread."""
    text = value.strip()
    if not _THREAD_ID.fullmatch(text) or not 0 < int(text) <= MAX_THREAD_ID:
        raise NotFound(f"No thread {value[:80]!r}")
    return int(text)


def thread_ids(value: str) -> tuple[int, ...]:
    """The thread ids of ``value`` (joined by ``;``), each once, in order.

    ``Invalid`` when none is named or more than ``MAX_THREAD_IDS``;
    ``NotFound`` naming the first that cannot name a thread.
    """
    parts = [part.strip() for part in value.split(";") if part.strip()]
    if not parts:
        raise Invalid("thread ids must name at least one thread (several joined by ;)")
    ids = tuple(dict.fromkeys(thread_id(part) for part in parts))
    if len(ids) > MAX_THREAD_IDS:
        raise Invalid(f"at most {MAX_THREAD_IDS} threads may be changed in one call, got {len(ids)}")
    return ids


@dataclass(frozen=True)
class Context:
    """A context named in a path: its name (``Interviews``), the job key and the application id as given."""

    name: str
    job_key: str
    application: str

    @property
    def text(self) -> str:
        return f"{self.name}:{self.job_key}:{self.application}"


def context(value: str) -> Context:
    """``{context}:{job_key}:{application_id}`` read; ``Invalid`` when malformed or not ``Interviews``."""
    parts = value.split(":")
    if len(parts) != 3 or not all(part.strip() for part in parts):
        raise Invalid(f"context must be Interviews:{{job_key}}:{{application_id}}, got {value[:120]!r}")
    name, job_key, application = (part.strip() for part in parts)
    if name != INTERVIEWS:
        raise Invalid(f"context must be {INTERVIEWS}, got {name[:40]!r}")
    return Context(name, job_key, application)


def context_text(job_key: str, application_reference: int) -> str:
    """The context a candidacy's thread is found by."""
    return f"{INTERVIEWS}:{job_key}:{application_reference}"


def preview(body: str) -> str:
    """The start of a post's body, as a thread summary shows it (one line)."""
    flat = " ".join(body.split())
    return flat if len(flat) <= PREVIEW_LENGTH else flat[: PREVIEW_LENGTH - 1] + "…"


# --------------------------------------------------------------------------
# Changes


def _members(session: Session, thread_id: int) -> dict[int, ThreadMember]:
    rows = session.scalars(sa.select(ThreadMember).where(ThreadMember.thread_id == thread_id))
    return {member.user_id: member for member in rows}


def _join(
    session: Session,
    thread: MessageThread,
    members: dict[int, ThreadMember],
    recipient_ids: Iterable[int],
    bcc_ids: Iterable[int],
    added_by: int | None,
    now: dt.datetime,
) -> None:
    """Make ``recipient_ids`` (shown) and ``bcc_ids`` (hidden) members of ``thread``; at most ``MAX_MEMBERS``."""
    for user_id, hidden in [*((uid, False) for uid in recipient_ids), *((uid, True) for uid in bcc_ids)]:
        member = members.get(user_id)
        if member is None:
            member = ThreadMember(
                thread_id=thread.id,
                user_id=user_id,
                is_bcc=hidden,
                added_by_user_id=added_by,
                has_sent=False,
                has_received=False,
                is_read=False,
                is_starred=False,
                is_deleted=False,
                joined_at=now,
            )
            session.add(member)
            members[user_id] = member
        elif member.is_bcc and not hidden:
            member.is_bcc = False
    if len(members) > MAX_MEMBERS:
        raise Invalid(f"a thread holds at most {MAX_MEMBERS} people; this message would make {len(members)}")


def _post(
    session: Session,
    thread: MessageThread,
    members: dict[int, ThreadMember],
    author_id: int | None,
    message: Draft,
    now: dt.datetime,
) -> MessagePost:
    """Add ``message`` by ``author_id`` to ``thread`` and deliver it to every member (module docstring)."""
    post = MessagePost(
        thread_id=thread.id,
        author_user_id=author_id,
        subject=message.subject,
        body=message.body,
        attachment_key=message.attachment_key,
        created_at=now,
    )
    session.add(post)
    for member in members.values():
        member.is_deleted = False
        if member.user_id == author_id:
            member.has_sent = True
            member.is_read = True
        else:
            member.has_received = True
            member.is_read = False
    thread.last_post_at = max(thread.last_post_at, now) if thread.last_post_at else now
    session.flush()
    return post


def start_thread(
    session: Session,
    author_id: int | None,
    recipient_ids: Sequence[int],
    bcc_ids: Sequence[int],
    message: Draft,
    now: dt.datetime,
    *,
    kind: ThreadKind = ThreadKind.MESSAGE,
    candidacy_id: int | None = None,
) -> tuple[MessageThread, MessagePost]:
    """A new thread of ``message`` from ``author_id`` (None: the service) to the recipients; the thread and post."""
    thread = MessageThread(
        subject=message.subject,
        kind=kind.value,
        candidacy_id=candidacy_id,
        created_by_user_id=author_id,
        created_at=now,
        last_post_at=now,
    )
    session.add(thread)
    session.flush()
    members: dict[int, ThreadMember] = {}
    if author_id is not None:
        _join(session, thread, members, [author_id], [], None, now)
    _join(session, thread, members, [u for u in recipient_ids if u != author_id], bcc_ids, author_id, now)
    return thread, _post(session, thread, members, author_id, message, now)


def reply(
    session: Session,
    thread: MessageThread,
    author_id: int,
    recipient_ids: Sequence[int],
    bcc_ids: Sequence[int],
    message: Draft,
    now: dt.datetime,
) -> MessagePost:
    """Add ``message`` to ``thread`` (locked by the caller) from its member ``author_id``, with new recipients.

    ``NotFound`` when ``author_id`` is not a member, ``WrongState`` for a notification.
    """
    members = _members(session, thread.id)
    if author_id not in members:
        raise NotFound(f"No thread '{thread.id}'")
    if thread.kind == ThreadKind.NOTIFICATION:
        raise WrongState(f"The thread {thread.id} is a notification: notifications take no replies")
    _join(session, thread, members, recipient_ids, bcc_ids, author_id, now)
    return _post(session, thread, members, author_id, message, now)


@dataclass(frozen=True)
class Flags:
    """The flags one call sets; None leaves a flag as it is."""

    read: bool | None = None
    starred: bool | None = None
    deleted: bool | None = None

    def any(self) -> bool:
        return self.read is not None or self.starred is not None or self.deleted is not None


def set_flags(session: Session, user_id: int, ids: Sequence[int], flags: Flags) -> None:
    """Set ``flags`` on the threads ``ids`` for the member ``user_id``, all or none.

    ``Invalid`` when no flag is given; ``NotFound`` naming the first thread
    he is not a member of (nothing is changed then).
    """
    if not flags.any():
        raise Invalid("give read, starred or deleted (true or false)")
    rows = session.scalars(
        sa.select(ThreadMember)
        .where(ThreadMember.user_id == user_id, ThreadMember.thread_id.in_(sorted(ids)))
        .order_by(ThreadMember.thread_id)  # rows locked in one order: two calls on the same threads take turns
        .with_for_update()
    )
    found = {member.thread_id: member for member in rows}
    for wanted in ids:
        if wanted not in found:
            raise NotFound(f"No thread '{wanted}'")
    for member in found.values():
        if flags.read is not None:
            member.is_read = flags.read
        if flags.starred is not None:
            member.is_starred = flags.starred
        if flags.deleted is not None:
            member.is_deleted = flags.deleted
    session.flush()


def interview_post(
    session: Session, candidacy: Candidacy, author_id: int, text: str, now: dt.datetime, *, fallback: str
) -> MessageThread:
    """Write ``text`` (``fallback`` when blank) from the buyer ``author_id`` in the candidacy's context thread.

    The thread is made on the first message: subject the job's title,
    members the provider and the author; for a candidacy the provider
    applied with, his cover letter is its first post (at the time he
    applied). Later messages (another buyer's too) continue it. The hiring
    rules call this in their own transaction (``invite_to_interview``,
    ``post_offer``, offers v1).
    """
    job = session.get(Job, candidacy.job_id)
    assert job is not None
    subject = "".join(char for char in " ".join(job.title.split()) if not _is_control(char))[:MAX_SUBJECT]
    body = text[:MAX_BODY] if text.strip() else fallback
    subject = subject or "Interview"
    thread = session.scalars(
        sa.select(MessageThread).where(MessageThread.candidacy_id == candidacy.id).with_for_update()
    ).one_or_none()
    provider_id = candidacy.provider_user_id
    if thread is None:
        cover = candidacy.cover or ""
        applied = candidacy.origin == "application" and bool(cover.strip()) and author_id != provider_id
        if applied:
            opened = candidacy.created_at or now
            thread, _ = start_thread(
                session,
                provider_id,
                [author_id],
                [],
                Draft(subject, cover[:MAX_BODY]),
                min(opened, now),
                candidacy_id=candidacy.id,
            )
        else:
            thread, _ = start_thread(
                session, author_id, [provider_id], [], Draft(subject, body), now, candidacy_id=candidacy.id
            )
            return thread
    members = _members(session, thread.id)
    _join(session, thread, members, [author_id, provider_id], [], author_id, now)
    _post(session, thread, members, author_id, Draft(subject, body), now)
    return thread


__all__ = [
    "INTERVIEWS",
    "MAX_BODY",
    "MAX_MEMBERS",
    "MAX_RECIPIENTS",
    "MAX_SUBJECT",
    "MAX_THREAD_IDS",
    "Context",
    "Draft",
    "Flags",
    "ThreadKind",
    "Tray",
    "addressees",
    "attachment_key_text",
    "body_text",
    "context",
    "context_text",
    "draft",
    "interview_post",
    "preview",
    "reply",
    "set_flags",
    "start_thread",
    "subject_text",
    "thread_id",
    "thread_ids",
    "usernames",
]
