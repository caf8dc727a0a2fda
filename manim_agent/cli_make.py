"""The `make` and `demo` subcommands: `register(subparsers)` adds them to the CLI.

`make` runs the agent (or the pipeline) and writes a run directory; `--json` prints run.json on
stdout while progress goes to stderr. `demo` proves an installation: with a model configured it
makes a sample animation; without one it says how to configure a provider, then renders a library
scene through the same check-and-render path, labelled as such.

Exit codes: the table in manim_agent/errors.py (5, a partial video, only with --sections:
manim_agent/cli_sections.py). Errors print one line, never a traceback.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from manim_agent.cli_common import _fail, _line, _read_prompt, _run_dir_of, stderr, stdout
from manim_agent.errors import ManimAgentError
from manim_agent.media import FORMATS, QUALITIES, QUALITY_HELP


def _add_model_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "models (litellm model strings; env: MANIM_AGENT_MODEL, MANIM_AGENT_<ROLE>_MODEL)"
    )
    group.add_argument("--model", metavar="M", help="model for every role (default: deepseek/deepseek-chat)")
    group.add_argument("--expander-model", metavar="M", help="model that expands the request into a scene description")
    group.add_argument("--writer-model", metavar="M", help="model that writes and repairs the Manim code")
    group.add_argument("--orchestrator-model", metavar="M", help="model that drives the tools in agent mode")
    group.add_argument("--api-base", metavar="URL", help="base URL of a self-hosted server (env: MANIM_AGENT_API_BASE)")
    group.add_argument(
        "--llm-timeout",
        type=float,
        metavar="S",
        help="seconds per model request (env: MANIM_AGENT_LLM_TIMEOUT; default 180)",
    )
    group.add_argument(
        "--num-retries",
        type=int,
        metavar="N",
        help="litellm retries on timeouts, 429 and 5xx (env: MANIM_AGENT_NUM_RETRIES; default 2)",
    )
    group.add_argument(
        "--cache", action="store_true", default=None, help="replay identical model requests from the on-disk reply cache ($MANIM_AGENT_HOME/cache/replies)"
    )


def _add_output_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("output")
    group.add_argument(
        "-q", "--quality", choices=QUALITIES, help=f"{QUALITY_HELP} (default: l)"
    )
    group.add_argument(
        "--format", dest="fmt", choices=FORMATS, help="video format (default: mp4)"
    )
    group.add_argument(
        "--out",
        type=Path,
        default=Path("runs"),
        metavar="DIR",
        help="where run directories are created (default: %(default)s)",
    )
    group.add_argument("--json", action="store_true", help="print run.json on stdout (progress stays on stderr)")
    group.add_argument("--quiet", action="store_true", help="no progress display")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `make` and `demo` to the manim-agent command line."""
    make = subparsers.add_parser(
        "make", help="turn a plain-English request into a rendered animation, code, description and notes"
    )
    make.add_argument(
        "prompt",
        nargs="?",
        metavar="PROMPT",
        help='the request, e.g. "show why the derivative is the slope of the tangent"; - reads stdin',
    )
    run = make.add_argument_group("run")
    run.add_argument(
        "--mode",
        choices=["agent", "pipeline"],
        help="agent: a CodeAgent drives the tools; pipeline: a fixed loop, cheaper and reproducible (default: agent)",
    )
    run.add_argument(
        "--max-attempts",
        type=int,
        metavar="N",
        help="LLM-written versions of the code to try, in total for the run (default: 5; raise it with --resume)",
    )
    run.add_argument("--resume", type=Path, metavar="RUN_DIR", help="continue an interrupted or failed run")
    run.add_argument(
        "--check-timeout", type=float, metavar="S", help="seconds for each sandboxed dry run (default: 20)"
    )
    run.add_argument("--no-pdf", action="store_true", help="skip notes.pdf even if pdflatex is installed")
    run.add_argument("--verbose-agent", action="store_true", help="show the CodeAgent's own step log (stderr)")
    _add_model_flags(make)
    _add_output_flags(make)
    from manim_agent.cli_sections import add_long_form_flags

    add_long_form_flags(make)
    make.set_defaults(handler=run_make)

    demo = subparsers.add_parser(
        "demo",
        help="prove the installation: make a sample animation, or render a library scene if no model is configured",
    )
    demo.add_argument("--mode", choices=["agent", "pipeline"], help="mode for the generated demo (default: agent)")
    _add_model_flags(demo)
    _add_output_flags(demo)
    demo.set_defaults(handler=run_demo_command)


