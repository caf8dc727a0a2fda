"""`--executor ray` on a real local Ray cluster (2 CPUs, no dashboard, 127.0.0.1): the smoke suite's
scripted replies travel inside the tasks, and the verdicts match the local executor's."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from eval_fixtures import SMOKE_VERDICTS

from manim_agent.evals.runner import EvalOptions, run_suite
from manim_agent.evals.suite import load_suite

ray = pytest.importorskip("ray")
REPO = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]


def test_the_smoke_suite_on_a_local_ray_cluster(tmp_path: Path) -> None:
    suite = load_suite(REPO / "evals/suites/smoke.yaml")
    summary = run_suite(suite, EvalOptions(out=tmp_path / "out", executor="ray", workers=2))
    assert not ray.is_initialized()  # the cluster started for the run is shut down after it
    records = {r["case"]: r for r in summary.records}
    assert {c: (r["rendered"], r["passed"]) for c, r in records.items()} == SMOKE_VERDICTS
    assert all(r["worker"].get("ray_node") for r in records.values())
    assert all(r["worker"]["pid"] != os.getpid() for r in records.values())  # they ran in Ray workers
    assert records["rule-fixed"]["rules"] and records["broken-then-fixed"]["failed_categories"] == ["bad_arguments"]
    assert (tmp_path / "out" / records["first-try"]["run_dir"] / "scene.py").is_file()
