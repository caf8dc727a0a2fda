"""Lint a scene against the installed Manim's API, using the cached index (no manim import).

What it flags (category "unknown_api" unless noted), each only when it is certain to fail:
- names that are defined nowhere: not in the file, not a builtin, not from `from manim import *`;
- `from manim import X` for an X that manim lacks; ManimGL imports (category "import");
- keywords a manim callable does not accept, and positional arguments beyond what it takes
  (category "bad_arguments"), for manim classes and functions, and for methods called on values
  whose type is known locally (`axes = Axes(...)`, `self` in a scene, `self.camera`);
- attributes missing from such values' class (`self.camera.frame` outside MovingCameraScene);
- on values of unknown type, only the renamed methods of ATTRIBUTE_RENAMES that exist on no
  manim class and nowhere in the file (`get_graph`).

False positives are worse than misses (the dry run catches the rest), so any doubt (a name bound
twice with different values, a class with an unknown base, `**kwargs` we could not follow)
means silence.
"""

from __future__ import annotations

import ast
import builtins
from functools import cached_property
from typing import TYPE_CHECKING

from manim_agent.tools.diagnosis import Finding
from manim_agent.tools.static.api_renames import (
    ATTRIBUTE_RENAMES,
    KEYWORD_RENAMES,
    MANIMGL_HINT,
    MANIMGL_MODULES,
    NAME_RENAMES,
)
from manim_agent.tools.static.scenes import ClassInfo, class_infos, in_file_chain

if TYPE_CHECKING:
    from manim_agent.tools.static.api_index import ApiIndex, CallableSpec
    from manim_agent.tools.static.source import ParsedSource

MODULE_DUNDERS = frozenset(
    "__name__ __file__ __doc__ __package__ __annotations__ __builtins__ __spec__ __loader__ "
    "__class__ __qualname__ __module__ __dict__ __path__ __cached__".split()
)
# Standard modules whose star-import names we can list cheaply (already loaded or tiny).
CHEAP_STAR_MODULES = frozenset(
    "math cmath random itertools functools collections typing string operator colorsys fractions "
    "decimal statistics copy enum dataclasses bisect heapq textwrap".split()
)
CONFLICT = ("conflict",)
# Nodes that open a scope or bind names in a way `_visit` handles specially.
_SCOPE_NODES = frozenset(
    {
        ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.ListComp, ast.SetComp,
        ast.GeneratorExp, ast.DictComp, ast.Assign, ast.AnnAssign, ast.Global, ast.Nonlocal,
        ast.Import, ast.ImportFrom,
    }
)
TypeRef = tuple[str, ...]  # ("manim", key) | ("self", class name)


def check_api(ctx: ParsedSource, index: ApiIndex | None) -> list[Finding]:
    """API findings for the file; without an index only the ManimGL import check runs."""
    findings = _check_manimgl(ctx)
    if index is not None:
        findings += _ApiLint(ctx, index).run()
    return findings


def _check_manimgl(ctx: ParsedSource) -> list[Finding]:
    out = []
    for node in ctx.of_type(ast.Import, ast.ImportFrom):
        modules = []
        if isinstance(node, ast.Import):
            modules = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            modules = [node.module or ""]
        if any(m.split(".")[0] in MANIMGL_MODULES for m in modules):
            out.append(ctx.finding(node, "import", f"{modules[0]} is ManimGL, not Manim Community Edition", hint=MANIMGL_HINT, fixable=True))
    return out


class _Scope:
    def __init__(self, kind: str, parent: _Scope | None) -> None:
        self.kind = kind
        self.parent = parent
        self.types: dict[str, TypeRef] = {}

    def bind(self, name: str, typ: TypeRef = CONFLICT) -> None:
        old = self.types.get(name)
        self.types[name] = typ if old is None or old == typ else CONFLICT


