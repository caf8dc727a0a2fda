"""Tests for the deterministic repairs behind `manim-agent fix`.

Each rule has a test that pins its exact rewrite and one that shows it leaves valid Manim CE code
alone. The loop is tested with an injected checker (the real static checks, or a scripted one); a
few end-to-end tests at the bottom run the real `check_scene` (static checks plus a sandboxed dry
run).
"""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from pathlib import Path

import pytest

from manim_agent.errors import InputFileError, UserError
from manim_agent.tools.diagnosis import Diagnosis, Finding
from manim_agent.tools.repairs.edits import Edit
from manim_agent.tools.repairs.registry import (
    RULES,
    AppliedRule,
    Rule,
    apply_rules,
    describe_rules,
    fix_file,
    fix_source,
)
from manim_agent.tools.repairs.scene import ANIMATABLE_METHODS
from manim_agent.tools.repairs.signatures import (
    CODE_PARAMETERS,
    KEYWORD_ONLY_CLASSES,
    KEYWORD_ONLY_METHODS,
    OLD_POSITIONAL_SETTINGS,
)

RULE_BY_NAME = {rule.name: rule for rule in RULES}


def fix(rule: str, source: str, findings: list[Finding] | None = None) -> str | None:
    return RULE_BY_NAME[rule].apply(textwrap.dedent(source), findings or [])


def code(text: str) -> str:
    return textwrap.dedent(text)


def runtime(line: int, message: str) -> Finding:
    return Finding(stage="dry_run", category="runtime", message=message, line=line)


# A valid Manim CE 0.22 scene that no rule may touch.
VALID_SCENE = code(
    '''\
    """A clean scene."""
    from manim import *
    import math


    class Clean(MovingCameraScene):
        radius = 2

        def construct(self):
            axes = Axes(x_range=[-1, 5, 1], y_range=[0, 3], x_axis_config={"include_tip": False})
            graph = axes.plot(lambda x: math.sin(x), x_range=[0, 2], color=BLUE)
            label = axes.get_graph_label(graph, label=r"\\sin x")
            title = Text("Hello\\nWorld", font_size=36)
            eq = MathTex(r"\\frac{a}{b} = \\theta", "+ 1")
            words = Tex(r"The area is $\\pi r^2$")
            curve = ParametricFunction(lambda t: [t, t**2, 0], t_range=[0, 1])
            star = Star(5, outer_radius=2, inner_radius=1)
            sq = Square().rotate(PI / 4, OUT, about_point=ORIGIN).scale(2, about_edge=UP)
            thick = Square().scale(2, True)
            block = Code(code_string="x = 1", language="python", paragraph_config={"font_size": 20})
            sector = Sector(radius=2, angle=PI / 3)
            pi = "\\u03c0 is pi"
            width = config.frame_width / 2
            self.camera.frame.scale(1.2)
            self.play(Create(axes), FadeIn(title, shift=UP), FadeOut(eq, shift=DOWN))
            self.play(sq.animate.shift(UP), ApplyMethod(eq.shift, UP), run_time=2)
            self.play(Write(VGroup(label, words)), GrowFromCenter(star))
            box = SurroundingRectangle(eq, color=YELLOW, buff=0.1)
            both = SurroundingRectangle(eq, words)
            greek = Text("α and β")
            self.add(box, both, greek)
            self.wait(0.5)
    '''
)


@pytest.mark.parametrize("rule", [rule.name for rule in RULES])
def test_no_rule_fires_on_valid_code(rule: str) -> None:
    assert RULE_BY_NAME[rule].apply(VALID_SCENE, [runtime(25, "TypeError: something")]) is None


def test_valid_scene_is_valid() -> None:
    ast.parse(VALID_SCENE)


# --- markdown-fence ---------------------------------------------------------------------------------


def test_markdown_fence_keeps_the_python_block() -> None:
    answer = code(
        """\
        Sure! Here is the scene:

        ```bash
        manim -pql scene.py Demo
        ```

        ```python
        from manim import *

        class Demo(Scene):
            def construct(self):
                self.add(Circle())
        ```

        It draws a circle.
        """
    )
    assert fix("markdown-fence", answer) == code(
        """\
        from manim import *

        class Demo(Scene):
            def construct(self):
                self.add(Circle())
        """
    )


def test_markdown_fence_handles_an_unclosed_fence_and_latex_escapes() -> None:
    answer = '```python\nfrom manim import *\nx = MathTex("\\xi")\n'
    assert fix("markdown-fence", answer) == 'from manim import *\nx = MathTex("\\xi")\n'


def test_markdown_fence_removes_prose_without_fences() -> None:
    answer = "Here is the code you asked for.\nfrom manim import *\n\nx = 1\n\nThis works with Manim CE.\n"
    assert fix("markdown-fence", answer) == "from manim import *\n\nx = 1\n"


def test_markdown_fence_ignores_fences_inside_valid_code() -> None:
    assert fix("markdown-fence", 'DOC = """\n```python\nx = 1\n```\n"""\n') is None


