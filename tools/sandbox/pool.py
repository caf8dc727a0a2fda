"""Single-use sandboxes, pre-started and warm. Host side (trusted); never imports Manim.

Every job runs in its own sandbox (`Standby`): one bubblewrap process whose only writable
directory is that job's, started before the job arrives, with Manim already imported and warm.
It takes exactly one job over its stdin pipe, answers over its stdout pipe, and is then killed
with everything it started (its PID namespace dies with it). No sandbox ever sees another job's
directory, the pool's socket, or the shared LaTeX cache with write access.

`python -m manim_agent.tools.sandbox.pool serve --socket PATH` is the pool: a host process (not
sandboxed) that keeps `MANIM_AGENT_POOL_SIZE` sandboxes ready, hands each request one of them, and
exits after an idle period. Its socket lives in `$MANIM_AGENT_HOME/run/`, which no sandbox can see.
While a job runs, the pool watches the job directory's size and kills the sandbox above its quota.
After answering, it adds the job's new LaTeX formulas to the shared cache (`sandbox_texcache`).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import queue
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from manim_agent import settings
from manim_agent.tools.sandbox import bwrap as sandbox_bwrap
from manim_agent.tools.sandbox import files as sandbox_files

READY_TIMEOUT = 90.0
GRACE_SECONDS = 8.0
DEFAULT_QUOTA_MB = {"check": 512, "render": 4096, "tex": 64}


def shared_tex_dir() -> Path:
    return settings.subdir("cache") / "tex"


def use_bwrap() -> bool:
    from manim_agent.tools.sandbox.client import sandbox_method  # noqa: PLC0415 - sandbox imports this module

    return sandbox_method() == "bwrap"


def worker_argv(job_dir: Path, *, module: str, args: list[str]) -> tuple[list[str], int | None]:
    """The command that runs `module` in a sandbox for `job_dir`, and the seccomp fd to pass."""
    inner = [sys.executable, "-m", module, *args]
    if not use_bwrap():
        return inner, None
    seccomp = sandbox_bwrap.seccomp_fd()
    prefix = sandbox_bwrap.bwrap_command(job_dir=job_dir, readonly=[shared_tex_dir()], seccomp=seccomp)
    return prefix + inner, seccomp


class Standby:
    """One single-use sandbox: started now, given one job later, then killed."""

    def __init__(self, *, warm: bool = True, module: str = "manim_agent.tools.sandbox.child.worker", args: list[str] | None = None) -> None:
        from manim_agent.tools.sandbox.client import scrubbed_env  # noqa: PLC0415

        self.job_dir = settings.subdir("work") / uuid.uuid4().hex[:16]
        self.job_dir.mkdir(mode=0o700)
        shared_tex_dir().mkdir(parents=True, exist_ok=True)
        if args is None:
            args = ["standby", "--shared-tex-dir", str(shared_tex_dir())] + ([] if warm else ["--no-warmup"])
        command, seccomp = worker_argv(self.job_dir, module=module, args=args)
        log = open(settings.subdir("run") / "sandbox.log", "ab")  # noqa: SIM115 - handed to the child
        try:
            self.process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, env=scrubbed_env(),
                start_new_session=True, cwd=str(self.job_dir), pass_fds=[seccomp] if seccomp is not None else (),
            )
        except OSError as exc:
            shutil.rmtree(self.job_dir, ignore_errors=True)
            from manim_agent.errors import SandboxError  # noqa: PLC0415

            raise SandboxError(f"could not start a sandbox ({command[0]!r}): {exc}") from exc
        finally:
            log.close()
            if seccomp is not None:
                os.close(seccomp)
        self._buffer = bytearray()
        self.ready = False

    def _read_line(
        self, deadline: float, *, quota: int | None = None, abort: socket.socket | None = None
    ) -> tuple[bytes | None, str]:
        """One line from the sandbox's stdout before `deadline`; (None, why) if none comes.

        `abort` is the requesting client's connection: when it closes (the client was cancelled or
        died), the job is abandoned at once.
        """
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        watched = [fd] + ([abort.fileno()] if abort is not None else [])
        next_quota_check = 0.0
        while b"\n" not in self._buffer:
            now = time.monotonic()
            if now >= deadline:
                return None, "timeout"
            if quota is not None and now >= next_quota_check:
                if sandbox_files.directory_bytes(self.job_dir, stop_at=quota) > quota:
                    return None, "disk_quota"
                next_quota_check = now + 0.25
            ready, _, _ = select.select(watched, [], [], min(0.25, deadline - now))
            if not ready:
                continue
            if abort is not None and abort.fileno() in ready:
                try:
                    if not abort.recv(1, socket.MSG_PEEK):
                        return None, "cancelled"
                except OSError:
                    return None, "cancelled"
                if fd not in ready:
                    time.sleep(0.05)
                    continue
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return None, "exited"
            self._buffer += chunk
            if len(self._buffer) > 64 << 20:
                return None, "oversize"
        line, _, rest = bytes(self._buffer).partition(b"\n")
        self._buffer = bytearray(rest)
        return line, ""

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:
        line, why = self._read_line(time.monotonic() + timeout)
        if line is None or json.loads(line).get("status") != "ready":
            self.discard()
            from manim_agent.errors import SandboxError  # noqa: PLC0415

            raise SandboxError(
                f"a sandbox did not start ({why or 'bad greeting'}); see {settings.subdir('run') / 'sandbox.log'}"
            )
        self.ready = True

    def run(self, job: dict[str, Any], *, abort: socket.socket | None = None) -> dict[str, Any]:
        """Give the sandbox its one job; the result (untrusted) or a timeout/quota/crash record."""
        assert self.process.stdin is not None
        started = time.monotonic()
        job = {**job, "workdir": str(self.job_dir), "tex_dir": str(self.job_dir / "tex"),
               "shared_tex_dir": str(shared_tex_dir())}
        quota_mb = int(job.get("disk_quota_mb") or DEFAULT_QUOTA_MB.get(job.get("mode", "check"), 512))
        try:
            self.process.stdin.write(json.dumps(job).encode() + b"\n")
            self.process.stdin.flush()
        except OSError:
            pass
        deadline = started + float(job.get("timeout", 60)) + GRACE_SECONDS
        line, why = self._read_line(deadline, quota=quota_mb * 1024 * 1024, abort=abort)
        self.kill()
        elapsed = round(time.monotonic() - started, 3)
        if line is not None:
            try:
                result = json.loads(line)
                if isinstance(result, dict):
                    result.setdefault("wall_seconds", elapsed)
                    return result
            except ValueError:
                why = "garbled"
        if why == "disk_quota":
            return {"status": "crashed", "reason": "disk_quota", "quota_mb": quota_mb, "seconds": elapsed}
        if why == "timeout":
            return {"status": "timeout", "stack": "", "seconds": elapsed}
        return {"status": "crashed", "reason": why, "seconds": elapsed}

    def kill(self) -> None:
        """Kill the sandbox and everything in it."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                if stream:
                    stream.close()

    def discard(self) -> None:
        self.kill()
        shutil.rmtree(self.job_dir, ignore_errors=True)


