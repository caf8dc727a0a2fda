"""Past successful runs feed back: the code writer can be shown a verified scene for a close request."""

from __future__ import annotations

from pathlib import Path

import pytest
from agent_fixtures import GOOD_SCENE, SPEC_REPLY, fast_core, fenced, scripted

from manim_agent.agent.make import make_animation
from manim_agent.tools import examples as past_examples
from manim_agent.tools.examples import choose_examples

PENDULUM = """from manim import *


class PendulumPeriod(Scene):
    def construct(self):
        rod = Line(UP * 2, DOWN, color=WHITE)
        self.play(Create(rod))
        self.add(MathTex(r"T = 2\\pi\\sqrt{L/g}").to_edge(DOWN))
"""


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MANIM_AGENT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv(past_examples.ENV, raising=False)
    return tmp_path / "home"


def test_a_past_success_is_chosen_for_a_close_request(home: Path) -> None:
    assert past_examples.record_success(
        "show a simple pendulum swinging and its period", PENDULUM,
        title="The period of a simple pendulum", goal="See why the period depends on the length",
    ) is not None
    chosen = choose_examples("animate a pendulum swinging back and forth, with the formula for its period")
    assert chosen[0].name.startswith("past-run-") and "PendulumPeriod" in chosen[0].code
    far = choose_examples("animate the Gale-Shapley stable matching algorithm round by round")
    assert all(not scene.name.startswith("past-run-") for scene in far)
    assert far[0].name == "gale_shapley"
    # The same scene twice is remembered once.
    assert past_examples.record_success("again", PENDULUM) is None


def test_switched_off_nothing_is_recorded_or_used(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    past_examples.record_success("show a simple pendulum swinging and its period", PENDULUM)
    monkeypatch.setenv(past_examples.ENV, "0")
    chosen = choose_examples("animate a pendulum swinging back and forth, with the formula for its period")
    assert all(not scene.name.startswith("past-run-") for scene in chosen)
    assert past_examples.record_success("another pendulum", PENDULUM.replace("WHITE", "RED")) is None


def test_scripted_runs_are_not_remembered(home: Path, tmp_path: Path, fast_core, scripted) -> None:
    result = make_animation("draw a circle", model=scripted(SPEC_REPLY, fenced(GOOD_SCENE)), mode="pipeline",
                            out_dir=tmp_path / "runs", **fast_core)
    assert result.ok
    assert not (home / "examples" / past_examples.INDEX).exists()