def test_markdown_fence_never_cuts_broken_code() -> None:
    # A plain syntax error (or a LaTeX escape) is not an LLM answer: no trailing code is dropped to make it parse.
    broken = "from manim import *\n\nclass A(Scene):\n    '''A.'''\n\n    def construct(self):\n        x = (1\n        self.wait()\n"
    assert fix("markdown-fence", broken) is None
    escaped = 'from manim import *\n\nclass A(Scene):\n    """A."""\n\n    def construct(self):\n        t = Tex("\\underline{a}")\n'
    assert fix("markdown-fence", escaped) is None
    tail = "from manim import *\n\nclass A(Scene):\n    def construct(self):\n        self.wait()\n\nx = (1\n"
    assert fix("markdown-fence", tail) is None


# --- raw-latex ------------------------------------------------------------------------------------


def test_raw_latex_makes_plain_latex_strings_raw() -> None:
    source = 'eq = MathTex("\\frac{a}{b} + \\theta \\neq \\pi", "\\xi")\n'
    assert fix("raw-latex", source) == 'eq = MathTex(r"\\frac{a}{b} + \\theta \\neq \\pi", r"\\xi")\n'


def test_raw_latex_escapes_only_the_mangled_backslashes_when_the_string_has_real_escapes() -> None:
    source = 'eq = MathTex("\\\\alpha \\times \\beta\\n")\n'
    assert fix("raw-latex", source) == 'eq = MathTex("\\\\alpha \\\\times \\\\beta\\n")\n'


def test_raw_latex_prefixes() -> None:
    source = 'a = f"\\alpha = {x:.2f}"\nb = u"\\beta"\nc = """\\int_0^1"""\nd = ("\\sum" "\\\\prod")\n'
    assert fix("raw-latex", source) == 'a = rf"\\alpha = {x:.2f}"\nb = r"\\beta"\nc = r"""\\int_0^1"""\nd = (r"\\sum" "\\\\prod")\n'


def test_raw_latex_repairs_strings_that_are_syntax_errors() -> None:
    source = 'x = MathTex("\\underline{x} \\uparrow")\n'
    with pytest.raises(SyntaxError):
        ast.parse(source)
    assert fix("raw-latex", source) == 'x = MathTex(r"\\underline{x} \\uparrow")\n'


def test_raw_latex_leaves_real_escapes_alone() -> None:
    source = 'a = "Hello\\nWorld\\tTab"\nb = "\\u03c0"\nc = b"\\frac"\nd = r"\\frac"\ne = "\\x41"\n'
    assert fix("raw-latex", source) is None


# --- vgroup-to-group ------------------------------------------------------------------------------

VGROUP_ERROR = (
    "TypeError: Only values of type VMobject can be added as submobjects of VGroup, but the value "
    "ImageMobject (at index 0 of parameter 1) is of type ImageMobject."
)


def test_vgroup_to_group_on_the_failing_line() -> None:
    source = code(
        """\
        img = ImageMobject("a.png")
        g = VGroup(Square(), img)
        h = VGroup(Circle())
        """
    )
    assert fix("vgroup-to-group", source, [runtime(2, VGROUP_ERROR)]) == source.replace("g = VGroup", "g = Group")


def test_vgroup_to_group_follows_add_to_the_constructor() -> None:
    source = code(
        """\
        group = VGroup()
        group.add(ImageMobject("a.png"))
        """
    )
    assert fix("vgroup-to-group", source, [runtime(2, VGROUP_ERROR)]) == 'group = Group()\ngroup.add(ImageMobject("a.png"))\n'


def test_vgroup_to_group_needs_the_finding() -> None:
    assert fix("vgroup-to-group", "g = VGroup(Square())\n", [runtime(1, "TypeError: other")]) is None


# --- apply-method ---------------------------------------------------------------------------------


def test_apply_method_rewrites_bound_methods_passed_to_play() -> None:
    source = "self.play(sq.shift, UP, FadeIn(c), tracker.set_value, 5, run_time=2)\n"
    assert fix("apply-method", source) == "self.play(sq.animate.shift(UP), FadeIn(c), tracker.animate.set_value(5), run_time=2)\n"


def test_apply_method_rewrites_applymethod_only_where_the_check_points() -> None:
    source = "self.play(ApplyMethod(sq.move_to, ORIGIN, run_time=2))\nself.play(ApplyMethod(sq.shift, UP))\n"
    finding = runtime(1, "TypeError: boom")
    assert fix("apply-method", source, [finding]) == (
        "self.play(sq.animate(run_time=2).move_to(ORIGIN))\nself.play(ApplyMethod(sq.shift, UP))\n"
    )
    assert fix("apply-method", source) is None


# --- manimlib-import ------------------------------------------------------------------------------


def test_manimlib_import_becomes_manim() -> None:
    source = "from manimlib.imports import *\nimport manimlib\nfrom manimlib import Circle\n\nx = 1\n"
    assert fix("manimlib-import", source) == "from manim import *\n\nx = 1\n"


