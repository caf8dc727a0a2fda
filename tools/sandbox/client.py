"""Run scene jobs in single-use sandboxes and hand back their (untrusted) results. Never imports Manim.

The boundary is the operating system's (see `sandbox_bwrap.py` for exactly what it enforces):
bubblewrap with a user namespace, no capabilities, no network, its own PID namespace, a seccomp
filter and a file system that shows read-only system directories and one writable directory, the
job's own. Each job gets a fresh sandbox, pre-started and warm (`sandbox_pool.py`), killed with
everything it started when the job ends. Inside, a scrubbed environment (no `*_API_KEY`), rlimits,
a timeout and an audit hook add layers that are useful, not load-bearing.

Results come back over a pipe the sandbox inherited, never through a path it could replace, and the
host believes only what it can check: files are read through `files` (inside the job
directory, no symlinks, regular files, the right magic bytes).

Without bubblewrap only the inner layers remain: scene code is NOT isolated from the machine.
`doctor`, `check --json` and the README say so, and `require_isolation` refuses code from
untrusted sources (MCP, the web UI) in that mode unless the user opts in.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

from manim_agent import settings
from manim_agent.errors import IsolationUnavailable, SandboxError
from manim_agent.tools.sandbox import standby as sandbox_standby
from manim_agent.tools.sandbox.isolation import SandboxMethod, sandbox_method, scrubbed_env

SOCKET_PATH_MAX = 100


def describe_protection(method: SandboxMethod | None = None) -> str:
    method = method or sandbox_method()
    inner = "scrubbed environment, rlimits, wall-clock timeout, audit hook"
    if method == "bwrap":
        from manim_agent.tools.sandbox import bwrap as sandbox_bwrap

        try:
            sandbox_bwrap.seccomp_program()
            seccomp = "seccomp filter"
        except sandbox_bwrap.SeccompUnavailable:
            seccomp = "NO seccomp filter (libseccomp missing)"
        return (
            "isolated: bubblewrap single-use sandbox per job (user namespace, no capabilities, no network, "
            f"own PID namespace, read-only system view, only the job directory writable), {seccomp}; plus {inner}"
        )
    return (
        "NOT ISOLATED: bubblewrap is unavailable, so scene code runs with your user's rights on this machine; "
        f"only {inner} remain, and they are not a security boundary. Untrusted sources (MCP, the web UI) are "
        "refused unless MANIM_AGENT_ALLOW_UNISOLATED=1. Install it: apt-get install bubblewrap"
    )


UNISOLATED_OPT_IN_ENV = "MANIM_AGENT_ALLOW_UNISOLATED"


def is_isolated() -> bool:
    """Whether scene code runs under the operating system's isolation (bubblewrap), not only rlimits."""
    return sandbox_method() == "bwrap"


def require_isolation(source: str) -> None:
    """Refuse to run scenes from an untrusted `source` (an MCP client, the web UI) without isolation.

    Without bubblewrap the audit hook and rlimits are all that stand between the scene and the
    machine, and they are not a boundary. The user may opt in with MANIM_AGENT_ALLOW_UNISOLATED=1.
    """
    if is_isolated() or os.environ.get(UNISOLATED_OPT_IN_ENV, "").strip().lower() in {"1", "true", "yes"}:
        return
    raise IsolationUnavailable(
        f"refusing to run scene code from {source} without isolation: bubblewrap is not usable here, so the "
        f"code would run with the user's rights. Install it (apt-get install bubblewrap) or, if you trust "
        f"every client, set {UNISOLATED_OPT_IN_ENV}=1."
    )


def _worker_key() -> str:
    """Changes whenever the code or settings a pool depends on change, so an old pool is never used."""
    parts = [sys.executable, sandbox_method(), str(settings.home())]
    for name in ("manim-agent", "manim"):
        try:
            parts.append(metadata.version(name))
        except metadata.PackageNotFoundError:
            parts.append("?")
    # Every module of tools/ (the child side, the host side and what they import): any edit starts a new pool.
    tools_root = Path(__file__).resolve().parents[1]
    for path in sorted(tools_root.rglob("*.py")):
        parts.append(f"{path.relative_to(tools_root)}:{path.stat().st_mtime_ns}")
    return hashlib.sha1("\0".join(parts).encode()).hexdigest()[:12]


def warm_enabled() -> bool:
    return os.environ.get("MANIM_AGENT_WORKER", "warm") != "cold"


