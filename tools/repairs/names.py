"""Repairs for names: imports, renamed classes and methods, the old fade family, frame constants.

Each `find_*` function takes a `SourceText` and the current findings and returns the `Edit`s its rule
would make (an empty list when the rule does not apply). `repairs.py` names and orders them.
"""

from __future__ import annotations

import ast
import re

from manim_agent.tools.diagnosis import Finding
from manim_agent.tools.repairs.edits import (
    Edit,
    SourceText,
    has_star_arguments,
    keyword,
    negate,
)
from manim_agent.tools.static.api_renames import (
    ATTRIBUTE_RENAMES,
    CONSTANT_MODULES,
    MODULE_CONSTANT_RENAMES,
    NAME_RENAMES,
)

DIRECTIONS = {"UP", "DOWN", "LEFT", "RIGHT", "UL", "UR", "DL", "DR", "IN", "OUT", "ORIGIN"}
OPPOSITE = {"UP": "DOWN", "LEFT": "RIGHT", "UL": "DR", "UR": "DL", "IN": "OUT"}
OPPOSITE.update({v: k for k, v in OPPOSITE.items()})


def _is_self(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id == "self"


def _import_insertion_offset(src: SourceText) -> int:
    """Where a new top-level import goes: after the docstring, `__future__` and existing imports."""
    assert src.tree is not None
    body = src.tree.body
    index = 0
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
        index = 1
    while index < len(body) and isinstance(body[index], (ast.Import, ast.ImportFrom)):
        index += 1
    if index == 0 and body:
        return src.line_start(body[0].lineno)
    if index == 0:
        return len(src.text)
    previous = body[index - 1]
    return src.line_start(previous.end_lineno) + len(src.lines[previous.end_lineno - 1]) + 1


def _insert_line(src: SourceText, offset: int, line: str, note: str) -> Edit:
    if offset > len(src.text):  # the file does not end with a newline
        return src.insert(len(src.text), "\n" + line + "\n", note)
    return src.insert(offset, line + "\n", note)


# --- manimlib-import ----------------------------------------------------------------------------

_GL_MODULES = ("manimlib", "big_ol_pile_of_manim_imports", "manim_imports_ext")
_NAME_ERROR_RE = re.compile(r"name '(?P<name>\w+)' is not defined")


def find_manimlib_import(src: SourceText, findings: list[Finding]) -> list[Edit]:
    """ManimGL imports become `from manim import *`; a file that uses Manim without importing it gets one."""
    if src.tree is None:
        return []
    star = "from manim import *"
    edits = []
    has_manim = False
    explicit_manim: ast.ImportFrom | None = None
    for node in src.tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            root = node.module.split(".")[0]
            if root in _GL_MODULES:
                replacement = "" if has_manim else star
                edits.append(_replace_statement(src, node, replacement, f"{src.segment(node)} → {replacement or 'removed'}"))
                has_manim = True
            elif root == "manim":
                has_manim = True
                if all(a.name != "*" for a in node.names):
                    explicit_manim = node
                else:
                    explicit_manim = None
        elif isinstance(node, ast.Import):
            for alias in node.names:
                root = alias.name.split(".")[0]
                if root in _GL_MODULES and len(node.names) == 1:
                    used = (alias.asname or root) in {n.id for n in src.nodes(ast.Name)}
                    replacement = f"import manim as {alias.asname or root}" if used else ("" if has_manim else star)
                    edits.append(_replace_statement(src, node, replacement, f"{src.segment(node)} → {replacement or 'removed'}"))
                    has_manim = True
                elif root == "manim":
                    has_manim = True
    if edits:
        return edits
    if not has_manim and _uses_manim(src):
        return [_insert_line(src, _import_insertion_offset(src), star, f"added {star}")]
    if explicit_manim is not None and _missing_manim_names(findings):
        offset = src.line_start(explicit_manim.end_lineno) + len(src.lines[explicit_manim.end_lineno - 1]) + 1
        names = ", ".join(_missing_manim_names(findings))
        return [_insert_line(src, offset, star, f"added {star} ({names} not imported)")]
    return []


def _replace_statement(src: SourceText, node: ast.stmt, replacement: str, note: str) -> Edit:
    start, end = src.span(node)
    if replacement == "":
        line_begin = src.text.rfind("\n", 0, start) + 1
        newline = src.text.find("\n", end)
        end = len(src.text) if newline < 0 else newline + 1
        start = line_begin
    return Edit(start, end, replacement, node.lineno, note)


def _uses_manim(src: SourceText) -> bool:
    """A class derives from an unbound `...Scene` name, which only `from manim import *` provides."""
    bound = src.bound_names
    for node in src.nodes(ast.ClassDef):
        if any(isinstance(b, ast.Name) and b.id.endswith("Scene") and b.id not in bound for b in node.bases):
            return True
    return False


def _missing_manim_names(findings: list[Finding]) -> list[str]:
    """Names a NameError finding reports that `from manim import *` would have bound."""
    names = []
    for finding in findings:
        match = _NAME_ERROR_RE.search(finding.message)
        name = finding.details.get("name") or (match["name"] if match else None)
        if name and _is_manim_name(name):
            names.append(name)
    return names


def _is_manim_name(name: str) -> bool:
    try:
        from manim_agent.tools.static.api_index import load_index  # optional, slow to build

        index = load_index(build=False)
    except (ImportError, OSError, ValueError):
        return False
    return bool(index) and name in getattr(index, "star", {})


# --- stdlib-import ------------------------------------------------------------------------------

_STDLIB_IMPORTS = {
    "math": "import math",
    "random": "import random",
    "itertools": "import itertools",
    "functools": "import functools",
    "colorsys": "import colorsys",
    "np": "import numpy as np",
    "numpy": "import numpy",
}


def find_stdlib_import(src: SourceText, findings: list[Finding]) -> list[Edit]:
    """`math.`, `random.`, `np.` used but never imported (`from manim import *` binds only `np`)."""
    if src.tree is None:
        return []
    bound = src.bound_names
    star_manim = any(
        isinstance(n, ast.ImportFrom) and n.module == "manim" and any(a.name == "*" for a in n.names) for n in src.tree.body
    )
    used = {n.id for n in src.nodes(ast.Name) if isinstance(n.ctx, ast.Load)}
    missing = [name for name in _STDLIB_IMPORTS if name in used and name not in bound]
    if star_manim and "np" in missing:
        missing.remove("np")
    offset = _import_insertion_offset(src)
    lines = "\n".join(_STDLIB_IMPORTS[name] for name in missing)
    return [_insert_line(src, offset, lines, f"added {lines.replace(chr(10), '; ')}")] if missing else []


# --- color-name ---------------------------------------------------------------------------------

_COLOR_WORDS = frozenset({"RED", "GREEN", "BLUE", "YELLOW", "GOLD", "PURPLE", "PINK", "ORANGE", "TEAL", "MAROON",
                          "GRAY", "GREY", "WHITE", "BLACK", "BROWN"})


def find_color_name(src: SourceText, findings: list[Finding]) -> list[Edit]:
    """A colour the check says is undefined, made of two Manim colours (BLUE_GREY, GREEN_TEAL) → their blend."""
    names = {m["name"] for f in findings if (m := _NAME_ERROR_RE.search(f.message or ""))}
    edits = []
    for node in src.nodes(ast.Name):
        parts = node.id.split("_")
        if node.id not in names or len(parts) != 2 or not set(parts) <= _COLOR_WORDS or parts[0] == parts[1]:
            continue
        swapped = f"{parts[1]}_{parts[0]}"
        new = swapped if _is_manim_name(swapped) else f"interpolate_color({parts[0]}, {parts[1]}, 0.5)"
        edits.append(src.replace(node, new, f"{node.id} (not a Manim colour) → {new}"))
    return edits


# --- rename -------------------------------------------------------------------------------------

FADE_NAMES = {"FadeInFrom", "FadeInFromDown", "FadeOutAndShift", "FadeOutAndShiftDown", "FadeInFromLarge"}


def find_rename(src: SourceText, findings: list[Finding]) -> list[Edit]:
    """ManimGL and old-CE names from the shared rename table (ShowCreation → Create, .get_graph → .plot)."""
    if src.tree is None:
        return []
    bound = _user_bound(src)
    own_methods = src.defined_methods
    edits = []
    for node in src.nodes((ast.Name, ast.Attribute, ast.alias)):
        if isinstance(node, ast.Name):
            rename = NAME_RENAMES.get(node.id)
            if _simple_rename(rename) and node.id not in FADE_NAMES and node.id not in bound:
                edits.append(src.replace(node, rename.replacement, f"{node.id} → {rename.replacement}"))  # type: ignore[union-attr]
        elif isinstance(node, ast.alias):
            continue
        elif (isinstance(node.value, ast.Name) and node.value.id in CONSTANT_MODULES
              and node.attr in MODULE_CONSTANT_RENAMES and src.imports.get(node.value.id, "numpy") in ("numpy", "math")):
            new = MODULE_CONSTANT_RENAMES[node.attr]
            end = src.offset(node.end_lineno, node.end_col_offset)
            edits.append(Edit(end - len(node.attr), end, new, node.end_lineno, f"{node.value.id}.{node.attr} → {node.value.id}.{new}"))
        else:
            rename = ATTRIBUTE_RENAMES.get(node.attr)
            if rename and rename.replacement and not _is_self(node.value) and node.attr not in own_methods:
                end = src.offset(node.end_lineno, node.end_col_offset)
                edits.append(Edit(end - len(node.attr), end, rename.replacement, node.end_lineno, f".{node.attr} → .{rename.replacement}"))
    edits += _rename_manim_imports(src)
    return edits


def _simple_rename(rename: object) -> bool:
    return rename is not None and rename.replacement is not None and "." not in rename.replacement  # type: ignore[attr-defined]


def _user_bound(src: SourceText) -> set[str]:
    """Names the user binds, not counting old names they (wrongly) import from manim."""
    bound = set(src.bound_names)
    for node in src.nodes(ast.ImportFrom):
        if node.module == "manim":
            bound -= {a.name for a in node.names if a.asname is None and a.name in NAME_RENAMES}
    return bound


def _rename_manim_imports(src: SourceText) -> list[Edit]:
    """`from manim import ShowCreation` → `from manim import Create` (positions come from the text)."""
    edits = []
    for node in src.nodes(ast.ImportFrom):
        if node.module != "manim":
            continue
        start, end = src.span(node)
        for alias in node.names:
            rename = NAME_RENAMES.get(alias.name)
            if not _simple_rename(rename) or alias.name in FADE_NAMES:
                continue
            match = re.search(rf"\b{alias.name}\b", src.text[start:end])
            if match:
                edits.append(Edit(start + match.start(), start + match.end(), rename.replacement, node.lineno, f"import {alias.name} → {rename.replacement}"))  # type: ignore[union-attr]
    return edits


# --- config-frame -------------------------------------------------------------------------------


def find_config_frame(src: SourceText, findings: list[Finding]) -> list[Edit]:
    """FRAME_WIDTH and friends are `config.frame_width` etc. in Manim CE."""
    if src.tree is None:
        return []
    bound = src.bound_names
    if "config" in bound:
        return []
    edits = []
    for node in src.nodes(ast.Name):
        rename = NAME_RENAMES.get(node.id)
        if rename and rename.replacement and rename.replacement.startswith("config.") and node.id not in bound:
            edits.append(src.replace(node, rename.replacement, f"{node.id} → {rename.replacement}"))
    return edits


# --- fade-shift ---------------------------------------------------------------------------------

# name: (CE class, keyword it becomes, the old direction/scale keyword, default text, negate?)
# ManimGL's FadeInFrom(m, D) starts at m + D and moves back, which is CE's FadeIn(m, shift=-D);
# FadeOutAndShift(m, D) ends at m + D, which is FadeOut(m, shift=D).
_FADES: dict[str, tuple[str, str, str | None, str, bool]] = {
    "FadeInFrom": ("FadeIn", "shift", "direction", "UP", True),
    "FadeInFromDown": ("FadeIn", "shift", None, "UP", True),
    "FadeOutAndShift": ("FadeOut", "shift", "direction", "DOWN", False),
    "FadeOutAndShiftDown": ("FadeOut", "shift", None, "DOWN", False),
    "FadeInFromLarge": ("FadeIn", "scale", "scale_factor", "2", False),
}


def find_fade_shift(src: SourceText, findings: list[Finding]) -> list[Edit]:
    """FadeInFrom(m, D) → FadeIn(m, shift=-D) and the rest of the old fade family; FadeIn(m, UP) → FadeIn(m, shift=UP)."""
    if src.tree is None:
        return []
    bound = src.bound_names
    edits: list[Edit] = []
    for call in src.nodes(ast.Call):
        if not isinstance(call.func, ast.Name) or call.func.id in bound or has_star_arguments(call) or not call.args:
            continue
        name = call.func.id
        if name in _FADES:
            edits += _rewrite_fade(src, call, name)
        elif name in ("FadeIn", "FadeOut") and len(call.args) == 2 and is_direction(call.args[1]) and not keyword(call, "shift"):
            arg = call.args[1]
            edits.append(src.replace(arg, f"shift={src.segment(arg)}", f"{name}(m, {src.segment(arg)}) → {name}(m, shift={src.segment(arg)})"))
    return edits


def _rewrite_fade(src: SourceText, call: ast.Call, name: str) -> list[Edit]:
    new_name, new_kw, old_kw, default, flip = _FADES[name]
    if len(call.args) > 2 or keyword(call, new_kw):
        return []
    value_node: ast.expr | None = call.args[1] if len(call.args) == 2 else None
    old_keyword = keyword(call, old_kw) if old_kw else None
    if value_node is not None and old_keyword is not None:
        return []
    if old_kw is None and value_node is not None:
        return []  # FadeInFromDown(m, x): not a form we know
    node = value_node if value_node is not None else (old_keyword.value if old_keyword else None)
    if node is not None:
        text = src.segment(node)
        if flip and isinstance(node, ast.Name) and node.id in OPPOSITE:
            value = OPPOSITE[node.id]
        else:
            value = negate(text, node) if flip else text
    else:
        value = default
    edits = [src.replace(call.func, new_name, f"{name} → {new_name}(…, {new_kw}={value})")]
    if value_node is not None:
        edits.append(src.replace(value_node, f"{new_kw}={value}", ""))
    elif old_keyword is not None:
        edits.append(src.replace(old_keyword, f"{new_kw}={value}", ""))
    else:
        edits.append(src.insert(src.span(call.args[0])[1], f", {new_kw}={value}", ""))
    return edits


def is_direction(node: ast.expr) -> bool:
    """UP, -LEFT, 2 * RIGHT, UP + LEFT: an expression built from direction constants."""
    if isinstance(node, ast.Name):
        return node.id in DIRECTIONS
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return is_direction(node.operand)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Add, ast.Sub)):
        sides = [node.left, node.right]
        return any(is_direction(s) for s in sides) and all(is_direction(s) or isinstance(s, ast.Constant) for s in sides)
    return False
