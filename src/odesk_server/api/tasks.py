"""Activities: ``/api/otask/v1/tasks/companies/...`` (Task v1) and ``/api/tasks/v2/tasks/contracts/{ref}`` (Task v2).

The server side of ``client.task`` (a team's or a company's activities:
list, specific codes, create, update, archive, unarchive, assign to a
contract, batch update from CSV) and ``client.task_v2.list_engagement_activities``.
A company's activities are its root team's: the company routes are the team
routes with the company's id as the team (``acme:acme``, or the company's
reference twice). The rules are ``odesk_server.domain.activities``; the SQL
``odesk_server.queries.activities``.

Who may do what: every Task v1 route needs hiring permission
(``manage_recruiting`` or ``manage_employment``) on the team, held on it or
above it (the company's root team for the company routes). A contract's
activities (Task v2) are read by either side of the contract. Anything else
answers 404 exactly like an unknown team or contract.

An activity is ``{code, description, url, status (active or archived),
team__reference, team__id, team__name, engagements (the references of its
contracts, ;-joined), created_time (milliseconds since the epoch)}``.
docs/activities.md says what the documentation left open and what we chose.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any

from typing_extensions import TypedDict

from odesk_server.access.predicates import is_hiring_manager
from odesk_server.access.rules import ContractParties, require_buyer, require_reader
from odesk_server.access.scope import CompanyNode, OrgScope, TeamNode, org_scope
from odesk_server.api.endpoint import SIGNED_IN, Api, Call, Params
from odesk_server.api.params import Flag, OptionalText, PathKey
from odesk_server.domain import activities as rules
from odesk_server.domain.activities import ActivityStatus, BatchError, BatchLine
from odesk_server.models import Activity
from odesk_server.problems import Invalid, NotFound, Problem, WrongState
from odesk_server.queries import activities as queries
from odesk_server.queries.activities import ContractRow
from odesk_server.queries.engagements import engagement_by_reference
from odesk_server.wire import epoch_ms_text

api = Api("tasks", "Activities: a team's or a company's task codes (otask v1) and a contract's activities (tasks v2)")

COMPANY = "/api/otask/v1/tasks/companies/{company_id}"
TEAM = COMPANY + "/teams/{team_id}"


# --------------------------------------------------------------------------
# Shapes


class TaskObject(TypedDict):
    code: str
    description: str
    url: str
    status: str
    team__reference: str
    team__id: str
    team__name: str
    engagements: str
    created_time: str


class TasksReply(TypedDict):
    tasks: list[TaskObject]


class TaskReply(TypedDict):
    task: TaskObject


class BatchReply(TypedDict):
    tasks: list[TaskObject]
    created: str
    updated: str


def task_payloads(call: Call[Any], activities: Sequence[Activity]) -> list[TaskObject]:
    """The ``task`` objects of ``activities`` (see the module docstring), in their order."""
    teams = queries.teams_by_id(call.db, {activity.team_id for activity in activities})
    contracts = queries.contract_references(call.db, [activity.id for activity in activities])
    return [
        {
            "code": activity.code,
            "description": activity.description,
            "url": activity.url,
            "status": activity.status,
            "team__reference": str(teams[activity.team_id].reference),
            "team__id": teams[activity.team_id].team_id,
            "team__name": teams[activity.team_id].name,
            "engagements": ";".join(str(reference) for reference in contracts.get(activity.id, [])),
            "created_time": epoch_ms_text(activity.created_at),
        }
        for activity in activities
    ]


# --------------------------------------------------------------------------
# Who may act on a team's activities


def _company(scope: OrgScope, company_key: str) -> CompanyNode:
    company = scope.find_company(company_key)
    if company is None:
        raise NotFound(f"No company with reference or id {company_key!r}")
    return company


def _managed(scope: OrgScope, team: TeamNode | None) -> bool:
    return team is not None and team.id in scope.visible_team_ids and is_hiring_manager(scope, team)


def managed_team(scope: OrgScope, company_key: str, team_key: str) -> TeamNode:
    """The team ``team_key`` of the company ``company_key``, whose activities the caller manages.

    ``team_key`` equal to ``company_key`` is the company's root team (the
    company routes). ``NotFound`` when the team is unknown, not visible, or
    the caller has no hiring permission on it: the three are never told apart.
    """
    company = _company(scope, company_key)
    if team_key == company_key and company.root_team_id is not None:
        team = scope.teams.get(company.root_team_id)
    else:
        team = scope.find_team(team_key, company)
    if team is None or not _managed(scope, team):
        raise NotFound(f"No team with reference or id {team_key!r} in the company {company_key!r}")
    return team


def _named(call: Call[Any], team: TeamNode, codes: Collection[str], *, for_update: bool) -> list[Activity]:
    """The activities ``codes`` of ``team`` in the order given; ``NotFound`` naming the first unknown code."""
    found = {a.code: a for a in queries.activities_of(call.db, team.id, codes, for_update=for_update)}
    for code in codes:
        if code not in found:
            raise NotFound(f"No activity {code!r} in the team {team.team_id}")
    return [found[code] for code in codes]


def _codes_in_path(text: str) -> tuple[str, ...]:
    codes = rules.code_list(text, "task codes")
    if not codes:
        raise Invalid("task codes must name at least one activity (several joined by ;)")
    return codes


def _contracts(
    call: Call[Any], scope: OrgScope, team: TeamNode, keys: Iterable[str], missing: type[Problem]
) -> list[ContractRow]:
    """The open contracts ``keys`` name, of ``team`` or a team below it; ``missing`` or ``WrongState`` otherwise."""
    wanted = list(dict.fromkeys(keys))
    found = queries.contracts_by_reference(call.db, wanted)
    allowed = scope.subtree(team)
    chosen = []
    for key in wanted:
        contract = found.get(key)
        if contract is None or contract.buyer_team_id not in allowed:
            raise missing(f"No contract {key!r} with the team {team.team_id} or a team below it")
        if contract.status == "closed":
            raise WrongState(f"The contract {key} is closed: a closed contract logs no more time")
        chosen.append(contract)
    return chosen


# --------------------------------------------------------------------------
# Parameters


class TeamParams(Params):
    company_id: PathKey
    team_id: PathKey


class CodesParams(TeamParams):
    codes: PathKey


class CreateParams(TeamParams):
    code: str
    description: str
    url: str
    engagements: OptionalText = None
    all_in_company: Flag = False


class UpdateParams(TeamParams):
    code: PathKey
    description: str
    url: str
    engagements: OptionalText = None
    all_in_company: Flag = False


class AssignParams(TeamParams):
    engagement: PathKey
    tasks: OptionalText = None


class BatchParams(Params):
    company_id: PathKey
    data: str


class ContractParams(Params):
    engagement_ref: PathKey


_NOT_FOUND = {
    404: "not_found: no such company, team or activity, or a team the caller has no hiring permission on "
    "(never told apart)"
}
_BAD = {400: "bad_request: a parameter breaks a documented rule (the message names it)"}
_STATE = {400: "bad_request, or invalid_state: an activity or contract is not in a state that allows it"}


def _assign_on_write(call: Call[Any], scope: OrgScope, team: TeamNode, activity: Activity) -> None:
    """``engagements`` (or ``all_in_company``) of a create or update: the activity's contracts from now on."""
    p = call.params
    if p.engagements is not None:
        keys = [key.strip() for key in p.engagements.split(";") if key.strip()]
        contracts = _contracts(call, scope, team, keys, Invalid)
    elif p.all_in_company:
        contracts = list(queries.open_contracts_of_teams(call.db, scope.subtree(team)))
    else:
        return
    rules.require_assignable(activity)
    rules.set_contracts(call.db.session, activity.id, [contract.id for contract in contracts])


