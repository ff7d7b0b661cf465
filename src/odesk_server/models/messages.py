"""The message center: threads, their posts, and each participant's flags.

A ``MessageThread`` is a conversation: a subject, its ``MessagePost`` rows
(oldest first) and its ``ThreadMember`` rows, one per person who takes
part. ``kind`` is ``message`` (people writing to people) or
``notification`` (the service writing to someone: no author, no replies).
A thread tied to a job application (the ``Interviews`` context) names its
candidacy in ``candidacy_id``; a candidacy has at most one such thread.

A member row holds that person's view of the thread: ``is_read``,
``is_starred``, ``is_deleted`` (in his trash, restorable), and what puts it
in his trays: ``has_sent`` (he wrote a post of it) and ``has_received``
(someone else wrote one). ``is_bcc`` hides him from the other members
(except from ``added_by_user_id``, who named him). The thread and post ids
are what the API shows.

The rules (who may post, limits, what a post does to the flags) are
``odesk_server.domain.messages``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from odesk_server.models.base import Base, UTCDateTime, created_at_column
from odesk_server.models.work import one_of

THREAD_KINDS = frozenset({"message", "notification"})


class MessageThread(Base):
    """A conversation: subject, kind, the candidacy it is about (if any), when it last got a post."""

    __tablename__ = "message_threads"
    __table_args__ = (CheckConstraint(one_of("kind", THREAD_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16), default="message")
    candidacy_id: Mapped[int | None] = mapped_column(ForeignKey("candidacies.id"), unique=True)
    # Who started it; NULL for the service's notifications.
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = created_at_column()
    last_post_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)

    def __repr__(self) -> str:
        return f"MessageThread(id={self.id}, subject={self.subject!r})"


class ThreadMember(Base):
    """One person's place in a thread, and his flags on it."""

    __tablename__ = "message_thread_members"
    __table_args__ = (Index("ix_message_thread_members_user_id_thread_id", "user_id", "thread_id"),)

    thread_id: Mapped[int] = mapped_column(ForeignKey("message_threads.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    is_bcc: Mapped[bool] = mapped_column(Boolean, default=False)
    # Who named him (a bcc member is shown to that person); NULL for the thread's author.
    added_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    has_sent: Mapped[bool] = mapped_column(Boolean, default=False)
    has_received: Mapped[bool] = mapped_column(Boolean, default=False)
    is_read: Mapped[bool] = mapped_column(Boolean, default=False)
    is_starred: Mapped[bool] = mapped_column(Boolean, default=False)
    is_deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    joined_at: Mapped[dt.datetime] = created_at_column()

    def __repr__(self) -> str:
        return f"ThreadMember(thread_id={self.thread_id}, user_id={self.user_id})"


class MessagePost(Base):
    """One message of a thread: its author (NULL: the service), subject, body, attachment reference."""

    __tablename__ = "message_posts"
    __table_args__ = (Index("ix_message_posts_thread_id_id", "thread_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("message_threads.id", ondelete="CASCADE"))
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    # The ``attachment-key`` sent with it, kept as a reference (the file itself is not stored here).
    attachment_key: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = created_at_column()

    def __repr__(self) -> str:
        return f"MessagePost(id={self.id}, thread_id={self.thread_id})"


__all__ = ["THREAD_KINDS", "MessagePost", "MessageThread", "ThreadMember"]
