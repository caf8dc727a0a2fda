"""Check and render scenes: static checks, then a sandboxed dry run, then (on request) the final render.

Plain functions for programs (`check_scene`, `check_file`, `render_file`) and smolagents tools
for the agent (`RenderSceneTool`, `ReadErrorTool`). A scene's failure is data (a `Diagnosis`), not
an exception; exceptions are for the user's mistakes (a missing file) and for a broken sandbox.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from manim_agent import settings
from manim_agent.errors import InputFileError, SceneNotFoundError
from manim_agent.llm.smolagents_model import adapters, smolagents_adapter
from manim_agent.media import OutputFormat, Quality, check_format, check_quality
from manim_agent.tools.diagnosis import Diagnosis, Finding
from manim_agent.tools.layout.config import LayoutConfig, load_layout_config
from manim_agent.tools.read_error import Frame, diagnose, from_worker_error, read_error
from manim_agent.tools.sandbox import client as sandbox
from manim_agent.tools.sandbox import files as sandbox_files
from manim_agent.tools.sandbox import verdicts as check_verdicts
from manim_agent.tools.static.checks import run_static_checks


def read_source(path: str | Path) -> str:
    """Read a scene file for checking; raises InputFileError with a clear reason when it cannot be used."""
    path = Path(path)
    if not path.exists():
        raise InputFileError(f"{str(path)!r} does not exist")
    if not path.is_file():
        raise InputFileError(f"{str(path)!r} is not a file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputFileError(f"cannot read {str(path)!r}: {exc.strerror}") from exc
    if len(data) > settings.MAX_SOURCE_BYTES:
        raise _Oversize(len(data))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # The static stage reports a binary or non-UTF-8 file as a located diagnosis.
        return data.decode("utf-8", errors="replace")


class _Oversize(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


def oversize_diagnosis(size: int) -> Diagnosis:
    """A file too large to be a scene is refused before anything reads it whole."""
    return Diagnosis(
        ok=False,
        scene=None,
        stage="static",
        findings=[
            Finding(
                stage="static",
                category="resource",
                message=f"the file is {size / 1e6:.1f} MB; a scene file may be at most {settings.MAX_SOURCE_BYTES / 1e6:g} MB",
                hint="this does not look like a scene: check that you passed the right file",
            )
        ],
    )


def _static_diagnosis(source: str, scene: str | None, filename: str, started: float) -> tuple[Diagnosis, str | None]:
    static = run_static_checks(source, scene=scene, filename=filename)
    diagnosis = Diagnosis(ok=False, scene=static.scene, stage="static", findings=list(static.findings), scenes=list(static.scenes))
    if any(f.severity == "error" for f in static.findings):
        diagnosis.seconds = time.monotonic() - started
        return diagnosis, None
    return diagnosis, static.scene


# Kept back from a check's budget for what follows the dry run: the layout rules and the contact sheet.
POST_RESERVE_SECONDS = 0.5


def check_scene(
    source: str,
    *,
    scene: str | None = None,
    timeout: float = settings.DEFAULT_CHECK_TIMEOUT,
    filename: str = "scene.py",
    memory_mb: int = settings.DEFAULT_MEMORY_MB,
    fps: int | None = None,
    layout: bool = False,
    layout_config: LayoutConfig | None = None,
    contact_sheet: str | Path | None = None,
    vision_model: str | None = None,
) -> Diagnosis:
    """Statically check a scene, then dry-run it in the sandbox; `ok` only if it renders cleanly.

    The dry run plays every animation and calls every updater at the check frame rate, without
    drawing any frame. With `layout` (what `manim-agent check`, `make` and the render_scene tool
    use) it also records the scene's geometry and the layout rules judge it: layout errors (text off
    the frame, overlapping formulas, unreadable text, an empty last frame) make `ok` false and, when
    they are the only errors, the stage "layout". Without it (the deterministic repairs' re-checks)
    only whether the scene renders is judged.
    `contact_sheet` is where to write the PNG of keyframes with the problems outlined;
    `vision_model` also sends a few keyframes to that litellm vision model (off by default).
    """
    started = time.monotonic()
    diagnosis, chosen = _static_diagnosis(source, scene, filename, started)
    if chosen is None:
        return diagnosis
    job: dict[str, Any] = {
        "mode": "check",
        "scene": chosen,
        "filename": filename,
        "timeout": timeout,
        # The verdict is due `timeout` seconds after the check began: the static pass, a cold sandbox
        # start and the layout rules afterwards all come out of the same budget.
        "deadline": time.time() + timeout - (time.monotonic() - started) - (POST_RESERVE_SECONDS if layout else 0.0),
        "memory_mb": memory_mb,
        "max_file_mb": 256,
    }
    if fps:
        job["fps"] = fps
    if os.environ.get("MANIM_AGENT_CHECK_TIERS", "1").strip().lower() in {"0", "false", "no"}:
        job["tiers"] = False  # one interpolating pass only (to measure what the fast pass costs)
    config = (layout_config or load_layout_config()) if layout else None
    if config is not None:
        job["hooks"] = ["layout"]
        job["layout"] = {"config": config.to_json(), "frames": bool(contact_sheet or vision_model),
                         "expected_plays": _count_plays(source)}
    with sandbox.run_job(job, {filename: source}) as result:
        findings = _result_findings(result, source)
        layout_findings: list[Finding] = []
        if config is not None and result.get("status") in ("ok", "partial"):
            _keep_safe_frames(result.get("layout"), Path(result["workdir"]))
            layout_findings = _layout_findings(result.get("layout"), config, source, chosen, vision_model)
            if result.get("status") == "partial":  # the end was not reached in motion: an empty frame there is not known
                layout_findings = [f for f in layout_findings if f.details.get("rule") not in ("blank_end", "blank_middle")]
            if contact_sheet:
                layout_findings += _write_sheet(result.get("layout"), layout_findings, Path(contact_sheet), chosen, config)
    diagnosis.stage = "dry_run"
    diagnosis.sandbox = sandbox.sandbox_method()
    if config is not None:
        diagnosis.layout = result.get("layout")
    diagnosis.findings = findings + layout_findings + diagnosis.findings
    diagnosis.ok = not any(f.severity == "error" for f in diagnosis.findings)
    if diagnosis.errors and all(f.category == "layout" for f in diagnosis.errors):
        diagnosis.stage = "layout"
    diagnosis.seconds = time.monotonic() - started
    return diagnosis


def _keep_safe_frames(layout: dict[str, Any] | None, workdir: Path) -> None:
    """Keep only keyframe images that are real PNG files inside the job directory (the list is the sandbox's word)."""
    if not isinstance(layout, dict) or not isinstance(layout.get("frames"), list):
        return
    safe = []
    for frame in layout["frames"]:
        try:
            with sandbox_files.open_job_file(workdir, str(frame.get("path", "")), max_bytes=64 << 20) as handle:
                if sandbox_files.looks_like(handle.read(16), ".png"):
                    safe.append(frame)
        except (sandbox_files.UnsafeJobFile, AttributeError, OSError):
            continue
    layout["frames"] = safe


def _count_plays(source: str) -> int:
    """How many animations the source shows (play/wait calls as written; loops make it a lower bound)."""
    return len(re.findall(r"\bself\.(?:play|wait|move_camera)\(", source))


def _write_sheet(layout: dict[str, Any] | None, findings: list[Finding], path: Path, scene: str, config: LayoutConfig) -> list[Finding]:
    """Write the contact sheet; a sheet that cannot be written is a warning, not a failed check."""
    from manim_agent.tools.layout.contact_sheet import write_contact_sheet  # PIL only when needed

    try:
        write_contact_sheet(layout, findings, path, title=scene, width=config.contact_sheet.width)
    except OSError as exc:
        return [Finding(stage="layout", category="layout", severity="warning",
                        message=f"could not write the contact sheet {str(path)!r}: {exc.strerror or exc}",
                        details={"rule": "contact_sheet"})]
    return []


def _layout_findings(
    layout: dict[str, Any] | None, config: LayoutConfig, source: str, scene: str, vision_model: str | None
) -> list[Finding]:
    """The layout rules' findings (and the vision model's, when asked for) for a scene that ran cleanly."""
    from manim_agent.tools.layout import rules as layout_rules

    findings = layout_rules.evaluate(layout, config, source)
    for problem in (layout or {}).get("errors") or []:
        findings.append(Finding(stage="layout", category="layout", severity="warning",
                                message=f"the layout check could not record the whole scene: {problem}",
                                details={"rule": "layout_check"}))
    if vision_model:
        from manim_agent.tools.layout.vision_review import review_frames

        findings += review_frames(layout, vision_model, config=config, scene=scene, known=findings)
    return findings


def _result_findings(result: dict[str, Any], source: str) -> list[Finding]:
    """Findings from the worker's result: none when it rendered cleanly."""
    status = result.get("status")
    if status == "ok":
        return []
    if status == "error":
        return [from_worker_error(result["error"], source)]
    if status in ("timeout", "partial"):
        if result.get("error"):
            finding = from_worker_error(result["error"], source)
        else:
            finding = _timeout_from_stack(result.get("stack", ""), source)
        return [check_verdicts.timeout_finding(finding, result, source)]
    if result.get("reason") == "disk_quota":
        return [
            Finding(
                stage="dry_run",
                category="resource",
                message=f"the scene wrote more than {result.get('quota_mb')} MB into its work directory and was stopped",
                hint="do not write files from a scene; lower the render quality or the number of frames",
            )
        ]
    signal_number = result.get("signal")
    message = f"the scene process died (signal {signal_number})" if signal_number else "the scene process died"
    return [
        Finding(
            stage="dry_run",
            category="resource",
            message=message + "; most likely it exhausted its memory or CPU limit",
            hint="reduce array sizes, surface resolution or the number of mobjects",
            details={"log_tail": result.get("log_tail", "")[-2000:]},
        )
    ]


def _where(finding: Finding) -> str:
    if finding.line:
        return f"line {finding.line}: {finding.code_line or ''}".strip()
    return "code inside Manim (no scene line on the stack)"


def _timeout_from_stack(stack: str, source: str) -> Finding:
    """faulthandler's dump ('File "...", line N in name') when the scene was stuck in C code."""
    frames = []
    for raw in stack.splitlines():
        raw = raw.strip()
        if raw.startswith("File "):
            try:
                file_part, rest = raw[6:].split('", line ', 1)
                number, name = rest.split(" in ", 1)
                frames.append(Frame(file_part, int(number), name))
            except ValueError:
                continue
    frames.reverse()  # faulthandler prints the innermost frame first
    user_file = next((f.file for f in frames if f.file.endswith("/scene.py")), None)
    return diagnose("SceneTimeout", "time limit reached", frames, user_file=user_file, source=source)


def check_file(
    path: str | Path, *, scene: str | None = None, timeout: float = settings.DEFAULT_CHECK_TIMEOUT, **options: Any
) -> Diagnosis:
    """`check_scene` on a file; the file itself is never modified."""
    path = Path(path)
    try:
        source = read_source(path)
    except _Oversize as exc:
        return oversize_diagnosis(exc.size)
    return check_scene(source, scene=scene, timeout=timeout, filename=_safe_filename(path), **options)


def _safe_filename(path: Path) -> str:
    name = path.name if path.suffix == ".py" else f"{path.stem or 'scene'}.py"
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in name) or "scene.py"


@dataclass
class RenderResult:
    """The final render's outcome: the files written, and the diagnosis if it failed."""

    ok: bool
    outputs: list[Path] = field(default_factory=list)
    diagnosis: Diagnosis | None = None
    seconds: float = 0.0
    scene: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "scene": self.scene,
            "outputs": [str(p) for p in self.outputs],
            "seconds": round(self.seconds, 3),
            "diagnosis": self.diagnosis.to_json() if self.diagnosis else None,
        }


