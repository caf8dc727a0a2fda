"""Precise text edits on a scene's source, located with `ast` node positions.

The repairs never re-print a whole file with `ast.unparse`: that would drop the user's comments and
formatting. A rule finds nodes with `ast`, turns them into `Edit`s (a character range and its new
text) and `splice` applies them. This module holds that plumbing; the rules live in
`repair_rules.py` and `repair_latex.py`.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import cached_property


@dataclass(frozen=True)
class Edit:
    """Replace `text[start:end]` (character offsets) with `new`; `line` and `note` feed the report."""

    start: int
    end: int
    new: str
    line: int
    note: str


def parses(text: str) -> bool:
    """True if `text` is valid Python."""
    try:
        ast.parse(text)
    except (SyntaxError, ValueError):
        # ValueError: source with NUL bytes.
        return False
    return True


class SourceText:
    """A source string with its parse tree and conversions between `ast` positions and offsets."""

    def __init__(self, text: str) -> None:
        self.text = text
        # Split on "\n" only: the tokenizer does not treat \f or \x1c as line breaks, splitlines() does.
        self.lines = text.split("\n")
        self._starts = [0]
        for line in self.lines[:-1]:
            self._starts.append(self._starts[-1] + len(line) + 1)

    @cached_property
    def tree(self) -> ast.Module | None:
        """The parse tree, or None when the text is not valid Python."""
        try:
            return ast.parse(self.text)
        except (SyntaxError, ValueError):
            return None

    def offset(self, lineno: int, col_byte: int) -> int:
        """Character offset of an `ast` position (1-based line, UTF-8 byte column)."""
        line = self.lines[lineno - 1]
        col = len(line.encode("utf-8")[:col_byte].decode("utf-8", errors="ignore"))
        return self._starts[lineno - 1] + col

    def offset_chars(self, lineno: int, col: int) -> int:
        """Character offset of a `tokenize` position (1-based line, character column)."""
        return self._starts[lineno - 1] + col

    def span(self, node: ast.AST) -> tuple[int, int]:
        return (
            self.offset(node.lineno, node.col_offset),  # type: ignore[attr-defined]
            self.offset(node.end_lineno, node.end_col_offset),  # type: ignore[attr-defined]
        )

    def segment(self, node: ast.AST) -> str:
        start, end = self.span(node)
        return self.text[start:end]

    def line_at(self, offset: int) -> int:
        """1-based line number of a character offset."""
        return self.text.count("\n", 0, offset) + 1

    def line_start(self, lineno: int) -> int:
        return self._starts[lineno - 1]

    def nodes(self, kind: type[ast.AST] | tuple[type[ast.AST], ...]) -> list:
        """Every node of the given type(s), in source order; empty when the text does not parse."""
        if self.tree is None:
            return []
        found = [n for n in ast.walk(self.tree) if isinstance(n, kind)]
        return sorted(found, key=lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0)))

    # --- edit builders -------------------------------------------------------------------------

    def replace(self, node: ast.AST, new: str, note: str) -> Edit:
        start, end = self.span(node)
        return Edit(start, end, new, node.lineno, note)  # type: ignore[attr-defined]

    def insert(self, offset: int, new: str, note: str) -> Edit:
        return Edit(offset, offset, new, self.line_at(offset), note)

    def delete_argument(self, call: ast.Call, node: ast.AST, note: str) -> Edit:
        """Remove one argument (positional or keyword) of `call` together with its comma.

        An argument alone on its line(s) loses the whole line(s), so a one-argument-per-line call
        stays tidy; otherwise the comma after it (or, for the last argument, before it) goes too.
        """
        start, end = self.span(node)
        text = self.text
        line_begin = text.rfind("\n", 0, start) + 1
        after = re.match(r"[ \t]*,?[ \t]*(#[^\n]*)?\n", text[end:])
        if text[line_begin:start].strip() == "" and after:
            return Edit(line_begin, end + after.end(), "", node.lineno, note)  # type: ignore[attr-defined]
        comma_after = re.match(r"\s*,[ \t]*", text[end:])
        is_last = node is _ordered_arguments(call)[-1]
        if comma_after and not is_last:
            return Edit(start, end + comma_after.end(), "", node.lineno, note)  # type: ignore[attr-defined]
        before = re.search(r",\s*$", text[:start])
        if before and before.start() >= self.span(call)[0]:
            return Edit(before.start(), end, "", node.lineno, note)  # type: ignore[attr-defined]
        return Edit(start, end + (comma_after.end() if comma_after else 0), "", node.lineno, note)  # type: ignore[attr-defined]


def _ordered_arguments(call: ast.Call) -> list[ast.AST]:
    nodes: list[ast.AST] = [*call.args, *call.keywords]
    return sorted(nodes, key=lambda n: (n.lineno, n.col_offset))  # type: ignore[attr-defined]


def splice(text: str, edits: list[Edit]) -> tuple[str, list[Edit]]:
    """Apply non-overlapping edits; returns the new text and the edits actually used.

    When two edits overlap, the earlier one wins and the other is dropped: the rule runs again on
    the new text and picks it up then.
    """
    used: list[Edit] = []
    last_end = -1
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if edit.start < last_end or (used and edit.start == used[-1].start and edit.start == edit.end):
            continue
        if text[edit.start : edit.end] == edit.new:
            continue
        used.append(edit)
        last_end = max(last_end, edit.end)
    out = text
    for edit in reversed(used):
        out = out[: edit.start] + edit.new + out[edit.end :]
    return out, used


# --- small AST helpers shared by the rules ---------------------------------------------------------


def call_name(call: ast.Call) -> str | None:
    """`Foo` for `Foo(...)` and `foo` for `x.foo(...)`; None for anything else."""
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def keyword(call: ast.Call, name: str) -> ast.keyword | None:
    return next((k for k in call.keywords if k.arg == name), None)


def has_star_arguments(call: ast.Call) -> bool:
    return any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords)


def bound_names(tree: ast.AST) -> set[str]:
    """Names the file itself binds anywhere (assignments, defs, classes, imports, parameters).

    A rename must leave alone a name the user defined, e.g. their own `ShowCreation` helper.
    Star imports bind nothing visible here, which is what we want.
    """
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.alias) and node.name != "*":
            names.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return names


def defined_methods(tree: ast.AST) -> set[str]:
    """Names of every function or method defined in the file."""
    return {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}


def negate(expr_text: str, node: ast.expr) -> str:
    """Source text for `-expr`, adding parentheses only where precedence needs them."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return expr_text.strip()[1:].lstrip()
    if isinstance(node, (ast.Name, ast.Attribute, ast.Call, ast.Subscript, ast.Constant)):
        return f"-{expr_text}"
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)):
        text = expr_text.strip()
        return text[1:].lstrip() if text.startswith("-") else f"-{text}"
    return f"-({expr_text})"
