"""The final render: every format, partial renders, and outputs named after the scene."""

from __future__ import annotations

from pathlib import Path

import av
import pytest

from manim_agent.errors import ConfigError
from manim_agent.tools.render_scene import render_source

THREE_STEPS = '''from manim import *

class Steps(Scene):
    def construct(self):
        dot = Dot()
        self.play(FadeIn(dot), run_time=0.4)
        self.play(dot.animate.shift(RIGHT), run_time=0.4)
        self.play(dot.animate.shift(UP), run_time=0.4)
'''


def _duration(path: Path) -> float:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return float(stream.frames / stream.average_rate) if stream.frames else float(container.duration or 0) / 1e6


@pytest.mark.parametrize("fmt", ["gif", "webm"])
def test_other_video_formats(tmp_path: Path, fmt: str) -> None:
    result = render_source(THREE_STEPS, fmt=fmt, out_dir=tmp_path)
    assert result.ok, result.to_json()
    [output] = result.outputs
    assert output.name == f"Steps.{fmt}" and output.stat().st_size > 500


def test_upto_animation_renders_a_shorter_video(tmp_path: Path) -> None:
    full = render_source(THREE_STEPS, out_dir=tmp_path / "full")
    partial = render_source(THREE_STEPS, out_dir=tmp_path / "partial", upto_animation=0)
    assert full.ok and partial.ok
    assert _duration(partial.outputs[0]) < _duration(full.outputs[0]) - 0.3


def test_unknown_format_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown format 'avi'"):
        render_source(THREE_STEPS, fmt="avi", out_dir=tmp_path)  # type: ignore[arg-type]
