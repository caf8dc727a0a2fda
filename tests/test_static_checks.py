"""The static stage as a whole: valid scenes stay silent, broken files get one precise finding,
scene choice follows its stated rule, and the stage is fast and never imports manim."""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from manim_agent import settings
from manim_agent.tools.static.api_index import index_path, installed_manim_version, load_index
from manim_agent.tools.static.checks import StaticResult, run_static_checks

REPO = Path(__file__).resolve().parent.parent

# -- a corpus of valid, idiomatic Manim CE 0.22 scenes ------------------------------------------
# The static checks must report nothing on any of them; test_valid_scenes_really_render proves
# with the real Manim that each one renders.

CALCULUS = r'''
from manim import *
import numpy as np


def f(x):
    return 0.25 * x ** 2 + 0.5


class DerivativeAsSlope(Scene):
    """The derivative is the slope of the tangent."""

    def construct(self):
        axes = Axes(
            x_range=[-1, 5, 1],
            y_range=[0, 7, 1],
            x_length=7,
            y_length=4.5,
            axis_config={"include_tip": True, "color": GREY_B},
        ).to_edge(DOWN)
        labels = axes.get_axis_labels(x_label="x", y_label="f(x)")
        graph = axes.plot(f, x_range=[-0.5, 4.8], color=BLUE)
        graph_label = axes.get_graph_label(graph, label=r"f(x) = \tfrac{1}{4}x^2", x_val=4)
        t = ValueTracker(1.0)

        dot = always_redraw(lambda: Dot(axes.c2p(t.get_value(), f(t.get_value())), color=YELLOW))
        tangent = always_redraw(
            lambda: axes.get_secant_slope_group(
                x=t.get_value(), graph=graph, dx=0.001, secant_line_length=4, secant_line_color=RED
            )
        )
        slope = always_redraw(
            lambda: MathTex(rf"f'({t.get_value():.1f}) = {0.5 * t.get_value():.2f}").to_corner(UR)
        )
        title = Tex(r"The derivative is the \textbf{slope} of the tangent").to_edge(UP)
        definition = MathTex(
            r"f'(x)", r"=", r"\lim_{h \to 0}", r"\frac{f(x+h) - f(x)}{h}", font_size=40
        ).next_to(title, DOWN)
        definition[3].set_color(YELLOW)
        area = axes.get_area(graph, x_range=[1, 3], color=GREEN, opacity=0.3)
        rects = axes.get_riemann_rectangles(graph, x_range=[1, 3], dx=0.25, fill_opacity=0.4)
        v_line = axes.get_vertical_line(axes.i2gp(2, graph), color=WHITE)

        self.play(Create(axes), Write(labels), run_time=1.5)
        self.play(Create(graph), FadeIn(graph_label, shift=UP))
        self.play(Write(title), FadeIn(definition))
        self.add(dot, tangent, slope)
        self.play(t.animate.set_value(2), run_time=0.5, rate_func=there_and_back)
        self.play(FadeIn(area), Create(rects), Create(v_line))
        self.play(Indicate(definition[3]), Circumscribe(slope, color=YELLOW))
        self.wait(0.5)
'''

THREE_D = r'''
from manim import *
import numpy as np

SURFACE_COLOR = "#29ABCA"


class Saddle(ThreeDScene):
    resolution = (16, 16)

    def construct(self):
        self.set_camera_orientation(phi=70 * DEGREES, theta=-45 * DEGREES, zoom=0.8)
        axes = ThreeDAxes(x_range=[-3, 3, 1], y_range=[-3, 3, 1], z_range=[-2, 2, 1])
        surface = Surface(
            lambda u, v: axes.c2p(u, v, 0.2 * (u ** 2 - v ** 2)),
            u_range=[-2, 2],
            v_range=[-2, 2],
            resolution=self.resolution,
            fill_opacity=0.7,
        )
        surface.set_fill_by_checkerboard(SURFACE_COLOR, BLUE_E, opacity=0.7)
        label = MathTex(r"z = \frac{x^2 - y^2}{5}").to_corner(UL)
        self.add_fixed_in_frame_mobjects(label)
        self.play(Create(axes), Write(label))
        self.play(Create(surface), run_time=2)
        self.begin_ambient_camera_rotation(rate=0.2)
        self.wait(1)
        self.stop_ambient_camera_rotation()
        self.move_camera(phi=45 * DEGREES, theta=30 * DEGREES, run_time=1.5)
        arrow = Arrow3D(start=ORIGIN, end=axes.c2p(1, 1, 1), color=RED)
        sphere = Sphere(radius=0.3, resolution=(8, 8)).move_to(axes.c2p(1, 1, 1))
        self.play(Create(arrow), FadeIn(sphere))
        self.wait()
'''

