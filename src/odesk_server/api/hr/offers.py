"""HR v2: offers a buyer team makes (/api/hr/v2/offers).

Not built yet: the endpoints of this resource come with issue 9 (hiring and contracts).
"""

from __future__ import annotations

from odesk_server.api.endpoint import Api

api = Api("hr offers", "HR v2: offers a buyer team makes (/api/hr/v2/offers)")
