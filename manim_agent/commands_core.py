"""The rendering-core subcommands: check, fix, render, doctor and worker."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.console import Console

from manim_agent import settings
from manim_agent.media import FORMATS, QUALITIES, QUALITY_HELP
from manim_agent.tools.diagnosis import Diagnosis, Finding

console = Console(stderr=False, highlight=False)


def register(subparsers: argparse._SubParsersAction) -> None:
    check = subparsers.add_parser("check", help="static checks, then a sandboxed dry run; exit 0 only if the scene renders")
    check.add_argument("file", type=Path, nargs="+", metavar="FILE.py",
                       help="a scene file; or several files and folders: every scene class of every .py file")
    check.add_argument("--scene", help="the Scene class (default: the only one, else the last one defined)")
    check.add_argument("--timeout", type=float, default=settings.DEFAULT_CHECK_TIMEOUT, help="seconds (default: %(default)s)")
    check.add_argument("--memory-mb", type=int, default=settings.DEFAULT_MEMORY_MB, help="memory limit (default: %(default)s)")
    check.add_argument("--json", action="store_true", help="print the diagnosis as one JSON object (folders: one JSON line per scene)")
    check.add_argument("--jobs", type=int, default=1, metavar="N", help="folders: scenes checked at once (default: %(default)s)")
    layout = check.add_argument_group("layout check (text off the frame, overlaps, unreadable text, empty frames)")
    layout.add_argument("--no-layout", action="store_true", help="skip the layout check")
    layout.add_argument("--layout-config", type=Path, metavar="FILE.yaml",
                        help="layout rules' severities and thresholds (default: $MANIM_AGENT_LAYOUT_CONFIG, else built in)")
    layout.add_argument("--contact-sheet", type=Path, metavar="PATH",
                        help="where to write the PNG of keyframes with the problems outlined "
                        "(default: $MANIM_AGENT_HOME/contact-sheets/FILE.contact.png)")
    layout.add_argument("--no-contact-sheet", action="store_true", help="do not write the contact sheet")
    layout.add_argument("--vision-model", metavar="M",
                        help="also send a few keyframes to this vision-capable litellm model (off by default)")
    check.set_defaults(handler=run_check)

    fix = subparsers.add_parser("fix", help="apply the deterministic repairs (no LLM) until the scene checks clean")
    fix.add_argument("file", type=Path, nargs="+", metavar="FILE.py",
                     help="a scene file; or folders and files: every file a rule can repair gets a FILE.fixed.py")
    fix.add_argument("--scene")
    fix.add_argument("--out", type=Path, help="where to write the repaired scene (default: FILE.fixed.py)")
    fix.add_argument("--json", action="store_true")
    fix.set_defaults(handler=run_fix)

    render = subparsers.add_parser("render", help="the final render, in the sandbox")
    render.add_argument("file", type=Path, metavar="FILE.py")
    render.add_argument("--scene")
    render.add_argument("-q", "--quality", choices=QUALITIES, default="l",
                        help=f"{QUALITY_HELP} (default: %(default)s)")
    render.add_argument("--format", dest="fmt", choices=FORMATS, default="mp4",
                        help="png writes the last frame (default: %(default)s)")
    render.add_argument("--out", type=Path, default=Path("media"), help="output directory (default: %(default)s)")
    render.add_argument("--from-animation", type=int, metavar="N", help="start at animation N (0-based)")
    render.add_argument("--upto-animation", type=int, metavar="N", help="stop after animation N (0-based)")
    render.add_argument("--timeout", type=float, default=settings.DEFAULT_RENDER_TIMEOUT)
    render.add_argument("--json", action="store_true")
    render.set_defaults(handler=run_render)

    doctor = subparsers.add_parser("doctor", help="check the environment and print the fix for each missing piece")
    doctor.add_argument("--json", action="store_true")
    doctor.add_argument("--quick", action="store_true", help="skip the end-to-end LaTeX check in the sandbox")
    doctor.set_defaults(handler=run_doctor)

    worker = subparsers.add_parser("worker", help="manage the warm check worker")
    worker.add_argument("action", choices=["start", "stop", "status"])
    worker.set_defaults(handler=run_worker)


def render_diagnosis(diagnosis: Diagnosis, path: Path | None = None) -> None:
    """Human-readable diagnosis on the terminal."""
    where = f"{path}" if path else "scene"
    if diagnosis.ok:
        console.print(f"[green]✓[/] {where}: {diagnosis.message} [dim]({diagnosis.seconds:.2f} s, sandbox: {diagnosis.sandbox})[/]")
    else:
        primary = diagnosis.primary
        assert primary is not None
        location = f":{primary.line}" if primary.line else ""
        console.print(f"[red]✗[/] {where}{location} [bold]{primary.category}[/] ({primary.stage}): {primary.message}", markup=True, soft_wrap=True)
        _finding_detail(primary)
    others = [f for f in diagnosis.findings if f is not diagnosis.primary or diagnosis.ok]
    for finding in others:
        marker = "[red]error[/]" if finding.severity == "error" else "[yellow]warning[/]"
        line = f"line {finding.line}" if finding.line else "no line"
        console.print(f"  {marker} {finding.category} at {line}: {finding.message}", soft_wrap=True)
        if finding.hint:
            console.print(f"    [cyan]hint:[/] {finding.hint}", soft_wrap=True)


def _finding_detail(finding: Finding) -> None:
    if finding.code_line:
        console.print(f"    [dim]{finding.line:>4} |[/] {finding.code_line}", markup=True, highlight=False)
    if finding.details.get("tex"):
        console.print(f"    [dim]TeX:[/] {finding.details['tex']}")
    for error in finding.details.get("tex_errors", [])[:3]:
        console.print(f"    [dim]LaTeX:[/] {error.splitlines()[0]}")
    if finding.hint:
        console.print(f"    [cyan]hint:[/] {finding.hint}", soft_wrap=True)


def contact_sheet_path(args: argparse.Namespace) -> Path | None:
    """Where `check` writes its contact sheet: --contact-sheet, else under the state directory.

    Never next to the checked file by default: a check changes nothing outside manim-agent's own
    directories unless asked to.
    """
    if args.no_layout or args.no_contact_sheet:
        return None
    return args.contact_sheet or settings.subdir("contact-sheets") / f"{args.file.stem}.contact.png"


def _single(args: argparse.Namespace) -> bool:
    """One scene file (the original contract); otherwise folder mode. Sets args.file to the file."""
    if len(args.file) == 1 and not args.file[0].is_dir():
        args.file = args.file[0]
        return True
    return False


def run_check(args: argparse.Namespace) -> int:
    if not _single(args):
        return run_check_folder(args)
    from manim_agent.tools.layout.config import load_layout_config
    from manim_agent.tools.render_scene import check_file

    options: dict = {"scene": args.scene, "timeout": args.timeout, "memory_mb": args.memory_mb, "layout": not args.no_layout}
    sheet = contact_sheet_path(args)
    if not args.no_layout:
        options.update(layout_config=load_layout_config(args.layout_config), contact_sheet=sheet)
        if args.vision_model:
            from manim_agent.llm.client import check_model_ready

            check_model_ready(args.vision_model)  # an unknown model or a missing key fails before the check
            options["vision_model"] = args.vision_model
    before = _mtime(sheet)
    if args.json:
        diagnosis = check_file(args.file, **options)
        data = diagnosis.to_json()
        data["contact_sheet"] = str(sheet) if sheet and _mtime(sheet) != before else None
        print(json.dumps(data))
    else:
        with console.status(f"checking {args.file} …"):
            diagnosis = check_file(args.file, **options)
        render_diagnosis(diagnosis, args.file)
        if sheet and _mtime(sheet) != before:
            console.print(f"  [dim]contact sheet: {sheet}[/]")
    return 0 if diagnosis.ok else 1


def _mtime(path: Path | None) -> int | None:
    """A file's modification time, to tell whether this check (re)wrote it."""
    try:
        return path.stat().st_mtime_ns if path else None
    except OSError:
        return None


