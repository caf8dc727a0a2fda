"""Eval suites: a YAML file of requests, each with optional expectations and scripted replies.

    name: smoke                      # required; identifies the suite's run directories
    description: ...                 # optional
    defaults: {max_attempts: 3, quality: l, format: png}
    cases:
      - id: circle-first-try         # required, unique: letters, digits, - _ .
        prompt: draw a blue circle   # required, the plain-English request
        topic: maths                 # optional tags
        difficulty: easy             #   easy | medium | hard
        tags: [geometry]
        max_attempts: 2              # optional: this case's attempt budget
        expect:                      # optional, checked on the final scene
          on_screen: ['A = \\pi r^2']  # texts or TeX that must be shown at some point
          uses: [Circle]             # Manim names the code must use (classes, base scenes, methods)
          duration: [1, 30]          # seconds; either bound may be null
          max_attempts: 2            # at most this many LLM-written versions
        script:                      # optional: scripted replies, so the case runs offline
          mode: pipeline             # the mode the replies are written for (default pipeline)
          replies: [...]             # one queue for every role, or expander: / writer: / orchestrator:

`load_suite(path)` returns a typed `Suite`; every problem raises `SuiteError` with one line naming
the file, the case and the field. Nothing here imports Manim or litellm.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from manim_agent.errors import SuiteError
from manim_agent.media import FORMATS, QUALITIES

Difficulty = Literal["easy", "medium", "hard"]
DIFFICULTIES: tuple[str, ...] = ("easy", "medium", "hard")
MODES: tuple[str, ...] = ("agent", "pipeline")
ROLES: tuple[str, ...] = ("expander", "writer", "orchestrator")
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")
SUITE_KEYS = {"name", "description", "defaults", "cases"}
DEFAULT_KEYS = {"max_attempts", "quality", "format", "mode"}
CASE_KEYS = {"id", "prompt", "topic", "difficulty", "tags", "max_attempts", "expect", "script"}
EXPECT_KEYS = {"on_screen", "uses", "duration", "max_attempts"}
SCRIPT_KEYS = {"mode", "price_as", "replies", *ROLES}
REPLY_KEYS = {"content", "reasoning", "input_tokens", "output_tokens", "finish_reason"}


@dataclass
class Expectations:
    """What the final scene must show or do; every field is optional."""

    on_screen: list[str] = field(default_factory=list)
    uses: list[str] = field(default_factory=list)
    duration: tuple[float | None, float | None] | None = None
    max_attempts: int | None = None

    def __bool__(self) -> bool:
        return bool(self.on_screen or self.uses or self.duration or self.max_attempts)


@dataclass
class Script:
    """Scripted replies: one queue shared by every role (`replies`), or one queue per role."""

    mode: str = "pipeline"
    price_as: str | None = None
    replies: list[Any] | None = None
    roles: dict[str, list[Any]] = field(default_factory=dict)


@dataclass
class Case:
    id: str
    prompt: str
    topic: str | None = None
    difficulty: str | None = None
    tags: list[str] = field(default_factory=list)
    max_attempts: int | None = None
    expect: Expectations = field(default_factory=Expectations)
    script: Script | None = None

    def to_json(self) -> dict[str, Any]:
        """Plain data, so a case can travel to a worker process or a Ray task."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Case:
        expect = Expectations(**data.get("expect") or {})
        if expect.duration is not None:
            expect.duration = tuple(expect.duration)  # type: ignore[assignment]
        script = Script(**data["script"]) if data.get("script") else None
        return cls(**{**data, "expect": expect, "script": script})


@dataclass
class Suite:
    name: str
    path: Path
    cases: list[Case]
    description: str = ""
    defaults: dict[str, Any] = field(default_factory=dict)
    digest: str = ""

    @property
    def scripted(self) -> bool:
        return all(case.script is not None for case in self.cases)


