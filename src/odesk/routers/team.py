"""Team API: snapshots, work diaries (v1) and team rooms, contract snapshots (v2)."""

from __future__ import annotations

import datetime as _dt
from typing import Any

from odesk.namespaces import Namespace, keep_truthy
from odesk.utils import assert_parameter

TZ_CHOICES = ("mine", "user", "gmt")


def _timestamp(value: Any) -> str:
    """Return a snapshot time as a path segment: datetimes in ISO 8601, strings as given,
    several values ``;``-joined."""
    if isinstance(value, (list, tuple)):
        return ";".join(_timestamp(item) for item in value)
    if isinstance(value, _dt.datetime):
        return value.isoformat()
    return str(value)


def _date(value: Any) -> str:
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.strftime("%Y%m%d")
    return str(value)


def _as_list(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    return value if isinstance(value, list) else [value]


def _snapshot(result: Any) -> Any:
    if not isinstance(result, dict) or "error" in result:
        return result
    return result["snapshot"] if "snapshot" in result else []


def _workdiaries(result: Any) -> Any:
    if not isinstance(result, dict) or "error" in result:
        return result
    snapshots = result["snapshots"]
    return snapshots["user"], _as_list(snapshots.get("snapshot"))


def _nested_list(outer: str, inner: str):
    def unwrap(result: Any) -> Any:
        if not isinstance(result, dict) or "error" in result:
            return result
        container = result.get(outer)
        if not isinstance(container, dict):
            return []
        return _as_list(container.get(inner))

    return unwrap


class Team(Namespace):
    """Team API version 1."""

    api_url = "team/"
    version = 1
    TZ_CHOICES = TZ_CHOICES

    @staticmethod
    def _snapshot_url(company_id: Any, user_id: Any, datetime: Any) -> str:
        url = f"snapshots/{company_id}/{user_id}"
        return f"{url}/{_timestamp(datetime)}" if datetime is not None else url

    def get_snapshot(self, company_id: Any, user_id: Any, datetime: Any = None) -> Any:
        """Return the user's snapshot at ``datetime`` (default now); ``[]`` when none."""
        return self._call("GET", self._snapshot_url(company_id, user_id, datetime), unwrap=_snapshot)

    def update_snapshot(self, company_id: Any, user_id: Any, memo: Any, datetime: Any = None) -> Any:
        """Set the memo of a snapshot; return the whole answer."""
        return self._call("PUT", self._snapshot_url(company_id, user_id, datetime), {"memo": memo})

    def delete_snapshot(self, company_id: Any, user_id: Any, datetime: Any = None) -> Any:
        """Delete a snapshot; return the whole answer."""
        return self._call("DELETE", self._snapshot_url(company_id, user_id, datetime))

    def get_workdiaries(self, team_id: Any, username: Any, date: Any = None, tz: Any = None) -> Any:
        """Return ``(user, snapshots)`` of a team member's work diary for ``date`` (yyyymmdd).

        Raises ApiValueError for a ``tz`` other than mine, user, gmt.
        """
        if tz is not None:
            assert_parameter("tz", tz, self.TZ_CHOICES)
        url = f"workdiaries/{team_id}/{username}"
        if date:
            url += f"/{_date(date)}"
        return self._call("GET", url, keep_truthy(tz=tz), _workdiaries)


class Team_V2(Namespace):
    """Team API version 2."""

    api_url = "team/"
    version = 2
    ONLINE_CHOICES = ("now", "last_24h", "all")
    DISABLED_CHOICES = ("yes", "no")
    TZ_CHOICES = TZ_CHOICES

    @staticmethod
    def _snapshot_url(contract_id: Any, datetime: Any) -> str:
        url = f"snapshots/contracts/{contract_id}"
        return f"{url}/{_timestamp(datetime)}" if datetime is not None else url

    def get_teamrooms(self) -> Any:
        """Return the list of team rooms the user can see."""
        return self._call("GET", "teamrooms", unwrap=_nested_list("teamrooms", "teamroom"))

    def get_snapshots(self, company_or_team_id: Any, online: Any = None, disabled: Any = None) -> Any:
        """Return the latest snapshots of a team room's members.

        Raises ApiValueError for ``online`` not in now/last_24h/all or ``disabled``
        not in yes/no.
        """
        if online:
            assert_parameter("online", online, self.ONLINE_CHOICES)
        if disabled:
            assert_parameter("disabled", disabled, self.DISABLED_CHOICES)
        data = keep_truthy(online=online, disabled=disabled)
        return self._call("GET", f"teamrooms/{company_or_team_id}", data, _nested_list("teamroom", "snapshot"))

    def get_workdiaries_by_contract(self, contract_id: Any, date: Any, tz: Any = None) -> Any:
        """Return ``(user, snapshots)`` of a contract's work diary for ``date`` (yyyymmdd).

        Raises ApiValueError for a ``tz`` other than mine, user, gmt.
        """
        if tz is not None:
            assert_parameter("tz", tz, self.TZ_CHOICES)
        return self._call("GET", f"workdiaries/contracts/{contract_id}/{_date(date)}", keep_truthy(tz=tz), _workdiaries)

    def get_snapshot_by_contract(self, contract_id: Any, datetime: Any = None) -> Any:
        """Return a contract's snapshot at ``datetime`` (default now); ``[]`` when none."""
        return self._call("GET", self._snapshot_url(contract_id, datetime), unwrap=_snapshot)

    def update_snapshot_by_contract(self, contract_id: Any, memo: Any, datetime: Any = None) -> Any:
        """Set the memo of a contract's snapshot; return the whole answer."""
        return self._call("PUT", self._snapshot_url(contract_id, datetime), {"memo": memo})

    def delete_snapshot_by_contract(self, contract_id: Any, datetime: Any = None) -> Any:
        """Delete a contract's snapshot; return the whole answer."""
        return self._call("DELETE", self._snapshot_url(contract_id, datetime))
