"""`manim-agent mcp` and `manim-agent ui`: serve the agent to other programs and to people."""

from __future__ import annotations

import argparse
import socket
import sys
from pathlib import Path

from manim_agent.errors import MissingDependencyError, UserError

DEFAULT_HOST = "127.0.0.1"
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def check_bind(host: str, port: int, allow_remote: bool) -> None:
    """Refuse a non-local host without --allow-remote, and a port already in use, with one clear line."""
    if host not in LOCAL_HOSTS:
        if not allow_remote:
            raise UserError(f"--host {host} would let other machines run code through this server; "
                            "add --allow-remote if that is what you want")
        print(f"manim-agent: warning: serving on {host}:{port}: anyone who can reach it can run scenes "
              "(sandboxed) and spend your model budget", file=sys.stderr)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise UserError(f"cannot listen on {host}:{port}: {exc.strerror}; pick another with --port") from None


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
    ui.add_argument("--mode", choices=["agent", "pipeline"], help="how runs are driven (default: agent)")
    ui.set_defaults(handler=run_ui)


def _add_bind_flags(parser: argparse.ArgumentParser, *, default_port: int) -> None:
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default: {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=default_port, help=f"port to listen on (default: {default_port})")
    parser.add_argument("--allow-remote", action="store_true",
                        help="allow a --host other than localhost (prints a warning: others can then use it)")


def run_mcp(args: argparse.Namespace) -> int:
    try:
        from manim_agent import mcp_server
    except ImportError as exc:
        raise MissingDependencyError(f"the MCP server needs the mcp package ({exc.name}): pip install 'manim-agent[mcp]'") from None
    if args.transport == "http":
        check_bind(args.host, args.port, args.allow_remote)
    mcp_server.serve(args.transport, host=args.host, port=args.port, roots=args.root or [], out=args.out)
    return 0


def run_ui(args: argparse.Namespace) -> int:
    try:
        from manim_agent import web_ui
    except ImportError as exc:
        raise MissingDependencyError(f"the web UI needs gradio ({exc.name}): pip install 'manim-agent[ui]'") from None
    check_bind(args.host, args.port, args.allow_remote)
    print(f"manim-agent UI on http://{args.host}:{args.port}", file=sys.stderr)
    web_ui.serve(host=args.host, port=args.port, out=args.out, model=args.model, mode=args.mode)
    return 0
