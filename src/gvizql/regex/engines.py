"""Writing a pattern tree in RE2's syntax and in PostgreSQL's (ARE), to one meaning.

Characters outside ``[A-Za-z0-9_]`` are always written as escapes, sets as
explicit ranges, so no character is ever a metacharacter by accident and
neither engine's own classes or flags come into play.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from gvizql.regex.charsets import SURROGATES, Ranges, complement, intersection
from gvizql.regex.java import (
    ANCHOR_END,
    ANCHOR_LINE_END,
    ANCHOR_LINE_START,
    ANCHOR_NOT_WORD,
    ANCHOR_START,
    ANCHOR_WORD,
    MAX_REPEAT,
    Alternation,
    Anchor,
    Chars,
    Node,
    Repeat,
    Sequence,
)

# PostgreSQL's ARE engine repeats a piece at most 255 times per {m,n}.
_ARE_MAX_COUNT = 255


def re2_syntax(tree: Node) -> str:
    """``tree`` for RE2, to be matched against a whole value (RE2's ``FullMatch``)."""
    return _written(tree, _RE2)


def postgres_syntax(tree: Node) -> str:
    """``tree`` for PostgreSQL's ``~``, anchored on both ends."""
    return f"^(?:{_written(tree, _ARE)})$"


@dataclass(frozen=True, slots=True)
class _Syntax:
    """How one engine writes a character, an anchor, an empty set and long counts."""

    character: Callable[[int], str]
    anchors: Mapping[str, str]
    no_match: str
    max_count: int


# Characters written as themselves (elsewhere an escape: never a metacharacter by accident).
_PLAIN = frozenset(map(ord, string.ascii_letters + string.digits + "_"))
_ARE_WORD = "[0-9A-Z_a-z]"

_RE2 = _Syntax(
    character=lambda cp: chr(cp) if cp in _PLAIN else f"\\x{{{cp:X}}}",
    anchors={
        ANCHOR_START: r"\A",
        ANCHOR_END: r"\z",
        ANCHOR_LINE_START: "(?m:^)",
        ANCHOR_LINE_END: "(?m:$)",
        ANCHOR_WORD: r"\b",
        ANCHOR_NOT_WORD: r"\B",
    },
    no_match=r"[^\x00-\x{10FFFF}]",
    max_count=MAX_REPEAT,
)
# PostgreSQL's ARE engine, in its default (not newline-sensitive) mode: ^ $ \A \Z anchor
# the whole text; line anchors and word boundaries become lookaround constraints that
# say exactly what RE2's (?m:^), (?m:$), \b and \B do.
_ARE = _Syntax(
    character=lambda cp: chr(cp) if cp in _PLAIN else f"\\u{cp:04X}" if cp <= 0xFFFF else f"\\U{cp:08X}",
    anchors={
        ANCHOR_START: r"\A",
        ANCHOR_END: r"\Z",
        ANCHOR_LINE_START: r"(?:\A|(?<=\u000A))",
        ANCHOR_LINE_END: r"(?:\Z|(?=\u000A))",
        ANCHOR_WORD: f"(?:(?<={_ARE_WORD})(?!{_ARE_WORD})|(?<!{_ARE_WORD})(?={_ARE_WORD}))",
        ANCHOR_NOT_WORD: f"(?:(?<={_ARE_WORD})(?={_ARE_WORD})|(?<!{_ARE_WORD})(?!{_ARE_WORD}))",
    },
    no_match="(?!)",
    max_count=_ARE_MAX_COUNT,
)


def _written(node: Node, syntax: _Syntax) -> str:
    if isinstance(node, Chars):
        return _written_set(node.ranges, syntax)
    if isinstance(node, Anchor):
        return syntax.anchors[node.kind]
    if isinstance(node, Sequence):
        return "".join(
            f"(?:{_written(item, syntax)})" if isinstance(item, Alternation) else _written(item, syntax)
            for item in node.items
        )
    if isinstance(node, Alternation):
        return "|".join(_written(branch, syntax) for branch in node.branches)
    return _written_repeat(node, syntax)


def _written_set(ranges: Ranges, syntax: _Syntax) -> str:
    # No text holds a lone surrogate once encoded (UTF-8 in RE2 and PostgreSQL).
    ranges = intersection(ranges, complement(SURROGATES))
    if not ranges:
        return syntax.no_match
    char = syntax.character
    if len(ranges) == 1 and ranges[0][0] == ranges[0][1]:
        return char(ranges[0][0])
    parts = [
        char(low) if low == high else char(low) + char(high) if high == low + 1 else f"{char(low)}-{char(high)}"
        for low, high in ranges
    ]
    return "[" + "".join(parts) + "]"


def _written_repeat(node: Repeat, syntax: _Syntax) -> str:
    item = _written(node.item, syntax)
    if not isinstance(node.item, Chars) or item.startswith("(?"):
        item = f"(?:{item})"
    low, high, most = node.low, node.high, syntax.max_count
    if low <= most and (high is None or high <= most):
        return item + _quantifier(low, high)
    # Counts past what one {m,n} may say are split: x{300} is x{255}x{45}, the same
    # language (and a whole-value match cannot tell greedy from reluctant).
    pieces = []
    while low > most:
        pieces.append(item + _quantifier(most, most))
        low -= most
        high = None if high is None else high - most
    if high is None:
        return "".join(pieces) + item + _quantifier(low, None)
    if low:
        pieces.append(item + _quantifier(low, low))
    optional = high - low
    while optional > 0:
        count = min(optional, most)
        pieces.append(item + _quantifier(0, count))
        optional -= count
    return "".join(pieces)


def _quantifier(low: int, high: int | None) -> str:
    if high is None:
        return "*" if low == 0 else "+" if low == 1 else f"{{{low},}}"
    if high == low:
        return "" if low == 1 else f"{{{low}}}"
    return "?" if (low, high) == (0, 1) else f"{{{low},{high}}}"
