"""The layout rules and their settings, on hand-made snapshots (no Manim, no sandbox)."""

from __future__ import annotations

from pathlib import Path

import pytest

from manim_agent.errors import ConfigError
from manim_agent.tools.layout.config import LayoutConfig, load_layout_config
from manim_agent.tools.layout.rules import evaluate, fit_into_frame, snapshot_problems, text_blocks

FRAME = [-7.111, -4.0, 7.111, 4.0]
SOURCE = "\n".join(f"line {n}" for n in range(1, 40))


def text(uid: int, content: str, box: list[float], *, line: int = 5, kind: str = "MathTex", em: float = 0.5, **extra):
    return {"id": uid, "kind": kind, "text": content, "box": box, "is_text": True, "line": line, "em": em,
            "font": em * 96, **extra}


def shape(uid: int, box: list[float], *, kind: str = "Circle", line: int = 4, **extra):
    return {"id": uid, "kind": kind, "box": box, "line": line, **extra}


def end(n: int, index: int, time: float, units: list[dict], *, overlaps=None, content: float = 1.0, line: int = 9, **extra):
    return {"n": n, "phase": "end", "index": index, "time": time, "line": line, "frame": FRAME, "units": units,
            "overlaps": overlaps or [], "content": content, **extra}


def rules(findings) -> list[tuple[str, str]]:
    return [(f.details["rule"], f.severity) for f in findings]


def test_a_formula_off_the_right_edge_is_an_error_named_by_content_with_numbers() -> None:
    formula = text(1, "a^2+b^2=c^2", [5.0, -0.3, 8.0, 0.3], line=7)
    [finding] = evaluate({"snapshots": [end(0, 2, 3.5, [formula])]}, source=SOURCE)
    assert (finding.category, finding.stage, finding.severity) == ("layout", "layout", "error")
    assert "the MathTex `a^2+b^2=c^2`" in finding.message and "right edge" in finding.message
    assert "animation 2" in finding.message and "t=3.50 s" in finding.message
    assert finding.line == 7 and finding.code_line == "line 7"
    assert "move it left by 1.14 units (.shift(1.14 * LEFT))" in finding.hint
    assert finding.details["boxes"] == [[5.0, -0.3, 8.0, 0.3]] and finding.details["snapshot"] == 0


def test_a_formula_wider_than_the_frame_gets_a_scale_factor() -> None:
    wide = text(1, "x", [-8.0, -0.4, 8.0, 0.4])
    [finding] = evaluate({"snapshots": [end(0, 0, 1.0, [wide])]})
    assert "left and right edges" in finding.message
    assert "scale it to 0.85 (.scale(0.85))" in finding.hint
    scale, dx, dy = fit_into_frame([-8.0, -0.4, 8.0, 0.4], FRAME)
    assert scale == 0.85 and abs(dx) < 1e-9 and abs(dy) < 1e-9


def test_within_tolerance_backgrounds_and_edge_to_edge_lines_are_fine() -> None:
    units = [
        text(1, "title", [-2.0, 3.5, 2.0, 4.04]),  # 0.04 out: within tolerance
        shape(2, [-8.0, -4.5, 8.0, 4.5], kind="Rectangle"),  # a background bigger than the frame
        shape(3, [-9.0, -1.0, 9.0, -1.0], kind="Line"),  # an edge-to-edge line
    ]
    assert evaluate({"snapshots": [end(0, 0, 1.0, units)]}) == []


def test_shapes_off_frame_and_3d_mobjects_are_warnings_only() -> None:
    units = [shape(1, [5.0, 0.0, 8.0, 2.0]), text(2, "3-D label", [5.0, 0.0, 8.0, 0.5], projected=True)]
    findings = evaluate({"snapshots": [end(0, 0, 1.0, units)]})
    assert sorted(rules(findings)) == [("off_frame", "warning"), ("off_frame", "warning")]
    assert any("seen through the camera" in f.hint for f in findings)


