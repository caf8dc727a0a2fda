from manim import *


class NoteOutside(Scene):
    def construct(self):
        square = Square(side_length=3, color=GREEN)
        note = Text("area = side squared", font_size=36).move_to(RIGHT * 9 + UP)
        self.play(Create(square), run_time=0.5)
        self.play(FadeIn(note), run_time=0.5)
        self.wait(0.5)
