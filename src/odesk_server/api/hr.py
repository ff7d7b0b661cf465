"""``/api/hr/v2``: the organisation as the caller may see it (users, companies, teams, roles).

The handlers are sync functions run in a worker thread together with the
OAuth check (``deps.run_verified``): one to three short indexed queries on a
Core connection (``deps.read_connection``), never on the event loop. They
are plain Starlette routes added to the app itself (``install``), not
FastAPI routes: no dependency resolution, one routing pass. The
organisation query and the caller's row run as driver-level statements
(``oauth.prepared``) on that connection.

The server side of ``client.hr.get_user_me``, ``get_user``, ``get_companies``,
``get_company``, ``get_company_teams``, ``get_company_users``, ``get_teams``,
``get_team``, ``get_team_users`` and ``get_user_roles`` (response shapes:
``spec/api-surface.md`` section 6; every value is text, as oDesk sent it).

Visibility (docs/permissions.md, HR section):

- a role on a team (any role, any permissions) shows that team and every
  team below it; owning a company shows all of its teams;
- a company is visible when one of its teams is;
- a user is visible to themselves, and to anyone who sees a team the user
  holds a role on or a company the user owns;
- ``userroles`` lists the caller's own roles; ``userroles/{user}`` (python-upwork)
  the roles of a visible user on the teams the caller sees.

An object the caller may not see is answered exactly like an unknown one:
404 ``not_found`` with the same message, so the API never tells whether a
uid, company or team exists (uids are login names). ``{ref}`` is the numeric
reference or the text id (``uid``, ``company_id``, ``team_id``).
"""

from __future__ import annotations

from collections import defaultdict, namedtuple
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol, cast

import sqlalchemy as sa
from fastapi import APIRouter, FastAPI, Request
from sqlalchemy.engine import Connection, Row
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Route

from odesk_server.api.deps import Caller, get_settings, read_connection, run_verified
from odesk_server.api.responses import api_response, timezone_offset
from odesk_server.errors import bad_request, not_found
from odesk_server.models import Company, Engagement, Team, User, UserRole, UserRolePermission
from odesk_server.oauth.prepared import PreparedStatement, RawConnection

router = APIRouter()

PREFIX = "/api/hr/v2"
# References are BIGINT; longer digit strings cannot name anything.
_MAX_REFERENCE_DIGITS = 18

_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off", ""})


# --------------------------------------------------------------------------
# What the caller may see


class TeamInfo(NamedTuple):
    """The columns of a team that HR payloads and visibility need.

    Immutable like a frozen dataclass; a NamedTuple because every HR call
    builds one per team of the caller's companies, at a third of the cost.
    """

    id: int
    reference: int
    team_id: str
    name: str
    status: str
    is_hidden: bool
    parent_team_id: int | None
    company_id: int


class CompanyInfo(NamedTuple):
    """The columns of a company that HR payloads need, with its owner's uid (a NamedTuple, as ``TeamInfo``)."""

    id: int
    reference: int
    company_id: str
    name: str
    status: str
    owner_user_id: int | None
    owner_uid: str


@dataclass(frozen=True)
class OrgScope:
    """The part of the organisation visible to one user.

    ``teams``: every team of the companies the user belongs to, by primary
    key (visible or not: parents are named in payloads); ``visible_team_ids``
    the teams the user may see; ``companies`` the visible companies by key.
    """

    user_id: int
    teams: Mapping[int, TeamInfo]
    visible_team_ids: frozenset[int]
    companies: Mapping[int, CompanyInfo]

    def visible_teams(self, company_id: int | None = None) -> list[TeamInfo]:
        """Visible teams (of one company when given), in creation order."""
        return [
            team
            for pk, team in sorted(self.teams.items())
            if pk in self.visible_team_ids and (company_id is None or team.company_id == company_id)
        ]

    def find_team(self, ref: str) -> TeamInfo | None:
        """The visible team whose reference or ``team_id`` is ``ref``, or None."""
        reference = _as_reference(ref)
        for pk in self.visible_team_ids:
            team = self.teams[pk]
            if team.team_id == ref or team.reference == reference:
                return team
        return None

    def find_company(self, ref: str) -> CompanyInfo | None:
        """The visible company whose reference or ``company_id`` is ``ref``, or None.

        ``acme`` names ``acme:acme`` too, as in the report URLs."""
        reference = _as_reference(ref)
        root_team_id = f"{ref}:{ref}"
        for company in self.companies.values():
            if company.company_id in (ref, root_team_id) or company.reference == reference:
                return company
        return None


