"""`manim-agent check DIR_OR_FILES...` and `manim-agent fix DIR...`: every scene of every file, bad input included."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from manim_agent.folder_check import python_files, scene_targets

GOOD = "from manim import *\n\n\nclass Good(Scene):\n    def construct(self):\n        self.play(FadeIn(Square()))\n"
TWO = GOOD + "\n\nclass Broken(Scene):\n    def construct(self):\n        self.play(ShowCreation(Circle()))\n"
KWARG = "from manim import *\n\n\nclass Tips(Scene):\n    def construct(self):\n        self.play(GrowArrow(Arrow(LEFT, RIGHT, max_tip_length=0.1)))\n"


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "manim_agent.cli", *args], capture_output=True, text=True,
                          timeout=600, cwd=cwd, env={**os.environ})


def folder(tmp_path: Path) -> Path:
    root = tmp_path / "scenes"
    (root / "sub").mkdir(parents=True)
    (root / "two.py").write_text(TWO)
    (root / "sub" / "tips.py").write_text(KWARG)
    (root / "sub" / "binary.py").write_bytes(b"\x00\x01\x02")
    (root / "notes.txt").write_text("not a scene")
    (root / "sub" / "loop").symlink_to(root, target_is_directory=True)  # a loop: never followed
    (root / "link.py").symlink_to(root / "two.py")
    return root


def test_the_walk_takes_every_py_file_once_and_reports_symlinks(tmp_path: Path) -> None:
    root = folder(tmp_path)
    found = {p.relative_to(root).as_posix(): problem for p, problem in python_files([root])}
    assert found == {"two.py": None, "link.py": "a symbolic link (not followed)", "sub/binary.py": None, "sub/tips.py": None}
    assert [t.scene for t in scene_targets(root / "two.py", None)] == ["Good", "Broken"]


def test_check_a_folder_prints_one_json_line_per_scene_and_fix_writes_fixed_files(tmp_path: Path) -> None:
    root = folder(tmp_path)
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and not p.is_symlink()}
    proc = cli("check", str(root), "--json", "--no-layout", "--timeout", "20", "--jobs", "2", cwd=tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    by_scene = {(Path(r["file"]).name, r["scene"]): r for r in rows}
    assert by_scene[("two.py", "Good")]["ok"] is True
    assert by_scene[("two.py", "Broken")]["category"] == "unknown_api" and by_scene[("two.py", "Broken")]["line"] == TWO.splitlines().index("        self.play(ShowCreation(Circle()))") + 1
    assert by_scene[("tips.py", "Tips")]["fixable_by_a_rule"] is True
    assert not by_scene[("binary.py", None)]["ok"] and not by_scene[("link.py", None)]["ok"]
    assert len(rows) == 5

    table = cli("check", str(root / "two.py"), str(root / "sub" / "tips.py"), "--no-layout", cwd=tmp_path)
    assert "3 scene(s) in 2 file(s): 1 render(s), 2 fail(s)" in table.stdout and "fixable by a rule: 2" in table.stdout

    fixed = cli("fix", str(root), cwd=tmp_path)
    assert "Traceback" not in fixed.stderr, fixed.stderr
    assert "wrote" in fixed.stdout and "removed-kwarg" in fixed.stdout and "rename" in fixed.stdout
    assert "max_tip_length" not in (root / "sub" / "tips.fixed.py").read_text()
    assert "Create(Circle())" in (root / "two.fixed.py").read_text()
    after = {p: p.read_bytes() for p in before}
    assert after == before  # only *.fixed.py files were added
    assert sorted(p.name for p in root.rglob("*.fixed.py")) == ["tips.fixed.py", "two.fixed.py"]
