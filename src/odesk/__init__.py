"""Python bindings for the oDesk API (a Python 3 drop-in for python-odesk 0.5.8).

    import odesk
    client = odesk.Client(public_key, secret_key, oauth_access_token, oauth_access_token_secret)
    client.hr.get_user_me()

``PYTHON_ODESK_BASE_URL`` points the client at another server.
"""

from __future__ import annotations

VERSION = "0.5.8"


def get_version() -> str:
    """Return the version of the documented API this package implements."""
    return VERSION


from odesk.client import AsyncClient, Client  # noqa: E402
from odesk.http import raise_http_error  # noqa: E402

__all__ = ["VERSION", "get_version", "Client", "AsyncClient", "raise_http_error"]
