from manim import *


class CaptionOnEquation(Scene):
    def construct(self):
        equation = MathTex(r"a^2 + b^2 = c^2", font_size=72)
        caption = Text("Pythagoras", font_size=40).move_to(equation.get_center() + DOWN * 0.1)
        self.play(Write(equation), run_time=0.5)
        self.play(FadeIn(caption), run_time=0.5)
        self.wait(0.5)