def _make_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    from manim_agent.agent.progress import NullReporter, RichReporter

    return {
        "model": args.model,
        "expander_model": args.expander_model,
        "writer_model": args.writer_model,
        "orchestrator_model": args.orchestrator_model,
        "api_base": args.api_base,
        "llm_timeout": args.llm_timeout,
        "num_retries": args.num_retries,
        "mode": args.mode,
        "quality": args.quality,
        "fmt": args.fmt,
        "out_dir": args.out,
        "cache": args.cache,
        "reporter": NullReporter() if args.quiet else RichReporter(stderr),
    }


def run_make(args: argparse.Namespace) -> int:
    from manim_agent.agent.make import make_animation  # keeps `--help` fast

    if args.resume is None and args.prompt is None:
        return _fail(args, "make needs a PROMPT (or --resume RUN_DIR)", 2)
    kwargs = _make_kwargs(args)
    kwargs.update(
        max_attempts=args.max_attempts,
        resume=args.resume,
        check_timeout=args.check_timeout,
        notes_pdf=False if args.no_pdf else None,
    )
    if args.verbose_agent:
        kwargs["verbose_agent"] = True
    from manim_agent.cli_sections import run_long_make, wants_long_form

    if wants_long_form(args):
        return run_long_make(args, kwargs)
    only_long = [flag for flag, value in (("--voice", args.voice), ("--burn-subtitles", args.burn_subtitles),
                 ("--workers", args.workers), ("--section-retries", args.section_retries)) if value is not None]
    if only_long:
        return _fail(args, f"{only_long[0]} works with --sections (narration and subtitles are made per section); "
                     "add --sections 1 for a single section", 2)
    kwargs.update(max_cost=args.max_cost, max_minutes=args.max_minutes)
    try:
        result = make_animation(None if args.resume else _read_prompt(args), **kwargs)
    except ManimAgentError as exc:
        return _fail(args, str(exc), exc.exit_code, run_dir=_run_dir_of(exc))
    if args.json:
        print(json.dumps(result.to_json(), indent=2, ensure_ascii=False, default=str))
    else:
        print_summary(result)
    return 0 if result.ok else 1


def print_summary(result: Any) -> None:
    """The human summary of a run on stdout."""
    usage = (result.usage or {}).get("total", {})
    cost = usage.get("cost_usd")
    tokens = f"{usage.get('input_tokens', 0):,} in / {usage.get('output_tokens', 0):,} out"
    tokens += f" · ${cost:.4f}" if isinstance(cost, (int, float)) else " · cost unknown"
    if result.ok:
        stdout.print(f"[green]✓[/] Rendered after {len(result.attempts)} attempt(s): {result.run_dir}")
        _line("video", result.video)
        _line("last frame", result.last_frame)
        _line("scene", result.scene_path)
        _line("description", result.spec_md)
        _line("notes", result.notes_md)
        _line("notes.pdf", result.outputs.get("notes_pdf"))
    else:
        stdout.print(f"[red]✗[/] {result.failure_message()}", markup=True)
        best = result.outputs.get("best_scene")
        _line("best code", best)
        budget = len([a for a in result.attempts if a.get("origin") != "repair"]) + 3
        stdout.print(
            f"  Continue with more attempts: manim-agent make --resume {result.run_dir} --max-attempts {budget}",
            markup=False,
        )
    _line("tokens", tokens)
    for warning in result.warnings:
        stdout.print(f"  [yellow]warning:[/] {warning}", markup=True)


def run_demo_command(args: argparse.Namespace) -> int:
    from manim_agent.demo import run_demo

    kwargs = _make_kwargs(args)
    try:
        outcome = run_demo(make_kwargs=kwargs, console=stderr)
    except ManimAgentError as exc:
        return _fail(args, str(exc), exc.exit_code, run_dir=_run_dir_of(exc))
    if args.json:
        print(json.dumps(outcome.to_json(), indent=2, default=str))
    else:
        outcome.print(stdout)
    return 0 if outcome.ok else 1
