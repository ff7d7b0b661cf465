"""Nonce storage for replay protection (RFC 5849 section 3.3).

A request is accepted once per (consumer key, token, nonce, timestamp): the
row is inserted with ``ON CONFLICT DO NOTHING`` and a conflict means a
replay, which is atomic on both backends even under concurrent requests.
Requests older than the timestamp window are refused anyway, so rows older
than twice the window are useless and ``purge_expired`` deletes them (the
provider calls it at most once a minute).
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from odesk_server.models import OAuthNonce, utcnow

_TABLE = OAuthNonce.__table__


def consume_nonce(session: Session, consumer_key: str, token: str, nonce: str, timestamp: int) -> bool:
    """Store the nonce; True when it was new, False when this is a replay."""
    values = {
        "consumer_key": consumer_key,
        "token": token,
        "nonce": nonce,
        "timestamp": timestamp,
        "created_at": utcnow(),
    }
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert(_TABLE) if dialect == "postgresql" else sqlite.insert(_TABLE)
    # RETURNING tells whether a row went in (rowcount is -1 on psycopg for this statement).
    inserted = session.execute(insert.values(**values).on_conflict_do_nothing().returning(_TABLE.c.id)).first()
    return inserted is not None


def purge_expired(session: Session, window_seconds: int, now: float | None = None) -> int:
    """Delete nonces whose timestamp is older than twice the window; returns how many."""
    cutoff = int((time.time() if now is None else now) - 2 * window_seconds)
    result = session.execute(sa.delete(OAuthNonce).where(OAuthNonce.timestamp < cutoff))
    return result.rowcount or 0
