from manim import *


class RemovedAtEnd(Scene):
    def construct(self):
        square = Square(side_length=2.5, color=GREEN)
        caption = Text("A square", font_size=36).next_to(square, UP)
        self.play(Create(square), FadeIn(caption), run_time=0.6)
        self.remove(square, caption)
        self.wait(1)
