"""The Pythagorean theorem told with areas.

Part 1 draws a right triangle with a square on every side, so that a^2, b^2
and c^2 become areas. Part 2 is the classic rearrangement proof: the same big
square of side a + b holds four copies of the triangle twice, once leaving the
tilted square c^2 uncovered and once leaving a^2 and b^2 uncovered. Equal
areas minus equal areas give a^2 + b^2 = c^2.
"""

from manim import *

TAGS = ["geometry", "proof", "areas", "pythagoras", "right triangle", "rearrangement", "algebra"]

# Leg lengths in scene units: a 3-4-5 triangle scaled so that everything fits.
LEG_A = 1.5
LEG_B = 2.0

TRIANGLE_COLORS = [BLUE_D, TEAL_D, GREEN_D, PURPLE_D]


class PythagoreanAreas(Scene):
    """Shows a^2 + b^2 = c^2 as a statement about areas, then proves it by rearranging four triangles."""

    def construct(self):
        title = Tex(r"The Pythagorean theorem, by areas", font_size=44).to_edge(UP, buff=0.3)
        self.play(Write(title))

        self.squares_on_the_sides()
        self.rearrangement_proof()

    # -- part 1 -----------------------------------------------------------------
    def squares_on_the_sides(self):
        """A right triangle with the square on each side drawn and named by its area."""
        a, b = LEG_A, LEG_B
        c_vertex, a_vertex, b_vertex = ORIGIN, RIGHT * b, UP * a
        triangle = Polygon(c_vertex, a_vertex, b_vertex, color=WHITE, fill_color=GREY_D, fill_opacity=0.8)
        right_angle = RightAngle(Line(c_vertex, a_vertex), Line(c_vertex, b_vertex), length=0.2)

        # Each square sits on the outside of its side.
        square_b = Polygon(ORIGIN, RIGHT * b, RIGHT * b + DOWN * b, DOWN * b)
        square_a = Polygon(ORIGIN, UP * a, UP * a + LEFT * a, LEFT * a)
        outward = np.array([a, b, 0.0])  # normal to the hypotenuse, length c, away from the triangle
        square_c = Polygon(a_vertex, b_vertex, b_vertex + outward, a_vertex + outward)
        for square, color in ((square_a, RED), (square_b, BLUE), (square_c, YELLOW)):
            square.set_stroke(color, 3).set_fill(color, opacity=0.35)

        label_a = MathTex(r"a^2", font_size=36).move_to(square_a)
        label_b = MathTex(r"b^2", font_size=36).move_to(square_b)
        label_c = MathTex(r"c^2", font_size=40).move_to(square_c)
        side_a = MathTex(r"a", font_size=30).next_to(Line(c_vertex, b_vertex), RIGHT, buff=0.1)
        side_b = MathTex(r"b", font_size=30).next_to(Line(c_vertex, a_vertex), UP, buff=0.1)

        figure = VGroup(square_a, square_b, square_c, triangle, right_angle, label_a, label_b, label_c, side_a, side_b)
        figure.move_to(LEFT * 3.0 + DOWN * 0.35)

        self.play(DrawBorderThenFill(triangle), Create(right_angle), FadeIn(side_a, side_b))
        for square, label in ((square_a, label_a), (square_b, label_b), (square_c, label_c)):
            self.play(DrawBorderThenFill(square), Write(label), run_time=0.8)

        claim = MathTex(r"a^2", r"+", r"b^2", r"=", r"c^2", font_size=56)
        claim[0].set_color(RED)
        claim[2].set_color(BLUE)
        claim[4].set_color(YELLOW)
        question = Tex(r"Why do the two small areas\\add up to the large one?", font_size=32)
        text = VGroup(claim, question).arrange(DOWN, buff=0.5).move_to(RIGHT * 3.3 + DOWN * 0.2)
        self.play(Write(claim))
        self.play(FadeIn(question, shift=UP * 0.2))
        self.wait(0.5)
        self.play(FadeOut(figure, text))

    # -- part 2 -----------------------------------------------------------------
    def rearrangement_proof(self):
        """Two (a+b)-squares, each holding four copies of the triangle in a different arrangement."""
        a, b = LEG_A, LEG_B
        side = a + b
        left_origin = np.array([-3.0 - side / 2, 0.0 - side / 2, 0.0])
        right_origin = np.array([3.0 - side / 2, 0.0 - side / 2, 0.0])

        def frame_at(origin):
            return Square(side_length=side, color=WHITE).move_to(origin + np.array([side / 2, side / 2, 0.0]))

        def triangles_at(origin):
            """Four triangles in the corners of the square, leaving the tilted c-square in the middle."""
            corners = [
                [(0, 0), (a, 0), (0, b)],
                [(side, 0), (side, a), (a, 0)],
                [(side, side), (b, side), (side, a)],
                [(0, side), (0, b), (b, side)],
            ]
            return VGroup(*[
                Polygon(*[origin + np.array([x, y, 0.0]) for x, y in pts], color=WHITE, stroke_width=2)
                .set_fill(color, opacity=0.85)
                for pts, color in zip(corners, TRIANGLE_COLORS)
            ])

        left_frame, right_frame = frame_at(left_origin), frame_at(right_origin)
        left_triangles = triangles_at(left_origin)
        tilted = Polygon(
            *[left_origin + np.array([x, y, 0.0]) for x, y in [(a, 0), (side, a), (b, side), (0, b)]],
            stroke_width=0,
        ).set_fill(YELLOW, opacity=0.45)
        c_label = MathTex(r"c^2", font_size=44).move_to(tilted)

        def side_braces(square):
            below = BraceBetweenPoints(square.get_corner(DL), square.get_corner(DR), DOWN, buff=0.08)
            text = MathTex(r"a+b", font_size=30).next_to(below, DOWN, buff=0.08)
            return VGroup(below, text)

        left_brace = side_braces(left_frame)
        self.play(Create(left_frame), FadeIn(left_brace))
        self.play(LaggedStart(*[DrawBorderThenFill(t) for t in left_triangles], lag_ratio=0.25))
        self.play(FadeIn(tilted), Write(c_label))

        # Copy the whole arrangement to the right, then slide three triangles into new places.
        right_triangles = left_triangles.copy()
        self.play(
            TransformFromCopy(left_frame, right_frame),
            TransformFromCopy(left_brace, side_braces(right_frame)),
            right_triangles.animate.shift(right_origin - left_origin),
        )
        shifts = [UP * a, ORIGIN, LEFT * b, RIGHT * a + DOWN * b]  # pure translations, no rotations needed
        self.play(*[t.animate.shift(s) for t, s in zip(right_triangles, shifts) if np.any(s)], run_time=1.5)

        a_square = Square(side_length=a, stroke_width=0).set_fill(RED, opacity=0.45)
        a_square.move_to(right_origin + np.array([a / 2, a / 2, 0.0]))
        b_square = Square(side_length=b, stroke_width=0).set_fill(BLUE, opacity=0.45)
        b_square.move_to(right_origin + np.array([a + b / 2, a + b / 2, 0.0]))
        a_label = MathTex(r"a^2", font_size=40).move_to(a_square)
        b_label = MathTex(r"b^2", font_size=44).move_to(b_square)
        self.play(FadeIn(a_square, b_square), Write(a_label), Write(b_label))

        # Same big square, same four triangles: what is left over must have equal area.
        reasoning = MathTex(
            r"(a+b)^2 - 4\cdot\tfrac{1}{2}ab", r"\;=\;", r"c^2", r"\;=\;", r"a^2 + b^2",
            font_size=36,
        ).to_edge(DOWN, buff=0.35)
        reasoning[2].set_color(YELLOW)
        reasoning[4].set_color_by_gradient(RED, BLUE)
        self.play(Write(reasoning))
        self.wait(0.5)

        result = MathTex(r"a^2 + b^2 = c^2", font_size=60)
        boxed = VGroup(result, SurroundingRectangle(result, color=YELLOW, buff=0.2))
        boxed.move_to(DOWN * 3.1)
        self.play(ReplacementTransform(reasoning, boxed[0]), Create(boxed[1]))
        self.play(Indicate(c_label), Indicate(a_label), Indicate(b_label))
        self.wait(1)
