"""The API lint against the installed Manim's index: each rule fires on its mistake, with the right
category, line and hint, and stays quiet on valid code that merely looks similar."""

from __future__ import annotations

import textwrap

import pytest

from manim_agent.tools.static.api_index import load_index
from manim_agent.tools.static.checks import run_static_checks


def api(source: str) -> list:
    result = run_static_checks(textwrap.dedent(source))
    return [f for f in result.findings if f.category in ("unknown_api", "bad_arguments", "import")]


def scene(body: str, base: str = "Scene", header: str = "from manim import *\n") -> list:
    """API findings for `body` inside construct(); body line 1 is file line 5."""
    source = header + f"\nclass A({base}):\n    def construct(self):\n" + textwrap.indent(textwrap.dedent(body), " " * 8)
    return api(source)


def brief(found: list) -> list[tuple[str, int]]:
    return [(f.category, f.line) for f in found]


# -- names -------------------------------------------------------------------------------------
def test_renamed_name_is_fixable_with_the_rename_hint() -> None:
    [finding] = scene("self.play(ShowCreation(Circle()))")
    assert (finding.category, finding.line, finding.column, finding.fixable) == ("unknown_api", 5, 19, True)
    assert finding.message == "name 'ShowCreation' is not defined in Manim CE"
    assert finding.hint == "ShowCreation was renamed Create in Manim CE"
    assert finding.details["replacement"] == "Create" and finding.code_line == "self.play(ShowCreation(Circle()))"


def test_unknown_name_suggests_close_matches_once_per_name() -> None:
    [finding] = scene("c = Circel()\nd = Circel()")
    assert (finding.line, finding.fixable) == (5, False)
    assert finding.hint == "did you mean 'Circle'?" and finding.details["lines"] == [5, 6]


def test_removed_class_without_mechanical_rename_is_not_fixable() -> None:
    [finding] = api("from manim import *\n\nclass A(GraphScene):\n    pass\n")
    assert (finding.category, finding.line, finding.fixable) == ("unknown_api", 3, False)
    assert "GraphScene was removed" in finding.hint


def test_manim_name_without_the_star_import() -> None:
    [finding] = scene("self.play(Create(Circle()))", header="from manim import Scene, Circle\n")
    assert (finding.category, finding.line, finding.fixable) == ("unknown_api", 5, True)
    assert "from manim import *" in finding.hint


def test_names_defined_anywhere_are_known() -> None:
    assert api(
        """\
        from manim import *
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from numpy.typing import NDArray


        def shade(m: "Mobject", amount: NDArray) -> Mobject:
            return m.set_opacity(amount)


        class A(Scene):
            def construct(self):
                for i, (x, y) in enumerate(POINTS):
                    self.add(Dot([x, y, 0]).set_color(PALETTE[i % len(PALETTE)]))
                try:
                    pass
                except ValueError as err:
                    print(err, __name__)
                self.add(*(Square() for _ in range(2)))


        POINTS = [(0, 0), (1, 1)]
        PALETTE = [RED, BLUE]
        """
    ) == []


def test_unknown_star_import_switches_the_name_check_off() -> None:
    assert scene("x = some_numpy_function(3)", header="from manim import *\nfrom numpy import *\n") == []
    [finding] = scene("x = fsum([1.0]) + not_there", header="from manim import *\nfrom math import *\n")
    assert finding.details["name"] == "not_there"


# -- imports -----------------------------------------------------------------------------------
def test_from_manim_import_of_a_missing_name() -> None:
    found = api("from manim import Scene, ShowCreation, Circel\n\nclass A(Scene):\n    def construct(self):\n        pass\n")
    assert [(f.category, f.line, f.fixable, f.details["name"]) for f in found] == [
        ("unknown_api", 1, True, "ShowCreation"),
        ("unknown_api", 1, False, "Circel"),
    ]
    assert found[1].hint == "did you mean 'Circle'?"


def test_manimgl_imports() -> None:
    for header in ("from manimlib import *\n", "import manimlib\n", "from manimlib.imports import *\n"):
        found = scene("self.play(ShowCreation(Circle()))", header=header)
        assert found[0].category == "import" and found[0].line == 1 and found[0].fixable
        assert found[0].hint == "this is ManimGL code; use `from manim import *` (Manim Community Edition)"
    # Treated like `from manim import *` for names, so the renames still show up.
    found = scene("self.play(ShowCreation(Circle()))", header="from manimlib import *\n")
    assert brief(found) == [("import", 1), ("unknown_api", 5)]


def test_attribute_of_the_manim_module() -> None:
    [finding] = scene("c = mn.Circel()", header="import manim as mn\nfrom manim import Scene\n")
    assert (finding.category, finding.line) == ("unknown_api", 6)
    assert "module 'manim' has no attribute 'Circel'" in finding.message


