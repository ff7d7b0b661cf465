"""Errors of the query language and of the data source protocol."""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    """The protocol's reason strings (the ``reason`` of an error or warning)."""

    NOT_MODIFIED = "not_modified"
    USER_NOT_AUTHENTICATED = "user_not_authenticated"
    UNKNOWN_DATA_SOURCE_ID = "unknown_data_source_id"
    ACCESS_DENIED = "access_denied"
    UNSUPPORTED_QUERY_OPERATION = "unsupported_query_operation"
    INVALID_QUERY = "invalid_query"
    INVALID_REQUEST = "invalid_request"
    INTERNAL_ERROR = "internal_error"
    NOT_SUPPORTED = "not_supported"
    ILLEGAL_FORMATTING_PATTERNS = "illegal_formatting_patterns"
    TIMEOUT = "timeout"
    DATA_TRUNCATED = "data_truncated"
    OTHER = "other"


class QueryError(Exception):
    """A query (or a request around it) that cannot be answered.

    ``reason`` is the protocol's reason string, ``message`` a short sentence for
    the user, ``detailed_message`` the longer explanation (names the token and
    its position where there is one).
    """

    def __init__(
        self,
        reason: Reason | str,
        message: str,
        detailed_message: str | None = None,
        *,
        position: int | None = None,
    ) -> None:
        super().__init__(message)
        self.reason = str(Reason(reason))
        self.message = message
        self.detailed_message = detailed_message or message
        self.position = position

    def __str__(self) -> str:
        return self.detailed_message

    def __repr__(self) -> str:
        return f"QueryError({self.reason!r}, {self.message!r})"


def invalid_query(message: str, *, position: int | None = None) -> QueryError:
    """An ``invalid_query`` error; the position (0-based offset) is named in the message."""
    detail = message if position is None else f"{message} (at position {position})"
    return QueryError(Reason.INVALID_QUERY, message, detail, position=position)
