"""Long-form runs with the fast stand-ins for the core: planning, budget, bad input, timing maths.

The real check and render are in test_long_form_e2e.py; here the control flow is what is tested."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from agent_fixtures import BROKEN_SCENE, stub_check, stub_render, stub_repair
from long_form_fixtures import LONG_SPEC_REPLY, SECTION_ONE, SECTION_TWO, SectionWriter, fenced

from manim_agent import cli
from manim_agent.agent import budget as budget_module
from manim_agent.agent import narration
from manim_agent.agent.budget import Budget, estimate_run
from manim_agent.agent.long_form import make_long_video
from manim_agent.agent.sections import parse_sections, plan_sections
from manim_agent.agent.subtitles import Cue, beat_clock, read_srt, write_srt, write_vtt
from manim_agent.errors import BudgetExceeded, ConfigError, MissingDependencyError, UserError
from manim_agent.llm.config import resolve_model_config
from manim_agent.llm.scripted import ScriptedModel
from manim_agent.tools.expand_prompt import Beat, SceneSpec


def spec_of(*durations: float) -> SceneSpec:
    return SceneSpec("T", "g", [Beat(narration=f"beat {i}", duration=d) for i, d in enumerate(durations, 1)])


def priced(*replies) -> ScriptedModel:
    return ScriptedModel(list(replies), price_as="deepseek/deepseek-chat")


def long_run(tmp_path: Path, expander, writer, **kwargs):
    kwargs.setdefault("voice", "none")
    return make_long_video("a circle, its area, a square and a dot", expander_model=expander, writer_model=writer,
                           mode="pipeline", out_dir=tmp_path, check=stub_check, render=stub_render,
                           repair=stub_repair, notes_pdf=False, **kwargs)


# -- planning ----------------------------------------------------------------------------------
def test_sections_are_contiguous_and_balanced_by_duration() -> None:
    plans, warnings = plan_sections(spec_of(1, 1, 1, 1, 4, 4), 2)
    assert [p.beats for p in plans] == [[0, 1, 2, 3], [4, 5]] and not warnings
    assert [p.class_name for p in plans] == ["Section01TScene", "Section02TScene"]
    plans, warnings = plan_sections(spec_of(2, 2), 5)
    assert [p.beats for p in plans] == [[0], [1]] and "more sections than the script has beats" in warnings[0]


def test_auto_sections_follow_the_length_of_the_script() -> None:
    assert len(plan_sections(spec_of(*[4] * 6), "auto")[0]) == 1  # 24 s
    assert len(plan_sections(spec_of(*[10] * 9), "auto")[0]) == 3  # 90 s
    assert len(plan_sections(spec_of(*[1] * 13), "auto")[0]) == 3  # short beats, but 13 of them


def test_a_script_without_beats_is_a_clear_error() -> None:
    with pytest.raises(UserError, match="no beats"):
        plan_sections(SceneSpec("T", "g", []), 2)


@pytest.mark.parametrize("value", ["0", "many", "-1", "99"])
def test_bad_section_counts_are_refused(value: str) -> None:
    with pytest.raises(UserError, match="--sections"):
        parse_sections(value)


# -- the clock, subtitles, narration timing ----------------------------------------------------
CODE = """from manim import *


class S(Scene):
    def construct(self):
        # Beat 3
        self.play(FadeIn(Dot()), run_time=0.4)
        self.wait(0.2)
        # Beat 4
        self.play(FadeIn(Square()), run_time=0.5)
