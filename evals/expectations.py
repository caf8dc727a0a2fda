"""Judge a case's expectations on its final scene: texts on screen, Manim names used, duration, attempts.

Texts on screen come from the layout check's snapshots (every text and formula visible at the end
of each animation, with its text or TeX), so a formula written in the code but never shown does not
count. Each expectation gives one named verdict: met true/false, or None when it cannot be judged
(no scene rendered, or the check recorded no snapshots).
"""

from __future__ import annotations

import ast
import re
from typing import Any

from manim_agent.evals.suite import Expectations


def _squash(text: str) -> str:
    """Text or TeX without whitespace and the braces/`\\,` spacing that TeX authors vary."""
    text = re.sub(r"\\[,;:! ]", "", text)
    return re.sub(r"[\s{}]", "", text)


def texts_on_screen(layout: dict[str, Any] | None) -> list[str] | None:
    """Every distinct text/TeX the snapshots saw on screen, in order; None without snapshots."""
    if not layout or not layout.get("snapshots"):
        return None
    seen: dict[str, None] = {}
    for snapshot in layout["snapshots"]:
        for unit in snapshot.get("units") or []:
            text = unit.get("text")
            if unit.get("is_text") and isinstance(text, str) and text:
                seen.setdefault(text, None)
    return list(seen)


def duration_of(layout: dict[str, Any] | None) -> float | None:
    """The scene's length in seconds, from the last snapshot's time."""
    if not layout or not layout.get("snapshots"):
        return None
    return float(max(s.get("time") or 0.0 for s in layout["snapshots"]))


def names_used(code: str) -> set[str] | None:
    """Every name and attribute the code mentions (classes built, scenes extended, methods called)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
    return names


def judge(
    expect: Expectations,
    *,
    rendered: bool,
    code: str | None,
    layout: dict[str, Any] | None,
    llm_attempts: int,
) -> list[dict[str, Any]]:
    """One verdict per expectation: {"name", "kind", "met": bool | None, "detail"}."""
    verdicts: list[dict[str, Any]] = []

    def add(kind: str, name: str, met: bool | None, detail: str) -> None:
        verdicts.append({"kind": kind, "name": name, "met": met, "detail": detail})

    texts = texts_on_screen(layout) if rendered else None
    for wanted in expect.on_screen:
        name = f"on_screen: {wanted}"
        if not rendered:
            add("on_screen", name, False, "no scene rendered")
        elif texts is None:
            add("on_screen", name, None, "the check recorded no layout snapshots")
        else:
            needle = _squash(wanted)
            hit = next((t for t in texts if needle and needle in _squash(t)), None)
            if hit is None and needle:
                hit = needle if needle in _squash("".join(texts)) else None
            add("on_screen", name, hit is not None, f"shown as “{hit}”" if hit else f"not among {len(texts)} texts shown")
    used = names_used(code) if (rendered and code) else None
    for wanted in expect.uses:
        name = f"uses: {wanted}"
        if used is None:
            add("uses", name, False, "no scene rendered")
        else:
            add("uses", name, wanted in used, "used" if wanted in used else "not in the code")
    if expect.duration is not None:
        low, high = expect.duration
        name = f"duration: {low if low is not None else '-'}..{high if high is not None else '-'} s"
        seconds = duration_of(layout) if rendered else None
        if not rendered:
            add("duration", name, False, "no scene rendered")
        elif seconds is None:
            add("duration", name, None, "the check recorded no layout snapshots")
        else:
            met = (low is None or seconds >= low) and (high is None or seconds <= high)
            add("duration", name, met, f"{seconds:.2f} s")
    if expect.max_attempts is not None:
        name = f"max_attempts: {expect.max_attempts}"
        met = rendered and llm_attempts <= expect.max_attempts
        add("max_attempts", name, met, f"{llm_attempts} LLM-written version(s)" + ("" if rendered else ", none rendered"))
    return verdicts
