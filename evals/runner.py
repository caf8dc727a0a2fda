"""Run a suite: one pass per model, cases in parallel, results appended as each case finishes.

    summary = run_suite(load_suite("evals/suites/smoke.yaml"), EvalOptions(out=Path("runs/eval-smoke")))

Budgets (`max_cost`, `max_minutes`) stop handing out cases once reached; the cases already running
finish and are recorded, and the summary (and eval.json) says which budget stopped the run.
`resume=True` skips every (model, case) already finished in the run directory.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from manim_agent.agent.run_dir import now_iso
from manim_agent.evals.executors import Executor, make_executor, preflight
from manim_agent.evals.results import FINISHED, ResultsStore
from manim_agent.evals.suite import Case, Suite

SCRIPTED_LABEL = "scripted"


@dataclass
class EvalOptions:
    models: list[str] = field(default_factory=list)
    mode: str | None = None
    workers: int = 1
    executor: str = "local"
    address: str | None = None
    out: Path | None = None
    resume: bool = False
    max_cost: float | None = None
    max_minutes: float | None = None
    max_attempts: int | None = None
    quality: str | None = None
    fmt: str | None = None
    check_timeout: float = 60.0
    # "check"/"render"/"repair" -> "module:function", resolved inside the worker (tests swap the core).
    core: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "max_attempts": self.max_attempts,
            "quality": self.quality,
            "format": self.fmt,
            "executor": self.executor,
        }


@dataclass
class EvalSummary:
    out: Path
    suite: str
    total: int
    skipped: int
    records: list[dict[str, Any]]
    stopped: dict[str, Any] | None
    seconds: float

    @property
    def finished(self) -> int:
        return sum(1 for r in self.records if r.get("status") == FINISHED)

    @property
    def errors(self) -> list[dict[str, Any]]:
        return [r for r in self.records if r.get("status") != FINISHED]

    @property
    def cost(self) -> float:
        return sum(float(r.get("cost_usd") or 0.0) for r in self.records)

    @property
    def remaining(self) -> int:
        return self.total - self.skipped - len(self.records)

    def to_json(self) -> dict[str, Any]:
        return {
            "out": str(self.out),
            "suite": self.suite,
            "cases": self.total,
            "skipped_finished": self.skipped,
            "ran": len(self.records),
            "rendered": sum(1 for r in self.records if r.get("rendered")),
            "passed": sum(1 for r in self.records if r.get("passed")),
            "errors": len(self.errors),
            "not_run": self.remaining,
            "cost_usd": round(self.cost, 6),
            "seconds": round(self.seconds, 3),
            "stopped": self.stopped,
        }


class Progress:
    """What the runner reports while it works (the CLI shows a rich progress bar)."""

    def start(self, total: int, skipped: int) -> None: ...

    def case_done(self, record: dict[str, Any]) -> None: ...

    def note(self, message: str) -> None: ...

    def close(self) -> None: ...


def model_labels(suite: Suite, models: list[str]) -> list[tuple[str, str | None]]:
    """(label, model) per pass; without --model: "scripted" for an all-scripted suite, else the default model."""
    if models:
        return [(m, m) for m in dict.fromkeys(models)]
    if suite.scripted:
        return [(SCRIPTED_LABEL, None)]
    from manim_agent.llm.config import resolve_model_config

    default = resolve_model_config().for_role("writer").model
    return [(default, None)]


def default_out(suite: Suite) -> Path:
    return Path("runs") / f"eval-{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}-{suite.name}"


def _task(suite: Suite, options: EvalOptions, store: ResultsStore, label: str, model: str | None, case: Case) -> dict[str, Any]:
    run_dir = store.case_dir(label, case.id)
    defaults = suite.defaults
    return {
        "case": case.to_json(),
        "model_label": label,
        "model": model,
        "mode": options.mode or defaults.get("mode") or "agent",
        "max_attempts": options.max_attempts or defaults.get("max_attempts") or 5,
        "quality": options.quality or defaults.get("quality") or "l",
        "format": options.fmt or defaults.get("format") or "mp4",
        "check_timeout": options.check_timeout,
        "run_dir": str(run_dir.resolve()),
        "run_dir_relative": str(run_dir.relative_to(store.path)),
        "core": dict(options.core),
    }


def _error_record(task: dict[str, Any], message: str, error_type: str) -> dict[str, Any]:
    case = task["case"]
    return {
        "model": task["model_label"],
        "case": case["id"],
        "topic": case.get("topic"),
        "difficulty": case.get("difficulty"),
        "scripted": case.get("script") is not None,
        "status": "error",
        "error": message,
        "error_type": error_type,
        "rendered": False,
        "passed": False,
        "expectations": [],
        "expectations_met": None,
        "run_dir": task["run_dir_relative"],
        "finished": now_iso(),
    }


def run_suite(suite: Suite, options: EvalOptions, progress: Progress | None = None) -> EvalSummary:
    """Run every (model, case) not yet finished; returns what this invocation did."""
    progress = progress or Progress()
    preflight(options.executor, options.address)
    passes = model_labels(suite, options.models)
    out = options.out or default_out(suite)
    meta = {
        "suite": suite.name,
        "suite_file": str(suite.path.resolve()),
        "suite_digest": suite.digest,
        "models": [label for label, _ in passes],
        "options": options.to_json(),
        "cases": [case.id for case in suite.cases],
    }
    store = ResultsStore.open(out, suite, meta, resume=options.resume)
    done = store.finished_keys() if options.resume else set()
    tasks = [
        _task(suite, options, store, label, model, case)
        for label, model in passes
        for case in suite.cases
        if (label, case.id) not in done
    ]
    total = len(passes) * len(suite.cases)
    skipped = total - len(tasks)
    progress.start(total, skipped)
    started = time.monotonic()
    records: list[dict[str, Any]] = []
    stopped: dict[str, Any] | None = None
    unusable: dict[str, str] = {}  # pass label -> why its real model cannot be used
    executor: Executor | None = None
    interrupted = False
    pending: dict[Any, dict[str, Any]] = {}
    queue = list(tasks)
    try:
        if tasks:
            executor = make_executor(options.executor, workers=options.workers, address=options.address)
        while queue or pending:
            while queue and stopped is None and len(pending) < (executor.capacity if executor else 1):
                task = queue.pop(0)
                reason = unusable.get(task["model_label"]) if task["case"].get("script") is None else None
                if reason:  # the same missing key would fail again: say so without starting the case
                    _finish(store, records, progress, _error_record(task, reason, "ConfigError"))
                    continue
                assert executor is not None
                pending[executor.submit(task)] = task
            if not pending:
                break
            assert executor is not None
            for handle, outcome in executor.wait(list(pending), timeout=1.0):
                task = pending.pop(handle)
                if isinstance(outcome, BaseException):
                    record = _error_record(task, f"the case crashed: {type(outcome).__name__}: {outcome}", type(outcome).__name__)
                else:
                    record = outcome
                if record.get("status") != FINISHED and str(record.get("error", "")).startswith("ConfigError"):
                    unusable.setdefault(task["model_label"], record["error"])
                _finish(store, records, progress, record)
            if stopped is None:
                stopped = _budget_reached(options, records, started)
                if stopped is not None:
                    stopped["not_started"] = len(queue)
                    stopped["in_flight"] = len(pending)
                    store.update_meta(stopped=stopped)
                    progress.note(stopped["message"])
    except KeyboardInterrupt:
        interrupted = True
        store.update_meta(stopped={"budget": None, "message": "interrupted (Ctrl-C); --resume continues", "not_started": len(queue)})
        raise
    finally:
        if executor is not None:
            executor.shutdown(now=interrupted)
        progress.close()
    seconds = time.monotonic() - started
    store.update_meta(last_run={"finished": now_iso(), "seconds": round(seconds, 3), "ran": len(records)})
    return EvalSummary(out, suite.name, total, skipped, records, stopped, seconds)


def _finish(store: ResultsStore, records: list[dict[str, Any]], progress: Progress, record: dict[str, Any]) -> None:
    store.append(record)
    records.append(record)
    progress.case_done(record)


def _budget_reached(options: EvalOptions, records: list[dict[str, Any]], started: float) -> dict[str, Any] | None:
    if options.max_cost is not None:
        spent = sum(float(r.get("cost_usd") or 0.0) for r in records)
        if spent >= options.max_cost:
            return {
                "budget": "max_cost",
                "limit": options.max_cost,
                "spent": round(spent, 6),
                "message": f"stopped: the cost budget of ${options.max_cost:.4f} is reached (${spent:.4f} spent); "
                "cases already running finish, the rest are not started (--resume continues)",
            }
    if options.max_minutes is not None:
        minutes = (time.monotonic() - started) / 60
        if minutes >= options.max_minutes:
            return {
                "budget": "max_minutes",
                "limit": options.max_minutes,
                "spent": round(minutes, 3),
                "message": f"stopped: the time budget of {options.max_minutes:g} min is reached ({minutes:.1f} min); "
                "cases already running finish, the rest are not started (--resume continues)",
            }
    return None
