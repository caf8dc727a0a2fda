"""The layout rules: geometry snapshots of a scene in, located `layout` findings out.

Pure functions over the data `layout_snapshot` records in the sandbox (no Manim import), so they
are cheap to test and to run again with other thresholds. Rules (each configurable in
`layout_config.LayoutConfig`):

- `off_frame`: a mobject partly or wholly outside the frame at the end of an animation;
- `overlap`: two text or formula mobjects covering each other's glyphs at the end of an animation;
- `small_text`: text whose font renders below a legible pixel size at the chosen quality;
- `blank_end`, `blank_middle`: the scene ends on an empty frame (a deliberate closing fade-out is only a
  warning), or shows nothing for too long;
- `crowded`: too many text objects on screen at once.

Every finding names the objects by their content, gives the animation index (0-based, as in
`--from-animation`) and scene time, the bounding boxes, and a hint with concrete numbers.
`details["snapshot"]` and `details["boxes"]` let the contact sheet outline the problem.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from manim_agent.tools.diagnosis import Finding
from manim_agent.tools.layout.config import LayoutConfig

Box = list[float]  # [x0, y0, x1, y1] in scene units, as drawn on screen
MARGIN = 0.25  # the gap a hint leaves to the frame edge (Manim's MED_SMALL_BUFF)
TEXT_CHARS = 48
NUMBER_RE = re.compile(r"^[-+]?[\d.,]+$")


@dataclass
class Problem:
    """One rule firing on one snapshot; `key` identifies it across snapshots (first one is reported)."""

    rule: str
    severity: str
    key: tuple[Any, ...]
    snapshot: dict[str, Any]
    units: list[dict[str, Any]]
    data: dict[str, Any] = field(default_factory=dict)


# -- geometry -------------------------------------------------------------------------------
def _size(box: Box) -> tuple[float, float]:
    return box[2] - box[0], box[3] - box[1]


def _center(box: Box) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def _wholly_outside(box: Box, frame: Box) -> bool:
    return box[2] < frame[0] or box[0] > frame[2] or box[3] < frame[1] or box[1] > frame[3]


def in_frame_size(box: Box, frame: Box) -> float:
    """The longer side of the part of `box` inside the frame (0 when it is outside)."""
    width = min(box[2], frame[2]) - max(box[0], frame[0])
    height = min(box[3], frame[3]) - max(box[1], frame[1])
    if width < 0 or height < 0:
        return 0.0
    return max(width, height)


def _vector(dx: float, dy: float) -> str:
    parts = []
    if abs(dx) >= 0.005:
        parts.append(f"{abs(dx):.2f} * {'RIGHT' if dx > 0 else 'LEFT'}")
    if abs(dy) >= 0.005:
        parts.append(f"{abs(dy):.2f} * {'UP' if dy > 0 else 'DOWN'}")
    return " + ".join(parts)


def _moves(dx: float, dy: float) -> str:
    parts = []
    if abs(dy) >= 0.005:
        parts.append(f"{'up' if dy > 0 else 'down'} by {abs(dy):.2f}")
    if abs(dx) >= 0.005:
        parts.append(f"{'right' if dx > 0 else 'left'} by {abs(dx):.2f}")
    return " and ".join(parts) + " units" if parts else ""


def fit_into_frame(box: Box, frame: Box, margin: float = MARGIN) -> tuple[float, float, float]:
    """(scale, dx, dy) that bring `box` inside `frame` with `margin` to spare: scale about its centre first."""
    width, height = _size(box)
    room_w, room_h = frame[2] - frame[0] - 2 * margin, frame[3] - frame[1] - 2 * margin
    scale = 1.0
    if width > room_w and width > 0:
        scale = min(scale, room_w / width)
    if height > room_h and height > 0:
        scale = min(scale, room_h / height)
    scale = math.floor(scale * 100) / 100 if scale < 1 else 1.0
    cx, cy = _center(box)
    half_w, half_h = width * scale / 2, height * scale / 2
    dx = dy = 0.0
    if cx - half_w < frame[0] + margin:
        dx = frame[0] + margin - (cx - half_w)
    elif cx + half_w > frame[2] - margin:
        dx = frame[2] - margin - (cx + half_w)
    if cy - half_h < frame[1] + margin:
        dy = frame[1] + margin - (cy - half_h)
    elif cy + half_h > frame[3] - margin:
        dy = frame[3] - margin - (cy + half_h)
    return scale, dx, dy


# -- naming ---------------------------------------------------------------------------------
def describe(unit: dict[str, Any]) -> str:
    """'the MathTex `a^2+b^2=c^2`', 'the Axes', 'the DecimalNumber `2.5` (part of the Axes)'."""
    name = f"the {unit.get('kind', 'mobject')}"
    if unit.get("is_text") and unit.get("text"):
        text = " ".join(str(unit["text"]).split())
        if len(text) > TEXT_CHARS:
            text = text[: TEXT_CHARS - 1] + "…"
        name += f" `{text}`"
    if unit.get("structure"):
        name += f" (part of the {unit['structure']})"
    return name


def _identity(unit: dict[str, Any]) -> tuple[Any, ...]:
    """Objects made on the same line with the same content are reported once."""
    if unit.get("line"):
        return (unit.get("kind"), unit.get("text"), unit.get("line"), unit.get("structure"))
    return ("id", unit.get("id"))


def _when(snapshot: dict[str, Any]) -> str:
    if snapshot.get("index") is None:
        return "in the scene's only frame (it plays no animation)"
    what = "wait" if snapshot.get("wait") else "animation"
    return f"after {what} {snapshot['index']} (t={snapshot.get('time', 0.0):.2f} s)"


def _span(box: Box) -> str:
    return f"x {box[0]:.2f}..{box[2]:.2f}, y {box[1]:.2f}..{box[3]:.2f}"


def _frame_text(frame: Box) -> str:
    return f"x {frame[0]:.2f}..{frame[2]:.2f}, y {frame[1]:.2f}..{frame[3]:.2f}"


def _cap(severity: str, ceiling: str) -> str:
    """The milder of two severities ('off' beats 'warning' beats 'error')."""
    order = {"off": 0, "warning": 1, "error": 2}
    return severity if order[severity] <= order[ceiling] else ceiling


# -- per-snapshot rules -------------------------------------------------------------------------
def snapshot_problems(snapshot: dict[str, Any], config: LayoutConfig) -> list[Problem]:
    """Every rule that can be judged on one end-of-animation snapshot (the sandbox uses this to pick frames)."""
    units = snapshot.get("units") or []
    frame = snapshot["frame"]
    problems: list[Problem] = []
    problems += _off_frame(snapshot, units, frame, config)
    problems += _overlaps(snapshot, {u["id"]: u for u in units}, config)
    problems += _small_text(snapshot, units, frame, config)
    problems += _crowded(snapshot, units, frame, config)
    return [p for p in problems if p.severity != "off"]


def _off_frame(snapshot: dict[str, Any], units: list[dict[str, Any]], frame: Box, config: LayoutConfig) -> list[Problem]:
    rule = config.off_frame
    problems = []
    for unit in units:
        box = unit["box"]
        sides = {"left": frame[0] - box[0], "right": box[2] - frame[2], "bottom": frame[1] - box[1], "top": box[3] - frame[3]}
        side, distance = max(sides.items(), key=lambda item: item[1])
        if distance <= rule.tolerance or (unit.get("was_inside") and _wholly_outside(box, frame)):
            continue  # within tolerance, or moved off the screen as an exit
        crossed = [name for name, value in sides.items() if value > rule.tolerance]
        if unit.get("is_text"):
            severity = rule.severity
        else:
            spans_x = box[0] <= frame[0] + rule.tolerance and box[2] >= frame[2] - rule.tolerance
            spans_y = box[1] <= frame[1] + rule.tolerance and box[3] >= frame[3] - rule.tolerance
            if spans_x or spans_y:
                continue  # backgrounds and edge-to-edge lines are meant to reach past the frame
            severity = rule.shapes
        if unit.get("projected"):
            severity = _cap(severity, rule.projected)
        data = {"side": side, "sides": crossed, "distance": round(distance, 3), "wholly": _wholly_outside(box, frame)}
        problems.append(Problem("off_frame", severity, ("off_frame", _identity(unit)), snapshot, [unit], data))
    return problems


def _overlaps(snapshot: dict[str, Any], by_id: dict[int, dict[str, Any]], config: LayoutConfig) -> list[Problem]:
    rule = config.overlap
    problems = []
    for a_id, b_id, box_fraction, ink_fraction in snapshot.get("overlaps") or []:
        a, b = by_id.get(a_id), by_id.get(b_id)
        if a is None or b is None or a.get("projected") or b.get("projected"):
            continue
        if a.get("group") is not None and a.get("group") == b.get("group"):
            continue  # parts of one group, matrix, table or axes are laid out together on purpose
        if _stacked_copy(a, b):
            continue  # a copy of the same text on itself (a glow, shadow or outline) is drawn that way on purpose
        if ink_fraction >= rule.fraction and not (_is_mark(a) or _is_mark(b)):
            severity = rule.severity
        elif rule.warning_fraction and ink_fraction >= rule.warning_fraction:
            severity = _cap("warning", rule.severity)
        else:
            continue
        key = ("overlap", frozenset((_identity(a), _identity(b))))
        data = {"fraction": round(ink_fraction, 3), "box_fraction": round(box_fraction, 3)}
        problems.append(Problem("overlap", severity, key, snapshot, [a, b], data))
    return problems


# One glyph drawn over something to judge it (a red X crossing out a claim, a tick on the right answer).
MARKS = frozenset({"x", "✗", "✘", "✕", "❌", "×", "✓", "✔", "✅", r"\times", r"\checkmark", r"\xmark", r"\cross", r"\surd"})


def _is_mark(unit: dict[str, Any]) -> bool:
    """A text or formula that is only a cross or a tick: drawn over another on purpose, so at most a warning."""
    text = str(unit.get("text") or "").strip().strip("$").strip()
    return text.lower() in MARKS or text in MARKS


def _stacked_copy(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Same kind, same text, about the same place and size: `glow = label.copy().set_stroke(width=10)`."""
    if a.get("kind") != b.get("kind") or not a.get("text") or a.get("text") != b.get("text"):
        return False
    (ax0, ay0, ax1, ay1), (bx0, by0, bx1, by1) = a["box"], b["box"]
    width, height = min(ax1 - ax0, bx1 - bx0), min(ay1 - ay0, by1 - by0)
    if width <= 0 or height <= 0:
        return False
    centred = abs((ax0 + ax1) - (bx0 + bx1)) / 2 <= 0.25 * width and abs((ay0 + ay1) - (by0 + by1)) / 2 <= 0.25 * height
    similar = max(ax1 - ax0, bx1 - bx0) <= 1.5 * width and max(ay1 - ay0, by1 - by0) <= 1.5 * height
    return centred and similar


