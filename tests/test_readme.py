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


def test_exit_code_table_matches_errors_module() -> None:
    from manim_agent import errors

    table = re.findall(r"^\| \d \| .*\|$", errors.__doc__ or "", flags=re.M)
    assert [row.split("|")[1].strip() for row in table] == [str(code) for code in range(7)]
    for row in table:
        assert row in README, f"README's exit-code table lacks {row!r}"
    codes = {cls.exit_code for cls in vars(errors).values() if isinstance(cls, type) and hasattr(cls, "exit_code")}
    assert codes <= set(range(7))


def test_documented_categories_match_the_code() -> None:
    from manim_agent.tools.diagnosis import CATEGORIES

    sentence = README.split("`category` is one of", 1)[1].split(".", 1)[0]
    assert tuple(re.findall(r"`(\w+)`", sentence)) == CATEGORIES
