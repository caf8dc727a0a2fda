"""Repairs to how a scene is built: its base class, ManimGL's CONFIG dicts, old animation styles.

Each `find_*` function takes a `SourceText` and the current findings and returns the `Edit`s its rule
would make (an empty list when the rule does not apply). `repairs.py` names and orders them.
"""

from __future__ import annotations

import ast
import re

from manim_agent.tools.diagnosis import Finding
from manim_agent.tools.repairs.edits import Edit, SourceText, has_star_arguments
from manim_agent.tools.static.scenes import main_guarded_classes

# --- scene-base -----------------------------------------------------------------------------------

THREE_D_METHODS = {
    "set_camera_orientation", "move_camera", "begin_ambient_camera_rotation", "stop_ambient_camera_rotation",
    "add_fixed_in_frame_mobjects", "add_fixed_orientation_mobjects", "remove_fixed_in_frame_mobjects",
    "begin_3dillusion_camera_rotation", "stop_3dillusion_camera_rotation", "set_to_default_angled_camera_orientation",
}


def find_scene_base(src: SourceText, findings: list[Finding]) -> list[Edit]:
    """A plain Scene that uses self.camera.frame needs MovingCameraScene; 3-D camera calls need ThreeDScene."""
    if src.tree is None:
        return []
    bound = src.bound_names
    edits = []
    for cls in src.nodes(ast.ClassDef):
        base = next((b for b in cls.bases if isinstance(b, ast.Name) and b.id == "Scene"), None)
        if base is None or "Scene" in bound:
            continue
        needs = _camera_needs(cls)
        if needs:
            edits.append(src.replace(base, needs, f"class {cls.name}(Scene) → ({needs}): {_why(needs)}"))
    return edits


def _camera_needs(cls: ast.ClassDef) -> str | None:
    uses_frame = False
    for node in ast.walk(cls):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
            if node.attr in THREE_D_METHODS:
                return "ThreeDScene"
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "frame"
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "camera"
            and isinstance(node.value.value, ast.Name)
            and node.value.value.id == "self"
        ):
            uses_frame = True
    return "MovingCameraScene" if uses_frame else None


def _why(base: str) -> str:
    return "it uses self.camera.frame" if base == "MovingCameraScene" else "it moves the 3-D camera"


# --- config-dict ----------------------------------------------------------------------------------

_IDENTIFIER_RE = re.compile(r"^[A-Za-z_]\w*$")


def find_config_dict(src: SourceText, findings: list[Finding]) -> list[Edit]:
    """ManimGL's `CONFIG = {"key": value}` in a Scene becomes plain class attributes `key = value`.

    Only for scenes: a Mobject's CONFIG fed its constructor's parameters, which class attributes do
    not do, so those are left to the model.
    """
    if src.tree is None:
        return []
    edits = []
    for cls in src.nodes(ast.ClassDef):
        bases = [b.id for b in cls.bases if isinstance(b, ast.Name)]
        if not any(b.endswith("Scene") for b in bases) or "GraphScene" in bases:
            continue
        for stmt in cls.body:
            edit = _config_as_attributes(src, stmt, cls.name)
            if edit:
                edits.append(edit)
    return edits


def _config_as_attributes(src: SourceText, stmt: ast.stmt, class_name: str) -> Edit | None:
    if not (
        isinstance(stmt, ast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], ast.Name)
        and stmt.targets[0].id == "CONFIG"
        and isinstance(stmt.value, ast.Dict)
    ):
        return None
    keys = stmt.value.keys
    if not all(isinstance(k, ast.Constant) and isinstance(k.value, str) and _IDENTIFIER_RE.match(k.value) for k in keys):
        return None
    start, end = src.span(stmt)
    line_begin = src.text.rfind("\n", 0, start) + 1
    indent = src.text[line_begin:start]
    if indent.strip() or src.text[end:].split("\n", 1)[0].strip():
        return None  # shares its line with other code: leave it
    lines = [f"{k.value} = {src.segment(v)}" for k, v in zip(keys, stmt.value.values)]  # type: ignore[union-attr]
    new = ("\n" + indent).join(lines) if lines else "pass"
    names = ", ".join(k.value for k in keys)  # type: ignore[union-attr]
    return Edit(start, end, new, stmt.lineno, f"{class_name}.CONFIG → class attributes ({names})")


