"""The `eval` and `report` subcommands: `register(subparsers)` adds them to the CLI.

`export RUN_DIR...` writes the verified runs as a chat-JSONL fine-tuning set.

`eval SUITE.yaml` runs every case once per `--model` (results appended to DIR/results.jsonl as
each case finishes; `--resume` skips finished cases) and shows a progress bar on stderr. `report
RUN_DIR [OTHER_RUN_DIR]` writes report.md, report.json and report.html, and prints the Markdown.

Exit codes: 0 every case ran (a case that did not render is a result, not an error); 1 some case
could not run (no key, provider down) or a budget stopped the run; 2 a usage mistake (bad suite,
unknown expectation key, a run directory of another suite, unreachable Ray address).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from manim_agent.media import FORMATS, QUALITIES

stdout = Console(highlight=False, soft_wrap=True)
stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `eval` and `report` to the manim-agent command line."""
    ev = subparsers.add_parser("eval", help="run an eval suite over one or more models; results are resumable")
    ev.add_argument("suite", type=Path, metavar="SUITE.yaml", help="the suite file (see evals/suites/)")
    ev.add_argument(
        "--model", action="append", default=[], metavar="M",
        help="a litellm model; repeat it to run the suite once per model (default: MANIM_AGENT_MODEL)",
    )
    ev.add_argument("--mode", choices=["agent", "pipeline"], help="for cases without a script (default: the suite's, else agent)")
    ev.add_argument("--workers", type=int, default=1, metavar="N", help="cases in parallel (default: 1)")
    ev.add_argument("--executor", choices=["local", "ray"], default="local", help="local process pool or Ray tasks (default: local)")
    ev.add_argument("--address", metavar="ADDR", help="with --executor ray: an existing cluster (default: start a local one)")
    ev.add_argument("--out", type=Path, metavar="DIR", help="the eval run directory (default: runs/eval-TIME-SUITE)")
    ev.add_argument("--resume", action="store_true", help="continue the run in --out DIR, skipping finished cases")
    ev.add_argument("--max-cost", type=float, metavar="USD", help="stop starting cases once this much is spent")
    ev.add_argument("--max-minutes", type=float, metavar="M", help="stop starting cases after this many minutes")
    ev.add_argument("--max-attempts", type=int, metavar="N", help="attempt budget per case (default: the suite's, else 5)")
    ev.add_argument("-q", "--quality", choices=QUALITIES, help="render quality (default: the suite's, else l)")
    ev.add_argument("--format", dest="fmt", choices=FORMATS, help="output format (default: the suite's, else mp4)")
    ev.add_argument("--check-timeout", type=float, default=60.0, metavar="S", help="seconds per dry run (default: 60)")
    ev.add_argument("--json", action="store_true", help="print a JSON summary on stdout (progress stays on stderr)")
    ev.add_argument("--quiet", action="store_true", help="no progress display")
    ev.set_defaults(handler=run_eval)

    rep = subparsers.add_parser("report", help="summarise an eval run (Markdown, JSON, HTML); two runs: what changed")
    rep.add_argument("run_dir", type=Path, metavar="RUN_DIR", help="an eval run directory (it holds results.jsonl)")
    rep.add_argument("other", type=Path, nargs="?", metavar="OTHER_RUN_DIR", help="an earlier run to compare against")
    rep.add_argument("--json", action="store_true", help="print report.json on stdout instead of the Markdown")
    rep.set_defaults(handler=run_report)

    exp = subparsers.add_parser("export", help="write verified runs as a fine-tuning data set (chat JSONL)")
    exp.add_argument("run_dirs", type=Path, nargs="+", metavar="RUN_DIR", help="make run directories or eval run directories")
    exp.add_argument("--format", dest="fmt", choices=["chat-jsonl"], default="chat-jsonl", help="output format (default: chat-jsonl)")
    exp.add_argument("--out", type=Path, metavar="FILE", default=Path("export.jsonl"), help="where to write (default: %(default)s)")
    exp.add_argument("--json", action="store_true", help="print the export's summary as JSON")
    exp.set_defaults(handler=run_export)


