"""The shared LaTeX cache, written only by trusted code. Host side; never imports Manim.

Scenes see the cache read-only. When a job compiled a formula the cache lacks, the pool takes the
job's `.tex` file, checks that its name is the hash of its content (Manim names TeX files that
way), compiles it again in a fresh sandbox that runs no scene code (`tex_compile.py`), and stores
the SVG that this trusted run produced. Nothing a scene wrote ever enters the cache, so a poisoned
SVG cannot reach another scene: an entry is, by construction, the real compilation of the TeX that
its name hashes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

from manim_agent.tools.sandbox import files as sandbox_files
from manim_agent.tools.sandbox.standby import Standby

COMPILERS = frozenset({"latex", "pdflatex", "xelatex", "lualatex", "luatex"})
FORMATS = frozenset({".dvi", ".xdv", ".pdf"})
MAX_TEX_BYTES = 256 * 1024
MAX_SVG_BYTES = 16 << 20
MAX_PER_JOB = 64
_STEM = re.compile(r"[0-9a-f]{16}")


def tex_hash(content: bytes) -> str:
    """Manim's name for a TeX file: the first 16 hex digits of the SHA-256 of its text."""
    return hashlib.sha256(content).hexdigest()[:16]


def collect(job_dir: Path, entries: Any, shared: Path) -> list[dict[str, Any]]:
    """The job's new formulas worth compiling: names that hash their content, not yet cached."""
    found: list[dict[str, Any]] = []
    if not isinstance(entries, dict):
        return found
    for stem, info in list(entries.items())[:MAX_PER_JOB]:
        if not isinstance(stem, str) or not _STEM.fullmatch(stem) or (shared / f"{stem}.svg").exists():
            continue
        compiler = info.get("compiler") if isinstance(info, dict) else None
        fmt = info.get("format") if isinstance(info, dict) else None
        if compiler not in COMPILERS or fmt not in FORMATS:
            continue
        try:
            content = sandbox_files.read_job_file(job_dir, f"tex/{stem}.tex", max_bytes=MAX_TEX_BYTES)
        except (OSError, sandbox_files.UnsafeJobFile):
            continue
        if tex_hash(content) == stem:
            found.append({"stem": stem, "tex": content, "compiler": compiler, "format": fmt})
    return found


def compile_and_store(formulas: list[dict[str, Any]], shared: Path) -> int:
    """Compile `formulas` in a TeX-only sandbox and store the results; returns how many were added."""
    if not formulas:
        return 0
    job = {"entries": [{k: f[k] for k in ("stem", "compiler", "format")} for f in formulas]}
    standby = Standby(module="manim_agent.tools.sandbox.child.tex_compile", args=[])
    added = 0
    try:
        (standby.job_dir / "tex").mkdir()
        for formula in formulas:
            (standby.job_dir / "tex" / f"{formula['stem']}.tex").write_bytes(formula["tex"])
        assert standby.process.stdin is not None
        standby.process.stdin.write(json.dumps(job).encode() + b"\n")
        standby.process.stdin.close()
        try:
            standby.process.wait(timeout=120)
        except Exception:  # a stuck compile adds nothing
            return 0
        shared.mkdir(parents=True, exist_ok=True)
        for formula in formulas:
            target = shared / f"{formula['stem']}.svg"
            try:
                sandbox_files.copy_job_file(standby.job_dir, f"tex/{formula['stem']}.svg", target.with_suffix(".svg.new"))
            except (OSError, sandbox_files.UnsafeJobFile):
                continue
            os.replace(target.with_suffix(".svg.new"), target)
            added += 1
    finally:
        standby.kill()
        shutil.rmtree(standby.job_dir, ignore_errors=True)
    return added
