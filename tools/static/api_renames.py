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
        Rename("FadeInFrom", "FadeIn", "FadeInFrom(m, DIR) is FadeIn(m, shift=-DIR) in Manim CE (it arrives from DIR)"),
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
        # Directions models invent (`to_edge(BOTTOM)`): Manim's are UP, DOWN, LEFT, RIGHT.
        Rename("BOTTOM", "DOWN", "Manim has no BOTTOM: the direction is DOWN (`to_edge(DOWN)`)"),
        Rename("TOP", "UP", "Manim has no TOP: the direction is UP (`to_edge(UP)`)"),
        Rename("TracingTail", None, "ManimGL's TracingTail(mob, time_traced=t) is TracedPath(mob.get_center, dissipating_time=t) in Manim CE"),
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
        Rename(
            "set_color_by_radial_gradient",
            "set_colors_by_radial_gradient",
            "ManimGL's set_color_by_radial_gradient is set_colors_by_radial_gradient(center, radius, inner_color, outer_color) in Manim CE",
        ),
        Rename("setup_axes", None, "GraphScene.setup_axes was removed: create `Axes(...)` and add it"),
        Rename("add_fixed_in_frame_mobjects", None, "only ThreeDScene has add_fixed_in_frame_mobjects"),
        Rename("fix_in_frame", None, "ManimGL's fix_in_frame: in CE, derive from ThreeDScene and call self.add_fixed_in_frame_mobjects(m)"),
        Rename("set_camera_orientation", None, "only ThreeDScene has set_camera_orientation: derive the scene from ThreeDScene"),
        Rename("frame", None, "self.camera.frame exists only in MovingCameraScene: derive the scene from MovingCameraScene"),
    ]
}

# Constants models capitalise on numpy and math (`np.PI`), looked up as `np.old` / `numpy.old` / `math.old`.
MODULE_CONSTANT_RENAMES: dict[str, str] = {"PI": "pi", "Pi": "pi", "TAU": "tau", "Tau": "tau", "E": "e", "INF": "inf"}
CONSTANT_MODULES: frozenset[str] = frozenset({"np", "numpy", "math"})

# Top-level modules that mean the file is ManimGL (3b1b) code, not Manim Community Edition.
MANIMGL_MODULES: frozenset[str] = frozenset({"manimlib", "manim_imports_ext", "big_ol_pile_of_manim_imports"})
MANIMGL_HINT = "this is ManimGL code; use `from manim import *` (Manim Community Edition)"

# Keyword arguments that older CE / ManimGL accepted and CE 0.19+ spells differently.
# `replacement` names the keyword to use; the hint says how to rewrite the value.
KEYWORD_RENAMES: dict[str, Rename] = {
    r.old: r
    for r in [
        Rename("x_min", "x_range", "use x_range=[min, max, step] instead of x_min/x_max"),
        Rename("x_max", "x_range", "use x_range=[min, max, step] instead of x_min/x_max"),
        Rename("y_min", "y_range", "use y_range=[min, max, step] instead of y_min/y_max"),
        Rename("y_max", "y_range", "use y_range=[min, max, step] instead of y_min/y_max"),
        Rename("z_min", "z_range", "use z_range=[min, max, step] instead of z_min/z_max"),
        Rename("z_max", "z_range", "use z_range=[min, max, step] instead of z_min/z_max"),
        Rename("t_min", "t_range", "use t_range=[min, max, step] instead of t_min/t_max"),
        Rename("t_max", "t_range", "use t_range=[min, max, step] instead of t_min/t_max"),
        Rename("u_min", "u_range", "use u_range=[min, max] instead of u_min/u_max"),
        Rename("u_max", "u_range", "use u_range=[min, max] instead of u_min/u_max"),
        Rename("v_min", "v_range", "use v_range=[min, max] instead of v_min/v_max"),
        Rename("v_max", "v_range", "use v_range=[min, max] instead of v_min/v_max"),
        Rename("x_axis_width", "x_length", "use x_length= (the axis length in scene units)"),
        Rename("y_axis_height", "y_length", "use y_length= (the axis length in scene units)"),
        Rename("number_line_config", "axis_config", "use axis_config={...} (applies to every axis)"),
        Rename("x_labeled_nums", None, "use x_axis_config={'numbers_to_include': [...]} or axes.add_coordinates()"),
        Rename("y_labeled_nums", None, "use y_axis_config={'numbers_to_include': [...]} or axes.add_coordinates()"),
        Rename("x_axis_label", None, "use axes.get_axis_labels(x_label=..., y_label=...)"),
        Rename("y_axis_label", None, "use axes.get_axis_labels(x_label=..., y_label=...)"),
        Rename("include_tip", "tips", "Axes takes tips=True/False; NumberLine takes include_tip"),
    ]
}