MOVING_CAMERA = r'''
from manim import *


class ZoomIntoDetail(MovingCameraScene):
    def construct(self):
        plane = NumberPlane(x_range=[-7, 7, 1], y_range=[-4, 4, 1], background_line_style={"stroke_opacity": 0.4})
        dots = VGroup(*[Dot(plane.c2p(x, x ** 2 / 4), color=YELLOW) for x in range(-3, 4)])
        path = VMobject().set_points_smoothly([d.get_center() for d in dots])
        self.play(Create(plane), LaggedStart(*[GrowFromCenter(d) for d in dots], lag_ratio=0.1))
        self.play(Create(path))
        self.camera.frame.save_state()
        self.play(self.camera.frame.animate.scale(0.4).move_to(dots[4]))
        note = Text("zoomed", font_size=18).next_to(dots[4], UP, buff=0.1)
        self.play(FadeIn(note))
        self.play(Restore(self.camera.frame))
        frame = self.camera.frame
        self.play(frame.animate.set(width=10))
        self.wait()
'''

HELPERS = r'''
"""Helpers, helper classes, nested functions, closures, comprehensions and late globals."""
from __future__ import annotations

from dataclasses import dataclass
import math
import random
from typing import Callable

from manim import *
import numpy as np


@dataclass
class Particle:
    position: np.ndarray
    velocity: np.ndarray

    def step(self, dt: float) -> None:
        self.position = self.position + dt * self.velocity


class LabeledBox(VGroup):
    """A rectangle with a centred label."""

    def __init__(self, text: str, color=BLUE, **kwargs):
        super().__init__(**kwargs)
        self.box = Rectangle(width=2.2, height=1.0, color=color)
        self.label = Text(text, font_size=28).move_to(self.box)
        self.add(self.box, self.label)

    def highlight(self) -> Animation:
        return Indicate(self.box, color=YELLOW)


def make_grid(n: int, spacing: float = 0.6) -> VGroup:
    cells = VGroup(*[Square(side_length=spacing * 0.9) for _ in range(n * n)])
    cells.arrange_in_grid(rows=n, cols=n, buff=spacing * 0.1)
    return cells


def color_for(value: float) -> ManimColor:
    return interpolate_color(BLUE, RED, max(0.0, min(1.0, value)))


class Pipeline(Scene):
    palette = [BLUE, GREEN, ORANGE]

    def setup(self):
        self.stages = [LabeledBox(name, color=c) for name, c in zip(STAGES, self.palette)]

    def construct(self):
        random.seed(SEED)
        boxes = VGroup(*self.stages).arrange(RIGHT, buff=0.8)
        arrows = VGroup(*[Arrow(a.get_right(), b.get_left(), buff=0.1) for a, b in zip(boxes[:-1], boxes[1:])])
        grid = make_grid(4).next_to(boxes, DOWN, buff=0.6)
        for i, cell in enumerate(grid):
            cell.set_fill(color_for(i / len(grid)), opacity=0.8)

        def pulse(mob: Mobject, scale: float = 1.2) -> Succession:
            return Succession(mob.animate.scale(scale), mob.animate.scale(1 / scale))

        counter = DecimalNumber(0, num_decimal_places=1, include_sign=False).to_corner(UR)
        counter.add_updater(lambda m, dt: m.set_value(m.get_value() + dt))
        particles = [Particle(np.array([x, 0.0, 0.0]), np.array([0.0, 1.0, 0.0])) for x in np.linspace(-2, 2, 5)]
        for p in particles:
            p.step(0.1)
        squares = {name: Square(0.3).move_to(p.position) for name, p in zip("abcde", particles)}
        total = sum(len(name) for name in squares)
        angles = [k * math.tau / total for k in range(total)]
        ring = VGroup(*(Dot(2.5 * np.array([math.cos(a), math.sin(a), 0]), radius=0.04) for a in angles))

        self.play(LaggedStart(*[FadeIn(b, shift=DOWN) for b in boxes], lag_ratio=0.3))
        self.play(*[GrowArrow(a) for a in arrows])
        self.play(self.stages[0].highlight(), pulse(boxes[1]))
        self.play(Create(grid), FadeIn(counter), Create(ring))
        transform: Callable[[Mobject], Animation] = lambda m: Rotate(m, angle=PI / 4)
        self.play(transform(grid), *[FadeIn(s) for s in squares.values()])
        self.wait(0.5)


STAGES = ("Prompt", "Code", "Video")
SEED = 7
'''

