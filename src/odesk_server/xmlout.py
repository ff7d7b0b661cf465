"""XML rendering of API payloads, for requests with the ``.xml`` suffix.

oDesk served every resource as JSON or XML. The XML form of a payload is
mechanical: ``<response>`` holds one element per top-level key; a mapping
becomes child elements; a list under key ``K`` becomes ``<K list="true">``
holding one element per entry, named after the singular of ``K``
(``teams`` -> ``team``, ``companies`` -> ``company``); a list under a
singular key (``{"userrole": [...]}``) repeats ``<userrole>`` itself.
Scalars become text: booleans as ``1``/``0`` like oDesk, ``None`` as an
empty element. Keys that are not valid XML names are sanitised.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal
from xml.sax.saxutils import escape

_NAME_BAD_CHARS = re.compile(r"[^A-Za-z0-9_.-]")
# Characters XML 1.0 forbids even when escaped.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _element_name(key: str) -> str:
    name = _NAME_BAD_CHARS.sub("_", key) or "item"
    if not (name[0].isalpha() or name[0] == "_") or name.lower().startswith("xml"):
        name = "_" + name
    return name


def singular(key: str) -> str:
    """The element name for one entry of a list stored under ``key``."""
    if key.endswith("ies") and len(key) > 3:
        return key[:-3] + "y"
    if key.endswith("s") and not key.endswith("ss") and len(key) > 1:
        return key[:-1]
    return key


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return _XML_INVALID.sub("", escape(str(value)))


def _write(parts: list[str], key: str, value: object) -> None:
    name = _element_name(key)
    if isinstance(value, Mapping):
        parts.append(f"<{name}>")
        for child_key, child in value.items():
            _write(parts, str(child_key), child)
        parts.append(f"</{name}>")
    elif isinstance(value, (list, tuple)):
        item_name = singular(key)
        if item_name == key:
            # Already singular ({"userrole": [...]}): the entries repeat the element itself.
            for item in value:
                _write(parts, key, item)
            return
        parts.append(f'<{name} list="true">')
        for item in value:
            _write(parts, item_name, item)
        parts.append(f"</{name}>")
    else:
        text = _text(value)
        parts.append(f"<{name}>{text}</{name}>" if text else f"<{name}/>")


def to_xml(payload: Mapping[str, object], root: str = "response") -> bytes:
    """The UTF-8 XML document for ``payload`` (see the module docstring for the mapping)."""
    parts = ['<?xml version="1.0" encoding="UTF-8"?>']
    _write(parts, root, payload)
    return "".join(parts).encode("utf-8")
