"""write_manim_code: have the writer model produce a Manim CE scene, or repair one.

New code: the prompt states the installed Manim CE version and the rules that avoid the known
failures, and shows one or two library scenes chosen by how close their docstrings and TAGS are
to the request. Repair: the prompt carries only the previous code and the core's diagnosis, and
asks for search/replace edits (a fraction of the tokens of a rewrite); a whole file is accepted too.
Whatever the model replies goes through `manim_agent.llm.parsing.extract_code`, so a reply without usable
code comes back as a `problem` to feed to the next request, never as an exception.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from typing import TYPE_CHECKING, Any, Literal

from manim_agent import prompt_templates
from manim_agent.llm.parsing import extract_code
from manim_agent.llm.smolagents_model import adapters, smolagents_adapter
from manim_agent.tools.diagnosis import Diagnosis
from manim_agent.tools.examples import Example, choose_examples
from manim_agent.tools.static.api_renames import NAME_RENAMES

if TYPE_CHECKING:
    from manim_agent.llm.client import ChatClient, Completion

WriteMode = Literal["new", "edit", "rewrite"]
# The renames a model trained on ManimGL-era code most often gets wrong, shown in every prompt.
PROMPT_RENAMES = (
    "ShowCreation",
    "TextMobject",
    "TexMobject",
    "GraphScene",
    "FadeInFrom",
    "FadeOutAndShift",
    "ParametricSurface",
)


@functools.lru_cache(maxsize=1)
def manim_version() -> str:
    """The installed Manim CE version, read without importing manim (which takes seconds)."""
    try:
        return metadata.version("manim")
    except metadata.PackageNotFoundError:
        return "0.19+"


def diagnosis_text(diagnosis: Diagnosis | dict[str, Any] | str | None) -> str:
    """The diagnosis as compact text for the repair prompt (`Diagnosis.for_model`), whatever form it arrives in."""
    if diagnosis is None:
        return ""
    if isinstance(diagnosis, Diagnosis):
        return diagnosis.for_model()
    data: Any = diagnosis
    if isinstance(diagnosis, str):
        try:
            data = json.loads(diagnosis)
        except json.JSONDecodeError:
            return diagnosis.strip()
    if not isinstance(data, dict):
        return str(diagnosis).strip()
    parsed = Diagnosis.from_json(data)
    if parsed.ok or not parsed.errors:
        return json.dumps(data)[:2000]
    return parsed.for_model()


@dataclass
class WrittenCode:
    """The writer's result: the complete file, or a problem to send back with the next request."""

    code: str | None
    mode: WriteMode
    problem: str | None = None
    notes: list[str] = field(default_factory=list)
    raw: str = ""
    reasoning: str = ""
    completion: Any = None

    @property
    def ok(self) -> bool:
        return self.code is not None and self.problem is None


