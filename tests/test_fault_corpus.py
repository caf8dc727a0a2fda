"""The fault corpus (evals/faults/): its manifest is consistent, `check` names the category and line
of at least 95% of the faults, and `fix` repairs every fault a deterministic rule covers.

The manifest tests and the runner's scoring tests are fast (no Manim). The two corpus tests run the
real check (static checks plus the sandboxed dry run) on every variant; they take a few minutes.
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import pytest

from manim_agent.errors import InputFileError
from manim_agent.evals.fault_corpus import FAULTS_DIR, MANIFEST, FaultCase, load_corpus, run_corpus
from manim_agent.scenes import library
from manim_agent.tools.diagnosis import CATEGORIES, Diagnosis, Finding
from manim_agent.tools.repairs.registry import RULES, AppliedRule, FixResult

CASES = load_corpus()
MIN_ACCURACY = 0.95


# --- the manifest --------------------------------------------------------------------------------


def test_the_corpus_is_big_enough() -> None:
    assert len(CASES) >= 40


def test_every_listed_file_exists_and_every_variant_is_listed() -> None:
    listed = [c.file for c in CASES]
    assert len(listed) == len(set(listed)), [f for f, n in Counter(listed).items() if n > 1]
    on_disk = sorted(p.name for p in FAULTS_DIR.glob("*.py"))
    assert sorted(listed) == on_disk


def test_every_category_but_layout_appears_at_least_twice() -> None:
    counts = Counter(c.category for c in CASES)
    thin = {category: counts[category] for category in CATEGORIES if category != "layout" and counts[category] < 2}
    assert not thin, f"categories with fewer than 2 cases: {thin}"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_line_points_at_code(case: FaultCase) -> None:
    lines = case.source.split("\n")
    if case.line is None:
        # A null line means no line is at fault: only a file without any Scene, or --scene naming a missing class.
        assert case.category == "no_scene", f"{case.file}: only no_scene cases may have no line"
        return
    assert 1 <= case.line <= len(lines), f"{case.file}: line {case.line} is past the end"
    assert lines[case.line - 1].strip(), f"{case.file}: line {case.line} is blank"


@pytest.mark.parametrize("case", [c for c in CASES if c.category == "syntax"], ids=lambda c: c.name)
def test_syntax_cases_are_labelled_with_the_line_python_reports(case: FaultCase) -> None:
    with pytest.raises(SyntaxError) as raised:
        ast.parse(case.source)
    assert raised.value.lineno == case.line


@pytest.mark.parametrize("case", [c for c in CASES if c.category != "syntax"], ids=lambda c: c.name)
def test_other_cases_are_valid_python(case: FaultCase) -> None:
    ast.parse(case.source)


def test_variants_come_from_library_scenes_and_fix_rules_exist() -> None:
    modules = {s.module for s in library()}
    rules = {r.name for r in RULES}
    assert {c.origin for c in CASES} <= modules, sorted({c.origin for c in CASES} - modules)
    assert {c.fix_rule for c in CASES if c.fix_rule} <= rules, sorted({c.fix_rule for c in CASES if c.fix_rule} - rules)


def test_timeout_cases_set_a_short_limit() -> None:
    # An endless loop otherwise costs the default limit; the corpus must stay fast.
    for case in CASES:
        if case.category == "timeout":
            assert case.timeout is not None and case.timeout <= 10, case.file


def test_a_malformed_manifest_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    bad = tmp_path / "manifest.yaml"
    bad.write_text("- {file: a.py, from: m, category: typo, line: 1, fix_rule: null, note: n}\n")
    with pytest.raises(InputFileError, match="unknown category 'typo'"):
        load_corpus(bad)
    bad.write_text("- {file: missing.py, from: m, category: syntax, line: 1, fix_rule: null, note: n}\n")
    with pytest.raises(InputFileError, match="does not exist"):
        load_corpus(bad)
    assert load_corpus(MANIFEST) == CASES


# --- the runner's scoring, with a scripted check and fix -------------------------------------------


def _diagnosis(category: str, line: int | None) -> Diagnosis:
    finding = Finding(stage="static", category=category, message=f"{category} here", line=line)  # type: ignore[arg-type]
    return Diagnosis(ok=False, scene="S", stage="static", findings=[finding])


def test_runner_scores_category_and_line_separately() -> None:
    cases = CASES[:4]
    wrong_line, wrong_category = cases[1], cases[2]
    answers = {c.path.read_text(encoding="utf-8"): _diagnosis(c.category, c.line) for c in cases}
    answers[wrong_line.source] = _diagnosis(wrong_line.category, (wrong_line.line or 0) + 1)
    answers[wrong_category.source] = _diagnosis("timeout" if wrong_category.category != "timeout" else "syntax", wrong_category.line)
    clean = Diagnosis(ok=True, scene="S", stage="dry_run")
    answers[cases[3].source] = clean

    report = run_corpus(cases, check=lambda source, **_: answers[source], repair=False)

    assert [r.correct for r in report.results] == [True, False, False, False]
    assert [r.category_right for r in report.results] == [True, True, False, False]
    assert report.accuracy == 0.25
    assert report.category_accuracy == 0.5
    text = report.to_markdown()
    assert wrong_line.file in text and wrong_category.file in text
    assert "ok (no fault found)" in text


def test_runner_counts_a_repair_only_when_the_named_rule_made_it_clean() -> None:
    covered = [c for c in CASES if c.fix_rule][:2]
    clean = Diagnosis(ok=True, scene="S", stage="dry_run")

    def check(source: str, **_: object) -> Diagnosis:
        return clean if source.startswith("# fixed") else _diagnosis("unknown_api", 1)

    def fix(source: str, *, scene: str | None = None, check=check) -> FixResult:
        first = check(source, scene=scene)
        rule = covered[0].fix_rule if source == covered[0].source else "some-other-rule"
        new = "# fixed\n" + source
        return FixResult(source=new, applied=[AppliedRule(rule=rule, notes=[(1, "")])],
                         diagnosis=check(new), ok=True, rounds=1, original=source, initial=first)

    report = run_corpus(covered, check=check, fix=fix)

    assert [r.fix.repaired for r in report.fix_results] == [True, False]  # type: ignore[union-attr]
    assert report.fix_success == 0.5
    assert [r.case for r in report.fix_failures] == [covered[1]]


# --- the real check and fix on every variant -------------------------------------------------------


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_check_names_category_and_line_of_the_faults() -> None:
    report = run_corpus(CASES, repair=False)
    assert report.accuracy >= MIN_ACCURACY, report.to_markdown()


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_fix_repairs_every_rule_covered_variant() -> None:
    covered = [c for c in CASES if c.fix_rule]
    assert covered
    report = run_corpus(covered)
    assert not report.fix_failures, report.to_markdown()
