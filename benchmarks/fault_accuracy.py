"""How well `check` locates the faults of the fault corpus, and how well `fix` repairs them.

Runs the real check (static checks plus the sandboxed dry run) on every variant in evals/faults/,
and `fix` on every variant whose manifest entry names a rule, then prints the report: the number of
cases, accuracy (category and line both right), category-only accuracy, the misses with expected
and actual answers, the repairs, and the total time. One line per case goes to stderr as it runs.

Usage: .venv/bin/python benchmarks/fault_accuracy.py [--no-fix] [--only TEXT ...] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys

from manim_agent.evals.fault_corpus import CaseResult, load_corpus, run_corpus


def _progress(result: CaseResult) -> None:
    got = "clean" if result.ok else f"{result.category}@{result.line}"
    mark = "ok  " if result.correct else "MISS"
    line = f"{mark} {result.case.file:45s} expected {result.case.category}@{result.case.line}  got {got}  {result.seconds:.1f}s"
    if result.fix is not None:
        line += f"  fix {result.fix.expected_rule}: {'repaired' if result.fix.repaired else 'NOT repaired'}"
    print(line, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-fix", action="store_true", help="measure the check only")
    parser.add_argument("--only", nargs="+", metavar="TEXT", help="run only the variants whose file name contains TEXT")
    parser.add_argument("--json", action="store_true", help="print the report as JSON instead of Markdown")
    args = parser.parse_args(argv)

    cases = load_corpus()
    if args.only:
        cases = [c for c in cases if any(text in c.file for text in args.only)]
    report = run_corpus(cases, repair=not args.no_fix, progress=_progress)
    print(json.dumps(report.to_json(), indent=2) if args.json else report.to_markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
