from manim import *


class ClearedAtEnd(Scene):
    def construct(self):
        graph = FunctionGraph(lambda x: 0.3 * x**2 - 2, x_range=[-3, 3], color=RED)
        label = MathTex(r"y = 0.3x^2 - 2", font_size=40).to_corner(UR)
        self.play(Create(graph), Write(label), run_time=0.6)
        self.clear()
        self.wait(1)
