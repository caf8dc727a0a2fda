"""Pull usable Python out of whatever a model replied, or say precisely why there is none.

Models wrap code in fences or not, send several blocks, talk around the code, get cut off at the
token limit, and send search/replace edits that do not match. `extract_code` handles each case
and returns a `ParsedCode`: the full resulting file, or a `problem` written for the model, so the
next request can tell it exactly what to resend. Nothing here raises on bad model output.

`extract_data` does the same for the structured (YAML or JSON) answers of the prompt expander.
"""

from __future__ import annotations

import ast
import difflib
import json
import re
import textwrap
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml

FENCE_RE = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,})[ \t]*(?P<lang>[\w+.-]*)[^\n`]*$")
SEARCH_RE = re.compile(r"^[ \t]*<{5,9}[ \t]*SEARCH[ \t]*$")
DIVIDER_RE = re.compile(r"^[ \t]*={5,9}[ \t]*$")
REPLACE_RE = re.compile(r"^[ \t]*>{5,9}[ \t]*REPLACE[ \t]*$")
SCENE_CLASS_RE = re.compile(r"^class\s+\w+\s*\([^)]*Scene[^)]*\)\s*:", re.MULTILINE)
MANIM_IMPORT_RE = re.compile(r"^\s*(from\s+manim\b|import\s+manim\b)", re.MULTILINE)
CODE_START_RE = re.compile(r"^(from\s+\w[\w.]*\s+import\b|import\s+\w|class\s+\w+|def\s+\w+|@\w|#|\"\"\"|''')")
PYTHON_LANGS = {"", "python", "py", "python3", "py3", "manim"}
# How many trailing lines of prose after unfenced code we are willing to trim to make it parse.
MAX_TRAILING_PROSE_LINES = 40

Kind = Literal["file", "edit", "none"]


@dataclass
class FencedBlock:
    """One fenced block of a reply: its language tag, body, and whether it was closed."""

    lang: str
    body: str
    closed: bool


@dataclass
class EditBlock:
    """One search/replace edit: replace the exact text `search` with `replace`."""

    search: str
    replace: str


@dataclass
class ParsedCode:
    """What a model reply amounts to.

    `code` is the complete resulting file (edits already applied) or None; `problem`, when set, is
    a message for the model saying what was wrong with its reply and what to send instead.
    `notes` are harmless observations kept for the run record.
    """

    kind: Kind
    code: str | None
    problem: str | None = None
    notes: list[str] = field(default_factory=list)
    edits: int = 0

    @property
    def ok(self) -> bool:
        return self.code is not None and self.problem is None


def normalize_text(text: str | None) -> str:
    """Unify newlines and drop a byte-order mark; models and providers produce both."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")


def fenced_blocks(text: str) -> list[FencedBlock]:
    """Every fenced block in `text`, in order; an unclosed last block is returned with closed=False."""
    blocks: list[FencedBlock] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        match = FENCE_RE.match(lines[i])
        if not match:
            i += 1
            continue
        fence, lang = match["fence"], match["lang"].lower()
        body: list[str] = []
        i += 1
        closed = False
        while i < len(lines):
            stripped = lines[i].strip()
            if stripped.startswith(fence[0] * len(fence)) and stripped.strip(fence[0]) == "":
                closed = True
                i += 1
                break
            body.append(lines[i])
            i += 1
        # A block indented under a list item or a quote is code all the same.
        blocks.append(FencedBlock(lang=lang, body=textwrap.dedent("\n".join(body)), closed=closed))
    return blocks


def parse_edit_blocks(text: str) -> tuple[list[EditBlock], str | None]:
    """Search/replace blocks in `text`, and a problem if one of them is malformed or cut off."""
    edits: list[EditBlock] = []
    state = "outside"
    search: list[str] = []
    replace: list[str] = []
    for line in text.split("\n"):
        if state == "outside":
            if SEARCH_RE.match(line):
                state, search, replace = "search", [], []
        elif state == "search":
            if DIVIDER_RE.match(line):
                state = "replace"
            elif SEARCH_RE.match(line) or REPLACE_RE.match(line):
                return edits, f"edit block {len(edits) + 1} has no `=======` line between SEARCH and REPLACE."
            else:
                search.append(line)
        elif state == "replace":
            if REPLACE_RE.match(line):
                edits.append(EditBlock("\n".join(search), "\n".join(replace)))
                state = "outside"
            elif SEARCH_RE.match(line):
                return edits, f"edit block {len(edits) + 1} is missing its `>>>>>>> REPLACE` line."
            else:
                replace.append(line)
    if state != "outside":
        return edits, (
            f"edit block {len(edits) + 1} was cut off before its `>>>>>>> REPLACE` line "
            "(the reply probably hit the length limit)."
        )
    return edits, None


def has_edit_markers(text: str) -> bool:
    return any(SEARCH_RE.match(line) for line in text.split("\n"))


def _strip_trailing(lines: list[str]) -> list[str]:
    return [line.rstrip() for line in lines]


def _find_line_window(source_lines: list[str], search_lines: list[str], key) -> list[int]:
    """Start indexes where `search_lines` matches `source_lines` after applying `key` to each line."""
    n = len(search_lines)
    wanted = [key(line) for line in search_lines]
    keyed = [key(line) for line in source_lines]
    return [i for i in range(len(keyed) - n + 1) if keyed[i : i + n] == wanted]


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _closest_excerpt(source_lines: list[str], search_lines: list[str]) -> str:
    """The window of the source that looks most like the failed search text, to show the model."""
    n = max(1, len(search_lines))
    target = "\n".join(line.strip() for line in search_lines)
    best_ratio, best_start = 0.0, 0
    for start in range(0, max(1, len(source_lines) - n + 1)):
        window = "\n".join(line.strip() for line in source_lines[start : start + n])
        ratio = difflib.SequenceMatcher(None, target, window, autojunk=False).ratio()
        if ratio > best_ratio:
            best_ratio, best_start = ratio, start
    if best_ratio < 0.4:
        return ""
    excerpt = "\n".join(source_lines[best_start : best_start + n])
    return f" The closest lines in the previous code (lines {best_start + 1}-{best_start + n}) are:\n{excerpt}"


def apply_edit(source: str, edit: EditBlock) -> tuple[str | None, str | None]:
    """Apply one edit to `source`: exact match first, then ignoring trailing and leading whitespace.

    Returns (new_source, None) or (None, reason). An edit that matches several places is refused,
    because guessing which one the model meant produces wrong code silently.
    """
    if not edit.search.strip():
        return None, "its SEARCH part is empty; copy the exact lines to replace into SEARCH."
    count = source.count(edit.search)
    if count == 1:
        return source.replace(edit.search, edit.replace, 1), None
    if count > 1:
        return None, f"its SEARCH text matches {count} places; add surrounding lines so it matches exactly one."
    source_lines = source.split("\n")
    search_lines = edit.search.split("\n")
    replace_lines = edit.replace.split("\n")
    # Models often drop or add trailing whitespace, or re-indent the whole block uniformly.
    for key in (str.rstrip, str.strip):
        starts = _find_line_window(source_lines, search_lines, key)
        if len(starts) > 1:
            return (
                None,
                f"its SEARCH text matches {len(starts)} places; add surrounding lines so it matches exactly one.",
            )
        if len(starts) == 1:
            start = starts[0]
            first_search = next((line for line in search_lines if line.strip()), "")
            first_source = next((line for line in source_lines[start : start + len(search_lines)] if line.strip()), "")
            old_indent, new_indent = _indent(first_search), _indent(first_source)
            shifted = []
            for line in replace_lines:
                if line.strip() and old_indent != new_indent and line.startswith(old_indent):
                    line = new_indent + line[len(old_indent) :]
                elif line.strip() and old_indent == "" and new_indent:
                    line = new_indent + line
                shifted.append(line)
            new_lines = source_lines[:start] + shifted + source_lines[start + len(search_lines) :]
            return "\n".join(new_lines), None
    return None, "its SEARCH text does not occur in the previous code." + _closest_excerpt(source_lines, search_lines)


def apply_edits(source: str, edits: list[EditBlock]) -> tuple[str | None, str | None]:
    """Apply every edit in order, all or nothing; returns (new_source, None) or (None, problem)."""
    current = source
    failures = []
    for number, edit in enumerate(edits, start=1):
        updated, reason = apply_edit(current, edit)
        if updated is None:
            failures.append(f"Edit block {number} of {len(edits)} did not apply: {reason}")
        else:
            current = updated
    if failures:
        return None, (
            "\n".join(failures)
            + "\nNo edit was applied. Resend all the edits with SEARCH parts copied exactly from the "
            "previous code, or send the complete corrected file in one ```python block."
        )
    return current, None


