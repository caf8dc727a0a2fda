"""The layout check end to end: real Manim in the sandbox, snapshots, rules, contact sheet and vision review."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from manim_agent.llm.scripted import ScriptedModel
from manim_agent.tools.layout.config import LayoutConfig
from manim_agent.tools.render_scene import check_scene
from manim_agent.tools.sandbox import client as sandbox

HEADER = "from manim import *\n\n\n"


def scene(body: str, base: str = "Scene", name: str = "Probe") -> str:
    lines = "\n".join("        " + line for line in body.strip().splitlines())
    return f"{HEADER}class {name}({base}):\n    def construct(self):\n{lines}\n"


def layout_run(source: str, name: str = "Probe", **layout: object) -> dict:
    """The worker's raw result for a check with the layout hook."""
    job = {"mode": "check", "scene": name, "timeout": 60, "hooks": ["layout"],
           "layout": {"config": LayoutConfig().to_json(), **layout}}
    with sandbox.run_job(job, {"scene.py": source}) as result:
        return result


def layout_rules_of(diagnosis) -> list[tuple[str, str]]:
    return sorted((f.details.get("rule"), f.severity) for f in diagnosis.findings if f.category == "layout")


CLEAN = scene('''
title = Text("Circles", font_size=40).to_edge(UP)
circle = Circle(radius=1.5, color=BLUE)
self.play(Write(title), Create(circle), run_time=0.6)
self.wait(0.3)
''')


def test_snapshots_record_units_keyframes_lines_and_the_final_state() -> None:
    result = layout_run(CLEAN)
    assert result["status"] == "ok", result
    layout = result["layout"]
    assert layout["errors"] == [] and layout["seconds"] >= 0
    phases = [s["phase"] for s in layout["snapshots"]]
    assert phases[0] == "start" and phases.count("mid") == 2 and phases.count("end") == 2 and phases[-1] == "final"
    first_end = next(s for s in layout["snapshots"] if s["phase"] == "end")
    assert first_end["index"] == 0 and first_end["line"] == 8 and first_end["animations"] == ["Write", "Create"]
    title, circle = first_end["units"]
    assert (title["kind"], title["text"], title["line"], title["is_text"]) == ("Text", "Circles", 6, True)
    assert title["font"] == pytest.approx(40, abs=0.5) and title["em"] == pytest.approx(40 / 72, abs=0.01)
    assert (circle["kind"], circle["line"]) == ("Circle", 7)
    assert circle["box"] == pytest.approx([-1.5, -1.5, 1.5, 1.5], abs=0.01)
    wait = layout["snapshots"][-2]
    assert wait["wait"] and wait.get("same_as") is not None  # a still wait repeats the snapshot before it
    assert "frames" in layout and layout["frames"] == []  # no contact sheet asked for: nothing drawn


