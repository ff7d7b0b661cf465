"""Team rooms (``/api/team/v2/teamrooms``), the time tracker's upload, and the screenshots' placeholder images.

The server side of ``client.team_v2.get_teamrooms`` and ``get_snapshots``,
plus two routes the documentation never had, so that a self-hosted company
has time coming from somewhere and its snapshots have pictures:

- ``GET /api/team/v2/teamrooms``: the team rooms the caller may open. A
  room is a team; the caller opens it with a role on the team whose
  ``has_team_room_access`` is set, or by managing the team: the
  ``manage_teamroom`` flag or hiring permission, held on the team or above
  it (an admin and the company owner hold every flag).
- ``GET /api/team/v2/teamrooms/{company_or_team_id}``: the members of a
  room (a company's id: every room of the company the caller may open,
  together), the contractors with a contract on its team(s), each with his
  latest snapshot there. ``online``: ``now`` (latest snapshot taken in the
  last 20 minutes), ``last_24h`` or ``all``; ``disabled``: ``no`` leaves
  out a member with no active contract there or an inactive account, ``yes``
  keeps him. A room the caller may not open is 404 like an unknown team.
- ``POST /api/team/v2/snapshots/contracts/{contract_id}``: the time
  tracker's upload of one snapshot (form or JSON fields) or of a list
  (``snapshots`` in a JSON body, at most ``MAX_UPLOAD``), all or nothing,
  by the contract's contractor only. The rules are
  ``odesk_server.domain.snapshots.record_snapshots``. The GET, PUT and
  DELETE of that path are ``api.team``'s: ``endpoint.install`` makes one
  route per path from every namespace's declarations.
- ``GET /screenshots/{image}``: a snapshot's placeholder picture,
  ``{image_key}.svg`` (``odesk_server.screenshots``), public like a CDN
  link: the key is 128 random bits.

docs/time-tracker.md is the user's guide to all of it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal, cast

from pydantic import BeforeValidator, Field
from starlette.responses import Response
from typing_extensions import TypedDict

from odesk_server import screenshots
from odesk_server.access.rules import ContractParties, require_reader
from odesk_server.access.scope import OrgScope, TeamNode, org_scope
from odesk_server.api.endpoint import PUBLIC, SIGNED_IN, Api, Call, Params
from odesk_server.api.params import OptionalText, PathKey
from odesk_server.domain.snapshots import NewSnapshot, check_new_snapshot, parse_counts, parse_moment, record_snapshots
from odesk_server.models import MANAGE_EMPLOYMENT, MANAGE_RECRUITING, MANAGE_TEAMROOM, Engagement, utcnow
from odesk_server.problems import Forbidden, Invalid, NotFound
from odesk_server.queries import teamrooms as queries
from odesk_server.queries.engagements import engagement_by_reference
from odesk_server.queries.snapshots import SnapshotObject, billed_until, snapshot_object, snapshot_objects
from odesk_server.wire import bool_text, timezone_offset

api = Api(
    "teamrooms",
    "Team rooms: each member's latest snapshot; the time tracker's upload of snapshots; the screenshots' images",
)

TEAMROOMS = "/api/team/v2/teamrooms"
UPLOAD = "/api/team/v2/snapshots/contracts/{contract_id}"

# The flags that let a manager open a team's room (held on the team or above it).
ROOM_MANAGERS = frozenset({MANAGE_TEAMROOM, MANAGE_RECRUITING, MANAGE_EMPLOYMENT})
# How recent a member's latest snapshot is for each ``online`` value (None: any, or none at all).
ONLINE_WINDOWS: Mapping[str, dt.timedelta | None] = {
    "now": dt.timedelta(minutes=20),
    "last_24h": dt.timedelta(hours=24),
    "all": None,
}
ONLINE_NOW = ONLINE_WINDOWS["now"]
# The most snapshots one upload carries: a day of ten-minute segments.
MAX_UPLOAD = 144
# The fields of one snapshot in an upload, for the form, the JSON object and each item of ``snapshots``.
UPLOAD_FIELDS = ("time", "memo", "task", "window_title", "computer_name", "keyboard", "mouse")
# A placeholder picture never changes: clients and proxies may keep it for a year.
IMAGE_CACHE = "public, max-age=31536000, immutable"


# --------------------------------------------------------------------------
# Shapes


class TeamRoomObject(TypedDict):
    id: str
    name: str
    team_ref: str
    parent_team_ref: str
    company_name: str
    company_recno: str
    recno: str
    teamroom_api: str


class TeamRoomList(TypedDict):
    teamroom: list[TeamRoomObject]


class TeamRoomsReply(TypedDict):
    teamrooms: TeamRoomList


class MemberObject(SnapshotObject):
    """A team room's member: who he is, then his latest snapshot's fields ("" when he has none).

    ``uid`` and ``user_id`` are the member's uid, ``contract`` the contract
    of his latest snapshot (without one: his active contract there, else
    his latest), ``online`` ``1`` when that snapshot was taken in the last
    20 minutes, ``disabled`` ``1`` when he has no active contract there or
    his account is inactive.
    """

    first_name: str
    last_name: str
    timezone: str
    timezone_offset: str
    online: str
    disabled: str


class MemberList(TypedDict):
    snapshot: list[MemberObject]


class TeamRoomReply(TypedDict):
    teamroom: MemberList


class UploadReply(TypedDict):
    snapshot: list[SnapshotObject]


SNAPSHOT_FIELDS = tuple(SnapshotObject.__annotations__)


# --------------------------------------------------------------------------
# Who opens which room


def openable_rooms(call: Call[Any], scope: OrgScope) -> list[TeamNode]:
    """The teams whose room the caller may open, in the organisation's order (see the module docstring)."""
    with_access = queries.team_room_roles(call.db, scope.user_id)
    return [
        team
        for team in scope.teams.values()
        if team.id in scope.visible_team_ids and (team.id in with_access or scope.holds_any(team, ROOM_MANAGERS))
    ]


