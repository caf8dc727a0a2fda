"""Compile TeX files for the shared cache, inside a sandbox that runs no scene code (child side).

Reads one JSON line from stdin, `{"entries": [{"stem", "compiler", "format"}, ...]}`, and compiles
`tex/<stem>.tex` into `tex/<stem>.svg` in the current directory with Manim's own functions (so an
entry is exactly what Manim would have produced), under `tex_policy`'s rules: resolved programs,
no shell escape, paranoid file access.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main() -> int:
    request = json.loads(sys.stdin.readline() or "{}")
    from manim import tempconfig
    from manim.utils import tex_file_writing as tfw

    from manim_agent.tools.sandbox.child import tex_policy

    tex_policy.install(None)
    tex_dir = Path.cwd() / "tex"
    with tempconfig({"tex_dir": str(tex_dir), "no_latex_cleanup": True, "verbosity": "ERROR"}):
        for entry in request.get("entries", []):
            tex_file = tex_dir / f"{entry['stem']}.tex"
            try:
                output = tfw.compile_tex(tex_file, entry["compiler"], entry["format"])
                tfw.convert_to_svg(output, entry["format"])
            except (ValueError, OSError):
                continue
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
