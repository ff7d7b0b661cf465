"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22

The whole schema of odesk_server.models as first released. companies and
teams reference each other, so the companies.root_team_id foreign key is
added once both tables exist.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "oauth_nonces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consumer_key", sa.String(length=64), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=255), nullable=False),
        sa.Column("timestamp", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_nonces")),
        sa.UniqueConstraint(
            "consumer_key",
            "token",
            "nonce",
            "timestamp",
            name=op.f("uq_oauth_nonces_consumer_key_token_nonce_timestamp"),
        ),
    )
    with op.batch_alter_table("oauth_nonces", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oauth_nonces_timestamp"), ["timestamp"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=64), nullable=False),
        sa.Column("reference", sa.BigInteger(), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("is_provider", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("country", sa.String(length=64), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("profile_key", sa.String(length=64), nullable=True),
        sa.Column("profile_hourly_rate", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
        sa.UniqueConstraint("profile_key", name=op.f("uq_users_profile_key")),
        sa.UniqueConstraint("reference", name=op.f("uq_users_reference")),
        sa.UniqueConstraint("uid", name=op.f("uq_users_uid")),
    )
    op.create_table(
        "companies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.BigInteger(), nullable=False),
        sa.Column("company_id", sa.String(length=129), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("owner_user_id", sa.Integer(), nullable=True),
        sa.Column("root_team_id", sa.Integer(), nullable=True),
        sa.Column("is_agency", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_user_id"], ["users.id"], name=op.f("fk_companies_owner_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_companies")),
        sa.UniqueConstraint("company_id", name=op.f("uq_companies_company_id")),
        sa.UniqueConstraint("reference", name=op.f("uq_companies_reference")),
    )
    op.create_table(
        "oauth_consumers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("callback_uri", sa.Text(), nullable=True),
        sa.Column("owner_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["owner_user_id"], ["users.id"], name=op.f("fk_oauth_consumers_owner_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_consumers")),
        sa.UniqueConstraint("key", name=op.f("uq_oauth_consumers_key")),
    )
    op.create_table(
        "accounting_entities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_accounting_entities_company_id_companies")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_accounting_entities_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounting_entities")),
        sa.UniqueConstraint("company_id", name=op.f("uq_accounting_entities_company_id")),
        sa.UniqueConstraint("reference", name=op.f("uq_accounting_entities_reference")),
        sa.UniqueConstraint("user_id", name=op.f("uq_accounting_entities_user_id")),
    )
    op.create_table(
        "oauth_access_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("consumer_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["consumer_id"],
            ["oauth_consumers.id"],
            name=op.f("fk_oauth_access_tokens_consumer_id_oauth_consumers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_oauth_access_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_access_tokens")),
        sa.UniqueConstraint("token", name=op.f("uq_oauth_access_tokens_token")),
    )
    with op.batch_alter_table("oauth_access_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oauth_access_tokens_consumer_id"), ["consumer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_oauth_access_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "oauth_request_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("consumer_id", sa.Integer(), nullable=False),
        sa.Column("callback", sa.Text(), nullable=False),
        sa.Column("verifier", sa.String(length=64), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["consumer_id"],
            ["oauth_consumers.id"],
            name=op.f("fk_oauth_request_tokens_consumer_id_oauth_consumers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_oauth_request_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_request_tokens")),
        sa.UniqueConstraint("token", name=op.f("uq_oauth_request_tokens_token")),
    )
    with op.batch_alter_table("oauth_request_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oauth_request_tokens_consumer_id"), ["consumer_id"], unique=False)

    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.BigInteger(), nullable=False),
        sa.Column("team_id", sa.String(length=129), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("parent_team_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("is_hidden", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"], name=op.f("fk_teams_company_id_companies")),
        sa.ForeignKeyConstraint(["parent_team_id"], ["teams.id"], name=op.f("fk_teams_parent_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
        sa.UniqueConstraint("reference", name=op.f("uq_teams_reference")),
        sa.UniqueConstraint("team_id", name=op.f("uq_teams_team_id")),
    )
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_teams_company_id"), ["company_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_teams_parent_team_id"), ["parent_team_id"], unique=False)

    with op.batch_alter_table("companies", schema=None) as batch_op:
        batch_op.create_foreign_key("fk_companies_root_team_id_teams", "teams", ["root_team_id"], ["id"])

    op.create_table(
        "engagements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.BigInteger(), nullable=False),
        sa.Column("buyer_team_id", sa.Integer(), nullable=False),
        sa.Column("provider_user_id", sa.Integer(), nullable=False),
        sa.Column("agency_company_id", sa.Integer(), nullable=True),
        sa.Column("provider_team_id", sa.Integer(), nullable=True),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("job_type", sa.String(length=16), nullable=False),
        sa.Column("hourly_rate", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("fixed_price", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("weekly_limit", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("fee_rate", sa.Numeric(precision=6, scale=4), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_company_id"], ["companies.id"], name=op.f("fk_engagements_agency_company_id_companies")
        ),
        sa.ForeignKeyConstraint(["buyer_team_id"], ["teams.id"], name=op.f("fk_engagements_buyer_team_id_teams")),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"], ["users.id"], name=op.f("fk_engagements_created_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(["provider_team_id"], ["teams.id"], name=op.f("fk_engagements_provider_team_id_teams")),
        sa.ForeignKeyConstraint(["provider_user_id"], ["users.id"], name=op.f("fk_engagements_provider_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagements")),
        sa.UniqueConstraint("reference", name=op.f("uq_engagements_reference")),
    )
    with op.batch_alter_table("engagements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_engagements_agency_company_id"), ["agency_company_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_engagements_buyer_team_id"), ["buyer_team_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_engagements_provider_user_id"), ["provider_user_id"], unique=False)

    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.BigInteger(), nullable=False),
        sa.Column("transaction_ref", sa.BigInteger(), nullable=False),
        sa.Column("accounting_entity_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("date_due", sa.Date(), nullable=True),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("subtype", sa.String(length=32), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("memo", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("po_number", sa.String(length=64), nullable=True),
        sa.Column("engagement_id", sa.Integer(), nullable=True),
        sa.Column("buyer_company_id", sa.Integer(), nullable=True),
        sa.Column("buyer_team_id", sa.Integer(), nullable=True),
        sa.Column("provider_user_id", sa.Integer(), nullable=True),
        sa.Column("provider_company_id", sa.Integer(), nullable=True),
        sa.Column("provider_team_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["accounting_entity_id"],
            ["accounting_entities.id"],
            name=op.f("fk_ledger_entries_accounting_entity_id_accounting_entities"),
        ),
        sa.ForeignKeyConstraint(
            ["buyer_company_id"], ["companies.id"], name=op.f("fk_ledger_entries_buyer_company_id_companies")
        ),
        sa.ForeignKeyConstraint(["buyer_team_id"], ["teams.id"], name=op.f("fk_ledger_entries_buyer_team_id_teams")),
        sa.ForeignKeyConstraint(
            ["engagement_id"], ["engagements.id"], name=op.f("fk_ledger_entries_engagement_id_engagements")
        ),
        sa.ForeignKeyConstraint(
            ["provider_company_id"], ["companies.id"], name=op.f("fk_ledger_entries_provider_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["provider_team_id"], ["teams.id"], name=op.f("fk_ledger_entries_provider_team_id_teams")
        ),
        sa.ForeignKeyConstraint(
            ["provider_user_id"], ["users.id"], name=op.f("fk_ledger_entries_provider_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
        sa.UniqueConstraint("reference", name=op.f("uq_ledger_entries_reference")),
    )
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ledger_entries_accounting_entity_id_date", ["accounting_entity_id", "date"], unique=False
        )
        batch_op.create_index("ix_ledger_entries_buyer_team_id_date", ["buyer_team_id", "date"], unique=False)
        batch_op.create_index(batch_op.f("ix_ledger_entries_engagement_id"), ["engagement_id"], unique=False)
        batch_op.create_index("ix_ledger_entries_provider_user_id_date", ["provider_user_id", "date"], unique=False)
        batch_op.create_index(batch_op.f("ix_ledger_entries_transaction_ref"), ["transaction_ref"], unique=False)

    op.create_table(
        "time_logs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("worked_on", sa.Date(), nullable=False),
        sa.Column("task", sa.String(length=64), nullable=False),
        sa.Column("memo", sa.Text(), nullable=False),
        sa.Column("hours_online", sa.Numeric(precision=8, scale=2), nullable=False),
        sa.Column("hours_offline", sa.Numeric(precision=8, scale=2), nullable=False),
        sa.Column("charges_online", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("charges_offline", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("earnings_online", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("earnings_offline", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagements.id"],
            name=op.f("fk_time_logs_engagement_id_engagements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_logs")),
        sa.UniqueConstraint(
            "engagement_id", "worked_on", "task", name=op.f("uq_time_logs_engagement_id_worked_on_task")
        ),
    )
    with op.batch_alter_table("time_logs", schema=None) as batch_op:
        batch_op.create_index("ix_time_logs_worked_on", ["worked_on"], unique=False)

    op.create_table(
        "user_roles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("affiliation_status", sa.String(length=32), nullable=False),
        sa.Column("has_team_room_access", sa.Boolean(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["engagement_id"], ["engagements.id"], name=op.f("fk_user_roles_engagement_id_engagements")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_user_roles_team_id_teams"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_roles_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_roles")),
        sa.UniqueConstraint("reference", name=op.f("uq_user_roles_reference")),
        sa.UniqueConstraint("user_id", "team_id", name=op.f("uq_user_roles_user_id_team_id")),
    )
    with op.batch_alter_table("user_roles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_roles_team_id"), ["team_id"], unique=False)

    op.create_table(
        "user_role_permissions",
        sa.Column("user_role_id", sa.Integer(), nullable=False),
        sa.Column("permission", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_role_id"],
            ["user_roles.id"],
            name=op.f("fk_user_role_permissions_user_role_id_user_roles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_role_id", "permission", name=op.f("pk_user_role_permissions")),
    )


def downgrade() -> None:
    op.drop_table("user_role_permissions")
    with op.batch_alter_table("user_roles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_roles_team_id"))

    op.drop_table("user_roles")
    with op.batch_alter_table("time_logs", schema=None) as batch_op:
        batch_op.drop_index("ix_time_logs_worked_on")

    op.drop_table("time_logs")
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_entries_transaction_ref"))
        batch_op.drop_index("ix_ledger_entries_provider_user_id_date")
        batch_op.drop_index(batch_op.f("ix_ledger_entries_engagement_id"))
        batch_op.drop_index("ix_ledger_entries_buyer_team_id_date")
        batch_op.drop_index("ix_ledger_entries_accounting_entity_id_date")

    op.drop_table("ledger_entries")
    with op.batch_alter_table("engagements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engagements_provider_user_id"))
        batch_op.drop_index(batch_op.f("ix_engagements_buyer_team_id"))
        batch_op.drop_index(batch_op.f("ix_engagements_agency_company_id"))

    op.drop_table("engagements")
    with op.batch_alter_table("companies", schema=None) as batch_op:
        batch_op.drop_constraint("fk_companies_root_team_id_teams", type_="foreignkey")
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_teams_parent_team_id"))
        batch_op.drop_index(batch_op.f("ix_teams_company_id"))

    op.drop_table("teams")
    with op.batch_alter_table("oauth_request_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oauth_request_tokens_consumer_id"))

    op.drop_table("oauth_request_tokens")
    with op.batch_alter_table("oauth_access_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oauth_access_tokens_user_id"))
        batch_op.drop_index(batch_op.f("ix_oauth_access_tokens_consumer_id"))

    op.drop_table("oauth_access_tokens")
    op.drop_table("accounting_entities")
    op.drop_table("oauth_consumers")
    op.drop_table("companies")
    op.drop_table("users")
    with op.batch_alter_table("oauth_nonces", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oauth_nonces_timestamp"))

    op.drop_table("oauth_nonces")
