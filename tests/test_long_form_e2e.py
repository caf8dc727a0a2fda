"""Long-form videos end to end: scripted models, the real sandboxed check, the real render, real ffmpeg.

Small scenes at -ql; each section is checked and rendered for real, then stitched."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from long_form_fixtures import (
    LONG_SPEC_REPLY,
    SECTION_ONE,
    SECTION_TWO,
    SECTION_TWO_BROKEN,
    SECTION_TWO_FIX,
    SectionWriter,
    fenced,
)

from manim_agent import cli
from manim_agent.agent.stitch import probe
from manim_agent.agent.subtitles import read_srt
from manim_agent.llm.scripted import ScriptedModel

pytestmark = pytest.mark.slow


def models(writer: SectionWriter, *, expander_replies: int = 1) -> tuple[ScriptedModel, ScriptedModel]:
    expander = ScriptedModel([LONG_SPEC_REPLY] * expander_replies, price_as="deepseek/deepseek-chat")
    return expander, ScriptedModel([writer] * 40, price_as="deepseek/deepseek-chat")


def make_args(expander: ScriptedModel, writer: ScriptedModel, out: Path, *extra: str) -> list[str]:
    return ["make", "a circle, its area, a square and a dot", "--expander-model", expander.model_id,
            "--writer-model", writer.model_id, "--mode", "pipeline", "--out", str(out), "--no-pdf", "--json",
            "--quiet", *extra]


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict, str]:
    code = cli.main(args)
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip().startswith("{") else {}), err


def test_two_sections_are_checked_rendered_and_stitched_without_reencoding(tmp_path: Path, capsys) -> None:
    writer = SectionWriter({1: [fenced(SECTION_ONE)], 2: [fenced(SECTION_TWO)]})
    expander, model = models(writer)
    code, data, err = run_cli(make_args(expander, model, tmp_path, "--sections", "2", "--workers", "2",
                                        "--voice", "none"), capsys)
    assert code == 0, err + json.dumps(data.get("sections"), indent=1)
    run = Path(data["run_dir"])
    assert data["kind"] == "long_form" and data["status"] == "success"
    assert [s["status"] for s in data["sections"]] == ["rendered", "rendered"]
    assert [s["beats"] for s in data["sections"]] == [[1, 2], [3, 4]]
    # Each section is its own run: its own scene file, checked in the sandbox, its own video.
    for number, cls in ((1, "Section01CircleAppearsScene"), (2, "Section02CircleAppearsScene")):
        section = json.loads((run / f"sections/0{number}/run.json").read_text())
        assert section["status"] == "success" and section["attempts"][0]["stage"] in ("dry_run", "layout")
        assert f"class {cls}(Scene)" in (run / f"sections/0{number}/scene.py").read_text()
    video = run / data["outputs"]["video"]
    assert video.name == "CircleAppearsScene.mp4" and ".partial" not in video.name
    assert data["stitch"]["method"] == "copy"  # same codec, size and rate: ffmpeg's concat without re-encoding
    parts = [probe(run / s["video"]).duration for s in data["sections"]]
    assert abs(probe(video).duration - sum(parts)) < 0.15
    # The second section's writer was told where the first one ended (planned or measured).
    prompts = [m for m in model.requests if "Section02CircleAppearsScene" in m[-1]["content"]]
    assert prompts and "Where the previous part ended" in prompts[0][-1]["content"]
    # Subtitles come from the check's animation clock: beat 2 starts after beat 1's 0.4 s + 0.2 s.
    cues = read_srt(run / data["outputs"]["srt"])
    assert [c.text for c in cues] == ["Here is a circle.", "Its area is pi r squared.", "Now a square.",
                                      "And a dot in the middle."]
    assert abs(cues[1].start - 0.6) < 0.07 and abs(cues[2].start - parts[0]) < 0.07
    assert (run / data["outputs"]["vtt"]).read_text().startswith("WEBVTT")
    assert "## Part 2:" in (run / "notes.md").read_text()


def test_a_failed_section_gives_a_partial_video_and_resume_reruns_only_that_section(tmp_path: Path, capsys) -> None:
    writer = SectionWriter({1: [fenced(SECTION_ONE)], 2: [fenced(SECTION_TWO_BROKEN), fenced(SECTION_TWO_BROKEN)]})
    expander, model = models(writer)
    code, data, err = run_cli(make_args(expander, model, tmp_path, "--sections", "2", "--workers", "1",
                                        "--max-attempts", "1", "--section-retries", "0", "--voice", "none"), capsys)
    assert code == 5, err
    run = Path(data["run_dir"])
    assert data["status"] == "partial"
    assert [s["status"] for s in data["sections"]] == ["rendered", "failed"]
    assert "colour" in data["sections"][1]["message"]
    partial = run / data["outputs"]["video"]
    assert partial.name == "CircleAppearsScene.partial.mp4" and partial.is_file()
    first_run_json = (run / "sections/01/run.json").read_text()
    first_video = run / data["sections"][0]["video"]
    first_mtime = first_video.stat().st_mtime_ns

    # Resume: only section 2 is written again (an edit that fixes it), section 1 is left alone.
    writer.replies[2] = [SECTION_TWO_FIX]
    writer.served.clear()
    code, data, err = run_cli(["make", "--resume", str(run), "--json", "--quiet", "--no-pdf"], capsys)
    assert code == 0, err + json.dumps(data.get("sections"), indent=1)
    assert writer.served == [2]
    assert (run / "sections/01/run.json").read_text() == first_run_json
    assert first_video.stat().st_mtime_ns == first_mtime
    assert data["status"] == "success" and not (run / "CircleAppearsScene.partial.mp4").exists()
    assert (run / "CircleAppearsScene.mp4").is_file()


def test_ffmpeg_missing_is_a_clear_error_before_any_work(tmp_path: Path, capsys, monkeypatch) -> None:
    real_which = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None if name in ("ffmpeg", "ffprobe") else real_which(name, *a, **k))
    writer = SectionWriter({})
    expander, model = models(writer)
    args = [a for a in make_args(expander, model, tmp_path, "--sections", "2") if a != "--json"]
    code = cli.main(args)
    out, err = capsys.readouterr()
    assert code == 2 and "ffmpeg is not installed" in err and "apt-get install ffmpeg" in err
    assert expander.calls == 0 and "Traceback" not in err


def _first_frame_times(video: Path) -> dict[str, float]:
    """When each beat's object first shows in the video, found in its pixels (independent of the clock)."""
    import av
    import numpy as np

    found: dict[str, float] = {}
    # Where each beat's object sits at -ql (854 x 480, 60 px a unit): found by place, not colour,
    # because the video's chroma subsampling blurs colours at thin edges.
    def circle(f):  # the first thing on screen
        return (f.max(axis=2) > 40).sum() > 40

    def formula(f):  # below the circle (which ends 1 unit under the centre)
        return (f[int(f.shape[0] * 0.64):].max(axis=2) > 40).sum() > 30

    def square(f):  # at the left edge
        return (f[:, : int(f.shape[1] * 0.18)].max(axis=2) > 40).sum() > 40

    def dot(f):  # in the middle of the circle, which is empty until then
        h, w = f.shape[0] // 2, f.shape[1] // 2
        return (f[h - 5 : h + 5, w - 5 : w + 5].max(axis=2) > 40).sum() > 10

    tests = {"circle": circle, "formula": formula, "square": square, "dot": dot}
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        for frame in container.decode(stream):
            pixels = frame.to_ndarray(format="rgb24")
            for name, test in tests.items():
                if name not in found and test(pixels):
                    found[name] = float(frame.pts * stream.time_base)
    return found