# --- apply-method ---------------------------------------------------------------------------------

# Mobject methods people pass to self.play() the ManimGL way: self.play(mob.shift, UP).
ANIMATABLE_METHODS = {
    "shift", "move_to", "scale", "rotate", "set_color", "set_fill", "set_stroke", "next_to", "to_edge",
    "to_corner", "set_opacity", "fade", "flip", "stretch", "set_width", "set_height", "scale_to_fit_width",
    "scale_to_fit_height", "stretch_to_fit_width", "stretch_to_fit_height", "match_width", "match_height",
    "align_to", "arrange", "arrange_in_grid", "center", "become", "set_x", "set_y", "set_z", "set_value",
    "increment_value", "put_start_and_end_on", "set_color_by_gradient", "rotate_about_origin",
    "apply_function", "apply_matrix", "apply_complex_function", "surround", "match_color", "set_z_index",
    "shift_onto_screen", "space_out_submobjects", "set_style",
}


def find_apply_method(src: SourceText, findings: list[Finding]) -> list[Edit]:
    """self.play(mob.shift, UP) → self.play(mob.animate.shift(UP)); ApplyMethod(mob.f, x) → mob.animate.f(x).

    ApplyMethod still works in Manim CE 0.22, so it is rewritten only when a finding points at it.
    """
    if src.tree is None:
        return []
    flagged = {f.line for f in findings if f.line and f.severity == "error"}
    edits: list[Edit] = []
    for call in src.nodes(ast.Call):
        if isinstance(call.func, ast.Attribute) and call.func.attr == "play" and _is_self_name(call.func.value):
            edits += _bound_methods_in_play(src, call)
        elif (
            isinstance(call.func, ast.Name)
            and call.func.id == "ApplyMethod"
            and flagged & set(range(call.lineno, call.end_lineno + 1))
        ):
            edit = _apply_method_call(src, call)
            if edit:
                edits.append(edit)
    return edits


def _is_self_name(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id == "self"


def _bound_methods_in_play(src: SourceText, call: ast.Call) -> list[Edit]:
    """Each `mob.method, arg, ...` run among the play() arguments, rewritten as one `.animate` call."""
    args = call.args
    edits = []
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        if not (isinstance(arg, ast.Attribute) and arg.attr in ANIMATABLE_METHODS and not _is_self_name(arg.value)):
            continue
        method_args = []
        while index < len(args) and not _looks_like_animation(args[index]):
            method_args.append(args[index])
            index += 1
        if any(isinstance(a, ast.Starred) for a in method_args):
            continue
        start = src.span(arg)[0]
        end = src.span(method_args[-1])[1] if method_args else src.span(arg)[1]
        inner = ", ".join(src.segment(a) for a in method_args)
        new = f"{src.segment(arg.value)}.animate.{arg.attr}({inner})"
        shown = ", ".join([src.segment(arg), *(src.segment(a) for a in method_args)])
        edits.append(Edit(start, end, new, arg.lineno, f"self.play({shown}) → self.play({new})"))
    return edits


def _looks_like_animation(node: ast.expr) -> bool:
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name) and func.id[:1].isupper():
            return True
        return "animate" in ast.dump(func)
    if isinstance(node, ast.Attribute):
        return node.attr in ANIMATABLE_METHODS or node.attr == "animate"
    return isinstance(node, ast.Starred)


