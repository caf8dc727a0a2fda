"""A real two-node Ray cluster on this machine, for the tests: `ray start --head` plus a second node
joined with `ray start --address`, both with token authentication, both ended by the fixture.

- Ray 2.59+ turns token authentication on by default for local clusters, and a node that joins
  with `ray start --address` must present the same token (else it stops with "Token authentication
  is enabled but no authentication token was found"). So one token is made here and handed to every
  process of the cluster and to its clients as RAY_AUTH_MODE=token plus RAY_AUTH_TOKEN (see
  https://docs.ray.io/en/latest/ray-security/token-auth.html).
- Both nodes run `--block`, each in its own session: the fixture ends them by their process group
  (never `ray stop`, which would end every Ray process of every user on the machine).
- `--node-ip-address=127.0.0.1`: `ray start` maps a loopback address to the machine's reachable one
  (ray._private.services.resolve_ip_for_localhost), so the nodes listen there; the clients still
  reach the head at 127.0.0.1:PORT. Every port is chosen free here, so the cluster cannot collide
  with another on the same machine.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

RAY = Path(sys.executable).with_name("ray")
STARTED = "Ray runtime started."


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Cluster:
    address: str
    env: dict[str, str]  # what a client of this cluster needs in its environment (the token)
    root: Path
    nodes: list[subprocess.Popen] = field(default_factory=list)

    def node_ids(self, timeout: float = 60.0, want: int = 2) -> list[str]:
        """The IDs of the cluster's live nodes, asked of the cluster itself by a separate client."""
        probe = (
            "import json, ray, sys\n"
            f"ray.init(address={self.address!r}, include_dashboard=False, log_to_driver=False, configure_logging=False)\n"
            "print(json.dumps(sorted(n['NodeID'] for n in ray.nodes() if n['Alive'])))\n"
        )
        deadline = time.monotonic() + timeout
        while True:
            done = subprocess.run([sys.executable, "-c", probe], env=self.env, capture_output=True, text=True, timeout=timeout)
            ids = json.loads(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 and done.stdout.strip() else []
            if len(ids) >= want or time.monotonic() > deadline:
                assert len(ids) >= want, f"the cluster has {len(ids)} live node(s): {done.stderr[-2000:]}"
                return ids
            time.sleep(1.0)


def _start_node(args: list[str], env: dict[str, str], log: Path, timeout: float) -> subprocess.Popen:
    """`ray start --block ARGS`, once more if Ray's own fixed 30 s wait for its raylet ran out (a loaded machine)."""
    try:
        return _start_node_once(args, env, log, timeout)
    except RuntimeError as exc:
        if "timed out during startup" not in str(exc):
            raise
        log.rename(log.with_suffix(".first-try.log"))
        return _start_node_once(args, env, log, timeout)


def _start_node_once(args: list[str], env: dict[str, str], log: Path, timeout: float) -> subprocess.Popen:
    with open(log, "wb") as out:
        node = subprocess.Popen([str(RAY), "start", "--block", *args], stdout=out, stderr=subprocess.STDOUT, env=env,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + timeout
    while STARTED not in log.read_text(errors="replace"):
        if node.poll() is not None or time.monotonic() > deadline:
            _stop(node)
            raise RuntimeError(f"a Ray node did not start ({' '.join(args[:2])}):\n{log.read_text(errors='replace')[-1500:]}"
                               f"\n{_fatal_lines(log.parent)}")
        time.sleep(0.5)
    return node


def _fatal_lines(root: Path) -> str:
    """The raylets' own last words (`ray start` only says "timed out during startup")."""
    lines = []
    for raylet_log in sorted(root.glob("session_*/logs/raylet.out")):
        lines += [line[:400] for line in raylet_log.read_text(errors="replace").splitlines() if " C " in line[:40]]
    return "\n".join(lines[-3:])


def _stop(node: subprocess.Popen, grace: float = 10.0) -> None:
    """End a node and every process it started (they share its process group): SIGTERM, then SIGKILL."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(node.pid, signal.SIGTERM)
    # The node's daemons (GCS, raylet, agents) keep its group after `ray start` itself exits.
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and group_members(node.pid):
        time.sleep(0.25)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(node.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        node.wait(timeout=5)


def group_members(pgid: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[2]) == pgid and fields[0] != "Z":  # a zombie is already dead
                    members.append(int(entry.name))
    return members


def agent_ports() -> list[str]:
    """Fixed ports for a node's agents: with a port of 0 the raylet waits for the agents to write
    theirs to a file, for a hard-coded 15 s, and dies when a loaded machine is slower
    (ray-project/ray#65983)."""
    return [f"--dashboard-agent-grpc-port={free_port()}", f"--dashboard-agent-listen-port={free_port()}",
            f"--runtime-env-agent-port={free_port()}", f"--metrics-export-port={free_port()}"]


@contextlib.contextmanager
def two_node_cluster(cpus_per_node: int = 1, timeout: float = 150.0) -> Iterator[Cluster]:
    """Start a head and a worker node (cpus_per_node CPUs each); stop both afterwards."""
    root = Path(tempfile.mkdtemp(prefix="ray-", dir="/tmp"))  # short: Ray's socket paths have a length limit
    token = secrets.token_hex(32)
    # PYTHONDONTWRITEBYTECODE off: Ray's agents import hundreds of modules, and compiling them from
    # source at every start (about 3x slower) is what makes them miss the raylet's 15 s.
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_") and k != "PYTHONDONTWRITEBYTECODE"}
    env.update(RAY_AUTH_MODE="token", RAY_AUTH_TOKEN=token, RAY_USAGE_STATS_ENABLED="0")
    port = free_port()
    common = ["--node-ip-address=127.0.0.1", f"--num-cpus={cpus_per_node}", "--disable-usage-stats"]
    cluster = Cluster(address=f"127.0.0.1:{port}", env=env, root=root)
    try:
        cluster.nodes.append(_start_node(
            ["--head", f"--port={port}", *common, "--include-dashboard=false", f"--temp-dir={root}",
             f"--dashboard-port={free_port()}", f"--ray-client-server-port={free_port()}",
             *agent_ports()],
            env, root / "head.log", timeout))
        cluster.nodes.append(_start_node(
            [f"--address={cluster.address}", *common, *agent_ports()],
            env, root / "worker.log", timeout))
        yield cluster
    finally:
        for node in reversed(cluster.nodes):
            _stop(node)
        shutil.rmtree(root, ignore_errors=True)
