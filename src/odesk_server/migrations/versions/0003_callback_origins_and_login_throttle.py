"""callback origins of consumers, failed-login counters of the login throttle

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23

oauth_consumer_callback_origins: the origins (scheme://host[:port]) a
consumer may send its users back to besides its default callback's.
failed_login_counters: recent failed logins per account name and per client
address (hashed), shared by every server process.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "failed_login_counters",
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key_hash", name=op.f("pk_failed_login_counters")),
    )
    with op.batch_alter_table("failed_login_counters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_failed_login_counters_last_failure_at"), ["last_failure_at"], unique=False)

    op.create_table(
        "oauth_consumer_callback_origins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consumer_id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consumer_id"],
            ["oauth_consumers.id"],
            name=op.f("fk_oauth_consumer_callback_origins_consumer_id_oauth_consumers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_consumer_callback_origins")),
        sa.UniqueConstraint(
            "consumer_id", "origin", name=op.f("uq_oauth_consumer_callback_origins_consumer_id_origin")
        ),
    )


def downgrade() -> None:
    op.drop_table("oauth_consumer_callback_origins")
    with op.batch_alter_table("failed_login_counters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_failed_login_counters_last_failure_at"))
    op.drop_table("failed_login_counters")
