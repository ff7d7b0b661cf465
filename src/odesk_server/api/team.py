"""Work diaries and snapshots: ``/api/team/v1``, ``/api/team/v2`` (snapshots, diaries) and ``/api/team/v3``.

The server side of ``client.team`` (a contractor's snapshots with a company,
his work diary with a team) and of ``client.team_v2``'s contract snapshots
and diaries, with the routes python-upwork 2.1.0 calls (``team/v3``: a
contract's snapshots, a company's or a contract's diary, the days worked).
The rules are ``odesk_server.domain.snapshots`` (times, the invoiced weeks,
the time logs kept in step); the snapshot objects ``queries.snapshots``; the
lookups ``queries.diaries``.

Which contracts a route covers: the contractor's contracts whose buyer team
belongs to the company (``snapshots/{company_id}/{user_id}``), or is the team
or a team below it (``workdiaries/{team_id}/{username}``); one contract; a
company's contracts (v3). Of those, the caller reads the ones on which he is
the contractor, a staffing manager of the agency the contract was made
through, or holds hiring or finance permission on the buyer team
(``access.rules.standing``); the others are left out, and when none is left
the answer is 404 exactly like an unknown key.

Who changes what: the memo and task only the contractor himself; deleting
(the buyer refusing to pay for that time) the contractor or a buyer with
hiring permission on the buyer team. A reader who may not is answered 403;
time in an invoiced week 400 ``invalid_state``. docs/work-diaries.md says
what the documentation left open and what we chose.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Row
from typing_extensions import TypedDict

from odesk_server.access.rules import HIRING_NEEDED, ContractParties, Standing, standing
from odesk_server.access.scope import org_scope
from odesk_server.api.endpoint import SIGNED_IN, Api, Call, Params
from odesk_server.api.params import PathKey
from odesk_server.domain.snapshots import (
    Moments,
    change_snapshots,
    day_window,
    delete_snapshots,
    parse_day,
    parse_moments,
    parse_time_zone,
    require_snapshots,
    select_snapshots,
    tracked_hours,
    zone_named,
)
from odesk_server.models import SEGMENT_MINUTES, Engagement, Snapshot
from odesk_server.problems import Forbidden, Invalid, NotFound
from odesk_server.queries import diaries as queries
from odesk_server.queries.diaries import DayWindow, DiaryContract
from odesk_server.queries.snapshots import SnapshotObject, snapshot_objects
from odesk_server.wire import timezone_offset

api = Api("team", "Work diaries: a contractor's snapshots by company or contract, his diary for a day, work days")

V1 = "/api/team/v1"
V2 = "/api/team/v2"
V3 = "/api/team/v3"
COMPANY_USER = f"{V1}/snapshots/{{company_id}}/{{user_id}}"
CONTRACT = f"{V2}/snapshots/contracts/{{contract_id}}"
TEAM_USER = f"{V1}/workdiaries/{{team_id}}/{{username}}"

# The most days a work-days query may span.
MAX_WORKDAYS = 366


# --------------------------------------------------------------------------
# Shapes


OneOrMore = SnapshotObject | list[SnapshotObject]


class SnapshotReply(TypedDict):
    snapshot: OneOrMore


class UpdatedReply(TypedDict):
    updated: str
    snapshot: OneOrMore


class DeletedReply(TypedDict):
    deleted: str


class DiaryUser(TypedDict):
    uid: str
    reference: str
    first_name: str
    last_name: str
    timezone: str
    timezone_offset: str


class Diary(TypedDict):
    user: DiaryUser
    snapshot: list[SnapshotObject]


class DiaryReply(TypedDict):
    snapshots: Diary


class WorkDiary(TypedDict):
    date: str
    total_hours: str
    snapshots: list[SnapshotObject]


class WorkDiaryReply(TypedDict):
    workdiary: WorkDiary


class WorkDays(TypedDict):
    workday: list[str]


class WorkDaysReply(TypedDict):
    workdays: WorkDays


# --------------------------------------------------------------------------
# The contracts a route names, as far as the caller may read them


@dataclass(frozen=True)
class Readable:
    """The contracts a route names that the caller may read, his standing on each, and how to name them."""

    caller_id: int
    contracts: tuple[DiaryContract, ...]
    standings: dict[int, Standing]
    whose: str

    @property
    def ids(self) -> list[int]:
        return [contract.id for contract in self.contracts]


def _readable(call: Call[Any], contracts: Sequence[DiaryContract], missing: str, whose: str) -> Readable:
    """The contracts of ``contracts`` the caller reads (either side); ``NotFound(missing)`` when none."""
    scope = org_scope(call.db, call.user.id)
    kept: list[DiaryContract] = []
    standings: dict[int, Standing] = {}
    for contract in contracts:
        seen = standing(scope, ContractParties.of(contract))
        if seen.sees:
            kept.append(contract)
            standings[contract.id] = seen
    if not kept:
        raise NotFound(missing)
    return Readable(call.user.id, tuple(kept), standings, whose)


def _company_user(call: Call[Any], company_key: str, user_key: str) -> Readable:
    """The contractor ``user_key``'s contracts with the company ``company_key`` (buyer side)."""
    missing = f"No user with reference or id {user_key!r} working for the company with reference or id {company_key!r}"
    company = queries.company_by_key(call.db, company_key)
    user = queries.user_by_key(call.db, user_key)
    if company is None or user is None:
        raise NotFound(missing)
    contracts = queries.contracts_of_company(call.db, company.id, user.id)
    return _readable(call, contracts, missing, f"the user {user.uid} with the company {company.company_id}")


