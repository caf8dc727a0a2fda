"""The contact sheet: one PNG of a scene's keyframes with the layout findings outlined in red.

`check` and `make` write it so a person sees the problems at a glance. Keyframes are the real frames
the sandboxed check drew (see `layout_snapshot`); a problem first seen at a snapshot that has no
drawn frame gets a schematic tile instead (the boxes of what is on screen, from the snapshot).
Each tile is labelled with its animation index and scene time; each finding gets a number on its
tile and a line in the legend below the grid.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from manim_agent.tools.diagnosis import Finding
from manim_agent.tools.layout.rules import resolved_snapshots

COLUMNS = 4
MAX_TILES = 24
PAD = 8
LABEL_HEIGHT = 18
BACKGROUND = (24, 24, 28)
RED = (235, 40, 40)
AMBER = (245, 170, 30)
TEXT = (230, 230, 230)
DIM = (150, 150, 150)


@functools.lru_cache(maxsize=8)
def _font(size: int) -> Any:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1 has only the fixed bitmap font
        return ImageFont.load_default()


def write_contact_sheet(
    layout: dict[str, Any] | None,
    findings: list[Finding],
    out: str | Path,
    *,
    title: str = "",
    width: int = 320,
) -> Path | None:
    """Write the sheet to `out` and return its path; None when the check recorded nothing to show."""
    layout = layout or {}
    snapshots = {s["n"]: s for s in resolved_snapshots(layout)}
    frames = {f["snapshot"]: f for f in layout.get("frames") or [] if Path(f.get("path", "")).is_file()}
    layout_findings = [f for f in findings if f.category == "layout" and f.details.get("snapshot") is not None]
    wanted = set(frames) | {f.details["snapshot"] for f in layout_findings if f.details["snapshot"] in snapshots}
    if not wanted:
        return None
    tiles = sorted(wanted)
    if len(tiles) > MAX_TILES:
        flagged = {f.details["snapshot"] for f in layout_findings}
        keep = sorted(flagged & set(tiles))[:MAX_TILES]
        rest = [t for t in tiles if t not in keep]
        step = max(1, len(rest) // max(1, MAX_TILES - len(keep)))
        tiles = sorted(keep + rest[::step][: MAX_TILES - len(keep)])
    numbered = list(enumerate(layout_findings, start=1))
    height = _tile_height(snapshots, tiles, width)
    columns = min(COLUMNS, len(tiles))
    rows = (len(tiles) + columns - 1) // columns
    legend = _legend_lines(numbered, findings)
    header = 28
    sheet_w = PAD + columns * (width + PAD)
    sheet_h = header + rows * (height + LABEL_HEIGHT + PAD) + PAD + 16 * len(legend) + PAD
    sheet = Image.new("RGB", (sheet_w, sheet_h), BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    errors = sum(1 for f in findings if f.category == "layout" and f.severity == "error")
    warnings = sum(1 for f in findings if f.category == "layout" and f.severity == "warning")
    draw.text((PAD, 7), f"{title}   layout: {errors} error(s), {warnings} warning(s)".strip(), fill=TEXT, font=_font(14))
    for position, n in enumerate(tiles):
        x = PAD + (position % columns) * (width + PAD)
        y = header + (position // columns) * (height + LABEL_HEIGHT + PAD)
        snapshot = snapshots.get(n, {})
        tile = _tile_image(frames.get(n), snapshot, width, height)
        sheet.paste(tile, (x, y))
        here = [(number, f) for number, f in numbered if f.details["snapshot"] == n]
        _outline(draw, here, snapshot, x, y, width, height)
        draw.text((x, y + height + 2), _label(snapshot, frames.get(n)), fill=RED if here else DIM, font=_font(12))
    y = header + rows * (height + LABEL_HEIGHT + PAD) + PAD // 2
    for text, color in legend:
        draw.text((PAD, y), text, fill=color, font=_font(12))
        y += 16
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out, compress_level=3)  # fast; the sheet is a working file, not an archive
    return out


def _tile_height(snapshots: dict[int, Any], tiles: list[int], width: int) -> int:
    for n in tiles:
        frame = snapshots.get(n, {}).get("frame")
        if frame and frame[2] > frame[0]:
            return max(1, round(width * (frame[3] - frame[1]) / (frame[2] - frame[0])))
    return round(width * 9 / 16)


def _tile_image(frame: dict[str, Any] | None, snapshot: dict[str, Any], width: int, height: int) -> Image.Image:
    if frame is not None:
        with Image.open(frame["path"]) as image:
            image = image.convert("RGB")
            return image if image.size == (width, height) else image.resize((width, height))
    # No real frame here (the drawing budget ran out): sketch the boxes of what is on screen.
    tile = Image.new("RGB", (width, height), (8, 8, 10))
    draw = ImageDraw.Draw(tile)
    for unit in snapshot.get("units") or []:
        box = _to_pixels(unit["box"], snapshot.get("frame"), width, height)
        if box:
            draw.rectangle(box, outline=(200, 200, 200) if unit.get("is_text") else (110, 110, 120))
    draw.text((4, 4), "schematic (no frame drawn)", fill=DIM, font=_font(10))
    return tile


def _to_pixels(box: list[float], frame: list[float] | None, width: int, height: int) -> tuple[int, int, int, int] | None:
    if not frame or frame[2] <= frame[0] or frame[3] <= frame[1]:
        return None
    sx, sy = width / (frame[2] - frame[0]), height / (frame[3] - frame[1])
    x0, x1 = (box[0] - frame[0]) * sx, (box[2] - frame[0]) * sx
    y0, y1 = (frame[3] - box[3]) * sy, (frame[3] - box[1]) * sy
    # Clip to the tile, so a box that runs off the frame is outlined up to the edge it crosses.
    x0, x1 = max(0, min(width - 1, x0)), max(0, min(width - 1, x1))
    y0, y1 = max(0, min(height - 1, y0)), max(0, min(height - 1, y1))
    return round(x0), round(y0), round(max(x0, x1)), round(max(y0, y1))


def _outline(draw: ImageDraw.ImageDraw, here: list[tuple[int, Finding]], snapshot: dict[str, Any], x: int, y: int, width: int, height: int) -> None:
    frame = snapshot.get("frame")
    for number, finding in here:
        color = RED if finding.severity == "error" else AMBER
        boxes = finding.details.get("boxes") or []
        if not boxes:  # a whole-frame problem (blank, crowded): outline the tile
            draw.rectangle((x, y, x + width - 1, y + height - 1), outline=color, width=3)
            draw.text((x + 6, y + 4), str(number), fill=color, font=_font(14))
            continue
        for box in boxes:
            pixels = _to_pixels(box, frame, width, height)
            if pixels is None:
                continue
            x0, y0, x1, y1 = pixels
            draw.rectangle((x + x0, y + y0, x + x1, y + y1), outline=color, width=2)
        first = _to_pixels(boxes[0], frame, width, height)
        if first:
            draw.text((x + first[0] + 3, y + max(0, first[1] - 15)), str(number), fill=color, font=_font(13))


def _plain(text: str) -> str:
    """Text the built-in font can draw: ASCII stand-ins for typographic characters."""
    for fancy, plain in (("…", "..."), ("—", "-"), ("–", "-"), ("•", "-"), ("’", "'")):
        text = text.replace(fancy, plain)
    return text.encode("ascii", "replace").decode("ascii")


def _label(snapshot: dict[str, Any], frame: dict[str, Any] | None) -> str:
    index = snapshot.get("index")
    when = f"t={snapshot.get('time', 0.0):.1f}s"
    what = "only frame" if index is None else f"{'wait' if snapshot.get('wait') else 'anim'} {index}"
    return f"{what}  {when}" + ("  (last)" if frame and frame.get("reason") == "last" else "")


def _legend_lines(numbered: list[tuple[int, Finding]], findings: list[Finding]) -> list[tuple[str, tuple[int, int, int]]]:
    lines = []
    for number, finding in numbered:
        color = RED if finding.severity == "error" else AMBER
        where = f"line {finding.line}: " if finding.line else ""
        text = f"{number}. {finding.severity} {finding.details.get('rule', '')}: {where}{finding.message}"
        lines.append((_plain(text[:150] + ("..." if len(text) > 150 else "")), color))
    others = [f for f in findings if f.category == "layout" and f.details.get("snapshot") is None]
    for finding in others:
        lines.append((_plain(f"- {finding.severity}: {finding.message}"[:150]), AMBER))
    return lines[:20]
