"""The sandbox's inside: imports Manim, then runs exactly one job in a forked, limited child.

`python -m manim_agent.tools.sandbox.child.worker standby` is what every single-use sandbox runs (started by
`sandbox_pool.py`, inside bubblewrap when it is available). It imports Manim and plays a tiny scene
so its caches are warm, writes one `ready` line to stdout, reads one job as a JSON line from stdin,
runs it, writes the result as one JSON line to stdout and exits. stdin and stdout are pipes the
host holds: there is no socket or path that a scene could replace. The host trusts nothing this
process says beyond "this is what happened"; it checks every file the result names.

In the child: a new session, the job directory as cwd and HOME, rlimits, the audit hook with the
resolved TeX programs as the only ones it may start, a SIGALRM that raises inside the scene when
the time is up (its traceback names the line that was running), and faulthandler as a last resort
for code stuck in C.
"""

from __future__ import annotations

import argparse
import faulthandler
import json
import os
import select
import signal
import sys
import time
from pathlib import Path
from typing import Any

GRACE_SECONDS = 4.0
# The least a job may run when its deadline is (nearly) spent: enough to say where the scene was.
MIN_JOB_SECONDS = 1.0


def _child(job: dict[str, Any], write_fd: int) -> None:
    """Runs in the forked child; never returns."""
    status = 0
    try:
        os.setsid()
        os.closerange(3, write_fd)
        os.closerange(write_fd + 1, 4096)
        workdir = Path(job["workdir"])
        os.chdir(workdir)
        log = os.open(workdir / ".output.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
        tmp = workdir / "tmp"
        tmp.mkdir(exist_ok=True)
        os.environ.update(
            HOME=str(workdir),
            TMPDIR=str(tmp),
            XDG_CACHE_HOME=str(workdir / ".cache"),
            MPLCONFIGDIR=str(workdir / ".cache"),
            TEXMFVAR=str(workdir / ".texmf-var"),
        )
        timeout = float(job.get("timeout", 60))
        if job.get("deadline"):
            # A check's budget is wall time from the user's command: a cold sandbox start ate part of it.
            timeout = max(min(MIN_JOB_SECONDS, timeout), min(timeout, float(job["deadline"]) - time.time()))
        stack_file = open(workdir / ".stack.txt", "w", encoding="utf-8")  # used by faulthandler
        faulthandler.dump_traceback_later(timeout + 1.0, exit=True, file=stack_file)

        from manim_agent.tools.sandbox.child import runtime_guard, scene_runner

        def on_alarm(signum: int, frame: Any) -> None:
            raise scene_runner.SceneTimeout(f"the scene was still running after {timeout:g} s")

        signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout)
        runtime_guard.apply_limits(
            memory_mb=int(job.get("memory_mb", 4096)),
            cpu_seconds=timeout + 2,
            max_file_mb=int(job.get("max_file_mb", 2048)),
        )
        from manim_agent.tools.sandbox.child import tex_policy

        guard = runtime_guard.Guard(
            workdir,
            secret_dirs=runtime_guard.real_home_secrets(job.get("real_home"), job.get("secret_dirs", [])),
            programs=tex_policy.allowed_programs(),
        )
        runtime_guard.install_guard(guard)
        result = scene_runner.run_scene(job, workdir)
        signal.setitimer(signal.ITIMER_REAL, 0)
        faulthandler.cancel_dump_traceback_later()
        guard.active = False
        payload = json.dumps(result, default=str).encode()
    except BaseException as exc:  # report anything, the parent decides
        payload = json.dumps(
            {"status": "crashed", "error": {"type": type(exc).__name__, "message": str(exc), "frames": []}}
        ).encode()
        status = 1
    try:
        view = memoryview(payload)
        while view:
            written = os.write(write_fd, view)
            view = view[written:]
    finally:
        os._exit(status)


