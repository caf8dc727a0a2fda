"""Finding a job's processes (the embed_jobs process and the sandboxed scene working for it), for
the tests that stop a run: the MCP server's cancellation and disconnect, and the web UI's Stop."""

from __future__ import annotations

import os
from pathlib import Path

# A scene whose dry run never ends by itself.
BUSY_SCENE = """from manim import *


class Busy(Scene):
    def construct(self):
        total = 0
        for i in range(10**10):
            total += i
        self.add(Circle())
"""


def job_processes(home: Path) -> list[int]:
    """This test server's job processes and the sandboxed processes working on a job's scene."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            cwd = os.readlink(entry / "cwd")
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        # A pre-started sandbox waits in an empty directory; one running a job has the scene in it.
        running_scene = cwd.startswith(f"{home}/work/") and (Path(cwd.split(" (deleted)")[0]) / "scene.py").exists()
        if running_scene or ("manim_agent.embed_jobs" in cmdline and str(home).encode() in environ):
            found.append(int(entry.name))
    return found


def scene_running(home: Path) -> bool:
    for pid in job_processes(home):
        try:
            if os.readlink(f"/proc/{pid}/cwd").startswith(f"{home}/work/"):
                return True
        except OSError:
            continue
    return False