def _contract(call: Call[Any], key: str) -> Readable:
    """The contract ``key`` (its reference)."""
    missing = f"No contract with reference or id {key!r}"
    contract = queries.contract_by_key(call.db, key)
    if contract is None:
        raise NotFound(missing)
    return _readable(call, [contract], missing, f"contract {contract.reference}")


def _company(call: Call[Any], key: str) -> Readable:
    """Every contract whose buyer team belongs to the company ``key``."""
    missing = f"No company with reference or id {key!r}"
    company = queries.company_by_key(call.db, key)
    if company is None:
        raise NotFound(missing)
    contracts = queries.contracts_of_company(call.db, company.id)
    return _readable(call, contracts, missing, f"the company {company.company_id}")


# --------------------------------------------------------------------------
# Snapshots: read, change, delete


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _objects(call: Call[Any], rows: list[Row[Any]]) -> list[SnapshotObject]:
    return snapshot_objects(call.db, rows, call.base_url)


def _one_or_more(objects: list[SnapshotObject]) -> OneOrMore:
    """One snapshot as an object, several (or none) as a list: what python-odesk reads."""
    return objects[0] if len(objects) == 1 else objects


def _chosen(call: Call[Any], readable: Readable, moments: Moments) -> list[Snapshot]:
    return select_snapshots(call.db.session, readable.ids, moments, now=_now())


def _snapshot_objects(call: Call[Any], snapshots: Sequence[Snapshot]) -> list[SnapshotObject]:
    return _objects(call, queries.snapshot_rows(call.db, [snapshot.id for snapshot in snapshots]))


def read_snapshots(call: Call[Any], readable: Readable, moments: Moments) -> SnapshotReply:
    """The snapshots ``moments`` names on the readable contracts: one object, a list, or ``[]``."""
    return {"snapshot": _one_or_more(_snapshot_objects(call, _chosen(call, readable, moments)))}


def _by_contract(call: Call[Any], snapshots: Sequence[Snapshot]) -> list[tuple[Engagement, list[Snapshot]]]:
    """``snapshots`` grouped by contract, in the order of the contracts' ids (the order their locks are taken)."""
    groups: dict[int, list[Snapshot]] = defaultdict(list)
    for snapshot in snapshots:
        groups[snapshot.engagement_id].append(snapshot)
    session = call.db.session
    found = []
    for engagement_id in sorted(groups):
        engagement = session.get(Engagement, engagement_id)
        assert engagement is not None  # the snapshot's foreign key
        found.append((engagement, groups[engagement_id]))
    return found


