"""The import rules, read from the source with `ast` (nothing is imported):

- only the sandbox's child side (tools/sandbox/child/) imports Manim; the library scenes are scenes;
- the layers point one way: base < llm < tools < agent < evals < front ends, even in function-level imports;
- no import cycles (type-only imports under `if TYPE_CHECKING:` never run, so they do not count there);
- every package folder is listed in pyproject.toml.
"""

from __future__ import annotations

import ast
import functools
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PACKAGE_DIRS: dict[str, str] = PYPROJECT["tool"]["setuptools"]["package-dir"]
# Scene files kept as data (the fault and layout corpora): they are Manim scenes, not package code.
DATA_DIRS = ("evals/faults", "evals/layout_defects")
MANIM = ("manim", "manimlib")  # Manim itself (doctor may probe its libraries: cairo, manimpango)
MAY_IMPORT_MANIM = ("manim_agent.tools.sandbox.child", "manim_agent.scenes")

BASE, LLM, TOOLS, AGENT, EVALS, FRONT = range(6)
LAYER_NAMES = ("base", "llm", "tools", "agent", "evals", "front end")
# manim_agent/*.py by what they are: the base modules everything may use, and the front ends.
BASE_MODULES = {"errors", "settings", "media", "process_tree", "notebook", "prompt_templates"}
FRONT_MODULES = {
    "manim_agent", "cli", "cli_common", "cli_embed", "cli_eval", "cli_make", "cli_sections", "commands_core",
    "demo", "doctor", "embed_jobs", "folder_check", "mcp_server", "web_ui",
}