class RichProgress:
    """The eval's progress bar: cases done, passing so far, cost so far."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.bar = Progress(
            TextColumn("[bold]eval[/]"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("passing [green]{task.fields[passing]}[/] · errors {task.fields[errors]} · ${task.fields[cost]:.4f}"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self.task: Any = None
        self.passing = 0
        self.errors = 0
        self.cost = 0.0

    def start(self, total: int, skipped: int) -> None:
        if skipped:
            self.console.print(f"resuming: {skipped} of {total} case(s) already finished")
        self.bar.start()
        self.task = self.bar.add_task("eval", total=total, completed=skipped, passing=0, errors=0, cost=0.0)

    def case_done(self, record: dict[str, Any]) -> None:
        self.passing += bool(record.get("passed"))
        self.errors += record.get("status") != "done"
        self.cost += float(record.get("cost_usd") or 0.0)
        mark = "[green]✓[/]" if record.get("passed") else ("[yellow]![/]" if record.get("status") != "done" else "[red]✗[/]")
        detail = record.get("error") or _case_line(record)
        self.bar.console.print(f"{mark} {record['model']} · {record['case']}: {detail}", markup=True, highlight=False)
        self.bar.update(self.task, advance=1, passing=self.passing, errors=self.errors, cost=self.cost)

    def note(self, message: str) -> None:
        self.bar.console.print(f"[yellow]{message}[/]")

    def close(self) -> None:
        self.bar.stop()


def _case_line(record: dict[str, Any]) -> str:
    state = "rendered" if record.get("rendered") else f"not rendered ({record.get('final_category') or record.get('outcome')})"
    missed = [e["name"] for e in record.get("expectations") or [] if e.get("met") is False]
    expectation = f"; missed {', '.join(missed)}" if missed else ""
    return f"{state} after {record.get('attempts', 0)} attempt(s){expectation}"


def run_eval(args: argparse.Namespace) -> int:
    from manim_agent.errors import UserError
    from manim_agent.evals.runner import EvalOptions, run_suite
    from manim_agent.evals.suite import load_suite

    if args.resume and args.out is None:
        raise UserError("--resume needs --out DIR: the eval run directory to continue")
    if args.workers < 1:
        raise UserError(f"--workers must be at least 1, not {args.workers}")
    for flag, value in (("--max-cost", args.max_cost), ("--max-minutes", args.max_minutes)):
        if value is not None and value <= 0:
            raise UserError(f"{flag} must be positive, not {value}")
    if args.address and args.executor != "ray":
        raise UserError("--address is for --executor ray")
    suite = load_suite(args.suite)
    options = EvalOptions(
        models=list(args.model),
        mode=args.mode,
        workers=args.workers,
        executor=args.executor,
        address=args.address,
        out=args.out,
        resume=args.resume,
        max_cost=args.max_cost,
        max_minutes=args.max_minutes,
        max_attempts=args.max_attempts,
        quality=args.quality,
        fmt=args.fmt,
        check_timeout=args.check_timeout,
    )
    progress = None if args.quiet else RichProgress(stderr)
    summary = run_suite(suite, options, progress)
    data = summary.to_json()
    if args.json:
        print(json.dumps(data, indent=2))
    else:
        stdout.print(
            f"{data['ran']} case(s) ran ({data['skipped_finished']} already finished): {data['rendered']} rendered, "
            f"{data['passed']} passed, {data['errors']} could not run · ${data['cost_usd']:.4f} · {data['seconds']:.1f} s",
            markup=False,
        )
        if summary.errors:
            stdout.print(f"  first error: {summary.errors[0].get('error')}", markup=False)
        if summary.stopped:
            stdout.print(f"  {summary.stopped['message']}", markup=False)
        stdout.print(f"  results: {summary.out / 'results.jsonl'}", markup=False)
        stdout.print(f"  report:  manim-agent report {summary.out}", markup=False)
    return 1 if (summary.errors or summary.stopped) else 0


def run_report(args: argparse.Namespace) -> int:
    from manim_agent.evals.report import write_report

    report = write_report(args.run_dir, other=args.other)
    if args.json:
        print(json.dumps(report.data, indent=2, default=str))
    else:
        stdout.print(report.markdown, markup=False)
        stderr.print(f"wrote {report.paths['md']}, {report.paths['json']} and {report.paths['html']}", markup=False)
    return 0


def run_export(args: argparse.Namespace) -> int:
    from manim_agent.evals.export import export_runs, write_jsonl

    result = export_runs(list(args.run_dirs), args.fmt)
    write_jsonl(result.examples, args.out)
    summary = {**result.summary(), "out": str(args.out)}
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        why = ", ".join(f"{count} {reason}" for reason, count in result.left_out.most_common()) or "none"
        stdout.print(f"wrote {summary['examples']} example(s) to {args.out}; left out {summary['left_out']}: {why}", markup=False)
    return 0
