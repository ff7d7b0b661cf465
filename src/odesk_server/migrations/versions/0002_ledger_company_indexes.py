"""ledger indexes for company and provider team reports

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

Financial reports of buyer companies, provider companies and provider teams
filter the ledger on these columns and a date range.
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.create_index("ix_ledger_entries_buyer_company_id_date", ["buyer_company_id", "date"], unique=False)
        batch_op.create_index(
            "ix_ledger_entries_provider_company_id_date", ["provider_company_id", "date"], unique=False
        )
        batch_op.create_index("ix_ledger_entries_provider_team_id_date", ["provider_team_id", "date"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_entries_provider_team_id_date")
        batch_op.drop_index("ix_ledger_entries_provider_company_id_date")
        batch_op.drop_index("ix_ledger_entries_buyer_company_id_date")
