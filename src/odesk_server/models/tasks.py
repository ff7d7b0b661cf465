"""Activities (oDesk's "tasks"): the codes a team's contractors log their time against.

An ``Activity`` belongs to one team; a company's activities are those of
its root team (the API's company routes are the team routes with the
company's id as the team). ``code`` is the activity's key, unique within its
team; ``status`` is ``active`` or ``archived`` (an archived activity stays
listed and keeps its assignments, but cannot be assigned again until it is
unarchived). ``ActivityAssignment`` links an activity to the contracts
(engagements) whose contractor may log time against it.

The rules (code format, states, the batch CSV) are
``odesk_server.domain.activities``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from odesk_server.models.base import Base, UTCDateTime, created_at_column, utcnow
from odesk_server.models.work import one_of

ACTIVITY_STATUSES = frozenset({"active", "archived"})


class Activity(Base):
    """An activity of a team: a code, a description, an optional URL, active or archived."""

    __tablename__ = "activities"
    __table_args__ = (
        UniqueConstraint("team_id", "code"),
        CheckConstraint(one_of("status", ACTIVITY_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    code: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(String(1000), default="")
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[dt.datetime] = created_at_column()
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"Activity(code={self.code!r}, status={self.status!r})"


class ActivityAssignment(Base):
    """An activity assigned to a contract: its contractor may log time against the activity."""

    __tablename__ = "activity_assignments"

    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id"), primary_key=True, index=True)
