"""Where eval cases run: a local process pool (the default) or Ray tasks on a cluster.

Both take the same plain-data tasks and return the same records (`case_runner.run_case`), so a
suite's verdicts do not depend on the executor. The runner keeps at most `capacity` cases in
flight, which lets a budget stop the run without a queue of cases already handed out.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import signal
import socket
from typing import Any, Protocol

from manim_agent.errors import ConfigError, ExecutorError, MissingDependencyError
from manim_agent.evals.case_runner import run_case, warm_up

RAY_INSTALL = "pip install 'manim-agent[ray]'  (or: uv sync --extra ray)"
# Ray 2.59+ clusters use token authentication: a client presents the cluster's token.
RAY_AUTH_HINT = "(set RAY_AUTH_MODE=token and RAY_AUTH_TOKEN, or put the token in ~/.ray/auth_token)"
# Environment a Ray worker needs to behave like this process (state directory, model switches).
FORWARDED_ENV_PREFIXES = ("MANIM_AGENT_",)


class Executor(Protocol):
    capacity: int

    def submit(self, task: dict[str, Any]) -> Any: ...

    def wait(self, handles: list[Any], timeout: float) -> list[tuple[Any, dict[str, Any] | BaseException]]: ...

    def shutdown(self, *, now: bool = False) -> None: ...


def _die_with_parent() -> None:
    """Pool workers end when the runner dies (even by SIGKILL), so a killed run leaves no case half-run."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the runner's to handle


class LocalExecutor:
    """A process pool: each case runs in a worker process that imported the core once."""

    def __init__(self, workers: int) -> None:
        self.capacity = max(1, workers)
        warm_up()  # before the first fork, so no worker imports litellm again
        self._pool = self._new_pool()

    def _new_pool(self) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(
            max_workers=self.capacity, mp_context=multiprocessing.get_context("fork"), initializer=_die_with_parent
        )

    def submit(self, task: dict[str, Any]) -> Any:
        try:
            return self._pool.submit(run_case, task)
        except cf.BrokenExecutor:
            self._pool = self._new_pool()  # a worker died (out of memory?); start afresh
            return self._pool.submit(run_case, task)

    def wait(self, handles: list[Any], timeout: float) -> list[tuple[Any, dict[str, Any] | BaseException]]:
        done, _ = cf.wait(handles, timeout=timeout, return_when=cf.FIRST_COMPLETED)
        finished: list[tuple[Any, dict[str, Any] | BaseException]] = []
        for handle in done:
            try:
                finished.append((handle, handle.result()))
            except BaseException as exc:  # a crashed case becomes an error record
                finished.append((handle, exc))
        return finished

    def shutdown(self, *, now: bool = False) -> None:
        """Wait for the pool to drain, or (now: Ctrl-C) end its workers at once; their cases run again on --resume."""
        if now:
            for process in list((getattr(self._pool, "_processes", None) or {}).values()):
                process.kill()  # our own pool workers, by their process object
        self._pool.shutdown(wait=not now, cancel_futures=True)


def _run_case_on_ray(task: dict[str, Any]) -> dict[str, Any]:
    """run_case inside a Ray task; the record also names the Ray node that ran it."""
    import ray

    record = run_case(task)
    record.setdefault("worker", {})["ray_node"] = ray.get_runtime_context().get_node_id()
    return record


