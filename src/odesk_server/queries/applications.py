"""Reads of candidacies (the "applications" of HR v3 and v4): one, or a filtered page of them.

The statuses the listings filter on are words of the API, each standing for
some candidacy statuses or marks (``models.Candidacy``): ``CLIENT_STATUSES``
for the client's listing, ``CONTRACTOR_STATUSES`` for the contractor's.
Nothing here decides permissions: the endpoint passes what the caller may
see.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row
from sqlalchemy.orm import aliased

from odesk_server.access.keys import as_reference
from odesk_server.db.work import UnitOfWork
from odesk_server.models import Candidacy, Job, Team, User
from odesk_server.queries.ordering import order_by

_BUYER_TEAM = aliased(Team)
_PROVIDER = aliased(User)
_PROVIDER_TEAM = aliased(Team)

# The client's ``status`` words: the candidacy statuses each stands for, or the mark it is.
CLIENT_STATUSES: dict[str, sa.ColumnElement[bool]] = {
    "shortlisted": Candidacy.is_shortlisted.is_(True),
    "hidden": Candidacy.is_hidden.is_(True),
    "messaged": Candidacy.status.in_(["interviewing", "offered", "hired"]),
    "offered": Candidacy.status == "offered",
    "hired": Candidacy.status == "hired",
    "declined": Candidacy.status.in_(["declined", "withdrawn"]),
}
# The contractor's ``status`` words.
CONTRACTOR_STATUSES: dict[str, sa.ColumnElement[bool]] = {
    "invites": Candidacy.status == "invited",
    "interviews": Candidacy.status.in_(["interviewing", "offered"]),
    "active": Candidacy.status.in_(["invited", "interviewing", "offered"]),
}

_APPLICATION_COLUMNS = sa.select(
    Candidacy.id,
    Candidacy.reference,
    Candidacy.origin,
    Candidacy.status,
    Candidacy.cover,
    Candidacy.is_shortlisted,
    Candidacy.is_hidden,
    Candidacy.created_at,
    Candidacy.updated_at,
    Candidacy.provider_user_id,
    Job.buyer_team_id,
    Job.reference.label("job_reference"),
    Job.job_key,
    Job.title.label("job_title"),
    _BUYER_TEAM.reference.label("buyer_team_reference"),
    _BUYER_TEAM.team_id.label("buyer_team_key"),
    _PROVIDER.reference.label("provider_reference"),
    _PROVIDER.uid.label("provider_uid"),
    _PROVIDER.first_name.label("provider_first_name"),
    _PROVIDER.last_name.label("provider_last_name"),
    _PROVIDER.profile_key.label("provider_profile_key"),
    _PROVIDER_TEAM.reference.label("provider_team_reference"),
    _PROVIDER_TEAM.team_id.label("provider_team_key"),
    _PROVIDER_TEAM.company_id.label("agency_company_id"),
).select_from(
    sa.join(Candidacy, Job, Job.id == Candidacy.job_id)
    .join(_BUYER_TEAM, _BUYER_TEAM.id == Job.buyer_team_id)
    .join(_PROVIDER, _PROVIDER.id == Candidacy.provider_user_id)
    .outerjoin(_PROVIDER_TEAM, _PROVIDER_TEAM.id == Candidacy.provider_team_id)
)

ApplicationRow = Row[Any]

ORDER_FIELDS: dict[str, Any] = {
    "reference": Candidacy.reference,
    "created_time": Candidacy.created_at,
    "updated_time": Candidacy.updated_at,
    "status": Candidacy.status,
    "provider__reference": _PROVIDER.reference,
    "job__reference": Job.reference,
}


@dataclass(frozen=True)
class ApplicationFilter:
    """What a listing keeps; None leaves a filter out.

    ``buyer_team_ids``: the jobs' buyer teams; ``provider_user_ids`` and
    ``provider_team_ids``: the contractor side (either matches);
    ``status``: a condition from ``CLIENT_STATUSES`` or
    ``CONTRACTOR_STATUSES``.
    """

    buyer_team_ids: Collection[int] | None = None
    job_key: str | None = None
    provider_user_ids: Collection[int] | None = None
    provider_team_ids: Collection[int] | None = None
    profile_key: str | None = None
    agency_team_key: str | None = None
    status: sa.ColumnElement[bool] | None = None

    def conditions(self) -> list[sa.ColumnElement[bool]]:
        where: list[sa.ColumnElement[bool]] = []
        if self.buyer_team_ids is not None:
            where.append(Job.buyer_team_id.in_(sorted(self.buyer_team_ids)))
        if self.job_key is not None:
            where.append(Job.job_key == self.job_key)
        if self.provider_user_ids is not None or self.provider_team_ids is not None:
            where.append(
                sa.or_(
                    Candidacy.provider_user_id.in_(sorted(self.provider_user_ids or ())),
                    Candidacy.provider_team_id.in_(sorted(self.provider_team_ids or ())),
                )
            )
        if self.profile_key is not None:
            where.append(_PROVIDER.profile_key == self.profile_key)
        if self.agency_team_key is not None:
            reference = as_reference(self.agency_team_key)
            where.append(
                sa.or_(
                    _PROVIDER_TEAM.team_id == self.agency_team_key,
                    _PROVIDER_TEAM.reference == reference if reference is not None else sa.false(),
                )
            )
        if self.status is not None:
            where.append(self.status)
        return where


def application_by_reference(work: UnitOfWork, key: str) -> ApplicationRow | None:
    """The candidacy whose reference is ``key`` (a number), or None."""
    reference = as_reference(key)
    if reference is None:
        return None
    return work.connection.execute(_APPLICATION_COLUMNS.where(Candidacy.reference == reference)).one_or_none()


def applications_page(
    work: UnitOfWork, filters: ApplicationFilter, sort: str | None, offset: int, size: int
) -> tuple[int, Sequence[ApplicationRow]]:
    """``(total, rows)``: how many candidacies match ``filters``, and the page of them sorted by ``sort``.

    Raises ``problems.Invalid`` for an ``order_by`` it cannot sort on.
    """
    terms = order_by(sort, ORDER_FIELDS, "reference")
    query = _APPLICATION_COLUMNS.where(*filters.conditions())
    total = work.connection.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
    rows = work.connection.execute(query.order_by(*terms, Candidacy.reference).offset(offset).limit(size)).all()
    return int(total), rows