def _acting(
    call: Call[Any], readable: Readable, moments: Moments, may: Callable[[DiaryContract], bool], refusal: str
) -> list[Snapshot]:
    """The snapshots ``moments`` names, when the caller may act on every one's contract.

    ``Forbidden(refusal)`` when he may act on none of the readable contracts,
    or on the contract of one of the snapshots; ``NotFound`` when the times
    name no snapshot.
    """
    allowed = {contract.id for contract in readable.contracts if may(contract)}
    if not allowed:
        raise Forbidden(refusal)
    chosen = require_snapshots(_chosen(call, readable, moments), moments, readable.whose)
    if any(snapshot.engagement_id not in allowed for snapshot in chosen):
        raise Forbidden(refusal)
    return list(chosen)


def update_snapshots(
    call: Call[Any], readable: Readable, moments: Moments, memo: str, task: str | None
) -> UpdatedReply:
    """Set the memo (and the task when given) of the snapshots ``moments`` names: the contractor only."""
    chosen = _acting(
        call,
        readable,
        moments,
        lambda contract: contract.provider_user_id == readable.caller_id,
        f"Only the contractor may change the memo or task of the snapshots of {readable.whose}",
    )
    count = 0
    for engagement, group in _by_contract(call, chosen):
        count += change_snapshots(call.db.session, engagement, group, memo=memo, task=task)
    return {"updated": str(count), "snapshot": _one_or_more(_snapshot_objects(call, chosen))}


def remove_snapshots(call: Call[Any], readable: Readable, moments: Moments) -> DeletedReply:
    """Delete the snapshots ``moments`` names: the contractor, or a buyer with hiring permission."""
    chosen = _acting(
        call,
        readable,
        moments,
        lambda contract: contract.provider_user_id == readable.caller_id or readable.standings[contract.id].buys,
        f"Only the contractor, or someone with {HIRING_NEEDED} on the buyer team, may delete the snapshots "
        f"of {readable.whose}",
    )
    count = 0
    for engagement, group in _by_contract(call, chosen):
        count += delete_snapshots(call.db.session, engagement, group)
    return {"deleted": str(count)}


# --------------------------------------------------------------------------
# Diaries


def _zone_name(call: Call[Any], tz: str, contractor_timezone: str) -> str:
    """The time zone (a name; empty is UTC) a diary's day is read in: ``mine``, ``user`` or ``gmt``."""
    if tz == "mine":
        return call.user.timezone or ""
    if tz == "user":
        return contractor_timezone or ""
    return ""


def _windows(call: Call[Any], readable: Readable, day: dt.date, tz: str) -> list[DayWindow]:
    """The UTC window of ``day`` for each readable contract, contracts sharing a time zone together."""
    by_zone: dict[str, list[int]] = defaultdict(list)
    for contract in readable.contracts:
        by_zone[_zone_name(call, tz, contract.provider_timezone)].append(contract.id)
    windows = []
    for name, ids in sorted(by_zone.items()):
        start, end = day_window(day, zone_named(name))
        windows.append(DayWindow(tuple(ids), start, end))
    return windows


def _diary_snapshots(call: Call[Any], readable: Readable, day: dt.date, tz: str) -> list[SnapshotObject]:
    return _objects(call, queries.diary_rows(call.db, _windows(call, readable, day, tz)))


def _diary_user(user: Row[Any]) -> DiaryUser:
    timezone = user.timezone or "UTC"
    return {
        "uid": user.uid,
        "reference": str(user.reference),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "timezone": timezone,
        "timezone_offset": timezone_offset(timezone),
    }


def _today(call: Call[Any], tz: str, contractor_timezone: str) -> dt.date:
    return _now().astimezone(zone_named(_zone_name(call, tz, contractor_timezone))).date()


def _diary(call: Call[Any], readable: Readable, user: Row[Any], day: dt.date, tz: str) -> DiaryReply:
    return {"snapshots": {"user": _diary_user(user), "snapshot": _diary_snapshots(call, readable, day, tz)}}


def _contractor(call: Call[Any], contract: DiaryContract) -> Row[Any]:
    found = queries.users_by_id(call.db, [contract.provider_user_id])
    return found[contract.provider_user_id]


def _workdiary(call: Call[Any], readable: Readable, day: dt.date, tz: str) -> WorkDiaryReply:
    objects = _diary_snapshots(call, readable, day, tz)
    hours = tracked_hours(len(objects) * SEGMENT_MINUTES)
    return {"workdiary": {"date": day.strftime("%Y%m%d"), "total_hours": f"{hours:.2f}", "snapshots": objects}}


