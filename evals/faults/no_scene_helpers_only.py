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
