"""What the hiring endpoint tests share: signed calls as a demo role, and rows made or read in the demo copy.

``Hiring`` is the app served over a demo database with the demo's
credentials: ``call`` signs a request with a role's token and sends it,
``ok`` also checks the 200 and answers the body. Jobs and candidacies that
another part of the API makes are written directly (``make_job``,
``make_candidacy``), and a payment's ledger legs read back (``legs``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from oauth_signing import consumer_signer, send, served_app
from starlette.testclient import TestClient

from odesk_server import db
from odesk_server.db.work import UnitOfWork
from odesk_server.demo import DemoCredentials
from odesk_server.models import Candidacy, Job, LedgerEntry, Team, User
from odesk_server.models.references import next_reference


@dataclass
class Hiring:
    """Signed requests as the demo roles to an app over a demo database, and direct reads of it.

    ``form_posts``: POST parameters go in a form body, as python-odesk sends
    them (otherwise every verb's go in the query); ``prefix`` is put in front
    of every path given to ``call`` and ``ok``.
    """

    client: TestClient
    credentials: DemoCredentials
    engine: sa.Engine
    form_posts: bool = False
    prefix: str = ""

    def call(self, role: str, method: str, path: str, params: dict[str, Any] | None = None) -> Any:
        """The response to ``method`` ``path`` with ``params``, signed with ``role``'s access token."""
        placement = "body" if self.form_posts and method == "POST" else "query"
        signer = consumer_signer(self.credentials, role, placement=placement)
        return send(self.client, signer, method, self.prefix + path, params)

    def ok(self, role: str, method: str, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """The JSON body of a call that must answer 200."""
        response = self.call(role, method, path, params)
        assert response.status_code == 200, response.text
        return response.json()

    def team_reference(self, team_id: str) -> str:
        """The reference of the demo team ``team_id`` (``acme:engineering``), as a key."""
        return str(self.credentials.team(team_id).reference)

    def user(self, uid: str) -> Any:
        """The user row whose uid is ``uid``."""
        with self.engine.connect() as connection:
            return connection.execute(sa.select(User).where(User.uid == uid)).one()

    def user_id(self, uid: str) -> int:
        return int(self.user(uid).id)

    def scalar(self, query: Any) -> Any:
        with self.engine.connect() as connection:
            return connection.execute(query).scalar()

    def rows(self, query: Any) -> list[Any]:
        with self.engine.connect() as connection:
            return list(connection.execute(query).all())


@contextmanager
def hiring(database: tuple[str, DemoCredentials], **options: Any) -> Iterator[Hiring]:
    """A ``Hiring`` over the demo database ``(url, credentials)``; ``options`` as the class takes them."""
    url, credentials = database
    engine = db.create_engine(url)
    try:
        with served_app(url) as client:
            yield Hiring(client, credentials, engine, **options)
    finally:
        engine.dispose()


def make_job(
    engine: sa.Engine,
    team_id: str = "acme:engineering",
    *,
    status: str = "open",
    job_type: str = "hourly",
    creator_uid: str = "mhale",
    reference: int | None = None,
    job_key: str | None = None,
    title: str | None = None,
) -> Job:
    """A job row of the team ``team_id`` (detached), as if posted through the jobs API."""
    with UnitOfWork(engine) as work:
        team = work.session.execute(sa.select(Team.id).where(Team.team_id == team_id)).scalar_one()
        creator = work.session.execute(sa.select(User.id).where(User.uid == creator_uid)).scalar_one()
        job = Job(
            reference=reference if reference is not None else next_reference(work.session, Job),
            job_key=job_key or f"~~{uuid.uuid4().hex[:16]}",
            buyer_team_id=team,
            created_by_user_id=creator,
            title=title or f"Job {uuid.uuid4().hex[:6]}",
            job_type=job_type,
            description="Work to do",
            visibility="public",
            status=status,
            budget=Decimal("900") if job_type == "fixed-price" else None,
            duration=None if job_type == "fixed-price" else 40,
        )
        work.session.add(job)
    return job


def make_candidacy(
    engine: sa.Engine,
    job: Job,
    uid: str,
    status: str,
    *,
    reference: int | None = None,
    origin: str = "application",
    through_team: str | None = None,
    **columns: Any,
) -> Candidacy:
    """The candidacy of the provider ``uid`` for ``job`` in ``status`` (detached), through the team id ``through_team``."""
    with UnitOfWork(engine) as work:
        provider = work.session.execute(sa.select(User.id).where(User.uid == uid)).scalar_one()
        team = (
            work.session.execute(sa.select(Team.id).where(Team.team_id == through_team)).scalar_one()
            if through_team is not None
            else None
        )
        candidacy = Candidacy(
            reference=reference if reference is not None else next_reference(work.session, Candidacy),
            job_id=job.id,
            provider_user_id=provider,
            provider_team_id=team,
            origin=origin,
            status=status,
            **columns,
        )
        work.session.add(candidacy)
    return candidacy


def legs(engine: sa.Engine, transaction_ref: int | None) -> list[Any]:
    """The ledger legs of the transaction ``transaction_ref``, by reference (none for None)."""
    if transaction_ref is None:
        return []
    with engine.connect() as connection:
        query = sa.select(LedgerEntry).where(LedgerEntry.transaction_ref == transaction_ref)
        return list(connection.execute(query.order_by(LedgerEntry.reference)).all())
