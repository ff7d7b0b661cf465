"""``access.rules``: who acts for a buyer team and on each side of a contract, for every demo role."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from report_helpers import user
from test_reports_access import UIDS

from odesk_server.access import rules
from odesk_server.access.scope import org_scope
from odesk_server.db.work import UnitOfWork
from odesk_server.models import Company, Engagement
from odesk_server.problems import Forbidden, NotFound


def _scope(demo_db, role):
    with UnitOfWork(demo_db.engine) as work:
        return org_scope(work, user(demo_db, UIDS[role]).id)


# role, team key, what hiring_team answers (None: allowed), what reading_team answers
TEAM_CASES = [
    ("owner", "acme:engineering", None, None),
    ("hiring_manager", "acme:engineering", None, None),
    ("finance", "acme:engineering", Forbidden, None),
    ("member", "acme:marketing", Forbidden, Forbidden),
    ("member", "acme:mobile", NotFound, NotFound),
    ("provider", "acme:engineering", Forbidden, Forbidden),  # a contractor there: he sees the team
    ("provider", "acme:marketing", NotFound, NotFound),
    ("owner", "brightcode:brightcode", NotFound, NotFound),
    ("owner", "no:such", NotFound, NotFound),
]


@pytest.mark.parametrize(("role", "key", "hiring", "reading"), TEAM_CASES)
def test_buyer_teams(demo_db, role, key, hiring, reading):
    scope = _scope(demo_db, role)
    for check, expected in ((rules.hiring_team, hiring), (rules.reading_team, reading)):
        if expected is None:
            assert check(scope, key).team_id == key
        else:
            with pytest.raises(expected) as raised:
                check(scope, key)
            assert key in raised.value.message


def _contracts(demo_db):
    with demo_db.engine.connect() as connection:
        return connection.execute(
            sa.select(
                Engagement.reference,
                Engagement.buyer_team_id,
                Engagement.provider_user_id,
                Engagement.agency_company_id,
            )
        ).all()


def test_contract_sides_for_every_demo_contract(demo_db):
    contracts = _contracts(demo_db)
    assert any(c.agency_company_id is not None for c in contracts) and any(
        c.agency_company_id is None for c in contracts
    )
    owner, provider, staffing, member = (
        _scope(demo_db, r) for r in ("owner", "provider", "staffing_manager", "member")
    )
    provider_id = user(demo_db, UIDS["provider"]).id
    for contract in contracts:
        parties = rules.ContractParties(contract.buyer_team_id, contract.provider_user_id, contract.agency_company_id)
        key = str(contract.reference)
        # The demo's owner owns every buyer company: he acts for the buyer on every contract.
        rules.require_buyer(owner, parties, "contract", key)
        mine = contract.provider_user_id == provider_id
        assert rules.standing(provider, parties).provides is mine
        assert rules.standing(staffing, parties).provides is (contract.agency_company_id is not None)
        if not mine:
            with pytest.raises(NotFound, match=f"No contract with reference or id '{key}'"):
                rules.require_reader(provider, parties, "contract", key)
        else:
            with pytest.raises(Forbidden, match="hiring permission"):
                rules.require_buyer(provider, parties, "contract", key)
            rules.require_provider(provider, parties, "contract", key)
        with pytest.raises((Forbidden, NotFound)):
            rules.require_buyer(member, parties, "contract", key)


def _company(demo_db, company_id: str):
    with demo_db.engine.connect() as connection:
        return connection.execute(
            sa.select(Company.id, Company.is_agency).where(Company.company_id == company_id)
        ).one()


# role -> the agencies whose staffing manager he is (company ids): the agency's owner holds every flag on it,
# the staffing manager holds the flag on its root team; the buyer's owner holds every flag on a company that is
# no agency, which staffs nothing.
STAFFED = {
    "owner": set(),
    "hiring_manager": set(),
    "finance": set(),
    "agency_owner": {"brightcode:brightcode"},
    "staffing_manager": {"brightcode:brightcode"},
    "provider": set(),
    "agency_provider": set(),
    "member": set(),
}


@pytest.mark.parametrize(("role", "agencies"), sorted(STAFFED.items()))
def test_staffed_agencies_and_their_teams(demo_db, role, agencies):
    scope = _scope(demo_db, role)
    expected = {_company(demo_db, key).id for key in agencies}
    assert all(_company(demo_db, key).is_agency for key in agencies)
    assert rules.staffed_agencies(scope) == expected
    assert rules.staffed_teams(scope) == {team.id for team in scope.teams.values() if team.company_id in expected}
    if expected:
        assert rules.staffed_teams(scope)


READABLE = {  # role -> the teams whose hiring the role may read (hiring or finance permission)
    "owner": {"acme:acme", "acme:engineering", "acme:mobile", "acme:design", "acme:marketing"},
    "finance": {"acme:acme", "acme:engineering", "acme:mobile", "acme:design", "acme:marketing"},
    "hiring_manager": {"acme:engineering", "acme:mobile", "acme:design"},
    "member": set(),
    "provider": set(),
}


@pytest.mark.parametrize("role", sorted(READABLE))
def test_readable_teams(demo_db, role):
    scope = _scope(demo_db, role)
    names = {scope.teams[pk].team_id for pk in rules.readable_teams(scope)}
    assert names == READABLE[role]
    acme = scope.find_company("acme")
    if acme is not None:
        assert {scope.teams[pk].team_id for pk in rules.readable_teams(scope, scope.teams_of(acme))} == READABLE[role]
