"""Turn a failed run (the worker's structured error, or a pasted traceback) into a located diagnosis.

The line is always the innermost frame in the user's file, never a line inside Manim. The hint is
concrete: the CE name for a ManimGL name, the real signature for a bad keyword, the LaTeX error
lines and the offending TeX for a LaTeX failure.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from manim_agent.tools.diagnosis import Category, Finding
from manim_agent.tools.static.api_renames import ATTRIBUTE_RENAMES, NAME_RENAMES

_FRAME_RE = re.compile(r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<name>.+)$')
_RICH_FRAME_RE = re.compile(r"(?P<file>/[^\s:]+\.py):(?P<line>\d+) in (?P<name>\S+)")
_EXC_RE = re.compile(r"^(?P<type>[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Timeout|Violation|Warning)?)(?::\s?(?P<message>.*))?$")
_NAME_ERROR_RE = re.compile(r"name '(?P<name>\w+)' is not defined")
# Manim's own __getattr__ words it without quotes around the class: "MathTex object has no attribute 'x'".
_ATTR_ERROR_RE = re.compile(r"'?(?P<owner>[\w.]+)'? object has no attribute '(?P<attr>\w+)'")
_MODULE_ATTR_RE = re.compile(r"module '(?P<owner>[\w.]+)' has no attribute '(?P<attr>\w+)'")
_KWARG_RE = re.compile(r"(?P<callable>[\w.<>]+)\(\) got an unexpected keyword argument '(?P<kw>\w+)'")
_POSITIONAL_RE = re.compile(r"(?P<callable>[\w.<>]+)\(\) takes (?P<detail>.+ positional arguments? but .+ given)")
_MISSING_RE = re.compile(r"(?P<callable>[\w.<>]+)\(\) missing \d+ required (?:positional|keyword-only) arguments?: .+")

RANGE_KEYWORDS = {
    "x_min": "x_range", "x_max": "x_range", "y_min": "y_range", "y_max": "y_range",
    "z_min": "z_range", "z_max": "z_range", "t_min": "t_range", "t_max": "t_range",
    "x_axis_step": "x_range", "y_axis_step": "y_range",
}


@dataclass
class Frame:
    file: str
    line: int
    name: str
    code: str = ""


UNDRAWABLE_HINT = (
    "find what gives the mobject a NaN or infinite coordinate: a division by zero or a log/sqrt of a negative "
    "number in an updater or a function it is built from (Mobject.depth is 0 for a flat mobject; guard the "
    "divisor, or clip the value)"
)


def user_frame(frames: list[Frame], user_file: str | None) -> Frame | None:
    """The innermost frame that lies in the user's scene file."""
    for frame in reversed(frames):
        if user_file and frame.file == user_file:
            return frame
    if user_file is None:
        for frame in reversed(frames):
            if "site-packages" not in frame.file and "/lib/python" not in frame.file and not frame.file.startswith("<"):
                return frame
    return None


def parse_traceback(text: str) -> tuple[list[Frame], str, str]:
    """Frames, exception type and message from a Python (or Rich-formatted) traceback text."""
    frames: list[Frame] = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        match = _FRAME_RE.match(line)
        if match:
            code = lines[i + 1].strip() if i + 1 < len(lines) and not _FRAME_RE.match(lines[i + 1]) else ""
            frames.append(Frame(match["file"], int(match["line"]), match["name"].strip(), code))
    if not frames:
        for match in _RICH_FRAME_RE.finditer(text):
            frames.append(Frame(match["file"], int(match["line"]), match["name"]))
    exc_type, message = "", ""
    for line in reversed(lines):
        stripped = line.strip().strip("│").strip()
        if not stripped or stripped.startswith(("^", "~", "File ", "During handling", "The above exception")):
            continue
        match = _EXC_RE.match(stripped)
        if match and (match["message"] is not None or match["type"].endswith(("Error", "Exception", "Violation"))):
            exc_type, message = match["type"].rsplit(".", 1)[-1], (match["message"] or "").strip()
            break
    return frames, exc_type, message


