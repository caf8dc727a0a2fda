"""Information geometry: the family of Gaussians N(mu, sigma^2) as a curved 2-D manifold.

Every point (mu, sigma) of the upper half-plane is a probability distribution. The KL divergence
between nearby points is, to second order, a quadratic form: the Fisher information metric
ds^2 = (dmu^2 + 2 dsigma^2) / sigma^2. Its unit balls, drawn as small ellipses, shrink as sigma
shrinks, because sharp distributions are easy to tell apart. With this metric the half-plane is a
hyperbolic plane (curvature -1/2), so the shortest path between two narrow Gaussians is not the
straight line: it bulges upward, first widening the bell curve, then moving it, then narrowing it.
An inset plots the density at a point that travels along the geodesic.
"""

from manim import *

TAGS = [
    "information geometry", "statistics", "probability", "kl divergence", "fisher information",
    "riemannian metric", "geodesic", "hyperbolic geometry", "gaussian", "differential geometry",
    "valuetracker", "always_redraw",
]

START, END = np.array([-2.5, 0.5]), np.array([2.5, 0.5])  # (mu, sigma) of p and q
BALL_SIZE = 0.15  # Fisher-metric radius of the drawn unit balls
GEODESIC_COLOR, STRAIGHT_COLOR, BALL_COLOR = GOLD, GREY_B, TEAL


def fisher_length(path):
    """Length of a polyline of (mu, sigma) points under ds^2 = (dmu^2 + 2 dsigma^2) / sigma^2."""
    steps = np.diff(path, axis=0)
    midpoint_sigma = 0.5 * (path[1:, 1] + path[:-1, 1])
    return float(np.sum(np.sqrt(steps[:, 0] ** 2 + 2 * steps[:, 1] ** 2) / midpoint_sigma))


def geodesic_point(s):
    """Point at parameter s in [0, 1] on the geodesic from START to END.

    In u = mu / sqrt(2) the metric is 2 (du^2 + dsigma^2) / sigma^2, the Poincare half-plane, whose
    geodesics are half-circles centred on the u-axis. START and END have equal sigma, so the centre is u = 0.
    """
    u_start, sigma_start = START[0] / np.sqrt(2), START[1]
    radius = np.hypot(u_start, sigma_start)
    angle_start = np.arctan2(sigma_start, u_start)
    angle = angle_start + s * (np.pi - 2 * angle_start)  # ends at the mirror angle pi - angle_start
    return np.array([np.sqrt(2) * radius * np.cos(angle), radius * np.sin(angle)])


def gaussian(x, mu, sigma):
    return np.exp(-0.5 * ((x - mu) / sigma) ** 2) / (sigma * np.sqrt(TAU))


