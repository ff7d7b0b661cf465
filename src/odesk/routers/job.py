"""Job profiles (``profiles`` API v1)."""

from __future__ import annotations

from typing import Any

from odesk.namespaces import Namespace

MAX_KEYS = 20


def _job_profile(result: Any) -> Any:
    if not isinstance(result, dict):
        return result
    profiles = result.get("profiles", result)
    return profiles.get("profile", result) if isinstance(profiles, dict) else profiles


class Job(Namespace):
    api_url = "profiles/"
    version = 1

    def get_job_profile(self, job_key: Any) -> Any:
        """Return the profile of one job, or a list of profiles for a list of keys.

        ``job_key`` is a key (``~~...``), a job reference number, or a list/tuple of
        up to 20 keys.  Raises ValueError for another type, more than 20 keys or a
        list holding something other than ``~~`` keys.
        """
        if isinstance(job_key, bool) or not isinstance(job_key, (str, int, list, tuple)):
            raise ValueError(f"Invalid job key. Job recno, key or list of keys expected, got {type(job_key).__name__}")
        if isinstance(job_key, (list, tuple)):
            if len(job_key) > MAX_KEYS:
                raise ValueError("Number of keys per request is limited by 20")
            for key in job_key:
                if not str(key).startswith("~~"):
                    raise ValueError("List should contain only job keys not recno.")
            job_key = ";".join(str(key) for key in job_key)
        return self._call("GET", f"jobs/{job_key}", unwrap=_job_profile)
