"""make_long_video: the Python API behind `manim-agent make "..." --sections auto|N`.

    from manim_agent.agent.long_form import make_long_video
    result = make_long_video("the QED journey ...", sections="auto", workers=2)
    result.status, result.video, result.sections, result.exit_code

The request is expanded once into a longer director's script, whose beats are grouped into
sections (agent/sections.py). Each section is a run of its own under `sections/NN/` (its own
run.json, attempts, scene.py and video), written, checked and repaired by the same loop as a
single scene (the pipeline or the agent, with the rule repairs), up to `workers` sections at
once. A section that fails is retried alone (`section_retries`); `resume=` re-runs only the
sections that have not rendered. Narration (agent/narration.py) times each beat to its speech;
subtitles (agent/subtitles.py) come from the check's animation clock. The rendered sections are
stitched with ffmpeg (agent/stitch.py). A run that ends with sections missing still delivers the
stitched video of those that rendered, named `*.partial.mp4`, with status "partial".
Every paid call passes the budget first (agent/budget.py).
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from manim_agent.agent import make as single
from manim_agent.agent import narration, stitch, subtitles
from manim_agent.agent.attempts import CheckFunction, RepairFunction, code_hash
from manim_agent.agent.budget import Budget, Confirm, Estimate, estimate_run
from manim_agent.agent.progress import NullReporter, Reporter
from manim_agent.agent.run_dir import RunDir, now_iso
from manim_agent.agent.sections import (
    SectionPlan,
    expansion_length,
    final_state_items,
    parse_sections,
    plan_sections,
    planned_state,
    section_spec,
)
from manim_agent.agent.session import RenderFunction, RunOptions, RunSession
from manim_agent.errors import BudgetExceeded, ConfigError, ManimAgentError
from manim_agent.llm.client import Ledger
from manim_agent.llm.reply_cache import enable_reply_cache
from manim_agent.tools.expand_prompt import SceneSpec

KIND = "long_form"
CLOCK_JSON = "clock.json"
EXIT_CODES = {"success": 0, "failed": 1, "partial": 5, "stopped": 6}
DONE = "rendered"


@dataclass
class LongFormResult:
    """The outcome of a long-form run: the same information as its run.json, with absolute paths."""

    status: str
    run_dir: Path
    data: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return self.status == "success"

    @property
    def exit_code(self) -> int:
        """0 all sections, 5 partial video, 6 stopped by the budget, 1 nothing rendered."""
        return EXIT_CODES.get(self.status, 1)

    @property
    def sections(self) -> list[dict[str, Any]]:
        return list(self.data.get("sections") or [])

    @property
    def outputs(self) -> dict[str, Path | None]:
        return {k: (self.run_dir / v if v else None) for k, v in (self.data.get("outputs") or {}).items()}

    @property
    def video(self) -> Path | None:
        return self.outputs.get("video")

    @property
    def warnings(self) -> list[str]:
        return list(self.data.get("warnings") or [])

    @property
    def usage(self) -> dict[str, Any]:
        return dict(self.data.get("usage") or {})

    def to_json(self) -> dict[str, Any]:
        return dict(self.data)

    def message(self) -> str:
        """One sentence on the outcome, with what to do next when it is not complete."""
        rendered = [s for s in self.sections if s.get("status") == DONE]
        total = len(self.sections)
        if self.ok:
            return f"all {total} sections rendered and stitched"
        missing = ", ".join(str(s["number"]) for s in self.sections if s.get("status") != DONE) or "none"
        resume = f"manim-agent make --resume {self.run_dir}"
        if self.status == "stopped":
            stop = (self.data.get("budget") or {}).get("stopped") or (self.data.get("error") or {}).get("message")
            return (f"stopped: {stop}. {len(rendered)} of {total} sections rendered (missing: {missing}) and kept. "
                    f"Continue with a larger budget: {resume} --max-cost <USD> (or --max-minutes <M>)")
        if rendered:
            return (f"partial video: {len(rendered)} of {total} sections rendered; section(s) {missing} did not. "
                    f"Re-run only those: {resume} (add --max-attempts N for more tries)")
        return f"no section rendered. Re-run them: {resume} --max-attempts N"


def is_long_form(path: str | Path) -> bool:
    """Whether `path` is the run directory of a long-form run."""
    state = Path(path) / "run.json"
    try:
        return json.loads(state.read_text(encoding="utf-8")).get("kind") == KIND
    except (OSError, json.JSONDecodeError):
        return False


class _PrefixReporter(Reporter):
    """A section's progress, labelled with its number (sections run in threads)."""

    def __init__(self, inner: Reporter, number: int) -> None:
        self.inner, self.label = inner, f"part {number}"

    def stage(self, name: str, detail: str = "") -> None:
        self.inner.stage(f"{self.label}: {name}", detail)

    def attempt(self, number: int, used: int, limit: int, origin: str, ok: bool, message: str) -> None:
        self.inner.attempt(number, used, limit, origin, ok, f"[{self.label}] {message}")

    def reasoning(self, role: str, text: str) -> None:
        self.inner.reasoning(f"{self.label} {role}", text)

    def info(self, message: str) -> None:
        self.inner.info(f"[{self.label}] {message}")

    def warn(self, message: str) -> None:
        self.inner.warn(f"[{self.label}] {message}")