class InformationGeometry(Scene):
    """The Gaussian family with its Fisher metric: KL divergence, metric ellipses, geodesic vs straight line."""

    def construct(self):
        title = Tex(r"Information geometry of the Gaussian family", font_size=40).to_edge(UP, buff=0.25)
        plane = Axes(
            x_range=[-3, 3, 1], y_range=[0, 4.5, 1], x_length=6, y_length=4.5, tips=False,
            axis_config={"include_numbers": True, "font_size": 24},
        ).to_corner(DL, buff=0.6).shift(UP * 0.55)
        plane_labels = plane.get_axis_labels(MathTex(r"\mu", font_size=34), MathTex(r"\sigma", font_size=34))
        point_meaning = MathTex(r"(\mu,\sigma)\ \leftrightarrow\ \mathcal{N}(\mu,\sigma^2)", font_size=30)
        point_meaning.to_corner(DL, buff=0.35)
        self.play(Write(title))
        self.play(Create(plane), FadeIn(plane_labels), Write(point_meaning))

        # Right-hand column: from KL divergence to the metric.
        kl = MathTex(
            r"D_{\mathrm{KL}}(p\,\|\,q) = \int p(x)\,\log\frac{p(x)}{q(x)}\,dx", font_size=30,
        )
        local = MathTex(
            r"D_{\mathrm{KL}}(p_\theta\,\|\,p_{\theta+d\theta}) \approx \tfrac12\, d\theta^{\top} I(\theta)\, d\theta",
            font_size=30,
        )
        metric = MathTex(
            r"ds^2 = \frac{d\mu^2 + 2\,d\sigma^2}{\sigma^2}", r",\quad K = -\tfrac12", font_size=30,
        )
        metric[0].set_color(BALL_COLOR)
        formulas = VGroup(kl, local, metric).arrange(DOWN, buff=0.3, aligned_edge=LEFT)
        formulas.to_corner(UR, buff=0.5).shift(DOWN * 0.55)
        self.play(Write(kl))
        self.play(Write(local))

        # Fisher unit balls: semi-axes BALL_SIZE * sigma along mu and BALL_SIZE * sigma / sqrt(2) along sigma.
        unit = plane.x_axis.get_unit_size()  # both axes use the same unit, so ellipses are not distorted
        balls = VGroup(*[
            Ellipse(width=2 * BALL_SIZE * sigma * unit, height=np.sqrt(2) * BALL_SIZE * sigma * unit,
                    color=BALL_COLOR, stroke_width=2, fill_opacity=0.25).move_to(plane.c2p(mu, sigma))
            for sigma in (1, 2, 3, 4) for mu in (-2.5, -1.0, 1.0, 2.5)
        ])
        balls_meaning = Tex(r"ellipses: balls of equal KL divergence", font_size=28, color=BALL_COLOR)
        balls_meaning.next_to(point_meaning, RIGHT, buff=0.5)
        self.play(
            Write(metric), FadeIn(balls_meaning),
            LaggedStart(*[GrowFromCenter(b) for b in balls], lag_ratio=0.05), run_time=2,
        )

        # Two narrow Gaussians with the same width and different means.
        dots = VGroup(*[Dot(plane.c2p(*point), color=WHITE) for point in (START, END)])
        dot_labels = VGroup(
            MathTex(r"p", font_size=34).next_to(dots[0], LEFT, buff=0.15),
            MathTex(r"q", font_size=34).next_to(dots[1], RIGHT, buff=0.15),
        )
        straight_path = np.linspace(START, END, 200)
        geodesic_path = np.array([geodesic_point(s) for s in np.linspace(0, 1, 200)])
        straight = DashedLine(plane.c2p(*START), plane.c2p(*END), color=STRAIGHT_COLOR, stroke_width=4)
        geodesic = plane.plot_parametric_curve(
            geodesic_point, t_range=[0, 1], color=GEODESIC_COLOR, stroke_width=5,
        )
        lengths = VGroup(
            MathTex(r"\text{straight line: } L = " + f"{fisher_length(straight_path):.2f}",
                    font_size=30, color=STRAIGHT_COLOR),
            MathTex(r"\text{geodesic: } L = " + f"{fisher_length(geodesic_path):.2f}",
                    font_size=30, color=GEODESIC_COLOR),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.2).next_to(formulas, DOWN, buff=0.4, aligned_edge=LEFT)
        self.play(FadeIn(dots), Write(dot_labels))
        self.play(Create(straight), Write(lengths[0]))
        self.play(Create(geodesic), Write(lengths[1]), run_time=1.5)

        # Walk along the geodesic and watch the distribution: it widens, moves, then narrows.
        progress = ValueTracker(0)
        inset = Axes(x_range=[-4, 4, 2], y_range=[0, 0.9, 0.3], x_length=4.2, y_length=1.6, tips=False)
        inset.next_to(lengths, DOWN, buff=0.6, aligned_edge=LEFT)
        inset_axis = inset.x_axis.add_numbers(x_values=range(-4, 5, 2), excluding=[], font_size=24)  # densities need no y-axis
        inset_label = MathTex(r"p(x;\mu,\sigma)", font_size=28).next_to(inset, UP, buff=0.05).align_to(inset, RIGHT)
        start_density = inset.plot(lambda x: gaussian(x, *START), x_range=[-4, 4, 0.05], color=WHITE, stroke_opacity=0.4)
        traveller = always_redraw(lambda: Dot(plane.c2p(*geodesic_point(progress.get_value())), color=RED))
        density = always_redraw(lambda: inset.plot(
            lambda x: gaussian(x, *geodesic_point(progress.get_value())),
            x_range=[-4, 4, 0.05], color=RED,
        ))
        self.play(Create(inset_axis), FadeIn(inset_label, start_density, traveller, density))
        self.play(progress.animate.set_value(1), run_time=3, rate_func=linear)
        traveller.clear_updaters()
        density.clear_updaters()
        self.play(Indicate(lengths[1], color=GEODESIC_COLOR))
        self.wait(1)
