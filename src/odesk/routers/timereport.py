"""Time reports (GDS ``/gds/timereports/v1/...``); every method returns the whole GDS answer."""

from __future__ import annotations

from typing import Any

from odesk.namespaces import GdsNamespace


class TimeReport(GdsNamespace):
    """Time reports; ``hours=True`` asks for the hours-only variant (no money columns)."""

    api_url = "timereports/"
    version = 1

    def _time_report(self, url: str, query: Any, hours: bool) -> Any:
        return self._report(f"{url}/hours" if hours else url, query)

    def get_provider_report(self, provider_id: Any, query: Any, hours: bool = False) -> Any:
        """The caller's own time report."""
        return self._time_report(f"providers/{provider_id}", query, hours)

    def get_company_report(self, company_id: Any, query: Any, hours: bool = False) -> Any:
        """Company-wide time report."""
        return self._time_report(f"companies/{company_id}", query, hours)

    def get_team_report(self, company_id: Any, team_id: Any, query: Any, hours: bool = False) -> Any:
        """Time report of one team of a company."""
        return self._time_report(f"companies/{company_id}/teams/{team_id}", query, hours)

    def get_agency_report(self, company_id: Any, agency_id: Any, query: Any, hours: bool = False) -> Any:
        """Time report of one agency of a company."""
        return self._time_report(f"companies/{company_id}/agencies/{agency_id}", query, hours)
