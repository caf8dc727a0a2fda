"""ruff and mypy are configured and `make test` runs both before the tests; the typing debt only shrinks."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
# Modules that still have some mypy error codes switched off (pyproject's [[tool.mypy.overrides]]).
MAX_TYPING_DEBT_MODULES = 19


def _target(name: str) -> list[str]:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    match = re.search(rf"^{name}:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert match, f"the Makefile has no {name} target"
    return [line.strip() for line in match.group(1).splitlines()]


def test_ruff_and_mypy_are_configured() -> None:
    ruff = PYPROJECT["tool"]["ruff"]
    assert {"E", "F", "I", "RUF100"} <= set(ruff["lint"]["select"])
    assert PYPROJECT["tool"]["mypy"]["warn_unused_ignores"] is True
    extras = " ".join(PYPROJECT["project"]["optional-dependencies"]["test"])
    assert "ruff" in extras and "mypy" in extras


def test_make_test_lints_and_type_checks_before_the_tests() -> None:
    steps = _target("test")
    ruff = next(i for i, s in enumerate(steps) if "ruff check" in s)
    mypy = next(i for i, s in enumerate(steps) if "scripts/typecheck.py" in s)
    pytest = next(i for i, s in enumerate(steps) if "pytest" in s)
    assert ruff < pytest and mypy < pytest


def test_the_typing_debt_does_not_grow() -> None:
    overrides = [o for o in PYPROJECT["tool"]["mypy"].get("overrides", []) if o.get("disable_error_code")]
    assert len(overrides) <= MAX_TYPING_DEBT_MODULES, "a module gained switched-off mypy codes: type it instead"
