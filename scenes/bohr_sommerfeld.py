"""The Bohr–Sommerfeld atom: quantised elliptical orbits, energy levels and a photon.

Teaches the old quantum theory of hydrogen. The action around each closed
orbit is quantised, oint p dq = n h; splitting it into a radial and an angular
part gives orbits labelled by (n, k) with semi-major axis a = n^2 a_0 and axis
ratio b/a = k/n, all with the nucleus at a focus. The energy depends only on n,
E_n = -13.6 eV / n^2, so a jump from n = 3 to n = 2 emits a photon of
1.89 eV (the red Balmer H-alpha line, 656 nm).

Manim techniques: Ellipse/Circle orbits placed with rotate + move_to, an
electron driven by a ValueTracker through Kepler's equation in an updater
(faster near the nucleus), a wavy ParametricFunction photon, and an
energy-level ladder built from Lines and MathTex.
"""

from dataclasses import dataclass

import numpy as np
from manim import *

TAGS = [
    "Bohr model",
    "Bohr-Sommerfeld",
    "old quantum theory",
    "hydrogen atom",
    "quantisation",
    "energy levels",
    "photon emission",
    "spectral lines",
    "Kepler orbit",
    "ellipse",
    "physics",
    "updater",
    "ValueTracker",
]

NUCLEUS = np.array([-2.1, -0.3, 0.0])
BOHR_RADIUS = 0.27  # scene units per a_0, chosen so the n = 3 orbits fill the left half
SHELL_COLORS = {1: YELLOW, 2: GREEN, 3: BLUE}


@dataclass
class Orbit:
    """A Sommerfeld orbit (n, k) with the nucleus at its focus.

    apoapsis_deg is the direction, seen from the nucleus, of the orbit's far end.
    """

    n: int
    k: int
    apoapsis_deg: float = 0.0

    @property
    def a(self) -> float:
        return self.n**2 * BOHR_RADIUS

    @property
    def b(self) -> float:
        return self.a * self.k / self.n

    @property
    def eccentricity(self) -> float:
        return np.sqrt(1 - (self.k / self.n) ** 2)

    def _axes(self) -> tuple[np.ndarray, np.ndarray]:
        """Unit vectors along the major axis (towards periapsis) and the minor axis."""
        angle = np.radians(self.apoapsis_deg)
        towards_periapsis = -np.array([np.cos(angle), np.sin(angle), 0.0])
        return towards_periapsis, rotate_vector(towards_periapsis, PI / 2)

    def point(self, mean_anomaly: float) -> np.ndarray:
        """Position at a given mean anomaly, solving Kepler's equation M = E - e sin E."""
        e = self.eccentricity
        ecc_anomaly = mean_anomaly
        for _ in range(8):  # Newton's method converges in a few steps for e < 1
            ecc_anomaly -= (ecc_anomaly - e * np.sin(ecc_anomaly) - mean_anomaly) / (1 - e * np.cos(ecc_anomaly))
        u, v = self._axes()
        return NUCLEUS + self.a * (np.cos(ecc_anomaly) - e) * u + self.b * np.sin(ecc_anomaly) * v

    def mobject(self) -> VMobject:
        """The orbit drawn as an ellipse (a circle when k = n)."""
        u, _ = self._axes()
        centre = NUCLEUS - self.a * self.eccentricity * u
        shape = Ellipse(width=2 * self.a, height=2 * self.b, color=SHELL_COLORS[self.n], stroke_width=2.5)
        return shape.rotate(np.arctan2(u[1], u[0])).move_to(centre)

    def label(self) -> MathTex:
        """An (n, k) tag just outside the orbit's far end."""
        angle = np.radians(self.apoapsis_deg)
        direction = np.array([np.cos(angle), np.sin(angle), 0.0])
        far_end = NUCLEUS + self.a * (1 + self.eccentricity) * direction
        tag = MathTex(rf"({self.n},{self.k})", font_size=24, color=SHELL_COLORS[self.n])
        return tag.move_to(far_end + 0.3 * direction)


def energy_ev(n: int) -> float:
    return -13.6 / n**2


