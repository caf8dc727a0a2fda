from manim import *


class LabelOffRight(Scene):
    def construct(self):
        dot = Dot(RIGHT * 6.2, color=YELLOW)
        label = Text("the fixed point", font_size=32).next_to(dot, RIGHT)
        self.play(FadeIn(dot), run_time=0.3)
        self.play(Write(label), run_time=0.5)
        self.wait(0.5)
