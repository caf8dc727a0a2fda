"""How Manim runs TeX inside the sandbox (child side: imports Manim).

- The TeX programs run by their absolute, resolved paths, found on the system PATH when the
  sandbox starts, never through a PATH the scene could change, so a file named `latex` in the job
  directory is never run.
- TeX runs with `-no-shell-escape` (no `\\write18`) and with `openin_any=p`, `openout_any=p`
  (kpathsea's paranoid mode: no dot files, nothing outside the working tree and the TeX trees), so
  `\\openin` cannot read /etc/shadow, /proc/*/environ or a `.env`.
- The shared LaTeX cache is read-only inside the sandbox. A formula found there is used as is; a
  new one is compiled into the job's own `tex/` directory and listed in `new_entries`, so that the
  host can compile it again, in a sandbox that runs no scene code, and only then add it to the
  shared cache (`sandbox_texcache.py`). A scene can therefore never change what another scene sees.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

TEX_PROGRAMS = ("latex", "pdflatex", "xelatex", "lualatex", "luatex", "dvisvgm")
SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"
# kpathsea settings (texmf.cnf variables may be set from the environment).
TEX_ENV = {"openin_any": "p", "openout_any": "p", "shell_escape": "f"}

PROGRAMS: dict[str, str] = {}
new_entries: dict[str, dict[str, str]] = {}
_shared_dir: list[Path | None] = [None]


class _TexSubprocess:
    """Stands in for the `subprocess` module inside manim.utils.tex_file_writing."""

    DEVNULL = subprocess.DEVNULL
    PIPE = subprocess.PIPE
    CompletedProcess = subprocess.CompletedProcess

    def run(self, command: list[str], **kwargs: Any) -> subprocess.CompletedProcess:
        name = os.path.basename(str(command[0]))
        program = PROGRAMS.get(name)
        if program is None:
            raise ValueError(f"{name!r} is not a TeX program this sandbox runs")
        # Paranoid mode refuses absolute paths outside TEXMFOUTPUT and any path with a dot-directory
        # in it (the default state directory is ~/.manim-agent), so TeX runs in the input's directory
        # and is given names relative to it.
        here = os.path.dirname(os.path.abspath(str(command[-1])))
        args = [program, *(["-no-shell-escape"] if name != "dvisvgm" else []), *(_relative(str(a), here) for a in command[1:])]
        env = {**os.environ, "PATH": SYSTEM_PATH, **TEX_ENV, "TEXMFOUTPUT": here}
        return subprocess.run(args, **{**kwargs, "env": env, "cwd": here})


def _relative(arg: str, here: str) -> str:
    """`arg` with a path inside `here` made relative to it (also after -output-directory= / --output=)."""
    for prefix in ("-output-directory=", "--output=", ""):
        if arg.startswith(prefix):
            value = arg[len(prefix):]
            if os.path.isabs(value) and (value == here or value.startswith(here + os.sep)):
                return prefix + (os.path.relpath(value, here) or ".")
    return arg


def install(shared_dir: Path | None) -> None:
    """Patch Manim's TeX pipeline for this process (idempotent); `shared_dir` is the read-only cache."""
    import manim.mobject.text.tex_mobject as tex_mobject
    import manim.utils.tex_file_writing as tfw
    from manim import config

    _shared_dir[0] = shared_dir
    if not PROGRAMS:
        for name in TEX_PROGRAMS:
            found = shutil.which(name, path=SYSTEM_PATH)
            if found:
                # Keep the link's own path: pdftex picks its format (latex) from the name it is run by.
                PROGRAMS[name] = os.path.abspath(found)
    tfw.subprocess = _TexSubprocess()  # type: ignore[assignment]
    original = getattr(tfw, "_manim_agent_original", None) or tfw.tex_to_svg_file
    tfw._manim_agent_original = original  # type: ignore[attr-defined]

    def tex_to_svg_file(expression: str, environment: str | None = None, tex_template: Any = None) -> Path:
        template = tex_template or config["tex_template"]
        tex_file = tfw.generate_tex_file(expression, environment, template)
        shared = _shared_dir[0]
        if shared is not None:
            cached = shared / (tex_file.stem + ".svg")
            local = tex_file.with_suffix(".svg")
            if cached.is_file() and not local.exists():
                # A copy in the job's own directory: Manim writes derived files next to the SVG it reads.
                local.write_bytes(cached.read_bytes())
            if local.exists():
                return local
        svg = original(expression, environment, tex_template)
        new_entries[tex_file.stem] = {"compiler": str(template.tex_compiler), "format": str(template.output_format)}
        return svg

    tfw.tex_to_svg_file = tex_to_svg_file
    tex_mobject.tex_to_svg_file = tex_to_svg_file


def allowed_programs() -> frozenset[str]:
    """The resolved paths the audit hook lets a scene's process start."""
    return frozenset(os.path.realpath(p) for p in PROGRAMS.values())