# --------------------------------------------------------------------------
# Endpoints


@api.get(f"{TEAM}/tasks", access=SIGNED_IN, params=TeamParams, returns=TasksReply, errors=_NOT_FOUND)
def get_team_tasks(call: Call[TeamParams]) -> TasksReply:
    """Every activity of the team (the company's for the company's id as the team), archived ones too, by code."""
    scope = org_scope(call.db, call.user.id)
    team = managed_team(scope, call.params.company_id, call.params.team_id)
    return {"tasks": task_payloads(call, queries.activities_of(call.db, team.id))}


@api.get(
    f"{TEAM}/tasks/{{codes}}", access=SIGNED_IN, params=CodesParams, returns=TasksReply, errors={**_BAD, **_NOT_FOUND}
)
def get_team_specific_tasks(call: Call[CodesParams]) -> TasksReply:
    """The activities ``codes`` (joined by ``;``) of the team, in the order given; 404 naming an unknown code."""
    scope = org_scope(call.db, call.user.id)
    team = managed_team(scope, call.params.company_id, call.params.team_id)
    return {"tasks": task_payloads(call, _named(call, team, _codes_in_path(call.params.codes), for_update=False))}


@api.post(f"{TEAM}/tasks", access=SIGNED_IN, params=CreateParams, returns=TaskReply, errors={**_STATE, **_NOT_FOUND})
def post_team_task(call: Call[CreateParams]) -> TaskReply:
    """Create an active activity in the team; answers it as ``task``.

    ``engagements``: contract references joined by ``;`` (open contracts of
    the team or a team below it) to assign it to; ``all_in_company``: every
    open contract of the team and below (the whole company for the company's
    activities); ``engagements`` wins when both are given. A code already
    used in the team is 400 naming it.
    """
    p = call.params
    scope = org_scope(call.db, call.user.id)
    team = managed_team(scope, p.company_id, p.team_id)
    checked = rules.fields(p.code, p.description, p.url)
    if queries.activities_of(call.db, team.id, [checked.code]):
        raise Invalid(f"The team {team.team_id} already has an activity {checked.code!r}")
    activity = Activity(
        company_id=team.company_id,
        team_id=team.id,
        code=checked.code,
        description=checked.description,
        url=checked.url,
        status=ActivityStatus.ACTIVE,
    )
    call.db.session.add(activity)
    call.db.session.flush()
    _assign_on_write(call, scope, team, activity)
    return {"task": task_payloads(call, [activity])[0]}