def test_manimlib_import_added_when_missing() -> None:
    source = '"""Doc."""\nfrom __future__ import annotations\n\n\nclass A(Scene):\n    pass\n'
    assert fix("manimlib-import", source) == (
        '"""Doc."""\nfrom __future__ import annotations\nfrom manim import *\n\n\nclass A(Scene):\n    pass\n'
    )


def test_manimlib_import_not_added_to_non_scene_code() -> None:
    assert fix("manimlib-import", "import numpy as np\nx = np.zeros(3)\n") is None


# --- stdlib-import --------------------------------------------------------------------------------


def test_stdlib_import_adds_math_and_random() -> None:
    source = "from manim import *\n\nx = math.sqrt(random.random()) + np.pi\n"
    assert fix("stdlib-import", source) == "from manim import *\nimport math\nimport random\n\nx = math.sqrt(random.random()) + np.pi\n"


def test_stdlib_import_adds_numpy_without_a_manim_star_import() -> None:
    assert fix("stdlib-import", "from manim import Scene\ny = np.zeros(3)\n") == "from manim import Scene\nimport numpy as np\ny = np.zeros(3)\n"


def test_stdlib_import_respects_local_names() -> None:
    assert fix("stdlib-import", "def f(math):\n    return math.x\n") is None


# --- fade-shift -----------------------------------------------------------------------------------


def test_fade_shift_rewrites_the_old_fade_family() -> None:
    source = code(
        """\
        self.play(FadeInFrom(a, UP), FadeInFrom(b, 2 * LEFT), FadeInFrom(c), FadeInFrom(d, direction=UP + RIGHT))
        self.play(FadeInFromDown(e), FadeOutAndShift(f, LEFT), FadeOutAndShiftDown(g, run_time=2))
        self.play(FadeInFromLarge(h, 3), FadeInFromLarge(i, scale_factor=1.5), FadeInFromLarge(j))
        self.play(FadeIn(k, UP), FadeOut(l, -RIGHT * 2))
        """
    )
    assert fix("fade-shift", source) == code(
        """\
        self.play(FadeIn(a, shift=DOWN), FadeIn(b, shift=-2 * LEFT), FadeIn(c, shift=UP), FadeIn(d, shift=-(UP + RIGHT)))
        self.play(FadeIn(e, shift=UP), FadeOut(f, shift=LEFT), FadeOut(g, shift=DOWN, run_time=2))
        self.play(FadeIn(h, scale=3), FadeIn(i, scale=1.5), FadeIn(j, scale=2))
        self.play(FadeIn(k, shift=UP), FadeOut(l, shift=-RIGHT * 2))
        """
    )


def test_fade_shift_leaves_fades_of_several_mobjects_alone() -> None:
    assert fix("fade-shift", "self.play(FadeIn(a, b), FadeOut(c, d, shift=UP))\n") is None


# --- rename ---------------------------------------------------------------------------------------


def test_rename_names_and_methods() -> None:
    source = code(
        """\
        from manim import ShowCreation, Circle
        self.play(ShowCreation(c), Write(TextMobject("a")), Write(TexMobject("x")))
        g = axes.get_graph(f)  # keep this comment
        s = ParametricSurface(func)
        """
    )
    assert fix("rename", source) == code(
        """\
        from manim import Create, Circle
        self.play(Create(c), Write(Tex("a")), Write(MathTex("x")))
        g = axes.plot(f)  # keep this comment
        s = Surface(func)
        """
    )


def test_rename_leaves_user_definitions_and_removed_apis_alone() -> None:
    source = code(
        """\
        def ShowCreation(m):
            return Create(m)

        class G(GraphScene):
            def construct(self):
                self.play(ShowCreation(Circle()))
                self.get_graph(f)
        """
    )
    assert fix("rename", source) is None


# --- config-frame ---------------------------------------------------------------------------------


def test_config_frame_constants() -> None:
    source = "w = FRAME_WIDTH / 2 + FRAME_X_RADIUS\nh = FRAME_HEIGHT - FRAME_Y_RADIUS\n"
    assert fix("config-frame", source) == (
        "w = config.frame_width / 2 + config.frame_x_radius\nh = config.frame_height - config.frame_y_radius\n"
    )


def test_config_frame_leaves_user_constants_alone() -> None:
    assert fix("config-frame", "FRAME_WIDTH = 14\nw = FRAME_WIDTH\n") is None


# --- range-kwargs ---------------------------------------------------------------------------------


def test_range_kwargs_multiline_axes_with_tick_frequency() -> None:
    source = code(
        """\
        axes = Axes(
            x_min=-1,  # left edge
            x_max=5,
            y_min=0, y_max=3, y_step=0.5,
            x_axis_config={"tick_frequency": 2, "include_tip": False},
        )
        """
    )
    assert fix("range-kwargs", source) == code(
        """\
        axes = Axes(
            x_range=[-1, 5, 2],  # left edge
            y_range=[0, 3, 0.5],
            x_axis_config={"include_tip": False},
        )
        """
    )


