"""The static stage of `manim-agent check`: everything that can be said before any code runs.

It runs in the CLI process, so it never imports manim: the API lint reads a cached JSON index of
the installed Manim (`api_index`). Stages, in order:

1. source sanity: empty, binary / not UTF-8, NUL bytes, too large;
2. syntax (with a hint when the file is Markdown or prose around code);
3. scene discovery and choice (`scenes`);
4. safety policy (`safety`), API lint (`api_lint`) and LaTeX lint (`latex_lint`).

`run_static_checks` returns every finding, sorted by line; severity "error" blocks the dry run.
Columns are 1-based character offsets, like lines.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from manim_agent import settings
from manim_agent.llm.parsing import PYTHON_LANGS, fenced_blocks, normalize_text
from manim_agent.tools.diagnosis import Category, Finding
from manim_agent.tools.static.source import ParsedSource, split_lines

# Python's own error text when a non-raw string holds \u, \x or \N followed by LaTeX letters.
ESCAPE_ERROR_RE = re.compile(r"unicodeescape|truncated \\[xuU]|malformed \\N", re.IGNORECASE)


@dataclass
class StaticResult:
    """What the static stage found: the scene to dry-run, every scene, and the findings."""

    scene: str | None
    scenes: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # Why `scene` was chosen, e.g. "picked the last scene defined (B); others: A".
    chose_scene_reason: str | None = None
    # Stages that were skipped and why (e.g. the API index could not be built).
    notes: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def ok(self) -> bool:
        """True when nothing blocks the dry run (warnings allowed)."""
        return not self.errors


def run_static_checks(
    source: str | bytes,
    *,
    scene: str | None = None,
    filename: str = "scene.py",
    allow_imports: Iterable[str] = (),
    api_lint: bool = True,
) -> StaticResult:
    """Check a scene file without running it.

    Args:
        source: the file's text (bytes are decoded as UTF-8; undecodable bytes are a finding).
        scene: the scene class to check; by default the last scene defined that no other scene
            in the file subclasses.
        filename: used in messages only.
        allow_imports: extra top-level modules to allow (`--allow-import NAME`); modules the
            safety policy knows to be dangerous stay refused.
        api_lint: set False to skip the lint against the installed Manim (no index needed).

    Returns:
        StaticResult with the chosen scene, all scenes in file order and the findings by line.
    """
    from manim_agent.tools.static import api_lint as api_lint_module
    from manim_agent.tools.static import latex_lint
    from manim_agent.tools.static import safety as safety_policy
    from manim_agent.tools.static import scenes as scene_discovery

    early = _check_source_text(source, filename)
    if isinstance(early, StaticResult):
        return early
    text = early
    try:
        with warnings.catch_warnings():
            # Invalid escapes ("\p") warn at parse time; the LaTeX lint reports them properly.
            warnings.simplefilter("ignore")
            tree = ast.parse(text, filename=filename)
    except SyntaxError as exc:
        return StaticResult(scene=None, findings=[_syntax_finding(exc, text)])
    except (ValueError, RecursionError, MemoryError) as exc:
        message = f"{filename} cannot be parsed as Python: {exc}"
        return StaticResult(scene=None, findings=[_plain("syntax", message)])

    ctx = ParsedSource(text, tree, filename)
    result = StaticResult(scene=None)
    index = None
    if api_lint:
        from manim_agent.tools.static import api_index

        index = api_index.load_index()
        if index is None:
            why = api_index.last_build_error or "is manim installed?"
            result.notes.append(f"API lint skipped: no index of the installed manim ({why})")
    scene_bases = index.scene_classes if index is not None else scene_discovery.DEFAULT_SCENE_BASES
    choice = scene_discovery.choose_scene(ctx, scene_bases, requested=scene)
    result.scene, result.scenes, result.chose_scene_reason = choice.scene, choice.scenes, choice.reason
    findings = list(choice.findings)
    findings += safety_policy.check_safety(ctx, allow_imports=frozenset(allow_imports))
    findings += api_lint_module.check_api(ctx, index)
    findings += latex_lint.check_latex(ctx)
    result.findings = sort_findings(scope_to_scene(findings, choice))
    return result


# Findings that block whatever scene of the file is checked: the file does not parse, is unsafe to run,
# or has no scene. Everything else is judged only where the chosen scene's code is.
FILE_WIDE = frozenset({"syntax", "unsafe", "import", "no_scene"})


def scope_to_scene(findings: list[Finding], choice: Any) -> list[Finding]:
    """A multi-scene file is judged per scene: an error inside another Scene class is a warning naming it.

    The chosen scene runs its own class, its in-file base scenes, the module-level code and the
    helpers (functions, non-scene classes) it calls; another Scene class of the file never runs.
    """
    from manim_agent.tools.static import scenes as scene_discovery

    if not choice.scene or len(choice.scenes) < 2:
        return findings
    chain = {info.name for info in scene_discovery.in_file_chain(choice.classes, choice.scene)}
    others = [(info.name, info.node.lineno, info.node.end_lineno or info.node.lineno)
              for info in choice.classes.values() if info.is_scene and info.name not in chain]
    for finding in findings:
        if finding.severity != "error" or not finding.line or finding.category in FILE_WIDE:
            continue
        owner = next((name for name, first, last in others if first <= finding.line <= last), None)
        if owner:
            finding.severity = "warning"
            finding.message = f"in scene {owner}, which checking {choice.scene} does not run: {finding.message}"
            finding.details["other_scene"] = owner
    return findings


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """By line, then column; findings without a line (whole-file problems) come first.

    Two checks can report the same fault (a removed base class is both an unknown name and the
    reason no scene exists); one finding per category, line and name is kept, the first one found.
    """
    unique: dict[tuple, Finding] = {}
    for finding in findings:
        name = finding.details.get("name")
        key = (finding.category, finding.line, name) if name else (finding.category, finding.line, finding.column, finding.message)
        unique.setdefault(key, finding)
    return sorted(unique.values(), key=lambda f: (f.line or 0, f.column or 0))


def _plain(category: Category, message: str, hint: str | None = None, **kw: Any) -> Finding:
    return Finding(stage="static", category=category, message=message, hint=hint, **kw)


def _check_source_text(source: str | bytes, filename: str) -> str | StaticResult:
    """The decoded text, or a StaticResult when the file is not usable Python source at all."""
    size = len(source) if isinstance(source, bytes) else len(source.encode("utf-8", errors="surrogatepass"))
    if size > settings.MAX_SOURCE_BYTES:
        message = f"{filename} is {size:,} bytes; scenes larger than {settings.MAX_SOURCE_BYTES:,} bytes are refused"
        return StaticResult(scene=None, findings=[_plain("resource", message, "split the file or remove embedded data")])
    not_text_hint = "pass the scene's .py source file"
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            message = f"{filename} is not Python source text: byte {exc.start} is not valid UTF-8"
            return StaticResult(scene=None, findings=[_plain("syntax", message, not_text_hint)])
    if "\x00" in source:
        line = source.count("\n", 0, source.index("\x00")) + 1
        message = f"{filename} is not Python source text: it contains NUL bytes (binary data)"
        return StaticResult(scene=None, findings=[_plain("syntax", message, not_text_hint, line=line)])
    bad = re.search("[\udc80-\udcff\ufffd]", source)
    if bad:
        line = source.count("\n", 0, bad.start()) + 1
        message = f"{filename} is not Python source text: it holds bytes that are not valid UTF-8"
        return StaticResult(scene=None, findings=[_plain("syntax", message, not_text_hint, line=line)])
    source = source.lstrip("\ufeff")
    code = [ln for ln in split_lines(source) if ln.strip() and not ln.lstrip().startswith("#")]
    if not code:
        what = "empty" if not source.strip() else "only comments"
        message = f"{filename} is {what}: there is no scene to render"
        hint = "write a scene: `from manim import *` then `class MyScene(Scene):` with a `construct(self)` method"
        return StaticResult(scene=None, findings=[_plain("no_scene", message, hint)])
    return source


def _syntax_finding(exc: SyntaxError, source: str) -> Finding:
    lines = split_lines(source)
    line = exc.lineno
    code_line = lines[line - 1].strip() if line and 1 <= line <= len(lines) else (exc.text or "").strip() or None
    message = f"{type(exc).__name__}: {exc.msg}"
    hint = None
    fixable = False
    if any(block.lang in PYTHON_LANGS for block in fenced_blocks(normalize_text(source))):
        hint = "the file holds Markdown with a fenced code block; extract the code"
        fixable = True
    elif ESCAPE_ERROR_RE.search(exc.msg or ""):
        hint = 'a LaTeX command in a normal string starts a Python escape (\\u, \\x, \\N): use a raw string: r"\\underline{x}"'
        fixable = True
    elif line and code_line and _looks_like_prose(code_line):
        hint = f"line {line} is prose, not Python: keep only the code"
    details: dict[str, Any] = {"end_line": getattr(exc, "end_lineno", None)}
    if hint is None:
        from manim_agent.llm.parsing import looks_cut_off

        if looks_cut_off(source):
            last = len(source.rstrip("\n").split("\n"))
            message += f"; the file ends mid-statement at line {last}: it looks cut off (a model's output limit)"
            hint = (f"the code stops in the middle (line {last}): ask for the rest of the file from line {line or last} on, "
                    "not for a repair; or send a shorter scene")
            details["truncated"] = True
            details["last_line"] = last
    return Finding(
        stage="static",
        category="syntax",
        message=message,
        line=line,
        code_line=code_line,
        hint=hint,
        fixable=fixable,
        column=exc.offset,
        details=details,
    )


def _looks_like_prose(code_line: str) -> bool:
    words = code_line.split()
    return len(words) >= 4 and sum(w.isalpha() for w in words) >= 0.7 * len(words) and not code_line.endswith(":")