def _day_range(text: str) -> tuple[dt.date, dt.date]:
    """``from,till`` as two ``yyyymmdd`` days, ``till`` not before ``from``, at most ``MAX_WORKDAYS`` days."""
    pieces = text.split(",")
    if len(pieces) != 2:
        raise Invalid(f"from,till: {text!r} is not two dates in yyyymmdd form joined by a comma")
    first = parse_day(pieces[0], "from")
    last = parse_day(pieces[1], "till")
    if last < first:
        raise Invalid(f"till: {pieces[1]!r} is before from {pieces[0]!r}")
    if (last - first).days + 1 > MAX_WORKDAYS:
        raise Invalid(f"from,till: at most {MAX_WORKDAYS} days ({(last - first).days + 1} asked)")
    return first, last


def _workdays(call: Call[Any], readable: Readable, first: dt.date, last: dt.date) -> WorkDaysReply:
    days = queries.days_worked(call.db, readable.ids, first, last)
    return {"workdays": {"workday": [day.strftime("%Y%m%d") for day in days]}}


# --------------------------------------------------------------------------
# Parameters


class CompanyUserParams(Params):
    company_id: PathKey
    user_id: PathKey


class CompanyUserAtParams(CompanyUserParams):
    datetime: str


class MemoParams(Params):
    memo: str
    task: str | None = None


class CompanyUserMemoParams(CompanyUserParams, MemoParams):
    pass


class CompanyUserAtMemoParams(CompanyUserAtParams, MemoParams):
    pass


class ContractParams(Params):
    contract_id: PathKey


class ContractAtParams(ContractParams):
    datetime: str


class ContractMemoParams(ContractParams, MemoParams):
    pass


class ContractAtMemoParams(ContractAtParams, MemoParams):
    pass


class ZoneParams(Params):
    tz: str | None = None


class TeamUserParams(ZoneParams):
    team_id: PathKey
    username: PathKey


class TeamUserDayParams(TeamUserParams):
    date: str


class ContractDayParams(ZoneParams):
    contract_id: PathKey
    date: str


class V3ContractAtParams(Params):
    contract: PathKey
    ts: str


class V3ContractAtMemoParams(V3ContractAtParams, MemoParams):
    pass


class V3CompanyDayParams(ZoneParams):
    company: PathKey
    date: str


class V3ContractDayParams(ZoneParams):
    contract: PathKey
    date: str


class V3CompanyDaysParams(Params):
    company: PathKey
    days: str


class V3ContractDaysParams(Params):
    contract: PathKey
    days: str


_READ_ERRORS = {
    400: "bad_request: a malformed time, date, range or tz (the message names the parameter)",
    404: "not_found: no such company, team, user or contract, or none whose diary the caller may read "
    "(never told apart)",
}
_UPDATE_ERRORS = {
    400: "bad_request: a malformed time, a memo too long, a task not assigned to the contract; "
    "invalid_state: the time is in a week already invoiced",
    403: "access_denied: the caller reads the snapshots but is not the contractor",
    404: "not_found: as reading, or the times name no snapshot",
}
_DELETE_ERRORS = {
    400: "bad_request: a malformed time; invalid_state: the time is in a week already invoiced",
    403: "access_denied: the caller reads the snapshots but is neither the contractor nor a buyer with "
    "hiring permission on the buyer team",
    404: "not_found: as reading, or the times name no snapshot",
}


# --------------------------------------------------------------------------
# Team v1: a contractor's snapshots with a company, his diary with a team


@api.get(COMPANY_USER, access=SIGNED_IN, params=CompanyUserParams, returns=SnapshotReply, errors=_READ_ERRORS)
def get_snapshot(call: Call[CompanyUserParams]) -> SnapshotReply:
    """The contractor's latest snapshot on his contracts with the company (``[]`` when he has none)."""
    p = call.params
    return read_snapshots(call, _company_user(call, p.company_id, p.user_id), parse_moments(None))


