"""Repairs for calls whose signature changed: old keywords, keyword-only parameters, rewritten classes.

Each `find_*` function takes a `SourceText` and the current findings and returns the `Edit`s its rule
would make (an empty list when the rule does not apply). `repairs.py` names and orders them. The
facts about Manim CE 0.22 the rules rely on (signatures, keyword-only parameters) are written out
here as data, and tests/test_repairs.py checks them against the installed Manim.
"""

from __future__ import annotations

import ast

from manim_agent.tools.diagnosis import Finding
from manim_agent.tools.repairs.edits import (
    Edit,
    SourceText,
    call_name,
    has_star_arguments,
    keyword,
)
from manim_agent.tools.repairs.names import DIRECTIONS, is_direction

# --- range-kwargs ---------------------------------------------------------------------------------

# Defaults used when only one end is given, where the default is unambiguous.
_RANGE_DEFAULTS = {("ParametricFunction", "t"): ("0", "1"), ("Surface", "u"): ("0", "1"), ("Surface", "v"): ("0", "1")}
_AXES_CONFIG = {"x": "x_axis_config", "y": "y_axis_config", "z": "z_axis_config"}


def find_range_kwargs(src: SourceText, findings: list[Finding]) -> list[Edit]:
    """x_min/x_max[/x_step] → x_range=[min, max(, step)] (also y, z, t, u, v) in any call."""
    edits: list[Edit] = []
    for call in src.nodes(ast.Call):
        if has_star_arguments(call):
            continue
        for axis in "xyztuv":
            edits += _range_edits(src, call, axis)
    return edits


def _range_edits(src: SourceText, call: ast.Call, axis: str) -> list[Edit]:
    low, high, step = (keyword(call, f"{axis}_{part}") for part in ("min", "max", "step"))
    if not (low or high) or keyword(call, f"{axis}_range"):
        return []
    name = call_name(call) or "call"
    if not (low and high):
        default = _RANGE_DEFAULTS.get((name, axis))
        if default is None:
            return []
    low_text = src.segment(low.value) if low else default[0]
    high_text = src.segment(high.value) if high else default[1]
    parts = [low_text, high_text]
    removed = [k for k in (low, high, step) if k is not None]
    extra: list[Edit] = []
    if step:
        parts.append(src.segment(step.value))
    else:
        tick = _tick_frequency(src, call, axis)
        if tick:
            parts.append(tick[0])
            if isinstance(tick[1], Edit):
                extra.append(tick[1])
            else:
                removed.append(tick[1])
    new = f"{axis}_range=[{', '.join(parts)}]"
    first = min(removed, key=lambda k: (k.lineno, k.col_offset))
    old = ", ".join(f"{k.arg}={src.segment(k.value)}" for k in removed)
    edits = [src.replace(first, new, f"{name}({old}) → {new}")]
    edits += [src.delete_argument(call, k, "") for k in removed if k is not first]
    return edits + extra


def _tick_frequency(src: SourceText, call: ast.Call, axis: str) -> tuple[str, Edit | ast.keyword] | None:
    """The old tick spacing for this axis: NumberLine(tick_frequency=) or x_axis_config={"tick_frequency": }."""
    direct = keyword(call, "tick_frequency")
    if direct is not None and axis == "x" and call_name(call) in ("NumberLine", "UnitInterval"):
        return src.segment(direct.value), direct
    config = keyword(call, _AXES_CONFIG.get(axis, ""))
    if config is not None and isinstance(config.value, ast.Dict):
        for index, key in enumerate(config.value.keys):
            if isinstance(key, ast.Constant) and key.value == "tick_frequency":
                value = src.segment(config.value.values[index])
                return value, src.delete_dict_item(config.value, index, "")
    return None


# --- keyword-only ---------------------------------------------------------------------------------