GRAPHS_AND_TEXT = r'''
from manim import *
import numpy as np


class MatrixAndTable(Scene):
    def construct(self):
        m = Matrix([[r"\alpha", r"\beta"], [r"\gamma", r"\delta"]], left_bracket="(", right_bracket=")")
        det = MathTex(r"\det", r"=", r"\alpha\delta - \beta\gamma").next_to(m, RIGHT)
        table = MathTable([["x", "x^2"], ["1", "1"], ["2", "4"]], include_outer_lines=True).scale(0.6).to_edge(LEFT)
        bullets = BulletedList("Linear", r"Quadratic: $x^2$", "Cubic", font_size=30).to_edge(RIGHT)
        brace = Brace(m, DOWN)
        brace_label = brace.get_tex(r"2 \times 2")
        title = Title(r"Determinants \& tables")
        code_like = Text("a\tb\nc", font="Monospace", font_size=20).to_corner(DL)
        price = MathTex(r"\text{cost: } \$5").to_corner(DR)
        set_notation = MathTex(r"\{ x \mid x > 0 \}").next_to(price, UP)
        graph = Graph([1, 2, 3], [(1, 2), (2, 3)], layout="circular", labels=True).scale(0.5).to_corner(UL)
        number_line = NumberLine(x_range=[0, 4, 1], length=4, include_numbers=True).to_edge(DOWN)
        dot = Dot(number_line.n2p(1))
        self.play(Write(title))
        self.play(Create(m), Write(det))
        self.play(GrowFromCenter(brace), FadeIn(brace_label))
        self.play(Create(table), Write(bullets), FadeIn(code_like), Write(price), Write(set_notation))
        self.play(Create(graph), Create(number_line), FadeIn(dot))
        self.play(dot.animate.move_to(number_line.n2p(3)))
        self.play(TransformMatchingTex(det, MathTex(r"\det", r"=", r"ad - bc").move_to(det)))
        self.wait()
'''