def _modules() -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package (via pyproject's package-dir)."""
    found: dict[str, Path] = {}
    roots = sorted({(pkg, ROOT / folder) for pkg, folder in PACKAGE_DIRS.items() if "." not in pkg or pkg.count(".") == 1})
    for package, folder in roots:
        for path in sorted(folder.rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel.startswith(DATA_DIRS) or ".venv" in rel:
                continue
            parts = path.relative_to(folder).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            name = ".".join((package, *parts))
            if package == "manim_agent" and parts and parts[0] in {"tools", "agent", "evals", "scenes", "prompt_templates"}:
                continue  # those folders sit at the top level, not under manim_agent/
            found[name] = path
    return found


MODULES = _modules()


def _type_only_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


@functools.cache
def _imports(name: str, path: Path) -> list[tuple[str, int, bool]]:
    """(imported module, line, type-only) for every import of the file, at any depth."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only = _type_only_lines(tree)
    out: list[tuple[str, int, bool]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(alias.name, node.lineno, node.lineno in type_only) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
                for _ in range(node.level - 1):
                    package = package.rsplit(".", 1)[0]
                base = f"{package}.{base}" if base else package
            for alias in node.names:
                full = f"{base}.{alias.name}"
                out.append((full if full in MODULES else base, node.lineno, node.lineno in type_only))
    return out


def _own(target: str) -> str | None:
    """The package module an import refers to (the longest known prefix), or None if it is not ours."""
    while target:
        if target in MODULES:
            return target
        target = target.rpartition(".")[0]
    return None


def _layer(module: str) -> int:
    for prefix, layer in (("manim_agent.llm", LLM), ("manim_agent.tools", TOOLS), ("manim_agent.scenes", TOOLS),
                          ("manim_agent.agent", AGENT), ("manim_agent.evals", EVALS),
                          ("manim_agent.prompt_templates", BASE)):
        if module == prefix or module.startswith(prefix + "."):
            return layer
    short = module.removeprefix("manim_agent.")
    if short in BASE_MODULES:
        return BASE
    if short in FRONT_MODULES:
        return FRONT
    raise AssertionError(f"{module} belongs to no layer: add it to BASE_MODULES or FRONT_MODULES in {__file__}")


def _graph(*, runtime_only: bool) -> dict[str, set[tuple[str, int]]]:
    graph: dict[str, set[tuple[str, int]]] = {}
    for name, path in MODULES.items():
        edges = graph.setdefault(name, set())
        for target, line, type_only in _imports(name, path):
            own = _own(target)
            if own is None or own == name or (runtime_only and type_only):
                continue
            if MODULES[own].name == "__init__.py" and name.startswith(own + "."):
                continue  # a module's own package
            edges.add((own, line))
    return graph


def test_the_module_list_covers_the_package() -> None:
    for expected in ("manim_agent.cli", "manim_agent.llm.client", "manim_agent.tools.sandbox.child.worker",
                     "manim_agent.tools.static.checks", "manim_agent.agent.make", "manim_agent.evals.runner"):
        assert expected in MODULES, expected
    assert len(MODULES) > 100


def test_only_the_sandbox_child_imports_manim() -> None:
    offenders = [
        f"{name} line {line} imports {target}"
        for name, path in MODULES.items()
        if not name.startswith(MAY_IMPORT_MANIM)
        for target, line, type_only in _imports(name, path)
        if target.split(".")[0] in MANIM and not type_only
    ]
    assert not offenders, "only tools/sandbox/child may import Manim:\n" + "\n".join(offenders)


def test_layers_point_one_way() -> None:
    offenders = [
        f"{name} ({LAYER_NAMES[_layer(name)]}) line {line} imports {target} ({LAYER_NAMES[_layer(target)]})"
        for name, edges in _graph(runtime_only=False).items()
        for target, line in sorted(edges)
        if _layer(target) > _layer(name)
    ]
    assert not offenders, "an import goes up a layer (base < llm < tools < agent < evals < front ends):\n" + "\n".join(offenders)


def test_tools_never_import_agent_and_llm_imports_neither() -> None:
    graph = _graph(runtime_only=False)
    for name, edges in graph.items():
        for target, line in edges:
            if name.startswith("manim_agent.tools"):
                assert not target.startswith("manim_agent.agent"), f"{name} line {line} imports {target}"
            if name.startswith("manim_agent.llm"):
                assert not target.startswith(("manim_agent.tools", "manim_agent.agent")), f"{name} line {line} imports {target}"


def test_there_are_no_import_cycles() -> None:
    lines = _graph(runtime_only=True)
    graph = {name: {target for target, _ in edges} for name, edges in lines.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    report = [
        f"{name} line {line} imports {target}"
        for cycle in cycles
        for name in cycle
        for target, line in sorted(lines[name])
        if target in cycle
    ]
    assert not cycles, "import cycles (function-level imports count too):\n" + "\n".join(report)


def test_the_cycle_check_sees_function_level_imports(tmp_path: Path) -> None:
    source = "def f():\n    from manim_agent.agent import make\n"
    path = tmp_path / "x.py"
    path.write_text(source)
    assert ("manim_agent.agent.make", 2, False) in _imports("manim_agent.tools.x", path)


def test_every_package_folder_is_listed_in_pyproject() -> None:
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    for package, folder in PACKAGE_DIRS.items():
        assert package in listed, f"package-dir names {package} but [tool.setuptools] packages does not list it"
        assert (ROOT / folder / "__init__.py").exists(), f"package-dir's {package} -> {folder}/ has no __init__.py"
    by_folder = {folder: package for package, folder in PACKAGE_DIRS.items()}
    for init in sorted(ROOT.glob("*/**/__init__.py")):
        rel = init.parent.relative_to(ROOT).as_posix()
        if rel.startswith((".venv", ".uv", "tests", "build")) or rel.startswith(DATA_DIRS):
            continue
        top = max((f for f in by_folder if rel == f or rel.startswith(f + "/")), key=len, default=None)
        assert top is not None, f"{rel}/ is a package outside every package-dir of pyproject.toml"
        package = by_folder[top] + rel[len(top):].replace("/", ".")
        assert package in listed, f"{rel}/ ({package}) is a package but pyproject.toml does not list it"


def test_the_readme_layout_names_every_module() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme[readme.index("\n## Layout\n") + 1 :]
    layout = layout[: layout.index("\n## ")] if "\n## " in layout else layout
    missing = [
        name for name, path in MODULES.items()
        if path.name != "__init__.py" and path.name not in layout and not name.startswith("manim_agent.scenes.")
        and not name.startswith("manim_agent.evals.")
    ]
    assert not missing, "README's Layout section does not name: " + ", ".join(missing)
