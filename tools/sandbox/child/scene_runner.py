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
import svgelements as se
from manim import config, tempconfig
from manim.renderer.cairo_renderer import CairoRenderer

from manim_agent.media import MANIM_QUALITY
from manim_agent.tools.sandbox.child import tiers as check_tiers
from manim_agent.tools.sandbox.child import tex_policy



class SceneTimeout(BaseException):
    """Raised inside the scene by SIGALRM when the wall-clock budget runs out."""


# The cairo renderer's real drawing functions, kept while a check replaces them with no-ops, so
# instrumentation (the layout check's contact sheet) can still draw a few chosen frames.
_ORIGINAL_DRAW: dict[str, Any] = {}


def _no_draw_patches() -> list[tuple[type, str, Any]]:
    """Patch the cairo renderer so frames advance the clock but are never drawn or written."""

    def update_frame(self: CairoRenderer, *args: Any, **kwargs: Any) -> None:
        return None

    def add_frame(self: CairoRenderer, frame: Any, num_frames: int = 1) -> None:
        if not self.skip_animations:
            self.time += num_frames / self.camera.frame_rate

    def get_frame(self: CairoRenderer) -> None:
        return None

    originals = []
    for name, replacement in (("update_frame", update_frame), ("add_frame", add_frame), ("get_frame", get_frame)):
        originals.append((CairoRenderer, name, getattr(CairoRenderer, name)))
        _ORIGINAL_DRAW[name] = getattr(CairoRenderer, name)
        setattr(CairoRenderer, name, replacement)
    # Every copy of a MathTex/Text deep-copies the parsed SVG path each glyph keeps (`path_obj`),
    # tens of thousands of objects that are only read when the glyph is built. Sharing them keeps
    # behaviour and cuts the check of a LaTeX-heavy scene by more than half.
    originals.append((se.Shape, "__deepcopy__", getattr(se.Shape, "__deepcopy__", None)))
    se.Shape.__deepcopy__ = _share  # type: ignore[attr-defined]
    return originals


def restore_patches(patches: list[tuple[type, str, Any]]) -> None:
    """Undo `_no_draw_patches` (an attribute that did not exist before is removed again)."""
    for owner, name, original in patches:
        if original is None:
            delattr(owner, name)
        else:
            setattr(owner, name, original)


def _share(self: Any, memo: dict[int, Any]) -> Any:
    return self


def draw_frame(scene: Any, width: int | None = None) -> Any:
    """The scene's current frame drawn for real, even during a drawing-free check; an RGBA pixel array.

    With `width`, the camera draws a thumbnail of that width directly (cheaper than a full frame),
    then gets its own size and pixels back.
    """
    renderer = scene.renderer
    camera = renderer.camera
    update = _ORIGINAL_DRAW.get("update_frame", type(renderer).update_frame)
    get = _ORIGINAL_DRAW.get("get_frame", type(renderer).get_frame)
    saved = (renderer.static_image, camera.pixel_width, camera.pixel_height, camera.background, camera.pixel_array)
    renderer.static_image = None  # draw every mobject, not just the moving ones over a cached background
    try:
        if width and width < camera.pixel_width:
            camera.pixel_height = max(1, round(camera.pixel_height * width / camera.pixel_width))
            camera.pixel_width = width
            camera.init_background()
            camera.reset()
        update(renderer, scene)
        return get(renderer)
    finally:
        if camera.pixel_array is not saved[4]:
            # Forget the cairo context of the temporary pixel array, so its id is never mistaken later.
            getattr(camera, "pixel_array_to_cairo_context", {}).pop(id(camera.pixel_array), None)
        renderer.static_image, camera.pixel_width, camera.pixel_height, camera.background, camera.pixel_array = saved


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
    except BaseException as exc:  # noqa: BLE001 - every scene failure becomes data for the diagnosis
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
        from manim_agent.tools.sandbox.child import layout_snapshot  # noqa: PLC0415 - optional, imported on demand

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
