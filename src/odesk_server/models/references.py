"""The ``reference`` numbers the API shows for users, teams, companies, contracts and money.

Every row has an integer primary key ``id`` used only inside the database.
What the API shows is a ``reference``: a unique number per kind of object,
the ``{ref}`` of ``/api/hr/v2/teams/{ref}`` and of the finreport paths.
Each kind numbers its references from its own base so that a reference
read in a log hints at what it names (users 1xxxxxx, teams 2xxxxxx...,
candidacies 10xxxxxx). A job's public ``job_key`` is not a reference.
A new table with a ``reference`` column gets its base here.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from odesk_server.models.base import Base
from odesk_server.models.hiring import Candidacy, Job, Offer
from odesk_server.models.money import AccountingEntity, LedgerEntry
from odesk_server.models.org import Company, Team, User, UserRole
from odesk_server.models.work import Engagement, Milestone, Submission

REFERENCE_BASES: dict[type[Base], int] = {
    User: 1_000_000,
    Team: 2_000_000,
    Company: 3_000_000,
    Engagement: 4_000_000,
    AccountingEntity: 5_000_000,
    LedgerEntry: 6_000_000,
    UserRole: 7_000_000,
    Job: 8_000_000,
    Offer: 9_000_000,
    Candidacy: 10_000_000,
    Milestone: 11_000_000,
    Submission: 12_000_000,
}


def next_reference(session: Session, model: type[Base]) -> int:
    """The next free ``reference`` for ``model`` (max + 1, starting at its base).

    Two concurrent writers may pick the same number; the unique constraint
    then rejects one of them, which is what we want.
    """
    column = model.__table__.c.reference
    current = session.execute(sa.select(sa.func.max(column))).scalar()
    base = REFERENCE_BASES.get(model, 1)
    return max(int(current or 0), base) + 1
