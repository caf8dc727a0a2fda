"""Suite files: the shipped suites load, and every kind of mistake names the file, the case and the field."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from manim_agent.errors import SuiteError
from manim_agent.evals.expectations import judge, texts_on_screen
from manim_agent.evals.suite import Expectations, load_suite

SUITES = Path(__file__).resolve().parent.parent / "evals" / "suites"


def test_the_smoke_suite_is_fully_scripted_and_covers_the_four_outcomes() -> None:
    suite = load_suite(SUITES / "smoke.yaml")
    assert suite.scripted
    assert [c.id for c in suite.cases] == ["first-try", "broken-then-fixed", "rule-fixed", "never-converges"]
    first = suite.cases[0]
    assert first.expect.on_screen == ["A = \\pi r^2"] and first.expect.duration == (0.5, 10)
    assert first.script is not None and first.script.replies[0].startswith("```yaml")


def test_core_suite_spans_four_subjects_and_three_levels() -> None:
    suite = load_suite(SUITES / "core.yaml")
    assert len(suite.cases) >= 30
    topics = Counter(c.topic for c in suite.cases)
    assert set(topics) == {"maths", "physics", "computer science", "chemistry"}
    for topic in topics:
        levels = {c.difficulty for c in suite.cases if c.topic == topic}
        assert levels == {"easy", "medium", "hard"}, topic
    assert not any(c.script for c in suite.cases)  # real requests, for real models


def test_seeds_suite_has_a_request_per_library_scene() -> None:
    suite = load_suite(SUITES / "seeds.yaml")
    library = {p.stem for p in (SUITES.parent.parent / "scenes").glob("*.py") if p.stem != "__init__"}
    assert {c.id for c in suite.cases} == {name.replace("_", "-") for name in library}
    assert all(len(c.prompt.split()) <= 30 for c in suite.cases)  # short plain-English requests


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name: s\ncases: [\n", "not valid YAML at line"),
        ("- just a list\n", "a suite is a YAML mapping"),
        ("name: s\ncases:\n  - id: a\n", "case 'a': field 'prompt': needs a non-empty `prompt`"),
        ("name: s\ncases:\n  - {id: a, prompt: x}\n  - {id: a, prompt: y}\n", "case 'a': field 'id': duplicate id"),
        ("name: s\ncases:\n  - {id: a, prompt: x, expect: {on_scren: [x]}}\n", "case 'a': field 'expect.on_scren': unknown key in expect"),
        ("name: s\ncases:\n  - {id: a, prompt: x, colour: red}\n", "case 'a': field 'colour': unknown key in a case"),
        ("name: s\ncases:\n  - {id: a, prompt: x, difficulty: tricky}\n", "field 'difficulty': must be one of easy, medium, hard"),
        ("name: s\ncases:\n  - {id: a, prompt: x, expect: {duration: [9, 1]}}\n", "field 'expect.duration': the minimum 9 is above"),
        ("name: s\ncases:\n  - {id: a, prompt: x, expect: {max_attempts: 0}}\n", "field 'expect.max_attempts': must be a whole number"),
        ("name: s\ncases:\n  - {id: a, prompt: x, script: {}}\n", "field 'script': give either `replies`"),
        ("name: s\ncases:\n  - {id: a, prompt: x, script: {replies: [1]}}\n", "field 'script.replies[1]': a reply is text"),
        ("name: s\ncases:\n  - {prompt: x}\n", "case '#1': field 'id'"),
        ("cases:\n  - {id: a, prompt: x}\n", "field 'name'"),
        ("name: s\ncases: []\n", "field 'cases': the suite needs a non-empty list"),
    ],
)
def test_each_mistake_is_one_line_naming_file_case_and_field(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(SuiteError) as info:
        load_suite(path)
    message = str(info.value)
    assert message.startswith(str(path) + ": ") and expected in message
    assert "\n" not in message


def test_a_missing_file_is_a_suite_error(tmp_path: Path) -> None:
    with pytest.raises(SuiteError, match="no such file"):
        load_suite(tmp_path / "nope.yaml")


def test_expectations_are_judged_on_what_was_on_screen_not_on_the_code() -> None:
    layout = {"snapshots": [
        {"phase": "end", "time": 0.5, "units": [{"is_text": True, "text": "A = \\pi r^{2}"}, {"kind": "Circle"}]},
        {"phase": "final", "time": 2.5, "units": []},
    ]}
    assert texts_on_screen(layout) == ["A = \\pi r^{2}"]
    code = 'from manim import *\nclass S(Scene):\n    def construct(self):\n        self.add(Circle(), MathTex("E = mc^2"))\n'
    expect = Expectations(on_screen=["A = \\pi r^2", "E = mc^2"], uses=["Circle", "Axes"], duration=(1, 2), max_attempts=1)
    verdicts = {v["name"]: v["met"] for v in judge(expect, rendered=True, code=code, layout=layout, llm_attempts=2)}
    assert verdicts == {
        "on_screen: A = \\pi r^2": True,  # TeX braces and spaces do not matter
        "on_screen: E = mc^2": False,  # in the code, never on screen
        "uses: Circle": True,
        "uses: Axes": False,
        "duration: 1..2 s": False,  # 2.5 s
        "max_attempts: 1": False,
    }
    unknown = judge(Expectations(on_screen=["x"]), rendered=True, code=code, layout=None, llm_attempts=1)
    assert unknown[0]["met"] is None and "no layout snapshots" in unknown[0]["detail"]
    failed = judge(Expectations(on_screen=["x"]), rendered=False, code=None, layout=None, llm_attempts=1)
    assert failed[0]["met"] is False
