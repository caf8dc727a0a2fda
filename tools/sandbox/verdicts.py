"""What a check that ran out of time says: slow (making progress) or stuck, and the hint for each.

The sandboxed check runs in tiers (`child/tiers.py`): a fast pass at the animations' end states, then the
interpolating pass. Its result carries each pass's progress (animations finished, scene time reached,
seconds since the last animation finished) and the traceback at the moment the budget ran out. From
those this module builds the one timeout finding a user sees:

- `partial`: the fast pass finished, the interpolating pass did not. The scene renders at its end
  states; k of n animations were verified in motion. A warning, not a failure.
- `timeout`, slow: animations were finishing, or the time went into Manim's own work (a fine
  Surface, a long animation). The hint names the heavy line and what to lower.
- `timeout`, stuck: the scene's own code kept running one line and no animation finished for most of
  the budget: an endless loop.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from manim_agent.tools.diagnosis import Finding

_SURFACE = re.compile(r"\b(Surface|OpenGLSurface|ParametricSurface|plot_surface|Sphere|Torus|Cylinder)\b")


_RESOLUTION = re.compile(r"resolution\s*=\s*\(?\s*(\d+)\s*(?:,\s*(\d+))?")


def fine_surfaces(source: str) -> list[tuple[int, int]]:
    """(line, faces) of every finely sampled surface in the source: what makes a 3-D scene heavy."""
    found = []
    for number, line in enumerate(source.splitlines(), 1):
        match = _RESOLUTION.search(line)
        if match:
            u = int(match[1])
            faces = u * int(match[2] or match[1])
            if faces > 900:
                found.append((number, faces))
    return found


def heavy_hint(code: str | None, source: str = "") -> str:
    """What to lower on the line that was slow (or the fine surface the scene builds)."""
    code = code or ""
    surfaces = fine_surfaces(source)
    if surfaces and not _SURFACE.search(code):
        line, faces = max(surfaces, key=lambda s: s[1])
        return (f"the surface at line {line} has {faces} faces, and every animation copies and moves them all: "
                "lower its resolution (resolution=(24, 24) is usually plenty for a video)")
    if re.search(r"\b(Tex|MathTex|SingleStringMathTex|Matrix|DecimalNumber|Integer)\(", code):
        return ("the time went into compiling LaTeX for the first time (each new Tex/MathTex string is a LaTeX run): "
                "a second check reuses the compiled strings; or raise --timeout for a LaTeX-heavy scene")
    if _SURFACE.search(code):
        return "lower the surface's resolution (resolution=(24, 24) is usually plenty for a video) or shorten its animation"
    if "run_time" in code or re.search(r"\bwait\(", code):
        return "shorten run_time (or the wait): every second is 15-60 frames of updaters at the check's frame rate"
    if "always_redraw" in code or "add_updater" in code:
        return "the updater rebuilds mobjects every frame: build them once and move them, or sample fewer points"
    return "reduce the work per frame (fewer mobjects, coarser sampling, shorter run_time), or raise --timeout for a long scene"


def _in_while_loop(source: str, line: int | None) -> bool:
    """Is `line` a `while` loop's header or inside its body (where an endless loop spins)?

    Without the source (or when it does not parse) a loop is assumed, as a timeout in the scene's own
    code with no animation finishing most often is one.
    """
    import ast

    if not source or not line:
        return True
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return True
    return any(isinstance(n, ast.While) and n.lineno <= line <= (n.end_lineno or n.lineno) for n in ast.walk(tree))


def _where(finding: Finding) -> str:
    if finding.line:
        return f"line {finding.line}: {finding.code_line or ''}".strip()
    return "code inside Manim (no scene line on the stack)"


def timeout_finding(finding: Finding, result: dict[str, Any], source: str) -> Finding:
    """Turn the worker's timeout (or partial) result into the finding to report; `finding` is located already."""
    fast = result.get("fast_pass") or {}
    slow = result.get("progress") or {}
    finding.category = "timeout"
    details = finding.details
    if result.get("status") == "partial":
        total, verified = fast.get("plays"), slow.get("plays", 0)
        estimate = None
        if slow.get("scene_time") and fast.get("scene_time"):
            estimate = slow["seconds"] * fast["scene_time"] / slow["scene_time"]
        finding.severity = "warning"
        finding.message = (
            f"renders at the end states; {verified} of {total} animations verified in motion before the time ran out "
            f"(the interpolating pass was at {_where(finding)})"
            + (f"; a full pass would take about {estimate:.0f} s" if estimate else "")
        )
        finding.hint = heavy_hint(finding.code_line, source) + "; or raise --timeout to verify every animation in motion"
        details.update(verdict="slow", verified=verified, animations=total, estimated_seconds=round(estimate, 1) if estimate else None)
        return finding
    progress = slow or fast
    frames = (result.get("error") or {}).get("frames") or []
    user_file = (result.get("error") or {}).get("user_file")
    # The innermost frame that is not our own (the alarm's handler raises from inside the worker).
    own = str(Path(__file__).resolve().parent)
    scene_frames = [f for f in frames if not str(f.get("file", "")).startswith(own)]
    in_user_code = bool(scene_frames) and scene_frames[-1].get("file") == user_file
    seconds = float(progress.get("seconds") or 0.0)
    since = progress.get("since_last_play")
    idle = since is None or since >= 0.5 * seconds
    plays = int(progress.get("plays") or 0)
    if in_user_code and idle and _in_while_loop(source, finding.line):
        finding.message = (f"the scene is stuck: {_where(finding)} kept running "
                           f"{'and no animation finished' if plays == 0 else f'for {since:.0f} s after the last of {plays} animations finished'}")
        finding.hint = ("this looks like an endless loop: check that the loop's condition can become false "
                        "(a while loop whose variable never changes, a generator that never ends)")
        details.update(verdict="stuck", animations_finished=plays)
    else:
        stage = "even at its end states (fast pass)" if not slow else "in motion"
        finding.message = (f"the scene is too heavy to check within the time limit {stage}: {plays} animation(s) finished, "
                           f"and it was running {_where(finding)}")
        finding.hint = heavy_hint(finding.code_line, source)
        details.update(verdict="slow", animations_finished=plays)
    return finding
