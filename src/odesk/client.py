"""``odesk.Client`` (blocking) and ``odesk.AsyncClient`` (asyncio).

Both attach the same router objects; a router describes each call and the
client's ``_execute`` runs it: at once for :class:`Client`, as a coroutine for
:class:`AsyncClient` (``await client.hr.get_user_me()``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx

from odesk import config
from odesk.http import decode_response
from odesk.log import get_logger
from odesk.namespaces import Unwrap, whole
from odesk.oauth import OAuth
from odesk.routers.finreport import Finreports
from odesk.routers.hr import HR, HR_V1, HR_V3
from odesk.routers.job import Job
from odesk.routers.mc import MC
from odesk.routers.offers import Offers
from odesk.routers.provider import Provider, Provider_V2
from odesk.routers.task import Task, Task_V2
from odesk.routers.team import Team, Team_V2
from odesk.routers.timereport import TimeReport
from odesk.transport import RetryPolicy, send, send_async
from odesk.utils import decimal_default
from odesk.wire import ApiRequest, Credentials, build_request, with_format

T = TypeVar("T")


def _for_log(data: Any) -> str:
    # logging must never fail a call that the wire encoding accepts (dates, objects...)
    def fallback(obj: Any) -> str:
        try:
            return decimal_default(obj)
        except TypeError:
            return str(obj)

    return json.dumps(data, default=fallback, sort_keys=True)


DEFAULT_TIMEOUT = httpx.Timeout(config.DEFAULT_TIMEOUT, connect=config.DEFAULT_CONNECT_TIMEOUT)


class BaseClient:
    """What both clients share: keys, base URL, router attachment, request building."""

    def __init__(
        self,
        public_key: str,
        secret_key: str,
        oauth_access_token: str | None = None,
        oauth_access_token_secret: str | None = None,
        fmt: str = "json",
        finreport: bool = True,
        hr: bool = True,
        mc: bool = True,
        offers: bool = True,
        provider: bool = True,
        task: bool = True,
        team: bool = True,
        timereport: bool = True,
        job: bool = True,
        *,
        base_url: str | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.public_key = public_key
        self.secret_key = secret_key
        self.oauth_access_token = oauth_access_token
        self.oauth_access_token_secret = oauth_access_token_secret
        self.fmt = fmt
        #: the API root without trailing slash; PYTHON_ODESK_BASE_URL when not given
        self.base_url = (base_url or config.base_url()).rstrip("/")
        self.retry = retry if retry is not None else RetryPolicy()
        self.last_method: str | None = None
        self.last_url: str | None = None
        self.last_data: Any = None

        self.auth = OAuth(self)
        if finreport:
            self.finreport = Finreports(self)
        if hr:
            self.hr_v1 = HR_V1(self)
            self.hr = HR(self)
            self.hr_v3 = HR_V3(self)
        if mc:
            self.mc = MC(self)
        if offers:
            self.offers = Offers(self)
        if provider:
            self.provider = Provider(self)
            self.provider_v2 = Provider_V2(self)
        if task:
            self.task = Task(self)
            self.task_v2 = Task_V2(self)
        if team:
            self.team = Team(self)
            self.team_v2 = Team_V2(self)
        if timereport:
            self.timereport = TimeReport(self)
        if job:
            self.job = Job(self)

    # -- building ---------------------------------------------------------------

    def _credentials(self) -> Credentials:
        return Credentials(self.public_key, self.secret_key, self.oauth_access_token, self.oauth_access_token_secret)

    def _describe(self, url: str, data: Any, method: str) -> ApiRequest:
        # remembers the call like the original's last_* attributes, for debugging
        self.last_method, self.last_url, self.last_data = method, url, data
        logger = get_logger()
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("Prepared url: %s, data: %s, method: %s", url, _for_log(data), method)
        return build_request(method, url, data, self._credentials())

    def _call_api(self, method: str, url: str, data: Any, unwrap: Unwrap, fmt: str | None = None) -> Any:
        fmt = self.fmt if fmt is None else fmt
        if fmt != "json":
            raise AssertionError(f"Only the 'json' format is supported, not {fmt!r}")
        request = self._describe(with_format(url, fmt), data, method)
        return self._execute(request, lambda response: unwrap(decode_response(request.url, response)))

    # -- the documented client API ---------------------------------------------

    def read(self, url: str, data: Any = None, method: str = "GET", fmt: str = "json") -> Any:
        """Call the absolute API ``url`` and return the decoded JSON answer.

        ``.json`` is appended to every non-GDS URL.  Raises the
        ``odesk.exceptions.HTTP...`` error for a status other than 200 and
        IncorrectJsonResponseError for a body that is not JSON.
        """
        return self._call_api(method, url, data, whole, fmt)

    def get(self, url: str, data: Any = None) -> Any:
        """GET ``url`` with ``data`` in the query string; see :meth:`read`."""
        return self.read(url, data, method="GET", fmt=self.fmt)

    def post(self, url: str, data: Any = None) -> Any:
        """POST ``data`` as a form body to ``url``; see :meth:`read`."""
        return self.read(url, data, method="POST", fmt=self.fmt)

    def put(self, url: str, data: Any = None) -> Any:
        """PUT ``data`` as a JSON body to ``url``; see :meth:`read`."""
        return self.read(url, data, method="PUT", fmt=self.fmt)

    def delete(self, url: str, data: Any = None) -> Any:
        """DELETE ``url`` with ``data`` as a JSON body; see :meth:`read`."""
        return self.read(url, data, method="DELETE", fmt=self.fmt)

    def urlopen(self, url: str, data: Any = None, method: str = "GET", headers: dict[str, str] | None = None) -> Any:
        """Sign and send a request exactly as given; return the raw httpx response.

        Raises ValueError for a verb other than GET, POST, PUT and DELETE.
        """
        request = self._describe(url, data, method)
        if headers:
            request = ApiRequest(
                request.method,
                request.url,
                request.credentials,
                request.body,
                request.content_type,
                request.form_signed,
                tuple(headers.items()),
            )
        return self._execute(request, lambda response: response)

    # -- execution, provided by the concrete clients ----------------------------

    def _execute(self, request: ApiRequest, handle: Callable[[httpx.Response], T]) -> Any:
        raise NotImplementedError

    def _then(self, result: Any, after: Callable[[Any], T]) -> Any:
        raise NotImplementedError

    def _ready(self, value: T) -> Any:
        raise NotImplementedError


class Client(BaseClient):
    """The blocking client: every router method returns its result directly.

    Extra keywords beyond the documented ones: ``base_url`` (defaults to
    ``PYTHON_ODESK_BASE_URL``), ``timeout`` (httpx timeout, on by default),
    ``retry`` (a :class:`odesk.transport.RetryPolicy`), ``transport`` (an httpx
    transport, e.g. ``httpx.MockTransport`` in tests) and ``http`` (a ready
    ``httpx.Client``).
    """

    def __init__(
        self,
        public_key: str,
        secret_key: str,
        oauth_access_token: str | None = None,
        oauth_access_token_secret: str | None = None,
        fmt: str = "json",
        finreport: bool = True,
        hr: bool = True,
        mc: bool = True,
        offers: bool = True,
        provider: bool = True,
        task: bool = True,
        team: bool = True,
        timereport: bool = True,
        job: bool = True,
        *,
        base_url: str | None = None,
        timeout: Any = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        http: httpx.Client | None = None,
    ) -> None:
        super().__init__(
            public_key,
            secret_key,
            oauth_access_token,
            oauth_access_token_secret,
            fmt,
            finreport,
            hr,
            mc,
            offers,
            provider,
            task,
            team,
            timereport,
            job,
            base_url=base_url,
            retry=retry,
        )
        self.http = http or httpx.Client(timeout=timeout, transport=transport, follow_redirects=True)
        self._sleep: Callable[[float], None] | None = None

    def _execute(self, request: ApiRequest, handle: Callable[[httpx.Response], T]) -> T:
        if self._sleep is None:
            response = send(self.http, request, self.retry)
        else:
            response = send(self.http, request, self.retry, self._sleep)
        return handle(response)

    def _then(self, result: Any, after: Callable[[Any], T]) -> T:
        return after(result)

    def _ready(self, value: T) -> T:
        return value

    def close(self) -> None:
        """Close the pooled connections."""
        self.http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncClient(BaseClient):
    """The asyncio client: the same routers, each method returns an awaitable.

    ``async with odesk.AsyncClient(key, secret, token, token_secret) as client:
    me = await client.hr.get_user_me()``.  Keywords as :class:`Client`, with an
    ``httpx.AsyncBaseTransport`` / ``httpx.AsyncClient``.
    """

    def __init__(
        self,
        public_key: str,
        secret_key: str,
        oauth_access_token: str | None = None,
        oauth_access_token_secret: str | None = None,
        fmt: str = "json",
        finreport: bool = True,
        hr: bool = True,
        mc: bool = True,
        offers: bool = True,
        provider: bool = True,
        task: bool = True,
        team: bool = True,
        timereport: bool = True,
        job: bool = True,
        *,
        base_url: str | None = None,
        timeout: Any = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        super().__init__(
            public_key,
            secret_key,
            oauth_access_token,
            oauth_access_token_secret,
            fmt,
            finreport,
            hr,
            mc,
            offers,
            provider,
            task,
            team,
            timereport,
            job,
            base_url=base_url,
            retry=retry,
        )
        self.http = http or httpx.AsyncClient(timeout=timeout, transport=transport, follow_redirects=True)
        self._sleep: Callable[[float], Awaitable[None]] | None = None

    async def _execute(self, request: ApiRequest, handle: Callable[[httpx.Response], T]) -> T:
        if self._sleep is None:
            response = await send_async(self.http, request, self.retry)
        else:
            response = await send_async(self.http, request, self.retry, self._sleep)
        return handle(response)

    async def _then(self, result: Awaitable[Any], after: Callable[[Any], T]) -> T:
        return after(await result)

    async def _ready(self, value: T) -> T:
        return value

    async def aclose(self) -> None:
        """Close the pooled connections."""
        await self.http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
