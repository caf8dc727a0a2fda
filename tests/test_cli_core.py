"""`manim-agent check` and `render` as a user runs them: exit codes, JSON contract, bad input."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

GOOD = '''from manim import *

class Hello(Scene):
    def construct(self):
        title = MathTex(r"a^2 + b^2 = c^2")
        self.play(Write(title), run_time=0.5)
        self.wait(0.2)
'''

CONTRACT_KEYS = {"ok", "scene", "stage", "category", "line", "code_line", "message", "hint", "fixable", "issues", "seconds"}


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "manim_agent.cli", *args],
        capture_output=True, text=True, timeout=300, cwd=cwd, env={**os.environ},
    )


def check_json(path: Path, *extra: str) -> tuple[int, dict]:
    proc = cli("check", str(path), "--json", *extra)
    assert "Traceback" not in proc.stderr, proc.stderr
    data = json.loads(proc.stdout)
    return proc.returncode, data


def test_check_clean_scene_exits_zero_with_contract_json(tmp_path: Path) -> None:
    scene = tmp_path / "hello.py"
    scene.write_text(GOOD)
    code, data = check_json(scene)
    assert code == 0, data
    assert CONTRACT_KEYS <= set(data)
    assert data["ok"] is True and data["scene"] == "Hello" and data["category"] is None
    assert data["stage"] == "dry_run"


def test_check_human_output_names_line_and_hint(tmp_path: Path) -> None:
    scene = tmp_path / "old.py"
    scene.write_text(GOOD.replace("Write(title)", "ShowCreation(title)"))
    proc = cli("check", str(scene))
    assert proc.returncode == 1
    assert "old.py:6" in proc.stdout and "Create" in proc.stdout


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    "name, content, category",
    [
        ("empty.py", b"", "no_scene"),
        ("binary.py", bytes(range(256)) * 8, "syntax"),
        ("notes.py", b"# Title\n\nThis is *Markdown*, not Python: it explains a scene.\n", "syntax"),
        ("big.py", b"x = 1\n" * (10 * 1024 * 1024 // 6), "resource"),
    ],
)
def test_bad_input_files_get_a_diagnosis_not_a_traceback(tmp_path: Path, name: str, content: bytes, category: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    before = _sha(path)
    code, data = check_json(path)
    assert code == 1
    assert data["ok"] is False and data["category"] == category, data
    assert data["message"]
    assert _sha(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


@pytest.mark.parametrize(
    "body, category",
    [
        ("while True:\n            pass", "timeout"),
        ("a = [0] * (50 * 10**9)", "resource"),
        ("import os\n        os.fork()", "unsafe"),
        ("import socket\n        socket.create_connection(('127.0.0.1', 9))", "unsafe"),
        ("open('/root/.ssh/id_rsa').read()", "unsafe"),
        ("import os\n        key = os.environ['DEEPSEEK_API_KEY']", "unsafe"),
        ("open('../../etc/passwd', 'a').write('x')", "unsafe"),
    ],
)
def test_hostile_scenes_are_diagnosed(tmp_path: Path, body: str, category: str) -> None:
    scene = tmp_path / "hostile.py"
    scene.write_text(f"from manim import *\n\nclass Hostile(Scene):\n    def construct(self):\n        {body}\n")
    code, data = check_json(scene, "--timeout", "4")
    assert code == 1
    assert data["category"] == category, data
    assert data["line"] in (5, 6), data


def test_missing_file_is_a_user_error(tmp_path: Path) -> None:
    proc = cli("check", str(tmp_path / "nope.py"))
    assert proc.returncode == 2
    assert "does not exist" in proc.stderr and "Traceback" not in proc.stderr


def test_unknown_scene_name_lists_the_choices(tmp_path: Path) -> None:
    scene = tmp_path / "hello.py"
    scene.write_text(GOOD)
    code, data = check_json(scene, "--scene", "Helo")
    assert code == 1 and data["category"] == "no_scene"
    assert "Hello" in data["message"] + (data["hint"] or "")


def test_render_writes_png_and_mp4(tmp_path: Path) -> None:
    scene = tmp_path / "hello.py"
    scene.write_text(GOOD)
    out = tmp_path / "out"
    proc = cli("render", str(scene), "--format", "png", "--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    png = Path(proc.stdout.strip().splitlines()[-1])
    assert png.suffix == ".png" and png.stat().st_size > 1000
    proc = cli("render", str(scene), "--out", str(out), "--json")
    data = json.loads(proc.stdout)
    assert data["ok"], data
    [mp4] = data["outputs"]
    assert mp4.endswith(".mp4") and Path(mp4).stat().st_size > 1000


def test_render_failure_prints_diagnosis(tmp_path: Path) -> None:
    scene = tmp_path / "broken.py"
    scene.write_text(GOOD.replace("MathTex(r\"a^2 + b^2 = c^2\")", "MathTex(r\"\\notacommand x\")"))
    proc = cli("render", str(scene), "--out", str(tmp_path / "out"))
    assert proc.returncode == 1
    assert "latex" in proc.stdout and "notacommand" in proc.stdout
