"""Reference data of the metadata API: skills, regions, tests, reasons for ending things, specialties.

Like the job categories (``models.hiring.JobCategory``), these rows are
written by the migrations with fixed ids (the numbers the API shows), never
by the server, and whatever empties a database (the demo's reset) leaves
them alone (``SEEDED_BY_MIGRATIONS``). Jobs, provider profiles and contract
endings validate against the same tables the metadata routes list.

- ``Skill``: a skill a provider lists and a job asks for;
- ``Region``: a region of the world, a country's region (``parent_id``);
- ``SkillTest``: a skill test providers take (``/metadata/tests``);
- ``Reason``: a reason of one documented ``reason_type`` (why a job was
  closed, a candidate rejected, a contract ended...);
- ``Specialty``: a specialty within a version-2 category (python-upwork).
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from odesk_server.models.base import Base
from odesk_server.models.hiring import SEEDED_BY_MIGRATIONS

_SEEDED = {"info": {SEEDED_BY_MIGRATIONS: True}}


class Skill(Base):
    """A skill, by its name (``python``, ``django``): what profiles list and jobs ask for.

    ``name`` is a lower-case slug (``ruby-on-rails``), the text the v1
    skills list shows; ``category_id`` the version-2 category it belongs to.
    """

    __tablename__ = "skills"
    __table_args__ = (_SEEDED,)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("job_categories.id"))


class Region(Base):
    """A region of the world (``parent_id`` None, ``Latin America``) or a part of one (a country)."""

    __tablename__ = "regions"
    __table_args__ = (_SEEDED,)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))


class SkillTest(Base):
    """A skill test (``/metadata/tests``): providers take it and show their score.

    ``category_id``: the version-2 category it tests for; None for the
    general tests (English, the readiness test).
    """

    __tablename__ = "skill_tests"
    __table_args__ = (_SEEDED,)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("job_categories.id"))


class Reason(Base):
    """A reason of one ``reason_type`` (``EndProviderContract``, ``RejectCandidate``...).

    ``code`` is what a write route takes for it: ``delete_job``'s
    ``reason_code`` is a ``CloseOpening`` reason's code (``67``, also its
    id), ``end_contract``'s ``reason`` an ``EndProviderContract`` one
    (``API_REAS_HIRED_DIFFERENT``); those routes accept exactly the codes
    of this table.
    """

    __tablename__ = "reasons"
    __table_args__ = (UniqueConstraint("reason_type", "code"), UniqueConstraint("reason_type", "title"), _SEEDED)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    reason_type: Mapped[str] = mapped_column(String(40), index=True)
    code: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))


class Specialty(Base):
    """A specialty within a version-2 category (python-upwork's ``metadata/specialties``).

    ``category_id`` is a version-2 subcategory (``Web & Mobile
    Programming``); its category is the subcategory's parent.
    """

    __tablename__ = "specialties"
    __table_args__ = (UniqueConstraint("category_id", "title"), _SEEDED)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    category_id: Mapped[int] = mapped_column(ForeignKey("job_categories.id"))
    title: Mapped[str] = mapped_column(String(200))
