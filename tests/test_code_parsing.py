"""Extracting code and edits from model replies, and the problems fed back when that fails."""

from __future__ import annotations

import pytest

from manim_agent.llm.parsing import (
    CUT_OFF_PROBLEM,
    EditBlock,
    apply_edit,
    extract_code,
    extract_data,
    repair_latex_escapes,
)

SCENE = """from manim import *


class Demo(Scene):
    def construct(self):
        dot = Dot(color=BLUE)
        self.play(FadeIn(dot))
        self.wait(0.5)
"""


def test_fenced_code_with_prose_around_it() -> None:
    reply = f"Sure! Here is the scene:\n\n```python\n{SCENE}```\n\nRun it with `manim -pql scene.py Demo`."
    parsed = extract_code(reply)
    assert parsed.ok and parsed.kind == "file"
    assert parsed.code == SCENE


def test_unfenced_code_with_prose_before_and_after() -> None:
    reply = "Here you go.\n" + SCENE + "\nThis scene shows a dot fading in.\nEnjoy!"
    parsed = extract_code(reply)
    assert parsed.ok
    assert parsed.code.strip() == SCENE.strip()
    assert any("prose after" in note for note in parsed.notes)


def test_several_blocks_prefers_the_one_with_the_scene_and_ignores_shell() -> None:
    reply = (
        f"Install:\n```bash\npip install manim\n```\nHelper:\n```python\nRADIUS = 2\n```\nScene:\n```python\n{SCENE}```"
    )
    parsed = extract_code(reply)
    assert parsed.ok
    assert "class Demo(Scene)" in parsed.code and "pip install" not in parsed.code


def test_several_scene_blocks_takes_the_last_complete_revision() -> None:
    first = SCENE.replace("BLUE", "RED")
    reply = f"```python\n{first}```\nActually, use blue:\n```python\n{SCENE}```"
    parsed = extract_code(reply)
    assert parsed.code == SCENE
    assert any("last complete" in note for note in parsed.notes)


def test_blocks_that_only_together_form_the_file_are_joined() -> None:
    reply = "```python\nfrom manim import *\n```\n```python\nclass Demo(Scene):\n    def construct(self):\n        self.wait()\n```"
    parsed = extract_code(reply)
    assert parsed.ok
    assert parsed.code.startswith("from manim import *") and "class Demo(Scene)" in parsed.code


def test_truncated_reply_is_a_clear_problem() -> None:
    cut = SCENE[: SCENE.index("self.play") + 20]
    parsed = extract_code(f"```python\n{cut}", truncated=True)
    assert parsed.code is None
    assert parsed.problem == CUT_OFF_PROBLEM


def test_unclosed_fence_is_a_problem_even_without_the_provider_flag() -> None:
    cut = SCENE[: SCENE.index("FadeIn(") + 7]
    parsed = extract_code(f"```python\n{cut}")
    assert parsed.code is None and "cut off" in parsed.problem


def test_empty_and_prose_only_replies() -> None:
    assert "empty" in extract_code("").problem
    parsed = extract_code("I cannot help with that, but here is an idea: draw a circle.")
    assert parsed.kind == "none" and "no Python code" in parsed.problem


def test_non_python_blocks_only() -> None:
    parsed = extract_code("```bash\nmanim -pql scene.py\n```")
    assert parsed.code is None and "no Python" in parsed.problem


def test_search_replace_edit_applies() -> None:
    reply = "Fix:\n```\n<<<<<<< SEARCH\n        dot = Dot(color=BLUE)\n=======\n        dot = Dot(color=RED)\n>>>>>>> REPLACE\n```"
    parsed = extract_code(reply, previous=SCENE)
    assert parsed.ok and parsed.kind == "edit" and parsed.edits == 1
    assert "Dot(color=RED)" in parsed.code and "Dot(color=BLUE)" not in parsed.code


