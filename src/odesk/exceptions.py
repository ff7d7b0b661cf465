"""Exceptions raised by the bindings.

The four ``HTTP4xx`` classes and :class:`HTTPError` subclass
:class:`urllib.error.HTTPError` (as the original subclassed ``urllib2.HTTPError``),
so ``e.code``, ``e.msg``, ``e.url`` and ``e.headers`` work as before.  Each also
carries the server's ``error_code`` and ``error_message`` (from the
``X-Odesk-Error-Code``/``X-Odesk-Error-Message`` headers or a JSON error body)
and prints as ``HTTP Error 404: Code 404: Not found``.
"""

from __future__ import annotations

import builtins
import urllib.error
from collections.abc import Mapping
from typing import Any

from odesk.log import get_logger


class BaseException(builtins.Exception):  # noqa: A001 - the documented name
    """Base of every odesk exception; logs itself at DEBUG when created."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        get_logger().debug("%s: %s", type(self).__name__, args)


class BaseHttpException(BaseException):
    """Base of the HTTP error classes."""


class HTTPError(BaseHttpException, urllib.error.HTTPError):
    """An API answer with a status other than 200.

    Built as ``(url, code, msg, headers, fp)`` like ``urllib.error.HTTPError``;
    ``error_code``/``error_message`` hold what the server said (``'N/A'`` when
    it said nothing).
    """

    def __init__(
        self,
        url: str,
        code: int,
        msg: str,
        hdrs: Mapping[str, str] | None = None,
        fp: Any = None,
        *,
        error_code: str = "N/A",
        error_message: str = "N/A",
    ) -> None:
        urllib.error.HTTPError.__init__(self, url, code, msg, hdrs, fp)  # type: ignore[arg-type]
        self.args = (url, code, msg, hdrs, fp)
        self.error_code = error_code
        self.error_message = error_message
        get_logger().debug("%s: %s %s", type(self).__name__, code, msg)

    @property
    def status(self) -> int:
        """The HTTP status code (same as ``code``)."""
        return self.code

    def __str__(self) -> str:
        return f"HTTP Error {self.code}: {self.msg}"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.code}: {self.msg}>"

    def __reduce__(self):  # keeps the server's code and message across pickling
        url, code, msg, hdrs, _ = self.args
        return (_rebuild_http_error, (type(self), url, code, msg, hdrs, self.error_code, self.error_message))


def _rebuild_http_error(cls, url, code, msg, hdrs, error_code, error_message):
    return cls(url, code, msg, hdrs, None, error_code=error_code, error_message=error_message)


class HTTP400BadRequestError(HTTPError):
    """Status 400: the request was malformed or a parameter was invalid."""


class HTTP401UnauthorizedError(HTTPError):
    """Status 401: missing or invalid OAuth credentials."""


class HTTP403ForbiddenError(HTTPError):
    """Status 403: authenticated, but not allowed to see this resource."""


class HTTP404NotFoundError(HTTPError):
    """Status 404: no such resource."""


class InvalidConfiguredException(BaseException):
    """The client is configured in a way that cannot work."""


class APINotImplementedException(BaseException):
    """The API call is not implemented."""


class AuthenticationError(BaseException):
    """An OAuth step failed (bad token response, missing request token)."""


class NotAuthenticatedError(BaseException):
    """The client has no access token for a call that needs one."""


class ApiValueError(BaseException):
    """A client-side check of an argument failed; the message says which."""


class IncorrectJsonResponseError(BaseException):
    """The server answered 200 with a body that is not a JSON document."""
