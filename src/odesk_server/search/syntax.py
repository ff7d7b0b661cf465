"""Search v2's ``q`` -> a typed tree: the documented subset of Lucene's query syntax.

``parse(text)`` reads ``q`` with ``grammar.lark`` (Lark, LALR, the tree built
by an inline transformer during the parse) into ``Term``, ``Range``, ``And``,
``Or`` and ``Not`` nodes, each with the 0-based offset of its first character
in ``text``. What a field means is not decided here (``search.fields`` binds
the tree to the fields of jobs or providers).

What the language holds:

- words (``python``) and quoted phrases (``"web design"``); a word or
  phrase without a field searches every text of the document;
- ``field:value``, ``field:"a phrase"``, ``field:(a OR b)`` (the field
  applies to the words inside that name none), ``field:[low TO high]``
  (``{low TO high}`` leaves the ends out, ``*`` is an open end);
- comma lists as OR: ``skills:python,django`` is
  ``skills:python OR skills:django``;
- ``AND`` (also ``&&``; two clauses side by side are both required),
  ``OR`` (``||``), ``NOT`` (``!``, a leading ``-``), a leading ``+`` (the
  clause is required, which it is already), parentheses.

Anything else (a wildcard, a boost, a fuzzy search, an unclosed quote or
parenthesis, a dangling operator) raises ``QuerySyntaxError`` naming the
position; so does a query nested deeper than ``MAX_DEPTH``, with more than
``MAX_CLAUSES`` words and ranges, or longer than ``MAX_LENGTH``.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lark
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

# The longest ``q`` accepted, in characters.
MAX_LENGTH = 2000
# The deepest nesting of operators and parentheses accepted.
MAX_DEPTH = 16
# The most words, phrases and ranges one query may hold.
MAX_CLAUSES = 64


class QuerySyntaxError(ValueError):
    """``q`` is not a query of the language; ``position`` is the 0-based offset of the trouble."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


