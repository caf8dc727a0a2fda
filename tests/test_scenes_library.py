"""The curated scenes library: every scene is documented, checks clean, and matches its golden last frame.

Regenerate the goldens after an intended visual change with `pytest tests/test_scenes_library.py --regen-goldens`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from manim_agent.scenes import LIBRARY_DIR, library
from manim_agent.tools.render_scene import render_file
from manim_agent.tools.static.checks import run_static_checks

GOLDENS = LIBRARY_DIR / "goldens"
SCENES = library()


def test_library_has_the_promised_scenes() -> None:
    modules = {s.module for s in SCENES}
    expected = {
        "pythagorean_areas", "qed_journey", "optimal_transport", "gale_shapley", "information_geometry",
        "diffusion_ot", "bohr_sommerfeld", "nested_shapes", "attention_arithmetic", "transformer_walkthrough",
    }
    assert expected <= modules, f"missing: {sorted(expected - modules)}"
    assert len(SCENES) >= 10


@pytest.mark.parametrize("entry", SCENES, ids=[s.module for s in SCENES])
def test_scene_is_documented_and_statically_clean(entry) -> None:
    assert len(entry.summary) > 30, f"{entry.module} needs a docstring saying what it teaches"
    assert entry.tags, f"{entry.module} needs a TAGS list"
    static = run_static_checks(entry.source, filename=entry.path.name)
    errors = [f for f in static.findings if f.severity == "error"]
    assert errors == [], [f.to_json() for f in errors]
    assert static.scene == entry.scene


def _compare(actual: np.ndarray, golden: np.ndarray) -> tuple[float, float]:
    diff = np.abs(actual.astype(np.int16) - golden.astype(np.int16)).max(axis=-1)
    return float(diff.mean()), float((diff > 48).mean())


@pytest.mark.parametrize("entry", SCENES, ids=[s.module for s in SCENES])
def test_last_frame_matches_golden(entry, tmp_path: Path, regen_goldens: bool) -> None:
    result = render_file(entry.path, quality="l", fmt="png", out_dir=tmp_path, timeout=300)
    assert result.ok, result.diagnosis.to_json() if result.diagnosis else result
    [png] = result.outputs
    frame = np.asarray(Image.open(png).convert("RGB"))
    assert frame.shape == (480, 854, 3)
    # Never a blank last frame: a library scene ends on its key result.
    assert (frame.max(axis=-1) > 40).mean() > 0.01, f"{entry.module} ends on an (almost) empty frame"
    golden_path = GOLDENS / f"{entry.module}.npz"
    if regen_goldens or not golden_path.exists():
        if not regen_goldens:
            pytest.fail(f"no golden for {entry.module}; run pytest {__file__} --regen-goldens")
        GOLDENS.mkdir(exist_ok=True)
        np.savez_compressed(golden_path, frame=frame)
        return
    golden = np.load(golden_path)["frame"]
    mean, changed = _compare(frame, golden)
    assert mean < 2.0 and changed < 0.01, (
        f"{entry.module}: last frame differs from its golden (mean |diff| {mean:.2f}, "
        f"{changed:.2%} of pixels changed); if intended, rerun with --regen-goldens"
    )


def test_golden_comparison_tells_scenes_apart() -> None:
    """The tolerance is tight enough that one scene's frame never passes for another's."""
    goldens = sorted(GOLDENS.glob("*.npz"))
    assert len(goldens) >= 10
    first, second = (np.load(p)["frame"] for p in goldens[:2])
    mean, changed = _compare(first, second)
    assert not (mean < 2.0 and changed < 0.01)
    nudged = first.copy()
    nudged[100:140, 200:300] = 255  # a small visual change, like a moved label
    mean, changed = _compare(nudged, first)
    assert not (mean < 2.0 and changed < 0.01)
