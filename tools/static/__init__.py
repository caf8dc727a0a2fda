"""Checks that read the source without running it: the parsed source, scene discovery, safety, API lint and index, LaTeX lint."""
