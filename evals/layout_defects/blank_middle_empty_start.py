from manim import *


class EmptyStart(Scene):
    def construct(self):
        self.wait(2)
        star = Star(color=GOLD, fill_opacity=0.6)
        caption = Text("a five-pointed star", font_size=36).next_to(star, DOWN)
        self.play(DrawBorderThenFill(star), Write(caption), run_time=0.6)
        self.wait(0.5)