def room_teams(scope: OrgScope, rooms: Sequence[TeamNode], key: str) -> list[TeamNode]:
    """The teams of the room ``key`` names: a company's openable rooms, or one openable team.

    ``NotFound`` when ``key`` names nothing, or nothing the caller may open:
    the same answer, so a room's existence is not told to who may not open it.
    """
    company = scope.find_company(key)
    if company is not None:
        teams = [team for team in rooms if team.company_id == company.id]
    else:
        team = scope.find_team(key)
        teams = [team] if team is not None and team in rooms else []
    if not teams:
        raise NotFound(f"No team room with reference or id {key!r}")
    return teams


def teamroom_payload(call: Call[Any], scope: OrgScope, team: TeamNode) -> TeamRoomObject:
    """The ``teamroom`` object of ``team``; a root team is its own parent, as in the HR team payloads."""
    parent = scope.teams.get(team.parent_team_id) if team.parent_team_id is not None else None
    company = scope.company_of(team)
    return {
        "id": team.team_id,
        "name": team.name,
        "team_ref": str(team.reference),
        "parent_team_ref": str((parent or team).reference),
        "company_name": company.name,
        "company_recno": str(company.reference),
        "recno": str(team.reference),
        "teamroom_api": f"{call.base_url}{TEAMROOMS}/{team.team_id}.json",
    }


# --------------------------------------------------------------------------
# Parameters


def _choice(default: str) -> BeforeValidator:
    """Absent, empty or python-odesk's "None" is ``default``; otherwise the value, trimmed and lower-cased."""

    def read(value: object) -> object:
        if value is None:
            return default
        text = str(value).strip().lower()
        return default if text in ("", "none") else text

    return BeforeValidator(read)


class RoomParams(Params):
    company_or_team_id: PathKey
    online: Annotated[
        Literal["now", "last_24h", "all"],
        _choice("now"),
        Field(description="now: a snapshot in the last 20 minutes; last_24h: in the last day; all: every member"),
    ] = "now"
    disabled: Annotated[
        Literal["no", "yes"],
        _choice("no"),
        Field(description="yes: also the members with no active contract there, or an inactive account"),
    ] = "no"


