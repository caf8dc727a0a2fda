"""`manim-agent mcp`: the MCP server (official `mcp` SDK, 2.x) over stdio or streamable HTTP.

Tools: check_scene, fix_scene, render_scene (each takes a file `path` or the scene's `code`) and
make_animation (a plain-English `request`). Each returns structured content (the `check --json`
diagnosis, or make's outcome) plus artifact paths, and, for clients that cannot read files, the last
frame (or the check's contact sheet) as an image content block.

Each call runs in its own process (`embed_jobs.py`): the call's progress (stage and attempt) comes
back as MCP progress notifications, and a client's cancellation (or disconnect) kills that process,
everything it started, and the scene processes the warm worker forked for it (found by their work
directories), while the server keeps serving. Scene code
from clients runs only under bubblewrap unless MANIM_AGENT_ALLOW_UNISOLATED=1
(`sandbox.require_isolation`). Paths are read only inside the allowed roots (the working
directory, or every `--root`).
"""

from __future__ import annotations

import base64
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import anyio
from anyio.streams.buffered import BufferedByteReceiveStream
from mcp.server.mcpserver import Context, MCPServer
from mcp_types import CallToolResult, ImageContent, TextContent

from manim_agent import __version__, settings
from manim_agent.errors import ManimAgentError, UserError
from manim_agent.media import OutputFormat, Quality
from manim_agent.process_tree import kill_tree, stop_scene_processes

SOURCE = "the MCP server"
MAX_EVENT_BYTES = 8_000_000
INSTRUCTIONS = (
    "Makes and checks Manim Community Edition animations. check_scene diagnoses a scene (static checks, a "
    "sandboxed dry run, a layout check); fix_scene applies deterministic repairs; render_scene renders it; "
    "make_animation turns a plain-English request into a rendered animation with its code and notes. "
    "Give scenes as `code` (the source) or `path` (a file the server may read)."
)


