"""Long-form videos, the plan: the director's script split into sections, one Scene class each.

`plan_sections(spec, "auto" | N)` groups the script's beats into contiguous sections balanced by
duration (auto: one section per ~30 s of script, at most 6 beats a section). `section_spec(...)`
is the script of one section as the code writer sees it: the section's own beats, its Scene class
name (`Section02...`), the beat markers to write, and the previous section's final on-screen
state, so that the parts join up. That state comes from the previous section's check (the layout
snapshot's final frame: `final_state_items`) when it has passed already, and from its script
otherwise (sections are written in parallel).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from manim_agent import prompt_templates
from manim_agent.errors import UserError
from manim_agent.tools.expand_prompt import MAX_BEATS_KEPT, Beat, SceneSpec

SECTION_SECONDS = 30.0
MAX_BEATS_PER_SECTION = 6
MAX_STATE_ITEMS = 12
# `# Beat N` comment lines that the writer puts before each beat's animations.
BEAT_MARKER = re.compile(r"^(?P<indent>[ \t]*)#\s*Beat\s+(?P<number>\d+)\b", re.IGNORECASE)


@dataclass
class SectionPlan:
    """One section: its number (1-based), its beats (0-based indexes into the whole script), its title."""

    number: int
    beats: list[int]
    title: str
    class_name: str = ""

    @property
    def folder(self) -> str:
        return f"sections/{self.number:02d}"

    def to_json(self) -> dict[str, Any]:
        return {"number": self.number, "beats": self.beats, "title": self.title, "class_name": self.class_name,
                "dir": self.folder}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SectionPlan:
        return cls(int(data["number"]), [int(b) for b in data["beats"]], str(data.get("title", "")),
                   str(data.get("class_name", "")))


def parse_sections(value: str | int | None) -> str | int | None:
    """`--sections auto|N` as "auto" or a positive int; UserError for anything else."""
    if value is None:
        return None
    text = str(value).strip().lower()
    if text == "auto":
        return "auto"
    try:
        number = int(text)
    except ValueError:
        raise UserError(f"--sections takes auto or a whole number of sections, not {value!r}") from None
    if number < 1 or number > MAX_BEATS_KEPT:
        raise UserError(f"--sections must be between 1 and {MAX_BEATS_KEPT} (a section holds at least one beat), not {number}")
    return number


def expansion_length(sections: str | int) -> dict[str, int]:
    """How long a script to ask the expander for: enough beats for the sections asked."""
    if sections == "auto":
        return {"min_beats": 6, "max_beats": MAX_BEATS_KEPT, "target_seconds": 120}
    count = int(sections)
    return {"min_beats": max(3, 2 * count), "max_beats": min(MAX_BEATS_KEPT, max(8, 4 * count)),
            "target_seconds": int(SECTION_SECONDS * count)}


def auto_count(spec: SceneSpec) -> int:
    """Sections for `--sections auto`: by the length of the script, in seconds and in beats."""
    beats = len(spec.beats)
    count = max(math.ceil(spec.total_seconds / SECTION_SECONDS), math.ceil(beats / MAX_BEATS_PER_SECTION), 1)
    return min(count, beats)


def _short_title(beat: Beat, limit: int = 8) -> str:
    text = beat.narration or beat.on_screen or (beat.latex[0] if beat.latex else "")
    words = text.split()
    title = " ".join(words[:limit]).rstrip(".,;:")
    return title + ("…" if len(words) > limit else "")


def plan_sections(spec: SceneSpec, sections: str | int) -> tuple[list[SectionPlan], list[str]]:
    """The sections of `spec` (contiguous beats, balanced by duration) and any warnings."""
    if not spec.beats:
        raise UserError(
            "The scene description has no beats, so there is nothing to split into sections. "
            "Give the request more detail (or fix spec.json's `beats` list) and run again."
        )
    warnings = []
    count = auto_count(spec) if sections == "auto" else int(sections)
    if count > len(spec.beats):
        warnings.append(
            f"--sections {count} asked for more sections than the script has beats ({len(spec.beats)}); "
            f"making {len(spec.beats)} sections of one beat each"
        )
        count = len(spec.beats)
    durations = [max(b.duration, 0.1) for b in spec.beats]
    total = sum(durations)
    groups: list[list[int]] = [[]]
    elapsed = 0.0
    for index, seconds in enumerate(durations):
        left_beats = len(durations) - index
        left_groups = count - len(groups)
        boundary = total * len(groups) / count
        if groups[-1] and left_groups > 0 and (elapsed + seconds / 2 >= boundary or left_beats <= left_groups):
            groups.append([])
        groups[-1].append(index)
        elapsed += seconds
    base = spec.class_name()
    plans = [
        SectionPlan(number, group, _short_title(spec.beats[group[0]]), f"Section{number:02d}{base}")
        for number, group in enumerate(groups, start=1)
    ]
    return plans, warnings


@dataclass
class SectionSpec(SceneSpec):
    """The script of one section: its beats, numbered as in the whole script, plus how it joins up."""

    section: dict[str, Any] = field(default_factory=dict)
    previous_state: dict[str, Any] | None = None
    next_title: str | None = None
    first_beat: int = 1

    def class_name(self) -> str:
        return str(self.section.get("class_name") or super().class_name())

    def to_markdown(self) -> str:
        text = super().to_markdown()
        # The beats keep their numbers in the whole video, so markers and subtitles agree.
        if self.first_beat != 1:
            text = re.sub(r"^### Beat (\d+) ", lambda m: f"### Beat {int(m.group(1)) + self.first_beat - 1} ",
                          text, flags=re.MULTILINE)
        extra = prompt_templates.render(
            "sections", "section_spec", section=self.section, previous_state=self.previous_state,
            next_title=self.next_title,
        )
        return text.rstrip() + "\n\n" + extra


def planned_state(spec: SceneSpec, plan: SectionPlan) -> dict[str, Any]:
    """The previous section's end as its script describes it (its last beat)."""
    beat = spec.beats[plan.beats[-1]]
    items = [beat.on_screen or beat.narration]
    if beat.position:
        items.append(f"placed: {beat.position}")
    items += [f"formula: {latex}" for latex in beat.latex]
    return {"source": "planned", "items": [i for i in items if i]}