@api.put(
    f"{TEAM}/tasks/{{code}}", access=SIGNED_IN, params=UpdateParams, returns=TaskReply, errors={**_STATE, **_NOT_FOUND}
)
def put_team_task(call: Call[UpdateParams]) -> TaskReply:
    """Change an activity's description and URL; answers it as ``task``.

    The code in the path names the activity and is not changed. With
    ``engagements`` or ``all_in_company`` (as ``post_team_task``), the
    activity is assigned to exactly those contracts; without, its contracts
    stay as they are.
    """
    p = call.params
    scope = org_scope(call.db, call.user.id)
    team = managed_team(scope, p.company_id, p.team_id)
    (activity,) = _named(call, team, [rules.activity_code(p.code)], for_update=True)
    rules.revise(activity, rules.fields(activity.code, p.description, p.url))
    call.db.session.flush()
    _assign_on_write(call, scope, team, activity)
    return {"task": task_payloads(call, [activity])[0]}


def _move(call: Call[CodesParams], move: Callable[[Iterable[Activity]], None]) -> TasksReply:
    scope = org_scope(call.db, call.user.id)
    team = managed_team(scope, call.params.company_id, call.params.team_id)
    chosen = _named(call, team, _codes_in_path(call.params.codes), for_update=True)
    move(chosen)
    call.db.session.flush()
    return {"tasks": task_payloads(call, chosen)}


@api.put(
    f"{TEAM}/archive/{{codes}}",
    access=SIGNED_IN,
    params=CodesParams,
    returns=TasksReply,
    errors={**_STATE, **_NOT_FOUND},
)
def archive_team_task(call: Call[CodesParams]) -> TasksReply:
    """Archive the activities ``codes`` (joined by ``;``), all or none: one already archived is ``invalid_state``."""
    return _move(call, rules.archive)


