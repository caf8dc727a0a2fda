"""Repairs for what real LLM-written scenes break most on Manim CE: removed keywords, 2-D points, ManimGL's camera frame.

Measured on published LLM scenes (benchmarks/wild_corpus.py): the commonest breakages after renamed
names are keyword arguments Manim CE never had or dropped (`max_tip_length`, `inner_color`,
`Arrow3D(color_start=...)`), numpy points with two coordinates where Manim wants three, and ManimGL's
`self.camera.frame` / `self.frame` in a ThreeDScene. Each `find_*` takes a `SourceText` and the
current findings and returns `Edit`s; `repairs.py` names and orders them.
"""

from __future__ import annotations

import ast
import re

from manim_agent.tools.diagnosis import Finding
from manim_agent.tools.repairs.edits import Edit, SourceText, call_name

# --- removed-kwarg --------------------------------------------------------------------------------

# Keywords with a Manim CE equivalent: (callable name or None for any) → CE keyword. The value moves over.
KEYWORD_MAP: dict[tuple[str | None, str], str] = {
    ("Arrow3D", "color_start"): "color",
    ("Line3D", "color_start"): "color",
    ("Surface", "fill_colors"): "checkerboard_colors",
    (None, "stroke_colour"): "stroke_color",
    (None, "fill_colour"): "fill_color",
    (None, "colour"): "color",
}
# Keywords to drop even when other keywords of the call are fine: ManimGL-only styling with no CE
# counterpart; the scene renders without it and looks nearly the same.
DROPPABLE = {
    "max_tip_length", "inner_color", "outer_color", "color_end", "scale_tips", "tip_config", "gloss",
    "shadow", "reflectiveness", "flat_stroke", "joint_type", "depth_test", "glow_factor", "anti_alias_width",
    "long_lines", "unit_size_x", "use_smoothing", "include_ticks", "tip_width_ratio", "should_make_jagged",
    "stroke_background", "background_stroke_width", "resolution_pixels", "opacity_gradient",
}
_KWARG_MESSAGE = re.compile(r"unexpected keyword argument '(?P<kw>\w+)'")


def _bad_keywords(findings: list[Finding]) -> dict[int, set[str]]:
    """line → keywords that a finding (static or runtime) says the call on that line does not take."""
    found: dict[int, set[str]] = {}
    for f in findings:
        if f.category != "bad_arguments" or not f.line:
            continue
        keyword = f.details.get("keyword")
        if not keyword:
            match = _KWARG_MESSAGE.search(f.message)
            keyword = match["kw"] if match else None
        if keyword:
            found.setdefault(f.line, set()).add(keyword)
    return found


def find_removed_kwarg(src: SourceText, findings: list[Finding]) -> list[Edit]:
    """A keyword the check says a call does not take: map it to its CE name, else drop it with a note."""
    if src.tree is None:
        return []
    bad = _bad_keywords(findings)
    if not bad:
        return []
    edits = []
    for call in src.nodes(ast.Call):
        given = {kw.arg for kw in call.keywords if kw.arg}
        for kw in call.keywords:
            if kw.arg is None or kw.arg not in bad.get(kw.lineno, set()) | bad.get(call.lineno, set()):
                continue
            name = call_name(call)
            target = KEYWORD_MAP.get((name, kw.arg)) or KEYWORD_MAP.get((None, kw.arg))
            if target and target not in given:
                value = src.segment(kw.value)
                edits.append(src.replace(kw, f"{target}={value}", f"{name}({kw.arg}=...) → {target}={value} (the Manim CE keyword)"))
                given.add(target)
            else:
                why = "Manim CE has no such keyword" if kw.arg in DROPPABLE else "the check says this call does not take it"
                edits.append(src.delete_argument(call, kw, f"dropped {kw.arg}={src.segment(kw.value)} from {name}(): {why}"))
    return edits


# --- point-z --------------------------------------------------------------------------------------

