from manim import *


class MovedAway(Scene):
    def construct(self):
        circle = Circle(radius=1.5, color=BLUE)
        label = MathTex(r"A = \pi r^2", font_size=48).next_to(circle, DOWN)
        self.play(Create(circle), Write(label), run_time=0.6)
        self.wait(0.3)
        self.play(VGroup(circle, label).animate.shift(12 * RIGHT), run_time=0.5)
        self.wait(0.5)