@api.get(
    f"{COMPANY_USER}/{{datetime}}",
    access=SIGNED_IN,
    params=CompanyUserAtParams,
    returns=SnapshotReply,
    errors=_READ_ERRORS,
)
def get_snapshot_at(call: Call[CompanyUserAtParams]) -> SnapshotReply:
    """The contractor's snapshots at ``datetime`` on his contracts with the company.

    ``datetime``: ``now``, ``yyyymmddTHHMMSSZ``, UNIX seconds or ISO 8601
    (``2026-06-30T10:15:00``, UTC unless an offset is given); ``a,b`` a
    range, ``a;b;c`` a list. One snapshot is answered as an object, several
    as a list, none as ``[]``.
    """
    p = call.params
    moments = parse_moments(p.datetime)
    return read_snapshots(call, _company_user(call, p.company_id, p.user_id), moments)


@api.put(COMPANY_USER, access=SIGNED_IN, params=CompanyUserMemoParams, returns=UpdatedReply, errors=_UPDATE_ERRORS)
def update_snapshot(call: Call[CompanyUserMemoParams]) -> UpdatedReply:
    """Set the memo (and ``task``, an activity of the contract, when given) of the contractor's latest snapshot."""
    p = call.params
    return update_snapshots(call, _company_user(call, p.company_id, p.user_id), parse_moments(None), p.memo, p.task)


@api.put(
    f"{COMPANY_USER}/{{datetime}}",
    access=SIGNED_IN,
    params=CompanyUserAtMemoParams,
    returns=UpdatedReply,
    errors=_UPDATE_ERRORS,
)
def update_snapshot_at(call: Call[CompanyUserAtMemoParams]) -> UpdatedReply:
    """Set the memo (and ``task`` when given) of the contractor's snapshots at ``datetime``; the contractor only."""
    p = call.params
    moments = parse_moments(p.datetime)
    return update_snapshots(call, _company_user(call, p.company_id, p.user_id), moments, p.memo, p.task)


@api.delete(COMPANY_USER, access=SIGNED_IN, params=CompanyUserParams, returns=DeletedReply, errors=_DELETE_ERRORS)
def delete_snapshot(call: Call[CompanyUserParams]) -> DeletedReply:
    """Delete the contractor's latest snapshot with the company; its ten minutes leave the time reports."""
    p = call.params
    return remove_snapshots(call, _company_user(call, p.company_id, p.user_id), parse_moments(None))


@api.delete(
    f"{COMPANY_USER}/{{datetime}}",
    access=SIGNED_IN,
    params=CompanyUserAtParams,
    returns=DeletedReply,
    errors=_DELETE_ERRORS,
)
def delete_snapshot_at(call: Call[CompanyUserAtParams]) -> DeletedReply:
    """Delete the contractor's snapshots at ``datetime`` with the company (the contractor, or a hiring buyer)."""
    p = call.params
    moments = parse_moments(p.datetime)
    return remove_snapshots(call, _company_user(call, p.company_id, p.user_id), moments)


def _team_user_diary(call: Call[Any], team_key: str, user_key: str, day_text: str | None) -> DiaryReply:
    tz = parse_time_zone(call.params.tz)
    day = parse_day(day_text) if day_text is not None else None
    missing = f"No user with reference or id {user_key!r} working for the team with reference or id {team_key!r}"
    team = queries.team_by_key(call.db, team_key)
    user = queries.user_by_key(call.db, user_key)
    if team is None or user is None:
        raise NotFound(missing)
    teams = queries.teams_below(call.db, team.id, team.company_id)
    contracts = queries.contracts_with_teams(call.db, teams, user.id)
    readable = _readable(call, contracts, missing, f"the user {user.uid} with the team {team_key}")
    if day is None:
        day = _today(call, tz, user.timezone)
    return _diary(call, readable, user, day, tz)


@api.get(TEAM_USER, access=SIGNED_IN, params=TeamUserParams, returns=DiaryReply, errors=_READ_ERRORS)
def get_workdiaries(call: Call[TeamUserParams]) -> DiaryReply:
    """The contractor's work diary with the team (and the teams below it) for today in the ``tz`` zone.

    ``tz``: ``mine`` (the caller's time zone, the default), ``user`` (the
    contractor's) or ``gmt``. Answers ``snapshots``: the ``user`` and his
    ``snapshot`` list, in time order.
    """
    return _team_user_diary(call, call.params.team_id, call.params.username, None)


