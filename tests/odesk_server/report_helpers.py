"""What the report tests share beside the ``demo_db`` fixture (conftest.py): demo users by uid."""

from __future__ import annotations

import sqlalchemy as sa

from odesk_server.db import Database
from odesk_server.models import User


def user(database: Database, uid: str) -> User:
    """The demo user whose uid is ``uid`` (detached)."""
    with database.session() as session:
        return session.scalars(sa.select(User).where(User.uid == uid)).one()
