"""Reading a pattern in java.util.regex syntax into a small tree.

The tree has five kinds of node: ``Chars`` (one character out of a set, see
``charsets``), ``Sequence``, ``Alternation``, ``Repeat`` and ``Anchor``.
Flags (``(?i)``, ``(?s)``, ``(?x)``...), quoting, class algebra and escapes
are resolved while reading, so nothing of Java's syntax is left for the
engines (``engines``) to interpret. What RE2 cannot run raises
``UnsupportedPattern`` naming the construct; what Java rejects raises
``InvalidPattern``.
"""

from __future__ import annotations

import string
import unicodedata
from dataclasses import dataclass, field, replace

from gvizql.regex.charsets import (
    ALL,
    LINE_TERMINATORS,
    MAX_CODE_POINT,
    POSIX,
    PREDEFINED,
    VERTICAL_SPACE,
    Ranges,
    chars_of,
    complement,
    folded,
    general_category,
    intersection,
    union,
)

#: Most repetitions of one piece, nested counts multiplied (``(a{10}){100}`` is 1000):
#: RE2's own limit.
MAX_REPEAT = 1000
#: Deepest nesting of groups and classes: the tree is walked recursively.
MAX_NESTING = 50


class PatternError(Exception):
    """A pattern that cannot be run; ``position`` is the 0-based offset of the culprit
    (None when the pattern as a whole is at fault)."""

    def __init__(self, message: str, position: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


class InvalidPattern(PatternError):
    """Java rejects the pattern: ``matches`` is false for every value."""


class UnsupportedPattern(PatternError):
    """Valid Java that RE2 cannot run (or too large for it): the query is refused.

    ``str(error)`` names the construct and its offset, e.g. "a backreference \\1
    at offset 3".
    """

    def __str__(self) -> str:
        return self.message if self.position is None else f"{self.message} at offset {self.position}"


# --- the tree --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Chars:
    """One character out of a set."""

    ranges: Ranges


@dataclass(frozen=True, slots=True)
class Sequence:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Alternation:
    branches: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Repeat:
    """``item`` ``low`` to ``high`` times (None: no upper bound); ``position`` of the quantifier."""

    item: Node
    low: int
    high: int | None
    position: int = field(compare=False)


@dataclass(frozen=True, slots=True)
class Anchor:
    kind: str  # one of the ANCHOR_* names below


Node = Chars | Sequence | Alternation | Repeat | Anchor

ANCHOR_START = "start"  # \A, \G, ^ without MULTILINE
ANCHOR_END = "end"  # \z, \Z, $ without MULTILINE
ANCHOR_LINE_START = "line start"  # ^ with MULTILINE (?m)
ANCHOR_LINE_END = "line end"  # $ with MULTILINE (?m)
ANCHOR_WORD = "word boundary"  # \b
ANCHOR_NOT_WORD = "not a word boundary"  # \B

EMPTY = Sequence(())
# \R: any Unicode line break sequence.
_LINE_BREAK = Alternation((Sequence((Chars(chars_of("\r")), Chars(chars_of("\n")))), Chars(VERTICAL_SPACE)))


def _zero_width(node: Node) -> bool:
    """Whether ``node`` only ever matches the empty string (anchors, empty groups)."""
    if isinstance(node, Anchor):
        return True
    if isinstance(node, Sequence):
        return all(_zero_width(i) for i in node.items)
    if isinstance(node, Alternation):
        return all(_zero_width(b) for b in node.branches)
    if isinstance(node, Repeat):
        return _zero_width(node.item)
    return False


@dataclass(frozen=True, slots=True)
class _Flags:
    """The inline flags in force (``(?imsdux)``)."""

    case_insensitive: bool = False  # i
    unicode_case: bool = False  # u
    dotall: bool = False  # s
    multiline: bool = False  # m
    unix_lines: bool = False  # d
    comments: bool = False  # x


_FLAG_NAMES = {
    "i": "case_insensitive",
    "u": "unicode_case",
    "s": "dotall",
    "m": "multiline",
    "d": "unix_lines",
    "x": "comments",
}
_ESCAPED_CHARS = {"t": "\t", "n": "\n", "r": "\r", "f": "\f", "a": "\x07", "e": "\x1b"}
_JAVA_WHITESPACE = " \t\n\x0b\f\r"


def read(pattern: str) -> Node:
    """The tree of ``pattern``.

    Raises ``InvalidPattern`` when Java rejects the pattern and
    ``UnsupportedPattern`` for what RE2 cannot run, both with the offset of the
    culprit.
    """
    tree = _Reader(pattern).read()
    _check_repeat_total(tree)
    return tree


class _Reader:
    """Reads a pattern in java.util.regex syntax into a tree (see the module doc)."""

    def __init__(self, pattern: str) -> None:
        self.text = pattern
        self.pos = 0
        self.flags = _Flags()
        self.depth = 0  # groups and classes open

    def nested(self, start: int) -> None:
        """Count one more open group or class; refuse more than MAX_NESTING."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise UnsupportedPattern(f"groups or classes nested more than {MAX_NESTING} deep", start)

    def read(self) -> Node:
        node = self.alternation()
        if self.pos < len(self.text):
            raise InvalidPattern("Unmatched closing ')'", self.pos)
        return node

    # -- where the reader stands
    def peek(self) -> str | None:
        """The next character, past whitespace and ``#`` comments in COMMENTS mode (?x)."""
        if self.flags.comments:
            self._skip_comments()
        return self.text[self.pos] if self.pos < len(self.text) else None

    def _skip_comments(self) -> None:
        text = self.text
        while self.pos < len(text):
            if text[self.pos] in _JAVA_WHITESPACE:
                self.pos += 1
            elif text[self.pos] == "#":
                while self.pos < len(text) and text[self.pos] not in "\n\r\x85\u2028\u2029":
                    self.pos += 1
            else:
                return

    def take(self) -> str:
        if self.pos >= len(self.text):
            raise InvalidPattern("Unexpected end of pattern", self.pos)
        ch = self.text[self.pos]
        self.pos += 1
        return ch

    # -- structure
    def alternation(self) -> Node:
        branches = [self.sequence()]
        while self.peek() == "|":
            self.pos += 1
            branches.append(self.sequence())
        return branches[0] if len(branches) == 1 else Alternation(tuple(branches))

    def sequence(self) -> Node:
        items: list[Node] = []
        while (ch := self.peek()) is not None and ch not in "|)":
            # A '{' with nothing before it repeats the empty string, as in Java: "{2}x" is "x".
            atom = EMPTY if ch == "{" else self.atom()
            if atom is not None:  # None: a flag group such as (?i), or an empty \Q\E
                items.append(self.quantified(atom))
        return items[0] if len(items) == 1 else Sequence(tuple(items))

    def atom(self) -> Node | None:
        start = self.pos
        ch = self.take()
        if ch == "(":
            return self.group(start)
        if ch == "[":
            return Chars(self.char_class(start))
        if ch == "\\":
            return self.escape(start)
        if ch == "^":
            return Anchor(ANCHOR_LINE_START if self.flags.multiline else ANCHOR_START)
        if ch == "$":
            return Anchor(ANCHOR_LINE_END if self.flags.multiline else ANCHOR_END)
        if ch == ".":
            return Chars(self.dot())
        if ch in "*+?":
            raise InvalidPattern(f"Dangling meta character '{ch}'", start)
        return self.literal(ord(ch))

    def literal(self, cp: int) -> Chars:
        return Chars(self.fold(((cp, cp),)))

    def fold(self, ranges: Ranges) -> Ranges:
        if not self.flags.case_insensitive:
            return ranges
        return folded(ranges, self.flags.unicode_case)

    def dot(self) -> Ranges:
        if self.flags.dotall:
            return ALL
        return complement(chars_of("\n") if self.flags.unix_lines else LINE_TERMINATORS)

    def quantified(self, atom: Node) -> Node:
        ch = self.peek()
        if ch is None or ch not in "*+?{":
            return atom
        start = self.pos
        self.pos += 1
        if ch == "*":
            low, high = 0, None
        elif ch == "+":
            low, high = 1, None
        elif ch == "?":
            low, high = 0, 1
        else:
            low, high = self.counts(start)
        mode = self.peek()
        if mode == "?":
            self.pos += 1  # reluctant: the same answer for a whole-value match
        elif mode == "+":
            raise UnsupportedPattern("a possessive quantifier", start)
        if high == 0:
            return EMPTY
        if _zero_width(atom):
            # Repeating an assertion is the assertion; zero times is nothing.
            return atom if low else EMPTY
        return Repeat(atom, low, high, start)

    def counts(self, start: int) -> tuple[int, int | None]:
        """The ``n``, ``n,`` or ``n,m`` of a ``{...}`` quantifier (the ``{`` read)."""
        low = self.number(start)
        high: int | None = low
        if self.peek() == ",":
            self.pos += 1
            high = self.number(start) if self.peek() != "}" else None
        if self.peek() != "}":
            raise InvalidPattern("Unclosed counted closure", self.pos)
        self.pos += 1
        if high is not None and high < low:
            raise InvalidPattern("Illegal repetition range", start)
        if max(low, high or 0) > MAX_REPEAT:
            raise UnsupportedPattern(f"a repetition count above {MAX_REPEAT}", start)
        return low, high

    def number(self, start: int) -> int:
        digits = ""
        while (ch := self.peek()) is not None and ch in string.digits:
            digits += ch
            self.pos += 1
        if not digits:
            raise InvalidPattern("Illegal repetition", start)
        return int(digits[:12])  # Java's int would overflow long before; far above MAX_REPEAT anyway

    def group(self, start: int) -> Node | None:
        saved = self.flags
        text = self.text
        self.nested(start)
        if text.startswith("?", self.pos):
            self.pos += 1
            for prefix, construct in _UNSUPPORTED_GROUPS:
                if text.startswith(prefix, self.pos):
                    raise UnsupportedPattern(construct, start)
            if text.startswith(":", self.pos):
                self.pos += 1
            elif text.startswith("<", self.pos):
                self.group_name(start)
            elif self.inline_flags(start):
                self.depth -= 1
                return None  # (?i): in force until the enclosing group ends
        node = self.alternation()
        if self.peek() != ")":
            raise InvalidPattern("Unclosed group", len(text))
        self.pos += 1
        self.flags = saved
        self.depth -= 1
        return node

    def group_name(self, start: int) -> None:
        """Reads ``<name>`` of a named group (capturing is of no use to a whole-value match)."""
        end = self.text.find(">", self.pos)
        name = self.text[self.pos + 1 : end] if end != -1 else ""
        if not name or not name[0].isascii() or not name[0].isalpha() or not (name.isascii() and name.isalnum()):
            raise InvalidPattern("Bad named group", start)
        self.pos = end + 1

    def inline_flags(self, start: int) -> bool:
        """Reads ``imsdux-imsdux`` then ``)`` (True: flags for the rest of the group) or ``:``."""
        flags = self.flags
        on = True
        while True:
            ch = self.take()
            if ch == "-":
                on = False
            elif ch in _FLAG_NAMES:
                flags = replace(flags, **{_FLAG_NAMES[ch]: on})
            elif ch == "U":
                raise UnsupportedPattern("the U flag (UNICODE_CHARACTER_CLASS)", self.pos - 1)
            elif ch == "c":
                raise UnsupportedPattern("the c flag (CANON_EQ)", self.pos - 1)
            elif ch in "):":
                self.flags = flags
                return ch == ")"
            else:
                raise InvalidPattern("Unknown inline modifier", self.pos - 1)

    # -- escapes
    def escape(self, start: int) -> Node | None:
        ch = self.take()
        if ch in "123456789":
            raise UnsupportedPattern(f"a backreference \\{ch}", start)
        if ch == "k":
            raise UnsupportedPattern("a named backreference \\k<...>", start)
        if ch == "b":
            if self.text.startswith("{g}", self.pos):
                raise UnsupportedPattern("a grapheme cluster boundary \\b{g}", start)
            return Anchor(ANCHOR_WORD)
        if ch == "B":
            return Anchor(ANCHOR_NOT_WORD)
        if ch in "AG":
            return Anchor(ANCHOR_START)
        if ch in "zZ":
            return Anchor(ANCHOR_END)
        if ch == "R":
            return _LINE_BREAK
        if ch == "X":
            raise UnsupportedPattern("a grapheme cluster \\X", start)
        if ch == "Q":
            quoted = self.quoted()
            items = tuple(self.literal(ord(c)) for c in quoted)
            return None if not items else items[0] if len(items) == 1 else Sequence(items)
        return Chars(self.fold(self.class_escape(ch, start)))

    def quoted(self) -> str:
        """The text after ``\\Q`` up to ``\\E`` (or the end), taken literally."""
        end = self.text.find("\\E", self.pos)
        end = len(self.text) if end == -1 else end
        quoted = self.text[self.pos : end]
        self.pos = min(end + 2, len(self.text))
        return quoted

    def class_escape(self, ch: str, start: int) -> Ranges:
        """The characters of an escape valid both in and out of a class (``\\d``, ``\\x41``...)."""
        lower = ch.lower()
        if lower in PREDEFINED:
            ranges = PREDEFINED[lower]
            return complement(ranges) if ch.isupper() else ranges
        if lower == "p":
            ranges = self.property(start)
            return complement(ranges) if ch == "P" else ranges
        if ch in _ESCAPED_CHARS:
            return chars_of(_ESCAPED_CHARS[ch])
        if ch == "0":
            return self.single(self.octal(start))
        if ch == "x":
            return self.single(self.hexadecimal(start))
        if ch == "u":
            return self.single(self.utf16(start))
        if ch == "c":
            return self.single(ord(self.take()) ^ 64)
        if ch == "N":
            return self.single(self.named(start))
        if ch.isascii() and ch.isalnum():
            raise InvalidPattern("Illegal/unsupported escape sequence", start)
        return self.single(ord(ch))

    @staticmethod
    def single(cp: int) -> Ranges:
        return ((cp, cp),)

    def octal(self, start: int) -> int:
        digits = ""
        while len(digits) < 3 and self.pos < len(self.text) and self.text[self.pos] in "01234567":
            if len(digits) == 2 and digits[0] > "3":
                break
            digits += self.text[self.pos]
            self.pos += 1
        if not digits:
            raise InvalidPattern("Illegal octal escape sequence", start)
        return int(digits, 8)

    def hexadecimal(self, start: int) -> int:
        if self.text.startswith("{", self.pos):
            end = self.text.find("}", self.pos)
            digits = self.text[self.pos + 1 : end] if end != -1 else ""
            self.pos = end + 1
        else:
            digits = self.text[self.pos : self.pos + 2]
            self.pos += 2
            if len(digits) != 2:
                digits = ""
        if not digits or any(c not in string.hexdigits for c in digits) or int(digits, 16) > MAX_CODE_POINT:
            raise InvalidPattern("Illegal hexadecimal escape sequence", start)
        return int(digits, 16)

    def utf16(self, start: int) -> int:
        cp = self.four_hex(start)
        # A surrogate pair written as two escapes is one character, as in Java.
        if 0xD800 <= cp <= 0xDBFF and self.text.startswith("\\u", self.pos):
            saved = self.pos
            self.pos += 2
            low = self.four_hex(start)
            if 0xDC00 <= low <= 0xDFFF:
                return 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00)
            self.pos = saved
        return cp

    def four_hex(self, start: int) -> int:
        digits = self.text[self.pos : self.pos + 4]
        if len(digits) != 4 or any(c not in string.hexdigits for c in digits):
            raise InvalidPattern("Illegal Unicode escape sequence", start)
        self.pos += 4
        return int(digits, 16)

    def named(self, start: int) -> int:
        end = self.text.find("}", self.pos)
        if not self.text.startswith("{", self.pos) or end == -1:
            raise InvalidPattern("Unknown character name", start)
        name = self.text[self.pos + 1 : end]
        self.pos = end + 1
        try:
            return ord(unicodedata.lookup(name))
        except KeyError:
            raise InvalidPattern(f"Unknown character name [{name}]", start) from None

    def property(self, start: int) -> Ranges:
        """The characters of ``\\p{Name}`` or ``\\pL`` (the ``p`` read)."""
        if self.text.startswith("{", self.pos):
            end = self.text.find("}", self.pos)
            if end == -1:
                raise InvalidPattern("Unclosed character family", start)
            name = self.text[self.pos + 1 : end]
            self.pos = end + 1
        else:
            name = self.take()
        # Java's lookup: key=value forms, In (blocks), Is (categories, POSIX names,
        # binary properties, scripts), then bare names (POSIX, categories, java...).
        unsupported = UnsupportedPattern(f"the Unicode script, block or property \\p{{{name}}}", start)
        if "=" in name:
            key, value = name.split("=", 1)
            category = general_category(value)
            if key.lower() in ("gc", "general_category") and category is not None:
                return category
            if key.lower() in ("sc", "script", "blk", "block"):
                raise unsupported
        else:
            bare = name.removeprefix("Is")
            if bare in POSIX:
                return POSIX[bare]
            category = general_category(bare)
            if category is not None:
                return category
            if name.startswith(("Is", "In", "java")):
                raise unsupported
        raise InvalidPattern(f"Unknown character property name {{{name}}}", start)

    # -- character classes
    def char_class(self, start: int) -> Ranges:
        """The characters of a class ``[...]`` (the ``[`` read): unions, ranges, ``&&``, ``^``."""
        self.nested(start)
        negated = self.text.startswith("^", self.pos)
        if negated:
            self.pos += 1
        so_far: Ranges | None = None
        items: list[Ranges] = []
        first = True
        while True:
            ch = self.peek()
            if ch is None:
                raise InvalidPattern("Unclosed character class", len(self.text) - 1)
            if ch == "]" and not first:
                self.pos += 1
                break
            first = False
            if ch == "[":
                self.pos += 1
                items.append(self.char_class(self.pos - 1))
            elif self.text.startswith("&&", self.pos):
                # An empty side of && is no operand at all, as in Java: [&&a] is [a].
                self.pos += 2
                if items:
                    operand = union(*items)
                    so_far = operand if so_far is None else intersection(so_far, operand)
                items = []
            else:
                items.append(self.class_item())
        ranges = union(*items)
        if so_far is not None:
            ranges = intersection(so_far, ranges) if items else so_far
        ranges = self.fold(ranges)
        self.depth -= 1
        return complement(ranges) if negated else ranges

    def class_item(self) -> Ranges:
        """A character, a range ``a-z`` or an escape inside a class."""
        start = self.pos
        low = self.class_character()
        if not (len(low) == 1 and low[0][0] == low[0][1]):
            return low  # \d, \p{...}, \Q...\E: not a range end
        if self.peek() != "-":
            return low
        dash = self.pos
        self.pos += 1
        if (ch := self.peek()) is None or ch in "[]":
            self.pos = dash  # a '-' before ']' or a nested class is a character
            return low
        high = self.class_character()
        if not (len(high) == 1 and high[0][0] == high[0][1]) or high[0][0] < low[0][0]:
            raise InvalidPattern("Illegal character range", start)
        return ((low[0][0], high[0][0]),)

    def class_character(self) -> Ranges:
        start = self.pos
        ch = self.take()
        if ch != "\\":
            return self.single(ord(ch))
        ch = self.take()
        if ch == "Q":
            return chars_of(self.quoted())
        return self.class_escape(ch, start)


_UNSUPPORTED_GROUPS = (
    ("<=", "a lookbehind (?<=...)"),
    ("<!", "a negative lookbehind (?<!...)"),
    ("=", "a lookahead (?=...)"),
    ("!", "a negative lookahead (?!...)"),
    (">", "an atomic group (?>...)"),
)


def _check_repeat_total(node: Node, total: int = 1) -> None:
    """Refuse nested repetitions whose counts multiply past MAX_REPEAT (RE2 expands them)."""
    if isinstance(node, Repeat):
        count = node.high if node.high is not None else node.low
        if count > 1:
            total *= count
            if total > MAX_REPEAT:
                raise UnsupportedPattern(f"repetitions nested to more than {MAX_REPEAT} in all", node.position)
        _check_repeat_total(node.item, total)
    elif isinstance(node, Sequence):
        for item in node.items:
            _check_repeat_total(item, total)
    elif isinstance(node, Alternation):
        for branch in node.branches:
            _check_repeat_total(branch, total)
