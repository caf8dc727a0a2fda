"""Nested 3-D solids: a stick figure in a house in a sphere in a cube in a cylinder in a pyramid.

Teaches containment and how each solid's size is forced by the one inside it:
the sphere must reach the house's farthest corner, the cube must contain the
sphere (side = 2r), the cylinder must contain the cube's square cross-section
(radius >= side / sqrt 2), and the pyramid's cross-section at the cylinder's top
must still contain the cylinder. The solids appear from the inside out while
the camera pulls back, each with its volume formula.

Manim techniques: ThreeDScene with set_camera_orientation / move_camera(zoom=...),
a brief ambient camera rotation, low-resolution Sphere and Cylinder surfaces,
Prism, faces built from shaded Polygons, and add_fixed_in_frame_mobjects for
labels that stay flat on screen.
"""

import numpy as np
from manim import *

TAGS = [
    "3D",
    "ThreeDScene",
    "solid geometry",
    "nested shapes",
    "containment",
    "sphere",
    "cube",
    "cylinder",
    "pyramid",
    "volume",
    "camera rotation",
    "fixed in frame",
]

# Sizes (scene units), each just large enough to hold the previous solid.
FLOOR = -0.5  # the house and the stick figure stand on z = FLOOR
HOUSE_HALF, WALL_TOP, RIDGE = 0.4, 0.05, 0.4
SPHERE_R = 0.82  # > distance to the house's lower corners, sqrt(0.4^2 + 0.4^2 + 0.5^2) = 0.755
CUBE_SIDE = 2 * SPHERE_R + 0.06
CYL_R = CUBE_SIDE / np.sqrt(2) + 0.06  # the cube's corners lie at half the diagonal
CYL_H = CUBE_SIDE + 0.1
PYR_BASE_Z = -CYL_H / 2 - 0.05
PYR_H = 4.0
PYR_HALF = 2.45  # at the cylinder's top the pyramid is still PYR_HALF * (1 - 1.85/4) = 1.32 > CYL_R


def solid(vertices: list[tuple[float, float, float]], faces: list[list[int]],
          color: ManimColor, opacity: float) -> VGroup:
    """A polyhedron as shaded polygons (lighter than Polyhedron, which also builds a vertex graph)."""
    return VGroup(*(
        Polygon(*(vertices[i] for i in face), shade_in_3d=True, fill_color=color,
                fill_opacity=opacity, stroke_color=color, stroke_width=1.5)
        for face in faces
    ))


def stick_figure() -> VGroup:
    """A little person in the xz-plane, feet on the floor."""
    hip, neck = np.array([0, 0, FLOOR + 0.18]), np.array([0, 0, FLOOR + 0.36])
    lines = VGroup(
        Line(hip, neck),
        Line(hip, [-0.08, 0, FLOOR]), Line(hip, [0.08, 0, FLOOR]),  # legs
        Line(neck + 0.04 * IN, [-0.12, 0, FLOOR + 0.24]),  # arms
        Line(neck + 0.04 * IN, [0.12, 0, FLOOR + 0.24]),
    )
    head = Circle(radius=0.06).rotate(PI / 2, axis=RIGHT).move_to(neck + 0.06 * OUT)
    return VGroup(lines, head).set_stroke(WHITE, width=3)


def house() -> VGroup:
    """A box with a gabled roof."""
    h = HOUSE_HALF
    body = Prism(dimensions=[2 * h, 2 * h, WALL_TOP - FLOOR], fill_color=ORANGE,
                 fill_opacity=0.45, stroke_width=1)
    body.move_to([0, 0, (WALL_TOP + FLOOR) / 2])
    roof = solid(
        [(-h, -h, WALL_TOP), (h, -h, WALL_TOP), (h, h, WALL_TOP), (-h, h, WALL_TOP),
         (-h, 0, RIDGE), (h, 0, RIDGE)],
        [[0, 1, 5, 4], [3, 2, 5, 4], [0, 3, 4], [1, 2, 5]],
        RED_E, 0.6,
    )
    return VGroup(body, roof)


