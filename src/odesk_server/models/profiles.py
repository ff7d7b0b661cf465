"""Provider profiles: what a contractor shows the world (being written).

The tables a provider profile adds to ``users``: its texts, skills, tests
taken, portfolio. Hours worked, jobs done and feedback are counted from the
contracts and time logs, never stored here.
"""

from __future__ import annotations
