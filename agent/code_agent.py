"""Agent mode: a smolagents CodeAgent that drives expand_prompt, write_manim_code, render_scene
and read_error until the scene passes its check.

Guarantees that do not depend on the orchestrating model behaving:
- `final_answer_checks` refuses an answer that does not render (it is checked, and rule-repaired
  versions count), so a non-rendering answer is never accepted.
- The deterministic repairs run inside render_scene, before another LLM call is spent.
- The attempt budget is enforced by the tools, and a step callback interrupts the agent once the
  budget is spent or a provider has failed for good; the best attempt is kept either way.

`ManimCodeAgent` has a name and description, so a manager agent can list it in `managed_agents`;
called that way, each task becomes a full `make_animation` run and the agent hands back an
`AnimationOutcome` (agent/make_animation_tool.py): the outcome and the paths, as data and as text.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from rich.console import Console
from smolagents import CodeAgent
from smolagents.monitoring import AgentLogger, LogLevel
from smolagents.utils import AgentError

from manim_agent import prompt_templates
from manim_agent.agent.session import RunSession
from manim_agent.errors import ManimAgentError
from manim_agent.llm.client import ChatClient
from manim_agent.llm.config import resolve_model_config
from manim_agent.llm.smolagents_model import ChatClientModel
from manim_agent.tools.expand_prompt import ExpandPromptTool, SceneSpec
from manim_agent.tools.render_scene import ReadErrorTool, RenderSceneTool
from manim_agent.tools.write_manim_code import WriteManimCodeTool

AGENT_NAME = "manim_animator"
AGENT_DESCRIPTION = (
    "Makes a rendered Manim animation from a plain-English request about a math or science idea. "
    "Give it the request as the task. It returns where the video, the scene's code, the scene "
    "description and study notes were written, or why it failed."
)
REQUEST_PREVIEW_CHARS = 400


class SessionRenderSceneTool(RenderSceneTool):
    """render_scene bound to a run: records each attempt, applies the deterministic repairs, keeps
    the budget. Same name, description and inputs as the core's stateless tool."""

    def __init__(self, agent: ManimCodeAgent) -> None:
        super().__init__()
        self.owner = agent

    def forward(self, code: str, scene: str | None = None) -> str:
        return json.dumps(self.owner.session.agent_check(code))