class WorkerClient:
    """Runs jobs in single-use sandboxes: from the warm pool (started when needed) or, cold, one at a time."""

    def __init__(self, *, warm: bool | None = None, idle_seconds: float | None = None) -> None:
        self.warm = warm_enabled() if warm is None else warm
        self.idle_seconds = idle_seconds or settings.env_float("MANIM_AGENT_WORKER_IDLE", 600.0)

    @property
    def socket_path(self) -> Path:
        return settings.subdir("run") / f"pool-{_worker_key()}.sock"

    def run(self, job: dict[str, Any], files: dict[str, str]) -> dict[str, Any]:
        """Run one job whose sources are `files`; the result's `workdir` must be removed by the caller."""
        job = {"real_home": str(Path.home()), "secret_dirs": [str(settings.subdir("run"))], **job}
        if self.warm and len(str(self.socket_path)) < SOCKET_PATH_MAX:
            try:
                self.ensure_started()
                result = self._request({"action": "job", "job": job, "files": files},
                                       float(job.get("timeout", 60)) + 120)
                if "pool_error" not in result:
                    return result
            except (OSError, ValueError) as exc:
                if isinstance(exc, TimeoutError):
                    raise SandboxError(f"the sandbox pool did not answer in time: {exc}") from exc
                # A pool that died mid-job: fall back to a one-off sandbox.
        return self._run_cold(job, files)

    def _run_cold(self, job: dict[str, Any], files: dict[str, str]) -> dict[str, Any]:
        standby = sandbox_standby.Standby(warm=False)
        try:
            standby.wait_ready()
        except SandboxError:
            raise
        return sandbox_standby.run_in_standby(standby, job, files)

    def _connect(self) -> socket.socket:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(str(self.socket_path))
        except OSError:
            sock.close()
            raise
        return sock

    def _request(self, payload: dict[str, Any], timeout: float) -> dict[str, Any]:
        sock = self._connect()
        with sock:
            sock.settimeout(timeout)
            sock.sendall(json.dumps(payload).encode() + b"\n")
            buffer = bytearray()
            while not buffer.endswith(b"\n"):
                chunk = sock.recv(1 << 16)
                if not chunk:
                    break
                buffer += chunk
        if not buffer:
            raise ConnectionError("the sandbox pool closed the connection without an answer")
        return json.loads(buffer)

    def ensure_started(self, wait_seconds: float = 60.0) -> None:
        """Start the sandbox pool unless one with the same code and settings is already listening."""
        if self._alive():
            return
        lock_path = settings.subdir("run") / "pool.lock"
        with open(lock_path, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if self._alive():
                return
            log = open(settings.subdir("run") / "pool.log", "ab")  # handed to the child
            size = str(max(1, int(settings.env_float("MANIM_AGENT_POOL_SIZE", 2))))
            command = [sys.executable, "-m", "manim_agent.tools.sandbox.pool", "serve", "--socket",
                       str(self.socket_path), "--idle", str(self.idle_seconds), "--size", size]
            env = {**scrubbed_env(), "MANIM_AGENT_HOME": str(settings.home())}
            for key in ("MANIM_AGENT_SANDBOX", "MANIM_AGENT_POOL_SIZE"):
                if key in os.environ:
                    env[key] = os.environ[key]
            try:
                subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env,
                                 start_new_session=True, cwd=str(settings.subdir("run")))
            except OSError as exc:
                raise SandboxError(f"could not start the sandbox pool: {exc}") from exc
            finally:
                log.close()
            deadline = time.monotonic() + wait_seconds
            while time.monotonic() < deadline:
                if self._alive():
                    return
                time.sleep(0.05)
        raise SandboxError(
            f"the sandbox pool did not start within {wait_seconds:g} s; see {settings.subdir('run') / 'pool.log'}"
        )

    def _alive(self) -> bool:
        if not self.socket_path.exists():
            return False
        try:
            return self._request({"action": "ping"}, 5).get("status") == "pong"
        except (OSError, ValueError):
            return False

    def shutdown(self) -> bool:
        """Stop the sandbox pool for the current code and settings, if one runs."""
        try:
            return self._request({"action": "shutdown"}, 5).get("status") == "bye"
        except (OSError, ValueError):
            return False


def shutdown_all_workers() -> int:
    """Stop every sandbox pool under the state directory (any version); returns how many answered."""
    stopped = 0
    for sock_path in settings.subdir("run").glob("pool-*.sock"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(5)
            sock.connect(str(sock_path))
            sock.sendall(b'{"action": "shutdown"}\n')
            sock.recv(64)
            stopped += 1
        except OSError:
            with contextlib.suppress(OSError):
                sock_path.unlink()
        finally:
            sock.close()
    return stopped


@contextlib.contextmanager
def run_job(job: dict[str, Any], files: dict[str, str], *, warm: bool | None = None, keep: bool = False) -> Iterator[dict[str, Any]]:
    """Run `job` on `files` in a fresh sandbox and yield its result; the job directory is removed after.

    Read any file the result names only through `files` (it is untrusted).
    """
    result = WorkerClient(warm=warm).run(job, files)
    try:
        yield result
    finally:
        if not keep and result.get("workdir"):
            shutil.rmtree(result["workdir"], ignore_errors=True)
