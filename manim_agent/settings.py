"""Where manim-agent keeps its state, and the defaults every command shares.

All user state lives under one directory, `MANIM_AGENT_HOME` (default `~/.manim-agent`), so tests
can point it at a temporary directory:

- `work/`   one fresh directory per sandboxed check or render, removed afterwards
- `run/`    the warm worker's socket and lock
- `cache/`  the API index of the installed Manim, the shared LaTeX cache, `--cache`'s replies
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_CHECK_TIMEOUT = 19.0  # the tiered check uses all of it; with the command's own start the verdict lands within 20 s
DEFAULT_RENDER_TIMEOUT = 600.0
DEFAULT_MEMORY_MB = 4096
MAX_SOURCE_BYTES = 1_000_000


def home() -> Path:
    """The state directory, created on first use."""
    path = Path(os.environ.get("MANIM_AGENT_HOME") or Path.home() / ".manim-agent").expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def subdir(name: str) -> Path:
    path = home() / name
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return float(value)
    except ValueError:
        from manim_agent.errors import ConfigError

        raise ConfigError(f"{name}={value!r} is not a number") from None
