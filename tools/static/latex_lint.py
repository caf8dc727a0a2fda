"""Lint for LaTeX inside Python strings: the most common reason a generated scene fails.

Two kinds of problem:

- Escapes Python swallows. In a non-raw string, "\\frac" is a form feed followed by "rac", "\\theta"
  a tab followed by "heta", "\\nabla" a newline followed by "abla". This is read from the
  string's *source text*, since the parsed value no longer shows it. Inside a TeX-producing call
  (MathTex, Tex, axis labels, ...) it is an error; in any other string, a warning, and there only
  when the letters spell a LaTeX command. Invalid escapes such as "\\pi" still work but warn in
  Python 3.12+, so they are a warning.
- TeX that cannot compile, in strings passed to TeX-producing calls: unbalanced braces (for
  MathTex/Tex with several strings, the joined string, as Manim compiles it), `$` inside MathTex
  (already math mode), and an odd number of `$` in Tex.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from manim_agent.tools.diagnosis import Finding

if TYPE_CHECKING:
    from manim_agent.tools.static.source import ParsedSource

Mode = Literal["math", "text"]


@dataclass(frozen=True)
class TexCall:
    """Which arguments of a call become TeX, and in which mode."""

    mode: Mode
    positions: tuple[int, ...] | None = None  # None: every positional argument
    keywords: tuple[str, ...] = ()
    joined: bool = False  # the strings are compiled as one (MathTex("a", "b"))
    nested: bool = False  # strings sit inside lists (Matrix([["a", "b"]]))


TEX_CALLS: dict[str, TexCall] = {
    "MathTex": TexCall("math", joined=True),
    "SingleStringMathTex": TexCall("math", positions=(0,), keywords=("tex_string",), joined=True),
    "Tex": TexCall("text", joined=True),
    "Title": TexCall("text", joined=True),
    "BulletedList": TexCall("text"),
    "Matrix": TexCall("math", positions=(0,), keywords=("matrix",), nested=True),
    "MathTable": TexCall("math", positions=(0,), keywords=("table",), nested=True),
    "get_axis_labels": TexCall("math", positions=(0, 1), keywords=("x_label", "y_label")),
    "get_x_axis_label": TexCall("math", positions=(0,), keywords=("label",)),
    "get_y_axis_label": TexCall("math", positions=(0,), keywords=("label",)),
    "get_z_axis_label": TexCall("math", positions=(0,), keywords=("label",)),
    "get_graph_label": TexCall("math", positions=(1,), keywords=("label",)),
    "get_tex": TexCall("math", joined=True),
    "BraceLabel": TexCall("math", positions=(1,), keywords=("text",)),
    "BraceText": TexCall("text", positions=(1,), keywords=("text",)),
    "Variable": TexCall("math", positions=(1,), keywords=("label",)),
    "DecimalNumber": TexCall("math", positions=(), keywords=("unit",)),
    "Integer": TexCall("math", positions=(), keywords=("unit",)),
}

SWALLOWING = {"a": "bell", "b": "backspace", "f": "form feed", "n": "newline", "r": "carriage return", "t": "tab", "v": "vertical tab"}
# LaTeX commands whose backslash starts a Python escape (\t \r \n \f \b \a \v). Outside TeX calls
# only these count, so "Name\tValue" or "line\nnext" stay quiet.
LATEX_COMMANDS = frozenset(
    """frac dfrac tfrac cfrac forall flat frown footnotesize fbox framebox
    theta tau times text textbf textit textrm textsf texttt textnormal textcolor textwidth tan tanh
    to top triangle triangleleft triangleright tilde widetilde therefore tiny today tt
    right rightarrow Rightarrow rightharpoonup rho rangle rceil rfloor rm real restriction
    rVert rvert rbrace rbrack rgroup rmoustache
    beta bar bf big Big bigg Bigg bigl bigr bigcup bigcap bigoplus bigotimes bigwedge bigvee
    binom bmod boxed bullet bot backslash because begin bmatrix bigg bra bf boldsymbol bowtie
    alpha aleph approx angle ast arccos arcsin arctan arg asymp atop
    vec varphi vartheta varepsilon varrho varsigma varpi vee vdots vert Vert vdash vspace vphantom
    nabla nu neq ne not notin neg ni newline nonumber nolimits noindent normalsize nearrow nwarrow
    natural nexists ngeq nleq nmid nparallel nsubseteq nsupseteq ncong nsim nprec nsucc newcommand
    nobreak nolinebreak""".split()
)
WORD_RE = re.compile(r"[A-Za-z]+")
VALID_ESCAPES = set("\\'\"\n01234567xNuU") | set(SWALLOWING)


def check_latex(ctx: ParsedSource) -> list[Finding]:
    """LaTeX findings for every string in the file (see the module docstring)."""
    findings: list[Finding] = []
    tex_strings: dict[ast.AST, tuple[str, Mode]] = {}
    for node in ctx.of_type(ast.Call):
        name = _callee_name(node) or ""
        spec = TEX_CALLS.get(name)
        if spec is not None:
            args = _tex_args(node, spec)
            for arg in args:
                for string in _strings_in(arg, spec.nested):
                    tex_strings[string] = (name, spec.mode)
            findings += _check_tex_call(ctx, node, name, spec, args)
    fstrings = ctx.of_type(ast.JoinedStr)
    inside_fstring = {v for n in fstrings for v in ast.walk(n) if v is not n} if fstrings else set()
    docstrings = {n.value for n in ctx.of_type(ast.Expr) if isinstance(n.value, ast.Constant)}
    for node in [*ctx.of_type(ast.Constant), *fstrings]:
        if isinstance(node, ast.Constant) and not isinstance(node.value, str):
            continue
        if node in inside_fstring or node in docstrings:
            continue
        findings += _check_escapes(ctx, node, tex_strings.get(node))
    return findings


def _callee_name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _tex_args(call: ast.Call, spec: TexCall) -> list[ast.expr]:
    args: list[ast.expr] = []
    for i, arg in enumerate(call.args):
        if isinstance(arg, ast.Starred):
            break
        if spec.positions is None or i in spec.positions:
            args.append(arg)
    args += [k.value for k in call.keywords if k.arg in spec.keywords]
    return args


def _strings_in(node: ast.AST, nested: bool) -> list[ast.AST]:
    if isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return [node]
    if nested and isinstance(node, (ast.List, ast.Tuple)):
        return [s for elt in node.elts for s in _strings_in(elt, nested)]
    return []


def _value(node: ast.AST) -> str:
    """The string TeX receives; an f-string's replacement fields stand in as "0"."""
    if isinstance(node, ast.Constant):
        return str(node.value)
    assert isinstance(node, ast.JoinedStr)
    return "".join(v.value if isinstance(v, ast.Constant) else "0" for v in node.values)