class UploadParams(Params):
    """One snapshot's fields, or ``snapshots``: a list of them (a JSON body's list arrives here as JSON text)."""

    contract_id: PathKey
    time: OptionalText = Field(
        None, description="When the screenshot was taken: yyyymmddTHHMMSSZ, UNIX seconds or ISO 8601 (UTC)"
    )
    memo: str | None = None
    task: str | None = Field(None, description="An activity (task code) assigned to the contract")
    window_title: str | None = None
    computer_name: str | None = None
    keyboard: str | None = Field(None, description="Ten keyboard event counts, one per minute, comma-separated")
    mouse: str | None = Field(None, description="Ten mouse event counts, one per minute, comma-separated")
    snapshots: str | None = Field(
        None, description=f"In a JSON body: a list of up to {MAX_UPLOAD} objects with the fields above"
    )


class ScreenshotParams(Params):
    image: str = Field(description="The snapshot's screenshot key followed by .svg")
    size: Annotated[
        Literal["thmb", "med", "lrg"],
        _choice(screenshots.DEFAULT_SIZE),
        Field(description="thmb (200x125), med (400x250) or lrg (800x500, the default)"),
    ] = "lrg"


# --------------------------------------------------------------------------
# Reading an upload


def _field_text(value: object, name: str, *, number: bool = False) -> str:
    """A text field of a JSON item: a string (null is empty); a whole number too when ``number`` (the time)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if number and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise Invalid(f"{name}: must be text, got {json.dumps(value)}")


def _counts(value: object, name: str) -> tuple[int, ...]:
    """Ten per-minute counts: ``"1,2,..."`` text, or a JSON list of whole numbers (also as JSON text)."""
    if isinstance(value, str) and value.strip().startswith("["):
        try:
            value = json.loads(value)
        except ValueError:
            raise Invalid(f"{name}: not a JSON list of counts") from None
    if isinstance(value, list):
        if not all(isinstance(count, int) and not isinstance(count, bool) and count >= 0 for count in value):
            raise Invalid(f"{name}: ten whole numbers of events, one per minute")
        value = ",".join(str(count) for count in value)
    if value is not None and not isinstance(value, str):
        raise Invalid(f"{name}: ten whole numbers of events, one per minute, comma-separated")
    return parse_counts(value, name)


def read_snapshot(fields: Mapping[str, object], where: str = "") -> NewSnapshot:
    """One snapshot of an upload from its fields; ``where`` (``snapshots[3].``) prefixes every error's name."""
    time_text = _field_text(fields.get("time"), f"{where}time", number=True).strip()
    if not time_text:
        raise Invalid(f"{where}time is required")
    item = NewSnapshot(
        taken_at=parse_moment(time_text, f"{where}time"),
        memo=_field_text(fields.get("memo"), f"{where}memo"),
        task=_field_text(fields.get("task"), f"{where}task"),
        window_title=_field_text(fields.get("window_title"), f"{where}window_title"),
        computer_name=_field_text(fields.get("computer_name"), f"{where}computer_name"),
        keyboard=_counts(fields.get("keyboard"), f"{where}keyboard"),
        mouse=_counts(fields.get("mouse"), f"{where}mouse"),
    )
    return check_new_snapshot(item, where)


def read_upload(params: UploadParams) -> list[NewSnapshot]:
    """The snapshots of an upload: the one its fields describe, or its ``snapshots`` list. Raises ``Invalid``."""
    single = {name: getattr(params, name) for name in UPLOAD_FIELDS}
    if params.snapshots is None or not params.snapshots.strip():
        return [read_snapshot(single)]
    if any(value not in (None, "") for value in single.values()):
        raise Invalid("snapshots: send one snapshot's fields or a list of snapshots, not both")
    try:
        listed = json.loads(params.snapshots)
    except ValueError:
        raise Invalid("snapshots: must be a JSON list of snapshot objects") from None
    if not isinstance(listed, list):
        raise Invalid("snapshots: must be a JSON list of snapshot objects")
    if not listed:
        raise Invalid("snapshots: send at least one snapshot")
    if len(listed) > MAX_UPLOAD:
        raise Invalid(f"snapshots: at most {MAX_UPLOAD} snapshots an upload ({len(listed)} given)")
    items = []
    for number, entry in enumerate(listed):
        if not isinstance(entry, dict):
            raise Invalid(f"snapshots[{number}]: must be an object with the snapshot's fields")
        items.append(read_snapshot(entry, f"snapshots[{number}]."))
    return items


