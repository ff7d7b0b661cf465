"""Configuration read from the environment.

``PYTHON_ODESK_BASE_URL`` moves the whole API (``/api/...``, ``/gds/...`` and the
OAuth URLs) to another host, e.g. a self-hosted server.  The module constant is
read once at import, as the original package did; :func:`base_url` reads the
environment again so a :class:`odesk.Client` created later follows changes.
"""

from __future__ import annotations

import os

DEFAULT_BASE_URL = "https://www.odesk.com"


def base_url() -> str:
    """Return the API root without a trailing slash (env or the oDesk default)."""
    return (os.environ.get("PYTHON_ODESK_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")


BASE_URL: str = base_url()
#: the same value under the environment variable's name
PYTHON_ODESK_BASE_URL: str = BASE_URL

PYTHON_ODESK_DEBUG: str = os.environ.get("PYTHON_ODESK_DEBUG", "")
PYTHON_ODESK_DEBUG_FILE: str = os.environ.get("PYTHON_ODESK_DEBUG_FILE", "")

#: seconds; a slow report may take a while, a dead host should not hang forever
DEFAULT_TIMEOUT = 30.0
DEFAULT_CONNECT_TIMEOUT = 10.0
