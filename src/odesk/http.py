"""Reading API answers: status check, error mapping, JSON decoding."""

from __future__ import annotations

import json
from typing import Any

import httpx

from odesk.exceptions import (
    HTTP400BadRequestError,
    HTTP401UnauthorizedError,
    HTTP403ForbiddenError,
    HTTP404NotFoundError,
    HTTPError,
    IncorrectJsonResponseError,
)
from odesk.log import get_logger

ERROR_CODE_HEADER = "X-Odesk-Error-Code"
ERROR_MESSAGE_HEADER = "X-Odesk-Error-Message"

_CLASSES: dict[int, type[HTTPError]] = {
    400: HTTP400BadRequestError,
    401: HTTP401UnauthorizedError,
    403: HTTP403ForbiddenError,
    404: HTTP404NotFoundError,
}


def _error_from_body(response: httpx.Response) -> tuple[str | None, str | None]:
    # a JSON body such as {"error": {"code": .., "message": ..}} when headers are absent
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        return None, None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        code, message = error.get("code"), error.get("message")
        return (None if code is None else str(code)), (None if message is None else str(message))
    if isinstance(error, str):
        return None, error
    return None, None


def raise_http_error(url: str, response: httpx.Response) -> None:
    """Raise the exception for a non-200 ``response`` to ``url``.

    400/401/403/404 raise their ``HTTP4xx...`` class, any other status the plain
    :class:`odesk.exceptions.HTTPError`; the message is ``Code <code>: <message>``
    from the ``X-Odesk-Error-*`` headers, or a JSON ``error`` body, else ``N/A``.
    """
    code = response.headers.get(ERROR_CODE_HEADER)
    message = response.headers.get(ERROR_MESSAGE_HEADER)
    if code is None or message is None:
        body_code, body_message = _error_from_body(response)
        code = code if code is not None else body_code
        message = message if message is not None else body_message
    code = code if code is not None else "N/A"
    message = message if message is not None else "N/A"
    msg = f"Code {code}: {message}"
    get_logger().debug("Error %s from %s: %s", response.status_code, url, msg)
    cls = _CLASSES.get(response.status_code, HTTPError)
    raise cls(url, response.status_code, msg, dict(response.headers), None, error_code=code, error_message=message)


def decode_response(url: str, response: httpx.Response) -> Any:
    """Return the decoded JSON of a 200 ``response``.

    Raises the mapped HTTP error for any other status and
    IncorrectJsonResponseError when the body is not JSON.
    """
    if response.status_code != 200:
        raise_http_error(url, response)
    get_logger().debug("Response from %s: %r", url, response.content[:2000])
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError) as exc:
        snippet = response.text[:200]
        raise IncorrectJsonResponseError(
            f"The response from {url} is not valid JSON ({exc}): "
            + json.dumps({"status": response.status_code, "body": snippet})
        ) from None