def read_error(traceback_text: str, source: str | None = None, filename: str = "scene.py") -> Finding:
    """Diagnose a pasted traceback (for example from `manim render`'s output).

    Args:
        traceback_text: The traceback as printed by Python or Manim.
        source: The scene's source code, used to show the failing line when the traceback lacks it.
        filename: The scene file's name, used to find its frames in the traceback.
    """
    frames, exc_type, message = parse_traceback(traceback_text)
    candidates = [f.file for f in frames if f.file.endswith(filename)]
    user_file = candidates[-1] if candidates else None
    tex = None
    if "error converting to" in message or "LaTeX compilation error" in traceback_text:
        tex = {"errors": re.findall(r"LaTeX compilation error: (.+)", traceback_text)}
    return diagnose(exc_type, message, frames, user_file=user_file, source=source, tex=tex, stage="dry_run")


def from_worker_error(error: dict[str, Any], source: str | None) -> Finding:
    """Diagnose the structured error the sandboxed worker returns."""
    frames = [Frame(f["file"], f["line"], f["name"], f.get("code", "")) for f in error.get("frames", [])]
    finding = diagnose(
        error.get("type", "Exception"),
        error.get("message", ""),
        frames,
        user_file=error.get("user_file"),
        source=source,
        tex=error.get("tex"),
        stage="dry_run",
        syntax=error.get("syntax"),
    )
    return finding


def diagnose(
    exc_type: str,
    message: str,
    frames: list[Frame],
    *,
    user_file: str | None,
    source: str | None,
    tex: dict[str, Any] | None = None,
    stage: str = "dry_run",
    syntax: dict[str, Any] | None = None,
) -> Finding:
    """The core mapping from an exception to category, line, message and hint."""
    frame = user_frame(frames, user_file)
    category, hint, fixable, details = _categorize(exc_type, message, tex, source)
    if category == "latex" and tex and tex.get("expression") and source:
        frame = _frame_holding_tex(frames, user_file, source, tex["expression"]) or frame
    line = frame.line if frame else None
    if syntax and syntax.get("file") == user_file and syntax.get("line"):
        line = syntax["line"]
    if category == "timeout" and line and source:
        line = _enclosing_while(source, line) or line
    code_line = _code_line(source, line) or (frame.code if frame else None)
    text = f"{exc_type}: {message}" if message else exc_type
    if category == "latex" and tex and tex.get("expression"):
        text = f"LaTeX failed to compile `{tex['expression']}`"
        if tex.get("errors"):
            text += f": {tex['errors'][0].splitlines()[0].lstrip('! ')}"
    where = f" (in {frame.name})" if frame and frame.name not in ("<module>",) else ""
    if line is None and frames:
        text += " (raised inside Manim; no line of the scene file is on the stack)"
    return Finding(
        stage=stage,  # type: ignore[arg-type]
        category=category,
        message=text + where,
        line=line,
        code_line=code_line,
        hint=hint,
        fixable=fixable,
        details=details,
    )


def _frame_holding_tex(frames: list[Frame], user_file: str | None, source: str, expression: str) -> Frame | None:
    """The user frame, innermost first, whose line holds the failing TeX (helpers pass TeX along)."""
    lines = source.splitlines()
    probe = " ".join(expression.split())[:24]
    if len(probe) < 2:
        return None
    for frame in reversed(frames):
        if frame.file != user_file or not 0 < frame.line <= len(lines):
            continue
        text = " ".join(lines[frame.line - 1].split())
        if probe in text or probe in text.replace("\\\\", "\\"):
            return frame
    return None


def _enclosing_while(source: str, line: int) -> int | None:
    """The header of the innermost `while` loop around `line`: where an endless loop is best fixed."""
    import ast  # only needed for timeouts

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    best = None
    for node in ast.walk(tree):
        if isinstance(node, ast.While) and node.lineno <= line <= (node.end_lineno or node.lineno):
            if best is None or node.lineno > best.lineno:
                best = node
    return best.lineno if best else None


