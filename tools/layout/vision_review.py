"""The optional vision review: a few keyframes go to a vision-capable model, its findings join the diagnosis.

Off by default (`manim-agent check --vision-model M` turns it on); the deterministic layout rules
never need it. It uses the project's model layer (`agent.models.ChatClient`), so any litellm
vision model works and tests use `ScriptedModel`. The model's reply is a YAML list of issues; each
becomes a `layout` finding whose severity is capped by `vision.severity` (a warning by default, so a
model's opinion alone never blocks a scene).
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from manim_agent import prompt_templates
from manim_agent.errors import ProviderError
from manim_agent.llm.parsing import extract_data
from manim_agent.tools.diagnosis import Finding
from manim_agent.tools.layout.config import LayoutConfig
from manim_agent.tools.layout.rules import resolved_snapshots

MAX_TOKENS = 1200


def pick_frames(frames: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """Up to `count` keyframes, problem frames first, then spread evenly over the scene."""
    usable = [f for f in frames if Path(f.get("path", "")).is_file()]
    problems = [f for f in usable if f.get("reason") == "problem"][:count]
    rest = [f for f in usable if f not in problems]
    room = count - len(problems)
    if room > 0 and rest:
        step = max(1, len(rest) // room)
        problems += rest[::step][:room]
    return sorted(problems, key=lambda f: f["snapshot"])


def review_frames(
    layout: dict[str, Any] | None,
    model: str,
    *,
    config: LayoutConfig | None = None,
    scene: str | None = None,
    known: list[Finding] | None = None,
    client: Any = None,
) -> list[Finding]:
    """Ask `model` about the check's keyframes; returns its issues as `layout` findings."""
    config = config or LayoutConfig()
    layout = layout or {}
    chosen = pick_frames(list(layout.get("frames") or []), config.vision.frames)
    if not chosen or config.vision.severity == "off":
        return []
    snapshots = {s["n"]: s for s in resolved_snapshots(layout)}
    already = "\n".join(f"- {f.severity}: {f.message}" for f in known or []) or "nothing"
    content: list[dict[str, Any]] = [
        {"type": "text", "text": prompt_templates.render("vision_review", "user", class_name=scene or "Scene", diagnosis=already)}
    ]
    for number, frame in enumerate(chosen, start=1):
        snapshot = snapshots.get(frame["snapshot"], {})
        caption = f"Frame {number}: after animation {snapshot.get('index')}, t={snapshot.get('time', 0.0):.1f} s"
        data = base64.b64encode(Path(frame["path"]).read_bytes()).decode("ascii")
        content += [{"type": "text", "text": caption}, {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{data}"}}]
    messages = [
        {"role": "system", "content": prompt_templates.render("vision_review", "system")},
        {"role": "user", "content": content},
    ]
    client = client or _client(model)
    try:
        reply = client.complete(messages, max_tokens=MAX_TOKENS).content
    except ProviderError as exc:
        return [_note(f"the vision review with {model} failed: {exc}")]
    return _findings(reply, chosen, snapshots, model, config)


def _client(model: str) -> Any:
    from manim_agent.llm.client import ChatClient, check_model_ready
    from manim_agent.llm.config import RoleModel  # the model layer is imported only when used

    check_model_ready(model)
    return ChatClient(RoleModel(model=model, temperature=0.0, num_retries=1, stream=False), role="vision")


def _note(message: str) -> Finding:
    return Finding(stage="layout", category="layout", severity="warning", message=message, details={"rule": "vision"})


def _findings(
    reply: str, chosen: list[dict[str, Any]], snapshots: dict[int, dict[str, Any]], model: str, config: LayoutConfig
) -> list[Finding]:
    data, problem = extract_data(reply)
    if data is None:
        return [_note(f"the vision review's reply could not be read: {problem}")]
    findings = []
    for issue in data.get("issues") or []:
        if not isinstance(issue, dict) or not issue.get("message"):
            continue
        try:
            frame = chosen[int(issue.get("frame", 1)) - 1]
        except (ValueError, TypeError, IndexError):
            frame = chosen[0]
        snapshot = snapshots.get(frame["snapshot"], {})
        severity = "error" if str(issue.get("severity", "warning")).lower() == "error" else "warning"
        if config.vision.severity == "warning":
            severity = "warning"
        details: dict[str, Any] = {
            "rule": "vision", "model": model, "snapshot": frame["snapshot"], "animation": snapshot.get("index"),
            "time": snapshot.get("time"), "frame": snapshot.get("frame"), "boxes": [],
        }
        box = _region_box(issue.get("region"), snapshot.get("frame"))
        if box:
            details["boxes"] = [box]
        findings.append(
            Finding(
                stage="layout", category="layout", severity=severity,  # type: ignore[arg-type]
                message=f"vision review ({model}), after animation {snapshot.get('index')}: {issue['message']}",
                hint=str(issue["hint"]) if issue.get("hint") else None, details=details,
            )
        )
    return findings


def _region_box(region: Any, frame: list[float] | None) -> list[float] | None:
    """A region given as fractions (left, top, right, bottom) in scene units, for the contact sheet."""
    try:
        left, top, right, bottom = (min(1.0, max(0.0, float(v))) for v in region)
    except (TypeError, ValueError):
        return None
    if not frame:
        return None
    width, height = frame[2] - frame[0], frame[3] - frame[1]
    return [frame[0] + left * width, frame[3] - bottom * height, frame[0] + right * width, frame[3] - top * height]
