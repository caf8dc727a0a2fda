from manim import *


class FadeEverything(Scene):
    def construct(self):
        title = Text("Prime numbers", font_size=48).to_edge(UP)
        primes = MathTex(r"2, 3, 5, 7, 11, 13, \dots", font_size=56)
        self.play(Write(title), Write(primes), run_time=0.6)
        self.wait(0.5)
        self.play(FadeOut(title, primes), run_time=0.5)
        self.wait(0.5)
