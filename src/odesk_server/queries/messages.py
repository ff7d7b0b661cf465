"""The reads of the message center: trays and their counts, threads as a member sees them, posts, contexts.

Functions take the unit of work and plain keys and decide nothing about
permissions: a thread is read "as a member" by joining the member row of
the user given, so a thread he is not in is simply not found.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from odesk_server.access.keys import as_reference, usable
from odesk_server.db.work import UnitOfWork
from odesk_server.models import Candidacy, Job, User
from odesk_server.models.messages import MessagePost, MessageThread, ThreadMember

# A thread with the viewer's flags: id, subject, kind, candidacy_id, created_at, last_post_at,
# creator_uid (None for the service), is_read, is_starred, is_deleted.
ThreadRow = Row[Any]
# A member: thread_id, user_id, uid, first_name, last_name, is_bcc, added_by_user_id.
MemberRow = Row[Any]
# A post: id, thread_id, author_uid, author_first_name, author_last_name, subject, body, attachment_key, created_at.
PostRow = Row[Any]

_CREATOR = aliased(User)
_AUTHOR = aliased(User)
_NOT_DELETED = ThreadMember.is_deleted == sa.false()

# The threads of each tray, for the member row of the tray's owner (see domain.messages).
TRAY_CONDITIONS: Mapping[str, ColumnElement[bool]] = {
    "inbox": sa.and_(ThreadMember.has_received == sa.true(), MessageThread.kind == "message", _NOT_DELETED),
    "sent": sa.and_(ThreadMember.has_sent == sa.true(), _NOT_DELETED),
    "notifications": sa.and_(MessageThread.kind == "notification", _NOT_DELETED),
    "starred": sa.and_(ThreadMember.is_starred == sa.true(), _NOT_DELETED),
    "trash": ThreadMember.is_deleted == sa.true(),
}

_THREAD = (
    sa.select(
        MessageThread.id,
        MessageThread.subject,
        MessageThread.kind,
        MessageThread.candidacy_id,
        MessageThread.created_at,
        MessageThread.last_post_at,
        _CREATOR.uid.label("creator_uid"),
        ThreadMember.is_read,
        ThreadMember.is_starred,
        ThreadMember.is_deleted,
    )
    .join(ThreadMember, ThreadMember.thread_id == MessageThread.id)
    .outerjoin(_CREATOR, _CREATOR.id == MessageThread.created_by_user_id)
)


def active_users(work: UnitOfWork, uids: Collection[str]) -> Mapping[str, int]:
    """The ids of the active users among ``uids``, by uid (an unknown or inactive uid is left out)."""
    if not uids:
        return {}
    rows = work.connection.execute(
        sa.select(User.uid, User.id).where(User.uid.in_(sorted(uids)), User.status == "active")
    ).all()
    return {row.uid: row.id for row in rows}


def tray_counts(work: UnitOfWork, user_id: int) -> Mapping[str, tuple[int, int]]:
    """For each tray of ``user_id``: (threads, unread threads), in one query."""
    columns = []
    for name, condition in TRAY_CONDITIONS.items():
        columns.append(sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0).label(f"{name}_all"))
        unread = sa.and_(condition, ThreadMember.is_read == sa.false())
        columns.append(sa.func.coalesce(sa.func.sum(sa.case((unread, 1), else_=0)), 0).label(f"{name}_unread"))
    row = work.connection.execute(
        sa.select(*columns)
        .select_from(ThreadMember)
        .join(MessageThread, MessageThread.id == ThreadMember.thread_id)
        .where(ThreadMember.user_id == user_id)
    ).one()
    values = row._mapping
    return {name: (int(values[f"{name}_all"]), int(values[f"{name}_unread"])) for name in TRAY_CONDITIONS}


def tray_threads(work: UnitOfWork, user_id: int, tray: str, offset: int, count: int) -> tuple[int, list[ThreadRow]]:
    """The threads of ``user_id``'s ``tray``, latest post first: (how many in all, the page asked for)."""
    condition = sa.and_(ThreadMember.user_id == user_id, TRAY_CONDITIONS[tray])
    total = work.connection.execute(
        sa.select(sa.func.count())
        .select_from(ThreadMember)
        .join(MessageThread, MessageThread.id == ThreadMember.thread_id)
        .where(condition)
    ).scalar_one()
    rows = work.connection.execute(
        _THREAD.where(condition)
        .order_by(MessageThread.last_post_at.desc(), MessageThread.id.desc())
        .offset(offset)
        .limit(count)
    ).all()
    return int(total), list(rows)


