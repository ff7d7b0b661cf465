"""The screenshots' placeholder pictures (``odesk_server.screenshots``), without a server."""

from __future__ import annotations

import secrets
import xml.etree.ElementTree as ET

import pytest

from odesk_server.screenshots import SIZES, is_image_key, placeholder_svg

KEY = "614cf779e18bff77da94590a5fedc14e"
SVG = "{http://www.w3.org/2000/svg}"


def test_one_key_one_picture() -> None:
    assert placeholder_svg(KEY) == placeholder_svg(KEY) == placeholder_svg(KEY, "lrg")
    others = {placeholder_svg(secrets.token_hex(16)) for _ in range(20)}
    assert len(others) == 20 and placeholder_svg(KEY) not in others


@pytest.mark.parametrize(("size", "shown"), sorted(SIZES.items()))
def test_the_sizes_scale_the_same_drawing(size: str, shown: tuple[int, int]) -> None:
    root = ET.fromstring(placeholder_svg(KEY, size))
    assert (root.get("width"), root.get("height")) == tuple(str(n) for n in shown)
    assert root.get("viewBox") == "0 0 800 500"
    drawing = placeholder_svg(KEY, size).split(b">", 1)[1]
    assert drawing == placeholder_svg(KEY).split(b">", 1)[1]


def test_only_shapes_inside_the_canvas() -> None:
    for key in [KEY, *(secrets.token_hex(16) for _ in range(50))]:
        root = ET.fromstring(placeholder_svg(key))
        shapes = list(root)
        assert shapes and {shape.tag for shape in shapes} <= {f"{SVG}rect", f"{SVG}circle"}
        for shape in shapes:
            assert not (shape.text or "").strip()
            assert set(shape.attrib) <= {"x", "y", "width", "height", "rx", "fill", "cx", "cy", "r"}
            if shape.tag == f"{SVG}rect":
                x, y, w, h = (int(shape.get(name, "0")) for name in ("x", "y", "width", "height"))
                assert w > 0 and h > 0 and 0 <= x and x + w <= 806 and 0 <= y and y + h <= 505, (key, shape.attrib)


def test_keys_and_sizes_are_checked() -> None:
    assert is_image_key(KEY) and not is_image_key(KEY.upper()) and not is_image_key(KEY[:-1])
    with pytest.raises(ValueError, match="not a screenshot key"):
        placeholder_svg("../etc/passwd")
    with pytest.raises(ValueError, match="size must be"):
        placeholder_svg(KEY, "huge")