# Manim CE 0.19+ made these parameters keyword-only; calls written for older versions (and ManimGL)
# pass them positionally. (positional parameters, keyword-only parameters in order.)
# tests/test_repairs.py checks this table against inspect.signature of the installed Manim.
KEYWORD_ONLY_METHODS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "scale": (("scale_factor",), ("about_point", "about_edge")),
    "rotate": (("angle", "axis"), ("about_point", "about_edge")),
    "flip": (("axis",), ("about_point", "about_edge")),
    "stretch": (("factor", "dim"), ("about_point", "about_edge")),
    "apply_function": (("function",), ("about_point", "about_edge")),
    "apply_matrix": (("matrix",), ("about_point", "about_edge")),
    "apply_complex_function": (("function",), ("about_point", "about_edge")),
}
KEYWORD_ONLY_CLASSES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "Star": (("n",), ("outer_radius", "inner_radius", "density", "start_angle")),
    "RegularPolygram": (("num_vertices",), ("density", "radius", "start_angle")),
}
# Since CE 0.19 these take *mobjects; older code passed its settings positionally after one mobject.
OLD_POSITIONAL_SETTINGS: dict[str, tuple[str, ...]] = {
    "SurroundingRectangle": ("color", "buff", "corner_radius"),
    "BackgroundRectangle": ("color", "stroke_width", "stroke_opacity", "fill_opacity", "buff"),
}
_NOT_MOBJECTS = {"np", "numpy", "math", "random", "re", "os", "sys", "itertools"}


def _is_point(node: ast.expr) -> bool:
    """A direction constant, a `.get_center()`-style call, or an array literal."""
    if is_direction(node):
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr.startswith("get_") or node.func.attr in ("array", "c2p", "coords_to_point", "point_from_proportion")
    return isinstance(node, (ast.List, ast.Tuple))


def find_keyword_only(src: SourceText, findings: list[Finding]) -> list[Edit]:
    """Positional arguments where Manim CE 0.19+ wants keywords: m.rotate(a, OUT, ORIGIN) → about_point=ORIGIN."""
    if src.tree is None:
        return []
    own_methods = src.defined_methods
    bound = src.bound_names
    edits: list[Edit] = []
    for call in src.nodes(ast.Call):
        if has_star_arguments(call):
            continue
        if isinstance(call.func, ast.Attribute):
            name = call.func.attr
            receiver = call.func.value
            if name not in KEYWORD_ONLY_METHODS or name in own_methods:
                continue
            if isinstance(receiver, ast.Name) and receiver.id in _NOT_MOBJECTS:
                continue
            positional, keyword_only = KEYWORD_ONLY_METHODS[name]
            # VMobject.scale(factor, scale_stroke) takes a bool second; only a point there (ORIGIN,
            # m.get_center()) means about_point. Other .scale(x, y) calls (cairo's) are not Manim's.
            if name == "scale" and len(call.args) >= 2:
                if isinstance(call.args[1], ast.Constant) and isinstance(call.args[1].value, bool):
                    positional = ("scale_factor", "scale_stroke")
                elif not _is_point(call.args[1]):
                    continue
        elif isinstance(call.func, ast.Name) and call.func.id in OLD_POSITIONAL_SETTINGS and call.func.id not in bound:
            edits += _settings_after_mobject(src, call, OLD_POSITIONAL_SETTINGS[call.func.id])
            continue
        elif isinstance(call.func, ast.Name) and call.func.id in KEYWORD_ONLY_CLASSES and call.func.id not in bound:
            name = call.func.id
            positional, keyword_only = KEYWORD_ONLY_CLASSES[name]
        else:
            continue
        extra = call.args[len(positional) :]
        targets = keyword_only[: len(extra)]
        if not extra or len(targets) < len(extra) or any(keyword(call, t) for t in targets):
            continue
        for arg, target in zip(extra, targets):
            edits.append(src.replace(arg, f"{target}={src.segment(arg)}", f"{name}(…, {src.segment(arg)}) → {target}={src.segment(arg)}"))
    return edits



