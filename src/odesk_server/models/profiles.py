"""Provider profiles: what a contractor shows the world.

The tables a provider profile adds to ``users``. The user row keeps what it
already had: the name, ``title`` (the profile title), ``description`` (the
overview), ``country``, ``city``, ``timezone``, ``profile_key`` and
``profile_hourly_rate`` (the rate the profile asks). Hours worked, jobs
done, feedback and last activity are counted from the contracts, time logs
and snapshots when a profile is read, never stored here.

- ``ProviderProfile``: one per provider who has a profile: whether it is
  public, English skill, region, availability;
- ``ProviderSkill``: a skill (``skills``) the provider lists, in his order;
- ``ProviderTest``: a skill test (``skill_tests``) taken, with its score;
- ``PortfolioItem``: a piece of work shown on the profile.

A provider without a ``provider_profiles`` row has no profile the API
shows (it answers like an unknown key).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from odesk_server.models.base import Base, UTCDateTime, created_at_column, utcnow

# A test score is out of 5.00, like oDesk's.
TEST_SCORE = Numeric(4, 2)


class ProviderProfile(Base):
    """The profile settings of one provider (``users.is_provider``).

    ``english_skill``: 0 (not stated) to 5 (fluent), oDesk's scale.
    ``hours_per_week``: how many hours a week the provider is available
    (None: not stated, 0: not available). ``region_id``: the world region he
    works from (a top-level ``regions`` row, the ``loc`` a search filters
    on; his country is ``users.country``). A profile that is not ``is_public`` is shown to
    nobody but its owner and the staffing managers of his agency.
    """

    __tablename__ = "provider_profiles"
    __table_args__ = (
        CheckConstraint("english_skill >= 0 AND english_skill <= 5", name="english_skill"),
        CheckConstraint("hours_per_week >= 0 AND hours_per_week <= 168", name="hours_per_week"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    english_skill: Mapped[int] = mapped_column(Integer, default=0)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    hours_per_week: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    created_at: Mapped[dt.datetime] = created_at_column()


class ProviderSkill(Base):
    """A skill a provider lists: ``rank`` orders them (1 first), ``level`` 1 (beginner) to 5 (expert)."""

    __tablename__ = "provider_skills"
    __table_args__ = (
        CheckConstraint("level >= 1 AND level <= 5", name="level"),
        CheckConstraint("rank >= 1", name="rank_positive"),
        CheckConstraint("years_experience >= 0", name="years_experience_not_negative"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id"), primary_key=True, index=True)
    rank: Mapped[int] = mapped_column(Integer)
    level: Mapped[int] = mapped_column(Integer)
    years_experience: Mapped[int | None] = mapped_column(Integer)
    last_used_year: Mapped[int | None] = mapped_column(Integer)


class ProviderTest(Base):
    """A skill test a provider took: ``score`` out of 5.00, ``percentile`` 0 to 100.

    ``is_public``: the provider may hide a result; a hidden one is not shown
    (nor counted) on the profile others read.
    """

    __tablename__ = "provider_tests"
    __table_args__ = (
        CheckConstraint("score >= 0 AND score <= 5", name="score"),
        CheckConstraint("percentile >= 0 AND percentile <= 100", name="percentile"),
        CheckConstraint("duration_minutes > 0", name="duration_minutes_positive"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    test_id: Mapped[int] = mapped_column(ForeignKey("skill_tests.id"), primary_key=True, index=True)
    score: Mapped[Decimal] = mapped_column(TEST_SCORE)
    percentile: Mapped[int] = mapped_column(Integer)
    taken_on: Mapped[dt.date] = mapped_column(Date)
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)


class PortfolioItem(Base):
    """A piece of work on a provider's profile; ``position`` orders the items (0 first)."""

    __tablename__ = "portfolio_items"
    __table_args__ = (CheckConstraint("position >= 0", name="position_not_negative"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(String(500))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("job_categories.id"))
    completed_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = created_at_column()
