"""Value semantics both executors share: comparison, ordering, matching.

The reference (Google's Java data source library) decides these, and the
in-memory and SQL executors must agree on every one of them:

- Comparing values of different types is false, even with ``!=``.
- A null text value behaves as the empty string (in comparisons, text
  operators, GROUP BY and PIVOT keys).
- Otherwise a null is smaller than every value: nulls sort first ascending and
  last descending, ``hours < 1`` is true for a null ``hours``, two nulls are equal.
- ORDER BY sorts text with ICU's en-US collation (``text_sort_key``); GROUP BY, PIVOT,
  ``min``/``max`` and comparisons in WHERE use UTF-16 code-unit order
  (``code_unit_key``), which is Java's ``String.compareTo``.
- ``contains``, ``starts with``, ``ends with``, ``like`` and ``matches`` work on
  text forms: non-text values are written as Java does (``5.0``, ``true``).
  ``matches`` takes a Java regular expression, run by RE2 (``gvizql.regex``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from gvizql import collation
from gvizql.ast import ComparisonOperator
from gvizql.datatable import ValueType
from gvizql.naming import value_text
from gvizql.regex import runnable_pattern

#: Operators that need both sides to have the same type (else the comparison is false).
ORDERING_OPERATORS = frozenset(
    {
        ComparisonOperator.EQ,
        ComparisonOperator.NE,
        ComparisonOperator.LT,
        ComparisonOperator.LE,
        ComparisonOperator.GT,
        ComparisonOperator.GE,
    }
)
#: Operators that compare the text forms of both sides.
TEXT_OPERATORS = frozenset(
    {
        ComparisonOperator.CONTAINS,
        ComparisonOperator.STARTS_WITH,
        ComparisonOperator.ENDS_WITH,
        ComparisonOperator.MATCHES,
        ComparisonOperator.LIKE,
    }
)


# --- text orders --------------------------------------------------------------------------


def code_unit_key(s: str) -> str:
    """A key that orders strings by UTF-16 code units (Java's ``String.compareTo``).

    Python compares code points, which differs only when a character above U+FFFF
    meets one in U+E000..U+FFFF; such characters are rewritten as surrogate pairs.
    """
    if s.isascii() or max(s) <= "\uffff":
        return s
    out = []
    for ch in s:
        c = ord(ch)
        if c > 0xFFFF:
            c -= 0x10000
            out.append(chr(0xD800 + (c >> 10)) + chr(0xDC00 + (c & 0x3FF)))
        else:
            out.append(ch)
    return "".join(out)


def text_sort_key(s: str) -> bytes:
    """The key ORDER BY sorts text on: ICU's en-US collation (see ``gvizql.collation``)."""
    return collation.sort_key(s)


# --- ordering -------------------------------------------------------------------------------


def group_value(value: Any, value_type: ValueType) -> Any:
    """The value GROUP BY and PIVOT key on: a null text is the empty string."""
    if value is None and value_type is ValueType.STRING:
        return ""
    return value


def group_sort_key(value_type: ValueType) -> Callable[[Any], tuple[Any, ...]]:
    """Key ordering GROUP BY rows, pivot values and min/max: nulls first, code-unit text."""
    if value_type is ValueType.STRING:
        return lambda v: (False, "") if v is None else (True, code_unit_key(v))
    return lambda v: (False, 0) if v is None else (True, v)


def pivot_key_order(keys: Iterable[Sequence[Any]], types: Sequence[ValueType]) -> list[tuple[Any, ...]]:
    """Distinct pivot value tuples in the order of their columns.

    Tuples compare element by element with ``group_sort_key`` (nulls first, text by
    code units). A null text and ``''`` are one pivot value: only the first of the
    two in ``keys`` is kept.
    """
    element_keys = [group_sort_key(t) for t in types]

    def sort_key(key: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(k(group_value(v, t)) for k, v, t in zip(element_keys, key, types, strict=True))

    unique: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for key in keys:
        unique.setdefault(sort_key(key), tuple(key))
    return [unique[k] for k in sorted(unique)]


def order_sort_key(value_type: ValueType) -> Callable[[Any], Any]:
    """Key for ORDER BY on non-null values of a type (text: ICU's en-US collation)."""
    if value_type is ValueType.STRING:
        return collation.sort_key_function()
    if value_type is ValueType.NUMBER:
        return _number_order
    return _identity


def _identity(v: Any) -> Any:
    return v


def _number_order(v: Any) -> tuple[int, Any]:
    # Java's Double.compare, as the reference sorts: NaN after every number, equal to itself.
    return (1, 0) if v != v else (0, v)


def sort_rows(
    rows: list[Any],
    keys: Sequence[tuple[Callable[[Any], Any], ValueType, bool]],
) -> list[Any]:
    """Stable ORDER BY of ``rows``; ``keys`` are (value getter, type, descending) in priority order.

    Nulls come first ascending and last descending; text uses ``text_sort_key``.
    Returns a new list.
    """
    result = list(rows)
    for getter, value_type, descending in reversed(keys):
        order_key = order_sort_key(value_type)
        # A null text sorts as the empty string; other nulls before every value.
        null_key = (True, order_key("")) if value_type is ValueType.STRING else _NULL_KEY
        cache: dict[Any, Any] = {}

        def key(
            row: Any,
            getter: Callable[[Any], Any] = getter,
            null_key: Any = null_key,
            cache: dict[Any, Any] = cache,
            order_key: Callable[[Any], Any] = order_key,
        ) -> Any:
            v = getter(row)
            if v is None:
                return null_key
            k = cache.get(v)
            if k is None:
                k = cache[v] = (True, order_key(v))
            return k

        result.sort(key=key, reverse=descending)
    return result


_NULL_KEY = (False,)


# --- comparison -------------------------------------------------------------------------------


def compare_order(a: Any, b: Any, value_type: ValueType) -> int:
    """-1, 0 or 1: ``a`` against ``b`` of one type; nulls smallest, text null is ``''``."""
    if value_type is ValueType.STRING:
        a = code_unit_key(a or "")
        b = code_unit_key(b or "")
    elif a is None or b is None:
        if a is None and b is None:
            return 0
        return -1 if a is None else 1
    elif value_type is ValueType.NUMBER and (a != a or b != b):
        # Java's Double.compare: NaN is greater than every number and equal to itself.
        return (a != a) - (b != b)
    if a == b:
        return 0
    return -1 if a < b else 1


class LikePattern:
    """A compiled ``like`` pattern: ``%`` any run, ``_`` one character, whole value, no escape.

    Matching splits the pattern at ``%`` and finds each fixed-length piece
    leftmost, in order (which is exact for ``%`` wildcards): time stays linear in
    the pattern's pieces, where a regular expression with many ``.*`` can
    backtrack for ever. ``fullmatch`` answers like a compiled regex's (truthy or
    None).
    """

    __slots__ = ("_first", "_middle", "_last", "_whole")

    def __init__(self, pattern: str) -> None:
        parts = pattern.split("%")
        compile_piece = _like_piece
        self._whole = compile_piece(parts[0]) if len(parts) == 1 else None
        self._first = compile_piece(parts[0])
        self._last = compile_piece(parts[-1])
        self._middle = [compile_piece(p) for p in parts[1:-1] if p]

    def fullmatch(self, text: str) -> bool | None:
        if self._whole is not None:
            return True if self._whole[0].fullmatch(text) else None
        first, first_len = self._first
        last, last_len = self._last
        end = len(text) - last_len
        if end < first_len or not first.match(text) or not last.match(text, end):
            return None
        pos = first_len
        for piece, length in self._middle:
            m = piece.search(text, pos, end)
            if m is None:
                return None
            pos = m.start() + length
        return True


def _like_piece(piece: str) -> tuple[re.Pattern[str], int]:
    return re.compile("".join("." if ch == "_" else re.escape(ch) for ch in piece), re.DOTALL), len(piece)


def like_regex(pattern: str) -> LikePattern:
    """The compiled ``like`` pattern (see ``LikePattern``)."""
    return LikePattern(pattern)


@functools.lru_cache(maxsize=1024)
def cached_like_regex(pattern: str) -> LikePattern:
    return LikePattern(pattern)


def text_match(operator: ComparisonOperator, text: str, operand: str) -> bool:
    """``contains``/``starts with``/``ends with``/``like``/``matches`` on two text forms."""
    if operator is ComparisonOperator.CONTAINS:
        return operand in text
    if operator is ComparisonOperator.STARTS_WITH:
        return text.startswith(operand)
    if operator is ComparisonOperator.ENDS_WITH:
        return text.endswith(operand)
    if operator is ComparisonOperator.LIKE:
        return cached_like_regex(operand).fullmatch(text) is not None
    if operator is ComparisonOperator.MATCHES:
        pattern = runnable_pattern(operand)  # cached per pattern; see gvizql.regex
        return pattern is not None and pattern.matches(text)
    raise ValueError(f"not a text operator: {operator}")


def compare(operator: ComparisonOperator, left: Any, right: Any, left_type: ValueType, right_type: ValueType) -> bool:
    """Whether ``left <operator> right`` holds, with the reference's rules (see the module doc)."""
    if operator in TEXT_OPERATORS:
        return text_match(operator, value_text(left, left_type), value_text(right, right_type))
    if left_type is not right_type:
        return False
    c = compare_order(left, right, left_type)
    if operator is ComparisonOperator.EQ:
        return c == 0
    if operator is ComparisonOperator.NE:
        return c != 0
    if operator is ComparisonOperator.LT:
        return c < 0
    if operator is ComparisonOperator.LE:
        return c <= 0
    if operator is ComparisonOperator.GT:
        return c > 0
    return c >= 0
