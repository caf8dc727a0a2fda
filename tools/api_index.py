"""An index of the installed Manim's public API, so the static API lint never imports manim.

Importing manim costs about 1.4 s, so the index is built once per Manim version, in a child
process (`python -m manim_agent.tools.api_index OUT.json`), and cached as JSON under
`settings.subdir("cache")`. Later runs only load the JSON (a few milliseconds).

The index holds:
- `star`: every name `from manim import *` binds, with its kind (class, function, module, value);
- `top`: every name `from manim import X` accepts (module attributes and subpackages);
- `classes`: for each exported class and everything on its MRO: the MRO, the attribute names it
  defines (its `__dict__` plus the `self.X = ...` assignments found in its source), its
  `__init__` signature and the signatures of its public methods. For a callable that takes
  `**kwargs`, the keywords it really accepts are resolved by following where the `**kwargs` go
  (`super().__init__(**kwargs)`, `ParametricFunction(..., **kwargs)`); if they go anywhere this
  cannot follow, the callable is marked open and accepts any keyword;
- `functions`: the same signature data for exported functions.

Loading is `load_index()` / `ApiIndex`; building is `build_index_data()` at the end of the module,
which only ever runs in the child process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

SCHEMA = 3
# inspect.Parameter kinds, stored as their integer values.
POSITIONAL_ONLY, POSITIONAL_OR_KEYWORD, VAR_POSITIONAL, KEYWORD_ONLY, VAR_KEYWORD = range(5)
BUILD_TIMEOUT = 300.0

_LOADED: dict[str, ApiIndex | None] = {}


@dataclass(frozen=True)
class Param:
    name: str
    kind: int
    default: str | None  # repr of the default; None when the parameter is required


@dataclass(frozen=True)
class CallableSpec:
    """What a manim callable accepts: its own parameters plus keywords its **kwargs forward to."""

    name: str
    params: tuple[Param, ...]
    extra_keywords: frozenset[str]
    open_keywords: bool  # **kwargs goes somewhere we could not follow: accept any keyword

    @property
    def var_positional(self) -> bool:
        return any(p.kind == VAR_POSITIONAL for p in self.params)

    @property
    def positional(self) -> list[Param]:
        return [p for p in self.params if p.kind in (POSITIONAL_ONLY, POSITIONAL_OR_KEYWORD)]

    @property
    def keyword_only(self) -> list[Param]:
        return [p for p in self.params if p.kind == KEYWORD_ONLY]

    def accepts_keyword(self, name: str) -> bool:
        if self.open_keywords or name in self.extra_keywords:
            return True
        return any(p.name == name and p.kind in (POSITIONAL_OR_KEYWORD, KEYWORD_ONLY) for p in self.params)

    @property
    def keywords(self) -> list[str]:
        own = [p.name for p in self.params if p.kind in (POSITIONAL_OR_KEYWORD, KEYWORD_ONLY)]
        return own + sorted(self.extra_keywords - set(own))

    def signature_text(self, limit: int = 8) -> str:
        """`Axes(x_range=None, y_range=None, ...)`: the first `limit` parameters, then an ellipsis."""
        parts: list[str] = []
        star_done = False
        for p in self.params:
            if p.kind == VAR_POSITIONAL:
                parts.append(f"*{p.name}")
                star_done = True
            elif p.kind == VAR_KEYWORD:
                parts.append(f"**{p.name}")
            else:
                if p.kind == KEYWORD_ONLY and not star_done:
                    parts.append("*")
                    star_done = True
                default = p.default if p.default is None or len(p.default) <= 30 else "..."
                parts.append(p.name if default is None else f"{p.name}={default}")
        if len(parts) > limit:
            parts = parts[:limit] + ["..."]
        return f"{self.name}({', '.join(parts)})"


def _spec(name: str, raw: dict[str, Any] | None) -> CallableSpec | None:
    if raw is None:
        return None
    return CallableSpec(
        name=name,
        params=tuple(Param(p[0], p[1], p[2]) for p in raw["p"]),
        extra_keywords=frozenset(raw.get("x", ())),
        open_keywords=bool(raw.get("o")),
    )


class ApiIndex:
    """Read-only view of the cached index; every lookup is by name and cheap."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.version: str = data["version"]
        self.star: dict[str, str] = data["star"]  # name -> "class:<key>" | "function" | "module" | "value"
        self.top_level: frozenset[str] = frozenset(data["top"])
        self._classes: dict[str, dict[str, Any]] = data["classes"]
        self._attrs_cache: dict[str, frozenset[str]] = {}

    # -- names -------------------------------------------------------------------------------
    def class_key(self, name: str) -> str | None:
        kind = self.star.get(name, "")
        return kind[6:] if kind.startswith("class:") else None

    def class_name(self, key: str) -> str:
        return self._classes[key]["n"]

    def function(self, name: str) -> CallableSpec | None:
        return _spec(name, self.data["functions"].get(name))

    # -- classes -----------------------------------------------------------------------------
    def mro(self, key: str) -> list[str]:
        return [key, *self._classes[key]["b"]]

    def is_subclass(self, key: str, base_key: str) -> bool:
        return base_key in self.mro(key)

    def attributes(self, key: str) -> frozenset[str]:
        """Class attributes (dir) plus instance attributes assigned in the class source, over the MRO."""
        cached = self._attrs_cache.get(key)
        if cached is None:
            names: set[str] = set()
            for k in self.mro(key):
                names.update(self._classes[k]["a"].split())
            cached = self._attrs_cache[key] = frozenset(names)
        return cached

    def getattr_hook(self, key: str) -> str | None:
        """"mobject" for Mobject's get_X/set_X fallback, "open" for any other __getattr__, else None."""
        for k in self.mro(key):
            hook = self._classes[k].get("g")
            if hook:
                return hook
        return None

    def has_attribute(self, key: str, attr: str) -> bool:
        if attr in self.attributes(key):
            return True
        hook = self.getattr_hook(key)
        if hook == "open":
            return True
        if hook == "mobject":
            # Mobject.__getattr__ turns set_X into a setter and get_X into a getter of X.
            return attr.startswith("set_") or (attr.startswith("get_") and attr[4:] in self.attributes(key))
        return False

    def init(self, key: str) -> CallableSpec | None:
        return _spec(self.class_name(key), self._classes[key].get("i"))

    def method(self, key: str, name: str) -> CallableSpec | None:
        """The signature of `name` as found along the MRO of class `key`."""
        for k in self.mro(key):
            cls = self._classes[k]
            if name in cls["f"]:
                return _spec(f"{cls['n']}.{name}", cls["f"][name])
            if name in cls["a"].split():
                return None  # defined here as something we hold no signature for
        return None

    def camera_class(self, key: str) -> str | None:
        for k in self.mro(key):
            cam = self._classes[k].get("c")
            if cam:
                return cam
        return None

    @cached_property
    def all_attributes(self) -> frozenset[str]:
        names: set[str] = set()
        for cls in self._classes.values():
            names.update(cls["a"].split())
        return frozenset(names)

    @cached_property
    def scene_classes(self) -> frozenset[str]:
        """Exported names of Scene subclasses (Scene, ThreeDScene, MovingCameraScene, ...)."""
        scene_key = self.class_key("Scene")
        out = set()
        for name in self.star:
            key = self.class_key(name)
            if key and scene_key and self.is_subclass(key, scene_key):
                out.add(name)
        return frozenset(out)


