"""Measuring mobjects inside the sandboxed check: which leaves are drawn, their boxes, text sizes and overlaps.

Helpers for `layout_snapshot` (same process, Manim imported). Boxes are [x0, y0, x1, y1] in scene
units as the renderer maps them to the screen.
"""

from __future__ import annotations

import functools
import sys
from typing import Any

import numpy as np
from manim.constants import SCALE_FACTOR_PER_FONT_POINT
from manim.mobject.mobject import Group, Mobject
from manim.mobject.text.numbers import DecimalNumber
from manim.mobject.text.tex_mobject import SingleStringMathTex
from manim.mobject.text.text_mobject import TEXT_MOB_SCALE_FACTOR, MarkupText, Paragraph, Text
from manim.mobject.types.image_mobject import AbstractImageMobject
from manim.mobject.types.point_cloud_mobject import PMobject
from manim.mobject.types.vectorized_mobject import VDict, VGroup, VMobject

try:  # Typst mobjects exist from Manim 0.20 on
    from manim.mobject.text.typst_mobject import Typst
except ImportError:  # pragma: no cover - older Manim
    Typst = SingleStringMathTex

TEXT_TYPES = (Text, MarkupText, Paragraph, SingleStringMathTex, DecimalNumber, Typst)
PLAIN_GROUPS = (VGroup, Group, VDict)
# The em (font size) in scene units per font point, measured on Manim CE 0.22: a LaTeX capital is
# 0.34 units tall at font_size=48 (Computer Modern caps are 0.683 em), a Pango capital 0.486 (0.729 em).
TEX_UNITS_PER_POINT = 1 / 96
TEXT_UNITS_PER_POINT = 1 / 72
VISIBLE_ALPHA = 0.05
MAX_PAIRS = 400
LINE_ATTRIBUTE = "_manim_agent_line"


def family_with_points(mob: Any) -> list[Any]:
    found, stack, seen = [], [mob], set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if len(current.points):
            found.append(current)
        stack.extend(current.submobjects)
    return found


def is_visible(leaf: Any) -> bool:
    """Whether the renderer draws anything for this leaf (base Mobjects such as ValueTracker are never drawn)."""
    if isinstance(leaf, VMobject):
        stroke = leaf.stroke_rgbas
        if leaf.stroke_width and len(stroke) and float(stroke[:, 3].max()) > VISIBLE_ALPHA:
            return True
        fill = leaf.fill_rgbas
        return bool(len(fill)) and float(fill[:, 3].max()) > VISIBLE_ALPHA
    return isinstance(leaf, (PMobject, AbstractImageMobject))


def in_frame_sizes(boxes: np.ndarray, frame: np.ndarray) -> np.ndarray:
    """Per box, the longer side of its part inside the frame (0 when outside); see layout_rules.in_frame_size."""
    width = np.minimum(boxes[:, 2], frame[2]) - np.maximum(boxes[:, 0], frame[0])
    height = np.minimum(boxes[:, 3], frame[3]) - np.maximum(boxes[:, 1], frame[1])
    return np.where((width < 0) | (height < 0), 0.0, np.maximum(width, height))


def leaf_boxes(arrays: list[np.ndarray]) -> np.ndarray:
    """[x0, y0, x1, y1] of each point array, in one vectorised pass."""
    if not arrays:
        return np.zeros((0, 4))
    lengths = np.fromiter((len(a) for a in arrays), dtype=np.int64, count=len(arrays))
    points = np.concatenate(arrays)[:, :2]
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    lows = np.minimum.reduceat(points, starts, axis=0)
    highs = np.maximum.reduceat(points, starts, axis=0)
    # The renderer draws a leaf with non-finite points at the origin; do the same.
    return np.nan_to_num(np.hstack([lows, highs]), nan=0.0, posinf=0.0, neginf=0.0)


def font_size_of(mob: Any, height: float) -> tuple[float | None, float]:
    """(font size on screen in points, scene units per point of em), from the text's current height."""
    try:
        if isinstance(mob, SingleStringMathTex):
            return height / mob.initial_height / SCALE_FACTOR_PER_FONT_POINT, TEX_UNITS_PER_POINT
        if isinstance(mob, (Text, MarkupText)):
            return height / mob.initial_height / TEXT_MOB_SCALE_FACTOR * 2.4 * mob._font_size / 48, TEXT_UNITS_PER_POINT
        if isinstance(mob, DecimalNumber):
            return height / mob.initial_height * mob._font_size, TEX_UNITS_PER_POINT
        if isinstance(mob, Paragraph):
            return float(mob.lines_text.font_size), TEXT_UNITS_PER_POINT
        return float(mob.font_size), TEX_UNITS_PER_POINT
    except (AttributeError, ZeroDivisionError, TypeError, ValueError):
        return None, TEX_UNITS_PER_POINT


