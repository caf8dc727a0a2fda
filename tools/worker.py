"""The sandboxed worker: imports Manim once, then forks one limited child per job.

Two entry points, both started by `sandbox.py` inside bubblewrap when it is available:

- `python -m manim_agent.tools.worker serve --socket PATH` is the warm worker. It listens on a
  Unix socket, forks a child per job (so each check pays no Manim import), and exits after an idle
  period.
- `python -m manim_agent.tools.worker run` is the one-shot form: a job on stdin, the result on
  stdout.

In the child: a new session (so a timeout kills the whole process group), the scene's work
directory as cwd and HOME, rlimits, the audit hook, a SIGALRM that raises inside the scene when the
time is up (its traceback names the line that was running), and faulthandler as a last resort for
code stuck in C.
"""

from __future__ import annotations

import argparse
import faulthandler
import json
import os
import select
import signal
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any

GRACE_SECONDS = 4.0


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
        stack_file = open(workdir / ".stack.txt", "w", encoding="utf-8")  # noqa: SIM115 - used by faulthandler
        faulthandler.dump_traceback_later(timeout + 1.0, exit=True, file=stack_file)

        from manim_agent.tools import runtime_guard, scene_runner

        def on_alarm(signum: int, frame: Any) -> None:
            raise scene_runner.SceneTimeout(f"the scene was still running after {timeout:g} s")

        signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout)
        runtime_guard.apply_limits(
            memory_mb=int(job.get("memory_mb", 4096)),
            cpu_seconds=timeout + 2,
            max_file_mb=int(job.get("max_file_mb", 2048)),
        )
        writable = [Path(job["tex_dir"])] if job.get("tex_dir") else []
        guard = runtime_guard.Guard(
            workdir,
            writable=writable,
            secret_dirs=runtime_guard.real_home_secrets(job.get("real_home"), job.get("secret_dirs", [])),
        )
        runtime_guard.install_guard(guard)
        result = scene_runner.run_scene(job, workdir)
        signal.setitimer(signal.ITIMER_REAL, 0)
        faulthandler.cancel_dump_traceback_later()
        guard.active = False
        payload = json.dumps(result, default=str).encode()
    except BaseException as exc:  # noqa: BLE001 - report anything, the parent decides
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


def _preload(warm_dir: Path | None = None) -> None:
    """Import Manim and, for the warm worker, play one tiny scene so children inherit warm caches."""
    import gc

    import manim  # noqa: F401 - the point of the warm worker

    from manim_agent.tools import runtime_guard, scene_runner  # noqa: F401

    if warm_dir is not None:
        try:
            warm_dir.mkdir(parents=True, exist_ok=True)
            (warm_dir / "scene.py").write_text(WARMUP_SCENE, encoding="utf-8")
            scene_runner.run_scene({"mode": "check", "scene": "Warmup", "tex_dir": os.environ.get("MANIM_AGENT_TEX_DIR")}, warm_dir)
        except Exception:  # noqa: BLE001 - warming up is an optimisation only
            pass
    # Keep the imported heap out of the collector so forked children do not copy it page by page.
    gc.freeze()


def serve(socket_path: str, idle_seconds: float) -> None:
    """Accept jobs on a Unix socket; each reply is one JSON line. Exits after `idle_seconds` idle."""
    _preload(Path(socket_path).parent / "warmup")
    if os.path.exists(socket_path):
        os.unlink(socket_path)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(socket_path)
    os.chmod(socket_path, 0o600)
    server.listen(16)
    busy = threading.Semaphore(int(os.environ.get("MANIM_AGENT_WORKER_JOBS", "4")))
    last_activity = time.monotonic()
    active = [0]
    lock = threading.Lock()

    def finish(conn: socket.socket, pid: int, read_fd: int, job: dict[str, Any]) -> None:
        try:
            result = collect(pid, read_fd, job)
            conn.sendall(json.dumps(result, default=str).encode() + b"\n")
        except OSError:
            pass
        finally:
            conn.close()
            busy.release()
            with lock:
                active[0] -= 1

    while True:
        ready, _, _ = select.select([server], [], [], 5.0)
        if not ready:
            with lock:
                idle = active[0] == 0
            if idle and time.monotonic() - last_activity > idle_seconds:
                break
            if not os.path.exists(socket_path):
                break  # someone removed our socket: a newer worker took over
            continue
        conn, _ = server.accept()
        last_activity = time.monotonic()
        try:
            conn.settimeout(10)
            job = json.loads(_read_line(conn))
            conn.settimeout(None)
        except (OSError, ValueError):
            conn.close()
            continue
        action = job.get("action", "job")
        if action == "ping":
            conn.sendall(json.dumps({"status": "pong", "pid": os.getpid()}).encode() + b"\n")
            conn.close()
            continue
        if action == "shutdown":
            conn.sendall(b'{"status": "bye"}\n')
            conn.close()
            break
        busy.acquire()
        with lock:
            active[0] += 1
        # Fork from this (main) thread only, so no other thread holds a lock the child inherits.
        pid, read_fd = spawn(job)
        threading.Thread(target=finish, args=(conn, pid, read_fd, job), daemon=True).start()
    server.close()
    try:
        os.unlink(socket_path)
    except OSError:
        pass


def _read_line(conn: socket.socket) -> bytes:
    buffer = bytearray()
    while not buffer.endswith(b"\n"):
        chunk = conn.recv(1 << 16)
        if not chunk:
            break
        buffer += chunk
    return bytes(buffer)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="manim_agent.tools.worker")
    sub = parser.add_subparsers(dest="command", required=True)
    serve_parser = sub.add_parser("serve")
    serve_parser.add_argument("--socket", required=True)
    serve_parser.add_argument("--idle", type=float, default=600.0)
    sub.add_parser("run")
    args = parser.parse_args(argv)
    if args.command == "serve":
        serve(args.socket, args.idle)
        return 0
    job = json.loads(sys.stdin.read())
    _preload()
    result = run_job(job)
    sys.stdout.write(json.dumps(result, default=str) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