def _pos() -> Any:
    return field(default=0, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Term:
    """A word or a quoted phrase, in ``field`` or (None) in every text of the document.

    ``text`` is the word or the phrase's text with backslash escapes
    resolved; ``phrase`` says it was quoted.
    """

    text: str
    field: str | None = None
    phrase: bool = False
    pos: int = _pos()


@dataclass(frozen=True, slots=True)
class Range:
    """``field:[low TO high]``: ``None`` for an open end (``*``); ``include_*`` False for ``{``/``}`` ends."""

    field: str
    low: str | None
    high: str | None
    include_low: bool = True
    include_high: bool = True
    pos: int = _pos()
    low_pos: int = _pos()
    high_pos: int = _pos()


@dataclass(frozen=True, slots=True)
class And:
    """Every operand matches."""

    operands: tuple[Node, ...]
    pos: int = _pos()


@dataclass(frozen=True, slots=True)
class Or:
    """At least one operand matches."""

    operands: tuple[Node, ...]
    pos: int = _pos()


@dataclass(frozen=True, slots=True)
class Not:
    """The operand does not match."""

    operand: Node
    pos: int = _pos()


Node = Term | Range | And | Or | Not


# --------------------------------------------------------------------------
# The inline transformer: each reduction straight into a node


# The operators spelt as words: a word spelt so where no operator may stand is an error, not a word.
_KEYWORDS = frozenset({"AND", "OR", "NOT", "TO"})
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


def _unescape(text: str) -> str:
    return _ESCAPE.sub(r"\1", text) if "\\" in text else text


def _with_field(node: Node, name: str) -> Node:
    """``node`` with ``name`` given to its words and ranges that name no field (``title:(a OR b)``)."""
    if isinstance(node, Term):
        return node if node.field is not None else Term(node.text, name, node.phrase, pos=node.pos)
    if isinstance(node, Range):
        return node
    if isinstance(node, Not):
        return Not(_with_field(node.operand, name), pos=node.pos)
    operands = tuple(_with_field(operand, name) for operand in node.operands)
    return And(operands, pos=node.pos) if isinstance(node, And) else Or(operands, pos=node.pos)


class _Bound:
    """A range's end as read: its text, ``None`` for ``*``."""

    __slots__ = ("pos", "text")

    def __init__(self, text: str | None, pos: int) -> None:
        self.text = text
        self.pos = pos


class _ToTree(lark.Transformer[Any, Any]):
    """Builds the nodes during the LALR parse, counting words and tracking depth as it goes."""

    def __init__(self) -> None:
        super().__init__()
        self._local = threading.local()

    def reset(self) -> None:
        self._local.depth = {}
        self._local.clauses = 0

    def _leaf(self, node: Node) -> Node:
        self._local.clauses += 1
        if self._local.clauses > MAX_CLAUSES:
            raise QuerySyntaxError(
                f"The query holds more than {MAX_CLAUSES} words, phrases and ranges at position {node.pos}", node.pos
            )
        return node

    def _nested(self, node: Node, children: tuple[Node, ...]) -> Node:
        # id(node) -> (node, depth); holding the node keeps its id from being reused.
        depths: dict[int, tuple[Node, int]] = self._local.depth
        depth = 1 + max((depths.get(id(child), (child, 1))[1] for child in children), default=1)
        if depth > MAX_DEPTH:
            raise QuerySyntaxError(f"The query nests deeper than {MAX_DEPTH} levels at position {node.pos}", node.pos)
        depths[id(node)] = (node, depth)
        return node

    # -- words and lists
    def term(self, c: list[Any]) -> Node:
        token = c[0]
        if token.value in _KEYWORDS:  # an operator where none may stand: "AND a", "NOT OR"
            raise QuerySyntaxError(f"Unexpected {token.value!r} at position {token.start_pos}", token.start_pos)
        return self._leaf(Term(_unescape(token.value), pos=token.start_pos))

    def phrase(self, c: list[Any]) -> Node:
        token = c[0]
        return self._leaf(Term(_unescape(token.value[1:-1]), phrase=True, pos=token.start_pos))

    def first(self, c: list[Any]) -> list[Node]:
        return [c[0]]

    def append(self, c: list[Any]) -> list[Node]:
        c[0].append(c[-1])
        return c[0]

    def _one(self, item: Node | list[Node]) -> Node:
        """A comma list as one node (an Or of its items)."""
        if not isinstance(item, list):
            return item
        if len(item) == 1:
            return item[0]
        return self._nested(Or(tuple(item), pos=item[0].pos), tuple(item))

    # -- ranges
    def bound_word(self, c: list[Any]) -> _Bound:
        text = _unescape(c[0].value)
        return _Bound(None if text == "*" else text, c[0].start_pos)

    def bound_phrase(self, c: list[Any]) -> _Bound:
        return _Bound(_unescape(c[0].value[1:-1]), c[0].start_pos)

    def range(self, c: list[Any]) -> Node:
        opening, low, _to, high, closing = c
        return self._leaf(
            Range(
                "",
                low.text,
                high.text,
                include_low=opening.type == "INCLUSIVE_OPEN",
                include_high=closing.type == "INCLUSIVE_CLOSE",
                pos=opening.start_pos,
                low_pos=low.pos,
                high_pos=high.pos,
            )
        )

    # -- clauses
    def field(self, c: list[Any]) -> Node:
        name, value = c[0], self._one(c[-1])
        if isinstance(value, Range) and not value.field:  # ``rate:[10 TO 20]``
            return dataclasses.replace(value, field=name.value, pos=name.start_pos)
        if isinstance(value, Term) and value.field is None:  # ``title:php`` starts at ``t``
            return Term(value.text, name.value, value.phrase, pos=name.start_pos)
        return self._nested(_with_field(value, name.value), (value,))

    def group(self, c: list[Any]) -> Node:
        return self._one(c[1])

    def required(self, c: list[Any]) -> Node:
        return self._one(c[1])

    def not_(self, c: list[Any]) -> Node:
        operand = self._one(c[1])
        return self._nested(Not(operand, pos=c[0].start_pos), (operand,))

    def _join(self, kind: type[And] | type[Or], c: list[Any]) -> Node:
        left, right = self._one(c[0]), self._one(c[-1])
        operands = (*_operands(left, kind), *_operands(right, kind))
        return self._nested(kind(operands, pos=left.pos), operands)

    def and_(self, c: list[Any]) -> Node:
        return self._join(And, c)

    def or_(self, c: list[Any]) -> Node:
        return self._join(Or, c)

    def start(self, c: list[Any]) -> Node | None:
        return self._one(c[0]) if c[0] is not None else None


def _operands(node: Node, kind: type[And] | type[Or]) -> tuple[Node, ...]:
    # ``a AND b AND c`` is one And of three.
    return node.operands if isinstance(node, kind) else (node,)


_TRANSFORMER = _ToTree()


@functools.cache
def _parser() -> lark.Lark:
    grammar = (Path(__file__).parent / "grammar.lark").read_text(encoding="utf-8")
    return lark.Lark(grammar, parser="lalr", lexer="contextual", transformer=_TRANSFORMER, maybe_placeholders=True)


_UNSUPPORTED = {
    "*": "wildcards (* and ?) are not supported",
    "?": "wildcards (* and ?) are not supported",
    "^": "boosts (^) are not supported",
    "~": "fuzzy and proximity searches (~) are not supported",
    '"': "a quote is not closed",
    "\\": "a backslash escapes the character after it",
}


def _unexpected(char: str, pos: int) -> QuerySyntaxError:
    why = _UNSUPPORTED.get(char)
    return QuerySyntaxError(f"Unexpected character {char!r} at position {pos}" + (f": {why}" if why else ""), pos)


def _syntax_error(error: UnexpectedInput, text: str) -> QuerySyntaxError:
    if isinstance(error, UnexpectedCharacters):
        pos = error.pos_in_stream or 0
        return _unexpected(text[pos], pos)
    if isinstance(error, UnexpectedToken) and error.token.type != "$END":
        token = error.token
        pos = token.start_pos if token.start_pos is not None else len(text)
        if token.value[:1] in _UNSUPPORTED:
            return _unexpected(token.value[0], pos)
        return QuerySyntaxError(f"Unexpected {token.value!r} at position {pos}", pos)
    return QuerySyntaxError(f"Unexpected end of query at position {len(text)}", len(text))


def parse(text: str) -> Node | None:
    """The tree of ``text`` (None for a blank query, which matches everything).

    Raises ``QuerySyntaxError`` (message and ``position``) for text that is
    not a query of the language or is too long, deep or large.
    """
    return _parse_cached(text)


@functools.lru_cache(maxsize=256)
def _parse_cached(text: str) -> Node | None:
    if len(text) > MAX_LENGTH:
        raise QuerySyntaxError(f"The query is longer than {MAX_LENGTH} characters at position {MAX_LENGTH}", MAX_LENGTH)
    if not text.strip():
        return None
    parser = _parser()
    _TRANSFORMER.reset()
    try:
        tree: Node | None = parser.parse(text)  # type: ignore[assignment]  # the transformer builds Nodes
    except UnexpectedInput as error:
        raise _syntax_error(error, text) from None
    finally:
        _TRANSFORMER.reset()
    return tree
