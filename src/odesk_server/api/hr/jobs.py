"""HR: job postings (/api/hr/v2/jobs) and invitations to interview (/api/hr/v1/jobs/{job}/candidates).

Not built yet: the endpoints of this resource come with issue 9 (hiring and contracts).
"""

from __future__ import annotations

from odesk_server.api.endpoint import Api

api = Api(
    "hr jobs", "HR: job postings (/api/hr/v2/jobs) and invitations to interview (/api/hr/v1/jobs/{job}/candidates)"
)