def syntax_problem(code: str) -> SyntaxError | None:
    try:
        ast.parse(code)
    except SyntaxError as exc:
        return exc
    except ValueError as exc:  # e.g. null bytes in the source
        return SyntaxError(str(exc))
    return None


def looks_cut_off(code: str) -> bool:
    """True when the code ends mid-construct, the signature of a reply that hit the length limit."""
    error = syntax_problem(code)
    if error is None:
        return False
    message = str(error.msg if hasattr(error, "msg") else error)
    last_line = len(code.rstrip("\n").split("\n"))
    at_end = error.lineno is not None and error.lineno >= last_line - 1
    return (
        "was never closed" in message
        or "EOF" in message
        or ("unterminated" in message and at_end)
        or (at_end and "expected an indented block" in message)
    )


def _unfenced_code(text: str, *, trim_to_parse: bool = True) -> tuple[str | None, list[str]]:
    """Code written without fences: from the first code-looking line, trimming prose after it.

    With `trim_to_parse`, unindented trailing lines that do not parse go too while a scene is left."""
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if CODE_START_RE.match(line)), None)
    if start is None:
        return None, []
    code_lines = lines[start:]
    notes = []
    if start:
        notes.append(f"dropped {start} line(s) of prose before the code")
    candidate = "\n".join(code_lines).rstrip() + "\n"
    if syntax_problem(candidate) is None:
        return candidate, notes
    last = len(code_lines)
    while last > 1 and (not code_lines[last - 1].strip() or _is_prose(code_lines[last - 1])):
        last -= 1
    sentences = sum(1 for line in code_lines[last:] if line.strip())
    shorter = "\n".join(code_lines[:last]).rstrip() + "\n"
    if sentences and syntax_problem(shorter) is None:
        notes.append(f"dropped {sentences} line(s) of prose after the code")
        return shorter, notes
    limit = min(MAX_TRAILING_PROSE_LINES, len(code_lines) - 1) if trim_to_parse else 0
    for trim in range(1, limit + 1):
        dropped = code_lines[-trim]
        if dropped[:1].isspace() and dropped.strip():
            break  # an indented line is code (of a class or function body), never prose after the code
        shorter = "\n".join(code_lines[:-trim]).rstrip() + "\n"
        if SCENE_CLASS_RE.search(shorter) and syntax_problem(shorter) is None:
            notes.append(f"dropped {trim} line(s) of prose after the code")
            return shorter, notes
    return candidate, notes


