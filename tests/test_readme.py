"""The README stays true: its commands, flags and rule list match the code."""

from __future__ import annotations

import re
from pathlib import Path

from manim_agent.cli import build_parser
from manim_agent.tools.repairs.registry import describe_rules

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_the_two_setup_commands() -> None:
    quick_start = README.split("## Quick start", 1)[1][:600]
    assert "make demo" in quick_start and "make test" in quick_start


def test_every_repair_rule_is_documented() -> None:
    for name, _ in describe_rules():
        assert f"| `{name}` |" in README, f"README lacks the repair rule {name!r}"


def test_documented_commands_and_flags_exist() -> None:
    parser = build_parser()
    subcommands = parser._subparsers._group_actions[0].choices  # argparse keeps them here
    documented = re.findall(r"^manim-agent (\w+)([^\n#]*)", README, flags=re.M)
    assert len(documented) >= 10
    for command, rest in documented:
        assert command in subcommands, f"README mentions `manim-agent {command}`"
        known = {opt for action in subcommands[command]._actions for opt in action.option_strings}
        for flag in re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", rest):
            assert flag in known, f"README uses `{flag}` with `manim-agent {command}`"
