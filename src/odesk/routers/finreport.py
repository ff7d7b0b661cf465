"""Financial reports (GDS ``/gds/finreports/v2/...``); every method returns the whole GDS answer."""

from __future__ import annotations

from typing import Any

from odesk.namespaces import GdsNamespace


class Finreports(GdsNamespace):
    """Billing, earning and account reports; ``query`` is a GDS query (str or Query)."""

    api_url = "finreports/"
    version = 2

    def get_provider_billings(self, provider_id: Any, query: Any) -> Any:
        """Billing report of a provider."""
        return self._report(f"providers/{provider_id}/billings", query)

    def get_provider_teams_billings(self, provider_team_id: Any, query: Any) -> Any:
        """Billing report of a provider's team."""
        return self._report(f"provider_teams/{provider_team_id}/billings", query)

    def get_provider_companies_billings(self, provider_company_id: Any, query: Any) -> Any:
        """Billing report of a provider's company."""
        return self._report(f"provider_companies/{provider_company_id}/billings", query)

    def get_provider_earnings(self, provider_id: Any, query: Any) -> Any:
        """Earning report of a provider."""
        return self._report(f"providers/{provider_id}/earnings", query)

    def get_provider_teams_earnings(self, provider_team_id: Any, query: Any) -> Any:
        """Earning report of a provider's team."""
        return self._report(f"provider_teams/{provider_team_id}/earnings", query)

    def get_provider_companies_earnings(self, provider_company_id: Any, query: Any) -> Any:
        """Earning report of a provider's company."""
        return self._report(f"provider_companies/{provider_company_id}/earnings", query)

    def get_buyer_teams_billings(self, buyer_team_id: Any, query: Any) -> Any:
        """Billing report of a buyer's team."""
        return self._report(f"buyer_teams/{buyer_team_id}/billings", query)

    def get_buyer_companies_billings(self, buyer_company_id: Any, query: Any) -> Any:
        """Billing report of a buyer's company."""
        return self._report(f"buyer_companies/{buyer_company_id}/billings", query)

    def get_buyer_teams_earnings(self, buyer_team_id: Any, query: Any) -> Any:
        """Earning report of a buyer's team."""
        return self._report(f"buyer_teams/{buyer_team_id}/earnings", query)

    def get_buyer_companies_earnings(self, buyer_company_id: Any, query: Any) -> Any:
        """Earning report of a buyer's company."""
        return self._report(f"buyer_companies/{buyer_company_id}/earnings", query)

    def get_financial_entities(self, accounting_id: Any, query: Any) -> Any:
        """Report of one accounting entity."""
        return self._report(f"financial_accounts/{accounting_id}", query)

    def get_financial_entities_provider(self, provider_id: Any, query: Any) -> Any:
        """Report of the accounts owned by a provider."""
        return self._report(f"financial_account_owner/{provider_id}", query)