def write_job_files(job_dir: Path, files: dict[str, str]) -> None:
    """Put the job's source files into its directory (plain names only)."""
    for name, text in files.items():
        if not name or "/" in name or name.startswith(".") or name in {"tex", "media", "tmp"}:
            raise ValueError(f"bad job file name {name!r}")
        (job_dir / name).write_text(text, encoding="utf-8")


def run_in_standby(
    standby: Standby, job: dict[str, Any], files: dict[str, str], *, abort: socket.socket | None = None
) -> dict[str, Any]:
    """Run one job in a ready sandbox; the result carries `workdir`, which the caller removes."""
    write_job_files(standby.job_dir, files)
    result = standby.run(job, abort=abort)
    result["workdir"] = str(standby.job_dir)
    return result


# -- the pool -------------------------------------------------------------------------------------
class Pool:
    """Keeps `size` sandboxes warm; `take()` hands one out and a replacement starts warming.

    One long-lived thread starts every sandbox: bubblewrap's --die-with-parent follows the thread
    that started it, so a sandbox started from a short-lived thread would die with that thread.
    """

    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self.ready: queue.Queue[Standby] = queue.Queue()
        self.closed = False
        self._wanted = threading.Event()
        self._wanted.set()
        threading.Thread(target=self._fill, daemon=True, name="sandbox-starter").start()

    def _fill(self) -> None:
        while not self.closed:
            self._wanted.wait(timeout=1.0)
            self._wanted.clear()
            while not self.closed and self.ready.qsize() < self.size:
                try:
                    # No warm-up scene: measured, it saved nothing per check; the Manim import is the cost.
                    standby = Standby(warm=False)
                    standby.wait_ready()
                except Exception:  # noqa: BLE001 - the sandbox log says why; try again shortly
                    time.sleep(1.0)
                    continue
                if self.closed:
                    standby.discard()
                else:
                    self.ready.put(standby)

    def take(self, timeout: float = READY_TIMEOUT) -> Standby:
        try:
            standby = self.ready.get(timeout=timeout)
        except queue.Empty:
            from manim_agent.errors import SandboxError  # noqa: PLC0415

            raise SandboxError(f"no sandbox became ready within {timeout:g} s") from None
        self._wanted.set()  # the replacement warms while this one works
        return standby

    def close(self) -> None:
        self.closed = True
        while not self.ready.empty():
            self.ready.get_nowait().discard()