# -- locating and loading the cache ------------------------------------------------------------
def installed_manim_version() -> str | None:
    """The installed manim's version, read from its dist-info folder name (no import, ~1 ms).

    `importlib.metadata.version` would cost ~50 ms here, half the static check's budget.
    """
    import importlib.util

    spec = importlib.util.find_spec("manim")
    if spec is None or not spec.origin:
        return None
    site = Path(spec.origin).parent.parent
    for dist in site.glob("manim-*.dist-info"):
        return dist.name[len("manim-") : -len(".dist-info")]
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("manim")
    except PackageNotFoundError:
        return None


def index_path(version: str) -> Path:
    from manim_agent import settings

    return settings.subdir("cache") / f"manim-api-{version}-py{sys.version_info[0]}{sys.version_info[1]}-s{SCHEMA}.json"


def load_index(*, build: bool = True) -> ApiIndex | None:
    """The index of the installed manim, building it in a child process if it is not cached.

    Returns None when manim is not installed or the build fails; the API lint is then skipped.
    """
    version = installed_manim_version()
    if version is None:
        return None
    path = index_path(version)
    cache_key = str(path)
    if cache_key in _LOADED:
        return _LOADED[cache_key]
    if not path.exists() and build:
        build_index_file(path)
    index = None
    if path.exists():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("schema") == SCHEMA:
                index = ApiIndex(data)
        except (OSError, ValueError, KeyError):
            index = None
    _LOADED[cache_key] = index
    return index


def build_index_file(path: Path, timeout: float = BUILD_TIMEOUT) -> bool:
    """Build the index in a child process (manim is imported there, not here); True on success."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # The child runs in an empty folder so a manim.cfg in the user's folder cannot change the API.
    with tempfile.TemporaryDirectory(prefix="manim-agent-index-") as cwd:
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "manim_agent.tools.api_index", str(path)],
                cwd=cwd,
                capture_output=True,
                text=True,
                timeout=timeout,
                env={**os.environ, "PYTHONWARNINGS": "ignore"},
            )
        except (OSError, subprocess.TimeoutExpired):
            return False
    return proc.returncode == 0 and path.exists()


def main(argv: list[str] | None = None) -> int:
    """`python -m manim_agent.tools.api_index OUT.json`: build the index and write it atomically."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m manim_agent.tools.api_index OUT.json", file=sys.stderr)
        return 2
    out = Path(args[0])
    data = build_index_data()
    data["schema"] = SCHEMA
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=".api-index-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, separators=(",", ":"))
    os.replace(tmp, out)
    return 0


# -- building (runs only in the child process, where importing manim is fine) -----------------
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
    exec("from manim import *", namespace)  # noqa: S102 - the one reliable way to get star-import names
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
    except Exception:  # noqa: BLE001 - any object's __repr__ may raise; the default is only shown in hints
        return "..."
    return text if len(text) <= 40 else text[:37] + "..."


if __name__ == "__main__":
    raise SystemExit(main())
