"""The sandbox boundary's own parts: what the OS refuses, what the host refuses to believe, and the
LaTeX cache that only trusted code writes. tests/test_sandbox_escapes.py attacks it end to end."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from manim_agent.errors import IsolationUnavailable
from manim_agent.tools import render_scene
from manim_agent.tools.sandbox import bwrap as sandbox_bwrap
from manim_agent.tools.sandbox import client as sandbox
from manim_agent.tools.sandbox import files as sandbox_files
from manim_agent.tools.sandbox import texcache as sandbox_texcache

needs_bwrap = pytest.mark.skipif(sandbox.sandbox_method() != "bwrap", reason="bubblewrap is not usable here")

# Runs with no audit hook and no static policy: only the operating system stands in the way.
RAW_ATTACK = r'''
import ctypes, os, socket
libc = ctypes.CDLL(None, use_errno=True)
class FH(ctypes.Structure):
    _fields_ = [("handle_bytes", ctypes.c_uint), ("handle_type", ctypes.c_int), ("f_handle", ctypes.c_ubyte * 128)]
fh = FH(); fh.handle_bytes = 128; mount_id = ctypes.c_int()
results = {}
results["name_to_handle_at"] = libc.name_to_handle_at(-100, b"/usr", ctypes.byref(fh), ctypes.byref(mount_id), 0)
results["open_by_handle_at"] = libc.open_by_handle_at(os.open("/usr", os.O_RDONLY), ctypes.byref(fh), 0)
results["ptrace"] = libc.ptrace(16, 1, 0, 0)
results["unshare"] = libc.unshare(0x10000000)
results["mount"] = libc.mount(b"none", b"/tmp", b"tmpfs", 0, None)
results["uid"] = os.getuid()
results["caps"] = open("/proc/self/status").read().split("CapEff:")[1].split()[0]
visible = [p for p in (CANARY, "/etc/shadow", os.path.expanduser("~root/.ssh"), PRIVATE) if os.path.exists(p)]
try:
    socket.create_connection(("127.0.0.1", PORT), timeout=1); results["net"] = "open"
except OSError:
    results["net"] = "closed"
try:
    open(OUTSIDE, "w").write("escaped"); results["write"] = "done"
except OSError:
    results["write"] = "refused"
print((results, visible))
'''


@needs_bwrap
def test_the_os_refuses_escape_calls_host_files_network_and_writes(tmp_path: Path) -> None:
    import socket

    canary = tmp_path / "host" / "canary.txt"
    canary.parent.mkdir()
    canary.write_text("CANARY")
    private = Path(sandbox.settings.subdir("run"))
    job = tmp_path / "job"
    job.mkdir()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    outside = tmp_path / "host" / "written.txt"
    script = (f"CANARY={str(canary)!r}\nPRIVATE={str(private)!r}\nPORT={listener.getsockname()[1]}\n"
              f"OUTSIDE={str(outside)!r}\n" + RAW_ATTACK)
    (job / "attack.py").write_text(script)
    fd = sandbox_bwrap.seccomp_fd()
    assert fd is not None, "libseccomp is missing"
    command = sandbox_bwrap.bwrap_command(job_dir=job, readonly=[], seccomp=fd) + [sys.executable, str(job / "attack.py")]
    try:
        proc = subprocess.run(command, pass_fds=[fd], capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin"})
    finally:
        os.close(fd)
        listener.close()
    assert proc.returncode == 0, proc.stderr
    results, visible = eval(proc.stdout)  # our own script's repr
    for call in ("name_to_handle_at", "open_by_handle_at", "ptrace", "unshare", "mount"):
        assert results[call] == -1, (call, results)
    assert results["uid"] == sandbox_bwrap.SANDBOX_UID and int(results["caps"], 16) == 0
    assert visible == [] and results["net"] == "closed" and results["write"] == "refused"
    assert not outside.exists() and canary.read_text() == "CANARY"


def test_job_files_are_read_only_inside_the_job_and_never_through_symlinks(tmp_path: Path) -> None:
    job = tmp_path / "job"
    (job / "media").mkdir(parents=True)
    secret = tmp_path / "id_canary"
    secret.write_text("PRIVATE KEY")
    (job / "media" / "link.mp4").symlink_to(secret)
    (job / "dirlink").symlink_to(tmp_path)
    os.link(secret, job / "hard.mp4") if os.stat(tmp_path).st_dev == os.stat(job).st_dev else None
    (job / "media" / "fake.mp4").write_bytes(b"#!/bin/sh\necho not a video")
    (job / "media" / "real.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    for bad in ("media/link.mp4", "dirlink/id_canary", str(secret), "../id_canary", "hard.mp4"):
        with pytest.raises(sandbox_files.UnsafeJobFile):
            sandbox_files.copy_job_file(job, bad, tmp_path / "out.mp4")
    with pytest.raises(sandbox_files.UnsafeJobFile, match="not a .mp4"):
        sandbox_files.copy_job_file(job, "media/fake.mp4", tmp_path / "out.mp4")
    copied = sandbox_files.copy_job_file(job, str(job / "media" / "real.mp4"), tmp_path / "out.mp4")
    assert copied.read_bytes()[4:8] == b"ftyp"
    assert "PRIVATE" not in copied.read_text(errors="replace")


def test_render_never_copies_a_file_a_forged_result_names(tmp_path: Path, monkeypatch) -> None:
    secret = tmp_path / "home" / ".ssh" / "id_canary"
    secret.parent.mkdir(parents=True)
    secret.write_text("PRIVATE KEY")

    def forged_run(self, job, files):
        workdir = tmp_path / "work"
        workdir.mkdir(exist_ok=True)
        (workdir / "Probe.mp4").symlink_to(secret)
        return {"status": "ok", "outputs": [str(secret), str(workdir / "Probe.mp4")], "workdir": str(workdir)}

    monkeypatch.setattr(sandbox.WorkerClient, "run", forged_run)
    out = tmp_path / "out"
    result = render_scene.render_source("from manim import *\nclass Probe(Scene):\n    def construct(self):\n"
                                        "        self.add(Dot())\n", out_dir=out)
    assert not result.ok and result.outputs == []
    assert not any("PRIVATE" in p.read_text(errors="replace") for p in out.rglob("*") if p.is_file())


def test_tex_cache_names_are_manims_hash_and_mismatches_are_refused(tmp_path: Path) -> None:
    from manim.utils.tex_file_writing import tex_hash

    content = r"\documentclass{article}\begin{document}$E=mc^2$\end{document}" + "\n"
    assert sandbox_texcache.tex_hash(content.encode()) == tex_hash(content)
    job = tmp_path / "job"
    (job / "tex").mkdir(parents=True)
    good = tex_hash(content)
    (job / "tex" / f"{good}.tex").write_text(content)
    (job / "tex" / "0123456789abcdef.tex").write_text(content)  # a name that is not its content's hash
    entries = {good: {"compiler": "latex", "format": ".dvi"},
               "0123456789abcdef": {"compiler": "latex", "format": ".dvi"},
               "../../etc/passwd": {"compiler": "latex", "format": ".dvi"},
               "fedcba9876543210": {"compiler": "sh", "format": ".dvi"}}
    found = sandbox_texcache.collect(job, entries, tmp_path / "shared")
    assert [f["stem"] for f in found] == [good]


@needs_bwrap
def test_the_shared_tex_cache_gets_only_a_trusted_compilation(tmp_path: Path) -> None:
    content = (r"\documentclass[preview]{standalone}\usepackage{amsmath}\begin{document}"
               r"\begin{align*}E=mc^2\end{align*}\end{document}" + "\n")
    stem = hashlib.sha256(content.encode()).hexdigest()[:16]
    shared = tmp_path / "shared"
    formula = {"stem": stem, "tex": content.encode(), "compiler": "latex", "format": ".dvi"}
    assert sandbox_texcache.compile_and_store([formula], shared) == 1
    svg = (shared / f"{stem}.svg").read_bytes()
    assert svg.startswith(b"<?xml") and b"<path" in svg


def test_untrusted_sources_are_refused_without_isolation(monkeypatch) -> None:
    monkeypatch.setattr(sandbox, "sandbox_method", lambda: "rlimits")
    monkeypatch.delenv(sandbox.UNISOLATED_OPT_IN_ENV, raising=False)
    with pytest.raises(IsolationUnavailable, match="MANIM_AGENT_ALLOW_UNISOLATED"):
        sandbox.require_isolation("the MCP server")
    assert "NOT ISOLATED" in sandbox.describe_protection("rlimits")
    monkeypatch.setenv(sandbox.UNISOLATED_OPT_IN_ENV, "1")
    sandbox.require_isolation("the MCP server")


@needs_bwrap
def test_a_scene_cannot_run_a_program_named_latex_or_read_files_through_tex(tmp_path: Path) -> None:
    """TeX's \\openin of a file outside the job fails; the diagnosis never shows the file."""
    from manim_agent.tools.sandbox.standby import shared_tex_dir

    shared_tex_dir().mkdir(parents=True, exist_ok=True)
    secret = shared_tex_dir() / "not-for-scenes.txt"  # visible (read-only) inside the sandbox
    secret.write_text("TOPSECRET")
    # Were the read allowed, \errmessage would put the file's text into the LaTeX log and the diagnosis.
    source = (
        "from manim import *\nclass Probe(Scene):\n    def construct(self):\n"
        f"        self.add(Tex(r'\\newread\\f\\openin\\f={secret} \\read\\f to\\x \\errmessage{{\\x}}'))\n"
    )
    try:
        diagnosis = render_scene.check_scene(source, timeout=60)
    finally:
        secret.unlink()
    assert not diagnosis.ok and diagnosis.findings[0].category == "latex"
    assert "TOPSECRET" not in str(diagnosis.to_json())


@needs_bwrap
def test_latex_works_when_the_state_directory_is_a_dot_directory(monkeypatch) -> None:
    """The default home is ~/.manim-agent, and TeX's paranoid mode refuses paths with a dot-directory."""
    import shutil
    import tempfile

    home = Path(tempfile.mkdtemp(prefix=".ma-", dir="/tmp")) / ".state"
    monkeypatch.setenv("MANIM_AGENT_HOME", str(home))
    try:
        diagnosis = render_scene.check_scene(
            "from manim import *\nclass Probe(Scene):\n    def construct(self):\n"
            "        self.play(Write(MathTex(r'\\int_0^1 x\\,dx = \\tfrac12')))\n",
            timeout=120,
        )
        assert diagnosis.ok, diagnosis.to_json()
    finally:
        sandbox.shutdown_all_workers()
        shutil.rmtree(home.parent, ignore_errors=True)
