"""Who may see and do what: path keys, the organisation scope, permission predicates.

- ``keys``: how a URL names a user, company or team (reference, text id,
  the company short form);
- ``scope``: the part of the organisation a user sees (``org_scope``), for
  HR listings and lookups;
- ``permissions``: which permission flags a user holds on which team
  (``permission_scope``: one query, flags inherited down the tree, the admin
  role and the company owner holding every flag);
- ``predicates``: the rules named as the documentation names them
  (``is_owner``, ``is_admin``, ``is_hiring_manager``, ``is_finance_manager``,
  ``is_supervisor``, ``is_staffing_manager``, ``is_the_provider``), decided on
  a loaded permission scope without a query.

An object the caller may not see is treated exactly like one that does not
exist, so the API never tells which uids, companies or teams exist.
"""
