"""``/api/auth/v1``: the OAuth token endpoints and the caller's info.

The token endpoints answer with ``application/x-www-form-urlencoded`` bodies
as RFC 5849 says (python-odesk and python-upwork parse them so); their
errors are JSON like every other error. They accept GET too, because the
parameters may travel in the query string and some clients used GET.
"""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from odesk_server.api.deps import (
    Caller,
    get_database,
    get_oauth_provider,
    get_settings,
    run_blocking,
    run_verified,
    signed_request,
)
from odesk_server.api.responses import api_response
from odesk_server.models import STAFFING_MANAGER, Company, Team, UserRole, UserRolePermission

router = APIRouter()

FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"


@router.api_route("/api/auth/v1/oauth/token/request", methods=["GET", "POST"])
async def request_token(request: Request) -> Response:
    """RFC 5849 section 2.1: issue temporary credentials (a request token)."""
    signed = signed_request(request, await request.body())
    body = await run_blocking(request, lambda: get_oauth_provider(request).issue_request_token(signed))
    return Response(body, media_type=FORM_MEDIA_TYPE)


@router.api_route("/api/auth/v1/oauth/token/access", methods=["GET", "POST"])
async def access_token(request: Request) -> Response:
    """RFC 5849 section 2.3: exchange an authorized request token for token credentials."""
    signed = signed_request(request, await request.body())
    body = await run_blocking(request, lambda: get_oauth_provider(request).issue_access_token(signed))
    return Response(body, media_type=FORM_MEDIA_TYPE)


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


@router.get("/api/auth/v1/info")
async def info(request: Request) -> Response:
    """The caller's own info: ``{"auth_user": {...}, "info": {ref, capacity, location, ...}}``."""
    return await run_verified(request, lambda caller: _info(request, caller))


def _info(request: Request, caller: Caller) -> Response:
    with get_database(request).session() as session:
        return _info_in_session(request, caller, session)


def _info_in_session(request: Request, caller: Caller, session: Session) -> Response:
    user = caller.user
    companies = session.execute(
        sa.select(Company.is_agency, sa.func.count())
        .select_from(UserRole)
        .join(Team, Team.id == UserRole.team_id)
        .join(Company, Company.id == Team.company_id)
        .where(UserRole.user_id == user.id)
        .group_by(Company.is_agency)
    ).all()
    in_buyer_company = any(not is_agency for is_agency, _ in companies)
    in_agency = any(is_agency for is_agency, _ in companies)
    owns_company = session.execute(sa.select(Company.id).where(Company.owner_user_id == user.id).limit(1)).first()
    staffing = session.execute(
        sa.select(UserRolePermission.user_role_id)
        .join(UserRole, UserRole.id == UserRolePermission.user_role_id)
        .where(UserRole.user_id == user.id, UserRolePermission.permission == STAFFING_MANAGER)
        .limit(1)
    ).first()
    base_url = get_settings(request).base_url
    profile_url = f"{base_url}/users/{user.profile_key}" if user.profile_key else ""
    return api_response(
        request,
        user,
        {
            "info": {
                "ref": str(user.reference),
                "uid": user.uid,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "profile_url": profile_url,
                "company_url": "",
                "has_agency": "1" if in_agency else "0",
                "portrait_32_img": "",
                "portrait_50_img": "",
                "portrait_100_img": "",
                "capacity": {
                    "provider": _yes_no(user.is_provider),
                    "buyer": _yes_no(in_buyer_company or owns_company is not None),
                    "affiliate_manager": _yes_no(staffing is not None),
                },
                "location": {"city": user.city or "", "state": "", "country": user.country or ""},
            }
        },
    )
