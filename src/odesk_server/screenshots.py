"""The screenshots' placeholder images: a small SVG drawn from a snapshot's image key alone.

The server keeps no screenshot. A snapshot's ``image_key`` (32 hex digits)
names a picture that ``placeholder_svg`` draws: a mock desktop with one
application window (title bar, buttons, a side panel, lines of content, a
picture block) and a task bar. Every colour and measure comes from a hash
of the key, so one key always gives the same bytes and two keys look
different. The image holds no text, no script, no link and nothing from
elsewhere: only rectangles and circles.

The drawing is made on an 800x500 canvas; the sizes only change the
``width`` and ``height`` the SVG asks to be shown at.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

# Size name -> (width, height) the image is shown at.
SIZES: dict[str, tuple[int, int]] = {"thmb": (200, 125), "med": (400, 250), "lrg": (800, 500)}
DEFAULT_SIZE = "lrg"
MEDIA_TYPE = "image/svg+xml"

_KEY = re.compile(r"[0-9a-f]{32}")
_CANVAS_W, _CANVAS_H = 800, 500
_TASKBAR_H = 36


def is_image_key(text: str) -> bool:
    """Whether ``text`` has the shape of a screenshot key: 32 lowercase hex digits."""
    return _KEY.fullmatch(text) is not None


class _Dice:
    """A stream of numbers read from the key's hash (SHAKE-256): the same key, the same numbers."""

    def __init__(self, key: str) -> None:
        self._bytes: Iterator[int] = iter(hashlib.shake_256(f"odesk-screenshot:{key}".encode()).digest(256))

    def byte(self) -> int:
        return next(self._bytes)

    def between(self, low: int, high: int) -> int:
        """A whole number from ``low`` to ``high``, both included."""
        return low + (self.byte() * 256 + self.byte()) % (high - low + 1)

    def chance(self, percent: int) -> bool:
        return self.byte() * 100 < percent * 256


def _hsl(hue: int, saturation: int, lightness: int) -> str:
    return f"hsl({hue % 360},{saturation}%,{lightness}%)"


def _rect(x: int, y: int, width: int, height: int, fill: str, radius: int = 0) -> str:
    rounded = f' rx="{radius}"' if radius else ""
    return f'<rect x="{x}" y="{y}" width="{width}" height="{height}"{rounded} fill="{fill}"/>'


def _circle(cx: int, cy: int, r: int, fill: str) -> str:
    return f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="{fill}"/>'


def placeholder_svg(image_key: str, size: str = DEFAULT_SIZE) -> bytes:
    """The placeholder image of ``image_key`` at ``size`` (``thmb``, ``med`` or ``lrg``), as SVG bytes.

    Raises ``ValueError`` for a key that is not 32 hex digits or an unknown size.
    """
    if not is_image_key(image_key):
        raise ValueError(f"not a screenshot key: {image_key!r}")
    if size not in SIZES:
        raise ValueError(f"size must be one of {', '.join(SIZES)}, got {size!r}")
    dice = _Dice(image_key)
    desktop_hue, window_hue, accent_hue = dice.between(0, 359), dice.between(0, 359), dice.between(0, 359)
    shapes: list[str] = [_rect(0, 0, _CANVAS_W, _CANVAS_H, _hsl(desktop_hue, 35, dice.between(28, 42)))]

    # A few icons down the desktop's left edge.
    for row in range(dice.between(2, 5)):
        shapes.append(_rect(12, 14 + row * 52, 30, 30, _hsl(desktop_hue + 30 * row, 25, 78), 5))

    # The application window.
    left = dice.between(60, 140)
    top = dice.between(18, 60)
    width = _CANVAS_W - left - dice.between(20, 90)
    height = _CANVAS_H - _TASKBAR_H - top - dice.between(14, 50)
    shapes.append(_rect(left + 4, top + 5, width, height, "rgba(0,0,0,0.25)", 6))  # its shadow
    shapes.append(_rect(left, top, width, height, _hsl(window_hue, 12, 97), 6))
    title_h = 28
    shapes.append(_rect(left, top, width, title_h, _hsl(window_hue, 45, dice.between(36, 50)), 6))
    shapes.append(_rect(left, top + title_h - 6, width, 6, _hsl(window_hue, 45, 42)))
    for number, hue in enumerate((0, 45, 120)):
        shapes.append(_circle(left + width - 18 - number * 20, top + title_h // 2, 6, _hsl(hue, 70, 60)))

    # A side panel on one side, the content on the other.
    body_top = top + title_h
    body_h = height - title_h
    panel_w = dice.between(110, 190)
    panel_left = dice.chance(70)
    panel_x = left if panel_left else left + width - panel_w
    shapes.append(_rect(panel_x, body_top, panel_w, body_h - 4, _hsl(window_hue, 18, 89)))
    for row in range(dice.between(4, 9)):
        y = body_top + 16 + row * 26
        if y + 10 > body_top + body_h - 10:
            break
        shapes.append(_rect(panel_x + 14, y, dice.between(panel_w // 3, panel_w - 28), 10, _hsl(window_hue, 12, 70), 3))
    content_x = left + (panel_w if panel_left else 0) + 22
    content_w = width - panel_w - 44

    # Lines of "text", and a picture block among them.
    y = body_top + 20
    picture_row = dice.between(2, 6)
    row = 0
    while y + 12 < body_top + body_h - 16:
        if row == picture_row and y + 90 < body_top + body_h - 16:
            block_w = dice.between(content_w // 3, content_w * 2 // 3)
            shapes.append(_rect(content_x, y, block_w, 80, _hsl(accent_hue, 55, dice.between(62, 76)), 4))
            shapes.append(_circle(content_x + block_w // 4, y + 28, 12, _hsl(accent_hue + 40, 60, 88)))
            y += 96
        else:
            line_w = content_w if dice.chance(55) else dice.between(content_w // 4, content_w - 20)
            shade = 55 if row == 0 else dice.between(72, 82)
            shapes.append(_rect(content_x, y, line_w, 14 if row == 0 else 9, _hsl(window_hue, 8, shade), 3))
            y += 30 if row == 0 else dice.between(18, 24)
        row += 1

    # The task bar, with the running applications.
    bar_y = _CANVAS_H - _TASKBAR_H
    shapes.append(_rect(0, bar_y, _CANVAS_W, _TASKBAR_H, _hsl(desktop_hue, 20, 14)))
    shapes.append(_circle(22, bar_y + _TASKBAR_H // 2, 11, _hsl(accent_hue, 60, 58)))
    for slot in range(dice.between(3, 7)):
        shapes.append(_rect(48 + slot * 40, bar_y + 7, 28, 22, _hsl(window_hue + 50 * slot, 30, 55), 4))
    shapes.append(_rect(_CANVAS_W - 84, bar_y + 13, 70, 10, _hsl(desktop_hue, 10, 60), 3))

    shown_w, shown_h = SIZES[size]
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{shown_w}" height="{shown_h}" '
        f'viewBox="0 0 {_CANVAS_W} {_CANVAS_H}">'
    )
    return (head + "".join(shapes) + "</svg>\n").encode("ascii")
