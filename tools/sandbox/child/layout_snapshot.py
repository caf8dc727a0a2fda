"""Geometry snapshots of a scene during the sandboxed check, for the layout rules and the contact sheet.

Runs inside the sandboxed child, with Manim imported; `scene_runner` calls `install(scene, result, job)`
before `scene.render()` when the job's hooks include "layout". It wraps the renderer's `play` (every
animation and wait goes through it) and the scene's `update_to_time`, and records:

- at the end of every animation and wait: each visible mobject as a *unit* (a text or formula, or a
  top-level shape; plain VGroup/Group containers are looked through), with its kind, its text or
  TeX, its on-screen bounding box (3-D mobjects projected through the camera exactly as the renderer
  does), its font size and em height for text, the line of the user's file that created it, and the
  glyph-level overlap of every pair of texts whose boxes meet;
- inside each animation, at the configured fractions of its run time: how much is on screen;
- a few real frames for the contact sheet (drawn with the original cairo functions that the check
  otherwise switches off), chosen to show the scene evenly and every new problem, within a time budget.

Everything lands in `result["layout"]` as JSON-able data; `tools/layout/rules.py` judges it in the parent.
The instrumentation never changes the scene's outcome: its own failures are recorded, not raised.
"""

from __future__ import annotations

import functools
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from manim.camera.three_d_camera import ThreeDCamera
from manim.mobject.mobject import Mobject

from manim_agent.tools.layout import rules as layout_rules
from manim_agent.tools.layout.config import LayoutConfig
from manim_agent.tools.sandbox.child import layout_measure as measure
from manim_agent.tools.sandbox.child.drawing import draw_frame

MIN_DRAW_BUDGET = 0.1  # seconds of frame drawing always allowed, even for a very short check
CLEARLY_CONTENT = 1.0  # a keyframe stops measuring once a unit this long is on screen (units)


def install(scene: Any, result: dict[str, Any], job: dict[str, Any] | None = None) -> None:
    """Start recording `scene`; the data accumulates in `result["layout"]` as the scene plays."""
    job = job or {}
    options = job.get("layout") or {}
    recorder = Recorder(scene, result, LayoutConfig.from_mapping(options.get("config")), options, job)
    recorder.install()


