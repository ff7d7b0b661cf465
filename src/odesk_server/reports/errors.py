"""The errors a report answers with: a protocol reason, a message and an HTTP status."""

from __future__ import annotations

from gvizql.errors import QueryError, Reason

# The HTTP status of each reason in the oDesk dialect (the Google dialect answers 200).
STATUS_FOR_REASON: dict[str, int] = {
    Reason.ACCESS_DENIED: 403,
    Reason.INVALID_QUERY: 400,
    Reason.UNSUPPORTED_QUERY_OPERATION: 400,
    Reason.INVALID_REQUEST: 400,
    Reason.NOT_SUPPORTED: 400,
    Reason.USER_NOT_AUTHENTICATED: 401,
    Reason.TIMEOUT: 503,
    Reason.INTERNAL_ERROR: 500,
    Reason.OTHER: 500,
}


class ReportError(Exception):
    """A report that cannot be answered; ``reason`` is the protocol's reason string."""

    def __init__(self, reason: str, message: str, detailed_message: str | None = None) -> None:
        super().__init__(message)
        self.reason = str(Reason(reason))
        self.message = message
        self.detailed_message = detailed_message or message

    @property
    def status(self) -> int:
        """The HTTP status of this error in the oDesk dialect."""
        return STATUS_FOR_REASON.get(self.reason, 400)

    @classmethod
    def access_denied(cls, message: str) -> ReportError:
        return cls(Reason.ACCESS_DENIED, message)

    @classmethod
    def from_query_error(cls, error: QueryError) -> ReportError:
        """The report error of a gvizql ``QueryError`` (same reason and messages)."""
        return cls(error.reason, error.message, error.detailed_message)

    def __repr__(self) -> str:
        return f"ReportError({self.reason!r}, {self.message!r})"
