"""The permission rules (docs/permissions.md, "Vocabulary") on the permission scope and its predicates.

A hand-made company (root > dev > qa, plus a second company the test users
have nothing to do with) checks the rules one by one; the demo organisation
checks every demo role's flags and the named predicates. SQLite and
PostgreSQL.
"""

from __future__ import annotations

import pytest
from report_helpers import user
from test_reports_access import UIDS
from test_reports_permission_queries import statements

from odesk_server import db
from odesk_server.access.predicates import (
    is_admin,
    is_finance_manager,
    is_hiring_manager,
    is_owner,
    is_staffing_manager,
    is_supervisor,
    is_the_provider,
    supervised_teams,
)
from odesk_server.access.scope import OrgScope, org_scope
from odesk_server.db.work import UnitOfWork
from odesk_server.models import PERMISSIONS, Company, Team, User, UserRole, UserRolePermission

# --- the rules, on a small hand-made organisation -------------------------------------------


@pytest.fixture
def organisation(migrated_database_url: str):
    """``(database, users by uid, team primary keys by team_id)``: two companies, roles on the first."""
    database = db.Database(migrated_database_url)
    with database.session() as session:
        users = {}
        for number, uid in enumerate(("owner", "hm", "admin", "fin", "nobody", "other"), start=1):
            users[uid] = User(uid=uid, reference=900 + number, first_name=uid, last_name="x", email=f"{uid}@x.org")
        session.add_all(users.values())
        session.flush()
        teams: dict[str, Team] = {}
        for number, (prefix, owner) in enumerate((("co", "owner"), ("other", "other")), start=1):
            company = Company(
                reference=number, company_id=f"{prefix}:{prefix}", name=prefix, owner_user_id=users[owner].id
            )
            session.add(company)
            session.flush()
            parent = None
            for offset, name in enumerate((prefix, "dev", "qa")):
                team = Team(
                    reference=10 * number + offset,
                    team_id=f"{prefix}:{name}",
                    name=name,
                    company_id=company.id,
                    parent_team_id=parent.id if parent is not None else None,
                )
                session.add(team)
                session.flush()
                teams[team.team_id] = parent = team
            company.root_team_id = teams[f"{prefix}:{prefix}"].id
        roles = [  # uid, team, role, flags
            ("hm", "co:dev", "manager", ["manage_recruiting"]),
            ("admin", "co:qa", "admin", []),
            ("fin", "co:co", "member", ["manage_finance"]),
        ]
        for number, (uid, team_id, role, flags) in enumerate(roles, start=1):
            session.add(
                UserRole(
                    reference=number,
                    user_id=users[uid].id,
                    team_id=teams[team_id].id,
                    role=role,
                    permission_rows=[UserRolePermission(permission=flag) for flag in flags],
                )
            )
        ids = {uid: u.id for uid, u in users.items()}
        team_pks = {team_id: team.id for team_id, team in teams.items()}
    yield database, ids, team_pks
    database.dispose()


def scope_of(database: db.Database, user_id: int) -> OrgScope:
    with UnitOfWork(database.engine) as work:
        return org_scope(work, user_id)


def held(scope: OrgScope, team_key: str) -> frozenset[str]:
    """The flags held on the team ``team_key`` names (none on a team outside the scope)."""
    team = scope.find_team(team_key)
    return frozenset() if team is None else scope.permissions_on(team)


RULES = [  # user, team, flags held there
    ("owner", "co:co", PERMISSIONS),  # the owner holds every flag on every team
    ("owner", "co:qa", PERMISSIONS),
    ("owner", "other:co", frozenset()),  # ... of his company only
    ("hm", "co:co", frozenset()),  # flags do not go up
    ("hm", "co:dev", frozenset({"manage_recruiting"})),
    ("hm", "co:qa", frozenset({"manage_recruiting"})),  # they go down
    ("admin", "co:qa", PERMISSIONS),  # the admin role carries every flag
    ("admin", "co:dev", frozenset()),  # ... on its subtree only
    ("fin", "co:qa", frozenset({"manage_finance"})),
    ("nobody", "co:dev", frozenset()),
    ("hm", "other:dev", frozenset()),  # another company: not in the scope
    ("hm", "424242", frozenset()),  # an unknown team
]


def test_flags_held_on_a_team(organisation):
    database, users, _teams = organisation
    for uid, team, expected in RULES:
        assert held(scope_of(database, users[uid]), team) == expected, (uid, team)


