from manim import *


class CaptionUnderCube(ThreeDScene):
    def construct(self):
        self.set_camera_orientation(phi=65 * DEGREES, theta=-45 * DEGREES)
        cube = Cube(side_length=2, fill_opacity=0.5, fill_color=BLUE)
        caption = Text("A cube has six faces", font_size=40).to_edge(DOWN).shift(DOWN * 0.6)
        self.add_fixed_in_frame_mobjects(caption)
        self.remove(caption)
        self.play(FadeIn(cube), run_time=0.5)
        self.play(FadeIn(caption), run_time=0.5)
        self.wait(0.5)