def text_pixels(unit: dict[str, Any], frame: Box, config: LayoutConfig) -> float | None:
    """The unit's font size (its em) in pixels at the configured output quality."""
    em = unit.get("em")
    if not em:
        return None
    return em * config.pixel_height / (frame[3] - frame[1])


def _small_text(snapshot: dict[str, Any], units: list[dict[str, Any]], frame: Box, config: LayoutConfig) -> list[Problem]:
    rule = config.small_text
    worst: dict[tuple[Any, ...], Problem] = {}
    for unit in units:
        pixels = text_pixels(unit, frame, config) if unit.get("is_text") else None
        if pixels is None or _wholly_outside(unit["box"], frame):
            continue
        if pixels < rule.min_px:
            severity = rule.severity
        elif pixels < rule.warning_px:
            severity = _cap("warning", rule.severity)
        else:
            continue
        if unit.get("projected"):
            severity = _cap(severity, config.off_frame.projected)
        # Labels made on one line (an axis' numbers, a loop's labels) are reported together.
        if unit.get("line"):
            group_key = (unit.get("line"), unit.get("structure") or unit.get("kind"))
        else:
            group_key = (unit["id"],)
        key = ("small_text", group_key)
        found = worst.get(key)
        if found is None:
            worst[key] = Problem("small_text", severity, key, snapshot, [unit], {"px": round(pixels, 1), "count": 1})
        else:
            found.data["count"] += 1
            if pixels < found.data["px"]:
                found.units, found.data["px"], found.severity = [unit], round(pixels, 1), severity
    return list(worst.values())


