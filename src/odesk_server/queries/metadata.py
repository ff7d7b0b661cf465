"""The reads of the reference data: categories, skills, regions, skill tests, reasons, specialties.

The rows are written by the migrations (0004 the job categories, 0007 the
rest) and never change while the server runs. Each function reads one list
in the order the metadata routes answer it; ``reason_codes`` is what the
write routes that take a reason (``delete_job``, ``end_contract``) check
against, so the metadata lists exactly what they accept.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row
from sqlalchemy.orm import aliased

from odesk_server.db.work import UnitOfWork
from odesk_server.models import JobCategory, Reason, Region, Skill, SkillTest, Specialty


class ReasonType(StrEnum):
    """The documented ``reason_type`` values of ``get_reasons_metadata`` (every one has rows)."""

    EMPLOYER_ENDS_NO_START_CONTRACT = "EmployerEndsNoStartContract"
    CLOSE_OPENING = "CloseOpening"  # delete_job's reason_code
    REJECT_CANDIDATE = "RejectCandidate"
    REJECT_INTERVIEW_INVITE = "RejectInterviewInvite"
    CANCEL_CANDIDACY = "CancelCandidacy"
    END_PROVIDER_CONTRACT = "EndProviderContract"  # end_contract's reason (the buyer ends the provider's contract)
    END_CUSTOMER_CONTRACT = "EndCustomerContract"
    END_ASSIGNMENT = "EndAssignment"


_PARENT = aliased(JobCategory)
_REGION_PARENT = aliased(Region)


def categories(work: UnitOfWork, version: int) -> list[Row[Any]]:
    """The categories of ``version`` (1 or 2) and their subcategories: ``id, parent_id, title``, by id."""
    query = (
        sa.select(JobCategory.id, JobCategory.parent_id, JobCategory.title)
        .where(JobCategory.version == version)
        .order_by(JobCategory.id)
    )
    return list(work.connection.execute(query))


def skills(work: UnitOfWork, *, category_ids: Sequence[int] | None = None, text: str | None = None) -> list[Row[Any]]:
    """Skills with their category: ``id, name, category_id, category``, by name.

    ``category_ids``: only the skills of those categories; ``text``: only
    the names holding it (any case).
    """
    query = sa.select(Skill.id, Skill.name, Skill.category_id, JobCategory.title.label("category")).outerjoin(
        JobCategory, JobCategory.id == Skill.category_id
    )
    if category_ids is not None:
        query = query.where(Skill.category_id.in_(sorted(category_ids)))
    if text:
        escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(sa.func.lower(Skill.name).like(f"%{escaped}%", escape="\\"))
    return list(work.connection.execute(query.order_by(Skill.name)))


def regions(work: UnitOfWork) -> list[Row[Any]]:
    """Every region: ``id, title, parent_id, parent``; each world region followed by its parts by name."""
    query = (
        sa.select(Region.id, Region.name.label("title"), Region.parent_id, _REGION_PARENT.name.label("parent"))
        .outerjoin(_REGION_PARENT, _REGION_PARENT.id == Region.parent_id)
        .order_by(sa.func.coalesce(Region.parent_id, Region.id), Region.parent_id.is_not(None), Region.name)
    )
    return list(work.connection.execute(query))


def skill_tests(work: UnitOfWork) -> list[Row[Any]]:
    """Every skill test: ``id, title, category_id, category``, by id."""
    query = (
        sa.select(
            SkillTest.id, SkillTest.name.label("title"), SkillTest.category_id, JobCategory.title.label("category")
        )
        .outerjoin(JobCategory, JobCategory.id == SkillTest.category_id)
        .order_by(SkillTest.id)
    )
    return list(work.connection.execute(query))


def reasons(work: UnitOfWork, reason_type: str) -> list[Row[Any]]:
    """The reasons of ``reason_type``: ``id, code, title``, by id."""
    query = sa.select(Reason.id, Reason.code, Reason.title).where(Reason.reason_type == reason_type)
    return list(work.connection.execute(query.order_by(Reason.id)))


def reason_codes(work: UnitOfWork, reason_type: str) -> frozenset[str]:
    """The codes a write route taking a reason of ``reason_type`` accepts."""
    query = sa.select(Reason.code).where(Reason.reason_type == reason_type)
    return frozenset(work.connection.execute(query).scalars())


def specialties(work: UnitOfWork) -> list[Row[Any]]:
    """Every specialty with its v2 subcategory and category: ``id, title, topic_id, topic, category_id, category``."""
    query = (
        sa.select(
            Specialty.id,
            Specialty.title,
            JobCategory.id.label("topic_id"),
            JobCategory.title.label("topic"),
            _PARENT.id.label("category_id"),
            _PARENT.title.label("category"),
        )
        .join(JobCategory, JobCategory.id == Specialty.category_id)
        .outerjoin(_PARENT, _PARENT.id == JobCategory.parent_id)
        .order_by(Specialty.id)
    )
    return list(work.connection.execute(query))


__all__ = [
    "ReasonType",
    "categories",
    "reason_codes",
    "reasons",
    "regions",
    "skill_tests",
    "skills",
    "specialties",
]