def run_check_folder(args: argparse.Namespace) -> int:
    """Every scene class of every file: a progress bar, a summary table, or one JSON line per scene."""
    from rich.progress import Progress

    from manim_agent import folder_check
    from manim_agent.errors import UserError
    from manim_agent.tools.layout.config import load_layout_config

    if args.scene or args.contact_sheet or args.vision_model:
        raise UserError("--scene, --contact-sheet and --vision-model take a single FILE.py, not folders")
    targets = [t for path, problem in folder_check.python_files(args.file) for t in folder_check.scene_targets(path, problem)]
    options: dict = {"memory_mb": args.memory_mb}
    if not args.no_layout:
        options["layout_config"] = load_layout_config(args.layout_config)
    if args.json:
        report = folder_check.check_targets(targets, jobs=args.jobs, timeout=args.timeout, layout=not args.no_layout,
                                            on_done=lambda row: print(json.dumps(row.to_json()), flush=True), **options)
        return 0 if report.ok else 1
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("checking", total=len(targets))

        def done(row: folder_check.Row) -> None:
            progress.advance(task)
            mark = "[green]✓[/]" if row.diagnosis.ok else f"[red]✗[/] {row.diagnosis.category}"
            where = f":{row.diagnosis.primary.line}" if not row.diagnosis.ok and row.diagnosis.primary and row.diagnosis.primary.line else ""
            detail = "" if row.diagnosis.ok else f" — {row.diagnosis.message[:120]}"
            progress.console.print(f"{mark} {row.path}{where} {row.scene or ''}{detail}", soft_wrap=True, highlight=False)

        report = folder_check.check_targets(targets, jobs=args.jobs, timeout=args.timeout, layout=not args.no_layout,
                                            on_done=done, **options)
    for line in folder_check.summary_lines(report):
        console.print(line, highlight=False)
    return 0 if report.ok else 1