class EmbedServer:
    """The tools and the policy (allowed roots, output directory) of one server."""

    def __init__(self, *, roots: Sequence[Path] = (), out: Path | None = None) -> None:
        self.roots = [Path(r).resolve() for r in roots] or [Path.cwd().resolve()]
        self.out = Path(out).resolve() if out else settings.subdir("mcp")
        self.out.mkdir(parents=True, exist_ok=True)
        self.mcp = MCPServer("manim-agent", version=__version__, instructions=INSTRUCTIONS)
        self._register()

    # -- inputs -------------------------------------------------------------------------------
    def scene_args(self, path: str | None, code: str | None, scene: str | None) -> dict[str, Any]:
        """The job's source arguments; a UserError for a missing, unreadable or disallowed path."""
        if (path is None) == (code is None):
            raise UserError("give either `path` (a scene file) or `code` (the scene's source), not both or neither")
        if code is not None:
            if not code.strip():
                raise UserError("`code` is empty: pass the scene's Python source")
            return {"code": code, "scene": scene}
        resolved = Path(path).expanduser()
        resolved = (resolved if resolved.is_absolute() else self.roots[0] / resolved).resolve()
        if not any(resolved.is_relative_to(root) for root in self.roots):
            allowed = ", ".join(str(r) for r in self.roots)
            raise UserError(f"{path!r} is outside what this server may read ({allowed}); pass the code instead, "
                            "or start the server with --root")
        if not resolved.is_file():
            raise UserError(f"{path!r} does not exist or is not a file")
        return {"path": str(resolved), "scene": scene}

    # -- running a job ------------------------------------------------------------------------
    async def run_job(self, tool: str, args: dict[str, Any], ctx: Context) -> CallToolResult:
        """Run one job in its own process, relaying progress; killed with its sandbox on cancellation."""
        from manim_agent.tools.sandbox.client import require_isolation

        try:
            require_isolation(SOURCE)
        except ManimAgentError as exc:
            return error_result(exc)
        log = open(settings.subdir("run") / "mcp-jobs.log", "ab")  # handed to the child
        try:
            process = await anyio.open_process(
                [sys.executable, "-m", "manim_agent.embed_jobs"], stderr=log, start_new_session=True
            )
        finally:
            log.close()
        outcome: dict[str, Any] | None = None
        workdirs: list[Path] = []
        try:
            assert process.stdin is not None and process.stdout is not None
            await process.stdin.send(json.dumps({"tool": tool, "args": args, "out": str(self.out)}).encode())
            await process.stdin.aclose()
            lines = BufferedByteReceiveStream(process.stdout)
            step = 0
            while outcome is None:
                try:
                    raw = await lines.receive_until(b"\n", MAX_EVENT_BYTES)
                except (anyio.EndOfStream, anyio.IncompleteRead):
                    break
                event = json.loads(raw)
                if event.get("event") == "progress":
                    step += 1
                    await ctx.report_progress(step, None, progress_message(event))
                elif event.get("event") == "workdir":
                    workdirs.append(Path(event["path"]))
                else:
                    outcome = event
            await process.wait()
        finally:
            if process.returncode is None:  # cancelled, or the client went away: stop everything it started
                with anyio.CancelScope(shield=True):
                    kill_tree(process.pid)
                    await process.wait()
                    await anyio.to_thread.run_sync(stop_scene_processes, workdirs)
        if outcome is None:
            return error_text(f"the {tool} job ended without a result (exit {process.returncode})")
        if outcome["event"] == "error":
            return error_text(outcome["message"], outcome.get("type"))
        return tool_result(outcome["data"])

    def _register(self) -> None:
        server = self

        @self.mcp.tool()
        async def check_scene(
            ctx: Context, path: str | None = None, code: str | None = None, scene: str | None = None
        ) -> CallToolResult:
            """Check a Manim CE scene: static checks (syntax, safety policy, API names and arguments, LaTeX
            strings), a sandboxed dry run of every animation, and a layout check. Returns the diagnosis: ok,
            stage, category, line, code_line, message, hint, issues; and the contact sheet (keyframes).

            Args:
                path: A scene file the server may read (give this or `code`).
                code: The scene's Python source (give this or `path`).
                scene: The Scene class to check; default: the file's only or last scene.
            """
            try:
                args = server.scene_args(path, code, scene)
            except UserError as exc:
                return error_result(exc)
            return await server.run_job("check_scene", args, ctx)

        @self.mcp.tool()
        async def fix_scene(
            ctx: Context, path: str | None = None, code: str | None = None, scene: str | None = None
        ) -> CallToolResult:
            """Repair a scene with the deterministic rules (no LLM), re-checking after each round, until it
            checks clean or no rule applies. Returns what was applied, the final diagnosis, the repaired
            code (fixed_code) and where it was written. The input file is never modified.

            Args:
                path: A scene file the server may read (give this or `code`).
                code: The scene's Python source (give this or `path`).
                scene: The Scene class to fix; default: the file's only or last scene.
            """
            try:
                args = server.scene_args(path, code, scene)
            except UserError as exc:
                return error_result(exc)
            return await server.run_job("fix_scene", args, ctx)

        @self.mcp.tool()
        async def render_scene(
            ctx: Context,
            path: str | None = None,
            code: str | None = None,
            scene: str | None = None,
            quality: Quality = "l",
            format: OutputFormat = "mp4",  # the CLI's flag name
        ) -> CallToolResult:
            """Render a scene in the sandbox. Returns ok, the output files, the diagnosis when it failed,
            and the last frame as an image.

            Args:
                path: A scene file the server may read (give this or `code`).
                code: The scene's Python source (give this or `path`).
                scene: The Scene class to render; default: the file's only or last scene.
                quality: l (480p), m (720p), h (1080p) or k (2160p).
                format: mp4, gif, webm, or png (the last frame only).
            """
            try:
                args = {**server.scene_args(path, code, scene), "quality": quality, "format": format}
            except UserError as exc:
                return error_result(exc)
            return await server.run_job("render_scene", args, ctx)

        @self.mcp.tool()
        async def make_animation(
            ctx: Context,
            request: str,
            model: str | None = None,
            mode: Literal["agent", "pipeline"] | None = None,
            max_attempts: int | None = None,
            quality: Quality | None = None,
        ) -> CallToolResult:
            """Make a rendered Manim animation from a plain-English request: expand it into a scene
            description, write the scene, check and repair it until it renders, render it, write study notes.
            Reports progress (stage and attempt). Returns rendered, video, last_frame, scene_code, run_dir,
            spec_md, notes_md, attempts, and the last diagnosis when nothing rendered.

            Args:
                request: What the animation should show, in plain English.
                model: A litellm model string; default: the server's MANIM_AGENT_MODEL.
                mode: agent (an orchestrating model drives the tools) or pipeline (a fixed loop).
                max_attempts: How many versions of the scene to check at most (default 5).
                quality: l, m, h or k.
            """
            from manim_agent.agent.make import validate_request

            try:
                validate_request(request)
            except UserError as exc:
                return error_result(exc)
            args = {"request": request, "model": model, "mode": mode, "max_attempts": max_attempts, "quality": quality}
            return await server.run_job("make_animation", args, ctx)


def progress_message(event: dict[str, Any]) -> str:
    stage = event.get("stage", "")
    message = event.get("message", "")
    return message if message.startswith(stage) else f"{stage}: {message}"


def error_result(exc: ManimAgentError) -> CallToolResult:
    return error_text(str(exc), type(exc).__name__)


def error_text(message: str, kind: str | None = None) -> CallToolResult:
    return CallToolResult(
        content=[TextContent(text=f"error: {message}")],
        structured_content={"ok": False, "error": kind or "Error", "message": message},
        is_error=True,
    )


def tool_result(data: dict[str, Any]) -> CallToolResult:
    """Structured content, the same JSON as text, and the last frame (or contact sheet) as an image."""
    ok = data.get("ok", data.get("rendered"))
    summary = data.get("message") or ("ok" if ok else "failed")
    content: list[Any] = [TextContent(text=f"{summary}\n{json.dumps(data, default=str)}")]
    artifacts = data.get("artifacts") or {}
    image = data.get("last_frame") or artifacts.get("last_frame") or artifacts.get("contact_sheet")
    if image and Path(image).is_file():
        data_b64 = base64.b64encode(Path(image).read_bytes()).decode()
        content.append(ImageContent(data=data_b64, mime_type="image/png"))
    return CallToolResult(content=content, structured_content=data, is_error=False)


def serve(transport: str, *, host: str, port: int, roots: Sequence[Path], out: Path | None) -> None:
    """Serve until interrupted; for HTTP the caller has checked the address (cli_embed.check_bind)."""
    server = EmbedServer(roots=roots, out=out)
    if transport == "stdio":
        server.mcp.run("stdio")
        return
    print(f"manim-agent MCP server on http://{host}:{port}/mcp", file=sys.stderr)
    server.mcp.run("streamable-http", host=host, port=port)
