"""Permission predicates, named after the words of the documentation (docs/permissions.md, "Vocabulary").

Each one answers from a loaded ``OrgScope``
(``odesk_server.access.scope``) without a query:

| documentation                 | predicate              | what it checks                                          |
| ----------------------------- | ---------------------- | ------------------------------------------------------- |
| owner                         | ``is_owner``           | ``Company.owner_user_id``                               |
| admin                         | ``is_admin``           | the ``admin`` role on the team or above, or the owner   |
| hiring manager / permission   | ``is_hiring_manager``  | ``manage_recruiting`` or ``manage_employment``          |
| finance permission / manager  | ``is_finance_manager`` | ``manage_finance``                                      |
| reading a team's hiring       | ``reads_hiring``       | hiring or finance permission                            |
| supervisor of a provider      | ``is_supervisor``      | ``manage_employment`` on the buyer team of his contract |
| staffing manager              | ``is_staffing_manager``| ``staffing_manager`` on the agency's team               |
| the provider himself          | ``is_the_provider``    | the caller is the user the key names, and a provider    |

Flags are those the scope works out: held on the team or above it, every
flag for the admin role and for the company owner.
"""

from __future__ import annotations

from odesk_server.access.keys import as_reference, usable
from odesk_server.access.scope import ADMIN_ROLE, CompanyNode, OrgScope, TeamNode
from odesk_server.models import MANAGE_EMPLOYMENT, MANAGE_FINANCE, MANAGE_RECRUITING, STAFFING_MANAGER, User

HIRING = frozenset({MANAGE_RECRUITING, MANAGE_EMPLOYMENT})
FINANCE = frozenset({MANAGE_FINANCE})
SUPERVISION = frozenset({MANAGE_EMPLOYMENT})
STAFFING = frozenset({STAFFING_MANAGER})


def is_owner(scope: OrgScope, company: CompanyNode) -> bool:
    """Whether the scope's user owns ``company``."""
    return scope.owns(company)


def is_admin(scope: OrgScope, team: TeamNode) -> bool:
    """Whether the user is an admin of ``team``: the ``admin`` role on it or above it, or the company owner."""
    if scope.owns(scope.company_of(team)):
        return True
    return any(role.name == ADMIN_ROLE for role in scope.roles_from_above(team))


def is_hiring_manager(scope: OrgScope, team: TeamNode) -> bool:
    """Whether the user holds hiring permission on ``team`` (``manage_recruiting`` or ``manage_employment``)."""
    return scope.holds_any(team, HIRING)


def is_finance_manager(scope: OrgScope, team: TeamNode) -> bool:
    """Whether the user holds finance permission on ``team`` (``manage_finance``).

    For a whole company's account, ``team`` is the company's root team.
    """
    return scope.holds_any(team, FINANCE)


def reads_hiring(scope: OrgScope, team: TeamNode) -> bool:
    """Whether the user may read ``team``'s hiring (jobs, offers, contracts): hiring or finance permission."""
    return scope.holds_any(team, HIRING | FINANCE)


def is_supervisor(scope: OrgScope, team: TeamNode) -> bool:
    """Whether the user supervises the providers whose contracts are with ``team`` (``manage_employment``)."""
    return scope.holds_any(team, SUPERVISION)


def supervised_teams(scope: OrgScope, team: TeamNode) -> frozenset[int]:
    """The primary keys of the teams of ``team``'s subtree whose providers the user supervises."""
    return frozenset(pk for pk in scope.subtree(team) if is_supervisor(scope, scope.teams[pk]))


def is_staffing_manager(scope: OrgScope, team: TeamNode) -> bool:
    """Whether the user is a staffing manager of ``team`` (an agency's team): ``staffing_manager``."""
    return scope.holds_any(team, STAFFING)


def is_the_provider(caller: User, key: str) -> bool:
    """Whether ``key`` (a uid or a numeric reference) names ``caller``, and ``caller`` is a provider.

    Decided from the caller alone: a key naming anyone else, or nobody, is simply not the caller.
    """
    if not usable(key) or not caller.is_provider:
        return False
    return caller.uid == key or caller.reference == as_reference(key)
