"""The fault corpus: broken variants of the library scenes, each labelled with its fault, and a runner
that measures how well `check` locates the faults and how well `fix` repairs them.

Every variant in `evals/faults/` is a library scene trimmed to a few animations and then broken in
one realistic way (a ManimGL name, an old keyword, a LaTeX string Python mangled, an endless loop,
...). `faults/manifest.yaml` says, per file, the category and line a careful reader would blame and,
when a deterministic repair covers the fault, the rule that should repair it.

`run_corpus` returns a `CorpusReport`: per-case results, accuracy (category and line both right),
category-only accuracy, and the repair outcome of every rule-covered case. `to_markdown()` renders it
for people; `benchmarks/fault_accuracy.py` prints it and `tests/test_fault_corpus.py` asserts on it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from manim_agent.errors import InputFileError
from manim_agent.tools.diagnosis import CATEGORIES, Diagnosis

FAULTS_DIR = Path(__file__).resolve().parent / "faults"
MANIFEST = FAULTS_DIR / "manifest.yaml"
# A variant is trimmed to run in a few seconds; this bounds a case whose fault the check misses.
DEFAULT_CASE_TIMEOUT = 20.0

_REQUIRED_KEYS = ("file", "from", "category", "line", "fix_rule", "note")
_OPTIONAL_KEYS = ("timeout", "scene")

CheckFunction = Callable[..., Diagnosis]
FixFunction = Callable[..., Any]


@dataclass(frozen=True)
class FaultCase:
    """One broken variant and its label: where the fault is and which rule (if any) repairs it."""

    file: str
    path: Path
    origin: str  # the library module the variant was derived from (the manifest's `from`)
    category: str
    line: int | None
    fix_rule: str | None
    note: str
    timeout: float | None = None
    scene: str | None = None

    @property
    def source(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def name(self) -> str:
        return Path(self.file).stem


def load_corpus(manifest: str | Path | None = None) -> list[FaultCase]:
    """Read the manifest; returns the cases in manifest order.

    Raises InputFileError when the manifest is malformed or names a file that does not exist.
    """
    path = Path(manifest) if manifest is not None else MANIFEST
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputFileError(f"cannot read the fault manifest {str(path)!r}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise InputFileError(f"the fault manifest {str(path)!r} is not valid YAML: {exc}") from exc
    if not isinstance(entries, list):
        raise InputFileError(f"the fault manifest {str(path)!r} must be a list of entries")
    cases = []
    for index, entry in enumerate(entries, 1):
        cases.append(_case(entry, index, path.parent))
    return cases


def _case(entry: Any, index: int, folder: Path) -> FaultCase:
    where = f"manifest entry {index}"
    if not isinstance(entry, dict):
        raise InputFileError(f"{where} is not a mapping")
    missing = [k for k in _REQUIRED_KEYS if k not in entry]
    unknown = [k for k in entry if k not in _REQUIRED_KEYS + _OPTIONAL_KEYS]
    if missing or unknown:
        raise InputFileError(f"{where} ({entry.get('file')!r}): missing keys {missing}, unknown keys {unknown}")
    if entry["category"] not in CATEGORIES:
        raise InputFileError(f"{where} ({entry['file']!r}): unknown category {entry['category']!r}")
    line = entry["line"]
    if line is not None and (not isinstance(line, int) or line < 1):
        raise InputFileError(f"{where} ({entry['file']!r}): line must be a positive integer or null")
    path = folder / entry["file"]
    if not path.is_file():
        raise InputFileError(f"{where}: {str(path)!r} does not exist")
    timeout = entry.get("timeout")
    return FaultCase(
        file=entry["file"],
        path=path,
        origin=entry["from"],
        category=entry["category"],
        line=line,
        fix_rule=entry["fix_rule"],
        note=entry["note"],
        timeout=float(timeout) if timeout is not None else None,
        scene=entry.get("scene"),
    )


@dataclass
class FixOutcome:
    """What `fix` made of a rule-covered case: whether the result checks clean and which rules ran."""

    ok: bool
    rules: list[str]
    expected_rule: str
    message: str
    seconds: float

    @property
    def rule_applied(self) -> bool:
        return self.expected_rule in self.rules

    @property
    def repaired(self) -> bool:
        """Clean after the repair, and the manifest's rule was among the rules that fired."""
        return self.ok and self.rule_applied


