"""Export verified runs as a fine-tuning data set (`manim-agent export RUN_DIR... --format chat-jsonl`).

Each example is one chat: the short request, the expanded scene description (spec.md) and the code
that rendered (scene.py), with the turns from prompt_templates/export_chat.yaml. RUN_DIR may be a
`make` run directory or an eval run directory (its cases). A run that did not render, missed an
expectation of its eval case, or lacks its files is left out, and the export counts why.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from manim_agent import prompt_templates
from manim_agent.errors import InputFileError
from manim_agent.evals.results import EVAL_JSON, RESULTS, latest_records, read_records

FORMATS = ("chat-jsonl",)


@dataclass
class Export:
    examples: list[dict[str, Any]] = field(default_factory=list)
    left_out: Counter = field(default_factory=Counter)

    def summary(self) -> dict[str, Any]:
        return {"examples": len(self.examples), "left_out": sum(self.left_out.values()), "why": dict(self.left_out)}


def _candidates(path: Path) -> list[tuple[Path, dict[str, Any] | None]]:
    """(run directory, eval record or None) for every run under `path`."""
    if (path / RESULTS).is_file() or (path / EVAL_JSON).is_file():
        return [(path / r["run_dir"], r) for r in latest_records(read_records(path / RESULTS)) if r.get("run_dir")]
    if (path / "run.json").is_file():
        return [(path, None)]
    raise InputFileError(f"{str(path)!r} is neither a run directory (run.json) nor an eval run (results.jsonl)")


def _manim_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("manim")
    except PackageNotFoundError:
        return "0.22"


def _example(run_dir: Path, record: dict[str, Any] | None, manim_version: str) -> tuple[dict[str, Any] | None, str | None]:
    try:
        state = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, "no readable run.json"
    if state.get("status") != "success" or not state.get("ok"):
        return None, "did not render"
    if record is not None and record.get("expectations_met") is False:
        return None, "missed an expectation"
    files = {name: run_dir / name for name in ("request.txt", "spec.md", "scene.py")}
    missing = [name for name, file in files.items() if not file.is_file()]
    if missing:
        return None, f"no {missing[0]}"
    texts = {name: file.read_text(encoding="utf-8").strip() for name, file in files.items()}
    if not all(texts.values()):
        return None, "an empty request, spec or scene"
    variables = {"request": texts["request.txt"], "spec": texts["spec.md"], "code": texts["scene.py"],
                 "manim_version": manim_version}
    turns = [("system", "system"), ("user", "user_spec"), ("assistant", "assistant_spec"),
             ("user", "user_code"), ("assistant", "assistant_code")]
    messages = [{"role": role, "content": prompt_templates.render("export_chat", key, **variables).strip()} for role, key in turns]
    models = state.get("models") or {}
    meta = {"run_dir": str(run_dir.resolve()), "attempts": len(state.get("attempts") or []),
            "model": (record or {}).get("model") or (models.get("writer") or {}).get("model")}
    return {"messages": messages, "metadata": meta}, None


def export_runs(paths: list[Path], fmt: str = "chat-jsonl") -> Export:
    if fmt not in FORMATS:
        raise InputFileError(f"unknown export format {fmt!r}; choose {', '.join(FORMATS)}")
    result = Export()
    version = _manim_version()
    seen: set[Path] = set()
    for path in paths:
        for run_dir, record in _candidates(Path(path)):
            if run_dir.resolve() in seen:
                continue  # the same run given twice (an eval directory and one of its cases)
            seen.add(run_dir.resolve())
            example, why = _example(run_dir, record, version)
            if example is None:
                result.left_out[why or "invalid"] += 1
            else:
                result.examples.append(example)
    return result


def write_jsonl(examples: list[dict[str, Any]], target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8") as handle:
        for example in examples:
            handle.write(json.dumps(example, ensure_ascii=False) + "\n")
