"""The `manim-agent` command line. Thin: it parses flags, calls the library, and prints.

Exit codes: the table in manim_agent/errors.py (each exception carries its `exit_code`). No Python
traceback reaches the user unless MANIM_AGENT_DEBUG=1.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from manim_agent import __version__
from manim_agent.errors import ManimAgentError

# Subcommand modules: each exposes `register(subparsers)` and sets `handler` defaults.
COMMAND_MODULES = (
    "manim_agent.commands_core",
    "manim_agent.cli_make",
    "manim_agent.cli_eval",
    "manim_agent.cli_embed",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="manim-agent",
        description="Plain-English requests in, verified Manim animations out.",
    )
    parser.add_argument("--version", action="version", version=f"manim-agent {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue  # that group of commands is not part of this build
            raise
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # .env is read here, in the entry point, never at import time.
    try:
        from dotenv import load_dotenv

        load_dotenv(Path.cwd() / ".env", override=False)
    except ImportError:
        pass
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return handler(args)
    except ManimAgentError as exc:
        if os.environ.get("MANIM_AGENT_DEBUG"):
            raise
        emit_error(args, exc)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def emit_error(args: argparse.Namespace, exc: ManimAgentError) -> None:
    """One clear line (or a JSON object with --json) instead of a traceback."""
    if getattr(args, "json", False):
        print(json.dumps({"ok": False, "error": type(exc).__name__, "message": str(exc)}))
    else:
        print(f"manim-agent: error: {exc}", file=sys.stderr)


def print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, default=str))


if __name__ == "__main__":
    raise SystemExit(main())