def test_a_text_entirely_outside_is_reported_once_with_its_occurrences() -> None:
    note = text(1, "area", [8.0, 0.5, 9.5, 1.0], kind="Text")
    snapshots = [end(0, 0, 1.0, [note]), end(1, 1, 2.0, [note])]
    [finding] = evaluate({"snapshots": snapshots})
    assert "entirely outside the frame" in finding.message and finding.details["occurrences"] == 2


def test_moving_a_text_off_the_screen_as_an_exit_is_fine_but_half_off_is_not() -> None:
    gone = text(1, "bye", [8.0, 0.5, 9.5, 1.0], was_inside=True)
    assert evaluate({"snapshots": [end(0, 0, 1.0, [gone])]}) == []
    half = text(1, "bye", [6.5, 0.5, 8.0, 1.0], was_inside=True)
    assert rules(evaluate({"snapshots": [end(0, 0, 1.0, [half])]})) == [("off_frame", "error")]


def test_overlapping_texts_blame_the_newcomer_and_say_how_far_to_move_it() -> None:
    equation = text(1, "E=mc^2", [-1.0, -0.3, 1.0, 0.3], line=6)
    caption = text(2, "energy", [-0.8, -0.2, 0.8, 0.2], kind="Text", line=8)
    snapshot = end(0, 1, 2.0, [equation, caption], overlaps=[[1, 2, 1.0, 0.6]])
    [finding] = evaluate({"snapshots": [snapshot]}, source=SOURCE)
    assert rules([finding]) == [("overlap", "error")]
    assert "the MathTex `E=mc^2` and the Text `energy` overlap" in finding.message and "60%" in finding.message
    assert finding.line == 8  # the caption came later: it is the one to move
    assert "move the Text `energy` down by 0.70 units" in finding.hint


def test_overlap_thresholds_group_members_and_3d_texts() -> None:
    a, b = text(1, "a", [0, 0, 1, 1]), text(2, "b", [0.5, 0, 1.5, 1])
    config = LayoutConfig()
    assert rules(evaluate({"snapshots": [end(0, 0, 1, [a, b], overlaps=[[1, 2, 0.5, 0.08]])]})) == [("overlap", "warning")]
    assert evaluate({"snapshots": [end(0, 0, 1, [a, b], overlaps=[[1, 2, 0.5, 0.02]])]}) == []
    grouped = [dict(a, group=7), dict(b, group=7)]  # one VGroup/Matrix: laid out together on purpose
    assert snapshot_problems(end(0, 0, 1, grouped, overlaps=[[1, 2, 0.5, 0.9]]), config) == []
    projected = [dict(a, projected=True), b]
    assert snapshot_problems(end(0, 0, 1, projected, overlaps=[[1, 2, 0.5, 0.9]]), config) == []


def test_small_text_depends_on_the_chosen_quality_and_groups_labels_of_one_line() -> None:
    # em 0.15 units on an 8-unit frame: 9 px at 480p (error), 20 px at 1080p (fine).
    labels = [text(i, str(i), [i * 0.5 - 3, -2, i * 0.5 - 2.8, -1.8], em=0.15, line=12, structure="Axes", group=9)
              for i in range(6)]
    [finding] = evaluate({"snapshots": [end(0, 0, 1.0, labels)]})
    assert rules([finding]) == [("small_text", "error")]
    assert "9.0 px at 480p" in finding.message and "and 5 more made on the same line" in finding.message
    assert "axis_config" in finding.hint and finding.details["target_font_size"] == 26
    assert evaluate({"snapshots": [end(0, 0, 1.0, labels)]}, LayoutConfig.from_mapping({"quality": "h"})) == []
    warning = text(1, "note", [0, 0, 2, 0.3], em=0.24)  # 14.4 px
    assert rules(evaluate({"snapshots": [end(0, 0, 1.0, [warning])]})) == [("small_text", "warning")]


