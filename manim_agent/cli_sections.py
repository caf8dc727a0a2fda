"""`manim-agent make ... --sections auto|N`: the long-form flags and their run (see agent/long_form.py).

Exit codes (besides make's 0, 2, 3, 4): 0 every section rendered and the video is stitched; 1 no
section rendered; 5 a partial video (some sections rendered, stitched and marked `.partial`);
6 the budget (--max-cost, --max-minutes, or a declined estimate) stopped the run: it kept what it
had and `--resume` continues it.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from manim_agent.errors import ManimAgentError


def add_long_form_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("long-form videos (sections, narration, subtitles, budget)")
    group.add_argument("--sections", metavar="auto|N",
                       help="make the video in sections, each its own scene, checked and rendered on its own, then stitched")
    group.add_argument("--workers", type=int, metavar="N", help="sections written and checked at once (default: 2)")
    group.add_argument("--section-retries", type=int, metavar="N",
                       help="times a failed section is retried alone after the others (default: 1)")
    group.add_argument("--voice", metavar="none|auto|espeak",
                       help="narration: espeak (espeak-ng, offline), auto (espeak-ng if installed, else silent), none (default: auto)")
    group.add_argument("--burn-subtitles", action="store_true", default=None,
                       help="draw the subtitles into the video (the .srt and .vtt are always written)")
    group.add_argument("--max-cost", type=float, metavar="USD", help="stop before a model call would pass this cost")
    group.add_argument("--max-minutes", type=float, metavar="M", help="stop making model calls after M minutes")
    group.add_argument("--yes", "-y", action="store_true",
                       help="go on without asking when the cost estimate exceeds --max-cost")


def wants_long_form(args: argparse.Namespace) -> bool:
    from manim_agent.agent.long_form import is_long_form

    return getattr(args, "sections", None) is not None or bool(args.resume and is_long_form(args.resume))


def _confirm(args: argparse.Namespace, console: Any) -> Any:
    if args.yes:
        return lambda question: True
    if not sys.stdin.isatty():
        return None  # no one to ask: the run refuses (and says to pass --yes)

    def ask(question: str) -> bool:
        console.print(f"{question} [y/N] ", end="", markup=False)
        return sys.stdin.readline().strip().lower() in ("y", "yes")

    return ask


def run_long_make(args: argparse.Namespace, kwargs: dict[str, Any]) -> int:
    """Run a long-form make with the make command's own arguments `kwargs`; returns the exit code."""
    from manim_agent.agent.long_form import make_long_video
    from manim_agent.cli_common import _fail, _line, _read_prompt, _run_dir_of, stderr, stdout

    kwargs = dict(kwargs)
    kwargs.pop("verbose_agent", None)
    kwargs.update(
        sections=args.sections,
        workers=args.workers,
        voice=args.voice,
        burn_subtitles=args.burn_subtitles,
        max_cost=args.max_cost,
        max_minutes=args.max_minutes,
        section_retries=args.section_retries,
        confirm=_confirm(args, stderr),
    )
    try:
        result = make_long_video(None if args.resume else _read_prompt(args), **kwargs)
    except ManimAgentError as exc:
        return _fail(args, str(exc), exc.exit_code, run_dir=_run_dir_of(exc))
    if args.json:
        print(json.dumps(result.to_json(), indent=2, ensure_ascii=False, default=str))
        return result.exit_code
    mark = {"success": "[green]✓[/]", "partial": "[yellow]◐[/]", "stopped": "[yellow]■[/]"}.get(result.status, "[red]✗[/]")
    stdout.print(f"{mark} {result.message()}", markup=True)
    _line("run", result.run_dir)
    for section in result.sections:
        detail = section.get("message") or ""
        stdout.print(f"  part {section['number']:>2}  {section.get('status', '?'):<9} {section.get('title', '')}"
                     + (f"  ({detail[:100]})" if detail else ""), markup=False)
    outputs = result.outputs
    _line("video", outputs.get("video"))
    _line("subtitles", outputs.get("srt"))
    _line("notes", outputs.get("notes_md"))
    _line("notes.pdf", outputs.get("notes_pdf"))
    total = (result.usage.get("total") or {})
    cost = total.get("cost_usd")
    _line("tokens", f"{total.get('input_tokens', 0):,} in / {total.get('output_tokens', 0):,} out"
          + (f" · ${cost:.4f}" if isinstance(cost, (int, float)) else " · cost unknown"))
    for warning in result.warnings:
        stdout.print(f"  [yellow]warning:[/] {warning}", markup=True)
    return result.exit_code
