"""report indexes: time logs by contract and day, with their hours and money

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08

Every time report scope (team, company, provider, agency) reaches its time
logs through their contracts, whose scope columns are indexed
(``engagements.buyer_team_id``, ``provider_user_id``, ``agency_company_id``,
``teams.company_id``), then a range of days. The index on
``(engagement_id, worked_on)`` becomes one that also holds the hours and
money columns, so a report summing them reads the index alone instead of
table rows scattered over the whole table (time logs arrive day after day,
not contract after contract). It serves every lookup the old one did.
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_TOTALS = [
    "engagement_id",
    "worked_on",
    "hours_online",
    "hours_offline",
    "charges_online",
    "charges_offline",
    "earnings_online",
    "earnings_offline",
]


def upgrade() -> None:
    op.create_index("ix_time_logs_engagement_id_worked_on_totals", "time_logs", _TOTALS, unique=False)
    op.drop_index("ix_time_logs_engagement_id_worked_on", table_name="time_logs")


def downgrade() -> None:
    op.create_index("ix_time_logs_engagement_id_worked_on", "time_logs", ["engagement_id", "worked_on"], unique=False)
    op.drop_index("ix_time_logs_engagement_id_worked_on_totals", table_name="time_logs")
