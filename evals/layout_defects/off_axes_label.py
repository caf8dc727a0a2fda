from manim import *


class AxesLabelOff(Scene):
    def construct(self):
        axes = Axes(x_range=[-3, 3, 1], y_range=[0, 9, 3], x_length=8, y_length=7.4)
        graph = axes.plot(lambda x: x**2, color=YELLOW)
        y_label = MathTex(r"y = x^2", font_size=40).next_to(axes.y_axis.get_top(), UP, buff=0.3)
        self.play(Create(axes), run_time=0.5)
        self.play(Create(graph), Write(y_label), run_time=0.5)
        self.wait(0.5)
