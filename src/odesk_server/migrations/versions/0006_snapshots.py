"""snapshots: work diaries, and time logs kept per day, task and memo

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06

New table snapshots (ten minutes of tracked work on a contract). Time logs
gain tracked_minutes (the part of hours_online their snapshots make) and
are kept one per contract, day, task and memo: the unique constraint on
(engagement_id, worked_on, task) becomes an index on (engagement_id,
worked_on). SQLite rebuilds the table to drop a constraint (batch mode).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("segment_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("memo", sa.Text(), nullable=False),
        sa.Column("task", sa.String(length=64), nullable=False),
        sa.Column("window_title", sa.Text(), nullable=False),
        sa.Column("computer_name", sa.String(length=100), nullable=False),
        sa.Column("keyboard_per_minute", sa.String(length=100), nullable=False),
        sa.Column("mouse_per_minute", sa.String(length=100), nullable=False),
        sa.Column("image_key", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagements.id"],
            name=op.f("fk_snapshots_engagement_id_engagements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_snapshots")),
        sa.UniqueConstraint("engagement_id", "segment_at", name=op.f("uq_snapshots_engagement_id_segment_at")),
        sa.UniqueConstraint("image_key", name=op.f("uq_snapshots_image_key")),
    )
    op.create_index(op.f("ix_snapshots_segment_at"), "snapshots", ["segment_at"], unique=False)

    with op.batch_alter_table("time_logs") as batch:
        batch.add_column(sa.Column("tracked_minutes", sa.Integer(), server_default="0", nullable=False))
        batch.drop_constraint("uq_time_logs_engagement_id_worked_on_task", type_="unique")
        batch.create_index("ix_time_logs_engagement_id_worked_on", ["engagement_id", "worked_on"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("time_logs") as batch:
        batch.drop_index("ix_time_logs_engagement_id_worked_on")
        batch.create_unique_constraint(
            "uq_time_logs_engagement_id_worked_on_task", ["engagement_id", "worked_on", "task"]
        )
        batch.drop_column("tracked_minutes")
    op.drop_index(op.f("ix_snapshots_segment_at"), table_name="snapshots")
    op.drop_table("snapshots")
