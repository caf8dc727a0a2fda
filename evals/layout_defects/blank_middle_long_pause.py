from manim import *


class LongPause(Scene):
    def construct(self):
        first = Text("Act one", font_size=48)
        second = Text("Act two", font_size=48)
        self.play(FadeIn(first), run_time=0.4)
        self.play(FadeOut(first), run_time=0.4)
        self.wait(2)
        self.play(FadeIn(second), run_time=0.4)
        self.wait(0.5)
