"""The tables of the server (SQLAlchemy 2, typed declarative), one module per domain.

- ``base``: the declarative ``Base`` and its metadata, the column types
  (``MONEY``, ``HOURS``, ``RATE``, ``UTCDateTime``), ``utcnow``, ``table_of``;
- ``org``: users, companies, teams, roles and permission flags;
- ``work``: engagements (contracts), their history and feedback, time logs,
  fixed-price milestones and submissions;
- ``hiring``: job categories, jobs, candidacies (applications), offers and
  the milestones offered;
- ``money``: accounting entities and ledger entries;
- ``tasks``: activities (task codes) of teams and their contracts;
- ``diary``: the ten-minute snapshots of work diaries;
- ``reference``: the metadata API's skills, regions, tests, reasons, specialties;
- ``profiles``: provider profiles (skills, tests taken, portfolio);
- ``messages``: the message center's threads, posts and flags;
- ``auth``: OAuth consumers and tokens, nonces, the login throttle;
- ``references``: the ``reference`` numbers the API shows, per kind.

A new table goes in the module of its domain (a new module when none fits)
and is imported below, so that ``Base.metadata`` (what the migrations are
compared with) holds every table. The modules only describe rows; the rules
that change them (ledger postings, contract states) live in
``odesk_server.domain``. Import names from this package, not from its
modules: ``from odesk_server.models import Engagement``.

Times are stored in UTC (``UTCDateTime`` returns aware datetimes on every
backend); money and hours are ``Numeric`` and read back as ``Decimal``.
"""

from __future__ import annotations

from odesk_server.models.auth import (
    AccessToken,
    Consumer,
    ConsumerCallbackOrigin,
    FailedLoginCounter,
    OAuthNonce,
    RequestToken,
    WebSession,
)
from odesk_server.models.base import (
    HOURS,
    MONEY,
    NAMING_CONVENTION,
    RATE,
    STATUSES,
    Base,
    UTCDateTime,
    table_of,
    utcnow,
)
from odesk_server.models.diary import MAX_SNAPSHOT_MEMO, MAX_WINDOW_TITLE, SEGMENT_MINUTES, Snapshot
from odesk_server.models.hiring import (
    CANDIDACY_ORIGINS,
    CANDIDACY_STATUSES,
    JOB_CANCEL_REASONS,
    JOB_STATUSES,
    JOB_VISIBILITIES,
    OFFER_STATUSES,
    SEEDED_BY_MIGRATIONS,
    Candidacy,
    Job,
    JobCategory,
    Offer,
    OfferMilestone,
)
from odesk_server.models.messages import MessagePost, MessageThread, ThreadMember
from odesk_server.models.money import (
    ACCOUNTING_ENTITY_KINDS,
    CENT,
    DEFAULT_FEE_RATE,
    LEDGER_SUBTYPES,
    LEDGER_TYPES,
    AccountingEntity,
    LedgerEntry,
    money,
)
from odesk_server.models.org import (
    MANAGE_EMPLOYMENT,
    MANAGE_FINANCE,
    MANAGE_RECRUITING,
    MANAGE_TEAMROOM,
    PERMISSIONS,
    ROLES,
    STAFFING_MANAGER,
    Company,
    Team,
    User,
    UserRole,
    UserRolePermission,
)
from odesk_server.models.profiles import PortfolioItem, ProviderProfile, ProviderSkill, ProviderTest
from odesk_server.models.reference import Reason, Region, Skill, SkillTest, Specialty
from odesk_server.models.references import REFERENCE_BASES, next_reference
from odesk_server.models.tasks import ACTIVITY_STATUSES, Activity, ActivityAssignment
from odesk_server.models.work import (
    CONTRACTOR_SCORE_IDS,
    EMPLOYER_SCORE_IDS,
    END_REASONS,
    ENGAGEMENT_EVENT_ACTIONS,
    ENGAGEMENT_STATUSES,
    JOB_TYPES,
    MILESTONE_STATUSES,
    SUBMISSION_STATUSES,
    UNDERPAYMENT_REASONS,
    Engagement,
    EngagementEvent,
    EngagementFeedbackScore,
    Milestone,
    Submission,
    TimeLog,
    price_time,
)

__all__ = [
    "ACCOUNTING_ENTITY_KINDS",
    "ACTIVITY_STATUSES",
    "CANDIDACY_ORIGINS",
    "CANDIDACY_STATUSES",
    "CENT",
    "CONTRACTOR_SCORE_IDS",
    "DEFAULT_FEE_RATE",
    "EMPLOYER_SCORE_IDS",
    "END_REASONS",
    "ENGAGEMENT_EVENT_ACTIONS",
    "ENGAGEMENT_STATUSES",
    "HOURS",
    "JOB_CANCEL_REASONS",
    "JOB_STATUSES",
    "JOB_TYPES",
    "JOB_VISIBILITIES",
    "LEDGER_SUBTYPES",
    "LEDGER_TYPES",
    "MANAGE_EMPLOYMENT",
    "MANAGE_FINANCE",
    "MANAGE_RECRUITING",
    "MANAGE_TEAMROOM",
    "MAX_SNAPSHOT_MEMO",
    "MAX_WINDOW_TITLE",
    "MILESTONE_STATUSES",
    "MONEY",
    "NAMING_CONVENTION",
    "OFFER_STATUSES",
    "PERMISSIONS",
    "RATE",
    "REFERENCE_BASES",
    "ROLES",
    "SEEDED_BY_MIGRATIONS",
    "SEGMENT_MINUTES",
    "STAFFING_MANAGER",
    "STATUSES",
    "SUBMISSION_STATUSES",
    "UNDERPAYMENT_REASONS",
    "AccessToken",
    "AccountingEntity",
    "Activity",
    "ActivityAssignment",
    "Base",
    "Candidacy",
    "Company",
    "Consumer",
    "ConsumerCallbackOrigin",
    "Engagement",
    "EngagementEvent",
    "EngagementFeedbackScore",
    "FailedLoginCounter",
    "Job",
    "JobCategory",
    "LedgerEntry",
    "MessagePost",
    "MessageThread",
    "Milestone",
    "OAuthNonce",
    "Offer",
    "OfferMilestone",
    "PortfolioItem",
    "ProviderProfile",
    "ProviderSkill",
    "ProviderTest",
    "Reason",
    "Region",
    "RequestToken",
    "Skill",
    "SkillTest",
    "Snapshot",
    "Specialty",
    "Submission",
    "Team",
    "ThreadMember",
    "TimeLog",
    "UTCDateTime",
    "User",
    "UserRole",
    "UserRolePermission",
    "WebSession",
    "money",
    "next_reference",
    "price_time",
    "table_of",
    "utcnow",
]
