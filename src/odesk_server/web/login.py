"""One password check for every page that takes a password: the authorize page and signing in.

``check_password(database, login, password, address)`` returns the id of
the active user whose uid or email is ``login`` and whose password this
is, through the login throttle (``login_throttle``): a throttled or busy
attempt raises ``LoginRefused`` (429 / 503, ``Retry-After``) before any
hashing, a wrong one raises ``LoginFailed`` (401) and counts as a failure
of the name and the address; a right one clears the name's count. An
unknown user, one without a password and an inactive one cost one argon2
verification like a wrong password, so neither the answer nor its timing
tells which accounts exist. Blocking (database work and hashing): call it
from a worker thread. No database connection is held while hashing.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from odesk_server.db import Database
from odesk_server.models import User
from odesk_server.security import verify_password
from odesk_server.web import login_throttle
from odesk_server.web.login_throttle import LoginAttempt, LoginRefused

__all__ = ["LoginFailed", "LoginRefused", "check_password"]


class LoginFailed(Exception):
    """Wrong user id or password (or an account that cannot sign in): 401 ``login_failed``."""

    status = 401
    code = "login_failed"
    message = "Wrong user id or password."

    def __init__(self) -> None:
        super().__init__(self.message)


@dataclass(frozen=True)
class _Account:
    """What the login needs of a user: id, password hash (None: cannot log in) and whether active."""

    id: int
    password_hash: str | None
    active: bool


def _account(database: Database, login: str) -> _Account | None:
    """The user whose uid or email is ``login``, or None."""
    if not login:
        return None
    with database.session() as session:
        found = session.execute(
            sa.select(User.id, User.password_hash, User.status).where(sa.or_(User.uid == login, User.email == login))
        ).one_or_none()
    if found is None:
        return None
    return _Account(id=found.id, password_hash=found.password_hash, active=found.status == "active")


def _password_checks_out(account: _Account | None, password: str) -> bool:
    """True for an active account whose password this is; always one argon2 verification, whoever asks."""
    with login_throttle.password_check_slot():
        # verify_password verifies against a dummy hash when there is none:
        # an unknown user or one without a password costs a wrong password's time.
        matches = verify_password(account.password_hash if account else None, password)
    return matches and account is not None and account.active


def check_password(database: Database, login: str, password: str, address: str) -> int:
    """The id of the user ``login`` (uid or email, trimmed) whose password this is.

    Raises ``LoginRefused`` (throttled, or too many checks at once) and ``LoginFailed``.
    """
    attempt = LoginAttempt(login=login.strip(), address=address)
    login_throttle.check_allowed(database.engine, attempt)
    account = _account(database, attempt.login)
    # Hashed whoever asks: an unknown name costs a wrong password's time.
    if not _password_checks_out(account, password) or account is None:
        login_throttle.record_failure(database.engine, attempt)
        raise LoginFailed
    login_throttle.record_success(database.engine, attempt)
    return account.id
