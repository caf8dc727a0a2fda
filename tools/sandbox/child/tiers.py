"""The bounded check, in tiers: a fast pass at the animations' end states, then the interpolating pass.

Runs inside the sandboxed child (Manim imported), called by `scene_runner.run_scene` for a check.
Real LLM-written scenes are often heavy (finely sampled Surfaces, long ambient rotations), and a
single interpolating pass can run out of any sensible budget before it says anything. So:

1. the fast pass sets the renderer's `skip_animations`: every `play` jumps to its end state, so every
   line of the scene runs once, quickly; it gets at most `FAST_SHARE` of the budget;
2. the interpolating pass (every frame's updaters and interpolation, nothing drawn) gets the rest.

Both passes record their progress (animations finished, scene time reached, when the last one
finished), so a timeout can tell a scene that is slow (animations keep finishing; the heavy line and
the estimated full time are known) from one that is stuck (nothing finishes, the same line runs).
"""

from __future__ import annotations

import signal
import time
from typing import Any

from manim_agent.tools.sandbox.child.drawing import check_drawable

# The share of the check's budget the fast pass may use before the scene counts as too slow even at its end states.
FAST_SHARE = 0.8


class Progress:
    """Animations finished by one pass, and when; installed on the scene's renderer."""

    def __init__(self, scene: Any) -> None:
        self.started = time.monotonic()
        self.done = 0
        self.last_done = self.started
        renderer = scene.renderer
        original = renderer.play

        def play(*args: Any, **kwargs: Any) -> Any:
            value = original(*args, **kwargs)
            self.done += 1
            self.last_done = time.monotonic()
            check_drawable(scene)
            return value

        renderer.play = play
        self.renderer = renderer

    def to_json(self) -> dict[str, Any]:
        now = time.monotonic()
        return {
            "plays": self.done,
            "scene_time": round(float(getattr(self.renderer, "time", 0.0)), 3),
            "seconds": round(now - self.started, 3),
            "since_last_play": round(now - self.last_done, 3),
        }


def remaining_budget() -> float:
    """Seconds left on the worker's wall-clock alarm (0 when none is set)."""
    return signal.getitimer(signal.ITIMER_REAL)[0]


def fast_pass(cls: type, timeout_error: type[BaseException]) -> dict[str, Any]:
    """Build and render the scene with every animation skipped to its end state, within FAST_SHARE of the budget.

    Returns {"status": "ok"|"error"|"timeout", "progress": ..., "exception": exc or None}; the worker's
    alarm is re-armed for the rest of the budget before returning.
    """
    total = remaining_budget()
    started = time.monotonic()
    if total > 0:
        signal.setitimer(signal.ITIMER_REAL, max(total * FAST_SHARE, 0.05))
    scene = None
    outcome: dict[str, Any] = {"status": "ok", "exception": None}
    progress: Progress | None = None
    try:
        scene = cls()
        scene.renderer._original_skipping_status = True
        scene.renderer.skip_animations = True
        progress = Progress(scene)
        scene.render()
    except BaseException as exc:  # a scene error is the verdict, reported as data
        timed_out = isinstance(exc, timeout_error) or isinstance(exc.__context__, timeout_error)
        outcome.update(status="timeout" if timed_out else "error", exception=exc)
    finally:
        if total > 0:
            signal.setitimer(signal.ITIMER_REAL, max(total - (time.monotonic() - started), 0.05))
    outcome["progress"] = progress.to_json() if progress else {"plays": 0, "scene_time": 0.0,
                                                               "seconds": round(time.monotonic() - started, 3), "since_last_play": None}
    outcome["progress"]["budget"] = round(total * FAST_SHARE, 3) if total > 0 else None
    return outcome
