"""Study notes for a long-form video: one notes.md / notes.tex / notes.pdf, a part per section.

Each part has its time span in the stitched video, its key frame (the section's last frame,
copied to `frames/part-NN.png`) and its beats; a part that did not render says so and keeps its
script. Rendered from the scene description with the templates in prompt_templates/sections.yaml,
with the same LaTeX safety as the single-scene notes (agent/notes.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from manim_agent import prompt_templates
from manim_agent.agent.notes import NotesResult, _clock, compile_pdf, escape_text, notes_data, safe_math

if TYPE_CHECKING:
    from manim_agent.agent.long_form import LongRun


def long_notes_data(work: LongRun) -> dict[str, Any]:
    """The notes' content: the whole script's notes plus a part per section."""
    assert work.spec is not None
    base = notes_data(work.spec)
    parts = []
    cues = {c.get("beat"): c for c in work.run.state.get("cues") or []}
    frames = work.run.path / "frames"
    for plan in work.plans:
        outcome = work.outcome(plan.number)
        rendered = outcome.get("status") == "rendered"
        frame = None
        source = work.run.path / plan.folder / "last_frame.png"
        if rendered and source.is_file():
            frames.mkdir(exist_ok=True)
            target = frames / f"part-{plan.number:02d}.png"
            shutil.copyfile(source, target)
            frame = f"frames/{target.name}"
        beats = [dict(base["beats"][i]) for i in plan.beats]
        first, last = cues.get(plan.beats[0] + 1), cues.get(plan.beats[-1] + 1)
        parts.append({
            "number": plan.number,
            "title": plan.title,
            "rendered": rendered,
            "frame": frame,
            "start": _clock(first["start"]) if first else beats[0]["start"],
            "end": _clock(last["end"]) if last else beats[-1]["end"],
            "beats": beats,
        })
    outputs = work.run.state.get("outputs") or {}
    missing = [str(p["number"]) for p in parts if not p["rendered"]]
    return {**base, "parts": parts, "video": outputs.get("video"), "partial": bool(missing),
            "missing": "part " + ", ".join(missing) if missing else ""}


def _tex(data: dict[str, Any]) -> dict[str, Any]:
    return {
        **data,
        "title": escape_text(data["title"]),
        "goal": escape_text(data["goal"]),
        "definition": escape_text(data["definition"]),
        "why_it_matters": escape_text(data["why_it_matters"]),
        "principles": [escape_text(p) for p in data["principles"]],
        "pitfalls": [escape_text(p) for p in data["pitfalls"]],
        "key_equations": [{"latex": safe_math(e["latex"]), "meaning": escape_text(e.get("meaning", ""))}
                          for e in data["key_equations"]],
        "parts": [{**part, "title": escape_text(part["title"]),
                   "beats": [{**b, "narration": escape_text(b["narration"]), "on_screen": escape_text(b["on_screen"]),
                              "latex": [safe_math(x) for x in b["latex"]]} for b in part["beats"]]}
                  for part in data["parts"]],
    }


def write_long_notes(work: LongRun) -> NotesResult:
    """notes.md, notes.tex and (with pdflatex, unless --no-pdf) notes.pdf in the run directory."""
    data = long_notes_data(work)
    directory = work.run.path
    markdown = directory / "notes.md"
    markdown.write_text(prompt_templates.render("sections", "notes_markdown", notes=data), encoding="utf-8")
    tex = directory / "notes.tex"
    tex.write_text(prompt_templates.render("sections", "notes_latex", notes=_tex(data)), encoding="utf-8")
    result = NotesResult(markdown=markdown, tex=tex)
    if work.options.notes_pdf:
        extra = [directory / p["frame"] for p in data["parts"] if p["frame"]]
        result.pdf, result.pdf_error = compile_pdf(tex, extra_files=[Path(e) for e in extra])
    return result
