"""The parsed source every static check reads: one parse, one walk, and the shared lookups.

`ParsedSource` holds a scene file's text, tree and lines, the conversions between `ast` positions and
character offsets, and the lookups both the lints and the repairs use (the repairs' `SourceText`,
repairs/edits.py, adds only the edit builders). `bound_names_in` is the one rule for which names a
file binds (the lints use it to leave a user's own names alone, the repairs to not rename them).
"""

from __future__ import annotations

import ast
import bisect
import re
from collections.abc import Callable, Iterable
from functools import cached_property
from typing import Any

from manim_agent.tools.diagnosis import Category, Finding, Severity

NEWLINE_RE = re.compile(r"\r\n|\r|\n")


def split_lines(source: str) -> list[str]:
    """Lines as Python numbers them: only \n, \r\n and \r end a line (str.splitlines also
    splits on form feeds and Unicode separators, which would shift every later line number)."""
    return NEWLINE_RE.split(source)


def bound_names_in(of_type: Callable[..., list[Any]] | Iterable[ast.AST]) -> set[str]:
    """Every name a file binds anywhere, in any scope (assignments, defs, parameters, imports,
    loop/with/except targets, match captures, global/nonlocal declarations). Star imports bind
    nothing visible here, which is what the callers want.

    `of_type` is a `ParsedSource.of_type` lookup, or any iterable of nodes (e.g. `ast.walk(tree)`)."""
    if not callable(of_type):
        by_type: dict[type, list[ast.AST]] = {}
        for node in of_type:
            by_type.setdefault(type(node), []).append(node)

        def of_type(*types: type) -> list[Any]:  # the lookup built from the nodes
            return [n for t in types for n in by_type.get(t, [])]

    of = of_type
    names = {n.id for n in of(ast.Name) if not isinstance(n.ctx, ast.Load)}
    names.update(n.name for n in of(ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    names.update(n.arg for n in of(ast.arg))
    for node in of(ast.Import, ast.ImportFrom):
        names.update(a.asname or a.name.split(".")[0] for a in node.names if a.name != "*")
    for node in of(ast.Global, ast.Nonlocal):
        names.update(node.names)
    names.update(n.name for n in of(ast.ExceptHandler, ast.MatchAs, ast.MatchStar) if n.name)
    names.update(n.rest for n in of(ast.MatchMapping) if n.rest)
    type_var = getattr(ast, "TypeVar", None)  # Python 3.12 generics: class C[T]
    if type_var is not None:
        names.update(n.name for n in of(type_var, ast.ParamSpec, ast.TypeVarTuple))  # type: ignore[attr-defined]
    return names


class ParsedSource:
    """A parsed scene file plus the lookups every lint and repair shares: nodes by type and in source
    order, parents, import aliases, bound names, defined methods, and `ast` position <-> offset.

    The static checks pass the tree they parsed; the repairs' `SourceText` parses on first use, and
    its `tree` is None when the text does not parse (every node lookup is then empty)."""

    # What ends a line: Python's own rule. `SourceText` splits on "\n" only, like `tokenize`.
    LINE_BREAK = NEWLINE_RE

    def __init__(self, source: str, tree: ast.Module | None = None, filename: str = "scene.py") -> None:
        self.source = source
        if tree is not None:
            self.__dict__["tree"] = tree
        self.filename = filename
        self.lines = self.LINE_BREAK.split(source)

    @cached_property
    def tree(self) -> ast.Module | None:
        """The parse tree (parsed on first use when none was given), or None when the text is not valid Python."""
        try:
            return ast.parse(self.source)
        except (SyntaxError, ValueError):
            return None

    @property
    def text(self) -> str:
        """The source text (the repairs' name for `source`)."""
        return self.source

    @cached_property
    def parents(self) -> dict[ast.AST, ast.AST]:
        self._walk()
        return self.__dict__["parents"]

    def _walk(self) -> None:
        # One walk, shared by every lookup: the walks were most of the static stage's time.
        nodes: list[ast.AST] = [] if self.tree is None else [self.tree]
        parents: dict[ast.AST, ast.AST] = {}
        children = ast.iter_child_nodes
        for node in nodes:  # the list grows while we iterate: breadth-first, like ast.walk
            for child in children(node):
                parents[child] = node
                nodes.append(child)
        by_type: dict[type, list[ast.AST]] = {}
        for node in nodes:
            by_type.setdefault(type(node), []).append(node)
        self.__dict__.update(_walk_order=nodes, parents=parents, _by_type=by_type)

    def of_type(self, *types: type) -> list[Any]:
        """The nodes of the given AST types (walk order within each type)."""
        if "_by_type" not in self.__dict__:
            self._walk()
        by_type = self.__dict__["_by_type"]
        if len(types) == 1:
            return by_type.get(types[0], [])
        return [n for t in types for n in by_type.get(t, [])]

    @cached_property
    def imports(self) -> dict[str, str]:
        """Local name -> the dotted thing it refers to: `import numpy as np` gives np -> numpy,
        `from os import path as p` gives p -> os.path."""
        names: dict[str, str] = {}
        for node in self.of_type(ast.Import, ast.ImportFrom):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        names[alias.asname] = alias.name
                    else:
                        root = alias.name.split(".")[0]
                        names[root] = root
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    if alias.name != "*":
                        names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        return names

    @cached_property
    def bound_names(self) -> frozenset[str]:
        """Every name the file binds anywhere, in any scope: see `bound_names_in`."""
        return frozenset(bound_names_in(self.of_type))

    @cached_property
    def defined_methods(self) -> frozenset[str]:
        """Names of every function or method defined in the file."""
        return frozenset(n.name for n in self.of_type(ast.FunctionDef, ast.AsyncFunctionDef))

    @cached_property
    def all_nodes(self) -> list[ast.AST]:
        """Every node, in source order (walk order among nodes at the same position)."""
        if "_walk_order" not in self.__dict__:
            self._walk()
        walk = self.__dict__["_walk_order"]
        return sorted(walk, key=lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0)))

    def nodes(self, kind: type[ast.AST] | tuple[type[ast.AST], ...]) -> list[Any]:
        """Every node of the given type(s) or their subclasses, in source order."""
        return [n for n in self.all_nodes if isinstance(n, kind)]

    # --- ast positions and character offsets ----------------------------------------------------

    @cached_property
    def _starts(self) -> list[int]:
        return [0, *(match.end() for match in self.LINE_BREAK.finditer(self.source))]

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
        return self.source[start:end]

    def line_at(self, offset: int) -> int:
        """1-based line number of a character offset."""
        return bisect.bisect_right(self._starts, offset)

    def line_start(self, lineno: int) -> int:
        return self._starts[lineno - 1]

    @cached_property
    def star_imports(self) -> list[str]:
        return [node.module or "" for node in self.of_type(ast.ImportFrom) if any(a.name == "*" for a in node.names)]

    def dotted(self, node: ast.AST) -> str | None:
        """`np.linalg.norm` -> "numpy.linalg.norm" (import aliases resolved); None if not a plain chain."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        parts.append(self.imports.get(node.id, node.id))
        return ".".join(reversed(parts))

    def code_line(self, line: int | None) -> str | None:
        if line is None or not 1 <= line <= len(self.lines):
            return None
        return self.lines[line - 1].strip()

    def column(self, line: int, byte_col: int) -> int:
        """1-based character column from ast's 0-based UTF-8 byte offset."""
        if not 1 <= line <= len(self.lines):
            return byte_col + 1
        return len(self.lines[line - 1].encode("utf-8")[:byte_col].decode("utf-8", errors="replace")) + 1

    def finding(
        self,
        where: ast.AST | int | None,
        category: Category,
        message: str,
        *,
        hint: str | None = None,
        fixable: bool = False,
        severity: Severity = "error",
        details: dict[str, Any] | None = None,
    ) -> Finding:
        """A static finding located at an AST node (or a bare line number)."""
        line: int | None
        column: int | None = None
        if isinstance(where, ast.AST):
            line = getattr(where, "lineno", None)
            if line is not None:
                column = self.column(line, getattr(where, "col_offset", 0))
        else:
            line = where
        return Finding(
            stage="static",
            category=category,
            message=message,
            line=line,
            code_line=self.code_line(line),
            hint=hint,
            fixable=fixable,
            severity=severity,
            column=column,
            details=details or {},
        )