def test_range_kwargs_in_plot_numberline_and_parametric_function() -> None:
    source = code(
        """\
        g = axes.get_graph(lambda x: x**2, x_min=0, x_max=2, color=BLUE)
        n = NumberLine(x_min=-3, x_max=3, tick_frequency=1, include_numbers=True)
        c = ParametricFunction(lambda t: [t, t, 0], t_min=-PI, t_max=PI)
        d = ParametricFunction(lambda t: [t, t, 0], t_max=TAU)
        s = Surface(f, u_min=0, u_max=TAU, v_min=-1, v_max=1)
        """
    )
    assert fix("range-kwargs", source) == code(
        """\
        g = axes.get_graph(lambda x: x**2, x_range=[0, 2], color=BLUE)
        n = NumberLine(x_range=[-3, 3, 1], include_numbers=True)
        c = ParametricFunction(lambda t: [t, t, 0], t_range=[-PI, PI])
        d = ParametricFunction(lambda t: [t, t, 0], t_range=[0, TAU])
        s = Surface(f, u_range=[0, TAU], v_range=[-1, 1])
        """
    )


def test_range_kwargs_skips_ambiguous_calls() -> None:
    assert fix("range-kwargs", "a = Axes(x_min=0)\nb = Axes(x_min=0, x_max=1, x_range=[0, 1])\n") is None


# --- keyword-only ---------------------------------------------------------------------------------


def test_keyword_only_arguments() -> None:
    source = code(
        """\
        sq.rotate(PI / 2, OUT, ORIGIN)
        sq.scale(2, LEFT * 2)
        sq.scale(2, True, ORIGIN)
        sq.flip(RIGHT, ORIGIN)
        s = Star(7, 2, 1)
        p = RegularPolygram(5, 2)
        """
    )
    assert fix("keyword-only", source) == code(
        """\
        sq.rotate(PI / 2, OUT, about_point=ORIGIN)
        sq.scale(2, about_point=LEFT * 2)
        sq.scale(2, True, about_point=ORIGIN)
        sq.flip(RIGHT, about_point=ORIGIN)
        s = Star(7, outer_radius=2, inner_radius=1)
        p = RegularPolygram(5, density=2)
        """
    )


def test_nested_edits_land_on_a_second_pass() -> None:
    source = "a.rotate(PI, OUT, b.rotate(1, OUT, ORIGIN).get_center())\n"
    assert fix("keyword-only", source) == "a.rotate(PI, OUT, about_point=b.rotate(1, OUT, about_point=ORIGIN).get_center())\n"


def test_keyword_only_settings_after_one_mobject() -> None:
    source = "a = SurroundingRectangle(row[0], Q_COLOR, 0.12)\nb = BackgroundRectangle(m, BLACK, 0, 0, 0.8)\nc = SurroundingRectangle(a, b)\n"
    assert fix("keyword-only", source) == (
        "a = SurroundingRectangle(row[0], color=Q_COLOR, buff=0.12)\n"
        "b = BackgroundRectangle(m, color=BLACK, stroke_width=0, stroke_opacity=0, fill_opacity=0.8)\n"
        "c = SurroundingRectangle(a, b)\n"
    )


def test_keyword_only_leaves_non_manim_receivers_and_own_methods_alone() -> None:
    source = code(
        """\
        class Thing:
            def rotate(self, a, b, c):
                pass

        Thing().rotate(1, 2, 3)
        np.scale(1, 2)
        """
    )
    assert fix("keyword-only", source) is None


def test_keyword_only_tables_match_the_installed_manim() -> None:
    manim = pytest.importorskip("manim")
    for name, (positional, keyword_only) in KEYWORD_ONLY_METHODS.items():
        params = list(inspect.signature(getattr(manim.Mobject, name)).parameters.values())[1:]
        assert tuple(p.name for p in params if p.kind is p.POSITIONAL_OR_KEYWORD) == positional, name
        assert tuple(p.name for p in params if p.kind is p.KEYWORD_ONLY) == keyword_only, name
    scale = inspect.signature(manim.VMobject.scale).parameters
    assert list(scale)[1:3] == ["scale_factor", "scale_stroke"]
    for name, (positional, keyword_only) in KEYWORD_ONLY_CLASSES.items():
        params = inspect.signature(getattr(manim, name)).parameters.values()
        assert tuple(p.name for p in params if p.kind is p.POSITIONAL_OR_KEYWORD) == positional, name
        assert tuple(p.name for p in params if p.kind is p.KEYWORD_ONLY)[: len(keyword_only)] == keyword_only, name
    assert tuple(inspect.signature(manim.Code).parameters) == CODE_PARAMETERS
    for name, settings in OLD_POSITIONAL_SETTINGS.items():
        params = inspect.signature(getattr(manim, name)).parameters
        assert next(iter(params.values())).kind is inspect.Parameter.VAR_POSITIONAL, name
        assert all(params[setting].kind is inspect.Parameter.KEYWORD_ONLY for setting in settings), name
    for method in ANIMATABLE_METHODS:
        assert any(hasattr(mob, method) for mob in (manim.Square(), manim.ValueTracker())), method


# --- text-size ------------------------------------------------------------------------------------


