"""`manim-agent check` with the layout check, as a user runs it: exit codes, JSON, contact sheet, flags."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

OFF_FRAME = '''from manim import *


class Caption(Scene):
    def construct(self):
        circle = Circle(radius=2)
        caption = Text("a circle of radius two", font_size=36).next_to(circle, DOWN, buff=1.8)
        self.play(Create(circle), FadeIn(caption), run_time=0.4)
'''


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "manim_agent.cli", *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd, env={**os.environ})


def test_a_layout_error_fails_check_and_writes_the_contact_sheet_in_the_state_directory(
    tmp_path: Path, state_home: Path
) -> None:
    scene = tmp_path / "caption.py"
    scene.write_text(OFF_FRAME)
    proc = cli("check", str(scene), "--json")
    data = json.loads(proc.stdout)
    assert proc.returncode == 1, data
    assert (data["ok"], data["stage"], data["category"], data["line"]) == (False, "layout", "layout", 7)
    assert "Text `a circle of radius two`" in data["message"] and "bottom edge" in data["message"]
    assert "move it up by" in data["hint"]
    sheet = state_home / "contact-sheets" / "caption.contact.png"
    assert data["contact_sheet"] == str(sheet) and sheet.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # The check changes nothing next to the user's file.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["caption.py"]
    chosen = tmp_path / "sheets" / "here.png"
    proc = cli("check", str(scene), "--json", "--contact-sheet", str(chosen))
    assert json.loads(proc.stdout)["contact_sheet"] == str(chosen) and chosen.exists()
    human = cli("check", str(scene), "--no-contact-sheet")
    assert human.returncode == 1 and "caption.py:7 layout (layout)" in human.stdout and "contact sheet" not in human.stdout


def test_no_layout_checks_only_that_it_renders(tmp_path: Path) -> None:
    scene = tmp_path / "caption.py"
    scene.write_text(OFF_FRAME)
    proc = cli("check", str(scene), "--json", "--no-layout")
    data = json.loads(proc.stdout)
    assert proc.returncode == 0 and data["ok"] and data["stage"] == "dry_run" and data["contact_sheet"] is None
    assert not (tmp_path / "caption.contact.png").exists()


def test_a_layout_config_file_changes_severities_and_a_bad_one_is_a_usage_error(tmp_path: Path) -> None:
    scene = tmp_path / "caption.py"
    scene.write_text(OFF_FRAME)
    config = tmp_path / "layout.yaml"
    config.write_text("off_frame:\n  severity: warning\n")
    sheet = tmp_path / "out" / "sheet.png"
    proc = cli("check", str(scene), "--json", "--layout-config", str(config), "--contact-sheet", str(sheet))
    data = json.loads(proc.stdout)
    assert proc.returncode == 0 and data["ok"] and sheet.is_file()
    assert [i["severity"] for i in data["issues"] if i["category"] == "layout"] == ["warning"]
    config.write_text("off_frame:\n  severity: fatal\n")
    bad = cli("check", str(scene), "--layout-config", str(config))
    assert bad.returncode == 2 and "error, warning or off" in bad.stderr and "Traceback" not in bad.stderr


def test_an_unknown_vision_model_fails_before_the_check(tmp_path: Path) -> None:
    scene = tmp_path / "caption.py"
    scene.write_text(OFF_FRAME)
    proc = cli("check", str(scene), "--vision-model", "no-such-provider-xyz")
    assert proc.returncode == 2 and "no-such-provider-xyz" in proc.stderr and "Traceback" not in proc.stderr