BROAD = r'''
from manim import *
import numpy as np


class Broad(Scene):
    def construct(self):
        plane = NumberPlane(x_range=[-6, 6, 1], y_range=[-3, 3, 1], x_length=8, y_length=4)
        axes = Axes(x_range=[0, 4, 1], y_range=[0, 4, 1], x_length=4, y_length=3, tips=False).to_corner(DL)
        axes.add_coordinates()
        graph = axes.plot(lambda x: x ** 0.5 * 2, x_range=[0, 4], color=GREEN)
        x_label = axes.get_x_axis_label("x", edge=RIGHT, direction=DOWN, buff=0.2)
        lines = axes.get_lines_to_point(axes.c2p(2, 2), color=GREY)
        area = axes.get_area(graph, x_range=(1, 3), color=[BLUE, GREEN], opacity=0.5)
        param = ParametricFunction(lambda t: np.array([np.cos(t), np.sin(2 * t), 0]), t_range=[0, TAU, 0.05], color=RED)
        path_dot = Dot(color=YELLOW)
        trace = TracedPath(path_dot.get_center, stroke_width=2, stroke_color=YELLOW, dissipating_time=0.5)
        rect = SurroundingRectangle(graph, color=YELLOW, buff=0.1, corner_radius=0.1)
        bg = BackgroundRectangle(x_label, fill_opacity=0.8)
        under = Underline(x_label)
        cross = Cross(rect, stroke_color=RED, stroke_width=4)
        sector = Sector(radius=1, angle=PI / 3, color=ORANGE)
        ann = AnnularSector(inner_radius=0.5, outer_radius=1, angle=PI / 2)
        poly = Polygon(ORIGIN, RIGHT, UP, color=PURPLE).round_corners(0.1)
        rr = RoundedRectangle(corner_radius=0.2, width=2, height=1)
        num = Integer(5, color=WHITE).to_edge(UP)
        var = Variable(2.5, MathTex("x"), num_decimal_places=2)
        dec = DecimalNumber(3.14159, num_decimal_places=3, unit=r"\pi")
        chart = BarChart(values=[1, 3, 2], bar_names=["a", "b", "c"], y_range=[0, 4, 1], y_length=3, x_length=4)
        dashed = DashedVMobject(Circle(radius=0.5), num_dashes=12)
        curved = CurvedArrow(LEFT, RIGHT, angle=-PI / 4)
        double = DoubleArrow(LEFT * 2, RIGHT * 2, tip_length=0.2)
        vec = Vector([1, 1], color=BLUE)
        arc = ArcBetweenPoints(LEFT, RIGHT, angle=PI / 2)
        l1, l2 = Line(ORIGIN, RIGHT), Line(ORIGIN, UP)
        angle = Angle(l1, l2, radius=0.4, other_angle=False)
        right_angle = RightAngle(l1, l2, length=0.2)
        ell = Ellipse(width=2, height=1, color=TEAL)
        tri = Triangle(fill_opacity=0.5).scale(0.5)
        hexagon = RegularPolygon(n=6, radius=0.5)
        complex_plane = ComplexPlane().add_coordinates()
        z = complex_plane.n2p(1 + 1j)
        polar = PolarPlane(radius_max=2).scale(0.5)
        table = Table([["1", "2"], ["3", "4"]], row_labels=[Text("R1"), Text("R2")], col_labels=[Text("C1"), Text("C2")], include_outer_lines=True)
        table.get_entries((1, 1)).set_color(RED)
        tracker = ValueTracker(0)
        brace = BraceBetweenPoints(LEFT, RIGHT, direction=UP)
        brace_text = BraceText(rr, "width", brace_direction=DOWN)
        ml = MarkupText(f'<span fgcolor="{YELLOW}">hi</span>', font_size=24)
        para = Paragraph("one", "two", alignment="center", line_spacing=0.5)
        code = Code(code_string="x = 1\nprint(x)", language="python", background="window")
        img = ImageMobject(np.uint8(np.random.rand(8, 8, 3) * 255)).scale(2)
        self.add(plane, axes, graph, x_label, lines, area, param, trace, path_dot)
        self.play(MoveAlongPath(path_dot, param), run_time=1)
        self.play(Create(rect), FadeIn(bg), Create(under), Create(cross))
        self.play(FadeIn(VGroup(sector, ann, poly, rr, num, var, dec).arrange_in_grid(rows=2, buff=0.3).scale(0.5)))
        self.play(ChangeDecimalToValue(dec, 2.0), var.tracker.animate.set_value(3.5), num.animate.set_value(9))
        self.play(Create(chart), Create(dashed), Create(curved), GrowArrow(double), GrowArrow(vec))
        self.play(Create(arc), Create(angle), Create(right_angle), Create(ell), DrawBorderThenFill(tri), SpinInFromNothing(hexagon))
        self.play(FadeIn(complex_plane), FadeIn(polar), Create(Dot(z)))
        self.play(Create(table), GrowFromCenter(brace), FadeIn(brace_text), Write(ml), Write(para), FadeIn(code), FadeIn(img))
        self.play(Rotating(hexagon, angle=PI, run_time=1), Homotopy(lambda x, y, z, t: (x + t, y, z), tri, run_time=1))
        self.play(ApplyPointwiseFunction(lambda p: p + 0.1 * UP, tri), Uncreate(rect), Unwrite(ml))
        self.play(SpiralIn(VGroup(Dot(), Square(0.3))), AddTextLetterByLetter(Text("abc")), Broadcast(Circle(radius=0.3)))
        self.play(ShowIncreasingSubsets(VGroup(*[Dot(RIGHT * i) for i in range(3)])), Wiggle(num), ApplyWave(para))
        self.play(Flash(ORIGIN, color=YELLOW, flash_radius=0.5), FocusOn(ORIGIN), ShowPassingFlash(Underline(para), time_width=0.5))
        self.play(tracker.animate.increment_value(1), CounterclockwiseTransform(sector, ann), ReplacementTransform(l1, l2))
        self.play(*[FadeOut(m) for m in self.mobjects])
'''

