"""Run one scene inside the sandboxed child process: a drawing-free check, or a real render.

Imported only by the worker, where Manim is already loaded. The check keeps every interpolation
and updater call (so the errors a render would hit still surface) but replaces the cairo
rasterisation with no-ops, which is where `manim --dry_run` spends most of its time.
"""

from __future__ import annotations

import linecache
import re
import sys
import time
import traceback
from pathlib import Path
from typing import Any

import manim
from manim import tempconfig

from manim_agent.media import MANIM_QUALITY
from manim_agent.tools.sandbox.child import tex_policy
from manim_agent.tools.sandbox.child import tiers as check_tiers
from manim_agent.tools.sandbox.child.drawing import _no_draw_patches, restore_patches, watch_numpy_warnings


class SceneTimeout(BaseException):
    """Raised inside the scene by SIGALRM when the wall-clock budget runs out."""


def load_scene_class(source: str, path: Path, scene: str) -> type:
    """Execute the scene module and return the named Scene subclass."""
    # Register the source with linecache so tracebacks show the user's lines.
    linecache.cache[str(path)] = (len(source), None, source.splitlines(True), str(path))
    namespace: dict[str, Any] = {"__name__": "__manim_agent_scene__", "__file__": str(path), "__builtins__": __builtins__}
    module = type(sys)("__manim_agent_scene__")
    module.__dict__.update(namespace)
    sys.modules["__manim_agent_scene__"] = module
    exec(compile(source, str(path), "exec"), module.__dict__)
    cls = module.__dict__.get(scene)
    if cls is None:
        raise LookupError(f"the file defines no class named {scene!r}")
    if not (isinstance(cls, type) and issubclass(cls, manim.Scene)):
        raise LookupError(f"{scene!r} is not a Scene subclass")
    return cls


def run_scene(job: dict[str, Any], workdir: Path) -> dict[str, Any]:
    """Check or render the job's scene; returns the JSON-able result (never raises for scene errors)."""
    started = time.monotonic()
    path = workdir / job.get("filename", "scene.py")
    mode = job.get("mode", "check")
    result: dict[str, Any] = {"status": "ok", "scene": job["scene"], "mode": mode, "outputs": []}
    settings: dict[str, Any] = {
        "media_dir": str(workdir / "media"),
        "disable_caching": True,
        "progress_bar": "none",
        "verbosity": "WARNING",
        "quality": MANIM_QUALITY[job.get("quality", "l")],
    }
    if job.get("tex_dir"):
        settings["tex_dir"] = job["tex_dir"]
    tex_policy.install(Path(job["shared_tex_dir"]) if job.get("shared_tex_dir") else None)
    tex_policy.new_entries.clear()
    if mode == "check":
        settings.update({"dry_run": True, "write_to_movie": False})
        if job.get("fps"):
            settings["frame_rate"] = job["fps"]
        patches = _no_draw_patches()
        watch_numpy_warnings(str(path))
    else:
        settings["format"] = job.get("format", "mp4")
        if job.get("from_animation") is not None:
            settings["from_animation_number"] = int(job["from_animation"])
        if job.get("upto_animation") is not None:
            settings["upto_animation_number"] = int(job["upto_animation"])
        patches = []
    scene_obj = None
    progress = None
    try:
        source = path.read_text(encoding="utf-8")
        with tempconfig(settings):
            cls = load_scene_class(source, path, job["scene"])
            if mode == "check" and job.get("tiers", True):
                fast = check_tiers.fast_pass(cls, SceneTimeout)
                result["fast_pass"] = fast.pop("progress")
                if fast["exception"] is not None:
                    raise fast["exception"]
            scene_obj = cls()
            progress = check_tiers.Progress(scene_obj)
            hooks = job.get("hooks") or []
            for hook in hooks:
                _install_hook(hook, scene_obj, result, job)
            scene_obj.render()
    except BaseException as exc:  # every scene failure becomes data for the diagnosis
        if isinstance(exc, SceneTimeout) or isinstance(exc.__context__, SceneTimeout):
            # (The alarm can land in a LaTeX subprocess, whose clean-up then trips the guard: still a timeout.)
            # A timeout after a complete fast pass: the scene renders at its end states, only slowly in motion.
            status = "partial" if result.get("fast_pass") and scene_obj is not None else "timeout"
            result.update(status=status, error=describe_exception(exc, path))
        else:
            result.update(status="error", error=describe_exception(exc, path))
    finally:
        restore_patches(patches)
    result["tex_new"] = dict(tex_policy.new_entries)
    if scene_obj is not None and progress is not None:
        result["progress"] = progress.to_json()
        result["num_plays"] = getattr(scene_obj.renderer, "num_plays", None)
        result["scene_time"] = round(float(getattr(scene_obj.renderer, "time", 0.0)), 3)
    if mode == "render" and result["status"] == "ok":
        result["outputs"] = find_outputs(workdir / "media", job.get("format", "mp4"))
    result["seconds"] = round(time.monotonic() - started, 3)
    return result


