"""The ``matches`` operator's patterns: Java regular expressions, run in linear time.

``x matches 'pattern'`` asks whether a java.util.regex pattern matches the whole
text of ``x``. A backtracking engine (Java's own, Python's ``re``) can take
exponential time on a pattern such as ``(.|.)*X`` over a long text, and inside
SQLite's registered function it would hold the whole process, deaf to the
progress handler. So no pattern ever reaches one. ``java_pattern`` reads the
pattern as Java does into a small tree (sets of characters, sequences,
alternatives, repetitions, anchors) and writes it out twice, with one meaning:

- for RE2 (``google-re2``), whose running time is linear in the text: the
  in-memory executor, SQLite's ``gvizql_matches`` and DuckDB's
  ``regexp_full_match``;
- for PostgreSQL's ARE engine (its ``~`` operator), anchored on both ends.

Every character class is written as explicit code point ranges, with
case-insensitive matching folded in, so neither engine's own idea of ``.``,
``\\w``, ``(?i)`` or a Unicode property comes into play.

Valid Java that RE2 cannot run raises ``UnsupportedPattern``, which names the
construct and its offset in the pattern: backreferences, lookahead and
lookbehind, atomic groups, possessive quantifiers, grapheme clusters, Unicode
scripts and blocks, the ``U`` flag; so do patterns that are too long or too
large for RE2. A pattern Java itself rejects raises ``InvalidPattern``: it
matches nothing, as in the reference. docs/gvizql.md, "Regular expressions",
lists what is translated and how.

The modules: ``java`` reads the pattern into the tree, ``charsets`` works out
its character classes, ``engines`` writes the tree for RE2 and PostgreSQL;
this one compiles and caches the result.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import re2

from gvizql.regex.engines import postgres_syntax, re2_syntax
from gvizql.regex.java import (
    MAX_NESTING,
    MAX_REPEAT,
    InvalidPattern,
    PatternError,
    UnsupportedPattern,
    read,
)

#: Longest ``matches`` pattern accepted, in characters.
MAX_PATTERN_LENGTH = 1000
# RE2's memory budget per pattern (its default, stated): it bounds the compiled program
# and the lazy DFA's cache; a pattern whose program does not fit is refused.
_RE2_MAX_MEMORY = 8 << 20


@dataclass(frozen=True, slots=True)
class JavaPattern:
    """A ``matches`` pattern translated for every executor.

    ``re2_syntax`` is for RE2, to be matched against a whole value (RE2's
    ``FullMatch``, DuckDB's ``regexp_full_match``); ``postgres_syntax`` for
    PostgreSQL's ``~``, anchored on both ends.
    """

    source: str
    re2_syntax: str
    postgres_syntax: str
    _fullmatch: Callable[[bytes], object] = field(repr=False, compare=False)

    def matches(self, text: str) -> bool:
        """Whether the pattern matches the whole of ``text`` (in time linear in ``text``)."""
        # Matching bytes skips the wrapper's character offset bookkeeping; a lone
        # surrogate cannot be UTF-8 and is passed through as its three bytes.
        return self._fullmatch(text.encode("utf-8", "surrogatepass")) is not None


def _re2_options() -> re2.Options:
    options = re2.Options()
    options.max_mem = _RE2_MAX_MEMORY
    options.never_capture = True
    options.log_errors = False
    return options


def java_pattern(pattern: str) -> JavaPattern:
    """``pattern`` (java.util.regex syntax) translated and compiled, once per pattern (cached).

    Raises ``InvalidPattern`` when Java itself rejects the pattern, and
    ``UnsupportedPattern`` for valid Java that RE2 cannot run, a pattern longer
    than MAX_PATTERN_LENGTH or one whose program does not fit in RE2's memory
    budget; both carry the culprit's offset.
    """
    outcome = _translated(pattern)
    if isinstance(outcome, PatternError):
        raise outcome
    return outcome


def runnable_pattern(pattern: str) -> JavaPattern | None:
    """``java_pattern(pattern)``, or None when it cannot be run (it then matches nothing)."""
    outcome = _translated(pattern)
    return None if isinstance(outcome, PatternError) else outcome


@functools.lru_cache(maxsize=1024)
def _translated(pattern: str) -> JavaPattern | PatternError:
    # Errors are cached too: a column of patterns asks about the same ones row after row.
    try:
        if len(pattern) > MAX_PATTERN_LENGTH:
            raise UnsupportedPattern(f"a pattern longer than {MAX_PATTERN_LENGTH} characters", MAX_PATTERN_LENGTH)
        tree = read(pattern)
        for_re2 = re2_syntax(tree)
        try:
            regex = re2.compile(for_re2, _re2_options())
        except re2.error:
            limit = _RE2_MAX_MEMORY >> 20
            raise UnsupportedPattern(f"the pattern is too large for RE2 (over {limit} MiB compiled)", None) from None
        return JavaPattern(pattern, for_re2, postgres_syntax(tree), regex.fullmatch)
    except PatternError as error:
        return error


__all__ = [
    "MAX_NESTING",
    "MAX_PATTERN_LENGTH",
    "MAX_REPEAT",
    "InvalidPattern",
    "JavaPattern",
    "PatternError",
    "UnsupportedPattern",
    "java_pattern",
    "runnable_pattern",
]
