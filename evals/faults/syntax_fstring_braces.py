from manim import *

COLUMN_X = -4.0  # x of the block diagram's spine
BLOCK_WIDTH = 3.3
PANEL_CENTER = np.array([3.0, -1.5, 0.0])  # where the stage formulas appear


def block(label: str, color: ManimColor, height: float = 0.5) -> VGroup:
    """A labelled diagram block: a tinted rounded rectangle with Tex centred inside."""
    box = RoundedRectangle(corner_radius=0.12, width=BLOCK_WIDTH, height=height, stroke_color=color, fill_color=color, fill_opacity=0.25)
    text = Tex(label, font_size=28).move_to(box)
    return VGroup(box, text)


def arrow(start: np.ndarray, end: np.ndarray, color: ManimColor = WHITE) -> Arrow:
    """A thin arrow whose tip stays the same size even when the arrow is short."""
    return Arrow(start, end, buff=0.04, stroke_width=3, tip_length=0.14, max_tip_length_to_length_ratio=0.5, color=color)


def up_arrow(lower: Mobject, upper: Mobject) -> Arrow:
    """A vertical arrow on the diagram's spine, from the top of one piece to the bottom of the next."""
    return arrow([COLUMN_X, lower.get_top()[1], 0], [COLUMN_X, upper.get_bottom()[1], 0])


class TransformerWalkthrough(Scene):
    """Build the bottom of a transformer block diagram while a side panel explains each stage."""

    def construct(self):
        embed = block(r"Token embedding", BLUE).move_to([COLUMN_X, -2.6, 0])
        attention = block(r"Self-attention", ORANGE, height=0.55).move_to([COLUMN_X, -1.0, 0])
        norm_1 = block(r"Add \& Norm", GREEN).move_to([COLUMN_X, -0.15, 0])

        panel = MathTex(rf"x_{i} = E\,[w_{i}] + \mathrm{{PE}}_{i", font_size=34).move_to(PANEL_CENTER)
        self.play(FadeIn(embed, shift=UP), FadeIn(panel), run_time=0.5)
        self.play(GrowArrow(up_arrow(embed, attention)), FadeIn(attention, shift=UP), run_time=0.5)
        self.play(GrowArrow(up_arrow(attention, norm_1)), FadeIn(norm_1, shift=UP), run_time=0.5)

        chart = BarChart(values=[0.46, 0.22, 0.18], bar_names=["on", "down", "up"], y_range=[0, 0.6, 0.2], x_length=3.0, y_length=2.0)
        chart.move_to([3.3, 2.0, 0])
        self.play(Create(chart), run_time=0.5)
        self.wait(0.2)