def pyramid() -> VGroup:
    """A square pyramid enclosing everything else."""
    a, z0 = PYR_HALF, PYR_BASE_Z
    return solid(
        [(-a, -a, z0), (a, -a, z0), (a, a, z0), (-a, a, z0), (0, 0, z0 + PYR_H)],
        [[0, 1, 2, 3], [0, 1, 4], [1, 2, 4], [2, 3, 4], [3, 0, 4]],
        GOLD, 0.1,
    )


class NestedShapes(ThreeDScene):
    """Reveal six nested solids from the inside out while the camera zooms out,
    listing each solid's name and volume formula in screen-fixed labels."""

    def construct(self):
        self.set_camera_orientation(phi=72 * DEGREES, theta=-55 * DEGREES, zoom=3.2,
                                    frame_center=[0, 0, 0.6])

        title = Tex(r"Nested solids, from the inside out", font_size=36).to_edge(UP, buff=0.3)
        self.add_fixed_in_frame_mobjects(title)

        solids = [
            ("stick figure", None, stick_figure(), 3.2),
            ("house", None, house(), 3.0),
            ("sphere", r"V = \tfrac43 \pi r^3", Sphere(
                radius=SPHERE_R, resolution=(12, 8), fill_color=BLUE, fill_opacity=0.22,
                checkerboard_colors=False, stroke_color=BLUE_B, stroke_width=0.5), 2.2),
            ("cube", r"V = a^3", Cube(
                side_length=CUBE_SIDE, fill_color=GREEN, fill_opacity=0.15,
                stroke_color=GREEN_B, stroke_width=1.5), 1.7),
            ("cylinder", r"V = \pi r^2 h", Cylinder(
                radius=CYL_R, height=CYL_H, resolution=(2, 18), fill_color=PURPLE,
                fill_opacity=0.12, checkerboard_colors=False, stroke_color=PURPLE_B,
                stroke_width=0.5), 1.3),
            ("pyramid", r"V = \tfrac13 a^2 h", pyramid(), 0.95),
        ]
        colors = [WHITE, ORANGE, BLUE, GREEN, PURPLE_B, GOLD]

        # Screen-fixed legend: names on the left, volume formulas on the right.
        names = VGroup(*(
            Tex(rf"{i + 1}.\ {name}", font_size=30, color=color)
            for i, ((name, *_), color) in enumerate(zip(solids, colors))
        )).arrange(DOWN, aligned_edge=LEFT, buff=0.35).to_edge(LEFT, buff=0.4).shift(0.3 * DOWN)
        formulas = VGroup()
        for name_tex, (_, formula, _, _), color in zip(names, solids, colors):
            if formula is not None:
                formulas.add(MathTex(formula, font_size=32, color=color)
                             .next_to([4.4, name_tex.get_y(), 0], RIGHT, buff=0))

        self.play(Write(title), run_time=1)
        formula_iter = iter(formulas)
        for (name, formula, mob, zoom), label in zip(solids, names):
            self.add_fixed_in_frame_mobjects(label)
            self.remove(label)  # re-added by the animation below, still fixed in frame
            reveal = [Create(mob) if name == "stick figure" else FadeIn(mob), Write(label)]
            if formula is not None:
                formula_mob = next(formula_iter)
                self.add_fixed_in_frame_mobjects(formula_mob)
                self.remove(formula_mob)
                reveal.append(FadeIn(formula_mob))
            self.play(*reveal, run_time=0.8)
            self.move_camera(zoom=zoom, run_time=0.6)

        # A quarter turn around the whole nest (0.75 rad/s for 2 s), then the containment chain.
        self.begin_ambient_camera_rotation(rate=0.75)
        self.wait(2)
        self.stop_ambient_camera_rotation()

        chain = MathTex(
            r"\text{figure} \subset \text{house} \subset \text{sphere} \subset "
            r"\text{cube} \subset \text{cylinder} \subset \text{pyramid}",
            font_size=32,
        ).to_edge(DOWN, buff=0.3)
        self.add_fixed_in_frame_mobjects(chain)
        self.remove(chain)
        self.play(Write(chain))
        self.wait(1)
