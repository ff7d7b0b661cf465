"""The message center: threads, their posts, and each participant's flags (being written)."""

from __future__ import annotations