def _is_prose(line: str) -> bool:
    """A closing sentence after the code, not a (possibly broken) line of code."""
    if line[:1].isspace() or re.search(r"[=()\[\]{}]", line):
        return False
    return syntax_problem(line) is not None


def _choose_block(blocks: list[FencedBlock]) -> tuple[str | None, list[str]]:
    """The block holding the scene; several candidates means the model revised itself, so take the last."""
    python = [b for b in blocks if b.lang in PYTHON_LANGS]
    if not python:
        return None, []
    notes: list[str] = []
    with_scene = [b for b in python if SCENE_CLASS_RE.search(b.body)]
    if len(with_scene) == 1:
        chosen = with_scene[0]
    elif len(with_scene) > 1:
        complete = [b for b in with_scene if b.closed and syntax_problem(b.body) is None]
        chosen = (complete or with_scene)[-1]
        notes.append(f"the reply had {len(with_scene)} code blocks defining a scene; used the last complete one")
    else:
        joined = "\n\n".join(b.body for b in python)
        if len(python) > 1 and SCENE_CLASS_RE.search(joined):
            notes.append(f"joined {len(python)} code blocks that together form the file")
            return joined.strip("\n") + "\n", notes
        chosen = max(python, key=lambda b: len(b.body))
    earlier = python[: python.index(chosen)]
    if not MANIM_IMPORT_RE.search(chosen.body) and any(MANIM_IMPORT_RE.search(b.body) for b in earlier):
        # The imports (and helpers) came in their own block before the scene.
        notes.append(f"joined {len(earlier) + 1} code blocks that together form the file")
        return "\n\n".join(b.body.strip("\n") for b in earlier + [chosen]) + "\n", notes
    if len(python) > 1 and not notes:
        notes.append(f"the reply had {len(python)} code blocks; used the one defining the scene")
    return chosen.body.strip("\n") + "\n", notes


