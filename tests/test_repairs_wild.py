"""Tests for the repairs added from the wild corpus (tools/repairs/assets.py, tools/repairs/scene_calls.py, a rename).

Small hand-written snippets shaped like the breakage found in published LLM scenes: icons that only
existed on the author's machine, ManimGL's glow, ManimGL's radial gradient. One test drives the real
check end to end, so the rule reads the message real Manim prints.
"""

from __future__ import annotations

import textwrap

from manim_agent.tools.diagnosis import Diagnosis, Finding
from manim_agent.tools.repairs.registry import RULES, fix_source

RULE_BY_NAME = {rule.name: rule for rule in RULES}


def code(text: str) -> str:
    return textwrap.dedent(text)


def fix(rule: str, source: str, findings: list[Finding]) -> str | None:
    return RULE_BY_NAME[rule].apply(code(source), findings)


def missing(path: str, line: int = 4) -> Finding:
    return Finding(
        stage="dry_run", category="runtime", line=line,
        message=f"OSError: From: /tmp/job, could not find {path} at either of these locations: ['{path}', '{path}.svg'] (in construct)",
    )


ICONS = """\
from manim import *
ICON = "/nowhere/assets/icon/lion.svg"
class Zoo(Scene):
    def construct(self):
        lion = SVGMobject(ICON).set_color(YELLOW)
        box = SVGMobject("/nowhere/assets/icon/box.svg")
        photo = ImageMobject("/nowhere/photo.png").scale(0.5)
        local = SVGMobject("logo.svg")
        self.add(VGroup(lion, box), photo, local)
"""


def test_missing_asset_replaces_every_absent_icon_with_a_placeholder() -> None:
    result = fix("missing-asset", ICONS, [missing("/nowhere/assets/icon/lion.svg")])
    assert result is not None
    assert "lion = Square(side_length=2).set_color(YELLOW)" in result
    assert 'box = Square(side_length=2)\n' in result  # another absolute path that does not exist here
    assert "photo = Square(side_length=2).scale(0.5)" in result
    assert 'local = SVGMobject("logo.svg")' in result  # relative, not blamed: it may exist next to the scene
    assert 'ICON = "/nowhere/assets/icon/lion.svg"' in result


def test_missing_asset_blamed_relative_path_is_replaced() -> None:
    source = 'from manim import *\nclass A(Scene):\n    def construct(self):\n        self.add(SVGMobject("logo.svg"))\n'
    assert fix("missing-asset", source, [missing("logo.svg")]) == (
        "from manim import *\nclass A(Scene):\n    def construct(self):\n        self.add(Square(side_length=2))\n"
    )


def test_missing_asset_needs_the_check_to_blame_a_file() -> None:
    assert fix("missing-asset", ICONS, []) is None
    other = Finding(stage="dry_run", category="runtime", line=5, message="TypeError: unsupported operand")
    assert fix("missing-asset", ICONS, [other]) is None


def test_missing_asset_note_names_the_file() -> None:
    edits = RULE_BY_NAME["missing-asset"].edits(code(ICONS), [missing("/nowhere/assets/icon/lion.svg")])
    assert any("'lion.svg'" in e.note and "placeholder" in e.note for e in edits)


def test_glow_is_dropped_from_chains_and_statements() -> None:
    source = """\
    dot = Dot(radius=0.1).set_glow_factor(2.5)
    title = Text("A").set_stroke(width=1).set_glow_factor(0.5).scale(2)
    dot.set_glow_factor(1)
    """
    assert fix("glow", source, []) == code("""\
    dot = Dot(radius=0.1)
    title = Text("A").set_stroke(width=1).scale(2)
    dot
    """)


def test_glow_leaves_other_calls_alone() -> None:
    assert fix("glow", "dot = Dot().set_color(RED)\n", []) is None


def test_radial_gradient_is_renamed_to_the_ce_method() -> None:
    source = "ring = Annulus(inner_radius=1, outer_radius=2)\nring.set_color_by_radial_gradient(inner_color=BLUE, outer_color=RED)\n"
    assert fix("rename", source, []) == (
        "ring = Annulus(inner_radius=1, outer_radius=2)\nring.set_colors_by_radial_gradient(inner_color=BLUE, outer_color=RED)\n"
    )


