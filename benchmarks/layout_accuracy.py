"""The layout check's recall over planted defects, its precision on the scenes library, and its cost.

Recall: the share of `evals/layout_defects/` scenes whose labelled rule fires with at least the
labelled severity. Precision: the share of library scenes (`scenes/`) with no layout error; their
warnings are listed. Cost (`--speed`): the same library scenes checked back to back with the layout
check off, on, and on with the contact sheet drawn, in one run through the warm worker; the figure
that matters is the median ratio per scene, since absolute times on shared machines are noisy.

Usage: .venv/bin/python benchmarks/layout_accuracy.py [--no-library] [--only TEXT ...]
       [--speed [--speed-scenes N] [--repeat R]] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from manim_agent.evals.layout_corpus import load_cases, run_layout_corpus


def measure_speed(modules: list[str], repeat: int) -> dict:
    """Median time per scene with the layout check off / on / on with the contact sheet, and the ratios."""
    from manim_agent.scenes import get
    from manim_agent.tools.render_scene import check_scene

    sheet_dir = Path(tempfile.mkdtemp(prefix="ma-sheet-"))
    modes = {
        "off": {"layout": False},
        "layout": {"layout": True},
        "layout+sheet": {"layout": True, "contact_sheet": sheet_dir / "sheet.png"},
    }
    rows = []
    for module in modules:
        entry = get(module)
        check_scene(entry.source, filename=entry.path.name, timeout=300)  # warm the worker and LaTeX cache
        times: dict[str, list[float]] = {mode: [] for mode in modes}
        for _ in range(repeat):
            for mode, options in modes.items():  # interleaved, so load changes hit every mode alike
                started = time.perf_counter()
                diagnosis = check_scene(entry.source, filename=entry.path.name, timeout=300, **options)
                times[mode].append(time.perf_counter() - started)
                assert diagnosis.ok or mode != "off", diagnosis.message
        median = {mode: statistics.median(values) for mode, values in times.items()}
        rows.append({
            "scene": module,
            **{f"{mode}_s": round(value, 3) for mode, value in median.items()},
            "layout_ratio": round(median["layout"] / median["off"], 3),
            "sheet_ratio": round(median["layout+sheet"] / median["off"], 3),
        })
    return {
        "rows": rows,
        "median_layout_ratio": round(statistics.median(r["layout_ratio"] for r in rows), 3),
        "median_sheet_ratio": round(statistics.median(r["sheet_ratio"] for r in rows), 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-library", action="store_true", help="skip the precision run over the library")
    parser.add_argument("--only", nargs="+", metavar="TEXT", help="only the defect files whose name contains TEXT")
    parser.add_argument("--speed", action="store_true", help="also time the check with the layout check off and on")
    parser.add_argument("--speed-scenes", nargs="+", default=["pythagorean_areas", "bohr_sommerfeld", "nested_shapes"],
                        metavar="MODULE", help="library scenes to time (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    cases = load_cases()
    if args.only:
        cases = [c for c in cases if any(text in c.file for text in args.only)]
    report = run_layout_corpus(cases, library=not args.no_library)
    speed = measure_speed(args.speed_scenes, args.repeat) if args.speed else None
    if args.json:
        print(json.dumps({**report.to_json(), "speed": speed}, indent=2))
        return 0
    print(report.to_markdown())
    for scene in report.library:
        for warning in scene.warnings:
            print(f"  {scene.module}: warning {warning[:160]}")
        for error in scene.errors:
            print(f"  {scene.module}: ERROR {error[:160]}")
    if speed:
        print("\n| scene | off | layout | layout + sheet | layout/off | sheet/off |\n|---|---|---|---|---|---|")
        for r in speed["rows"]:
            print(f"| {r['scene']} | {r['off_s']:.2f} | {r['layout_s']:.2f} | {r['layout+sheet_s']:.2f} | "
                  f"{r['layout_ratio']:.2f} | {r['sheet_ratio']:.2f} |")
        print(f"median slowdown: layout {speed['median_layout_ratio']:.2f}x, with contact sheet {speed['median_sheet_ratio']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
