"""The demo's provider profiles (being written)."""

from __future__ import annotations

from typing import Any


def build(builder: Any) -> None:
    """Write the profiles of the demo's contractors."""
