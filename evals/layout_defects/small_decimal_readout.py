from manim import *


class TinyReadout(Scene):
    def construct(self):
        tracker = ValueTracker(0)
        bar = always_redraw(lambda: Rectangle(width=0.6, height=0.1 + tracker.get_value(), fill_opacity=0.8,
                                              color=GREEN).move_to(DOWN * 1.5, aligned_edge=DOWN))
        readout = DecimalNumber(0, num_decimal_places=2, font_size=16).next_to(bar, RIGHT)
        readout.add_updater(lambda m: m.set_value(tracker.get_value()).next_to(bar, RIGHT))
        self.add(bar, readout)
        self.play(tracker.animate.set_value(3), run_time=1)
        self.wait(0.5)