def test_text_size_becomes_font_size() -> None:
    source = 'a = Text("a", size=0.5)\nb = Text("b", size=36)\nc = MathTex("x", size=s)\n'
    assert fix("text-size", source) == 'a = Text("a", font_size=24)\nb = Text("b", font_size=36)\nc = MathTex("x", font_size=s)\n'


def test_text_size_ignores_other_classes() -> None:
    assert fix("text-size", "d = Dot(size=2)\nt = Text('a', font_size=20)\n") is None


# --- code-kwargs ----------------------------------------------------------------------------------


def test_code_kwargs() -> None:
    source = 'c = Code(code=src, language="python", font="Monospace", font_size=20, style="monokai", insert_line_no=False, scale_factor=0.5)\n'
    assert fix("code-kwargs", source) == (
        'c = Code(code_string=src, language="python", paragraph_config={"font": "Monospace", "font_size": 20}, '
        'formatter_style="monokai", add_line_numbers=False)\n'
    )


def test_code_kwargs_file_name() -> None:
    assert fix("code-kwargs", 'c = Code(file_name="a.py", margin=0.2)\n') == (
        'c = Code(code_file="a.py", background_config={"buff": 0.2})\n'
    )


# --- sector-radius --------------------------------------------------------------------------------


def test_sector_radius() -> None:
    source = "a = Sector(outer_radius=2, angle=PI)\nb = Sector(inner_radius=0, outer_radius=1)\nc = Sector(inner_radius=1, outer_radius=2)\n"
    assert fix("sector-radius", source) == (
        "a = Sector(radius=2, angle=PI)\nb = Sector(radius=1)\nc = AnnularSector(inner_radius=1, outer_radius=2)\n"
    )


# --- scene-base -----------------------------------------------------------------------------------


def test_scene_base_moving_camera_and_three_d() -> None:
    source = code(
        """\
        class Zoom(Scene):
            def construct(self):
                self.play(self.camera.frame.animate.scale(0.5))

        class Orbit(Scene):
            def construct(self):
                self.set_camera_orientation(phi=75 * DEGREES)

        class Plain(Scene):
            def construct(self):
                self.camera.background_color = WHITE
        """
    )
    result = fix("scene-base", source)
    assert result == source.replace("class Zoom(Scene)", "class Zoom(MovingCameraScene)").replace(
        "class Orbit(Scene)", "class Orbit(ThreeDScene)"
    )


# --- fix-in-frame ---------------------------------------------------------------------------------


def test_fix_in_frame_then_scene_base() -> None:
    source = "class A(Scene):\n    def construct(self):\n        caption.fix_in_frame()\n        x = t.fix_in_frame()\n"
    step = fix("fix-in-frame", source)
    assert step == "class A(Scene):\n    def construct(self):\n        self.add_fixed_in_frame_mobjects(caption)\n        x = t.fix_in_frame()\n"
    assert fix("scene-base", step) == step.replace("A(Scene)", "A(ThreeDScene)")


# --- config-dict ----------------------------------------------------------------------------------


def test_config_dict_becomes_class_attributes() -> None:
    source = code(
        """\
        class A(Scene):
            CONFIG = {
                "radius": 2,
                "colors": [
                    BLUE,
                    RED,
                ],
            }

            def construct(self):
                self.add(Circle(radius=self.radius))
        """
    )
    assert fix("config-dict", source) == code(
        """\
        class A(Scene):
            radius = 2
            colors = [
                    BLUE,
                    RED,
                ]

            def construct(self):
                self.add(Circle(radius=self.radius))
        """
    )


def test_config_dict_leaves_mobjects_and_graph_scenes_alone() -> None:
    source = 'class M(VMobject):\n    CONFIG = {"color": RED}\n\nclass G(GraphScene):\n    CONFIG = {"x_min": 0}\n'
    assert fix("config-dict", source) is None


# --- mathtex-dollars ------------------------------------------------------------------------------


def test_mathtex_dollars() -> None:
    source = 'a = MathTex("$x^2$", r"\\$5", "$$y$$")\nb = axes.get_graph_label(g, label="$f(x)$")\nc = Tex("$x$")\n'
    assert fix("mathtex-dollars", source) == 'a = MathTex("x^2", r"\\$5", "y")\nb = axes.get_graph_label(g, label="f(x)")\nc = Tex("$x$")\n'


# --- latex-unicode --------------------------------------------------------------------------------


def test_latex_unicode() -> None:
    source = 'a = MathTex(r"α(Q) ≤ 2")\nb = MathTex("αβ + x² ∈ ℝ")\nc = Tex("Angle θ and $θ$")\nd = Text("α stays")\n'
    assert fix("latex-unicode", source) == (
        'a = MathTex(r"\\alpha(Q) \\leq 2")\n'
        'b = MathTex("\\\\alpha \\\\beta + x^{2} \\\\in \\\\mathbb{R}")\n'
        'c = Tex("Angle $\\\\theta$ and $\\\\theta$")\n'
        'd = Text("α stays")\n'
    )


# --- latex-typo -----------------------------------------------------------------------------------


