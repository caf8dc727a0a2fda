"""The safety policy: refused imports and calls, each with a reason and a way out; allowed code passes."""

from __future__ import annotations

import textwrap

import pytest

from manim_agent.tools.static.checks import run_static_checks

HEADER = "from manim import *\n"


def findings(body: str, **kw):
    """Findings of the safety categories for `body` placed inside a scene's construct()."""
    source = HEADER + "\nclass A(Scene):\n    def construct(self):\n" + textwrap.indent(textwrap.dedent(body), " " * 8)
    result = run_static_checks(source, api_lint=False, **kw)
    return [f for f in result.findings if f.category in ("unsafe", "import")]


def module_findings(source: str, **kw):
    result = run_static_checks(HEADER + textwrap.dedent(source), api_lint=False, **kw)
    return [f for f in result.findings if f.category in ("unsafe", "import")]


# Code inside construct() starts on line 5; the refused code is each body's last line.
UNSAFE_BODIES = [
    "import subprocess",
    "import socket",
    "from urllib.request import urlopen",
    "import requests",
    "import ctypes",
    "import shutil",
    "import importlib",
    "import builtins",
    "import pickle",
    "import multiprocessing",
    "import os\nos.system('ls')",
    "import os\nos.popen('ls')",
    "import os\nos.execv('/bin/sh', [])",
    "import os\nos.remove('x')",
    "import os\nkey = os.environ['OPENAI_API_KEY']",
    "import os\nkey = os.getenv('HOME')",
    "import os as o\no.system('ls')",
    "from os import system",
    "from os import environ as env",
    "import sys\nsys.modules['x'] = None",
    "import sys\nf = sys._getframe()",
    "eval('1 + 1')",
    "exec('x = 1')",
    "compile('1', 'f', 'eval')",
    "__import__('os')",
    "g = globals()",
    "v = vars()",
    "breakpoint()",
    "name = input()",
    "e = eval",
    "open('/etc/x.txt', 'w')",
    "open('../escape.txt', 'a')",
    "open('~/.ssh/id_rsa')",
    "open('.env')",
    "open('/proc/self/environ')",
    "open('/etc/shadow')",
    "open(0)",
    "x = ().__class__.__bases__",
    "f = (lambda: 0).__globals__",
    "c = object.__subclasses__()",
    "t = Circle().__init__.__code__",
    "getattr(Circle, '__globals__')",
    "getattr(Circle, '__glo' + 'bals__')",
    "b = __builtins__",
    "import numpy as np\nnp.save('/tmp/x.npy', np.zeros(3))",
]


@pytest.mark.parametrize("body", UNSAFE_BODIES)
def test_refused(body: str) -> None:
    found = findings(body)
    assert found, f"not refused: {body!r}"
    first = found[0]
    assert first.category == "unsafe" and first.severity == "error"
    assert first.line == 4 + len(body.splitlines())
    assert first.message.startswith("refused: ") and first.hint
    assert first.details["refused"] in first.message
    assert first.code_line and first.column


def test_refused_lines_and_aliases() -> None:
    found = module_findings(
        """\
        import os as operating_system
        from os import path, system as run_it
        import subprocess as sp


        class A(Scene):
            def construct(self):
                operating_system.system("ls")
                run_it("ls")
                operating_system.path.join("a", "b")
        """
    )
    assert [(f.category, f.line, f.details["refused"]) for f in found] == [
        ("unsafe", 3, "from os import system"),
        ("unsafe", 4, "import subprocess"),
        ("unsafe", 9, "os.system"),
    ]


ALLOWED_BODIES = [
    "import numpy as np\nx = np.linspace(0, 1, 5)",
    "import math, cmath, random, itertools, functools, collections, fractions, statistics",
    "import os\np = os.path.join(os.getcwd(), 'data.csv')",
    "from os.path import join, exists\nok = exists(join('a', 'b'))",
    "from os import path\nok = path.exists('x')",
    "import sys\nv = sys.version_info >= (3, 10)\nsys.setrecursionlimit(5000)",
    "import time\ntime.sleep(0)",
    "import json\nd = json.loads('{}')",
    "from PIL import Image",
    "import scipy.integrate\nimport sympy\nimport networkx as nx",
    "from dataclasses import dataclass\nfrom typing import Callable\nfrom enum import Enum",
    "with open('notes.txt', 'w') as fh:\n    fh.write('ok')",
    "with open('data/values.csv') as fh:\n    rows = fh.read()",
    "with open('/usr/share/dict/words') as fh:\n    words = fh.read()",
    "import re\npattern = re.compile(r'\\d+')",
    "name = type(self).__name__\nqual = self.__class__.__qualname__",
    "items = sorted(vars(self).items())",
    "value = getattr(self, 'camera', None)",
    "import numpy as np\nnp.save('out.npy', np.zeros(3))",
]


