"""Repairs that work on text and string literals: LLM answer wrappers and LaTeX in Python strings.

Each `find_*` function takes a `SourceText` and the current findings and returns the `Edit`s its rule
would make (an empty list when the rule does not apply). `repairs.py` names and orders them.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize

from manim_agent.llm.parsing import extract_code, fenced_blocks, normalize_text
from manim_agent.tools.diagnosis import Finding
from manim_agent.tools.repairs.edits import Edit, SourceText, call_name, parses, splice

# --- markdown-fence ---------------------------------------------------------------------------------

def find_markdown_fence(src: SourceText, findings: list[Finding]) -> list[Edit]:
    """An LLM answer (prose, ```python fences) around the code: keep only the code.

    The code is found the way a model reply is read (manim_agent/llm/parsing.py, the one fence parser)."""
    if src.tree is not None:
        return []
    code = extract_code(src.text, trim_to_parse=False).code
    if code is None or code.rstrip() == src.text.rstrip():
        return []
    if not (parses(code) or parses(fix_escapes(code))):
        return []
    how = "kept the ```python block" if fenced_blocks(normalize_text(src.text)) else "removed the prose around the code"
    return [Edit(0, len(src.text), code, 1, f"{how} ({code.count(chr(10)) + 1} lines)")]


# --- raw-latex ------------------------------------------------------------------------------------

# LaTeX commands that begin with n or t: after Python eats "\n" or "\t" they are the only evidence
# that a newline or tab was not meant. Any other letter after \a \b \f \r \v means LaTeX.
_N_COMMANDS = {
    "nabla", "ne", "neq", "not", "notin", "nu", "ni", "newline", "neg", "natural", "nearrow", "nwarrow",
    "nleq", "ngeq", "nless", "ngtr", "nmid", "nparallel", "nsubseteq", "nsupseteq", "nexists", "noindent",
    "nolimits", "normalsize", "newcommand", "nonumber", "notag", "nrightarrow", "nleftarrow", "nRightarrow",
    "nLeftarrow", "nleftrightarrow", "ncong", "nsim", "nvdash", "nobreak", "normalfont",
}
_T_COMMANDS = {
    "theta", "times", "text", "textbf", "textit", "textrm", "textsf", "texttt", "textup", "textnormal",
    "textcolor", "textstyle", "textsc", "textsl", "textsuperscript", "textsubscript", "tau", "tan", "tanh",
    "to", "tilde", "triangle", "triangleleft", "triangleright", "triangleq", "trianglelefteq",
    "trianglerighteq", "top", "tfrac", "tbinom", "therefore", "tiny", "tt", "twoheadrightarrow",
    "textwidth", "tag", "thinspace", "thicksim", "thickapprox", "tabular", "today", "textheight",
}
# Commands short enough to be ordinary text after a newline or tab ("\ne" in "...\nend").
_AMBIGUOUS_COMMANDS = {"ne", "ni", "nu", "to", "tt", "tag", "top", "tan", "tau"}
_STRING_PREFIX_RE = re.compile(r"(?P<prefix>[A-Za-z]*)(?P<quote>'''|\"\"\"|'|\")")
_HEX = set("0123456789abcdefABCDEF")


def find_raw_latex(src: SourceText, findings: list[Finding]) -> list[Edit]:
    """String literals whose LaTeX backslashes Python swallowed (\\frac -> form feed + "rac")."""
    edits = []
    for start, end in _string_literals(src.text):
        literal = src.text[start:end]
        new, commands = _repair_literal(literal)
        if new is None:
            continue
        how = "made the string raw" if new[:1] in "rR" and literal[:1] not in "rR" else "escaped the backslashes"
        shown = ", ".join(dict.fromkeys(commands))[:60]
        edits.append(Edit(start, end, new, src.line_at(start), f"{how} ({shown})"))
    return edits


def fix_escapes(text: str) -> str:
    """`text` with every LaTeX-mangled string literal repaired (used to judge other rules' output)."""
    return splice(text, find_raw_latex(SourceText(text), []))[0]


def _string_literals(text: str) -> list[tuple[int, int]]:
    """Character spans of the string literals in `text` (f-strings whole on every Python version)."""
    src = SourceText(text)
    spans = []
    depth = 0
    fstring_start = 0
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            kind = tokenize.tok_name[tok.type]
            if kind == "STRING" and depth == 0:
                spans.append((src.offset_chars(*tok.start), src.offset_chars(*tok.end)))
            elif kind == "FSTRING_START":  # Python 3.12+ splits f-strings into several tokens
                if depth == 0:
                    fstring_start = src.offset_chars(*tok.start)
                depth += 1
            elif kind == "FSTRING_END":
                depth -= 1
                if depth == 0:
                    spans.append((fstring_start, src.offset_chars(*tok.end)))
    except (tokenize.TokenError, SyntaxError):
        # The tokenizer gives up at the first unterminated construct; keep what came before it.
        pass
    return spans


def _repair_literal(literal: str) -> tuple[str | None, list[str]]:
    """The repaired literal and the LaTeX commands it saved, or (None, []) when it is fine."""
    match = _STRING_PREFIX_RE.match(literal)
    if not match:
        return None, []
    prefix, quote = match["prefix"], match["quote"]
    if "r" in prefix.lower() or "b" in prefix.lower() or len(literal) < match.end() + len(quote):
        return None, []
    body_start = match.end()
    body = literal[body_start : len(literal) - len(quote)]
    offending, intentional, commands = _classify_escapes(body, is_fstring="f" in prefix.lower())
    if not offending:
        return None, []
    if not intentional:
        new_prefix = prefix.replace("u", "r").replace("U", "r") if "u" in prefix.lower() else "r" + prefix
        return new_prefix + literal[len(prefix) :], commands
    new_body = body
    for index in reversed(offending):
        new_body = new_body[:index] + "\\" + new_body[index:]
    return literal[:body_start] + new_body + quote, commands


def _classify_escapes(body: str, *, is_fstring: bool) -> tuple[list[int], bool, list[str]]:
    """Indices of LaTeX backslashes Python would mangle, whether real escapes exist, the commands."""
    offending: list[int] = []
    commands: list[str] = []
    maybe: list[int] = []
    commands_maybe: list[str] = []
    intentional = False
    i = 0
    while i < len(body):
        char = body[i]
        if is_fstring and char in "{}":
            i = _skip_fstring_field(body, i)
            continue
        if char != "\\" or i + 1 >= len(body):
            i += 1
            continue
        nxt = body[i + 1]
        word = re.match(r"[A-Za-z]*", body[i + 1 :])[0]  # type: ignore[index]
        if nxt in "\\'\"\n" or nxt in "01234567":
            intentional = True
            i += 2
            continue
        if nxt in "abfvr":
            bad = len(word) >= 2
        elif nxt in "nt":
            bad = word in (_N_COMMANDS if nxt == "n" else _T_COMMANDS)
            if word in _AMBIGUOUS_COMMANDS:
                maybe.append(i)
                commands_maybe.append("\\" + word)
                i += 2
                continue
        elif nxt == "x":
            bad = not set(body[i + 2 : i + 4]) <= _HEX or len(body[i + 2 : i + 4]) < 2
        elif nxt == "u":
            bad = not set(body[i + 2 : i + 6]) <= _HEX or len(body[i + 2 : i + 6]) < 4
        elif nxt == "U":
            bad = not set(body[i + 2 : i + 10]) <= _HEX or len(body[i + 2 : i + 10]) < 8
        elif nxt == "N":
            bad = body[i + 2 : i + 3] != "{"
        else:
            # Not an escape at all (\pi, \sum, \{): Python keeps the backslash but warns, and a
            # later Python will refuse it. A raw string says what is meant.
            bad = True
        if bad:
            offending.append(i)
            commands.append("\\" + (word or nxt))
        else:
            intentional = True
        i += 2
    if maybe and (offending or re.search(r"[{}^_$]", body)):
        # Other LaTeX in the same string: "\ne" is the command, not a newline before "e".
        offending = sorted(offending + maybe)
        commands += commands_maybe
    elif maybe:
        intentional = True
    return offending, intentional, commands


def _skip_fstring_field(body: str, i: int) -> int:
    """Index just past a replacement field `{...}` (or a doubled brace) starting at `i`."""
    if body[i : i + 2] in ("{{", "}}"):
        return i + 2
    if body[i] == "}":
        return i + 1
    depth = 0
    for j in range(i, len(body)):
        if body[j] == "{":
            depth += 1
        elif body[j] == "}":
            depth -= 1
            if depth == 0:
                return j + 1
    return len(body)


# --- mathtex-dollars --------------------------------------------------------------------------------

# Callables whose string arguments are typeset in math mode, and which arguments those are
# (positional indices, keyword names).
_MATH_MODE_ARGUMENTS: dict[str, tuple[tuple[int, ...], tuple[str, ...]]] = {
    "MathTex": ((-1,), ()),  # -1: every positional argument
    "SingleStringMathTex": ((0,), ("tex_string",)),
    "get_graph_label": ((1,), ("label",)),
    "get_axis_labels": ((0, 1), ("x_label", "y_label")),
    "get_x_axis_label": ((0,), ("label",)),
    "get_y_axis_label": ((0,), ("label",)),
    "get_tex": ((-1,), ()),
    "BraceLabel": ((1,), ("text",)),
}
_DOLLAR_RE = re.compile(r"(?<!\\)\$")


def find_mathtex_dollars(src: SourceText, findings: list[Finding]) -> list[Edit]:
    """`$` inside MathTex strings: MathTex is already in math mode, so the `$` breaks LaTeX."""
    edits = []
    for call in src.nodes(ast.Call):
        name = call_name(call)
        if name not in _MATH_MODE_ARGUMENTS:
            continue
        if name == "get_tex" and not isinstance(call.func, ast.Attribute):
            continue
        positions, keywords = _MATH_MODE_ARGUMENTS[name]
        args = [a for i, a in enumerate(call.args) if -1 in positions or i in positions]
        args += [k.value for k in call.keywords if k.arg in keywords]
        for arg in args:
            if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                continue
            text = src.segment(arg)
            if _DOLLAR_RE.search(arg.value.replace("\\$", "")):
                edits.append(src.replace(arg, _DOLLAR_RE.sub("", text), f"removed $ from {name}({_short(arg.value)})"))
    return edits


# --- latex-unicode --------------------------------------------------------------------------------

# Characters LLMs paste into TeX strings that LaTeX's default setup cannot typeset
# ("Unicode character α (U+03B1) not set up for use with LaTeX"), and their math-mode commands.
UNICODE_TO_LATEX: dict[str, str] = {
    **{ch: "\\" + name for ch, name in zip(
        "αβγδεζηθικλμνξπρσςτυφχψωϕϵϑΓΔΘΛΞΠΣΥΦΨΩ",
        "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma varsigma tau "
        "upsilon phi chi psi omega phi epsilon vartheta Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi "
        "Omega".split(),
    )},
    **{ch: "\\" + name for ch, name in zip(
        "×·≤≥≠±∓→←⇒⇐⇔↔↦∞∑∏∫∮√∂∇∈∉∋⊂⊆⊃⊇∪∩≈≡∀∃∅∝∘⊗⊕∧∨¬⟨⟩≪≫∼≅⊥∠ℏℓ…⋯",
        "times cdot leq geq neq pm mp rightarrow leftarrow Rightarrow Leftarrow Leftrightarrow leftrightarrow "
        "mapsto infty sum prod int oint sqrt partial nabla in notin ni subset subseteq supset supseteq cup cap "
        "approx equiv forall exists emptyset propto circ otimes oplus wedge vee neg langle rangle ll gg sim "
        "cong perp angle hbar ell ldots cdots".split(),
    )},
    **{ch: "\\mathbb{" + letter + "}" for ch, letter in zip("ℝℕℤℚℂ", "RNZQC")},
    **{ch: "^{" + digit + "}" for ch, digit in zip("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")},
    **{ch: "_{" + digit + "}" for ch, digit in zip("₀₁₂₃₄₅₆₇₈₉", "0123456789")},
    "−": "-", "′": "'", "°": "^{\\circ}",
}


def find_latex_unicode(src: SourceText, findings: list[Finding]) -> list[Edit]:
    """Greek letters and math symbols typed as Unicode in TeX strings → their LaTeX commands."""
    edits = []
    for call in src.nodes(ast.Call):
        name = call_name(call)
        if name == "Tex" and isinstance(call.func, ast.Name):
            args, math_mode = list(call.args), False
        elif name in _MATH_MODE_ARGUMENTS and not (name == "get_tex" and not isinstance(call.func, ast.Attribute)):
            positions, keywords = _MATH_MODE_ARGUMENTS[name]
            args = [a for i, a in enumerate(call.args) if -1 in positions or i in positions]
            args += [k.value for k in call.keywords if k.arg in keywords]
            math_mode = True
        else:
            continue
        for arg in args:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and any(ch in UNICODE_TO_LATEX for ch in arg.value):
                new = _latex_for_unicode(src.segment(arg), math_mode=math_mode)
                if new is not None:
                    found = "".join(dict.fromkeys(ch for ch in arg.value if ch in UNICODE_TO_LATEX))
                    edits.append(src.replace(arg, new, f"{found} → LaTeX commands in {name}({_short(arg.value)})"))
    return edits


def _latex_for_unicode(literal: str, *, math_mode: bool) -> str | None:
    match = _STRING_PREFIX_RE.match(literal)
    if not match or any(c in match["prefix"].lower() for c in "fbu") or _string_literals(literal) != [(0, len(literal))]:
        return None  # f-strings, bytes and implicit concatenations: leave to the model
    raw = "r" in match["prefix"].lower()
    out = []
    in_math = False
    for index, char in enumerate(literal):
        if char == "$" and (index == 0 or literal[index - 1] != "\\"):
            in_math = not in_math
        command = UNICODE_TO_LATEX.get(char)
        if command is None:
            out.append(char)
            continue
        following = literal[index + 1 : index + 2]
        if command[-1:].isalpha() and following.isalpha():
            command += " "
        if not raw:
            command = command.replace("\\", "\\\\")
        out.append(command if math_mode or in_math or command == "-" else f"${command.strip()}$")
    return "".join(out)


# --- tex-math-mode ----------------------------------------------------------------------------------

_MATH_ONLY_COMMANDS = {
    "frac", "dfrac", "tfrac", "sqrt", "sum", "int", "iint", "oint", "prod", "lim", "infty", "cdot", "cdots",
    "times", "div", "leq", "le", "geq", "ge", "neq", "ne", "approx", "equiv", "pm", "mp", "partial", "nabla",
    "vec", "hat", "bar", "overline", "underbrace", "overbrace", "mathbb", "mathcal", "mathbf", "mathrm",
    "mathit", "mathfrak", "left", "right", "in", "notin", "subset", "subseteq", "cup", "cap", "to",
    "rightarrow", "Rightarrow", "leftarrow", "Leftarrow", "implies", "iff", "mapsto", "forall", "exists",
    "log", "ln", "sin", "cos", "tan", "exp", "binom", "det", "max", "min", "sup", "inf", "circ", "propto",
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta", "vartheta", "iota",
    "kappa", "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "varphi", "chi",
    "psi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Phi", "Psi", "Omega",
}
_COMMAND_RE = re.compile(r"\\([A-Za-z]+)")
_PLAIN_WORD_RE = re.compile(r"(?<![\\A-Za-z])[A-Za-z]{4,}")
_TEXT_GROUP_RE = re.compile(r"\\(?:text\w*|mbox|operatorname)\s*\{[^{}]*\}")


def find_tex_math_mode(src: SourceText, findings: list[Finding]) -> list[Edit]:
    """`Tex` given pure math without `$` (LaTeX stops with "Missing $ inserted"): use `MathTex`."""
    edits = []
    for call in src.nodes(ast.Call):
        if not (isinstance(call.func, ast.Name) and call.func.id == "Tex") or not call.args:
            continue
        if any(k.arg in ("tex_environment", "tex_template") or k.arg is None for k in call.keywords):
            continue
        if not all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in call.args):
            continue
        tex = "".join(a.value for a in call.args)
        if _is_pure_math(tex):
            edits.append(src.replace(call.func, "MathTex", f"Tex({_short(tex)}) holds math only → MathTex"))
    return edits


