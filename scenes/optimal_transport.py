"""Optimal transport between two 1-D densities, in the dynamic (Benamou-Brenier) picture.

Two Gaussian densities rho_0 and rho_1 sit on the same axis. The optimal map T = F_1^{-1} o F_0 sends
every quantile of rho_0 to the same quantile of rho_1, and the displacement interpolation rho_t moves
each grain of mass in a straight line at constant speed, x -> (1 - t) x + t T(x). A ValueTracker
drives t and always_redraw rebuilds rho_t every frame. The scene contrasts this with the linear
mixture (1 - t) rho_0 + t rho_1, which fades mass out and in instead of moving it, and ends on the
Benamou-Brenier action, whose minimum is W_2^2(rho_0, rho_1).
"""

from manim import *

TAGS = [
    "optimal transport", "wasserstein", "benamou-brenier", "probability", "densities", "gaussian",
    "interpolation", "valuetracker", "always_redraw", "axes", "analysis", "pde",
]

MEAN_0, SIGMA_0 = -2.5, 0.6
MEAN_1, SIGMA_1 = 2.0, 1.0
RHO_0_COLOR, RHO_1_COLOR, RHO_T_COLOR = BLUE, RED, YELLOW


def gaussian(x, mean, sigma):
    """Normal density with the given mean and standard deviation."""
    return np.exp(-0.5 * ((x - mean) / sigma) ** 2) / (sigma * np.sqrt(TAU))


def transport_map(x):
    """Monotone optimal map between the two Gaussians: the same z-score on both sides."""
    return MEAN_1 + SIGMA_1 / SIGMA_0 * (x - MEAN_0)


def displacement_density(x, t):
    """rho_t: the push-forward of rho_0 by x -> (1-t) x + t T(x). For Gaussians it stays Gaussian."""
    return gaussian(x, (1 - t) * MEAN_0 + t * MEAN_1, (1 - t) * SIGMA_0 + t * SIGMA_1)


