"""Provider profiles: full and brief (profiles v1) (being written)."""

from __future__ import annotations

from odesk_server.api.endpoint import Api

api = Api("providers", "Provider profiles: full and brief (profiles v1)")
