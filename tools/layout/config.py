"""The layout check's settings: each rule's severity and thresholds, documented, loadable from YAML.

Defaults are chosen so that every scene in the curated library checks without a layout error.
A YAML file (`manim-agent check --layout-config FILE.yaml`, or `MANIM_AGENT_LAYOUT_CONFIG=FILE.yaml`)
overrides any subset of the keys below; README.md ("Layout check") lists them all:

    quality: l                 # legibility is judged at this output height: l=480p m=720p h=1080p k=2160p
    keyframes: [0.333, 0.667]  # extra snapshots inside each animation, as fractions of its run time
    content_min_size: 0.15     # a mobject counts as content when its visible part in frame is this long (units)
    off_frame:    {severity: error, shapes: warning, projected: warning, tolerance: 0.05}
    overlap:      {severity: error, fraction: 0.15, warning_fraction: 0.05}
    small_text:   {severity: error, min_px: 12, warning_px: 16}
    blank_end:    {severity: error, fade_out: warning}  # fade_out: content shown, then a closing FadeOut
    blank_middle: {severity: warning, seconds: 1.0}
    crowded:      {severity: warning, max_texts: 16}
    contact_sheet: {frames: 6, problem_frames: 6, budget: 0.05, width: 320}
    vision:       {severity: warning, frames: 4}

A severity is `error` (blocks acceptance), `warning` (reported only) or `off`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

from manim_agent.errors import ConfigError
from manim_agent.media import QUALITIES, Quality

RuleSeverity = Literal["error", "warning", "off"]
SEVERITIES: tuple[str, ...] = ("error", "warning", "off")
QUALITY_HEIGHTS: dict[Quality, int] = {"l": 480, "m": 720, "h": 1080, "k": 2160}
CONFIG_ENV = "MANIM_AGENT_LAYOUT_CONFIG"


@dataclass
class OffFrameRule:
    """A mobject partly or wholly outside the frame (judged at the end of each animation)."""

    severity: RuleSeverity = "error"  # text and formulas
    shapes: RuleSeverity = "warning"  # other mobjects (lines and backgrounds spanning the frame are exempt)
    projected: RuleSeverity = "warning"  # the most a 3-D mobject not fixed in frame can get
    tolerance: float = 0.05  # scene units a bounding box may poke out before it counts


@dataclass
class OverlapRule:
    """Two text or formula mobjects on top of each other (end of each animation only)."""

    severity: RuleSeverity = "error"
    fraction: float = 0.15  # of the smaller one's glyph area covered by the other's glyphs
    warning_fraction: float = 0.05  # a warning from here up to `fraction`; 0 turns the warning off


@dataclass
class SmallTextRule:
    """Text whose font renders below a legible size at the chosen quality."""

    severity: RuleSeverity = "error"
    min_px: float = 12.0  # font size in pixels (the em, as in CSS) below which text is unreadable
    warning_px: float = 16.0  # a warning below this


@dataclass
class BlankEndRule:
    """The scene ends on an empty (or nearly empty) frame; `fade_out` when it ends on a deliberate fade-out."""

    severity: RuleSeverity = "error"
    fade_out: RuleSeverity = "warning"


@dataclass
class BlankMiddleRule:
    """Nothing on screen for longer than `seconds` somewhere before the end."""

    severity: RuleSeverity = "warning"
    seconds: float = 1.0


@dataclass
class CrowdedRule:
    """Too many text objects on screen at once (a matrix, table or axes counts once; numbers and
    labels of at most three characters are not counted)."""

    severity: RuleSeverity = "warning"
    max_texts: int = 16


@dataclass
class ContactSheetSettings:
    """How many real frames the check draws for the contact sheet, and its time budget."""

    frames: int = 6  # evenly spread keyframes
    problem_frames: int = 6  # frames where a new layout problem first shows
    budget: float = 0.05  # drawing may take this fraction of the check's time (at least 0.1 s; the last frame is always drawn)
    width: int = 320  # thumbnail width in pixels


@dataclass
class VisionSettings:
    """The optional vision-model review (`--vision-model`)."""

    severity: RuleSeverity = "warning"  # the most a vision finding can get
    frames: int = 4  # keyframes sent to the model


@dataclass
class LayoutConfig:
    """Every setting of the layout check. `LayoutConfig.from_mapping(yaml_data)` validates a file."""

    quality: Quality = "l"
    keyframes: list[float] = field(default_factory=lambda: [1 / 3, 2 / 3])
    content_min_size: float = 0.15
    off_frame: OffFrameRule = field(default_factory=OffFrameRule)
    overlap: OverlapRule = field(default_factory=OverlapRule)
    small_text: SmallTextRule = field(default_factory=SmallTextRule)
    blank_end: BlankEndRule = field(default_factory=BlankEndRule)
    blank_middle: BlankMiddleRule = field(default_factory=BlankMiddleRule)
    crowded: CrowdedRule = field(default_factory=CrowdedRule)
    contact_sheet: ContactSheetSettings = field(default_factory=ContactSheetSettings)
    vision: VisionSettings = field(default_factory=VisionSettings)

    @property
    def pixel_height(self) -> int:
        return QUALITY_HEIGHTS[self.quality]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None, *, source: str = "layout config") -> LayoutConfig:
        """Build a config from (possibly partial) nested data; ConfigError names any bad key or value."""
        config = cls()
        for key, value in (data or {}).items():
            if key not in _field_names(cls):
                raise ConfigError(f"{source}: unknown key {key!r}; the keys are {', '.join(_field_names(cls))}")
            current = getattr(config, key)
            if hasattr(current, "__dataclass_fields__"):
                if not isinstance(value, Mapping):
                    raise ConfigError(f"{source}: {key!r} must be a mapping such as {asdict(current)}")
                for sub_key, sub_value in value.items():
                    if sub_key not in _field_names(type(current)):
                        raise ConfigError(
                            f"{source}: unknown key {key}.{sub_key}; {key} takes {', '.join(_field_names(type(current)))}"
                        )
                    setattr(current, sub_key, _coerce(f"{key}.{sub_key}", getattr(current, sub_key), sub_value, source))
            else:
                setattr(config, key, _coerce(key, current, value, source))
        config._validate(source)
        return config

    def _validate(self, source: str) -> None:
        if self.quality not in QUALITIES:
            raise ConfigError(f"{source}: quality must be one of {', '.join(QUALITIES)}, not {self.quality!r}")
        if any(not 0 < f < 1 for f in self.keyframes):
            raise ConfigError(f"{source}: keyframes are fractions of an animation, each between 0 and 1")
        for rule in (self.off_frame, self.overlap, self.small_text, self.blank_end, self.blank_middle, self.crowded, self.vision):
            for item in fields(rule):
                value = getattr(rule, item.name)
                if item.name in ("severity", "shapes", "projected", "fade_out") and value not in SEVERITIES:
                    raise ConfigError(f"{source}: a severity is error, warning or off, not {value!r}")
        if not 0 < self.content_min_size < 1:
            raise ConfigError(f"{source}: content_min_size must be between 0 and 1 scene unit")


def _field_names(cls: type) -> list[str]:
    return [f.name for f in fields(cls)]


def _coerce(name: str, current: Any, value: Any, source: str) -> Any:
    """The value converted to the default's type, or a ConfigError that says what was expected."""
    try:
        if isinstance(current, bool):
            return bool(value)
        if isinstance(current, int):
            return int(value)
        if isinstance(current, float):
            return float(value)
        if isinstance(current, list):
            return [float(v) for v in value]
        return str(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{source}: {name} must be a {type(current).__name__}, not {value!r}") from None


def load_layout_config(path: str | Path | None = None, *, environ: Mapping[str, str] | None = None) -> LayoutConfig:
    """The config from `path`, else from the file named by MANIM_AGENT_LAYOUT_CONFIG, else the defaults."""
    env = os.environ if environ is None else environ
    chosen = path or env.get(CONFIG_ENV) or None
    if chosen is None:
        return LayoutConfig()
    import yaml  # only needed when a file is given

    file = Path(chosen)
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read the layout config {str(file)!r}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"the layout config {str(file)!r} is not valid YAML: {exc}") from exc
    if data is not None and not isinstance(data, Mapping):
        raise ConfigError(f"the layout config {str(file)!r} must be a mapping of keys to values")
    return LayoutConfig.from_mapping(data, source=str(file))
