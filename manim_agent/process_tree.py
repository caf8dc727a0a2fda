"""Kill what one job started, found through /proc (no extra dependency).

The sandbox starts its workers in new sessions, so killing one process group is not enough:
`kill_tree` walks the parent links to every descendant and kills each one's process group too.
A job's sandbox from the warm pool is not our descendant: the pool kills it as soon as the job's
connection closes. `kill_in_directories` also kills any process still working in a job directory.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import time
from collections.abc import Callable, Iterable
from pathlib import Path

# The shared sandbox pool may be a descendant of the job that started it; it serves other jobs too.
# A cancelled job's sandbox is killed by the pool itself when the job's connection to it closes.
WARM_WORKER_MARK = "manim_agent.tools.sandbox.pool serve"


def _processes() -> dict[int, int]:
    """pid -> parent pid for every process."""
    table: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name (field 2) is in parentheses and may contain spaces.
        table[int(entry.name)] = int(stat[stat.rfind(")") + 2 :].split()[1])
    return table


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def is_warm_worker(pid: int) -> bool:
    return WARM_WORKER_MARK in cmdline(pid)


def descendants(pid: int, spare: Callable[[int], bool] = is_warm_worker) -> list[int]:
    """Every living descendant of `pid`, parents first, leaving out `spare`d processes and their subtrees."""
    children: dict[int, list[int]] = {}
    for child, parent in _processes().items():
        children.setdefault(parent, []).append(child)
    found: list[int] = []
    queue = [pid]
    while queue:
        for child in children.get(queue.pop(0), []):
            if not spare(child):
                found.append(child)
                queue.append(child)
    return found


def _kill(targets: Iterable[int]) -> None:
    own_group = os.getpgrp()
    for target in targets:
        with contextlib.suppress(OSError):
            group = os.getpgid(target)
            if group != own_group:
                os.killpg(group, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.kill(target, signal.SIGKILL)


def kill_tree(pid: int) -> None:
    """SIGKILL `pid`, its descendants and their process groups (stopped first, so none can fork)."""
    targets = [pid, *descendants(pid)]
    for target in targets:
        with contextlib.suppress(OSError):
            os.kill(target, signal.SIGSTOP)
    _kill(descendants(pid) + targets)  # anything forked before the stop landed too


def in_directories(directories: Iterable[Path]) -> list[int]:
    """Processes whose working directory is inside one of `directories`."""
    prefixes = [str(Path(d)) for d in directories]
    found = []
    for pid in _processes():
        try:
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            continue
        if any(cwd == p or cwd.startswith(p + "/") for p in prefixes):
            found.append(pid)
    return found


def kill_in_directories(directories: list[Path], *, settle: float = 1.0) -> None:
    """Kill every process working inside `directories`, watching `settle` seconds for late starters."""
    if not directories:
        return
    deadline = time.monotonic() + settle
    while True:
        # The warm worker itself works in the parent of these directories, never inside one.
        _kill(in_directories(directories))
        if time.monotonic() >= deadline:
            return
        time.sleep(0.1)


def stop_scene_processes(workdirs: list[Path]) -> None:
    """Kill the scene processes the warm worker forked for a stopped job, and remove their directories."""
    kill_in_directories(workdirs)
    for workdir in workdirs:
        shutil.rmtree(workdir, ignore_errors=True)