@api.get(f"{TEAM_USER}/{{date}}", access=SIGNED_IN, params=TeamUserDayParams, returns=DiaryReply, errors=_READ_ERRORS)
def get_workdiaries_on(call: Call[TeamUserDayParams]) -> DiaryReply:
    """The contractor's work diary with the team for ``date`` (``yyyymmdd``) in the ``tz`` zone."""
    return _team_user_diary(call, call.params.team_id, call.params.username, call.params.date)


# --------------------------------------------------------------------------
# Team v2: a contract's snapshots and diary


@api.get(
    f"{V2}/workdiaries/contracts/{{contract_id}}/{{date}}",
    access=SIGNED_IN,
    params=ContractDayParams,
    returns=DiaryReply,
    errors=_READ_ERRORS,
)
def get_workdiaries_by_contract(call: Call[ContractDayParams]) -> DiaryReply:
    """The contract's work diary for ``date`` (``yyyymmdd``) in the ``tz`` zone (mine, user or gmt)."""
    tz = parse_time_zone(call.params.tz)
    day = parse_day(call.params.date)
    readable = _contract(call, call.params.contract_id)
    return _diary(call, readable, _contractor(call, readable.contracts[0]), day, tz)


@api.get(CONTRACT, access=SIGNED_IN, params=ContractParams, returns=SnapshotReply, errors=_READ_ERRORS)
def get_snapshot_by_contract(call: Call[ContractParams]) -> SnapshotReply:
    """The contract's latest snapshot (``[]`` when it has none)."""
    return read_snapshots(call, _contract(call, call.params.contract_id), parse_moments(None))


@api.get(
    f"{CONTRACT}/{{datetime}}", access=SIGNED_IN, params=ContractAtParams, returns=SnapshotReply, errors=_READ_ERRORS
)
def get_snapshot_by_contract_at(call: Call[ContractAtParams]) -> SnapshotReply:
    """The contract's snapshots at ``datetime`` (forms as ``get_snapshot_at``): an object, a list or ``[]``."""
    moments = parse_moments(call.params.datetime)
    return read_snapshots(call, _contract(call, call.params.contract_id), moments)


@api.put(CONTRACT, access=SIGNED_IN, params=ContractMemoParams, returns=UpdatedReply, errors=_UPDATE_ERRORS)
def update_snapshot_by_contract(call: Call[ContractMemoParams]) -> UpdatedReply:
    """Set the memo (and ``task`` when given) of the contract's latest snapshot; the contractor only."""
    p = call.params
    return update_snapshots(call, _contract(call, p.contract_id), parse_moments(None), p.memo, p.task)


@api.put(
    f"{CONTRACT}/{{datetime}}",
    access=SIGNED_IN,
    params=ContractAtMemoParams,
    returns=UpdatedReply,
    errors=_UPDATE_ERRORS,
)
def update_snapshot_by_contract_at(call: Call[ContractAtMemoParams]) -> UpdatedReply:
    """Set the memo (and ``task`` when given) of the contract's snapshots at ``datetime``; the contractor only."""
    p = call.params
    moments = parse_moments(p.datetime)
    return update_snapshots(call, _contract(call, p.contract_id), moments, p.memo, p.task)


@api.delete(CONTRACT, access=SIGNED_IN, params=ContractParams, returns=DeletedReply, errors=_DELETE_ERRORS)
def delete_snapshot_by_contract(call: Call[ContractParams]) -> DeletedReply:
    """Delete the contract's latest snapshot (the contractor, or a buyer with hiring permission)."""
    return remove_snapshots(call, _contract(call, call.params.contract_id), parse_moments(None))


@api.delete(
    f"{CONTRACT}/{{datetime}}", access=SIGNED_IN, params=ContractAtParams, returns=DeletedReply, errors=_DELETE_ERRORS
)
def delete_snapshot_by_contract_at(call: Call[ContractAtParams]) -> DeletedReply:
    """Delete the contract's snapshots at ``datetime`` (the contractor, or a buyer with hiring permission)."""
    moments = parse_moments(call.params.datetime)
    return remove_snapshots(call, _contract(call, call.params.contract_id), moments)


# --------------------------------------------------------------------------
# Team v3 (python-upwork 2.1.0)