def _is_pure_math(tex: str) -> bool:
    if "$" in tex or "\\(" in tex or "\\[" in tex or "\\begin" in tex:
        return False
    without_escapes = tex.replace("\\_", "").replace("\\^", "")
    math_commands = {c for c in _COMMAND_RE.findall(tex)} & _MATH_ONLY_COMMANDS
    if not (math_commands or "^" in without_escapes or "_" in without_escapes):
        return False
    # Prose ("the area of the circle is \pi r^2") needs $...$ around its math, which only a reader
    # can place; leave it to the model.
    prose = _PLAIN_WORD_RE.findall(_COMMAND_RE.sub(" ", _TEXT_GROUP_RE.sub(" ", tex)))
    return len(prose) < 2


# --- latex-typo -----------------------------------------------------------------------------------

# Commands that LaTeX's "Undefined control sequence" most often hides: common ones from other
# packages or conventions, then a vocabulary for spelling repairs.
_COMMAND_SUBSTITUTES = {
    "R": "mathbb{R}", "N": "mathbb{N}", "Z": "mathbb{Z}", "Q": "mathbb{Q}", "C": "mathbb{C}",
    "bm": "boldsymbol", "mathscr": "mathcal", "degree": "circ", "eps": "epsilon", "infinity": "infty", "implies": "Rightarrow",
}
_KNOWN_COMMANDS = sorted(
    _MATH_ONLY_COMMANDS
    | _N_COMMANDS
    | _T_COMMANDS
    | set(
        "sqrt frac dfrac tfrac cdot ldots cdots vdots ddots quad qquad text mathrm mathbf mathsf mathtt mathit "
        "operatorname overline underline widehat widetilde dot ddot big Big bigg Bigg langle rangle lfloor rfloor "
        "lceil rceil mid parallel perp angle triangle square circ bullet star ast dagger prime neg land lor "
        "oplus otimes odot bigcup bigcap bigoplus coprod iint iiint limsup liminf arg dim sec csc cot arcsin "
        "arccos arctan sinh cosh tanh mathfrak boldsymbol check breve acute grave overrightarrow overleftarrow "
        "overset underset stackrel binom begin end displaystyle scriptstyle hspace vspace color boxed simeq "
        "setminus varnothing emptyset hbar ell Re Im aleph uparrow downarrow longrightarrow longleftarrow "
        "Longrightarrow longmapsto hookrightarrow because vdash models dots leftrightarrow Leftrightarrow "
        "varphi varepsilon vartheta varrho varpi Upsilon mathbb mathcal underbrace overbrace sum int oint "
        "prod lim exp ln log sin cos tan det max min sup inf".split()
    )
)
_UNDEFINED_RE = re.compile(r"(\\[A-Za-z]+)\s*\n")