def _code_line(source: str | None, line: int | None) -> str | None:
    if not source or not line:
        return None
    lines = source.splitlines()
    return lines[line - 1].strip() if 0 < line <= len(lines) else None


def _close_manim_names(name: str) -> list[str]:
    index = _index()
    if index is None:
        return []
    return difflib.get_close_matches(name, list(index.star), n=3, cutoff=0.75)


def _index():  # -> ApiIndex | None
    """The cached index of the installed Manim, if it can be had without surprises."""
    try:
        from manim_agent.tools.static import api_index  # optional: building it imports Manim

        return api_index.load_index()
    except (ImportError, OSError, ValueError):
        return None


def _categorize(
    exc_type: str, message: str, tex: dict[str, Any] | None, source: str | None
) -> tuple[Category, str | None, bool, dict[str, Any]]:
    details: dict[str, Any] = {"exception": exc_type}
    if tex or "error converting to" in message:
        tex = tex or {}
        errors = tex.get("errors") or []
        details.update({k: v for k, v in {"tex": tex.get("expression"), "tex_errors": errors, "log_file": tex.get("log_file")}.items() if v})
        return "latex", _latex_hint(errors, tex.get("expression") or ""), False, details
    if exc_type == "SceneTimeout":
        return "timeout", "the scene ran past the time limit here: look for an endless loop, a huge run_time or a very fine sampling", False, details
    if exc_type == "PolicyViolation":
        return "unsafe", "scenes may not use the network, start programs, or touch files outside their directory", False, details
    if exc_type == "MemoryError":
        return "resource", "the scene ran out of memory: reduce array sizes, surface resolution or the number of mobjects", False, details
    if exc_type == "UndrawablePoints":
        return "runtime", UNDRAWABLE_HINT, False, details
    if exc_type == "RecursionError":
        return "runtime", "infinite recursion: a function or updater calls itself without end", False, details
    if exc_type in ("ModuleNotFoundError", "ImportError"):
        hint = None
        if "manimlib" in message:
            hint = "this is ManimGL code; use `from manim import *` (Manim Community Edition)"
        return "import", hint, bool(hint), details
    if exc_type == "NameError":
        match = _NAME_ERROR_RE.search(message)
        name = match["name"] if match else ""
        details["name"] = name
        rename = NAME_RENAMES.get(name)
        if rename:
            return "unknown_api", rename.hint, rename.replacement is not None, details
        close = _close_manim_names(name)
        hint = f"did you mean {', '.join(close)}?" if close else f"{name!r} is not defined in Manim CE or in the scene"
        return "unknown_api", hint, False, details
    if exc_type == "AttributeError":
        match = _ATTR_ERROR_RE.search(message) or _MODULE_ATTR_RE.search(message)
        if match:
            attr, owner = match["attr"], match["owner"]
            details.update(attribute=attr, owner=owner)
            if owner == "NoneType":
                return ("runtime", f"a value is None where a mobject was expected (before .{attr}): a lookup such as "
                        "get_part_by_tex or a function without `return` gave nothing", False, details)
            rename = ATTRIBUTE_RENAMES.get(attr)
            if rename:
                return "unknown_api", rename.hint, rename.replacement is not None, details
            return "unknown_api", f"{owner} has no attribute {attr!r} in Manim CE", False, details
        return "runtime", None, False, details
    if exc_type == "TypeError":
        if "Passing Mobject methods to Scene.play" in message:
            return ("bad_arguments", "animate the method instead: self.play(mob.animate.shift(UP)) rather than "
                    "self.play(mob.shift, UP)", True, details)
        match = _KWARG_RE.search(message)
        if match:
            keyword = match["kw"]
            details["keyword"] = keyword
            if keyword in RANGE_KEYWORDS:
                target = RANGE_KEYWORDS[keyword]
                return "bad_arguments", f"{keyword} was replaced by {target}=[min, max, step] in Manim CE", True, details
            return "bad_arguments", _signature_hint(match["callable"], keyword), False, details
        if "Expected all inputs for parameter" in message:
            return ("bad_arguments", "only mobjects may be passed positionally here: pass the other arguments by "
                    "keyword (for example color=RED, buff=0.2); they are keyword-only since Manim CE 0.19", True, details)
        if _POSITIONAL_RE.search(message) or _MISSING_RE.search(message):
            callable_name = (_POSITIONAL_RE.search(message) or _MISSING_RE.search(message))["callable"]  # type: ignore[index]
            return "bad_arguments", _signature_hint(callable_name, None), False, details
        return "runtime", None, False, details
    if exc_type == "SyntaxError" or exc_type == "IndentationError":
        return "syntax", None, False, details
    return "runtime", None, False, details


