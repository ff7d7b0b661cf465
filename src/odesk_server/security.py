"""Password hashing (argon2id) and generation of keys, secrets and verifiers.

Passwords are stored only as argon2 hashes. OAuth consumer and token secrets
are random strings stored as issued, because HMAC signature checks need them.
"""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()

# oDesk issued 32-hex-digit keys and 16-hex-digit secrets; our secrets are
# 32 digits too (128 bits), which every client accepts.
KEY_BYTES = 16
SECRET_BYTES = 16
VERIFIER_BYTES = 10

MIN_PASSWORD_LENGTH = 8


class PasswordError(ValueError):
    """A password does not meet the rules; the message says which."""


def check_password_rules(password: str) -> None:
    """Raise ``PasswordError`` when ``password`` is too short or only whitespace."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if not password.strip():
        raise PasswordError("the password must not be blank")


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (with its own random salt and parameters)."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches ``password_hash``; False for a mismatch or no/garbled hash."""
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than the current ones."""
    return _hasher.check_needs_rehash(password_hash)


def new_key() -> str:
    """A consumer key or token: 32 lowercase hex digits."""
    return secrets.token_hex(KEY_BYTES)


def new_secret() -> str:
    """A consumer or token secret: 32 lowercase hex digits."""
    return secrets.token_hex(SECRET_BYTES)


def new_verifier() -> str:
    """An OAuth verifier short enough to type: 20 lowercase hex digits."""
    return secrets.token_hex(VERIFIER_BYTES)


def constant_time_equals(a: str, b: str) -> bool:
    """Compare two secrets without leaking where they differ through timing."""
    return secrets.compare_digest(a.encode(), b.encode())
