"""``/api/hr/v2``: the organisation (users, companies, teams, user roles)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