def render_source(
    source: str,
    *,
    scene: str | None = None,
    quality: Quality = "l",
    fmt: OutputFormat = "mp4",
    out_dir: str | Path = "media",
    from_animation: int | None = None,
    upto_animation: int | None = None,
    timeout: float = settings.DEFAULT_RENDER_TIMEOUT,
    filename: str = "scene.py",
    stem: str | None = None,
) -> RenderResult:
    """Render a scene in the sandbox and copy the outputs into `out_dir`."""
    check_quality(quality)
    check_format(fmt)
    started = time.monotonic()
    diagnosis, chosen = _static_diagnosis(source, scene, filename, started)
    if chosen is None:
        return RenderResult(ok=False, diagnosis=diagnosis, seconds=diagnosis.seconds, scene=diagnosis.scene)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    job = {
        "mode": "render",
        "scene": chosen,
        "filename": filename,
        "timeout": timeout,
        "quality": quality,
        "format": fmt,
        "from_animation": from_animation,
        "upto_animation": upto_animation,
        "memory_mb": settings.DEFAULT_MEMORY_MB,
    }
    with sandbox.run_job(job, {filename: source}) as result:
        findings = _result_findings(result, source)
        outputs: list[Path] = []
        for produced in result.get("outputs", []) if not findings else []:
            # The result is the sandbox's word: copy only a real file of the right kind from its job directory.
            suffix = Path(str(produced)).suffix
            if suffix.lower() != f".{fmt}":
                continue
            target = out / f"{stem or chosen}{suffix}"
            try:
                outputs.append(sandbox_files.copy_job_file(Path(result["workdir"]), str(produced), target).resolve())
            except sandbox_files.UnsafeJobFile as exc:
                findings.append(Finding(stage="dry_run", category="unsafe", message=str(exc),
                                        hint="the scene tampered with its own output files"))
    diagnosis.stage = "dry_run"
    diagnosis.sandbox = sandbox.sandbox_method()
    diagnosis.findings = findings + diagnosis.findings
    diagnosis.ok = not findings
    if diagnosis.ok and not outputs:
        diagnosis.ok = False
        diagnosis.findings.insert(
            0,
            Finding(stage="dry_run", category="runtime", message="the render finished but wrote no output file",
                    hint="check that the scene plays at least one animation or adds a mobject"),
        )
    return RenderResult(ok=diagnosis.ok, outputs=outputs, diagnosis=diagnosis,
                        seconds=time.monotonic() - started, scene=chosen)


