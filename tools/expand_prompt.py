"""expand_prompt: turn a short request into a detailed, LaTeX-rich director's script.

The script (`SceneSpec`) has a title, a learning goal and an ordered list of beats; each beat has
its narration, its LaTeX, what is on screen, where it sits, its colours and its duration. It also
carries the study notes' content (definition, key equations, principles, why it matters,
pitfalls), so the notes and the animation come from one source. Two forms: `to_json()` for the
program (spec.json), `to_markdown()` for people and for the code writer (spec.md).

A request that is already detailed is refined, not replaced: the prompt tells the model to keep
its beats and equations, and the original text travels with the spec.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from manim_agent import prompt_templates
from manim_agent.llm.parsing import extract_data, repair_latex_escapes
from manim_agent.llm.smolagents_model import adapters, smolagents_adapter

if TYPE_CHECKING:
    from manim_agent.llm.client import ChatClient, Completion

MIN_BEATS = 3
MAX_BEATS = 8
MAX_BEATS_KEPT = 20
TARGET_SECONDS = 40
DEFAULT_BEAT_SECONDS = 4.0
# Requests at least this long, or structured like a script, are refined rather than expanded.
DETAILED_WORDS = 80
_TITLE_STOPWORDS = frozenset("a an the is are of and or to in on for why how what with as by".split())


@dataclass
class Beat:
    """One step of the animation."""

    narration: str
    latex: list[str] = field(default_factory=list)
    on_screen: str = ""
    position: str = ""
    colors: list[str] = field(default_factory=list)
    duration: float = DEFAULT_BEAT_SECONDS


@dataclass
class SceneSpec:
    """The director's script for one scene, plus the content of its study notes."""

    title: str
    goal: str
    beats: list[Beat]
    request: str = ""
    definition: str = ""
    key_equations: list[dict[str, str]] = field(default_factory=list)
    principles: list[str] = field(default_factory=list)
    why_it_matters: str = ""
    pitfalls: list[str] = field(default_factory=list)
    detailed_request: bool = False
    # "model" when the expander produced it; "fallback" when its replies could not be read.
    source: str = "model"

    @property
    def total_seconds(self) -> float:
        return sum(b.duration for b in self.beats)

    def class_name(self) -> str:
        """A CamelCase Scene class name from the title, e.g. 'DerivativeAsSlope'."""
        words = [w for w in re.findall(r"[A-Za-z0-9]+", self.title) if w.lower() not in _TITLE_STOPWORDS][:5]
        name = "".join(w[:1].upper() + w[1:] for w in words)[:48]
        if not name or not name[0].isalpha():
            name = "Generated" + name
        return name if name.endswith("Scene") else name + "Scene"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SceneSpec:
        beats = [Beat(**{k: v for k, v in b.items() if k in Beat.__dataclass_fields__}) for b in data.get("beats", [])]
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__ and k != "beats"}
        return cls(beats=beats, **fields)

    def to_markdown(self) -> str:
        """spec.md: the script as people (and the code writer) read it."""
        lines = [
            f"# {self.title}",
            "",
            f"**Goal:** {self.goal}",
            "",
            f"**Class name:** `{self.class_name()}` · **Length:** about {self.total_seconds:g} s",
            "",
        ]
        if self.key_equations:
            lines += ["## Key equations", ""]
            for eq in self.key_equations:
                lines += ["$$", eq.get("latex", ""), "$$", ""]
        lines += ["## Beats", ""]
        start = 0.0
        for number, beat in enumerate(self.beats, start=1):
            end = start + beat.duration
            lines.append(f"### Beat {number} ({_clock(start)}–{_clock(end)}, {beat.duration:g} s)")
            lines.append("")
            lines.append(f"- **Narration:** {beat.narration}")
            if beat.on_screen:
                lines.append(f"- **On screen:** {beat.on_screen}")
            if beat.position:
                lines.append(f"- **Position:** {beat.position}")
            if beat.colors:
                lines.append(f"- **Colours:** {', '.join(beat.colors)}")
            for latex in beat.latex:
                lines += ["", "$$", latex, "$$"]
            lines.append("")
            start = end
        if self.detailed_request and self.request:
            lines += ["## The original request", "", self.request.strip(), ""]
        return "\n".join(lines).rstrip() + "\n"


