"""Start the sandboxed worker and hand it jobs. This module never imports Manim.

Protection layers, from the outside in:

1. bubblewrap, when it is installed and usable: no network namespace, a read-only view of the
   system directories only (no home directory, no /work, no /tmp), and a writable bind of the
   job's work directory and the shared LaTeX cache.
2. A scrubbed environment: only an allowlist of variables (PATH, locale) reaches the worker, so no
   `*_API_KEY` or token does.
3. In the per-job child (`worker.py`, `runtime_guard.py`): its own session and process group,
   rlimits, a wall-clock timeout, and an audit hook refusing network, processes, `ctypes`,
   writes outside the work directory and reads of secrets.

Without bubblewrap the last two layers remain; `doctor` and `check --json` say which is in use.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

from manim_agent import settings
from manim_agent.errors import IsolationUnavailable, SandboxError

SandboxMethod = Literal["bwrap", "rlimits"]

ENV_ALLOWLIST = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TERM", "SOURCE_DATE_EPOCH")
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt",
               "/var/lib/texmf", "/var/cache/fontconfig", "/usr/share/fonts")
PACKAGE_ROOT = Path(__file__).resolve().parent.parent
SOCKET_PATH_MAX = 100


def scrubbed_env() -> dict[str, str]:
    """The environment the worker gets: an allowlist, never a secret."""
    env = {key: os.environ[key] for key in ENV_ALLOWLIST if key in os.environ}
    env.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
    env.setdefault("LANG", "C.UTF-8")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    env["HOME"] = str(settings.subdir("work"))
    return env


@functools.lru_cache(maxsize=1)
def sandbox_method() -> SandboxMethod:
    """`bwrap` when bubblewrap exists and can create namespaces here, else `rlimits`."""
    if os.environ.get("MANIM_AGENT_SANDBOX") == "rlimits":
        return "rlimits"
    bwrap = shutil.which("bwrap")
    if not bwrap:
        return "rlimits"
    try:
        probe = subprocess.run(
            [bwrap, "--ro-bind", "/", "/", "--unshare-net", "--unshare-pid", "--dev", "/dev", "--proc", "/proc", "true"],
            capture_output=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return "rlimits"
    return "bwrap" if probe.returncode == 0 else "rlimits"


def describe_protection(method: SandboxMethod | None = None) -> str:
    method = method or sandbox_method()
    common = "scrubbed environment, rlimits, wall-clock timeout, audit hook (no sockets, processes or writes outside the work dir)"
    if method == "bwrap":
        return f"bubblewrap: no network, read-only system view, no home directory; plus {common}"
    return (
        "bubblewrap unavailable: NO network namespace and the file system is visible read-only through "
        f"the audit hook only; remaining protection: {common}. Install it: apt-get install bubblewrap"
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


def _python_paths() -> list[Path]:
    paths = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(), Path(sys.executable).resolve().parent.parent}
    paths.add(PACKAGE_ROOT)
    for entry in sys.path:
        if entry and Path(entry).is_dir():
            paths.add(Path(entry).resolve())
    return sorted(paths)


def bwrap_prefix(*, writable: list[Path], die_with_parent: bool) -> list[str]:
    """The bubblewrap command line that wraps the worker."""
    args = ["bwrap", "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
            "--unshare-cgroup-try", "--new-session"]
    if die_with_parent:
        args.append("--die-with-parent")
    # Order matters: later mounts land on top of earlier ones, so the empty /tmp comes first and
    # a virtualenv or checkout that lives under /tmp is bound back on top of it.
    args += ["--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    for directory in SYSTEM_DIRS:
        args += ["--ro-bind-try", directory, directory]
    for directory in _python_paths():
        if not any(str(directory).startswith(d + "/") or str(directory) == d for d in SYSTEM_DIRS):
            args += ["--ro-bind", str(directory), str(directory)]
    for directory in writable:
        args += ["--bind", str(directory), str(directory)]
    # Never show an API-key file that lives next to the code.
    for candidate in {PACKAGE_ROOT / ".env", PACKAGE_ROOT.parent / ".env"}:
        if candidate.is_file():
            args += ["--ro-bind", "/dev/null", str(candidate)]
    return args


def _tex_dir() -> Path:
    return settings.subdir("cache") / "tex"


def _worker_key() -> str:
    parts = [sys.executable, sandbox_method(), str(settings.home())]
    for name in ("manim-agent", "manim"):
        try:
            parts.append(metadata.version(name))
        except metadata.PackageNotFoundError:
            parts.append("?")
    here = Path(__file__).resolve().parent
    for module in ("worker.py", "scene_runner.py", "runtime_guard.py", "layout_snapshot.py"):
        path = here / module
        parts.append(str(path.stat().st_mtime_ns) if path.exists() else "-")
    return hashlib.sha1("\0".join(parts).encode()).hexdigest()[:12]


def _worker_command(inner: list[str], *, warm: bool) -> list[str]:
    command = [sys.executable, "-m", "manim_agent.tools.worker", *inner]
    if sandbox_method() != "bwrap":
        return command
    writable = [settings.subdir("work"), _tex_dir()]
    if warm:
        writable.append(settings.subdir("run"))
    return bwrap_prefix(writable=writable, die_with_parent=not warm) + command


def warm_enabled() -> bool:
    return os.environ.get("MANIM_AGENT_WORKER", "warm") != "cold"


class WorkerClient:
    """Hands jobs to the warm worker, starting it when needed; falls back to a one-shot worker."""

    def __init__(self, *, warm: bool | None = None, idle_seconds: float | None = None) -> None:
        self.warm = warm_enabled() if warm is None else warm
        self.idle_seconds = idle_seconds or settings.env_float("MANIM_AGENT_WORKER_IDLE", 600.0)

    @property
    def socket_path(self) -> Path:
        return settings.subdir("run") / f"worker-{_worker_key()}.sock"

    def run(self, job: dict[str, Any]) -> dict[str, Any]:
        """Run one job (its `workdir` must exist and hold the scene); returns the worker's result."""
        job = {"tex_dir": str(_tex_dir()), "real_home": str(Path.home()), "secret_dirs": [str(settings.subdir("run"))], **job}
        _tex_dir().mkdir(parents=True, exist_ok=True)
        if self.warm and len(str(self.socket_path)) < SOCKET_PATH_MAX:
            try:
                return self._run_warm(job)
            except (OSError, ValueError) as exc:
                if isinstance(exc, TimeoutError):
                    raise SandboxError(f"the warm worker did not answer in time: {exc}") from exc
                # A worker that died or was replaced mid-job: fall back to a one-shot worker.
        return self._run_cold(job)

    def _run_cold(self, job: dict[str, Any]) -> dict[str, Any]:
        command = _worker_command(["run"], warm=False)
        limit = float(job.get("timeout", 60)) + 60
        try:
            process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                env=scrubbed_env(), start_new_session=True, cwd=job["workdir"],
            )
        except OSError as exc:
            raise SandboxError(f"could not start the sandboxed worker {command[0]!r}: {exc}") from exc
        try:
            out, err = process.communicate(json.dumps(job).encode(), timeout=limit)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            return {"status": "timeout", "stack": "", "seconds": limit}
        lines = out.decode(errors="replace").strip().splitlines()
        if process.returncode != 0 or not lines:
            raise SandboxError(
                f"the sandboxed worker failed (exit {process.returncode}): "
                f"{err.decode(errors='replace').strip()[-2000:]}"
            )
        return json.loads(lines[-1])

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
            raise ConnectionError("the worker closed the connection without an answer")
        return json.loads(buffer)

    def _run_warm(self, job: dict[str, Any]) -> dict[str, Any]:
        self.ensure_started()
        return self._request(job, float(job.get("timeout", 60)) + 30)

    def ensure_started(self, wait_seconds: float = 60.0) -> None:
        """Start the warm worker unless one with the same code and settings is already listening."""
        if self._alive():
            return
        lock_path = settings.subdir("run") / "worker.lock"
        with open(lock_path, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if self._alive():
                return
            log = open(settings.subdir("run") / "worker.log", "ab")  # noqa: SIM115 - handed to the child
            command = _worker_command(["serve", "--socket", str(self.socket_path), "--idle", str(self.idle_seconds)], warm=True)
            try:
                subprocess.Popen(
                    command, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                    env={**scrubbed_env(), "MANIM_AGENT_TEX_DIR": str(_tex_dir())},
                    start_new_session=True, cwd=str(settings.subdir("work")),
                )
            except OSError as exc:
                raise SandboxError(f"could not start the warm worker: {exc}") from exc
            finally:
                log.close()
            deadline = time.monotonic() + wait_seconds
            while time.monotonic() < deadline:
                if self._alive():
                    return
                time.sleep(0.05)
        raise SandboxError(
            f"the warm worker did not start within {wait_seconds:g} s; see {settings.subdir('run') / 'worker.log'}"
        )

    def _alive(self) -> bool:
        if not self.socket_path.exists():
            return False
        try:
            return self._request({"action": "ping"}, 5).get("status") == "pong"
        except (OSError, ValueError):
            return False

    def shutdown(self) -> bool:
        """Stop the warm worker for the current code and settings, if one runs."""
        try:
            return self._request({"action": "shutdown"}, 5).get("status") == "bye"
        except (OSError, ValueError):
            return False


def shutdown_all_workers() -> int:
    """Stop every warm worker under the state directory (any version); returns how many answered."""
    stopped = 0
    for sock_path in settings.subdir("run").glob("worker-*.sock"):
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
def job_directory(source: str, filename: str = "scene.py", keep: bool = False) -> Iterator[Path]:
    """A fresh work directory holding a copy of the scene; removed afterwards unless `keep`."""
    workdir = settings.subdir("work") / uuid.uuid4().hex[:16]
    workdir.mkdir(mode=0o700)
    (workdir / filename).write_text(source, encoding="utf-8")
    try:
        yield workdir
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