def test_fix_source_repairs_all_icons_in_one_round() -> None:
    checked = []

    def check(source: str, *, scene: str | None = None) -> Diagnosis:
        """Like the sandboxed check: fails on the first absolute icon path that does not exist."""
        checked.append(source)
        if "/nowhere/" in source.split("class Zoo", 1)[1]:
            return Diagnosis(ok=False, scene=scene, stage="dry_run", findings=[missing("/nowhere/assets/icon/lion.svg", line=5)])
        return Diagnosis(ok=True, scene=scene, stage="dry_run")

    result = fix_source(code(ICONS), scene="Zoo", check=check)
    assert result.ok and result.rounds == 1
    assert [a.rule for a in result.applied] == ["missing-asset"]
    assert len(checked) == 2
    assert len(result.applied[0].changes) == 3


def test_missing_asset_end_to_end_with_the_real_check() -> None:
    source = code("""\
    from manim import *

    class Icon(Scene):
        def construct(self):
            icon = SVGMobject("/nowhere/at/all/robot.svg").scale(0.5)
            label = Text("Facto", font_size=24).next_to(icon, DOWN)
            self.play(FadeIn(icon), Write(label))
            self.wait(0.5)
    """)
    result = fix_source(source, scene="Icon")
    assert result.initial is not None and not result.initial.ok
    assert "could not find" in result.initial.message
    assert result.ok, result.diagnosis.message
    assert [a.rule for a in result.applied] == ["missing-asset"]
    assert "icon = Square(side_length=2).scale(0.5)" in result.source


def test_scene_updater_drops_the_unused_mobject_parameter() -> None:
    source = """\
    class Balls(ThreeDScene):
        def construct(self):
            balls = []
            def update_physics(mob, dt):
                for b in balls:
                    b.shift(UP * dt)
            self.add_updater(update_physics)
            self.wait(1)
    """
    result = fix("scene-updater", source, [])
    assert result is not None and "def update_physics(dt):" in result
    assert "self.add_updater(update_physics)" in result


def test_scene_updater_leaves_a_used_first_parameter_and_mobject_updaters_alone() -> None:
    used = """\
    class A(Scene):
        def construct(self):
            def follow(mob, dt):
                mob.shift(dt)
            self.add_updater(follow)
    """
    assert fix("scene-updater", used, []) is None
    mobject = """\
    class A(Scene):
        def construct(self):
            dot = Dot()
            def spin(mob, dt):
                dot.rotate(dt)
            dot.add_updater(spin)
    """
    assert fix("scene-updater", mobject, []) is None


def test_move_camera_in_play_becomes_added_anims() -> None:
    source = """\
    self.play(
        MoveAlongPath(sphere, spiral, run_time=4),
        self.move_camera(phi=2*PI, theta=2*PI, run_time=4)
    )
    """
    assert fix("move-camera-in-play", source, []) == (
        "self.move_camera(phi=2*PI, theta=2*PI, run_time=4, added_anims=[MoveAlongPath(sphere, spiral, run_time=4)])\n"
    )


def test_move_camera_in_play_carries_play_keywords_and_keeps_plain_play() -> None:
    source = "self.play(self.move_camera(phi=PI / 3), FadeIn(dot), run_time=2)\n"
    assert fix("move-camera-in-play", source, []) == "self.move_camera(phi=PI / 3, added_anims=[FadeIn(dot)], run_time=2)\n"
    assert fix("move-camera-in-play", "self.play(FadeIn(dot), run_time=2)\n", []) is None


# --- main-guard: a scene defined under `if __name__ == "__main__":` (text2manim's code-llama output) ---

GUARDED = """\
from manim import *

if __name__ == "__main__":

    class Tri(Scene):
        def construct(self):
            # the triangle
            t = Triangle()

            self.play(Create(t))
"""


def _static(source: str, scene: str | None = None) -> list[Finding]:
    from manim_agent.tools.static.checks import run_static_checks

    return run_static_checks(source, scene=scene).findings


def test_a_scene_under_the_main_guard_is_one_manim_cannot_find() -> None:
    [finding] = [f for f in _static(GUARDED) if f.category == "no_scene"]
    assert finding.severity == "error" and finding.line == 5 and (finding.details or {}).get("main_guard")
    assert "never runs when manim imports the file" in finding.message
    assert "move class Tri out of" in (finding.hint or "")
    named = [f for f in _static(GUARDED, scene="Tri") if f.category == "no_scene"]
    assert [f.severity for f in named] == ["error"]
    # Beside a top-level scene that is checked, it only warns.
    both = GUARDED + "\nclass Top(Scene):\n    def construct(self):\n        self.add(Circle())\n"
    assert [(f.category, f.severity) for f in _static(both) if f.category == "no_scene"] == [("no_scene", "warning")]


