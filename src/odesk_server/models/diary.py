"""Work diaries: the ten-minute snapshots a time tracker records on an hourly contract.

A ``Snapshot`` is one ten-minute segment of work on one contract
(engagement): ``segment_at`` is the segment's start (a multiple of ten
minutes, UTC), unique per contract; ``taken_at`` is the moment inside the
segment when the tracker took it. It carries the memo and the task code
(activity) the contractor worked under, the title of the active window, the
computer's name, and the keyboard and mouse events counted in each of the
segment's ten minutes (``keyboard_per_minute`` and ``mouse_per_minute``: ten
counts, comma-separated). ``image_key`` names its screenshot: the server
draws a placeholder image for it (no screenshot is stored), at an address
nobody can guess.

Snapshots are the online time of the time reports: the time log of a
contract, day (UTC), task and memo holds ``tracked_minutes`` (ten per
snapshot) inside its ``hours_online``; ``odesk_server.domain.snapshots``
keeps both in step in the same transaction.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from odesk_server.models.base import Base, UTCDateTime, created_at_column
from odesk_server.models.work import Engagement

# Minutes in a snapshot's segment, and the most characters a memo or window title keeps.
SEGMENT_MINUTES = 10
MAX_SNAPSHOT_MEMO = 1000
MAX_WINDOW_TITLE = 500


class Snapshot(Base):
    """Ten minutes of tracked work on a contract (see the module docstring)."""

    __tablename__ = "snapshots"
    __table_args__ = (UniqueConstraint("engagement_id", "segment_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"))
    segment_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    taken_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    memo: Mapped[str] = mapped_column(Text, default="")
    task: Mapped[str] = mapped_column(String(64), default="")
    window_title: Mapped[str] = mapped_column(Text, default="")
    computer_name: Mapped[str] = mapped_column(String(100), default="")
    keyboard_per_minute: Mapped[str] = mapped_column(String(100))
    mouse_per_minute: Mapped[str] = mapped_column(String(100))
    image_key: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[dt.datetime] = created_at_column()

    engagement: Mapped[Engagement] = relationship()

    def __repr__(self) -> str:
        return f"Snapshot(engagement_id={self.engagement_id}, segment_at={self.segment_at.isoformat()})"
