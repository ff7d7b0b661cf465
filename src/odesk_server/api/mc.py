"""Message center: ``/api/mc/v1/...``, the server side of python-odesk's ``client.mc`` (14 methods).

- ``GET trays`` and ``GET trays/{username}``: the user's trays (sent, inbox,
  notifications, starred, trash), each ``{id, type, unread, total,
  tray_api}``;
- ``GET trays/{username}/{tray}``: ``current_tray`` with the tray's
  ``threads`` (summaries, latest post first) and its ``lister``;
- ``GET threads/{username}/{thread_id}``: one ``thread`` with a page of its
  ``posts`` (oldest first);
- ``PUT threads/{username}/{thread_id}``: ``read``, ``starred``,
  ``deleted`` (``true``/``false``) on one thread or several joined by ``;``;
  answers the ``threads`` changed;
- ``POST threads/{username}``: a new thread; ``POST
  threads/{username}/{thread_id}``: a reply; both answer the ``thread`` and
  the new ``post``;
- ``GET contexts/{username}/Interviews:{job_key}:{application_id}`` (and
  ``/last_posts``): the thread of a job application.

Who may: ``{username}`` is always the caller himself. Another user's trays
or threads, an unknown user, a thread the caller is not in and one that
does not exist all answer the same 404. Nobody reads anyone else's
messages, a company owner his staff's included. The rules are
``odesk_server.domain.messages``, the SQL ``odesk_server.queries.messages``;
docs/messages.md has the shapes and what we chose.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Annotated, Any

from pydantic import BeforeValidator, Field
from typing_extensions import TypedDict

from odesk_server.api.endpoint import SIGNED_IN, Api, Call, Params
from odesk_server.api.params import OptionalText, Page, PageParam, PathKey
from odesk_server.domain import messages as rules
from odesk_server.domain.messages import Flags, Tray
from odesk_server.models import User, utcnow
from odesk_server.models.messages import MessagePost, MessageThread
from odesk_server.problems import Invalid, NotFound
from odesk_server.queries import messages as queries
from odesk_server.queries.messages import MemberRow, PostRow, ThreadRow
from odesk_server.wire import Lister, bool_text, epoch_ms_text, lister

api = Api("mc", "Message center: trays, threads, posts and flags (mc v1)")

PREFIX = "/api/mc/v1"
SERVICE_NAME = "oDesk"  # the sender a notification shows


# --------------------------------------------------------------------------
# Shapes


class TrayObject(TypedDict):
    id: str
    type: str
    unread: str
    total: str
    tray_api: str


class TraysReply(TypedDict):
    trays: list[TrayObject]


class Participant(TypedDict):
    username: str
    first_name: str
    last_name: str


class PostObject(TypedDict):
    id: str
    sender: str
    sender_name: str
    subject: str
    body: str
    attachment_key: str
    created_time: str


class ThreadSummary(TypedDict):
    id: str
    subject: str
    type: str
    context: str
    created_by: str
    created_time: str
    last_post_time: str
    last_post_sender: str
    last_post_preview: str
    post_count: str
    participants: list[Participant]
    is_read: str
    is_starred: str
    is_deleted: str
    thread_api: str


class ThreadObject(ThreadSummary):
    posts: list[PostObject]
    lister: Lister


class CurrentTray(TrayObject):
    threads: list[ThreadSummary]
    lister: Lister


class TrayContentReply(TypedDict):
    current_tray: CurrentTray


class ThreadReply(TypedDict):
    thread: ThreadObject


class ThreadsReply(TypedDict):
    threads: list[ThreadSummary]


class PostReply(TypedDict):
    thread: ThreadSummary
    post: PostObject


def tray_api(username: str, tray: Tray) -> str:
    return f"{PREFIX}/trays/{username}/{tray.value}.json"


def thread_api(username: str, thread_id: int) -> str:
    return f"{PREFIX}/threads/{username}/{thread_id}.json"


def _name(first: str | None, last: str | None) -> str:
    return " ".join(part for part in (first, last) if part)


def post_payload(row: PostRow) -> PostObject:
    """A post as the API shows it; a notification's sender is the service (no username)."""
    return {
        "id": str(row.id),
        "sender": row.author_uid or "",
        "sender_name": _name(row.author_first_name, row.author_last_name) if row.author_uid else SERVICE_NAME,
        "subject": row.subject,
        "body": row.body,
        "attachment_key": row.attachment_key or "",
        "created_time": epoch_ms_text(row.created_at),
    }


def _visible(viewer_id: int, member: MemberRow) -> bool:
    return not member.is_bcc or viewer_id in (member.user_id, member.added_by_user_id)


