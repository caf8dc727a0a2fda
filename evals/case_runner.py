"""Run one eval case and turn its run directory into a result record.

`run_case(task)` is what every executor calls (in a pool process, a Ray task, or inline): `task`
is plain data (the case, the model, the options, the case's run directory), so it travels to any
worker. A case with scripted replies builds its ScriptedModel here, inside the worker, because a
ScriptedModel lives in one process. A case without a script uses the pass's real model; when that
model is not usable (no key) the record says so and nothing is pretended.
"""

from __future__ import annotations

import importlib
import os
import shutil
import time
from pathlib import Path
from typing import Any

from manim_agent.agent.attempts import BUDGETED, code_hash
from manim_agent.agent.run_dir import now_iso
from manim_agent.errors import ManimAgentError
from manim_agent.evals.expectations import judge
from manim_agent.evals.suite import Case


class RecordingCheck:
    """The run's check, remembering the layout snapshots of every version it checked."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.layouts: dict[str, Any] = {}

    def __call__(self, code: str) -> Any:
        diagnosis = self.inner(code)
        self.layouts[code_hash(code)] = getattr(diagnosis, "layout", None)
        return diagnosis


def warm_up() -> None:
    """Import what every case needs (litellm alone takes seconds), once: the pool's forked workers inherit it."""
    from manim_agent.agent import make  # noqa: F401
    from manim_agent.llm.client import litellm_module
    from manim_agent.llm.scripted import ensure_registered
    from manim_agent.tools import expand_prompt, write_manim_code  # noqa: F401

    litellm_module().token_counter(model="gpt-4o", text="warm up")  # loads the tokenizer once
    ensure_registered()


def _resolve(spec: str) -> Any:
    """`module:attribute` -> the object (the test suite swaps the core this way)."""
    module, _, attribute = spec.partition(":")
    return getattr(importlib.import_module(module), attribute)


def _scripted_models(case: Case, label: str) -> dict[str, Any]:
    from manim_agent.llm.scripted import ScriptedModel, ScriptedResponse

    script = case.script
    assert script is not None

    def build(role: str, replies: list[Any]) -> Any:
        items = [r if isinstance(r, str) else ScriptedResponse(**r) for r in replies]
        return ScriptedModel(items, name=f"{label}-{case.id}-{role}-{os.getpid()}", price_as=script.price_as)

    if script.replies is not None:
        return {"model": build("all", script.replies)}
    return {f"{role}_model": build(role, replies) for role, replies in script.roles.items()}


def _check(task: dict[str, Any], run_dir: Path) -> Any:
    if task.get("core", {}).get("check"):
        return _resolve(task["core"]["check"])
    from manim_agent.agent.make import SHEETS_DIR, LayoutCheck

    return LayoutCheck(float(task["check_timeout"])).for_run(task["quality"], run_dir / SHEETS_DIR)


def run_case(task: dict[str, Any]) -> dict[str, Any]:
    """Run the case described by `task`; returns its result record (never raises for a case's failure)."""
    from manim_agent.agent.make import make_animation  # keeps worker start-up light

    case = Case.from_json(task["case"])
    run_dir = Path(task["run_dir"])
    if run_dir.exists():
        shutil.rmtree(run_dir)  # an unfinished earlier try (the runner was killed): nothing recorded lives here
    run_dir.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    scripted = case.script is not None
    mode = case.script.mode if case.script is not None else task["mode"]
    record: dict[str, Any] = {
        "model": task["model_label"],
        "case": case.id,
        "topic": case.topic,
        "difficulty": case.difficulty,
        "scripted": scripted,
        "mode": mode,
        "run_dir": task["run_dir_relative"],
        "worker": {"pid": os.getpid(), "host": os.uname().nodename},
    }
    core = task.get("core") or {}
    check = RecordingCheck(_check(task, run_dir))
    kwargs: dict[str, Any] = {
        "mode": mode,
        "max_attempts": case.max_attempts or task["max_attempts"],
        "quality": task["quality"],
        "fmt": task["format"],
        "run_dir": run_dir,
        "check": check,
        "notes_pdf": False,
        "check_timeout": task["check_timeout"],
    }
    if core.get("render"):
        kwargs["render"] = _resolve(core["render"])
    if core.get("repair"):
        kwargs["repair"] = _resolve(core["repair"])
    if scripted:
        kwargs.update(_scripted_models(case, task["model_label"].replace("/", "_")))
    else:
        kwargs["model"] = task["model"]
    try:
        result = make_animation(case.prompt, **kwargs)
    except ManimAgentError as exc:
        record.update(status="error", rendered=False, error=f"{type(exc).__name__}: {exc}")
        data = _read_run_json(run_dir)
    else:
        record.update(status="done", rendered=bool(result.ok), error=None)
        data = result.to_json()
    record.update(summarise(data, run_dir))
    code = _final_code(data, run_dir)
    layout = check.layouts.get(code_hash(code)) if code else None
    verdicts = judge(
        case.expect, rendered=record["rendered"], code=code, layout=layout, llm_attempts=record["llm_attempts"]
    )
    known = [v["met"] for v in verdicts if v["met"] is not None]
    record["expectations"] = verdicts
    record["expectations_met"] = (all(known) if known else None) if verdicts else None
    record["passed"] = bool(record["rendered"] and record["expectations_met"] is not False)
    record["seconds"]["total"] = round(time.monotonic() - started, 3)
    record["finished"] = now_iso()
    return record


def _read_run_json(run_dir: Path) -> dict[str, Any]:
    import json

    try:
        return json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _final_code(data: dict[str, Any], run_dir: Path) -> str | None:
    outputs = data.get("outputs") or {}
    relative = outputs.get("scene") or outputs.get("best_scene")
    if relative and (run_dir / relative).is_file():
        return (run_dir / relative).read_text(encoding="utf-8")
    return None


def summarise(data: dict[str, Any], run_dir: Path) -> dict[str, Any]:
    """The figures of one run.json: attempts, calls, repairs, tokens, cost, time split, failure categories."""
    attempts = data.get("attempts") or []
    total = (data.get("usage") or {}).get("total") or {}
    stages = data.get("stages") or {}
    check_seconds = sum(float(a.get("seconds") or 0.0) for a in attempts)
    rules = [rule for a in attempts if a.get("origin") == "repair" for rule in a.get("repairs") or []]
    return {
        "outcome": data.get("status"),
        "attempts": len(attempts),
        "llm_attempts": sum(1 for a in attempts if a.get("origin") in BUDGETED),
        "llm_calls": int(total.get("calls") or 0),
        "repairs": sum(1 for a in attempts if a.get("origin") == "repair"),
        "rules": rules,
        "tokens": {
            "input": int(total.get("input_tokens") or 0),
            "output": int(total.get("output_tokens") or 0),
        },
        "cost_usd": total.get("cost_usd"),
        "seconds": {
            "llm": round(float(total.get("seconds") or 0.0), 3),
            "check": round(check_seconds, 3),
            "render": round(float((stages.get("render") or {}).get("seconds") or 0.0), 3),
        },
        "failed_categories": [a.get("category") or "unusable" for a in attempts if not a.get("ok")],
        "final_category": None if data.get("ok") else (data.get("diagnosis") or {}).get("category"),
    }
