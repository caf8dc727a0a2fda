from manim import *


class WideMatrix(Scene):
    def construct(self):
        matrix = IntegerMatrix([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]], h_buff=1.5)
        self.play(FadeIn(matrix), run_time=0.5)
        self.wait(0.5)
