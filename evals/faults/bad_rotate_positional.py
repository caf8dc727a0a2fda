from manim import *

LEG_A = 1.5
LEG_B = 2.0


class PythagoreanAreas(Scene):
    """Shows a^2 + b^2 = c^2 as a statement about areas."""

    def construct(self):
        title = Tex(r"Pythagoras, by areas", font_size=44).to_edge(UP, buff=0.3)
        self.add(title)

        a, b = LEG_A, LEG_B
        c_vertex, a_vertex, b_vertex = ORIGIN, RIGHT * b, UP * a
        triangle = Polygon(c_vertex, a_vertex, b_vertex, color=WHITE, fill_color=GREY_D, fill_opacity=0.8)
        right_angle = RightAngle(Line(c_vertex, a_vertex), Line(c_vertex, b_vertex), length=0.2)
        square_b = Polygon(ORIGIN, RIGHT * b, RIGHT * b + DOWN * b, DOWN * b)
        square_a = Polygon(ORIGIN, UP * a, UP * a + LEFT * a, LEFT * a)
        for square, color in ((square_a, RED), (square_b, BLUE)):
            square.set_stroke(color, 3).set_fill(color, opacity=0.35)

        label_a = MathTex(r"a^2", font_size=36).move_to(square_a)
        label_b = MathTex(r"b^2", font_size=36).move_to(square_b)
        figure = VGroup(square_a, square_b, triangle, right_angle, label_a, label_b)
        figure.move_to(LEFT * 3.0 + DOWN * 0.35)

        self.play(Create(triangle), Create(right_angle), run_time=0.5)
        self.play(FadeIn(square_a, label_a), run_time=0.5)
        self.play(FadeIn(square_b, label_b), run_time=0.5)

        claim = MathTex(r"a^2", r"+", r"b^2", r"=", r"c^2", font_size=56)
        claim[0].set_color(RED)
        claim[2].set_color(BLUE)
        claim[4].set_color(YELLOW)
        claim.move_to(RIGHT * 3.3 + DOWN * 0.2)
        claim.rotate(PI / 36, OUT, claim.get_center())
        self.play(Write(claim), run_time=0.5)
        self.wait(0.2)
