"""Past successful runs as examples for the code writer, next to the curated library.

Every `make` run whose scene rendered (with a real model) is remembered under
`$MANIM_AGENT_HOME/examples/`: the scene as `<hash>.py` and one line of `index.jsonl` with the
request and the description's title and goal. `write_manim_code` ranks these with the library
scenes by closeness to the request, so a verified answer to a similar request can be shown to the
writer. On by default; `MANIM_AGENT_PAST_EXAMPLES=0` switches it off (nothing recorded, nothing used).
"""

from __future__ import annotations

import ast
import functools
import hashlib
import json
import math
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from manim_agent import settings

EXAMPLE_BUDGET_CHARS = 18_000
MAX_EXAMPLES = 2
_STOPWORDS = frozenset(
    "the and for with that this from into then show shows what why how are its their each one two of "
    "to in on a an is as by it be or at animation animate scene manim make draw".split()
)


@dataclass
class Example:
    """A scene shown to the writer as an example: from the curated library, or a past run that rendered."""

    name: str
    summary: str
    docstring: str
    tags: list[str]
    code: str


@functools.lru_cache(maxsize=1)
def library_scenes() -> tuple[Example, ...]:
    """Every library scene with its module docstring and TAGS, read with `ast` (no import, no Manim)."""
    scenes = []
    root = resources.files("manim_agent.scenes")
    for entry in sorted(root.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".py") or entry.name.startswith("_"):
            continue
        code = entry.read_text(encoding="utf-8")
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue
        docstring = ast.get_docstring(tree) or ""
        tags: list[str] = []
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "TAGS" for t in node.targets):
                try:
                    tags = [str(t) for t in ast.literal_eval(node.value)]
                except ValueError:
                    tags = []
        summary = docstring.strip().splitlines()[0] if docstring.strip() else entry.name[:-3]
        scenes.append(Example(entry.name[:-3], summary, docstring, tags, code))
    return tuple(scenes)


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 2 and w not in _STOPWORDS]


def rank_examples(
    text: str, scenes: tuple[Example, ...] | list[Example] | None = None
) -> list[tuple[float, Example]]:
    """Library scenes ordered by closeness to `text`: tag matches weigh most, then shared rare words."""
    scenes = list(library_scenes() if scenes is None else scenes)
    if not scenes:
        return []
    query = set(_words(text))
    lowered = text.lower()
    documents = [set(_words(s.docstring + " " + " ".join(s.tags) + " " + s.name.replace("_", " "))) for s in scenes]
    ranked = []
    for scene, words in zip(scenes, documents):
        score = 0.0
        for tag in scene.tags:
            if tag.lower() in lowered:
                score += 3.0
        for word in query & words:
            containing = sum(1 for d in documents if word in d)
            score += math.log(1 + len(scenes) / containing)
        ranked.append((score, scene))
    ranked.sort(key=lambda pair: (-pair[0], len(pair[1].code)))
    return ranked


def choose_examples(
    text: str, *, limit: int = MAX_EXAMPLES, budget_chars: int = EXAMPLE_BUDGET_CHARS
) -> list[Example]:
    """One or two relevant examples within a size budget: library scenes and past runs that rendered
    (MANIM_AGENT_PAST_EXAMPLES=0 leaves them out); the smallest library
    scene if none is relevant."""
    past = past_examples()
    ranked = rank_examples(text, list(library_scenes()) + past) if past else rank_examples(text)
    chosen: list[Example] = []
    used = 0
    for score, scene in ranked:
        if score <= 0 or len(chosen) >= limit:
            break
        if used + len(scene.code) <= budget_chars:
            chosen.append(scene)
            used += len(scene.code)
    if not chosen and ranked:
        # Nothing is on topic: one small scene still shows the CE API and the house style.
        library = {scene.name for scene in library_scenes()}
        smallest = min((scene for _, scene in ranked if scene.name in library), key=lambda s: len(s.code))
        chosen.append(smallest)
    return chosen

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
    """The remembered scenes as Example objects (newest last); [] when switched off."""
    if not enabled():
        return []
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
        scenes.append(Example(f"past-run-{entry['key']}", summary, docstring, [], code))
    return scenes