@dataclass
class CaseResult:
    """The check's verdict on one case, compared with the label."""

    case: FaultCase
    ok: bool  # the check called the scene clean (always a miss: every variant is broken)
    category: str | None
    line: int | None
    message: str
    seconds: float
    stage: str | None = None
    fix: FixOutcome | None = None

    @property
    def category_right(self) -> bool:
        return not self.ok and self.category == self.case.category

    @property
    def line_right(self) -> bool:
        return not self.ok and self.line == self.case.line

    @property
    def correct(self) -> bool:
        return self.category_right and self.line_right


@dataclass
class CorpusReport:
    """Every case's result and the figures derived from them."""

    results: list[CaseResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def accuracy(self) -> float:
        """Share of cases whose category and line are both right."""
        return _share(r.correct for r in self.results)

    @property
    def category_accuracy(self) -> float:
        """Share of cases whose category is right, whatever the line."""
        return _share(r.category_right for r in self.results)

    @property
    def failures(self) -> list[CaseResult]:
        return [r for r in self.results if not r.correct]

    @property
    def fix_results(self) -> list[CaseResult]:
        return [r for r in self.results if r.fix is not None]

    @property
    def fix_failures(self) -> list[CaseResult]:
        return [r for r in self.fix_results if not r.fix.repaired]  # type: ignore[union-attr]

    @property
    def fix_success(self) -> float:
        return _share(r.fix.repaired for r in self.fix_results)  # type: ignore[union-attr]

    def per_category(self) -> dict[str, dict[str, int]]:
        """category -> {"cases", "category_right", "correct"}, in the contract's order."""
        table: dict[str, dict[str, int]] = {}
        for category in CATEGORIES:
            rows = [r for r in self.results if r.case.category == category]
            if rows:
                table[category] = {
                    "cases": len(rows),
                    "category_right": sum(r.category_right for r in rows),
                    "correct": sum(r.correct for r in rows),
                }
        return table

    def to_json(self) -> dict[str, Any]:
        return {
            "cases": len(self.results),
            "accuracy": round(self.accuracy, 4),
            "category_accuracy": round(self.category_accuracy, 4),
            "per_category": self.per_category(),
            "fix_cases": len(self.fix_results),
            "fix_success": round(self.fix_success, 4),
            "seconds": round(self.seconds, 1),
            "results": [
                {
                    "file": r.case.file,
                    "expected": {"category": r.case.category, "line": r.case.line},
                    "got": {"ok": r.ok, "category": r.category, "line": r.line, "stage": r.stage},
                    "correct": r.correct,
                    "message": r.message,
                    "seconds": round(r.seconds, 2),
                    "fix": None
                    if r.fix is None
                    else {"rule": r.fix.expected_rule, "ok": r.fix.ok, "rules": r.fix.rules, "repaired": r.fix.repaired},
                }
                for r in self.results
            ],
        }

    def to_markdown(self) -> str:
        """The report as Markdown: headline figures, a per-category table, failures, repairs."""
        out = [
            "# Fault corpus",
            "",
            f"- cases: {len(self.results)}",
            f"- accuracy (category and line right): {_pct(self.accuracy)} ({sum(r.correct for r in self.results)}/{len(self.results)})",
            f"- category-only accuracy: {_pct(self.category_accuracy)} ({sum(r.category_right for r in self.results)}/{len(self.results)})",
            f"- repaired by `fix` (rule-covered cases): {self._fix_summary()}",
            f"- total time: {self.seconds:.1f} s",
            "",
            "| category | cases | category right | category and line right |",
            "|---|---:|---:|---:|",
        ]
        for category, row in self.per_category().items():
            out.append(f"| {category} | {row['cases']} | {row['category_right']} | {row['correct']} |")
        out += ["", "## Misses", ""]
        if self.failures:
            out += ["| file | expected | got | message |", "|---|---|---|---|"]
            for r in self.failures:
                got = "ok (no fault found)" if r.ok else f"{r.category} @ {r.line}"
                out.append(f"| {r.case.file} | {r.case.category} @ {r.case.line} | {got} | {_cell(r.message)} |")
        else:
            out.append("None.")
        out += ["", "## Repairs", ""]
        if self.fix_results:
            out += ["| file | rule | repaired | rules applied | result |", "|---|---|---|---|---|"]
            for r in self.fix_results:
                fix = r.fix
                assert fix is not None
                mark = "yes" if fix.repaired else "**no**"
                out.append(f"| {r.case.file} | {fix.expected_rule} | {mark} | {', '.join(fix.rules) or '-'} | {_cell(fix.message)} |")
        else:
            out.append("Not run.")
        out += ["", "## All cases", "", "| file | from | expected | got | stage | seconds |", "|---|---|---|---|---|---:|"]
        for r in self.results:
            got = "ok" if r.ok else f"{r.category} @ {r.line}"
            mark = "" if r.correct else " ✗"
            out.append(
                f"| {r.case.file} | {r.case.origin} | {r.case.category} @ {r.case.line} | {got}{mark} | {r.stage or '-'} | {r.seconds:.1f} |"
            )
        return "\n".join(out) + "\n"

    def _fix_summary(self) -> str:
        if not self.fix_results:
            return "not run"
        repaired = sum(r.fix.repaired for r in self.fix_results)  # type: ignore[union-attr]
        return f"{_pct(self.fix_success)} ({repaired}/{len(self.fix_results)})"


def run_corpus(
    cases: list[FaultCase],
    check: CheckFunction | None = None,
    fix: FixFunction | None = None,
    *,
    repair: bool = True,
    default_timeout: float = DEFAULT_CASE_TIMEOUT,
    progress: Callable[[CaseResult], None] | None = None,
) -> CorpusReport:
    """Check every case (and repair the rule-covered ones); returns the report.

    Args:
        cases: from `load_corpus()`.
        check: `check(source, scene=..., timeout=...) -> Diagnosis`; default `render_scene.check_scene`.
        fix: `fix(source, scene=..., check=...) -> FixResult`; default `repairs.fix_source`.
        repair: set False to measure the check alone.
        default_timeout: the dry-run limit for cases whose manifest entry sets none.
        progress: called with each case's result as soon as it is known.
    """
    if check is None:
        from manim_agent.tools.render_scene import check_scene as check  # heavy import
    if fix is None and repair:
        from manim_agent.tools.repairs.registry import fix_source as fix
    started = time.monotonic()
    report = CorpusReport()
    for case in cases:
        result = _run_case(case, check, fix if repair else None, case.timeout or default_timeout)
        report.results.append(result)
        if progress is not None:
            progress(result)
    report.seconds = time.monotonic() - started
    return report


def _run_case(case: FaultCase, check: CheckFunction, fix: FixFunction | None, timeout: float) -> CaseResult:
    source = case.source
    began = time.monotonic()
    diagnosis = check(source, scene=case.scene, timeout=timeout)
    result = CaseResult(
        case=case,
        ok=diagnosis.ok,
        category=diagnosis.category,
        line=diagnosis.line,
        message=diagnosis.message,
        seconds=time.monotonic() - began,
        stage=diagnosis.stage,
    )
    if fix is not None and case.fix_rule:
        result.fix = _run_fix(case, source, diagnosis, check, fix, timeout)
    return result


def _run_fix(
    case: FaultCase, source: str, first: Diagnosis, check: CheckFunction, fix: FixFunction, timeout: float
) -> FixOutcome:
    def cached_check(text: str, *, scene: str | None = None) -> Diagnosis:
        # fix checks the original first; that diagnosis is already known.
        if text == source and scene == case.scene:
            return first
        return check(text, scene=scene, timeout=timeout)

    began = time.monotonic()
    outcome = fix(source, scene=case.scene, check=cached_check)
    rules = list(dict.fromkeys(a.rule for a in outcome.applied))
    return FixOutcome(
        ok=bool(outcome.ok),
        rules=rules,
        expected_rule=case.fix_rule or "",
        message=outcome.diagnosis.message if not outcome.ok else "checks clean",
        seconds=time.monotonic() - began,
    )


def _share(flags: Any) -> float:
    values = list(flags)
    return sum(values) / len(values) if values else 0.0


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def _cell(text: str) -> str:
    text = " ".join(str(text).split())
    return (text[:140] + "…" if len(text) > 140 else text).replace("|", "\\|")
