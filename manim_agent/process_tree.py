"""Kill a process and everything it started, found through /proc (no extra dependency).

The sandbox starts its workers in new sessions, so killing one process group is not enough: walk
the parent links to every descendant, then kill each one's process group and the process itself.
"""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path


def _parents() -> dict[int, int]:
    table: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name (field 2) is in parentheses and may contain spaces.
        fields = stat[stat.rfind(")") + 2 :].split()
        table[int(entry.name)] = int(fields[1])
    return table


def descendants(pid: int) -> list[int]:
    """Every living descendant of `pid`, parents before children."""
    parents = _parents()
    children: dict[int, list[int]] = {}
    for child, parent in parents.items():
        children.setdefault(parent, []).append(child)
    found: list[int] = []
    queue = [pid]
    while queue:
        for child in children.get(queue.pop(0), []):
            found.append(child)
            queue.append(child)
    return found


def kill_tree(pid: int) -> None:
    """SIGKILL `pid`, its descendants and their process groups (stopped first, so none can fork)."""
    targets = [pid, *descendants(pid)]
    for target in targets:
        with contextlib.suppress(OSError):
            os.kill(target, signal.SIGSTOP)
    for target in descendants(pid) + targets:  # anything forked before the stop landed too
        with contextlib.suppress(OSError):
            group = os.getpgid(target)
            if group != os.getpgrp():
                os.killpg(group, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.kill(target, signal.SIGKILL)