def test_the_scope_holds_the_companies_of_the_user_only(organisation):
    database, users, teams = organisation
    hm = scope_of(database, users["hm"])
    assert {c.company_id for c in hm.companies.values()} == {"co:co"}
    assert set(hm.teams) == {teams["co:co"], teams["co:dev"], teams["co:qa"]}
    assert scope_of(database, users["nobody"]).teams == {}
    # The owner of a company without a role in it still sees all of it.
    assert {t.team_id for t in scope_of(database, users["other"]).teams.values()} == {
        "other:other",
        "other:dev",
        "other:qa",
    }


def test_subtrees_and_ancestry(organisation):
    database, users, teams = organisation
    scope = scope_of(database, users["hm"])
    root, dev, qa = (scope.teams[teams[t]] for t in ("co:co", "co:dev", "co:qa"))
    assert scope.subtree(root) == {root.id, dev.id, qa.id}
    assert scope.subtree(dev) == {dev.id, qa.id}
    assert scope.subtree(qa) == {qa.id}
    assert [t.team_id for t in scope.ancestry(qa)] == ["co:qa", "co:dev", "co:co"]
    assert scope.teams_of(scope.company_of(qa)) == [root, dev, qa]
    holding = {t.team_id for t in scope.teams.values() if "manage_recruiting" in scope.permissions_on(t)}
    assert holding == {"co:dev", "co:qa"}


def test_an_unknown_flag_is_an_error(organisation):
    database, users, _teams = organisation
    scope = scope_of(database, users["hm"])
    team = scope.find_team("co:dev")
    assert team is not None
    assert scope.holds_any(team, frozenset({"manage_recruiting"}))
    assert not scope.holds_any(team, frozenset({"manage_finance"}))
    with pytest.raises(ValueError, match="unknown permission 'fly'"):
        scope.holds_any(team, frozenset({"fly"}))


TEAM_KEYS = [  # key, within the company, team found
    ("co:dev", None, "co:dev"),
    ("11", None, "co:dev"),  # by reference
    ("dev", None, None),  # the short form needs the company
    ("dev", "co:co", "co:dev"),
    ("co:dev", "co:co", "co:dev"),
    ("11", "co:co", "co:dev"),
    ("other:dev", None, None),  # a team of another company is not found: like an unknown one
    ("21", None, None),
    ("", None, None),
    ("co:dev\x00", None, None),
    ("x" * 201, None, None),
]
COMPANY_KEYS = [("co:co", "co:co"), ("co", "co:co"), ("1", "co:co"), ("other", None), ("2", None), ("nope", None)]


def test_finding_teams_and_companies_by_key(organisation):
    database, users, _teams = organisation
    scope = scope_of(database, users["hm"])
    for key, company, found in TEAM_KEYS:
        within = scope.find_company(company) if company is not None else None
        team = scope.find_team(key, within)
        assert (team.team_id if team is not None else None) == found, (key, company)
    for key, found in COMPANY_KEYS:
        named = scope.find_company(key)
        assert (named.company_id if named is not None else None) == found, key


def test_predicates_on_the_rules(organisation):
    database, users, _teams = organisation
    owner, hm, admin = (scope_of(database, users[uid]) for uid in ("owner", "hm", "admin"))
    company, hm_company, root = owner.find_company("co"), hm.find_company("co"), owner.find_team("co:co")
    assert company is not None and hm_company is not None and root is not None
    assert is_owner(owner, company) and not is_owner(hm, hm_company)
    assert is_admin(owner, root)
    admin_qa, admin_dev = admin.find_team("co:qa"), admin.find_team("co:dev")
    assert admin_qa is not None and admin_dev is not None
    assert is_admin(admin, admin_qa) and not is_admin(admin, admin_dev)
    hm_dev = hm.find_team("co:dev")
    assert hm_dev is not None
    assert is_hiring_manager(hm, hm_dev) and not is_admin(hm, hm_dev) and not is_supervisor(hm, hm_dev)


def test_the_scope_is_one_query(organisation):
    database, users, _teams = organisation
    with statements(database) as seen:
        scope_of(database, users["hm"])
    assert len(seen) == 1


# --- every demo role ---------------------------------------------------------------------------