class _ClockingCheck:
    """The section's check, keeping each checked version's layout record (its animation clock)."""

    def __init__(self, inner: CheckFunction) -> None:
        self.inner = inner
        self.layouts: dict[str, dict[str, Any]] = {}

    def __call__(self, code: str) -> Any:
        diagnosis = self.inner(code)
        layout = getattr(diagnosis, "layout", None)
        if layout is not None:
            self.layouts[code_hash(code)] = layout
        return diagnosis


def _no_check(code: str) -> Any:  # pragma: no cover - the top-level session only expands
    raise RuntimeError("the long-form top-level session does not check code")


class LongRun:
    """One long-form run's work: the plan, the sections, the stitching."""

    def __init__(self, run: RunDir, request: str, options: RunOptions, config: Any, *, long: dict[str, Any],
                 budget: Budget, reporter: Reporter, check: CheckFunction | None, render: RenderFunction | None,
                 repair: RepairFunction | None, confirm: Confirm | None, agent: Any = None) -> None:
        self.run, self.request, self.options, self.config = run, request, options, config
        self.long, self.budget, self.reporter = long, budget, reporter
        self.check, self.render = check, render or single._default_render
        self.repair, self.confirm, self.agent = repair, confirm, agent
        self.confirmed = False
        self.spec: SceneSpec | None = None
        self.plans: list[SectionPlan] = []
        self.speech: dict[int, narration.BeatSpeech] = {}
        self.final_states: dict[int, list[str]] = {}
        self.lock = threading.Lock()
        self.top = RunSession(request, run, config, options, check=_no_check, render=self.render, repair=None,
                              reporter=reporter, ledger=budget.track(Ledger.from_json(run.record.usage_expand)))
        self.top.before_call = budget.guard
        self.top.expand_options = expansion_length(long["sections"])

    # -- state --------------------------------------------------------------------------------
    def save(self) -> None:
        with self.lock:
            self.run.record.budget = self.budget.to_json()
            self.run.save_state()

    def warn(self, message: str) -> None:
        with self.lock:
            self.run.record.warnings_list().append(message)
        self.reporter.warn(message)

    # -- budget -------------------------------------------------------------------------------
    def _weigh(self, estimate: Estimate, when: str) -> None:
        """Print the estimate; ask for confirmation when it exceeds the budget (once a run)."""
        self.run.record.estimates = (self.run.record.estimates or []) + [{"when": when, **estimate.to_json()}]
        self.save()
        self.reporter.info(f"{estimate.describe()} ({when})")
        if self.confirmed or not self.budget.exceeds(estimate):
            return
        question = (f"The estimate (${estimate.expected_usd:.4f}) exceeds the budget "
                    f"(--max-cost {self.budget.max_cost:g}, ${self.budget.spent:.4f} spent).")
        if self.confirm is None or not self.confirm(question + " Continue anyway?"):
            raise BudgetExceeded(
                f"{question} Nothing more was spent. Pass --yes to go on anyway, or raise --max-cost.",
                spent_usd=self.budget.spent, limit="estimate")
        self.confirmed = True

    # -- the plan -----------------------------------------------------------------------------
    def prepare(self) -> None:
        """The estimate, the spec (expanded once), the sections, and the narration audio."""
        sections = self.long["sections"]
        if self.run.read_text("spec.json") is None:
            length = expansion_length(sections)
            expected_beats = max(length["min_beats"], min(length["max_beats"], length["target_seconds"] // 5))
            count = int(sections) if sections != "auto" else max(1, round(length["target_seconds"] / 30))
            per = [max(1, expected_beats // count)] * count
            self._weigh(estimate_run(self.request, self.config, mode=self.options.mode, sections=per,
                                     max_attempts=self.options.max_attempts, expand=length), "before the first call")
        self.spec = self.top.ensure_spec()
        self.run.record.usage_expand = self.top.ledger.to_json()
        stored = self.run.record.plan
        if stored:  # a resumed run keeps its sections, so finished ones stay valid
            self.plans = [SectionPlan.from_json(p) for p in stored]
        else:
            self.plans, warnings = plan_sections(self.spec, sections)
            for warning in warnings:
                self.warn(warning)
            self.run.record.plan = [p.to_json() for p in self.plans]
        if not self.run.record.has("sections"):
            self.run.record.sections = [self._outcome_stub(p) for p in self.plans]
        self.save()
        if self.long["voice"] == "espeak":
            narrations = {i + 1: b.narration for i, b in enumerate(self.spec.beats)}
            with self.top.stage("speech", "espeak-ng"):
                self.speech = narration.speak_beats(narrations, self.run.path / "audio")

    def _outcome_stub(self, plan: SectionPlan) -> dict[str, Any]:
        return {"number": plan.number, "title": plan.title, "class_name": plan.class_name, "dir": plan.folder,
                "beats": [b + 1 for b in plan.beats], "status": "pending"}

    def pending(self) -> list[SectionPlan]:
        return [p for p in self.plans if self.outcome(p.number).get("status") != DONE or not self._video_ok(p)]

    def outcome(self, number: int) -> dict[str, Any]:
        return self.run.state["sections"][number - 1]

    def _video_ok(self, plan: SectionPlan) -> bool:
        video = self.outcome(plan.number).get("video")
        return bool(video) and (self.run.path / str(video)).is_file()

    def estimate_sections(self) -> None:
        todo = self.pending()
        if not todo or self.spec is None:
            return
        specs = [section_spec(self.spec, self.plans, p.number, None) for p in todo]
        self._weigh(estimate_run(self.request, self.config, mode=self.options.mode, sections=specs,
                                 max_attempts=self.options.max_attempts), "from the script")

    # -- sections -----------------------------------------------------------------------------
    def handoff(self, number: int) -> dict[str, Any] | None:
        """The previous section's final on-screen state: measured if it has passed, else planned."""
        if number == 1:
            return None
        with self.lock:
            measured = self.final_states.get(number - 1)
        if measured is None:
            clock = self._read_clock(self.plans[number - 2])
            measured = (clock or {}).get("final_state")
        if measured:
            return {"source": "measured", "items": measured}
        assert self.spec is not None
        return planned_state(self.spec, self.plans[number - 2])

    def _read_clock(self, plan: SectionPlan) -> dict[str, Any] | None:
        text = self.run.read_text(f"{plan.folder}/{CLOCK_JSON}")
        return json.loads(text) if text else None

    def run_sections(self, plans: list[SectionPlan]) -> None:
        workers = max(1, min(int(self.long["workers"]), len(plans) or 1))
        if workers == 1:
            for plan in plans:
                self.section(plan)
            return
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="section") as pool:
            for future in [pool.submit(self.section, plan) for plan in plans]:
                future.result()

    def section(self, plan: SectionPlan) -> None:
        """Write, check, repair, time and render one section; its outcome lands in run.json."""
        assert self.spec is not None
        folder = self.run.path / plan.folder
        if (folder / "run.json").is_file():
            sub = RunDir.open(folder)
        else:
            if folder.is_dir():  # a section that crashed before its first save holds nothing finished
                shutil.rmtree(folder)
            sub = RunDir.create(self.run.path, self.request, exact=folder)
        handoff = self.handoff(plan.number)
        spec = section_spec(self.spec, self.plans, plan.number, handoff)
        used = sum(1 for a in sub.state.get("attempts", []) if a.get("origin") != "repair")
        options = dataclasses.replace(self.options, max_attempts=used + self.options.max_attempts, notes_pdf=False)
        sub.record.start(created=now_iso(), status="running", ok=False, kind="section", request=self.request,
                         mode=options.mode, models=self.config.to_json(), options=options.to_json(),
                         section=plan.to_json(), handoff=(handoff or {}).get("source"), error=None)
        del sub.record.render_diagnosis
        sub.record.attempts_list()
        sub.save_state()
        base = self.check or single._run_check(options, sub)
        check = _ClockingCheck(base)
        session = RunSession(self.request, sub, self.config, options, check=check, render=self.render,
                             repair=self.repair, reporter=_PrefixReporter(self.reporter, plan.number),
                             ledger=self.budget.track(Ledger.from_json(sub.record.usage)))
        session.before_call = self.budget.guard
        for attempt in sub.load_attempts():
            session.log.restore(attempt)
        session.set_spec(spec)
        self._set_outcome(plan, status="running")
        try:
            self._work(session, check, plan, spec)
            status = DONE if sub.record.status == "success" else "failed"
            self._set_outcome(plan, sub=sub, status=status)
        except BudgetExceeded as exc:
            single._finish(session, "interrupted", error={"type": type(exc).__name__, "message": str(exc)})
            self._set_outcome(plan, sub=sub, status="stopped", message=str(exc))
        except ManimAgentError as exc:
            single._finish(session, "error", error={"type": type(exc).__name__, "message": str(exc)})
            self._set_outcome(plan, sub=sub, status="error", message=str(exc), error_type=type(exc).__name__)

    def _work(self, session: RunSession, check: _ClockingCheck, plan: SectionPlan, spec: SceneSpec) -> None:
        if session.log.passing is None:
            if self.options.mode == "pipeline":
                from manim_agent.agent.pipeline import run_pipeline

                run_pipeline(session)
            else:
                from manim_agent.agent.code_agent import run_agent

                run_agent(session, self.agent)
        passing = session.log.passing
        if passing is None:
            single._finish(session, "failed")
            return
        code = passing.code or ""
        layout = check.layouts.get(code_hash(code))
        if layout is None:  # restored from disk (resume): the check is free, run it for the clock
            layout = getattr(check(code), "layout", None)
        clock = subtitles.beat_clock(code, subtitles.plays_from_layout(layout), self.options.quality)
        speech = {b + 1: self.speech[b + 1] for b in plan.beats if b + 1 in self.speech}
        if speech and clock["marked"]:
            timed, notes = narration.stretch_to_speech(code, clock, speech)
            if timed != code:
                attempt = session.check(timed, "repair", notes=notes)
                if attempt.ok and attempt.code == timed and code_hash(timed) in check.layouts:
                    code, layout = timed, check.layouts[code_hash(timed)]
                    clock = subtitles.beat_clock(code, subtitles.plays_from_layout(layout), self.options.quality)
                    session.reporter.info("timed to the narration: " + "; ".join(notes))
                else:
                    session.warn("the waits that time the scene to its narration broke the check; kept the scene as it was")
        if not clock["marked"]:
            clock = subtitles.planned_clock(spec, clock["total"], first_beat=plan.beats[0] + 1)
            session.warn("the scene has no `# Beat N` markers: its subtitles and narration follow the script's planned durations")
        final_state = final_state_items(layout)
        with self.lock:
            self.final_states[plan.number] = final_state
        session.run.write_json(CLOCK_JSON, {"code_hash": code_hash(code), "clock": clock, "final_state": final_state,
                                            "plays": subtitles.plays_from_layout(layout)})
        from manim_agent.agent.render_outputs import render_final, write_run_notes

        session.run.write_text("scene.py", code)
        outputs = session.run.record.outputs_map()
        outputs["scene"] = "scene.py"
        session.run.record.final_attempt = session.log.passing.number if session.log.passing else passing.number
        rendered = render_final(session, code)
        if rendered:
            self._narrate(session, clock, speech)
            narrated = {b + 1: self.spec.beats[b].narration for b in plan.beats} if self.spec else {}
            items = subtitles.cues(clock, narrated)
            subtitles.write_srt(items, session.run.path / "subtitles.srt")
            subtitles.write_vtt(items, session.run.path / "subtitles.vtt")
            outputs.update(srt="subtitles.srt", vtt="subtitles.vtt")
            write_run_notes(session)
            single._remember(session, code)
        single._finish(session, "success" if rendered else "failed")

    def _narrate(self, session: RunSession, clock: dict[str, Any], speech: dict[int, narration.BeatSpeech]) -> None:
        outputs = session.run.state["outputs"]
        if not speech or self.options.fmt == "gif":
            return
        video = session.run.path / outputs["video"]
        duration = stitch.probe(video).duration
        track = narration.narration_track(clock, speech, duration, session.run.path / "narration.wav")
        narrated = stitch.mux_audio(video, track, video.with_name(f"{video.stem}.narrated{video.suffix}"))
        outputs["narration"] = session.run.relative(track)
        outputs["narrated_video"] = session.run.relative(narrated)
        session.run.save_state()

    def _set_outcome(self, plan: SectionPlan, *, sub: RunDir | None = None, status: str, **extra: Any) -> None:
        with self.lock:
            entry = self.outcome(plan.number)
            entry.update(status=status, **extra)
            if status != "stopped" and status != "error":
                entry.pop("message", None)
                entry.pop("error_type", None)
            if sub is not None:
                state = sub.state
                outputs = state.get("outputs") or {}
                video = outputs.get("narrated_video") or outputs.get("video")
                entry["video"] = f"{plan.folder}/{video}" if video and status == DONE else None
                entry["attempts"] = len(state.get("attempts", []))
                entry["cost_usd"] = ((state.get("usage") or {}).get("total") or {}).get("cost_usd")
                entry["handoff"] = state.get("handoff")
                if status == "failed":
                    entry["message"] = ((state.get("diagnosis") or {}).get("message")) or "no version passed the check"
        self.save()

    # -- the whole video ----------------------------------------------------------------------
    def finish_video(self) -> None:
        """Stitch the rendered sections (in order), write the subtitles, burn them if asked."""
        assert self.spec is not None
        outputs = self.run.record.outputs_map()
        done = [p for p in self.plans if self.outcome(p.number).get("status") == DONE and self._video_ok(p)]
        for key in ("video", "video_without_subtitles", "srt", "vtt"):
            outputs.pop(key, None)
        if not done:
            return
        partial = len(done) < len(self.plans)
        stem = self.spec.class_name() + (".partial" if partial else "")
        suffix = "." + self.options.fmt
        for old in self.run.path.glob(f"{self.spec.class_name()}*{suffix}"):
            old.unlink()  # an earlier partial or subtitled video must not be mistaken for this one
        videos = [self.run.path / self.outcome(p.number)["video"] for p in done]
        target = self.run.path / f"{stem}{suffix}"
        with self.top.stage("stitch", f"{len(videos)} section(s)"):
            joined = stitch.stitch(videos, target)
        self.run.record.stitch = {"method": joined["method"], "duration": round(joined["duration"], 3),
                                    "sections": [p.number for p in done], "partial": partial}
        outputs["video"] = target.name
        offset = 0.0
        items: list[subtitles.Cue] = []
        for plan, video in zip(done, videos):
            clock = (self._read_clock(plan) or {}).get("clock") or {}
            narrated = {b + 1: self.spec.beats[b].narration for b in plan.beats}
            items += subtitles.cues(clock, narrated, offset=offset)
            offset += stitch.probe(video).duration
        srt = subtitles.write_srt(items, self.run.path / f"{stem}.srt")
        vtt = subtitles.write_vtt(items, self.run.path / f"{stem}.vtt")
        outputs.update(srt=srt.name, vtt=vtt.name)
        self.run.record.cues = [c.to_json() for c in items]
        if self.long.get("burn_subtitles") and items and self.options.fmt in ("mp4", "webm"):
            burned = self.run.path / f"{stem}.subtitled{suffix}"
            with self.top.stage("subtitles", "burning in"):
                stitch.burn_subtitles(target, srt, burned)
            outputs["video_without_subtitles"] = target.name
            outputs["video"] = burned.name
        if partial:
            missing = [p.number for p in self.plans if p not in done]
            self.warn(f"partial video: section(s) {', '.join(map(str, missing))} did not render")
        self.save()

    def write_notes(self) -> None:
        from manim_agent.agent.long_notes import write_long_notes

        assert self.spec is not None
        with self.top.stage("notes"):
            result = write_long_notes(self)
        outputs = self.run.record.outputs_map()
        outputs["notes_md"] = self.run.relative(result.markdown)
        outputs["notes_tex"] = self.run.relative(result.tex) if result.tex else None
        outputs["notes_pdf"] = self.run.relative(result.pdf) if result.pdf else None
        if result.pdf_error and self.options.notes_pdf:
            self.warn(f"notes.pdf was not made: {result.pdf_error}")
        self.save()

    def combined_usage(self) -> dict[str, Any]:
        merged = Ledger()
        for ledger in self.budget.ledgers:
            for call in ledger.calls:
                merged.add(call)
        return merged.to_json()

    def conclude(self, error: BaseException | None = None) -> str:
        """The run's status from its sections; saved with the combined usage."""
        states = [self.outcome(p.number).get("status") for p in self.plans]
        rendered = states.count(DONE)
        if self.plans and rendered == len(self.plans) and (self.run.record.outputs or {}).get("video"):
            status = "success"
        elif isinstance(error, BudgetExceeded) or self.budget.stopped is not None or "stopped" in states:
            status = "stopped"
        elif rendered:
            status = "partial"
        else:
            status = "failed"
        record = self.run.record
        record.status, record.ok = status, status == "success"
        record.finished, record.usage = now_iso(), self.combined_usage()
        if error is not None:
            record.error = {"type": type(error).__name__, "message": str(error)}
        self.save()
        return status


def make_long_video(
    prompt: str | None = None,
    *,
    sections: str | int | None = "auto",
    workers: int | None = None,
    voice: str | None = None,
    burn_subtitles: bool | None = None,
    confirm: Confirm | None = None,
    section_retries: int | None = None,
    options: single.MakeOptions | None = None,
    **kwargs: Any,
) -> LongFormResult:
    """Make a long video in sections (see the module docstring); returns its LongFormResult.

    `confirm(question) -> bool` is asked when the estimate exceeds `max_cost` (None: refuse, which
    stops the run before any call; the CLI asks on a terminal and `--yes` answers yes).
    `max_attempts` counts per section. Exceptions: UserError subclasses for bad input (before any
    work), and the provider's errors when no section could be made at all.
    """
    opts = single.MakeOptions.build(options, kwargs)
    reporter = opts.reporter or NullReporter()
    previous = RunDir.open(opts.resume) if opts.resume else None
    if previous is not None and previous.record.kind != KIND:
        raise ConfigError(f"{str(opts.resume)!r} is a single-scene run; resume it without --sections")
    stored = (previous.record.long_form if previous else None) or {}
    if previous is not None and previous.record.status == "success":
        return LongFormResult("success", previous.path, dict(previous.state))
    request, run_options, config = single.prepare_run(previous, prompt, opts)
    long: dict[str, Any] = {
        "sections": parse_sections(sections if sections is not None and previous is None else stored.get("sections", "auto")),
        "workers": int(workers or stored.get("workers") or 2),
        "voice": voice or stored.get("voice_asked") or "auto",
        "burn_subtitles": bool(burn_subtitles if burn_subtitles is not None else stored.get("burn_subtitles", False)),
        "section_retries": int(section_retries if section_retries is not None else stored.get("section_retries", 1)),
    }
    if long["workers"] < 1:
        raise ConfigError(f"--workers must be at least 1, not {long['workers']}")
    if run_options.fmt == "png":
        raise ConfigError("--format png makes a still image; a video in sections needs mp4, webm or gif")
    stitch.require_ffmpeg()
    budget = Budget(opts.max_cost, opts.max_minutes)
    long["voice_asked"] = long["voice"]
    long["voice"], voice_warning = narration.resolve_voice(long["voice"])
    if run_options.fmt == "gif" and long["voice"] != "none":
        long["voice"], voice_warning = "none", "a GIF has no sound: no narration"
    if run_options.cache:
        enable_reply_cache(single.settings.subdir("cache") / "replies")

    run = previous or RunDir.create(opts.out_dir, request, exact=opts.run_dir)
    run.record.start(created=now_iso(), kind=KIND, status="running", ok=False, request=request, mode=run_options.mode,
                     models=config.to_json(), options=run_options.to_json(), long_form=long, error=None)
    run.save_state()
    work = LongRun(run, request, run_options, config, long=long, budget=budget, reporter=reporter, check=opts.check,
                   render=opts.render, repair=opts.repair_function(), confirm=confirm, agent=opts.agent)
    if voice_warning:
        work.warn(voice_warning)
    error: BaseException | None = None
    try:
        work.prepare()
        work.estimate_sections()
        work.run_sections(work.pending())
        for _ in range(long["section_retries"]):
            failed = [p for p in work.plans if work.outcome(p.number).get("status") == "failed"]
            if not failed or budget.stopped is not None:
                break
            for plan in failed:  # each failed section again, alone
                work.reporter.info(f"retrying section {plan.number} alone")
                work.section(plan)
    except BudgetExceeded as exc:
        error = exc
    except KeyboardInterrupt:
        work.conclude(KeyboardInterrupt("interrupted by the user"))
        run.record.status = "interrupted"
        run.save_state()
        raise
    except ManimAgentError as exc:
        work.conclude(exc)
        exc.add_note(f"run directory: {run.path}")
        raise
    finally:
        reporter.close()
    if work.spec is not None and work.plans:
        try:
            work.finish_video()
            work.write_notes()
        except ManimAgentError as exc:
            work.warn(f"the sections are kept, but the video could not be finished: {exc}")
            error = error or exc
    status = work.conclude(error)
    errors = [work.outcome(p.number) for p in work.plans if work.outcome(p.number).get("status") == "error"]
    if status == "failed" and errors and len(errors) == len(work.plans):
        raise _reraise(errors[0], run)
    return LongFormResult(status, run.path, dict(run.state))


def _reraise(entry: dict[str, Any], run: RunDir) -> ManimAgentError:
    """Every section ended with the same kind of error (the provider is down, say): raise it."""
    from manim_agent import errors

    kind = getattr(errors, entry.get("error_type") or "", ManimAgentError)
    if not (isinstance(kind, type) and issubclass(kind, ManimAgentError)):
        kind = ManimAgentError
    try:
        exc = kind(entry.get("message") or "every section failed")
    except TypeError:
        exc = ManimAgentError(entry.get("message") or "every section failed")
    exc.add_note(f"run directory: {run.path}")
    return exc