class Recorder:
    """Wraps one scene's playback and turns its state into snapshots."""

    def __init__(self, scene: Any, result: dict[str, Any], config: LayoutConfig, options: dict[str, Any], job: dict[str, Any]) -> None:
        self.scene = scene
        self.config = config
        self.draw_frames = bool(options.get("frames", False))
        # Spread the sample frames over the animations the source shows (loops only add more).
        expected = int(options.get("expected_plays") or 0)
        self.workdir = Path(job.get("workdir") or ".")
        self.data: dict[str, Any] = {"snapshots": [], "frames": [], "errors": [], "seconds": 0.0, "draw_seconds": 0.0}
        result["layout"] = self.data
        self.started = time.monotonic()
        self._uids: dict[int, int] = {}
        self._alive: list[Any] = []  # keeps every numbered mobject alive, so ids are never reused
        self._marks: list[float] | None = []
        self._play_index: int | None = None
        self._play_line: int | None = None
        self._seen_problems: set[tuple[Any, ...]] = set()
        self._images: dict[int, Any] = {}
        self._stride = max(1, expected // max(1, config.contact_sheet.frames))
        self._ends = 0
        self._last_tops: tuple[int, ...] | None = None
        self._broken = False
        self._removed_line: int | None = None
        self._playing = False  # a removal animation's own clean-up (FadeOut → scene.remove) is not a cut
        self._inside: set[int] = set()  # units seen inside the frame at an earlier snapshot
        module = sys.modules.get("__manim_agent_scene__")
        self.path = getattr(module, "__file__", None) or type(scene).construct.__code__.co_filename

    # -- hooks ------------------------------------------------------------------------------------
    def install(self) -> None:
        renderer = self.scene.renderer
        original_play = renderer.play
        original_update = self.scene.update_to_time
        original_tear_down = self.scene.tear_down

        @functools.wraps(original_play)
        def play(scene: Any, *args: Any, **kwargs: Any) -> None:
            self._guarded(self._before_play)
            self._playing = True
            try:
                original_play(scene, *args, **kwargs)
            finally:
                self._playing = False
            self._guarded(self._after_play)

        @functools.wraps(original_update)
        def update_to_time(t: float) -> None:
            original_update(t)
            if self._marks is None:
                self._marks = self._keyframe_times()
            if self._marks and t >= self._marks[0]:
                self._guarded(self._mid_keyframe, t)

        @functools.wraps(original_tear_down)
        def tear_down() -> None:
            original_tear_down()
            self._guarded(self._final)

        renderer.play = play
        self.scene.update_to_time = update_to_time
        self.scene.tear_down = tear_down
        for name in ("remove", "clear"):
            self._note_removals(name)
        measure.record_creation_lines(self.path)

    def _note_removals(self, name: str) -> None:
        """Remember the user's line of the latest remove/clear, to blame it for an emptied frame."""
        original = getattr(self.scene, name)

        @functools.wraps(original)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not self._broken and not self._playing:
                self._removed_line = measure.user_line(self.path)
            return original(*args, **kwargs)

        setattr(self.scene, name, wrapper)

    def _guarded(self, function: Any, *args: Any) -> None:
        """Run a recording step; a failure of the instrumentation is noted and recording stops."""
        if self._broken:
            return
        started = time.monotonic()
        try:
            function(*args)
        except Exception as exc:  # instrumentation must never change the scene's outcome
            self._broken = True
            self.data["errors"].append(f"{type(exc).__name__}: {exc}")
        finally:
            self.data["seconds"] = round(self.data["seconds"] + time.monotonic() - started, 4)

    def _before_play(self) -> None:
        renderer = self.scene.renderer
        self._play_index = renderer.num_plays
        self._play_start = float(renderer.time)
        self._play_line = measure.user_line(self.path)
        self._marks = None  # known once the animations are compiled, at the first frame
        if not self.data["snapshots"]:
            snapshot = self._meta("start", time_=self._play_start)
            snapshot["content"] = self._content()
            self._append(snapshot)

    def _keyframe_times(self) -> list[float]:
        """Times inside the current animation (not a wait) at which to take a keyframe."""
        if self._is_wait():
            return []
        duration = float(getattr(self.scene, "duration", 0.0) or 0.0)
        return sorted(f * duration for f in self.config.keyframes)

    # -- snapshots --------------------------------------------------------------------------------
    def _frame(self) -> list[float]:
        """The visible part of the scene, [x0, y0, x1, y1], as the renderer maps it to pixels."""
        camera = self.scene.renderer.camera
        center = np.asarray(camera.frame_center, dtype=float)
        half_w, half_h = camera.frame_width / 2, camera.frame_height / 2
        return [round(float(v), 4) for v in (center[0] - half_w, center[1] - half_h, center[0] + half_w, center[1] + half_h)]

    def _meta(self, phase: str, *, time_: float | None = None) -> dict[str, Any]:
        removed, self._removed_line = self._removed_line, None
        extra = {"removed_line": removed} if removed else {}
        return {
            **extra,
            "n": len(self.data["snapshots"]),
            "phase": phase,
            "index": self._play_index,
            "time": round(float(self.scene.renderer.time if time_ is None else time_), 3),
            "line": self._play_line,
            "frame": self._frame(),
        }

    def _append(self, snapshot: dict[str, Any]) -> None:
        self.data["snapshots"].append(snapshot)

    def _is_wait(self) -> bool:
        animations = getattr(self.scene, "animations", None) or []
        return bool(animations) and all(type(a).__name__ == "Wait" for a in animations)

    def _after_play(self) -> None:
        renderer = self.scene.renderer
        animations = getattr(self.scene, "animations", None) or []
        snapshot = self._meta("end")
        snapshot.update(
            wait=self._is_wait(),
            start=round(self._play_start, 3),
            duration=round(float(renderer.time) - self._play_start, 3),
            animations=[type(a).__name__ for a in animations][:8],
        )
        # A wait adds its own empty Mobject to the scene; it draws nothing, so it changes nothing.
        tops = tuple(id(m) for m in self.scene.mobjects if type(m) is not Mobject)
        previous = self._last_end()
        still = snapshot["wait"] and animations and getattr(animations[0], "is_static_wait", False)
        if still and previous is not None and tops == self._last_tops and previous["frame"] == snapshot["frame"]:
            snapshot["same_as"] = previous.get("same_as", previous["n"])
            self._append(snapshot)
            return
        self._last_tops = tops
        self._measure_into(snapshot)
        self._append(snapshot)
        self._consider_frame(snapshot)

    def _last_end(self) -> dict[str, Any] | None:
        for snapshot in reversed(self.data["snapshots"]):
            if snapshot["phase"] == "end":
                return snapshot
        return None

    def _mid_keyframe(self, t: float) -> None:
        while self._marks and t >= self._marks[0]:
            self._marks.pop(0)
        snapshot = self._meta("mid", time_=self._play_start + t)
        snapshot["content"] = self._content()
        self._append(snapshot)

    def _final(self) -> None:
        snapshot = self._meta("final")
        self._measure_into(snapshot)
        self._append(snapshot)
        ends = [s for s in self.data["snapshots"] if s["phase"] == "end"]
        last = ends[-1] if ends else snapshot
        if self.draw_frames and last["n"] not in self._images:
            # The last frame is always drawn; after the last play the scene still shows it.
            self._draw(last["n"], "last", force=True)
        self._save_frames()

    # -- measuring ------------------------------------------------------------------------------------
    def _uid(self, mob: Any) -> int:
        uid = self._uids.get(id(mob))
        if uid is None:
            uid = self._uids[id(mob)] = len(self._uids) + 1
            self._alive.append(mob)
        return uid

    def _units(self) -> list[dict[str, Any]]:
        return list(self._iter_units())

    def _iter_units(self) -> Any:
        """The scene's units: texts (never split), and shapes below plain groups; texts inside shapes too."""
        seen: set[int] = set()
        tops = list(self.scene.mobjects) + [m for m in getattr(self.scene, "foreground_mobjects", []) if m not in self.scene.mobjects]
        stack: list[tuple[Any, int | None]] = [(m, None) for m in reversed(tops)]
        while stack:
            mob, group = stack.pop()
            if id(mob) in seen:
                continue
            seen.add(id(mob))
            if isinstance(mob, measure.TEXT_TYPES):
                yield {"mob": mob, "is_text": True, "group": group, "structure": None}
            elif type(mob) in measure.PLAIN_GROUPS:
                if len(mob.points):
                    yield {"mob": mob, "is_text": False, "group": group, "structure": None, "own_only": True}
                stack.extend((sub, self._uid(mob)) for sub in reversed(mob.submobjects))
            else:
                yield {"mob": mob, "is_text": False, "group": group, "structure": None}
                yield from self._inner_texts(mob, seen)

    def _inner_texts(self, owner: Any, seen: set[int]) -> Any:
        stack = list(owner.submobjects)
        while stack:
            mob = stack.pop()
            if isinstance(mob, measure.TEXT_TYPES):
                if id(mob) not in seen:
                    seen.add(id(mob))
                    yield {"mob": mob, "is_text": True, "group": self._uid(owner), "structure": type(owner).__name__}
            else:
                stack.extend(mob.submobjects)

    def _leaf_points(
        self, units: list[dict[str, Any]], *, fresh_camera: bool = True
    ) -> tuple[list[np.ndarray], list[tuple[int, bool, bool]]]:
        """Every leaf with points, on screen: (points, and per leaf: unit index, visible, projected)."""
        camera = self.scene.renderer.camera
        leaves: list[Any] = []
        info: list[tuple[int, bool, bool]] = []
        for index, unit in enumerate(units):
            mob = unit["mob"]
            for leaf in [mob] if unit.get("own_only") else measure.family_with_points(mob):
                leaves.append(leaf)
                info.append((index, measure.is_visible(leaf), False))
        arrays = [leaf.points for leaf in leaves]
        if isinstance(camera, ThreeDCamera) and leaves:
            if fresh_camera:
                # The check never draws, so the camera's cached rotation would still be the first frame's.
                camera.reset_rotation_matrix()
            return self._project(camera, leaves, arrays, info)
        return arrays, info

    def _project(
        self, camera: Any, leaves: list[Any], arrays: list[np.ndarray], info: list[tuple[int, bool, bool]]
    ) -> tuple[list[np.ndarray], list[tuple[int, bool, bool]]]:
        """Project 3-D leaves through the camera the way the renderer does, in one batch."""
        flat = abs(camera.get_phi()) < 1e-3 and abs(camera.get_gamma()) < 1e-3 and abs(camera.get_theta() + np.pi / 2) < 1e-3
        fixed, oriented = camera.fixed_in_frame_mobjects, camera.fixed_orientation_mobjects
        plain = [i for i, leaf in enumerate(leaves) if leaf not in fixed and leaf not in oriented]
        if plain:
            lengths = [len(arrays[i]) for i in plain]
            projected = camera.project_points(np.concatenate([arrays[i] for i in plain]))
            for i, part in zip(plain, np.split(projected, np.cumsum(lengths)[:-1])):
                arrays[i] = part
        for i, leaf in enumerate(leaves):
            if leaf in oriented:
                arrays[i] = camera.transform_points_pre_display(leaf, arrays[i])
        plain_set = set(plain)
        info = [(index, visible, not flat and i in plain_set) for i, (index, visible, _) in enumerate(info)]
        return arrays, info

    def _content(self) -> float:
        """The longest visible extent inside the frame of any unit (0.0: the frame is blank).

        Stops at the first unit that is clearly content, so a keyframe usually costs one unit.
        """
        frame = np.array(self._frame())
        camera = self.scene.renderer.camera
        if isinstance(camera, ThreeDCamera):
            camera.reset_rotation_matrix()
        best = 0.0
        for unit in self._iter_units():
            arrays, info = self._leaf_points([unit], fresh_camera=False)
            if not arrays:
                continue
            visible = np.fromiter((v for _, v, _ in info), dtype=bool, count=len(info))
            if visible.any():
                best = max(best, float(measure.in_frame_sizes(measure.leaf_boxes(arrays)[visible], frame).max()))
            if best >= CLEARLY_CONTENT:
                break
        return round(best, 3)

    def _measure_into(self, snapshot: dict[str, Any]) -> None:
        """Fill `snapshot` with its units, how much is on screen, and the overlaps of its texts."""
        units = self._units()
        arrays, info = self._leaf_points(units)
        frame = snapshot["frame"]
        records: list[dict[str, Any]] = []
        glyphs: dict[int, np.ndarray] = {}
        entered: set[int] = set()
        content = 0.0
        if arrays:
            boxes = measure.leaf_boxes(arrays)
            owner = np.fromiter((i for i, _, _ in info), dtype=np.int64, count=len(info))
            visible = np.fromiter((v for _, v, _ in info), dtype=bool, count=len(info))
            projected = np.fromiter((p for _, _, p in info), dtype=bool, count=len(info))
            # Leaves are listed unit by unit, so each unit's leaves are one contiguous slice.
            starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
            ends = np.r_[starts[1:], len(owner)]
            shown = np.where(visible[:, None], boxes, [np.inf, np.inf, -np.inf, -np.inf])
            lows = np.minimum.reduceat(shown[:, :2], starts, axis=0)
            highs = np.maximum.reduceat(shown[:, 2:], starts, axis=0)
            tops = np.maximum.reduceat(boxes[:, 3], starts)
            bottoms = np.minimum.reduceat(boxes[:, 1], starts)
            for slot, (start, end) in enumerate(zip(starts.tolist(), ends.tolist())):
                if not visible[start:end].any():
                    continue
                unit = units[int(owner[start])]
                box = [float(lows[slot, 0]), float(lows[slot, 1]), float(highs[slot, 0]), float(highs[slot, 1])]
                content = max(content, layout_rules.in_frame_size(box, frame))
                record = self._record(unit, box, bool(projected[start:end][visible[start:end]].any()))
                # Moved out of the frame after being seen is an exit, not an object nobody ever sees.
                if record["id"] in self._inside:
                    record["was_inside"] = True
                if layout_rules.in_frame_size(box, frame) > 0:
                    entered.add(record["id"])
                if unit["is_text"]:
                    font, per_point = measure.font_size_of(unit["mob"], float(tops[slot] - bottoms[slot]))
                    if font:
                        record["font"] = round(float(font), 2)
                        record["em"] = round(float(font) * per_point, 4)
                    glyphs[record["id"]] = boxes[start:end][visible[start:end]]
                records.append(record)
        self._inside |= entered
        snapshot["units"] = records
        snapshot["content"] = round(content, 3)
        snapshot["overlaps"] = measure.text_overlaps([r for r in records if r.get("is_text")], glyphs)

    def _record(self, unit: dict[str, Any], box: list[float], projected: bool) -> dict[str, Any]:
        mob = unit["mob"]
        record: dict[str, Any] = {"id": self._uid(mob), "kind": type(mob).__name__, "box": [round(v, 3) for v in box]}
        line = getattr(mob, measure.LINE_ATTRIBUTE, None)
        if line:
            record["line"] = line
        if unit["group"] is not None:
            record["group"] = unit["group"]
        if projected:
            record["projected"] = True
        if unit["is_text"]:
            record.update(is_text=True, text=measure.content_of(mob))
            if unit["structure"]:
                record["structure"] = unit["structure"]
        return record

    # -- frames for the contact sheet ----------------------------------------------------------------
    def _consider_frame(self, snapshot: dict[str, Any]) -> None:
        if not self.draw_frames:
            return
        sheet = self.config.contact_sheet
        keys = {p.key for p in layout_rules.snapshot_problems(snapshot, self.config)}
        if float(snapshot.get("content") or 0) < self.config.content_min_size:
            keys.add(("blank",))
        new = keys - self._seen_problems
        self._seen_problems |= keys
        problems_drawn = sum(1 for f in self.data["frames"] if f["reason"] == "problem")
        if new and problems_drawn < sheet.problem_frames:
            self._draw(snapshot["n"], "problem")
        elif not snapshot.get("wait"):
            self._ends += 1
            if (self._ends - 1) % self._stride == 0:
                self._draw(snapshot["n"], "sample")
                self._thin_samples()

    def _thin_samples(self) -> None:
        """Keep at most twice the wanted number of evenly spread samples, halving them when exceeded."""
        samples = [f for f in self.data["frames"] if f["reason"] == "sample"]
        if len(samples) <= 2 * self.config.contact_sheet.frames:
            return
        self._stride *= 2
        for position, frame in enumerate(samples):
            if position % 2:
                self.data["frames"].remove(frame)
                self._images.pop(frame["snapshot"], None)

    def _draw(self, n: int, reason: str, *, force: bool = False) -> None:
        """Draw the current frame for real (the check otherwise draws nothing), as a small thumbnail."""
        elapsed = time.monotonic() - self.started
        budget = max(MIN_DRAW_BUDGET, self.config.contact_sheet.budget * elapsed)
        if not force and self.data["draw_seconds"] > budget:
            return
        from PIL import Image  # Manim's own dependency

        started = time.monotonic()
        width = self.config.contact_sheet.width
        pixels = draw_frame(self.scene, width=width)
        if pixels is not None:
            image = Image.fromarray(np.ascontiguousarray(np.asarray(pixels)[:, :, :3]))
            if image.width != width:
                image = image.resize((width, max(1, round(image.height * width / image.width))), Image.Resampling.BILINEAR)
            self._images[n] = image
            self.data["frames"].append({"snapshot": n, "reason": reason})
        self.data["draw_seconds"] = round(self.data["draw_seconds"] + time.monotonic() - started, 4)

    def _save_frames(self) -> None:
        folder = self.workdir / "layout_frames"
        kept = []
        for frame in self.data["frames"]:
            image = self._images.get(frame["snapshot"])
            if image is None:
                continue
            folder.mkdir(exist_ok=True)
            path = folder / f"frame_{frame['snapshot']:04d}.png"
            image.save(path, compress_level=1)  # speed over size: the sheet re-encodes them anyway
            kept.append({**frame, "path": str(path)})
        self.data["frames"] = sorted(kept, key=lambda f: f["snapshot"])
