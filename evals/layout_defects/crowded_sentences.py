from manim import *


class TooManySentences(Scene):
    def construct(self):
        facts = VGroup(*[
            Text(f"Fact {i + 1}: primes never end", font_size=22) for i in range(22)
        ]).arrange_in_grid(rows=11, cols=2, buff=(0.6, 0.12))
        self.play(FadeIn(facts), run_time=0.6)
        self.wait(0.5)