def render_file(path: str | Path, *, scene: str | None = None, **options: Any) -> RenderResult:
    """`render_source` on a file; outputs are named after the scene class."""
    path = Path(path)
    try:
        source = read_source(path)
    except _Oversize as exc:
        diagnosis = oversize_diagnosis(exc.size)
        return RenderResult(ok=False, diagnosis=diagnosis)
    return render_source(source, scene=scene, filename=_safe_filename(path), **options)


# The smolagents Tools, bound the one way (llm/smolagents_model.py): importing smolagents costs
# seconds, which `manim-agent check` should not pay.
@smolagents_adapter
def _render_scene_tool(smolagents: Any) -> type:
    class RenderSceneTool(smolagents.Tool):
        name = "render_scene"
        description = (
            "Checks Manim Community Edition scene code: static checks (syntax, safety policy, API names and "
            "arguments against the installed Manim, LaTeX strings), then a sandboxed dry run that plays every "
            "animation, and a layout check (text off the frame, overlapping or unreadable text, an empty last "
            "frame). Returns a JSON diagnosis: ok (bool), category, line, code_line, message, hint. "
            "A scene is acceptable only when ok is true."
        )
        inputs = {
            "code": {"type": "string", "description": "The complete Python source of the scene file."},
            "scene": {"type": "string", "description": "The Scene class to check; omit to use the default.", "nullable": True},
        }
        output_type = "string"

        def forward(self, code: str, scene: str | None = None) -> str:
            try:
                return json.dumps(check_scene(code, scene=scene, layout=True).to_json())
            except SceneNotFoundError as exc:
                return json.dumps({"ok": False, "category": "no_scene", "message": str(exc)})

    return RenderSceneTool


@smolagents_adapter
def _read_error_tool(smolagents: Any) -> type:
    class ReadErrorTool(smolagents.Tool):
        name = "read_error"
        description = (
            "Turns a Python/Manim traceback into a precise diagnosis of the scene: category, the line in the "
            "scene file (never inside Manim), the message and a concrete hint for the fix. Returns JSON."
        )
        inputs = {
            "traceback_text": {"type": "string", "description": "The traceback text as printed."},
            "code": {"type": "string", "description": "The scene's source code, if available.", "nullable": True},
        }
        output_type = "string"

        def forward(self, traceback_text: str, code: str | None = None) -> str:
            return json.dumps(read_error(traceback_text, code).to_json())

    return ReadErrorTool


__getattr__ = adapters(__name__, RenderSceneTool=_render_scene_tool, ReadErrorTool=_read_error_tool)