def new_code_messages(
    spec: str,
    *,
    class_name: str = "GeneratedScene",
    request: str | None = None,
    examples: list[Example] | None = None,
) -> list[dict[str, str]]:
    """The writer's request for a first version of the scene."""
    renames = [
        {"old": NAME_RENAMES[name].old, "hint": NAME_RENAMES[name].hint}
        for name in PROMPT_RENAMES
        if name in NAME_RENAMES
    ]
    system = prompt_templates.render(
        "write_code", "system", manim_version=manim_version(), renames=renames, class_name=class_name
    )
    chosen = choose_examples(spec + "\n" + (request or "")) if examples is None else examples
    user = prompt_templates.render(
        "write_code",
        "user",
        spec=spec.strip(),
        request=request.strip() if request else None,
        examples=[{"name": e.name, "summary": e.summary, "code": e.code.strip()} for e in chosen],
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def repair_messages(previous_code: str, diagnosis: Any, *, prefer_edits: bool = True) -> list[dict[str, str]]:
    """The writer's request to fix `previous_code` given the core's diagnosis."""
    system = prompt_templates.render("write_code", "repair_system", manim_version=manim_version())
    cut = _cut_off_line(diagnosis)
    user = prompt_templates.render(
        "write_code",
        "continue" if cut else "repair",
        code=previous_code.rstrip("\n"),
        diagnosis=diagnosis_text(diagnosis) or "(no details)",
        prefer_edits=prefer_edits,
        last_line=cut,
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def _cut_off_line(diagnosis: Any) -> int | None:
    """The last line of a file the check found cut off mid-statement (a model's output limit), else None."""
    findings = getattr(diagnosis, "findings", None)
    if findings is None and isinstance(diagnosis, dict):
        findings = [diagnosis, *diagnosis.get("issues", [])]
    for finding in findings or []:
        details = finding.get("details", {}) if isinstance(finding, dict) else finding.details
        if details and details.get("truncated"):
            return int(details.get("last_line") or 0) or None
    return None


def class_name_from_spec(spec: str) -> str:
    """The class name spec.md announces, or a neutral default."""
    match = re.search(r"\*\*Class name:\*\*\s*`(\w+)`", spec)
    return match.group(1) if match else "GeneratedScene"


def write_manim_code(
    spec: str,
    *,
    client: ChatClient,
    previous_code: str | None = None,
    diagnosis: Any = None,
    request: str | None = None,
    examples: list[Example] | None = None,
    prefer_edits: bool = True,
) -> WrittenCode:
    """Write a new scene for `spec`, or repair `previous_code` given `diagnosis`.

    Returns a WrittenCode whose `code` is the complete file (edits applied), or whose `problem`
    says what was wrong with the model's reply (no code, cut off, an edit that does not apply).
    """
    repairing = bool(previous_code and previous_code.strip())
    if repairing:
        messages = repair_messages(previous_code or "", diagnosis, prefer_edits=prefer_edits)
    else:
        messages = new_code_messages(spec, class_name=class_name_from_spec(spec), request=request, examples=examples)
        if diagnosis:
            # A first version whose earlier reply was unusable: say why, once.
            messages[-1]["content"] += "\n\nYour previous reply could not be used: " + diagnosis_text(diagnosis)
    completion: Completion = client.complete(messages)
    parsed = extract_code(
        completion.content, previous=previous_code if repairing else None, truncated=completion.truncated
    )
    mode: WriteMode = "edit" if parsed.kind == "edit" else ("rewrite" if repairing else "new")
    problem = parsed.problem
    if (
        parsed.code is not None
        and problem is None
        and repairing
        and parsed.code.strip() == (previous_code or "").strip()
    ):
        problem = (
            "Your reply did not change the code, so the same failure would repeat. Fix the problem in the diagnosis."
        )
    return WrittenCode(
        code=parsed.code if problem is None else None,
        mode=mode,
        problem=problem,
        notes=parsed.notes,
        raw=completion.content,
        reasoning=completion.reasoning,
        completion=completion,
    )


WriteFunction = Callable[[str, "str | None", "str | None"], str]


@smolagents_adapter
def _write_manim_code_tool(smolagents: Any) -> type:
    class WriteManimCodeTool(smolagents.Tool):
        """write_manim_code as a smolagents tool.

        Give it a `client` (the writer's ChatClient), or a `write(spec, previous_code, diagnosis) -> code`
        callable when a run wants to record attempts itself (the code agent does). Either way a reply
        without usable code raises ValueError carrying the problem, which the agent sees as the error.
        """

        name = "write_manim_code"
        description = (
            "Writes a complete Manim Community Edition scene (Python source) for a director's script. To repair "
            "a scene that failed render_scene, also pass previous_code and the diagnosis JSON that render_scene "
            "returned; the writer then edits the code to fix exactly those problems. Returns the full code."
        )
        inputs = {
            "spec": {"type": "string", "description": "The director's script from expand_prompt (Markdown)."},
            "previous_code": {"type": "string", "description": "The code that failed, when repairing.", "nullable": True},
            "diagnosis": {
                "type": "string",
                "description": "render_scene's JSON diagnosis of previous_code.",
                "nullable": True,
            },
        }
        output_type = "string"

        def __init__(self, client: ChatClient | None = None, *, write: WriteFunction | None = None) -> None:
            if client is None and write is None:
                raise ValueError("WriteManimCodeTool needs a client or a write function")
            super().__init__()
            self.client = client
            self.write = write

        def forward(self, spec: str, previous_code: str | None = None, diagnosis: str | None = None) -> str:
            if self.write is not None:
                return self.write(spec, previous_code, diagnosis)
            assert self.client is not None
            written = write_manim_code(spec, client=self.client, previous_code=previous_code, diagnosis=diagnosis)
            if not written.ok:
                raise ValueError(f"The code writer's reply could not be used: {written.problem}")
            return written.code or ""

    return WriteManimCodeTool


__getattr__ = adapters(__name__, WriteManimCodeTool=_write_manim_code_tool)
