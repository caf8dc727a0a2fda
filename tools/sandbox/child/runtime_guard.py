"""Runtime limits for LLM-written scene code, applied inside the sandboxed child process.

This is the second line of defence after the static policy (`safety_policy.py`) and, where
bubblewrap exists, alongside its namespaces. It installs:

- resource limits (address space, CPU seconds, file size, no core dumps);
- a PEP 578 audit hook that refuses network sockets, process creation other than the TeX tools
  Manim itself runs, `ctypes`, writes outside the work directory, and reads of secrets.

An audit hook cannot be removed once installed, and the violation it raises derives from
`BaseException`, so a scene's `except Exception:` cannot swallow it.
"""

from __future__ import annotations

import os
import resource
import socket
import sys
from collections.abc import Iterable
from pathlib import Path

# Programs Manim starts by itself while rendering MathTex/Tex. Only their resolved absolute paths
# (tex_policy.allowed_programs) may start: a file named `latex` anywhere else never runs.
ALLOWED_EXECUTABLES = frozenset({"latex", "pdflatex", "xelatex", "lualatex", "luatex", "dvisvgm"})

# Process-creating and foreign-code events that scene code never needs.
_BLOCKED_EVENTS = frozenset(
    {
        "os.system",
        "os.exec",
        "os.posix_spawn",
        "os.spawn",
        "os.fork",
        "os.forkpty",
        "os.kill",
        "os.killpg",
        "pty.spawn",
        "ctypes.dlopen",
        "ctypes.dlsym",
        "ctypes.addressof",
        "ctypes.string_at",
        "ctypes.wstring_at",
        "ctypes.cdata",
        "socket.connect",
        "socket.bind",
        "socket.sendto",
        "socket.sendmsg",
        "socket.getaddrinfo",
        "socket.gethostbyname",
        "socket.gethostbyaddr",
        "urllib.Request",
        "webbrowser.open",
        "sys.remote_exec",
    }
)

# File-changing events whose first argument is a path that must stay inside the work directory.
_PATH_WRITE_EVENTS = frozenset(
    {
        "os.remove",
        "os.rmdir",
        "os.mkdir",
        "os.chmod",
        "os.chown",
        "os.truncate",
        "os.utime",
        "shutil.rmtree",
    }
)
_TWO_PATH_EVENTS = frozenset({"os.rename", "os.link", "os.symlink", "shutil.move"})
# (source, destination) events where only the destination is written.
_COPY_EVENTS = frozenset({"shutil.copyfile", "shutil.copytree"})

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC

SECRET_NAMES = (".ssh", ".aws", ".gnupg", ".netrc", ".config", ".docker", ".kube", ".git-credentials",
                ".pypirc", ".bash_history", ".python_history")


class PolicyViolation(BaseException):
    """Scene code tried something the sandbox forbids (network, processes, files outside its directory)."""


def apply_limits(*, memory_mb: int, cpu_seconds: float, max_file_mb: int = 2048) -> None:
    """Cap memory (as extra address space above what is mapped now), CPU time and file size."""
    current = _current_address_space()
    limit = current + memory_mb * 1024 * 1024
    _set_limit(resource.RLIMIT_AS, limit)
    cpu = int(cpu_seconds) + 1
    _set_limit(resource.RLIMIT_CPU, cpu, cpu + 5)
    _set_limit(resource.RLIMIT_FSIZE, max_file_mb * 1024 * 1024)
    _set_limit(resource.RLIMIT_CORE, 0)


def _set_limit(which: int, soft: int, hard: int | None = None) -> None:
    old_soft, old_hard = resource.getrlimit(which)
    hard = soft if hard is None else hard
    if old_hard != resource.RLIM_INFINITY:
        hard = min(hard, old_hard)
        soft = min(soft, hard)
    resource.setrlimit(which, (soft, hard))


def _current_address_space() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 2 * 1024**3


