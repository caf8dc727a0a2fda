"""Helpers for the eval tests: suites written on the fly with scripted replies, and a slow stand-in check.

The stand-ins are named as `module:function` strings (EvalOptions.core), because the cases run in
other processes that import them there.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import yaml
from agent_fixtures import BROKEN_SCENE, GOOD_SCENE, RULE_FIXABLE_SCENE, SPEC_REPLY, fenced, stub_check

STUB_CORE = {
    "check": "agent_fixtures:stub_check",
    "render": "agent_fixtures:stub_render",
    "repair": "agent_fixtures:stub_repair",
}
SLOW_CORE = {**STUB_CORE, "check": "eval_fixtures:slow_check"}
# The smoke suite's (rendered, passed) per case with its scripted replies, whichever executor runs them.
SMOKE_VERDICTS = {
    "first-try": (True, True),
    "broken-then-fixed": (True, True),
    "rule-fixed": (True, True),
    "never-converges": (False, False),
}


def assert_smoke_records(records: dict[str, dict[str, Any]], out: Path) -> None:
    """What the smoke suite's records must say, whichever executor ran them (the local pool or Ray)."""
    assert {c: (r["rendered"], r["passed"]) for c, r in records.items()} == SMOKE_VERDICTS
    first = {e["name"]: e["met"] for e in records["first-try"]["expectations"]}
    assert first == {  # the formula and the duration are read from the real layout snapshots
        "on_screen: A = \\pi r^2": True, "uses: Circle": True, "uses: MathTex": True,
        "duration: 0.5..10 s": True, "max_attempts: 1": True,
    }
    assert records["broken-then-fixed"]["failed_categories"] == ["bad_arguments"]
    assert records["rule-fixed"]["llm_calls"] == 2 and records["rule-fixed"]["rules"]
    assert records["never-converges"]["final_category"] == "bad_arguments"
    assert [records[c]["attempts"] for c in SMOKE_VERDICTS] == [1, 2, 2, 2]
    assert (out / records["first-try"]["run_dir"] / "last_frame.png").is_file()


def slow_check(code: str) -> Any:
    """stub_check that takes a while, so a test can kill the runner while cases are running."""
    time.sleep(0.6)
    return stub_check(code)


def scripted_case(case_id: str, kind: str = "good", **extra: Any) -> dict[str, Any]:
    """A case whose replies lead to the given outcome with the stand-in core."""
    replies = {
        "good": [SPEC_REPLY, fenced(GOOD_SCENE)],
        "rule": [SPEC_REPLY, fenced(RULE_FIXABLE_SCENE)],
        "never": [SPEC_REPLY, fenced(BROKEN_SCENE), fenced(BROKEN_SCENE.replace("0.3", "0.4"))],
    }[kind]
    case = {
        "id": case_id,
        "prompt": f"draw a circle ({case_id})",
        "script": {"price_as": "deepseek/deepseek-chat", "replies": replies},
    }
    if kind == "never":
        case["max_attempts"] = 2
    case.update(extra)
    return case


def write_suite(path: Path, cases: list[dict[str, Any]], name: str = "test-suite", **top: Any) -> Path:
    path.write_text(yaml.safe_dump({"name": name, "defaults": {"format": "png"}, "cases": cases, **top}, sort_keys=False))
    return path