def _short_label(unit: dict[str, Any]) -> bool:
    """A number or a label of at most three characters: read at a glance, so it does not crowd."""
    text = "".join(str(unit.get("text") or "").split())
    return len(text) <= 3 or bool(NUMBER_RE.match(text))


def text_blocks(units: Iterable[dict[str, Any]], frame: Box) -> int:
    """Texts a viewer has to read: each text but short labels, and a matrix, table or axes once."""
    blocks = set()
    for unit in units:
        if unit.get("is_text") and not _wholly_outside(unit["box"], frame) and not _short_label(unit):
            blocks.add(("structure", unit.get("group")) if unit.get("structure") else ("text", unit["id"]))
    return len(blocks)


def _crowded(snapshot: dict[str, Any], units: list[dict[str, Any]], frame: Box, config: LayoutConfig) -> list[Problem]:
    count = text_blocks(units, frame)
    if count <= config.crowded.max_texts:
        return []
    return [Problem("crowded", config.crowded.severity, ("crowded",), snapshot, [], {"count": count})]


# -- whole-scene evaluation -------------------------------------------------------------------
def resolved_snapshots(layout: dict[str, Any]) -> list[dict[str, Any]]:
    """The snapshots with `same_as` references (a still wait) filled in from the snapshot they repeat."""
    snapshots = list(layout.get("snapshots") or [])
    for snapshot in snapshots:
        ref = snapshot.get("same_as")
        if ref is not None and 0 <= ref < len(snapshots):
            source = snapshots[ref]
            for key in ("units", "overlaps", "content", "frame"):
                snapshot.setdefault(key, source.get(key))
    return snapshots


