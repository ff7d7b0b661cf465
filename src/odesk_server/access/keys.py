"""Path keys: how a URL names a user, a company or a team.

Clients send either the numeric reference (``"1001"``) or the text id (a
uid, ``acme:acme``, ``acme:design``); a company may also be named by its
short form (``acme`` for ``acme:acme``), as in the report URLs. These are
the only rules for reading a key; the organisation scope and the report
rules both use them.
"""

from __future__ import annotations

# References are BIGINT: longer digit strings cannot name anything.
MAX_REFERENCE_DIGITS = 18
# Longer keys, or keys holding NUL (which no database text may hold), name nothing.
MAX_KEY_LENGTH = 200


def as_reference(key: str) -> int | None:
    """The numeric reference ``key`` spells (plain ASCII digits, at most 18), or None."""
    # isascii: str.isdigit() also accepts other scripts' digits, which int() would read.
    if key.isdigit() and key.isascii() and len(key) <= MAX_REFERENCE_DIGITS:
        return int(key)
    return None


def usable(key: str) -> bool:
    """Whether ``key`` could name anything at all (not empty, not too long, no NUL)."""
    return 0 < len(key) <= MAX_KEY_LENGTH and "\x00" not in key


def company_ids(key: str) -> tuple[str, ...]:
    """The company ids ``key`` may stand for: itself, and ``key:key`` (the short form)."""
    return (key, f"{key}:{key}")


def team_ids(key: str, company_id: str) -> tuple[str, ...]:
    """The team ids ``key`` may stand for in the company ``company_id``: itself and ``prefix:key``."""
    prefix = company_id.split(":", 1)[0]
    return (key, f"{prefix}:{key}")
