"""`manim-agent export`: verified runs become chat examples; failed or invalid ones are counted, not written."""

from __future__ import annotations

import json
from pathlib import Path

from eval_fixtures import STUB_CORE, scripted_case, write_suite

from manim_agent.cli import main
from manim_agent.evals.runner import EvalOptions, run_suite
from manim_agent.evals.suite import load_suite


def test_export_keeps_the_verified_runs_and_says_why_the_rest_are_left_out(tmp_path: Path, capsys) -> None:
    suite = load_suite(write_suite(tmp_path / "s.yaml", [
        scripted_case("good"),
        scripted_case("missed", expect={"uses": ["Axes"]}),
        scripted_case("never", kind="never"),
        scripted_case("rule", kind="rule"),
    ]))
    out = tmp_path / "eval"
    run_suite(suite, EvalOptions(out=out, workers=2, core=STUB_CORE))
    (out / "cases/scripted/rule/spec.md").unlink()  # an incomplete run directory
    target = tmp_path / "set.jsonl"
    assert main(["export", str(out), str(out / "cases/scripted/good"), "--out", str(target), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["examples"] == 1  # the case given twice is written once
    assert summary["why"] == {"missed an expectation": 1, "did not render": 1, "no spec.md": 1}
    (example,) = [json.loads(line) for line in target.read_text().splitlines()]
    roles = [m["role"] for m in example["messages"]]
    assert roles == ["system", "user", "assistant", "user", "assistant"]
    assert example["messages"][1]["content"] == "draw a circle (good)"
    assert "# A circle appears" in example["messages"][2]["content"]  # the expanded description
    assert "class CircleAppearsScene(Scene)" in example["messages"][4]["content"]  # the code that rendered
    assert example["metadata"]["model"] == "scripted"


def test_export_of_something_that_is_no_run(tmp_path: Path, capsys) -> None:
    assert main(["export", str(tmp_path), "--out", str(tmp_path / "x.jsonl")]) == 2
    assert "is neither a run directory" in capsys.readouterr().err
