"""A transformer layer, built block by block from tokens to next-token probabilities.

Teaches the data flow of a (decoder-style) transformer: tokens are embedded and
given positional encodings, mixed by multi-head self-attention
softmax(QK^T / sqrt(d_k)) V, passed through residual "Add & Norm" steps and a
position-wise feed-forward network, and finally turned into a probability
distribution over the next token. Each stage's formula is shown in MathTex.

Manim techniques: a reusable block builder (RoundedRectangle + Tex), a vertical
block diagram assembled with GrowArrow, residual connections drawn as elbow
polylines, a formula panel swapped with FadeOut/FadeIn, and a BarChart.
"""

import numpy as np
from manim import *

TAGS = [
    "transformer",
    "attention",
    "self-attention",
    "multi-head attention",
    "positional encoding",
    "layer norm",
    "feed-forward",
    "softmax",
    "language model",
    "machine learning",
    "block diagram",
    "bar chart",
]

COLUMN_X = -4.0  # x of the block diagram's spine
BLOCK_WIDTH = 3.3
PANEL_CENTER = np.array([3.0, -1.5, 0.0])  # where the stage formulas appear


def block(label: str, color: ManimColor, height: float = 0.5) -> VGroup:
    """A labelled diagram block: a tinted rounded rectangle with Tex centred inside."""
    box = RoundedRectangle(
        corner_radius=0.12,
        width=BLOCK_WIDTH,
        height=height,
        stroke_color=color,
        fill_color=color,
        fill_opacity=0.25,
    )
    text = Tex(label, font_size=28).move_to(box)
    return VGroup(box, text)


def arrow(start: np.ndarray, end: np.ndarray, color: ManimColor = WHITE) -> Arrow:
    """A thin arrow whose tip stays the same size even when the arrow is short."""
    return Arrow(start, end, buff=0.04, stroke_width=3, tip_length=0.14,
                 max_tip_length_to_length_ratio=0.5, color=color)


def up_arrow(lower: Mobject, upper: Mobject) -> Arrow:
    """A vertical arrow on the diagram's spine, from the top of one piece to the bottom of the next."""
    return arrow([COLUMN_X, lower.get_top()[1], 0], [COLUMN_X, upper.get_bottom()[1], 0])


def residual(source_y: float, target: Mobject, offset: float = 0.4) -> VGroup:
    """An elbow-shaped skip connection from the spine at source_y into target's right side."""
    start = np.array([COLUMN_X, source_y, 0.0])
    side_x = COLUMN_X + BLOCK_WIDTH / 2 + offset
    corner_low = np.array([side_x, source_y, 0.0])
    corner_high = np.array([side_x, target.get_y(), 0.0])
    return VGroup(
        Line(start, corner_low, color=GREY_B),
        Line(corner_low, corner_high, color=GREY_B),
        arrow(corner_high, target.get_right(), color=GREY_B),
    )


def stage_panel(caption: str, *formulas: str) -> VGroup:
    """The right-hand explanation: a Tex caption above one or more MathTex lines."""
    lines = VGroup(Tex(caption, font_size=34, color=YELLOW))
    lines.add(*(MathTex(f, font_size=34) for f in formulas))
    lines.arrange(DOWN, buff=0.35)
    return lines.move_to(PANEL_CENTER)


def swap(old: Mobject, new: Mobject) -> tuple[Animation, Animation]:
    """Animations that replace one formula panel with the next (old rises out, new rises in)."""
    return FadeOut(old, shift=0.4 * UP), FadeIn(new, shift=0.4 * UP)