def _reply(conn: socket.socket, data: dict[str, Any]) -> None:
    with contextlib.suppress(OSError):
        conn.sendall(json.dumps(data, default=str).encode() + b"\n")


def _read_request(conn: socket.socket) -> dict[str, Any]:
    buffer = bytearray()
    while not buffer.endswith(b"\n"):
        chunk = conn.recv(1 << 16)
        if not chunk:
            break
        buffer += chunk
        if len(buffer) > 32 << 20:
            raise ValueError("request too large")
    return json.loads(buffer)


def serve(socket_path: str, idle_seconds: float, size: int) -> None:
    """Accept requests on a Unix socket (one JSON line each way). Exits after `idle_seconds` idle."""
    from manim_agent.tools.sandbox import texcache as sandbox_texcache  # noqa: PLC0415

    pool = Pool(size)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(socket_path)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old_umask = os.umask(0o177)
    try:
        server.bind(socket_path)
    finally:
        os.umask(old_umask)
    server.listen(16)
    last_activity = [time.monotonic()]
    active = [0]
    lock = threading.Lock()
    stop = threading.Event()

    def handle(conn: socket.socket) -> None:
        try:
            request = _read_request(conn)
            action = request.get("action", "job")
            if action == "ping":
                _reply(conn, {"status": "pong", "pid": os.getpid()})
                return
            if action == "shutdown":
                _reply(conn, {"status": "bye"})
                stop.set()
                return
            standby = pool.take()
            result = run_in_standby(standby, request["job"], request.get("files") or {}, abort=conn)
            if result.get("reason") == "cancelled":
                shutil.rmtree(result["workdir"], ignore_errors=True)
                return
            # Read the new formulas before answering: the client removes the job directory.
            formulas = sandbox_texcache.collect(Path(result["workdir"]), result.get("tex_new"), shared_tex_dir())
            _reply(conn, result)
            conn.close()
            sandbox_texcache.compile_and_store(formulas, shared_tex_dir())
        except Exception as exc:  # noqa: BLE001 - any pool failure: the client falls back to a one-off sandbox
            _reply(conn, {"pool_error": f"{type(exc).__name__}: {exc}"})
        finally:
            with contextlib.suppress(OSError):
                conn.close()
            with lock:
                active[0] -= 1
                last_activity[0] = time.monotonic()

    while not stop.is_set():
        ready, _, _ = select.select([server], [], [], 1.0)
        if not ready:
            with lock:
                idle = active[0] == 0 and time.monotonic() - last_activity[0] > idle_seconds
            if idle or not os.path.exists(socket_path):
                break
            continue
        conn, _ = server.accept()
        with lock:
            active[0] += 1
            last_activity[0] = time.monotonic()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()
    server.close()
    pool.close()
    with contextlib.suppress(OSError):
        os.unlink(socket_path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="manim_agent.tools.sandbox.pool")
    sub = parser.add_subparsers(dest="command", required=True)
    serve_parser = sub.add_parser("serve")
    serve_parser.add_argument("--socket", required=True)
    serve_parser.add_argument("--idle", type=float, default=600.0)
    serve_parser.add_argument("--size", type=int, default=2)
    args = parser.parse_args(argv)
    serve(args.socket, args.idle, args.size)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
