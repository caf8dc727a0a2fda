"""The MCP server, driven by the SDK's real client over stdio and streamable HTTP.

Everything is real (the server process, the sandboxed check, the repairs, the render); only the
model behind make_animation is scripted, through the replies file that MANIM_AGENT_SCRIPTED_REPLIES
names (the run records its model as `scripted/mcp`).
"""

from __future__ import annotations

import base64
import functools
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import anyio
import pytest
from agent_fixtures import BROKEN_SCENE, EDIT_FIX, RULE_FIXABLE_SCENE, SPEC_REPLY, fenced
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from process_fixtures import BUSY_SCENE, job_processes, scene_running

from manim_agent.cli import main
from manim_agent.tools.sandbox import client as sandbox

pytestmark = pytest.mark.slow

TOOLS = {"check_scene", "fix_scene", "render_scene", "make_animation"}


def server_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    replies = tmp_path / "replies.json"
    replies.write_text(json.dumps({"mcp": [SPEC_REPLY, fenced(BROKEN_SCENE), EDIT_FIX]}))
    env = {**os.environ, "MANIM_AGENT_SCRIPTED_REPLIES": str(replies), **extra}
    if sandbox.sandbox_method() != "bwrap" and "MANIM_AGENT_SANDBOX" not in extra:
        env["MANIM_AGENT_ALLOW_UNISOLATED"] = "1"  # this machine has no bubblewrap: opt in, as a user would
    return env


def command(tmp_path: Path, *flags: str) -> list[str]:
    return [sys.executable, "-m", "manim_agent.cli", "mcp", "--root", str(tmp_path), "--out", str(tmp_path / "out"), *flags]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@asynccontextmanager
async def connect(tmp_path: Path, transport: str, **env: str):
    full_env = server_env(tmp_path, **env)
    if transport == "stdio":
        argv = command(tmp_path)
        params = StdioServerParameters(command=argv[0], args=argv[1:], env=full_env, cwd=str(tmp_path))
        async with Client(params) as client:
            yield client
        return
    with http_server(tmp_path, full_env) as url:
        async with Client(url) as client:
            yield client


@contextmanager
def http_server(tmp_path: Path, env: dict[str, str]) -> Iterator[str]:
    """`manim-agent mcp --transport http` on a free port; yields its URL, stops it afterwards."""
    port = free_port()
    log = open(tmp_path / "http-server.log", "wb")
    server = subprocess.Popen(command(tmp_path, "--transport", "http", "--port", str(port)),
                              env=env, cwd=tmp_path, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 60
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "http-server.log").read_text()
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/mcp"
        assert server.poll() is None, "the server should still be serving"
    finally:
        server.terminate()
        server.wait(10)
        log.close()


class Progress:
    def __init__(self) -> None:
        self.messages: list[str] = []

    async def __call__(self, progress: float, total: float | None, message: str | None) -> None:
        self.messages.append(message or "")


async def call(client: Client, tool: str, **arguments: Any) -> tuple[Any, Progress]:
    progress = Progress()
    result = await client.call_tool(tool, arguments, progress_callback=progress)
    return result, progress


def png_images(result: Any) -> list[bytes]:
    return [base64.b64decode(block.data) for block in result.content if block.type == "image"]


async def scenario(tmp_path: Path, transport: str) -> None:
    """List the tools, check a broken scene, fix it, render the fix, make an animation."""
    scene_file = tmp_path / "parabola.py"
    scene_file.write_text(RULE_FIXABLE_SCENE)
    async with connect(tmp_path, transport) as client:
        assert {tool.name for tool in (await client.list_tools()).tools} == TOOLS

        checked, progress = await call(client, "check_scene", path=str(scene_file))
        assert not checked.is_error
        diagnosis = checked.structured_content
        assert diagnosis["ok"] is False and diagnosis["category"] == "unknown_api" and diagnosis["line"] == 7
        assert "Create" in diagnosis["hint"] and any("check" in m for m in progress.messages)

        fixed, progress = await call(client, "fix_scene", path=str(scene_file))
        data = fixed.structured_content
        assert data["ok"] is True and [a["rule"] for a in data["applied"]] == ["rename"]
        assert "Create(circle)" in data["fixed_code"] and Path(data["artifacts"]["fixed_scene"]).is_file()
        assert scene_file.read_text() == RULE_FIXABLE_SCENE  # the input is never modified
        assert any(m.startswith("fix") for m in progress.messages)

        rendered, _ = await call(client, "render_scene", code=data["fixed_code"])
        out = rendered.structured_content
        assert out["ok"] is True and Path(out["artifacts"]["video"]).stat().st_size > 1000
        assert png_images(rendered)[0][:8] == b"\x89PNG\r\n\x1a\n"  # the last frame, for clients without files

        made, progress = await call(client, "make_animation", request="draw a circle and its area",
                                    model="scripted/mcp", mode="pipeline")
        outcome = made.structured_content
        assert outcome["rendered"] is True, outcome
        assert Path(outcome["video"]).stat().st_size > 1000 and "color=BLUE" in outcome["scene_code"]
        assert outcome["attempts"] == 2 and png_images(made)
        run = json.loads((Path(outcome["run_dir"]) / "run.json").read_text())
        assert run["models"]["writer"]["model"] == "scripted/mcp"  # canned replies are labelled as such
        joined = "\n".join(progress.messages)
        assert "expand" in joined and "attempt 1" in joined and "attempt 2" in joined and "render" in joined


