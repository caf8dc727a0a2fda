"""Narration, offline: each beat's narration spoken with espeak-ng, and the animation timed to it.

Why espeak-ng directly and not manim-voiceover's pyttsx3 service: a `VoiceoverScene` synthesises
inside the scene's own process, which here is the sandboxed check and render (no network, no
imports beyond Manim, a scratch working directory), and it would add manim-voiceover, pyttsx3,
pydub and mutagen to the install. pyttsx3's espeak driver saves to a file through libespeak's
callbacks, which its own tracker reports as unreliable on Linux (`save_to_file` writing nothing,
`runAndWait` hanging on a second call). The espeak-ng command writes a WAV file in one call, from
the parent process, before the scene runs; the timing then follows the VoiceoverScene pattern
without the plugin: where a beat's speech is longer than its animation, the run adds a
`self.wait(...)` before the next beat's marker ("wait for the rest of the speech") and checks the
scene again, which is free. Other TTS services are not wired in (`--voice SERVICE` says so).
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from manim_agent.agent.sections import beat_markers
from manim_agent.errors import ConfigError, MissingDependencyError

VOICES = ("none", "auto", "espeak")
ESPEAK_VOICE = "en-us"
ESPEAK_WPM = 165
SPEECH_PAD = 0.3  # seconds of silence kept after each beat's speech
SAMPLE_RATE = 22050  # espeak-ng's own rate
ESPEAK_INSTALL = "install espeak-ng (apt-get install espeak-ng, or brew install espeak-ng)"


def resolve_voice(voice: str | None) -> tuple[str, str | None]:
    """("espeak" | "none", a warning or None). `espeak` without espeak-ng installed is an error;
    `auto` then goes on silent with a warning that names the package."""
    choice = (voice or "auto").strip().lower()
    if choice in ("espeak-ng", "espeak"):
        choice = "espeak"
    if choice not in VOICES:
        raise ConfigError(
            f"--voice {voice!r} is not available: this build speaks offline with espeak-ng only. "
            "Use --voice espeak (or auto, or none)."
        )
    if choice == "none":
        return "none", None
    if shutil.which("espeak-ng") is None:
        if choice == "espeak":
            raise MissingDependencyError(f"--voice espeak needs the espeak-ng program, which is not installed: {ESPEAK_INSTALL}")
        return "none", f"no narration: espeak-ng is not installed ({ESPEAK_INSTALL}); the video is silent"
    return "espeak", None


def speak(text: str, target: Path, *, voice: str = ESPEAK_VOICE, wpm: int = ESPEAK_WPM) -> float:
    """Speak `text` into the WAV file `target` with espeak-ng; returns its duration in seconds."""
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise MissingDependencyError(f"espeak-ng is not installed: {ESPEAK_INSTALL}")
    target.parent.mkdir(parents=True, exist_ok=True)
    # The text goes on stdin, so nothing in it can be read as an option.
    done = subprocess.run([espeak, "-v", voice, "-s", str(wpm), "-w", str(target), "--stdin"],
                          input=text, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0 or not target.is_file():
        raise MissingDependencyError(f"espeak-ng failed: {done.stderr.strip()[:300] or done.returncode}")
    return wav_duration(target)


def wav_duration(path: Path) -> float:
    with wave.open(str(path), "rb") as handle:
        return handle.getnframes() / float(handle.getframerate())


def _read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as handle:
        rate, width, channels = handle.getframerate(), handle.getsampwidth(), handle.getnchannels()
        data = np.frombuffer(handle.readframes(handle.getnframes()), dtype=np.int16 if width == 2 else np.uint8)
    if width != 2:
        data = ((data.astype(np.int16) - 128) << 8).astype(np.int16)
    if channels > 1:
        data = data.reshape(-1, channels).mean(axis=1).astype(np.int16)
    return data, rate


@dataclass
class BeatSpeech:
    beat: int
    path: Path
    seconds: float


def speak_beats(narrations: dict[int, str], folder: Path) -> dict[int, BeatSpeech]:
    """A WAV per beat with narration (kept across resumes: an existing file is reused)."""
    spoken = {}
    for beat, text in sorted(narrations.items()):
        if not text.strip():
            continue
        target = folder / f"beat-{beat:02d}.wav"
        seconds = wav_duration(target) if target.is_file() else speak(text, target)
        spoken[beat] = BeatSpeech(beat, target, seconds)
    return spoken


def stretch_to_speech(code: str, clock: dict[str, Any], speech: dict[int, BeatSpeech]) -> tuple[str, list[str]]:
    """`code` with a `self.wait(...)` added wherever a beat's speech outlasts its animation.

    The wait goes just before the next beat's marker, or at the end of `construct` for the last
    beat. Returns (new code, notes); the code is unchanged when every beat is long enough.
    """
    markers = {number: (line, indent) for line, number, indent in beat_markers(code)}
    lines = code.splitlines()
    inserts: list[tuple[int, str]] = []  # (insert before this 0-based line index, text)
    notes = []
    beats = clock.get("beats", [])
    for position, window in enumerate(beats):
        spoken = speech.get(int(window["beat"]))
        if spoken is None:
            continue
        missing = spoken.seconds + SPEECH_PAD - (window["end"] - window["start"])
        if missing <= 0.05:
            continue
        extra = round(missing + 0.05, 2)
        following = beats[position + 1]["beat"] if position + 1 < len(beats) else None
        if following is not None and following in markers:
            line, indent = markers[following]
            inserts.append((line - 1, f"{indent}self.wait({extra})  # the narration of beat {window['beat']} goes on"))
        else:
            end = _construct_end(code)
            if end is None:
                continue
            index, indent = end
            inserts.append((index, f"{indent}self.wait({extra})  # the narration of beat {window['beat']} goes on"))
        notes.append(f"beat {window['beat']}: +{extra:g}s so its {spoken.seconds:.2f}s of speech fits")
    for index, text in sorted(inserts, reverse=True):
        lines.insert(index, text)
    new = "\n".join(lines) + ("\n" if code.endswith("\n") else "")
    return (new, notes) if inserts else (code, [])


def _construct_end(code: str) -> tuple[int, str] | None:
    """(0-based index of the line after `construct`'s body, the body's indentation)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == "construct" and node.body:
            first = node.body[0]
            line = code.splitlines()[first.lineno - 1]
            indent = line[: len(line) - len(line.lstrip())]
            return int(node.end_lineno or first.lineno), indent
    return None


def narration_track(clock: dict[str, Any], speech: dict[int, BeatSpeech], duration: float, target: Path) -> Path:
    """A mono WAV of `duration` seconds with each beat's speech placed at the beat's start."""
    rate = SAMPLE_RATE
    track = np.zeros(int(round(duration * rate)) + 1, dtype=np.int32)
    for window in clock.get("beats", []):
        spoken = speech.get(int(window["beat"]))
        if spoken is None:
            continue
        samples, sample_rate = _read_wav(spoken.path)
        if sample_rate != rate:  # espeak-ng writes 22050 Hz; resample anything else linearly
            positions = np.linspace(0, len(samples) - 1, int(len(samples) * rate / sample_rate))
            samples = np.interp(positions, np.arange(len(samples)), samples).astype(np.int16)
        start = int(round(window["start"] * rate))
        piece = samples[: max(0, len(track) - start)]
        track[start : start + len(piece)] += piece
    clipped = np.clip(track, -32768, 32767).astype(np.int16)
    target.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(target), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(clipped.tobytes())
    return target
