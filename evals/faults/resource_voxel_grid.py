from manim import *

PHOTON_COLOR = YELLOW


class LightCone(ThreeDScene):
    """The light cone of an event in (2+1)-D spacetime, drawn in 3-D."""

    def construct(self):
        self.set_camera_orientation(phi=70 * DEGREES, theta=-60 * DEGREES)
        axes = ThreeDAxes(
            x_range=[-3, 3, 1], y_range=[-3, 3, 1], z_range=[-2.5, 2.5, 1],
            x_length=5, y_length=5, z_length=4,
        )
        # Points with c|t| = sqrt(x^2 + y^2): the double cone of light rays through the origin.
        cone = Surface(
            lambda u, v: axes.c2p(u * np.cos(v), u * np.sin(v), u),
            u_range=[-2.2, 2.2], v_range=[0, TAU], resolution=(6, 12),
            fill_opacity=0.35, stroke_width=0.5, checkerboard_colors=[PHOTON_COLOR, GOLD_E],
        )
        density = np.zeros((2000, 2000, 2000))
        event = Dot3D(axes.c2p(0, 0, 0), color=RED, radius=0.08)
        worldline = ParametricFunction(lambda t: axes.c2p(0.45 * np.sin(1.4 * t), 0.25 * t, t), t_range=[-2.2, 2.2], color=RED)

        caption = MathTex(r"c^2 t^2 = x^2 + y^2", font_size=34).to_edge(DOWN, buff=0.35)
        self.add_fixed_in_frame_mobjects(caption)
        self.remove(caption)
        self.add(axes)
        self.play(Create(cone), FadeIn(event), FadeIn(caption), run_time=0.6)
        self.play(Create(worldline), run_time=0.5)
        self.wait(0.2)
