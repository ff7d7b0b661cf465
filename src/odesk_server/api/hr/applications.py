"""HR v3: candidacies as the client and the contractor list them (/api/hr/v3/.../applications).

Not built yet: the endpoints of this resource come with issue 9 (hiring and contracts).
"""

from __future__ import annotations

from odesk_server.api.endpoint import Api

api = Api(
    "hr applications", "HR v3: candidacies as the client and the contractor list them (/api/hr/v3/.../applications)"
)
