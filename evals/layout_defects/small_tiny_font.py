from manim import *


class TinyFont(Scene):
    def construct(self):
        title = Text("Conservation of energy", font_size=44).to_edge(UP)
        footnote = Text("assuming no friction and no air resistance", font_size=10).to_edge(DOWN)
        energy = MathTex(r"E = \tfrac12 m v^2 + m g h", font_size=60)
        self.play(Write(title), run_time=0.5)
        self.play(Write(energy), FadeIn(footnote), run_time=0.5)
        self.wait(0.5)
