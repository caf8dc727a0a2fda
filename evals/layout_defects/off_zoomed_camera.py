from manim import *


class ZoomedTooFar(MovingCameraScene):
    def construct(self):
        triangle = Triangle(color=ORANGE).scale(1.5)
        label = Text("equilateral", font_size=36).next_to(triangle, RIGHT, buff=0.4)
        self.play(Create(triangle), Write(label), run_time=0.5)
        self.play(self.camera.frame.animate.scale(0.5).move_to(triangle), run_time=0.5)
        self.wait(0.5)
