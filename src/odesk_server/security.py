"""Password hashing (argon2id) and generation of keys, secrets and verifiers.

Passwords are stored only as argon2 hashes. OAuth consumer and token secrets
are random strings stored as issued, because HMAC signature checks need them.
"""

from __future__ import annotations

import functools
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# Every hash and verification goes through this hasher (looked up at each
# call, so a test may replace it with one that counts its calls).
password_hasher = PasswordHasher()

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
    return password_hasher.hash(password)


@functools.lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash of a random password, made once with the current parameters."""
    return password_hasher.hash(secrets.token_hex(16))


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches ``password_hash``; False for a mismatch or a missing or garbled hash.

    Without a usable hash (an unknown user, a user without a password) the
    password is verified against a dummy hash all the same, so every "no"
    takes as long as a wrong password and tells nothing about the account.
    """
    if not password_hash:
        _verify_dummy(password)
        return False
    try:
        return password_hasher.verify(password_hash, password)
    except VerificationError:  # includes VerifyMismatchError
        return False
    except InvalidHashError:
        _verify_dummy(password)
        return False


def _verify_dummy(password: str) -> None:
    """Spend one verification, as for a real hash; the answer is always "no"."""
    try:
        password_hasher.verify(_dummy_hash(), password)
    except VerificationError:
        pass


def password_needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than the current ones."""
    return password_hasher.check_needs_rehash(password_hash)


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
