"""Team rooms (``/api/team/v2/teamrooms``), the time tracker's upload, and the screenshots' placeholder images.

(Being written: see the module's routes below.)
"""

from __future__ import annotations

from odesk_server.api.endpoint import Api

api = Api("teamrooms", "Team rooms: each member's latest snapshot; the time tracker's upload of snapshots")
