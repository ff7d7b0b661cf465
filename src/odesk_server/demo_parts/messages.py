"""The demo's message threads (being written)."""

from __future__ import annotations

from typing import Any


def build(builder: Any) -> None:
    """Write the message threads between the demo's people."""
