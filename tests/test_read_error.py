"""The error reader on pasted tracebacks (as `manim render` prints them) and on worker results."""

from __future__ import annotations

from manim_agent.tools.read_error import diagnose, from_worker_error, parse_traceback, read_error

TRACEBACK = '''Traceback (most recent call last):
  File "/home/u/.venv/lib/python3.11/site-packages/manim/cli/render/commands.py", line 124, in render
    scene.render()
  File "/home/u/project/scene.py", line 9, in construct
    graph = axes.get_graph(lambda x: x**2)
            ^^^^^^^^^^^^^^
AttributeError: 'Axes' object has no attribute 'get_graph'
'''


def test_reads_located_attribute_error_with_rename_hint() -> None:
    finding = read_error(TRACEBACK)
    assert finding.category == "unknown_api"
    assert finding.line == 9
    assert "plot" in (finding.hint or "")
    assert finding.fixable


def test_never_points_inside_manim() -> None:
    text = TRACEBACK.replace("AttributeError: 'Axes' object has no attribute 'get_graph'", "ValueError: bad")
    text = text.replace(
        "            ^^^^^^^^^^^^^^\n",
        '  File "/home/u/.venv/lib/python3.11/site-packages/manim/mobject/mobject.py", line 300, in f\n    raise ValueError\n',
    )
    finding = read_error(text)
    assert finding.line == 9 and finding.category == "runtime"


def test_parse_traceback_type_and_message() -> None:
    frames, exc_type, message = parse_traceback(TRACEBACK)
    assert [f.line for f in frames] == [124, 9]
    assert exc_type == "AttributeError" and "get_graph" in message


def test_unexpected_keyword_names_the_range_replacement() -> None:
    finding = diagnose(
        "TypeError", "Mobject.__init__() got an unexpected keyword argument 'x_min'", [], user_file=None, source=None
    )
    assert finding.category == "bad_arguments"
    assert "x_range" in (finding.hint or "") and finding.fixable


def test_name_error_uses_rename_table() -> None:
    finding = from_worker_error(
        {"type": "NameError", "message": "name 'ShowCreation' is not defined",
         "frames": [{"file": "/w/scene.py", "line": 5, "name": "construct"}], "user_file": "/w/scene.py"},
        "a\nb\nc\nd\n        self.play(ShowCreation(c))\n",
    )
    assert finding.category == "unknown_api" and finding.line == 5
    assert "Create" in (finding.hint or "")
    assert finding.code_line == "self.play(ShowCreation(c))"


def test_latex_failure_carries_tex_and_log_lines() -> None:
    finding = from_worker_error(
        {"type": "ValueError", "message": "latex error converting to dvi. See log output above or the log file: /x.log",
         "frames": [{"file": "/w/scene.py", "line": 3, "name": "construct"}], "user_file": "/w/scene.py",
         "tex": {"expression": r"\fracc{a}{b}", "errors": ["! Undefined control sequence.\n<argument> \\fracc \nl.8 x"]}},
        None,
    )
    assert finding.category == "latex" and finding.line == 3
    assert finding.details["tex"] == r"\fracc{a}{b}"
    assert "\\fracc" in (finding.hint or "")


def test_memory_and_policy_categories() -> None:
    assert diagnose("MemoryError", "", [], user_file=None, source=None).category == "resource"
    assert diagnose("PolicyViolation", "os.fork is not allowed", [], user_file=None, source=None).category == "unsafe"
    assert diagnose("ModuleNotFoundError", "No module named 'manimlib'", [], user_file=None, source=None).fixable
