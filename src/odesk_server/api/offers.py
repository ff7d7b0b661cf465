"""``/api/offers/v1``: offers as the client sends them and the contractor answers them.

Not built yet: the endpoints of this resource come with issue 9 (hiring and contracts).
"""

from __future__ import annotations

from odesk_server.api.endpoint import Api

api = Api("offers", "Offers v1: the client's offers and the contractor's answers")