def test_a_clean_scene_passes_with_the_layout_check_and_draws_a_contact_sheet(tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.png"
    diagnosis = check_scene(CLEAN, layout=True, contact_sheet=sheet)
    assert diagnosis.ok and diagnosis.stage == "dry_run" and layout_rules_of(diagnosis) == []
    image = np.asarray(Image.open(sheet).convert("RGB"))
    assert image.shape[1] > 600 and image.max() > 200  # real frames with a drawn circle and title


def test_layout_errors_fail_the_check_with_stage_layout_and_are_outlined_in_red(tmp_path: Path) -> None:
    source = scene('''
formula = MathTex(r"\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}", font_size=60).shift(RIGHT * 5.5)
self.play(Write(formula), run_time=0.5)
self.wait(0.2)
''')
    sheet = tmp_path / "sheet.png"
    diagnosis = check_scene(source, layout=True, contact_sheet=sheet)
    assert not diagnosis.ok and diagnosis.stage == "layout" and diagnosis.category == "layout"
    data = diagnosis.to_json()
    assert data["line"] == 6 and "MathTex" in data["message"] and "right edge" in data["message"]
    assert "move it left by" in data["hint"] and ".shift(" in data["hint"]
    assert "[layout] line 6" in diagnosis.for_model()
    pixels = np.asarray(Image.open(sheet).convert("RGB")).astype(int)
    red = (pixels[:, :, 0] > 200) & (pixels[:, :, 1] < 80) & (pixels[:, :, 2] < 80)
    assert red.sum() > 100  # the outline and the legend


def test_the_layout_check_is_off_unless_asked_for() -> None:
    source = scene('self.play(FadeIn(Text("far away").shift(RIGHT * 12)), run_time=0.3)')
    assert check_scene(source).ok
    assert not check_scene(source, layout=True).ok


def test_warnings_do_not_block_and_a_long_blank_pause_is_one() -> None:
    source = scene('''
first = Text("one", font_size=48)
self.play(FadeIn(first), run_time=0.3)
self.play(FadeOut(first), run_time=0.3)
self.wait(1.5)
self.play(FadeIn(Text("two", font_size=48)), run_time=0.3)
''')
    diagnosis = check_scene(source, layout=True)
    assert diagnosis.ok and layout_rules_of(diagnosis) == [("blank_middle", "warning")]


def test_a_transform_in_progress_never_counts_as_an_overlap() -> None:
    source = scene('''
a = MathTex(r"x^2 + 2x + 1", font_size=60)
b = MathTex(r"(x + 1)^2", font_size=60)
self.play(Write(a), run_time=0.3)
self.play(TransformMatchingTex(a, b), run_time=0.6)
self.play(ReplacementTransform(b, MathTex(r"y", font_size=60)), run_time=0.6)
self.wait(0.2)
''')
    assert check_scene(source, layout=True).ok


def test_3d_scenes_project_through_the_camera_without_false_errors() -> None:
    source = scene('''
self.set_camera_orientation(phi=70 * DEGREES, theta=-40 * DEGREES)
title = Text("A sphere", font_size=40).to_edge(UP)
self.add_fixed_in_frame_mobjects(title)
axes = ThreeDAxes(x_range=[-5, 5], y_range=[-5, 5], z_range=[-3, 3])
sphere = Sphere(radius=1.5, resolution=(8, 6))
self.play(Create(axes), FadeIn(sphere), run_time=0.5)
self.begin_ambient_camera_rotation(rate=0.8)
self.wait(0.8)
self.stop_ambient_camera_rotation()
self.move_camera(phi=0, theta=-90 * DEGREES, run_time=0.4)
''', base="ThreeDScene")
    diagnosis = check_scene(source, layout=True)
    assert diagnosis.ok, diagnosis.for_model()
    assert all(f.severity == "warning" for f in diagnosis.findings)


def test_a_fixed_in_frame_caption_off_the_bottom_of_a_3d_scene_is_an_error() -> None:
    source = scene('''
self.set_camera_orientation(phi=60 * DEGREES, theta=-45 * DEGREES)
caption = Text("six faces", font_size=40).to_edge(DOWN).shift(DOWN * 0.7)
self.add_fixed_in_frame_mobjects(caption)
self.play(FadeIn(Cube(side_length=1.5)), run_time=0.4)
''', base="ThreeDScene")
    diagnosis = check_scene(source, layout=True)
    assert layout_rules_of(diagnosis) == [("off_frame", "error")]
    assert diagnosis.line == 7 and "bottom edge" in diagnosis.message


def test_a_moving_camera_frame_is_followed() -> None:
    source = scene('''
square = Square(side_length=2)
label = Text("unit square", font_size=32).next_to(square, RIGHT, buff=0.3)
self.play(Create(square), Write(label), run_time=0.4)
self.play(self.camera.frame.animate.scale(0.5).move_to(square), run_time=0.4)
''', base="MovingCameraScene")
    diagnosis = check_scene(source, layout=True)
    assert layout_rules_of(diagnosis) == [("off_frame", "error")] and diagnosis.line == 7
    assert "frame x -3.56..3.56" in diagnosis.message


def test_the_layout_settings_reach_the_rules() -> None:
    source = scene('self.play(Write(Text("fine print", font_size=14)), run_time=0.3)')
    assert layout_rules_of(check_scene(source, layout=True)) == [("small_text", "error")]
    relaxed = LayoutConfig.from_mapping({"small_text": {"severity": "warning"}})
    diagnosis = check_scene(source, layout=True, layout_config=relaxed)
    assert diagnosis.ok and layout_rules_of(diagnosis) == [("small_text", "warning")]
    assert check_scene(source, layout=True, layout_config=LayoutConfig.from_mapping({"quality": "k"})).ok


def test_a_scene_that_fails_to_run_gets_no_layout_findings() -> None:
    source = scene('self.play(FadeOut(Circle()), run_time=0.3)\nx = 1 / 0')
    diagnosis = check_scene(source, layout=True)
    assert diagnosis.category == "runtime" and diagnosis.stage == "dry_run" and layout_rules_of(diagnosis) == []


def test_the_vision_review_joins_the_diagnosis_as_warnings(tmp_path: Path) -> None:
    reply = """```yaml
issues:
  - frame: 1
    severity: error
    message: 'the title is hard to read against the circle'
    hint: 'move the title up'
    region: [0.3, 0.0, 0.7, 0.2]
```"""
    model = ScriptedModel([reply], name="vision-test")
    diagnosis = check_scene(CLEAN, layout=True, vision_model="scripted/vision-test")
    [finding] = [f for f in diagnosis.findings if f.details.get("rule") == "vision"]
    assert finding.severity == "warning" and diagnosis.ok  # a model's opinion alone never blocks
    assert "the title is hard to read" in finding.message and finding.hint == "move the title up"
    assert len(finding.details["boxes"]) == 1
    [system, user] = model.requests[0]
    images = [part for part in user["content"] if part["type"] == "image_url"]
    assert 1 <= len(images) <= 4 and images[0]["image_url"]["url"].startswith("data:image/png;base64,")
    assert "Scene Probe" in user["content"][0]["text"] and "issues:" in system["content"]


def test_an_unreadable_vision_reply_is_a_warning_not_a_crash() -> None:
    ScriptedModel(["I think it looks fine!"], name="vision-chatty")
    diagnosis = check_scene(CLEAN, layout=True, vision_model="scripted/vision-chatty")
    assert diagnosis.ok
    assert any("could not be read" in f.message for f in diagnosis.findings if f.details.get("rule") == "vision")


def test_layout_data_survives_json_and_stays_small() -> None:
    result = layout_run(CLEAN, frames=True)
    assert len(json.dumps(result)) < 20_000
    frames = result["layout"]["frames"]
    assert frames and frames[-1]["reason"] == "last"


def test_a_text_moved_off_screen_as_an_exit_is_not_an_error() -> None:
    source = scene('''
word = Text("goodbye", font_size=48)
self.play(Write(word), run_time=0.3)
self.play(word.animate.shift(RIGHT * 10), run_time=0.3)
self.play(FadeIn(Circle()), run_time=0.3)
''')
    diagnosis = check_scene(source, layout=True)
    assert diagnosis.ok and layout_rules_of(diagnosis) == []