def spawn(job: dict[str, Any]) -> tuple[int, int]:
    """Fork the child for `job`; returns (pid, read end of its result pipe)."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child(job, write_fd)
    os.close(write_fd)
    return pid, read_fd


def collect(pid: int, read_fd: int, job: dict[str, Any]) -> dict[str, Any]:
    """Wait for the child's result, killing its whole process group if it overruns."""
    started = time.monotonic()
    deadline = started + float(job.get("timeout", 60)) + GRACE_SECONDS
    chunks: list[bytes] = []
    killed = False
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            killed = True
            break
        ready, _, _ = select.select([read_fd], [], [], min(remaining, 1.0))
        if not ready:
            continue
        chunk = os.read(read_fd, 1 << 16)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(read_fd)
    # Kill whatever the scene left behind (a LaTeX run, a stuck child) before reaping frees the group id.
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    _, wait_status = os.waitpid(pid, 0)
    elapsed = round(time.monotonic() - started, 3)
    data = b"".join(chunks)
    if data and not killed:
        try:
            result = json.loads(data)
            result.setdefault("wall_seconds", elapsed)
            return result
        except json.JSONDecodeError:
            pass
    workdir = Path(job["workdir"])
    stack = _read(workdir / ".stack.txt")
    signal_number = os.WTERMSIG(wait_status) if os.WIFSIGNALED(wait_status) else None
    if killed or stack:
        return {"status": "timeout", "stack": stack, "seconds": elapsed, "log_tail": _read(workdir / ".output.log")[-4000:]}
    return {
        "status": "crashed",
        "signal": signal_number,
        "exit_code": os.WEXITSTATUS(wait_status) if os.WIFEXITED(wait_status) else None,
        "seconds": elapsed,
        "log_tail": _read(workdir / ".output.log")[-4000:],
    }


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def run_job(job: dict[str, Any]) -> dict[str, Any]:
    """Fork, run and collect one job in this process (which has Manim imported)."""
    pid, read_fd = spawn(job)
    return collect(pid, read_fd, job)


WARMUP_SCENE = """
from manim import *

class Warmup(Scene):
    def construct(self):
        axes = Axes(x_range=[0, 1, 1], y_range=[0, 1, 1], x_length=2, y_length=2)
        self.play(Create(axes), Write(Text("a")), Write(MathTex(r"x")), run_time=0.2)
"""


def _preload(warm_dir: Path | None = None, shared_tex_dir: str | None = None) -> None:
    """Import Manim and, when asked, play one tiny scene so the job inherits warm caches."""
    import gc

    import manim  # noqa: F401 - the point of a pre-started sandbox

    from manim_agent.tools.sandbox.child import runtime_guard, scene_runner, tex_policy  # noqa: F401

    tex_policy.install(Path(shared_tex_dir) if shared_tex_dir else None)
    if warm_dir is not None:
        try:
            warm_dir.mkdir(parents=True, exist_ok=True)
            (warm_dir / "scene.py").write_text(WARMUP_SCENE, encoding="utf-8")
            job = {"mode": "check", "scene": "Warmup", "tex_dir": str(warm_dir / "tex"), "shared_tex_dir": shared_tex_dir}
            scene_runner.run_scene(job, warm_dir)
        except Exception:  # warming up is an optimisation only
            pass
    # Keep the imported heap out of the collector so the forked child does not copy it page by page.
    gc.freeze()


def standby(*, warm: bool, shared_tex_dir: str | None) -> int:
    """Get ready, announce it, run the one job that arrives on stdin, answer on stdout, exit."""
    channel = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything else that prints goes to the log, never into the result channel
    _preload(Path("/tmp/warmup") if warm else None, shared_tex_dir)
    channel.write(b'{"status": "ready"}\n')
    channel.flush()
    line = sys.stdin.buffer.readline()
    if not line.strip():
        return 0  # the host stopped this sandbox before giving it a job
    job = json.loads(line)
    result = run_job(job)
    channel.write(json.dumps(result, default=str).encode() + b"\n")
    channel.flush()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="manim_agent.tools.sandbox.child.worker")
    sub = parser.add_subparsers(dest="command", required=True)
    standby_parser = sub.add_parser("standby")
    standby_parser.add_argument("--no-warmup", action="store_true")
    standby_parser.add_argument("--shared-tex-dir")
    args = parser.parse_args(argv)
    return standby(warm=not args.no_warmup, shared_tex_dir=args.shared_tex_dir)


if __name__ == "__main__":
    raise SystemExit(main())