def _install_hook(name: str, scene_obj: Any, result: dict[str, Any], job: dict[str, Any] | None = None) -> None:
    """Optional per-job instrumentation (for example layout snapshots), looked up by name."""
    if name == "layout":
        from manim_agent.tools.sandbox.child import layout_snapshot  # optional, imported on demand

        layout_snapshot.install(scene_obj, result, job)


def find_outputs(media: Path, fmt: str) -> list[str]:
    """The files a render produced, skipping Manim's partial movie pieces."""
    suffix = ".png" if fmt == "png" else f".{fmt}"
    found = [
        p for p in media.rglob(f"*{suffix}") if "partial_movie_files" not in p.parts and "Tex" not in p.parts
    ]
    return [str(p) for p in sorted(found, key=lambda p: p.stat().st_mtime)]


def describe_exception(exc: BaseException, path: Path) -> dict[str, Any]:
    """Everything the error reader needs, as data: type, message, frames, and TeX facts."""
    frames = [
        {"file": f.filename, "line": f.lineno, "name": f.name, "code": (f.line or "").strip()}
        for f in traceback.extract_tb(exc.__traceback__)
    ]
    info: dict[str, Any] = {
        "type": type(exc).__name__,
        "module": type(exc).__module__,
        "message": str(exc),
        "frames": frames,
        "user_file": str(path),
        "text": "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))[-20000:],
    }
    if isinstance(exc, SyntaxError):
        info["syntax"] = {"line": exc.lineno, "offset": exc.offset, "text": exc.text, "file": exc.filename}
    tex = _tex_failure(str(exc))
    if tex:
        info["tex"] = tex
    return info


def _tex_failure(message: str) -> dict[str, Any] | None:
    """Read the LaTeX log and source Manim left behind when compilation failed."""
    marker = "the log file: "
    if "error converting to" not in message or marker not in message:
        return None
    log_path = Path(message.split(marker, 1)[1].strip())
    tex_path = log_path.with_suffix(".tex")
    facts: dict[str, Any] = {"log_file": str(log_path)}
    try:
        log_lines = log_path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        log_lines = []
    errors: list[str] = []
    for i, line in enumerate(log_lines):
        if line.startswith("!"):
            context = [line]
            for follow in log_lines[i + 1 : i + 4]:
                if follow.startswith("l.") or follow.strip():
                    context.append(follow)
                if follow.startswith("l."):
                    break
            errors.append("\n".join(context))
    facts["errors"] = errors[:5]
    try:
        tex_source = tex_path.read_text(encoding="utf-8", errors="replace")
        facts["tex_source"] = tex_source
        facts["expression"] = _tex_body(tex_source)
    except OSError:
        pass
    return facts


def _tex_body(tex_source: str) -> str:
    """The user's expression inside Manim's LaTeX template."""
    body = tex_source.split(r"\begin{document}", 1)[-1].split(r"\end{document}", 1)[0]
    lines = [ln for ln in body.strip().splitlines() if ln.strip()]
    for env in ("align*", "center", "gather*", "equation*"):
        begin, end = rf"\begin{{{env}}}", rf"\end{{{env}}}"
        if lines and lines[0].strip() == begin and lines[-1].strip() == end:
            lines = lines[1:-1]
            break
    expression = "\n".join(lines).strip()
    # Manim wraps each substring in dvisvgm markers; they are not the user's TeX.
    return re.sub(r"\\special\{dvisvgm:raw [^}]*\}", "", expression).strip()
