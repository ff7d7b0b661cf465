"""HR v2: contracts (engagements), their suspension, restart and end, and team adjustments.

Not built yet: the endpoints of this resource come with issue 9 (hiring and contracts).
"""

from __future__ import annotations

from odesk_server.api.endpoint import Api

api = Api("hr engagements", "HR v2: contracts (engagements), their suspension, restart and end, and team adjustments")