def _as_reference(ref: str) -> int | None:
    # isascii: str.isdigit() also accepts other scripts' digits, which int() would read.
    if ref.isdigit() and ref.isascii() and len(ref) <= _MAX_REFERENCE_DIGITS:
        return int(ref)
    return None


# A user as HR reads it: a Core row of the user columns (attribute access like the model).
UserRow = Row
_USERS = sa.select(*User.__table__.columns)
# The caller's own row, for /users/me: at driver level like the organisation query.
_PREPARED_USER_BY_ID = PreparedStatement(_USERS.where(User.id == sa.bindparam("user_id")))
# Its rows as records with the same attribute names as a Core row.
_UserRecord = namedtuple("_UserRecord", [column.key for column in User.__table__.columns])  # type: ignore[misc]


class UserFields(Protocol):
    """The user columns ``user_payload`` reads, as a ``UserRow`` and a ``_UserRecord`` both give them."""

    @property
    def reference(self) -> int: ...
    @property
    def uid(self) -> str: ...
    @property
    def first_name(self) -> str: ...
    @property
    def last_name(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def timezone(self) -> str: ...
    @property
    def profile_key(self) -> str | None: ...
    @property
    def is_provider(self) -> bool: ...


_OWNER = sa.orm.aliased(User)
# Every team of every company the user belongs to (through a role) or owns,
# with its company, the owner's uid and whether the user holds a role on the
# team: all that visibility and the payloads need, in one query.
_ORG_QUERY = (
    sa.select(
        Team.id,
        Team.reference,
        Team.team_id,
        Team.name,
        Team.status,
        Team.is_hidden,
        Team.parent_team_id,
        Team.company_id,
        Company.reference,
        Company.company_id,
        Company.name,
        Company.status,
        Company.owner_user_id,
        _OWNER.uid,
        sa.exists().where(UserRole.team_id == Team.id, UserRole.user_id == sa.bindparam("user_id")).label("has_role"),
    )
    .join(Company, Company.id == Team.company_id)
    .outerjoin(_OWNER, _OWNER.id == Company.owner_user_id)
    .where(
        sa.or_(
            Company.owner_user_id == sa.bindparam("user_id"),
            Company.id.in_(
                sa.select(Team.company_id)
                .join(UserRole, UserRole.team_id == Team.id)
                .where(UserRole.user_id == sa.bindparam("user_id"))
                .scalar_subquery()
            ),
        )
    )
)


# Every HR call runs it: executed at driver level (oauth.prepared), which
# costs about half of a SQLAlchemy execution for this small query.
_PREPARED_ORG_QUERY = PreparedStatement(_ORG_QUERY)


def org_scope(connection: Connection | RawConnection, user_id: int) -> OrgScope:
    """What ``user_id`` may see (see the module docstring); one query."""
    teams: dict[int, TeamInfo] = {}
    companies: dict[int, CompanyInfo] = {}
    starts: list[int] = []
    raw = connection if isinstance(connection, RawConnection) else RawConnection.under(connection)
    for row in _PREPARED_ORG_QUERY.execute(raw, {"user_id": user_id}):
        team = TeamInfo(*row[:8])
        teams[team.id] = team
        if team.company_id not in companies:
            companies[team.company_id] = CompanyInfo(
                team.company_id, row[8], row[9], row[10], row[11], row[12], row[13] or ""
            )
        # row[14]: whether the user holds a role on the team; row[12]: the company owner.
        if row[14] or row[12] == user_id:
            starts.append(team.id)
    children: dict[int, list[int]] = defaultdict(list)
    for team in teams.values():
        if team.parent_team_id is not None:
            children[team.parent_team_id].append(team.id)
    visible: set[int] = set()
    while starts:
        pk = starts.pop()
        if pk not in visible:
            visible.add(pk)
            starts.extend(children[pk])
    visible_company_ids = {teams[pk].company_id for pk in visible}
    return OrgScope(
        user_id=user_id,
        teams=teams,
        visible_team_ids=frozenset(visible),
        companies={pk: c for pk, c in companies.items() if pk in visible_company_ids},
    )


# --------------------------------------------------------------------------
# Lookups by reference or text id


def _company(scope: OrgScope, ref: str) -> CompanyInfo:
    company = scope.find_company(ref)
    if company is None:
        raise not_found(f"No company with reference or id {ref!r}")
    return company


def _team(scope: OrgScope, ref: str) -> TeamInfo:
    team = scope.find_team(ref)
    if team is None:
        raise not_found(f"No team with reference or id {ref!r}")
    return team


def _visible_user(connection: Connection, scope: OrgScope, ref: str) -> UserRow:
    reference = _as_reference(ref)
    if reference is not None:
        user = connection.execute(_USERS.where(User.reference == reference)).one_or_none()
    elif 0 < len(ref) <= 64:
        user = connection.execute(_USERS.where(User.uid == ref)).one_or_none()
    else:
        user = None
    if user is None or not _user_visible(connection, scope, user):
        raise not_found(f"No user with reference or id {ref!r}")
    return user


def _status_filter(params: Mapping[str, str], name: str) -> str | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    if value not in ("active", "inactive"):
        raise bad_request(f"{name} must be active or inactive, got {value!r}")
    return value


def _flag(params: Mapping[str, str], name: str) -> bool:
    value = params.get(name, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise bad_request(f"{name} must be true or false, got {params[name]!r}")


# --------------------------------------------------------------------------
# Payloads (spec/api-surface.md section 6)


def _bool_text(flag: bool) -> str:
    return "1" if flag else "0"


def user_payload(user: UserFields, base_url: str) -> dict[str, str]:
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
        "is_provider": _bool_text(user.is_provider),
    }


def _users_payload(request: Request, users: Iterable[UserRow]) -> list[dict[str, str]]:
    """``user_payload`` of each of ``users``, with the server's public base URL."""
    base_url = get_settings(request).base_url
    return [user_payload(u, base_url) for u in users]


def company_payload(company: CompanyInfo) -> dict[str, str]:
    """A company object: reference, company_id, name, status, owner_user_id (the owner's uid)."""
    return {
        "reference": str(company.reference),
        "company_id": company.company_id,
        "name": company.name,
        "status": company.status,
        "owner_user_id": company.owner_uid,
    }


def team_payload(team: TeamInfo, scope: OrgScope) -> dict[str, str]:
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
        "is_hidden": _bool_text(team.is_hidden),
    }


