"""``/api/profiles/v1``: public profiles (job profiles by their public key; provider profiles later).

Not built yet: the job profile comes with issue 9 (hiring and contracts).
"""

from __future__ import annotations

from odesk_server.api.endpoint import Api

api = Api("profiles", "Profiles v1: public job profiles (and provider profiles)")
