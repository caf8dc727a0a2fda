"""Reading what a sandbox left behind, without trusting it. Host side; no Manim.

A scene controls every byte of its job directory: it can name any path in its result, put
symlinks where outputs should be, or write a file that only looks like a video. The host
therefore opens job files only through `open_job_file`: the path must lie inside the job
directory, every component is opened without following symlinks, and the file must be a regular
file under a size limit. `looks_like` checks a file's leading bytes against its claimed format.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path
from typing import BinaryIO

from manim_agent.errors import SandboxError

MAGIC = {
    ".mp4": (b"ftyp", 4),
    ".mov": (b"ftyp", 4),
    ".webm": (b"\x1a\x45\xdf\xa3", 0),
    ".gif": (b"GIF8", 0),
    ".png": (b"\x89PNG\r\n\x1a\n", 0),
    ".svg": (b"<?xml", 0),
}


class UnsafeJobFile(SandboxError):
    """A job's result named a file the host will not read (outside the job, a symlink, not a regular file)."""


def open_job_file(job_dir: Path, path: str | Path, *, max_bytes: int = 8 << 30) -> BinaryIO:
    """Open `path` (absolute inside `job_dir`, or relative to it) for reading, refusing every trick."""
    root = os.path.abspath(job_dir)
    target = os.path.abspath(os.path.join(root, os.fspath(path)))
    if target == root or not target.startswith(root + os.sep):
        raise UnsafeJobFile(f"the sandbox named {str(path)!r}, which is outside its job directory")
    parts = os.path.relpath(target, root).split(os.sep)
    flags = os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | flags)
    try:
        for part in parts[:-1]:
            next_fd = os.open(part, os.O_RDONLY | os.O_DIRECTORY | flags, dir_fd=fd)
            os.close(fd)
            fd = next_fd
        file_fd = os.open(parts[-1], os.O_RDONLY | os.O_NONBLOCK | flags, dir_fd=fd)
    except OSError as exc:
        raise UnsafeJobFile(f"the sandbox named {str(path)!r}, which cannot be opened safely: {exc.strerror}") from exc
    finally:
        os.close(fd)
    info = os.fstat(file_fd)
    if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
        os.close(file_fd)
        raise UnsafeJobFile(f"the sandbox named {str(path)!r}, which is not a plain file")
    if info.st_size > max_bytes:
        os.close(file_fd)
        raise UnsafeJobFile(f"the sandbox named {str(path)!r}, which is larger than {max_bytes} bytes")
    return os.fdopen(file_fd, "rb")


def read_job_file(job_dir: Path, path: str | Path, *, max_bytes: int = 64 << 20) -> bytes:
    with open_job_file(job_dir, path, max_bytes=max_bytes) as handle:
        return handle.read(max_bytes + 1)[:max_bytes]


def looks_like(head: bytes, suffix: str) -> bool:
    """Whether a file's first bytes match the format its suffix claims (unknown suffixes pass)."""
    expected = MAGIC.get(suffix.lower())
    if expected is None:
        return True
    magic, offset = expected
    return head[offset : offset + len(magic)] == magic


def copy_job_file(job_dir: Path, path: str | Path, target: Path) -> Path:
    """Copy one output out of a job directory after the checks above; returns the target."""
    suffix = Path(path).suffix
    with open_job_file(job_dir, path) as source:
        head = source.read(64)
        if not looks_like(head, suffix):
            raise UnsafeJobFile(f"the sandbox's output {Path(path).name!r} is not a {suffix} file")
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        with open(partial, "wb") as out:
            out.write(head)
            shutil.copyfileobj(source, out, 1 << 20)
        os.replace(partial, target)
    return target


def directory_bytes(root: Path, *, stop_at: int | None = None) -> int:
    """Bytes used under `root` (symlinks not followed); stops counting once above `stop_at`."""
    total = 0
    stack = [str(root)]
    while stack:
        current = stack.pop()
        try:
            with os.scandir(current) as entries:
                for entry in entries:
                    try:
                        info = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    total += info.st_blocks * 512
                    if stat.S_ISDIR(info.st_mode):
                        stack.append(entry.path)
                    if stop_at is not None and total > stop_at:
                        return total
        except OSError:
            continue
    return total