CUT_OFF_PROBLEM = (
    "Your reply was cut off before the code was complete (it hit the output length limit). "
    "Send a shorter answer: search/replace edits for the lines that must change, or a more compact scene."
)


def extract_code(
    text: str | None, *, previous: str | None = None, truncated: bool = False, trim_to_parse: bool = True
) -> ParsedCode:
    """Turn a model reply into the complete scene file, or a problem to send back to the model.

    `previous` is the code the reply should edit (repair mode); `truncated` is True when the
    provider reported finish_reason == "length". `trim_to_parse=False` is for a file, not a reply
    (the `fix` rule): unfenced code then loses only lines that read as prose, never broken code.
    """
    text = normalize_text(text)
    if not text.strip():
        return ParsedCode("none", None, "Your reply was empty. Reply with the complete scene in one ```python block.")
    if has_edit_markers(text):
        return _extract_edit(text, previous=previous, truncated=truncated)
    blocks = fenced_blocks(text)
    notes: list[str] = []
    if blocks:
        code, notes = _choose_block(blocks)
        if code is None:
            langs = ", ".join(sorted({b.lang or "untagged" for b in blocks}))
            return ParsedCode(
                "none",
                None,
                f"Your reply had code blocks ({langs}) but no Python. Send the scene in one ```python block.",
            )
        if any(not b.closed for b in blocks) and (truncated or looks_cut_off(code)):
            return ParsedCode("file", None, CUT_OFF_PROBLEM, notes)
    else:
        code, notes = _unfenced_code(text, trim_to_parse=trim_to_parse)
        if code is None:
            return ParsedCode(
                "none",
                None,
                "Your reply contained no Python code. Reply with the complete scene in one ```python block "
                "(or, when fixing earlier code, with search/replace edits).",
            )
        notes.append("the code was not fenced")
    if (truncated and syntax_problem(code) is not None) or looks_cut_off(code):
        return ParsedCode("file", None, CUT_OFF_PROBLEM, notes)
    if truncated:
        notes.append("the provider reported the length limit, but the code parses")
    return ParsedCode("file", code, None, notes)


def _extract_edit(text: str, *, previous: str | None, truncated: bool) -> ParsedCode:
    edits, problem = parse_edit_blocks(text)
    if previous is None or not previous.strip():
        return ParsedCode(
            "edit",
            None,
            "You sent search/replace edits, but there is no previous code to edit. Send the complete file.",
        )
    if problem:
        if truncated:
            problem += " " + CUT_OFF_PROBLEM
        return ParsedCode("edit", None, "Your edit could not be read: " + problem, edits=len(edits))
    if not edits:
        return ParsedCode("edit", None, "Your reply had edit markers but no complete edit block.")
    code, problem = apply_edits(previous, edits)
    return ParsedCode("edit", code, problem, edits=len(edits))


# --- structured answers (the scene description) ------------------------------------------------

