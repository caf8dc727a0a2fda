"""Diffusion models as transport: noising data forward, flowing noise back along an ODE.

Teaches the two directions of a score-based diffusion model in one dimension
(time runs left to right, the data value x is vertical):
  * forward: the variance-preserving SDE dx = -1/2 beta(t) x dt + sqrt(beta(t)) dW
    turns a two-cluster data distribution into a standard Gaussian;
  * reverse: the probability-flow ODE dx/dt = -1/2 beta(t) [x + grad_x log p_t(x)]
    carries Gaussian samples deterministically back onto the data clusters.
For a Gaussian-mixture data set the score grad_x log p_t(x) is exact, so the
trajectories below are computed, not drawn by hand. In 1-D the ODE paths cannot
cross, so the flow map is monotone: it is the optimal-transport map between the
noise and the data for quadratic cost.

Manim techniques: Axes with c2p, VMobjects from numpy trajectories
(set_points_as_corners for jagged SDE paths, set_points_smoothly for ODE paths),
MoveAlongPath for many dots at once, densities drawn sideways as parametric curves.
"""

import numpy as np
from manim import *

TAGS = [
    "diffusion model",
    "score-based generative model",
    "stochastic differential equation",
    "SDE",
    "probability flow ODE",
    "score function",
    "optimal transport",
    "Gaussian",
    "probability",
    "machine learning",
    "axes",
    "trajectories",
]

BETA_MIN, BETA_MAX = 0.1, 12.0  # linear noise schedule beta(t) on t in [0, 1]
CLUSTER_MEANS = np.array([-1.6, 1.6])  # the data: an equal mixture of two narrow Gaussians
CLUSTER_STD = 0.22
N_PATHS = 20
LOW_COLOR, HIGH_COLOR = GOLD, BLUE


def beta(t: float) -> float:
    """Noise rate of the variance-preserving SDE at time t."""
    return BETA_MIN + t * (BETA_MAX - BETA_MIN)


def alpha(t: float) -> float:
    """Signal scale exp(-1/2 int_0^t beta): x_t = alpha(t) x_0 + sqrt(1 - alpha^2) eps."""
    return float(np.exp(-0.5 * (BETA_MIN * t + 0.5 * (BETA_MAX - BETA_MIN) * t**2)))


def marginal_variance(t: float) -> float:
    """Variance of each mixture component of p_t."""
    a = alpha(t)
    return a * a * CLUSTER_STD**2 + 1.0 - a * a


def score(x: np.ndarray, t: float) -> np.ndarray:
    """Exact grad_x log p_t(x) for the noised two-Gaussian mixture."""
    a, v = alpha(t), marginal_variance(t)
    offsets = x[:, None] - a * CLUSTER_MEANS[None, :]
    log_w = -(offsets**2) / (2 * v)
    weights = np.exp(log_w - log_w.max(axis=1, keepdims=True))
    weights /= weights.sum(axis=1, keepdims=True)  # posterior responsibility of each cluster
    return (weights * -offsets).sum(axis=1) / v