class _ApiLint:
    def __init__(self, ctx: ParsedSource, index: ApiIndex) -> None:
        self.ctx = ctx
        self.index = index
        self.findings: list[Finding] = []
        self.name_scope: dict[ast.Name, _Scope] = {}
        self.global_conflicts: set[str] = set()
        roots = [m.split(".")[0] for m in ctx.star_imports]
        self.manim_star = any(r == "manim" or r in MANIMGL_MODULES for r in roots) and all(
            m == "manim" or m.split(".")[0] in MANIMGL_MODULES or m in CHEAP_STAR_MODULES for m in ctx.star_imports
        )
        self.names_knowable = all(m == "manim" or m.split(".")[0] in MANIMGL_MODULES or m in CHEAP_STAR_MODULES for m in ctx.star_imports)
        self.extra_star: set[str] = set()
        for module in ctx.star_imports:
            if module in CHEAP_STAR_MODULES:
                import importlib

                mod = importlib.import_module(module)
                self.extra_star.update(getattr(mod, "__all__", [n for n in dir(mod) if not n.startswith("_")]))
        self.classes: dict[str, ClassInfo] = class_infos(ctx, index.scene_classes)

    # -- facts about the file ------------------------------------------------------------
    @cached_property
    def non_import_bound(self) -> frozenset[str]:
        """Names bound by anything other than an import (so they may shadow a manim name)."""
        import_counts: dict[str, int] = {}
        for node in self.ctx.of_type(ast.Import, ast.ImportFrom):
            for alias in node.names:
                key = alias.asname or alias.name.split(".")[0]
                import_counts[key] = import_counts.get(key, 0) + 1
        of = self.ctx.of_type
        other = {n.id for n in of(ast.Name) if not isinstance(n.ctx, ast.Load)}
        other.update(n.name for n in of(ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        other.update(n.arg for n in of(ast.arg))
        for node in of(ast.Global, ast.Nonlocal):
            other.update(node.names)
        # Imported twice (say, from manim and from elsewhere): which one wins is unclear.
        other.update(n for n, count in import_counts.items() if count > 1)
        # Match captures, except-as names and the like.
        other.update(self.ctx.bound_names - set(import_counts))
        return frozenset(other)

    @cached_property
    def file_attributes(self) -> frozenset[str]:
        """Attribute names the file itself creates: `x.a = ...`, class-body names, setattr(x, "a"),
        `mob.set(a=...)`. Such names are never reported as missing."""
        names: set[str] = set()
        for node in self.ctx.of_type(ast.Attribute, ast.ClassDef, ast.Call):
            if isinstance(node, ast.Attribute):
                if not isinstance(node.ctx, ast.Load):
                    names.add(node.attr)
            elif isinstance(node, ast.ClassDef):
                for stmt in node.body:
                    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                        names.add(stmt.name)
                    for sub in ast.walk(stmt) if isinstance(stmt, (ast.Assign, ast.AnnAssign)) else []:
                        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                            names.add(sub.id)
            elif isinstance(node, ast.Call):
                func = node.func
                fname = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                if fname == "setattr" and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant):
                    names.add(str(node.args[1].value))
                elif fname == "set":
                    names.update(k.arg for k in node.keywords if k.arg)
        return frozenset(names)

    @cached_property
    def dynamic_attributes(self) -> bool:
        """True when the file creates attributes under computed names (setattr(x, name, v),
        `obj.__dict__`): then no attribute is reported missing."""
        for node in self.ctx.of_type(ast.Call):
            if isinstance(node.func, ast.Name) and node.func.id == "setattr" and len(node.args) >= 2:
                if not isinstance(node.args[1], ast.Constant):
                    return True
        return any(n.attr == "__dict__" for n in self.ctx.of_type(ast.Attribute))

    @cached_property
    def opengl(self) -> bool:
        """The OpenGL renderer has other camera classes; `self.camera` is then left untyped."""
        return "opengl" in self.ctx.source.lower()

    @cached_property
    def self_attribute_types(self) -> dict[str, str]:
        """`self.axes = Axes(...)`: attribute -> class key, when every store of that attribute
        anywhere in the file is such an assignment of the same manim class."""
        found: dict[str, str | None] = {}
        for node in self.ctx.of_type(ast.Attribute):
            if isinstance(node.ctx, ast.Load):
                continue
            parent = self.ctx.parents.get(node)
            key = None
            if (
                isinstance(parent, ast.Assign)
                and node in parent.targets
                and isinstance(node.value, ast.Name)
                and node.value.id == "self"
                and isinstance(parent.value, ast.Call)
            ):
                ref = self.manim_ref(parent.value.func)
                key = ref[1] if ref and ref[0] == "class" else None
            if node.attr in found and found[node.attr] != key:
                key = None
            found[node.attr] = key
        return {a: k for a, k in found.items() if k is not None and a not in self._setattr_names}

    @cached_property
    def _setattr_names(self) -> frozenset[str]:
        names = set()
        for node in self.ctx.of_type(ast.Call):
            if isinstance(node.func, (ast.Name, ast.Attribute)):
                fname = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
                if fname in ("setattr", "set"):
                    names.update(k.arg for k in node.keywords if k.arg)
                    names.update(str(a.value) for a in node.args if isinstance(a, ast.Constant))
        return frozenset(names)

    def manim_ref(self, expr: ast.AST) -> tuple[str, str] | None:
        """("class", key) or ("function", name) when `expr` certainly names a manim export."""
        name = None
        if isinstance(expr, ast.Name):
            if expr.id in self.non_import_bound:
                return None
            target = self.ctx.imports.get(expr.id)
            if target is None:
                name = expr.id if self.manim_star else None
            elif target.startswith("manim.") and target.count(".") == 1:
                name = target[6:]
        elif isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
            if expr.value.id not in self.non_import_bound and self.ctx.imports.get(expr.value.id) == "manim":
                name = expr.attr
        if name is None:
            return None
        kind = self.index.star.get(name, "")
        if kind.startswith("class:"):
            return "class", kind[6:]
        if kind == "function":
            return "function", name
        return None

    # -- scopes and local types ----------------------------------------------------------
    def build_scopes(self) -> None:
        module = _Scope("module", None)
        self._visit_block(self.ctx.tree.body if self.ctx.tree is not None else [], module, None)

    def _visit_block(self, body: list[ast.stmt], scope: _Scope, cls: str | None) -> None:
        for stmt in body:
            self._visit(stmt, scope, cls)

    def _visit(self, node: ast.AST, scope: _Scope, cls: str | None) -> None:
        if isinstance(node, ast.Name):  # the most common node first: this walk is the lint's hot loop
            if isinstance(node.ctx, ast.Load):
                self.name_scope[node] = scope
            else:
                scope.bind(node.id)
            return
        if type(node) not in _SCOPE_NODES:
            if isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
                self.global_conflicts.add(node.target.id)  # a walrus binds in an enclosing scope
            elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
                scope.bind(node.name)
            for child in ast.iter_child_nodes(node):
                self._visit(child, scope, cls)
            return
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            for expr in [*node.args.defaults, *[d for d in node.args.kw_defaults if d]]:
                self._visit(expr, scope, cls)
            if not isinstance(node, ast.Lambda):
                scope.bind(node.name)
                for dec in node.decorator_list:
                    self._visit(dec, scope, cls)
            inner = _Scope("function", scope)
            params = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
            params += [a for a in (node.args.vararg, node.args.kwarg) if a]
            for arg in params:
                inner.bind(arg.arg)
            if scope.kind == "class" and cls and not isinstance(node, ast.Lambda) and params:
                decorators = {d.id for d in node.decorator_list if isinstance(d, ast.Name)}
                first = [*node.args.posonlyargs, *node.args.args][:1]
                if first and not decorators & {"staticmethod", "classmethod"}:
                    inner.types[first[0].arg] = ("self", cls)
            body = [node.body] if isinstance(node, ast.Lambda) else node.body
            for stmt in body:
                self._visit(stmt, inner, None)
            return
        if isinstance(node, ast.ClassDef):
            scope.bind(node.name)
            for expr in [*node.bases, *node.keywords, *node.decorator_list]:
                self._visit(expr, scope, cls)
            inner = _Scope("class", scope)
            top = scope.kind == "module" and node.name in self.classes and self.classes[node.name].node is node
            self._visit_block(node.body, inner, node.name if top else None)
            return
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            inner = _Scope("comprehension", scope)
            for i, gen in enumerate(node.generators):
                self._visit(gen.iter, scope if i == 0 else inner, cls)
                self._visit(gen.target, inner, cls)
                for cond in gen.ifs:
                    self._visit(cond, inner, cls)
            elts = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
            for elt in elts:
                self._visit(elt, inner, cls)
            return
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            self._visit(node.value, scope, cls)
            typ: TypeRef = CONFLICT
            if isinstance(node.value, ast.Call):
                ref = self.manim_ref(node.value.func)
                if ref and ref[0] == "class":
                    typ = ("manim", ref[1])
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    scope.bind(target.id, typ)
                else:
                    self._visit(target, scope, cls)  # tuple targets bind, attribute targets load
            return
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            self.global_conflicts.update(node.names)
            return
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name != "*":
                    scope.bind(alias.asname or alias.name.split(".")[0])
            return
        for child in ast.iter_child_nodes(node):  # an Assign/AnnAssign without a value
            self._visit(child, scope, cls)

    def resolve(self, name: ast.Name) -> TypeRef | None:
        if name.id in self.global_conflicts:
            return None
        scope = self.name_scope.get(name)
        first = True
        while scope is not None:
            if scope.kind == "class" and not first:
                scope = scope.parent
                continue
            if name.id in scope.types:
                typ = scope.types[name.id]
                return None if typ == CONFLICT else typ
            first = False
            scope = scope.parent
        return None

    def type_of(self, expr: ast.AST) -> TypeRef | None:
        if isinstance(expr, ast.Name):
            return self.resolve(expr)
        if isinstance(expr, ast.Call):
            ref = self.manim_ref(expr.func)
            return ("manim", ref[1]) if ref and ref[0] == "class" else None
        if isinstance(expr, ast.Attribute):
            owner = self.type_of(expr.value)
            if owner and owner[0] == "self":
                model = self.class_model(owner[1])
                if model is None:
                    return None
                keys, defines, chain = model
                camera_is_default = not self.opengl and "camera" not in defines
                if expr.attr == "camera" and camera_is_default and not any("__init__" in c.defines for c in chain):
                    cams = {self.index.camera_class(k) for k in keys} - {None}
                    if len(cams) == 1:
                        return ("manim", cams.pop(), "camera")  # type: ignore[return-value]
                key = self.self_attribute_types.get(expr.attr)
                if key and expr.attr not in defines:
                    return ("manim", key)
        return None

    def class_model(self, name: str) -> tuple[list[str], set[str], list[ClassInfo]] | None:
        """(manim base class keys, names the in-file chain defines, the chain) for a file class
        whose every base is known; None otherwise (then nothing is said about its attributes)."""
        chain = in_file_chain(self.classes, name)
        keys: list[str] = []
        defines: set[str] = set()
        for info in chain:
            defines |= info.defines
            for base in info.bases:
                if base is None:
                    return None
                kind, _, base_name = base.partition(":")
                if kind == "manim":
                    key = self.index.class_key(base_name)
                    if key is None or base_name in self.non_import_bound:
                        return None
                    keys.append(key)
                elif base_name not in self.classes:
                    return None
        if not keys or defines & {"__getattr__", "__getattribute__"}:
            return None
        return keys, defines, chain

    # -- checks --------------------------------------------------------------------------
    def run(self) -> list[Finding]:
        self.build_scopes()
        if self.names_knowable:
            self.check_names()
        for node in self.ctx.of_type(ast.ImportFrom):
            if node.module == "manim" and not node.level:
                self.check_manim_import(node)
        for node in self.ctx.of_type(ast.Attribute):
            if isinstance(node.ctx, ast.Load):
                self.check_attribute(node)
        for node in self.ctx.of_type(ast.Call):
            self.check_call(node)
        return self.findings

    def check_names(self) -> None:
        skip: set[ast.AST] = set()
        for node in self.ctx.of_type(ast.arg, ast.FunctionDef, ast.AsyncFunctionDef, ast.AnnAssign):
            annotations = []
            if isinstance(node, ast.arg):
                annotations.append(node.annotation)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                annotations.append(node.returns)
            elif isinstance(node, ast.AnnAssign):
                annotations.append(node.annotation)
            for ann in annotations:
                if ann is not None:
                    skip.update(ast.walk(ann))
        known = self.ctx.bound_names | set(dir(builtins)) | MODULE_DUNDERS | self.extra_star
        if self.manim_star:
            known |= set(self.index.star)
        seen: dict[str, list[ast.Name]] = {}
        for node in self.ctx.of_type(ast.Name):
            if isinstance(node.ctx, ast.Load) and node.id not in known and node not in skip:
                seen.setdefault(node.id, []).append(node)
        for name, nodes in seen.items():
            nodes.sort(key=lambda n: (n.lineno, n.col_offset))
            rename = NAME_RENAMES.get(name)
            fixable = False
            if rename:
                hint, fixable = rename.hint, rename.replacement is not None
            elif name in self.index.star:
                hint, fixable = f"{name} is part of manim: add `from manim import *` at the top", True
            else:
                pool = set(self.ctx.bound_names) | (set(self.index.star) if self.manim_star else set())
                hint = _did_you_mean(name, pool)
            message = f"name {name!r} is not defined" + (" in Manim CE" if rename else "")
            details = {"name": name, "lines": sorted({n.lineno for n in nodes})}
            if rename and rename.replacement:
                details["replacement"] = rename.replacement
            self.findings.append(self.ctx.finding(nodes[0], "unknown_api", message, hint=hint, fixable=fixable, details=details))

    def check_manim_import(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            if alias.name == "*" or alias.name in self.index.top_level:
                continue
            rename = NAME_RENAMES.get(alias.name)
            hint = rename.hint if rename else _did_you_mean(alias.name, self.index.top_level)
            fixable = bool(rename and rename.replacement)
            message = f"cannot import name {alias.name!r} from 'manim' (Manim {self.index.version})"
            self.findings.append(self.ctx.finding(node, "unknown_api", message, hint=hint, fixable=fixable, details={"name": alias.name}))

    def check_attribute(self, node: ast.Attribute) -> None:
        attr = node.attr
        if isinstance(node.value, ast.Name) and node.value.id not in self.non_import_bound:
            if self.ctx.imports.get(node.value.id) == "manim" and attr not in self.index.top_level:
                rename = NAME_RENAMES.get(attr)
                hint = rename.hint if rename else _did_you_mean(attr, self.index.top_level)
                self.findings.append(self.ctx.finding(node, "unknown_api", f"module 'manim' has no attribute {attr!r}", hint=hint))
                return
        if attr in self.file_attributes or (attr.startswith("get_") and attr[4:] in self.file_attributes):
            return
        if self.dynamic_attributes:
            return
        owner = self.type_of(node.value)
        if owner and owner[0] == "self" and self.class_model(owner[1]) is None:
            owner = None  # a class with an unknown base (GraphScene, a mixin): judge as unknown
        rename = ATTRIBUTE_RENAMES.get(attr)
        if owner is None:
            if rename and attr not in self.index.all_attributes:
                message = f"{attr!r} does not exist in Manim CE {self.index.version}"
                self.findings.append(self.ctx.finding(node, "unknown_api", message, hint=rename.hint, fixable=rename.replacement is not None))
            return
        if owner[0] == "manim":
            if self.index.has_attribute(owner[1], attr):
                return
            type_name = self.index.class_name(owner[1])
            public = [a for a in self.index.attributes(owner[1]) if not a.startswith("_")]
            subject = f"self.camera ({type_name})" if len(owner) > 2 else type_name
        else:
            model = self.class_model(owner[1])
            if model is None or attr in model[1] or any(self.index.has_attribute(k, attr) for k in model[0]):
                return
            bases = "/".join(self.index.class_name(k) for k in model[0])
            type_name, subject = owner[1], f"{owner[1]} (a {bases} subclass)"
            public = sorted({a for k in model[0] for a in self.index.attributes(k) if not a.startswith("_")} | model[1])
        hint = rename.hint if rename else _did_you_mean(attr, public)
        if attr == "frame" and len(owner) > 2 and "ThreeD" in type_name:
            hint = "ThreeDScene's camera has no frame: use self.set_camera_orientation(zoom=...) or self.move_camera(...)"
        message = f"{subject} has no attribute {attr!r}"
        fixable = bool(rename and rename.replacement)
        self.findings.append(self.ctx.finding(node, "unknown_api", message, hint=hint, fixable=fixable, details={"type": type_name, "attribute": attr}))

    def check_call(self, call: ast.Call) -> None:
        spec: CallableSpec | None = None
        ref = self.manim_ref(call.func)
        if ref and ref[0] == "class":
            spec = self.index.init(ref[1])
        elif ref:
            spec = self.index.function(ref[1])
        elif isinstance(call.func, ast.Attribute):
            method = call.func.attr
            if method in self.file_attributes:
                return
            owner = self.type_of(call.func.value)
            if owner and owner[0] == "manim":
                spec = self.index.method(owner[1], method)
            elif owner and owner[0] == "self":
                model = self.class_model(owner[1])
                if model and method not in model[1]:
                    spec = next((s for k in model[0] if (s := self.index.method(k, method))), None)
        if spec is not None:
            self._check_arguments(call, spec)

    def _check_arguments(self, call: ast.Call, spec: CallableSpec) -> None:
        shown = spec.name
        for kw in call.keywords:
            if kw.arg is None or spec.accepts_keyword(kw.arg):
                continue
            rename = KEYWORD_RENAMES.get(kw.arg)
            signature = spec.signature_text()
            if rename and rename.replacement and spec.accepts_keyword(rename.replacement):
                hint, fixable = f"{rename.hint}; signature: {signature}", True
            else:
                close = _close_matches(kw.arg, spec.keywords, n=2)
                hint = (f"did you mean {' or '.join(repr(c) for c in close)}? " if close else "") + f"signature: {signature}"
                fixable = False
            message = f"{shown}() got an unexpected keyword argument {kw.arg!r}"
            details = {"callable": shown, "keyword": kw.arg, "signature": signature}
            self.findings.append(self.ctx.finding(kw, "bad_arguments", message, hint=hint, fixable=fixable, details=details))
        if spec.var_positional or any(isinstance(a, ast.Starred) for a in call.args):
            return
        allowed, given = len(spec.positional), len(call.args)
        if given <= allowed:
            return
        extra = given - allowed
        kw_only = [p.name for p in spec.keyword_only]
        message = f"{shown}() takes {allowed} positional argument{'s' if allowed != 1 else ''} but {given} were given"
        if kw_only:
            names = kw_only[:extra]
            hint = (
                f"{', '.join(names)} {'is' if len(names) == 1 else 'are'} keyword-only in Manim {self.index.version}: "
                f"pass {', '.join(f'{n}=...' for n in names)}; signature: {spec.signature_text()}"
            )
            fixable = len(kw_only) >= extra
        else:
            hint, fixable = f"signature: {spec.signature_text()}", False
        details = {"callable": shown, "positional_given": given, "positional_allowed": allowed, "keyword_only": kw_only}
        self.findings.append(self.ctx.finding(call.args[allowed], "bad_arguments", message, hint=hint, fixable=fixable, details=details))


def _close_matches(name: str, pool: object, n: int = 3) -> list[str]:
    import difflib  # only needed when there is something to report

    return difflib.get_close_matches(name, list(pool), n=n, cutoff=0.75)  # type: ignore[call-overload]


def _did_you_mean(name: str, pool: object) -> str | None:
    close = _close_matches(name, pool)
    return f"did you mean {' or '.join(repr(c) for c in close)}?" if close else None