def test_the_empty_last_frame_is_an_error_blaming_the_call_that_emptied_it() -> None:
    shown = end(0, 0, 1.0, [shape(1, [-1, -1, 1, 1])], content=2.0, line=8)
    emptied = end(1, 1, 1.5, [], content=0.0, line=10)
    waited = end(2, 2, 2.5, [], content=0.0, line=11, wait=True)
    [finding] = evaluate({"snapshots": [shown, emptied, waited]}, source=SOURCE)
    assert rules([finding]) == [("blank_end", "error")] and finding.line == 10
    cleared = end(1, 1, 2.0, [], content=0.0, line=11, removed_line=9, wait=True)
    [finding] = evaluate({"snapshots": [shown, cleared]})
    assert finding.line == 9 and "line 9" in finding.hint


def test_a_closing_fade_out_is_a_warning_naming_the_last_frame_with_content() -> None:
    shown = end(0, 0, 1.0, [shape(1, [-1, -1, 1, 1])], content=2.0, line=8)
    faded = end(1, 1, 1.5, [], content=0.0, line=10, animations=["FadeOut", "FadeOut"])
    waited = end(2, 2, 2.5, [], content=0.0, line=11, wait=True, animations=["Wait"])
    [finding] = evaluate({"snapshots": [shown, faded, waited]}, source=SOURCE)
    assert rules([finding]) == [("blank_end", "warning")] and finding.line == 10
    assert finding.details["deliberate"] and finding.details["last_content_animation"] == 0
    assert "after animation 0" in finding.message
    strict = LayoutConfig.from_mapping({"blank_end": {"fade_out": "error"}})
    assert rules(evaluate({"snapshots": [shown, faded, waited]}, strict)) == [("blank_end", "error")]
    # The same emptying by a move (not a removal animation), or a fade-out of a scene that showed nothing, stays an error.
    moved = dict(faded, animations=["_MethodAnimation"])
    assert rules(evaluate({"snapshots": [shown, moved, waited]})) == [("blank_end", "error")]
    never = [end(0, 0, 1.0, [], content=0.0), faded]
    [finding] = evaluate({"snapshots": never})
    assert rules([finding]) == [("blank_end", "error")] and "never shows anything" in finding.message


def test_an_object_parked_off_screen_before_it_slides_in_is_not_off_frame() -> None:
    parked = text(1, "Title", [8.5, 0, 10.5, 0.5], line=7)
    inside = text(1, "Title", [-1, 0, 1, 0.5], line=7)
    assert evaluate({"snapshots": [end(0, 0, 1.0, [parked]), end(1, 1, 2.0, [inside])]}) == []
    [finding] = evaluate({"snapshots": [end(0, 0, 1.0, [parked]), end(1, 1, 2.0, [])]})
    assert rules([finding]) == [("off_frame", "error")]  # never comes in: still reported


def test_nothing_on_screen_for_more_than_a_second_is_a_warning_in_the_middle_only() -> None:
    box = [shape(1, [-1, -1, 1, 1])]
    snapshots = [
        end(0, 0, 1.0, box, content=2.0),
        end(1, 1, 1.5, [], content=0.0, line=12),
        end(2, 2, 3.5, [], content=0.0, line=13, wait=True),
        {"n": 3, "phase": "mid", "index": 3, "time": 3.8, "frame": FRAME, "content": 0.0},
        end(4, 3, 4.0, box, content=2.0),
    ]
    findings = evaluate({"snapshots": snapshots})
    assert rules(findings) == [("blank_middle", "warning")]
    assert "for 2.3 s" in findings[0].message and "animations 1-3" in findings[0].message
    short = [snapshots[0], end(1, 1, 1.5, [], content=0.0), end(2, 2, 2.0, box, content=2.0)]
    assert evaluate({"snapshots": short}) == []


