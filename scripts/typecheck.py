"""Run mypy on the package as it is installed: `manim_agent` with tools/, agent/, evals/, ... inside it.

The card's folders sit at the top level of the repository and are mapped into `manim_agent` by
pyproject's package-dir, which mypy cannot read. So this builds the installed layout as a tree of
symlinks in a temporary folder and checks that, with the configuration in pyproject.toml.
Usage: .venv/bin/python scripts/typecheck.py [extra mypy args]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    package_dirs: dict[str, str] = config["tool"]["setuptools"]["package-dir"]
    with tempfile.TemporaryDirectory(prefix="ma-typecheck-") as tmp:
        farm = Path(tmp) / "manim_agent"
        farm.mkdir()
        for entry in (ROOT / "manim_agent").iterdir():
            (farm / entry.name).symlink_to(entry)
        for package, folder in package_dirs.items():
            if package.count(".") == 1:  # manim_agent.tools -> tools/ (deeper ones come with their parent)
                (farm / package.split(".")[1]).symlink_to(ROOT / folder)
        command = [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"), "-p", "manim_agent", *argv]
        env = {**os.environ, "MYPYPATH": tmp}
        proc = subprocess.run(command, cwd=tmp, env=env, text=True, capture_output=True)
        # Report paths as the repository's, not the temporary farm's.
        out = proc.stdout.replace(str(farm) + "/", "").replace("manim_agent/tools/", "tools/").replace("manim_agent/agent/", "agent/")
        out = out.replace("manim_agent/evals/", "evals/").replace("manim_agent/scenes/", "scenes/").replace("manim_agent/prompt_templates/", "prompt_templates/")
        sys.stdout.write(out)
        sys.stderr.write(proc.stderr)
        return proc.returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
