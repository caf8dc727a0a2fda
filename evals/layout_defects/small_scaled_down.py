from manim import *


class ScaledDown(Scene):
    def construct(self):
        circle = Circle(radius=2.5, color=BLUE)
        radius = Line(ORIGIN, RIGHT * 2.5, color=YELLOW)
        label = MathTex(r"r = 2.5\,\text{cm}").scale(0.3).next_to(radius, UP, buff=0.05)
        self.play(Create(circle), Create(radius), run_time=0.5)
        self.play(Write(label), run_time=0.5)
        self.wait(0.5)