def forward_sde_paths(rng: np.random.Generator, steps: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """Sample paths of the forward SDE from data samples; returns (times, paths[step, path]).

    Uses the exact Gaussian transition of the linear SDE, so the path is
    distributed correctly however coarse the time grid.
    """
    half = N_PATHS // 2
    x = np.concatenate([
        CLUSTER_MEANS[0] + CLUSTER_STD * rng.standard_normal(half),
        CLUSTER_MEANS[1] + CLUSTER_STD * rng.standard_normal(half),
    ])
    times = np.linspace(0.0, 1.0, steps + 1)
    paths = [x]
    for t0, t1 in zip(times[:-1], times[1:]):
        decay = alpha(t1) / alpha(t0)
        x = decay * x + np.sqrt(1 - decay**2) * rng.standard_normal(N_PATHS)
        paths.append(x)
    return times, np.array(paths)


def probability_flow_paths(rng: np.random.Generator, steps: int = 400) -> tuple[np.ndarray, np.ndarray]:
    """Integrate the probability-flow ODE backward from t=1 (Euler), starting at Gaussian quantiles."""
    levels = (np.arange(N_PATHS) + 0.5) / N_PATHS
    x = np.sqrt(marginal_variance(1.0)) * np.quantile(rng.standard_normal(100_000), levels)
    times = np.linspace(1.0, 1e-3, steps + 1)
    paths = [x]
    for t0, t1 in zip(times[:-1], times[1:]):
        x = x + (t1 - t0) * (-0.5 * beta(t0) * (x + score(x, t0)))
        paths.append(x)
    return times[::10], np.array(paths)[::10]  # every 10th step is plenty for drawing


def gaussian_pdf(x: float, mean: float, var: float) -> float:
    """Density of N(mean, var) at x."""
    return float(np.exp(-((x - mean) ** 2) / (2 * var)) / np.sqrt(2 * np.pi * var))


class DiffusionOT(Scene):
    """Noise two data clusters into a Gaussian with the forward SDE, then transport
    Gaussian samples back to the data along probability-flow ODE trajectories."""

    def construct(self):
        rng = np.random.default_rng(5)  # seed chosen so every sample path stays inside the axes

        title = Tex(r"Diffusion models as transport between noise and data", font_size=38)
        title.to_edge(UP, buff=0.3)
        axes = Axes(
            x_range=[0, 1, 0.5],
            y_range=[-3, 3, 1],
            x_length=5.8,
            y_length=5.6,
            tips=False,
            axis_config={"include_numbers": False, "stroke_width": 2},
        ).move_to([-2.6, -0.45, 0])
        t_labels = VGroup(*(
            MathTex(rf"t={t}", font_size=26).next_to(axes.c2p(t, -3), DOWN, buff=0.15)
            for t in (0, 1)
        ))
        x_label = MathTex(r"x", font_size=30).next_to(axes.c2p(0, 3), RIGHT, buff=0.15)
        self.play(Write(title), Create(axes), FadeIn(t_labels, x_label))

        # Densities drawn sideways: p_0 to the left of t=0, p_1 to the right of t=1.
        def sideways_density(t: float, pdf, direction: np.ndarray, color: ManimColor) -> VMobject:
            return ParametricFunction(
                lambda x: axes.c2p(t, x) + 0.8 * pdf(x) * direction,
                t_range=[-3, 3, 0.02],
                color=color,
            )

        p_data = sideways_density(
            0, lambda x: 0.5 * sum(gaussian_pdf(x, m, CLUSTER_STD**2) for m in CLUSTER_MEANS), LEFT, WHITE
        )
        p_noise = sideways_density(1, lambda x: gaussian_pdf(x, 0.0, marginal_variance(1.0)), RIGHT, WHITE)
        label_data = MathTex(r"p_{\mathrm{data}}", font_size=28).next_to(p_data, UP, buff=0.1).shift(0.2 * LEFT)
        label_noise = MathTex(r"\mathcal{N}(0,1)", font_size=28).next_to(p_noise, UP, buff=0.1)

        # Right-hand panel, revealed piece by piece.
        panel = VGroup(
            Tex(r"Forward SDE (data $\to$ noise)", font_size=28, color=YELLOW),
            MathTex(r"dx = -\tfrac12\beta(t)\,x\,dt + \sqrt{\beta(t)}\,dW", font_size=30),
            Tex(r"Score of the noised density", font_size=28, color=YELLOW),
            MathTex(r"\nabla_x \log p_t(x)", font_size=30),
            Tex(r"Probability-flow ODE (noise $\to$ data)", font_size=28, color=YELLOW),
            MathTex(r"\frac{dx}{dt} = -\tfrac12\beta(t)\big[x + \nabla_x \log p_t(x)\big]", font_size=30),
            Tex(r"Paths never cross $\Rightarrow$ monotone map,", font_size=28, color=YELLOW),
            Tex(r"the optimal transport map in 1-D:", font_size=28, color=YELLOW),
            MathTex(r"T = F_{\mathrm{data}}^{-1} \circ F_{\mathcal{N}}", font_size=30),
        ).arrange(DOWN, buff=0.22)
        for formula in (1, 3, 5):
            panel[formula].shift(0.05 * UP)  # keep each formula close to its caption
        panel[7].next_to(panel[6], DOWN, buff=0.08)
        panel.move_to([4.15, -0.45, 0])

        # --- forward: data -> noise ---------------------------------------------------
        sde_times, sde = forward_sde_paths(rng)
        colors = [LOW_COLOR] * (N_PATHS // 2) + [HIGH_COLOR] * (N_PATHS // 2)
        dots = VGroup(*(
            Dot(axes.c2p(0, sde[0, k]), radius=0.05, color=colors[k]) for k in range(N_PATHS)
        ))
        self.play(Create(p_data), FadeIn(label_data), FadeIn(dots, scale=0.5),
                  FadeIn(panel[:2], shift=LEFT))

        sde_paths = VGroup(*(
            VMobject(stroke_width=1.5, stroke_color=colors[k], stroke_opacity=0.7).set_points_as_corners(
                [axes.c2p(t, x) for t, x in zip(sde_times, sde[:, k])]
            )
            for k in range(N_PATHS)
        ))
        self.play(
            *(Create(path) for path in sde_paths),
            *(MoveAlongPath(dot, path) for dot, path in zip(dots, sde_paths)),
            run_time=3,
            rate_func=linear,
        )
        self.play(Create(p_noise), FadeIn(label_noise))
        self.play(FadeIn(panel[2:4], shift=LEFT))

        # --- reverse: noise -> data along the probability-flow ODE --------------------
        ode_times, ode = probability_flow_paths(rng)
        end_colors = [HIGH_COLOR if ode[-1, k] > 0 else LOW_COLOR for k in range(N_PATHS)]
        ode_paths = VGroup(*(
            VMobject(stroke_width=2.5, stroke_color=end_colors[k]).set_points_smoothly(
                [axes.c2p(t, x) for t, x in zip(ode_times, ode[:, k])]
            )
            for k in range(N_PATHS)
        ))
        starts = VGroup(*(
            Dot(path.get_start(), radius=0.05, color=WHITE) for path in ode_paths
        ))
        self.play(
            sde_paths.animate.set_stroke(opacity=0.15),
            FadeOut(dots),
            FadeIn(starts, scale=0.5),
            FadeIn(panel[4:6], shift=LEFT),
        )
        self.play(
            *(Create(path) for path in ode_paths),
            *(MoveAlongPath(dot, path) for dot, path in zip(starts, ode_paths)),
            run_time=3.5,
        )

        # --- the transport view --------------------------------------------------------
        self.play(
            *(dot.animate.set_color(color) for dot, color in zip(starts, end_colors)),
            FadeIn(panel[6:], shift=LEFT),
        )
        self.play(Indicate(panel[8]))
        self.wait(1.5)
