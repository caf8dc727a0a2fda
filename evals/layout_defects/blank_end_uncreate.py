from manim import *


class UncreateAtEnd(Scene):
    def construct(self):
        square = Square(side_length=3, color=PURPLE)
        diagonal = Line(square.get_corner(DL), square.get_corner(UR), color=YELLOW)
        self.play(Create(square), Create(diagonal), run_time=0.6)
        self.wait(0.3)
        self.play(Uncreate(square), Uncreate(diagonal), run_time=0.5)
