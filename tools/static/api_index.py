"""An index of the installed Manim's public API, so the static API lint never imports manim.

Importing manim costs about 1.4 s, so the index is built once per Manim version, in a child
process (`python -m manim_agent.tools.static.api_index OUT.json`), and cached as JSON under
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

Loading is `load_index()` / `ApiIndex` (here); building is `api_index_build.build_index_data()`,
which only ever runs in the child process.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

SCHEMA = 3
# inspect.Parameter kinds, stored as their integer values.
POSITIONAL_ONLY, POSITIONAL_OR_KEYWORD, VAR_POSITIONAL, KEYWORD_ONLY, VAR_KEYWORD = range(5)
BUILD_TIMEOUT = 300.0

_LOADED: dict[str, ApiIndex | None] = {}
# Why the last build failed (the child's last stderr line), for the static stage's notes.
last_build_error: str | None = None


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
        self._own_cache: dict[str, frozenset[str]] = {}
        self._spec_cache: dict[tuple[str, str], CallableSpec | None] = {}

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

    def own_attributes(self, key: str) -> frozenset[str]:
        """Names class `key` itself defines (its __dict__ and `self.X = ...` in its source).
        Stored as one space-separated string and split on first use, which keeps loading fast."""
        cached = self._own_cache.get(key)
        if cached is None:
            cached = self._own_cache[key] = frozenset(self._classes[key]["a"].split())
        return cached

    def attributes(self, key: str) -> frozenset[str]:
        """Class attributes (dir) plus instance attributes assigned in the class source, over the MRO."""
        cached = self._attrs_cache.get(key)
        if cached is None:
            cached = self._attrs_cache[key] = frozenset().union(*(self.own_attributes(k) for k in self.mro(key)))
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
        cache_key = ("init", key)
        if cache_key not in self._spec_cache:
            self._spec_cache[cache_key] = _spec(self.class_name(key), self._classes[key].get("i"))
        return self._spec_cache[cache_key]

    def method(self, key: str, name: str) -> CallableSpec | None:
        """The signature of `name` as found along the MRO of class `key`."""
        cache_key = (key, name)
        if cache_key not in self._spec_cache:
            self._spec_cache[cache_key] = self._method(key, name)
        return self._spec_cache[cache_key]

    def _method(self, key: str, name: str) -> CallableSpec | None:
        for k in self.mro(key):
            cls = self._classes[k]
            if name in cls["f"]:
                return _spec(f"{cls['n']}.{name}", cls["f"][name])
            if name in self.own_attributes(k):
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
    if not path.exists():
        if not build:
            return None  # not cached: a later call with build=True may still build it
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
    import subprocess
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    # The child runs in an empty folder so a manim.cfg in the user's folder cannot change the API.
    with tempfile.TemporaryDirectory(prefix="manim-agent-index-") as cwd:
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "manim_agent.tools.sandbox.child.api_index_build", str(path)],
                cwd=cwd,
                capture_output=True,
                text=True,
                timeout=timeout,
                env={**os.environ, "PYTHONWARNINGS": "ignore"},
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            _set_build_error(f"{type(exc).__name__}: {exc}")
            return False
    if proc.returncode != 0 or not path.exists():
        lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        _set_build_error(lines[-1] if lines else f"exit status {proc.returncode}")
        return False
    return True


def _set_build_error(text: str) -> None:
    global last_build_error
    last_build_error = text