def _clock(seconds: float) -> str:
    whole = int(round(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def is_detailed(request: str) -> bool:
    """True for a request that is already a script: long, or a list of steps, or full of LaTeX."""
    words = len(request.split())
    list_lines = sum(1 for line in request.splitlines() if re.match(r"\s*(?:[-*•]|\d+[.)])\s+", line))
    latex = len(re.findall(r"\\[A-Za-z]+|\$[^$]+\$", request))
    return words >= DETAILED_WORDS or list_lines >= 3 or (latex >= 3 and words >= 25)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return " ".join(_text(v) for v in value)
    return str(value).strip()


def _text_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, (list, tuple)):
        return [_text(v) for v in value if _text(v)]
    return [_text(value)]


def _latex_list(value: Any) -> list[str]:
    items = []
    for item in _text_list(value) if not isinstance(value, list) else value:
        text = item.get("latex", "") if isinstance(item, dict) else item
        latex = repair_latex_escapes(str(text)).strip().strip("$").strip()
        if latex:
            items.append(latex)
    return items


def _duration(value: Any) -> float:
    try:
        seconds = float(str(value).rstrip("s ").strip())
    except (TypeError, ValueError):
        return DEFAULT_BEAT_SECONDS
    return min(max(seconds, 1.0), 30.0)


def spec_from_data(data: dict[str, Any], request: str) -> tuple[SceneSpec | None, str | None]:
    """A SceneSpec from the model's parsed YAML, or (None, problem for the model)."""
    raw_beats = data.get("beats")
    if not isinstance(raw_beats, list) or not raw_beats:
        return None, "The script has no `beats` list; it needs at least one beat."
    beats = []
    for raw in raw_beats[:MAX_BEATS_KEPT]:
        if isinstance(raw, str):
            raw = {"narration": raw}
        if not isinstance(raw, dict):
            continue
        beats.append(
            Beat(
                narration=_text(raw.get("narration") or raw.get("text") or raw.get("description")),
                latex=_latex_list(raw.get("latex") or raw.get("equations") or []),
                on_screen=_text(raw.get("on_screen") or raw.get("visual") or raw.get("visuals")),
                position=_text(raw.get("position") or raw.get("layout")),
                colors=[c.upper() for c in _text_list(raw.get("colors") or raw.get("colours"))],
                duration=_duration(raw.get("duration", DEFAULT_BEAT_SECONDS)),
            )
        )
    beats = [b for b in beats if b.narration or b.on_screen or b.latex]
    if not beats:
        return None, "None of the beats has narration, on_screen content or LaTeX."
    equations = []
    for item in data.get("key_equations") or []:
        if isinstance(item, dict):
            latex = _latex_list([item.get("latex", "")])
            if latex:
                equations.append({"latex": latex[0], "meaning": _text(item.get("meaning"))})
        elif _text(item):
            equations.append({"latex": _latex_list([item])[0] if _latex_list([item]) else _text(item), "meaning": ""})
    spec = SceneSpec(
        title=_text(data.get("title")) or _fallback_title(request),
        goal=_text(data.get("goal")) or request.strip().splitlines()[0][:200],
        beats=beats,
        request=request,
        definition=_text(data.get("definition")),
        key_equations=equations,
        principles=_text_list(data.get("principles")),
        why_it_matters=_text(data.get("why_it_matters")),
        pitfalls=_text_list(data.get("pitfalls")),
        detailed_request=is_detailed(request),
    )
    return spec, None


def _fallback_title(request: str) -> str:
    first = request.strip().splitlines()[0] if request.strip() else "Animation"
    words = first.split()
    return " ".join(words[:8]).rstrip(".,;:") or "Animation"


def fallback_spec(request: str) -> SceneSpec:
    """A minimal one-beat script built from the request itself, used only when the model's replies
    could not be read; marked `source="fallback"` so run.json shows it."""
    return SceneSpec(
        title=_fallback_title(request),
        goal=request.strip().splitlines()[0][:200] if request.strip() else "",
        beats=[Beat(narration=request.strip(), on_screen="Animate the request as described.", duration=8.0)],
        request=request,
        detailed_request=is_detailed(request),
        source="fallback",
    )


def expansion_messages(
    request: str, *, min_beats: int = MIN_BEATS, max_beats: int = MAX_BEATS, target_seconds: int = TARGET_SECONDS
) -> list[dict[str, str]]:
    """The expander's first request (a long-form run asks for more beats and seconds)."""
    system = prompt_templates.render(
        "expand_prompt", "system", min_beats=min_beats, max_beats=max_beats, target_seconds=target_seconds
    )
    user = prompt_templates.render("expand_prompt", "user", request=request, detailed=is_detailed(request))
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def expand_prompt(request: str, *, client: ChatClient, max_tries: int = 2, **length: int) -> SceneSpec:
    """Expand `request` into a SceneSpec with the expander model.

    If a reply cannot be read, the model is told why and asked again (up to `max_tries` calls in
    all); after that a minimal fallback script is returned, marked `source="fallback"`.
    `length` (min_beats, max_beats, target_seconds) overrides the script's size.
    """
    messages = expansion_messages(request, **length)
    for _ in range(max_tries):
        completion: Completion = client.complete(messages)
        data, problem = extract_data(completion.content)
        if data is not None:
            spec, problem = spec_from_data(data, request)
            if spec is not None:
                return spec
        if completion.truncated:
            problem = f"{problem} Your reply was cut off at the length limit; keep it shorter."
        messages = messages + [
            {"role": "assistant", "content": completion.content},
            {"role": "user", "content": prompt_templates.render("expand_prompt", "retry", problem=problem)},
        ]
    return fallback_spec(request)


@smolagents_adapter
def _expand_prompt_tool(smolagents: Any) -> type:
    class ExpandPromptTool(smolagents.Tool):
        """expand_prompt as a smolagents tool.

        Give it a `client` (the expander's ChatClient), or an `expand(request) -> SceneSpec` callable
        when a run wants to record the spec itself (the code agent does).
        """

        name = "expand_prompt"
        description = (
            "Expands a plain-English request for a math animation into a detailed director's script in "
            "Markdown: title, learning goal, and ordered beats, each with narration, exact LaTeX, what is on "
            "screen, where it sits, colours and duration. Pass the script to write_manim_code as `spec`."
        )
        inputs = {
            "request": {"type": "string", "description": "The user's request, in plain English or as a draft script."}
        }
        output_type = "string"

        def __init__(self, client: ChatClient | None = None, *, expand: Callable[[str], SceneSpec] | None = None) -> None:
            if client is None and expand is None:
                raise ValueError("ExpandPromptTool needs a client or an expand function")
            super().__init__()
            self.client = client
            self.expand = expand

        def forward(self, request: str) -> str:
            if self.expand is not None:
                spec = self.expand(request)
            else:
                assert self.client is not None
                spec = expand_prompt(request, client=self.client)
            return spec.to_markdown()

    return ExpandPromptTool


__getattr__ = adapters(__name__, ExpandPromptTool=_expand_prompt_tool)
