"""The four smolagents tools (expand_prompt, write_manim_code, render_scene, read_error) and one subpackage per capability: static/, sandbox/, repairs/, layout/."""