class RayExecutor:
    """Ray tasks: on the cluster at `address`, or on a local one started here (2 CPUs, no dashboard)."""

    def __init__(self, address: str | None, workers: int | None = None) -> None:
        try:
            import ray
        except ImportError:
            raise MissingDependencyError(f"--executor ray needs Ray: {RAY_INSTALL}") from None
        self.ray = ray
        env = {k: v for k, v in os.environ.items() if k.startswith(FORWARDED_ENV_PREFIXES)}
        options: dict[str, Any] = {
            "include_dashboard": False,
            "log_to_driver": False,
            "configure_logging": False,
            "runtime_env": {"env_vars": env} if env else None,
        }
        if address is not None:
            _check_reachable(address)
        try:
            if address is None:
                self._start_local(max(1, workers or 2), options)
            else:
                ray.init(address=address, **options)
        except ray.exceptions.AuthenticationError as exc:
            raise ConfigError(f"the Ray cluster at {address!r} refused this client: {_first_line(exc)} {RAY_AUTH_HINT}") from None
        except (ConnectionError, RuntimeError, ValueError) as exc:
            if address is None:
                raise ExecutorError(f"the local Ray cluster did not start: {_first_line(exc)}") from None
            if _refused_token(exc):
                raise ConfigError(f"the Ray cluster at {address!r} refused this client's token {RAY_AUTH_HINT}") from None
            raise ConfigError(f"cannot reach the Ray cluster at {address!r}: {_first_line(exc)}") from None
        except Exception as exc:  # Ray raises a bare Exception when its node times out
            raise ExecutorError(f"Ray did not start: {_first_line(exc)}") from None
        cpus = int(ray.cluster_resources().get("CPU", 1))
        self.capacity = max(1, min(workers, cpus) if workers else cpus)
        self._remote = ray.remote(num_cpus=1, max_retries=0)(_run_case_on_ray)

    def _start_local(self, cpus: int, options: dict[str, Any]) -> None:
        """A new cluster of our own ("local": never one a `ray start` left behind), on 127.0.0.1.

        Ray gives its raylet a fixed 30 s to register; on a loaded machine that can pass, so once more.
        """
        for attempt in (1, 2):
            try:
                self.ray.init(address="local", num_cpus=cpus, _node_ip_address="127.0.0.1", **options)
                return
            except Exception as exc:  # Ray raises a bare Exception for this timeout
                if attempt == 2 or "timed out during startup" not in str(exc):
                    raise
                self.ray.shutdown()

    def submit(self, task: dict[str, Any]) -> Any:
        return self._remote.remote(task)

    def wait(self, handles: list[Any], timeout: float) -> list[tuple[Any, dict[str, Any] | BaseException]]:
        done, _ = self.ray.wait(handles, num_returns=1, timeout=timeout)
        finished: list[tuple[Any, dict[str, Any] | BaseException]] = []
        for handle in done:
            try:
                finished.append((handle, self.ray.get(handle)))
            except BaseException as exc:  # a failed task becomes an error record
                finished.append((handle, exc))
        return finished

    def shutdown(self, *, now: bool = False) -> None:
        """Stop the cluster started here; from someone else's cluster only disconnect."""
        self.ray.shutdown()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _refused_token(exc: BaseException) -> bool:
    """Ray reports a missing or wrong token as a failed connection; the cause says which."""
    chain = [exc, exc.__cause__, exc.__context__]
    return any(e is not None and ("InvalidAuthToken" in str(e) or "Unauthenticated" in str(e)) for e in chain)


def _check_reachable(address: str, timeout: float = 3.0) -> None:
    """Fail in seconds, not minutes (ray.init retries an unreachable address for a long time)."""
    if address == "auto":
        return
    target = address.split("://", 1)[-1]
    host, _, port = target.rpartition(":")
    if not host or not port.isdigit():
        raise ConfigError(f"--address {address!r} is not HOST:PORT (for example 127.0.0.1:6379 or ray://host:10001)")
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError as exc:
        raise ConfigError(f"cannot reach the Ray cluster at {address!r}: {exc.strerror or exc}") from None


def preflight(kind: str, address: str | None) -> None:
    """Check the executor can be had, before the run directory is touched."""
    if kind not in ("local", "ray"):
        raise ConfigError(f"unknown executor {kind!r}; choose local or ray")
    if kind == "local" and address:
        raise ConfigError("--address is for --executor ray")
    if kind == "ray":
        try:
            import ray  # noqa: F401
        except ImportError:
            raise MissingDependencyError(f"--executor ray needs Ray: {RAY_INSTALL}") from None
        if address is not None:
            _check_reachable(address)


def make_executor(kind: str, *, workers: int, address: str | None) -> Executor:
    if kind == "local":
        if address:
            raise ConfigError("--address is for --executor ray")
        return LocalExecutor(workers)
    if kind == "ray":
        return RayExecutor(address, workers if workers > 1 else None)
    raise ConfigError(f"unknown executor {kind!r}; choose local or ray")
