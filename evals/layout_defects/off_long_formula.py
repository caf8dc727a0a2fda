from manim import *


class LongFormula(Scene):
    def construct(self):
        title = Text("Expanding a binomial", font_size=40).to_edge(UP)
        expansion = MathTex(
            r"(a+b)^6 = a^6 + 6a^5b + 15a^4b^2 + 20a^3b^3 + 15a^2b^4 + 6ab^5 + b^6",
            font_size=60,
        )
        self.play(Write(title), run_time=0.5)
        self.play(Write(expansion), run_time=0.5)
        self.wait(0.5)