def test_crowded_counts_readable_texts_not_short_labels_and_structures_once() -> None:
    sentences = [text(i, f"sentence number {i}", [-6, 3 - i * 0.3, -2, 3.2 - i * 0.3], em=0.4) for i in range(17)]
    labels = [text(100 + i, str(i), [2, 0, 2.2, 0.2], em=0.4) for i in range(10)]
    matrix = [text(200 + i, f"entry {i}", [3, 0, 3.5, 0.2], em=0.4, structure="Matrix", group=5) for i in range(9)]
    assert text_blocks(sentences + labels + matrix, FRAME) == 18
    findings = evaluate({"snapshots": [end(0, 4, 6.0, sentences + labels)]})
    assert rules(findings) == [("crowded", "warning")] and "17 text objects" in findings[0].message
    assert evaluate({"snapshots": [end(0, 0, 1.0, sentences[:15] + labels + matrix)]}) == []  # 16: the limit


def test_errors_come_first_and_off_rules_are_silent() -> None:
    units = [shape(1, [6, 0, 8, 1]), text(2, "x", [6, 2, 8, 2.4])]
    findings = evaluate({"snapshots": [end(0, 0, 1.0, units)]})
    assert [f.severity for f in findings] == ["error", "warning"]
    quiet = LayoutConfig.from_mapping({"off_frame": {"severity": "off", "shapes": "off"}})
    assert evaluate({"snapshots": [end(0, 0, 1.0, units)]}, quiet) == []


def test_still_waits_repeat_the_snapshot_they_refer_to() -> None:
    formula = text(1, "x", [7.0, 0, 8.0, 0.4])
    snapshots = [end(0, 0, 1.0, [formula]), {"n": 1, "phase": "end", "index": 1, "time": 2.0, "wait": True, "same_as": 0}]
    [finding] = evaluate({"snapshots": snapshots})
    assert finding.details["occurrences"] == 2


def test_a_scene_without_animations_is_judged_on_its_final_frame() -> None:
    final = {"n": 0, "phase": "final", "index": None, "time": 0.0, "frame": FRAME, "units": [], "content": 0.0}
    [finding] = evaluate({"snapshots": [final]})
    assert rules([finding]) == [("blank_end", "error")] and "only frame" in finding.message
    assert evaluate({"snapshots": []}) == [] and evaluate(None) == []


def test_config_from_yaml_and_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "layout.yaml"
    path.write_text("quality: m\noff_frame: {tolerance: 0.2}\ncrowded:\n  max_texts: 30\n")
    config = load_layout_config(path)
    assert config.quality == "m" and config.pixel_height == 720
    assert config.off_frame.tolerance == 0.2 and config.crowded.max_texts == 30 and config.overlap.fraction == 0.15
    assert load_layout_config(environ={"MANIM_AGENT_LAYOUT_CONFIG": str(path)}).quality == "m"
    assert load_layout_config(environ={}).quality == "l"
    assert LayoutConfig.from_mapping(config.to_json()).to_json() == config.to_json()


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"colour": 1}, "unknown key 'colour'"),
        ({"overlap": {"fractoin": 0.2}}, "overlap.fractoin"),
        ({"overlap": {"severity": "fatal"}}, "error, warning or off"),
        ({"small_text": {"min_px": "big"}}, "small_text.min_px must be a float"),
        ({"quality": "x"}, "quality must be one of"),
        ({"keyframes": [0.5, 1.5]}, "between 0 and 1"),
        ({"overlap": 3}, "must be a mapping"),
    ],
)
def test_bad_settings_are_refused_with_the_reason(data: dict, needle: str) -> None:
    with pytest.raises(ConfigError, match=needle.replace("(", r"\(")):
        LayoutConfig.from_mapping(data)


def test_a_missing_or_malformed_config_file_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_layout_config(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("quality: [l\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_layout_config(bad)
    listed = tmp_path / "list.yaml"
    listed.write_text("- a\n")
    with pytest.raises(ConfigError, match="mapping"):
        load_layout_config(listed)
