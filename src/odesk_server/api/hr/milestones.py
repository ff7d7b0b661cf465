"""HR v3: fixed-price milestones and submissions (/api/hr/v3/fp).

Not built yet: the endpoints of this resource come with issue 9 (hiring and contracts).
"""

from __future__ import annotations

from odesk_server.api.endpoint import Api

api = Api("hr milestones", "HR v3: fixed-price milestones and submissions (/api/hr/v3/fp)")
