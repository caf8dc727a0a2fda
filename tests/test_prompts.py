"""Every prompt template renders; a forgotten variable fails loudly (StrictUndefined)."""

from __future__ import annotations

import jinja2
import pytest

from manim_agent import prompt_templates
from manim_agent.agent.notes import notes_data, tex_data
from manim_agent.tools.examples import choose_examples
from manim_agent.tools.expand_prompt import Beat, SceneSpec, expansion_messages
from manim_agent.tools.write_manim_code import new_code_messages, repair_messages

SPEC = SceneSpec(
    title="Derivative as slope",
    goal="See the secant become the tangent",
    beats=[Beat("Draw the curve", ["y = x^2"], "axes and parabola", "centre", ["BLUE"], 4.0)],
    key_equations=[{"latex": r"f'(a) = \lim_{h \to 0} \frac{f(a+h)-f(a)}{h}", "meaning": "slope"}],
    principles=["secants approach the tangent"],
    pitfalls=["forgetting the limit"],
)

# A superset of every template's variables; Jinja ignores the ones a template does not use.
VARIABLES = {
    "request": "show why the derivative is the slope of the tangent",
    "detailed": False,
    "min_beats": 3,
    "max_beats": 8,
    "target_seconds": 40,
    "problem": "Your reply was empty.",
    "manim_version": "0.22.0",
    "renames": [{"old": "ShowCreation", "hint": "ShowCreation was renamed Create in Manim CE"}],
    "class_name": "DerivativeSlopeScene",
    "spec": SPEC.to_markdown(),
    "examples": [{"name": "demo", "summary": "a demo", "code": "from manim import *"}],
    "code": "from manim import *\n",
    "diagnosis": "[unknown_api] line 3: name 'ShowCreation' is not defined",
    "prefer_edits": True,
    "last_line": 120,
    "max_attempts": 5,
    "has_spec": False,
    "resume_note": None,
    "notes": notes_data(SPEC),
    "video": "Scene.mp4",
    "section": {"number": 2, "count": 3, "title": "The tangent", "class_name": "Section02DerivativeSlopeScene",
                "video_title": "Derivative as slope", "first_beat": 3},
    "previous_state": {"source": "measured", "items": ["Axes centred at (0.00, 0.00)", "MathTex 'y = x^2'"]},
    "next_title": "The limit",
    "narrated": False,
}


def all_templates() -> list[tuple[str, str]]:
    return [(name, key) for name in prompt_templates.template_names() for key in prompt_templates.load_templates(name)]


def test_the_prompt_files_are_found() -> None:
    assert {"expand_prompt", "write_code", "orchestrator", "notes"} <= set(prompt_templates.template_names())


@pytest.mark.parametrize(("name", "key"), all_templates())
def test_every_template_renders(name: str, key: str) -> None:
    variables = dict(VARIABLES)
    if name == "notes" and key == "latex":
        variables["notes"] = tex_data(notes_data(SPEC))
    if name == "sections" and key.startswith("notes"):
        part = {"number": 1, "title": "The curve", "rendered": True, "frame": "frames/part-01.png", "start": "0:00",
                "end": "0:04", "beats": notes_data(SPEC)["beats"]}
        base = tex_data(notes_data(SPEC)) if key == "notes_latex" else notes_data(SPEC)
        variables["notes"] = {**base, "parts": [part], "video": "Scene.mp4", "partial": False, "missing": ""}
    text = prompt_templates.render(name, key, **variables)
    assert text.strip()
    assert "{{" not in text and "{%" not in text


def test_a_missing_variable_fails_loudly() -> None:
    with pytest.raises(jinja2.UndefinedError):
        prompt_templates.render("write_code", "repair", code="x")


def test_writer_prompt_states_version_rules_and_examples() -> None:
    messages = new_code_messages(
        SPEC.to_markdown(),
        class_name="DerivativeSlopeScene",
        examples=choose_examples("pythagorean theorem areas proof"),
    )
    system, user = messages[0]["content"], messages[1]["content"]
    assert "Manim Community Edition 0.22" in system
    assert "ShowCreation was renamed Create" in system and "raw string" in system
    assert "named DerivativeSlopeScene" in system
    assert "class PythagoreanAreas(Scene)" in user  # the relevant library example
    assert r"\lim_{h \to 0}" in user  # the LaTeX-rich script itself


def test_repair_prompt_carries_only_code_and_diagnosis() -> None:
    messages = repair_messages("from manim import *\n", "[syntax] line 1: bad")
    text = messages[0]["content"] + messages[1]["content"]
    assert "<<<<<<< SEARCH" in text and "[syntax] line 1: bad" in text
    assert "Example 1" not in text  # no library examples in a repair request


def test_detailed_requests_are_refined_not_replaced() -> None:
    detailed = "\n".join(f"{i}. Beat {i}: show $x^{i}$ in BLUE at the left, then fade it out." for i in range(1, 6))
    user = expansion_messages(detailed)[1]["content"]
    assert "Refine it; do not replace it" in user and detailed in user
    short = expansion_messages("show a circle")[1]["content"]
    assert "Expand this request" in short
