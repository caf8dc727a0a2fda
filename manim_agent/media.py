"""Render qualities and output formats: the one definition every front end and layer imports."""

from __future__ import annotations

from typing import Literal

from manim_agent.errors import ConfigError

Quality = Literal["l", "m", "h", "k"]
OutputFormat = Literal["mp4", "gif", "webm", "png"]

QUALITIES: tuple[Quality, ...] = ("l", "m", "h", "k")
FORMATS: tuple[OutputFormat, ...] = ("mp4", "gif", "webm", "png")

# manim's config preset for each `-q` letter (l=480p15 m=720p30 h=1080p60 k=2160p60).
MANIM_QUALITY: dict[Quality, str] = {
    "l": "low_quality",
    "m": "medium_quality",
    "h": "high_quality",
    "k": "fourk_quality",
}
QUALITY_HELP = "l=480p15 m=720p30 h=1080p60 k=2160p60"


def check_quality(quality: str) -> Quality:
    """Return `quality` if it is a known letter, else raise ConfigError naming the choices."""
    if quality not in QUALITIES:
        raise ConfigError(f"unknown quality {quality!r}; choose one of {', '.join(QUALITIES)}")
    return quality


def check_format(fmt: str) -> OutputFormat:
    """Return `fmt` if it is a known output format, else raise ConfigError naming the choices."""
    if fmt not in FORMATS:
        raise ConfigError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return fmt
