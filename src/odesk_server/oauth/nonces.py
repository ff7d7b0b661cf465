"""Nonce storage for replay protection (RFC 5849 section 3.3).

A request is accepted once per (consumer key, token, nonce, timestamp): the
row is inserted with ``ON CONFLICT DO NOTHING RETURNING id`` and a conflict means a
replay, which is atomic on both backends even under concurrent requests.
Requests older than the timestamp window are refused anyway, so rows older
than twice the window are useless and ``purge_expired`` deletes them (the
provider calls it at most once a minute).
"""

from __future__ import annotations

import time
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from odesk_server.db.prepared import PreparedStatement, RawConnection
from odesk_server.models import OAuthNonce, UTCDateTime, utcnow

# Textual SQL on purpose: SQLAlchemy cannot cache the compiled form of an
# ``on_conflict_do_nothing`` insert, and this statement runs on every API call.
# Both backends speak this exact SQL.
_INSERT = sa.text(
    "INSERT INTO oauth_nonces (consumer_key, token, nonce, timestamp, created_at) "
    "VALUES (:consumer_key, :token, :nonce, :timestamp, :created_at) "
    "ON CONFLICT DO NOTHING RETURNING id"
).bindparams(sa.bindparam("created_at", type_=UTCDateTime()))


def _nonce_row(consumer_key: str, token: str, nonce: str, timestamp: int) -> dict[str, object]:
    """The bound values of one nonce insert, stamped with the current time."""
    return {
        "consumer_key": consumer_key,
        "token": token,
        "nonce": nonce,
        "timestamp": timestamp,
        "created_at": utcnow(),
    }


def consume_nonce(session: Session, consumer_key: str, token: str, nonce: str, timestamp: int) -> bool:
    """Store the nonce; True when it was new, False when this is a replay."""
    values = _nonce_row(consumer_key, token, nonce, timestamp)
    # RETURNING tells whether a row went in (rowcount is -1 on psycopg for this statement).
    return session.execute(_INSERT, values).first() is not None


def purge_expired(session: Session | Connection, window_seconds: int, now: float | None = None) -> int:
    """Delete nonces whose timestamp is older than twice the window; returns how many."""
    cutoff = int((time.time() if now is None else now) - 2 * window_seconds)
    # A DELETE gives a CursorResult; Session.execute is only typed to return a Result.
    result = cast(sa.CursorResult[Any], session.execute(sa.delete(OAuthNonce).where(OAuthNonce.timestamp < cutoff)))
    return result.rowcount or 0


# The same insert, made only while the access token, its consumer and its
# user are all still valid: one statement both stores the nonce and re-checks
# revocation, so cached credentials never outlive a revocation.
_INSERT_IF_CREDENTIALS_VALID = sa.text(
    "INSERT INTO oauth_nonces (consumer_key, token, nonce, timestamp, created_at) "
    # Casts: PostgreSQL must deduce one type for a parameter used twice.
    "SELECT CAST(:consumer_key AS VARCHAR(64)), CAST(:token AS VARCHAR(64)), :nonce, :timestamp, :created_at "
    "WHERE EXISTS (SELECT 1 FROM oauth_access_tokens t "
    "JOIN oauth_consumers c ON c.id = t.consumer_id "
    "JOIN users u ON u.id = t.user_id "
    "WHERE t.token = CAST(:token AS VARCHAR(64)) AND c.key = CAST(:consumer_key AS VARCHAR(64)) "
    "AND t.revoked_at IS NULL AND c.revoked_at IS NULL AND u.status = 'active') "
    "ON CONFLICT DO NOTHING RETURNING id"
).bindparams(sa.bindparam("created_at", type_=UTCDateTime()))


# Every signed API call runs it: executed at driver level on the hot path.
_PREPARED_INSERT_IF_CREDENTIALS_VALID = PreparedStatement(_INSERT_IF_CREDENTIALS_VALID)


def consume_nonce_if_valid(
    session: Session | Connection | RawConnection, consumer_key: str, token: str, nonce: str, timestamp: int
) -> bool:
    """Store the nonce if the access token, consumer and user are still valid.

    True when stored; False for a replay *or* revoked credentials (the
    caller tells them apart with a full check). On a ``RawConnection`` the
    caller commits; a ``Session`` or ``Connection`` commits with its transaction.
    """
    values = _nonce_row(consumer_key, token, nonce, timestamp)
    if isinstance(session, RawConnection):
        return bool(_PREPARED_INSERT_IF_CREDENTIALS_VALID.execute(session, values))
    return session.execute(_INSERT_IF_CREDENTIALS_VALID, values).first() is not None
