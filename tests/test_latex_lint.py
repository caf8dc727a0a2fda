"""The LaTeX lint: swallowed escapes, invalid escapes, braces and dollar signs, with exact lines."""

from __future__ import annotations

import textwrap

import pytest

from manim_agent.tools.static.checks import run_static_checks


def latex(body: str) -> list:
    """LaTeX findings for `body` inside construct(); body line 1 is file line 5."""
    source = "from manim import *\n\nclass A(Scene):\n    def construct(self):\n" + textwrap.indent(textwrap.dedent(body), " " * 8)
    result = run_static_checks(source, api_lint=False)
    assert not [f for f in result.errors if f.category not in ("latex",)], result.findings
    return [f for f in result.findings if f.category == "latex"]


def summary(found: list) -> list[tuple[str, int, str]]:
    return [(f.severity, f.line, f.details.get("escapes") and ",".join(f.details["escapes"]) or "") for f in found]


# Non-raw strings whose LaTeX command lost its backslash to a Python escape.
@pytest.mark.parametrize(
    "literal, command",
    [
        ('"\\frac{a}{b}"', "frac"),
        ('"\\theta"', "theta"),
        ('"\\beta + 1"', "beta"),
        ('"\\alpha"', "alpha"),
        ('"\\rho"', "rho"),
        ('"\\vec{v}"', "vec"),
        ('"\\nabla f"', "nabla"),
        ('"x \\neq y"', "neq"),
        ('"\\times"', "times"),
        ('"\\text{area}"', "text"),
        ('"\\right)"', "right"),
    ],
)
def test_swallowed_escape_in_mathtex_is_an_error(literal: str, command: str) -> None:
    [finding] = latex(f"t = MathTex({literal})")
    assert (finding.severity, finding.line, finding.fixable) == ("error", 5, True)
    assert finding.details["escapes"] == [command]
    assert f"\\{command}" in finding.message and "raw string" in (finding.hint or "")
    assert finding.hint.startswith('use a raw string: r"')


def test_swallowed_escape_elsewhere_is_a_warning_only_for_latex_commands() -> None:
    found = latex(
        r'''
        label = "\frac{1}{2}"
        table = "name\tvalue"
        lines = "first\nsecond"
        greek = "\theta"
        t = Text("Line 1\nLine 2")
        '''
    )
    assert summary(found) == [("warning", 6, "frac"), ("warning", 9, "theta")]


def test_raw_and_doubled_backslashes_are_fine() -> None:
    assert latex(
        r'''
        a = MathTex(r"\frac{a}{b}", r"\theta")
        b = MathTex("\\frac{a}{b} \\nabla")
        c = Tex(R"\textbf{bold}")
        d = MathTex(rf"\frac{{{1}}}{{2}}")
        '''
    ) == []


def test_invalid_escape_is_a_fixable_warning() -> None:
    [finding] = latex('t = MathTex("\\pi r^2")')
    assert (finding.severity, finding.line, finding.fixable) == ("warning", 5, True)
    assert "\\p" in finding.message and "SyntaxWarning" in finding.message


def test_fstring_escapes_are_read_from_the_source() -> None:
    [finding] = latex('t = MathTex(f"\\frac{{{1}}}{{2}}")')
    assert finding.severity == "error" and finding.details["escapes"] == ["frac"]


def test_multiline_concatenation_reports_the_right_line() -> None:
    found = latex(
        '''
        t = MathTex(
            r"a + b"
            "+ \\theta"
        )
        '''
    )
    assert summary(found) == [("error", 8, "theta")]
    assert "double the backslash" in found[0].hint or "raw string" in found[0].hint


def test_unbalanced_braces() -> None:
    found = latex(
        r'''
        a = MathTex(r"\frac{a}{b")
        b = Tex(r"\textbf{x}}")
        c = MathTex(r"\frac{", r"a", r"}{b}")
        d = MathTex(r"\{ x \}")
        e = MathTex(r"50\% of {x}")
        '''
    )
    assert [(f.severity, f.line) for f in found] == [("error", 6), ("error", 7)]
    assert "never closed" in found[0].message and found[0].details["tex"] == r"\frac{a}{b"
    assert "closes nothing" in found[1].message


def test_joined_mathtex_strings_are_checked_together() -> None:
    [finding] = latex(r't = MathTex(r"\frac{", r"a}{b")')
    assert finding.details["tex"] == r"\frac{ a}{b"


def test_dollar_in_mathtex_and_unbalanced_dollar_in_tex() -> None:
    found = latex(
        r'''
        a = MathTex(r"$x^2$")
        b = Tex(r"area $\pi r^2")
        c = Tex(r"area $\pi r^2$ and \$5")
        d = MathTex(r"\text{cost: } \$5")
        '''
    )
    assert [(f.severity, f.line, f.fixable) for f in found] == [("error", 6, True), ("error", 7, False)]
    assert "already in math mode" in found[0].message and "use Tex" in found[0].hint
    assert "unbalanced $" in found[1].message


def test_tex_producing_helpers_are_checked() -> None:
    found = latex(
        '''
        axes = Axes()
        labels = axes.get_axis_labels(x_label="\\theta", y_label="$y$")
        graph = axes.plot(lambda x: x)
        label = axes.get_graph_label(graph, "\\frac{1}{x}")
        m = Matrix([["\\alpha", "b"], ["c", "d"]])
        bullets = BulletedList("one", "\\textbf{two}")
        '''
    )
    assert [(f.severity, f.line) for f in found] == [("error", 7), ("error", 7), ("error", 9), ("error", 10), ("error", 11)]


def test_docstrings_and_bytes_are_not_linted() -> None:
    source = 'from manim import *\n\n\nclass A(Scene):\n    """Shows \\frac and \\theta."""\n\n    def construct(self):\n        data = b"\\frac"\n'
    result = run_static_checks(source, api_lint=False)
    assert [f for f in result.findings if f.category == "latex"] == []
