from manim import *


class CaptionBelow(Scene):
    def construct(self):
        circle = Circle(radius=2, color=BLUE)
        caption = Text("A circle of radius two", font_size=36).next_to(circle, DOWN, buff=1.8)
        self.play(Create(circle), run_time=0.5)
        self.play(FadeIn(caption), run_time=0.5)
        self.wait(0.5)
