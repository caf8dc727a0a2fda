"""`manim-agent check DIR_OR_FILES...` and `manim-agent fix DIR...`: every scene class of every file.

A person who keeps a repository of scenes wants one command over all of it: each concrete Scene class
of each `.py` file is checked on its own (a multi-scene file scene by scene), with a progress bar, a
summary table (renders, fails by category, fixable by a rule, timed out) and, with `--json`, one
JSON line per scene. `fix` repairs every file a rule can repair, writes `*.fixed.py` next to it, and
says what it did and what is left. Nothing else is written.

Bad input is reported per file and never stops the run: files that are not Python source, unreadable
or oversized files, and symlinks (never followed, so loops cannot trap the walk).
"""

from __future__ import annotations

import ast
import collections
import json
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from manim_agent import settings
from manim_agent.errors import InputFileError
from manim_agent.tools.diagnosis import Diagnosis, Finding

SKIP_DIRS = {".git", ".venv", "venv", "__pycache__", "node_modules", "media", ".mypy_cache", ".pytest_cache"}


@dataclass
class Target:
    """One scene to check (or a file that could not be split into scenes: `scene` None, `problem` set)."""

    path: Path
    scene: str | None
    problem: Diagnosis | None = None


@dataclass
class Row:
    path: Path
    scene: str | None
    diagnosis: Diagnosis
    rule_fixable: bool = False  # some deterministic repair rule changes the file for this diagnosis

    def to_json(self) -> dict[str, Any]:
        return {"file": str(self.path), **self.diagnosis.to_json(), "scene": self.scene or self.diagnosis.scene,
                "fixable_by_a_rule": self.rule_fixable}


@dataclass
class FolderReport:
    rows: list[Row] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.diagnosis.ok for r in self.rows)

    def summary(self) -> dict[str, Any]:
        fails = [r for r in self.rows if not r.diagnosis.ok]
        return {
            "scenes": len(self.rows),
            "files": len({r.path for r in self.rows}),
            "renders": len(self.rows) - len(fails),
            "fails_by_category": dict(collections.Counter(r.diagnosis.category or "?" for r in fails).most_common()),
            "fixable_by_a_rule": sum(r.rule_fixable for r in fails),
            "timed_out": sum(r.diagnosis.category == "timeout" for r in fails),
        }


def python_files(paths: list[Path]) -> Iterator[tuple[Path, str | None]]:
    """(file, problem) for every .py file under the given paths, in order; symlinks are reported, not followed."""
    for given in paths:
        if given.is_symlink():
            yield given, "a symbolic link (not followed)"
        elif given.is_dir():
            for root, dirs, files in os.walk(given, followlinks=False):
                dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
                for name in sorted(files):
                    path = Path(root) / name
                    if not name.endswith(".py") or name.endswith(".fixed.py"):
                        continue
                    yield path, ("a symbolic link (not followed)" if path.is_symlink() else None)
        elif given.is_file():
            yield given, (None if given.suffix == ".py" else "not a .py file")
        else:
            yield given, "does not exist"


def _problem(message: str) -> Diagnosis:
    return Diagnosis(ok=False, scene=None, stage="static",
                     findings=[Finding(stage="static", category="syntax", message=message, hint="pass Python scene files")])


def scene_targets(path: Path, problem: str | None) -> list[Target]:
    """The scenes of one file that a user would render (`scenes.renderable_scenes`), each a target."""
    if problem:
        return [Target(path, None, _problem(f"{path}: {problem}"))]
    from manim_agent.tools.render_scene import _Oversize, oversize_diagnosis, read_source
    from manim_agent.tools.static import scenes as scene_discovery
    from manim_agent.tools.static.source import ParsedSource

    try:
        source = read_source(path)
    except _Oversize as exc:
        return [Target(path, None, oversize_diagnosis(exc.size))]
    except InputFileError as exc:
        return [Target(path, None, _problem(str(exc)))]
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return [Target(path, None)]  # the check itself reports the syntax error, located
    choice = scene_discovery.choose_scene(ParsedSource(source, tree, path.name), scene_discovery.DEFAULT_SCENE_BASES)
    return [Target(path, s) for s in scene_discovery.renderable_scenes(choice)] or [Target(path, None)]


def check_targets(targets: list[Target], *, jobs: int = 1, timeout: float = settings.DEFAULT_CHECK_TIMEOUT,
                  layout: bool = True, on_done: Any = None, **options: Any) -> FolderReport:
    """Check every target (in `jobs` threads, each a sandboxed check); `on_done(row)` after each."""
    from manim_agent.tools.render_scene import check_file

    def one(target: Target) -> Row:
        if target.problem is not None:
            return Row(target.path, None, target.problem)
        try:
            diagnosis = check_file(target.path, scene=target.scene, timeout=timeout, layout=layout, **options)
        except InputFileError as exc:
            diagnosis = _problem(str(exc))
        return Row(target.path, target.scene, diagnosis, rule_fixable=not diagnosis.ok and _rule_applies(target.path, diagnosis))

    report = FolderReport()
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for row in pool.map(one, targets):
            report.rows.append(row)
            if on_done:
                on_done(row)
    return report


def _rule_applies(path: Path, diagnosis: Diagnosis) -> bool:
    """Would `fix` change the file for this diagnosis (no re-check: only whether a rule has an edit)?"""
    from manim_agent.tools.repairs.registry import apply_rules

    try:
        source = path.read_text(encoding="utf-8")
        return apply_rules(source, diagnosis.findings)[0] != source
    except (OSError, UnicodeDecodeError, ValueError, SyntaxError):
        return False


@dataclass
class FileFix:
    path: Path
    out: Path | None
    applied: list[str]
    left: list[tuple[str | None, Diagnosis]]


def fix_files(paths: list[Path], *, on_done: Any = None) -> list[FileFix]:
    """Repair every scene of every file with the deterministic rules; write FILE.fixed.py where a rule applied."""
    from manim_agent.tools.repairs.registry import fix_source

    results = []
    for path, problem in python_files(paths):
        targets = scene_targets(path, problem)
        if targets[0].problem is not None:
            result = FileFix(path, None, [], [(None, targets[0].problem)])
        else:
            source = original = path.read_text(encoding="utf-8", errors="replace")
            applied: list[str] = []
            left: list[tuple[str | None, Diagnosis]] = []
            for target in targets:  # one scene after the other, each starting from the previous one's repairs
                fixed = fix_source(source, scene=target.scene)
                source = fixed.source
                applied += [f"{a.rule}: {a.description}" for a in fixed.applied]
                if not fixed.ok:
                    left.append((target.scene, fixed.diagnosis))
            out = None
            if source != original:
                out = path.with_name(f"{path.stem}.fixed.py")
                out.write_text(source, encoding="utf-8")
            result = FileFix(path, out, applied, left)
        results.append(result)
        if on_done:
            on_done(result)
    return results


def summary_lines(report: FolderReport) -> list[str]:
    data = report.summary()
    lines = [f"{data['scenes']} scene(s) in {data['files']} file(s): {data['renders']} render(s), "
             f"{data['scenes'] - data['renders']} fail(s)"]
    for category, count in data["fails_by_category"].items():
        lines.append(f"  {category:<14} {count}")
    lines.append(f"  fixable by a rule: {data['fixable_by_a_rule']}   timed out: {data['timed_out']}")
    return lines


def json_lines(report: FolderReport) -> Iterator[str]:
    for row in report.rows:
        yield json.dumps(row.to_json())
