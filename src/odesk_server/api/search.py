"""Search: providers and jobs (profiles v1 and v2) (being written)."""

from __future__ import annotations

from odesk_server.api.endpoint import Api

api = Api("search", "Search: providers and jobs (profiles v1 and v2)")