_LATEX_ESCAPES = {"\x0c": "\\f", "\x08": "\\b", "\t": "\\t", "\r": "\\r", "\x07": "\\a", "\x0b": "\\v"}
# A JSON/YAML "\n" escape swallowed the backslash of \nabla, \neq, \nu ... when followed by letters.
_SWALLOWED_NEWLINE_RE = re.compile(
    r"\n(?=(abla|eq|u\b|u\s|u\}|ot|otin|ewline|leq|geq|i\b|i\s|exists|ormalsize|parallel))"
)


def repair_latex_escapes(latex: str) -> str:
    """Undo escape processing that turned LaTeX commands into control characters (\\frac -> form feed + 'rac')."""
    for char, escape in _LATEX_ESCAPES.items():
        latex = latex.replace(char, escape)
    return _SWALLOWED_NEWLINE_RE.sub(r"\\n", latex)


def _data_candidates(text: str) -> list[str]:
    blocks = fenced_blocks(text)
    preferred = [b.body for b in blocks if b.lang in {"yaml", "yml", "json", ""}]
    others = [b.body for b in blocks if b.lang not in {"yaml", "yml", "json", ""}]
    candidates = preferred + others
    if not blocks:
        candidates.append(text)
        brace = text.find("{")
        if brace > 0:
            candidates.append(text[brace : text.rfind("}") + 1])
    return candidates


_JSON_ESCAPE_RE = re.compile(r'\\(\\|"|/|u[0-9a-fA-F]{4}|[A-Za-z]+|.)', re.DOTALL)


def _escape_json_backslashes(text: str) -> str:
    r"""Double the backslash of LaTeX commands in JSON strings (\frac, \alpha); keep real JSON escapes."""

    def fix(match: re.Match[str]) -> str:
        token = match.group(1)
        if token == "\\" or token in {'"', "/"} or (token[0] == "u" and len(token) == 5 and token[1:].isalnum()):
            return match.group(0)
        if token.isalpha() and len(token) == 1 and token in "bfnrt":
            return match.group(0)
        return "\\\\" + token

    return _JSON_ESCAPE_RE.sub(fix, text)


_SINGLE_QUOTED_LINE = re.compile(r"^(?P<head>\s*(?:-\s+)?(?:[\w-]+:\s+)?)'(?P<body>.*)'(?P<tail>\s*)$")


def _requote_yaml(text: str) -> str:
    """Double stray single quotes inside single-quoted YAML scalars (f'(x) written as f'(x), not f''(x))."""
    fixed = []
    for line in text.split("\n"):
        match = _SINGLE_QUOTED_LINE.match(line)
        if match and re.search(r"(?<!')'(?!')", match["body"]):
            body = re.sub(r"(?<!')'(?!')", "''", match["body"])
            line = f"{match['head']}'{body}'{match['tail']}"
        fixed.append(line)
    return "\n".join(fixed)


def extract_data(text: str | None) -> tuple[dict[str, Any] | None, str | None]:
    """The first mapping found in a YAML or JSON reply, or (None, problem for the model)."""
    text = normalize_text(text)
    if not text.strip():
        return None, "Your reply was empty."
    errors = []
    for candidate in _data_candidates(text):
        for loader in ("yaml", "yaml+quotes", "json", "json+latex"):
            try:
                if loader == "yaml":
                    data = yaml.safe_load(candidate)
                elif loader == "yaml+quotes":
                    data = yaml.safe_load(_requote_yaml(candidate))
                elif loader == "json":
                    data = json.loads(candidate)
                else:
                    data = json.loads(_escape_json_backslashes(candidate))
            except (yaml.YAMLError, json.JSONDecodeError) as exc:
                errors.append(f"{loader}: {' '.join(str(exc).split())[:200]}")
                continue
            if isinstance(data, dict):
                return data, None
    detail = f" ({errors[0]})" if errors else ""
    return None, (
        "Your reply could not be read as the YAML scene description" + detail + ". Reply with exactly one "
        "```yaml block; put every LaTeX string in single quotes or a `|` block so backslashes stay literal."
    )