_SHAPE_MESSAGE = re.compile(
    r"could not be broadcast together with shapes|shapes? \(\d*,?\s*2\)|index 2 is out of bounds|"
    r"mismatch in its (?:core )?dimension|size 2 is different from 3|expected .*3.*got .*2|"
    r"setting an array element with a sequence|inhomogeneous",
)
_ARRAY_FUNCS = {"array", "asarray"}


def _two_element_arrays(tree: ast.AST) -> list[tuple[ast.Call, ast.List | ast.Tuple]]:
    """`np.array([x, y])` calls whose argument is a literal pair (not a list of pairs)."""
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and node.args and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in _ARRAY_FUNCS or not isinstance(node.func.value, ast.Name) or node.func.value.id not in {"np", "numpy"}:
            continue
        literal = node.args[0]
        if isinstance(literal, (ast.List, ast.Tuple)) and len(literal.elts) == 2 and not any(
            isinstance(e, (ast.List, ast.Tuple, ast.Starred)) for e in literal.elts
        ):
            found.append((node, literal))
    return found


def find_point_3d(src: SourceText, findings: list[Finding]) -> list[Edit]:
    """A numpy shape error where a 2-D point meets Manim's 3-D ones: give the blamed points a z of 0.

    The points fixed are the `np.array([x, y])` literals on the blamed lines, and those assigned to a
    name that the blamed lines use (`start = np.array([1, 2])` ... `Line(start, end)`).
    """
    if src.tree is None:
        return []
    lines = {f.line for f in findings if f.line and f.category == "runtime" and _SHAPE_MESSAGE.search(f.message)}
    if not lines:
        return []
    names_on_lines: set[str] = set()
    for node in src.nodes(ast.Name):
        if node.lineno in lines:
            names_on_lines.add(node.id)
    assigned: dict[int, str] = {}
    for assign in src.nodes(ast.Assign):
        for target in assign.targets:
            if isinstance(target, ast.Name) and target.id in names_on_lines:
                assigned[id(assign.value)] = target.id
    edits = []
    for call, literal in _two_element_arrays(src.tree):
        if call.lineno in lines or id(call) in assigned:
            x, y = (src.segment(e) for e in literal.elts)
            opener, closer = ("[", "]") if isinstance(literal, ast.List) else ("(", ")")
            edits.append(src.replace(literal, f"{opener}{x}, {y}, 0{closer}",
                                     f"np.array([{x}, {y}]) → np.array([{x}, {y}, 0]): Manim points have three coordinates"))
    return edits


# --- three-d-frame --------------------------------------------------------------------------------

THREE_D_CALLS = {"set_camera_orientation", "move_camera", "begin_ambient_camera_rotation", "add_fixed_in_frame_mobjects",
                 "add_fixed_orientation_mobjects", "stop_ambient_camera_rotation"}
_FRAME_ERROR = re.compile(r"'ThreeDCamera' object has no attribute 'frame'|object has no attribute 'frame'")


def _is_frame(node: ast.AST) -> bool:
    """`self.camera.frame` or ManimGL's `self.frame`."""
    if not isinstance(node, ast.Attribute) or node.attr != "frame":
        return False
    owner = node.value
    if isinstance(owner, ast.Name):
        return owner.id == "self"
    return isinstance(owner, ast.Attribute) and owner.attr == "camera" and isinstance(owner.value, ast.Name) and owner.value.id == "self"


def _degrees(src: SourceText, node: ast.AST) -> str:
    return f"{src.segment(node)} * DEGREES"


