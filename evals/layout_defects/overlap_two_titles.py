from manim import *


class TwoTitles(Scene):
    def construct(self):
        first = Text("Part 1: limits", font_size=44).to_edge(UP)
        second = Text("Part 2: derivatives", font_size=44).to_edge(UP)
        self.play(Write(first), run_time=0.5)
        self.wait(0.3)
        self.play(Write(second), run_time=0.5)
        self.wait(0.5)