def test_edit_tolerates_reindented_search_text() -> None:
    reply = "<<<<<<< SEARCH\ndot = Dot(color=BLUE)\nself.play(FadeIn(dot))\n=======\ndot = Dot(color=RED)\nself.play(Create(dot))\n>>>>>>> REPLACE"
    parsed = extract_code(reply, previous=SCENE)
    assert parsed.ok
    assert "        dot = Dot(color=RED)\n        self.play(Create(dot))" in parsed.code


def test_edit_that_does_not_match_says_where_the_closest_lines_are() -> None:
    reply = "<<<<<<< SEARCH\n        dot = Dot(colour=BLUE, radius=2)\n=======\n        dot = Dot()\n>>>>>>> REPLACE"
    parsed = extract_code(reply, previous=SCENE)
    assert parsed.code is None
    assert "does not occur" in parsed.problem
    assert "dot = Dot(color=BLUE)" in parsed.problem  # the closest excerpt, shown to the model
    assert "No edit was applied" in parsed.problem


def test_ambiguous_edit_is_refused() -> None:
    source = "a = 1\nb = 2\na = 1\n"
    updated, reason = apply_edit(source, EditBlock("a = 1", "a = 3"))
    assert updated is None and "matches 2 places" in reason


def test_edits_are_all_or_nothing() -> None:
    reply = (
        "<<<<<<< SEARCH\n        dot = Dot(color=BLUE)\n=======\n        dot = Dot(color=RED)\n>>>>>>> REPLACE\n"
        "<<<<<<< SEARCH\n        self.wait(9)\n=======\n        self.wait(1)\n>>>>>>> REPLACE\n"
    )
    parsed = extract_code(reply, previous=SCENE)
    assert parsed.code is None
    assert "Edit block 2 of 2" in parsed.problem


def test_cut_off_edit_block() -> None:
    reply = "<<<<<<< SEARCH\n        dot = Dot(color=BLUE)\n=======\n        dot = Dot(col"
    parsed = extract_code(reply, previous=SCENE, truncated=True)
    assert parsed.code is None and "cut off" in parsed.problem


def test_edit_without_previous_code() -> None:
    parsed = extract_code("<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE", previous=None)
    assert parsed.code is None and "no previous code" in parsed.problem


@pytest.mark.parametrize(
    "reply",
    [
        "```yaml\ntitle: 'T'\nbeats:\n  - narration: 'n'\n    latex: ['\\frac{a}{b}']\n```",
        '```json\n{"title": "T", "beats": [{"narration": "n", "latex": ["\\\\frac{a}{b}"]}]}\n```',
        '{"title": "T", "beats": [{"narration": "n", "latex": ["\\frac{a}{b}"]}]}',
    ],
)
def test_structured_replies_keep_latex_backslashes(reply: str) -> None:
    data, problem = extract_data(reply)
    assert problem is None
    latex = repair_latex_escapes(data["beats"][0]["latex"][0])
    assert latex == "\\frac{a}{b}"


def test_stray_single_quote_in_yaml_is_repaired() -> None:
    data, problem = extract_data("```yaml\ndefinition: 'The derivative $f'(a)$ is a limit'\nbeats: []\n```")
    assert problem is None
    assert data["definition"] == "The derivative $f'(a)$ is a limit"


def test_unreadable_structured_reply() -> None:
    data, problem = extract_data("```yaml\ntitle: [unclosed\n  - : :\n```")
    assert data is None and "could not be read" in problem


def test_latex_escape_repair() -> None:
    assert repair_latex_escapes("\x0crac{1}{2} + \theta + \nabla f") == "\\frac{1}{2} + \\theta + \\nabla f"


def test_indented_code_after_a_docstring_is_never_dropped_as_prose() -> None:
    # A broken escape deep in the scene must not make the parser cut the file after the class docstring.
    text = 'from manim import *\n\nclass A(Scene):\n    """Doc."""\n    def construct(self):\n        t = Tex("\\underline{x}")\n'
    parsed = extract_code(text)
    assert parsed.code is None or "construct" in parsed.code
