from manim import *


class LabelOnNumbers(Scene):
    def construct(self):
        axes = Axes(x_range=[0, 5, 1], y_range=[0, 3, 1], x_length=8, y_length=4,
                    axis_config={"include_numbers": True, "font_size": 32})
        x_label = Text("time in seconds", font_size=32).move_to(axes.c2p(2.5, 0) + DOWN * 0.45)
        self.play(Create(axes), run_time=0.5)
        self.play(Write(x_label), run_time=0.5)
        self.wait(0.5)
