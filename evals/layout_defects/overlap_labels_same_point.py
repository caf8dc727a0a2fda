from manim import *


class LabelsSamePoint(Scene):
    def construct(self):
        point = Dot(ORIGIN, color=RED)
        name = MathTex(r"P = (0, 0)", font_size=40).next_to(point, UR, buff=0.1)
        note = MathTex(r"\text{origin}", font_size=40).next_to(point, RIGHT, buff=0.2).shift(UP * 0.25)
        self.play(FadeIn(point), Write(name), run_time=0.5)
        self.play(Write(note), run_time=0.5)
        self.wait(0.5)