def threads_of_member(work: UnitOfWork, user_id: int, thread_ids: Collection[int]) -> Mapping[int, ThreadRow]:
    """Of ``thread_ids``, the threads ``user_id`` is a member of, by id, with his flags."""
    if not thread_ids:
        return {}
    rows = work.connection.execute(
        _THREAD.where(ThreadMember.user_id == user_id, MessageThread.id.in_(sorted(thread_ids)))
    ).all()
    return {row.id: row for row in rows}


def members(work: UnitOfWork, thread_ids: Collection[int]) -> Mapping[int, list[MemberRow]]:
    """The members of each of ``thread_ids``, in the order they joined."""
    if not thread_ids:
        return {}
    rows = work.connection.execute(
        sa.select(
            ThreadMember.thread_id,
            ThreadMember.user_id,
            User.uid,
            User.first_name,
            User.last_name,
            ThreadMember.is_bcc,
            ThreadMember.added_by_user_id,
        )
        .join(User, User.id == ThreadMember.user_id)
        .where(ThreadMember.thread_id.in_(sorted(thread_ids)))
        .order_by(ThreadMember.thread_id, ThreadMember.joined_at, User.uid)
    ).all()
    found: dict[int, list[MemberRow]] = defaultdict(list)
    for row in rows:
        found[row.thread_id].append(row)
    return found


_POST = sa.select(
    MessagePost.id,
    MessagePost.thread_id,
    _AUTHOR.uid.label("author_uid"),
    _AUTHOR.first_name.label("author_first_name"),
    _AUTHOR.last_name.label("author_last_name"),
    MessagePost.subject,
    MessagePost.body,
    MessagePost.attachment_key,
    MessagePost.created_at,
).outerjoin(_AUTHOR, _AUTHOR.id == MessagePost.author_user_id)


def post_counts(work: UnitOfWork, thread_ids: Collection[int]) -> Mapping[int, int]:
    """How many posts each of ``thread_ids`` has."""
    if not thread_ids:
        return {}
    rows = work.connection.execute(
        sa.select(MessagePost.thread_id, sa.func.count())
        .where(MessagePost.thread_id.in_(sorted(thread_ids)))
        .group_by(MessagePost.thread_id)
    ).all()
    return {thread_id: int(count) for thread_id, count in rows}


def last_posts(work: UnitOfWork, thread_ids: Collection[int]) -> Mapping[int, PostRow]:
    """The latest post of each of ``thread_ids``."""
    if not thread_ids:
        return {}
    latest = (
        sa.select(sa.func.max(MessagePost.id))
        .where(MessagePost.thread_id.in_(sorted(thread_ids)))
        .group_by(MessagePost.thread_id)
        .scalar_subquery()
    )
    rows = work.connection.execute(_POST.where(MessagePost.id.in_(latest))).all()
    return {row.thread_id: row for row in rows}


def posts(work: UnitOfWork, thread_id: int, offset: int, count: int) -> list[PostRow]:
    """The posts of ``thread_id``, oldest first, the page asked for."""
    return list(
        work.connection.execute(
            _POST.where(MessagePost.thread_id == thread_id).order_by(MessagePost.id).offset(offset).limit(count)
        ).all()
    )


def post(work: UnitOfWork, post_id: int) -> PostRow:
    """The post ``post_id`` (it exists)."""
    return work.connection.execute(_POST.where(MessagePost.id == post_id)).one()


def contexts(work: UnitOfWork, candidacy_ids: Collection[int]) -> Mapping[int, tuple[str, int]]:
    """The (job key, application reference) of each of ``candidacy_ids``."""
    if not candidacy_ids:
        return {}
    rows = work.connection.execute(
        sa.select(Candidacy.id, Job.job_key, Candidacy.reference)
        .join(Job, Job.id == Candidacy.job_id)
        .where(Candidacy.id.in_(sorted(candidacy_ids)))
    ).all()
    return {row.id: (row.job_key, row.reference) for row in rows}


def context_thread(work: UnitOfWork, job_key: str, application: str) -> int | None:
    """The thread of the candidacy ``application`` (its reference) for the job ``job_key`` (or its reference)."""
    application_reference = as_reference(application)
    if application_reference is None or not usable(job_key):
        return None
    job_reference = as_reference(job_key)
    job_matches = Job.job_key == job_key if job_reference is None else Job.reference == job_reference
    return work.connection.execute(
        sa.select(MessageThread.id)
        .join(Candidacy, Candidacy.id == MessageThread.candidacy_id)
        .join(Job, Job.id == Candidacy.job_id)
        .where(Candidacy.reference == application_reference, job_matches)
    ).scalar_one_or_none()


def thread_for_update(work: UnitOfWork, thread_id: int) -> MessageThread | None:
    """The thread ``thread_id``, locked for a reply (two replies at once take turns)."""
    return work.session.get(MessageThread, thread_id, with_for_update=True)