class ManimCodeAgent(CodeAgent):
    """The CodeAgent behind `--mode agent`, bound to one run at a time (`bind`).

    Built without a session (see `make_animation_tool.managed_agent`), it is a managed agent for a
    manager: each task it receives is handed to `run_task` (a whole `make_animation` run with
    `make_options`), which is passed in so that this module never imports `make` (make imports it).
    """

    def __init__(
        self,
        session: RunSession | None,
        *,
        make_options: dict[str, Any] | None = None,
        verbose: bool = False,
        run_task: Callable[[str, ManimCodeAgent], Any] | None = None,
    ) -> None:
        self.session = session
        self.make_options = dict(make_options or {})
        self.run_task = run_task
        tools = [
            ExpandPromptTool(expand=lambda request: self.session.agent_expand(request)),
            WriteManimCodeTool(
                write=lambda spec, previous, diagnosis: self.session.agent_write(spec, previous, diagnosis)
            ),
            SessionRenderSceneTool(self),
            ReadErrorTool(),
        ]
        logger = AgentLogger(
            level=LogLevel.INFO if verbose else LogLevel.OFF, console=Console(stderr=True, highlight=False)
        )
        max_attempts = session.options.max_attempts if session else int(self.make_options.get("max_attempts") or 5)
        super().__init__(
            tools=tools,
            model=ChatClientModel(session.client("orchestrator") if session else self._standalone_client()),
            instructions=self._instructions(max_attempts),
            max_steps=self._max_steps(max_attempts),
            final_answer_checks=[self.answer_renders],
            step_callbacks=[self.stop_when_hopeless],
            name=AGENT_NAME,
            description=AGENT_DESCRIPTION,
            logger=logger,
        )

    def _standalone_client(self) -> ChatClient:
        """The orchestrator's client before any run exists (replaced by `bind`)."""
        options = self.make_options
        role_models = {role: options.get(f"{role}_model") for role in ("expander", "writer", "orchestrator")}
        config = resolve_model_config(
            model=options.get("model"),
            role_models={k: v for k, v in role_models.items() if v},
            api_base=options.get("api_base"),
        )
        return ChatClient(config.for_role("orchestrator"), role="orchestrator")

    @staticmethod
    def _instructions(max_attempts: int) -> str:
        return prompt_templates.render("orchestrator", "instructions", max_attempts=max_attempts)

    @staticmethod
    def _max_steps(max_attempts: int) -> int:
        # Expand, then per attempt a write and a check (often one step each), then the answer.
        return 2 * max_attempts + 4

    def bind(self, session: RunSession) -> None:
        """Point the agent (its tools and its model) at another run."""
        self.session = session
        self.model = ChatClientModel(session.client("orchestrator"))
        self.instructions = self._instructions(session.options.max_attempts)
        self.max_steps = self._max_steps(session.options.max_attempts)

    # -- guarantees ---------------------------------------------------------------------------
    def answer_renders(self, final_answer: Any, memory: Any = None, agent: Any = None) -> bool:
        """final_answer_checks entry: an answer that does not render is refused (the error goes to the model)."""
        return self.session.final_answer_check(final_answer)

    def stop_when_hopeless(self, step: Any, agent: Any = None) -> None:
        """Interrupt once a provider failed for good, or the budget is spent without a passing scene."""
        log = self.session.log
        if self.session.fatal is not None or (log.exhausted and log.passing is None):
            self.interrupt()

    # -- managed-agent use --------------------------------------------------------------------
    def __call__(self, task: str, additional_args: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """Called by a manager agent: run a whole `make_animation` for `task`.

        Returns an `AnimationOutcome`: a dict of the outcome and the paths (rendered, video,
        scene_code, run_dir, diagnosis, ...) that a manager's code can index, whose `str()` is the
        report followed by the same data as JSON, for managers that only read text.
        """
        if self.run_task is None:
            raise RuntimeError("this ManimCodeAgent is bound to a run; use make_animation_tool.managed_agent() for a manager")
        if additional_args:
            task += "\n\nAdditional context: " + json.dumps(additional_args, default=str)[:4000]
        return self.run_task(task, self)


def run_agent(session: RunSession, agent: ManimCodeAgent | None = None, *, verbose: bool = False) -> Any:
    """Run the code agent on the session's request; the attempt log decides the outcome."""
    if agent is None:
        agent = ManimCodeAgent(session, make_options=_managed_defaults(session), verbose=verbose)
    else:
        agent.bind(session)
    for key in ("previous_code", "previous_diagnosis", "spec", "request"):
        agent.state.pop(key, None)
    spec: SceneSpec | None = session.spec
    resume_note = None
    latest = session.log.latest_checked
    if latest is not None:
        agent.state["previous_code"] = latest.code
        agent.state["previous_diagnosis"] = latest.feedback()
        resume_note = (
            f"This run is resumed after {session.log.used} attempt(s). The latest code is in `previous_code` and "
            "its diagnosis in `previous_diagnosis`: start by repairing it with write_manim_code."
        )
    agent.state["request"] = session.request
    if spec is not None:
        agent.state["spec"] = spec.to_markdown()
    preview = (
        session.request
        if len(session.request) <= REQUEST_PREVIEW_CHARS
        else session.request[:REQUEST_PREVIEW_CHARS] + " …"
    )
    task = prompt_templates.render("orchestrator", "task", has_spec=spec is not None, resume_note=resume_note)
    task += f"\nThe request begins: {preview!r}"
    answer = None
    with session.stage("code", session.config.for_role("orchestrator").model):
        try:
            answer = agent.run(task, reset=True)
        except AgentError as exc:
            cause = session.fatal or _manim_agent_cause(exc)
            if cause is not None:
                raise cause from exc
            if session.log.passing is None:
                first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                session.warn(f"the agent stopped without an accepted answer: {first_line[:200]}")
    if session.fatal is not None:
        raise session.fatal
    return answer


def _managed_defaults(session: RunSession) -> dict[str, Any]:
    """make_animation options for later managed calls: the same models, mode settings and core."""
    options = session.options
    roles = {f"{role}_model": session.config.for_role(role).model for role in ("expander", "writer", "orchestrator")}
    return {
        **roles,
        "max_attempts": options.max_attempts,
        "quality": options.quality,
        "fmt": options.fmt,
        "out_dir": session.run.path.parent,
        "notes_pdf": options.notes_pdf,
        "check": session.log.check_function,
        "render": session.render_function,
        "repair": session.log.repair_function or False,
    }


def _manim_agent_cause(exc: BaseException) -> ManimAgentError | None:
    """The ManimAgentError (provider down, missing key) wrapped inside a smolagents error, if any."""
    seen = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ManimAgentError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None
