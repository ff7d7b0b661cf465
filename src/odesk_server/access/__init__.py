"""Who may see and do what: path keys, the organisation scope, permission predicates.

- ``keys``: how a URL names a user, company or team (reference, text id,
  the company short form);
- ``scope``: the part of the organisation a user sees (``org_scope``), for
  HR listings and lookups;

An object the caller may not see is treated exactly like one that does not
exist, so the API never tells which uids, companies or teams exist.
"""
