"""Router base classes: a router turns its methods into API calls on its namespace.

``Namespace.full_url('users/me')`` of the HR router is
``<base>/api/hr/v2/users/me``; GDS routers live under ``<base>/gds/``.  Routers
never touch the network themselves: they describe the call and how to unwrap
its result, and the client (sync or async) runs it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from odesk import config

if TYPE_CHECKING:
    from odesk.client import BaseClient

Unwrap = Callable[[Any], Any]


def whole(result: Any) -> Any:
    """Return the decoded response unchanged."""
    return result


def key(name: str) -> Unwrap:
    """Return an unwrapper giving ``result[name]``, or the whole result when absent."""

    def unwrap(result: Any) -> Any:
        return result.get(name, result) if isinstance(result, dict) else result

    return unwrap


def keep_truthy(**params: Any) -> dict[str, Any]:
    """Return the parameters whose value is truthy (the original's ``if value:`` habit)."""
    return {name: value for name, value in params.items() if value}


def keep_given(**params: Any) -> dict[str, Any]:
    """Return the parameters whose value is not None."""
    return {name: value for name, value in params.items() if value is not None}


class Namespace:
    """Base of the API routers: ``api_url`` and ``version`` place it under ``/api/``."""

    api_url: str | None = None
    version: int = 1
    base_url: str = config.BASE_URL + "/api/"
    _root = "api/"

    def __init__(self, client: BaseClient) -> None:
        self.client = client
        self.base_url = f"{client.base_url}/{self._root}"

    def full_url(self, url: str) -> str:
        """Return the absolute URL of ``url`` relative to this router's namespace."""
        return f"{self.base_url}{self.api_url}v{self.version}/{url}"

    def _call(self, method: str, url: str, data: Any = None, unwrap: Unwrap = whole) -> Any:
        # the one place a router hands a call to its client; async clients return a coroutine
        return self.client._call_api(method, self.full_url(url), data, unwrap)

    def get(self, url: str, data: Any = None) -> Any:
        """GET ``full_url(url)`` with ``data`` in the query; return the decoded JSON."""
        return self._call("GET", url, data)

    def post(self, url: str, data: Any = None) -> Any:
        """POST ``data`` as a form to ``full_url(url)``; return the decoded JSON."""
        return self._call("POST", url, data)

    def put(self, url: str, data: Any = None) -> Any:
        """PUT ``data`` as JSON to ``full_url(url)``; return the decoded JSON."""
        return self._call("PUT", url, data)

    def delete(self, url: str, data: Any = None) -> Any:
        """DELETE ``full_url(url)`` with ``data`` as JSON; return the decoded JSON."""
        return self._call("DELETE", url, data)


class GdsNamespace(Namespace):
    """Base of the report routers under ``/gds/``: read-only, so only ``get`` does I/O."""

    base_url: str = config.BASE_URL + "/gds/"
    _root = "gds/"

    def _report(self, url: str, query: Any) -> Any:
        return self._call("GET", url, {"tq": str(query)})

    # reports cannot be written: no request, the result is None (awaitable on AsyncClient)
    def post(self, url: str, data: Any = None) -> Any:
        """Return None without any request."""
        return self.client._ready(None)

    def put(self, url: str, data: Any = None) -> Any:
        """Return None without any request."""
        return self.client._ready(None)

    def delete(self, url: str, data: Any = None) -> Any:
        """Return None without any request."""
        return self.client._ready(None)
