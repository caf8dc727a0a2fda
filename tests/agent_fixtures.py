"""Shared pieces for the agent tests: scripted replies, tiny scenes, and stand-ins for the core.

The stand-ins (`stub_check`, `stub_render`) keep the many loop tests fast; the end-to-end tests
in test_agent_e2e.py use the real sandboxed check and render instead.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from manim_agent.llm.scripted import ScriptedModel
from manim_agent.tools.diagnosis import Diagnosis, Finding

SPEC_REPLY = """Here is the script.

```yaml
title: 'A circle appears'
goal: 'See a circle drawn, then a formula for its area'
definition: 'A circle is the set of points at distance $r$ from a centre.'
key_equations:
  - latex: 'A = \\pi r^2'
    meaning: 'The area of a circle of radius r'
principles:
  - 'Area grows with the square of the radius'
why_it_matters: 'Circles are everywhere in geometry and physics.'
pitfalls:
  - 'Confusing the area $\\pi r^2$ with the circumference $2 \\pi r$'
beats:
  - narration: 'Draw a circle.'
    latex: []
    on_screen: 'A blue circle in the centre'
    position: 'centre'
    colors: [BLUE]
    duration: 1
  - narration: 'Its area is pi r squared.'
    latex: ['A = \\pi r^2']
    on_screen: 'The formula below the circle'
    position: 'below the circle'
    colors: [YELLOW]
    duration: 1
```
"""

GOOD_SCENE = """from manim import *


class CircleAppearsScene(Scene):
    def construct(self):
        circle = Circle(radius=1, color=BLUE)
        self.play(Create(circle), run_time=0.3)
        self.wait(0.1)
"""

# ShowCreation is ManimGL's name: the rule repairs fix it without a model call.
RULE_FIXABLE_SCENE = GOOD_SCENE.replace("Create(circle)", "ShowCreation(circle)")

# A keyword that does not exist: only the model can fix it (no rule applies).
BROKEN_SCENE = GOOD_SCENE.replace("Circle(radius=1, color=BLUE)", "Circle(radius=1, colour=BLUE)")

EDIT_FIX = """The keyword is `color`, not `colour`.

<<<<<<< SEARCH
        circle = Circle(radius=1, colour=BLUE)
=======
        circle = Circle(radius=1, color=BLUE)
>>>>>>> REPLACE
"""

UNSAFE_SCENE = """from manim import *
import os


class LeakScene(Scene):
    def construct(self):
        secret = open(os.path.expanduser("~/.ssh/id_rsa")).read()
        self.add(Text(secret[:10]))
"""

NETWORK_SCENE = """from manim import *
import urllib.request


class FetchScene(Scene):
    def construct(self):
        page = urllib.request.urlopen("http://example.com").read()
        self.add(Text(str(len(page))))
"""


def fenced(code: str) -> str:
    return f"Here is the scene.\n\n```python\n{code}```\n"


def stub_check(code: str) -> Diagnosis:
    """A fast stand-in for check_scene that recognises the faults used in these tests."""
    try:
        ast.parse(code)
    except SyntaxError as exc:
        return Diagnosis(False, None, "static", findings=[Finding("static", "syntax", str(exc.msg), line=exc.lineno)])
    scene = "CircleAppearsScene" if "CircleAppearsScene" in code else None
    for needle, category, message, hint, fixable in [
        ("open(", "unsafe", "the scene reads a file", "scenes may not open files", False),
        ("urllib", "unsafe", "the scene reaches the network", "scenes may not use the network", False),
        (
            "ShowCreation",
            "unknown_api",
            "name 'ShowCreation' is not defined in Manim CE",
            "ShowCreation was renamed Create in Manim CE",
            True,
        ),
        ("colour=", "bad_arguments", "Circle() got an unexpected keyword argument 'colour'", "use color=", False),
    ]:
        if needle in code:
            line = next(i for i, text in enumerate(code.splitlines(), start=1) if needle in text)
            finding = Finding(
                "static",
                category,
                message,
                line=line,
                code_line=code.splitlines()[line - 1],
                hint=hint,
                fixable=fixable,
            )
            return Diagnosis(False, scene, "static", findings=[finding])
    if "class " not in code:
        return Diagnosis(False, None, "static", findings=[Finding("static", "no_scene", "no Scene class")])
    return Diagnosis(True, scene, "dry_run")


def stub_repair(source: str, findings: list[Finding]) -> tuple[str, list[str]]:
    """A stand-in for the rule repairs: renames ShowCreation."""
    if "ShowCreation" in source:
        return source.replace("ShowCreation", "Create"), ["rename"]
    return source, []


class StubRenderResult:
    def __init__(self, ok: bool, outputs: list[Path], diagnosis: Diagnosis | None) -> None:
        self.ok = ok
        self.outputs = outputs
        self.diagnosis = diagnosis


def tiny_video(path: Path, frames: int = 3) -> Path:
    """Write a real, tiny MP4 (solid colours) with PyAV, so last-frame extraction has work to do."""
    import av
    import numpy as np

    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=15)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for index in range(frames):
            image = np.full((48, 64, 3), 40 * index, dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def stub_render(code: str, *, quality: str, fmt: str, out_dir: Path, timeout: float) -> StubRenderResult:
    diagnosis = stub_check(code)
    if not diagnosis.ok:
        return StubRenderResult(False, [], diagnosis)
    return StubRenderResult(True, [tiny_video(Path(out_dir) / "CircleAppearsScene.mp4")], diagnosis)


@pytest.fixture
def fast_core() -> dict[str, Any]:
    """make_animation keyword arguments that swap the core for the stand-ins."""
    return {"check": stub_check, "render": stub_render, "repair": stub_repair, "notes_pdf": False}


@pytest.fixture
def scripted() -> Any:
    """A factory for ScriptedModels priced as deepseek-chat (so cost accounting has numbers)."""

    def build(*responses: Any, **options: Any) -> ScriptedModel:
        options.setdefault("price_as", "deepseek/deepseek-chat")
        return ScriptedModel(list(responses), **options)

    return build
