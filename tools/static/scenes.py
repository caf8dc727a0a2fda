"""Find the Scene subclasses a file defines, and choose the one to check, from the AST alone.

Manim discovers scenes among a module's top-level classes, so only classes defined at module level
(also inside a top-level `if`/`try`) count. A class is a scene when one of its bases is a Manim
scene class (`Scene`, `ThreeDScene`, `manim.MovingCameraScene`, ...) or, transitively, another
scene class in the file.

When no scene is named, the rule is: the last scene defined that no other scene in the file
subclasses (its "concrete" scenes, since helper base scenes usually come first), preferring one
with a construct() method somewhere in its in-file chain.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from manim_agent.tools.diagnosis import Finding
from manim_agent.tools.static.api_renames import MANIMGL_MODULES, NAME_RENAMES

if TYPE_CHECKING:
    from manim_agent.tools.static.source import ParsedSource

# Used when no API index is available; the index supplies the installed manim's own list.
DEFAULT_SCENE_BASES = frozenset(
    {
        "Scene",
        "ThreeDScene",
        "MovingCameraScene",
        "ZoomedScene",
        "VectorScene",
        "LinearTransformationScene",
        "SpecialThreeDScene",
    }
)
CHOICE_RULE = "the last scene defined that has a construct() and that no other scene in the file subclasses"


@dataclass
class ClassInfo:
    """A top-level class: its bases as written (resolved through imports) and what it defines."""

    name: str
    node: ast.ClassDef
    bases: list[str | None]  # "manim:Scene", "file:Base", or None when not statically known
    defines: set[str]
    is_scene: bool = False


@dataclass
class SceneChoice:
    scene: str | None
    scenes: list[str]
    reason: str | None
    findings: list[Finding] = field(default_factory=list)
    classes: dict[str, ClassInfo] = field(default_factory=dict)


def is_main_guard(stmt: ast.stmt) -> bool:
    """`if __name__ == "__main__":` (either way round): manim imports the file as a module, so the block never runs."""
    if not (isinstance(stmt, ast.If) and isinstance(stmt.test, ast.Compare) and len(stmt.test.ops) == 1):
        return False
    if not isinstance(stmt.test.ops[0], ast.Eq):
        return False
    sides = [stmt.test.left, *stmt.test.comparators]
    return any(isinstance(n, ast.Name) and n.id == "__name__" for n in sides) and any(
        isinstance(n, ast.Constant) and n.value == "__main__" for n in sides
    )


def main_guarded_classes(tree: ast.Module | None) -> list[tuple[ast.If, ast.ClassDef]]:
    """Classes defined directly inside a top-level `if __name__ == "__main__":` block, with the block."""
    guards = [stmt for stmt in (tree.body if tree is not None else []) if isinstance(stmt, ast.If) and is_main_guard(stmt)]
    return [(stmt, c) for stmt in guards for c in stmt.body if isinstance(c, ast.ClassDef)]


def top_level_classes(tree: ast.Module | None) -> list[ast.ClassDef]:
    """Classes defined at module level, including inside top-level if/try/with blocks (none when `tree` is None).

    Not those under `if __name__ == "__main__":`, which manim's import of the file never defines."""
    found: list[ast.ClassDef] = []

    def visit(body: list[ast.stmt]) -> None:
        for stmt in body:
            if isinstance(stmt, ast.ClassDef):
                found.append(stmt)
            elif isinstance(stmt, ast.If) and is_main_guard(stmt):
                visit(stmt.orelse)
            elif isinstance(stmt, (ast.If, ast.Try, ast.With, ast.For, ast.While)):
                for name in ("body", "orelse", "finalbody"):
                    visit(getattr(stmt, name, []) or [])
                for handler in getattr(stmt, "handlers", []):
                    visit(handler.body)
            elif type(stmt).__name__ == "TryStar":
                visit(stmt.body)  # type: ignore[attr-defined]

    visit(tree.body if tree is not None else [])
    return found


