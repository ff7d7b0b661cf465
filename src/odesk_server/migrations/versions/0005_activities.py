"""activities: the task codes of teams, and their assignment to contracts

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-20

New tables: activities (a team's activity codes, active or archived; a
company's activities are its root team's) and activity_assignments (which
contracts may log time against an activity).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('active', 'archived')", name=op.f("ck_activities_status")),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"], name=op.f("fk_activities_company_id_companies")),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_activities_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activities")),
        sa.UniqueConstraint("team_id", "code", name=op.f("uq_activities_team_id_code")),
    )
    op.create_index(op.f("ix_activities_company_id"), "activities", ["company_id"], unique=False)

    op.create_table(
        "activity_assignments",
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_activity_assignments_activity_id_activities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"], ["engagements.id"], name=op.f("fk_activity_assignments_engagement_id_engagements")
        ),
        sa.PrimaryKeyConstraint("activity_id", "engagement_id", name=op.f("pk_activity_assignments")),
    )
    op.create_index(
        op.f("ix_activity_assignments_engagement_id"), "activity_assignments", ["engagement_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_activity_assignments_engagement_id"), table_name="activity_assignments")
    op.drop_table("activity_assignments")
    op.drop_index(op.f("ix_activities_company_id"), table_name="activities")
    op.drop_table("activities")
