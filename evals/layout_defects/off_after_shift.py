from manim import *


class ShiftedAway(Scene):
    def construct(self):
        identity = MathTex(r"e^{i\pi} + 1 = 0", font_size=64)
        self.play(Write(identity), run_time=0.5)
        self.play(identity.animate.shift(LEFT * 6.5), run_time=0.5)
        self.wait(0.5)
