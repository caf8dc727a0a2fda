"""One single-use sandbox (`Standby`): started before its job arrives, warm, then killed with everything it started.

Host side (trusted); never imports Manim. The pool keeps several ready; the client uses one directly
when the pool is off (`MANIM_AGENT_WORKER=cold`); the TeX cache compiles formulas in a TeX-only one.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from manim_agent import settings
from manim_agent.tools.sandbox import bwrap as sandbox_bwrap
from manim_agent.tools.sandbox import files as sandbox_files
from manim_agent.tools.sandbox.isolation import sandbox_method, scrubbed_env

READY_TIMEOUT = 90.0
GRACE_SECONDS = 8.0
DEFAULT_QUOTA_MB = {"check": 512, "render": 4096, "tex": 64}


def shared_tex_dir() -> Path:
    return settings.subdir("cache") / "tex"


def use_bwrap() -> bool:
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
        self.job_dir = settings.subdir("work") / uuid.uuid4().hex[:16]
        self.job_dir.mkdir(mode=0o700)
        shared_tex_dir().mkdir(parents=True, exist_ok=True)
        if args is None:
            args = ["standby", "--shared-tex-dir", str(shared_tex_dir())] + ([] if warm else ["--no-warmup"])
        command, seccomp = worker_argv(self.job_dir, module=module, args=args)
        log = open(settings.subdir("run") / "sandbox.log", "ab")  # handed to the child
        try:
            self.process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, env=scrubbed_env(),
                start_new_session=True, cwd=str(self.job_dir), pass_fds=[seccomp] if seccomp is not None else (),
            )
        except OSError as exc:
            shutil.rmtree(self.job_dir, ignore_errors=True)
            from manim_agent.errors import SandboxError

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
            from manim_agent.errors import SandboxError

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
