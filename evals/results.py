"""The eval run directory: what was asked (eval.json) and what finished (results.jsonl, append-only).

    DIR/eval.json          suite name, file and digest, models, mode, options, start, stop reason
    DIR/results.jsonl      one JSON line per finished case, appended and fsync'd as each case ends
    DIR/cases/MODEL/CASE/  the case's run directory (run.json, scene.py, attempts/, ...)

Only the runner process writes here. A line is written in one `write` and fsync'd before the next
case is counted, so a runner killed at any moment loses no finished case; a torn last line (killed
mid-write) is ignored on reading and the next append starts on a fresh line.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from manim_agent.agent.run_dir import now_iso
from manim_agent.errors import EvalRunDirError
from manim_agent.evals.suite import Suite

EVAL_JSON = "eval.json"
RESULTS = "results.jsonl"
CASES = "cases"
# Records with this status finished; an "error" record (no key, provider down) is run again on --resume.
FINISHED = "done"


def model_slug(label: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", label).strip("_") or "model"


class ResultsStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @property
    def results_file(self) -> Path:
        return self.path / RESULTS

    def case_dir(self, model_label: str, case_id: str) -> Path:
        return self.path / CASES / model_slug(model_label) / case_id

    # -- opening ------------------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path, suite: Suite, meta: dict[str, Any], *, resume: bool) -> ResultsStore:
        """A new run directory, or (with resume) the existing one of the same suite."""
        store = cls(path)
        existing = store.read_meta()
        if existing is None:
            if resume and path.exists() and any(path.iterdir()):
                raise EvalRunDirError(f"{str(path)!r} is not an eval run directory (no {EVAL_JSON}); nothing to resume")
            path.mkdir(parents=True, exist_ok=True)
            store.write_meta({**meta, "created": now_iso(), "runs": [now_iso()]})
            return store
        if not resume:
            raise EvalRunDirError(
                f"{str(path)!r} already holds an eval run of suite {existing.get('suite')!r}; "
                "pass --resume to continue it, or choose another --out"
            )
        if existing.get("suite") != suite.name:
            raise EvalRunDirError(
                f"{str(path)!r} holds a run of suite {existing.get('suite')!r}, not {suite.name!r}; "
                "--resume it with its own suite file, or choose another --out"
            )
        existing.setdefault("runs", []).append(now_iso())
        if existing.get("suite_digest") != suite.digest:
            existing.setdefault("warnings", []).append(
                f"{now_iso()}: the suite file changed since the run started; finished cases are kept as they are"
            )
        for key in ("models", "options"):
            if meta.get(key) != existing.get(key):
                existing.setdefault("history", []).append({"at": now_iso(), key: meta.get(key)})
        existing["models"] = sorted(set(existing.get("models", [])) | set(meta.get("models", [])), key=str)
        existing.pop("stopped", None)
        store.write_meta(existing)
        return store

    def read_meta(self) -> dict[str, Any] | None:
        file = self.path / EVAL_JSON
        if not file.is_file():
            return None
        try:
            return json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise EvalRunDirError(f"cannot read {str(file)!r}: {exc}") from None

    def write_meta(self, meta: dict[str, Any]) -> None:
        target = self.path / EVAL_JSON
        tmp = target.with_name(f".{EVAL_JSON}.tmp")
        tmp.write_text(json.dumps(meta, indent=2, default=str) + "\n", encoding="utf-8")
        os.replace(tmp, target)

    def update_meta(self, **changes: Any) -> None:
        meta = self.read_meta() or {}
        meta.update(changes)
        self.write_meta(meta)

    # -- results ------------------------------------------------------------------------------
    def records(self) -> list[dict[str, Any]]:
        """Every complete line of results.jsonl, in order (a torn last line is skipped)."""
        return read_records(self.results_file)

    def finished_keys(self) -> set[tuple[str, str]]:
        return {(r["model"], r["case"]) for r in self.records() if r.get("status") == FINISHED}

    def append(self, record: dict[str, Any]) -> None:
        """Append one record as one line, and make it durable before returning."""
        line = json.dumps(record, ensure_ascii=False, default=str) + "\n"
        fd = os.open(self.results_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            if os.fstat(fd).st_size and not _ends_with_newline(self.results_file):
                line = "\n" + line  # the previous runner died mid-line
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as handle:
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) == b"\n"


def read_records(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    records = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            continue  # a line torn by a kill mid-write
        if isinstance(record, dict) and "case" in record and "model" in record:
            records.append(record)
    return records


def latest_records(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One record per (model, case): the last finished one, else the last one."""
    chosen: dict[tuple[str, str], dict[str, Any]] = {}
    for record in records:
        key = (record["model"], record["case"])
        previous = chosen.get(key)
        if previous is None or record.get("status") == FINISHED or previous.get("status") != FINISHED:
            chosen[key] = record
    return list(chosen.values())
