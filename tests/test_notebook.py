"""Results show themselves in a notebook: the video, the outcome and the diagnosis, escaped."""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

import pytest
from agent_fixtures import BROKEN_SCENE, SPEC_REPLY, fenced, tiny_video

from manim_agent.agent.make import MakeResult, make_animation
from manim_agent.llm.scripted import ScriptedModel
from manim_agent.tools.render_scene import check_scene


@pytest.mark.slow
def test_a_failed_run_and_a_check_show_their_diagnosis(tmp_path: Path) -> None:
    result = make_animation("draw a circle", model=ScriptedModel([SPEC_REPLY, fenced(BROKEN_SCENE)]),
                            mode="pipeline", max_attempts=1, out_dir=tmp_path, notes_pdf=False)
    page = result._repr_html_()
    assert "✗ failed" in page and "bad_arguments" in page and "colour" in page and "<video" not in page
    checked = check_scene(BROKEN_SCENE.replace("colour=BLUE", "colour='<b>'"))
    shown = checked._repr_html_()
    assert "bad_arguments" in shown and "&lt;b&gt;" in shown and "<b>'" not in shown  # scene text is escaped


def test_a_rendered_run_embeds_a_playable_video(tmp_path: Path) -> None:
    video = tiny_video(tmp_path / "Scene.mp4")
    result = MakeResult(ok=True, status="success", run_dir=tmp_path, request="r", mode="pipeline", models={},
                        attempts=[{"number": 1}], best_attempt=1, diagnosis=None, usage={}, stages={},
                        outputs={"video": video})
    page = result._repr_html_()
    assert "✓ rendered" in page and "1 attempt(s)" in page
    src = re.search(r'<video controls[^>]* src="data:video/mp4;base64,([^"]+)"', page)
    assert src and base64.b64decode(src.group(1)) == video.read_bytes()
    assert html.escape(str(video)) in page
