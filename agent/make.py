"""make_animation: the Python API behind `manim-agent make`.

    from manim_agent import make_animation
    result = make_animation("show why the derivative is the slope of the tangent")
    result.ok, result.video, result.scene_path, result.notes_md, result.usage["total"]["cost_usd"]

It checks the request and the models before doing any work, creates the run directory, expands
the request, gets code that passes the check (agent or pipeline mode), renders the video and its
last frame, and writes the study notes. The returned `MakeResult` carries what run.json holds.
A run that never converges is returned with ok=False, its best attempt and that attempt's
diagnosis (`result.raise_for_status()` turns that into a `RunFailure`). Provider failures and
user mistakes raise typed errors; run.json is saved first, so `resume=` can continue the run.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from manim_agent import settings
from manim_agent.agent.attempts import CheckFunction, RepairFunction, code_hash
from manim_agent.agent.progress import NullReporter, Reporter
from manim_agent.agent.run_dir import RunDir, now_iso
from manim_agent.agent.session import Mode, RenderFunction, RunOptions, RunSession
from manim_agent.errors import ConfigError, ManimAgentError, RunFailure, UserError
from manim_agent.llm.client import Ledger, check_model_ready
from manim_agent.llm.config import ModelConfig, resolve_model_config
from manim_agent.llm.reply_cache import enable_reply_cache
from manim_agent.media import QUALITIES, check_format, check_quality

MAX_REQUEST_CHARS = 20_000
# Contact sheets of the checked versions, by code hash, until the run ends (see _keep_contact_sheets).
SHEETS_DIR = ".contact_sheets"
CONTACT_SHEET = "contact_sheet.png"
MODES: tuple[str, ...] = ("agent", "pipeline")
Status = Literal["running", "success", "failed", "error", "interrupted"]


@dataclass
class MakeResult:
    """The outcome of one run: the same information as its run.json, with absolute paths."""

    ok: bool
    status: str
    run_dir: Path
    request: str
    mode: str
    models: dict[str, Any]
    attempts: list[dict[str, Any]]
    best_attempt: int | None
    diagnosis: dict[str, Any] | None
    usage: dict[str, Any]
    stages: dict[str, Any]
    outputs: dict[str, Path | None] = field(default_factory=dict)
    error: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def video(self) -> Path | None:
        return self.outputs.get("video")

    @property
    def scene_path(self) -> Path | None:
        return self.outputs.get("scene")

    @property
    def last_frame(self) -> Path | None:
        return self.outputs.get("last_frame")

    @property
    def contact_sheet(self) -> Path | None:
        """The keyframes of the final (or best) scene with its layout findings outlined in red."""
        return self.outputs.get("contact_sheet")

    @property
    def notes_md(self) -> Path | None:
        return self.outputs.get("notes_md")

    @property
    def spec_md(self) -> Path | None:
        return self.outputs.get("spec_md")

    @property
    def code(self) -> str | None:
        """The final scene's code, or the best attempt's code when the run failed."""
        path = self.scene_path
        if path is not None and path.is_file():
            return path.read_text(encoding="utf-8")
        best = next((a for a in self.attempts if a.get("number") == self.best_attempt), None)
        if best and best.get("code"):
            return (self.run_dir / best["code"]).read_text(encoding="utf-8")
        return None

    def to_json(self) -> dict[str, Any]:
        """run.json's content."""
        return dict(self.data)

    def _repr_html_(self) -> str:
        """Jupyter shows the outcome, the video and (when it failed) the diagnosis inline."""
        from manim_agent.notebook import make_result_html

        return make_result_html(self)

    @classmethod
    def from_run(cls, run: RunDir) -> MakeResult:
        data = run.state
        outputs = {key: (run.path / value if value else None) for key, value in (data.get("outputs") or {}).items()}
        return cls(
            ok=bool(data.get("ok")),
            status=data.get("status", "running"),
            run_dir=run.path,
            request=run.read_text("request.txt") or "",
            mode=data.get("mode", "agent"),
            models=data.get("models", {}),
            attempts=list(data.get("attempts", [])),
            best_attempt=data.get("best_attempt"),
            diagnosis=data.get("diagnosis"),
            usage=data.get("usage", {}),
            stages=data.get("stages", {}),
            outputs=outputs,
            error=data.get("error"),
            warnings=list(data.get("warnings", [])),
            data=dict(data),
        )

    def raise_for_status(self) -> MakeResult:
        """Raise RunFailure unless the run succeeded; returns self so calls chain."""
        if not self.ok:
            raise RunFailure(
                self.failure_message(),
                attempts=len(self.attempts),
                diagnosis=self.diagnosis,
                run_dir=self.run_dir,
                best_code=self.code,
            )
        return self

    def failure_message(self) -> str:
        if self.error:
            return self.error.get("message", "the run failed")
        message = (self.diagnosis or {}).get("message") or "no attempt rendered"
        return (
            f"no scene rendered after {len(self.attempts)} attempt(s); the best (attempt {self.best_attempt}) "
            f"failed with: {message}. Its code and diagnosis are in {self.run_dir}"
        )

    def report(self) -> str:
        """A short text report (what a manager agent receives)."""
        if self.ok:
            lines = [f"The animation rendered. Run directory: {self.run_dir}"]
            for label, key in (
                ("video", "video"),
                ("scene code", "scene"),
                ("scene description", "spec_md"),
                ("study notes", "notes_md"),
            ):
                if self.outputs.get(key):
                    lines.append(f"- {label}: {self.outputs[key]}")
            return "\n".join(lines)
        return f"The animation failed: {self.failure_message()}"


