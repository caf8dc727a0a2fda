"""The sandbox's child side: the only code that imports Manim. It runs inside the sandbox."""