V3_CONTRACT_AT = f"{V3}/snapshots/contracts/{{contract}}/{{ts}}"


@api.get(V3_CONTRACT_AT, access=SIGNED_IN, params=V3ContractAtParams, returns=SnapshotReply, errors=_READ_ERRORS)
def get_snapshot_by_contract_v3(call: Call[V3ContractAtParams]) -> SnapshotReply:
    """The contract's snapshots at ``ts`` (the forms of ``datetime`` in v1 and v2)."""
    moments = parse_moments(call.params.ts, "ts")
    return read_snapshots(call, _contract(call, call.params.contract), moments)


@api.put(V3_CONTRACT_AT, access=SIGNED_IN, params=V3ContractAtMemoParams, returns=UpdatedReply, errors=_UPDATE_ERRORS)
def update_snapshot_by_contract_v3(call: Call[V3ContractAtMemoParams]) -> UpdatedReply:
    """Set the memo (and ``task`` when given) of the contract's snapshots at ``ts``; the contractor only."""
    p = call.params
    moments = parse_moments(p.ts, "ts")
    return update_snapshots(call, _contract(call, p.contract), moments, p.memo, p.task)


@api.delete(V3_CONTRACT_AT, access=SIGNED_IN, params=V3ContractAtParams, returns=DeletedReply, errors=_DELETE_ERRORS)
def delete_snapshot_by_contract_v3(call: Call[V3ContractAtParams]) -> DeletedReply:
    """Delete the contract's snapshots at ``ts`` (also as POST with ``http_method=delete``)."""
    moments = parse_moments(call.params.ts, "ts")
    return remove_snapshots(call, _contract(call, call.params.contract), moments)


@api.get(
    f"{V3}/workdiaries/companies/{{company}}/{{date}}",
    access=SIGNED_IN,
    params=V3CompanyDayParams,
    returns=WorkDiaryReply,
    errors=_READ_ERRORS,
)
def get_workdiary_by_company(call: Call[V3CompanyDayParams]) -> WorkDiaryReply:
    """The snapshots of ``date`` on every contract of the company the caller reads, with their tracked hours.

    ``tz``: ``mine`` (default), ``user`` (each contractor's own day) or ``gmt``.
    """
    tz = parse_time_zone(call.params.tz)
    day = parse_day(call.params.date)
    return _workdiary(call, _company(call, call.params.company), day, tz)


@api.get(
    f"{V3}/workdiaries/contracts/{{contract}}/{{date}}",
    access=SIGNED_IN,
    params=V3ContractDayParams,
    returns=WorkDiaryReply,
    errors=_READ_ERRORS,
)
def get_workdiary_by_contract(call: Call[V3ContractDayParams]) -> WorkDiaryReply:
    """The contract's snapshots of ``date`` with their tracked hours (``tz`` as for the company)."""
    tz = parse_time_zone(call.params.tz)
    day = parse_day(call.params.date)
    return _workdiary(call, _contract(call, call.params.contract), day, tz)


@api.get(
    f"{V3}/workdays/companies/{{company}}/{{days}}",
    access=SIGNED_IN,
    params=V3CompanyDaysParams,
    returns=WorkDaysReply,
    errors=_READ_ERRORS,
)
def get_workdays_by_company(call: Call[V3CompanyDaysParams]) -> WorkDaysReply:
    """The days from ``from`` to ``till`` (``yyyymmdd,yyyymmdd``, at most 366) with time logged on the company's
    contracts the caller reads, as ``yyyymmdd``."""
    first, last = _day_range(call.params.days)
    return _workdays(call, _company(call, call.params.company), first, last)


@api.get(
    f"{V3}/workdays/contracts/{{contract}}/{{days}}",
    access=SIGNED_IN,
    params=V3ContractDaysParams,
    returns=WorkDaysReply,
    errors=_READ_ERRORS,
)
def get_workdays_by_contract(call: Call[V3ContractDaysParams]) -> WorkDaysReply:
    """The days from ``from`` to ``till`` (``yyyymmdd,yyyymmdd``, at most 366) with time logged on the contract."""
    first, last = _day_range(call.params.days)
    return _workdays(call, _contract(call, call.params.contract), first, last)


__all__ = ["api"]