@pytest.mark.parametrize("body", ALLOWED_BODIES)
def test_allowed(body: str) -> None:
    assert [f.to_json() for f in findings(body)] == []


def test_user_defined_names_shadow_builtins() -> None:
    source = """\
    def compile(parts):
        return VGroup(*parts)


    def input(x):
        return x


    class A(Scene):
        def construct(self):
            self.add(compile([Circle()]), input(Square()))
    """
    assert module_findings(source) == []


def test_unlisted_module_is_an_import_error_that_allow_import_lifts() -> None:
    [finding] = findings("import pathlib\nhome = pathlib.Path('a')")  # used (an unused one only warns)
    assert (finding.category, finding.severity, finding.line) == ("import", "error", 5)
    assert "not on the allowlist" in finding.message and "--allow-import pathlib" in (finding.hint or "")
    assert findings("import pathlib\nhome = pathlib.Path('a')", allow_imports=["pathlib"]) == []
    # The dangerous list cannot be lifted.
    [still] = findings("import subprocess", allow_imports=["subprocess"])
    assert still.category == "unsafe"


def test_relative_import_and_manimgl_are_left_to_their_own_messages() -> None:
    [relative] = module_findings("from . import helpers\n")
    assert relative.category == "import" and "relative import" in relative.message
    # ManimGL imports are reported once, with the ManimGL hint, not as "not on the allowlist".
    [manimgl] = module_findings("from manimlib import *\n")
    assert manimgl.category == "import" and manimgl.fixable
    assert manimgl.hint == "this is ManimGL code; use `from manim import *` (Manim Community Edition)"


def test_unknown_os_and_sys_attributes_are_refused_with_the_allowed_list() -> None:
    [listing] = findings("import os\nfiles = os.listdir('.')")
    assert listing.category == "unsafe" and "os.path" in listing.message
    [argv] = findings("import sys\nargs = sys.argv")
    assert argv.category == "unsafe" and "sys.version" in (argv.hint or "")
    [dynamic] = findings("import os\nname = 'system'\nf = getattr(os, name)")
    assert dynamic.category == "unsafe" and dynamic.line == 7


# Published scenes often keep an import they never use; it can do nothing, so it only warns.
def test_an_unused_import_off_the_allowlist_is_only_a_warning() -> None:
    found = module_findings("import pathlib\nfrom pathlib import Path as P\nimport yaml.constructor\n")
    assert [f.severity for f in found] == ["warning", "warning", "warning"]
    assert all("never used" in f.message and f.hint and f.hint.startswith("remove the unused import") for f in found)


@pytest.mark.parametrize(
    "source",
    [
        "import pathlib\nx = pathlib.Path('a')\n",  # used as a name
        "from pathlib import Path\nx = Path('a')\n",
        "import pathlib as p\ny = [p]\n",
        "import pathlib as p\nq = globals()['p']\n",  # reached through a string
        "import pathlib as p\nq = eval('p')\n",
        "from pathlib import *\n",  # a star import binds what it likes
    ],
)
def test_a_used_import_off_the_allowlist_stays_an_error(source: str) -> None:
    found = [f for f in module_findings(source) if f.category == "import"]
    assert found and all(f.severity == "error" for f in found)


def test_an_unused_dangerous_import_stays_an_error() -> None:
    found = module_findings("import subprocess\n")
    assert [(f.category, f.severity) for f in found] == [("unsafe", "error")]


def test_an_import_of_the_authors_own_module_says_so() -> None:
    # dodoleonarnci/manim-agent: `from params import (...)`, a params.py beside the scene on the author's machine
    source = "from manim import *\nfrom params import TITLE_SIZE, SPIRAL_COLOR\n\nclass A(Scene):\n    def construct(self):\n        self.add(Text('x', font_size=TITLE_SIZE))\n"
    [finding] = [f for f in run_static_checks(source).findings if f.category == "import"]
    assert finding.severity == "error" and "there is no module 'params' here" in finding.message
    assert "define what it takes from params (TITLE_SIZE, SPIRAL_COLOR) in the scene file itself" in (finding.hint or "")
