"""``order_by`` as the HR listings take it: ``field1;field2;...;AD``.

The documentation writes it ``$field_name1;$field_name2;..$field_nameN;AD...A``:
the fields, then one letter per field, ``A`` ascending or ``D``
descending (``created_time;D``). The letters may be left out (all
ascending); when given there is one per field. Every HR listing reads
``order_by`` here: it names the fields it sorts on and the column of each,
and ``order_by`` turns the text into SQL ordering, or raises
``problems.Invalid`` naming what was wrong.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from odesk_server.problems import Invalid

_DIRECTIONS = re.compile(r"[AD]+")


def order_by(text: str | None, columns: Mapping[str, Any], default: str) -> list[sa.ColumnElement[Any]]:
    """The ORDER BY terms ``text`` asks for, on ``columns`` (field name -> column); ``default`` when empty.

    Raises ``Invalid`` for a field not in ``columns``, or direction letters
    that are not one per field.
    """
    parts = [part.strip() for part in (text or "").split(";") if part.strip()]
    if not parts:
        parts = [default]
    directions = ""
    if len(parts) > 1 and _DIRECTIONS.fullmatch(parts[-1]) and parts[-1] not in columns:
        directions = parts.pop()
        if len(directions) != len(parts):
            raise Invalid(f"order_by must name one direction (A or D) per field, got {text!r}")
    terms: list[sa.ColumnElement[Any]] = []
    for index, name in enumerate(parts):
        column = columns.get(name)
        if column is None:
            raise Invalid(
                f"order_by must be fields among {', '.join(columns)}, then optionally A/D per field, got {text!r}"
            )
        descending = bool(directions) and directions[index] == "D"
        terms.append(sa.desc(column) if descending else sa.asc(column))
    return terms
