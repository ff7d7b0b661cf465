"""HR v3 (and python-upwork's v4): candidacies as the client and the contractor list them.

The server side of ``client.hr_v3.list_client_applications``,
``get_client_application``, ``list_freelancer_applications`` and
``get_freelancer_application``, and of python-upwork's
``hr.clients.applications`` and ``hr.freelancers.applications``, which
call the same resources under ``/api/hr/v4`` with the same parameters:
both versions answer alike.

An application is a ``Candidacy`` (``models.hiring``): made by the buyer's
invitation to interview or by the provider applying. The client's side
needs hiring or finance permission on ``buyer_team__reference`` (403
without it, 404 for a team the caller does not see), and sees the
candidacies for jobs of that team and the teams below it. The contractor's
side is the provider himself, and the staffing manager of the agency he
applied through. A candidacy the caller may not see answers 404 like one
that does not exist.

``status`` filters as ``queries.applications`` maps the documented words
(client: shortlisted, messaged, hired, offered, declined, hidden;
contractor: interviews, invites, active); another word is a 400.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, TypeVar

import sqlalchemy as sa
from pydantic import Field
from typing_extensions import TypedDict

from odesk_server.access import rules
from odesk_server.access.scope import org_scope
from odesk_server.api.endpoint import SIGNED_IN, Api, Call, Params
from odesk_server.api.params import OptionalText, Page, PageParam, PathKey
from odesk_server.problems import Invalid, NotFound
from odesk_server.queries import applications as queries
from odesk_server.queries import jobs as job_queries
from odesk_server.queries.applications import (
    CLIENT_STATUSES,
    CONTRACTOR_STATUSES,
    ApplicationFilter,
    ApplicationRow,
)
from odesk_server.wire import Lister, bool_text, epoch_ms_text, lister

P = TypeVar("P", bound=Params)
R = TypeVar("R")

api = Api(
    "hr applications", "HR v3: candidacies as the client and the contractor list them (/api/hr/v3/.../applications)"
)

VERSIONS = ("v3", "v4")
WHAT = "application"


# --------------------------------------------------------------------------
# Shapes


class ApplicationObject(TypedDict):
    reference: str
    status: str
    created_by: str
    job__reference: str
    job_key: str
    job__title: str
    buyer_team__reference: str
    buyer_team__id: str
    provider__reference: str
    provider__id: str
    provider__name: str
    profile_key: str
    provider_team__reference: str
    provider_team__id: str
    cover_letter: str
    is_shortlisted: str
    is_hidden: str
    created_time: str
    updated_time: str


class ApplicationList(TypedDict):
    lister: Lister
    application: list[ApplicationObject]


class ApplicationsReply(TypedDict):
    applications: ApplicationList


class ApplicationReply(TypedDict):
    application: ApplicationObject


def application_payload(row: ApplicationRow) -> ApplicationObject:
    """A candidacy as the listings show it; ``created_by`` is ``client`` (an invitation) or ``provider``."""
    return {
        "reference": str(row.reference),
        "status": row.status,
        "created_by": "client" if row.origin == "invitation" else "provider",
        "job__reference": str(row.job_reference),
        "job_key": row.job_key,
        "job__title": row.job_title,
        "buyer_team__reference": str(row.buyer_team_reference),
        "buyer_team__id": row.buyer_team_key,
        "provider__reference": str(row.provider_reference),
        "provider__id": row.provider_uid,
        "provider__name": f"{row.provider_first_name} {row.provider_last_name}",
        "profile_key": row.provider_profile_key or "",
        "provider_team__reference": "" if row.provider_team_reference is None else str(row.provider_team_reference),
        "provider_team__id": row.provider_team_key or "",
        "cover_letter": row.cover or "",
        "is_shortlisted": bool_text(row.is_shortlisted),
        "is_hidden": bool_text(row.is_hidden),
        "created_time": epoch_ms_text(row.created_at),
        "updated_time": epoch_ms_text(row.updated_at),
    }


# --------------------------------------------------------------------------
# Parameters


class ClientApplicationsParams(Params):
    buyer_team_reference: Annotated[str, Field(alias="buyer_team__reference")]
    job_key: str
    status: OptionalText = None
    profile_key: OptionalText = None
    agency_team_reference: Annotated[OptionalText, Field(alias="agency_team__reference")] = None
    order_by: OptionalText = None
    page: PageParam = Page(0, 20)


class ClientApplicationParams(Params):
    application_id: PathKey
    buyer_team_reference: Annotated[str, Field(alias="buyer_team__reference")]


class FreelancerApplicationsParams(Params):
    status: OptionalText = None
    order_by: OptionalText = None
    page: PageParam = Page(0, 20)


class FreelancerApplicationParams(Params):
    application_id: PathKey


def _status(text: str | None, choices: Mapping[str, sa.ColumnElement[bool]]) -> sa.ColumnElement[bool] | None:
    if text is None:
        return None
    condition = choices.get(text)
    if condition is None:
        raise Invalid(f"status must be one of {', '.join(choices)}, got {text!r}")
    return condition


def _listing(total: int, page: Page, sort: str | None, rows: list[ApplicationObject]) -> ApplicationsReply:
    return {"applications": {"lister": lister(total, page.offset, page.size, sort or "reference"), "application": rows}}


_NOT_FOUND = {404: "not_found: no such application, job or team, or one the caller may not see"}
_CLIENT_ERRORS = {
    **_NOT_FOUND,
    403: "access_denied: no hiring or finance permission on buyer_team__reference",
    400: "bad_request: a status or order_by the listing does not know",
}


# --------------------------------------------------------------------------
# Endpoints (each under /api/hr/v3 and python-upwork's /api/hr/v4)


def list_client_applications(call: Call[ClientApplicationsParams]) -> ApplicationsReply:
    """The candidacies for one job of the team (or a team below it), as the client sees them.

    ``job_key``: the job's public key; ``status``: shortlisted, messaged,
    hired, offered, declined or hidden; ``profile_key``: one freelancer;
    ``agency_team__reference``: one agency's team; ``page``: offset;count
    (python-odesk's ``None;None`` is the first page).
    """
    p = call.params
    scope = org_scope(call.db, call.user.id)
    team = rules.reading_team(scope, p.buyer_team_reference)
    teams = scope.subtree(team)
    job = job_queries.jobs_by_keys(call.db, [p.job_key]).get(p.job_key)
    if job is None or job.buyer_team_id not in teams:
        raise NotFound(f"No job with key {p.job_key!r} on the team {p.buyer_team_reference}")
    filters = ApplicationFilter(
        buyer_team_ids=teams,
        job_key=p.job_key,
        profile_key=p.profile_key,
        agency_team_key=p.agency_team_reference,
        status=_status(p.status, CLIENT_STATUSES),
    )
    total, rows = queries.applications_page(call.db, filters, p.order_by, *p.page)
    return _listing(total, p.page, p.order_by, [application_payload(row) for row in rows])


def get_client_application(call: Call[ClientApplicationParams]) -> ApplicationReply:
    """One candidacy for a job of the team (or a team below it), as the client sees it."""
    p = call.params
    scope = org_scope(call.db, call.user.id)
    team = rules.reading_team(scope, p.buyer_team_reference)
    row = queries.application_by_reference(call.db, p.application_id)
    if row is None or row.buyer_team_id not in scope.subtree(team):
        raise NotFound(f"No {WHAT} with reference {p.application_id!r} on the team {p.buyer_team_reference}")
    return {"application": application_payload(row)}


def list_freelancer_applications(call: Call[FreelancerApplicationsParams]) -> ApplicationsReply:
    """The caller's own candidacies, and those of his agencies' contractors when he is their staffing manager.

    ``status``: invites (invited), interviews (interviewing or offered),
    active (any of the three); none: every candidacy.
    """
    p = call.params
    scope = org_scope(call.db, call.user.id)
    filters = ApplicationFilter(
        provider_user_ids=[call.user.id],
        provider_team_ids=rules.staffed_teams(scope),
        status=_status(p.status, CONTRACTOR_STATUSES),
    )
    total, rows = queries.applications_page(call.db, filters, p.order_by, *p.page)
    return _listing(total, p.page, p.order_by, [application_payload(row) for row in rows])


def get_freelancer_application(call: Call[FreelancerApplicationParams]) -> ApplicationReply:
    """One candidacy of the caller's (or of a contractor of an agency he is staffing manager of)."""
    key = call.params.application_id
    row = queries.application_by_reference(call.db, key)
    if row is not None and row.provider_user_id != call.user.id:
        scope = org_scope(call.db, call.user.id)
        parties = rules.ContractParties(row.buyer_team_id, row.provider_user_id, row.agency_company_id)
        if not rules.standing(scope, parties).provides:
            row = None
    if row is None:
        raise NotFound(f"No {WHAT} with reference {key!r}")
    return {"application": application_payload(row)}


def _under(version: str, handler: Callable[[Call[P]], R]) -> Callable[[Call[P]], R]:
    """``handler`` as the endpoint of API ``version``: the v3 handler itself, a copy named ``..._v4`` for v4."""
    if version == "v3":
        return handler

    def endpoint(call: Call[P]) -> R:
        return handler(call)

    endpoint.__name__ = endpoint.__qualname__ = f"{handler.__name__}_{version}"
    endpoint.__doc__ = handler.__doc__
    return endpoint


for _version in VERSIONS:
    _prefix = f"/api/hr/{_version}"
    api.get(
        f"{_prefix}/clients/applications",
        access=SIGNED_IN,
        params=ClientApplicationsParams,
        returns=ApplicationsReply,
        errors=_CLIENT_ERRORS,
    )(_under(_version, list_client_applications))
    api.get(
        f"{_prefix}/clients/applications/{{application_id}}",
        access=SIGNED_IN,
        params=ClientApplicationParams,
        returns=ApplicationReply,
        errors=_CLIENT_ERRORS,
    )(_under(_version, get_client_application))
    api.get(
        f"{_prefix}/contractors/applications",
        access=SIGNED_IN,
        params=FreelancerApplicationsParams,
        returns=ApplicationsReply,
        errors={400: "bad_request: a status other than interviews, invites or active"},
    )(_under(_version, list_freelancer_applications))
    api.get(
        f"{_prefix}/contractors/applications/{{application_id}}",
        access=SIGNED_IN,
        params=FreelancerApplicationParams,
        returns=ApplicationReply,
        errors=_NOT_FOUND,
    )(_under(_version, get_freelancer_application))


__all__ = ["api", "application_payload"]