def latex_undefined(command: str, line: int) -> Finding:
    log = f"! Undefined control sequence.\n<argument> ...isvgm:raw <g id='unique000'>}}\\{command} \n   (Q)\\special {{...\nl.8 \\end{{align*}}"
    return Finding(stage="dry_run", category="latex", message="LaTeX failed", line=line, details={"tex_errors": [log]})


def test_latex_typo_from_the_finding() -> None:
    source = 'a = MathTex(r"\\alpah(Q) + \\alpahs")\nb = MathTex("\\\\fracc{1}{2} \\\\in \\\\R")\n'
    findings = [latex_undefined("alpah", 1), latex_undefined("fracc", 2), latex_undefined("R", 2)]
    assert fix("latex-typo", source, findings) == (
        'a = MathTex(r"\\alpha(Q) + \\alpahs")\nb = MathTex("\\\\frac{1}{2} \\\\in \\\\mathbb{R}")\n'
    )


def test_latex_typo_needs_a_unique_close_command() -> None:
    source = 'a = MathTex(r"\\cdott + \\foo")\n'
    assert fix("latex-typo", source, [latex_undefined("cdott", 1), latex_undefined("foo", 1)]) is None
    assert fix("latex-typo", 'a = MathTex(r"\\alpah")\n') is None


# --- tex-math-mode --------------------------------------------------------------------------------


def test_tex_math_mode() -> None:
    source = 'a = Tex(r"\\frac{a}{b} = x^2")\nb = Tex(r"E = mc^2", color=RED)\n'
    assert fix("tex-math-mode", source) == 'a = MathTex(r"\\frac{a}{b} = x^2")\nb = MathTex(r"E = mc^2", color=RED)\n'


def test_tex_math_mode_leaves_prose_and_dollars_alone() -> None:
    source = 'a = Tex(r"The area of the circle is \\pi r^2")\nb = Tex("Hello")\nc = Tex(r"$x^2$")\n'
    assert fix("tex-math-mode", source) is None


# --- zero-wait ------------------------------------------------------------------------------------


def test_zero_wait() -> None:
    source = code(
        """\
        def construct(self):
            self.play(Create(c))
            self.wait(0)
            if x:
                self.wait(0.0)
            self.wait(1)
        """
    )
    assert fix("zero-wait", source) == code(
        """\
        def construct(self):
            self.play(Create(c))
            if x:
                pass
            self.wait(1)
        """
    )


# --- the engine -----------------------------------------------------------------------------------


def test_rules_table() -> None:
    names = [name for name, _ in describe_rules()]
    assert len(names) == len(set(names)) == len(RULES)
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", name) for name in names)
    assert names[:2] == ["markdown-fence", "raw-latex"]
    assert names.index("fade-shift") < names.index("rename")
    assert names.index("fix-in-frame") < names.index("scene-base")
    # Rules that read the findings run before the first rule that can add or remove lines.
    first_line_mover = names.index("manimlib-import")
    assert all(names.index(n) < first_line_mover for n in ("vgroup-to-group", "apply-method", "latex-typo"))


def test_a_rule_whose_edit_breaks_the_syntax_is_discarded() -> None:
    breaking = Rule("break", "turns a name into a syntax error", lambda src, findings: [Edit(0, 1, "(", 1, "boom")])
    assert breaking.apply("x = 1\n") is None
    # Only the breaking edit goes; the good one in the same batch stays.
    mixed = Rule("mixed", "one good edit, one bad", lambda src, findings: [Edit(0, 1, "y", 1, "good"), Edit(8, 9, "(", 2, "bad")])
    assert mixed.apply("x = 1\nz = 2\n") == "y = 1\nz = 2\n"


GL_SCENE = code(
    '''\
    from manimlib.imports import *

    class Demo(Scene):
        CONFIG = {"radius": 2}

        def construct(self):
            title = TextMobject("Hello", size=0.5)
            eq = TexMobject("\\frac{a}{b} = \\theta")
            axes = Axes(x_min=-1, x_max=5, y_min=0, y_max=3)
            graph = axes.get_graph(lambda x: x**2, x_min=0, x_max=2)
            self.play(ShowCreation(axes), FadeInFrom(title, UP), Write(eq))
            self.play(title.shift, UP, run_time=2)
            self.play(FadeOutAndShift(title, DOWN), Rotate(Square().rotate(PI, OUT, ORIGIN), PI))
            self.wait(0)
    '''
)

GL_SCENE_FIXED = code(
    '''\
    from manim import *

    class Demo(Scene):
        radius = 2

        def construct(self):
            title = Tex("Hello", font_size=24)
            eq = MathTex(r"\\frac{a}{b} = \\theta")
            axes = Axes(x_range=[-1, 5], y_range=[0, 3])
            graph = axes.plot(lambda x: x**2, x_range=[0, 2])
            self.play(Create(axes), FadeIn(title, shift=DOWN), Write(eq))
            self.play(title.animate.shift(UP), run_time=2)
            self.play(FadeOut(title, shift=DOWN), Rotate(Square().rotate(PI, OUT, about_point=ORIGIN), PI))
    '''
)