def _speech_onsets(video: Path, starts: list[float]) -> list[float]:
    """The first loud sample at or after each start (minus a little), from the video's own sound track."""
    import av
    import numpy as np

    with av.open(str(video)) as container:
        stream = container.streams.audio[0]
        rate = stream.rate
        samples = np.concatenate([f.to_ndarray().mean(axis=0) for f in container.decode(stream)])
    loud = np.abs(samples) > 0.02 * np.abs(samples).max()
    onsets = []
    for start in starts:
        first = int(max(0.0, start - 0.1) * rate)
        hits = np.flatnonzero(loud[first:])
        onsets.append((first + hits[0]) / rate if hits.size else float("inf"))
    return onsets


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_narration_with_espeak_is_timed_to_the_beats_and_the_subtitles_follow_the_clock(tmp_path: Path) -> None:
    from manim_agent.agent.long_form import make_long_video

    writer = SectionWriter({1: [fenced(SECTION_ONE)], 2: [fenced(SECTION_TWO)]})
    expander, model = models(writer)
    result = make_long_video("a circle, its area, a square and a dot", expander_model=expander, writer_model=model,
                             mode="pipeline", sections=2, workers=2, voice="espeak", out_dir=tmp_path,
                             notes_pdf=False, burn_subtitles=False)
    assert result.status == "success", json.dumps(result.sections, indent=1)
    video = result.video
    media = probe(video)
    audio = [s for s in media.streams if s["codec_type"] == "audio"]
    picture = [s for s in media.streams if s["codec_type"] == "video"]
    assert audio and audio[0]["codec_name"] == "aac"
    assert abs(float(audio[0]["duration"]) - float(picture[0]["duration"])) < 0.5
    cues = read_srt(result.outputs["srt"])
    assert len(cues) == 4
    # espeak's "Here is a circle." lasts longer than beat 1's 0.6 s: a wait was added and checked.
    scene_one = (result.run_dir / "sections/01/scene.py").read_text()
    assert "# the narration of beat 1 goes on" in scene_one
    assert cues[1].start > 0.6 + 0.3
    # Each cue starts within 0.3 s of its beat as the video shows it.
    shown = _first_frame_times(video)
    for cue, name in zip(cues, ["circle", "formula", "square", "dot"]):
        if name == "circle":
            continue  # on screen from the first frame of part 1 and re-added at the start of part 2
        assert abs(shown[name] - cue.start) < 0.3, (name, shown[name], cue.start)
    assert abs(shown["circle"] - cues[0].start) < 0.3
    # The speech starts where its cue does.
    for cue, onset in zip(cues, _speech_onsets(video, [c.start for c in cues])):
        assert abs(onset - cue.start) < 0.3, (cue.text, onset, cue.start)
