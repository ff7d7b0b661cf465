"""Sending signed requests with httpx: one pooled connection set per client,
timeouts on, and retries with exponential backoff for idempotent calls.

Retried: connection failures and ``503 Service Unavailable`` on GET, PUT and
DELETE.  POST is never retried, since the server may already have acted on it.
Every attempt is signed again, so the server's nonce replay check never sees
the same nonce twice.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from odesk.log import get_logger
from odesk.wire import ApiRequest, sign

#: failures where the request most likely never reached the application
RETRYABLE_ERRORS: tuple[type[Exception], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.RemoteProtocolError,
    httpx.ReadError,
    httpx.WriteError,
)


@dataclass(frozen=True)
class RetryPolicy:
    """When and how long to wait before sending a request again."""

    max_retries: int = 3
    backoff_factor: float = 0.25
    max_backoff: float = 8.0
    methods: frozenset[str] = field(default_factory=lambda: frozenset({"GET", "PUT", "DELETE"}))
    statuses: frozenset[int] = field(default_factory=lambda: frozenset({503}))
    #: error codes (``X-Odesk-Error-Code``) that make a 503 the server's final answer:
    #: a report that timed out would only time out again, at the server's expense.
    final_error_codes: frozenset[str] = field(default_factory=lambda: frozenset({"timeout"}))

    def may_retry(self, method: str, attempt: int) -> bool:
        """Return True when a failed ``attempt`` (0-based) of ``method`` may be repeated."""
        return method in self.methods and attempt < self.max_retries

    def retries_response(self, response: httpx.Response) -> bool:
        """Return True when ``response`` is a transient failure worth sending again."""
        return (
            response.status_code in self.statuses
            and response.headers.get("X-Odesk-Error-Code", "") not in self.final_error_codes
        )

    def delay(self, attempt: int, response: httpx.Response | None = None) -> float:
        """Return the seconds to wait after failed ``attempt``, honouring a small Retry-After."""
        wait = min(self.max_backoff, self.backoff_factor * (2**attempt))
        if response is not None:
            retry_after = response.headers.get("Retry-After", "")
            if retry_after.isdigit():
                wait = min(self.max_backoff, float(retry_after))
        return wait


NO_RETRIES = RetryPolicy(max_retries=0)


def send(
    http: httpx.Client,
    request: ApiRequest,
    policy: RetryPolicy,
    sleep: Callable[[float], None] = time.sleep,
) -> httpx.Response:
    """Return the (read) response to ``request``, retrying as ``policy`` allows.

    Raises the last httpx transport error when every attempt failed to connect.
    """
    attempt = 0
    while True:
        response: httpx.Response | None = None
        try:
            response = http.send(sign(request))
        except RETRYABLE_ERRORS as exc:
            if not policy.may_retry(request.method, attempt):
                raise
            get_logger().debug("%s %s failed (%s), retrying", request.method, request.url, exc)
        else:
            if not policy.retries_response(response) or not policy.may_retry(request.method, attempt):
                return response
            response.close()
        sleep(policy.delay(attempt, response))
        attempt += 1


async def send_async(
    http: httpx.AsyncClient,
    request: ApiRequest,
    policy: RetryPolicy,
    sleep: Callable[[float], object] = asyncio.sleep,
) -> httpx.Response:
    """Async twin of :func:`send`; ``sleep`` must return an awaitable."""
    attempt = 0
    while True:
        response: httpx.Response | None = None
        try:
            response = await http.send(sign(request))
        except RETRYABLE_ERRORS as exc:
            if not policy.may_retry(request.method, attempt):
                raise
            get_logger().debug("%s %s failed (%s), retrying", request.method, request.url, exc)
        else:
            if not policy.retries_response(response) or not policy.may_retry(request.method, attempt):
                return response
            await response.aclose()
        await sleep(policy.delay(attempt, response))  # type: ignore[misc]
        attempt += 1
