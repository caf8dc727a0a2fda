"""Joining section videos into one with ffmpeg, and the few ffmpeg/ffprobe calls around it.

`stitch(videos, target)` uses ffmpeg's concat demuxer with `-c copy` (no re-encode) when every
input has the same streams (codec, size, frame rate, pixel format; audio codec and rate), which is
the case for sections rendered at one quality and format. Otherwise it re-encodes once with the
concat filter. `mux_audio` puts a narration track under a silent video (video copied), and
`burn_subtitles` draws an .srt into the picture (this one must re-encode).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from manim_agent.errors import MissingDependencyError, RenderError

FFMPEG_TIMEOUT = 600


def require_ffmpeg() -> tuple[str, str]:
    """Paths of ffmpeg and ffprobe; MissingDependencyError that names the package otherwise."""
    ffmpeg, ffprobe = shutil.which("ffmpeg"), shutil.which("ffprobe")
    if ffmpeg is None or ffprobe is None:
        missing = "ffmpeg" if ffmpeg is None else "ffprobe"
        raise MissingDependencyError(
            f"{missing} is not installed, and a video made of sections is stitched with it: "
            "install it (apt-get install ffmpeg, or brew install ffmpeg) and run again; "
            "sections that already rendered are kept and --resume reuses them"
        )
    return ffmpeg, ffprobe


@dataclass
class Probe:
    """What ffprobe says about a media file."""

    duration: float
    streams: list[dict[str, Any]]

    @property
    def has_audio(self) -> bool:
        return any(s.get("codec_type") == "audio" for s in self.streams)

    def signature(self) -> tuple[Any, ...]:
        """The properties that must agree for a concat without re-encoding."""
        keys = ("codec_type", "codec_name", "width", "height", "pix_fmt", "r_frame_rate", "sample_rate", "channels")
        return tuple(tuple(s.get(k) for k in keys) for s in self.streams)


def probe(path: Path) -> Probe:
    """ffprobe's duration and streams of `path`."""
    _, ffprobe = require_ffmpeg()
    done = subprocess.run(
        [ffprobe, "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    if done.returncode != 0:
        raise RenderError(f"ffprobe cannot read {str(path)!r}: {done.stderr.strip()[:300]}")
    data = json.loads(done.stdout or "{}")
    duration = float((data.get("format") or {}).get("duration") or 0.0)
    return Probe(duration, list(data.get("streams") or []))


def _run(command: list[str], what: str) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=FFMPEG_TIMEOUT, check=False)
    except subprocess.TimeoutExpired as exc:
        raise RenderError(f"ffmpeg did not finish {what} within {FFMPEG_TIMEOUT}s") from exc
    if done.returncode != 0:
        tail = " ".join(done.stderr.strip().splitlines()[-3:])[:500]
        raise RenderError(f"ffmpeg failed {what}: {tail}")


def stitch(videos: list[Path], target: Path) -> dict[str, Any]:
    """Join `videos` in order into `target`; returns {"method": "copy"|"reencode", "duration": s}."""
    ffmpeg, _ = require_ffmpeg()
    if not videos:
        raise RenderError("there is no rendered section to stitch")
    probes = [probe(v) for v in videos]
    target.parent.mkdir(parents=True, exist_ok=True)
    if len(videos) == 1:
        shutil.copyfile(videos[0], target)
        return {"method": "copy", "duration": probes[0].duration}
    same = all(p.signature() == probes[0].signature() for p in probes)
    partial = target.with_name(f".{target.stem}.tmp{target.suffix}")
    if same:
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, dir=target.parent) as listing:
            for video in videos:
                quoted = str(video.resolve()).replace("'", "'\\''")
                listing.write(f"file '{quoted}'\n")
        try:
            _run([ffmpeg, "-y", "-v", "error", "-f", "concat", "-safe", "0", "-i", listing.name, "-c", "copy",
                  str(partial)], "joining the sections")
        finally:
            Path(listing.name).unlink(missing_ok=True)
        method = "copy"
    else:
        audio = all(p.has_audio for p in probes)
        inputs: list[str] = []
        for video in videos:
            inputs += ["-i", str(video)]
        streams = "".join(f"[{i}:v:0]" + (f"[{i}:a:0]" if audio else "") for i in range(len(videos)))
        graph = f"{streams}concat=n={len(videos)}:v=1:a={1 if audio else 0}[v]" + ("[a]" if audio else "")
        maps = ["-map", "[v]"] + (["-map", "[a]"] if audio else [])
        _run([ffmpeg, "-y", "-v", "error", *inputs, "-filter_complex", graph, *maps, "-pix_fmt", "yuv420p",
              str(partial)], "joining the sections (re-encoding: their formats differ)")
        method = "reencode"
    partial.replace(target)
    return {"method": method, "duration": probe(target).duration}


def mux_audio(video: Path, audio: Path, target: Path) -> Path:
    """`video` with `audio` as its sound track (the picture is copied, the sound encoded to AAC/Opus)."""
    ffmpeg, _ = require_ffmpeg()
    codec = ["-c:a", "libopus"] if video.suffix == ".webm" else ["-c:a", "aac", "-b:a", "96k"]
    partial = target.with_name(f".{target.stem}.tmp{target.suffix}")
    _run([ffmpeg, "-y", "-v", "error", "-i", str(video), "-i", str(audio), "-map", "0:v:0", "-map", "1:a:0",
          "-c:v", "copy", *codec, str(partial)], "adding the narration")
    partial.replace(target)
    return target


def burn_subtitles(video: Path, subtitles: Path, target: Path) -> Path:
    """`video` with `subtitles` (.srt) drawn into the picture (re-encoded; the sound is copied)."""
    ffmpeg, _ = require_ffmpeg()
    partial = target.with_name(f".{target.stem}.tmp{target.suffix}")
    # The filter's argument is a filter-graph string: escape what it treats specially.
    name = str(subtitles.resolve()).replace("\\", "\\\\").replace(":", "\\:").replace("'", "\\'")
    _run([ffmpeg, "-y", "-v", "error", "-i", str(video), "-vf", f"subtitles='{name}'", "-c:a", "copy",
          "-pix_fmt", "yuv420p", str(partial)], "burning in the subtitles")
    partial.replace(target)
    return target
