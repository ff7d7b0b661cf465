"""The rules of the platform: what may happen to a contract, and how money moves.

Each module holds the rules of one part of the domain as plain functions
and frozen dataclasses, checked without a web request:

- ``ledger``: every movement of money, built as balanced legs and posted
  (the only writer of ``LedgerEntry`` rows);
- ``engagements``: a contract's terms (hourly or fixed price) and its
  states (active, suspended, closed) with the moves between them.

Milestones, offers, jobs and snapshots get a module here when they come.
A rule that is broken raises an error naming the rule (``ValueError``
subclasses such as ``EngagementRuleError``), which the endpoints turn into
the API's error responses. This package sits above ``odesk_server.models``
(it reads and writes rows) and below the endpoints and the demo, which call
it rather than setting statuses or writing money themselves.
"""