def _settings_after_mobject(src: SourceText, call: ast.Call, names: tuple[str, ...]) -> list[Edit]:
    """SurroundingRectangle(m, YELLOW, 0.1) → SurroundingRectangle(m, color=YELLOW, buff=0.1)."""
    extra = call.args[1:]
    if not extra or len(extra) > len(names) or not _is_color(extra[0]) or not all(_is_number(a) for a in extra[1:]):
        return []
    targets = names[: len(extra)]
    if any(keyword(call, t) for t in targets):
        return []
    name = call_name(call)
    return [
        src.replace(arg, f"{target}={src.segment(arg)}", f"{name}(m, {src.segment(arg)}) → {target}={src.segment(arg)}")
        for arg, target in zip(extra, targets)
    ]


def _is_color(node: ast.expr) -> bool:
    """YELLOW, BLUE_E, MY_COLOR, "#FF0000", ManimColor(...): a colour, never a mobject variable."""
    if isinstance(node, ast.Name):
        return node.id.isupper() and node.id not in DIRECTIONS
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.Call):
        return call_name(node) in ("ManimColor", "interpolate_color", "rgb_to_color", "color_gradient", "average_color")
    return False


def _is_number(node: ast.expr) -> bool:
    """0.2, SMALL_BUFF, 2 * MED_SMALL_BUFF, -0.1."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
    if isinstance(node, ast.Name):
        return node.id.isupper() and node.id not in DIRECTIONS
    if isinstance(node, ast.UnaryOp):
        return _is_number(node.operand)
    if isinstance(node, ast.BinOp):
        return _is_number(node.left) and _is_number(node.right)
    return False


# --- text-size ------------------------------------------------------------------------------------

_TEXT_CLASSES = {"Text", "MarkupText", "Paragraph", "Tex", "MathTex", "Title", "BulletedList"}


def find_text_size(src: SourceText, findings: list[Finding]) -> list[Edit]:
    """Text(..., size=X) → font_size: Manim CE has no `size`; a small number was a scale factor of 48."""
    if src.tree is None:
        return []
    bound = src.bound_names
    edits = []
    for call in src.nodes(ast.Call):
        if not (isinstance(call.func, ast.Name) and call.func.id in _TEXT_CLASSES) or call.func.id in bound:
            continue
        size = keyword(call, "size")
        if size is None or keyword(call, "font_size"):
            continue
        value = src.segment(size.value)
        if isinstance(size.value, ast.Constant) and isinstance(size.value.value, (int, float)) and size.value.value < 6:
            scaled = 48 * size.value.value
            value = str(int(scaled)) if float(scaled).is_integer() else f"{scaled:g}"
        edits.append(src.replace(size, f"font_size={value}", f"{call.func.id}(size={src.segment(size.value)}) → font_size={value}"))
    return edits


# --- code-kwargs ----------------------------------------------------------------------------------

# Code was rewritten in Manim CE 0.19: new parameter names, font settings moved into
# paragraph_config, background settings into background_config, and no **kwargs.
CODE_PARAMETERS = (
    "code_file", "code_string", "language", "formatter_style", "tab_width", "add_line_numbers",
    "line_numbers_from", "background", "background_config", "paragraph_config",
)
_CODE_RENAMES = {
    "code": "code_string", "file_name": "code_file", "style": "formatter_style",
    "insert_line_no": "add_line_numbers", "line_no_from": "line_numbers_from",
}
_CODE_MOVES = {
    "font": ("paragraph_config", "font"), "font_size": ("paragraph_config", "font_size"),
    "background_stroke_width": ("background_config", "stroke_width"),
    "background_stroke_color": ("background_config", "stroke_color"),
    "corner_radius": ("background_config", "corner_radius"), "margin": ("background_config", "buff"),
}


def find_code_kwargs(src: SourceText, findings: list[Finding]) -> list[Edit]:
    """Code(code=..., font=..., style=...) → Code(code_string=..., paragraph_config={...}, formatter_style=...)."""
    if src.tree is None:
        return []
    if "Code" in src.bound_names:
        return []
    edits: list[Edit] = []
    for call in src.nodes(ast.Call):
        if not (isinstance(call.func, ast.Name) and call.func.id == "Code") or has_star_arguments(call):
            continue
        groups: dict[str, list[tuple[str, ast.keyword]]] = {}
        for kw in call.keywords:
            if kw.arg in _CODE_RENAMES and not keyword(call, _CODE_RENAMES[kw.arg]):
                end = src.span(kw)[0] + len(kw.arg)
                start = src.span(kw)[0]
                edits.append(Edit(start, end, _CODE_RENAMES[kw.arg], kw.lineno, f"Code({kw.arg}=) → {_CODE_RENAMES[kw.arg]}="))
            elif kw.arg in _CODE_MOVES and not keyword(call, _CODE_MOVES[kw.arg][0]):
                groups.setdefault(_CODE_MOVES[kw.arg][0], []).append((_CODE_MOVES[kw.arg][1], kw))
            elif kw.arg not in CODE_PARAMETERS and kw.arg not in _CODE_RENAMES:
                edits.append(src.delete_argument(call, kw, f"Code: dropped {kw.arg}= (no such parameter since CE 0.19)"))
        for target, items in groups.items():
            entries = ", ".join(f'"{key}": {src.segment(kw.value)}' for key, kw in items)
            first = items[0][1]
            names = ", ".join(f"{kw.arg}=" for _, kw in items)
            edits.append(src.replace(first, f"{target}={{{entries}}}", f"Code({names}) → {target}={{...}}"))
            edits += [src.delete_argument(call, kw, "") for _, kw in items[1:]]
    return edits


# --- sector-radius --------------------------------------------------------------------------------


def find_sector_radius(src: SourceText, findings: list[Finding]) -> list[Edit]:
    """Sector(outer_radius=R) → Sector(radius=R); with a non-zero inner_radius it is an AnnularSector."""
    if src.tree is None or "Sector" in src.bound_names:
        return []
    edits: list[Edit] = []
    for call in src.nodes(ast.Call):
        if not (isinstance(call.func, ast.Name) and call.func.id == "Sector"):
            continue
        outer, inner = keyword(call, "outer_radius"), keyword(call, "inner_radius")
        if outer is None or keyword(call, "radius"):
            continue
        if inner is not None and not (isinstance(inner.value, ast.Constant) and inner.value.value == 0):
            edits.append(src.replace(call.func, "AnnularSector", "Sector(inner_radius=, outer_radius=) → AnnularSector"))
            continue
        start = src.span(outer)[0]
        edits.append(Edit(start, start + len("outer_radius"), "radius", outer.lineno, "Sector(outer_radius=) → radius="))
        if inner is not None:
            edits.append(src.delete_argument(call, inner, ""))
    return edits


# --- tracing-tail ---------------------------------------------------------------------------------


def find_tracing_tail(src: SourceText, findings: list[Finding]) -> list[Edit]:
    """ManimGL's `TracingTail(mob, time_traced=t, ...)` → `TracedPath(mob.get_center, dissipating_time=t, ...)`.

    CE's TracedPath follows a point function, not a mobject, and fades its tail after `dissipating_time`."""
    if src.tree is None or "TracingTail" in src.bound_names:
        return []
    edits = []
    for call in src.nodes(ast.Call):
        if not (isinstance(call.func, ast.Name) and call.func.id == "TracingTail") or not call.args:
            continue
        if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
            continue
        target = call.args[0]
        point = src.segment(target)
        if not isinstance(target, ast.Lambda) and not (isinstance(target, ast.Attribute) and target.attr.startswith("get_")):
            point = f"{point}.get_center" if isinstance(target, (ast.Name, ast.Attribute)) else f"({point}).get_center"
        parts = [point]
        parts += [src.segment(a) for a in call.args[1:2]]  # time_traced, when given by position
        for kw in call.keywords:
            value = src.segment(kw.value)
            parts.append(f"dissipating_time={value}" if kw.arg == "time_traced" else f"{kw.arg}={value}")
        if len(call.args) > 1:
            parts[1] = f"dissipating_time={parts[1]}"
        new = f"TracedPath({', '.join(parts)})"
        edits.append(src.replace(call, new, f"TracingTail(...) → {new}"))
    return edits