class TransformerWalkthrough(Scene):
    """Build a transformer block diagram bottom-up while a side panel explains each stage.

    Ends on the complete diagram, the attention formula and the bar chart of
    next-token probabilities for the prompt "The cat sat".
    """

    def construct(self):
        title = Tex(r"A transformer, block by block", font_size=40).move_to([3.0, 3.3, 0])
        self.play(Write(title))

        # --- the diagram's pieces, bottom to top -------------------------------------
        tokens = VGroup(*(
            VGroup(Rectangle(width=0.95, height=0.5, color=WHITE), Tex(rf"\textit{{{word}}}", font_size=28))
            for word in ("The", "cat", "sat")
        ))
        tokens.arrange(RIGHT, buff=0.25).move_to([COLUMN_X, -3.5, 0])

        embed = block(r"Token embedding", BLUE).move_to([COLUMN_X, -2.6, 0])
        adder = VGroup(Circle(0.2, color=WHITE), MathTex(r"+", font_size=36))
        adder.move_to([COLUMN_X, -1.85, 0])
        # Positional encoding enters from the right, below where the residuals start.
        wave = FunctionGraph(lambda x: 0.15 * np.sin(7 * x), x_range=[-0.45, 0.45], color=PURPLE_B)
        wave.move_to([COLUMN_X + 1.3, -1.85, 0])
        pe_label = MathTex(r"\mathrm{PE}_i", font_size=30, color=PURPLE_B).next_to(wave, RIGHT, buff=0.15)
        pe_arrow = arrow(wave.get_left(), adder.get_right(), color=PURPLE_B)

        attention = block(r"Multi-head self-attention", ORANGE, height=0.55).move_to([COLUMN_X, -1.0, 0])
        norm_1 = block(r"Add \& Norm", GREEN).move_to([COLUMN_X, -0.15, 0])
        ffn = block(r"Feed-forward", TEAL).move_to([COLUMN_X, 0.7, 0])
        norm_2 = block(r"Add \& Norm", GREEN).move_to([COLUMN_X, 1.55, 0])
        head = block(r"Linear + softmax", RED).move_to([COLUMN_X, 2.75, 0])

        # --- 1. tokens -> embeddings + positional encoding ----------------------------
        panel = stage_panel(
            r"1. Embed the tokens, add positions",
            r"x_i = E\,[w_i] + \mathrm{PE}_i",
            r"\mathrm{PE}_{(p,\,2k)} = \sin\!\left(p / 10000^{2k/d}\right)",
        )
        self.play(FadeIn(tokens, shift=UP))
        token_arrows = VGroup(*(
            arrow(tok.get_top(), [tok.get_x(), embed.get_bottom()[1], 0]) for tok in tokens
        ))
        self.play(LaggedStart(*(GrowArrow(a) for a in token_arrows), lag_ratio=0.2),
                  FadeIn(embed), FadeIn(panel))
        self.play(GrowArrow(up_arrow(embed, adder)), FadeIn(adder),
                  Create(wave), FadeIn(pe_label), GrowArrow(pe_arrow))
        self.wait(0.5)

        # --- 2. multi-head self-attention ---------------------------------------------
        stream_in = up_arrow(adder, attention)
        new_panel = stage_panel(
            r"2. Multi-head self-attention",
            r"Q = XW^{Q},\quad K = XW^{K},\quad V = XW^{V}",
            r"\mathrm{Attention}(Q,K,V) = \mathrm{softmax}\!\left(\frac{QK^{\top}}{\sqrt{d_k}}\right)V",
        )
        self.play(GrowArrow(stream_in), FadeIn(attention, shift=UP),
                  *swap(panel, new_panel))
        panel = new_panel
        self.play(Indicate(attention[0], color=ORANGE))

        # --- 3. add & norm (residual connection around attention) ---------------------
        # The skip branches off just below the attention block, inside the layer box.
        skip_1 = residual(attention.get_bottom()[1] - 0.1, norm_1)
        new_panel = stage_panel(
            r"3. Residual connection, then layer norm",
            r"h = \mathrm{LayerNorm}\big(x + \mathrm{Attention}(x)\big)",
            r"\mathrm{LayerNorm}(x) = \gamma \odot \frac{x - \mu}{\sigma} + \beta",
        )
        self.play(GrowArrow(up_arrow(attention, norm_1)), FadeIn(norm_1, shift=UP),
                  Create(skip_1), *swap(panel, new_panel))
        panel = new_panel
        self.wait(0.3)

        # --- 4. position-wise feed-forward, second add & norm -------------------------
        into_ffn = up_arrow(norm_1, ffn)
        skip_2 = residual(into_ffn.get_center()[1], norm_2)
        new_panel = stage_panel(
            r"4. Feed-forward on every position",
            r"\mathrm{FFN}(h) = \max(0,\; hW_1 + b_1)\,W_2 + b_2",
            r"\text{then again } \mathrm{LayerNorm}\big(h + \mathrm{FFN}(h)\big)",
        )
        self.play(GrowArrow(into_ffn), FadeIn(ffn, shift=UP), *swap(panel, new_panel))
        panel = new_panel
        self.play(GrowArrow(up_arrow(ffn, norm_2)), FadeIn(norm_2, shift=UP), Create(skip_2))

        layer = VGroup(attention, norm_1, ffn, norm_2, skip_1, skip_2)
        layer_box = SurroundingRectangle(layer, buff=0.12, corner_radius=0.15, color=GREY_B)
        repeat = MathTex(r"N\times", font_size=36).next_to(layer_box, LEFT, buff=0.15)
        self.play(Create(layer_box), Write(repeat))

        # --- 5. output head and next-token probabilities ------------------------------
        new_panel = stage_panel(
            r"5. Project to the vocabulary",
            r"p(w_4 \mid w_{1:3}) = \mathrm{softmax}\!\left(h_3\,W_{\mathrm{vocab}}\right)",
        )
        self.play(GrowArrow(up_arrow(layer_box, head)), FadeIn(head, shift=UP),
                  *swap(panel, new_panel), FadeOut(title))
        panel = new_panel

        chart = BarChart(
            values=[0.46, 0.22, 0.18, 0.14],
            bar_names=["on", "down", "still", "up"],
            y_range=[0, 0.6, 0.2],
            x_length=4.2,
            y_length=2.2,
            bar_colors=[RED, ORANGE, YELLOW, GREEN],
            y_axis_config={"font_size": 24},
        ).move_to([3.3, 1.8, 0])
        chart_title = MathTex(r"p(\,\cdot \mid \textit{The cat sat})", font_size=30)
        chart_title.next_to(chart, UP, buff=0.1)
        to_chart = arrow(head.get_right(), chart.get_left() + 0.4 * LEFT, color=RED)
        self.play(GrowArrow(to_chart), Create(chart), FadeIn(chart_title))
        bar_values = chart.get_bar_labels(font_size=24)
        self.play(FadeIn(bar_values))

        # --- final frame: the whole diagram, the key formula, the output --------------
        summary = stage_panel(
            r"The core: scaled dot-product attention",
            r"\mathrm{softmax}\!\left(\frac{QK^{\top}}{\sqrt{d_k}}\right)V",
        )
        self.play(*swap(panel, summary), Indicate(attention[0], color=ORANGE))
        self.wait(1.5)