# -- keyword and positional arguments ----------------------------------------------------------
def test_axes_x_min_is_a_certain_error_with_the_real_signature() -> None:
    found = scene("axes = Axes(x_min=0, x_max=5, y_range=[0, 3])")
    assert [(f.category, f.line, f.fixable, f.details["keyword"]) for f in found] == [
        ("bad_arguments", 5, True, "x_min"),
        ("bad_arguments", 5, True, "x_max"),
    ]
    hint = found[0].hint
    assert "use x_range=[min, max, step]" in hint
    assert "Axes(x_range=None, y_range=None, x_length=12" in hint and hint.endswith("...)")
    assert found[0].message == "Axes() got an unexpected keyword argument 'x_min'"


def test_method_keywords_through_a_locally_inferred_type() -> None:
    found = scene(
        """\
        axes = Axes(x_range=[0, 5, 1], y_range=[0, 5, 1])
        graph = axes.plot(lambda x: x, x_min=0, color=BLUE)
        """
    )
    assert brief(found) == [("bad_arguments", 6)]
    assert found[0].message == "CoordinateSystem.plot() got an unexpected keyword argument 'x_min'"
    assert "x_range" in found[0].hint and found[0].fixable


def test_keywords_forwarded_through_kwargs_are_accepted() -> None:
    assert scene(
        """\
        c = Circle(radius=1, color=RED, fill_opacity=0.5, stroke_width=2, z_index=1)
        t = MathTex("x", font_size=30, color=BLUE, substrings_to_isolate=["x"])
        a = Arrow(LEFT, RIGHT, buff=0, stroke_width=3, tip_length=0.2, color=YELLOW)
        self.play(FadeIn(c, shift=UP, scale=0.5, run_time=2, rate_func=smooth, lag_ratio=0.1))
        self.play(Create(a, run_time=1), Write(t, run_time=1))
        axes = Axes(x_range=[0, 1], y_range=[0, 1], tips=False, axis_config={"include_numbers": True})
        g = axes.plot(lambda x: x, x_range=[0, 1], color=RED, stroke_width=6, discontinuities=[0.5])
        self.wait(1, frozen_frame=True)
        """
    ) == []


def test_misspelled_keyword_suggests_the_right_one() -> None:
    [finding] = scene("c = Circle(radius=1, colour=RED)")
    assert (finding.category, finding.line, finding.fixable) == ("bad_arguments", 5, False)
    assert finding.hint.startswith("did you mean 'color'?") and "signature: Circle(radius=None" in finding.hint


def test_positional_arguments_that_became_keyword_only() -> None:
    found = scene("sq = Square()\nsq.rotate(PI / 4, OUT, ORIGIN)\nstar = Star(5, 2)")
    assert [(f.category, f.line, f.fixable) for f in found] == [("bad_arguments", 6, True), ("bad_arguments", 7, True)]
    assert "about_point is keyword-only" in found[0].hint and "about_point=..." in found[0].hint
    assert "outer_radius" in found[1].hint
    assert found[1].column == 24  # the first extra argument


def test_too_many_positional_arguments_without_keyword_only_parameters() -> None:
    [finding] = scene("c = Circle(1, RED, 3)")
    assert (finding.category, finding.line, finding.fixable) == ("bad_arguments", 5, False)
    assert finding.message == "Circle() takes 2 positional arguments but 3 were given"


def test_star_args_and_shadowed_names_are_not_checked() -> None:
    assert scene("args = [1, RED, 3]\nc = Circle(*args)\nkw = {'colour': RED}\nd = Circle(**kw)") == []
    source = """\
    from manim import *


    def Axes(**kwargs):
        return VGroup()


    class A(Scene):
        def construct(self):
            axes = Axes(x_min=0)
            axes.plot(lambda x: x, x_max=4)
    """
    assert api(source) == []


# -- attributes --------------------------------------------------------------------------------
def test_missing_attribute_on_a_constructed_value() -> None:
    found = scene("axes = Axes()\ngraph = axes.get_graph(lambda x: x ** 2)")
    [finding] = found
    assert (finding.category, finding.line, finding.fixable) == ("unknown_api", 6, True)
    assert finding.message == "Axes has no attribute 'get_graph'"
    assert finding.hint.startswith("Axes.get_graph was renamed plot")


def test_mobject_getters_and_setters() -> None:
    # Mobject.__getattr__ makes get_X work when X exists, and set_X always.
    assert scene("c = Circle()\nr = c.get_radius()\nc.set_anything(3)\nw = c.get_width()") == []
    [finding] = scene("c = Circle()\nv = c.get_bogus_value()")
    assert (finding.category, finding.line) == ("unknown_api", 6)


def test_camera_frame_only_in_moving_camera_scenes() -> None:
    [plain] = scene("self.play(self.camera.frame.animate.scale(0.5))")
    assert (plain.category, plain.line) == ("unknown_api", 5)
    assert plain.message == "self.camera (Camera) has no attribute 'frame'"
    assert "MovingCameraScene" in plain.hint
    assert scene("self.play(self.camera.frame.animate.scale(0.5))", base="MovingCameraScene") == []
    assert scene("self.camera.frame.scale(0.5)", base="ZoomedScene") == []
    [three_d] = scene("self.camera.frame.scale(0.5)", base="ThreeDScene")
    assert "set_camera_orientation" in three_d.hint


