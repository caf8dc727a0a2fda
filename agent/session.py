"""One run's working state, shared by the pipeline and the code agent: the clients for each role,
the scene description, the attempt log, stage timings, and the run directory they write to.

Both modes use the same operations (`ensure_spec`, `write`, `check`), so they record attempts,
spend the budget and apply the deterministic repairs identically.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from manim_agent.agent.attempts import Attempt, AttemptLog, CheckFunction, RepairFunction
from manim_agent.agent.progress import Reporter
from manim_agent.agent.run_dir import RunDir
from manim_agent.errors import ManimAgentError
from manim_agent.llm.client import ChatClient, Completion, Ledger
from manim_agent.llm.config import ModelConfig
from manim_agent.tools.expand_prompt import SceneSpec, expand_prompt
from manim_agent.tools.write_manim_code import WrittenCode, write_manim_code

Mode = Literal["agent", "pipeline"]
RenderFunction = Callable[..., Any]


@dataclass
class RunOptions:
    """The knobs of one run (CLI flags / make_animation arguments)."""

    mode: Mode = "agent"
    max_attempts: int = 5
    quality: str = "l"
    fmt: str = "mp4"
    cache: bool = False
    notes_pdf: bool = True
    check_timeout: float = 60.0
    render_timeout: float = 600.0

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


class RunSession:
    """Everything one run needs while it works; writes its progress into the run directory."""

    def __init__(
        self,
        request: str,
        run: RunDir,
        config: ModelConfig,
        options: RunOptions,
        *,
        check: CheckFunction,
        render: RenderFunction,
        repair: RepairFunction | None,
        reporter: Reporter,
        ledger: Ledger | None = None,
    ) -> None:
        self.request = request
        self.run = run
        self.config = config
        self.options = options
        self.render_function = render
        self.reporter = reporter
        self.ledger = ledger if ledger is not None else Ledger()
        self.spec: SceneSpec | None = None
        # A fatal error raised inside a tool (provider down, no key): the agent must stop, not retry.
        self.fatal: ManimAgentError | None = None
        self._last_written: WrittenCode | None = None
        self._pending_reply: str | None = None
        self.log = AttemptLog(
            max_attempts=options.max_attempts, check=check, repair=repair, on_attempt=self._on_attempt
        )
        self._clients: dict[str, ChatClient] = {}
        # Called before every paid model call (the budget guard of agent/budget.py); None: no limit.
        self.before_call: Callable[[ChatClient, list[dict[str, Any]]], None] | None = None
        # Extra arguments for expand_prompt (a long-form run asks for more beats).
        self.expand_options: dict[str, Any] = {}

    # -- clients ----------------------------------------------------------------------------
    def client(self, role: str) -> ChatClient:
        if role not in self._clients:
            self._clients[role] = ChatClient(
                self.config.for_role(role),
                role=role,
                ledger=self.ledger,
                on_reasoning=self.reporter.reasoning,
                on_call=self._on_call,
                on_warning=self.warn,
                cache=self.options.cache,
                before_call=self.before_call,
            )
        return self._clients[role]

    def _on_call(self, role: str, messages: list[dict[str, Any]], completion: Completion) -> None:
        self.run.save_call(role, completion)
        self.run.record.usage = self.ledger.to_json()
        self.run.save_state()

    # -- stages -----------------------------------------------------------------------------
    @contextlib.contextmanager
    def stage(self, name: str, detail: str = "") -> Iterator[None]:
        """Time a stage and record its status in run.json."""
        stages = self.run.record.stages_map()
        previous = stages.get(name, {})
        stages[name] = {"status": "running", "seconds": previous.get("seconds", 0.0)}
        self.run.save_state()
        self.reporter.stage(name, detail)
        started = time.monotonic()
        status = "failed"
        try:
            yield
            status = "done"
        finally:
            stages[name] = {
                "status": status,
                "seconds": round(previous.get("seconds", 0.0) + time.monotonic() - started, 3),
            }
            self.run.save_state()

    # -- the scene description --------------------------------------------------------------
    def set_spec(self, spec: SceneSpec) -> None:
        self.spec = spec
        self.run.write_text("spec.md", spec.to_markdown())
        self.run.write_json("spec.json", spec.to_json())
        self.run.record.outputs_map().update({"spec_md": "spec.md", "spec_json": "spec.json"})
        if spec.source == "fallback":
            self.warn("the expander's replies could not be read; using a minimal script built from the request")
        self.run.save_state()

    def ensure_spec(self) -> SceneSpec:
        """The scene description: loaded from the run directory on resume, else expanded now."""
        if self.spec is None:
            saved = self.run.read_text("spec.json")
            if saved:
                self.spec = SceneSpec.from_json(json.loads(saved))
            else:
                with self.stage("expand", self.config.for_role("expander").model):
                    self.set_spec(expand_prompt(self.request, client=self.client("expander"), **self.expand_options))
        assert self.spec is not None
        return self.spec

    # -- writing and checking ---------------------------------------------------------------
    def write(self, spec_text: str, previous_code: str | None, diagnosis: str | None) -> WrittenCode:
        """One writer call; an unusable reply is recorded as an attempt (it cost a call)."""
        request = self.request if self.spec is not None and self.spec.detailed_request else None
        written = write_manim_code(
            spec_text, client=self.client("writer"), previous_code=previous_code, diagnosis=diagnosis, request=request
        )
        self._last_written = written
        if not written.ok:
            self._pending_reply = written.raw
            self.log.record_unusable(written.problem or "no code", notes=written.notes)
        return written

    def check(self, code: str, origin: str, *, notes: list[str] | None = None) -> Attempt:
        return self.log.check(code, origin, notes=notes)  # type: ignore[arg-type]

    def _on_attempt(self, attempt: Attempt) -> None:
        reply, self._pending_reply = self._pending_reply, None
        entry = self.run.save_attempt(attempt, reply=reply)
        self.run.record.attempts_list().append(entry)
        self.run.save_state()
        message = attempt.problem if attempt.problem else (attempt.diagnosis.message if attempt.diagnosis else "")
        if attempt.repairs:
            message = f"rules applied: {', '.join(attempt.repairs)}. {message}"
        self.reporter.attempt(
            attempt.number, self.log.used, self.log.max_attempts, attempt.origin, attempt.ok, message or ""
        )

    # -- agent-mode entry points (the tools call these) -------------------------------------
    def agent_expand(self, request: str) -> SceneSpec:
        """expand_prompt for the orchestrator: expands the run's request once, records spec.md/spec.json.

        The run's own request is expanded even if the orchestrator paraphrased it: the user's words win.
        """
        if self.spec is not None:
            return self.spec
        try:
            with self.stage("expand", self.config.for_role("expander").model):
                self.set_spec(expand_prompt(self.request, client=self.client("expander")))
        except ManimAgentError as exc:
            self.fatal = exc
            raise
        assert self.spec is not None
        return self.spec

    def agent_write(self, spec_text: str, previous_code: str | None, diagnosis: str | None) -> str:
        """write_manim_code for the orchestrator: re-asks once when a reply is unusable."""
        self._guard_budget()
        try:
            written = self.write(spec_text, previous_code, diagnosis)
            if not written.ok and not self.log.exhausted:
                retry_diagnosis = (
                    f"{diagnosis}\n\nYour previous reply could not be used: {written.problem}"
                    if diagnosis
                    else written.problem
                )
                written = self.write(spec_text, previous_code, retry_diagnosis)
        except ManimAgentError as exc:
            self.fatal = exc
            raise
        if not written.ok:
            raise ValueError(f"The code writer's reply could not be used: {written.problem}")
        return written.code or ""

    def agent_check(self, code: str) -> dict[str, Any]:
        """render_scene for the orchestrator: records the attempt and reports budget and accepted code."""
        known = self.log.find(code)
        if known is None:
            self._guard_budget()
        origin = "agent"
        if self._last_written is not None and self._last_written.code == code:
            origin = self._last_written.mode
        attempt = self.check(code, origin)
        result: dict[str, Any] = attempt.diagnosis.to_json() if attempt.diagnosis else {"ok": False, "message": attempt.problem}
        result["attempt"] = attempt.number
        result["attempts_left"] = self.log.left
        if attempt.repairs:
            result["rules_applied"] = attempt.repairs
        if attempt.ok and attempt.code != code:
            # The rule-repaired version is what passed; the answer is resolved to it (accepted_code).
            result["note"] = "passed after automatic repairs; final_answer(code) with the code you checked is accepted"
        return result

    def _guard_budget(self) -> None:
        if self.log.exhausted:
            raise ValueError(
                f"No attempts left ({self.log.max_attempts} used). Stop and call final_answer with the best code you have."
            )

    def final_answer_check(self, final_answer: Any, memory: Any = None, agent: Any = None) -> bool:
        """smolagents final_answer_checks entry: only code that passed the check may be the answer."""
        code = final_answer.get("code") if isinstance(final_answer, dict) else final_answer
        if not isinstance(code, str) or not code.strip():
            raise ValueError("The final answer must be the scene's Python code as a string.")
        accepted = self.log.accepted_code(code)
        if accepted is None:
            attempt = self.check(code, "agent")
            accepted = attempt.code if attempt.ok else None
            if accepted is None:
                raise ValueError("This code does not render, so it cannot be the answer:\n" + attempt.feedback())
        return True

    def warn(self, message: str) -> None:
        self.run.record.warnings_list().append(message)
        self.reporter.warn(message)
