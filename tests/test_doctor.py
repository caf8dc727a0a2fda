"""`manim-agent doctor` reports each component and the command that fixes what is missing."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def doctor(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "manim_agent.cli", "doctor", "--json", *args],
                          capture_output=True, text=True, timeout=300, env=env or dict(os.environ))


def test_doctor_reports_components_and_proves_latex_end_to_end() -> None:
    proc = doctor()
    assert proc.returncode == 0, proc.stderr
    checks = {c["name"]: c for c in json.loads(proc.stdout)}
    for name in ("python", "manim", "latex", "dvisvgm", "cairo", "pango", "sandbox", "end-to-end"):
        assert name in checks, name
    assert checks["manim"]["ok"] and checks["latex"]["ok"]
    assert checks["end-to-end"]["ok"], checks["end-to-end"]


def test_missing_key_is_reported_with_the_variable_to_set() -> None:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env["MANIM_AGENT_MODEL"] = "deepseek/deepseek-chat"
    checks = {c["name"]: c for c in json.loads(doctor("--quick", env=env).stdout)}
    writer = checks["model: writer"]
    assert not writer["ok"] and "DEEPSEEK_API_KEY" in writer["fix"]
    env["DEEPSEEK_API_KEY"] = "sk-test-not-real"
    checks = {c["name"]: c for c in json.loads(doctor("--quick", env=env).stdout)}
    assert checks["model: writer"]["ok"]


def test_missing_tool_names_the_install_command() -> None:
    env = dict(os.environ, PATH="/nonexistent")
    proc = subprocess.run([sys.executable, "-c", "from manim_agent.doctor import run_checks; import json; "
                           "print(json.dumps([c.to_json() for c in run_checks(end_to_end=False)]))"],
                          capture_output=True, text=True, timeout=120, env=env)
    checks = {c["name"]: c for c in json.loads(proc.stdout)}
    assert not checks["latex"]["ok"] and "apt-get install" in checks["latex"]["fix"]
    assert "texlive-latex-extra" in checks["latex"]["fix"]