def _users_with_roles(
    connection: Connection, team_ids: Iterable[int], status: str | None, extra_user_ids: Iterable[int] = ()
) -> Sequence[UserRow]:
    team_ids = list(team_ids)
    condition: sa.ColumnElement[bool] = User.id.in_(sa.select(UserRole.user_id).where(UserRole.team_id.in_(team_ids)))
    extra = list(extra_user_ids)
    if extra:
        condition = sa.or_(condition, User.id.in_(extra))
    query = _USERS.where(condition).order_by(User.reference)
    if status is not None:
        query = query.where(User.status == status)
    return connection.execute(query).all()


_ROLES_QUERY = (
    sa.select(
        UserRole.id,
        UserRole.reference,
        UserRole.role,
        UserRole.affiliation_status,
        UserRole.has_team_room_access,
        Team.id.label("team_pk"),
        Team.team_id,
        Team.name.label("team_name"),
        Team.reference.label("team_reference"),
        Team.parent_team_id,
        Company.name.label("company_name"),
        Company.reference.label("company_reference"),
        Engagement.reference.label("engagement_reference"),
    )
    .join(Team, Team.id == UserRole.team_id)
    .join(Company, Company.id == Team.company_id)
    .outerjoin(Engagement, Engagement.id == UserRole.engagement_id)
    .where(UserRole.user_id == sa.bindparam("user_id"))
    .order_by(UserRole.reference)
)


def _roles_payload(
    connection: Connection, scope: OrgScope, user: UserRow, only_visible: bool
) -> list[dict[str, object]]:
    rows = connection.execute(_ROLES_QUERY, {"user_id": user.id}).all()
    if only_visible:
        rows = [row for row in rows if row.team_pk in scope.visible_team_ids]
    flags: dict[int, list[str]] = defaultdict(list)
    if rows:
        for role_id, permission in connection.execute(
            sa.select(UserRolePermission.user_role_id, UserRolePermission.permission)
            .where(UserRolePermission.user_role_id.in_([row.id for row in rows]))
            .order_by(UserRolePermission.permission)
        ):
            flags[role_id].append(permission)
    parents = {}
    parent_ids = {row.parent_team_id for row in rows if row.parent_team_id is not None}
    if parent_ids:
        parents = {
            row.id: row
            for row in connection.execute(
                sa.select(Team.id, Team.team_id, Team.name, Team.reference).where(Team.id.in_(parent_ids))
            )
        }
    result = []
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
                "has_team_room_access": _bool_text(row.has_team_room_access),
                "permissions": {"permission": flags.get(row.id, [])},
            }
        )
    return result