def validate_request(prompt: str | None) -> str:
    """The request, cleaned; a UserError for an empty or oversized one."""
    text = (prompt or "").replace("\x00", "").strip()
    if not text:
        raise UserError(
            'The request is empty: describe the animation, e.g. manim-agent make "show why the derivative is the slope of the tangent"'
        )
    if len(text) > MAX_REQUEST_CHARS:
        raise UserError(
            f"The request is {len(text):,} characters long; the limit is {MAX_REQUEST_CHARS:,}. "
            "Shorten it to the essentials (a detailed script rarely needs more than a few pages)."
        )
    return text


def roles_for(mode: str) -> tuple[str, ...]:
    return ("expander", "writer", "orchestrator") if mode == "agent" else ("expander", "writer")


def check_models(config: ModelConfig, mode: str) -> None:
    """Fail before any work if a role's model is unknown or its key is missing."""
    for role in roles_for(mode):
        settings_ = config.for_role(role)
        check_model_ready(settings_.model, api_base=settings_.api_base)


class LayoutCheck:
    """The core's check with the layout check on: legibility judged at the run's quality, and each
    checked version's contact sheet written to `sheets/<code hash>.png` (see _keep_contact_sheets)."""

    def __init__(self, timeout: float) -> None:
        from manim_agent.tools.layout.config import load_layout_config  # small, no Manim

        self.timeout = timeout
        self.config = load_layout_config()  # a bad MANIM_AGENT_LAYOUT_CONFIG fails before any work
        self.sheets: Path | None = None

    def for_run(self, quality: str, sheets: Path) -> LayoutCheck:
        if quality in QUALITIES:
            self.config.quality = quality
        self.sheets = sheets
        return self

    def __call__(self, code: str) -> Any:
        from manim_agent.tools.render_scene import check_scene  # imports the core lazily

        sheet = self.sheets / f"{code_hash(code)[:16]}.png" if self.sheets is not None else None
        return check_scene(code, timeout=self.timeout, layout=True, layout_config=self.config, contact_sheet=sheet)


def _default_check(timeout: float) -> CheckFunction:
    return LayoutCheck(timeout)


def _run_check(options: RunOptions, run: RunDir) -> CheckFunction:
    """The default check, told the run's quality and where its contact sheets go."""
    check = _default_check(options.check_timeout)
    if isinstance(check, LayoutCheck):
        check.for_run(options.quality, run.path / SHEETS_DIR)
    return check


def _keep_contact_sheets(session: RunSession, best: Any) -> None:
    """Move each attempt's contact sheet next to its code; the final (or best) one becomes contact_sheet.png."""
    sheets = session.run.path / SHEETS_DIR
    if not sheets.is_dir():
        return
    for attempt in session.log.attempts:
        source = sheets / f"{code_hash(attempt.code)[:16]}.png" if attempt.code else None
        if source is not None and source.is_file():
            target = session.run.path / session.run.attempt_dir(attempt.number) / CONTACT_SHEET
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            if attempt is best:
                shutil.copyfile(source, session.run.path / CONTACT_SHEET)
                session.run.record.outputs_map()["contact_sheet"] = CONTACT_SHEET
    shutil.rmtree(sheets, ignore_errors=True)


def _default_render(code: str, *, quality: str, fmt: str, out_dir: Path, timeout: float) -> Any:
    from manim_agent.tools.render_scene import render_source

    return render_source(code, quality=quality, fmt=fmt, out_dir=out_dir, timeout=timeout)  # type: ignore[arg-type]


def _default_repair() -> RepairFunction | None:
    try:
        from manim_agent.tools.repairs.registry import apply_rules
    except ImportError:
        return None
    return apply_rules


