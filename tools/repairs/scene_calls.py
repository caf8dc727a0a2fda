"""Repairs for Scene method calls that LLM-written scenes get wrong in ways Manim CE always rejects.

Measured on published LLM scenes (benchmarks/wild_corpus.py):

- `self.add_updater(update)` with `def update(mob, dt)`: a *scene* updater is called with `dt` only,
  so the scene dies with "missing 1 required positional argument". When the first parameter is never
  used, it is dropped.
- `self.play(MoveAlongPath(...), self.move_camera(phi=...))`: `move_camera` plays its own animation
  and returns None, which `play` refuses. The other animations move into its `added_anims`.

Each `find_*` takes a `SourceText` and the current findings and returns `Edit`s; `repairs.py` names
and orders them.
"""

from __future__ import annotations

import ast

from manim_agent.tools.diagnosis import Finding
from manim_agent.tools.repairs.edits import Edit, SourceText


def _is_self_call(node: ast.AST, method: str) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == method
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "self"
    )


# --- scene-updater --------------------------------------------------------------------------------


def find_scene_updater(src: SourceText, findings: list[Finding]) -> list[Edit]:
    """`self.add_updater(f)` where `def f(mob, dt)` (or `lambda mob, dt:`) never uses `mob` → `f(dt)`."""
    if src.tree is None:
        return []
    edits = []
    seen: set[int] = set()
    for scope in src.nodes((ast.FunctionDef, ast.AsyncFunctionDef)):
        defs = {node.name: node for node in scope.body if isinstance(node, ast.FunctionDef)}
        for node in ast.walk(scope):
            if not (_is_self_call(node, "add_updater") and node.args) or id(node) in seen:
                continue
            seen.add(id(node))  # nested scopes walk the same call again
            target: ast.FunctionDef | ast.Lambda | None
            if isinstance(node.args[0], ast.Lambda):
                target = node.args[0]
            elif isinstance(node.args[0], ast.Name):
                target = defs.get(node.args[0].id)
            else:
                target = None
            if target is None:
                continue
            args = target.args
            params = args.posonlyargs + args.args
            if len(params) != 2 or args.defaults or args.vararg or args.kwarg or args.kwonlyargs:
                continue
            first = params[0].arg
            if any(isinstance(n, ast.Name) and n.id == first for n in ast.walk(target)):
                continue  # the body uses it: what it should be is the author's call
            second = src.segment(params[1])
            start, _ = src.span(params[0])
            _, end = src.span(params[1])
            name = f"def {target.name}" if isinstance(target, ast.FunctionDef) else "lambda"
            edits.append(Edit(start, end, second, params[0].lineno,
                              f"{name}({first}, {params[1].arg}) → ({params[1].arg}): a scene updater gets dt only"))
    return edits


# --- move-camera-in-play --------------------------------------------------------------------------


def find_move_camera_in_play(src: SourceText, findings: list[Finding]) -> list[Edit]:
    """`self.play(anims..., self.move_camera(**kw), run_time=t)` → `self.move_camera(**kw, added_anims=[anims...], run_time=t)`."""
    if src.tree is None:
        return []
    edits = []
    for call in src.nodes(ast.Call):
        if not _is_self_call(call, "play"):
            continue
        cameras = [arg for arg in call.args if _is_self_call(arg, "move_camera")]
        if len(cameras) != 1 or any(isinstance(a, ast.Starred) for a in call.args):
            continue
        camera = cameras[0]
        own = {kw.arg for kw in camera.keywords}
        if "added_anims" in own or None in own:
            continue
        parts = [src.segment(a) for a in camera.args] + [src.segment(kw) for kw in camera.keywords]
        others = [src.segment(a) for a in call.args if a is not camera]
        if others:
            parts.append(f"added_anims=[{', '.join(others)}]")
        for kw in call.keywords:
            if kw.arg is not None and kw.arg not in own:
                parts.append(src.segment(kw))
        new = f"self.move_camera({', '.join(parts)})"
        edits.append(src.replace(call, new, "self.play(..., self.move_camera(...)) → self.move_camera(..., added_anims=[...]): move_camera plays itself"))
    return edits
