"""provider profiles: profile settings, skills, tests taken, portfolio

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

New tables provider_profiles (one per provider with a profile: public or
not, English skill, region, availability), provider_skills, provider_tests
and portfolio_items. The title, overview, place and rate stay on users.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "provider_profiles",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("is_public", sa.Boolean(), nullable=False),
        sa.Column("english_skill", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("hours_per_week", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "english_skill >= 0 AND english_skill <= 5", name=op.f("ck_provider_profiles_english_skill")
        ),
        sa.CheckConstraint(
            "hours_per_week >= 0 AND hours_per_week <= 168", name=op.f("ck_provider_profiles_hours_per_week")
        ),
        sa.ForeignKeyConstraint(["region_id"], ["regions.id"], name=op.f("fk_provider_profiles_region_id_regions")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_provider_profiles_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_provider_profiles")),
    )
    op.create_index(op.f("ix_provider_profiles_region_id"), "provider_profiles", ["region_id"], unique=False)
    op.create_table(
        "provider_skills",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("skill_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("years_experience", sa.Integer(), nullable=True),
        sa.Column("last_used_year", sa.Integer(), nullable=True),
        sa.CheckConstraint("level >= 1 AND level <= 5", name=op.f("ck_provider_skills_level")),
        sa.CheckConstraint("rank >= 1", name=op.f("ck_provider_skills_rank_positive")),
        sa.CheckConstraint("years_experience >= 0", name=op.f("ck_provider_skills_years_experience_not_negative")),
        sa.ForeignKeyConstraint(["skill_id"], ["skills.id"], name=op.f("fk_provider_skills_skill_id_skills")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_provider_skills_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "skill_id", name=op.f("pk_provider_skills")),
    )
    op.create_index(op.f("ix_provider_skills_skill_id"), "provider_skills", ["skill_id"], unique=False)
    op.create_table(
        "provider_tests",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("test_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Numeric(precision=4, scale=2), nullable=False),
        sa.Column("percentile", sa.Integer(), nullable=False),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("is_public", sa.Boolean(), nullable=False),
        sa.CheckConstraint("score >= 0 AND score <= 5", name=op.f("ck_provider_tests_score")),
        sa.CheckConstraint("percentile >= 0 AND percentile <= 100", name=op.f("ck_provider_tests_percentile")),
        sa.CheckConstraint("duration_minutes > 0", name=op.f("ck_provider_tests_duration_minutes_positive")),
        sa.ForeignKeyConstraint(["test_id"], ["skill_tests.id"], name=op.f("fk_provider_tests_test_id_skill_tests")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_provider_tests_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "test_id", name=op.f("pk_provider_tests")),
    )
    op.create_index(op.f("ix_provider_tests_test_id"), "provider_tests", ["test_id"], unique=False)
    op.create_table(
        "portfolio_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("position >= 0", name=op.f("ck_portfolio_items_position_not_negative")),
        sa.ForeignKeyConstraint(
            ["category_id"], ["job_categories.id"], name=op.f("fk_portfolio_items_category_id_job_categories")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_portfolio_items_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portfolio_items")),
    )
    op.create_index(op.f("ix_portfolio_items_user_id"), "portfolio_items", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_portfolio_items_user_id"), table_name="portfolio_items")
    op.drop_table("portfolio_items")
    op.drop_index(op.f("ix_provider_tests_test_id"), table_name="provider_tests")
    op.drop_table("provider_tests")
    op.drop_index(op.f("ix_provider_skills_skill_id"), table_name="provider_skills")
    op.drop_table("provider_skills")
    op.drop_index(op.f("ix_provider_profiles_region_id"), table_name="provider_profiles")
    op.drop_table("provider_profiles")