def run_fix_folder(args: argparse.Namespace) -> int:
    from manim_agent import folder_check
    from manim_agent.errors import UserError

    if args.scene or args.out:
        raise UserError("--scene and --out take a single FILE.py, not folders")

    def done(result: folder_check.FileFix) -> None:
        if args.json:
            print(json.dumps({"file": str(result.path), "out": str(result.out) if result.out else None, "applied": result.applied,
                              "left": [{"scene": s, "category": d.category, "line": d.line, "message": d.message} for s, d in result.left]}),
                  flush=True)
            return
        head = f"wrote {result.out}" if result.out else "nothing written"
        console.print(f"{result.path}: {head}", highlight=False)
        for change in result.applied:
            console.print(f"  [green]applied[/] {change}", soft_wrap=True)
        for scene, diagnosis in result.left:
            console.print(f"  [yellow]left[/] {scene or ''} {diagnosis.category}: {diagnosis.message[:160]}", soft_wrap=True, highlight=False)

    results = folder_check.fix_files(args.file, on_done=done)
    if not args.json:
        written = sum(r.out is not None for r in results)
        clean = sum(not r.left for r in results)
        console.print(f"{len(results)} file(s): {written} repaired file(s) written, {clean} check clean, "
                      f"{len(results) - clean} still fail", highlight=False)
    return 0 if all(not r.left for r in results) else 1


def run_fix(args: argparse.Namespace) -> int:
    if not _single(args):
        return run_fix_folder(args)
    from manim_agent.tools.repairs.registry import fix_file

    if args.json:
        result = fix_file(args.file, scene=args.scene, out=args.out)
        print(json.dumps(result.to_json()))
        return 0 if result.ok else 1
    with console.status(f"repairing {args.file} …"):
        result = fix_file(args.file, scene=args.scene, out=args.out)
    for applied in result.applied:
        console.print(f"  [green]applied[/] {applied.rule}: {applied.description}")
    if not result.applied:
        console.print("  no rule applies")
    out_path = getattr(result, "out_path", None)
    if out_path:
        console.print(f"wrote {out_path}")
    if result.diagnosis is not None:
        render_diagnosis(result.diagnosis, out_path or args.file)
    return 0 if result.ok else 1


def run_render(args: argparse.Namespace) -> int:
    from manim_agent.tools.render_scene import render_file

    options = dict(
        scene=args.scene, quality=args.quality, fmt=args.fmt, out_dir=args.out,
        from_animation=args.from_animation, upto_animation=args.upto_animation, timeout=args.timeout,
    )
    if args.json:
        result = render_file(args.file, **options)
        print(json.dumps(result.to_json()))
        return 0 if result.ok else 1
    with console.status(f"rendering {args.file} at -q{args.quality} as {args.fmt} …"):
        result = render_file(args.file, **options)
    if result.ok:
        for output in result.outputs:
            print(output)
        return 0
    assert result.diagnosis is not None
    render_diagnosis(result.diagnosis, args.file)
    return 1


def run_doctor(args: argparse.Namespace) -> int:
    from manim_agent.doctor import print_report, run_checks

    checks = run_checks(end_to_end=not args.quick)
    if args.json:
        print(json.dumps([c.to_json() for c in checks], indent=2))
    else:
        print_report(checks, console)
    return 0 if all(c.ok or not c.required for c in checks) else 1


def run_worker(args: argparse.Namespace) -> int:
    from manim_agent.tools.sandbox import client as sandbox

    client = sandbox.WorkerClient(warm=True)
    if args.action == "start":
        with console.status("starting the sandbox pool (pre-starts a warm single-use sandbox) …"):
            client.ensure_started()
        console.print(f"sandbox pool listening on {client.socket_path}")
    elif args.action == "stop":
        stopped = sandbox.shutdown_all_workers()
        console.print(f"stopped {stopped} sandbox pool(s)")
    else:
        alive = client._alive()
        console.print(f"sandbox pool: {'running' if alive else 'not running'} ({client.socket_path})")
        console.print(f"sandbox: {sandbox.describe_protection()}")
    return 0