@api.put(
    f"{TEAM}/unarchive/{{codes}}",
    access=SIGNED_IN,
    params=CodesParams,
    returns=TasksReply,
    errors={**_STATE, **_NOT_FOUND},
)
def unarchive_team_task(call: Call[CodesParams]) -> TasksReply:
    """Make the archived activities ``codes`` active again, all or none: an active one is ``invalid_state``."""
    return _move(call, rules.unarchive)


@api.put(
    f"{TEAM}/engagements/{{engagement}}/tasks",
    access=SIGNED_IN,
    params=AssignParams,
    returns=TasksReply,
    errors={**_STATE, **_NOT_FOUND},
)
def assign_engagement(call: Call[AssignParams]) -> TasksReply:
    """Of the team's activities, assign exactly ``tasks`` (codes joined by ``;``) to the contract.

    Empty or absent ``tasks`` (python-odesk sends ``None``) unassigns the
    contract from every activity of the team. The contract must be open and
    of the team or a team below it; the activities named active. Answers the
    team's activities now assigned to the contract.
    """
    p = call.params
    scope = org_scope(call.db, call.user.id)
    team = managed_team(scope, p.company_id, p.team_id)
    (contract,) = _contracts(call, scope, team, [p.engagement], NotFound)
    chosen = _named(call, team, rules.code_list(p.tasks or "", "tasks"), for_update=True)
    for activity in chosen:
        rules.require_assignable(activity)
    everything = queries.activities_of(call.db, team.id)
    rules.set_activities(call.db.session, contract.id, [a.id for a in everything], [a.id for a in chosen])
    return {"tasks": task_payloads(call, sorted(chosen, key=lambda a: a.code))}


@api.put(
    f"{COMPANY}/tasks/batch", access=SIGNED_IN, params=BatchParams, returns=BatchReply, errors={**_BAD, **_NOT_FOUND}
)
def update_batch_tasks(call: Call[BatchParams]) -> BatchReply:
    """Create or update activities from CSV records separated by ``<br>``, all or none.

    Each record is ``companyid, teamid, userid, taskid, description, url``:
    ``companyid`` names this company, an empty ``teamid`` its root team (the
    company's activities); an existing ``taskid`` is updated, a new one
    created active; a ``userid`` (uid or reference) also assigns the activity
    to that provider's open contracts with the team (or below). The first bad
    line is 400 ``line N: ...`` and nothing is written. Needs hiring
    permission on every line's team.
    """
    scope = org_scope(call.db, call.user.id)
    company = _company(scope, call.params.company_id)
    if not any(_managed(scope, team) for team in scope.teams_of(company)):
        raise NotFound(f"No company with reference or id {call.params.company_id!r}")
    lines = rules.parse_batch(call.params.data)
    teams = [_batch_team(scope, company, line) for line in lines]
    existing = queries.activities_of_teams(call.db, {team.id for team in teams})
    seen: dict[tuple[int, str], int] = {}
    chosen: list[Activity] = []
    pairs: set[tuple[Activity, int]] = set()
    created = 0
    for line, team in zip(lines, teams):
        key = (team.id, line.activity.code)
        if key in seen:
            raise BatchError(
                line.number, f"the activity {line.activity.code!r} of {team.team_id} is on line {seen[key]}"
            )
        seen[key] = line.number
        contracts = queries.open_contracts_of_provider(call.db, line.user, scope.subtree(team)) if line.user else []
        if line.user and not contracts:
            raise BatchError(line.number, f"the user {line.user!r} has no open contract with {team.team_id}")
        activity = existing.get(key)
        if activity is None:
            activity = Activity(company_id=company.id, team_id=team.id, status=ActivityStatus.ACTIVE)
            call.db.session.add(activity)
            created += 1
        elif contracts and activity.status != ActivityStatus.ACTIVE:
            raise BatchError(line.number, f"the activity {activity.code!r} is archived: unarchive it to assign it")
        rules.revise(activity, line.activity)
        chosen.append(activity)
        pairs.update((activity, contract.id) for contract in contracts)
    call.db.session.flush()
    already = queries.assignment_pairs(call.db, [activity.id for activity in chosen])
    rules.add_assignments(call.db.session, {(a.id, e) for a, e in pairs} - already)
    return {"tasks": task_payloads(call, chosen), "created": str(created), "updated": str(len(chosen) - created)}