def test_three_d_methods_only_in_three_d_scenes() -> None:
    [finding] = scene("self.set_camera_orientation(phi=75 * DEGREES)")
    assert (finding.category, finding.line) == ("unknown_api", 5)
    assert finding.hint == "only ThreeDScene has set_camera_orientation: derive the scene from ThreeDScene"
    assert scene("self.set_camera_orientation(phi=75 * DEGREES, theta=30 * DEGREES)", base="ThreeDScene") == []
    # set_camera_orientation swallows unknown keywords (**kwargs), so only the closed one is checked.
    [bad_kw] = scene("self.set_camera_orientation(phi=1, distance=5)\nself.begin_ambient_camera_rotation(rate=0.1, axis='phi')", base="ThreeDScene")
    assert (bad_kw.category, bad_kw.line, bad_kw.details["keyword"]) == ("bad_arguments", 6, "axis")


def test_self_attributes_assigned_a_manim_object_are_typed() -> None:
    source = """\
    from manim import *


    class A(Scene):
        def setup(self):
            self.axes = Axes()

        def construct(self):
            self.add(self.axes.plot(lambda x: x, x_max=3))
    """
    assert brief(api(source)) == [("bad_arguments", 9)]


def test_renamed_methods_on_values_of_unknown_type() -> None:
    source = """\
    from manim import *


    def draw(axes):
        return axes.get_graph(lambda x: x)


    def zoom(camera):
        return camera.frame.scale(2)


    class A(Scene):
        def construct(self):
            self.add(draw(Axes()))
    """
    [finding] = api(source)
    assert (finding.category, finding.line, finding.fixable) == ("unknown_api", 5, True)
    assert finding.message == "'get_graph' does not exist in Manim CE " + load_index().version


def test_names_the_file_defines_are_never_missing_attributes() -> None:
    source = """\
    from manim import *


    class MyAxes(Axes):
        def get_graph(self, f):
            return self.plot(f)


    class A(Scene):
        def setup(self):
            self.highlight_color = YELLOW

        def helper(self):
            return self.highlight_color

        def construct(self):
            axes = MyAxes()
            axes.get_graph(lambda x: x)
            other = object()
            other.get_graph(lambda x: x)
            dot = Dot()
            dot.custom_tag = "a"
            dot.set(weight=2)
            print(dot.custom_tag, dot.weight, self.helper(), self.undeclared_but_set_later)
            self.undeclared_but_set_later = 1
    """
    assert api(source) == []


def test_values_bound_twice_or_set_dynamically_are_left_alone() -> None:
    assert scene("m = Axes()\nm = VGroup()\nprint(m.x_axis)") == []
    assert scene("c = Circle()\nname = 'foo'\nsetattr(c, name, 1)\nprint(c.foo_bar)") == []


def test_unknown_attribute_on_self_of_a_scene() -> None:
    [finding] = scene("self.play_all(Create(Circle()))")
    assert (finding.category, finding.line) == ("unknown_api", 5)
    assert finding.message == "A (a Scene subclass) has no attribute 'play_all'"
    # A class with an unknown base or a mixin without bases says nothing about its attributes.
    mixin = """\
    from manim import *


    class Helpers:
        def go(self):
            self.play(Create(Circle()))
            self.anything_at_all()


    class A(Helpers, Scene):
        def construct(self):
            self.go()
    """
    assert api(mixin) == []


# -- the index itself --------------------------------------------------------------------------
def test_index_signatures_and_keyword_resolution() -> None:
    index = load_index()
    assert index is not None
    axes = index.class_key("Axes")
    spec = index.init(axes)
    assert spec.accepts_keyword("x_range") and spec.accepts_keyword("stroke_width")
    assert not spec.accepts_keyword("x_min") and not spec.open_keywords
    assert index.has_attribute(axes, "x_axis")  # set in __init__, found in the source
    assert not index.has_attribute(axes, "get_graph")
    assert index.camera_class(index.class_key("MovingCameraScene")).endswith("MovingCamera")
    assert {"Scene", "ThreeDScene", "MovingCameraScene", "ZoomedScene"} <= index.scene_classes
    assert "get_graph" not in index.all_attributes and "plot" in index.all_attributes
    assert index.method(axes, "plot").keywords[:2] == ["function", "x_range"]


@pytest.mark.parametrize("name", ["Circle", "Square", "Dot", "Line", "Text", "VGroup", "Axes", "NumberPlane"])
def test_common_classes_have_closed_keyword_sets(name: str) -> None:
    """These are the classes LLM code most often gets wrong; their **kwargs chains must resolve."""
    index = load_index()
    spec = index.init(index.class_key(name))
    assert spec is not None and not spec.open_keywords
    assert spec.accepts_keyword("color") or name == "Text" and spec.accepts_keyword("fill_color")