def _camera_call(src: SourceText, call: ast.Call, animated: bool) -> str | None:
    """The ThreeDScene call that does what `frame.<method>(...)` did, or None when there is none."""
    assert isinstance(call.func, ast.Attribute)
    method = call.func.attr
    kwargs: list[str] = []
    if method in {"set_width", "set_height"} and call.args:
        span = "config.frame_width" if method == "set_width" else "config.frame_height"
        kwargs.append(f"zoom={span} / ({src.segment(call.args[0])})")
    elif method == "scale" and call.args:
        kwargs.append(f"zoom=1 / ({src.segment(call.args[0])})")
    elif method in {"reorient", "set_euler_angles"}:
        names = ["theta", "phi", "gamma"]
        for name, arg in zip(names, call.args):
            kwargs.append(f"{name}={_degrees(src, arg) if method == 'reorient' else src.segment(arg)}")
        for kw in call.keywords:
            if kw.arg in {"theta_degrees", "phi_degrees", "gamma_degrees"}:
                kwargs.append(f"{kw.arg[:-8]}={_degrees(src, kw.value)}")
            elif kw.arg in {"theta", "phi", "gamma"}:
                kwargs.append(f"{kw.arg}={src.segment(kw.value)}")
    else:
        return None
    if not kwargs:
        return None
    return f"self.{'move_camera' if animated else 'set_camera_orientation'}({', '.join(kwargs)}"


def _scene_classes_with_3d(src: SourceText) -> dict[str, bool]:
    """Each class that uses the frame: does it also call the 3-D camera API (a real 3-D scene)?"""
    uses: dict[str, bool] = {}
    for cls in src.nodes(ast.ClassDef):
        calls = {n.func.attr for n in ast.walk(cls) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)}
        if any(_is_frame(n) for n in ast.walk(cls)):
            uses[cls.name] = bool(calls & THREE_D_CALLS)
    return uses


def find_three_d_frame(src: SourceText, findings: list[Finding]) -> list[Edit]:
    """ManimGL's camera frame in a ThreeDScene (AttributeError: 'ThreeDCamera' object has no attribute 'frame').

    In a scene that really is 3-D, `frame.set_width(w)` / `.scale(s)` / `.reorient(θ, φ)` become
    `set_camera_orientation(zoom=..., theta=..., phi=...)`, and inside `self.play(...)` (`frame.animate...`)
    `move_camera(...)`. A ThreeDScene that never calls the 3-D camera API becomes a MovingCameraScene,
    whose `self.camera.frame` is what the code meant.
    """
    if src.tree is None or not any(_FRAME_ERROR.search(f.message) for f in findings):
        return []
    edits: list[Edit] = []
    three_d = _scene_classes_with_3d(src)
    for cls in src.nodes(ast.ClassDef):
        if cls.name not in three_d:
            continue
        base_names = [b for b in cls.bases if isinstance(b, ast.Name)]
        if not three_d[cls.name]:
            for base in base_names:
                if base.id == "ThreeDScene":
                    edits.append(src.replace(base, "MovingCameraScene", f"{cls.name}: ThreeDScene → MovingCameraScene "
                                             "(it uses self.camera.frame and no 3-D camera call)"))
            continue
        for stmt in ast.walk(cls):
            if not isinstance(stmt, ast.Expr) or not isinstance(stmt.value, ast.Call):
                continue
            edits += _rewrite_frame_statement(src, stmt.value)
    return edits


def _rewrite_frame_statement(src: SourceText, call: ast.Call) -> list[Edit]:
    func = call.func
    # self.camera.frame.set_width(8)  /  self.frame.reorient(-30, 70)
    if isinstance(func, ast.Attribute) and _is_frame(func.value):
        new = _camera_call(src, call, animated=False)
        return [src.replace(call, new + ")", f"{src.segment(call)} → {new})")] if new else []
    # self.play(self.camera.frame.animate.scale(0.5), run_time=2)
    if isinstance(func, ast.Attribute) and func.attr == "play" and len(call.args) == 1 and isinstance(call.args[0], ast.Call):
        inner = call.args[0]
        target = inner.func
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Attribute) and target.value.attr == "animate" \
                and _is_frame(target.value.value):
            new = _camera_call(src, inner, animated=True)
            if new is None:
                return []
            extra = "".join(f", {src.segment(kw)}" for kw in call.keywords if kw.arg == "run_time")
            return [src.replace(call, new + extra + ")", f"{src.segment(inner)} → {new}{extra})")]
    return []
