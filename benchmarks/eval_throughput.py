"""Eval throughput: cases per minute with 1 and 2 pool workers, in one run, on CPU-bound checks.

    .venv/bin/python benchmarks/eval_throughput.py              # 8 scripted cases, a 1.5 s CPU-bound check each
    .venv/bin/python benchmarks/eval_throughput.py --real       # the real sandboxed check and render instead

The check stand-in burns CPU (it does not sleep), so two workers only help if the machine has two
free cores; the ratio is what to read (target: 1.7x or more), since absolute times on a shared
machine are noisy. Scripted replies, no network.
"""

from __future__ import annotations

import argparse
import json
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


def busy_check(code: str):  # noqa: ANN201 - a Diagnosis
    """A CPU-bound stand-in for the sandboxed check: about CHECK_SECONDS of pure computation."""
    from manim_agent.tools.diagnosis import Diagnosis  # noqa: PLC0415

    deadline = time.process_time() + CHECK_SECONDS
    total = 0
    while time.process_time() < deadline:
        total += sum(i * i for i in range(2000))
    return Diagnosis(True, code.split("class ", 1)[1].split("(", 1)[0], "dry_run")


def png_render(code: str, *, quality: str, fmt: str, out_dir: Path, timeout: float):  # noqa: ANN201
    from PIL import Image  # noqa: PLC0415

    class Result:
        ok = True
        diagnosis = None

    target = Path(out_dir) / "frame.png"
    Image.new("RGB", (64, 36), "black").save(target)
    Result.outputs = [target]
    return Result


CHECK_SECONDS = 1.5


def main() -> int:
    global CHECK_SECONDS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=8)
    parser.add_argument("--check-seconds", type=float, default=1.5)
    parser.add_argument("--real", action="store_true", help="the real sandboxed check and render")
    args = parser.parse_args()
    CHECK_SECONDS = args.check_seconds
    import yaml  # noqa: PLC0415

    from manim_agent.evals.runner import EvalOptions, run_suite  # noqa: PLC0415
    from manim_agent.evals.suite import load_suite  # noqa: PLC0415

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
    from manim_agent.evals.case_runner import warm_up  # noqa: PLC0415

    warm_up()  # the imports are paid once, outside both timings
    rates: dict[int, float] = {}
    shares: dict[int, float | None] = {}
    for workers in (1, 2):
        started = time.monotonic()
        summary = run_suite(suite, EvalOptions(out=work / f"w{workers}", workers=workers, core=core))
        seconds = time.monotonic() - started
        assert summary.finished == args.cases, summary.to_json()
        rates[workers] = args.cases / seconds * 60
        check_wall = sum(r["seconds"]["check"] for r in summary.records)
        # The share of a core each check got: 1.0 on an idle machine; below 0.5, a second worker has no core to use.
        shares[workers] = CHECK_SECONDS * args.cases / check_wall if (check_wall and not args.real) else None
        share = f" (each check got {shares[workers]:.0%} of a core)" if shares[workers] else ""
        print(f"{workers} worker(s): {args.cases} cases in {seconds:.1f} s = {rates[workers]:.1f} cases/min{share}", file=sys.stderr)
    speedup = rates[2] / rates[1]
    print(json.dumps({"cases": args.cases, "check": "real" if args.real else f"cpu {CHECK_SECONDS}s",
                      "cases_per_minute": {str(k): round(v, 2) for k, v in rates.items()},
                      "core_share_per_check": {str(k): (round(v, 2) if v else None) for k, v in shares.items()},
                      "speedup": round(speedup, 2), "target": 1.7, "met": speedup >= 1.7}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
