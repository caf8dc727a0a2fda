"""`--executor ray` on a real two-node Ray cluster on this machine (`ray start --head` plus a second
node that joins it, token authentication on, both started and stopped here; see ray_cluster.py).

The smoke suite runs through the command line with the real check and render: its scripted replies
travel inside the tasks, the cases run on both nodes, and the records say what the local pool's say
(the same assertions as test_evals_cli's smoke test).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from eval_fixtures import assert_smoke_records
from ray_cluster import group_members, two_node_cluster

pytest.importorskip("ray")
REPO = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def cli(args: list[str], env: dict[str, str], timeout: float = 420) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "manim_agent.cli", *args], env=env, capture_output=True,
                          text=True, timeout=timeout, cwd=REPO)


def test_the_smoke_suite_on_a_two_node_ray_cluster(tmp_path: Path) -> None:
    with two_node_cluster(cpus_per_node=1) as cluster:
        nodes = cluster.node_ids(want=2)
        assert len(nodes) == 2

        # Without the cluster's token: one clear line and exit 2, nothing run.
        no_token = {k: v for k, v in cluster.env.items() if k not in ("RAY_AUTH_TOKEN", "RAY_AUTH_MODE")}
        refused = cli(["eval", "evals/suites/smoke.yaml", "--executor", "ray", "--address", cluster.address,
                       "--out", str(tmp_path / "refused"), "--quiet"], no_token, timeout=180)
        assert refused.returncode == 2, refused.stderr[-2000:]
        last = refused.stderr.strip().splitlines()[-1]  # Ray's own retry warnings come before it
        assert last.startswith("manim-agent: error: ") and "refused this client's token" in last, last
        assert "RAY_AUTH_TOKEN" in last and "Traceback" not in refused.stderr
        assert not (tmp_path / "refused" / "results.jsonl").exists() or not (tmp_path / "refused" / "results.jsonl").read_text()

        out = tmp_path / "out"
        done = cli(["eval", "evals/suites/smoke.yaml", "--executor", "ray", "--address", cluster.address,
                    "--workers", "2", "--out", str(out), "--json", "--quiet"], cluster.env)
        assert done.returncode == 0, done.stderr[-3000:]
        summary = json.loads(done.stdout)
        assert summary["ran"] == 4 and summary["errors"] == 0
        records = {r["case"]: r for r in map(json.loads, (out / "results.jsonl").read_text().splitlines())}
        assert_smoke_records(records, out)
        ran_on = {r["worker"]["ray_node"] for r in records.values()}
        assert ran_on == set(nodes), (ran_on, nodes)  # both nodes ran cases, and only the cluster's nodes
        assert all(r["worker"]["pid"] != os.getpid() for r in records.values())
        groups = [node.pid for node in cluster.nodes]

    deadline = time.monotonic() + 20  # both nodes and every process they started are gone
    while any(group_members(g) for g in groups) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not any(group_members(g) for g in groups)