def find_latex_typo(src: SourceText, findings: list[Finding]) -> list[Edit]:
    """A misspelled LaTeX command that the check reported as undefined (\\alpah → \\alpha, \\R → \\mathbb{R})."""
    fixes = {}
    for finding in findings:
        errors = "\n".join(finding.details.get("tex_errors") or []) if finding.category == "latex" else ""
        if "Undefined control sequence" not in errors:
            continue
        match = _UNDEFINED_RE.search(errors.split("Undefined control sequence", 1)[1])
        if match:
            wrong = match.group(1)[1:]
            right = _COMMAND_SUBSTITUTES.get(wrong) or _closest_command(wrong)
            if right:
                fixes[wrong] = right
    edits = []
    for start, end in _string_literals(src.text) if fixes else []:
        literal = src.text[start:end]
        new = literal
        for wrong, right in fixes.items():
            new = re.sub(rf"(?<=\\){re.escape(wrong)}(?![A-Za-z])", lambda _m, r=right: r, new)
        if new != literal:
            changed = ", ".join(f"\\{w} → \\{r}" for w, r in fixes.items() if f"\\{w}" in literal)
            edits.append(Edit(start, end, new, src.line_at(start), changed))
    return edits


def _closest_command(wrong: str) -> str | None:
    """The one known command within a typo or two of `wrong` (swapped letters count once); else None."""
    limit = 1 if len(wrong) <= 5 else 2
    scored = sorted((_typo_distance(wrong, c), c) for c in _KNOWN_COMMANDS)
    best, runner_up = scored[0], scored[1]
    if best[0] <= limit and runner_up[0] > best[0]:
        return best[1]
    return None


def _typo_distance(a: str, b: str) -> int:
    """Edit distance where an insertion, deletion, substitution or swap of neighbours costs 1."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def _short(text: str, limit: int = 24) -> str:
    text = text.replace("\n", " ")
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")

