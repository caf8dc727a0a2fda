"""Attention-score arithmetic for three tokens, entry by entry.

Teaches how the attention map of self-attention is built: hidden states H are
projected to queries and keys, and every score s_ij = q_i . k_j is a dot
product of row i of Q with column j of K^T. The numbers are checked with numpy
when the module is imported, so the animation can never show wrong arithmetic.

Manim techniques: IntegerMatrix, get_rows()/get_columns() with
SurroundingRectangle highlights, MathTex built from substrings so single terms
can be coloured, ReplacementTransform of a computed result into a matrix slot.
"""

import numpy as np
from manim import *

TAGS = [
    "attention",
    "transformer",
    "self-attention",
    "matrix multiplication",
    "dot product",
    "linear algebra",
    "machine learning",
    "matrix",
    "arithmetic",
]

# Convention: a token's query is q_i = W_Q h_i (column vectors). Stacking the
# hidden states h_i as rows of H gives Q = H W_Q^T, which equals H W because
# W_Q = W^T. The same holds for keys and values.
H = np.array([[1, 0, 0], [-2, 1, 0], [-1, 1, 1]])
W = np.array([[2, 1, 1], [4, -6, 0], [-2, 7, 2]])
W_Q = W_K = W_V = W.T
Q = H @ W_Q.T
K = H @ W_K.T
SCORES = Q @ K.T

Q_EXPECTED = [[2, 1, 1], [0, -8, -2], [0, 0, 1]]
SCORES_EXPECTED = [[6, -10, 1], [-10, 68, -2], [1, -2, 1]]
assert np.array_equal(Q, Q_EXPECTED), Q
assert np.array_equal(K, Q_EXPECTED), K
assert np.array_equal(SCORES, SCORES_EXPECTED), SCORES

Q_COLOR = YELLOW
K_COLOR = TEAL


def signed(value: int) -> str:
    """LaTeX for an integer factor, with negatives in parentheses."""
    return rf"({value})" if value < 0 else rf"{value}"


def dot_product_tex(i: int, j: int) -> MathTex:
    """The sum s_ij = sum_m Q[i,m] K[j,m] written out term by term.

    Substrings alternate query factor, cdot, key factor so that each factor can
    be coloured to match the highlighted row of Q and column of K^T.
    """
    parts = [rf"s_{{{i + 1}{j + 1}}}", "="]
    for m in range(3):
        if m > 0:
            parts.append("+")
        parts += [signed(int(Q[i, m])), r"\cdot", signed(int(K[j, m]))]
    parts += ["=", rf"{int(SCORES[i, j])}"]
    tex = MathTex(*parts, font_size=40)
    for m in range(3):
        # parts layout: [s, =, q0, cdot, k0, +, q1, cdot, k1, +, q2, cdot, k2, =, result]
        tex[2 + 4 * m].set_color(Q_COLOR)
        tex[4 + 4 * m].set_color(K_COLOR)
    return tex


