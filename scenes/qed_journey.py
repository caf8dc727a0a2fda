"""A short journey from classical electromagnetism to quantum electrodynamics (QED).

1. The light cone of an event in (2+1)-D spacetime, drawn in 3-D.
2. An electromagnetic plane wave: E and B oscillate at right angles to each other and to the motion.
3. Maxwell's four equations collapse into two covariant ones, among them d_mu F^{mu nu} = mu_0 J^nu.
4. The QED Lagrangian, colour-coded into its electron, photon and interaction parts.
5. A Feynman diagram for electron-electron scattering (fermion lines with arrows, a wavy photon).
6. The running coupling: alpha grows logarithmically from 1/137 at the electron mass to about 1/128 at M_Z.

Technique: one ThreeDScene. The 3-D parts use a tilted camera and keep their captions flat with
add_fixed_in_frame_mobjects; the camera then returns to the default head-on view, where ordinary
2-D mobjects look exactly as they do in a plain Scene.
"""

from manim import *

TAGS = [
    "physics", "quantum electrodynamics", "qed", "relativity", "light cone", "3d", "electromagnetism",
    "maxwell equations", "lagrangian", "feynman diagram", "running coupling", "fine structure constant",
]

ELECTRON_COLOR = BLUE
PHOTON_COLOR = YELLOW
INTERACTION_COLOR = GREEN

ALPHA_AT_ELECTRON_MASS = 1 / 137.036
ELECTRON_MASS_GEV = 0.000511
Z_MASS_GEV = 91.19
# One-loop running with every charged fermion lumped into an effective count, chosen so that
# alpha(M_Z) comes out near the measured 1/128. A single electron loop alone would give about 1/134.
EFFECTIVE_CHARGED_SPECIES = 3.52


def inverse_alpha(log10_q_over_me):
    """1/alpha at momentum transfer Q, given log10(Q / m_e) (leading-log vacuum polarisation)."""
    log_ratio = np.log(10.0) * log10_q_over_me
    return 1 / ALPHA_AT_ELECTRON_MASS - 2 * EFFECTIVE_CHARGED_SPECIES / (3 * PI) * log_ratio


def fermion_line(start, end, color=ELECTRON_COLOR):
    """A straight fermion propagator with the charge-flow arrowhead at its midpoint."""
    line = Line(start, end, color=color, stroke_width=4)
    head = Triangle(color=color, fill_opacity=1, stroke_width=0).scale(0.12)
    head.rotate(line.get_angle() - PI / 2).move_to(line.get_center())
    return VGroup(line, head)


def photon_line(start, end, waves=6, amplitude=0.12, color=PHOTON_COLOR):
    """A wavy photon propagator: a sine wave laid along the segment from start to end."""
    start, end = np.array(start), np.array(end)
    direction = end - start
    normal = rotate_vector(normalize(direction), PI / 2)
    return ParametricFunction(
        lambda s: start + s * direction + amplitude * np.sin(TAU * waves * s) * normal,
        t_range=[0, 1, 0.01],
        color=color,
        stroke_width=4,
    )


