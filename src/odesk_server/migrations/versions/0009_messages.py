"""message center: threads, posts and flags

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06

New tables: message_threads (a conversation, or a notification of the
service; optionally tied to one candidacy, the Interviews context),
message_thread_members (who takes part, and each one's read, starred and
deleted flags and trays) and message_posts (the messages, oldest first).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "message_threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("candidacy_id", sa.Integer(), nullable=True),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_post_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('message', 'notification')", name=op.f("ck_message_threads_kind")),
        sa.ForeignKeyConstraint(
            ["candidacy_id"], ["candidacies.id"], name=op.f("fk_message_threads_candidacy_id_candidacies")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"], ["users.id"], name=op.f("fk_message_threads_created_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_threads")),
        sa.UniqueConstraint("candidacy_id", name=op.f("uq_message_threads_candidacy_id")),
    )
    op.create_index(op.f("ix_message_threads_last_post_at"), "message_threads", ["last_post_at"], unique=False)

    op.create_table(
        "message_thread_members",
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("is_bcc", sa.Boolean(), nullable=False),
        sa.Column("added_by_user_id", sa.Integer(), nullable=True),
        sa.Column("has_sent", sa.Boolean(), nullable=False),
        sa.Column("has_received", sa.Boolean(), nullable=False),
        sa.Column("is_read", sa.Boolean(), nullable=False),
        sa.Column("is_starred", sa.Boolean(), nullable=False),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["message_threads.id"],
            name=op.f("fk_message_thread_members_thread_id_message_threads"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_message_thread_members_user_id_users")),
        sa.ForeignKeyConstraint(
            ["added_by_user_id"], ["users.id"], name=op.f("fk_message_thread_members_added_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("thread_id", "user_id", name=op.f("pk_message_thread_members")),
    )
    op.create_index(
        "ix_message_thread_members_user_id_thread_id",
        "message_thread_members",
        ["user_id", "thread_id"],
        unique=False,
    )

    op.create_table(
        "message_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("author_user_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("attachment_key", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["message_threads.id"],
            name=op.f("fk_message_posts_thread_id_message_threads"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["author_user_id"], ["users.id"], name=op.f("fk_message_posts_author_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_posts")),
    )
    op.create_index("ix_message_posts_thread_id_id", "message_posts", ["thread_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_message_posts_thread_id_id", table_name="message_posts")
    op.drop_table("message_posts")
    op.drop_index("ix_message_thread_members_user_id_thread_id", table_name="message_thread_members")
    op.drop_table("message_thread_members")
    op.drop_index(op.f("ix_message_threads_last_post_at"), table_name="message_threads")
    op.drop_table("message_threads")