def _apply_method_call(src: SourceText, call: ast.Call) -> Edit | None:
    if not call.args or not isinstance(call.args[0], ast.Attribute) or has_star_arguments(call):
        return None
    method = call.args[0]
    owner = src.segment(method.value)
    inner = ", ".join(src.segment(a) for a in call.args[1:])
    animate = "animate"
    if call.keywords:
        animate += "(" + ", ".join(src.segment(k) for k in call.keywords) + ")"
    new = f"{owner}.{animate}.{method.attr}({inner})"
    return src.replace(call, new, f"ApplyMethod({src.segment(method)}, …) → {new}")


# --- zero-wait ------------------------------------------------------------------------------------


def find_zero_wait(src: SourceText, findings: list[Finding]) -> list[Edit]:
    """self.wait(0) raises in Manim CE ("duration must be a positive number"): drop the call."""
    if src.tree is None:
        return []
    edits = []
    for parent in ast.walk(src.tree):
        for field in ("body", "orelse", "finalbody"):
            block = getattr(parent, field, None)
            if not isinstance(block, list):
                continue
            for stmt in block:
                if isinstance(stmt, ast.Expr) and _is_zero_wait(stmt.value):
                    edits.append(_drop_statement(src, stmt, only=len(block) == 1))
    return [e for e in edits if e is not None]


def _is_zero_wait(node: ast.expr) -> bool:
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "wait"):
        return False
    if not _is_self_name(node.func.value):
        return False
    values = list(node.args) + [k.value for k in node.keywords if k.arg in ("duration", "run_time")]
    return len(values) == 1 and isinstance(values[0], ast.Constant) and values[0].value in (0, 0.0) and values[0].value is not False


def _drop_statement(src: SourceText, stmt: ast.stmt, *, only: bool) -> Edit | None:
    start, end = src.span(stmt)
    line_begin = src.text.rfind("\n", 0, start) + 1
    rest = src.text[end:].split("\n", 1)[0]
    note = f"removed {src.segment(stmt)}"
    if only:
        return Edit(start, end, "pass", stmt.lineno, note)
    if src.text[line_begin:start].strip() or rest.strip():
        return None  # shares its line (e.g. `a(); self.wait(0)`): leave it
    return Edit(line_begin, min(end + len(rest) + 1, len(src.text)), "", stmt.lineno, note)


# --- vgroup-to-group ------------------------------------------------------------------------------

_VGROUP_ERROR = "submobjects of VGroup"


def find_vgroup_to_group(src: SourceText, findings: list[Finding]) -> list[Edit]:
    """A VGroup given an image or other non-vector mobject (a runtime TypeError) becomes a Group."""
    if src.tree is None or "VGroup" in src.bound_names:
        return []
    lines = {f.line for f in findings if f.line and _VGROUP_ERROR in f.message}
    edits = []
    for line in sorted(lines):
        calls = [c for c in src.nodes(ast.Call) if isinstance(c.func, ast.Name) and c.func.id == "VGroup" and c.lineno <= line <= c.end_lineno]
        if not calls:
            calls = _vgroups_extended_on(src, line)
        edits += [src.replace(c.func, "Group", f"VGroup → Group (it holds a non-vector mobject, line {line})") for c in calls]
    return edits


def _vgroups_extended_on(src: SourceText, line: int) -> list[ast.Call]:
    """`group.add(image)` on the failing line: the VGroup(...) that created `group`."""
    names = set()
    for call in src.nodes(ast.Call):
        if call.lineno <= line <= call.end_lineno and isinstance(call.func, ast.Attribute) and call.func.attr in ("add", "append", "insert"):
            target = call.func.value
            if isinstance(target, (ast.Name, ast.Attribute)):
                names.add(ast.dump(target))
    found = []
    for assign in src.nodes(ast.Assign):
        value = assign.value
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "VGroup":
            if any(ast.dump(t).replace("Store", "Load") in names for t in assign.targets):
                found.append(value)
    return found


# --- fix-in-frame ---------------------------------------------------------------------------------


