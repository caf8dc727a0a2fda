"""make_animation as a smolagents Tool, and the structured outcome every embedding hands back.

    from manim_agent.agent.make_animation_tool import MakeAnimationTool
    agent = CodeAgent(tools=[MakeAnimationTool(model="deepseek/deepseek-chat")], model=...)

The tool runs a whole `make_animation` per request and returns an `AnimationOutcome`: a plain dict
(so an outer CodeAgent indexes it, `outcome["video"]`) whose `str()` is a short report followed by
the same data as JSON (so a tool-calling agent, which only sees text, gets the paths too). The MCP
server and the managed agent return the same object.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from manim_agent.agent.make import MakeResult, make_animation
from manim_agent.llm.smolagents_model import adapters, smolagents_adapter

if TYPE_CHECKING:
    from manim_agent.agent.code_agent import ManimCodeAgent

OUTCOME_KEYS = (
    "rendered", "status", "message", "run_dir", "video", "last_frame", "scene_path", "scene_code",
    "spec_md", "notes_md", "contact_sheet", "attempts", "diagnosis",
)
TOOL_DESCRIPTION = (
    "Makes a rendered Manim Community Edition animation from a plain-English request (a math or science "
    "idea to explain). It expands the request, writes the scene, checks and repairs it in a sandbox until it "
    "renders, then renders the video and writes study notes. Returns a dict: rendered (bool), status, "
    "message, run_dir, video (path to the video file, or None), last_frame (PNG path), scene_path, "
    "scene_code (the scene's Python source), spec_md, notes_md, contact_sheet, attempts (int), and "
    "diagnosis (the last check's diagnosis dict when it did not render, else None)."
)


class AnimationOutcome(dict):
    """The outcome of one make_animation run as plain data; `str()` is a report plus the JSON."""

    @property
    def rendered(self) -> bool:
        return bool(self.get("rendered"))

    def __str__(self) -> str:
        data = {k: v for k, v in self.items() if k != "scene_code"}
        return f"{self.get('message', '')}\n{json.dumps(data, indent=2, default=str)}"


def _path(value: Any) -> str | None:
    """An absolute path (a run under a relative out_dir has relative paths), or None."""
    return str(Path(value).resolve()) if value else None


def animation_outcome(result: MakeResult) -> AnimationOutcome:
    """The structured form of a MakeResult: paths as strings, the code inline, the diagnosis on failure."""
    return AnimationOutcome(
        rendered=result.ok,
        status=result.status,
        message=result.report(),
        run_dir=str(result.run_dir.resolve()),
        video=_path(result.video),
        last_frame=_path(result.last_frame),
        scene_path=_path(result.scene_path or result.outputs.get("best_scene")),
        scene_code=result.code,
        spec_md=_path(result.spec_md),
        notes_md=_path(result.notes_md),
        contact_sheet=_path(result.contact_sheet),
        attempts=len(result.attempts),
        diagnosis=None if result.ok else result.diagnosis,
    )


@smolagents_adapter
def _make_animation_tool(smolagents: Any) -> type:
    class MakeAnimationTool(smolagents.Tool):
        """make_animation for an outer agent; `make_options` are make_animation's keyword arguments."""

        name = "make_animation"
        description = TOOL_DESCRIPTION
        inputs = {
            "request": {
                "type": "string",
                "description": "What the animation should show, in plain English (the more detail, the better).",
            }
        }
        output_type = "object"

        def __init__(self, **make_options: Any) -> None:
            super().__init__()
            self.make_options = make_options

        def forward(self, request: str) -> AnimationOutcome:
            return animation_outcome(make_animation(request, **self.make_options))

    return MakeAnimationTool


__getattr__ = adapters(__name__, MakeAnimationTool=_make_animation_tool)


def managed_agent(**make_options: Any) -> ManimCodeAgent:
    """A ManimCodeAgent to list in a manager's `managed_agents`; `make_options` are make_animation's
    keyword arguments (models, max_attempts, quality, out_dir, ...) used for every task it gets.
    Each task becomes its own agent-mode run; the manager gets its `AnimationOutcome`."""
    from manim_agent.agent.code_agent import ManimCodeAgent  # smolagents: seconds to import, only for agents

    def run_task(task: str, agent: ManimCodeAgent) -> AnimationOutcome:
        return animation_outcome(make_animation(task, mode="agent", agent=agent, **agent.make_options))

    return ManimCodeAgent(None, make_options=make_options, run_task=run_task)
