"""`manim-agent mcp` and `manim-agent ui`: serve the agent to other programs and to people."""

from __future__ import annotations

import argparse
from pathlib import Path

from manim_agent.errors import MissingDependencyError

DEFAULT_HOST = "127.0.0.1"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `mcp` and `ui` to the manim-agent command line."""
    mcp = subparsers.add_parser("mcp", help="serve check/fix/render/make as MCP tools (stdio or streamable HTTP)")
    mcp.add_argument("--transport", choices=["stdio", "http"], default="stdio",
                     help="stdio (a client starts the server) or http (streamable HTTP at /mcp) (default: stdio)")
    _add_bind_flags(mcp, default_port=8000)
    mcp.add_argument("--root", type=Path, action="append", metavar="DIR",
                     help="a directory whose files clients may pass by path (repeatable; default: the working directory)")
    mcp.add_argument("--out", type=Path, metavar="DIR",
                     help="where each call's artifacts and runs go (default: $MANIM_AGENT_HOME/mcp)")
    mcp.set_defaults(handler=run_mcp)

    ui = subparsers.add_parser("ui", help="a web chat: type a request, watch the steps, get the video")
    _add_bind_flags(ui, default_port=7860)
    ui.add_argument("--out", type=Path, metavar="DIR", help="where runs go (default: runs)")
    ui.add_argument("--model", metavar="M", help="litellm model for every role (default: MANIM_AGENT_MODEL)")
    ui.set_defaults(handler=run_ui)


def _add_bind_flags(parser: argparse.ArgumentParser, *, default_port: int) -> None:
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default: {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=default_port, help=f"port to listen on (default: {default_port})")
    parser.add_argument("--allow-remote", action="store_true",
                        help="allow a --host other than localhost (prints a warning: others can then use it)")


def run_mcp(args: argparse.Namespace) -> int:
    try:
        from manim_agent import mcp_server  # noqa: PLC0415
    except ImportError as exc:
        raise MissingDependencyError(f"the MCP server needs the mcp package ({exc.name}): pip install 'manim-agent[mcp]'") from None
    mcp_server.serve(args.transport, host=args.host, port=args.port, allow_remote=args.allow_remote,
                     roots=args.root or [], out=args.out)
    return 0


def run_ui(args: argparse.Namespace) -> int:
    try:
        from manim_agent import web_ui  # noqa: PLC0415
    except ImportError as exc:
        raise MissingDependencyError(f"the web UI needs gradio ({exc.name}): pip install 'manim-agent[ui]'") from None
    web_ui.serve(host=args.host, port=args.port, allow_remote=args.allow_remote, out=args.out, model=args.model)
    return 0
