"""The run directory: one per run, everything a person or program needs to see what happened.

    request.txt            the request, verbatim
    spec.md, spec.json     the expanded scene description (for people / for programs)
    attempts/NN/scene.py   every version of the code ...
    attempts/NN/diagnosis.json   ... with its diagnosis (or reply.md when the reply had no code)
    llm/NN-ROLE.md         every model reply; llm/NN-ROLE.reasoning.md for reasoning models
    scene.py               the final scene
    <Scene>.mp4 (or gif/webm/png), last_frame.png
    contact_sheet.png      keyframes of the final (or best) scene, layout findings outlined in red
                           (attempts/NN/contact_sheet.png: the same for every checked version)
    notes.md, notes.tex, notes.pdf
    run.json               models, attempts, stage timings, tokens, cost and outcome

run.json is rewritten (atomically) after every step, so an interrupted run can be resumed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from manim_agent.agent.attempts import Attempt
from manim_agent.agent.run_record import RunRecord
from manim_agent.errors import InputFileError
from manim_agent.llm.client import Completion
from manim_agent.tools.diagnosis import Diagnosis, Finding

RUN_JSON = "run.json"
RUN_FORMAT_VERSION = 1


def _slug(text: str, limit: int = 40) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())
    slug = "-".join(words)[:limit].strip("-")
    return slug or "run"


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def diagnosis_to_file(diagnosis: Diagnosis) -> dict[str, Any]:
    """The contract JSON plus every finding in full, so a resumed run can rebuild the Diagnosis."""
    data = diagnosis.to_json()
    data["findings_all"] = [f.to_json() for f in diagnosis.findings]
    return data


def diagnosis_from_file(data: dict[str, Any]) -> Diagnosis:
    findings = []
    for raw in data.get("findings_all", []):
        known = {k: v for k, v in raw.items() if k in Finding.__dataclass_fields__}
        findings.append(Finding(**known))
    return Diagnosis(
        ok=bool(data.get("ok")),
        scene=data.get("scene"),
        stage=data.get("stage") or "static",
        seconds=float(data.get("seconds") or 0.0),
        findings=findings,
        scenes=list(data.get("scenes") or []),
        sandbox=data.get("sandbox"),
    )


class RunDir:
    """Reads and writes the files of one run directory."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.record = RunRecord()
        self._calls = 0

    @property
    def state(self) -> dict[str, Any]:
        """run.json as a plain dict (read-only use; set `record`'s attributes to change it)."""
        return self.record.data

    # -- creation ---------------------------------------------------------------------------
    @classmethod
    def create(cls, parent: str | Path, request: str, *, exact: str | Path | None = None) -> RunDir:
        """A new, empty run directory under `parent` (named by time and request), or at `exact`."""
        if exact is not None:
            path = Path(exact)
            if path.exists() and any(path.iterdir()):
                raise InputFileError(
                    f"{str(path)!r} already exists and is not empty; choose another directory or --resume it"
                )
            path.mkdir(parents=True, exist_ok=True)
        else:
            parent = Path(parent)
            parent.mkdir(parents=True, exist_ok=True)
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            base = f"{stamp}-{_slug(request)}"
            for suffix in [""] + [f"-{n}" for n in range(2, 1000)]:
                path = parent / f"{base}{suffix}"
                try:
                    path.mkdir()
                    break
                except FileExistsError:
                    continue
            else:  # pragma: no cover - a thousand runs in one second
                raise InputFileError(f"cannot create a run directory under {str(parent)!r}")
        run = cls(path)
        run.write_text("request.txt", request)
        return run

    @classmethod
    def open(cls, path: str | Path) -> RunDir:
        """An existing run directory, for --resume."""
        path = Path(path)
        state_file = path / RUN_JSON
        if not state_file.is_file():
            raise InputFileError(
                f"{str(path)!r} is not a run directory (no {RUN_JSON}); pass the directory a run printed"
            )
        run = cls(path)
        try:
            run.record = RunRecord.from_json(json.loads(state_file.read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError) as exc:
            raise InputFileError(f"cannot read {str(state_file)!r}: {exc}") from exc
        run._calls = len((run.record.usage or {}).get("calls", []))
        return run

    # -- files ------------------------------------------------------------------------------
    def file(self, relative: str) -> Path:
        return self.path / relative

    def write_text(self, relative: str, text: str) -> Path:
        """Write a file atomically (a crash never leaves half a file behind)."""
        target = self.path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape") as handle:
                handle.write(text)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target

    def write_json(self, relative: str, data: Any) -> Path:
        return self.write_text(relative, json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")

    def read_text(self, relative: str) -> str | None:
        target = self.path / relative
        return target.read_text(encoding="utf-8", errors="surrogateescape") if target.is_file() else None

    def relative(self, path: Path | str | None) -> str | None:
        if path is None:
            return None
        path = Path(path)
        try:
            return str(path.resolve().relative_to(self.path.resolve()))
        except ValueError:
            return str(path)

    def save_state(self) -> Path:
        """The one writer of run.json."""
        self.record.version = RUN_FORMAT_VERSION
        self.record.run_dir = str(self.path.resolve())
        self.record.updated = now_iso()
        return self.write_json(RUN_JSON, self.record.to_json())

    # -- attempts and calls -----------------------------------------------------------------
    def attempt_dir(self, number: int) -> str:
        return f"attempts/{number:02d}"

    def save_attempt(self, attempt: Attempt, *, reply: str | None = None) -> dict[str, Any]:
        """Write an attempt's files; returns its run.json entry."""
        folder = self.attempt_dir(attempt.number)
        entry = attempt.summary()
        if attempt.code is not None:
            self.write_text(f"{folder}/scene.py", attempt.code)
            entry["code"] = f"{folder}/scene.py"
        if attempt.diagnosis is not None:
            self.write_json(f"{folder}/diagnosis.json", diagnosis_to_file(attempt.diagnosis))
            entry["diagnosis"] = f"{folder}/diagnosis.json"
        if attempt.problem:
            entry["problem"] = attempt.problem
        if reply is not None:
            self.write_text(f"{folder}/reply.md", reply)
            entry["reply"] = f"{folder}/reply.md"
        return entry

    def load_attempts(self) -> list[Attempt]:
        """The attempts recorded in run.json, rebuilt with their code and diagnosis (for resume)."""
        attempts = []
        for entry in self.record.attempts or []:
            code = self.read_text(entry["code"]) if entry.get("code") else None
            diagnosis = None
            if entry.get("diagnosis"):
                raw = self.read_text(entry["diagnosis"])
                diagnosis = diagnosis_from_file(json.loads(raw)) if raw else None
            attempts.append(
                Attempt(
                    number=int(entry["number"]),
                    origin=entry.get("origin", "new"),
                    code=code,
                    diagnosis=diagnosis,
                    problem=entry.get("problem"),
                    repairs=list(entry.get("repairs") or []),
                    parent=entry.get("parent"),
                    seconds=float(entry.get("seconds") or 0.0),
                    notes=list(entry.get("notes") or []),
                )
            )
        return attempts

    def save_call(self, role: str, completion: Completion) -> None:
        """Keep every model reply, and a reasoning model's reasoning, next to the run."""
        self._calls += 1
        stem = f"llm/{self._calls:02d}-{role}"
        self.write_text(f"{stem}.md", completion.content)
        if completion.reasoning:
            self.write_text(f"{stem}.reasoning.md", completion.reasoning)
