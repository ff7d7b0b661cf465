"""Sets of code points: the character classes of Java's syntax, as ranges.

A set is ``Ranges``: sorted, disjoint, non-adjacent inclusive ranges of code
points. Union, intersection and complement are exact, so Java's class algebra
(``[a-z&&[^aeiou]]``) and case-insensitive folding are worked out here, and
each engine only ever sees plain ranges.
"""

from __future__ import annotations

import bisect
import functools
import string
import unicodedata
from collections.abc import Iterable, Mapping

MAX_CODE_POINT = 0x10FFFF
Ranges = tuple[tuple[int, int], ...]


def merged(pairs: Iterable[tuple[int, int]]) -> Ranges:
    """``pairs`` sorted and merged into ``Ranges``."""
    merged: list[list[int]] = []
    for low, high in sorted(pairs):
        if merged and low <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    return tuple((low, high) for low, high in merged)


def chars_of(text: str) -> Ranges:
    return merged((ord(c), ord(c)) for c in text)


def complement(ranges: Ranges) -> Ranges:
    out = []
    start = 0
    for low, high in ranges:
        if low > start:
            out.append((start, low - 1))
        start = high + 1
    if start <= MAX_CODE_POINT:
        out.append((start, MAX_CODE_POINT))
    return tuple(out)


def union(*sets: Ranges) -> Ranges:
    return merged(pair for ranges in sets for pair in ranges)


def intersection(a: Ranges, b: Ranges) -> Ranges:
    return complement(union(complement(a), complement(b)))


ALL: Ranges = ((0, MAX_CODE_POINT),)
SURROGATES: Ranges = ((0xD800, 0xDFFF),)
_DIGITS = chars_of(string.digits)
_WORD = chars_of(string.ascii_letters + string.digits + "_")
_SPACE = chars_of(" \t\n\x0b\f\r")
_HORIZONTAL_SPACE = union(chars_of(" \t\xa0\u1680\u180e\u202f\u205f\u3000"), ((0x2000, 0x200A),))
VERTICAL_SPACE = chars_of("\n\x0b\f\r\x85\u2028\u2029")
# What ``.`` does not match: Java's line terminators, or only \n with UNIX_LINES (?d).
LINE_TERMINATORS = chars_of("\n\r\x85\u2028\u2029")
_PUNCTUATION = chars_of("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
# The POSIX classes, US-ASCII only as in Java (without the U flag).
POSIX: dict[str, Ranges] = {
    "Lower": chars_of(string.ascii_lowercase),
    "Upper": chars_of(string.ascii_uppercase),
    "ASCII": ((0, 0x7F),),
    "Alpha": chars_of(string.ascii_letters),
    "Digit": _DIGITS,
    "Alnum": chars_of(string.ascii_letters + string.digits),
    "Punct": _PUNCTUATION,
    "Graph": union(chars_of(string.ascii_letters + string.digits), _PUNCTUATION),
    "Print": union(chars_of(string.ascii_letters + string.digits + " "), _PUNCTUATION),
    "Blank": chars_of(" \t"),
    "Cntrl": ((0, 0x1F), (0x7F, 0x7F)),
    "XDigit": chars_of(string.hexdigits),
    "Space": _SPACE,
}
PREDEFINED = {"d": _DIGITS, "s": _SPACE, "w": _WORD, "h": _HORIZONTAL_SPACE, "v": VERTICAL_SPACE}


# The general categories Java names (two letters), their major classes, and Java's extras.
_CATEGORY_NAMES = frozenset(
    {
        "Lu",
        "Ll",
        "Lt",
        "Lm",
        "Lo",
        "Mn",
        "Mc",
        "Me",
        "Nd",
        "Nl",
        "No",
        "Pc",
        "Pd",
        "Ps",
        "Pe",
        "Pi",
        "Pf",
        "Po",
        "Sm",
        "Sc",
        "Sk",
        "So",
        "Zs",
        "Zl",
        "Zp",
        "Cc",
        "Cf",
        "Cs",
        "Co",
        "Cn",
        "L",
        "M",
        "N",
        "P",
        "S",
        "Z",
        "C",
        "LC",
        "LD",
        "L1",
        "all",
    }
)


def general_category(name: str) -> Ranges | None:
    """The code points of a Unicode general category (``Lu``, ``L``, ``LC``...), or None for another name."""
    return _general_categories()[name] if name in _CATEGORY_NAMES else None


@functools.cache
def _general_categories() -> Mapping[str, Ranges]:
    # From Python's unicodedata, built once, on the first pattern that names a category.
    found: dict[str, list[tuple[int, int]]] = {name: [] for name in _CATEGORY_NAMES}
    start, current = 0, unicodedata.category("\x00")
    for cp in range(1, MAX_CODE_POINT + 2):
        category = unicodedata.category(chr(cp)) if cp <= MAX_CODE_POINT else ""
        if category != current:
            found[current].append((start, cp - 1))
            start, current = cp, category
    categories = {name: tuple(pairs) for name, pairs in found.items()}
    for major in "CLMNPSZ":
        categories[major] = union(*(r for name, r in categories.items() if name[0] == major and len(name) == 2))
    categories["LC"] = union(categories["Lu"], categories["Ll"], categories["Lt"])
    categories["LD"] = union(categories["L"], categories["Nd"])
    categories["L1"] = ((0, 0xFF),)
    categories["all"] = ALL
    return categories


# --- case-insensitive matching ----------------------------------------------------------------


@functools.cache
def _case_classes(unicode: bool) -> tuple[list[int], dict[int, tuple[int, ...]]]:
    """Code points that have case variants (sorted), and each one's class of variants.

    Two characters match case-insensitively when the lower case of their upper
    case is the same (Java's rule, with the simple one-character mappings). Without
    UNICODE_CASE (?u) only US-ASCII letters fold, as in Java.
    """
    if not unicode:
        pairs = [(ord(c), ord(c.swapcase())) for c in string.ascii_letters]
        return sorted(p[0] for p in pairs), {a: (a, b) for a, b in pairs}

    def simple(mapped: str, ch: str) -> str:
        return mapped if len(mapped) == 1 else ch

    by_key: dict[str, list[int]] = {}
    for cp in range(MAX_CODE_POINT + 1):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        upper = simple(ch.upper(), ch)
        key = simple(upper.lower(), upper)
        if key != ch or upper != ch:
            by_key.setdefault(key, []).append(cp)
    classes: dict[int, tuple[int, ...]] = {}
    for key, members in by_key.items():
        group = tuple(sorted({*members, ord(key)}))
        for cp in group:
            classes[cp] = group
    return sorted(classes), classes


def folded(ranges: Ranges, unicode: bool) -> Ranges:
    """``ranges`` with every case variant of its characters added."""
    members, classes = _case_classes(unicode)
    extra: list[tuple[int, int]] = []
    for low, high in ranges:
        for i in range(bisect.bisect_left(members, low), bisect.bisect_right(members, high)):
            extra.extend((cp, cp) for cp in classes[members[i]])
    return union(ranges, tuple(extra)) if extra else ranges
