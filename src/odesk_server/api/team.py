"""Work diaries and snapshots: ``/api/team/v1``, ``/api/team/v2`` (snapshots, diaries) and ``/api/team/v3``.

(Being written: see the module's routes below.)
"""

from __future__ import annotations

from odesk_server.api.endpoint import Api

api = Api("team", "Work diaries: a contractor's snapshots by company or contract, his diary for a day, work days")
