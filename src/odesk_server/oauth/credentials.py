"""A short-lived cache of access-token credentials, safe against revocation.

Verifying a request needs the consumer secret, the token secret and the
token's user. Those rows hardly change (secrets never do), so the provider
keeps them for ``ttl`` seconds per token and skips the lookup query. What
may change, revocation of the consumer or the token and the user's status,
is re-checked on every request by the statement that stores the nonce
(``nonces.consume_nonce_if_valid``): a revocation still takes effect on the
very next request.

Entries hold detached ORM instances built once from column values and
shared by every request of that token: they are read-only by contract
(``api.deps.Caller`` says so). Building them per request cost more than the
rest of the verification.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import make_transient_to_detached

from odesk_server.models import AccessToken, Consumer, User


def _columns(instance: Any) -> dict[str, Any]:
    return {attr.key: getattr(instance, attr.key) for attr in instance.__mapper__.column_attrs}


def _detached(model: type, values: dict[str, Any]) -> Any:
    instance = model(**values)
    make_transient_to_detached(instance)
    return instance


@dataclass(frozen=True)
class TokenCredentials:
    """What verifying a request with one access token needs: detached, read-only instances."""

    consumer: Consumer
    access_token: AccessToken
    user: User
    loaded_at: float

    @property
    def consumer_key(self) -> str:
        return self.consumer.key

    @classmethod
    def of(cls, consumer: Consumer, access_token: AccessToken, user: User) -> TokenCredentials:
        """Copies of the three rows, detached from any session (the originals stay with their request)."""
        return cls(
            _detached(Consumer, _columns(consumer)),
            _detached(AccessToken, _columns(access_token)),
            _detached(User, _columns(user)),
            time.monotonic(),
        )

    def instances(self) -> tuple[Consumer, AccessToken, User]:
        """The consumer, the access token and the user (shared: never modify them)."""
        return self.consumer, self.access_token, self.user


class CredentialCache:
    """Token -> ``TokenCredentials``, each entry kept ``ttl`` seconds, at most ``max_entries``."""

    def __init__(self, ttl: float = 60.0, max_entries: int = 10_000) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: OrderedDict[str, TokenCredentials] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, token: str) -> TokenCredentials | None:
        """The credentials of ``token`` if cached and fresh, else None."""
        entry = self._entries.get(token)
        if entry is None:
            return None
        if time.monotonic() - entry.loaded_at > self.ttl:
            self.discard(token)
            return None
        return entry

    def put(self, token: str, credentials: TokenCredentials) -> None:
        """Remember ``credentials`` for ``token`` (the oldest entry goes when full)."""
        with self._lock:
            self._entries[token] = credentials
            self._entries.move_to_end(token)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def discard(self, token: str) -> None:
        """Forget ``token``."""
        with self._lock:
            self._entries.pop(token, None)
