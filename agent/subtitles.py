"""Subtitles from the scene's own animation clock (not from speech recognition).

The check's layout snapshot (tools/sandbox/child/layout_snapshot.py) records every `play`/`wait` as it runs:
its start and duration on the scene's clock and the line of the user's file that called it. The
section's code carries `# Beat N` markers (agent/sections.py), so each play belongs to the last
marker above its line, and a beat lasts from its first play's start to the next beat's start.

The check runs at 15 fps and a render at the quality's own rate; Manim gives every animation
ceil(run_time x fps) frames, so the clock is re-quantised to the render's frame rate to say where
each beat starts in the video. `beat_clock` returns those windows; `cues` makes one cue per beat
with its narration; `write_srt`/`write_vtt` write them.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from manim_agent.agent.sections import beat_markers

CHECK_FPS = 15
RENDER_FPS = {"l": 15, "m": 30, "h": 60, "k": 60}
LINE_CHARS = 42


@dataclass
class Cue:
    start: float
    end: float
    text: str
    beat: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"start": round(self.start, 3), "end": round(self.end, 3), "text": self.text, "beat": self.beat}


def plays_from_layout(layout: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The plays and waits of a checked scene, in order: index, start, duration, line, wait."""
    plays = []
    for snap in (layout or {}).get("snapshots") or []:
        if snap.get("phase") == "end" and snap.get("duration") is not None:
            plays.append({"index": snap.get("index"), "start": float(snap.get("start") or 0.0),
                          "duration": float(snap["duration"]), "line": snap.get("line"),
                          "wait": bool(snap.get("wait")), "animations": snap.get("animations") or []})
    return plays


def _frames(seconds: float, fps: int) -> int:
    return max(0, math.ceil(seconds * fps - 1e-6))


def video_times(plays: list[dict[str, Any]], fps: int) -> list[tuple[float, float]]:
    """(start, end) of every play in the rendered video at `fps` (each play is a whole number of frames)."""
    times = []
    frame = 0
    for play in plays:
        frames = _frames(play["duration"], fps)
        times.append((frame / fps, (frame + frames) / fps))
        frame += frames
    return times


def beat_clock(code: str, plays: list[dict[str, Any]], quality: str = "l") -> dict[str, Any]:
    """Each marked beat's window in the video: {"beats": [{"beat", "start", "end", "plays"}], "total", "marked"}.

    A play belongs to the last `# Beat N` marker above its line; plays before the first marker
    belong to the first beat. Without markers the whole scene is one window (marked=False).
    """
    fps = RENDER_FPS.get(quality, CHECK_FPS)
    times = video_times(plays, fps)
    total = times[-1][1] if times else 0.0
    markers = beat_markers(code)
    if not markers:
        return {"beats": [], "total": total, "marked": False, "fps": fps}
    windows: dict[int, dict[str, Any]] = {}
    order: list[int] = []
    for play, (start, end) in zip(plays, times):
        line = play.get("line") or 0
        above = [m for m in markers if m[0] < line]
        beat = above[-1][1] if above else markers[0][1]
        if beat not in windows:
            windows[beat] = {"beat": beat, "start": start, "end": end, "plays": 0}
            order.append(beat)
        windows[beat]["end"] = max(windows[beat]["end"], end)
        windows[beat]["plays"] += 1
    beats = [windows[b] for b in order]
    # A beat lasts until the next one starts (waits between them belong to the earlier beat).
    for current, following in zip(beats, beats[1:]):
        current["end"] = following["start"]
    if beats:
        beats[-1]["end"] = total
    for window in beats:
        window["start"], window["end"] = round(window["start"], 4), round(window["end"], 4)
    return {"beats": beats, "total": round(total, 4), "marked": True, "fps": fps}


def planned_clock(spec: Any, total: float, *, first_beat: int = 1) -> dict[str, Any]:
    """Beat windows from the script's planned durations, scaled to the scene's length (no markers)."""
    durations = [max(float(b.duration), 0.1) for b in spec.beats]
    scale = total / sum(durations) if durations and total > 0 else 1.0
    beats, start = [], 0.0
    for offset, seconds in enumerate(durations):
        end = start + seconds * scale
        beats.append({"beat": first_beat + offset, "start": round(start, 4), "end": round(end, 4), "plays": 0})
        start = end
    return {"beats": beats, "total": round(total, 4), "marked": False, "fps": None}


def cues(clock: dict[str, Any], narration: dict[int, str], *, offset: float = 0.0) -> list[Cue]:
    """One cue per beat that has narration, shifted by `offset` seconds (the section's place in the video)."""
    found = []
    for beat in clock.get("beats", []):
        text = (narration.get(int(beat["beat"])) or "").strip()
        if text and beat["end"] > beat["start"]:
            found.append(Cue(offset + beat["start"], offset + beat["end"], text, int(beat["beat"])))
    return found


def _stamp(seconds: float, separator: str) -> str:
    millis = max(0, int(round(seconds * 1000)))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def _wrapped(text: str) -> str:
    return "\n".join(textwrap.wrap(" ".join(text.split()), LINE_CHARS)) or text


def write_srt(items: list[Cue], path: Path) -> Path:
    blocks = [f"{n}\n{_stamp(c.start, ',')} --> {_stamp(c.end, ',')}\n{_wrapped(c.text)}\n"
              for n, c in enumerate(items, start=1)]
    path.write_text("\n".join(blocks), encoding="utf-8")
    return path


def write_vtt(items: list[Cue], path: Path) -> Path:
    blocks = [f"{_stamp(c.start, '.')} --> {_stamp(c.end, '.')}\n{_wrapped(c.text)}\n" for c in items]
    path.write_text("WEBVTT\n\n" + "\n".join(blocks), encoding="utf-8")
    return path


def read_srt(path: Path) -> list[Cue]:
    """The cues of an .srt file (for tests and for resuming)."""
    found = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        lines = block.strip().splitlines()
        if len(lines) < 2 or "-->" not in lines[1]:
            continue
        start, end = (_seconds(part.strip()) for part in lines[1].split("-->"))
        found.append(Cue(start, end, " ".join(lines[2:])))
    return found


def _seconds(stamp: str) -> float:
    hours, minutes, rest = stamp.replace(",", ".").split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(rest)