def resolve_base(ctx: ParsedSource, expr: ast.expr, file_classes: set[str]) -> str | None:
    """ "manim:<Name>" for a manim class, "file:<Name>" for a class in this file, else None."""
    if isinstance(expr, ast.Subscript):  # Generic[...] and the like
        expr = expr.value
    if isinstance(expr, ast.Name):
        target = ctx.imports.get(expr.id)
        if target is None:
            if expr.id in file_classes:
                return f"file:{expr.id}"
            return f"manim:{expr.id}"  # from a star import, or undefined (the API lint says which)
        module, _, name = target.rpartition(".")
        if module.split(".")[0] in ("manim", *MANIMGL_MODULES):
            return f"manim:{name}"
        return None
    dotted = ctx.dotted(expr)
    if dotted and dotted.split(".")[0] in ("manim", *MANIMGL_MODULES):
        return f"manim:{dotted.rsplit('.', 1)[-1]}"
    return None


def class_infos(ctx: ParsedSource, scene_bases: frozenset[str]) -> dict[str, ClassInfo]:
    """Every top-level class, with `is_scene` worked out transitively (cached on `ctx`)."""
    cache: dict[frozenset[str], dict[str, ClassInfo]] = ctx.__dict__.setdefault("_class_infos", {})
    if scene_bases not in cache:
        cache[scene_bases] = _class_infos(ctx, scene_bases)
    return cache[scene_bases]


def _class_infos(ctx: ParsedSource, scene_bases: frozenset[str]) -> dict[str, ClassInfo]:
    nodes = top_level_classes(ctx.tree)
    names = {n.name for n in nodes}
    infos: dict[str, ClassInfo] = {}
    for node in nodes:
        defines = set()
        for stmt in node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                defines.add(stmt.name)
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                defines.update(t.id for t in targets if isinstance(t, ast.Name))
        bases = [resolve_base(ctx, b, names - {node.name}) for b in node.bases]
        infos[node.name] = ClassInfo(node.name, node, bases, defines)  # a redefinition wins, as at runtime
    changed = True
    while changed:
        changed = False
        for info in infos.values():
            if info.is_scene:
                continue
            for base in info.bases:
                if base is None:
                    continue
                kind, _, name = base.partition(":")
                if (kind == "manim" and name in scene_bases) or (kind == "file" and infos.get(name, info).is_scene):
                    info.is_scene = changed = True
                    break
    return infos


def in_file_chain(infos: dict[str, ClassInfo], name: str) -> list[ClassInfo]:
    """The class and its in-file bases, nearest first (each once)."""
    chain: list[ClassInfo] = []
    todo = [name]
    while todo:
        info = infos.get(todo.pop(0))
        if info is None or info in chain:
            continue
        chain.append(info)
        todo += [b[5:] for b in info.bases if b and b.startswith("file:")]
    return chain


def choose_scene(ctx: ParsedSource, scene_bases: frozenset[str], requested: str | None = None) -> SceneChoice:
    """The scene to check (`requested`, else the rule in CHOICE_RULE) and the findings on the way."""
    infos = class_infos(ctx, scene_bases)
    ordered = [c for c in top_level_classes(ctx.tree) if infos.get(c.name) and infos[c.name].node is c]
    scenes = [c.name for c in ordered if infos[c.name].is_scene]
    concrete, runnable = _concrete_and_runnable(infos, scenes)
    choice = SceneChoice(scene=None, scenes=scenes, reason=None, classes=infos)
    guarded = _main_guarded_scenes(ctx, scene_bases, infos)
    for name, node in guarded.items():
        # An error when it is the scene asked for, or the file has no other: manim will not find it.
        blocking = requested == name or (requested is None and not scenes)
        choice.findings.append(
            ctx.finding(
                node,
                "no_scene",
                f"scene {name!r} is defined under `if __name__ == \"__main__\":`, which never runs when manim "
                f"imports the file, so manim cannot find {name}",
                hint=f"move class {name} out of the `if __name__ == \"__main__\":` block, to the top level of the file",
                severity="error" if blocking else "warning",
                details={"main_guard": True},
            )
        )
    if guarded and (requested in guarded or (requested is None and not scenes)):
        return choice

    for name in concrete:
        if name not in runnable:
            choice.findings.append(
                ctx.finding(
                    infos[name].node,
                    "no_scene",
                    f"scene {name!r} has no construct() method, so it renders nothing",
                    hint=f"add `def construct(self):` to {name} with the animation",
                    severity="warning",
                )
            )

    if requested is not None:
        if requested in scenes:
            choice.scene, choice.reason = requested, "named with --scene"
            return choice
        if requested in infos:
            message = f"{requested!r} is defined in {ctx.filename} but is not a Scene subclass"
            hint = f"derive it from Scene: `class {requested}(Scene):`"
            choice.findings.append(ctx.finding(infos[requested].node, "no_scene", message, hint=hint))
            return choice
        available = ", ".join(scenes) if scenes else "none"
        import difflib  # only on this error path

        close = difflib.get_close_matches(requested, scenes, n=3, cutoff=0.5)
        hint = f"did you mean {' or '.join(repr(c) for c in close)}?" if close else f"scenes in the file: {available}"
        message = f"no scene named {requested!r} in {ctx.filename}; scenes defined: {available}"
        choice.findings.append(ctx.finding(None, "no_scene", message, hint=hint, details={"scenes": scenes}))
        return choice

    if not scenes:
        choice.findings.append(_no_scene_finding(ctx, infos))
        return choice
    if len(concrete) == 1 and len(scenes) == 1:
        choice.scene, choice.reason = concrete[0], "the only scene in the file"
        return choice
    pick = (runnable or concrete or scenes)[-1]
    others = [n for n in scenes if n != pick]
    choice.scene = pick
    choice.reason = f"picked {pick}, {CHOICE_RULE}; others: {', '.join(others)} (choose with --scene NAME)"
    return choice