def _signature_hint(callable_name: str, keyword: str | None) -> str:
    """The real signature of the callable named in a TypeError, when the index knows it."""
    name = callable_name.split(".")[0] if "." in callable_name else callable_name
    owner = callable_name.rsplit(".", 1)[0] if callable_name.endswith("__init__") else name
    owner = owner.removesuffix(".__init__")
    index = _index()
    signature = None
    spec_keywords: list[str] = []
    if index is not None:
        key = index.class_key(owner)
        spec = index.init(key) if key else index.function(owner)
        if spec is not None:
            spec_keywords = list(spec.keywords)
            if key:
                for base in index.mro(key):
                    base_init = index.init(base)
                    spec_keywords += list(base_init.keywords) if base_init else []
            signature = f"{owner}{spec.signature_text()}" if not spec.signature_text().startswith(owner) else spec.signature_text()

    prefix = f"{keyword!r} is not a parameter of {owner}" if keyword else f"wrong arguments for {owner}"
    if keyword and spec_keywords:
        close = difflib.get_close_matches(keyword, spec_keywords, n=1, cutoff=0.6)
        if close:
            prefix += f" (did you mean {close[0]}=?)"
    return f"{prefix}; its signature is {signature}" if signature else prefix


_LATEX_HINTS = [
    ("Undefined control sequence", "a LaTeX command is misspelled, needs a package, or lost its backslash to Python (use a raw string r\"...\")"),
    ("Missing $ inserted", "math-only commands (^, _, \\frac) used in text mode: use MathTex, or wrap them in $...$ inside Tex"),
    ("Display math should end with $$", "MathTex is already in math mode: remove the $ signs"),
    ("Extra }, or forgotten", "unbalanced braces: count the { and } in the TeX string"),
    ("Missing } inserted", "unbalanced braces: count the { and } in the TeX string"),
    ("File ended while scanning", "unbalanced braces: a { is never closed"),
    ("Unicode character", "a non-ASCII character LaTeX cannot typeset: use its LaTeX command or Text() instead"),
    ("Extra alignment tab", "too many & in a row of an array/matrix"),
    ("Misplaced alignment tab", "& outside an aligned environment"),
    ("Double superscript", "two ^ on one base: group them with braces, e.g. x^{a^b}"),
    ("Double subscript", "two _ on one base: group them with braces"),
    ("not found", "a LaTeX package is missing: install texlive-latex-extra or remove the \\usepackage"),
]


def _latex_hint(errors: list[str], expression: str) -> str:
    joined = "\n".join(errors)
    if "Undefined control sequence" in joined:
        # The first context line after "! Undefined control sequence." ends with the unknown command.
        context = [ln for ln in joined.splitlines() if not ln.startswith("!")]
        culprit = re.search(r"(\\[A-Za-z]+)\s*$", context[0]) if context else None
        if culprit:
            return (f"{culprit[1]} is not a LaTeX command known to Manim's template: fix its spelling, "
                    "add the package to a TexTemplate, or use a raw string if Python ate a backslash")
    for marker, hint in _LATEX_HINTS:
        if marker in joined:
            return hint
    if expression.count("{") != expression.count("}"):
        return "unbalanced braces in the TeX string"
    return "the TeX string does not compile: check it with a LaTeX editor"