def content_of(mob: Any) -> str | None:
    """What a text says: its string, TeX source or number."""
    if isinstance(mob, DecimalNumber):
        value = getattr(mob, "number", None)
        places = int(getattr(mob, "num_decimal_places", 2) or 0)
        try:
            return f"{float(value):.{places}f}"
        except (TypeError, ValueError):
            return str(value)
    for attribute in ("tex_string", "original_text", "text", "typst_code"):
        value = getattr(mob, attribute, None)
        if isinstance(value, str) and value.strip():
            return value.strip()[:160]
    if isinstance(mob, Paragraph):
        return getattr(mob.lines_text, "text", None)
    return None


def text_overlaps(records: list[dict[str, Any]], glyphs: dict[int, np.ndarray]) -> list[list[float]]:
    """[id_a, id_b, box overlap, glyph overlap] for text pairs whose boxes meet (fractions of the smaller)."""
    if len(records) < 2:
        return []
    boxes = np.array([r["box"] for r in records])
    lo_x = np.maximum(boxes[:, None, 0], boxes[None, :, 0])
    hi_x = np.minimum(boxes[:, None, 2], boxes[None, :, 2])
    lo_y = np.maximum(boxes[:, None, 1], boxes[None, :, 1])
    hi_y = np.minimum(boxes[:, None, 3], boxes[None, :, 3])
    inter = np.clip(hi_x - lo_x, 0, None) * np.clip(hi_y - lo_y, 0, None)
    area = np.maximum(boxes[:, 2] - boxes[:, 0], 1e-3) * np.maximum(boxes[:, 3] - boxes[:, 1], 1e-3)
    pairs = []
    rows, cols = np.nonzero(np.triu(inter > 1e-6, k=1))
    for i, j in list(zip(rows.tolist(), cols.tolist()))[:MAX_PAIRS]:
        box_fraction = float(inter[i, j] / min(area[i], area[j]))
        ink = _glyph_overlap(glyphs[records[i]["id"]], glyphs[records[j]["id"]])
        pairs.append([records[i]["id"], records[j]["id"], round(box_fraction, 3), round(ink, 3)])
    return pairs


def _glyph_overlap(a: np.ndarray, b: np.ndarray) -> float:
    """How much of the smaller text's glyph area the other's glyph boxes cover (0..1)."""
    lo_x = np.maximum(a[:, None, 0], b[None, :, 0])
    hi_x = np.minimum(a[:, None, 2], b[None, :, 2])
    lo_y = np.maximum(a[:, None, 1], b[None, :, 1])
    hi_y = np.minimum(a[:, None, 3], b[None, :, 3])
    covered = float((np.clip(hi_x - lo_x, 0, None) * np.clip(hi_y - lo_y, 0, None)).sum())
    area_a = float(((a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])).sum())
    area_b = float(((b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])).sum())
    smaller = min(area_a, area_b)
    return min(1.0, covered / smaller) if smaller > 1e-9 else 0.0


def user_line(path: str, depth_limit: int = 80) -> int | None:
    """The innermost line of the user's scene file on the current stack."""
    frame = sys._getframe(2)
    depth = 0
    while frame is not None and depth < depth_limit:
        if frame.f_code.co_filename == path:
            return frame.f_lineno
        frame = frame.f_back
        depth += 1
    return None


_CREATION_FILE: list[str] = []  # the scene file whose lines are recorded (one per process, the job's)


def record_creation_lines(path: str) -> None:
    """Remember, on each mobject, the user's line that created it (one stack walk per mobject)."""
    _CREATION_FILE[:] = [path]
    original = Mobject.__init__
    if getattr(original, "_manim_agent_wrapped", False):
        return

    @functools.wraps(original)
    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        if LINE_ATTRIBUTE not in self.__dict__ and _CREATION_FILE:
            wanted = _CREATION_FILE[0]
            frame = sys._getframe(1)
            depth = 0
            while frame is not None and depth < 60:
                if frame.f_code.co_filename == wanted:
                    self.__dict__[LINE_ATTRIBUTE] = frame.f_lineno
                    return
                frame = frame.f_back
                depth += 1
            self.__dict__[LINE_ATTRIBUTE] = None

    init._manim_agent_wrapped = True  # type: ignore[attr-defined]
    Mobject.__init__ = init
