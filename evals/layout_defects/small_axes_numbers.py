from manim import *


class TinyAxisNumbers(Scene):
    def construct(self):
        axes = Axes(x_range=[-4, 4, 1], y_range=[-2, 2, 1], x_length=10, y_length=5,
                    axis_config={"include_numbers": True, "font_size": 14})
        wave = axes.plot(lambda x: np.sin(x), color=TEAL)
        self.play(Create(axes), run_time=0.5)
        self.play(Create(wave), run_time=0.5)
        self.wait(0.5)
