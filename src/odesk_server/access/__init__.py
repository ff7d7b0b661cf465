"""Who may see and do what: path keys, the organisation scope, permission predicates.

- ``keys``: how a URL names a user, company or team (reference, text id,
  the company short form);
- ``scope``: the organisation scope of a user (``org_scope``, one query):
  the teams and companies the user sees, for HR listings and lookups, and
  the permission flags the user holds on each team (inherited down the
  tree, the admin role and the company owner holding every flag), for the
  reports and every endpoint that needs a permission;
- ``predicates``: the rules named as the documentation names them
  (``is_owner``, ``is_admin``, ``is_hiring_manager``, ``is_finance_manager``,
  ``is_supervisor``, ``is_staffing_manager``, ``is_the_provider``), decided on
  a loaded scope without a query.

An object the caller may not see is treated exactly like one that does not
exist, so the API never tells which uids, companies or teams exist.
"""