ALL_VALID = {
    "broad": BROAD,
    "calculus": CALCULUS,
    "three_d": THREE_D,
    "moving_camera": MOVING_CAMERA,
    "helpers": HELPERS,
    "graphs_and_text": GRAPHS_AND_TEXT,
}



def check(source: str, **kw) -> StaticResult:
    return run_static_checks(textwrap.dedent(source), **kw)


def errors(result: StaticResult) -> list[tuple[str, int | None]]:
    return [(f.category, f.line) for f in result.findings if f.severity == "error"]


# -- valid code stays silent -------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(ALL_VALID))
def test_valid_scene_has_no_findings(name: str) -> None:
    result = run_static_checks(ALL_VALID[name])
    assert [f.to_json() for f in result.findings] == []
    assert result.scene is not None and result.scene in result.scenes


LIBRARY = sorted(p for p in (REPO / "scenes").glob("*.py") if not p.name.startswith("_"))


@pytest.mark.parametrize("path", LIBRARY, ids=[p.stem for p in LIBRARY])
def test_library_scene_has_no_errors(path: Path) -> None:
    result = run_static_checks(path.read_text(encoding="utf-8"), filename=path.name)
    assert [f.to_json() for f in result.errors] == []
    assert result.scene is not None


def _manim_doc_examples() -> list[tuple[str, str]]:
    """The `.. manim::` examples in the installed manim's docstrings: hundreds of valid CE scenes.
    Read from the source text (manim is not imported)."""
    spec = importlib.util.find_spec("manim")
    assert spec and spec.origin
    examples = []
    for path in sorted(Path(spec.origin).parent.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            doc = ast.get_docstring(node) or ""
            for match in re.finditer(r"^( *)\.\. manim:: (\w+)\n((?:\1 +:.*\n|\s*\n)*)((?:\1 +.*\n|\s*\n)+)", doc + "\n", re.M):
                code = textwrap.dedent(match.group(4))
                # Examples for the OpenGL renderer, doctests and the one that downloads data are
                # not standalone `from manim import *` scenes.
                if ">>>" in code or "OpenGL" in code or "import requests" in code:
                    continue
                examples.append((f"{path.stem}.{match.group(2)}", "from manim import *\n" + code))
    return examples


def test_manim_documentation_examples_have_no_errors() -> None:
    examples = _manim_doc_examples()
    assert len(examples) > 200
    bad = {}
    for name, code in examples:
        result = run_static_checks(code, filename=name)
        if result.errors:
            bad[name] = [(f.category, f.line, f.message) for f in result.errors]
    assert bad == {}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(ALL_VALID))
def test_valid_scenes_really_render(name: str) -> None:
    """The 'valid' corpus is really valid: the full check (static + sandboxed dry run) passes."""
    from manim_agent.tools.render_scene import check_scene

    diagnosis = check_scene(ALL_VALID[name], timeout=180)
    assert diagnosis.ok, diagnosis.for_model()


# -- the source text itself --------------------------------------------------------------------
def test_empty_and_comment_only_files() -> None:
    for source, word in [("", "empty"), ("   \n\n", "empty"), ("# just a comment\n", "only comments")]:
        result = run_static_checks(source, filename="s.py")
        [finding] = result.findings
        assert finding.category == "no_scene" and finding.severity == "error"
        assert word in finding.message and "class MyScene(Scene)" in (finding.hint or "")
        assert result.scene is None and result.scenes == []


