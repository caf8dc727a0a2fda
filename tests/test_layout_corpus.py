"""The planted layout defects are found (recall) and the scenes library stays free of layout errors (precision)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from manim_agent.errors import InputFileError
from manim_agent.evals.layout_corpus import (
    DEFECTS_DIR,
    RULES,
    DefectCase,
    load_cases,
    run_layout_corpus,
    score_case,
)
from manim_agent.scenes import library
from manim_agent.tools.diagnosis import Diagnosis, Finding
from manim_agent.tools.render_scene import check_scene

CASES = load_cases()


def test_the_corpus_covers_every_rule_with_at_least_twenty_scenes() -> None:
    assert len(CASES) >= 20
    assert {c.rule for c in CASES} == set(RULES)
    listed = {c.file for c in CASES}
    on_disk = {p.name for p in DEFECTS_DIR.glob("*.py")}
    assert listed == on_disk, f"unlisted: {sorted(on_disk - listed)}, missing: {sorted(listed - on_disk)}"


@pytest.mark.parametrize("case", CASES, ids=[c.file for c in CASES])
def test_each_case_is_valid_python_and_its_line_points_at_code(case: DefectCase) -> None:
    tree = ast.parse(case.source)
    assert sum(isinstance(node, ast.ClassDef) for node in tree.body) == 1
    if case.line is not None:
        assert case.source.splitlines()[case.line - 1].strip(), f"{case.file}:{case.line} is blank"


def test_a_malformed_manifest_is_refused(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text("- file: a.py\n  rule: off_frame\n")
    with pytest.raises(InputFileError, match="lacks severity, line, note"):
        load_cases(manifest)
    manifest.write_text("- {file: a.py, rule: nonsense, severity: error, line: 1, note: x}\n")
    with pytest.raises(InputFileError, match="bad rule"):
        load_cases(manifest)


def test_scoring_needs_the_labelled_rule_at_the_labelled_severity() -> None:
    case = CASES[0]
    finding = Finding(stage="layout", category="layout", severity="warning", message="m", line=case.line,
                      details={"rule": case.rule})
    assert not score_case(case, Diagnosis(True, "S", "dry_run", findings=[finding])).found  # labelled an error
    finding.severity = "error"
    result = score_case(case, Diagnosis(False, "S", "layout", findings=[finding]))
    assert result.found and result.line_ok and result.rules == [f"{case.rule}:error"]


@pytest.mark.slow
@pytest.mark.timeout(900)  # 27 sequential checks, each in a fresh sandbox
def test_the_check_finds_at_least_ninety_percent_of_the_planted_defects() -> None:
    report = run_layout_corpus(CASES, library=False)
    missed = [c.case.file for c in report.cases if not c.found]
    assert report.recall >= 0.9, f"recall {report.recall:.0%}; missed {missed}"
    assert not [c.message for c in report.cases if c.message]  # every defect scene renders: only layout is wrong


@pytest.mark.slow
@pytest.mark.parametrize("entry", library(), ids=[s.module for s in library()])
def test_no_library_scene_has_a_layout_error(entry) -> None:
    diagnosis = check_scene(entry.source, filename=entry.path.name, timeout=280, layout=True)
    errors = [f.message for f in diagnosis.findings if f.severity == "error"]
    assert diagnosis.ok and not errors, errors
    assert all(f.details.get("rule") != "layout_check" for f in diagnosis.findings)  # the recording did not break