def test_main_guard_of_definitions_only_is_dedented_whole() -> None:
    findings = [f for f in _static(GUARDED) if f.category == "no_scene"]
    result = fix("main-guard", GUARDED, findings)
    assert result == code("""\
    from manim import *

    class Tri(Scene):
        def construct(self):
            # the triangle
            t = Triangle()

            self.play(Create(t))
    """)
    assert RULE_BY_NAME["main-guard"].apply(result, _static(result)) is None  # idempotent


def test_main_guard_that_renders_keeps_the_call_and_moves_the_class() -> None:
    source = GUARDED + '\n    with tempconfig({"quality": "low_quality"}):\n        Tri().render()\n'
    result = fix("main-guard", source, [f for f in _static(source) if f.category == "no_scene"])
    assert result is not None
    assert result.startswith("from manim import *\n\nclass Tri(Scene):\n    def construct(self):\n")
    assert result.endswith('if __name__ == "__main__":\n\n    with tempconfig({"quality": "low_quality"}):\n        Tri().render()\n')
    assert [f for f in _static(result) if f.category == "no_scene"] == []


def test_main_guard_needs_the_finding() -> None:
    assert fix("main-guard", GUARDED, []) is None


def test_scene_updater_lambda_drops_the_unused_mobject_parameter() -> None:
    # Math-To-Manim Grok_Quantum: self.add_updater(lambda m, dt: self.set_camera_orientation(...))
    source = """\
    class Q(ThreeDScene):
        def construct(self):
            zoom = ValueTracker(2.5)
            self.add_updater(lambda m, dt: self.set_camera_orientation(zoom=zoom.get_value()))
            dot = Dot().add_updater(lambda m, dt: m.shift(dt * UP))
    """
    result = fix("scene-updater", source, [])
    assert result is not None
    assert "self.add_updater(lambda dt: self.set_camera_orientation(zoom=zoom.get_value()))" in result
    assert "Dot().add_updater(lambda m, dt: m.shift(dt * UP))" in result  # a mobject updater gets (mob, dt)
    assert fix("scene-updater", code(result), []) is None
    used = "class A(Scene):\n    def construct(self):\n        self.add_updater(lambda m, dt: m.shift(dt))\n"
    assert fix("scene-updater", used, []) is None


def _name_error(name: str, line: int) -> Finding:
    return Finding(stage="static", category="unknown_api", line=line, message=f"name '{name}' is not defined")


def test_color_name_blends_two_manim_colours_only_where_the_check_blames_them() -> None:
    source = "class A(Scene):\n    def construct(self):\n        s = Square(color=BLUE_GREY)\n        t = Dot(color=GREEN_TEAL)\n        u = Dot(color=COL_CYAN)\n"
    result = fix("color-name", source, [_name_error("BLUE_GREY", 3), _name_error("COL_CYAN", 5)])
    assert result == source.replace("BLUE_GREY", "interpolate_color(BLUE, GREY, 0.5)")  # GREEN_TEAL: not blamed
    assert fix("color-name", source, []) is None


def test_tracing_tail_becomes_traced_path_of_the_mobject_centre() -> None:
    # Manimator CenterOfMassTracking: ManimGL's TracingTail
    source = "class A(Scene):\n    def construct(self):\n        t = TracingTail(dot, time_traced=3, stroke_width=4, stroke_color=RED)\n" \
             "        u = TracingTail(dot.get_center, 2)\n"
    result = fix("tracing-tail", source, [])
    assert result is not None
    assert "t = TracedPath(dot.get_center, dissipating_time=3, stroke_width=4, stroke_color=RED)" in result
    assert "u = TracedPath(dot.get_center, dissipating_time=2)" in result
    assert fix("tracing-tail", result, []) is None


def test_invented_edge_directions_are_renamed() -> None:
    source = "class A(Scene):\n    def construct(self):\n        Line().to_edge(BOTTOM, buff=1)\n        Text('t').to_edge(TOP)\n"
    assert fix("rename", source, []) == source.replace("BOTTOM", "DOWN").replace("TOP", "UP")
    own = "TOP = 3 * UP\n" + source
    assert "to_edge(TOP)" in (fix("rename", own, []) or own)  # a name the file defines is the author's


def test_capitalised_numpy_and_math_constants_are_renamed() -> None:
    # Manimator TheWindingMachine: np.sin(2 * np.PI * t)
    source = "import numpy as np\nimport math\nclass A(Scene):\n    def construct(self):\n        y = np.sin(2 * np.PI * t) + math.PI + np.E\n        z = self.PI + PI\n"
    assert fix("rename", source, []) == source.replace("np.PI", "np.pi").replace("math.PI", "math.pi").replace("np.E", "np.e")