def test_stdio_session(tmp_path: Path) -> None:
    anyio.run(scenario, tmp_path, "stdio")


def test_streamable_http_session(tmp_path: Path) -> None:
    anyio.run(scenario, tmp_path, "http")


def test_bad_input_gets_a_tool_error_and_the_server_keeps_serving(tmp_path: Path) -> None:
    outside = tmp_path.parent / f"{tmp_path.name}-outside.py"
    outside.write_text(RULE_FIXABLE_SCENE)

    async def run() -> None:
        async with connect(tmp_path, "stdio") as client:
            for tool, arguments, needle in [
                ("check_scene", {"path": str(tmp_path / "missing.py")}, "does not exist"),
                ("check_scene", {"path": str(outside)}, "outside what this server may read"),
                ("check_scene", {"path": "/etc/passwd"}, "outside what this server may read"),
                ("check_scene", {}, "either `path`"),
                ("render_scene", {"code": "x" * 1_100_000}, "at most 1 MB"),
                ("make_animation", {"request": "  "}, "empty"),
                ("make_animation", {"request": "a" * 1_000_000}, "limit is 20,000"),
            ]:
                result, _ = await call(client, tool, **arguments)
                assert result.is_error, (tool, arguments)
                assert needle in result.content[0].text, result.content[0].text
            checked, _ = await call(client, "check_scene", code=RULE_FIXABLE_SCENE)
            assert checked.structured_content["category"] == "unknown_api"

    anyio.run(run)
    outside.unlink()


def test_cancellation_stops_the_run_and_its_sandbox(tmp_path: Path) -> None:
    home = Path(os.environ["MANIM_AGENT_HOME"])  # the session's, whose warm worker may be running already

    async def run() -> None:
        async with connect(tmp_path, "stdio") as client:
            with anyio.move_on_after(60):
                async with anyio.create_task_group() as group:
                    group.start_soon(functools.partial(call, client, "check_scene", code=BUSY_SCENE))
                    while not scene_running(home):
                        await anyio.sleep(0.2)
                    group.cancel_scope.cancel()  # the client gives up: notifications/cancelled
            assert scene_running(home), "the scene should still have been running when we cancelled"
            deadline = time.monotonic() + 15
            while job_processes(home) and time.monotonic() < deadline:
                await anyio.sleep(0.2)
            assert job_processes(home) == []
            checked, _ = await call(client, "check_scene", code=RULE_FIXABLE_SCENE)  # still serving
            assert checked.structured_content["category"] == "unknown_api"

    anyio.run(run)


def test_without_bubblewrap_scene_tools_refuse_unless_opted_in(tmp_path: Path) -> None:
    async def run() -> None:
        async with connect(tmp_path, "stdio", MANIM_AGENT_SANDBOX="rlimits") as client:
            assert {tool.name for tool in (await client.list_tools()).tools} == TOOLS
            result, _ = await call(client, "check_scene", code=RULE_FIXABLE_SCENE)
            assert result.is_error and result.structured_content["error"] == "IsolationUnavailable"
            assert "bubblewrap" in result.content[0].text and "MANIM_AGENT_ALLOW_UNISOLATED=1" in result.content[0].text

    anyio.run(run)


def test_http_binds_only_localhost_unless_told(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mcp", "--transport", "http", "--host", "0.0.0.0"]) == 2
    assert "--allow-remote" in capsys.readouterr().err
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        assert main(["mcp", "--transport", "http", "--port", str(taken.getsockname()[1])]) == 2
        err = capsys.readouterr().err
        assert err.startswith("manim-agent: error: cannot listen on 127.0.0.1:") and "in use" in err
        assert err.count("\n") == 1
        assert main(["ui", "--port", str(taken.getsockname()[1])]) == 2  # the web UI: the same one line
        err = capsys.readouterr().err
        assert err.startswith("manim-agent: error: cannot listen on 127.0.0.1:") and err.count("\n") == 1


# A client in a process of its own: it starts a long check over streamable HTTP and waits for it.
HTTP_CLIENT = """
import anyio, sys
from mcp import Client

async def main():
    async with Client(sys.argv[1]) as client:
        await client.call_tool("check_scene", {"code": sys.stdin.read()})

anyio.run(main)
"""


def test_an_http_client_that_disconnects_mid_run_stops_it_and_the_server_serves_the_next(tmp_path: Path) -> None:
    """The client process is killed mid-call (its TCP connections drop, no goodbye): the job and its
    sandboxed scene are stopped, and a second client is then served."""
    home = Path(os.environ["MANIM_AGENT_HOME"])
    with http_server(tmp_path, server_env(tmp_path)) as url:
        client = subprocess.Popen([sys.executable, "-c", HTTP_CLIENT, url], stdin=subprocess.PIPE,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
        try:
            client.stdin.write(BUSY_SCENE)
            client.stdin.close()
            deadline = time.monotonic() + 90
            while not scene_running(home):
                assert client.poll() is None and time.monotonic() < deadline, "the busy scene never started"
                time.sleep(0.2)
        finally:
            client.kill()
            client.wait(10)
        deadline = time.monotonic() + 20
        while job_processes(home) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert job_processes(home) == [], "the disconnected client's job or its scene is still running"

        async def second_client() -> None:
            async with Client(url) as again:
                checked, _ = await call(again, "check_scene", code=RULE_FIXABLE_SCENE)
                assert checked.structured_content["category"] == "unknown_api"

        anyio.run(second_client)
