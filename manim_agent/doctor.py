"""`manim-agent doctor`: what the environment has, and the command that fixes each missing piece."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass
from importlib import metadata

from rich.console import Console
from rich.table import Table


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str | None = None
    required: bool = True

    def to_json(self) -> dict:
        return asdict(self)


def _apt(packages: str) -> str:
    sudo = "" if os.geteuid() == 0 else "sudo "
    return f"{sudo}apt-get install -y {packages}"


def _version_line(command: list[str]) -> str:
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"failed: {exc}"
    text = (out.stdout or out.stderr).strip().splitlines()
    return text[0] if text else "?"


def _package(name: str, fix: str) -> Check:
    try:
        return Check(name, True, metadata.version(name))
    except metadata.PackageNotFoundError:
        return Check(name, False, "not installed", fix)


def run_checks(*, end_to_end: bool = True) -> list[Check]:
    checks = [Check("python", sys.version_info >= (3, 10), f"{platform.python_version()} ({sys.executable})",
                    "use Python 3.10 or newer")]
    checks.append(_package("manim", "pip install 'manim==0.22.*' (needs apt libcairo2-dev libpango1.0-dev pkg-config)"))
    for tool, package, required in (("latex", "texlive-latex-extra", True), ("dvisvgm", "dvisvgm", True),
                                    ("pdflatex", "texlive-latex-extra", False)):
        path = shutil.which(tool)
        checks.append(Check(tool, bool(path), _version_line([tool, "--version"]) if path else "not found",
                            None if path else _apt(package), required))
    try:
        import cairo

        checks.append(Check("cairo", True, f"cairo {cairo.cairo_version_string()}, pycairo {cairo.version}"))
    except ImportError as exc:
        checks.append(Check("cairo", False, f"pycairo does not import: {exc}", _apt("libcairo2-dev pkg-config") + " && pip install pycairo"))
    try:
        import manimpango

        checks.append(Check("pango", True, f"pango {manimpango.pango_version()}, manimpango {manimpango.__version__}"))
    except ImportError as exc:
        checks.append(Check("pango", False, f"manimpango does not import: {exc}", _apt("libpango1.0-dev") + " && pip install manimpango"))

    from manim_agent.tools.sandbox import client as sandbox

    method = sandbox.sandbox_method()
    checks.append(Check("sandbox", method == "bwrap", f"{method}: {sandbox.describe_protection(method)}",
                        None if method == "bwrap" else _apt("bubblewrap"), required=False))
    checks.extend(_model_checks())
    if end_to_end and all(c.ok for c in checks if c.name in ("manim", "latex", "dvisvgm")):
        checks.append(_end_to_end())
    return checks


def _model_checks() -> list[Check]:
    """Each role's model and whether it is ready (known model, key present); no request is made."""
    from manim_agent.errors import ManimAgentError
    from manim_agent.llm.client import check_model_ready
    from manim_agent.llm.config import resolve_model_config

    try:
        config = resolve_model_config()
    except ManimAgentError as exc:
        return [Check("models", False, str(exc), "fix the variable named above", required=False)]
    checks = []
    for role, settings in config.roles.items():
        try:
            provider = check_model_ready(settings.model, api_base=settings.api_base)
        except ManimAgentError as exc:
            checks.append(Check(f"model: {role}", False, f"{settings.model}: not usable", str(exc), required=False))
            continue
        base = f" at {settings.api_base}" if settings.api_base else ""
        checks.append(Check(f"model: {role}", True, f"{settings.model} ({provider}{base}): configured", required=False))
    return checks


END_TO_END_SCENE = r'''
from manim import *

class DoctorScene(Scene):
    def construct(self):
        self.play(Write(MathTex(r"e^{i\pi} + 1 = 0")), run_time=0.3)
'''


def _end_to_end() -> Check:
    from manim_agent.tools.render_scene import check_scene

    diagnosis = check_scene(END_TO_END_SCENE)
    if diagnosis.ok:
        return Check("end-to-end", True, f"MathTex compiled and played in the sandbox in {diagnosis.seconds:.2f} s")
    return Check("end-to-end", False, f"{diagnosis.category}: {diagnosis.message}",
                 _apt("texlive-latex-extra dvisvgm") if diagnosis.category == "latex" else "see the message")


def print_report(checks: list[Check], console: Console) -> None:
    table = Table(title="manim-agent doctor", show_lines=False)
    table.add_column("")
    table.add_column("component")
    table.add_column("status")
    table.add_column("fix")
    for check in checks:
        mark = "[green]✓[/]" if check.ok else ("[red]✗[/]" if check.required else "[yellow]![/]")
        table.add_row(mark, check.name, check.detail, "" if check.ok else (check.fix or ""))
    console.print(table)