@dataclass
class MakeOptions:
    """Every keyword of `make_animation` (make_long_video takes them too); None means the default or,
    on resume, the run's stored value.

    Models may be litellm model strings or ScriptedModel instances; `model` sets every role.
    `resume` continues the run directory of an interrupted or failed run (its request, spec and
    attempts are reused; options given now override its stored ones). `check`, `render` and
    `repair` replace the core's functions (tests); `repair=False` turns the rule repairs off.
    `max_cost` (USD) and `max_minutes` are checked before every paid call (agent/budget.py).
    """

    model: Any = None
    expander_model: Any = None
    writer_model: Any = None
    orchestrator_model: Any = None
    api_base: str | None = None
    llm_timeout: float | None = None
    num_retries: int | None = None
    mode: Mode | None = None
    max_attempts: int | None = None
    quality: str | None = None
    fmt: str | None = None
    out_dir: str | Path = "runs"
    run_dir: str | Path | None = None
    resume: str | Path | None = None
    cache: bool | None = None
    notes_pdf: bool | None = None
    check_timeout: float | None = None
    render_timeout: float | None = None
    reporter: Reporter | None = None
    check: CheckFunction | None = None
    render: RenderFunction | None = None
    repair: RepairFunction | None | Literal[False] = None
    agent: Any = None
    verbose_agent: bool = False
    environ: Mapping[str, str] | None = None
    max_cost: float | None = None
    max_minutes: float | None = None

    @classmethod
    def build(cls, options: MakeOptions | None, kwargs: dict[str, Any]) -> MakeOptions:
        """`options` with `kwargs` applied on top (a TypeError names an unknown keyword, as before)."""
        return dataclasses.replace(options, **kwargs) if options is not None else cls(**kwargs)

    def repair_function(self) -> RepairFunction | None:
        return None if self.repair is False else (self.repair or _default_repair())


def prepare_run(
    previous: RunDir | None, prompt: str | None, opts: MakeOptions
) -> tuple[str, RunOptions, ModelConfig]:
    """The request, options and models of a run (new or resumed), checked before any work.

    A resumed run keeps its stored options and models except those given again now.
    """
    stored = (previous.record.options if previous else None) or {}
    request = validate_request(previous.read_text("request.txt") if previous else prompt)
    options = RunOptions(
        mode=opts.mode or stored.get("mode") or "agent",
        max_attempts=opts.max_attempts or stored.get("max_attempts") or 5,
        quality=opts.quality or stored.get("quality") or "l",
        fmt=opts.fmt or stored.get("fmt") or "mp4",
        cache=bool(opts.cache if opts.cache is not None else stored.get("cache", False)),
        notes_pdf=bool(opts.notes_pdf if opts.notes_pdf is not None else stored.get("notes_pdf", True)),
        check_timeout=float(opts.check_timeout or stored.get("check_timeout") or settings.DEFAULT_CHECK_TIMEOUT),
        render_timeout=float(opts.render_timeout or stored.get("render_timeout") or settings.DEFAULT_RENDER_TIMEOUT),
    )
    _validate_options(options)
    role_models = {
        k: v
        for k, v in {"expander": opts.expander_model, "writer": opts.writer_model, "orchestrator": opts.orchestrator_model}.items()
        if v
    }
    config = resolve_model_config(
        model=opts.model,
        role_models=role_models,
        api_base=opts.api_base,
        timeout=opts.llm_timeout,
        num_retries=opts.num_retries,
        environ=opts.environ,
    )
    if previous and previous.record.models:
        # A resumed run keeps its models, except the roles given again now.
        stored_config = ModelConfig.from_json(previous.state["models"])
        for role in stored_config.roles:
            if not opts.model and role not in role_models:
                config.roles[role] = stored_config.roles[role]
    check_models(config, options.mode)
    return request, options, config


def make_animation(prompt: str | None = None, *, options: MakeOptions | None = None, **kwargs: Any) -> MakeResult:
    """Turn a plain-English request into a rendered animation, its code, description and notes.

    The keyword arguments are MakeOptions' fields (see there); `options` gives them as one object.
    """
    opts = MakeOptions.build(options, kwargs)
    reporter = opts.reporter or NullReporter()
    previous: RunDir | None = RunDir.open(opts.resume) if opts.resume else None
    if previous and previous.record.kind == "long_form":
        raise ConfigError(f"{str(opts.resume)!r} is a video in sections: resume it with make_long_video (the CLI does)")
    if previous and previous.record.status == "success":
        return MakeResult.from_run(previous)  # nothing left to do
    request, options_, config = prepare_run(previous, prompt, opts)
    budget = _budget(opts)
    if options_.cache:
        enable_reply_cache(settings.subdir("cache") / "replies")
    run = _start_run(previous or RunDir.create(opts.out_dir, request, exact=opts.run_dir), request, options_, config)
    session = _session(run, request, options_, config, opts, reporter)
    if budget is not None:
        budget.track(session.ledger)
        session.before_call = budget.guard
    try:
        _run(session, opts.agent, opts.verbose_agent)
    except KeyboardInterrupt:
        _finish(session, "interrupted", error={"type": "KeyboardInterrupt", "message": "interrupted by the user"})
        raise
    except ManimAgentError as exc:
        _finish(session, "error", error={"type": type(exc).__name__, "message": str(exc)})
        exc.add_note(f"run directory: {run.path}")
        raise
    finally:
        reporter.close()
    return MakeResult.from_run(run)