def test_apply_rules_repairs_a_manimgl_scene_in_one_pass() -> None:
    fixed, applied = apply_rules(GL_SCENE)
    assert fixed == GL_SCENE_FIXED
    assert [a.rule for a in applied] == [
        "raw-latex", "apply-method", "manimlib-import", "fade-shift", "rename", "range-kwargs",
        "keyword-only", "text-size", "config-dict", "zero-wait",
    ]
    rename = next(a for a in applied if a.rule == "rename")
    assert rename.lines == [7, 8, 10, 11]
    assert "line 11: ShowCreation → Create" in rename.description


def test_every_rule_is_idempotent() -> None:
    fixed, _ = apply_rules(GL_SCENE)
    for rule in RULES:
        assert rule.apply(fixed) is None, rule.name
    assert apply_rules(fixed) == (fixed, [])


def test_findings_are_dropped_once_lines_move() -> None:
    # manimlib-import adds a line, so the VGroup finding's line number is stale for later rules;
    # vgroup-to-group runs before it and still sees the finding.
    source = "class A(Scene):\n    def construct(self):\n        g = VGroup(ImageMobject('a.png'))\n"
    fixed, applied = apply_rules(source, [runtime(3, VGROUP_ERROR)])
    assert fixed == "from manim import *\n" + source.replace("VGroup", "Group")
    assert [a.rule for a in applied] == ["vgroup-to-group", "manimlib-import"]


# --- fix_source / fix_file ------------------------------------------------------------------------


class ScriptedCheck:
    """A checker that fails while the source matches any pattern, and records every call."""

    def __init__(self, *patterns: str) -> None:
        self.patterns = [re.compile(p) for p in patterns]
        self.calls: list[tuple[str, str | None]] = []

    def __call__(self, source: str, *, scene: str | None = None) -> Diagnosis:
        self.calls.append((source, scene))
        findings = []
        for number, line in enumerate(source.splitlines(), 1):
            for pattern in self.patterns:
                if pattern.search(line):
                    findings.append(Finding(stage="static", category="unknown_api", message=f"{pattern.pattern} is wrong", line=number))
        return Diagnosis(ok=not findings, scene=scene, stage="static", findings=findings)


def static_check(source: str, *, scene: str | None = None) -> Diagnosis:
    """The real static stage as a checker (no dry run)."""
    from manim_agent.tools.static.checks import run_static_checks

    result = run_static_checks(source, scene=scene)
    return Diagnosis(ok=result.ok, scene=result.scene, stage="static", findings=result.findings, scenes=result.scenes)


def test_fix_source_loops_until_the_check_is_clean() -> None:
    check = ScriptedCheck(r"ShowCreation", r"x_min")
    result = fix_source(GL_SCENE, scene="Demo", check=check)
    assert result.ok and result.rounds == 1 and result.changed
    assert result.source == GL_SCENE_FIXED
    assert [scene for _, scene in check.calls] == ["Demo", "Demo"]
    assert result.initial is not None and not result.initial.ok
    assert result.message == f"Applied {sum(len(a.changes) for a in result.applied)} repair(s) in 1 round(s); the scene now checks clean."


def test_fix_source_stops_when_no_rule_applies() -> None:
    check = ScriptedCheck(r"GraphScene")
    source = "from manim import *\n\nclass A(GraphScene):\n    pass\n"
    result = fix_source(source, check=check)
    assert not result.ok and result.rounds == 0 and result.applied == [] and result.source == source
    assert len(check.calls) == 1
    assert result.message.startswith("No rule applies. GraphScene is wrong")


def test_fix_source_does_nothing_to_a_clean_scene() -> None:
    check = ScriptedCheck()
    result = fix_source(GL_SCENE, check=check)
    assert result.ok and result.applied == [] and result.source == GL_SCENE
    assert result.message == "The scene already checks clean; nothing to fix."


def test_fix_source_respects_max_rounds() -> None:
    # Like the real check: the dry run (which finds the VGroup error) only runs once the static
    # stage (which finds ShowCreation) is clean, so the repair needs two rounds.
    def staged_check(source: str, *, scene: str | None = None) -> Diagnosis:
        lines = source.splitlines()
        static = [n for n, line in enumerate(lines, 1) if "ShowCreation" in line]
        if static:
            findings = [Finding(stage="static", category="unknown_api", message="ShowCreation", line=n) for n in static]
        else:
            findings = [runtime(n, VGROUP_ERROR) for n, line in enumerate(lines, 1) if "VGroup(" in line]
        return Diagnosis(ok=not findings, scene=scene, stage="static", findings=findings)

    source = code(
        """\
        from manim import *

        class A(Scene):
            def construct(self):
                g = VGroup(ImageMobject("a.png"))
                self.play(ShowCreation(Circle()))
        """
    )
    two = fix_source(source, check=staged_check)
    assert two.ok and two.rounds == 2
    assert [(a.round, a.rule) for a in two.applied] == [(1, "rename"), (2, "vgroup-to-group")]
    one = fix_source(source, check=staged_check, max_rounds=1)
    assert not one.ok and one.rounds == 1 and "VGroup(" in one.source and "Create(" in one.source


