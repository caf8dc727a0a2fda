"""The layout defect corpus and its scoring: recall over planted defects, precision over the library.

`layout_defects/` holds small scenes that render but carry one planted layout defect each;
`layout_defects/manifest.yaml` names the rule that must report it, the severity the default settings
must give it, and the line a careful reader would blame. `run_layout_corpus` checks every case (the
real sandboxed check, layout on) and every library scene, and returns a `LayoutReport`:

- recall: defects whose rule fired with at least the labelled severity, over all defects;
- line accuracy: of those, the ones whose finding names the labelled line;
- precision on the library: library scenes with no layout error (warnings are listed, not counted).

`benchmarks/layout_accuracy.py` prints it; `tests/test_layout_corpus.py` asserts on it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from manim_agent.errors import InputFileError
from manim_agent.tools.diagnosis import Diagnosis, Finding

DEFECTS_DIR = Path(__file__).resolve().parent / "layout_defects"
MANIFEST = DEFECTS_DIR / "manifest.yaml"
RULES = ("off_frame", "overlap", "small_text", "blank_end", "blank_middle", "crowded")
_KEYS = ("file", "rule", "severity", "line", "note")

CheckFunction = Callable[..., Diagnosis]


@dataclass(frozen=True)
class DefectCase:
    """One scene with a planted layout defect and its label."""

    file: str
    path: Path
    rule: str
    severity: str
    line: int | None
    note: str

    @property
    def source(self) -> str:
        return self.path.read_text(encoding="utf-8")


def load_cases(manifest: Path = MANIFEST) -> list[DefectCase]:
    """The labelled cases; InputFileError for a malformed manifest."""
    try:
        entries = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InputFileError(f"cannot read the layout corpus manifest {str(manifest)!r}: {exc}") from exc
    if not isinstance(entries, list):
        raise InputFileError(f"{str(manifest)!r} must be a list of cases")
    cases = []
    for entry in entries:
        missing = [k for k in _KEYS if not isinstance(entry, dict) or k not in entry]
        if missing:
            raise InputFileError(f"{str(manifest)!r}: a case lacks {', '.join(missing)}: {entry!r}")
        if entry["rule"] not in RULES or entry["severity"] not in ("error", "warning"):
            raise InputFileError(f"{str(manifest)!r}: bad rule or severity in {entry!r}")
        cases.append(DefectCase(entry["file"], manifest.parent / entry["file"], entry["rule"], entry["severity"],
                                entry["line"], entry["note"]))
    return cases


@dataclass
class CaseResult:
    """What the check said about one defect scene."""

    case: DefectCase
    found: bool
    line_ok: bool
    rules: list[str]
    ok: bool
    seconds: float
    message: str | None = None


@dataclass
class SceneResult:
    """What the check said about one library scene: its layout errors and warnings."""

    module: str
    errors: list[str]
    warnings: list[str]
    ok: bool
    seconds: float


@dataclass
class LayoutReport:
    cases: list[CaseResult] = field(default_factory=list)
    library: list[SceneResult] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return sum(c.found for c in self.cases) / len(self.cases) if self.cases else 0.0

    @property
    def line_accuracy(self) -> float:
        found = [c for c in self.cases if c.found]
        return sum(c.line_ok for c in found) / len(found) if found else 0.0

    @property
    def precision(self) -> float:
        """Library scenes without a layout error, over all library scenes checked."""
        return sum(not s.errors for s in self.library) / len(self.library) if self.library else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "recall": round(self.recall, 3),
            "found": sum(c.found for c in self.cases),
            "defects": len(self.cases),
            "line_accuracy": round(self.line_accuracy, 3),
            "precision": round(self.precision, 3),
            "library": [s.__dict__ for s in self.library],
            "missed": [c.case.file for c in self.cases if not c.found],
        }

    def to_markdown(self) -> str:
        found = sum(c.found for c in self.cases)
        lines = [
            f"Recall over planted defects: {found}/{len(self.cases)} = {self.recall:.0%} "
            f"(line right for {self.line_accuracy:.0%} of those found)",
            f"Precision on the library: {sum(not s.errors for s in self.library)}/{len(self.library)} scenes "
            "without a layout error",
            "",
            "| defect | rule | found | line | rules reported |",
            "|---|---|---|---|---|",
        ]
        for c in self.cases:
            lines.append(f"| {c.case.file} | {c.case.rule} | {'yes' if c.found else 'NO'} | "
                         f"{'ok' if c.line_ok else '-'} | {', '.join(c.rules) or '-'} |")
        if self.library:
            lines += ["", "| library scene | layout errors | layout warnings |", "|---|---|---|"]
            for s in self.library:
                lines.append(f"| {s.module} | {len(s.errors)} | {len(s.warnings)} |")
        return "\n".join(lines)


def _rank(severity: str) -> int:
    return 2 if severity == "error" else 1


def score_case(case: DefectCase, diagnosis: Diagnosis, seconds: float = 0.0) -> CaseResult:
    """Found: a finding of the labelled rule with at least the labelled severity."""
    layout = [f for f in diagnosis.findings if f.category == "layout"]
    hits = [f for f in layout if f.details.get("rule") == case.rule and _rank(f.severity) >= _rank(case.severity)]
    line_ok = bool(hits) and (case.line is None or any(f.line == case.line for f in hits))
    other = [f for f in diagnosis.findings if f.category != "layout" and f.severity == "error"]
    return CaseResult(
        case=case,
        found=bool(hits),
        line_ok=line_ok,
        rules=sorted({f"{f.details.get('rule')}:{f.severity}" for f in layout}),
        ok=diagnosis.ok,
        seconds=seconds,
        message=other[0].message if other else None,
    )


def _layout_lines(findings: list[Finding], severity: str) -> list[str]:
    return [f"{f.details.get('rule')}: {f.message}" for f in findings if f.category == "layout" and f.severity == severity]


def run_layout_corpus(
    cases: list[DefectCase] | None = None,
    *,
    library: bool = True,
    check: CheckFunction | None = None,
    timeout: float = 60.0,
) -> LayoutReport:
    """Check every defect case (and the library scenes) with the layout check on.

    `check(source, filename=..., timeout=..., layout=True) -> Diagnosis`; default `render_scene.check_scene`.
    """
    if check is None:
        from manim_agent.tools.render_scene import check_scene as check
    report = LayoutReport()
    for case in cases if cases is not None else load_cases():
        started = time.monotonic()
        diagnosis = check(case.source, filename=case.path.name, timeout=timeout, layout=True)
        report.cases.append(score_case(case, diagnosis, time.monotonic() - started))
    if library:
        from manim_agent.scenes import library as scenes

        for entry in scenes():
            started = time.monotonic()
            diagnosis = check(entry.source, filename=entry.path.name, timeout=300, layout=True)
            report.library.append(
                SceneResult(entry.module, _layout_lines(diagnosis.findings, "error"),
                            _layout_lines(diagnosis.findings, "warning"), diagnosis.ok, time.monotonic() - started)
            )
    return report