class QEDJourney(ThreeDScene):
    """From the light cone and Maxwell's equations to the QED Lagrangian, a Feynman diagram and running alpha."""

    def construct(self):
        title = Tex(r"A QED journey", font_size=40).to_edge(UP, buff=0.25)
        self.set_camera_orientation(phi=70 * DEGREES, theta=-60 * DEGREES)
        self.add_fixed_in_frame_mobjects(title)
        self.remove(title)  # added to the fixed layer, now animate it in
        self.play(Write(title))

        self.light_cone()
        self.electromagnetic_wave()
        self.maxwell_to_covariant()
        lagrangian = self.qed_lagrangian()
        self.feynman_and_running_coupling(lagrangian)

    def caption(self, *tex_lines):
        """A caption pinned to the bottom of the screen while the 3-D camera moves."""
        caption = VGroup(*[MathTex(line, font_size=34) for line in tex_lines]).arrange(RIGHT, buff=0.6)
        caption.to_edge(DOWN, buff=0.35)
        self.add_fixed_in_frame_mobjects(caption)
        self.remove(caption)
        return caption

    # -- 1. spacetime ------------------------------------------------------------
    def light_cone(self):
        # num_axis_pieces=1: the cairo renderer shades every axis piece separately, and the default 20 is slow.
        axes = ThreeDAxes(
            x_range=[-3, 3, 1], y_range=[-3, 3, 1], z_range=[-2.5, 2.5, 1],
            x_length=5, y_length=5, z_length=4, num_axis_pieces=1,
        )

        # Points with c|t| = sqrt(x^2 + y^2): the double cone of light rays through the origin.
        # Its faces are flat, so two rows of faces (one per nappe) draw it exactly and cheaply.
        cone = Surface(
            lambda u, v: axes.c2p(u * np.cos(v), u * np.sin(v), u),
            u_range=[-2.2, 2.2], v_range=[0, TAU], resolution=(2, 12),
            fill_opacity=0.35, stroke_width=0.5, checkerboard_colors=[PHOTON_COLOR, GOLD_E],
        )
        # A flat Dot turned to face the camera is much cheaper to draw than a shaded Dot3D sphere.
        event = Dot(axes.c2p(0, 0, 0), color=RED, radius=0.09)
        self.add_fixed_orientation_mobjects(event)
        self.remove(event)
        # A massive particle moves slower than light, so its worldline stays inside the cone.
        worldline = ParametricFunction(
            lambda t: axes.c2p(0.45 * np.sin(1.4 * t), 0.25 * t, t), t_range=[-2.2, 2.2], color=RED,
        )
        photon_ray = Line(axes.c2p(-2, 0, -2), axes.c2p(2, 0, 2), color=WHITE, stroke_width=3)

        caption = self.caption(r"c^2 t^2 = x^2 + y^2", r"\text{vertical axis: } ct")
        self.play(Create(axes), Create(cone), FadeIn(event), Write(caption), run_time=1.5)
        self.play(Create(worldline), Create(photon_ray))
        self.begin_ambient_camera_rotation(rate=0.45)
        self.wait(1.5)
        self.stop_ambient_camera_rotation()
        self.play(FadeOut(axes, cone, event, worldline, photon_ray, caption))

    # -- 2. light as a wave ------------------------------------------------------
    def electromagnetic_wave(self):
        axes = ThreeDAxes(
            x_range=[0, 6, 1], y_range=[-1.5, 1.5, 1], z_range=[-1.5, 1.5, 1],
            x_length=7, y_length=3, z_length=3, num_axis_pieces=1,
        ).shift(LEFT * 0.5)
        phase = ValueTracker(0)

        def field(polarisation, color):
            """Field values along the x-axis as a curve, with stems every half unit like little vectors."""
            def value(x):
                return np.sin(1.6 * x - phase.get_value())

            def build():
                curve = ParametricFunction(
                    lambda x: axes.c2p(x, *(value(x) * polarisation)), t_range=[0, 6, 0.1], color=color,
                )
                stems = VGroup(*[
                    Line(axes.c2p(x, 0, 0), axes.c2p(x, *(value(x) * polarisation)), color=color, stroke_width=2)
                    for x in np.arange(0.25, 6, 0.5)
                ])
                return VGroup(curve, stems)
            return always_redraw(build)

        e_field = field(np.array([0, 1]), PHOTON_COLOR)  # E along z
        b_field = field(np.array([1, 0]), ELECTRON_COLOR)  # B along y
        caption = self.caption(
            r"\mathbf{E}\perp\mathbf{B}\perp\mathbf{k}", r"|\mathbf{E}| = c\,|\mathbf{B}|",
        )
        self.move_camera(phi=65 * DEGREES, theta=-40 * DEGREES, added_anims=[Create(axes)])
        self.play(Create(e_field), Create(b_field), Write(caption))
        self.play(phase.animate.set_value(2 * TAU), run_time=2, rate_func=linear)
        e_field.clear_updaters()
        b_field.clear_updaters()
        self.play(FadeOut(axes, e_field, b_field, caption))
        # Back to the default head-on view: from here on the scene is flat 2-D.
        self.move_camera(phi=0, theta=-90 * DEGREES, run_time=0.8)

    # -- 3. Maxwell's equations, covariantly -------------------------------------
    def maxwell_to_covariant(self):
        lines = VGroup(
            MathTex(r"\nabla\cdot\mathbf{E}", r"=", r"\rho/\varepsilon_0"),
            MathTex(r"\nabla\cdot\mathbf{B}", r"=", r"0"),
            MathTex(r"\nabla\times\mathbf{E}", r"=", r"-\partial_t\mathbf{B}"),
            MathTex(r"\nabla\times\mathbf{B}", r"=", r"\mu_0\mathbf{J} + \mu_0\varepsilon_0\,\partial_t\mathbf{E}"),
        ).arrange(DOWN, buff=0.35)
        for line in lines[1:]:  # align the equals signs
            line.shift((lines[0][1].get_x() - line[1].get_x()) * RIGHT)
        lines.move_to(DOWN * 0.2)
        heading = Tex(r"Maxwell's equations", font_size=36).next_to(lines, UP, buff=0.5)
        self.play(FadeIn(heading), Write(lines), run_time=1.5)

        # Sources appear in two equations, the other two hold identically.
        sourced, sourceless = VGroup(lines[0], lines[3]), VGroup(lines[1], lines[2])
        self.play(sourced.animate.set_color(PHOTON_COLOR), sourceless.animate.set_color(GREY_B))

        covariant = MathTex(r"\partial_\mu F^{\mu\nu} = \mu_0 J^\nu", font_size=60, color=PHOTON_COLOR)
        bianchi = MathTex(r"\partial_{[\lambda} F_{\mu\nu]} = 0", font_size=44, color=GREY_B)
        field_strength = MathTex(r"F_{\mu\nu} = \partial_\mu A_\nu - \partial_\nu A_\mu", font_size=36)
        VGroup(covariant, bianchi, field_strength).arrange(DOWN, buff=0.45).move_to(DOWN * 0.2)
        new_heading = Tex(r"One tensor, two equations", font_size=36).move_to(heading)
        self.play(
            ReplacementTransform(sourced, covariant),
            ReplacementTransform(sourceless, bianchi),
            ReplacementTransform(heading, new_heading),
            run_time=1.5,
        )
        self.play(FadeIn(field_strength, shift=UP * 0.2))
        self.wait(0.5)
        self.play(FadeOut(covariant, bianchi, field_strength, new_heading))

    # -- 4. the Lagrangian -------------------------------------------------------
    def qed_lagrangian(self):
        lagrangian = MathTex(
            r"\mathcal{L}_{\mathrm{QED}}", r"=", r"\bar{\psi}", r"(i\gamma^\mu D_\mu - m)", r"\psi",
            r"-\tfrac{1}{4}", r"F_{\mu\nu}F^{\mu\nu}",
            font_size=52,
        )
        for index in (2, 3, 4):
            lagrangian[index].set_color(ELECTRON_COLOR)
        for index in (5, 6):
            lagrangian[index].set_color(PHOTON_COLOR)
        lagrangian.move_to(UP * 1.0)

        electron_brace = Brace(lagrangian[2:5], DOWN)
        electron_text = Tex(r"electron\\(Dirac)", font_size=32, color=ELECTRON_COLOR).next_to(electron_brace, DOWN)
        photon_brace = Brace(lagrangian[5:7], DOWN)
        photon_text = Tex(r"photon\\(Maxwell)", font_size=32, color=PHOTON_COLOR).next_to(photon_brace, DOWN)
        covariant_derivative = MathTex(
            r"D_\mu = \partial_\mu", r"+ i e A_\mu", font_size=44,
        ).move_to(DOWN * 1.6)
        covariant_derivative[1].set_color(INTERACTION_COLOR)
        interaction = MathTex(
            r"\Rightarrow\ \mathcal{L}_{\mathrm{int}} = -e\,\bar{\psi}\gamma^\mu\psi\,A_\mu",
            font_size=40, color=INTERACTION_COLOR,
        ).next_to(covariant_derivative, DOWN, buff=0.4)

        self.play(Write(lagrangian), run_time=1.5)
        self.play(GrowFromCenter(electron_brace), FadeIn(electron_text))
        self.play(GrowFromCenter(photon_brace), FadeIn(photon_text))
        self.play(Write(covariant_derivative))
        self.play(FadeIn(interaction, shift=UP * 0.2))
        self.wait(0.5)
        self.play(
            FadeOut(electron_brace, electron_text, photon_brace, photon_text, covariant_derivative, interaction),
            lagrangian.animate.scale(0.8).move_to(UP * 2.6),
        )
        return lagrangian

    # -- 5 and 6. a diagram and the running coupling ------------------------------
    def feynman_and_running_coupling(self, lagrangian):
        # Electron-electron scattering by one photon exchange; time runs upwards.
        left_vertex, right_vertex = np.array([-4.9, -0.9, 0]), np.array([-2.3, -0.9, 0])
        outer_points = [
            left_vertex + np.array([-0.9, -1.6, 0]), left_vertex + np.array([-0.9, 1.6, 0]),
            right_vertex + np.array([0.9, -1.6, 0]), right_vertex + np.array([0.9, 1.6, 0]),
        ]
        electrons = VGroup(
            fermion_line(outer_points[0], left_vertex),
            fermion_line(left_vertex, outer_points[1]),
            fermion_line(outer_points[2], right_vertex),
            fermion_line(right_vertex, outer_points[3]),
        )
        photon = photon_line(left_vertex, right_vertex)
        vertices = VGroup(*[Dot(v, color=INTERACTION_COLOR, radius=0.09) for v in (left_vertex, right_vertex)])
        electron_labels = VGroup(*[
            MathTex(r"e^-", font_size=32, color=ELECTRON_COLOR).next_to(point, side, buff=0.1)
            for point, side in zip(outer_points, (LEFT, LEFT, RIGHT, RIGHT))
        ])
        photon_label = MathTex(r"\gamma", font_size=34, color=PHOTON_COLOR).next_to(photon, UP, buff=0.15)
        vertex_factor = MathTex(r"\text{vertex: } -ie\gamma^\mu", font_size=32, color=INTERACTION_COLOR)
        vertex_factor.next_to(VGroup(electrons, electron_labels), DOWN, buff=0.25)

        self.play(LaggedStart(*[Create(line) for line in electrons], lag_ratio=0.2), FadeIn(electron_labels))
        self.play(Create(photon), FadeIn(vertices), Write(photon_label))
        self.play(Write(vertex_factor))

        # alpha(Q) on a logarithmic momentum axis; x = 0 is the electron mass, where alpha = 1/137.
        axes = Axes(
            x_range=[0, 6, 1], y_range=[0.0072, 0.0080, 0.0002],
            x_length=5.0, y_length=3.0, tips=False,
            x_axis_config={"include_numbers": True, "font_size": 24},
        ).move_to(RIGHT * 3.6 + DOWN * 1.0)
        x_label = MathTex(r"\log_{10}(Q/m_e)", font_size=28).next_to(axes.x_axis, DOWN, buff=0.45)
        y_label = MathTex(r"\alpha(Q)", font_size=32).next_to(axes.y_axis, UP, buff=0.15)
        start, end = 0.0, np.log10(Z_MASS_GEV / ELECTRON_MASS_GEV)
        curve = axes.plot(lambda x: 1 / inverse_alpha(x), x_range=[start, end], color=INTERACTION_COLOR)
        reference_lines = VGroup()
        for value, text in ((1 / 137.036, r"1/137"), (1 / 128.0, r"1/128")):
            line = DashedLine(axes.c2p(0, value), axes.c2p(6, value), stroke_width=1.5, color=GREY_B)
            reference_lines.add(VGroup(line, MathTex(text, font_size=26).next_to(line, LEFT, buff=0.25)))

        probe = ValueTracker(start)
        dot = always_redraw(lambda: Dot(axes.c2p(probe.get_value(), 1 / inverse_alpha(probe.get_value())), color=RED))
        readout = VGroup(MathTex(r"\alpha^{-1} =", font_size=32), DecimalNumber(137.0, num_decimal_places=1, font_size=32))
        readout.arrange(RIGHT, buff=0.15).next_to(axes.c2p(0.3, 0.0080), DR, buff=0.05)
        readout[1].add_updater(lambda number: number.set_value(inverse_alpha(probe.get_value())))

        self.play(Create(axes), FadeIn(x_label, y_label, reference_lines))
        self.play(Create(curve), FadeIn(dot, readout))
        self.play(probe.animate.set_value(end), run_time=2.5)
        readout[1].clear_updaters()
        dot.clear_updaters()
        self.play(Circumscribe(lagrangian, color=WHITE))
        self.wait(1)