class AttentionArithmetic(Scene):
    """Compute Q = HW, then fill the score matrix QK^T one dot product at a time.

    Each entry shows its arithmetic (e.g. s_11 = 2*2 + 1*1 + 1*1 = 6) while the
    row of Q and the column of K^T involved are highlighted; the result then
    flies into its slot of the attention map.
    """

    def construct(self):
        title = Tex(r"Attention scores $S = QK^{\top}$, one dot product at a time", font_size=40)
        title.to_edge(UP, buff=0.35)
        self.play(Write(title))

        # Step 1: the projection Q = K = HW.
        inputs = VGroup(
            VGroup(MathTex(r"H =", font_size=40), IntegerMatrix(H.tolist(), h_buff=1.0)).arrange(RIGHT),
            VGroup(MathTex(r"W =", font_size=40), IntegerMatrix(W.tolist(), h_buff=1.0)).arrange(RIGHT),
        ).arrange(RIGHT, buff=0.8)
        inputs.next_to(title, DOWN, buff=0.5)
        convention = MathTex(
            r"W_Q = W_K = W_V = W^{\top},\quad q_i = W_Q\,h_i"
            r"\;\Rightarrow\; Q = H\,W_Q^{\top} = HW",
            font_size=36,
        ).next_to(inputs, DOWN, buff=0.45)
        self.play(FadeIn(inputs, shift=DOWN))
        self.play(Write(convention))

        q_label = MathTex(r"Q = K = HW =", font_size=40)
        q_matrix = IntegerMatrix(Q.tolist(), h_buff=1.0)
        q_result = VGroup(q_label, q_matrix).arrange(RIGHT, buff=0.3)
        q_result.next_to(convention, DOWN, buff=0.45)
        self.play(FadeIn(q_result, shift=DOWN))
        self.wait(0.5)

        # Step 2: lay out the product Q K^T = S with S still empty; the Q just
        # computed slides into place as the left factor.
        q_left = IntegerMatrix(Q.tolist(), h_buff=1.0)
        k_t = IntegerMatrix(K.T.tolist(), h_buff=1.0)
        scores = IntegerMatrix(SCORES.tolist(), h_buff=1.1)
        product = VGroup(
            q_left,
            MathTex(r"\times", font_size=40),
            k_t,
            MathTex(r"=", font_size=40),
            scores,
        ).arrange(RIGHT, buff=0.35)
        product.next_to(title, DOWN, buff=0.9)
        names = VGroup(
            MathTex(r"Q", font_size=36, color=Q_COLOR).next_to(q_left, UP, buff=0.2),
            MathTex(r"K^{\top}", font_size=36, color=K_COLOR).next_to(k_t, UP, buff=0.2),
            MathTex(r"S", font_size=36).next_to(scores, UP, buff=0.2),
        )
        self.play(
            FadeOut(inputs, convention, q_label),
            ReplacementTransform(q_matrix, q_left),
            FadeIn(product[1], k_t, product[3], names),
            Create(scores.get_brackets()),
            run_time=1.5,
        )

        # Step 3: every entry, with its row/column highlighted and its sum written out.
        # The first sum is written; later sums morph out of the previous one, which
        # shows they all follow the same pattern (row of Q times column of K^T).
        boxes = sum_line = None
        for i in range(3):
            for j in range(3):
                entry = scores.get_rows()[i][j]
                new_boxes = VGroup(
                    SurroundingRectangle(q_left.get_rows()[i], color=Q_COLOR, buff=0.12),
                    SurroundingRectangle(k_t.get_columns()[j], color=K_COLOR, buff=0.12),
                    SurroundingRectangle(entry, color=WHITE, buff=0.12),
                )
                new_sum = dot_product_tex(i, j).move_to(DOWN * 2.2)
                speed = 1.0 if i == 0 else 0.6  # row 1 slowly, later rows faster
                if boxes is None:
                    boxes, sum_line = new_boxes, new_sum
                    self.play(Create(boxes), Write(sum_line), run_time=1.5)
                else:
                    self.play(
                        Transform(boxes, new_boxes),
                        Transform(sum_line, new_sum),
                        run_time=1.0 * speed,
                    )
                self.play(TransformFromCopy(sum_line[-1], entry), run_time=0.7 * speed)
                self.wait(0.3 * speed)

        self.play(FadeOut(boxes), FadeOut(sum_line))

        # Step 4: the finished attention map and what comes next.
        diagonal = VGroup(*(scores.get_rows()[k][k] for k in range(3)))
        self.play(diagonal.animate.set_color(YELLOW))
        takeaway = VGroup(
            Tex(r"$s_{ij}$: how strongly token $i$ attends to token $j$ \quad ($S$ is symmetric since $Q = K$)",
                font_size=32),
            MathTex(
                r"\text{next: }\ A = \operatorname{softmax}\!\left(\frac{S}{\sqrt{d_k}}\right),"
                r"\quad \text{output} = A\,V",
                font_size=36,
            ),
        ).arrange(DOWN, buff=0.35)
        takeaway.to_edge(DOWN, buff=0.5)
        self.play(FadeIn(takeaway, shift=UP))
        self.wait(1.5)