class BohrSommerfeld(Scene):
    """Draw the (n, k) orbits for n = 1..3, run an electron along one of them, then let it
    jump from n = 3 to n = 2 and emit an H-alpha photon shown on the energy ladder."""

    def construct(self):
        title = Tex(r"The Bohr--Sommerfeld atom", font_size=40).to_edge(UP, buff=0.3)
        nucleus = Dot(NUCLEUS, radius=0.09, color=RED_B)
        self.play(Write(title), FadeIn(nucleus, scale=2))

        # --- the quantisation rule and the orbits it allows ---------------------------
        rule = MathTex(r"\oint p\,dq = n\,h", font_size=40).move_to([3.9, 2.55, 0])
        split = MathTex(
            r"\oint p_\varphi\,d\varphi = k\,h, \qquad \oint p_r\,dr = (n-k)\,h",
            font_size=28,
        ).next_to(rule, DOWN, buff=0.25)
        shape = MathTex(r"a = n^2 a_0, \qquad \frac{b}{a} = \frac{k}{n}", font_size=32)
        shape.next_to(split, DOWN, buff=0.3)
        self.play(Write(rule))
        self.play(FadeIn(split))

        orbits = [
            Orbit(1, 1),
            Orbit(2, 2), Orbit(2, 1, apoapsis_deg=300),
            Orbit(3, 3, apoapsis_deg=50), Orbit(3, 2, apoapsis_deg=215), Orbit(3, 1, apoapsis_deg=150),
        ]
        orbit_mobs = {(o.n, o.k): o.mobject() for o in orbits}
        orbit_tags = VGroup(*(o.label() for o in orbits if o.n > 1))  # (1,1) is too small to tag
        self.play(
            LaggedStart(*(Create(m) for m in orbit_mobs.values()), lag_ratio=0.25),
            FadeIn(shape),
            run_time=2.5,
        )
        self.play(FadeIn(orbit_tags))

        # --- an electron on the (3, 2) ellipse, obeying Kepler's second law -----------
        start_orbit = orbits[4]
        phase = ValueTracker(0.0)  # mean anomaly: grows uniformly in time
        electron = Dot(start_orbit.point(0.0), radius=0.08, color=WHITE)
        electron.add_updater(lambda m: m.move_to(start_orbit.point(phase.get_value())))
        self.add(electron)
        # Two full turns end at periapsis (mean anomaly 0 mod 2 pi), close to the nucleus.
        self.play(phase.animate.set_value(2 * TAU), run_time=4, rate_func=linear)
        electron.clear_updaters()

        # --- the energy ladder ----------------------------------------------------------
        def level_y(n: int) -> float:
            return -3.5 + (energy_ev(n) + 13.6) * 0.265

        ladder = VGroup()
        for n in (1, 2, 3):
            line = Line([2.4, level_y(n), 0], [3.9, level_y(n), 0], color=SHELL_COLORS[n], stroke_width=3)
            name = MathTex(rf"n={n}", font_size=24).next_to(line, LEFT, buff=0.15)
            value = MathTex(rf"{energy_ev(n):.2f}\,\text{{eV}}", font_size=24).next_to(line, RIGHT, buff=0.15)
            ladder.add(VGroup(line, name, value))
        energy = MathTex(r"E_n = -\frac{13.6\,\text{eV}}{n^2}", font_size=34).move_to([3.9, -1.6, 0])
        self.play(FadeIn(ladder, lag_ratio=0.2), Write(energy))

        # --- the jump (3,2) -> (2,1): Delta k = -1, and a photon carries off E_3 - E_2 --
        end_orbit = orbits[2]
        jump_target = end_orbit.point(PI)  # land at the far end of the (2,1) orbit
        transition = Arrow(
            [3.15, level_y(3), 0], [3.15, level_y(2), 0], buff=0.0, color=RED,
            stroke_width=4, max_tip_length_to_length_ratio=0.4,
        )
        photon_start = electron.get_center()
        photon_end = np.array([1.35, level_y(2) + 0.25, 0.0])  # just left of the ladder
        direction = normalize(photon_end - photon_start)
        normal = rotate_vector(direction, PI / 2)
        photon = ParametricFunction(
            lambda s: photon_start + s * direction + 0.12 * np.sin(TAU * s / 0.3) * normal,
            t_range=[0, 1.0, 0.01],
            color=RED,
            stroke_width=3,
        )
        self.play(
            electron.animate.move_to(jump_target),
            Flash(photon_start, color=RED, line_length=0.25),
            Create(photon),
            run_time=1.2,
        )
        travel = photon_end - (photon_start + 1.0 * direction)
        self.play(photon.animate.shift(travel), GrowArrow(transition), run_time=1.5)
        photon_text = MathTex(
            r"h\nu = E_3 - E_2 = 1.89\,\text{eV}", r"\;\Rightarrow\; \lambda = 656\,\text{nm}",
            font_size=30, color=RED_A,
        ).move_to([3.9, -2.65, 0])
        self.play(Write(photon_text))

        # --- the electron keeps going on the smaller orbit (period scales as n^3) ------
        phase.set_value(PI)
        electron.add_updater(lambda m: m.move_to(end_orbit.point(phase.get_value())))
        self.play(
            phase.animate.set_value(PI + 2 * TAU + 1.2),  # stop clear of the (2,1) tag
            Indicate(orbit_mobs[(2, 1)], color=GREEN),
            run_time=2.5,
            rate_func=linear,
        )
        self.wait(1)
