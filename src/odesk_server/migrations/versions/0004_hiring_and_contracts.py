"""hiring and contracts: job categories, jobs, candidacies, offers, milestones, contract history

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06

New tables: job_categories (seeded below with fixed ids, the numbers the
metadata API shows), jobs, candidacies, offers, offer_milestones,
milestones, submissions, engagement_events, engagement_feedback_scores.
engagements gains job_id, offer_id (unique), end_reason, would_hire_again
and feedback_comment.

On SQLite the engagement columns are added and dropped with plain ALTER
TABLE statements: Alembic's batch mode would rebuild the table, and dropping
the old engagements table while foreign keys are enforced would delete the
time logs that cascade from it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# (id, title, subcategory titles): a subcategory's id is its category's id * 100 + its position (from 1).
# Version 1: post_job's category/subcategory, the oDesk categories.
JOB_CATEGORIES_V1 = [
    (
        1,
        "Web Development",
        [
            "Web Design",
            "Web Programming",
            "Ecommerce",
            "UI Design",
            "Website QA",
            "Website Project Management",
            "Other - Web Development",
        ],
    ),
    (
        2,
        "Software Development",
        [
            "Desktop Applications",
            "Game Development",
            "Scripts & Utilities",
            "Software Plug-ins",
            "Mobile Apps",
            "Software QA",
            "Other - Software Development",
        ],
    ),
    (
        3,
        "Networking & Information Systems",
        [
            "Network Administration",
            "Database Administration",
            "Server Administration",
            "ERP / CRM Implementation",
            "Other - Networking & Information Systems",
        ],
    ),
    (
        4,
        "Writing & Translation",
        [
            "Technical Writing",
            "Website Content",
            "Blog & Article Writing",
            "Copywriting",
            "Translation",
            "Creative Writing",
            "Other - Writing Services",
        ],
    ),
    (
        5,
        "Administrative Support",
        [
            "Data Entry",
            "Personal Assistant",
            "Web Research",
            "Email Response Handling",
            "Transcription",
            "Other - Administrative Support",
        ],
    ),
    (
        6,
        "Design & Multimedia",
        [
            "Graphic Design",
            "Logo Design",
            "Illustration",
            "Print Design",
            "3D Modeling & CAD",
            "Audio Production",
            "Video Production",
            "Animation",
            "Presentations",
            "Other - Design & Multimedia",
        ],
    ),
    (
        7,
        "Customer Service",
        ["Customer Service & Support", "Technical Support", "Order Processing", "Other - Customer Service"],
    ),
    (
        8,
        "Sales & Marketing",
        [
            "Advertising",
            "Email Marketing",
            "SEO - Search Engine Optimization",
            "SEM - Search Engine Marketing",
            "SMM - Social Media Marketing",
            "PR - Public Relations",
            "Telemarketing & Telesales",
            "Market Research & Surveys",
            "Sales & Lead Generation",
            "Other - Sales & Marketing",
        ],
    ),
    (
        9,
        "Business Services",
        [
            "Accounting & Bookkeeping",
            "Business Analysis",
            "Financial Management/CFO",
            "HR / Payroll",
            "Legal",
            "Project Management",
            "Tax",
            "Other - Business Services",
        ],
    ),
]
# Version 2: post_job's subcategory2, the categories of the metadata API v2.
JOB_CATEGORIES_V2 = [
    (
        11,
        "Web, Mobile & Software Dev",
        [
            "Desktop Software Development",
            "Ecommerce Development",
            "Game Development",
            "Mobile Development",
            "Product Management",
            "QA & Testing",
            "Scripts & Utilities",
            "Web & Mobile Design",
            "Web & Mobile Programming",
            "Other - Software Development",
        ],
    ),
    (
        12,
        "IT & Networking",
        [
            "Database Administration",
            "ERP / CRM Software",
            "Information Security",
            "Network & System Administration",
            "Other - IT & Networking",
        ],
    ),
    (
        13,
        "Design & Creative",
        [
            "Animation",
            "Audio Production",
            "Graphic Design",
            "Illustration",
            "Logo Design & Branding",
            "Photography",
            "Presentations",
            "Video Production",
            "Voice Talent",
            "Other - Design & Creative",
        ],
    ),
    (
        14,
        "Writing",
        [
            "Academic Writing & Research",
            "Article & Blog Writing",
            "Copywriting",
            "Creative Writing",
            "Editing & Proofreading",
            "Grant Writing",
            "Resumes & Cover Letters",
            "Technical Writing",
            "Web Content",
            "Other - Writing",
        ],
    ),
    (15, "Translation", ["General Translation", "Legal Translation", "Medical Translation", "Technical Translation"]),
    (
        16,
        "Admin Support",
        [
            "Data Entry",
            "Personal / Virtual Assistant",
            "Project Management",
            "Transcription",
            "Web Research",
            "Other - Admin Support",
        ],
    ),
    (17, "Customer Service", ["Customer Service", "Technical Support", "Other - Customer Service"]),
    (
        18,
        "Sales & Marketing",
        [
            "Display Advertising",
            "Email & Marketing Automation",
            "Lead Generation",
            "Market & Customer Research",
            "Marketing Strategy",
            "Public Relations",
            "SEM - Search Engine Marketing",
            "SEO - Search Engine Optimization",
            "SMM - Social Media Marketing",
            "Telemarketing & Telesales",
            "Other - Sales & Marketing",
        ],
    ),
    (
        19,
        "Accounting & Consulting",
        [
            "Accounting",
            "Financial Planning",
            "Human Resources",
            "Management Consulting",
            "Other - Accounting & Consulting",
        ],
    ),
]

# name, SQL type, referenced table (SQLite adds a foreign key inline with ADD COLUMN).
ENGAGEMENT_COLUMNS: list[tuple[str, sa.types.TypeEngine, str | None]] = [
    ("job_id", sa.Integer(), "jobs"),
    ("offer_id", sa.Integer(), "offers"),
    ("end_reason", sa.String(length=64), None),
    ("would_hire_again", sa.Boolean(), None),
    ("feedback_comment", sa.Text(), None),
]


def upgrade() -> None:
    op.create_table(
        "job_categories",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.SmallInteger(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.CheckConstraint("version IN (1, 2)", name=op.f("ck_job_categories_version")),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["job_categories.id"], name=op.f("fk_job_categories_parent_id_job_categories")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_categories")),
        sa.UniqueConstraint("version", "parent_id", "title", name=op.f("uq_job_categories_version_parent_id_title")),
    )
    with op.batch_alter_table("job_categories", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_categories_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.BigInteger(), nullable=False),
        sa.Column("job_key", sa.String(length=64), nullable=False),
        sa.Column("buyer_team_id", sa.Integer(), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("job_type", sa.String(length=16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("subcategory_id", sa.Integer(), nullable=True),
        sa.Column("subcategory2_id", sa.Integer(), nullable=True),
        sa.Column("budget", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("duration", sa.Integer(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("skills", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("cancel_reason", sa.SmallInteger(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_candidacy_access_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("job_type IN ('fixed-price', 'hourly')", name=op.f("ck_jobs_job_type")),
        sa.CheckConstraint("status IN ('cancelled', 'filled', 'open')", name=op.f("ck_jobs_status")),
        sa.CheckConstraint(
            "visibility IN ('invite-only', 'odesk', 'private', 'public')", name=op.f("ck_jobs_visibility")
        ),
        sa.CheckConstraint("budget > 0", name=op.f("ck_jobs_budget_positive")),
        sa.CheckConstraint("cancel_reason IN (34, 41, 49, 51, 67)", name=op.f("ck_jobs_cancel_reason")),
        sa.CheckConstraint("duration > 0", name=op.f("ck_jobs_duration_positive")),
        sa.ForeignKeyConstraint(["buyer_team_id"], ["teams.id"], name=op.f("fk_jobs_buyer_team_id_teams")),
        sa.ForeignKeyConstraint(["created_by_user_id"], ["users.id"], name=op.f("fk_jobs_created_by_user_id_users")),
        sa.ForeignKeyConstraint(
            ["subcategory2_id"], ["job_categories.id"], name=op.f("fk_jobs_subcategory2_id_job_categories")
        ),
        sa.ForeignKeyConstraint(
            ["subcategory_id"], ["job_categories.id"], name=op.f("fk_jobs_subcategory_id_job_categories")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sa.UniqueConstraint("job_key", name=op.f("uq_jobs_job_key")),
        sa.UniqueConstraint("reference", name=op.f("uq_jobs_reference")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jobs_buyer_team_id"), ["buyer_team_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_jobs_created_by_user_id"), ["created_by_user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_jobs_status"), ["status"], unique=False)

    op.create_table(
        "candidacies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.BigInteger(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("provider_user_id", sa.Integer(), nullable=False),
        sa.Column("provider_team_id", sa.Integer(), nullable=True),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("cover", sa.Text(), nullable=False),
        sa.Column("is_shortlisted", sa.Boolean(), nullable=False),
        sa.Column("is_hidden", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("origin IN ('application', 'invitation')", name=op.f("ck_candidacies_origin")),
        sa.CheckConstraint(
            "status IN ('declined', 'hired', 'interviewing', 'invited', 'offered', 'withdrawn')",
            name=op.f("ck_candidacies_status"),
        ),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name=op.f("fk_candidacies_job_id_jobs")),
        sa.ForeignKeyConstraint(["provider_team_id"], ["teams.id"], name=op.f("fk_candidacies_provider_team_id_teams")),
        sa.ForeignKeyConstraint(["provider_user_id"], ["users.id"], name=op.f("fk_candidacies_provider_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_candidacies")),
        sa.UniqueConstraint("job_id", "provider_user_id", name=op.f("uq_candidacies_job_id_provider_user_id")),
        sa.UniqueConstraint("reference", name=op.f("uq_candidacies_reference")),
    )
    with op.batch_alter_table("candidacies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_candidacies_provider_team_id"), ["provider_team_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_candidacies_provider_user_id"), ["provider_user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_candidacies_status"), ["status"], unique=False)

    op.create_table(
        "offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.BigInteger(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("candidacy_id", sa.Integer(), nullable=True),
        sa.Column("buyer_team_id", sa.Integer(), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=False),
        sa.Column("provider_user_id", sa.Integer(), nullable=False),
        sa.Column("provider_team_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("message_from_buyer", sa.Text(), nullable=True),
        sa.Column("job_type", sa.String(length=16), nullable=False),
        sa.Column("hourly_pay_rate", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("weekly_hours_limit", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("weekly_stipend_hours", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("weekly_salary_charge_amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("weekly_salary_pay_amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("fixed_charge_amount_agreed", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("fixed_pay_amount_agreed", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("fixed_price_upfront_payment", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("keep_open", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("job_type IN ('fixed-price', 'hourly')", name=op.f("ck_offers_job_type")),
        sa.CheckConstraint(
            "status IN ('accepted', 'declined', 'expired', 'pending', 'withdrawn')", name=op.f("ck_offers_status")
        ),
        sa.CheckConstraint(
            "fixed_charge_amount_agreed > 0", name=op.f("ck_offers_fixed_charge_amount_agreed_positive")
        ),
        sa.CheckConstraint("fixed_pay_amount_agreed > 0", name=op.f("ck_offers_fixed_pay_amount_agreed_positive")),
        sa.CheckConstraint(
            "fixed_price_upfront_payment >= 0", name=op.f("ck_offers_fixed_price_upfront_payment_not_negative")
        ),
        sa.CheckConstraint("hourly_pay_rate > 0", name=op.f("ck_offers_hourly_pay_rate_positive")),
        sa.CheckConstraint("weekly_hours_limit >= 0", name=op.f("ck_offers_weekly_hours_limit_not_negative")),
        sa.CheckConstraint(
            "weekly_salary_charge_amount > 0", name=op.f("ck_offers_weekly_salary_charge_amount_positive")
        ),
        sa.CheckConstraint("weekly_salary_pay_amount > 0", name=op.f("ck_offers_weekly_salary_pay_amount_positive")),
        sa.CheckConstraint("weekly_stipend_hours >= 0", name=op.f("ck_offers_weekly_stipend_hours_not_negative")),
        sa.ForeignKeyConstraint(["buyer_team_id"], ["teams.id"], name=op.f("fk_offers_buyer_team_id_teams")),
        sa.ForeignKeyConstraint(["candidacy_id"], ["candidacies.id"], name=op.f("fk_offers_candidacy_id_candidacies")),
        sa.ForeignKeyConstraint(["created_by_user_id"], ["users.id"], name=op.f("fk_offers_created_by_user_id_users")),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name=op.f("fk_offers_job_id_jobs")),
        sa.ForeignKeyConstraint(["provider_team_id"], ["teams.id"], name=op.f("fk_offers_provider_team_id_teams")),
        sa.ForeignKeyConstraint(["provider_user_id"], ["users.id"], name=op.f("fk_offers_provider_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offers")),
        sa.UniqueConstraint("reference", name=op.f("uq_offers_reference")),
    )
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offers_buyer_team_id"), ["buyer_team_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_offers_candidacy_id"), ["candidacy_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_offers_job_id"), ["job_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_offers_provider_team_id"), ["provider_team_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_offers_provider_user_id"), ["provider_user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_offers_status"), ["status"], unique=False)

    op.create_table(
        "offer_milestones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("deposit_amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.CheckConstraint("deposit_amount > 0", name=op.f("ck_offer_milestones_deposit_amount_positive")),
        sa.CheckConstraint("position >= 0", name=op.f("ck_offer_milestones_position_not_negative")),
        sa.ForeignKeyConstraint(
            ["offer_id"], ["offers.id"], name=op.f("fk_offer_milestones_offer_id_offers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer_milestones")),
        sa.UniqueConstraint("offer_id", "position", name=op.f("uq_offer_milestones_offer_id_position")),
    )
    op.create_table(
        "engagement_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("action IN ('end', 'restart', 'suspend')", name=op.f("ck_engagement_events_action")),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagements.id"],
            name=op.f("fk_engagement_events_engagement_id_engagements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_engagement_events_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_events")),
    )
    with op.batch_alter_table("engagement_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_engagement_events_engagement_id"), ["engagement_id"], unique=False)

    op.create_table(
        "engagement_feedback_scores",
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("score_id", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("score", sa.Numeric(precision=3, scale=2), nullable=False),
        sa.CheckConstraint("score >= 1 AND score <= 5", name=op.f("ck_engagement_feedback_scores_score")),
        sa.CheckConstraint("score_id >= 3 AND score_id <= 14", name=op.f("ck_engagement_feedback_scores_score_id")),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagements.id"],
            name=op.f("fk_engagement_feedback_scores_engagement_id_engagements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("engagement_id", "score_id", name=op.f("pk_engagement_feedback_scores")),
    )
    op.create_table(
        "milestones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.BigInteger(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("deposit_amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("funded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paid_amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("bonus", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("pay_comments", sa.Text(), nullable=True),
        sa.Column("underpayment_reason", sa.SmallInteger(), nullable=True),
        sa.Column("note2contractor", sa.Text(), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("payment_transaction_ref", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('active', 'deleted', 'not_funded', 'paid', 'submitted')", name=op.f("ck_milestones_status")
        ),
        sa.CheckConstraint("bonus >= 0", name=op.f("ck_milestones_bonus_not_negative")),
        sa.CheckConstraint("deposit_amount > 0", name=op.f("ck_milestones_deposit_amount_positive")),
        sa.CheckConstraint("paid_amount >= 0", name=op.f("ck_milestones_paid_amount_not_negative")),
        sa.CheckConstraint("position >= 0", name=op.f("ck_milestones_position_not_negative")),
        sa.CheckConstraint(
            "underpayment_reason IN (329, 330, 331, 332)", name=op.f("ck_milestones_underpayment_reason")
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"], ["engagements.id"], name=op.f("fk_milestones_engagement_id_engagements")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestones")),
        sa.UniqueConstraint("engagement_id", "position", name=op.f("uq_milestones_engagement_id_position")),
        sa.UniqueConstraint("reference", name=op.f("uq_milestones_reference")),
    )
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_milestones_status"), ["status"], unique=False)

    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.BigInteger(), nullable=False),
        sa.Column("milestone_id", sa.Integer(), nullable=False),
        sa.Column("note2client", sa.Text(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note2contractor", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('approved', 'pending', 'rejected')", name=op.f("ck_submissions_status")),
        sa.CheckConstraint("amount > 0", name=op.f("ck_submissions_amount_positive")),
        sa.ForeignKeyConstraint(
            ["milestone_id"], ["milestones.id"], name=op.f("fk_submissions_milestone_id_milestones")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submissions")),
        sa.UniqueConstraint("reference", name=op.f("uq_submissions_reference")),
    )
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_submissions_milestone_id"), ["milestone_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_submissions_status"), ["status"], unique=False)

    _add_engagement_columns()
    _seed_job_categories()


def downgrade() -> None:
    _drop_engagement_columns()

    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submissions_status"))
        batch_op.drop_index(batch_op.f("ix_submissions_milestone_id"))

    op.drop_table("submissions")
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_milestones_status"))

    op.drop_table("milestones")
    op.drop_table("engagement_feedback_scores")
    with op.batch_alter_table("engagement_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engagement_events_engagement_id"))

    op.drop_table("engagement_events")
    op.drop_table("offer_milestones")
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offers_status"))
        batch_op.drop_index(batch_op.f("ix_offers_provider_user_id"))
        batch_op.drop_index(batch_op.f("ix_offers_provider_team_id"))
        batch_op.drop_index(batch_op.f("ix_offers_job_id"))
        batch_op.drop_index(batch_op.f("ix_offers_candidacy_id"))
        batch_op.drop_index(batch_op.f("ix_offers_buyer_team_id"))

    op.drop_table("offers")
    with op.batch_alter_table("candidacies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_candidacies_status"))
        batch_op.drop_index(batch_op.f("ix_candidacies_provider_user_id"))
        batch_op.drop_index(batch_op.f("ix_candidacies_provider_team_id"))

    op.drop_table("candidacies")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_status"))
        batch_op.drop_index(batch_op.f("ix_jobs_created_by_user_id"))
        batch_op.drop_index(batch_op.f("ix_jobs_buyer_team_id"))

    op.drop_table("jobs")
    with op.batch_alter_table("job_categories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_categories_parent_id"))

    op.drop_table("job_categories")


def _add_engagement_columns() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for name, type_, referred in ENGAGEMENT_COLUMNS:
        if sqlite and referred is not None:
            op.execute(
                f"ALTER TABLE engagements ADD COLUMN {name} INTEGER "
                f"CONSTRAINT fk_engagements_{name}_{referred} REFERENCES {referred} (id)"
            )
        else:
            op.add_column("engagements", sa.Column(name, type_, nullable=True))
    if not sqlite:
        op.create_foreign_key(op.f("fk_engagements_job_id_jobs"), "engagements", "jobs", ["job_id"], ["id"])
        op.create_foreign_key(op.f("fk_engagements_offer_id_offers"), "engagements", "offers", ["offer_id"], ["id"])
    op.create_index(op.f("ix_engagements_job_id"), "engagements", ["job_id"], unique=False)
    op.create_index(op.f("ix_engagements_offer_id"), "engagements", ["offer_id"], unique=True)


def _drop_engagement_columns() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.drop_index(op.f("ix_engagements_offer_id"), table_name="engagements")
    op.drop_index(op.f("ix_engagements_job_id"), table_name="engagements")
    if not sqlite:
        op.drop_constraint(op.f("fk_engagements_offer_id_offers"), "engagements", type_="foreignkey")
        op.drop_constraint(op.f("fk_engagements_job_id_jobs"), "engagements", type_="foreignkey")
    for name, _type, _referred in reversed(ENGAGEMENT_COLUMNS):
        # SQLite (3.35+) drops a column in place, even one with an inline foreign key.
        op.execute(f"ALTER TABLE engagements DROP COLUMN {name}")


def _seed_job_categories() -> None:
    table = sa.table(
        "job_categories",
        sa.column("id", sa.Integer()),
        sa.column("version", sa.SmallInteger()),
        sa.column("parent_id", sa.Integer()),
        sa.column("title", sa.String()),
    )
    rows = []
    for version, categories in ((1, JOB_CATEGORIES_V1), (2, JOB_CATEGORIES_V2)):
        for category_id, title, subcategories in categories:
            rows.append({"id": category_id, "version": version, "parent_id": None, "title": title})
            rows.extend(
                {"id": category_id * 100 + position, "version": version, "parent_id": category_id, "title": sub}
                for position, sub in enumerate(subcategories, start=1)
            )
    op.bulk_insert(table, rows)