def test_binary_and_non_utf8_content_is_not_python_source() -> None:
    nul = run_static_checks("from manim import *\n\x00\x01garbage")
    assert [(f.category, f.line) for f in nul.findings] == [("syntax", 2)]
    assert "not Python source text" in nul.findings[0].message and "NUL" in nul.findings[0].message
    latin1 = run_static_checks("x = 'caf\xe9'\n".encode("latin-1"))
    assert latin1.findings[0].category == "syntax" and "not valid UTF-8" in latin1.findings[0].message
    png = run_static_checks(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert png.findings[0].category == "syntax" and "not Python source text" in png.findings[0].message
    assert run_static_checks(b"from manim import *\n" + b"class A(Scene):\n    def construct(self):\n        pass\n").findings == []


def test_oversized_file_is_a_resource_error() -> None:
    source = "x = 1\n" * (settings.MAX_SOURCE_BYTES // 6 + 10)
    [finding] = run_static_checks(source).findings
    assert finding.category == "resource" and finding.severity == "error"
    assert f"{settings.MAX_SOURCE_BYTES:,}" in finding.message


def test_syntax_error_has_line_and_column() -> None:
    result = check(
        """\
        from manim import *

        class A(Scene):
            def construct(self)
                self.wait()
        """
    )
    [finding] = result.findings
    assert (finding.category, finding.line, finding.column) == ("syntax", 4, 24)
    assert finding.code_line == "def construct(self)"
    assert finding.message.startswith("SyntaxError:")


def test_markdown_with_a_fenced_block_says_to_extract_the_code() -> None:
    answer = "Here is the scene:\n\n```python\nfrom manim import *\n\nclass A(Scene):\n    def construct(self):\n        self.wait()\n```\n"
    [finding] = run_static_checks(answer).findings
    assert finding.category == "syntax" and finding.fixable
    assert finding.hint == "the file holds Markdown with a fenced code block; extract the code"


def test_prose_without_code_gets_a_prose_hint() -> None:
    [finding] = run_static_checks("This animation shows how the derivative relates to slopes.\n").findings
    assert finding.category == "syntax" and "prose" in (finding.hint or "")


def test_unicode_escape_syntax_error_suggests_a_raw_string() -> None:
    [finding] = check('from manim import *\nt = MathTex("\\underline{x}")\n').findings
    assert finding.category == "syntax" and finding.line == 2 and finding.fixable
    assert 'raw string' in (finding.hint or "")


# -- scene discovery ---------------------------------------------------------------------------
MULTI = """\
from manim import *
import manim


class Base(Scene):
    def helper(self):
        return Circle()


class First(Base):
    def construct(self):
        self.add(self.helper())


class Second(manim.ThreeDScene):
    def construct(self):
        self.wait()


class NotAScene:
    def construct(self):
        pass


class Third(Base):
    def construct(self):
        self.wait()


class Mixin:
    pass
"""


def test_scenes_are_listed_in_file_order_and_the_last_concrete_one_is_chosen() -> None:
    result = check(MULTI)
    assert result.scenes == ["Base", "First", "Second", "Third"]
    assert result.scene == "Third"
    assert "no other scene in the file subclasses" in (result.chose_scene_reason or "")
    assert "Base, First, Second" in (result.chose_scene_reason or "")
    assert errors(result) == []


def test_last_concrete_scene_skips_a_base_defined_last() -> None:
    source = MULTI + "\n\nclass LateBase(Scene):\n    pass\n\n\nclass Leaf(LateBase):\n    def construct(self):\n        pass\n\n\nclass Helper2(LateBase):\n    pass\n"
    result = check(source)
    # Helper2 is concrete (nothing subclasses it) but has no construct: warned about, not chosen.
    assert result.scene == "Leaf"
    helper_line = source.splitlines().index("class Helper2(LateBase):") + 1
    warnings = [(f.category, f.severity, f.line) for f in result.findings if f.severity == "warning"]
    assert warnings == [("no_scene", "warning", helper_line)]


def test_scene_option_chooses_and_unknown_names_list_the_scenes() -> None:
    assert check(MULTI, scene="First").scene == "First"
    result = check(MULTI, scene="Frist")
    [finding] = result.errors
    assert finding.category == "no_scene" and result.scene is None
    assert "Base, First, Second, Third" in finding.message and "'First'" in (finding.hint or "")
    not_scene = check(MULTI, scene="NotAScene")
    assert [(f.category, f.line) for f in not_scene.errors] == [("no_scene", 20)]
    assert "not a Scene subclass" in not_scene.errors[0].message


def test_no_scene_and_its_hints() -> None:
    plain = check("from manim import *\n\nx = Circle()\n")
    assert [(f.category, f.line) for f in plain.errors] == [("no_scene", None)]
    construct_only = check("from manim import *\n\nclass A:\n    def construct(self):\n        pass\n")
    [finding] = construct_only.errors
    assert finding.line == 3 and "derive it from Scene" in (finding.hint or "")
    graph_scene = check("from manim import *\n\nclass A(GraphScene):\n    def construct(self):\n        pass\n")
    # A scene derived from a removed base is reported once, as the unknown name it is.
    assert errors(graph_scene) == [("unknown_api", 3)]


def test_scene_bases_through_aliases() -> None:
    result = check(
        """\
        from manim import MovingCameraScene as MCS, Circle
        import manim as mn


        class A(MCS):
            def construct(self):
                self.camera.frame.scale(2)


        class B(mn.Scene):
            def construct(self):
                self.add(Circle())
        """
    )
    assert result.scenes == ["A", "B"] and errors(result) == []


def test_missing_construct_is_a_warning() -> None:
    result = check("from manim import *\n\nclass A(Scene):\n    def setup(self):\n        pass\n")
    [finding] = result.findings
    assert (finding.category, finding.severity, finding.line) == ("no_scene", "warning", 3)
    assert result.scene == "A"


def test_findings_are_sorted_by_line() -> None:
    result = check(
        """\
        from manim import *
        import subprocess


        class A(Scene):
            def construct(self):
                self.play(ShowCreation(Circle()))
                t = MathTex("$x$")
                Axes(x_min=0)
        """
    )
    lines = [f.line for f in result.findings]
    assert lines == sorted(lines) and lines == [2, 7, 8, 9]
    assert all(f.stage == "static" and f.code_line and f.column for f in result.findings)


# -- speed, isolation, the index cache ---------------------------------------------------------
def test_index_is_cached_as_json_keyed_by_manim_version() -> None:
    index = load_index()
    assert index is not None
    version = installed_manim_version()
    path = index_path(version)
    assert path.parent == settings.subdir("cache") and version in path.name
    data = json.loads(path.read_text())
    assert data["version"] == version and "Axes" in data["star"]


FAST_CHECK = """
import json, sys, time
source = open(sys.argv[1]).read()
t0 = time.process_time()
from manim_agent.tools.static.checks import run_static_checks
t1 = time.process_time()
result = run_static_checks(source)
t2 = time.process_time()
run_static_checks(source)
t3 = time.process_time()
print(json.dumps({"imports": t1 - t0, "first": t2 - t1, "warm": t3 - t2, "errors": len(result.errors),
                  "manim_imported": "manim" in sys.modules}))
"""


def test_static_checks_are_fast_and_never_import_manim(tmp_path: Path) -> None:
    load_index()  # make sure the cache exists; the child then only loads the JSON
    body = lambda s: s.replace("from manim import *\nimport numpy as np\n", "")  # noqa: E731
    source = ALL_VALID["helpers"] + body(ALL_VALID["calculus"]) + body(ALL_VALID["broad"]) + body(ALL_VALID["three_d"])
    assert len(source.splitlines()) >= 200
    scene = tmp_path / "scene.py"
    scene.write_text(source)
    proc = subprocess.run([sys.executable, "-c", FAST_CHECK, str(scene)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    stats = json.loads(proc.stdout)
    assert stats["errors"] == 0 and stats["manim_imported"] is False
    # CPU seconds, so a busy machine does not fail the test; measured ~0.05 s first run with the index load.
    assert stats["first"] < 0.5 and stats["warm"] < 0.3, stats


def test_line_numbers_ignore_form_feeds_and_unicode_separators() -> None:
    source = 'from manim import *\n\x0c\nLABEL = "a\u2028b"\n\nclass A(Scene):\n    def construct(self):\n        self.play(ShowCreation(Circle()))\n'
    [finding] = run_static_checks(source).findings
    assert (finding.line, finding.code_line) == (7, "self.play(ShowCreation(Circle()))")


def test_indentation_errors_are_named() -> None:
    [finding] = run_static_checks("from manim import *\nclass A(Scene):\ndef construct(self):\n    pass\n").findings
    assert finding.category == "syntax" and finding.message.startswith("IndentationError:") and finding.line == 3


def test_without_an_index_the_other_checks_still_run(monkeypatch: pytest.MonkeyPatch) -> None:
    from manim_agent.tools.static import api_index

    monkeypatch.setattr(api_index, "load_index", lambda build=True: None)
    monkeypatch.setattr(api_index, "last_build_error", "ModuleNotFoundError: No module named 'manim'")
    result = check('from manimlib import *\nimport socket\n\nclass A(Scene):\n    def construct(self):\n        t = MathTex("$x$")\n')
    assert [(f.category, f.line) for f in result.errors] == [("import", 1), ("unsafe", 2), ("latex", 6)]
    assert result.scene == "A"
    assert result.notes == ["API lint skipped: no index of the installed manim (ModuleNotFoundError: No module named 'manim')"]
