from manim import *


class StackedBullets(Scene):
    def construct(self):
        heading = Text("Why it works", font_size=44).to_edge(UP)
        points = [
            Text("each step halves the interval", font_size=34),
            Text("the root stays inside", font_size=34).shift(DOWN * 0.2),
            Text("so the error shrinks", font_size=34).shift(DOWN * 0.4),
        ]
        self.play(Write(heading), run_time=0.5)
        for point in points:
            self.play(FadeIn(point), run_time=0.4)
        self.wait(0.5)