def _check_tex_call(ctx: ParsedSource, call: ast.Call, name: str, spec: TexCall, args: list[ast.expr]) -> list[Finding]:
    findings: list[Finding] = []
    if spec.mode == "math":
        for arg in args:
            for string in _strings_in(arg, spec.nested):
                if _unescaped(_value(string), "$"):
                    findings.append(
                        ctx.finding(
                            string,
                            "latex",
                            f"{name} strings are already in math mode; a '$' there makes LaTeX fail",
                            hint="remove the $ signs, or use Tex(...) for text with inline $math$",
                            fixable=True,
                            details={"tex": _value(string)},
                        )
                    )
    groups: list[list[ast.AST]]
    if spec.joined:
        if not args or not all(_strings_in(a, False) for a in args):
            return findings  # a computed argument: the joined string is unknown
        groups = [[a for a in args]]
    else:
        groups = [[s] for a in args for s in _strings_in(a, spec.nested)]
    for group in groups:
        tex = ("" if name in ("Tex", "Title") else " ").join(_value(s) for s in group)
        severity = "warning" if any(isinstance(s, ast.JoinedStr) for s in group) else "error"
        problem = _brace_problem(tex)
        if problem:
            findings.append(
                ctx.finding(
                    group[0],
                    "latex",
                    f"unbalanced braces in {name}(...): {problem}",
                    hint="every { needs a matching }; write a literal brace as \\{ or \\}",
                    severity=severity,
                    details={"tex": tex},
                )
            )
        if spec.mode == "text" and len(_unescaped(tex, "$")) % 2:
            findings.append(
                ctx.finding(
                    group[0],
                    "latex",
                    f"unbalanced $ in {name}(...): inline math needs an opening and a closing $",
                    hint="close the math with $, or write a literal dollar sign as \\$",
                    severity=severity,
                    details={"tex": tex},
                )
            )
    return findings


def _unescaped(tex: str, char: str) -> list[int]:
    """Positions of `char` in TeX source that are not escaped and not in a % comment."""
    found: list[int] = []
    i = 0
    while i < len(tex):
        c = tex[i]
        if c == "\\":
            i += 2
            continue
        if c == "%":
            nl = tex.find("\n", i)
            i = len(tex) if nl < 0 else nl + 1
            continue
        if c == char:
            found.append(i)
        i += 1
    return found


def _brace_problem(tex: str) -> str | None:
    opens = _unescaped(tex, "{")
    closes = _unescaped(tex, "}")
    depth = 0
    for pos, delta in sorted([(p, 1) for p in opens] + [(p, -1) for p in closes]):
        depth += delta
        if depth < 0:
            return f"a '}}' at character {pos + 1} closes nothing"
    if depth > 0:
        return f"{depth} '{{' never closed"
    return None


