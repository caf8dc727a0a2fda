"""Drawing during a drawing-free check: the cairo patches that skip rasterisation, and drawing one frame anyway.

Inside the sandboxed child (Manim imported). `scene_runner` installs the patches for a check; the
layout snapshot draws the few keyframes of the contact sheet with `draw_frame`.
"""

from __future__ import annotations

from typing import Any

import svgelements as se
from manim.renderer.cairo_renderer import CairoRenderer

# The cairo renderer's real drawing functions, kept while a check replaces them with no-ops, so
# instrumentation (the layout check's contact sheet) can still draw a few chosen frames.
_ORIGINAL_DRAW: dict[str, Any] = {}


def _no_draw_patches() -> list[tuple[type, str, Any]]:
    """Patch the cairo renderer so frames advance the clock but are never drawn or written."""

    def update_frame(self: CairoRenderer, *args: Any, **kwargs: Any) -> None:
        return None

    def add_frame(self: CairoRenderer, frame: Any, num_frames: int = 1) -> None:
        if not self.skip_animations:
            self.time += num_frames / self.camera.frame_rate

    def get_frame(self: CairoRenderer) -> None:
        return None

    originals = []
    for name, replacement in (("update_frame", update_frame), ("add_frame", add_frame), ("get_frame", get_frame)):
        originals.append((CairoRenderer, name, getattr(CairoRenderer, name)))
        _ORIGINAL_DRAW[name] = getattr(CairoRenderer, name)
        setattr(CairoRenderer, name, replacement)
    # Every copy of a MathTex/Text deep-copies the parsed SVG path each glyph keeps (`path_obj`),
    # tens of thousands of objects that are only read when the glyph is built. Sharing them keeps
    # behaviour and cuts the check of a LaTeX-heavy scene by more than half.
    originals.append((se.Shape, "__deepcopy__", getattr(se.Shape, "__deepcopy__", None)))
    se.Shape.__deepcopy__ = _share
    return originals


def restore_patches(patches: list[tuple[type, str, Any]]) -> None:
    """Undo `_no_draw_patches` (an attribute that did not exist before is removed again)."""
    for owner, name, original in patches:
        if original is None:
            delattr(owner, name)
        else:
            setattr(owner, name, original)


def _share(self: Any, memo: dict[int, Any]) -> Any:
    return self


def draw_frame(scene: Any, width: int | None = None) -> Any:
    """The scene's current frame drawn for real, even during a drawing-free check; an RGBA pixel array.

    With `width`, the camera draws a thumbnail of that width directly (cheaper than a full frame),
    then gets its own size and pixels back.
    """
    renderer = scene.renderer
    camera = renderer.camera
    update = _ORIGINAL_DRAW.get("update_frame", type(renderer).update_frame)
    get = _ORIGINAL_DRAW.get("get_frame", type(renderer).get_frame)
    saved = (renderer.static_image, camera.pixel_width, camera.pixel_height, camera.background, camera.pixel_array)
    renderer.static_image = None  # draw every mobject, not just the moving ones over a cached background
    try:
        if width and width < camera.pixel_width:
            camera.pixel_height = max(1, round(camera.pixel_height * width / camera.pixel_width))
            camera.pixel_width = width
            camera.init_background()
            camera.reset()
        update(renderer, scene)
        return get(renderer)
    finally:
        if camera.pixel_array is not saved[4]:
            # Forget the cairo context of the temporary pixel array, so its id is never mistaken later.
            getattr(camera, "pixel_array_to_cairo_context", {}).pop(id(camera.pixel_array), None)
        renderer.static_image, camera.pixel_width, camera.pixel_height, camera.background, camera.pixel_array = saved


class UndrawablePoints(ValueError):
    """A mobject on screen has NaN or infinite coordinates: Manim cannot draw it.

    Manim's camera silently shrinks such a mobject to one point (it vanishes), and when it, or a
    group animated with it, has a colour gradient the cairo renderer crashes: `TypeError:
    LinearGradient.__new__() takes exactly 4 arguments (2 given)`. The drawing-free check never
    reaches that code, so it looks for the cause at the end of each animation instead."""


# The first numpy RuntimeWarning ("divide by zero", "invalid value") raised from the scene's own file.
numpy_warnings: list[tuple[int, str]] = []


def watch_numpy_warnings(user_file: str) -> None:
    """Record where the scene's own code made numpy warn (the usual origin of NaN coordinates)."""
    import warnings

    shown = warnings.showwarning

    def showwarning(message: Any, category: type, filename: str, lineno: int, *args: Any, **kwargs: Any) -> None:
        if issubclass(category, RuntimeWarning) and filename == user_file and not numpy_warnings:
            numpy_warnings.append((lineno, str(message)))
        shown(message, category, filename, lineno, *args, **kwargs)

    numpy_warnings.clear()
    warnings.showwarning = showwarning


def check_drawable(scene: Any) -> None:
    """Raise `UndrawablePoints` when a mobject on screen has non-finite points (one vectorised pass per mobject)."""
    import numpy as np
    from manim import ValueTracker

    for top in scene.mobjects:
        try:
            points = top.get_all_points()
        except (ValueError, AttributeError, TypeError):
            continue
        if len(points) and not np.isfinite(points).all():
            # A ValueTracker keeps its value in its points and is never drawn: an infinite value is its own business.
            culprit = next((m for m in top.get_family() if len(m.points) and not isinstance(m, ValueTracker)
                            and not np.isfinite(m.points).all()), None)
            if culprit is None:
                continue
            what = type(culprit).__name__ + (f" (part of a {type(top).__name__})" if culprit is not top else "")
            cause = ""
            if numpy_warnings:
                line, text = numpy_warnings[0]
                cause = f"; numpy warned at line {line}: {text}"
            raise UndrawablePoints(
                f"a {what} has NaN or infinite coordinates after this animation, so Manim cannot draw it: it "
                f"vanishes, and with a colour gradient the renderer crashes (cairo TypeError){cause}"
            )
