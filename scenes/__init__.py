"""The curated scenes library: scenes of the project's own writing that are known to render.

They serve as examples for the code writer and as golden tests. Each module holds one Scene
subclass, a docstring saying what it teaches, and a `TAGS` list of topic keywords. Reading the
index parses the files; it never imports Manim.
"""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass, field
from pathlib import Path

LIBRARY_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class LibraryScene:
    """One library scene: where it is, its class, what it teaches and its topic tags."""

    module: str
    path: Path
    scene: str
    summary: str
    tags: tuple[str, ...] = field(default=())

    @property
    def source(self) -> str:
        return self.path.read_text(encoding="utf-8")


def _describe(path: Path) -> LibraryScene | None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    doc = ast.get_docstring(tree) or ""
    tags: tuple[str, ...] = ()
    scene = None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "TAGS" for t in node.targets):
            try:
                tags = tuple(str(tag) for tag in ast.literal_eval(node.value))
            except ValueError:
                tags = ()
        if isinstance(node, ast.ClassDef) and any(
            isinstance(base, ast.Name) and base.id.endswith("Scene") for base in node.bases
        ):
            scene = node.name
            doc = doc or (ast.get_docstring(node) or "")
    if scene is None:
        return None
    summary = " ".join(doc.strip().split("\n\n")[0].split())
    return LibraryScene(module=path.stem, path=path, scene=scene, summary=summary, tags=tags)


@functools.lru_cache(maxsize=1)
def library() -> tuple[LibraryScene, ...]:
    """Every scene in the library, sorted by module name."""
    scenes = []
    for path in sorted(LIBRARY_DIR.glob("*.py")):
        if path.name.startswith("_"):
            continue
        described = _describe(path)
        if described is not None:
            scenes.append(described)
    return tuple(scenes)


def get(name: str) -> LibraryScene:
    """A library scene by module name (`pythagorean_areas`) or class name; KeyError if absent."""
    for scene in library():
        if name in (scene.module, scene.scene):
            return scene
    raise KeyError(name)