def find_fix_in_frame(src: SourceText, findings: list[Finding]) -> list[Edit]:
    """ManimGL's `mob.fix_in_frame()` statement → `self.add_fixed_in_frame_mobjects(mob)` (scene-base then picks ThreeDScene)."""
    if src.tree is None:
        return []
    edits = []
    for method in src.nodes(ast.FunctionDef):
        if not method.args.args or method.args.args[0].arg != "self":
            continue
        for stmt in ast.walk(method):
            if not isinstance(stmt, ast.Expr) or not isinstance(stmt.value, ast.Call):
                continue
            call = stmt.value
            if (
                isinstance(call.func, ast.Attribute)
                and call.func.attr == "fix_in_frame"
                and not call.args
                and not call.keywords
                and not _is_self_name(call.func.value)
            ):
                mob = src.segment(call.func.value)
                new = f"self.add_fixed_in_frame_mobjects({mob})"
                edits.append(src.replace(call, new, f"{mob}.fix_in_frame() → {new}"))
    return edits


# --- main-guard -----------------------------------------------------------------------------------

# What may leave a `__main__` block with the classes: nothing here runs anything when imported.
_DEFINITIONS = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef, ast.Import, ast.ImportFrom, ast.Assign, ast.AnnAssign, ast.Pass)


def find_main_guard(src: SourceText, findings: list[Finding]) -> list[Edit]:
    """Scene classes under `if __name__ == "__main__":` are never defined when manim imports the file.

    A block of definitions only is replaced by its dedented body; a block that also runs something
    (`MyScene().render()`) keeps that, and the classes move, dedented, to just before it."""
    if src.tree is None or not any((f.details or {}).get("main_guard") for f in findings):
        return []
    edits = []
    for block in dict.fromkeys(stmt for stmt, _ in main_guarded_classes(src.tree)):
        names = ", ".join(c.name for c in block.body if isinstance(c, ast.ClassDef))
        note = f"class {names} moved out of `if __name__ == \"__main__\":` (manim imports the file, so the block never runs)"
        start, end = _line_span(src, block)
        if all(isinstance(stmt, _DEFINITIONS) for stmt in block.body) and not block.orelse:
            new = "".join(_dedent(src, _statement_text(src, block, i), block.body[0].col_offset) for i in range(len(block.body)))
        else:
            moved = [i for i, stmt in enumerate(block.body) if isinstance(stmt, ast.ClassDef)]
            kept = [i for i in range(len(block.body)) if i not in moved]
            header = src.text[start : _line_span(src, block.body[0])[0]]
            body = "".join(_statement_text(src, block, i) for i in kept)
            tail = src.text[_line_span(src, block.body[-1])[1] : end]
            new = "".join(_dedent(src, _statement_text(src, block, i), block.body[0].col_offset) for i in moved)
            new += "\n" + header + body + tail
        edits.append(Edit(start, end, new, block.lineno, note))
    return edits


def _line_span(src: SourceText, stmt: ast.stmt) -> tuple[int, int]:
    """Offsets of the whole lines of `stmt`, its decorators included, through its last line's newline."""
    first = min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", []))])
    start = src.line_start(first)
    _, end = src.span(stmt)
    newline = src.text.find("\n", end)
    return start, (len(src.text) if newline == -1 else newline + 1)


def _statement_text(src: SourceText, block: ast.If, index: int) -> str:
    """The lines of `block.body[index]` and the comment or blank lines after it, up to the next statement."""
    start, end = _line_span(src, block.body[index])
    if index + 1 < len(block.body):
        end = max(end, _line_span(src, block.body[index + 1])[0])
    text = src.text[start:end]
    return text if text.endswith("\n") else text + "\n"


def _dedent(src: SourceText, text: str, width: int) -> str:
    """Remove `width` columns of leading blanks from every line that has them."""
    lines = text.splitlines(keepends=True)
    return "".join(line if not line.strip() else line[width:] if line[:width].strip() == "" else line.lstrip() for line in lines)
