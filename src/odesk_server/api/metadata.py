"""Metadata: categories, skills, regions, tests, reasons, specialties (profiles v1 and v2) (being written)."""

from __future__ import annotations

from odesk_server.api.endpoint import Api

api = Api("metadata", "Metadata: categories, skills, regions, tests, reasons, specialties (profiles v1 and v2)")