"""
PLAYS = [{"start": 0.0, "duration": 0.4, "line": 7}, {"start": 0.4, "duration": 0.2, "line": 8},
         {"start": 0.6, "duration": 0.533, "line": 10}]


def test_beats_are_timed_from_the_clock_and_requantised_to_the_render_frame_rate() -> None:
    clock = beat_clock(CODE, PLAYS, "l")
    assert clock["marked"] and [b["beat"] for b in clock["beats"]] == [3, 4]
    assert clock["beats"][0] == {"beat": 3, "start": 0.0, "end": 0.6, "plays": 2}
    assert clock["beats"][1]["start"] == 0.6 and clock["total"] == pytest.approx(1.1333, abs=1e-3)
    # At 60 fps the 0.533 s animation is 32 frames (0.5333 s): every play is a whole number of frames.
    assert beat_clock(CODE, PLAYS, "h")["total"] == pytest.approx(0.6 + 32 / 60, abs=1e-3)


def test_srt_and_vtt_round_trip(tmp_path: Path) -> None:
    cues = [Cue(0.0, 1.25, "first"), Cue(61.5, 63.0, "a second cue that is long enough to wrap onto two lines")]
    srt = write_srt(cues, tmp_path / "a.srt")
    assert "00:01:01,500 --> 00:01:03,000" in srt.read_text()
    assert [(c.start, c.end) for c in read_srt(srt)] == [(0.0, 1.25), (61.5, 63.0)]
    assert write_vtt(cues, tmp_path / "a.vtt").read_text().startswith("WEBVTT\n\n00:00:00.000 --> 00:00:01.250")


def test_a_beat_whose_speech_is_longer_gets_a_wait_before_the_next_marker(tmp_path: Path) -> None:
    clock = beat_clock(CODE, PLAYS, "l")
    speech = {3: narration.BeatSpeech(3, tmp_path / "a.wav", 1.5), 4: narration.BeatSpeech(4, tmp_path / "b.wav", 0.1)}
    timed, notes = narration.stretch_to_speech(CODE, clock, speech)
    lines = timed.splitlines()
    marker = lines.index("        # Beat 4")
    assert lines[marker - 1].strip().startswith("self.wait(1.25)")  # 1.5 + 0.3 pad - 0.6 + 0.05
    assert notes == ["beat 3: +1.25s so its 1.50s of speech fits"]
    compile(timed, "scene.py", "exec")
    # The last beat's extra wait goes at the end of construct.
    speech[4] = narration.BeatSpeech(4, tmp_path / "b.wav", 2.0)
    timed, _ = narration.stretch_to_speech(CODE, clock, speech)
    assert timed.rstrip().splitlines()[-1].strip().startswith("self.wait(")
    compile(timed, "scene.py", "exec")


def test_voice_choices(monkeypatch) -> None:
    real_which = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None if name == "espeak-ng" else real_which(name, *a, **k))
    with pytest.raises(MissingDependencyError, match="apt-get install espeak-ng"):
        narration.resolve_voice("espeak")
    voice, warning = narration.resolve_voice("auto")
    assert voice == "none" and "espeak-ng is not installed" in warning
    with pytest.raises(ConfigError, match="espeak-ng only"):
        narration.resolve_voice("azure")
    assert narration.resolve_voice("none") == ("none", None)


# -- the budget --------------------------------------------------------------------------------
def test_the_estimate_uses_litellms_prices_and_grows_with_sections() -> None:
    config = resolve_model_config(model=priced())
    one = estimate_run("draw a circle", config, mode="pipeline", sections=[3], max_attempts=3,
                       expand={"min_beats": 3, "max_beats": 8, "target_seconds": 40})
    three = estimate_run("draw a circle", config, mode="pipeline", sections=[3, 3, 3], max_attempts=3,
                         expand={"min_beats": 3, "max_beats": 8, "target_seconds": 40})
    assert 0 < one.expected_usd < three.expected_usd < three.worst_usd < 1.0
    assert three.calls == 1 + 2 * 3 and "Estimated cost $" in three.describe()


@pytest.mark.parametrize("flags", [["--max-cost", "0"], ["--max-minutes", "0"]])
def test_a_budget_of_zero_is_refused_before_any_work(tmp_path: Path, capsys, flags) -> None:
    expander = priced(LONG_SPEC_REPLY)
    code = cli.main(["make", "a circle", "--model", expander.model_id, "--sections", "2", "--out", str(tmp_path),
                     "--quiet", *flags])
    err = capsys.readouterr().err
    assert code == 2 and "allows no model call" in err or "leaves no time" in err
    assert expander.calls == 0 and not any(tmp_path.iterdir())


def test_an_estimate_over_budget_stops_before_the_first_call_unless_confirmed(tmp_path: Path) -> None:
    expander, writer = priced(LONG_SPEC_REPLY), priced()
    result = long_run(tmp_path, expander, writer, sections=2, max_cost=0.0001)
    assert result.status == "stopped" and result.exit_code == 6 and expander.calls == 0
    assert "exceeds the budget" in result.data["error"]["message"] and "--yes" in result.data["error"]["message"]
    assert result.data["estimates"][0]["when"] == "before the first call"
    asked = []
    expander2 = priced(LONG_SPEC_REPLY)
    result = long_run(tmp_path / "b", expander2, writer, sections=2, max_cost=0.0001,
                      confirm=lambda q: asked.append(q) or False)
    assert asked and result.status == "stopped" and expander2.calls == 0


def test_the_budget_stops_cleanly_keeps_what_it_has_and_resume_continues(tmp_path: Path) -> None:
    writer_replies = SectionWriter({1: [fenced(SECTION_ONE)], 2: [fenced(SECTION_TWO)]})
    expander, writer = priced(LONG_SPEC_REPLY), priced(*([writer_replies] * 10))
    # Enough for the expander's call, not for a writer's (its prompt carries example scenes).
    result = long_run(tmp_path, expander, writer, sections=2, max_cost=0.0012, confirm=lambda q: True, workers=1)
    assert result.status == "stopped" and result.exit_code == 6, result.data
    assert expander.calls == 1 and writer.calls == 0
    assert "cost budget is reached" in result.message() and "--resume" in result.message()
    assert (result.run_dir / "spec.json").is_file()  # what it had is kept
    assert [s["status"] for s in result.sections] == ["stopped", "stopped"]
    resumed = make_long_video(resume=result.run_dir, max_cost=1.0, check=stub_check, render=stub_render,
                              repair=stub_repair, notes_pdf=False)
    assert resumed.status == "success", resumed.data
    assert expander.calls == 1 and writer.calls == 2  # the spec was not expanded again
    usage = resumed.usage["total"]
    assert usage["calls"] == 3 and usage["cost_usd"] > 0.0012
    assert resumed.data["budget"]["spent_usd"] == pytest.approx(usage["cost_usd"])


def test_the_guard_counts_every_ledger_and_the_time_limit() -> None:
    from manim_agent.llm.client import CallRecord, Ledger

    budget = Budget(max_cost=0.01)
    first, second = budget.track(Ledger()), budget.track(Ledger())
    first.add(CallRecord("writer", "m", cost_usd=0.004))
    second.add(CallRecord("writer", "m", cost_usd=0.007))
    client = resolve_model_config(model=priced()).for_role("writer")

    class Client:
        model, settings, role = client.model, client, "writer"

    with pytest.raises(BudgetExceeded, match="cost budget is reached"):
        budget.guard(Client(), [{"role": "user", "content": "hi"}])
    late = Budget(max_minutes=0.5)
    late.started -= 60
    with pytest.raises(BudgetExceeded, match="time budget"):
        late.guard(Client(), [])
    assert budget_module.validate_limits(None, None) is None


# -- outcomes ----------------------------------------------------------------------------------
def test_sections_that_never_render_end_as_failed_with_their_diagnosis(tmp_path: Path) -> None:
    expander, writer = priced(LONG_SPEC_REPLY), priced(*[fenced(BROKEN_SCENE)] * 10)
    result = long_run(tmp_path, expander, writer, sections=2, max_attempts=1, section_retries=1)
    assert result.status == "failed" and result.exit_code == 1
    assert all(s["status"] == "failed" and "colour" in s["message"] for s in result.sections)
    assert all(s["attempts"] == 2 for s in result.sections)  # one attempt, then one retry alone
    assert "video" not in (result.data.get("outputs") or {})


def test_voice_auto_without_espeak_goes_on_silent_and_says_why(tmp_path: Path, monkeypatch) -> None:
    real_which = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None if name == "espeak-ng" else real_which(name, *a, **k))
    writer_replies = SectionWriter({1: [fenced(SECTION_ONE)]})
    expander, writer = priced(LONG_SPEC_REPLY), priced(*([writer_replies] * 4))
    result = long_run(tmp_path, expander, writer, sections=1, voice="auto")
    assert result.status == "success", result.data
    assert any("espeak-ng is not installed" in w for w in result.warnings)
    assert not (result.run_dir / "audio").exists()
    run_json = json.loads((result.run_dir / "run.json").read_text())
    assert run_json["long_form"]["voice"] == "none"


def test_a_section_spec_keeps_the_video_beat_numbers_and_says_where_the_last_part_ended() -> None:
    from manim_agent.agent.sections import final_state_items, section_spec

    spec = spec_of(1, 1, 1, 1)
    plans, _ = plan_sections(spec, 2)
    layout = {"snapshots": [{"phase": "final", "units": [
        {"kind": "MathTex", "text": "A = \\pi r^2", "box": [-1.0, -2.0, 1.0, -1.5]}, {"kind": "Circle", "box": [-1, -1, 1, 1]}]}]}
    items = final_state_items(layout)
    assert items == ["MathTex 'A = \\\\pi r^2' centred at (0.00, -1.75), 2.00 wide and 0.50 high",
                     "Circle centred at (0.00, 0.00), 2.00 wide and 2.00 high"]
    text = section_spec(spec, plans, 2, {"source": "measured", "items": items}).to_markdown()
    assert "`Section02TScene`" in text and "### Beat 3 " in text and "### Beat 1 " not in text
    assert "part 2 of 2" in text and "as its check measured it" in text and "Circle centred at (0.00, 0.00)" in text
    assert "This is the last part" in text
    first = section_spec(spec, plans, 1, None).to_markdown()
    assert "start from an empty frame" in first and "The next part begins with: beat 3" in first


def test_burning_subtitles_draws_them_into_the_picture(tmp_path: Path) -> None:
    import av
    import numpy as np
    from agent_fixtures import tiny_video

    from manim_agent.agent.stitch import burn_subtitles, probe

    video = tiny_video(tmp_path / "v.mp4", frames=5)
    srt = write_srt([Cue(0.0, 1.0, "HELLO")], tmp_path / "v.srt")
    burned = burn_subtitles(video, srt, tmp_path / "burned.mp4")
    assert probe(burned).duration == pytest.approx(probe(video).duration, abs=0.1)

    def first_frame(path: Path) -> np.ndarray:
        with av.open(str(path)) as container:
            return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)][0].astype(int)

    assert np.abs(first_frame(burned) - first_frame(video)).max() > 50  # text on a black 64x48 frame (blurred at that size)
