from manim import *


class TooManyFormulas(Scene):
    def construct(self):
        identities = [
            r"\sin^2 x + \cos^2 x = 1", r"\tan x = \sin x / \cos x", r"\sin 2x = 2 \sin x \cos x",
            r"\cos 2x = 1 - 2\sin^2 x", r"e^{ix} = \cos x + i \sin x", r"\sin(-x) = -\sin x",
            r"\cos(-x) = \cos x", r"1 + \tan^2 x = \sec^2 x", r"1 + \cot^2 x = \csc^2 x",
            r"\sin(a+b) = \sin a \cos b + \cos a \sin b", r"\cos(a+b) = \cos a\cos b - \sin a \sin b",
            r"\sin x \approx x", r"\cos x \approx 1 - x^2/2", r"\tan x \approx x",
            r"\sin \pi = 0", r"\cos \pi = -1", r"\sin \tfrac{\pi}{2} = 1", r"\cos 0 = 1",
        ]
        grid = VGroup(*[MathTex(t, font_size=30) for t in identities]).arrange_in_grid(rows=9, cols=2, buff=(0.8, 0.2))
        self.play(LaggedStart(*[Write(m) for m in grid], lag_ratio=0.05), run_time=1)
        self.wait(0.5)
