"""The safety policy: what a scene may import and call before it is ever run.

Scenes come from an LLM, so the check refuses code that reaches the network, starts processes,
touches files outside its work directory, or pokes at interpreter internals. The sandbox is the
real boundary; this policy refuses early, with a reason the code writer can act on.

Imports are checked against an allowlist of top-level modules. A module on the known-dangerous
list is an "unsafe" error; any other unlisted module is an "import" error that `--allow-import
NAME` lifts (the dangerous list cannot be lifted). `os` and `sys` are allowed, but only a few of
their attributes.
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from manim_agent.tools.diagnosis import Finding
from manim_agent.tools.static.api_renames import MANIMGL_MODULES

if TYPE_CHECKING:
    from manim_agent.tools.static.source import ParsedSource

ALLOWED_MODULES = frozenset(
    "manim numpy math cmath random itertools functools collections dataclasses typing fractions "
    "decimal statistics string re copy colorsys enum abc operator heapq bisect textwrap scipy sympy "
    "networkx os sys time json __future__ typing_extensions PIL".split()
)

_NETWORK = "scenes run offline: put the data in the file instead of fetching it"
_PROCESS = "scenes cannot start or signal processes: compute the result in Python"
_FILES = "scenes may only read and write files in their own folder, with relative paths"
_INTERNALS = "scenes cannot reach the interpreter's internals: write the logic directly"
_GROUPS = {
    _NETWORK: "socket ssl http urllib urllib2 urllib3 requests httpx aiohttp ftplib smtplib telnetlib "
    "poplib imaplib nntplib xmlrpc socketserver webbrowser websocket websockets paramiko grpc boto3 "
    "botocore asyncio select selectors",
    _PROCESS: "subprocess multiprocessing concurrent pty pexpect sh plumbum signal _posixsubprocess "
    "posix nt _thread",
    _FILES: "shutil tempfile fcntl mmap",
    _INTERNALS: "ctypes cffi importlib imp builtins __builtin__ pickle marshal shelve dill cloudpickle "
    "code codeop inspect gc site runpy pkgutil zipimport trace pdb faulthandler tracemalloc resource "
    "termios tty pwd grp spwd crypt sysconfig",
}
DANGEROUS_MODULES: dict[str, str] = {m: why for why, mods in _GROUPS.items() for m in mods.split()}

OS_ALLOWED = frozenset({"path", "getcwd", "sep", "linesep", "name", "curdir", "pardir", "extsep", "fspath"})
_OS_REASONS = {
    _PROCESS: "system popen execl execle execlp execlpe execv execve execvp execvpe spawnl spawnle "
    "spawnlp spawnlpe spawnv spawnve spawnvp spawnvpe fork forkpty kill killpg posix_spawn "
    "posix_spawnp startfile abort _exit",
    _FILES: "remove unlink rmdir removedirs rename renames replace makedirs mkdir chmod chown "
    "truncate symlink link open write chdir",
    "the environment holds secrets such as API keys: pass values as constants in the file": "environ "
    "environb getenv getenvb putenv unsetenv",
}
OS_DANGEROUS: dict[str, str] = {a: why for why, attrs in _OS_REASONS.items() for a in attrs.split()}
SYS_ALLOWED = frozenset(
    "version version_info platform float_info maxsize setrecursionlimit getrecursionlimit int_info "
    "hexversion byteorder float_repr_style maxunicode stdout stderr".split()
)

BUILTIN_REASONS = {
    "eval": "runs code built from a string",
    "exec": "runs code built from a string",
    "compile": "builds code objects from strings",
    "__import__": "imports modules dynamically, around the import allowlist",
    "globals": "exposes the module's globals (and through them the builtins)",
    "breakpoint": "starts a debugger, which hangs a non-interactive render",
    "input": "waits for keyboard input, which a render never gets",
}
DUNDER_ATTRS = frozenset(
    "__subclasses__ __globals__ __builtins__ __bases__ __base__ __mro__ __code__ __closure__ "
    "__getattribute__ __loader__ __spec__ __reduce__ __reduce_ex__ __defaults__ __kwdefaults__ "
    "__objclass__ __import__ f_globals f_locals f_back f_builtins f_code gi_frame gi_code cr_frame "
    "cr_code ag_frame ag_code tb_frame tb_next co_code co_consts co_names".split()
)
DUNDER_NAMES = frozenset({"__builtins__", "__loader__", "__spec__"})
SENSITIVE_PATH_RE = re.compile(
    r"^~|(^|/)\.(ssh|env|aws|netrc|gnupg|git-credentials|docker|kube|pypirc|bash_history)\b|"
    r"/proc/[^/]+/(environ|mem|cmdline)|/etc/(shadow|gshadow|sudoers)|id_rsa|id_ed25519|^/root(/|$)"
)
WRITE_FUNCS = frozenset({"save", "savez", "savez_compressed", "savetxt", "tofile", "imsave", "write_text", "write_bytes"})
READ_FUNCS = frozenset({"load", "loadtxt", "genfromtxt", "fromfile", "ImageMobject", "SVGMobject", "imread"})
ATTR_GETTERS = frozenset({"getattr", "setattr", "delattr", "hasattr", "attrgetter", "methodcaller"})


def check_safety(ctx: ParsedSource, allow_imports: frozenset[str] = frozenset()) -> list[Finding]:
    """Every import and call in the file that the policy refuses, as "unsafe" / "import" findings."""
    findings: list[Finding] = []
    for node in ctx.of_type(ast.Import, ast.ImportFrom):
        findings += _check_import(ctx, node, allow_imports)
    for node in ctx.of_type(ast.Attribute):
        findings += _check_attribute(ctx, node)
    for node in ctx.of_type(ast.Name):
        if isinstance(node.ctx, ast.Load) and (node.id in DUNDER_NAMES or node.id in BUILTIN_REASONS or node.id == "vars"):
            findings += _check_name(ctx, node)
    for node in ctx.of_type(ast.Call):
        findings += _check_call(ctx, node)
    return findings


def _unsafe(ctx: ParsedSource, node: ast.AST, what: str, why: str, hint: str) -> Finding:
    return ctx.finding(node, "unsafe", f"refused: {what}: {why}", hint=hint, details={"refused": what})


def _check_import(ctx: ParsedSource, node: ast.Import | ast.ImportFrom, allow: frozenset[str]) -> list[Finding]:
    if isinstance(node, ast.ImportFrom) and node.level:
        message = "relative import: a scene is a single file and is not run as part of a package"
        return [ctx.finding(node, "import", message, hint="import from manim or the standard library only")]
    modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
    out: list[Finding] = []
    for module in modules:
        root = module.split(".")[0]
        if root in MANIMGL_MODULES:
            continue  # the API lint reports ManimGL code with the right hint
        if root in DANGEROUS_MODULES:
            out.append(_unsafe(ctx, node, f"import {module}", DANGEROUS_MODULES[root], _hint_for(root)))
        elif root not in ALLOWED_MODULES and root not in allow:
            message = f"import {module}: {root!r} is not on the allowlist of modules a scene may import"
            hint = f"use manim, numpy or the standard math modules; to allow it anyway: --allow-import {root}"
            if _not_installed(root):
                # `from params import *`, `from src.manim_base import TeachingScene`: the author's own files.
                taken = ", ".join(a.name for a in node.names if a.name != "*") if isinstance(node, ast.ImportFrom) else ""
                message = (f"import {module}: there is no module {root!r} here (it is not Manim, numpy or the standard "
                           f"library): it was a file of the scene author's own project")
                hint = (f"a scene is checked and rendered on its own: define what it takes from {root}"
                        f"{f' ({taken})' if taken else ''} in the scene file itself")
            if _never_used(ctx, node, module):
                # Published scenes often keep an import they never use (`import pathlib`): it can do nothing.
                message += "; it is never used, so it is only a warning"
                hint = f"remove the unused import ({hint})"
                out.append(ctx.finding(node, "import", message, hint=hint, severity="warning", details={"module": root}))
            else:
                out.append(ctx.finding(node, "import", message, hint=hint, details={"module": root}))
    if isinstance(node, ast.ImportFrom) and node.module in ("os", "sys"):
        for alias in node.names:
            reason = _module_attr_reason(node.module, alias.name)
            if reason:
                out.append(_unsafe(ctx, node, f"from {node.module} import {alias.name}", reason, _hint_for(node.module, alias.name)))
    return out


def _not_installed(root: str) -> bool:
    """True when no module `root` can be found on this machine (only the finders run; nothing is imported)."""
    import importlib.util

    try:
        return importlib.util.find_spec(root) is None
    except (ImportError, ValueError):
        return True


def _never_used(ctx: ParsedSource, node: ast.Import | ast.ImportFrom, module: str) -> bool:
    """True when no name this import binds is mentioned anywhere else in the file: not as a name,
    and not inside any string (which `globals()[...]`, `getattr` or `eval` could turn into a use)."""
    if isinstance(node, ast.Import):
        alias = next(a for a in node.names if a.name == module)
        bound = {alias.asname or alias.name.split(".")[0]}
    else:
        if any(a.name == "*" for a in node.names):
            return False
        bound = {a.asname or a.name for a in node.names}
    if any(n.id in bound for n in ctx.of_type(ast.Name)):
        return False
    strings = [c.value for c in ctx.of_type(ast.Constant) if isinstance(c.value, str)]
    return not any(name in text for name in bound for text in strings)


def _hint_for(module: str, attr: str | None = None) -> str:
    if module == "os":
        if attr in ("environ", "getenv", "environb", "getenvb", "putenv", "unsetenv"):
            return "write the value into the scene as a constant"
        return "use os.path for path handling and write files with open() and a relative path"
    if module == "sys":
        return f"only sys.{', sys.'.join(sorted(SYS_ALLOWED))} are allowed"
    why = DANGEROUS_MODULES.get(module, "")
    return {
        _NETWORK: "put any data the scene needs in the file itself",
        _PROCESS: "compute the values in Python inside construct()",
        _FILES: "read files in the scene's folder with open('name', 'r'); write with a relative path",
        _INTERNALS: "remove the import and write the logic directly",
    }.get(why, "remove the import")


def _module_attr_reason(module: str, attr: str) -> str | None:
    if module == "os":
        if attr in OS_ALLOWED or attr == "*":
            return None
        return OS_DANGEROUS.get(attr, "only os.path.* and os.getcwd() are allowed in scenes")
    if module == "sys":
        if attr in SYS_ALLOWED or attr == "*":
            return None
        if attr in ("modules", "_getframe", "settrace", "setprofile", "meta_path", "path_hooks", "addaudithook"):
            return "it reaches the interpreter's internals"
        return f"sys.{attr} is not on the list of sys attributes a scene may use"
    return None


def _check_attribute(ctx: ParsedSource, node: ast.Attribute) -> list[Finding]:
    if node.attr in DUNDER_ATTRS:
        why = "attribute chains through dunder and frame attributes are the classic sandbox escape"
        return [_unsafe(ctx, node, f".{node.attr}", why, "use the object's public API instead")]
    if isinstance(node.value, ast.Name):
        module = ctx.imports.get(node.value.id)
        if module in ("os", "sys") and node.value.id not in _rebound_names(ctx):
            reason = _module_attr_reason(module, node.attr)
            if reason:
                return [_unsafe(ctx, node, f"{module}.{node.attr}", reason, _hint_for(module, node.attr))]
    return []


def _rebound_names(ctx: ParsedSource) -> frozenset[str]:
    """Names the file binds other than by import (a local `os = ...` shadows the module)."""
    cached = getattr(ctx, "_safety_rebound", None)
    if cached is None:
        cached = frozenset(n.id for n in ctx.of_type(ast.Name) if isinstance(n.ctx, ast.Store))
        ctx._safety_rebound = cached  # type: ignore[attr-defined]
    return cached


def _check_name(ctx: ParsedSource, node: ast.Name) -> list[Finding]:
    name = node.id
    if name in DUNDER_NAMES:
        why = "it exposes the interpreter's builtins and import machinery"
        return [_unsafe(ctx, node, name, why, "remove it; scenes only need manim and numpy")]
    user_defined = name in ctx.bound_names
    if name in BUILTIN_REASONS and not user_defined:
        hint = "compute the value directly in Python" if name not in ("input", "breakpoint") else "remove the call"
        return [_unsafe(ctx, node, f"{name}()", BUILTIN_REASONS[name], hint)]
    if name == "vars" and not user_defined:
        parent = ctx.parents.get(node)
        if not (isinstance(parent, ast.Call) and parent.func is node and parent.args):
            why = "vars() without an argument exposes the local namespace"
            return [_unsafe(ctx, node, "vars()", why, "pass the object: vars(obj)")]
    return []


def _string_fragments(node: ast.AST) -> list[str]:
    """The literal text inside a string expression: a constant, an f-string's parts, or a + chain."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return [v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _string_fragments(node.left) + _string_fragments(node.right)
    return []


