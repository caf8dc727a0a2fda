"""Layout findings in the agent: errors go back to the writer, warnings are accepted, runs keep contact sheets."""

from __future__ import annotations

from pathlib import Path

import pytest
from agent_fixtures import GOOD_SCENE, SPEC_REPLY, fast_core, fenced, scripted, stub_check  # fixtures

from manim_agent.agent.attempts import Attempt
from manim_agent.agent.make import make_animation
from manim_agent.tools.diagnosis import Diagnosis, Finding

MOVED = GOOD_SCENE.replace("Circle(radius=1, color=BLUE)", "Circle(radius=1, color=BLUE).shift(UP * 0.5)")
EDIT = """Move the circle up.

<<<<<<< SEARCH
        circle = Circle(radius=1, color=BLUE)
=======
        circle = Circle(radius=1, color=BLUE).shift(UP * 0.5)
>>>>>>> REPLACE
"""


def layout_finding(severity: str) -> Finding:
    return Finding(stage="layout", category="layout", severity=severity,  # type: ignore[arg-type]
                   message="the Text `area` runs off the right edge of the frame by 0.80 units after animation 1 (t=1.00 s)",
                   line=6, hint="move it left by 1.05 units (.shift(1.05 * LEFT))", details={"rule": "off_frame"})


def layout_check(code: str) -> Diagnosis:
    """The stub core's check, plus a layout error for the unmoved circle and a warning for the moved one."""
    diagnosis = stub_check(code)
    if not diagnosis.ok:
        return diagnosis
    if "shift(UP * 0.5)" in code:
        return Diagnosis(True, diagnosis.scene, "dry_run", findings=[layout_finding("warning")])
    return Diagnosis(False, diagnosis.scene, "layout", findings=[layout_finding("error")])


def test_a_layout_error_goes_back_to_the_writer_and_a_warning_is_accepted(tmp_path: Path, fast_core, scripted) -> None:
    model = scripted(SPEC_REPLY, fenced(GOOD_SCENE), EDIT)
    core = {**fast_core, "check": layout_check}
    result = make_animation("draw a circle", model=model, mode="pipeline", out_dir=tmp_path / "runs", **core)
    assert result.ok, result.failure_message()
    first, second = result.attempts
    assert (first["ok"], first["stage"], first["category"], first["line"]) == (False, "layout", "layout", 6)
    assert second["ok"] and "shift(UP * 0.5)" in result.code
    feedback = model.requests[2][-1]["content"]
    assert "[layout] line 6" in feedback and ".shift(1.05 * LEFT)" in feedback


def test_a_layout_failure_ranks_between_a_runtime_error_and_a_scene_that_renders() -> None:
    def attempt(number: int, stage: str, category: str, ok: bool = False) -> Attempt:
        finding = Finding(stage=stage, category=category, message="m")  # type: ignore[arg-type]
        return Attempt(number, "new", "code", Diagnosis(ok, "S", stage, findings=[] if ok else [finding]))  # type: ignore[arg-type]

    runtime, layout, clean = attempt(3, "dry_run", "runtime"), attempt(1, "layout", "layout"), attempt(2, "dry_run", "x", ok=True)
    assert runtime.score() < layout.score() < clean.score()


@pytest.mark.slow
def test_a_real_run_keeps_a_contact_sheet_per_attempt_and_for_the_final_scene(tmp_path: Path, scripted) -> None:
    model = scripted(SPEC_REPLY, fenced(GOOD_SCENE))
    result = make_animation("draw a circle", model=model, mode="pipeline", out_dir=tmp_path / "runs", notes_pdf=False)
    assert result.ok, result.failure_message()
    assert result.contact_sheet == result.run_dir / "contact_sheet.png"
    assert result.contact_sheet.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (result.run_dir / "attempts" / "01" / "contact_sheet.png").is_file()
    assert not (result.run_dir / ".contact_sheets").exists()
    assert result.to_json()["outputs"]["contact_sheet"] == "contact_sheet.png"
