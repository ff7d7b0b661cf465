"""Offers API (``offers`` v1): client and freelancer offers."""

from __future__ import annotations

from typing import Any

from odesk.namespaces import Namespace, keep_truthy


def _paging(page_offset: Any, page_size: Any) -> dict[str, str]:
    # as 0.5.8: paging only with a non-zero offset; a missing size means the default 20
    if not page_offset:
        return {}
    return {"page": f"{page_offset};{page_size if page_size is not None else 20}"}


def _milestone_items(milestones: Any) -> list[tuple[str, Any]]:
    if isinstance(milestones, dict):
        milestones = [milestones]
    items = []
    for index, milestone in enumerate(milestones):
        for name, value in milestone.items():
            if value:
                items.append((f"milestones[{index}][{name}]", value))
    return items


class Offers(Namespace):
    """Offers API version 1."""

    api_url = "offers/"
    version = 1

    def list_client_offers(
        self,
        company_id: Any = None,
        team__reference: Any = None,
        job__reference: Any = None,
        status: Any = None,
        page_offset: Any = None,
        page_size: Any = None,
    ) -> Any:
        """Return the client's offers (whole answer)."""
        data = keep_truthy(
            company_id=company_id, team__reference=team__reference, job__reference=job__reference, status=status
        )
        data.update(_paging(page_offset, page_size))
        return self._call("GET", "clients/offers", data)

    def send_client_offer(
        self,
        title: Any,
        job_type: Any,
        charge_rate: Any,
        message_to_contractor: Any,
        team__reference: Any = None,
        client_team_ref: Any = None,
        contractor_username: Any = None,
        contractor_reference: Any = None,
        contractor_key: Any = None,
        contractor_org: Any = None,
        context: Any = None,
        charge_upfront_percent: Any = None,
        weekly_limit: Any = None,
        weekly_stipend: Any = None,
        expires_on: Any = None,
        close_on_accept: Any = None,
        related_jobcategory: Any = None,
        milestone: Any = None,
        milestones: Any = None,
        related_jobcategory2: Any = None,
    ) -> Any:
        """Send an offer to a freelancer; return the whole answer.

        ``context`` is a dict (sent as ``context[key]``); ``milestones`` (or the
        older name ``milestone``) a list of dicts, or one dict, sent as
        ``milestones[i][key]``.
        """
        data: dict[str, Any] = {
            "title": title,
            "job_type": job_type,
            "charge_rate": charge_rate,
            "message_to_contractor": message_to_contractor,
        }
        data.update(
            keep_truthy(
                team__reference=team__reference,
                client_team_ref=client_team_ref,
                contractor_username=contractor_username,
                contractor_reference=contractor_reference,
                contractor_key=contractor_key,
                contractor_org=contractor_org,
                charge_upfront_percent=charge_upfront_percent,
            )
        )
        for name, value in (context or {}).items():
            if value:
                data[f"context[{name}]"] = value
        data.update(keep_truthy(weekly_limit=weekly_limit, weekly_stipend=weekly_stipend, expires_on=expires_on))
        # 0 is a documented value of close_on_accept, so only None means "not given"
        if close_on_accept is not None:
            data["close_on_accept"] = close_on_accept
        data.update(keep_truthy(related_jobcategory=related_jobcategory, related_jobcategory2=related_jobcategory2))
        for given in (milestone, milestones):
            if given:
                data.update(_milestone_items(given))
        return self._call("POST", "clients/offers", data)

    def get_client_offer(self, offer_id: Any, company_id: Any = None, job__reference: Any = None) -> Any:
        """Return one offer, as the client (whole answer)."""
        data: dict[str, Any] = {"offer_id": offer_id}
        data.update(keep_truthy(company_id=company_id, job__reference=job__reference))
        return self._call("GET", f"clients/offers/{offer_id}", data)

    def list_freelancer_offers(self, status: Any = None, page_offset: Any = None, page_size: Any = None) -> Any:
        """Return the freelancer's offers (whole answer)."""
        data = keep_truthy(status=status)
        data.update(_paging(page_offset, page_size))
        return self._call("GET", "contractors/offers", data)

    def get_freelancer_offer(self, offer_id: Any) -> Any:
        """Return one offer, as the freelancer (whole answer)."""
        return self._call("GET", f"contractors/offers/{offer_id}", {"offer_id": offer_id})

    def accept_or_decline(self, offer_id: Any, action_name: Any) -> Any:
        """Run an action (accept / decline) on an offer; return the whole answer."""
        return self._call("POST", f"contractors/actions/{offer_id}", {"action_name": action_name})
