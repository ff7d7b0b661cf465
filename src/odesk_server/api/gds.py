"""The GDS report endpoints: ``/gds/timereports/v1/...`` and ``/gds/finreports/v2/...``."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
