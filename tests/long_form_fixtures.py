"""Scripted replies for the long-form tests: a four-beat script and section scenes with beat markers."""

from __future__ import annotations

import re
from typing import Any

LONG_SPEC_REPLY = """```yaml
title: 'A circle appears'
goal: 'See a circle drawn, then its area, then its radius'
definition: 'A circle is the set of points at distance $r$ from a centre.'
key_equations:
  - latex: 'A = \\pi r^2'
    meaning: 'The area of a circle of radius r'
principles:
  - 'Area grows with the square of the radius'
why_it_matters: 'Circles are everywhere.'
pitfalls:
  - 'Confusing area and circumference'
beats:
  - narration: 'Here is a circle.'
    on_screen: 'A blue circle in the centre'
    duration: 1
  - narration: 'Its area is pi r squared.'
    latex: ['A = \\pi r^2']
    on_screen: 'The formula below the circle'
    duration: 1
  - narration: 'Now a square.'
    on_screen: 'A green square on the left'
    duration: 1
  - narration: 'And a dot in the middle.'
    on_screen: 'A yellow dot'
    duration: 1
```
"""

SECTION_ONE = '''from manim import *


class Section01CircleAppearsScene(Scene):
    def construct(self):
        # Beat 1
        circle = Circle(radius=1, color=BLUE)
        self.play(FadeIn(circle), run_time=0.4)
        self.wait(0.2)
        # Beat 2
        formula = MathTex(r"A = \\pi r^2").next_to(circle, DOWN)
        self.play(FadeIn(formula), run_time=0.4)
        self.wait(0.2)
'''

SECTION_TWO = '''from manim import *


class Section02CircleAppearsScene(Scene):
    def construct(self):
        circle = Circle(radius=1, color=BLUE)
        self.add(circle)
        # Beat 3
        square = Square(side_length=1.5, color=GREEN).to_edge(LEFT)
        self.play(FadeIn(square), run_time=0.4)
        self.wait(0.2)
        # Beat 4
        dot = Dot(color=YELLOW)
        self.play(FadeIn(dot), run_time=0.4)
        self.wait(0.2)
'''

# A keyword that does not exist: the check fails and no rule repairs it.
SECTION_TWO_BROKEN = SECTION_TWO.replace("Square(side_length=1.5, color=GREEN)", "Square(side_length=1.5, colour=GREEN)")

SECTION_TWO_FIX = """<<<<<<< SEARCH
        square = Square(side_length=1.5, colour=GREEN).to_edge(LEFT)
=======
        square = Square(side_length=1.5, color=GREEN).to_edge(LEFT)
>>>>>>> REPLACE
"""


def fenced(code: str) -> str:
    return f"```python\n{code}```\n"


def section_of(messages: list[dict[str, Any]]) -> int:
    """Which section a writer request is for, from the class name or the code it carries."""
    text = "\n".join(str(m.get("content", "")) for m in messages)
    found = re.search(r"Section(\d\d)CircleAppearsScene", text)
    return int(found.group(1)) if found else 0


class SectionWriter:
    """A writer reply function: per section, a queue of replies; records which sections it served."""

    def __init__(self, replies: dict[int, list[str]]) -> None:
        self.replies = {k: list(v) for k, v in replies.items()}
        self.served: list[int] = []

    def __call__(self, messages: list[dict[str, Any]]) -> str:
        number = section_of(messages)
        self.served.append(number)
        queue = self.replies.get(number) or []
        if not queue:
            return "no more replies scripted for this section"
        return queue.pop(0) if len(queue) > 1 else queue[0]
