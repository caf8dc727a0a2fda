"""Tests for the repairs of what published LLM scenes break (tools/repairs/kwargs.py).

Each rule: its exact rewrite on the breakage as found in real scenes, that it leaves valid code alone,
and (for the keyword rule) the real checker's finding driving it end to end.
"""

from __future__ import annotations

import textwrap

from manim_agent.tools.diagnosis import Finding
from manim_agent.tools.repairs.registry import RULES, fix_source
from manim_agent.tools.static.checks import run_static_checks

RULE_BY_NAME = {rule.name: rule for rule in RULES}


def code(text: str) -> str:
    return textwrap.dedent(text)


def fix(rule: str, source: str, findings: list[Finding]) -> str | None:
    return RULE_BY_NAME[rule].apply(code(source), findings)


def bad_kw(line: int, keyword: str, callable_name: str = "Arrow") -> Finding:
    return Finding(stage="static", category="bad_arguments", line=line,
                   message=f"{callable_name}() got an unexpected keyword argument {keyword!r}", details={"keyword": keyword})


def test_removed_kwarg_drops_manimgl_styling_keyword() -> None:
    source = """\
    arrow = Arrow(
        start=a,
        end=b,
        buff=0,
        max_tip_length=0.1
    )
    """
    assert fix("removed-kwarg", source, [bad_kw(5, "max_tip_length")]) == "arrow = Arrow(\n    start=a,\n    end=b,\n    buff=0,\n)\n"


def test_removed_kwarg_maps_arrow3d_color_start_to_color() -> None:
    source = "v = Arrow3D(start=ORIGIN, end=UP, color_start=RED, color_end=BLUE)\n"
    findings = [bad_kw(1, "color_start", "Arrow3D"), bad_kw(1, "color_end", "Arrow3D")]
    assert fix("removed-kwarg", source, findings) == "v = Arrow3D(start=ORIGIN, end=UP, color=RED)\n"


def test_removed_kwarg_uses_runtime_message_and_touches_only_blamed_line() -> None:
    source = "s = Sphere(radius=1, inner_color=RED)\nt = Sphere(radius=2, inner_color=RED)\n"
    finding = Finding(stage="dry_run", category="bad_arguments", line=2,
                      message="Mobject.__init__() got an unexpected keyword argument 'inner_color'")
    assert fix("removed-kwarg", source, [finding]) == "s = Sphere(radius=1, inner_color=RED)\nt = Sphere(radius=2)\n"


def test_removed_kwarg_needs_a_finding() -> None:
    assert fix("removed-kwarg", "a = Arrow(ORIGIN, UP, max_tip_length=1)\n", []) is None


def test_removed_kwarg_end_to_end_with_the_static_check() -> None:
    source = code("""\
        from manim import *


        class Tips(Scene):
            def construct(self):
                arrow = Arrow(LEFT, RIGHT, buff=0, max_tip_length=0.1)
                self.play(GrowArrow(arrow))
        """)
    result = fix_source(source, check=lambda s, scene=None: _static(s, scene))
    assert result.ok and "max_tip_length" not in result.source
    assert [a.rule for a in result.applied] == ["removed-kwarg"]


def _static(source: str, scene: str | None):
    from manim_agent.tools.diagnosis import Diagnosis

    static = run_static_checks(source, scene=scene)
    return Diagnosis(ok=not any(f.severity == "error" for f in static.findings), scene=static.scene, stage="static",
                     findings=list(static.findings))


def shape_error(line: int) -> Finding:
    return Finding(stage="dry_run", category="runtime", line=line,
                   message="operands could not be broadcast together with shapes (3,) (2,)")


def test_point_3d_pads_the_assigned_points_used_on_the_blamed_line() -> None:
    source = """\
    start = np.array([1, 2])
    end = np.array((x, y))
    pairs = np.array([[1, 2], [3, 4]])
    line = Line(start + UP, end)
    """
    fixed = fix("point-z", source, [shape_error(4)])
    assert fixed == "start = np.array([1, 2, 0])\nend = np.array((x, y, 0))\npairs = np.array([[1, 2], [3, 4]])\nline = Line(start + UP, end)\n"


def test_point_3d_ignores_other_errors_and_3d_points() -> None:
    source = "p = np.array([1, 2, 0])\nq = np.array([1, 2])\nDot(q)\n"
    assert fix("point-z", source, [Finding(stage="dry_run", category="runtime", line=3, message="division by zero")]) is None
    assert fix("point-z", "p = np.array([1, 2, 0])\nDot(p)\n", [shape_error(2)]) is None


def frame_error(line: int) -> Finding:
    return Finding(stage="dry_run", category="unknown_api", line=line,
                   message="'ThreeDCamera' object has no attribute 'frame'")


def test_three_d_frame_becomes_camera_orientation_in_a_real_3d_scene() -> None:
    source = """\
    class S(ThreeDScene):
        def construct(self):
            self.set_camera_orientation(phi=60 * DEGREES)
            self.camera.frame.set_width(10)
            self.frame.reorient(-30, 70)
            self.play(self.camera.frame.animate.scale(0.5), run_time=2)
    """
    fixed = fix("three-d-frame", source, [frame_error(4)])
    assert fixed == code("""\
    class S(ThreeDScene):
        def construct(self):
            self.set_camera_orientation(phi=60 * DEGREES)
            self.set_camera_orientation(zoom=config.frame_width / (10))
            self.set_camera_orientation(theta=-30 * DEGREES, phi=70 * DEGREES)
            self.move_camera(zoom=1 / (0.5), run_time=2)
    """)


def test_three_d_frame_makes_a_flat_three_d_scene_a_moving_camera_scene() -> None:
    source = """\
    class Flat(ThreeDScene):
        def construct(self):
            self.play(self.camera.frame.animate.move_to(RIGHT))
    """
    assert fix("three-d-frame", source, [frame_error(3)]).startswith("class Flat(MovingCameraScene):")


def test_three_d_frame_needs_the_attribute_error() -> None:
    source = "class M(MovingCameraScene):\n    def construct(self):\n        self.camera.frame.scale(2)\n"
    assert fix("three-d-frame", source, []) is None
