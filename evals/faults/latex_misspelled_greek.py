from manim import *

ALPHA_AT_ELECTRON_MASS = 1 / 137.036
ELECTRON_MASS_GEV = 0.000511
Z_MASS_GEV = 91.19
EFFECTIVE_CHARGED_SPECIES = 3.52


def inverse_alpha(log10_q):
    """1/alpha at momentum transfer Q = 10**log10_q GeV (leading-log vacuum polarisation)."""
    log_ratio = np.log(10**log10_q / ELECTRON_MASS_GEV)
    return 1 / ALPHA_AT_ELECTRON_MASS - 2 * EFFECTIVE_CHARGED_SPECIES / (3 * PI) * log_ratio


class RunningCoupling(Scene):
    """The fine-structure constant grows from 1/137 at the electron mass to about 1/128 at M_Z."""

    def construct(self):
        axes = Axes(x_range=[-4, 2, 1], y_range=[0.0072, 0.0080, 0.0002], x_length=5.0, y_length=3.0, tips=False)
        axes.move_to(RIGHT * 1.5 + DOWN * 0.5)
        y_label = MathTex(r"\alpah(Q)", font_size=32).next_to(axes.y_axis, UP, buff=0.15)
        start, end = np.log10(ELECTRON_MASS_GEV), np.log10(Z_MASS_GEV)
        curve = axes.plot(lambda x: 1 / inverse_alpha(x), x_range=[start, end], color=GREEN)

        probe = ValueTracker(start)
        dot = always_redraw(lambda: Dot(axes.c2p(probe.get_value(), 1 / inverse_alpha(probe.get_value())), color=RED))
        drop = Line(axes.c2p(start, 0.0072), dot.get_center(), color=GREY_B, stroke_width=2)
        drop.add_updater(lambda line: line.put_start_and_end_on(axes.c2p(probe.get_value(), 0.0072), dot.get_center()))

        self.add(axes, y_label)
        self.play(Create(curve), FadeIn(dot, drop), run_time=0.5)
        self.play(probe.animate.set_value(end), run_time=1)
        self.wait(0.2)