# --------------------------------------------------------------------------
# Members


def _member(
    call: Call[Any],
    contracts: Sequence[queries.MemberContract],
    latest: Any,
    billed: Mapping[int, dt.date],
    now: dt.datetime,
) -> MemberObject:
    person = contracts[0]
    active = [c for c in contracts if c.status == "active"]
    if latest is not None:
        snapshot: dict[str, Any] = dict(snapshot_object(latest, call.base_url, billed))
        contract = snapshot["contract"]
    else:
        snapshot = dict.fromkeys(SNAPSHOT_FIELDS, "")
        chosen = active[0] if active else max(contracts, key=lambda c: (c.started_on, c.reference))
        contract = str(chosen.reference)
    assert ONLINE_NOW is not None
    online = latest is not None and latest.taken_at >= now - ONLINE_NOW
    member: dict[str, Any] = {
        "uid": person.uid,
        "user_id": person.uid,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "timezone": person.timezone or "UTC",
        "timezone_offset": timezone_offset(person.timezone or "UTC", now),
        "contract": contract,
        "online": bool_text(online),
        "disabled": bool_text(not active or person.user_status != "active"),
    }
    member.update((name, value) for name, value in snapshot.items() if name not in member)
    return cast(MemberObject, member)


# --------------------------------------------------------------------------
# Rendering the picture


def render_svg(_call: Call[Any], picture: bytes) -> Response:
    """A placeholder picture: SVG, cached as immutable, allowed to load nothing."""
    return Response(
        picture,
        media_type=screenshots.MEDIA_TYPE,
        headers={
            "Cache-Control": IMAGE_CACHE,
            "Content-Security-Policy": "default-src 'none'",
        },
    )


# --------------------------------------------------------------------------
# Endpoints


@api.get(
    TEAMROOMS,
    access=SIGNED_IN,
    returns=TeamRoomsReply,
)
def get_teamrooms(call: Call[Params]) -> TeamRoomsReply:
    """The team rooms the caller may open, in the organisation's order.

    A room is a team: the caller opens it with a role on it that has team
    room access, or with ``manage_teamroom`` or hiring permission on it or
    above it (an admin and a company owner open every room of their teams).
    ``teamroom_api`` is the room's address; a company's root team has the
    company's id, so its address is the whole company's room.
    """
    scope = org_scope(call.db, call.user.id)
    return {"teamrooms": {"teamroom": [teamroom_payload(call, scope, t) for t in openable_rooms(call, scope)]}}


@api.get(
    f"{TEAMROOMS}/{{company_or_team_id}}",
    access=SIGNED_IN,
    params=RoomParams,
    returns=TeamRoomReply,
    errors={404: "not_found: no such team or company, or a room the caller may not open (never told apart)"},
)
def get_snapshots(call: Call[RoomParams]) -> TeamRoomReply:
    """The members of a team room (a company's id: all its rooms the caller may open), each with his latest snapshot.

    The members are the contractors with a contract on the room's team(s),
    by last name, first name and uid. ``online=now`` (the default) keeps
    the members whose latest snapshot there was taken in the last 20
    minutes, ``last_24h`` in the last day, ``all`` every member (one with no
    snapshot has his own fields and the snapshot fields empty).
    ``disabled=no`` (the default) leaves out a member without an active
    contract there or with an inactive account; ``yes`` keeps him.
    """
    p = call.params
    scope = org_scope(call.db, call.user.id)
    teams = room_teams(scope, openable_rooms(call, scope), p.company_or_team_id)
    contracts = queries.member_contracts(call.db, [team.id for team in teams])
    now = utcnow()
    window = ONLINE_WINDOWS[p.online]
    latest = queries.latest_snapshots(
        call.db, {c.engagement_id for c in contracts}, now - window if window is not None else None
    )
    billed = billed_until(call.db, {row.engagement_id for row in latest.values()})
    by_member: dict[int, list[queries.MemberContract]] = defaultdict(list)
    for contract in contracts:
        by_member[contract.user_id].append(contract)
    members = []
    for user_id, held in by_member.items():
        if window is not None and user_id not in latest:
            continue
        member = _member(call, held, latest.get(user_id), billed, now)
        if p.disabled == "no" and member["disabled"] == "1":
            continue
        members.append(member)
    return {"teamroom": {"snapshot": members}}