def final_state_items(layout: dict[str, Any] | None) -> list[str]:
    """What is on screen at a checked scene's end, from the layout snapshot's final record."""
    snapshots = (layout or {}).get("snapshots") or []
    final = next((s for s in reversed(snapshots) if s.get("phase") == "final" and s.get("units")), None)
    if final is None:
        final = next((s for s in reversed(snapshots) if s.get("phase") == "end" and s.get("units")), None)
    items = []
    for unit in (final or {}).get("units", [])[:MAX_STATE_ITEMS]:
        box = unit.get("box") or []
        where = ""
        if len(box) == 4:
            cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
            where = f" centred at ({cx:.2f}, {cy:.2f}), {box[2] - box[0]:.2f} wide and {box[3] - box[1]:.2f} high"
        text = f" {unit['text']!r}" if unit.get("text") else ""
        items.append(f"{unit.get('kind', 'object')}{text}{where}")
    return items


def section_spec(
    spec: SceneSpec, plans: list[SectionPlan], number: int, previous_state: dict[str, Any] | None
) -> SectionSpec:
    """The writer's script for section `number` (1-based) of `plans`."""
    plan = plans[number - 1]
    beats = [spec.beats[i] for i in plan.beats]
    following = plans[number].title if number < len(plans) else None
    return SectionSpec(
        title=f"{spec.title}, part {number}: {plan.title}",
        goal=spec.goal,
        beats=beats,
        request=spec.request,
        definition=spec.definition,
        key_equations=[eq for eq in spec.key_equations if any(eq.get("latex") in b.latex for b in beats)],
        principles=spec.principles,
        why_it_matters=spec.why_it_matters,
        pitfalls=spec.pitfalls,
        detailed_request=False,  # the whole request would make the writer animate every section
        source=spec.source,
        section={"number": number, "count": len(plans), "title": plan.title, "class_name": plan.class_name,
                 "video_title": spec.title, "first_beat": plan.beats[0] + 1},
        previous_state=previous_state,
        next_title=following,
        first_beat=plan.beats[0] + 1,
    )


def beat_markers(code: str) -> list[tuple[int, int, str]]:
    """The `# Beat N` markers of a scene: (line number, beat number, indentation), in file order."""
    found = []
    for number, line in enumerate(code.splitlines(), start=1):
        match = BEAT_MARKER.match(line)
        if match:
            found.append((number, int(match.group("number")), match.group("indent")))
    return found