ROLE_PERMISSIONS = [  # role, team, permissions held there
    ("owner", "acme:acme", PERMISSIONS),
    ("owner", "acme:mobile", PERMISSIONS),
    ("hiring_manager", "acme:engineering", {"manage_recruiting", "manage_employment", "manage_teamroom"}),
    ("hiring_manager", "acme:mobile", {"manage_recruiting", "manage_employment", "manage_teamroom"}),
    ("hiring_manager", "acme:design", {"manage_recruiting", "manage_employment"}),
    ("hiring_manager", "acme:marketing", set()),
    ("hiring_manager", "acme:acme", set()),
    ("finance", "acme:acme", {"manage_finance"}),
    ("finance", "acme:design", {"manage_finance"}),
    ("member", "acme:marketing", set()),
    ("member", "acme:acme", set()),
    ("agency_owner", "brightcode:brightcode", PERMISSIONS),
    ("agency_owner", "acme:acme", set()),
    ("staffing_manager", "brightcode:brightcode", {"staffing_manager", "manage_employment"}),
    ("staffing_manager", "acme:acme", set()),
    ("provider", "acme:engineering", set()),
    ("agency_provider", "brightcode:brightcode", set()),
]


@pytest.mark.parametrize("role, team, expected", ROLE_PERMISSIONS)
def test_demo_roles_hold_the_right_permissions(demo_db, role, team, expected):
    assert held(scope_of(demo_db, user(demo_db, UIDS[role]).id), team) == frozenset(expected)


# predicate, role, team (a company for is_owner), holds
DEMO_PREDICATES = [
    (is_owner, "owner", "acme:acme", True),
    (is_owner, "finance", "acme:acme", False),
    (is_owner, "agency_owner", "brightcode:brightcode", True),
    (is_admin, "owner", "acme:mobile", True),
    (is_admin, "agency_owner", "brightcode:brightcode", True),
    (is_admin, "staffing_manager", "brightcode:brightcode", False),
    (is_admin, "hiring_manager", "acme:engineering", False),
    (is_hiring_manager, "hiring_manager", "acme:engineering", True),
    (is_hiring_manager, "hiring_manager", "acme:design", True),
    (is_hiring_manager, "hiring_manager", "acme:marketing", False),
    (is_hiring_manager, "finance", "acme:engineering", False),
    (is_finance_manager, "finance", "acme:acme", True),
    (is_finance_manager, "finance", "acme:design", True),
    (is_finance_manager, "hiring_manager", "acme:engineering", False),
    (is_finance_manager, "owner", "acme:acme", True),
    (is_supervisor, "hiring_manager", "acme:mobile", True),
    (is_supervisor, "finance", "acme:engineering", False),
    (is_supervisor, "member", "acme:marketing", False),
    (is_staffing_manager, "staffing_manager", "brightcode:brightcode", True),
    (is_staffing_manager, "agency_owner", "brightcode:brightcode", True),
    (is_staffing_manager, "agency_provider", "brightcode:brightcode", False),
]


@pytest.mark.parametrize(
    "predicate, role, key, holds",
    [pytest.param(*case, id=f"{case[0].__name__}-{case[1]}-{case[2]}") for case in DEMO_PREDICATES],
)
def test_demo_predicates(demo_db, predicate, role, key, holds):
    scope = scope_of(demo_db, user(demo_db, UIDS[role]).id)
    target = scope.find_company(key) if predicate is is_owner else scope.find_team(key)
    assert target is not None
    assert predicate(scope, target) is holds


def test_a_supervisor_supervises_the_teams_below_where_he_holds_manage_employment(demo_db):
    scope = scope_of(demo_db, user(demo_db, UIDS["hiring_manager"]).id)
    root = scope.find_team("acme:acme")
    assert root is not None
    supervised = {scope.teams[pk].team_id for pk in supervised_teams(scope, root)}
    assert supervised == {"acme:engineering", "acme:mobile", "acme:design"}


@pytest.mark.parametrize(
    "role, key, holds",
    [
        ("provider", "jwalker", True),
        ("provider", "jwalker-reference", True),
        ("provider", "akowalski", False),  # another provider
        ("provider", "", False),
        ("agency_provider", "akowalski", True),
        ("owner", "mhale", False),  # himself, but not a provider
    ],
)
def test_the_provider_himself(demo_db, role, key, holds):
    caller = user(demo_db, UIDS[role])
    if key.endswith("-reference"):
        key = str(caller.reference)
    assert is_the_provider(caller, key) is holds