class _Where:
    """Builds the `file: case 'id': field 'x': problem` messages."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def error(self, problem: str, *, case: str | None = None, field_: str | None = None) -> SuiteError:
        parts = [str(self.path)]
        if case is not None:
            parts.append(f"case {case!r}")
        if field_ is not None:
            parts.append(f"field {field_!r}")
        return SuiteError(": ".join(parts + [problem]))


def load_suite(path: str | Path) -> Suite:
    """Read and validate a suite file; SuiteError (exit 2) on the first problem."""
    path = Path(path)
    where = _Where(path)
    try:
        raw_text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise where.error("no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise where.error(f"cannot read it: {exc}") from None
    try:
        data = yaml.safe_load(raw_text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise where.error(f"not valid YAML{at}: {problem}") from None
    if not isinstance(data, dict):
        raise where.error("a suite is a YAML mapping with `name` and `cases`")
    _unknown(where, data, SUITE_KEYS, "the suite")
    name = data.get("name")
    if not isinstance(name, str) or not ID_PATTERN.match(name):
        raise where.error("the suite needs a `name` (letters, digits, - _ .)", field_="name")
    defaults = _defaults(where, data.get("defaults"))
    raw_cases = data.get("cases")
    if not isinstance(raw_cases, list) or not raw_cases:
        raise where.error("the suite needs a non-empty list of cases", field_="cases")
    cases: list[Case] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_cases):
        case = _case(where, raw, index)
        if case.id in seen:
            raise where.error("duplicate id: every case needs its own", case=case.id, field_="id")
        seen.add(case.id)
        cases.append(case)
    description = data.get("description") or ""
    if not isinstance(description, str):
        raise where.error("must be text", field_="description")
    digest = hashlib.sha256(raw_text.encode("utf-8")).hexdigest()[:16]
    return Suite(name=name, path=path, cases=cases, description=description, defaults=defaults, digest=digest)


def _unknown(where: _Where, data: dict[str, Any], allowed: set[str], what: str, case: str | None = None, prefix: str = "") -> None:
    for key in data:
        if key not in allowed:
            raise where.error(
                f"unknown key in {what}; allowed: {', '.join(sorted(allowed))}", case=case, field_=f"{prefix}{key}"
            )


def _defaults(where: _Where, raw: Any) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise where.error("must be a mapping", field_="defaults")
    _unknown(where, raw, DEFAULT_KEYS, "defaults", prefix="defaults.")
    if "max_attempts" in raw:
        _positive_int(where, raw["max_attempts"], None, "defaults.max_attempts")
    if raw.get("quality", "l") not in QUALITIES:
        raise where.error(f"must be one of {', '.join(QUALITIES)}", field_="defaults.quality")
    if raw.get("format", "mp4") not in FORMATS:
        raise where.error(f"must be one of {', '.join(FORMATS)}", field_="defaults.format")
    if raw.get("mode", "agent") not in MODES:
        raise where.error("must be agent or pipeline", field_="defaults.mode")
    return dict(raw)


def _positive_int(where: _Where, value: Any, case: str | None, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise where.error(f"must be a whole number of at least 1, not {value!r}", case=case, field_=name)
    return value


def _strings(where: _Where, value: Any, case: str, name: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise where.error("must be a list of non-empty strings", case=case, field_=name)
    return list(value)


def _case(where: _Where, raw: Any, index: int) -> Case:
    label = f"#{index + 1}"
    if not isinstance(raw, dict):
        raise where.error("each case is a mapping with `id` and `prompt`", case=label)
    case_id = raw.get("id")
    if case_id is not None:
        label = str(case_id)
    if not isinstance(case_id, str) or not ID_PATTERN.match(case_id):
        raise where.error("needs an `id` of letters, digits, - _ . (at most 80)", case=label, field_="id")
    _unknown(where, raw, CASE_KEYS, "a case", case=case_id)
    prompt = raw.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise where.error("needs a non-empty `prompt` (the request)", case=case_id, field_="prompt")
    case = Case(id=case_id, prompt=prompt.strip())
    for key in ("topic",):
        if raw.get(key) is not None:
            if not isinstance(raw[key], str):
                raise where.error("must be text", case=case_id, field_=key)
            case.topic = raw[key]
    if raw.get("difficulty") is not None:
        if raw["difficulty"] not in DIFFICULTIES:
            raise where.error(f"must be one of {', '.join(DIFFICULTIES)}", case=case_id, field_="difficulty")
        case.difficulty = raw["difficulty"]
    if raw.get("tags") is not None:
        case.tags = _strings(where, raw["tags"], case_id, "tags")
    if raw.get("max_attempts") is not None:
        case.max_attempts = _positive_int(where, raw["max_attempts"], case_id, "max_attempts")
    if raw.get("expect") is not None:
        case.expect = _expect(where, raw["expect"], case_id)
    if raw.get("script") is not None:
        case.script = _script(where, raw["script"], case_id)
    return case


def _expect(where: _Where, raw: Any, case_id: str) -> Expectations:
    if not isinstance(raw, dict):
        raise where.error("must be a mapping of expectations", case=case_id, field_="expect")
    _unknown(where, raw, EXPECT_KEYS, "expect", case=case_id, prefix="expect.")
    expect = Expectations()
    if raw.get("on_screen") is not None:
        expect.on_screen = _strings(where, raw["on_screen"], case_id, "expect.on_screen")
    if raw.get("uses") is not None:
        expect.uses = _strings(where, raw["uses"], case_id, "expect.uses")
        for name in expect.uses:
            if not name.isidentifier():
                raise where.error(f"{name!r} is not a Python name", case=case_id, field_="expect.uses")
    if raw.get("duration") is not None:
        bounds = raw["duration"]
        if (
            not isinstance(bounds, list)
            or len(bounds) != 2
            or not all(b is None or (isinstance(b, (int, float)) and not isinstance(b, bool) and b >= 0) for b in bounds)
            or bounds == [None, None]
        ):
            raise where.error("must be [min_seconds, max_seconds] (one may be null)", case=case_id, field_="expect.duration")
        low, high = bounds
        if low is not None and high is not None and low > high:
            raise where.error(f"the minimum {low} is above the maximum {high}", case=case_id, field_="expect.duration")
        expect.duration = (low, high)
    if raw.get("max_attempts") is not None:
        expect.max_attempts = _positive_int(where, raw["max_attempts"], case_id, "expect.max_attempts")
    return expect


def _script(where: _Where, raw: Any, case_id: str) -> Script:
    if not isinstance(raw, dict):
        raise where.error("must be a mapping (replies: or expander:/writer:/orchestrator:)", case=case_id, field_="script")
    _unknown(where, raw, SCRIPT_KEYS, "script", case=case_id, prefix="script.")
    script = Script(mode=raw.get("mode", "pipeline"), price_as=raw.get("price_as"))
    if script.mode not in MODES:
        raise where.error("must be agent or pipeline", case=case_id, field_="script.mode")
    if script.price_as is not None and not isinstance(script.price_as, str):
        raise where.error("must be a litellm model name", case=case_id, field_="script.price_as")
    per_role = [role for role in ROLES if role in raw]
    if ("replies" in raw) == bool(per_role):
        raise where.error("give either `replies` (every role) or per-role lists, not both or neither", case=case_id, field_="script")
    if "replies" in raw:
        script.replies = _replies(where, raw["replies"], case_id, "script.replies")
    for role in per_role:
        script.roles[role] = _replies(where, raw[role], case_id, f"script.{role}")
    if script.mode == "agent" and script.replies is None and "orchestrator" not in script.roles:
        raise where.error("agent mode needs orchestrator replies", case=case_id, field_="script.orchestrator")
    return script


def _replies(where: _Where, raw: Any, case_id: str, name: str) -> list[Any]:
    if not isinstance(raw, list) or not raw:
        raise where.error("must be a non-empty list of replies", case=case_id, field_=name)
    replies: list[Any] = []
    for number, reply in enumerate(raw, start=1):
        if isinstance(reply, str):
            replies.append(reply)
        elif isinstance(reply, dict) and "content" in reply:
            _unknown(where, reply, REPLY_KEYS, "a reply", case=case_id, prefix=f"{name}[{number}].")
            replies.append(dict(reply))
        else:
            raise where.error("a reply is text or a mapping with `content`", case=case_id, field_=f"{name}[{number}]")
    return replies
