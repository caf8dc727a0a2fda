"""Layout rules judged against how published LLM scenes are written (false alarms found in the wild corpus).

Hand-made snapshots, no Manim: a copy of a text stacked on itself as a glow is no overlap, while two
different texts in the same place still are.
"""

from __future__ import annotations

from manim_agent.tools.layout.rules import evaluate

FRAME = [-7.111, -4.0, 7.111, 4.0]


def text(uid: int, content: str, box: list[float], *, line: int = 5, kind: str = "Text", em: float = 0.5) -> dict:
    return {"id": uid, "kind": kind, "text": content, "box": box, "is_text": True, "line": line, "em": em, "font": em * 96}


def end(units: list[dict], overlaps: list[list[float]]) -> dict:
    return {"n": 0, "phase": "end", "index": 3, "time": 4.0, "line": 9, "frame": FRAME, "units": units,
            "overlaps": overlaps, "content": 1.0}


def test_a_glow_copy_of_a_text_stacked_on_it_is_no_overlap() -> None:
    # question_mark.scale(1.2) and glow = question_mark.copy().set_stroke(width=10): the same text, one box in the other
    mark = text(1, "?", [5.11, -1.55, 5.53, -0.79], line=100)
    glow = text(2, "?", [5.15, -1.49, 5.50, -0.86], line=103)
    assert evaluate({"snapshots": [end([mark, glow], [[1, 2, 1.0, 1.0]])]}) == []


def test_different_texts_or_a_copy_moved_aside_still_overlap() -> None:
    one = text(1, "x + 1", [0.0, 0.0, 2.0, 0.5], line=6)
    other = text(2, "x - 1", [0.1, 0.0, 2.1, 0.5], line=8)
    [finding] = evaluate({"snapshots": [end([one, other], [[1, 2, 0.9, 0.9]])]})
    assert finding.details["rule"] == "overlap"
    aside = text(2, "x + 1", [1.2, 0.0, 3.2, 0.5], line=8)  # same text, shifted by more than a quarter of its width
    [finding] = evaluate({"snapshots": [end([one, aside], [[1, 2, 0.4, 0.4]])]})
    assert finding.details["rule"] == "overlap"


def test_a_cross_or_tick_drawn_over_a_text_is_only_a_warning() -> None:
    # Code2Video: red_x = Text("X", font_size=120, color="#FF0000") placed over the comparison it rejects
    claim = text(1, "Leathery", [1.88, 0.06, 3.12, 0.34], line=90)
    for content, kind in (("X", "Text"), ("✓", "Text"), (r"\times", "MathTex"), (" ✔ ", "Text")):
        mark = text(2, content, [2.86, 0.09, 4.14, 1.31], line=118, kind=kind, em=1.2)
        [finding] = evaluate({"snapshots": [end([claim, mark], [[1, 2, 0.22, 0.22]])]})
        assert (finding.details["rule"], finding.severity) == ("overlap", "warning"), content
    # A longer text that merely starts with an x is no mark.
    word = text(2, "x + y", [2.86, 0.09, 4.14, 1.31], line=118)
    [finding] = evaluate({"snapshots": [end([claim, word], [[1, 2, 0.22, 0.22]])]})
    assert finding.severity == "error"
