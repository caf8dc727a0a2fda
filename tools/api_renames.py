"""Names that ManimGL or older Manim Community releases used, and what CE 0.19+ uses instead.

One table serves the static API lint (for the hint), the error reader (for runtime NameErrors and
AttributeErrors) and the deterministic repairs (for the rewrite). `replacement` is what a repair
substitutes for the bare name; `None` means no mechanical rename exists and only the hint applies.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rename:
    old: str
    replacement: str | None
    hint: str


# Global names (classes, functions, constants) imported by `from manim import *`.
NAME_RENAMES: dict[str, Rename] = {
    r.old: r
    for r in [
        Rename("ShowCreation", "Create", "ShowCreation was renamed Create in Manim CE"),
        Rename("TextMobject", "Tex", "TextMobject was renamed Tex in Manim CE (use Text for plain text)"),
        Rename("TexMobject", "MathTex", "TexMobject was renamed MathTex in Manim CE"),
        Rename("TexText", "Tex", "ManimGL's TexText is Tex in Manim CE"),
        Rename("OldTex", "MathTex", "ManimGL's OldTex is MathTex in Manim CE"),
        Rename("OldTexText", "Tex", "ManimGL's OldTexText is Tex in Manim CE"),
        Rename(
            "GraphScene",
            None,
            "GraphScene was removed in Manim CE 0.11: derive from Scene and build "
            "`axes = Axes(x_range=[...], y_range=[...])`, then `axes.plot(f)`",
        ),
        Rename("FadeInFrom", "FadeIn", "FadeInFrom(m, DIR) is FadeIn(m, shift=DIR) in Manim CE"),
        Rename("FadeInFromDown", "FadeIn", "FadeInFromDown(m) is FadeIn(m, shift=UP) in Manim CE"),
        Rename("FadeOutAndShift", "FadeOut", "FadeOutAndShift(m, DIR) is FadeOut(m, shift=DIR) in Manim CE"),
        Rename("FadeOutAndShiftDown", "FadeOut", "FadeOutAndShiftDown(m) is FadeOut(m, shift=DOWN) in Manim CE"),
        Rename("FadeInFromLarge", "FadeIn", "FadeInFromLarge(m, s) is FadeIn(m, scale=s) in Manim CE"),
        Rename("ShowCreationThenDestruction", "ShowPassingFlash", "use ShowPassingFlash(m, time_width=...) in Manim CE"),
        Rename("ShowCreationThenFadeOut", "ShowPassingFlash", "use ShowPassingFlash or Create then FadeOut in Manim CE"),
        Rename("ShowPassingFlashAround", "Circumscribe", "ShowPassingFlashAround is Circumscribe in Manim CE"),
        Rename("ShowCreationThenDestructionAround", "Circumscribe", "use Circumscribe(m) in Manim CE"),
        Rename("ShowCreationThenFadeAround", "Circumscribe", "use Circumscribe(m, fade_out=True) in Manim CE"),
        Rename("CircleIndicate", "Circumscribe", "CircleIndicate is Circumscribe(m, Circle) in Manim CE"),
        Rename("WiggleOutThenIn", "Wiggle", "WiggleOutThenIn was renamed Wiggle in Manim CE"),
        Rename("ParametricSurface", "Surface", "ParametricSurface was renamed Surface in Manim CE"),
        Rename("SmallDot", "Dot", "SmallDot is Dot(radius=DEFAULT_SMALL_DOT_RADIUS) in Manim CE"),
        Rename("ContinualAnimation", None, "ContinualAnimation was removed: use an updater, mob.add_updater(f)"),
        Rename("ContinualUpdate", None, "ContinualUpdate was removed: use mob.add_updater(f)"),
        Rename("FRAME_WIDTH", "config.frame_width", "use config.frame_width in Manim CE"),
        Rename("FRAME_HEIGHT", "config.frame_height", "use config.frame_height in Manim CE"),
        Rename("FRAME_X_RADIUS", "config.frame_x_radius", "use config.frame_x_radius in Manim CE"),
        Rename("FRAME_Y_RADIUS", "config.frame_y_radius", "use config.frame_y_radius in Manim CE"),
        Rename("OpenGLMobject", "Mobject", "OpenGLMobject belongs to the OpenGL renderer; use Mobject"),
    ]
}

# Methods and attributes, looked up as `obj.old(...)`.
ATTRIBUTE_RENAMES: dict[str, Rename] = {
    r.old: r
    for r in [
        Rename("get_graph", "plot", "Axes.get_graph was renamed plot in Manim CE: axes.plot(f, x_range=[a, b])"),
        Rename("get_parametric_curve", "plot_parametric_curve", "use axes.plot_parametric_curve in Manim CE"),
        Rename("get_derivative_graph", "plot_derivative_graph", "use axes.plot_derivative_graph in Manim CE"),
        Rename("get_implicit_curve", "plot_implicit_curve", "use axes.plot_implicit_curve in Manim CE"),
        Rename("get_line_graph", "plot_line_graph", "use axes.plot_line_graph in Manim CE"),
        Rename("get_antiderivative_graph", "plot_antiderivative_graph", "use axes.plot_antiderivative_graph"),
        Rename("get_polar_graph", "plot_polar_graph", "use axes.plot_polar_graph in Manim CE"),
        Rename("setup_axes", None, "GraphScene.setup_axes was removed: create `Axes(...)` and add it"),
        Rename("add_fixed_in_frame_mobjects", None, "only ThreeDScene has add_fixed_in_frame_mobjects"),
        Rename("fix_in_frame", None, "ManimGL's fix_in_frame: in CE, derive from ThreeDScene and call self.add_fixed_in_frame_mobjects(m)"),
        Rename("set_camera_orientation", None, "only ThreeDScene has set_camera_orientation: derive the scene from ThreeDScene"),
        Rename("frame", None, "self.camera.frame exists only in MovingCameraScene: derive the scene from MovingCameraScene"),
    ]
}
