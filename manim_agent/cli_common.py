"""What the make commands share: the two consoles, the prompt argument, and one-line failures.

`make` (cli_make.py) and its long-form path (cli_sections.py) both use these, so they live below both.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console

stdout = Console(highlight=False, soft_wrap=True)
stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def _read_prompt(args: argparse.Namespace) -> str | None:
    if args.prompt == "-":
        return sys.stdin.read()
    return args.prompt


def _run_dir_of(exc: BaseException) -> Path | None:
    for note in getattr(exc, "__notes__", []) or []:
        if note.startswith("run directory: "):
            return Path(note[len("run directory: ") :])
    return getattr(exc, "run_dir", None)


def _fail(args: argparse.Namespace, message: str, code: int, *, run_dir: Path | None = None) -> int:
    if getattr(args, "json", False):
        print(
            json.dumps(
                {"ok": False, "exit_code": code, "message": message, "run_dir": str(run_dir) if run_dir else None}
            )
        )
    else:
        stderr.print(f"manim-agent: error: {message}", markup=False)
        if run_dir is not None:
            stderr.print(
                f"  The run is saved in {run_dir}; continue it with: manim-agent make --resume {run_dir}", markup=False
            )
    return code


def _line(label: str, value: Any) -> None:
    if value:
        stdout.print(f"  {label:<12} {value}", markup=False)
