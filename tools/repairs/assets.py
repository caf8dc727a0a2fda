"""Repairs for assets and ManimGL-only cosmetics that LLM-written scenes take for granted.

Measured on published LLM scenes (benchmarks/wild_corpus.py): generators write `SVGMobject` and
`ImageMobject` calls for icon files that only existed on the author's machine (Code2Video's scenes
point at `/mmfs1/.../assets/icon/lion.svg`), and the scene dies with "could not find ...". The repair
is what those generators' own LLM debuggers do by hand: put a plain placeholder of the asset's default
size where the missing file was, so the rest of the scene renders and the author sees what to supply.
`fix` says so on every line it changes.

ManimGL's glow (`set_glow_factor`) has no Manim CE counterpart; the call is a pure cosmetic and is
dropped from its chain.

Each `find_*` takes a `SourceText` and the current findings and returns `Edit`s; `repairs.py` names
and orders them.
"""

from __future__ import annotations

import ast
import os
import re
from pathlib import PurePath

from manim_agent.tools.diagnosis import Finding
from manim_agent.tools.repairs.edits import Edit, SourceText, call_name

# --- missing-asset --------------------------------------------------------------------------------

# The asset-loading constructors and the placeholder that stands in for each one's default size
# (an SVGMobject is 2 units high by default; an ImageMobject is as high as its pixels say, so 2 too).
ASSET_CALLS = {"SVGMobject": "Square(side_length=2)", "ImageMobject": "Square(side_length=2)"}
_MISSING = re.compile(
    r"could not find (?P<svg>\S+?) at either of these locations|"
    r"No such file or directory: '(?P<file>[^']+)'|"
    r"(?:File|file) (?P<other>\S+) (?:does not exist|not found)"
)


def _missing_paths(findings: list[Finding]) -> set[str]:
    """The asset paths a runtime finding says could not be found."""
    paths = set()
    for f in findings:
        if f.category != "runtime":
            continue
        for match in _MISSING.finditer(f.message):
            path = match["svg"] or match["file"] or match["other"]
            if path:
                paths.add(path.strip("'\""))
    return paths


def _literal_bindings(tree: ast.AST) -> dict[str, str]:
    """Names bound once to a string literal (`lion = "/x/lion.svg"`), with that literal."""
    values: dict[str, str | None] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            value = node.value.value if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str) else None
            values[name] = value if name not in values else None  # bound twice: not a known literal
    return {name: value for name, value in values.items() if value is not None}


def _is_missing(path: str, missing: set[str]) -> bool:
    """The check blamed this path, or it is an absolute path that does not exist here either."""
    if path in missing or any(PurePath(path).name == PurePath(m).name and path.endswith(m.lstrip("./")) for m in missing):
        return True
    return os.path.isabs(path) and not os.path.exists(path)


def find_missing_asset(src: SourceText, findings: list[Finding]) -> list[Edit]:
    """`SVGMobject("missing.svg")` / `ImageMobject(...)` whose file the check could not find → a placeholder.

    Only when a runtime finding names a missing asset; then every asset call of the file whose path
    (a literal, or a name bound once to one) is that file or an absolute path that does not exist
    gets the placeholder, so one round repairs all the icons of a scene, not one per check.
    """
    if src.tree is None:
        return []
    missing = _missing_paths(findings)
    if not missing:
        return []
    bound = _literal_bindings(src.tree)
    edits = []
    for call in src.nodes(ast.Call):
        name = call_name(call)
        if name not in ASSET_CALLS or not call.args:
            continue
        arg = call.args[0]
        path = arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None
        if path is None and isinstance(arg, ast.Name):
            path = bound.get(arg.id)
        if path is None or not _is_missing(path, missing):
            continue
        placeholder = ASSET_CALLS[name]
        edits.append(src.replace(
            call, placeholder,
            f"{name}({PurePath(path).name!r}) → {placeholder}, a placeholder: the file is not there; put it there and restore the call",
        ))
    return edits


# --- glow -----------------------------------------------------------------------------------------

COSMETIC_METHODS = {"set_glow_factor"}


def find_glow(src: SourceText, findings: list[Finding]) -> list[Edit]:
    """`mob.set_glow_factor(2)` (ManimGL only) is dropped from its chain: `Dot().set_glow_factor(2)` → `Dot()`.

    A statement that is nothing but the call (`dot.set_glow_factor(2)`) keeps only its receiver, a
    harmless expression statement.
    """
    if src.tree is None:
        return []
    edits = []
    for call in src.nodes(ast.Call):
        func = call.func
        if not (isinstance(func, ast.Attribute) and func.attr in COSMETIC_METHODS):
            continue
        receiver = src.segment(func.value)
        edits.append(src.replace(call, receiver, f".{func.attr}({', '.join(src.segment(a) for a in call.args)}) dropped: Manim CE has no glow"))
    return edits