def _path_texts(node: ast.AST) -> list[str]:
    """Literal pieces of a path expression, in order: through f-strings, `+` and calls such as
    os.path.join("a", "b") or os.path.expanduser("~/.ssh")."""
    if isinstance(node, ast.Call):
        return [t for arg in node.args for t in _path_texts(arg)]
    if isinstance(node, ast.BinOp):
        return _path_texts(node.left) + _path_texts(node.right)
    return _string_fragments(node)


def _literal_string(node: ast.AST) -> str | None:
    """The full value if `node` is a string built only from literals, else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal_string(node.left), _literal_string(node.right)
        return left + right if left is not None and right is not None else None
    return None


def _call_arg(call: ast.Call, position: int, keyword: str) -> ast.expr | None:
    if len(call.args) > position and not any(isinstance(a, ast.Starred) for a in call.args[: position + 1]):
        return call.args[position]
    return next((k.value for k in call.keywords if k.arg == keyword), None)


def _check_call(ctx: ParsedSource, call: ast.Call) -> list[Finding]:
    func = call.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
    if name is None:
        return []
    if name in ATTR_GETTERS and (isinstance(func, ast.Attribute) or name not in ctx.bound_names):
        return _check_attr_getter(ctx, call, name)
    if name == "open" and isinstance(func, ast.Name) and "open" not in ctx.bound_names:
        return _check_open(ctx, call)
    if name in WRITE_FUNCS or name in READ_FUNCS:
        path = _call_arg(call, 0, "file") or _call_arg(call, 0, "fname")
        texts = _path_texts(path) if path is not None else []
        joined = "".join(texts)
        if any(SENSITIVE_PATH_RE.search(t) for t in texts):
            return [_unsafe(ctx, call, f"{name}({joined!r})", "the path points at secrets or system files", _hint_for("shutil"))]
        if name in WRITE_FUNCS and (joined.startswith(("/", "~")) or ".." in joined):
            why = "it writes outside the scene's work directory"
            return [_unsafe(ctx, call, f"{name}({joined!r})", why, "write to a relative path such as 'out.npy'")]
    return []


def _check_attr_getter(ctx: ParsedSource, call: ast.Call, name: str) -> list[Finding]:
    attr_pos = 0 if name in ("attrgetter", "methodcaller") else 1
    if len(call.args) <= attr_pos:
        return []
    target = call.args[attr_pos]
    fragments = _string_fragments(target)
    fragments.append("".join(fragments))  # "__glo" + "bals__"
    for fragment in fragments:
        for dunder in DUNDER_ATTRS:
            if dunder in fragment:
                why = "looking up dunder attributes by name is a sandbox escape"
                return [_unsafe(ctx, call, f"{name}(..., {dunder!r})", why, "use the object's public API instead")]
    if attr_pos == 1 and isinstance(call.args[0], ast.Name):
        module = ctx.imports.get(call.args[0].id)
        if module in ("os", "sys"):
            literal = _literal_string(target)
            if literal is None:
                why = f"a computed attribute of {module} can reach anything in it"
                return [_unsafe(ctx, call, f"{name}({module}, ...)", why, _hint_for(module))]
            reason = _module_attr_reason(module, literal)
            if reason:
                return [_unsafe(ctx, call, f"{module}.{literal}", reason, _hint_for(module, literal))]
    return []


def _check_open(ctx: ParsedSource, call: ast.Call) -> list[Finding]:
    path = _call_arg(call, 0, "file")
    mode_node = _call_arg(call, 1, "mode")
    if path is None:
        return []
    if isinstance(path, ast.Constant) and isinstance(path.value, int):
        return [_unsafe(ctx, call, f"open({path.value})", "it opens a raw file descriptor", "open a file by its relative name")]
    texts = _path_texts(path)
    if any(SENSITIVE_PATH_RE.search(t) for t in texts):
        shown = "".join(texts)
        why = "the path points at secrets or system files"
        return [_unsafe(ctx, call, f"open({shown!r})", why, "read only files that belong to the scene, by relative path")]
    mode = mode_node.value if isinstance(mode_node, ast.Constant) and isinstance(mode_node.value, str) else "r"
    writing = mode_node is not None and not isinstance(mode_node, ast.Constant) or any(c in mode for c in "wax+")
    prefix = texts[0] if texts and (isinstance(path, ast.Constant) or _starts_with_literal(path)) else ""
    if writing and (prefix.startswith(("/", "~")) or any(".." in t for t in texts)):
        why = "it writes outside the scene's work directory"
        return [_unsafe(ctx, call, f"open({''.join(texts)!r}, {mode!r})", why, "write to a relative path such as 'data.txt'")]
    return []


def _starts_with_literal(node: ast.AST) -> bool:
    if isinstance(node, ast.JoinedStr):
        return bool(node.values) and isinstance(node.values[0], ast.Constant)
    if isinstance(node, ast.BinOp):
        return _starts_with_literal(node.left)
    return isinstance(node, ast.Constant)