def renderable_scenes(choice: SceneChoice) -> list[str]:
    """The scenes a user would render from the file, each checked on its own by a folder check.

    Those that no other scene of the file extends and that have a construct() in their in-file chain
    (a shared base like Code2Video's `TeachingScene` is neither); failing that, the concrete ones,
    then all of them."""
    concrete, runnable = _concrete_and_runnable(choice.classes, choice.scenes)
    return runnable or concrete or list(choice.scenes)


def _concrete_and_runnable(infos: dict[str, ClassInfo], scenes: list[str]) -> tuple[list[str], list[str]]:
    """The scenes no other scene of the file extends, and those of them with a construct() in their in-file chain."""
    extended = {b[5:] for n in scenes for b in infos[n].bases if b and b.startswith("file:")}
    concrete = [n for n in scenes if n not in extended]
    return concrete, [n for n in concrete if any("construct" in c.defines for c in in_file_chain(infos, n))]


def _main_guarded_scenes(ctx: ParsedSource, scene_bases: frozenset[str], infos: dict[str, ClassInfo]) -> dict[str, ast.ClassDef]:
    """The scene classes (by their bases as written) hidden under `if __name__ == "__main__":`."""
    found: dict[str, ast.ClassDef] = {}
    for _, node in main_guarded_classes(ctx.tree):
        local = set(found) | {n for n, i in infos.items() if i.is_scene}
        for base in node.bases:
            resolved = resolve_base(ctx, base, local)
            kind, _, name = (resolved or "").partition(":")
            if (kind == "manim" and name in scene_bases) or (kind == "file" and name in local):
                found[node.name] = node
                break
    return found


def _no_scene_finding(ctx: ParsedSource, infos: dict[str, ClassInfo]) -> Finding:
    message = f"{ctx.filename} defines no Scene subclass, so there is nothing to render"
    hint = "define `class MyScene(Scene):` with a `construct(self)` method, after `from manim import *`"
    node: ast.AST | None = None
    for info in infos.values():
        for base in info.bases:
            name = base.partition(":")[2] if base else ""
            if name in NAME_RENAMES:
                # The class is meant as a scene; what is wrong is the removed base class's name.
                return ctx.finding(
                    info.node,
                    "unknown_api",
                    f"class {info.name} derives from {name}, which does not exist in Manim CE",
                    hint=NAME_RENAMES[name].hint,
                    details={"name": name},
                )
        if "construct" in info.defines:
            node = info.node
            written = ", ".join(ast.unparse(b) for b in info.node.bases) or "no base class"
            hint = (
                f"class {info.name} has a construct() method but derives from {written}: "
                f"derive it from Scene (or ThreeDScene, MovingCameraScene)"
            )
    if any(m.split(".")[0] in MANIMGL_MODULES for m in ctx.imports.values()) or any(
        m.split(".")[0] in MANIMGL_MODULES for m in ctx.star_imports
    ):
        hint = "this is ManimGL code; use `from manim import *` (Manim Community Edition) and derive from Scene"
    return ctx.finding(node, "no_scene", message, hint=hint)
