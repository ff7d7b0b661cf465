"""``/api/hr/v1``, ``/api/hr/v2``, ``/api/hr/v3``: one module per resource, as the URL names it.

- ``org``: users, companies, teams, user roles (``/api/hr/v2/users``,
  ``companies``, ``teams``, ``userroles``);
- ``jobs``: job postings (``/api/hr/v2/jobs``) and invitations to interview
  (``/api/hr/v1/jobs/{job}/candidates``);
- ``offers``: offers of the HR v2 API (``/api/hr/v2/offers``);
- ``engagements``: contracts (``/api/hr/v2/engagements``, ``contracts``) and
  team adjustments (``/api/hr/v2/teams/{team}/adjustments``);
- ``applications``: candidacies as clients and contractors list them
  (``/api/hr/v3/clients/applications``, ``contractors/applications``);
- ``milestones``: fixed-price milestones and their submissions
  (``/api/hr/v3/fp/...``).

``APIS`` lists their ``Api`` objects in route order (``app.API`` installs them).
"""

from odesk_server.api.hr import applications, engagements, jobs, milestones, offers, org

APIS = (org.api, jobs.api, offers.api, engagements.api, applications.api, milestones.api)
