"""The sandbox's runtime layer, exercised without the static policy in front of it.

Each scene here would be refused by the static checks; these tests prove that the worker's own
limits hold even when static analysis is evaded.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from manim_agent.tools.render_scene import _result_findings
from manim_agent.tools.sandbox import client as sandbox
from manim_agent.tools.sandbox.isolation import ENV_ALLOWLIST

HEADER = "from manim import *\nimport os, socket, numpy as np\n\n"


def run_unchecked(body: str, *, timeout: float = 20, warm: bool = True, **job: object) -> tuple[dict, str]:
    source = HEADER + "class Probe(Scene):\n    def construct(self):\n" + "\n".join(
        "        " + line for line in body.strip().splitlines()
    ) + "\n"
    with sandbox.run_job({"mode": "check", "scene": "Probe", "timeout": timeout, **job}, {"scene.py": source},
                         warm=warm) as result:
        return result, source


def only_finding(result: dict, source: str):
    [finding] = _result_findings(result, source)
    return finding


def test_clean_scene_passes_in_both_worker_modes() -> None:
    for warm in (True, False):
        result, _ = run_unchecked("self.play(Create(Circle()), run_time=0.5)", warm=warm)
        assert result["status"] == "ok", result
        assert result["num_plays"] == 1


def test_endless_loop_times_out_naming_the_line() -> None:
    result, source = run_unchecked("n = 0\nwhile True:\n    n += 1", timeout=3)
    finding = only_finding(result, source)
    assert finding.category == "timeout"
    assert finding.line in (7, 8)  # the loop header or its body
    assert "while True" in source.splitlines()[6]


def test_huge_allocation_is_a_resource_error() -> None:
    result, source = run_unchecked("a = np.ones((50 * 10**9 // 8,))", memory_mb=2048)
    finding = only_finding(result, source)
    assert finding.category == "resource"
    assert finding.line == 6


def test_fork_bomb_is_stopped() -> None:
    result, source = run_unchecked("while True:\n    os.fork()")
    finding = only_finding(result, source)
    assert finding.category == "unsafe"
    assert "os.fork" in finding.message


@pytest.mark.parametrize(
    "body, needle",
    [
        ('socket.create_connection(("127.0.0.1", 9))', "socket"),
        ('s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)', "socket"),
        ('import subprocess\nsubprocess.run(["sh", "-c", "echo hi"])', "sh"),
        ('os.system("echo hi")', "os.system"),
        ('import ctypes\nctypes.CDLL(None)', "ctypes"),
    ],
)
def test_network_processes_and_ctypes_are_refused(body: str, needle: str) -> None:
    result, source = run_unchecked(body)
    finding = only_finding(result, source)
    assert finding.category == "unsafe", finding
    assert needle in finding.message


def test_secrets_are_unreadable(tmp_path: Path) -> None:
    ssh = Path.home() / ".ssh" / "id_rsa"
    result, source = run_unchecked(f'open({str(ssh)!r}).read()')
    finding = only_finding(result, source)
    # Either the audit hook refuses it or bubblewrap hides the home directory entirely.
    assert finding.category in ("unsafe", "runtime")
    assert ".ssh" in finding.message


def test_api_keys_never_reach_the_scene(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEEPSEEK_API_KEY", "sk-test-sentinel")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-sentinel")
    body = (
        'leaked = [k for k, v in os.environ.items() if "sentinel" in v or k.endswith("_API_KEY")]\n'
        'if leaked:\n    raise RuntimeError(f"LEAKED {leaked}")\n'
        'self.add(Dot())'
    )
    for warm in (True, False):
        result, _ = run_unchecked(body, warm=warm)
        assert result["status"] == "ok", result


def test_writes_outside_the_work_directory_are_refused(tmp_path: Path) -> None:
    passwd = Path("/etc/passwd")
    before = hashlib.sha256(passwd.read_bytes()).hexdigest()
    outside = tmp_path / "victim.txt"
    outside.write_text("original")
    for target in ("../../etc/passwd", str(outside), "/tmp/escape.txt"):
        result, source = run_unchecked(f'with open({target!r}, "a") as f:\n    f.write("pwned")')
        finding = only_finding(result, source)
        assert finding.category in ("unsafe", "runtime"), finding
    assert hashlib.sha256(passwd.read_bytes()).hexdigest() == before
    assert outside.read_text() == "original"
    assert not Path("/tmp/escape.txt").exists()


def test_writing_inside_the_work_directory_is_allowed() -> None:
    result, _ = run_unchecked('with open("notes.txt", "w") as f:\n    f.write("fine")\nself.add(Dot())')
    assert result["status"] == "ok", result


def test_work_directory_is_removed_afterwards(state_home: Path) -> None:
    first, _ = run_unchecked("self.add(Dot())")
    before = sorted((state_home / "work").iterdir())
    second, _ = run_unchecked("self.add(Dot())")
    assert not Path(first["workdir"]).exists() and not Path(second["workdir"]).exists()
    # Only pre-started sandboxes' directories (and a LaTeX-cache compile) remain; no job's files accumulate.
    after = sorted((state_home / "work").iterdir())
    assert len(after) <= len(before) + 1 and not any((p / "scene.py").exists() for p in after)


def test_scrubbed_environment_has_no_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "x")
    monkeypatch.setenv("GITHUB_TOKEN", "x")
    env = sandbox.scrubbed_env()
    assert not [k for k in env if "KEY" in k or "TOKEN" in k]
    assert set(env) <= set(ENV_ALLOWLIST) | {"PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "HOME"}


@pytest.mark.skipif(sandbox.sandbox_method() != "bwrap", reason="bubblewrap is not usable on this machine")
def test_bwrap_hides_the_network_and_host_files(tmp_path: Path) -> None:
    sentinel = tmp_path / "host-only.txt"
    sentinel.write_text("secret")
    body = (
        'names = socket.if_nameindex()\n'
        'if any(n != "lo" for _, n in names):\n    raise RuntimeError(f"network visible: {names}")\n'
        f'if os.path.exists({str(sentinel)!r}) or os.path.exists({str(Path.home() / ".ssh")!r}):\n'
        '    raise RuntimeError("host files visible")\n'
        'self.add(Dot())'
    )
    result, _ = run_unchecked(body)
    assert result["status"] == "ok", result


GUARD_PROBE = """
import sys
from pathlib import Path
from manim_agent.tools.sandbox.child import runtime_guard
work, secret_dir = Path(sys.argv[1]), Path(sys.argv[2])
runtime_guard.install_guard(runtime_guard.Guard(work, secret_dirs=[secret_dir]))
for target in sys.argv[3:]:
    try:
        open(target).read()
        print("READ", target)
    except runtime_guard.PolicyViolation:
        print("REFUSED", target)
"""


def test_audit_hook_refuses_secret_files_that_exist(tmp_path: Path) -> None:
    """The guard itself, on files that really exist (a missing file must not make this pass)."""
    import subprocess
    import sys

    work, secrets = tmp_path / "work", tmp_path / "home" / ".ssh"
    work.mkdir()
    secrets.mkdir(parents=True)
    (secrets / "id_rsa").write_text("PRIVATE")
    (tmp_path / ".env").write_text("DEEPSEEK_API_KEY=sk-real")
    (work / "data.txt").write_text("fine")
    proc = subprocess.run(
        [sys.executable, "-c", GUARD_PROBE, str(work), str(secrets),
         str(secrets / "id_rsa"), str(tmp_path / ".env"), str(work / "data.txt")],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.stdout.split("\n")[:3] == [
        f"REFUSED {secrets / 'id_rsa'}", f"REFUSED {tmp_path / '.env'}", f"READ {work / 'data.txt'}",
    ], proc.stdout + proc.stderr
