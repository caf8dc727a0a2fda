"""How this machine isolates a job: bubblewrap when it works here, else rlimits only; and the scrubbed environment.

The lowest module of the sandbox's host side: the client, the single-use sandboxes and the pool all ask it.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from typing import Literal

from manim_agent import settings

SandboxMethod = Literal["bwrap", "rlimits"]

ENV_ALLOWLIST = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TERM", "SOURCE_DATE_EPOCH")


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
            [bwrap, "--unshare-user", "--disable-userns", "--cap-drop", "ALL", "--ro-bind", "/", "/",
             "--unshare-net", "--unshare-pid", "--dev", "/dev", "--proc", "/proc", "true"],
            capture_output=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return "rlimits"
    return "bwrap" if probe.returncode == 0 else "rlimits"

__all__ = ["ENV_ALLOWLIST", "SandboxMethod", "sandbox_method", "scrubbed_env"]
