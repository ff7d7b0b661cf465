"""Message center: trays, threads, posts and flags (mc v1) (being written)."""

from __future__ import annotations

from odesk_server.api.endpoint import Api

api = Api("mc", "Message center: trays, threads, posts and flags (mc v1)")
