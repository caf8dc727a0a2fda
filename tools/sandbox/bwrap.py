"""The bubblewrap command line of one single-use sandbox, and its seccomp filter. Host side; no Manim.

What the operating system enforces for every sandbox (whatever the scene does in Python):

- a new user namespace with an unprivileged uid inside and every capability dropped, even when
  manim-agent runs as root, and no further user namespaces (`--disable-userns`);
- new network, PID, IPC, UTS and cgroup namespaces: no network at all, no host process visible;
  when the sandbox's first process exits, the kernel kills everything left in its PID namespace;
- a file system built from scratch: read-only binds of the system directories Python, Manim and
  TeX need (an allowlist: no home directory, no /root, no /tmp, only chosen files of /etc), the
  Python installation and the package, the LaTeX cache read-only, and exactly one writable
  directory: this job's own;
- a size-limited tmpfs for /tmp;
- a seccomp filter refusing the system calls that known escapes use (`open_by_handle_at`,
  `ptrace`, `mount`, `keyctl`, `bpf`, `perf_event_open`, `unshare`, `setns`, io_uring, ...).
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parents[2]
SANDBOX_UID = 65534  # "nobody" inside the user namespace
TMP_BYTES = 256 * 1024 * 1024

# Read-only system trees. /etc is not among them: only the files below are shown.
SYSTEM_DIRS = ("/usr", "/var/lib/texmf", "/var/cache/fontconfig")
# Debian's merged /usr keeps these as symlinks; older systems have real directories.
TOP_LEVEL_LINKS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
ETC_ENTRIES = (
    "/etc/fonts", "/etc/texmf", "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d",
    "/etc/localtime", "/etc/papersize", "/etc/alternatives", "/etc/ImageMagick-6", "/etc/mime.types",
    "/etc/ssl/openssl.cnf", "/etc/nsswitch.conf",
)

PROC_READ_ONLY = ("/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus", "/proc/fs", "/proc/acpi",
                  "/proc/latency_stats", "/proc/timer_list", "/proc/kcore", "/proc/keys")
# System calls a scene never needs and escapes do. They fail with EPERM.
DENIED_SYSCALLS = (
    "open_by_handle_at", "name_to_handle_at", "ptrace", "process_vm_readv", "process_vm_writev",
    "mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree", "fsopen", "fsconfig",
    "fsmount", "fspick", "mount_setattr", "keyctl", "add_key", "request_key", "bpf", "perf_event_open",
    "userfaultfd", "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
    "reboot", "swapon", "swapoff", "setns", "unshare", "iopl", "ioperm", "quotactl", "acct",
    "settimeofday", "clock_settime", "adjtimex", "syslog", "kcmp", "lookup_dcookie",
    "io_uring_setup", "io_uring_enter", "io_uring_register", "pidfd_getfd", "vhost", "uselib",
    "nfsservctl", "personality",
)


class SeccompUnavailable(RuntimeError):
    """libseccomp (or its Python binding) is missing, so no filter can be built."""


@functools.lru_cache(maxsize=1)
def seccomp_program() -> bytes:
    """The compiled BPF filter (default allow, DENIED_SYSCALLS fail with EPERM) for bwrap --seccomp."""
    try:
        import pyseccomp  # ctypes binding to the system's libseccomp
    except (ImportError, OSError) as exc:
        raise SeccompUnavailable(f"no seccomp filter: {exc}") from exc
    import errno
    import tempfile

    flt = pyseccomp.SyscallFilter(pyseccomp.ALLOW)
    for name in DENIED_SYSCALLS:
        try:
            flt.add_rule(pyseccomp.ERRNO(errno.EPERM), name)
        except (OSError, ValueError, RuntimeError):
            continue  # a call this architecture does not have
    # clone3 cannot be filtered by its flags; ENOSYS makes libc fall back to clone, which is fine.
    flt.add_rule(pyseccomp.ERRNO(errno.ENOSYS), "clone3")
    with tempfile.TemporaryFile() as out:
        flt.export_bpf(out)
        out.seek(0)
        return out.read()


def seccomp_fd() -> int | None:
    """A readable fd holding the filter (for one bwrap start), or None when libseccomp is missing."""
    try:
        program = seccomp_program()
    except SeccompUnavailable:
        return None
    fd = os.memfd_create("manim-agent-seccomp", 0)
    os.write(fd, program)
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def _python_dirs() -> list[Path]:
    """Where this interpreter and its packages live (the venv, the base install, the package)."""
    paths = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(), Path(sys.executable).resolve().parent.parent}
    for entry in sys.path:
        if entry and Path(entry).is_dir() and not entry.startswith(("/usr", PACKAGE_ROOT.as_posix())):
            paths.add(Path(entry).resolve())
    paths.update(_package_dirs())
    return sorted(p for p in paths if not any(p.as_posix() == d or p.as_posix().startswith(d + "/") for d in SYSTEM_DIRS))


def _package_dirs() -> list[Path]:
    """The package's own folders only: never the whole checkout (.env, runs/ and .git live there)."""
    import importlib.util

    dirs = []
    for name in ("manim_agent", "manim_agent.tools", "manim_agent.agent", "manim_agent.prompt_templates",
                 "manim_agent.scenes", "manim_agent.evals"):
        spec = importlib.util.find_spec(name)
        for location in (spec.submodule_search_locations or []) if spec else []:
            dirs.append(Path(location).resolve())
    return dirs


def _nested(paths: list[Path]) -> list[Path]:
    """Drop paths that lie inside another path of the list."""
    kept: list[Path] = []
    for path in sorted(set(paths), key=lambda p: len(p.parts)):
        if not any(path == k or k in path.parents for k in kept):
            kept.append(path)
    return kept


def bwrap_command(*, job_dir: Path, readonly: list[Path], seccomp: int | None) -> list[str]:
    """The bwrap prefix for one sandbox whose only writable directory is `job_dir`."""
    args = [
        "bwrap", "--unshare-user", "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID), "--disable-userns",
        "--cap-drop", "ALL", "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
        "--unshare-cgroup-try", "--new-session", "--die-with-parent", "--hostname", "sandbox",
        "--dev", "/dev", "--proc", "/proc", "--size", str(TMP_BYTES), "--tmpfs", "/tmp",
    ]
    # The sandbox's uid maps to the caller's outside, and for root that is host root, which owns the
    # kernel's writable /proc files (core_pattern would run a program as host root). Cover them read-only.
    for entry in PROC_READ_ONLY:
        args += ["--ro-bind-try", entry, entry]
    for directory in SYSTEM_DIRS:
        args += ["--ro-bind-try", directory, directory]
    for link in TOP_LEVEL_LINKS:
        if os.path.islink(link):
            args += ["--symlink", os.readlink(link), link]
        elif os.path.isdir(link):
            args += ["--ro-bind", link, link]
    for entry in ETC_ENTRIES:
        args += ["--ro-bind-try", entry, entry]
    for path in _nested([*_python_dirs(), *readonly]):
        args += ["--ro-bind", str(path), str(path)]
    args += ["--bind", str(job_dir), str(job_dir), "--chdir", str(job_dir)]
    if seccomp is not None:
        args += ["--seccomp", str(seccomp)]
    return args
