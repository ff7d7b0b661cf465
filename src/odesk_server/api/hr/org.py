"""``/api/hr/v2``: the organisation as the caller may see it (users, companies, teams, roles).

The server side of ``client.hr.get_user_me``, ``get_user``, ``get_companies``,
``get_company``, ``get_company_teams``, ``get_company_users``, ``get_teams``,
``get_team``, ``get_team_users`` and ``get_user_roles`` (response shapes:
``spec/api-surface.md`` section 6; every value is text, as oDesk sent it).

What a caller sees is the organisation scope (``odesk_server.access.scope``,
one query): the teams under a role of theirs, every team of a company they
own, the companies of those teams, and the users of them. ``userroles``
lists the caller's own roles; ``userroles/{ref}`` (python-upwork) the roles
of a visible user on the teams the caller sees.

An object the caller may not see is answered exactly like an unknown one:
404 ``not_found`` with the same message, so the API never tells whether a
uid, company or team exists (uids are login names). ``{ref}`` is the numeric
reference or the text id (``uid``, ``company_id``, ``team_id``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NotRequired

from typing_extensions import TypedDict

from odesk_server.access.scope import CompanyNode, OrgScope, TeamNode, find_visible_user, org_scope
from odesk_server.api.endpoint import SIGNED_IN, Api, Call, Params
from odesk_server.api.params import Flag, PathKey, StatusFilter
from odesk_server.problems import NotFound
from odesk_server.queries import org as queries
from odesk_server.queries.org import UserFields
from odesk_server.wire import bool_text, timezone_offset

api = Api("hr", "HR v2: users, companies, teams and user roles, as the caller's organisation scope shows them")

PREFIX = "/api/hr/v2"


# --------------------------------------------------------------------------
# Shapes (spec/api-surface.md section 6)


class UserObject(TypedDict):
    reference: str
    id: str
    first_name: str
    last_name: str
    status: str
    timezone: str
    timezone_offset: str
    public_url: str
    is_provider: str


class CompanyObject(TypedDict):
    reference: str
    company_id: str
    name: str
    status: str
    owner_user_id: str


class TeamObject(TypedDict):
    reference: str
    id: str
    name: str
    status: str
    parent_team__reference: str
    parent_team__id: str
    parent_team__name: str
    company__reference: str
    company_name: str
    is_hidden: str


class PermissionList(TypedDict):
    permission: list[str]


class UserRoleObject(TypedDict):
    reference: str
    user__id: str
    user__reference: str
    user__first_name: str
    user__last_name: str
    team__id: str
    team__name: str
    team__reference: str
    parent_team__id: str
    parent_team__name: str
    parent_team__reference: str
    company__name: str
    company__reference: str
    role: str
    affiliation_status: str
    engagement__reference: str
    has_team_room_access: str
    permissions: PermissionList


class UserReply(TypedDict):
    user: UserObject


class UsersReply(TypedDict):
    users: list[UserObject]


class CompanyReply(TypedDict):
    company: CompanyObject


class CompaniesReply(TypedDict):
    companies: list[CompanyObject]


class TeamReply(TypedDict):
    team: TeamObject
    users: NotRequired[list[UserObject]]


class TeamsReply(TypedDict):
    teams: list[TeamObject]


class UserRoleList(TypedDict):
    userrole: list[UserRoleObject]


class UserRolesReply(TypedDict):
    userroles: UserRoleList


# --------------------------------------------------------------------------
# Payloads


def user_payload(user: UserFields, base_url: str) -> UserObject:
    """A user object: reference, id (uid), names, status, timezone, public_url, is_provider."""
    return {
        "reference": str(user.reference),
        "id": user.uid,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "status": user.status,
        "timezone": user.timezone,
        "timezone_offset": timezone_offset(user.timezone),
        "public_url": f"{base_url}/users/{user.profile_key}" if user.profile_key else "",
        "is_provider": bool_text(user.is_provider),
    }


def _users_payload(call: Call[Any], users: Iterable[UserFields]) -> list[UserObject]:
    return [user_payload(u, call.base_url) for u in users]


def company_payload(company: CompanyNode) -> CompanyObject:
    """A company object: reference, company_id, name, status, owner_user_id (the owner's uid)."""
    return {
        "reference": str(company.reference),
        "company_id": company.company_id,
        "name": company.name,
        "status": company.status,
        "owner_user_id": company.owner_uid,
    }


def team_payload(team: TeamNode, scope: OrgScope) -> TeamObject:
    """A team object; a root team names itself as its parent, as the company's own team."""
    company = scope.companies.get(team.company_id)
    parent = scope.teams.get(team.parent_team_id) if team.parent_team_id is not None else team
    parent = parent or team
    return {
        "reference": str(team.reference),
        "id": team.team_id,
        "name": team.name,
        "status": team.status,
        "parent_team__reference": str(parent.reference),
        "parent_team__id": parent.team_id,
        "parent_team__name": parent.name,
        "company__reference": str(company.reference) if company else "",
        "company_name": company.name if company else "",
        "is_hidden": bool_text(team.is_hidden),
    }


def _roles_payload(call: Call[Any], scope: OrgScope | None, user: UserFields) -> list[UserRoleObject]:
    """``user``'s roles (only on teams ``scope`` sees, when given), with their permission flags."""
    rows = queries.roles_of(call.db, user.id)
    if scope is not None:
        rows = [row for row in rows if row.team_pk in scope.visible_team_ids]
    flags = queries.permissions_of_roles(call.db, (row.id for row in rows))
    parents = queries.teams_by_id(call.db, (row.parent_team_id for row in rows if row.parent_team_id is not None))
    result: list[UserRoleObject] = []
    for row in rows:
        parent = parents.get(row.parent_team_id)
        result.append(
            {
                "reference": str(row.reference),
                "user__id": user.uid,
                "user__reference": str(user.reference),
                "user__first_name": user.first_name,
                "user__last_name": user.last_name,
                "team__id": row.team_id,
                "team__name": row.team_name,
                "team__reference": str(row.team_reference),
                # A root team is its own parent, as in the team payloads.
                "parent_team__id": parent.team_id if parent else row.team_id,
                "parent_team__name": parent.name if parent else row.team_name,
                "parent_team__reference": str(parent.reference if parent else row.team_reference),
                "company__name": row.company_name,
                "company__reference": str(row.company_reference),
                "role": row.role,
                "affiliation_status": row.affiliation_status,
                "engagement__reference": str(row.engagement_reference) if row.engagement_reference is not None else "",
                "has_team_room_access": bool_text(row.has_team_room_access),
                "permissions": {"permission": list(flags.get(row.id, []))},
            }
        )
    return result


# --------------------------------------------------------------------------
# Lookups: what the caller may not see is not found


def _company(scope: OrgScope, ref: str) -> CompanyNode:
    company = scope.find_company(ref)
    if company is None:
        raise NotFound(f"No company with reference or id {ref!r}")
    return company


def _team(scope: OrgScope, ref: str) -> TeamNode:
    team = scope.find_visible_team(ref)
    if team is None:
        raise NotFound(f"No team with reference or id {ref!r}")
    return team


def _visible_user(call: Call[Any], scope: OrgScope, ref: str) -> UserFields:
    user = find_visible_user(call.db, scope, ref)
    if user is None:
        raise NotFound(f"No user with reference or id {ref!r}")
    return user


def _scope(call: Call[Any]) -> OrgScope:
    return org_scope(call.db, call.user.id)


# --------------------------------------------------------------------------
# Parameters


class Ref(Params):
    ref: PathKey


class CompanyUsersParams(Params):
    ref: PathKey
    status_in_company: StatusFilter = None


class TeamParams(Params):
    ref: PathKey
    include_users: Flag = False


class TeamUsersParams(Params):
    ref: PathKey
    status_in_team: StatusFilter = None


_NOT_FOUND = {404: "not_found: no such object, or one the caller may not see (never told apart)"}


# --------------------------------------------------------------------------
# Endpoints (declaration order is match order: users/me before users/{ref})


@api.get(f"{PREFIX}/users/me", access=SIGNED_IN, returns=UserReply)
def get_user_me(call: Call[Params]) -> UserReply:
    """The caller's own user object."""
    user = queries.user_by_id(call.db, call.user.id)
    if user is None:  # the account went away between the OAuth check and now
        raise NotFound("No user with reference or id 'me'")
    return {"user": user_payload(user, call.base_url)}


@api.get(f"{PREFIX}/users/{{ref}}", access=SIGNED_IN, params=Ref, returns=UserReply, errors=_NOT_FOUND)
def get_user(call: Call[Ref]) -> UserReply:
    """A user the caller sees, by reference or uid."""
    user = _visible_user(call, _scope(call), call.params.ref)
    return {"user": user_payload(user, call.base_url)}


@api.get(f"{PREFIX}/companies", access=SIGNED_IN, returns=CompaniesReply)
def get_companies(call: Call[Params]) -> CompaniesReply:
    """The companies the caller sees."""
    scope = _scope(call)
    return {"companies": [company_payload(c) for c in sorted(scope.companies.values(), key=lambda c: c.reference)]}


@api.get(f"{PREFIX}/companies/{{ref}}", access=SIGNED_IN, params=Ref, returns=CompanyReply, errors=_NOT_FOUND)
def get_company(call: Call[Ref]) -> CompanyReply:
    """One company the caller sees, by reference or id (``acme`` stands for ``acme:acme``)."""
    return {"company": company_payload(_company(_scope(call), call.params.ref))}


@api.get(f"{PREFIX}/companies/{{ref}}/teams", access=SIGNED_IN, params=Ref, returns=TeamsReply, errors=_NOT_FOUND)
def get_company_teams(call: Call[Ref]) -> TeamsReply:
    """The company's teams the caller sees."""
    scope = _scope(call)
    company = _company(scope, call.params.ref)
    return {"teams": [team_payload(t, scope) for t in scope.visible_teams(company.id)]}


@api.get(
    f"{PREFIX}/companies/{{ref}}/users",
    access=SIGNED_IN,
    params=CompanyUsersParams,
    returns=UsersReply,
    errors=_NOT_FOUND,
)
def get_company_users(call: Call[CompanyUsersParams]) -> UsersReply:
    """Users holding a role on the company's teams the caller sees, and its owner.

    ``status_in_company`` keeps only active or inactive users.
    """
    scope = _scope(call)
    company = _company(scope, call.params.ref)
    owner = [company.owner_user_id] if company.owner_user_id is not None else []
    team_ids = (t.id for t in scope.visible_teams(company.id))
    users = queries.users_with_roles(call.db, team_ids, call.params.status_in_company, owner)
    return {"users": _users_payload(call, users)}


@api.get(f"{PREFIX}/teams", access=SIGNED_IN, returns=TeamsReply)
def get_teams(call: Call[Params]) -> TeamsReply:
    """Every team the caller sees, across companies."""
    scope = _scope(call)
    return {"teams": [team_payload(t, scope) for t in scope.visible_teams()]}


@api.get(f"{PREFIX}/teams/{{ref}}", access=SIGNED_IN, params=TeamParams, returns=TeamReply, errors=_NOT_FOUND)
def get_team(call: Call[TeamParams]) -> TeamReply:
    """One team the caller sees; with ``include_users=true``, also the users holding a role on it."""
    scope = _scope(call)
    team = _team(scope, call.params.ref)
    reply: TeamReply = {"team": team_payload(team, scope)}
    if call.params.include_users:
        reply["users"] = _users_payload(call, queries.users_with_roles(call.db, [team.id], None))
    return reply


@api.get(
    f"{PREFIX}/teams/{{ref}}/users", access=SIGNED_IN, params=TeamUsersParams, returns=UsersReply, errors=_NOT_FOUND
)
def get_team_users(call: Call[TeamUsersParams]) -> UsersReply:
    """Users holding a role on the team; ``status_in_team`` keeps only active or inactive ones."""
    team = _team(_scope(call), call.params.ref)
    return {"users": _users_payload(call, queries.users_with_roles(call.db, [team.id], call.params.status_in_team))}


@api.get(f"{PREFIX}/userroles", access=SIGNED_IN, returns=UserRolesReply)
def get_user_roles(call: Call[Params]) -> UserRolesReply:
    """The caller's roles on every team, with their permission flags."""
    user = queries.user_by_id(call.db, call.user.id)
    if user is None:
        raise NotFound("No user with reference or id 'me'")
    return {"userroles": {"userrole": _roles_payload(call, None, user)}}


@api.get(f"{PREFIX}/userroles/{{ref}}", access=SIGNED_IN, params=Ref, returns=UserRolesReply, errors=_NOT_FOUND)
def get_user_roles_of(call: Call[Ref]) -> UserRolesReply:
    """A visible user's roles on the teams the caller sees (python-upwork's ``roles.get_by_specific_user``)."""
    scope = _scope(call)
    user = _visible_user(call, scope, call.params.ref)
    only_visible = scope if user.id != call.user.id else None
    return {"userroles": {"userrole": _roles_payload(call, only_visible, user)}}


__all__ = ["api", "company_payload", "team_payload", "user_payload"]
