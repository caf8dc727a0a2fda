from manim import *
import numpy as np

H = np.array([[1, 0, 0], [-2, 1, 0], [-1, 1, 1]])
W = np.array([[2, 1, 1], [4, -6, 0], [-2, 7, 2]])
Q = H @ W
K = Q
SCORES = Q @ K.T

Q_COLOR = YELLOW
K_COLOR = TEAL


def signed(value: int) -> str:
    """LaTeX for an integer factor, with negatives in parentheses."""
    return rf"({value})" if value < 0 else rf"{value}"


def dot_product_tex(i: int, j: int) -> MathTex:
    """The sum s_ij = sum_m Q[i,m] K[j,m] written out term by term."""
    parts = [rf"s_{{{i + 1}{j + 1}}}", "="]
    for m in range(3):
        if m > 0:
            parts.append("+")
        parts += [signed(int(Q[i, m])), r"\cdot", signed(int(K[j, m]))]
    parts += ["=", rf"{int(SCORES[i, j])}"]
    tex = MathTex(*parts, font_size=40)
    for m in range(3):
        tex[2 + 4 * m].set_color(Q_COLOR)
        tex[4 + 4 * m].set_color(K_COLOR)
    return tex


class AttentionArithmetic(VGroup):
    """Fill the score matrix QK^T one dot product at a time."""

    def construct(self):
        title = Tex(r"Attention scores $S = QK^{\top}$", font_size=40).to_edge(UP, buff=0.35)
        self.add(title)

        q_left = IntegerMatrix(Q.tolist(), h_buff=1.0)
        k_t = IntegerMatrix(K.T.tolist(), h_buff=1.0)
        scores = IntegerMatrix(SCORES.tolist(), h_buff=1.1)
        product = VGroup(q_left, MathTex(r"\times", font_size=40), k_t, MathTex(r"=", font_size=40), scores)
        product.arrange(RIGHT, buff=0.35).scale(0.8).next_to(title, DOWN, buff=0.6)
        self.add(q_left, product[1], k_t, product[3], scores.get_brackets())

        for j in range(2):
            entry = scores.get_rows()[0][j]
            boxes = VGroup(
                SurroundingRectangle(q_left.get_rows()[0], color=Q_COLOR, buff=0.12),
                SurroundingRectangle(k_t.get_columns()[j], color=K_COLOR, buff=0.12),
            )
            sum_line = dot_product_tex(0, j).move_to(DOWN * 2.2)
            self.play(Create(boxes), FadeIn(sum_line), run_time=0.4)
            self.play(TransformFromCopy(sum_line[-1], entry), run_time=0.4)
            self.remove(boxes, sum_line)
        self.wait(0.2)