def _user_visible(connection: Connection, scope: OrgScope, user: UserRow) -> bool:
    if user.id == scope.user_id:
        return True
    if any(c.owner_user_id == user.id for c in scope.companies.values()):
        return True
    if not scope.visible_team_ids:
        return False
    found = connection.execute(
        sa.select(UserRole.id)
        .where(UserRole.user_id == user.id, UserRole.team_id.in_(list(scope.visible_team_ids)))
        .limit(1)
    ).first()
    return found is not None


# --------------------------------------------------------------------------
# Endpoints
#
# Plain Starlette routes (``request -> response``), not FastAPI ones: they
# take no parameters FastAPI would have to resolve. Each handler is a sync
# function of the request and the verified caller; ``_get`` runs the OAuth
# check and the handler together in one worker thread (``run_verified``), so
# no database call runs on the event loop. Errors still reach the app's
# handlers (``ApiError``, 405...) exactly as from a FastAPI route.

SyncHandler = Callable[[Request, Caller], Response]


def _get(path: str) -> Callable[[SyncHandler], SyncHandler]:
    """Register ``handler`` as ``GET path`` on ``router``, answering other verbs like FastAPI does (405)."""

    def register(handler: SyncHandler) -> SyncHandler:
        async def endpoint(request: Request) -> Response:
            # Starlette lets HEAD through to a GET route; FastAPI routes answer 405.
            if request.method != "GET":
                raise StarletteHTTPException(status_code=405, headers={"Allow": "GET"})
            return await run_verified(request, lambda caller: handler(request, caller))

        router.add_route(path, endpoint, methods=["GET"], name=handler.__name__, include_in_schema=False)
        return handler

    return register


def install(app: FastAPI) -> None:
    """Add the HR routes to ``app`` itself, in place of ``app.include_router(router)``.

    FastAPI matches an included router's routes twice (the router, then the
    route in it); on the app's own route list they are matched once. Same
    paths, verbs and handlers as ``router``.
    """
    for route in router.routes:
        assert isinstance(route, Route)
        own = Route(route.path, route.endpoint, methods=["GET"], name=route.name, include_in_schema=False)
        # Starlette adds HEAD to every GET route; FastAPI's answered HEAD with
        # 405 and ``Allow: GET``, and so do these.
        own.methods = {"GET"}
        app.router.routes.append(own)


def _scope(request: Request, caller: Caller) -> OrgScope:
    """What the caller sees (one query on its own connection)."""
    with read_connection(request) as connection:
        return org_scope(connection, caller.user.id)


def _params(request: Request) -> Mapping[str, str]:
    # Parsed on the event loop before the handler runs (``run_verified``).
    return request.state.params


@_get(f"{PREFIX}/users/me")
def get_user_me(request: Request, caller: Caller) -> Response:
    """The caller's user object: ``{"user": {...}}``."""
    with read_connection(request) as connection:
        rows = _PREPARED_USER_BY_ID.execute(RawConnection.under(connection), {"user_id": caller.user.id})
    # The record's fields are the User columns, read at import time where mypy cannot see them.
    user = cast(UserFields, _UserRecord._make(rows[0]))
    return api_response(request, caller.user, {"user": user_payload(user, get_settings(request).base_url)})


@_get(f"{PREFIX}/users/{{ref}}")
def get_user(request: Request, caller: Caller) -> Response:
    """A visible user: ``{"user": {...}}``; 404 when unknown or not visible."""
    ref = request.path_params["ref"]
    with read_connection(request) as connection:
        user = _visible_user(connection, org_scope(connection, caller.user.id), ref)
    return api_response(request, caller.user, {"user": user_payload(user, get_settings(request).base_url)})


