"""reference data: skills, regions, skill tests, reasons, specialties

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06

The metadata API's lists, written with fixed ids like the job categories
(the rows are reference data, not anyone's: the demo's reset keeps them).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "skills",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["category_id"], ["job_categories.id"], name=op.f("fk_skills_category_id_job_categories")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skills")),
        sa.UniqueConstraint("name", name=op.f("uq_skills_name")),
    )
    op.create_table(
        "regions",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["parent_id"], ["regions.id"], name=op.f("fk_regions_parent_id_regions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regions")),
        sa.UniqueConstraint("name", name=op.f("uq_regions_name")),
    )
    op.create_table(
        "skill_tests",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["category_id"], ["job_categories.id"], name=op.f("fk_skill_tests_category_id_job_categories")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skill_tests")),
        sa.UniqueConstraint("name", name=op.f("uq_skill_tests_name")),
    )
    op.create_table(
        "reasons",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("reason_type", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reasons")),
        sa.UniqueConstraint("reason_type", "title", name=op.f("uq_reasons_reason_type_title")),
    )
    op.create_index(op.f("ix_reasons_reason_type"), "reasons", ["reason_type"], unique=False)
    op.create_table(
        "specialties",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"], ["job_categories.id"], name=op.f("fk_specialties_category_id_job_categories")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_specialties")),
        sa.UniqueConstraint("category_id", "title", name=op.f("uq_specialties_category_id_title")),
    )


def downgrade() -> None:
    op.drop_table("specialties")
    op.drop_index(op.f("ix_reasons_reason_type"), table_name="reasons")
    op.drop_table("reasons")
    op.drop_table("skill_tests")
    op.drop_table("regions")
    op.drop_table("skills")