def judged_snapshots(snapshots: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """End-of-animation snapshots, or the final state when the scene plays nothing."""
    ends = [s for s in snapshots if s.get("phase") == "end"]
    return ends or [s for s in snapshots if s.get("phase") == "final"]


def evaluate(layout: dict[str, Any] | None, config: LayoutConfig | None = None, source: str | None = None) -> list[Finding]:
    """Every layout finding for one checked scene, errors first, each located and with a hint."""
    config = config or LayoutConfig()
    snapshots = resolved_snapshots(layout or {})
    judged = judged_snapshots(snapshots)
    if not judged:
        return []
    first: dict[tuple[Any, ...], Problem] = {}
    counts: dict[tuple[Any, ...], int] = {}
    for snapshot in judged:
        for problem in snapshot_problems(snapshot, config):
            if problem.rule == "off_frame" and problem.data.get("wholly") and _enters_later(problem, judged):
                continue  # parked off the screen on purpose, before it slides in
            counts[problem.key] = counts.get(problem.key, 0) + 1
            kept = first.get(problem.key)
            if kept is None or (problem.rule == "crowded" and problem.data["count"] > kept.data["count"]):
                first[problem.key] = problem
    lines = source.splitlines() if source else []
    findings = [_finding(p, counts[p.key], config, lines) for p in first.values()]
    findings += _blank_findings(snapshots, judged, config, lines)
    order = {"error": 0, "warning": 1}
    findings.sort(key=lambda f: (order.get(f.severity, 2), f.details.get("time", 0.0)))
    return findings


def _enters_later(problem: Problem, judged: list[dict[str, Any]]) -> bool:
    """A mobject wholly outside the frame that a later animation brings inside (made on the same line, same content)."""
    identity, after = _identity(problem.units[0]), problem.snapshot.get("n", 0)
    for snapshot in judged:
        if snapshot.get("n", 0) <= after:
            continue
        for unit in snapshot.get("units") or []:
            if _identity(unit) == identity and not _wholly_outside(unit["box"], snapshot["frame"]):
                return True
    return False


def _blank(snapshot: dict[str, Any], config: LayoutConfig) -> bool:
    return float(snapshot.get("content") or 0.0) < config.content_min_size


# Animations that take their mobjects off the screen on purpose: a scene that ends with one of them
# (the commonest ending of a real scene, and of each part of a multi-part video) fades out deliberately.
REMOVAL_ANIMATIONS = ("FadeOut", "Uncreate", "Unwrite", "ShrinkToCenter", "VFadeOut")


def _removal(snapshot: dict[str, Any]) -> bool:
    return any(str(name).startswith(REMOVAL_ANIMATIONS) for name in snapshot.get("animations") or [])


def last_content(judged: list[dict[str, Any]], config: LayoutConfig) -> dict[str, Any] | None:
    """The last end-of-animation snapshot with something on screen: the frame a still (png, thumbnail) should show."""
    return next((s for s in reversed(judged) if not _blank(s, config)), None)


def _blank_findings(
    snapshots: list[dict[str, Any]], judged: list[dict[str, Any]], config: LayoutConfig, lines: list[str]
) -> list[Finding]:
    findings = []
    last = judged[-1]
    if config.blank_end.severity != "off" and _blank(last, config):
        findings.append(_blank_end(snapshots, judged, config, lines))
    if config.blank_middle.severity == "off":
        return findings
    timeline = sorted((s for s in snapshots if s.get("phase") != "final" and "content" in s), key=lambda s: (s["time"], s["n"]))
    run: list[dict[str, Any]] = []
    for snapshot in timeline + [None]:
        if snapshot is not None and _blank(snapshot, config):
            run.append(snapshot)
            continue
        # A run that lasts to the end is the blank_end rule's business.
        if run and snapshot is not None and run[-1]["time"] - run[0]["time"] > config.blank_middle.seconds:
            findings.append(_blank_middle(run, config, lines))
        run = []
    return findings


def _blank_end(snapshots: list[dict[str, Any]], judged: list[dict[str, Any]], config: LayoutConfig, lines: list[str]) -> Finding:
    """An empty last frame: an error when nothing was ever shown or the frame was emptied by accident.

    A scene that showed its content and then plays a fade-out (FadeOut, Uncreate, Unwrite ...) as its
    ending is not broken: that is `blank_end.fade_out` (a warning by default). Accidents stay errors:
    content removed with `self.remove`/`self.clear` without an animation (a cut to black), an
    emptying play that is not a removal animation, or a scene that never shows anything.
    """
    last = judged[-1]
    # Blame the animation that emptied the frame: the first of the blank run at the end.
    emptied = last
    for snapshot in reversed(judged):
        if not _blank(snapshot, config):
            break
        emptied = snapshot
    shown = last_content(judged, config)
    ever_shown = shown is not None or any(not _blank(s, config) for s in snapshots if "content" in s and s.get("phase") != "final")
    # A remove()/clear() between animations empties the frame without a play of its own.
    removed = emptied.get("removed_line")
    line = removed or emptied.get("line")
    code = _code(lines, line)
    details = {"rule": "blank_end", "animation": last.get("index"), "time": last.get("time"),
               "snapshot": last.get("n"), "boxes": [], "frame": last.get("frame")}
    if ever_shown and not removed and _removal(emptied):
        where = f" after animation {shown['index']} (t={shown.get('time', 0.0):.2f} s)" if shown and shown.get("index") is not None else ""
        details.update(deliberate=True, last_content_animation=shown.get("index") if shown else None,
                       last_content_snapshot=shown.get("n") if shown else None)
        return Finding(
            stage="layout", category="layout", severity=_cap(config.blank_end.fade_out, config.blank_end.severity),  # type: ignore[arg-type]
            message=f"the scene ends on a fade-out (line {line}): its last frame is empty; the last frame with content is{where}",
            line=line, code_line=code,
            hint="a deliberate ending is fine for a video; a still image (png, thumbnail) uses the last frame with content",
            details=details,
        )
    if not ever_shown:
        message, hint = f"the scene never shows anything: every frame is empty, {_when(last)}", "add the scene's mobjects with self.play(...) or self.add(...)"
    elif removed:
        message = f"the scene ends on an empty frame: line {line} removes everything without an animation (a cut to black) {_when(last)}"
        hint = f"line {line} ({code or 'this call'}) empties the frame abruptly; keep the key result on screen, or fade it out with FadeOut"
    else:
        message = f"the scene ends on an empty frame: nothing is visible {_when(last)}"
        hint = (f"line {line} ({code or 'this call'}) empties the frame; " if line else "") \
            + "end on the key result: keep it on screen, or add a closing summary after the last fade-out"
    return Finding(stage="layout", category="layout", severity=config.blank_end.severity,  # type: ignore[arg-type]
                   message=message, line=line, code_line=code, hint=hint, details=details)


def _blank_middle(run: list[dict[str, Any]], config: LayoutConfig, lines: list[str]) -> Finding:
    start, end = run[0], run[-1]
    seconds = end["time"] - start["time"]
    line = end.get("line") or start.get("line")
    indices = sorted({s["index"] for s in run if s.get("index") is not None})
    during = f", animations {indices[0]}-{indices[-1]}" if len(indices) > 1 else (f", animation {indices[0]}" if indices else "")
    return Finding(
        stage="layout", category="layout", severity=config.blank_middle.severity,  # type: ignore[arg-type]
        message=f"nothing is on screen for {seconds:.1f} s (t={start['time']:.2f}-{end['time']:.2f} s{during})",
        line=line, code_line=_code(lines, line),
        hint="shorten the wait while the screen is empty, or bring the next part in while the previous one fades out",
        details={"rule": "blank_middle", "animation": end.get("index"), "time": start["time"], "seconds": round(seconds, 2),
                 "snapshot": end.get("n"), "boxes": [], "frame": end.get("frame")},
    )


def _code(lines: list[str], line: int | None) -> str | None:
    if line and 0 < line <= len(lines):
        return lines[line - 1].strip()
    return None


def _finding(problem: Problem, count: int, config: LayoutConfig, lines: list[str]) -> Finding:
    snapshot = problem.snapshot
    frame = snapshot["frame"]
    build = {"off_frame": _off_frame_text, "overlap": _overlap_text, "small_text": _small_text_text, "crowded": _crowded_text}
    message, hint, line, extra = build[problem.rule](problem, config)
    line = line or snapshot.get("line")
    details = {
        "rule": problem.rule,
        "animation": snapshot.get("index"),
        "time": snapshot.get("time"),
        "snapshot": snapshot.get("n"),
        "frame": frame,
        "boxes": [u["box"] for u in problem.units],
        "objects": [{k: u.get(k) for k in ("kind", "text", "line", "structure", "box")} for u in problem.units],
        "occurrences": count,
        **problem.data,
        **extra,
    }
    return Finding(
        stage="layout", category="layout", severity=problem.severity,  # type: ignore[arg-type]
        message=message, line=line, code_line=_code(lines, line), hint=hint, details=details,
    )


def _off_frame_text(problem: Problem, config: LayoutConfig) -> tuple[str, str, int | None, dict[str, Any]]:
    unit, frame, data = problem.units[0], problem.snapshot["frame"], problem.data
    name = describe(unit)
    edge = data["side"]
    crossed = data.get("sides") or [edge]
    if data["wholly"]:
        message = f"{name} is entirely outside the frame, beyond the {edge} edge, {_when(problem.snapshot)}"
    elif len(crossed) > 1:
        message = (f"{name} runs off the {' and '.join(crossed)} edges of the frame (by up to "
                   f"{data['distance']:.2f} units) {_when(problem.snapshot)}")
    else:
        message = f"{name} runs off the {edge} edge of the frame by {data['distance']:.2f} units {_when(problem.snapshot)}"
    message += f"; its box spans {_span(unit['box'])}, the frame {_frame_text(frame)}"
    if unit.get("projected"):
        hint = ("it is a 3-D mobject seen through the camera: zoom out (set_camera_orientation(zoom=...)), move it "
                "towards the centre, or pin labels with add_fixed_in_frame_mobjects")
        return message, hint, unit.get("line"), {}
    scale, dx, dy = fit_into_frame(unit["box"], frame)
    subject = f"the {unit['structure']} it belongs to" if unit.get("structure") else "it"
    steps = []
    if scale < 1:
        steps.append(f"scale {subject} to {scale:g} (.scale({scale:g}))")
    if _moves(dx, dy):
        steps.append(f"move {subject} {_moves(dx, dy)} (.shift({_vector(dx, dy)}))")
    hint = " and then ".join(steps) or f"move {subject} inside the frame"
    if scale < 1 and unit.get("is_text") and not unit.get("structure"):
        hint += "; or break it over two lines (a VGroup of parts arranged DOWN)"
    else:
        hint += "; or place it with .to_edge()/.next_to() so it stays inside the frame"
    return message, hint, unit.get("line"), {"scale": scale, "shift": [round(dx, 3), round(dy, 3)]}


def _overlap_text(problem: Problem, config: LayoutConfig) -> tuple[str, str, int | None, dict[str, Any]]:
    a, b = problem.units
    frame = problem.snapshot["frame"]
    # Move the newcomer (units are numbered as they first appear): it landed on what was there.
    mover, other = (a, b) if a["id"] > b["id"] else (b, a)
    message = (
        f"{describe(a)} and {describe(b)} overlap {_when(problem.snapshot)}: "
        f"{problem.data['fraction']:.0%} of the smaller one's glyphs are covered "
        f"(boxes {_span(a['box'])} and {_span(b['box'])})"
    )
    dx, dy = _separation(mover["box"], other["box"], frame)
    direction = "DOWN" if dy < 0 else "UP" if dy > 0 else ("LEFT" if dx < 0 else "RIGHT")
    hint = (
        f"move {describe(mover)} {_moves(dx, dy)} (.shift({_vector(dx, dy)})), or place it with "
        f".next_to(<the other>, {direction}, buff=0.25); several lines stack cleanly with VGroup(...).arrange(DOWN)"
    )
    return message, hint, mover.get("line"), {"shift": [round(dx, 3), round(dy, 3)]}


def _separation(mover: Box, other: Box, frame: Box, buff: float = 0.2) -> tuple[float, float]:
    """The shortest move that clears `other` and keeps `mover` inside the frame when possible."""
    options = [
        (0.0, other[3] - mover[1] + buff),
        (0.0, other[1] - mover[3] - buff),
        (other[2] - mover[0] + buff, 0.0),
        (other[0] - mover[2] - buff, 0.0),
    ]

    def fits(move: tuple[float, float]) -> bool:
        dx, dy = move
        return (mover[0] + dx >= frame[0] and mover[2] + dx <= frame[2]
                and mover[1] + dy >= frame[1] and mover[3] + dy <= frame[3])

    # Shortest first; on a tie, away from the other's centre (and down before up: captions go below).
    away_x = _center(mover)[0] - _center(other)[0]
    away_y = _center(mover)[1] - _center(other)[1]

    def cost(move: tuple[float, float]) -> tuple[float, int]:
        along = move[0] * away_x + move[1] * away_y
        return round(abs(move[0]) + abs(move[1]), 3), (0 if along > 0 else 1 if move[1] < 0 else 2)

    inside = [m for m in options if fits(m)]
    return min(inside or options, key=cost)


def _small_text_text(problem: Problem, config: LayoutConfig) -> tuple[str, str, int | None, dict[str, Any]]:
    unit, data = problem.units[0], problem.data
    rule = config.small_text
    height = config.pixel_height
    limit = rule.min_px if problem.severity == "error" else rule.warning_px
    if data["count"] > 1:
        subject = f"{describe(unit)} and {data['count'] - 1} more made on the same line are"
    else:
        subject = f"{describe(unit)} is"
    message = (
        f"{subject} too small to read: the font renders {data['px']:.1f} px at {height}p "
        f"(at least {limit:g} px is legible) {_when(problem.snapshot)}"
    )
    factor = rule.warning_px / max(data["px"], 0.1)
    font = unit.get("font")
    target = math.ceil(font * factor) if font else None
    if unit.get("structure") in ("Axes", "NumberLine", "NumberPlane", "ThreeDAxes", "ComplexPlane", "PolarPlane"):
        hint = f"its labels belong to the {unit['structure']}: give them font_size={target} or more (e.g. axis_config={{\"font_size\": {target}}})"
    elif unit.get("structure"):
        hint = f"scale the {unit['structure']} up by {factor:.2f} (.scale({factor:.2f})) or give its entries a larger font_size"
    elif target:
        hint = f"use font_size={target} or larger (it renders at about font_size={font:.0f}), or .scale({factor:.2f})"
    else:
        hint = f"make it {factor:.2f} times larger (.scale({factor:.2f}))"
    return message, hint, unit.get("line"), {"font_size": font, "target_font_size": target}


def _crowded_text(problem: Problem, config: LayoutConfig) -> tuple[str, str, int | None, dict[str, Any]]:
    count = problem.data["count"]
    message = (
        f"{count} text objects are on screen at once {_when(problem.snapshot)}; "
        f"more than {config.crowded.max_texts} is hard to follow"
    )
    hint = "fade out earlier text (FadeOut) before adding more, or split this part into two beats"
    return message, hint, problem.snapshot.get("line"), {}
