"""Study notes for a run: notes.md always, notes.tex and notes.pdf when pdflatex is installed.

The notes follow the shape of good study notes: the definition, the pertinent equations, the key
principles, a beat-by-beat walk-through that matches the animation (it is built from the same
beats, with their times), why it matters, and the common pitfalls. They are rendered from the
scene description without another model call, so they cannot drift from the animation.

The LaTeX comes from a model, so before it reaches pdflatex, commands that read or write files or
redefine TeX are removed, and pdflatex runs without shell escape and with paranoid file access.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from manim_agent import prompt_templates
from manim_agent.tools.expand_prompt import SceneSpec

PDFLATEX_TIMEOUT = 90
# Control sequences that touch files, the shell or TeX's own machinery: never from a model.
UNSAFE_TEX = re.compile(
    r"\\(input|include|includeonly|openin|openout|read|readline|write|immediate|newread|newwrite|catcode|"
    r"csname|def|edef|gdef|xdef|let|futurelet|usepackage|RequirePackage|documentclass|special|directlua|"
    r"latelua|verbatiminput|lstinputlisting|includegraphics|loop|jobname|scantokens|everyjob|outer|"
    r"pdfobj|pdfliteral|pdffilemoddate|pdffilesize|pdfmdfivesum|end\s*\{document\}|begin\s*\{document\})(?![A-Za-z])"
)
_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_INLINE_MATH = re.compile(r"(\$[^$\n]+\$)")


@dataclass
class NotesResult:
    """The notes files written, and why the PDF is missing if it is."""

    markdown: Path
    tex: Path | None = None
    pdf: Path | None = None
    pdf_error: str | None = None


def balanced(latex: str) -> bool:
    depth = 0
    escaped = False
    for char in latex:
        if escaped:
            escaped = False
            continue
        if char == "\\":
            escaped = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def safe_math(latex: str) -> str:
    """Math from a model, made safe for pdflatex; unsafe or unbalanced math becomes a note instead."""
    latex = latex.strip().strip("$").strip()
    if UNSAFE_TEX.search(latex) or not balanced(latex):
        return r"\text{(equation omitted: it used a command not allowed in notes)}"
    return latex


def escape_text(text: str) -> str:
    """Plain text for LaTeX, keeping inline $...$ math (made safe) intact."""
    parts = []
    for piece in _INLINE_MATH.split(text or ""):
        if piece.startswith("$") and piece.endswith("$") and len(piece) > 2:
            parts.append("$" + safe_math(piece[1:-1]) + "$")
        else:
            parts.append("".join(_SPECIALS.get(ch, ch) for ch in piece))
    return "".join(parts)


def _clock(seconds: float) -> str:
    whole = int(round(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def notes_data(spec: SceneSpec) -> dict[str, Any]:
    """The notes' content from the scene description (Markdown flavour: text as written)."""
    beats = []
    start = 0.0
    for number, beat in enumerate(spec.beats, start=1):
        end = start + beat.duration
        beats.append(
            {
                "number": number,
                "start": _clock(start),
                "end": _clock(end),
                "narration": beat.narration,
                "latex": list(beat.latex),
                "on_screen": beat.on_screen,
            }
        )
        start = end
    equations = list(spec.key_equations)
    if not equations:
        # No equations section from the expander: collect the beats' LaTeX, without repeats.
        seen = []
        for beat in spec.beats:
            seen += [latex for latex in beat.latex if latex not in seen]
        equations = [{"latex": latex, "meaning": ""} for latex in seen[:6]]
    return {
        "title": spec.title,
        "goal": spec.goal,
        "definition": spec.definition or spec.goal,
        "key_equations": equations,
        "principles": spec.principles or [b.narration for b in spec.beats[:3] if b.narration],
        "why_it_matters": spec.why_it_matters or "(The expander gave no note on applications.)",
        "pitfalls": spec.pitfalls,
        "beats": beats,
    }


def tex_data(data: dict[str, Any]) -> dict[str, Any]:
    """The same content escaped for LaTeX."""
    return {
        "title": escape_text(data["title"]),
        "goal": escape_text(data["goal"]),
        "definition": escape_text(data["definition"]),
        "key_equations": [
            {"latex": safe_math(eq["latex"]), "meaning": escape_text(eq.get("meaning", ""))}
            for eq in data["key_equations"]
        ],
        "principles": [escape_text(p) for p in data["principles"]],
        "why_it_matters": escape_text(data["why_it_matters"]),
        "pitfalls": [escape_text(p) for p in data["pitfalls"]],
        "beats": [
            {
                **beat,
                "narration": escape_text(beat["narration"]),
                "on_screen": escape_text(beat["on_screen"]),
                "latex": [safe_math(latex) for latex in beat["latex"]],
            }
            for beat in data["beats"]
        ],
    }


def render_notes_markdown(spec: SceneSpec, *, video: str | None = None) -> str:
    return prompt_templates.render("notes", "markdown", notes=notes_data(spec), video=video)


def render_notes_latex(spec: SceneSpec) -> str:
    return prompt_templates.render("notes", "latex", notes=tex_data(notes_data(spec)))


def compile_pdf(
    tex_path: Path, *, timeout: float = PDFLATEX_TIMEOUT, extra_files: list[Path] | None = None
) -> tuple[Path | None, str | None]:
    """Compile notes.tex next to itself with pdflatex; returns (pdf, None) or (None, reason).

    `extra_files` (key frames, by their path relative to the .tex) are copied next to it first."""
    pdflatex = shutil.which("pdflatex")
    if pdflatex is None:
        return None, "pdflatex is not installed (apt install texlive-latex-extra)"
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "LC_ALL", "TEXMFHOME"}}
    # Paranoid file access: no reading or writing outside the working directory, no dotfiles.
    env.update({"openin_any": "p", "openout_any": "p", "shell_escape": "f"})
    with tempfile.TemporaryDirectory(prefix="manim-agent-notes-") as work:
        shutil.copyfile(tex_path, Path(work) / "notes.tex")
        for extra in extra_files or []:
            relative = extra.relative_to(tex_path.parent)
            (Path(work) / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(extra, Path(work) / relative)
        command = [pdflatex, "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error", "notes.tex"]
        try:
            done = subprocess.run(
                command, cwd=work, env=env, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            return None, f"pdflatex did not finish within {timeout:g}s"
        produced = Path(work) / "notes.pdf"
        if done.returncode != 0 or not produced.is_file():
            errors = [line for line in done.stdout.splitlines() if line.startswith("!")]
            return None, "pdflatex failed: " + ("; ".join(errors[:3]) or f"exit code {done.returncode}")
        target = tex_path.with_suffix(".pdf")
        shutil.copyfile(produced, target)
    return target, None


def write_notes(spec: SceneSpec, directory: Path, *, video: str | None = None, pdf: bool = True) -> NotesResult:
    """Write notes.md, notes.tex and (if pdflatex works) notes.pdf into `directory`."""
    markdown = directory / "notes.md"
    markdown.write_text(render_notes_markdown(spec, video=video), encoding="utf-8")
    tex = directory / "notes.tex"
    tex.write_text(render_notes_latex(spec), encoding="utf-8")
    result = NotesResult(markdown=markdown, tex=tex)
    if pdf:
        result.pdf, result.pdf_error = compile_pdf(tex)
    return result
