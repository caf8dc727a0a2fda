"""The agent's smaller parts: attempt ranking, notes and their LaTeX safety, the scene description,
the progress display."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from agent_fixtures import SPEC_REPLY, fenced
from rich.console import Console

from manim_agent.agent.attempts import AttemptLog
from manim_agent.agent.notes import compile_pdf, escape_text, render_notes_latex, safe_math, write_notes
from manim_agent.agent.progress import RichReporter
from manim_agent.llm.client import ChatClient
from manim_agent.llm.config import RoleModel
from manim_agent.llm.parsing import extract_data
from manim_agent.llm.scripted import ScriptedModel
from manim_agent.tools.diagnosis import Diagnosis, Finding
from manim_agent.tools.expand_prompt import ExpandPromptTool, is_detailed, spec_from_data


def diagnosis(category: str | None, stage: str = "static") -> Diagnosis:
    if category is None:
        return Diagnosis(True, "S", "dry_run")
    return Diagnosis(False, "S", stage, findings=[Finding(stage, category, f"{category} problem", line=3)])  # type: ignore[arg-type]


def test_best_attempt_is_the_one_that_got_furthest() -> None:
    results = iter([diagnosis("runtime", "dry_run"), diagnosis("syntax"), diagnosis("unknown_api")])
    log = AttemptLog(max_attempts=3, check=lambda code: next(results))
    for code in ("a = 1", "b = 2", "c = 3"):
        log.check(code, "new")
    assert log.best.number == 1 and log.passing is None and log.exhausted
    log.record_unusable("no code")
    assert log.best.number == 1  # an unusable reply is never "best"


def test_code_checked_before_is_not_checked_again() -> None:
    calls: list[str] = []

    def check(code: str) -> Diagnosis:
        calls.append(code)
        return diagnosis(None)

    log = AttemptLog(max_attempts=3, check=check)
    first = log.check("x = 1", "new")
    again = log.check("x = 1", "agent")
    assert first is again and calls == ["x = 1"] and log.used == 1


def test_rule_repairs_do_not_spend_the_budget() -> None:
    log = AttemptLog(
        max_attempts=1,
        check=lambda code: (
            diagnosis(None)
            if "Create" in code
            else Diagnosis(
                False, "S", "static", findings=[Finding("static", "unknown_api", "ShowCreation", fixable=True)]
            )
        ),
        repair=lambda code, findings: (code.replace("ShowCreation", "Create"), ["rename"]),
    )
    final = log.check("ShowCreation(c)", "new")
    assert final.ok and final.origin == "repair" and final.parent == 1
    assert log.used == 1 and log.accepted_code("ShowCreation(c)") == "Create(c)"


def test_notes_latex_drops_commands_that_touch_files() -> None:
    assert "omitted" in safe_math(r"\input{/etc/passwd}")
    assert "omitted" in safe_math(r"x \immediate\write18{rm -rf /}")
    assert "omitted" in safe_math(r"\frac{a}{b")  # unbalanced braces would break the whole PDF
    assert safe_math(r"\frac{a}{b} + \int_0^1 x\,dx") == r"\frac{a}{b} + \int_0^1 x\,dx"
    assert escape_text("50% of $x_1$ & more_#") == r"50\% of $x_1$ \& more\_\#"


def spec_with(latex: str):
    data, _ = extract_data(SPEC_REPLY)
    data["beats"][0]["latex"] = [latex]
    spec, _ = spec_from_data(data, "draw a circle")
    return spec


def test_notes_tex_never_contains_unsafe_model_latex() -> None:
    tex = render_notes_latex(spec_with(r"\input{/etc/passwd}"))
    assert r"\input{/etc/passwd}" not in tex and "omitted" in tex


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_notes_pdf_compiles(tmp_path: Path) -> None:
    result = write_notes(spec_with(r"\sum_{k=1}^{n} k = \frac{n(n+1)}{2}"), tmp_path, video="Scene.mp4")
    assert result.pdf_error is None, result.pdf_error
    assert result.pdf.read_bytes()[:4] == b"%PDF"


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_a_pdf_failure_is_reported_not_raised(tmp_path: Path) -> None:
    tex = tmp_path / "notes.tex"
    tex.write_text("\\documentclass{article}\\begin{document}\\undefinedcommand\\end{document}")
    pdf, error = compile_pdf(tex)
    assert pdf is None and "pdflatex failed" in error


def test_detailed_requests_travel_with_the_spec() -> None:
    detailed = "\n".join(f"- Beat {i}: show $x^{i}$ in BLUE, then fade it." for i in range(1, 5))
    assert is_detailed(detailed) and not is_detailed("show a circle")
    data, _ = extract_data(SPEC_REPLY)
    spec, _ = spec_from_data(data, detailed)
    assert spec.detailed_request
    assert "## The original request" in spec.to_markdown() and detailed in spec.to_markdown()


def test_expand_prompt_tool_returns_the_markdown_script() -> None:
    model = ScriptedModel([SPEC_REPLY])
    tool = ExpandPromptTool(ChatClient(RoleModel(model=model.model_id), role="expander"))
    markdown = tool(request="draw a circle")
    assert markdown.startswith("# A circle appears") and "A = \\pi r^2" in markdown


def test_reasoning_is_shown_dimmed_line_by_line() -> None:
    console = Console(record=True, width=100, force_terminal=True, color_system="standard")
    reporter = RichReporter(console)
    reporter.stage("code", "deepseek/deepseek-reasoner")
    reporter.reasoning("writer", "First I place the axes.\nThen the ")
    reporter.reasoning("writer", "tangent line.")
    reporter.attempt(1, 1, 5, "new", True, "Scene 'S' renders cleanly.")
    reporter.close()
    text = console.export_text(clear=False)
    assert "writer is thinking" in text and "First I place the axes." in text and "Then the tangent line." in text
    assert "attempt 1" in text and "1/5 used" in text
    styled = console.export_text(styles=True)
    axes_line = next(line for line in styled.splitlines() if "place the axes" in line)
    assert "\x1b[2m" in axes_line  # ANSI "dim"