def test_fix_source_with_the_real_static_checks() -> None:
    pytest.importorskip("manim_agent.tools.static.checks")
    answer = "Here you go:\n```python\n" + GL_SCENE + "```\n"
    result = fix_source(answer, check=static_check)
    assert result.ok, result.diagnosis.for_model()
    assert result.source == GL_SCENE_FIXED
    assert result.applied[0].rule == "markdown-fence"


def test_fix_file_writes_next_to_the_input_and_never_touches_it(tmp_path: Path) -> None:
    scene = tmp_path / "scene.py"
    scene.write_text(GL_SCENE)
    result = fix_file(scene, check=ScriptedCheck(r"ShowCreation"))
    assert result.out_path == tmp_path / "scene.fixed.py"
    assert result.out_path.read_text() == GL_SCENE_FIXED
    assert scene.read_text() == GL_SCENE
    assert result.message.endswith(f"Wrote {tmp_path / 'scene.fixed.py'}.")
    data = result.to_json()
    assert data["out"] == str(tmp_path / "scene.fixed.py") and data["ok"] is True and data["changed"] is True
    assert data["before"]["ok"] is False and data["diagnosis"]["ok"] is True
    assert {a["rule"] for a in data["applied"]} >= {"rename", "range-kwargs"}


def test_fix_file_out_and_nothing_written_when_no_rule_applies(tmp_path: Path) -> None:
    scene = tmp_path / "scene.py"
    scene.write_text("from manim import *\n\nclass A(GraphScene):\n    pass\n")
    out = tmp_path / "sub" / "out.py"
    result = fix_file(scene, out=out, check=ScriptedCheck(r"GraphScene"))
    assert result.out_path is None and not out.exists()
    assert result.message.endswith("Nothing written.")
    scene.write_text(GL_SCENE)
    result = fix_file(scene, out=out, check=ScriptedCheck(r"ShowCreation"))
    assert result.out_path == out and out.read_text() == GL_SCENE_FIXED


def test_fix_file_refuses_to_overwrite_its_input_and_reports_missing_files(tmp_path: Path) -> None:
    scene = tmp_path / "scene.py"
    scene.write_text(GL_SCENE)
    with pytest.raises(UserError, match="never overwrites its input"):
        fix_file(scene, out=scene, check=ScriptedCheck(r"ShowCreation"))
    assert scene.read_text() == GL_SCENE
    with pytest.raises(InputFileError, match="does not exist"):
        fix_file(tmp_path / "missing.py", check=ScriptedCheck())


def test_applied_rule_json() -> None:
    record = AppliedRule(rule="rename", notes=[(3, "ShowCreation → Create"), (3, ""), (5, "TexMobject → MathTex")], round=2)
    assert record.to_json() == {
        "rule": "rename",
        "round": 2,
        "lines": [3, 5],
        "description": "line 3: ShowCreation → Create; line 5: TexMobject → MathTex",
        "changes": ["line 3: ShowCreation → Create", "line 5: TexMobject → MathTex"],
    }


def test_reported_lines_refer_to_the_repaired_source() -> None:
    answer = "Here:\n```python\n" + GL_SCENE + "```\n"
    fixed, applied = apply_rules(answer)
    assert fixed == GL_SCENE_FIXED
    out_lines = fixed.split("\n")
    for record in applied:
        for line, note in record.notes:
            if record.rule == "rename" and note:
                old, new = note.split(" → ")
                assert new in out_lines[line - 1], (record.rule, line, note)
    zero_wait = next(a for a in applied if a.rule == "zero-wait")
    assert zero_wait.lines == [14]  # where self.wait(0) stood, now the end of the file


# --- end to end with the real check (static checks + sandboxed dry run) ---------------------------


def _real_check():
    render_scene = pytest.importorskip("manim_agent.tools.render_scene")
    return getattr(render_scene, "check_scene", None) or pytest.skip("check_scene not available")


@pytest.mark.slow
def test_end_to_end_manimgl_answer_renders_after_fix(tmp_path: Path) -> None:
    _real_check()
    scene = tmp_path / "answer.md.py"
    scene.write_text("Here is the scene:\n\n```python\n" + GL_SCENE + "```\n")
    result = fix_file(scene)
    assert result.ok, result.diagnosis.for_model()
    assert result.out_path is not None and result.out_path.read_text() == GL_SCENE_FIXED
    assert result.diagnosis.stage == "dry_run"


@pytest.mark.slow
def test_end_to_end_runtime_finding_drives_vgroup_to_group() -> None:
    _real_check()
    source = code(
        """\
        from manim import *
        import numpy as np


        class Pics(Scene):
            def construct(self):
                img = ImageMobject(np.zeros((8, 8, 3), dtype=np.uint8))
                group = VGroup(Square(), img)
                self.play(FadeIn(group))
        """
    )
    result = fix_source(source)
    assert result.ok, result.diagnosis.for_model()
    assert [a.rule for a in result.applied] == ["vgroup-to-group"]
    assert "group = Group(Square(), img)" in result.source
