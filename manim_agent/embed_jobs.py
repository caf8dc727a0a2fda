"""The four jobs the MCP server offers (check, fix, render, make), run in a process of their own.

`python -m manim_agent.embed_jobs` reads one job as JSON on stdin and writes JSON lines on stdout:
`{"event": "progress", "stage": ..., "attempt": ..., "message": ...}` while it works, then one
`{"event": "result", "data": {...}}` or `{"event": "error", "type": ..., "message": ...}`.

The server starts one such process per tool call. It also announces each sandbox work directory
(`{"event": "workdir", "path": ...}`): the warm worker forks a job's scene process itself, so on a
client's cancellation the server kills this process's tree and every process working in those
directories (`process_tree`).

Scripted models for tests and demos: when MANIM_AGENT_SCRIPTED_REPLIES names a JSON file
`{"NAME": [reply, ...], ...}` (a reply is a string or `{"content": ..., "reasoning": ...}`), each NAME becomes a ScriptedModel that a job can ask for as
`scripted/NAME`. Nothing else creates one, and run.json records the model as `scripted/NAME`.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from manim_agent.agent.progress import Reporter
from manim_agent.errors import InputFileError, ManimAgentError, UserError

SCRIPTED_REPLIES_ENV = "MANIM_AGENT_SCRIPTED_REPLIES"
JOBS = ("check_scene", "fix_scene", "render_scene", "make_animation")


_EVENTS: Any = sys.stdout


def emit(event: str, **fields: Any) -> None:
    _EVENTS.write(json.dumps({"event": event, **fields}, default=str) + "\n")
    _EVENTS.flush()


class LineReporter(Reporter):
    """make_animation's progress as JSON lines: the stage, and each checked attempt; with `reasoning`,
    also a reasoning model's thinking as it streams (`{"event": "reasoning", ...}`, for the web UI)."""

    def __init__(self, *, reasoning: bool = False) -> None:
        self.with_reasoning = reasoning

    def stage(self, name: str, detail: str = "") -> None:
        emit("progress", stage=name, detail=detail, message=f"{name} {detail}".strip())

    def attempt(self, number: int, used: int, limit: int, origin: str, ok: bool, message: str) -> None:
        first = (message.strip().splitlines() or [""])[0][:200]
        emit("progress", stage="code", attempt=number, used=used, limit=limit, origin=origin, ok=ok,
             detail=message[:4000], message=f"attempt {number} ({used}/{limit} used, {origin}): {'renders' if ok else first}")

    def reasoning(self, role: str, text: str) -> None:
        if self.with_reasoning:
            emit("reasoning", role=role, text=text)

    def warn(self, message: str) -> None:
        emit("progress", stage="warning", message=message[:300])


def announce_workdirs() -> None:
    """Make every sandbox job directory this process creates known to the server, before it is used."""
    from manim_agent.tools.sandbox import client as sandbox

    original = getattr(sandbox, "job_directory", None)
    if original is None:  # a sandbox without per-job directories: the process tree is all we can kill
        return

    @contextlib.contextmanager
    def announced(source: str, filename: str = "scene.py", keep: bool = False) -> Iterator[Path]:
        with original(source, filename, keep) as workdir:
            emit("workdir", path=str(workdir))
            yield workdir

    sandbox.job_directory = announced


def load_scripted_models() -> None:
    """Create the ScriptedModels named in MANIM_AGENT_SCRIPTED_REPLIES, if that variable is set."""
    path = os.environ.get(SCRIPTED_REPLIES_ENV)
    if not path:
        return
    from manim_agent.llm.scripted import ScriptedModel, ScriptedResponse

    for name, replies in json.loads(Path(path).read_text(encoding="utf-8")).items():
        # A reply is a string, or {"content": ..., "reasoning": ...} for a reasoning model's answer.
        ScriptedModel([r if isinstance(r, str) else ScriptedResponse(**r) for r in replies], name=name)


def job_dir(out: Path, tool: str) -> Path:
    """A fresh directory for one call's artifacts."""
    path = out / f"{tool}-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
    path.mkdir(parents=True)
    return path


