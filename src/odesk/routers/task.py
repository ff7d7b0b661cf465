"""Activities (``otask`` API v1) and engagement activities (``tasks`` API v2)."""

from __future__ import annotations

import urllib.parse
from typing import Any

from odesk.namespaces import Namespace


def _codes(codes: Any) -> str:
    """Return activity codes as the ``;``-joined text the API takes."""
    if isinstance(codes, (list, tuple)):
        return ";".join(str(code) for code in codes)
    return str(codes)


def _quoted(codes: Any) -> str:
    # codes are free text: percent-encode them for the path (';' -> %3B)
    return urllib.parse.quote(_codes(codes), safe="/")


def _tasks(result: Any) -> Any:
    if isinstance(result, dict) and "tasks" in result:
        return result["tasks"] or []
    return result


class Task(Namespace):
    """Team and company activities; company calls are team calls with ``team_id = company_id``."""

    api_url = "otask/"
    version = 1

    @staticmethod
    def _team(company_id: Any, team_id: Any) -> str:
        return f"tasks/companies/{company_id}/teams/{team_id}"

    @staticmethod
    def _task_data(code: Any, description: Any, url: Any, engagements: Any, all_in_company: Any) -> dict[str, Any]:
        data: dict[str, Any] = {"code": code, "description": description, "url": url}
        if engagements:
            data["engagements"] = _codes(engagements)
        if all_in_company:
            data["all_in_company"] = 1
        return data

    def get_team_tasks(self, company_id: Any, team_id: Any) -> Any:
        """Return the list of all activities of a team (archived too)."""
        return self._call("GET", f"{self._team(company_id, team_id)}/tasks", unwrap=_tasks)

    def get_company_tasks(self, company_id: Any) -> Any:
        """Return the list of all activities of a company."""
        return self.get_team_tasks(company_id, company_id)

    def get_team_specific_tasks(self, company_id: Any, team_id: Any, task_codes: Any) -> Any:
        """Return the given activities of a team."""
        url = f"{self._team(company_id, team_id)}/tasks/{_quoted(task_codes)}"
        return self._call("GET", url, unwrap=_tasks)

    def get_company_specific_tasks(self, company_id: Any, task_codes: Any) -> Any:
        """Return the given activities of a company."""
        return self.get_team_specific_tasks(company_id, company_id, task_codes)

    def post_team_task(
        self,
        company_id: Any,
        team_id: Any,
        code: Any,
        description: Any,
        url: Any,
        engagements: Any = None,
        all_in_company: Any = None,
    ) -> Any:
        """Create an activity in a team; return the whole answer."""
        data = self._task_data(code, description, url, engagements, all_in_company)
        data["code"] = str(code)
        return self._call("POST", f"{self._team(company_id, team_id)}/tasks", data)

    def post_company_task(
        self,
        company_id: Any,
        code: Any,
        description: Any,
        url: Any,
        engagements: Any = None,
        all_in_company: Any = None,
    ) -> Any:
        """Create an activity in a company; return the whole answer."""
        return self.post_team_task(company_id, company_id, code, description, url, engagements, all_in_company)

    def put_team_task(
        self,
        company_id: Any,
        team_id: Any,
        code: Any,
        description: Any,
        url: Any,
        engagements: Any = None,
        all_in_company: Any = None,
    ) -> Any:
        """Update an activity of a team; return the whole answer."""
        data = self._task_data(code, description, url, engagements, all_in_company)
        return self._call("PUT", f"{self._team(company_id, team_id)}/tasks/{_quoted(code)}", data)

    def put_company_task(
        self,
        company_id: Any,
        code: Any,
        description: Any,
        url: Any,
        engagements: Any = None,
        all_in_company: Any = None,
    ) -> Any:
        """Update an activity of a company; return the whole answer."""
        return self.put_team_task(company_id, company_id, code, description, url, engagements, all_in_company)

    def archive_team_task(self, company_id: Any, team_id: Any, task_code: Any) -> Any:
        """Archive activities of a team; return the whole answer."""
        return self._call("PUT", f"{self._team(company_id, team_id)}/archive/{_quoted(task_code)}", {})

    def archive_company_task(self, company_id: Any, task_code: Any) -> Any:
        """Archive activities of a company; return the whole answer."""
        return self.archive_team_task(company_id, company_id, task_code)

    def unarchive_team_task(self, company_id: Any, team_id: Any, task_code: Any) -> Any:
        """Unarchive activities of a team; return the whole answer."""
        return self._call("PUT", f"{self._team(company_id, team_id)}/unarchive/{_quoted(task_code)}", {})

    def unarchive_company_task(self, company_id: Any, task_code: Any) -> Any:
        """Unarchive activities of a company; return the whole answer."""
        return self.unarchive_team_task(company_id, company_id, task_code)

    def assign_engagement(self, company_id: Any, team_id: Any, engagement: Any, task_codes: Any = None) -> Any:
        """Assign an engagement to exactly these activities (none: unassign from all)."""
        url = f"{self._team(company_id, team_id)}/engagements/{engagement}/tasks"
        tasks = _codes(task_codes) if task_codes else ""
        return self._call("PUT", url, {"tasks": tasks})

    def update_batch_tasks(self, company_id: Any, csv_data: Any) -> Any:
        """Update activities from CSV lines separated by ``<br>``; return the whole answer."""
        return self._call("PUT", f"tasks/companies/{company_id}/tasks/batch", {"data": csv_data})


class Task_V2(Namespace):
    api_url = "tasks/"
    version = 2

    def list_engagement_activities(self, engagement_ref: Any) -> Any:
        """Return the activities assigned to an engagement (whole answer)."""
        return self._call("GET", f"tasks/contracts/{engagement_ref}")
