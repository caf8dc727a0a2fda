"""MakeAnimationTool: a whole run as a smolagents tool, returning data (real check, scripted models)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from agent_fixtures import BROKEN_SCENE, SPEC_REPLY, fenced
from smolagents import Tool

from manim_agent.agent.make_animation_tool import OUTCOME_KEYS, MakeAnimationTool
from manim_agent.llm.scripted import ScriptedModel

pytestmark = pytest.mark.slow


def test_a_run_that_does_not_render_hands_back_its_code_and_the_real_diagnosis(tmp_path: Path) -> None:
    model = ScriptedModel([SPEC_REPLY, fenced(BROKEN_SCENE)])
    tool = MakeAnimationTool(model=model, mode="pipeline", max_attempts=1, out_dir=tmp_path, notes_pdf=False)
    assert isinstance(tool, Tool) and tool.name == "make_animation" and tool.output_type == "object"
    outcome = tool(request="draw a circle")
    assert set(outcome) == set(OUTCOME_KEYS)
    assert outcome["rendered"] is False and outcome["status"] == "failed" and outcome["video"] is None
    assert outcome["diagnosis"]["category"] == "bad_arguments" and outcome["diagnosis"]["line"] == 6
    assert "colour=BLUE" in outcome["scene_code"]
    assert Path(outcome["run_dir"]).is_absolute() and Path(outcome["scene_path"]).is_file()
    # The text form carries the same data for agents that only read text.
    text = str(outcome)
    assert text.startswith("The animation failed")
    assert json.loads(text.split("\n", 1)[1])["diagnosis"]["category"] == "bad_arguments"