class OptimalTransport(Scene):
    """Displacement interpolation between two densities and the Benamou-Brenier formula for W_2."""

    def construct(self):
        title = Tex(r"Optimal transport: the Benamou--Brenier picture", font_size=40).to_edge(UP, buff=0.3)
        axes = Axes(
            x_range=[-5, 5, 1], y_range=[0, 0.8, 0.2], x_length=11, y_length=3.2, tips=False,
        ).move_to(UP * 0.6)
        # Densities need no vertical axis: draw only the x-axis, but keep `axes` for its coordinates.
        # Axes leaves out the label at 0 (where the y-axis would be), so number the x-axis ourselves.
        x_axis = axes.x_axis
        x_axis.add_numbers(x_values=range(-5, 6), excluding=[], font_size=24)
        rho_0 = axes.plot(lambda x: gaussian(x, MEAN_0, SIGMA_0), color=RHO_0_COLOR)
        rho_1 = axes.plot(lambda x: gaussian(x, MEAN_1, SIGMA_1), color=RHO_1_COLOR)
        label_0 = MathTex(r"\rho_0", color=RHO_0_COLOR).next_to(axes.c2p(MEAN_0, gaussian(0, 0, SIGMA_0)), UL, buff=0.1)
        label_1 = MathTex(r"\rho_1", color=RHO_1_COLOR).next_to(axes.c2p(MEAN_1, gaussian(0, 0, SIGMA_1)), UR, buff=0.1)

        self.play(Write(title))
        self.play(Create(x_axis))
        self.play(Create(rho_0), Write(label_0), Create(rho_1), Write(label_1))

        # Grains of mass at evenly spaced quantiles of rho_0 (z-scores), with their destinations.
        z_scores = np.linspace(-1.5, 1.5, 7)
        starts = MEAN_0 + SIGMA_0 * z_scores
        arrows = VGroup(*[
            CurvedArrow(axes.c2p(x, 0), axes.c2p(transport_map(x), 0), angle=-PI / 3, color=GREY_B,
                        stroke_width=2, tip_length=0.15)
            for x in starts
        ])
        map_formula = MathTex(r"T = F_1^{-1}\circ F_0", font_size=36).move_to(axes.c2p(0, 0.65))
        self.play(LaggedStart(*[Create(arrow) for arrow in arrows], lag_ratio=0.1), Write(map_formula))

        # The displacement interpolation, driven by one tracker.
        t = ValueTracker(0)
        rho_t = always_redraw(lambda: axes.plot(
            lambda x: displacement_density(x, t.get_value()), color=RHO_T_COLOR, stroke_width=5,
        ))
        area_t = always_redraw(lambda: axes.get_area(rho_t, x_range=[-5, 5], color=RHO_T_COLOR, opacity=0.25))
        grains = always_redraw(lambda: VGroup(*[
            Dot(axes.c2p((1 - t.get_value()) * x + t.get_value() * transport_map(x), 0), radius=0.07, color=RHO_T_COLOR)
            for x in starts
        ]))
        t_readout = VGroup(MathTex(r"t =", font_size=36), DecimalNumber(0, num_decimal_places=2, font_size=36))
        t_readout.arrange(RIGHT, buff=0.15).to_corner(UR, buff=0.5).shift(DOWN * 0.6)
        t_readout[1].add_updater(lambda number: number.set_value(t.get_value()))
        path_rule = MathTex(r"x \mapsto (1-t)\,x + t\,T(x)", font_size=36, color=RHO_T_COLOR)
        path_rule.move_to(map_formula)

        self.play(FadeOut(arrows), ReplacementTransform(map_formula, path_rule),
                  FadeIn(rho_t, area_t, grains, t_readout))
        self.play(t.animate.set_value(1), run_time=3, rate_func=smooth)
        self.play(t.animate.set_value(0.5), run_time=1.5)

        # Mixing is not moving: the straight-line average of densities is bimodal at t = 1/2.
        mixture = DashedVMobject(
            axes.plot(lambda x: 0.5 * gaussian(x, MEAN_0, SIGMA_0) + 0.5 * gaussian(x, MEAN_1, SIGMA_1)),
            num_dashes=60,
        ).set_color(GREY_A)
        mixture_label = MathTex(r"(1-t)\rho_0 + t\rho_1", font_size=32, color=GREY_A)
        mixture_label.move_to(axes.c2p(3.9, 0.42))
        mixture_pointer = Arrow(
            mixture_label.get_bottom(), axes.c2p(2.6, 0.5 * gaussian(2.6, MEAN_1, SIGMA_1) + 0.01),
            buff=0.1, color=GREY_A, stroke_width=2, max_tip_length_to_length_ratio=0.2,
        )
        rho_t_label = MathTex(r"\rho_t", font_size=40, color=RHO_T_COLOR)
        rho_t_label.next_to(axes.c2p(0.5 * (MEAN_0 + MEAN_1), displacement_density(-0.25, 0.5)), UP, buff=0.15)
        rho_t_label.shift(RIGHT * 0.15)
        self.play(Create(mixture), Write(mixture_label), GrowArrow(mixture_pointer), Write(rho_t_label))
        self.wait(0.5)

        # The dynamic formulation: minimise kinetic energy over all flows that carry rho_0 to rho_1.
        action = MathTex(
            r"W_2^2(\rho_0,\rho_1)", r"=", r"\min_{\rho,\,v}\int_0^1\!\!\int \rho_t\,|v_t|^2\,dx\,dt",
            font_size=38,
        )
        constraint = MathTex(
            r"\text{s.t.}\quad \partial_t\rho_t + \partial_x(\rho_t v_t) = 0,\quad \rho_{t=0}=\rho_0,\ \rho_{t=1}=\rho_1",
            font_size=32,
        )
        gaussian_value = MathTex(
            r"\text{Gaussians: } W_2^2 = (m_1-m_0)^2 + (\sigma_1-\sigma_0)^2 = "
            + f"{(MEAN_1 - MEAN_0) ** 2 + (SIGMA_1 - SIGMA_0) ** 2:.2f}",
            font_size=30,
        )
        action[0].set_color(RHO_T_COLOR)
        VGroup(action, constraint, gaussian_value).arrange(DOWN, buff=0.2).to_edge(DOWN, buff=0.25)
        self.play(FadeOut(path_rule), Write(action))
        self.play(FadeIn(constraint, shift=UP * 0.2))
        self.play(FadeIn(gaussian_value, shift=UP * 0.2))

        # Freeze the interpolation and leave snapshots behind as the key picture.
        for mobject in (rho_t, area_t, grains):
            mobject.clear_updaters()
        t_readout[1].clear_updaters()
        snapshots = VGroup(*[
            axes.plot(lambda x, s=s: displacement_density(x, s), color=RHO_T_COLOR, stroke_opacity=0.45)
            for s in (0.25, 0.75)
        ])
        self.play(Create(snapshots), Circumscribe(action, color=RHO_T_COLOR))
        self.wait(1)
