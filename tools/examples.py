"""Past successful runs as examples for the code writer, next to the curated library.

Every `make` run whose scene rendered (with a real model) is remembered under
`$MANIM_AGENT_HOME/examples/`: the scene as `<hash>.py` and one line of `index.jsonl` with the
request and the description's title and goal. `write_manim_code` ranks these with the library
scenes by closeness to the request, so a verified answer to a similar request can be shown to the
writer. On by default; `MANIM_AGENT_PAST_EXAMPLES=0` switches it off (nothing recorded, nothing used).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from manim_agent import settings

ENV = "MANIM_AGENT_PAST_EXAMPLES"
INDEX = "index.jsonl"
MAX_EXAMPLES = 500  # the newest ones, so the ranking stays fast


def enabled() -> bool:
    return os.environ.get(ENV, "1").strip().lower() not in {"0", "false", "off", "no"}


def examples_dir() -> Path:
    return settings.subdir("examples")


def record_success(request: str, code: str, *, title: str = "", goal: str = "", run_dir: Path | None = None) -> Path | None:
    """Remember a scene that rendered; returns its file (None when switched off or already known)."""
    if not enabled() or not code.strip():
        return None
    folder = examples_dir()
    key = hashlib.sha256(code.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    target = folder / f"{key}.py"
    if target.exists():
        return None
    target.write_text(code, encoding="utf-8")
    entry = {"key": key, "request": request.strip()[:2000], "title": title, "goal": goal,
             "run_dir": str(run_dir) if run_dir else None}
    with (folder / INDEX).open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
    return target


def past_examples() -> list[Any]:
    """The remembered scenes as write_manim_code LibraryScene objects (newest last); [] when switched off."""
    if not enabled():
        return []
    from manim_agent.tools.write_manim_code import LibraryScene  # noqa: PLC0415 - avoids an import cycle

    index = Path(os.environ.get("MANIM_AGENT_HOME") or Path.home() / ".manim-agent").expanduser() / "examples" / INDEX
    if not index.is_file():
        return []
    scenes = []
    for line in index.read_text(encoding="utf-8", errors="replace").splitlines()[-MAX_EXAMPLES:]:
        try:
            entry = json.loads(line)
            code = (index.parent / f"{entry['key']}.py").read_text(encoding="utf-8")
        except (ValueError, KeyError, OSError):
            continue  # a torn line or a removed file
        summary = f"A past run that rendered, for the request: {entry.get('request', '')}"
        docstring = "\n".join(str(entry.get(k) or "") for k in ("title", "goal", "request"))
        scenes.append(LibraryScene(f"past-run-{entry['key']}", summary, docstring, [], code))
    return scenes