def summaries(call: Call[Any], viewer: User, rows: Sequence[ThreadRow]) -> list[ThreadSummary]:
    """The summaries of ``rows`` (threads read as ``viewer``'s), in their order."""
    ids = [row.id for row in rows]
    members = queries.members(call.db, ids)
    counts = queries.post_counts(call.db, ids)
    latest = queries.last_posts(call.db, ids)
    contexts = queries.contexts(call.db, {row.candidacy_id for row in rows if row.candidacy_id is not None})
    found: list[ThreadSummary] = []
    for row in rows:
        last = latest.get(row.id)
        context = contexts.get(row.candidacy_id) if row.candidacy_id is not None else None
        found.append(
            {
                "id": str(row.id),
                "subject": row.subject,
                "type": row.kind,
                "context": rules.context_text(*context) if context is not None else "",
                "created_by": row.creator_uid or "",
                "created_time": epoch_ms_text(row.created_at),
                "last_post_time": epoch_ms_text(row.last_post_at),
                "last_post_sender": (last.author_uid or "") if last is not None else "",
                "last_post_preview": rules.preview(last.body) if last is not None else "",
                "post_count": str(counts.get(row.id, 0)),
                "participants": [
                    {"username": m.uid, "first_name": m.first_name, "last_name": m.last_name}
                    for m in members.get(row.id, [])
                    if _visible(viewer.id, m)
                ],
                "is_read": bool_text(row.is_read),
                "is_starred": bool_text(row.is_starred),
                "is_deleted": bool_text(row.is_deleted),
                "thread_api": thread_api(viewer.uid, row.id),
            }
        )
    return found


def _thread_object(call: Call[Any], viewer: User, row: ThreadRow, page: Page, *, last_only: bool) -> ThreadObject:
    (summary,) = summaries(call, viewer, [row])
    total = int(summary["post_count"])
    offset, count = (max(total - 1, 0), 1) if last_only else (page.offset, page.size)
    shown = queries.posts(call.db, row.id, offset, count)
    return {**summary, "posts": [post_payload(post) for post in shown], "lister": lister(total, offset, count, "id")}


# --------------------------------------------------------------------------
# Who and what


def _me(call: Call[Any], username: str) -> User:
    """The caller, when ``username`` names him; the same 404 for anyone else, known or not."""
    if username != call.user.uid:
        raise NotFound(f"No message center for the user {username[:80]!r}")
    return call.user


def _tray(name: str) -> Tray:
    try:
        return Tray(name)
    except ValueError:
        trays = ", ".join(tray.value for tray in Tray)
        raise NotFound(f"No tray {name[:80]!r} (the trays are {trays})") from None


def _member_thread(call: Call[Any], viewer: User, key: str) -> ThreadRow:
    """The thread ``key`` as ``viewer`` (a member) sees it; 404 when unknown or not his."""
    wanted = rules.thread_id(key)
    row = queries.threads_of_member(call.db, viewer.id, [wanted]).get(wanted)
    if row is None:
        raise NotFound(f"No thread {key[:80]!r}")
    return row


def _user_ids(call: Call[Any], usernames: Collection[str], name: str) -> list[int]:
    """The ids of ``usernames`` in their order; 400 naming the first that is no active user."""
    found = queries.active_users(call.db, usernames)
    for username in usernames:
        if username not in found:
            raise Invalid(f"{name}: no user {username!r} to send a message to")
    return [found[username] for username in usernames]


def _strict_flag(value: object) -> object:
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise ValueError(f"must be true or false, got {value!r}")


# ``read``, ``starred``, ``deleted``: true or false (1 or 0); absent leaves the flag as it is.
ThreadFlag = Annotated[
    bool | None, BeforeValidator(_strict_flag), Field(json_schema_extra={"examples": ["true", "false"]})
]


# --------------------------------------------------------------------------
# Parameters


class TraysParams(Params):
    page: PageParam = Page(0, 20)


class UserTraysParams(TraysParams):
    username: PathKey


class TrayParams(UserTraysParams):
    tray: PathKey


class ThreadParams(UserTraysParams):
    thread_id: PathKey


class FlagsParams(Params):
    username: PathKey
    thread_id: PathKey
    read: ThreadFlag = None
    starred: ThreadFlag = None
    deleted: ThreadFlag = None


class PostParams(Params):
    username: PathKey
    recipients: str
    subject: str
    body: str
    bcc: OptionalText = None
    attachment_key: Annotated[OptionalText, Field(alias="attachment-key")] = None


class ReplyParams(PostParams):
    thread_id: PathKey
    recipients: str = ""


