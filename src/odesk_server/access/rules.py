"""The access rules the write endpoints share: who acts for a buyer team, who acts on a contract.

Decided on the caller's organisation scope (``access.scope``, one query),
with the predicates named as the documentation names them
(``access.predicates``). What the caller may not see is ``NotFound``, with
the message an unknown key gets; what the caller sees but may not do is
``Forbidden``, naming the permission it needs (docs/permissions.md).

- Buyer side (jobs, offers, candidacies, milestones, adjustments, contract
  actions): hiring permission (``manage_recruiting`` or
  ``manage_employment``) on the buyer team or a team above it; reading also
  to finance permission.
- Contractor side: the provider himself, or a staffing manager of the agency
  the contract was made through (``staffed_agencies``: the staffing-manager
  flag on the agency's root team).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from odesk_server.access.predicates import is_hiring_manager, is_staffing_manager, reads_hiring
from odesk_server.access.scope import OrgScope, TeamNode
from odesk_server.problems import Forbidden, NotFound

HIRING_NEEDED = "hiring permission (manage_recruiting or manage_employment)"
READING_NEEDED = "hiring or finance permission"


def team_named(scope: OrgScope, key: str) -> TeamNode:
    """The team ``key`` names among the teams the caller sees; ``NotFound`` otherwise."""
    team = scope.find_visible_team(key)
    if team is None:
        raise NotFound(f"No team with reference or id {key!r}")
    return team


def hiring_team(scope: OrgScope, key: str) -> TeamNode:
    """The buyer team ``key`` names, on which the caller may hire; ``NotFound`` or ``Forbidden`` otherwise."""
    team = team_named(scope, key)
    if not is_hiring_manager(scope, team):
        raise Forbidden(f"You need {HIRING_NEEDED} on the team {key}")
    return team


def reading_team(scope: OrgScope, key: str) -> TeamNode:
    """The buyer team ``key`` names, whose hiring the caller may read (hiring or finance permission)."""
    team = team_named(scope, key)
    if not reads_hiring(scope, team):
        raise Forbidden(f"You need {READING_NEEDED} on the team {key}")
    return team


def readable_teams(scope: OrgScope, teams: Iterable[TeamNode] | None = None) -> list[int]:
    """The ids of the visible teams (of ``teams``, default all) whose hiring the caller may read."""
    candidates = scope.visible_teams() if teams is None else teams
    return [t.id for t in candidates if t.id in scope.visible_team_ids and reads_hiring(scope, t)]


@dataclass(frozen=True)
class ContractParties:
    """Who is on each side of a contract (or an offer, a candidacy): database keys."""

    buyer_team_id: int
    provider_user_id: int
    agency_company_id: int | None = None

    @classmethod
    def of(cls, contract: Any) -> ContractParties:
        """The parties of a contract row (anything with ``buyer_team_id``, ``provider_user_id``, ``agency_company_id``)."""
        return cls(contract.buyer_team_id, contract.provider_user_id, contract.agency_company_id)


@dataclass(frozen=True)
class Standing:
    """The caller's standing on a contract: buyer side (may act, may read), contractor side."""

    buys: bool
    reads_as_buyer: bool
    provides: bool

    @property
    def sees(self) -> bool:
        """Whether the caller may see the contract at all."""
        return self.reads_as_buyer or self.provides


def standing(scope: OrgScope, parties: ContractParties) -> Standing:
    """The caller's standing on a contract with ``parties`` (no query: the scope has it all)."""
    team = scope.teams.get(parties.buyer_team_id)
    visible = team is not None and team.id in scope.visible_team_ids
    buys = visible and team is not None and is_hiring_manager(scope, team)
    reads = visible and team is not None and reads_hiring(scope, team)
    provides = parties.provider_user_id == scope.user_id or (
        parties.agency_company_id is not None and parties.agency_company_id in staffed_agencies(scope)
    )
    return Standing(buys=buys, reads_as_buyer=reads, provides=provides)


def staffed_agencies(scope: OrgScope) -> frozenset[int]:
    """The agencies (company primary keys) whose staffing manager the caller is, on their root team.

    Their contractors' contracts, offers and candidacies are the caller's to
    read and answer, on the contractor side.
    """
    return frozenset(
        company.id
        for company in scope.companies.values()
        if company.is_agency
        and company.root_team_id is not None
        and company.root_team_id in scope.teams
        and is_staffing_manager(scope, scope.teams[company.root_team_id])
    )


def staffed_teams(scope: OrgScope) -> frozenset[int]:
    """Every team (primary key) of the agencies in ``staffed_agencies``."""
    agencies = staffed_agencies(scope)
    return frozenset(team.id for team in scope.teams.values() if team.company_id in agencies)


def require_buyer(scope: OrgScope, parties: ContractParties, what: str, key: str) -> None:
    """Return when the caller may act for the buyer on ``what`` ``key``; ``NotFound`` or ``Forbidden`` otherwise."""
    seen = standing(scope, parties)
    if not seen.sees:
        raise NotFound(f"No {what} with reference or id {key!r}")
    if not seen.buys:
        raise Forbidden(f"You need {HIRING_NEEDED} on the buyer team of the {what} {key}")


def require_provider(scope: OrgScope, parties: ContractParties, what: str, key: str) -> None:
    """Return when the caller acts for the contractor (himself, or his agency's staffing manager)."""
    seen = standing(scope, parties)
    if not seen.sees:
        raise NotFound(f"No {what} with reference or id {key!r}")
    if not seen.provides:
        raise Forbidden(f"Only the contractor of the {what} {key}, or his agency's staffing manager, may do this")


def require_reader(scope: OrgScope, parties: ContractParties, what: str, key: str) -> Standing:
    """The caller's standing when they may see ``what`` ``key`` (either side); ``NotFound`` otherwise."""
    seen = standing(scope, parties)
    if not seen.sees:
        raise NotFound(f"No {what} with reference or id {key!r}")
    return seen