def _budget(opts: MakeOptions) -> Any:
    if opts.max_cost is None and opts.max_minutes is None:
        return None
    from manim_agent.agent.budget import Budget

    return Budget(opts.max_cost, opts.max_minutes)  # a budget of 0 is refused here, before any work


def _start_run(run: RunDir, request: str, options: RunOptions, config: ModelConfig) -> RunDir:
    """Mark the run directory as running with these options and models, and save it."""
    run.record.start(
        created=now_iso(),
        status="running",
        ok=False,
        request=request,
        mode=options.mode,
        models=config.to_json(),
        options=options.to_json(),
        error=None,
    )
    del run.record.render_diagnosis
    run.record.attempts_list()
    run.save_state()
    return run


def _session(
    run: RunDir, request: str, options: RunOptions, config: ModelConfig, opts: MakeOptions, reporter: Reporter
) -> RunSession:
    """The session of one run, with the attempts a resumed run already made."""
    session = RunSession(
        request,
        run,
        config,
        options,
        check=opts.check or _run_check(options, run),
        render=opts.render or _default_render,
        repair=opts.repair_function(),
        reporter=reporter,
        ledger=Ledger.from_json(run.record.usage),
    )
    for attempt in run.load_attempts():
        session.log.restore(attempt)
    return session


def _validate_options(options: RunOptions) -> None:
    if options.mode not in MODES:
        raise ConfigError(f"unknown mode {options.mode!r}; choose agent or pipeline")
    check_quality(options.quality)
    check_format(options.fmt)
    if options.max_attempts < 1:
        raise ConfigError(f"--max-attempts must be at least 1, not {options.max_attempts}")


def _run(session: RunSession, agent: Any, verbose_agent: bool = False) -> None:
    if session.options.mode == "pipeline":
        from manim_agent.agent.pipeline import run_pipeline

        run_pipeline(session)
    else:
        from manim_agent.agent.code_agent import run_agent

        if session.log.passing is None:  # a resumed run may already hold a passing scene
            run_agent(session, agent, verbose=verbose_agent)
        session.ensure_spec()  # the notes need the description even if the agent skipped it
    passing = session.log.passing
    if passing is None:
        _finish(session, "failed")
        return
    from manim_agent.agent.render_outputs import render_final, write_run_notes

    session.run.write_text("scene.py", passing.code or "")
    session.run.record.outputs_map()["scene"] = "scene.py"
    session.run.record.final_attempt = passing.number
    rendered = render_final(session, passing.code or "")
    if rendered:
        write_run_notes(session)
        _remember(session, passing.code or "")
    _finish(session, "success" if rendered else "failed")


def _remember(session: RunSession, code: str) -> None:
    """A scene that rendered becomes a writer example for similar requests (not for scripted runs)."""
    if any(role.model.startswith("scripted/") for role in session.config.roles.values()):
        return
    from manim_agent.tools.examples import record_success

    spec = session.spec
    try:
        record_success(session.request, code, title=getattr(spec, "title", "") or "",
                       goal=getattr(spec, "goal", "") or "", run_dir=session.run.path)
    except OSError as exc:
        session.warn(f"could not remember the scene as an example: {exc}")


def _finish(session: RunSession, status: Status, *, error: dict[str, Any] | None = None) -> None:
    """Record the outcome, the best attempt and its diagnosis in run.json."""
    record = session.run.record
    best = session.log.passing or session.log.best
    _keep_contact_sheets(session, best)
    record.status = status
    record.ok = status == "success"
    record.best_attempt = best.number if best else None
    if status == "success":
        (record.outputs or {}).pop("best_scene", None)
    elif best is not None and best.code is not None and "scene" not in (record.outputs or {}):
        record.outputs_map()["best_scene"] = session.run.attempt_dir(best.number) + "/scene.py"
    if best is not None and best.diagnosis is not None and not record.has("render_diagnosis"):
        record.diagnosis = best.diagnosis.to_json()
    elif best is not None and best.problem:
        record.diagnosis = {"ok": False, "message": best.problem}
    if error:
        record.error = error
    record.usage = session.ledger.to_json()
    record.finished = now_iso()
    session.run.save_state()