class ContextParams(UserTraysParams):
    context: PathKey


_NOT_YOURS = "not_found: {username} is not the caller (another user's messages answer like an unknown user's)"
_TRAYS_ERRORS = {404: _NOT_YOURS}
_TRAY_ERRORS = {404: _NOT_YOURS + "; or no such tray"}
_THREAD_ERRORS = {404: _NOT_YOURS + "; or no such thread, or one the caller is not in (never told apart)"}
_FLAG_ERRORS = {
    400: "bad_request: no flag given, a flag not true or false, more than 100 threads",
    404: _NOT_YOURS + "; or a thread of the list unknown or not the caller's (nothing is changed)",
}
_POST_ERRORS = {
    400: "bad_request: an empty or too long subject or body, an unknown recipient (named), too many recipients, "
    "a message to yourself, a malformed attachment-key; invalid_state: a reply to a notification",
    404: _NOT_YOURS + "; for a reply, no such thread or one the caller is not in",
}
_CONTEXT_ERRORS = {
    400: "bad_request: the context is not Interviews:{job_key}:{application_id}",
    404: _NOT_YOURS + "; or no thread for that application, or one the caller is not in",
}


# --------------------------------------------------------------------------
# Endpoints


def _trays(call: Call[Any], me: User, page: Page) -> TraysReply:
    counts = queries.tray_counts(call.db, me.id)
    trays: list[TrayObject] = [
        {
            "id": str(tray.tray_id),
            "type": tray.value,
            "unread": str(counts[tray.value][1]),
            "total": str(counts[tray.value][0]),
            "tray_api": tray_api(me.uid, tray),
        }
        for tray in Tray
    ]
    return {"trays": trays[page.offset : page.offset + page.size]}


@api.get(f"{PREFIX}/trays", access=SIGNED_IN, params=TraysParams, returns=TraysReply)
def get_trays(call: Call[TraysParams]) -> TraysReply:
    """The caller's trays with how many threads each holds and how many are unread."""
    return _trays(call, call.user, call.params.page)


@api.get(
    f"{PREFIX}/trays/{{username}}", access=SIGNED_IN, params=UserTraysParams, returns=TraysReply, errors=_TRAYS_ERRORS
)
def get_user_trays(call: Call[UserTraysParams]) -> TraysReply:
    """The trays of ``username``, who must be the caller (sent, inbox, notifications, starred, trash)."""
    return _trays(call, _me(call, call.params.username), call.params.page)


@api.get(
    f"{PREFIX}/trays/{{username}}/{{tray}}",
    access=SIGNED_IN,
    params=TrayParams,
    returns=TrayContentReply,
    errors=_TRAY_ERRORS,
)
def get_tray_content(call: Call[TrayParams]) -> TrayContentReply:
    """The threads of one tray, latest post first, a page at a time (``page`` = ``offset;count``)."""
    p = call.params
    me = _me(call, p.username)
    tray = _tray(p.tray)
    total, rows = queries.tray_threads(call.db, me.id, tray.value, p.page.offset, p.page.size)
    unread = queries.tray_counts(call.db, me.id)[tray.value][1]
    return {
        "current_tray": {
            "id": str(tray.tray_id),
            "type": tray.value,
            "unread": str(unread),
            "total": str(total),
            "tray_api": tray_api(me.uid, tray),
            "threads": summaries(call, me, rows),
            "lister": lister(total, p.page.offset, p.page.size, "last_post_time desc"),
        }
    }


@api.get(
    f"{PREFIX}/threads/{{username}}/{{thread_id}}",
    access=SIGNED_IN,
    params=ThreadParams,
    returns=ThreadReply,
    errors=_THREAD_ERRORS,
)
def get_thread_content(call: Call[ThreadParams]) -> ThreadReply:
    """One thread the caller is in, with a page of its posts, oldest first; reading changes no flag."""
    p = call.params
    me = _me(call, p.username)
    return {"thread": _thread_object(call, me, _member_thread(call, me, p.thread_id), p.page, last_only=False)}


@api.put(
    f"{PREFIX}/threads/{{username}}/{{thread_id}}",
    access=SIGNED_IN,
    params=FlagsParams,
    returns=ThreadsReply,
    errors=_FLAG_ERRORS,
)
def put_threads(call: Call[FlagsParams]) -> ThreadsReply:
    """Set ``read``, ``starred`` and/or ``deleted`` on one thread or several (ids joined by ``;``), all or none.

    Each flag is ``true`` or ``false``; the flags are the caller's own
    (another member's stay as they are). A deleted thread goes to the trash
    and leaves the other trays; ``deleted=false`` brings it back. Answers the
    threads as they are now, in the order given.
    """
    p = call.params
    me = _me(call, p.username)
    ids = rules.thread_ids(p.thread_id)
    rules.set_flags(call.db.session, me.id, ids, Flags(p.read, p.starred, p.deleted))
    rows = queries.threads_of_member(call.db, me.id, ids)
    return {"threads": summaries(call, me, [rows[thread_id] for thread_id in ids])}


