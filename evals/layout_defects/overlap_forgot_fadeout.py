from manim import *


class ForgotFadeOut(Scene):
    def construct(self):
        step1 = MathTex(r"2x + 3 = 7", font_size=64)
        step2 = MathTex(r"2x = 4", font_size=64)
        step3 = MathTex(r"x = 2", font_size=64)
        self.play(Write(step1), run_time=0.5)
        self.play(Write(step2), run_time=0.5)
        self.play(Write(step3), run_time=0.5)
        self.wait(0.5)