@api.post(
    UPLOAD,
    access=SIGNED_IN,
    params=UploadParams,
    returns=UploadReply,
    errors={
        400: "bad_request: a field breaks a rule (the message names it: time, memo, keyboard, snapshots[3].time...); "
        "invalid_state: the contract is not an active hourly one, or the time is in a week already invoiced",
        403: "access_denied: the caller sees the contract but is not its contractor",
        404: "not_found: no such contract, or one the caller is on neither side of (never told apart)",
        409: "conflict: a ten-minute segment the contractor already tracked (on this contract or another)",
    },
)
def post_snapshots(call: Call[UploadParams]) -> UploadReply:
    """The time tracker's upload: one snapshot, or up to 144, on the caller's own hourly contract; all or none.

    One snapshot: the fields ``time`` (yyyymmddTHHMMSSZ, UNIX seconds or ISO
    8601; UTC without an offset), ``memo``, ``task`` (an activity assigned
    to the contract), ``window_title``, ``computer_name``, ``keyboard`` and
    ``mouse`` (ten per-minute event counts, comma-separated), in a form or
    a JSON body. Several: a JSON body ``{"snapshots": [{...}, ...]}``. Each
    snapshot is ten minutes of the contract's time from the moment it is
    stored: the time reports count it at once. Answers the snapshots made.
    """
    key = call.params.contract_id
    contract = engagement_by_reference(call.db, key)
    if contract is None:
        raise NotFound(f"No contract with reference or id {key!r}")
    require_reader(org_scope(call.db, call.user.id), ContractParties.of(contract), "contract", key)
    if contract.provider_user_id != call.user.id:
        raise Forbidden(f"Only the contractor of the contract {key} uploads its time")
    items = read_upload(call.params)
    engagement = call.db.session.get(Engagement, contract.id)
    assert engagement is not None
    made = record_snapshots(call.db.session, engagement, items, utcnow())
    rows = queries.snapshot_rows(call.db, [snapshot.id for snapshot in made])
    return {"snapshot": cast(list[SnapshotObject], snapshot_objects(call.db, rows, call.base_url))}


@api.get(
    "/screenshots/{image}",
    access=PUBLIC,
    params=ScreenshotParams,
    returns=str,
    render=render_svg,
    formats=("svg",),
    head=True,
    errors={
        400: "bad_request: size is not thmb, med or lrg",
        404: "not_found: no snapshot has this screenshot key",
    },
)
def get_screenshot(call: Call[ScreenshotParams]) -> bytes:
    """A snapshot's screenshot: a placeholder SVG drawn from its key (the same key, the same picture).

    ``{image}`` is the key the snapshot's ``screenshot_url`` names followed
    by ``.svg``; ``size`` is ``thmb`` (200x125), ``med`` (400x250) or
    ``lrg`` (800x500, the default). Public like a CDN link: the key is 128
    random bits. The picture never changes, and is cached as immutable.
    """
    name = call.params.image
    image_key = name.removesuffix(".svg")
    if (
        name == image_key
        or not screenshots.is_image_key(image_key)
        or not queries.screenshot_exists(call.db, image_key)
    ):
        raise NotFound(f"No screenshot {name!r}")
    return screenshots.placeholder_svg(image_key, call.params.size)


__all__ = ["api", "openable_rooms", "read_upload", "room_teams"]