@_get(f"{PREFIX}/companies")
def get_companies(request: Request, caller: Caller) -> Response:
    """Visible companies: ``{"companies": [...]}``."""
    scope = _scope(request, caller)
    payload = [company_payload(c) for c in sorted(scope.companies.values(), key=lambda c: c.reference)]
    return api_response(request, caller.user, {"companies": payload})


@_get(f"{PREFIX}/companies/{{ref}}")
def get_company(request: Request, caller: Caller) -> Response:
    """One visible company: ``{"company": {...}}``."""
    scope = _scope(request, caller)
    return api_response(request, caller.user, {"company": company_payload(_company(scope, request.path_params["ref"]))})


@_get(f"{PREFIX}/companies/{{ref}}/teams")
def get_company_teams(request: Request, caller: Caller) -> Response:
    """The company's teams the caller sees: ``{"teams": [...]}``."""
    scope = _scope(request, caller)
    company = _company(scope, request.path_params["ref"])
    teams = [team_payload(t, scope) for t in scope.visible_teams(company.id)]
    return api_response(request, caller.user, {"teams": teams})


@_get(f"{PREFIX}/companies/{{ref}}/users")
def get_company_users(request: Request, caller: Caller) -> Response:
    """Users with a role on the company's visible teams (and its owner), optionally by ``status_in_company``."""
    ref = request.path_params["ref"]
    status = _status_filter(_params(request), "status_in_company")
    with read_connection(request) as connection:
        scope = org_scope(connection, caller.user.id)
        company = _company(scope, ref)
        owner = [company.owner_user_id] if company.owner_user_id is not None else []
        users = _users_with_roles(connection, (t.id for t in scope.visible_teams(company.id)), status, owner)
    return api_response(request, caller.user, {"users": _users_payload(request, users)})


@_get(f"{PREFIX}/teams")
def get_teams(request: Request, caller: Caller) -> Response:
    """Every team the caller sees, across companies: ``{"teams": [...]}``."""
    scope = _scope(request, caller)
    return api_response(request, caller.user, {"teams": [team_payload(t, scope) for t in scope.visible_teams()]})


@_get(f"{PREFIX}/teams/{{ref}}")
def get_team(request: Request, caller: Caller) -> Response:
    """One visible team: ``{"team": {...}}``, plus ``"users": [...]`` with ``include_users=true``."""
    ref = request.path_params["ref"]
    include_users = _flag(_params(request), "include_users")
    with read_connection(request) as connection:
        scope = org_scope(connection, caller.user.id)
        team = _team(scope, ref)
        users = _users_with_roles(connection, [team.id], None) if include_users else None
    payload: dict[str, object] = {"team": team_payload(team, scope)}
    if users is not None:
        payload["users"] = _users_payload(request, users)
    return api_response(request, caller.user, payload)


@_get(f"{PREFIX}/teams/{{ref}}/users")
def get_team_users(request: Request, caller: Caller) -> Response:
    """Users holding a role on the team, optionally by ``status_in_team``: ``{"users": [...]}``."""
    ref = request.path_params["ref"]
    status = _status_filter(_params(request), "status_in_team")
    with read_connection(request) as connection:
        team = _team(org_scope(connection, caller.user.id), ref)
        users = _users_with_roles(connection, [team.id], status)
    return api_response(request, caller.user, {"users": _users_payload(request, users)})


@_get(f"{PREFIX}/userroles")
def get_user_roles(request: Request, caller: Caller) -> Response:
    """The caller's roles and permissions: ``{"userroles": {"userrole": [...]}}``."""
    with read_connection(request) as connection:
        user = connection.execute(_USERS.where(User.id == caller.user.id)).one()
        scope = OrgScope(user_id=user.id, teams={}, visible_team_ids=frozenset(), companies={})
        roles = _roles_payload(connection, scope, user, only_visible=False)
    return api_response(request, caller.user, {"userroles": {"userrole": roles}})


@_get(f"{PREFIX}/userroles/{{ref}}")
def get_user_roles_of(request: Request, caller: Caller) -> Response:
    """A visible user's roles on the teams the caller sees (python-upwork's ``roles.get_by_specific_user``)."""
    ref = request.path_params["ref"]
    with read_connection(request) as connection:
        scope = org_scope(connection, caller.user.id)
        user = _visible_user(connection, scope, ref)
        roles = _roles_payload(connection, scope, user, only_visible=user.id != caller.user.id)
    return api_response(request, caller.user, {"userroles": {"userrole": roles}})
