"""Precise text edits on a scene's source, located with `ast` node positions.

The repairs never re-print a whole file with `ast.unparse`: that would drop the user's comments and
formatting. A rule finds nodes with `ast`, turns them into `Edit`s (a character range and its new
text) and `splice` applies them. This module holds that plumbing; the rules live beside it
(latex.py, names.py, kwargs.py, signatures.py, scene.py, scene_calls.py, assets.py).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import lru_cache

from manim_agent.tools.static.source import ParsedSource


@dataclass(frozen=True)
class Edit:
    """Replace `text[start:end]` (character offsets) with `new`; `line` and `note` feed the report."""

    start: int
    end: int
    new: str
    line: int
    note: str


@lru_cache(maxsize=16)
def source_text(text: str) -> SourceText:
    """A shared `SourceText` for `text`: the rules of one round mostly see the same text."""
    return SourceText(text)


def parses(text: str) -> bool:
    """True if `text` is valid Python (the parse is kept for the rules that look at it next)."""
    return source_text(text).tree is not None


class SourceText(ParsedSource):
    """The parsed source (`tools/static/source.py`) of a scene under repair, plus the edit builders.

    It takes text that may not parse (`tree` is then None), and splits lines on "\n" only: the
    tokenizer the string rules use does not treat \r, \f or \x1c as line breaks."""

    LINE_BREAK = re.compile("\n")

    # --- edit builders -------------------------------------------------------------------------

    def replace(self, node: ast.AST, new: str, note: str) -> Edit:
        start, end = self.span(node)
        return Edit(start, end, new, node.lineno, note)  # type: ignore[attr-defined]

    def insert(self, offset: int, new: str, note: str) -> Edit:
        return Edit(offset, offset, new, self.line_at(offset), note)

    def delete_argument(self, call: ast.Call, node: ast.AST, note: str) -> Edit:
        """Remove one argument (positional or keyword) of `call` together with its comma."""
        siblings = sorted([*call.args, *call.keywords], key=lambda n: (n.lineno, n.col_offset))  # type: ignore[attr-defined]
        return self.delete_item(self.span(node), [self.span(n) for n in siblings], self.span(call)[0], note)

    def delete_dict_item(self, mapping: ast.Dict, index: int, note: str) -> Edit:
        """Remove the `key: value` pair at `index` of a dict display together with its comma."""
        spans = [(self.span(k)[0], self.span(v)[1]) for k, v in zip(mapping.keys, mapping.values) if k is not None]
        return self.delete_item(spans[index], spans, self.span(mapping)[0], note)

    def delete_item(self, item: tuple[int, int], siblings: list[tuple[int, int]], container_start: int, note: str) -> Edit:
        """Remove one element of a comma-separated list (call arguments, dict items).

        An element alone on its line(s) loses the whole line(s), so a one-item-per-line layout stays
        tidy; otherwise the comma after it (or, for the last element, before it) goes too.
        """
        start, end = item
        text = self.text
        line = self.line_at(start)
        line_begin = text.rfind("\n", 0, start) + 1
        after = re.match(r"[ \t]*,?[ \t]*(#[^\n]*)?\n", text[end:])
        if text[line_begin:start].strip() == "" and after:
            return Edit(line_begin, end + after.end(), "", line, note)
        comma_after = re.match(r"\s*,[ \t]*", text[end:])
        is_last = item == max(siblings)
        if comma_after and not is_last:
            if text[end + comma_after.end() : end + comma_after.end() + 1] in ("\n", "#"):
                # The element ends its line: take the blanks before it, or they would trail.
                while start > line_begin and text[start - 1] in " \t":
                    start -= 1
                return Edit(start, end + comma_after.end() - len(comma_after.group().split(",")[1]), "", line, note)
            return Edit(start, end + comma_after.end(), "", line, note)
        before = re.search(r",\s*$", text[container_start:start])
        if before:
            return Edit(container_start + before.start(), end, "", line, note)
        return Edit(start, end + (comma_after.end() if comma_after else 0), "", line, note)


def splice(text: str, edits: list[Edit]) -> tuple[str, list[Edit]]:
    """Apply non-overlapping edits; returns the new text and the edits actually used.

    When two edits overlap, the earlier one wins and the other is dropped: the rule runs again on
    the new text and picks it up then.
    """
    used: list[Edit] = []
    last_end = -1
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if text[edit.start : edit.end] == edit.new:
            continue
        if used and edit.start < last_end and edit.new == "" and used[-1].new == "":
            # Two deletions that touch (neighbouring arguments) merge into one.
            previous = used[-1]
            start, end = previous.start, max(previous.end, edit.end)
            if text[end : end + 1] in ("\n", "#", ""):
                while start > 0 and text[start - 1] in " \t":
                    start -= 1
            used[-1] = Edit(start, end, "", previous.line, previous.note or edit.note)
            last_end = max(last_end, edit.end)
            continue
        if edit.start < last_end or (used and edit.start == used[-1].start and edit.start == edit.end):
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
