"""Single-use sandboxes, pre-started and warm. Host side (trusted); never imports Manim.

Every job runs in its own sandbox (`Standby`): one bubblewrap process whose only writable
directory is that job's, started before the job arrives, with Manim already imported and warm.
It takes exactly one job over its stdin pipe, answers over its stdout pipe, and is then killed
with everything it started (its PID namespace dies with it). No sandbox ever sees another job's
directory, the pool's socket, or the shared LaTeX cache with write access.

`python -m manim_agent.tools.sandbox.pool serve --socket PATH` is the pool: a host process (not
sandboxed) that keeps `MANIM_AGENT_POOL_SIZE` sandboxes ready, hands each request one of them, and
exits after an idle period. Its socket lives in `$MANIM_AGENT_HOME/run/`, which no sandbox can see.
While a job runs, the pool watches the job directory's size and kills the sandbox above its quota.
After answering, it adds the job's new LaTeX formulas to the shared cache (`texcache`).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import queue
import select
import shutil
import socket
import threading
import time
from pathlib import Path
from typing import Any

from manim_agent.tools.sandbox import texcache as sandbox_texcache
from manim_agent.tools.sandbox.standby import READY_TIMEOUT, Standby, run_in_standby, shared_tex_dir


# -- the pool -------------------------------------------------------------------------------------
class Pool:
    """Keeps `size` sandboxes warm; `take()` hands one out and a replacement starts warming.

    One long-lived thread starts every sandbox: bubblewrap's --die-with-parent follows the thread
    that started it, so a sandbox started from a short-lived thread would die with that thread.
    """

    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self.ready: queue.Queue[Standby] = queue.Queue()
        self.closed = False
        self._wanted = threading.Event()
        self._wanted.set()
        threading.Thread(target=self._fill, daemon=True, name="sandbox-starter").start()

    def _fill(self) -> None:
        while not self.closed:
            self._wanted.wait(timeout=1.0)
            self._wanted.clear()
            while not self.closed and self.ready.qsize() < self.size:
                try:
                    # No warm-up scene: measured, it saved nothing per check; the Manim import is the cost.
                    standby = Standby(warm=False)
                    standby.wait_ready()
                except Exception:  # the sandbox log says why; try again shortly
                    time.sleep(1.0)
                    continue
                if self.closed:
                    standby.discard()
                else:
                    self.ready.put(standby)

    def take(self, timeout: float = READY_TIMEOUT) -> Standby:
        try:
            standby = self.ready.get(timeout=timeout)
        except queue.Empty:
            from manim_agent.errors import SandboxError

            raise SandboxError(f"no sandbox became ready within {timeout:g} s") from None
        self._wanted.set()  # the replacement warms while this one works
        return standby

    def close(self) -> None:
        self.closed = True
        while not self.ready.empty():
            self.ready.get_nowait().discard()


def _reply(conn: socket.socket, data: dict[str, Any]) -> None:
    with contextlib.suppress(OSError):
        conn.sendall(json.dumps(data, default=str).encode() + b"\n")


def _read_request(conn: socket.socket) -> dict[str, Any]:
    buffer = bytearray()
    while not buffer.endswith(b"\n"):
        chunk = conn.recv(1 << 16)
        if not chunk:
            break
        buffer += chunk
        if len(buffer) > 32 << 20:
            raise ValueError("request too large")
    return json.loads(buffer)


def serve(socket_path: str, idle_seconds: float, size: int) -> None:
    """Accept requests on a Unix socket (one JSON line each way). Exits after `idle_seconds` idle."""
    pool = Pool(size)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(socket_path)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old_umask = os.umask(0o177)
    try:
        server.bind(socket_path)
    finally:
        os.umask(old_umask)
    server.listen(16)
    last_activity = [time.monotonic()]
    active = [0]
    lock = threading.Lock()
    stop = threading.Event()

    def handle(conn: socket.socket) -> None:
        try:
            request = _read_request(conn)
            action = request.get("action", "job")
            if action == "ping":
                _reply(conn, {"status": "pong", "pid": os.getpid()})
                return
            if action == "shutdown":
                _reply(conn, {"status": "bye"})
                stop.set()
                return
            standby = pool.take()
            result = run_in_standby(standby, request["job"], request.get("files") or {}, abort=conn)
            if result.get("reason") == "cancelled":
                shutil.rmtree(result["workdir"], ignore_errors=True)
                return
            # Read the new formulas before answering: the client removes the job directory.
            formulas = sandbox_texcache.collect(Path(result["workdir"]), result.get("tex_new"), shared_tex_dir())
            _reply(conn, result)
            conn.close()
            sandbox_texcache.compile_and_store(formulas, shared_tex_dir())
        except Exception as exc:  # any pool failure: the client falls back to a one-off sandbox
            _reply(conn, {"pool_error": f"{type(exc).__name__}: {exc}"})
        finally:
            with contextlib.suppress(OSError):
                conn.close()
            with lock:
                active[0] -= 1
                last_activity[0] = time.monotonic()

    while not stop.is_set():
        ready, _, _ = select.select([server], [], [], 1.0)
        if not ready:
            with lock:
                idle = active[0] == 0 and time.monotonic() - last_activity[0] > idle_seconds
            if idle or not os.path.exists(socket_path):
                break
            continue
        conn, _ = server.accept()
        with lock:
            active[0] += 1
            last_activity[0] = time.monotonic()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()
    server.close()
    pool.close()
    with contextlib.suppress(OSError):
        os.unlink(socket_path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="manim_agent.tools.sandbox.pool")
    sub = parser.add_subparsers(dest="command", required=True)
    serve_parser = sub.add_parser("serve")
    serve_parser.add_argument("--socket", required=True)
    serve_parser.add_argument("--idle", type=float, default=600.0)
    serve_parser.add_argument("--size", type=int, default=2)
    args = parser.parse_args(argv)
    serve(args.socket, args.idle, args.size)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
