"""Building large answers without the cycle collector's full passes in the middle.

A report of tens of thousands of rows allocates a container or two per row
(the driver's row tuples, the converted rows, the envelope's row objects).
Every 700 such allocations Python runs its cycle collector, and now and then
a full pass over every object of the process, the server's own included: on
a large answer those passes cost several times the work itself, at random
(see docs/reports.md, "Reports at scale"). What a report builds holds no
reference cycles (plain tuples, lists, dictionaries of text and numbers), so
reference counting alone frees it: ``collector_paused`` turns the collector
off around such a loop and back on after it, when it was on before.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cycle collector off inside the block (it is process-wide: keep the block to one bulk loop)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
