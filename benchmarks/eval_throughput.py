"""Eval throughput: cases per minute with 1 and 2 pool workers, in one run, on CPU-bound checks.

    .venv/bin/python benchmarks/eval_throughput.py              # 8 scripted cases, a 1.5 s CPU-bound check each
    .venv/bin/python benchmarks/eval_throughput.py --real       # the real sandboxed check and render instead

The check stand-in burns CPU (it does not sleep), so two workers only help if the machine has two
free cores; the ratio is what to read (target: 1.7x or more), since absolute times on a shared
machine are noisy. Scripted replies, no network.

So that a low ratio can be told apart from a serial step of ours, each pass also reports the load
it ran under: /proc/loadavg, how many cores the whole machine was busy on, how many our own
processes used (the runner and its workers), and, as a ceiling, what a bare process pool running
the same CPU work gets with 1 and 2 processes at that moment (`bare_pool_speedup`).
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SCENE = """from manim import *


class Dot{n}(Scene):
    def construct(self):
        dot = Dot(color=BLUE)
        self.play(FadeIn(dot), run_time=0.2)
        self.wait(0.1)
"""
SPEC = """```yaml
title: 'A dot'
goal: 'See a dot'
beats:
  - narration: 'A dot appears.'
    on_screen: 'A blue dot'
    duration: 1
```
"""


def busy_check(code: str):  # a Diagnosis
    """A CPU-bound stand-in for the sandboxed check: about CHECK_SECONDS of pure computation."""
    from manim_agent.tools.diagnosis import Diagnosis

    burn(CHECK_SECONDS)
    return Diagnosis(True, code.split("class ", 1)[1].split("(", 1)[0], "dry_run")


def png_render(code: str, *, quality: str, fmt: str, out_dir: Path, timeout: float):
    from PIL import Image

    class Result:
        ok = True
        diagnosis = None

    target = Path(out_dir) / "frame.png"
    Image.new("RGB", (64, 36), "black").save(target)
    Result.outputs = [target]
    return Result


CHECK_SECONDS = 1.5


def burn(seconds: float) -> int:
    deadline = time.process_time() + seconds
    total = 0
    while time.process_time() < deadline:
        total += sum(i * i for i in range(2000))
    return total


class Load:
    """The machine's and our own CPU use over one pass (Linux /proc and getrusage)."""

    def __init__(self) -> None:
        self.loadavg = _loadavg()
        self.stat = _cpu_stat()
        self.ours = _our_cpu()
        self.wall = time.monotonic()

    def done(self) -> dict[str, float]:
        busy0, total0 = self.stat
        busy1, total1 = _cpu_stat()
        cores = os.cpu_count() or 1
        wall = time.monotonic() - self.wall
        machine = (busy1 - busy0) / max(1, total1 - total0) * cores
        ours = (_our_cpu() - self.ours) / wall if wall else 0.0
        return {"loadavg_1min": self.loadavg, "machine_busy_cores": round(machine, 2),
                "our_cores": round(ours, 2), "others_cores": round(max(0.0, machine - ours), 2)}


def _loadavg() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def _cpu_stat() -> tuple[int, int]:
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def _our_cpu() -> float:
    """CPU seconds of this process and of its children that ended (the pool's workers, at shutdown)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def bare_pool_speedup(tasks: int, seconds: float) -> dict[str, float]:
    """The same CPU work in a bare process pool, 1 then 2 processes: what this machine allows right now."""
    times = {}
    for workers in (1, 2):
        started = time.monotonic()
        with cf.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            list(pool.map(burn, [seconds] * tasks))
        times[workers] = time.monotonic() - started
    return {"seconds_1": round(times[1], 2), "seconds_2": round(times[2], 2), "speedup": round(times[1] / times[2], 2)}


def main() -> int:
    global CHECK_SECONDS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=8)
    parser.add_argument("--check-seconds", type=float, default=1.5)
    parser.add_argument("--real", action="store_true", help="the real sandboxed check and render")
    args = parser.parse_args()
    CHECK_SECONDS = args.check_seconds
    import yaml

    from manim_agent.evals.runner import EvalOptions, run_suite
    from manim_agent.evals.suite import load_suite

    work = Path(tempfile.mkdtemp(prefix="eval-throughput-"))
    cases = [
        {"id": f"dot-{n}", "prompt": f"show a dot ({n})",
         "script": {"replies": [SPEC, f"```python\n{SCENE.format(n=n)}```\n"]}}
        for n in range(args.cases)
    ]
    suite_file = work / "suite.yaml"
    suite_file.write_text(yaml.safe_dump({"name": "throughput", "defaults": {"format": "png"}, "cases": cases}))
    suite = load_suite(suite_file)
    core = {} if args.real else {"check": "__main__:busy_check", "render": "__main__:png_render"}
    from manim_agent.evals.case_runner import warm_up

    warm_up()  # the imports are paid once, outside both timings
    rates: dict[int, float] = {}
    shares: dict[int, float | None] = {}
    loads: dict[int, dict[str, float]] = {}
    ceiling = bare_pool_speedup(4, CHECK_SECONDS) if not args.real else None
    for workers in (1, 2):
        load = Load()
        started = time.monotonic()
        summary = run_suite(suite, EvalOptions(out=work / f"w{workers}", workers=workers, core=core))
        seconds = time.monotonic() - started
        loads[workers] = load.done()
        assert summary.finished == args.cases, summary.to_json()
        rates[workers] = args.cases / seconds * 60
        check_wall = sum(r["seconds"]["check"] for r in summary.records)
        # The share of a core each check got: 1.0 on an idle machine; below 0.5, a second worker has no core to use.
        shares[workers] = CHECK_SECONDS * args.cases / check_wall if (check_wall and not args.real) else None
        share = f" (each check got {shares[workers]:.0%} of a core)" if shares[workers] else ""
        print(f"{workers} worker(s): {args.cases} cases in {seconds:.1f} s = {rates[workers]:.1f} cases/min{share}; "
              f"load {loads[workers]}", file=sys.stderr)
    speedup = rates[2] / rates[1]
    print(json.dumps({"cases": args.cases, "check": "real" if args.real else f"cpu {CHECK_SECONDS}s",
                      "cpus": os.cpu_count(),
                      "cases_per_minute": {str(k): round(v, 2) for k, v in rates.items()},
                      "core_share_per_check": {str(k): (round(v, 2) if v else None) for k, v in shares.items()},
                      "load": {str(k): v for k, v in loads.items()},
                      "bare_pool": ceiling,
                      "speedup": round(speedup, 2), "target": 1.7, "met": speedup >= 1.7}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