def _batch_team(scope: OrgScope, company: CompanyNode, line: BatchLine) -> TeamNode:
    if scope.find_company(line.company) is not company:
        raise BatchError(line.number, f"companyid {line.company!r} is not the company {company.company_id}")
    if not line.team:
        team = scope.teams.get(company.root_team_id) if company.root_team_id is not None else None
    else:
        team = scope.find_team(line.team, company)
    if not _managed(scope, team):
        raise BatchError(line.number, f"no team {line.team or company.company_id!r} whose activities you manage")
    assert team is not None
    return team


@api.get(
    "/api/tasks/v2/tasks/contracts/{engagement_ref}",
    access=SIGNED_IN,
    params=ContractParams,
    returns=TasksReply,
    errors={404: "not_found: no such contract, or one the caller is on neither side of (never told apart)"},
)
def list_engagement_activities(call: Call[ContractParams]) -> TasksReply:
    """The activities assigned to the contract (archived ones too), by team then code; either side reads them."""
    key = call.params.engagement_ref
    contract = engagement_by_reference(call.db, key)
    if contract is None:
        raise NotFound(f"No contract with reference or id {key!r}")
    require_reader(org_scope(call.db, call.user.id), ContractParties.of(contract), "contract", key)
    return {"tasks": task_payloads(call, queries.activities_of_contract(call.db, contract.id))}


class ContractTasksParams(ContractParams):
    tasks: OptionalText = None


@api.put(
    "/api/tasks/v2/tasks/contracts/{engagement_ref}",
    access=SIGNED_IN,
    params=ContractTasksParams,
    returns=TasksReply,
    errors={
        **_STATE,
        403: "access_denied: the caller reads the contract but has no hiring permission on its buyer team",
        404: "not_found: no such contract or activity, or a contract the caller is on neither side of",
    },
)
def assign_contract_activities(call: Call[ContractTasksParams]) -> TasksReply:
    """Assign exactly ``tasks`` (codes joined by ``;``) to the contract (python-upwork's ``assign_to_engagement``).

    The codes name activities of the contract's buyer team or of a team
    above it (the company's activities are its root team's); a code defined
    on several of them is the nearest team's. Empty or absent ``tasks``
    unassigns the contract from all of them. Hiring permission on the buyer
    team; the contract open; the activities named active. Answers every
    activity now assigned to the contract.
    """
    p = call.params
    key = p.engagement_ref
    contract = engagement_by_reference(call.db, key)
    if contract is None:
        raise NotFound(f"No contract with reference or id {key!r}")
    scope = org_scope(call.db, call.user.id)
    require_buyer(scope, ContractParties.of(contract), "contract", key)
    if contract.status == "closed":
        raise WrongState(f"The contract {key} is closed: a closed contract logs no more time")
    team = scope.teams[contract.buyer_team_id]
    available: dict[str, Activity] = {}
    everything: list[Activity] = []
    for node in scope.ancestry(team):
        activities = queries.activities_of(call.db, node.id, for_update=True)
        everything.extend(activities)
        for activity in activities:
            available.setdefault(activity.code, activity)
    chosen = []
    for code in rules.code_list(p.tasks or "", "tasks"):
        if code not in available:
            raise NotFound(f"No activity {code!r} in the team {team.team_id} or a team above it")
        chosen.append(available[code])
    for activity in chosen:
        rules.require_assignable(activity)
    rules.set_activities(call.db.session, contract.id, [a.id for a in everything], [a.id for a in chosen])
    return {"tasks": task_payloads(call, queries.activities_of_contract(call.db, contract.id))}


__all__ = ["api", "managed_team", "task_payloads"]