def _sent(call: Call[Any], me: User, thread: MessageThread, post: MessagePost) -> PostReply:
    row = queries.threads_of_member(call.db, me.id, [thread.id])[thread.id]
    return {"thread": summaries(call, me, [row])[0], "post": post_payload(queries.post(call.db, post.id))}


def _addressed(call: Call[Any], me: User, *, new_thread: bool) -> tuple[rules.Draft, list[int], list[int]]:
    p = call.params
    message = rules.draft(p.subject, p.body, p.attachment_key)
    to, hidden = rules.addressees(
        rules.usernames(p.recipients, "recipients"), rules.usernames(p.bcc, "bcc"), me.uid, new_thread=new_thread
    )
    return message, _user_ids(call, to, "recipients"), _user_ids(call, hidden, "bcc")


@api.post(f"{PREFIX}/threads/{{username}}", access=SIGNED_IN, params=PostParams, returns=PostReply, errors=_POST_ERRORS)
def post_message(call: Call[PostParams]) -> PostReply:
    """Start a thread: ``recipients`` (usernames, comma-separated), ``subject``, ``body``; ``bcc``, ``attachment-key``.

    Every recipient must be an active user: one unknown name is 400 naming
    it and nothing is sent to anyone. The thread is in the caller's ``sent``
    tray and, unread, in each recipient's ``inbox``; bcc recipients get it
    without the others seeing them.
    """
    me = _me(call, call.params.username)
    message, to, hidden = _addressed(call, me, new_thread=True)
    thread, post = rules.start_thread(call.db.session, me.id, to, hidden, message, utcnow())
    return _sent(call, me, thread, post)


@api.post(
    f"{PREFIX}/threads/{{username}}/{{thread_id}}",
    access=SIGNED_IN,
    params=ReplyParams,
    returns=PostReply,
    errors=_POST_ERRORS,
)
def post_reply(call: Call[ReplyParams]) -> PostReply:
    """Reply to a thread the caller is in; every member gets it, ``recipients`` and ``bcc`` not yet in it join.

    The thread comes back from anyone's trash and is unread for everyone
    but the caller.
    """
    p = call.params
    me = _me(call, p.username)
    message, to, hidden = _addressed(call, me, new_thread=False)
    wanted = rules.thread_id(p.thread_id)
    thread = queries.thread_for_update(call.db, wanted)
    if thread is None:
        raise NotFound(f"No thread {p.thread_id[:80]!r}")
    post = rules.reply(call.db.session, thread, me.id, to, hidden, message, utcnow())
    return _sent(call, me, thread, post)


def _context_thread(call: Call[ContextParams], me: User) -> ThreadRow:
    context = rules.context(call.params.context)
    wanted = queries.context_thread(call.db, context.job_key, context.application)
    row = queries.threads_of_member(call.db, me.id, [wanted]).get(wanted) if wanted is not None else None
    if row is None:
        raise NotFound(f"No thread for the context {context.text[:160]!r}")
    return row


@api.get(
    f"{PREFIX}/contexts/{{username}}/{{context}}",
    access=SIGNED_IN,
    params=ContextParams,
    returns=ThreadReply,
    errors=_CONTEXT_ERRORS,
)
def get_thread_by_context(call: Call[ContextParams]) -> ThreadReply:
    """The thread of a job application (``Interviews:{job_key}:{application_id}``) with a page of its posts.

    The job is named by its key (or reference), the application by its
    reference. The provider and the buyers who wrote in it read it.
    """
    me = _me(call, call.params.username)
    return {"thread": _thread_object(call, me, _context_thread(call, me), call.params.page, last_only=False)}


@api.get(
    f"{PREFIX}/contexts/{{username}}/{{context}}/last_posts",
    access=SIGNED_IN,
    params=ContextParams,
    returns=ThreadReply,
    errors=_CONTEXT_ERRORS,
)
def get_thread_by_context_last_posts(call: Call[ContextParams]) -> ThreadReply:
    """The thread of a job application with its last post only (``posts`` holds one)."""
    me = _me(call, call.params.username)
    return {"thread": _thread_object(call, me, _context_thread(call, me), call.params.page, last_only=True)}


__all__ = ["api", "post_payload", "summaries", "thread_api", "tray_api"]
