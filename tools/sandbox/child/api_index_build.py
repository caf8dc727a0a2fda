"""Build the API index of the installed manim (see `api_index` for its layout and use).

This module imports manim, so it only runs in the child process that `api_index.build_index_file`
starts; the checking process never imports it.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from manim_agent.tools.static.api_index import (
    KEYWORD_ONLY,
    POSITIONAL_OR_KEYWORD,
    SCHEMA,
    index_path,
    installed_manim_version,
)


def build_index_data() -> dict[str, Any]:
    """Import manim and describe its public API (see the module docstring for the layout)."""
    import inspect
    import logging
    import pkgutil
    import warnings

    warnings.simplefilter("ignore")
    logging.disable(logging.CRITICAL)
    import manim

    namespace: dict[str, Any] = {}
    exec("from manim import *", namespace)  # the one reliable way to get star-import names
    namespace.pop("__builtins__", None)
    builder = _IndexBuilder()
    star: dict[str, str] = {}
    functions: dict[str, Any] = {}
    for name, obj in namespace.items():
        if inspect.isclass(obj):
            star[name] = "class:" + builder.add_class(obj)
        elif inspect.ismodule(obj):
            star[name] = "module"
        elif inspect.isfunction(obj) or inspect.isbuiltin(obj) or hasattr(obj, "__wrapped__"):
            star[name] = "function"
            functions[name] = builder.function_spec(obj, drop_first=False)
        else:
            star[name] = "value"
    top = set(dir(manim)) | {m.name for m in pkgutil.iter_modules(manim.__path__)}
    return {
        "version": getattr(manim, "__version__", "unknown"),
        "star": star,
        "top": sorted(top),
        "classes": builder.classes,
        "functions": functions,
    }


def _class_key(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


class _IndexBuilder:
    """Walks live manim classes and their source to produce the JSON records."""

    def __init__(self) -> None:
        import ast

        self.ast = ast
        self.classes: dict[str, dict[str, Any]] = {}
        self._trees: dict[str, Any] = {}
        self._functions_by_line: dict[str, dict[tuple[str, int], Any]] = {}
        self._kw_memo: dict[tuple[int, int], tuple[bool, frozenset[str]]] = {}
        self._in_progress: set[tuple[int, int]] = set()

    # -- source --------------------------------------------------------------------------
    def _tree(self, filename: str | None) -> Any:
        if not filename or not filename.endswith(".py"):
            return None
        if filename not in self._trees:
            try:
                self._trees[filename] = self.ast.parse(Path(filename).read_text(encoding="utf-8"))
            except (OSError, SyntaxError, UnicodeDecodeError):
                self._trees[filename] = None
        return self._trees[filename]

    def _function_node(self, func: Any) -> Any:
        import inspect

        func = inspect.unwrap(func)
        code = getattr(func, "__code__", None)
        if code is None:
            return None
        tree = self._tree(code.co_filename)
        if tree is None:
            return None
        table = self._functions_by_line.get(code.co_filename)
        if table is None:
            table = {}
            for node in self.ast.walk(tree):
                if isinstance(node, (self.ast.FunctionDef, self.ast.AsyncFunctionDef)):
                    table[(node.name, node.lineno)] = node
                    if node.decorator_list:
                        table[(node.name, node.decorator_list[0].lineno)] = node
            self._functions_by_line[code.co_filename] = table
        return table.get((func.__name__, code.co_firstlineno))

    def _class_node(self, cls: type) -> Any:
        module = sys.modules.get(cls.__module__)
        tree = self._tree(getattr(module, "__file__", None))
        if tree is None:
            return None
        body = tree.body
        node = None
        for part in cls.__qualname__.split("."):
            if part == "<locals>":
                return None
            node = next((n for n in body if isinstance(n, self.ast.ClassDef) and n.name == part), None)
            if node is None:
                return None
            body = node.body
        return node

    def _instance_attributes(self, cls: type) -> set[str]:
        """`self.X = ...` targets in the class's methods, and annotated class-body names."""
        ast = self.ast
        node = self._class_node(cls)
        if node is None:
            return set()
        names: set[str] = set()
        dynamic = False
        for item in node.body:
            if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                names.add(item.target.id)
            if not isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) or not item.args.args:
                continue
            self_name = item.args.args[0].arg
            for sub in ast.walk(item):
                if isinstance(sub, ast.Attribute) and isinstance(sub.ctx, ast.Store):
                    if isinstance(sub.value, ast.Name) and sub.value.id == self_name:
                        names.add(sub.attr)
                elif (
                    isinstance(sub, ast.Call)
                    and isinstance(sub.func, ast.Name)
                    and sub.func.id == "setattr"
                    and len(sub.args) >= 2
                ):
                    if isinstance(sub.args[1], ast.Constant) and isinstance(sub.args[1].value, str):
                        names.add(sub.args[1].value)
                    else:
                        dynamic = True
        if dynamic:
            # setattr(self, name, ...) with a computed name: any identifier-like string in the
            # class may be such an attribute, so count them all (over-approximating is safe).
            for sub in ast.walk(node):
                if isinstance(sub, ast.Constant) and isinstance(sub.value, str) and sub.value.isidentifier():
                    names.add(sub.value)
        return names

    # -- classes -------------------------------------------------------------------------
    def add_class(self, cls: type) -> str:
        import inspect

        key = _class_key(cls)
        if key in self.classes:
            return key
        record: dict[str, Any] = {"n": cls.__name__, "b": [_class_key(c) for c in cls.__mro__[1:]]}
        self.classes[key] = record  # registered first: the MRO walk below may come back here
        for base in cls.__mro__[1:]:
            self.add_class(base)
        attrs = set(cls.__dict__) | self._instance_attributes(cls)
        record["a"] = " ".join(sorted(a for a in attrs if isinstance(a, str)))
        record["i"] = self.init_spec(cls)
        methods: dict[str, Any] = {}
        if cls.__module__.startswith("manim"):
            for name, raw in cls.__dict__.items():
                if name.startswith("_"):
                    continue
                if isinstance(raw, staticmethod):
                    methods[name] = self.function_spec(raw.__func__, drop_first=False)
                elif isinstance(raw, classmethod):
                    methods[name] = self.function_spec(raw.__func__, drop_first=True)
                elif inspect.isfunction(raw):
                    methods[name] = self.function_spec(raw, drop_first=True, owner=cls, receiver=cls)
        record["f"] = methods
        if "__getattr__" in cls.__dict__:
            record["g"] = "mobject" if key == "manim.mobject.mobject.Mobject" else "open"
        init = cls.__dict__.get("__init__")
        if inspect.isfunction(init):
            try:
                camera = inspect.signature(init).parameters.get("camera_class")
            except (TypeError, ValueError):
                camera = None
            if camera is not None and inspect.isclass(camera.default):
                record["c"] = self.add_class(camera.default)
        return key

    def init_spec(self, cls: type) -> dict[str, Any]:
        """What `cls(...)` accepts, following **kwargs along the MRO and into other calls."""
        owner = next((c for c in cls.__mro__ if "__init__" in c.__dict__), object)
        if owner is object:
            # object.__init__ rejects arguments unless __new__ is overridden.
            return {"p": [], "o": 1} if cls.__new__ is not object.__new__ else {"p": []}
        return self.function_spec(owner.__dict__["__init__"], drop_first=True, owner=owner, receiver=cls)

    def function_spec(self, func: Any, *, drop_first: bool, owner: type | None = None, receiver: type | None = None) -> dict[str, Any]:
        import inspect

        try:
            params = list(inspect.signature(func).parameters.values())
        except (TypeError, ValueError):
            return {"p": [], "o": 1}
        if drop_first and params and params[0].kind in (params[0].POSITIONAL_ONLY, params[0].POSITIONAL_OR_KEYWORD):
            params = params[1:]
        is_open, accepted = self.keyword_acceptance(func, owner, receiver)
        own = {p.name for p in params}
        spec: dict[str, Any] = {"p": [[p.name, int(p.kind), _default_repr(p)] for p in params]}
        extra = sorted(accepted - own - {"self", "cls"})
        if extra:
            spec["x"] = extra
        if is_open:
            spec["o"] = 1
        return spec

    # -- following **kwargs --------------------------------------------------------------
    def keyword_acceptance(self, func: Any, owner: type | None, receiver: type | None) -> tuple[bool, frozenset[str]]:
        """(accepts any keyword, the keyword names accepted) for calling `func` on `receiver`."""
        import inspect

        memo_key = (id(func), id(receiver))
        if memo_key in self._kw_memo:
            return self._kw_memo[memo_key]
        if memo_key in self._in_progress:
            return True, frozenset()
        try:
            params = list(inspect.signature(func).parameters.values())
        except (TypeError, ValueError):
            return True, frozenset()
        names = {p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
        var_kw = next((p.name for p in params if p.kind == p.VAR_KEYWORD), None)
        if var_kw is None:
            result = (False, frozenset(names))
        else:
            node = self._function_node(func)
            if node is None:
                result = (True, frozenset(names))
            else:
                self._in_progress.add(memo_key)
                try:
                    is_open, extra = self._follow_kwargs(node, var_kw, func, owner, receiver)
                finally:
                    self._in_progress.discard(memo_key)
                result = (is_open, frozenset(names | extra))
        self._kw_memo[memo_key] = result
        return result

    def _follow_kwargs(self, node: Any, var_kw: str, func: Any, owner: type | None, receiver: type | None) -> tuple[bool, set[str]]:
        ast = self.ast
        parents = {child: parent for parent in ast.walk(node) for child in ast.iter_child_nodes(parent)}
        self_name = node.args.args[0].arg if node.args.args else None
        extra: set[str] = set()
        forwarded = False
        for sub in ast.walk(node):
            if not (isinstance(sub, ast.Name) and sub.id == var_kw):
                continue
            parent = parents.get(sub)
            if isinstance(parent, ast.keyword) and parent.arg is None:
                forwarded = True
                call = parents[parent]
                target = self._call_target(call.func, func, owner, receiver, self_name)
                if target is None:
                    return True, extra
                is_open, names = target
                if is_open:
                    return True, extra
                extra |= names
            elif isinstance(parent, ast.Attribute) and parent.attr in ("pop", "get", "setdefault", "update"):
                call = parents.get(parent)
                if isinstance(call, ast.Call) and call.args and isinstance(call.args[0], ast.Constant):
                    extra.add(str(call.args[0].value))
            elif isinstance(parent, ast.Subscript) and isinstance(parent.slice, ast.Constant):
                extra.add(str(parent.slice.value))
            elif isinstance(parent, ast.Compare):
                continue
            else:
                return True, extra  # iterated, copied or passed on as a dict: cannot follow
        # **kwargs that is never forwarded swallows any keyword silently.
        return (not forwarded), extra

    def _call_target(self, expr: Any, func: Any, owner: type | None, receiver: type | None, self_name: str | None) -> tuple[bool, frozenset[str]] | None:
        import builtins
        import inspect

        ast = self.ast
        scope = getattr(inspect.unwrap(func), "__globals__", {})

        def lookup(name: str) -> Any:
            return scope.get(name, getattr(builtins, name, None))

        def call_class(cls: Any) -> tuple[bool, frozenset[str]] | None:
            init = self.init_spec(cls)
            if init.get("o"):
                return True, frozenset()
            return False, frozenset([p[0] for p in init["p"] if p[1] in (POSITIONAL_OR_KEYWORD, KEYWORD_ONLY)] + init.get("x", []))

        def method_on(cls: type, start_after: type | None, name: str) -> tuple[bool, frozenset[str]] | None:
            mro = list(cls.__mro__)
            if start_after is not None and start_after in mro:
                mro = mro[mro.index(start_after) + 1 :]
            for klass in mro:
                if name in klass.__dict__:
                    raw = klass.__dict__[name]
                    raw = getattr(raw, "__func__", raw)
                    if klass is object and name == "__init__":
                        return False, frozenset()
                    if not inspect.isfunction(raw):
                        return None
                    return self.keyword_acceptance(raw, klass, cls)
            return None

        if isinstance(expr, ast.Attribute):
            value = expr.value
            if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "super":
                if receiver is None or owner is None:
                    return None
                return method_on(receiver, owner, expr.attr)
            if isinstance(value, ast.Name):
                if value.id == self_name and receiver is not None:
                    return method_on(receiver, None, expr.attr)
                obj = lookup(value.id)
                if inspect.isclass(obj) and receiver is not None and issubclass(receiver, obj):
                    return method_on(receiver, None, expr.attr) if expr.attr != "__init__" else method_on(obj, None, "__init__")
                if inspect.ismodule(obj):
                    target = getattr(obj, expr.attr, None)
                    if inspect.isclass(target):
                        return call_class(target)
                    if inspect.isfunction(target):
                        return self.keyword_acceptance(target, None, None)
            return None
        if isinstance(expr, ast.Name):
            obj = lookup(expr.id)
            if inspect.isclass(obj):
                return call_class(obj)
            if inspect.isfunction(obj):
                return self.keyword_acceptance(obj, None, None)
        return None


def _default_repr(param: Any) -> str | None:
    if param.default is param.empty:
        return None
    try:
        text = repr(param.default)
    except Exception:  # any object's __repr__ may raise; the default is only shown in hints
        return "..."
    return text if len(text) <= 40 else text[:37] + "..."


def main(argv: list[str] | None = None) -> int:
    """`python -m manim_agent.tools.sandbox.child.api_index_build [OUT.json]`: build the index (imports manim) and
    write it atomically; without OUT, into the cache for the installed manim."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1:
        print("usage: python -m manim_agent.tools.sandbox.child.api_index_build [OUT.json]", file=sys.stderr)
        return 2
    if args:
        out = Path(args[0])
    else:  # no argument: (re)build the cache for the installed manim, e.g. to warm it up
        version = installed_manim_version()
        if version is None:
            print("manim is not installed", file=sys.stderr)
            return 1
        out = index_path(version)
        print(out)
    data = build_index_data()
    data["schema"] = SCHEMA
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=".api-index-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, separators=(",", ":"))
    os.replace(tmp, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
