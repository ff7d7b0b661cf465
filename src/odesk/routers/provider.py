"""Profiles API: provider profiles, search and metadata (v1 and v2)."""

from __future__ import annotations

from typing import Any

from odesk.namespaces import Namespace, keep_given, key

MAX_KEYS = 20


def _keys(provider_ciphertext: Any) -> str:
    if isinstance(provider_ciphertext, (list, tuple)):
        # the API takes at most 20 keys per request; extra keys are dropped
        return ";".join(str(item) for item in provider_ciphertext[:MAX_KEYS])
    return str(provider_ciphertext)


class Provider(Namespace):
    api_url = "profiles/"
    version = 1

    def get_provider(self, provider_ciphertext: Any) -> Any:
        """Return the full profile of a provider (a list for several keys)."""
        return self._call("GET", f"providers/{_keys(provider_ciphertext)}", unwrap=key("profile"))

    def get_provider_brief(self, provider_ciphertext: Any) -> Any:
        """Return the brief profile of a provider (a list for several keys)."""
        return self._call("GET", f"providers/{_keys(provider_ciphertext)}/brief", unwrap=key("profile"))

    def _search(self, what: str, data: Any, page_offset: Any, page_size: Any, order_by: Any) -> Any:
        params = dict(data or {})
        params["page"] = f"{page_offset};{page_size}"
        params.update(keep_given(sort=order_by))
        return self._call("GET", f"search/{what}", params, key(what))

    def search_providers(
        self, data: Any = None, page_offset: int = 0, page_size: int = 20, order_by: Any = None
    ) -> Any:
        """Search providers (v1 keys q, c1, c2, fb, ...); return ``providers``."""
        return self._search("providers", data, page_offset, page_size, order_by)

    def search_jobs(self, data: Any = None, page_offset: int = 0, page_size: int = 20, order_by: Any = None) -> Any:
        """Search jobs (v1 keys q, c1, c2, qs, ...); return ``jobs``."""
        return self._search("jobs", data, page_offset, page_size, order_by)

    def get_categories_metadata(self) -> Any:
        """Return the job/contractor categories."""
        return self._call("GET", "metadata/categories", unwrap=key("categories"))

    def get_skills_metadata(self) -> Any:
        """Return the skills."""
        return self._call("GET", "metadata/skills", unwrap=key("skills"))

    def get_regions_metadata(self) -> Any:
        """Return the regions."""
        return self._call("GET", "metadata/regions", unwrap=key("regions"))

    def get_tests_metadata(self) -> Any:
        """Return the tests."""
        return self._call("GET", "metadata/tests", unwrap=key("tests"))

    def get_reasons_metadata(self, reason_type: Any) -> Any:
        """Return the reasons of one type (e.g. EndProviderContract)."""
        return self._call("GET", "metadata/reasons", {"type": reason_type}, key("reasons"))


class Provider_V2(Namespace):
    api_url = "profiles/"
    version = 2

    def get_categories_metadata(self) -> Any:
        """Return the v2 categories."""
        return self._call("GET", "metadata/categories", unwrap=key("categories"))

    def _search(self, what: str, data: Any, page_offset: Any, page_size: Any) -> Any:
        params = dict(data or {})
        params["paging"] = f"{page_offset};{page_size}"
        return self._call("GET", f"search/{what}", params, key(what))

    def search_providers(self, data: Any = None, page_offset: int = 0, page_size: int = 20) -> Any:
        """Search providers (v2 keys q, title, skills, ...); return ``providers``."""
        return self._search("providers", data, page_offset, page_size)

    def search_jobs(self, data: Any = None, page_offset: int = 0, page_size: int = 20) -> Any:
        """Search jobs (v2 keys q, title, skills, ...); return ``jobs``."""
        return self._search("jobs", data, page_offset, page_size)