class Guard:
    """The audit hook's state: which directories may be written and which paths are secret."""

    def __init__(
        self,
        workdir: Path,
        *,
        writable: Iterable[Path] = (),
        secret_dirs: Iterable[Path] = (),
        programs: Iterable[str] = (),
    ) -> None:
        self.workdir = str(workdir.resolve())
        self.programs = frozenset(programs)
        self.writable = tuple(str(Path(p).resolve()) for p in [workdir, *writable]) + ("/dev/null",)
        self.secret_dirs = tuple(str(Path(p)) for p in secret_dirs)
        self.active = False

    def _resolve(self, path: object) -> str | None:
        if isinstance(path, int):
            return None
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if not isinstance(path, (str, os.PathLike)):
            return None
        return os.path.realpath(os.path.join(os.getcwd(), os.fspath(path)))

    def _inside(self, resolved: str, roots: tuple[str, ...]) -> bool:
        return any(resolved == root or resolved.startswith(root.rstrip("/") + "/") for root in roots)

    def _deny(self, what: str) -> None:
        # Deactivate while raising so formatting the error cannot re-enter the hook.
        raise PolicyViolation(what)

    def check_read(self, resolved: str) -> None:
        name = os.path.basename(resolved)
        if name == ".env" or name.startswith(".env."):
            self._deny(f"reading {resolved!r} is not allowed: .env files hold API keys")
        if resolved.startswith("/proc/") and resolved.endswith(("/environ", "/mem", "/cmdline")):
            self._deny(f"reading {resolved!r} is not allowed: process memory and environments are private")
        if resolved in ("/etc/shadow", "/etc/gshadow", "/etc/sudoers"):
            self._deny(f"reading {resolved!r} is not allowed")
        if self._inside(resolved, self.secret_dirs) and not self._inside(resolved, self.writable):
            self._deny(f"reading {resolved!r} is not allowed: it lies in a private directory")

    def check_write(self, resolved: str) -> None:
        if not self._inside(resolved, self.writable):
            self._deny(
                f"writing {resolved!r} is not allowed: scene code may only write inside its work "
                f"directory {self.workdir!r}"
            )

    def __call__(self, event: str, args: tuple) -> None:
        if not self.active:
            return
        if event == "open":
            path, mode, flags = (args + (None, None))[:3]
            resolved = self._resolve(path)
            if resolved is None:
                return
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & _WRITE_FLAGS
            )
            if writing:
                self.check_write(resolved)
            else:
                self.check_read(resolved)
        elif event in _BLOCKED_EVENTS:
            self._deny(f"{event} is not allowed in a scene: no network, processes or foreign code")
        elif event == "socket.__new__":
            family = args[1] if len(args) > 1 else None
            if family in (socket.AF_INET, socket.AF_INET6, getattr(socket, "AF_PACKET", -1)):
                self._deny("opening a network socket is not allowed in a scene")
        elif event == "subprocess.Popen":
            executable, argv = args[0], args[1]
            program = executable or (argv[0] if isinstance(argv, (list, tuple)) and argv else argv)
            text = os.fsdecode(program) if isinstance(program, (str, bytes, os.PathLike)) else ""
            name = os.path.basename(text)
            resolved = os.path.realpath(text) if os.path.isabs(text) else ""
            if name not in ALLOWED_EXECUTABLES or not os.path.isabs(text) or resolved not in self.programs:
                self._deny(f"starting the program {text or program!r} is not allowed in a scene")
        elif event in _PATH_WRITE_EVENTS:
            resolved = self._resolve(args[0]) if args else None
            if resolved is not None:
                self.check_write(resolved)
        elif event in _COPY_EVENTS:
            resolved = self._resolve(args[1]) if len(args) > 1 else None
            if resolved is not None:
                self.check_write(resolved)
        elif event in _TWO_PATH_EVENTS:
            for path in args[:2]:
                resolved = self._resolve(path)
                if resolved is not None:
                    self.check_write(resolved)
        elif event == "os.putenv" or event == "os.unsetenv":
            return


def install_guard(guard: Guard) -> None:
    """Install the audit hook (irreversible for this process) and switch it on."""
    sys.addaudithook(guard)
    guard.active = True


def real_home_secrets(real_home: str | None, extra: Iterable[str] = ()) -> list[Path]:
    """The directories a scene must never read: the user's dotfiles and manim-agent's own state."""
    dirs: list[Path] = [Path(p) for p in extra]
    if real_home and real_home != "/":
        dirs.extend(Path(real_home) / name for name in SECRET_NAMES)
    return dirs
