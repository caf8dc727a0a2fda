from manim import *


class TitleTooHigh(Scene):
    def construct(self):
        title = Text("Newton's second law", font_size=48).shift(UP * 3.9)
        law = MathTex(r"F = m a", font_size=72)
        self.play(FadeIn(title), run_time=0.5)
        self.play(Write(law), run_time=0.5)
        self.wait(0.5)
