"""Applications (OAuth consumers) and their access tokens: register, list, issue, revoke.

What ``odesk-server consumer`` / ``token`` do in the shell and the
applications page does in the browser, in one place. Each function takes
the caller's ``Session`` (the caller commits), decides nothing about who
asks, and raises ``problems.NotFound`` / ``problems.WrongState`` with a
sentence for a person. Who may see or revoke what on the web page is
decided by ``visible_applications`` and ``may_revoke_*`` below:

- a person sees and revokes the applications he registered (``owner_user_id``)
  and the tokens he granted (his own access tokens, by application);
- the owner of a company sees and revokes, besides, the applications
  registered by the company's staff (the owner and every user holding an
  ``employee`` role on one of its teams) and the tokens those people
  granted. Contractors are not the company's staff: their tokens act for
  them with every client, so no client may revoke them.

Revoking an application revokes every token issued to it; revocation takes
effect on the next request in every server process (docs/oauth.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from odesk_server import security
from odesk_server.models import (
    AccessToken,
    Company,
    Consumer,
    ConsumerCallbackOrigin,
    Team,
    User,
    UserRole,
    utcnow,
)
from odesk_server.oauth.callbacks import origin_of, registered_origins
from odesk_server.problems import NotFound, WrongState

STAFF_AFFILIATION = "employee"


@dataclass(frozen=True)
class Registered:
    """A new application: its key and secret (shown once) and the origins it may send users back to."""

    id: int
    name: str
    key: str
    secret: str
    origins: frozenset[str]


@dataclass(frozen=True)
class Issued:
    """A new access token for ``uid`` through the application ``consumer_name``."""

    uid: str
    consumer_name: str
    token: str
    secret: str


@dataclass(frozen=True)
class Application:
    """An application as a list shows it (never its secret)."""

    id: int
    key: str
    name: str
    callback: str | None
    origins: tuple[str, ...]
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    owner_uid: str | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class Grant:
    """An access token as a list shows it: its first characters only, never the secret."""

    id: int
    token_start: str
    uid: str
    consumer_key: str
    consumer_name: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def register_application(
    session: Session,
    name: str,
    callback: str | None = None,
    callback_origins: Iterable[str] = (),
    owner_user_id: int | None = None,
) -> Registered:
    """Register an application named ``name`` (already checked: 1-200 characters).

    ``callback`` is its default callback (an http(s) URL or ``oob``),
    ``callback_origins`` further ``scheme://host[:port]`` origins (already
    normalised by ``callbacks.parse_origin``). The default callback's origin
    needs no row of its own.
    """
    consumer = Consumer(
        key=security.new_key(),
        secret=security.new_secret(),
        name=name,
        callback_uri=callback or None,
        owner_user_id=owner_user_id,
    )
    session.add(consumer)
    session.flush()
    extra = sorted(set(callback_origins) - {origin_of(callback)})
    session.add_all(ConsumerCallbackOrigin(consumer_id=consumer.id, origin=origin) for origin in extra)
    session.flush()
    origins = registered_origins(session, consumer.id, consumer.callback_uri)
    return Registered(consumer.id, consumer.name, consumer.key, consumer.secret, origins)


def _applications(session: Session, where: sa.ColumnElement[bool] | None) -> list[Application]:
    statement = sa.select(Consumer, User.uid).outerjoin(User, User.id == Consumer.owner_user_id).order_by(Consumer.id)
    if where is not None:
        statement = statement.where(where)
    found = []
    for consumer, owner_uid in session.execute(statement).all():
        origins = tuple(sorted(registered_origins(session, consumer.id, consumer.callback_uri)))
        found.append(
            Application(
                consumer.id,
                consumer.key,
                consumer.name,
                consumer.callback_uri,
                origins,
                consumer.created_at,
                consumer.revoked_at,
                owner_uid,
            )
        )
    return found


def all_applications(session: Session) -> list[Application]:
    """Every registered application, oldest first (the shell's list)."""
    return _applications(session, None)


def revoke_application(session: Session, key: str) -> Application:
    """Revoke the application with ``key`` and every token issued to it; returns it as it was.

    Raises ``NotFound`` for an unknown key, ``WrongState`` when it is revoked already.
    """
    consumer = session.scalar(sa.select(Consumer).where(Consumer.key == key))
    if consumer is None:
        raise NotFound(f"No application has the key {key!r}")
    if consumer.revoked_at is not None:
        raise WrongState(f"The application {key!r} was already revoked on {consumer.revoked_at:%Y-%m-%d}")
    shown = _applications(session, Consumer.id == consumer.id)[0]
    now = utcnow()
    consumer.revoked_at = now
    session.execute(
        sa.update(AccessToken)
        .where(AccessToken.consumer_id == consumer.id, AccessToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    session.flush()
    return shown


def issue_token(session: Session, uid: str, consumer_key: str) -> Issued:
    """A new access token for the user ``uid`` through the application ``consumer_key``.

    Raises ``NotFound`` for an unknown user or application, ``WrongState`` for a revoked application.
    """
    user = session.scalar(sa.select(User).where(User.uid == uid))
    if user is None:
        raise NotFound(f"No user has the uid {uid!r}")
    consumer = session.scalar(sa.select(Consumer).where(Consumer.key == consumer_key))
    if consumer is None:
        raise NotFound(f"No application has the key {consumer_key!r}")
    if consumer.revoked_at is not None:
        raise WrongState(f"The application {consumer_key!r} is revoked")
    token = AccessToken(
        token=security.new_key(), secret=security.new_secret(), consumer_id=consumer.id, user_id=user.id
    )
    session.add(token)
    session.flush()
    return Issued(user.uid, consumer.name, token.token, token.secret)


def revoke_token(session: Session, token_id: int) -> None:
    """Revoke the access token ``token_id``; ``NotFound`` when there is none, ``WrongState`` when revoked."""
    token = session.get(AccessToken, token_id)
    if token is None:
        raise NotFound("No such access token")
    if token.revoked_at is not None:
        raise WrongState("This access token was already revoked")
    token.revoked_at = utcnow()
    session.flush()


# --- who sees what on the applications page ---------------------------------------------------


def owned_companies(session: Session, user_id: int) -> list[Company]:
    """The companies ``user_id`` owns, by name."""
    return list(session.scalars(sa.select(Company).where(Company.owner_user_id == user_id).order_by(Company.name)))


def company_staff(session: Session, company: Company) -> frozenset[int]:
    """The users of ``company``'s staff: its owner and every ``employee`` role holder on one of its teams."""
    staff = set(
        session.scalars(
            sa.select(UserRole.user_id)
            .join(Team, Team.id == UserRole.team_id)
            .where(Team.company_id == company.id, UserRole.affiliation_status == STAFF_AFFILIATION)
        )
    )
    if company.owner_user_id is not None:
        staff.add(company.owner_user_id)
    return frozenset(staff)


def _staff_of_owner(session: Session, user_id: int) -> frozenset[int]:
    people: set[int] = set()
    for company in owned_companies(session, user_id):
        people |= company_staff(session, company)
    return frozenset(people)


def applications_registered_by(session: Session, user_ids: Iterable[int]) -> list[Application]:
    """The applications registered by any of ``user_ids``, oldest first."""
    ids = sorted(set(user_ids))
    return _applications(session, Consumer.owner_user_id.in_(ids)) if ids else []


def grants_of(session: Session, user_ids: Iterable[int]) -> list[Grant]:
    """The access tokens granted by any of ``user_ids`` (to any application), newest first."""
    ids = sorted(set(user_ids))
    if not ids:
        return []
    rows = session.execute(
        sa.select(AccessToken, User.uid, Consumer.key, Consumer.name)
        .join(User, User.id == AccessToken.user_id)
        .join(Consumer, Consumer.id == AccessToken.consumer_id)
        .where(AccessToken.user_id.in_(ids))
        .order_by(AccessToken.created_at.desc(), AccessToken.id.desc())
    ).all()
    return [
        Grant(token.id, token.token[:8], uid, key, name, token.created_at, token.revoked_at)
        for token, uid, key, name in rows
    ]


@dataclass(frozen=True)
class CompanyView:
    """What a company owner sees of one company: its staff's applications and grants."""

    company_id: str
    name: str
    applications: Sequence[Application]
    grants: Sequence[Grant]


def company_views(session: Session, user_id: int) -> list[CompanyView]:
    """For each company ``user_id`` owns, its staff's applications and the tokens its staff granted."""
    views = []
    for company in owned_companies(session, user_id):
        staff = company_staff(session, company)
        views.append(
            CompanyView(
                company.company_id,
                company.name,
                applications_registered_by(session, staff),
                grants_of(session, staff),
            )
        )
    return views


def may_revoke_application(session: Session, user_id: int, key: str) -> bool:
    """Whether ``user_id`` registered the application ``key`` or owns a company whose staff did."""
    owner = session.scalar(sa.select(Consumer.owner_user_id).where(Consumer.key == key))
    if owner is None:
        return False
    return owner == user_id or owner in _staff_of_owner(session, user_id)


def may_revoke_token(session: Session, user_id: int, token_id: int) -> bool:
    """Whether the token ``token_id`` is ``user_id``'s own or was granted by the staff of a company he owns."""
    holder = session.scalar(sa.select(AccessToken.user_id).where(AccessToken.id == token_id))
    if holder is None:
        return False
    return holder == user_id or holder in _staff_of_owner(session, user_id)


def revoke_grants_to(session: Session, user_id: int, key: str) -> int:
    """Revoke every live token ``user_id`` granted to the application ``key``; returns how many."""
    consumer_id = session.scalar(sa.select(Consumer.id).where(Consumer.key == key))
    if consumer_id is None:
        return 0
    result = session.execute(
        sa.update(AccessToken)
        .where(
            AccessToken.consumer_id == consumer_id,
            AccessToken.user_id == user_id,
            AccessToken.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )
    session.flush()
    return int(getattr(result, "rowcount", 0) or 0)