# -- escapes, read from the source text --------------------------------------------------------
def _pieces(ctx: ParsedSource, node: ast.AST) -> list[tuple[str, str, int, int]]:
    """(prefix, body, line, 1-based column) of each literal making up a string node."""
    first, last = node.lineno, node.end_lineno or node.lineno  # type: ignore[attr-defined]
    raw_lines = [ln.encode("utf-8") for ln in ctx.lines[first - 1 : last]]
    if not raw_lines:
        return []
    start, end = node.col_offset, node.end_col_offset  # type: ignore[attr-defined]
    if len(raw_lines) == 1:
        raw_lines[0] = raw_lines[0][start:end]
    else:
        raw_lines[0], raw_lines[-1] = raw_lines[0][start:], raw_lines[-1][:end]
    segment = "\n".join(b.decode("utf-8", errors="replace") for b in raw_lines)
    if "\\" not in segment:
        return []
    import io
    import tokenize  # only strings holding a backslash get here

    base_col = ctx.column(first, start)
    pieces: list[tuple[str, str, int, int]] = []
    prefix = ""
    try:
        for tok in tokenize.generate_tokens(io.StringIO("(" + segment + ")").readline):
            row, col = tok.start
            line = first + row - 1
            column = base_col + col - 1 if row == 1 else col + 1
            type_name = tokenize.tok_name.get(tok.type, "")
            if tok.type == tokenize.STRING:
                quote = min(i for i in (tok.string.find("'"), tok.string.find('"')) if i >= 0)
                prefix = tok.string[:quote].lower()
                q = tok.string[quote:]
                width = 3 if q[:3] in ('"""', "'''") else 1
                pieces.append((prefix, q[width:-width], line, column))
            elif type_name == "FSTRING_START":  # Python 3.12+ splits f-strings into parts
                prefix = tok.string.rstrip("'\"").lower()
            elif type_name == "FSTRING_MIDDLE":
                pieces.append((prefix, tok.string, line, column))
    except (tokenize.TokenError, SyntaxError):
        return pieces
    return pieces


def _check_escapes(ctx: ParsedSource, node: ast.AST, tex: tuple[str, Mode] | None) -> list[Finding]:
    swallowed: list[tuple[str, int, int]] = []  # (command as meant, line, column)
    invalid: list[str] = []
    where: tuple[int, int] | None = None
    bodies: list[str] = []
    for prefix, body, line, column in _pieces(ctx, node):
        if "r" in prefix or "b" in prefix:
            continue
        bodies.append(body)
        i = 0
        while i < len(body) - 1:
            if body[i] != "\\":
                i += 1
                continue
            nxt = body[i + 1]
            word_match = WORD_RE.match(body, i + 1)
            word = word_match.group(0) if word_match else ""
            if nxt in SWALLOWING and _is_swallowed(nxt, word, tex is not None):
                swallowed.append((word, line, column))
            elif nxt not in VALID_ESCAPES:
                invalid.append("\\" + nxt)
                where = where or (line, column)
            i += 2
    if swallowed:
        word, line, column = swallowed[0]
        escape = word[0]
        shown = ", ".join(sorted({"\\" + w for w, _, _ in swallowed}))
        call = f" passed to {tex[0]}" if tex else ""
        message = (
            f"{shown} in a normal string{call}: Python reads '\\{escape}' as the {SWALLOWING[escape]} "
            f"escape, so LaTeX never sees \\{word}"
        )
        body = bodies[0] if bodies else ""
        if "\\\\" in "".join(bodies) or len(bodies) != 1:
            hint = f"double the backslash (\\\\{word}) or make every part a raw string r\"...\""
        else:
            hint = f'use a raw string: r"{body if len(body) <= 60 else body[:57] + "..."}"'
        finding = ctx.finding(
            line,
            "latex",
            message,
            hint=hint,
            fixable=True,
            severity="error" if tex else "warning",
            details={"escapes": sorted({w for w, _, _ in swallowed}), "invalid_escapes": sorted(set(invalid))},
        )
        finding.column = column
        return [finding]
    if invalid and where:
        shown = ", ".join(sorted(set(invalid)))
        message = f"invalid escape {shown} in a normal string: it works today but Python 3.12+ warns (SyntaxWarning)"
        finding = ctx.finding(
            where[0],
            "latex",
            message,
            hint='use a raw string for LaTeX: r"\\pi"',
            fixable=True,
            severity="warning",
            details={"invalid_escapes": sorted(set(invalid))},
        )
        finding.column = where[1]
        return [finding]
    return []


def _is_swallowed(escape: str, word: str, in_tex: bool) -> bool:
    if escape == "n":
        return word in LATEX_COMMANDS
    if in_tex:
        return len(word) >= 2
    if escape in "fbav":
        return len(word) >= 2
    return word in LATEX_COMMANDS
