"""Compare `manim-agent check` with `manim -ql --dry_run` on the same scenes, in one run.

Absolute times on shared machines are noisy, so the figure that matters is the ratio per scene,
measured back to back, and its median. Both commands are run as a user runs them: as separate
processes from the shell. `manim-agent check` uses its warm worker (started once, before timing,
the way an agent loop or an editor integration keeps it); the first cold call is reported apart.

By default each command runs once untimed on a scene before it is timed, so both have that scene's
LaTeX compiled in their caches (the situation of an agent re-checking a repaired scene). `--cold`
times the first run instead, LaTeX compilation included for both.

Usage: .venv/bin/python benchmarks/check_speed.py [--scenes N] [--faults N] [--repeat R] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def timed(command: list[str], cwd: Path) -> tuple[float, int]:
    started = time.perf_counter()
    proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=900)
    return time.perf_counter() - started, proc.returncode


def cases(n_scenes: int, n_faults: int) -> list[tuple[str, Path, str | None]]:
    sys.path.insert(0, str(REPO))
    from manim_agent.scenes import library

    chosen: list[tuple[str, Path, str | None]] = [("good", s.path, s.scene) for s in library()[:n_scenes]]
    manifest = REPO / "evals" / "faults" / "manifest.yaml"
    if manifest.exists() and n_faults:
        import yaml

        entries = yaml.safe_load(manifest.read_text())
        entries = entries.get("cases", entries) if isinstance(entries, dict) else entries
        runtime = [e for e in entries if e.get("category") in ("runtime", "latex", "bad_arguments", "unknown_api")]
        static = [e for e in entries if e.get("category") in ("syntax", "unsafe", "import")]
        picked = (runtime[: n_faults - n_faults // 3] + static[: n_faults // 3])[:n_faults]
        chosen += [("broken", manifest.parent / e["file"], e.get("scene")) for e in picked]
    return chosen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", type=int, default=5, help="library scenes (good) to time")
    parser.add_argument("--faults", type=int, default=6, help="broken variants from the fault corpus to time")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--cold", action="store_true", help="time the first run (LaTeX compiled by both)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="ma-bench-"))
    os.environ["MANIM_AGENT_HOME"] = str(home)
    work = Path(tempfile.mkdtemp(prefix="ma-bench-work-"))
    agent = [str(BIN / "manim-agent"), "check"]
    first_call, _ = timed([*agent, str(REPO / "scenes" / "__init__.py"), "--json"], work)  # cold: starts the worker
    subprocess.run([str(BIN / "manim-agent"), "worker", "start"], capture_output=True, cwd=work)

    rows = []
    for kind, path, scene in cases(args.scenes, args.faults):
        scene_args = [scene] if scene else []
        ours_cmd = [*agent, str(path), "--json", *(["--scene", scene] if scene else [])]
        theirs_cmd = [str(BIN / "manim"), "-ql", "--dry_run", "--disable_caching", "--media_dir", str(work / "media"),
                      str(path), *scene_args]
        if not args.cold:
            timed(ours_cmd, work)
            timed(theirs_cmd, work)
        for _ in range(args.repeat):
            ours, our_code = timed(ours_cmd, work)
            theirs, their_code = timed(theirs_cmd, work)
            rows.append({"kind": kind, "scene": path.name, "check_s": round(ours, 3), "dry_run_s": round(theirs, 3),
                         "ratio": round(ours / theirs, 3), "check_exit": our_code, "dry_run_exit": their_code})
    subprocess.run([str(BIN / "manim-agent"), "worker", "stop"], capture_output=True, cwd=work)

    ratios = [r["ratio"] for r in rows]
    summary = {
        "median_ratio": round(statistics.median(ratios), 3),
        "median_ratio_good": round(statistics.median([r["ratio"] for r in rows if r["kind"] == "good"] or [0]), 3),
        "median_ratio_broken": round(statistics.median([r["ratio"] for r in rows if r["kind"] == "broken"] or [0]), 3),
        "first_cold_call_s": round(first_call, 3),
        "cases": len(rows),
        "mode": "cold (first run)" if args.cold else "warm caches (second run)",
    }
    if args.json:
        print(json.dumps({"summary": summary, "rows": rows}, indent=2))
    else:
        print(f"{'kind':7} {'scene':44} {'check':>8} {'dry_run':>8} {'ratio':>6}")
        for r in rows:
            print(f"{r['kind']:7} {r['scene'][:44]:44} {r['check_s']:8.2f} {r['dry_run_s']:8.2f} {r['ratio']:6.2f}")
        print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
