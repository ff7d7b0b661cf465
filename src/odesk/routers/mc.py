"""Message Center API (``mc`` v1): trays, threads, messages."""

from __future__ import annotations

from typing import Any

from odesk.namespaces import Namespace, key


def _ids(thread_ids: Any) -> str:
    if isinstance(thread_ids, (list, tuple)):
        return ";".join(str(thread_id) for thread_id in thread_ids)
    return str(thread_ids)


def _tray_threads(result: Any) -> Any:
    if not isinstance(result, dict):
        return result
    tray = result.get("current_tray")
    if tray is None:
        return result.get("threads", result)
    if not isinstance(tray, dict):
        return result
    return tray.get("threads", tray)


def _flag(value: Any) -> str:
    return "true" if value else "false"


class MC(Namespace):
    api_url = "mc/"
    version = 1

    @staticmethod
    def _paging(offset: Any, count: Any) -> dict[str, str]:
        return {"page": f"{offset};{count}"} if offset or count != 20 else {}

    def get_trays(self, username: Any = None, paging_offset: int = 0, paging_count: int = 20) -> Any:
        """Return the trays (with unread counts) of a user, or of the caller."""
        url = f"trays/{username}" if username else "trays"
        return self._call("GET", url, self._paging(paging_offset, paging_count), key("trays"))

    def get_tray_content(self, username: Any, tray: Any, paging_offset: Any = None, paging_count: Any = None) -> Any:
        """Return the thread summaries of one tray."""
        data = {}
        if paging_offset is not None and paging_count is not None:
            data["page"] = f"{paging_offset};{paging_count}"
        return self._call("GET", f"trays/{username}/{tray}", data, _tray_threads)

    def get_thread_content(self, username: Any, thread_id: Any, paging_offset: int = 0, paging_count: int = 20) -> Any:
        """Return one thread with its posts."""
        return self._call(
            "GET", f"threads/{username}/{thread_id}", self._paging(paging_offset, paging_count), key("thread")
        )

    def get_thread_by_context(
        self, username: Any, job_key: Any, application_id: Any, context: str = "Interviews", last_posts: bool = False
    ) -> Any:
        """Return the thread of a context (e.g. an interview for a job application)."""
        url = f"contexts/{username}/{context}:{job_key}:{application_id}"
        if last_posts:
            url += "/last_posts"
        return self._call("GET", url, unwrap=key("thread"))

    def _put_threads(self, username: Any, thread_ids: Any, flag: str, value: Any) -> Any:
        return self._call("PUT", f"threads/{username}/{_ids(thread_ids)}", {flag: _flag(value)})

    def put_threads_read_unread(self, username: Any, thread_ids: Any, read: bool = True) -> Any:
        """Mark threads read (or unread); return the whole answer."""
        return self._put_threads(username, thread_ids, "read", read)

    def put_threads_read(self, username: Any, thread_ids: Any) -> Any:
        """Mark threads read."""
        return self.put_threads_read_unread(username, thread_ids, read=True)

    def put_threads_unread(self, username: Any, thread_ids: Any) -> Any:
        """Mark threads unread."""
        return self.put_threads_read_unread(username, thread_ids, read=False)

    def put_threads_starred_or_unstarred(self, username: Any, thread_ids: Any, starred: bool = True) -> Any:
        """Star (or unstar) threads; return the whole answer."""
        return self._put_threads(username, thread_ids, "starred", starred)

    def put_threads_starred(self, username: Any, thread_ids: Any) -> Any:
        """Star threads."""
        return self.put_threads_starred_or_unstarred(username, thread_ids, starred=True)

    def put_threads_unstarred(self, username: Any, thread_ids: Any) -> Any:
        """Unstar threads."""
        return self.put_threads_starred_or_unstarred(username, thread_ids, starred=False)

    def put_threads_deleted_or_undeleted(self, username: Any, thread_ids: Any, deleted: bool = True) -> Any:
        """Delete (or undelete) threads; return the whole answer."""
        return self._put_threads(username, thread_ids, "deleted", deleted)

    def put_threads_deleted(self, username: Any, thread_ids: Any) -> Any:
        """Delete threads."""
        return self.put_threads_deleted_or_undeleted(username, thread_ids, deleted=True)

    def put_threads_undeleted(self, username: Any, thread_ids: Any) -> Any:
        """Undelete threads."""
        return self.put_threads_deleted_or_undeleted(username, thread_ids, deleted=False)

    def post_message(
        self,
        username: Any,
        recipients: Any,
        subject: Any,
        body: Any,
        thread_id: Any = None,
        bcc: Any = None,
        attachment_key: Any = None,
    ) -> Any:
        """Start a thread, or reply to ``thread_id``; return the whole answer."""
        if isinstance(recipients, (list, tuple)):
            recipients = ",".join(str(recipient) for recipient in recipients)
        data: dict[str, Any] = {"recipients": str(recipients), "subject": subject, "body": body}
        if bcc:
            data["bcc"] = bcc
        if attachment_key:
            data["attachment-key"] = attachment_key
        url = f"threads/{username}/{thread_id}" if thread_id else f"threads/{username}"
        return self._call("POST", url, data)