def _source(args: dict[str, Any]) -> tuple[str, str]:
    """(source, filename) from the job's `code` or `path` (the server checked the path is allowed)."""
    from manim_agent import settings
    from manim_agent.tools.render_scene import _Oversize, read_source

    if args.get("code") is not None:
        code = str(args["code"])
        if len(code.encode("utf-8")) > settings.MAX_SOURCE_BYTES:
            raise InputFileError(f"the code is {len(code.encode()) / 1e6:.1f} MB; a scene may be at most 1 MB")
        return code, "scene.py"
    path = Path(args["path"])
    try:
        return read_source(path), path.name if path.suffix == ".py" else "scene.py"
    except _Oversize as exc:
        raise InputFileError(f"{str(path)!r} is {exc.size / 1e6:.1f} MB; a scene may be at most 1 MB") from None


def run_check(args: dict[str, Any], out: Path) -> dict[str, Any]:
    from manim_agent.tools.render_scene import check_scene

    source, filename = _source(args)
    sheet = job_dir(out, "check") / "contact_sheet.png"
    emit("progress", stage="check", message="static checks, then a sandboxed dry run")
    diagnosis = check_scene(source, scene=args.get("scene"), filename=filename, layout=True, contact_sheet=sheet)
    return {**diagnosis.to_json(), "artifacts": {"contact_sheet": str(sheet) if sheet.is_file() else None}}


def run_fix(args: dict[str, Any], out: Path) -> dict[str, Any]:
    from manim_agent.tools.render_scene import check_scene
    from manim_agent.tools.repairs.registry import fix_source

    source, filename = _source(args)
    rounds = [0]

    def check(code: str, *, scene: str | None = None) -> Any:
        rounds[0] += 1
        emit("progress", stage="fix", attempt=rounds[0], message=f"check {rounds[0]}")
        return check_scene(code, scene=scene, filename=filename)

    result = fix_source(source, scene=args.get("scene"), check=check)
    target = job_dir(out, "fix") / (Path(filename).stem + ".fixed.py")
    target.write_text(result.source, encoding="utf-8")
    data = result.to_json()
    data["input"] = args.get("path")
    data["out"] = str(target)
    return {**data, "fixed_code": result.source, "artifacts": {"fixed_scene": str(target)}}


def run_render(args: dict[str, Any], out: Path) -> dict[str, Any]:
    from manim_agent.agent.render_outputs import extract_last_frame
    from manim_agent.tools.render_scene import render_source

    source, filename = _source(args)
    target = job_dir(out, "render")
    emit("progress", stage="render", message=f"rendering at quality {args.get('quality') or 'l'}")
    result = render_source(source, scene=args.get("scene"), quality=args.get("quality") or "l",
                           fmt=args.get("format") or "mp4", out_dir=target, filename=filename)
    frame = extract_last_frame(result.outputs[-1], target / "last_frame.png") if result.outputs else None
    data = result.to_json()
    data["artifacts"] = {"video": data["outputs"][-1] if data["outputs"] else None,
                         "last_frame": str(frame) if frame else None, "dir": str(target)}
    return data


def run_make(args: dict[str, Any], out: Path) -> dict[str, Any]:
    from manim_agent.agent.make import make_animation
    from manim_agent.agent.make_animation_tool import animation_outcome

    options = {k: args[k] for k in ("model", "mode", "max_attempts", "quality") if args.get(k) is not None}
    if args.get("run_dir"):
        options["run_dir"] = Path(args["run_dir"])
    reporter = LineReporter(reasoning=bool(args.get("reasoning")))
    result = make_animation(args.get("request"), out_dir=out, reporter=reporter, **options)
    return dict(animation_outcome(result))


RUNNERS = {"check_scene": run_check, "fix_scene": run_fix, "render_scene": run_render, "make_animation": run_make}


def main() -> int:
    global _EVENTS
    # Our JSON lines get their own copy of stdout; everything else that writes to fd 1 (a library's
    # print, a subprocess) lands on stderr instead.
    _EVENTS = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    job = json.loads(sys.stdin.read())
    try:
        load_scripted_models()
        announce_workdirs()
        data = RUNNERS[job["tool"]](job.get("args") or {}, Path(job["out"]))
        emit("result", data=data)
    except ManimAgentError as exc:
        emit("error", type=type(exc).__name__, message=str(exc), user=isinstance(exc, UserError))
    except Exception as exc:  # reported to the client as a tool error, never a traceback
        emit("error", type=type(exc).__name__, message=f"internal error: {type(exc).__name__}: {exc}", user=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
