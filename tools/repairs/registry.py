"""Deterministic repairs for LLM-written Manim scenes: what `manim-agent fix` runs, with no LLM.

A `Rule` turns one well-known fault into a precise text edit: a ManimGL name, an old keyword
argument, LaTeX that Python's string escapes mangled, a signature that changed in Manim CE 0.19.
`fix_source` checks the scene, applies every rule that fires, checks again, and repeats until the
scene checks clean, no rule applies, or `max_rounds` is reached. `fix_file` does the same for a file
and writes the result next to it; it never modifies its input.

Rules edit the source text at `ast` node positions, so comments and formatting survive. An edit
whose result no longer parses is thrown away. Every rule is idempotent: on its own output it
finds nothing more to do.

The order of `RULES` matters:
1. `markdown-fence` first: until the prose is gone nothing else can parse the file.
2. `raw-latex` next: a `\\x` or `\\u` inside a LaTeX string is a SyntaxError that hides the rest.
3. The rules that read the diagnosis (`vgroup-to-group`, `apply-method`, `latex-typo`) run before
   any rule that adds or removes lines; after such a rule the findings' line numbers are stale, so
   the remaining rules of that round see none (they get fresh ones after the next check).
4. `fade-shift` before `rename`: it owns the FadeInFrom family, whose arguments change too;
   `fix-in-frame` before `scene-base`, which then sees the 3-D camera call it wrote.
5. The rest are independent of each other.

What no rule attempts (left to the model, whose diagnosis hint names the fix): GraphScene and its
setup_axes/CONFIG axes (the whole scene must be rebuilt around `Axes`), a Mobject subclass's
ManimGL `CONFIG` (its entries fed constructor parameters), ManimGL's `self.frame` camera, LaTeX that
fails for other reasons than escapes, `$`, Unicode or a misspelled command, and anything that needs
the author's intent. `ApplyMethod` still works in Manim CE 0.22, so it is only rewritten where the
check blames it.

The rules live beside this module: `latex.py` (answer text, string literals, LaTeX), `names.py` (imports
and names), `signatures.py` (calls whose signature changed), `kwargs.py` (what published LLM scenes
break: removed keywords, 2-D points, ManimGL's 3-D frame), `assets.py` (missing icon files, ManimGL's
glow), `scene_calls.py` (scene updaters, move_camera inside play) and `scene.py` (scene structure);
`edits.py` holds the edit plumbing. This module names and orders them, and runs them: `repair_loop` is
the one check -> repair -> re-check loop, for `fix` and for the agent alike.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from manim_agent.errors import InputFileError, UserError
from manim_agent.tools.diagnosis import Diagnosis, Finding
from manim_agent.tools.repairs import assets as repair_assets
from manim_agent.tools.repairs import kwargs as repair_kwargs
from manim_agent.tools.repairs import latex as repair_latex
from manim_agent.tools.repairs import names as repair_rules
from manim_agent.tools.repairs import scene as repair_scene
from manim_agent.tools.repairs import scene_calls as repair_scene_calls
from manim_agent.tools.repairs import signatures as repair_signatures
from manim_agent.tools.repairs.edits import Edit, SourceText, parses, source_text, splice

CheckFunction = Callable[..., Diagnosis]
LineMap = Callable[[int], int]
EditFinder = Callable[[SourceText, list[Finding]], list[Edit]]

# Overlapping edits of one rule (nested calls) are applied on a later pass of the same rule.
_PASSES_PER_RULE = 4


@dataclass(frozen=True)
class Rule:
    """One deterministic repair: a kebab-case name, a one-line description, and its edit finder."""

    name: str
    description: str
    find_edits: EditFinder

    def edits(self, source: str, findings: Sequence[Finding] = ()) -> list[Edit]:
        """The edits this rule would make to `source` (empty when it does not apply)."""
        return self.find_edits(SourceText(source), list(findings))

    def apply(self, source: str, findings: Sequence[Finding] = ()) -> str | None:
        """The repaired source, or None when the rule does not apply (or its edit would not parse)."""
        result = _apply_rule(self, source, list(findings), [])
        return result[0] if result else None


@dataclass
class AppliedRule:
    """What one rule changed in one round: the lines it touched and a line per change.

    Line numbers refer to the repaired source that `fix_source` returns (they are moved along as
    later rules add or remove lines), so a reader can find each change in the output file.
    """

    rule: str
    # (line, what changed); a note may be empty for the secondary edits of one change.
    notes: list[tuple[int, str]] = field(default_factory=list)
    round: int = 1

    @property
    def lines(self) -> list[int]:
        return sorted({line for line, _ in self.notes})

    @property
    def changes(self) -> list[str]:
        return [f"line {line}: {note}" for line, note in self.notes if note]

    @property
    def description(self) -> str:
        """One line: every change, e.g. "line 7: ShowCreation → Create; line 9: ..."."""
        return "; ".join(self.changes) or f"lines {', '.join(map(str, self.lines))}"

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "round": self.round, "lines": self.lines, "description": self.description, "changes": self.changes}

    def _move_lines(self, line_map: LineMap) -> None:
        self.notes = [(line_map(line), note) for line, note in self.notes]


@dataclass
class FixResult:
    """The outcome of `fix_source`/`fix_file`: the repaired source, what was applied, the last check."""

    source: str
    applied: list[AppliedRule]
    diagnosis: Diagnosis
    ok: bool
    rounds: int
    original: str = ""
    initial: Diagnosis | None = None
    input_path: Path | None = None
    # Where fix_file wrote the repaired scene; None when nothing was applied (nothing is written).
    out_path: Path | None = None

    @property
    def changed(self) -> bool:
        return self.source != self.original

    @property
    def message(self) -> str:
        if self.initial is not None and self.initial.ok and not self.applied:
            text = "The scene already checks clean; nothing to fix."
        elif not self.applied:
            text = f"No rule applies. {self.diagnosis.message}"
        else:
            count = sum(max(1, len(a.changes)) for a in self.applied)
            done = f"Applied {count} repair(s) in {self.rounds} round(s)"
            text = f"{done}; the scene now checks clean." if self.ok else f"{done}; the scene still fails: {self.diagnosis.message}"
        if self.input_path is not None:
            text += f" Wrote {self.out_path}." if self.out_path else " Nothing written."
        return text

    def to_json(self) -> dict[str, Any]:
        """The object `manim-agent fix --json` prints."""
        before = self.initial
        return {
            "ok": self.ok,
            "changed": self.changed,
            "rounds": self.rounds,
            "applied": [a.to_json() for a in self.applied],
            "message": self.message,
            "input": str(self.input_path) if self.input_path else None,
            "out": str(self.out_path) if self.out_path else None,
            "before": None if before is None else {"ok": before.ok, "category": before.category, "line": before.line, "message": before.message},
            "diagnosis": self.diagnosis.to_json(),
        }


RULES: list[Rule] = [
    Rule("markdown-fence", "keep only the code of an LLM answer (```python fences, prose around the code)", repair_latex.find_markdown_fence),
    Rule("raw-latex", "make LaTeX string literals raw, or escape their backslashes, where Python would eat \\f, \\t, \\b, \\x ...", repair_latex.find_raw_latex),
    Rule("vgroup-to-group", "a VGroup that got an image or other non-vector mobject (runtime TypeError) becomes a Group", repair_scene.find_vgroup_to_group),
    Rule("apply-method", "self.play(mob.shift, UP) → self.play(mob.animate.shift(UP)); ApplyMethod → .animate where the check blames it", repair_scene.find_apply_method),
    Rule("latex-typo", "a LaTeX command the check reports undefined → the known command it misspells (\\alpah → \\alpha, \\R → \\mathbb{R})", repair_latex.find_latex_typo),
    Rule("manimlib-import", "ManimGL imports (manimlib) → from manim import *; add the import when a scene file lacks it", repair_rules.find_manimlib_import),
    Rule("stdlib-import", "add import math / random / numpy as np when the code uses them without importing", repair_rules.find_stdlib_import),
    Rule("fade-shift", "FadeInFrom(m, D) → FadeIn(m, shift=-D), FadeOutAndShift(m, D) → FadeOut(m, shift=D), FadeInFromLarge → scale=, FadeIn(m, UP) → shift=UP", repair_rules.find_fade_shift),
    Rule("rename", "renamed ManimGL/old-CE names and methods (ShowCreation → Create, TextMobject → Tex, .get_graph → .plot), invented ones (BOTTOM → DOWN, np.PI → np.pi)", repair_rules.find_rename),
    Rule("color-name", "an undefined colour made of two Manim colours (BLUE_GREY) → interpolate_color(BLUE, GREY, 0.5)", repair_rules.find_color_name),
    Rule("tracing-tail", "ManimGL's TracingTail(mob, time_traced=t) → TracedPath(mob.get_center, dissipating_time=t)", repair_signatures.find_tracing_tail),
    Rule("config-frame", "FRAME_WIDTH, FRAME_HEIGHT, FRAME_X_RADIUS, FRAME_Y_RADIUS → config.frame_width ...", repair_rules.find_config_frame),
    Rule("range-kwargs", "x_min/x_max[/x_step, tick_frequency] → x_range=[min, max, step]; likewise y, z, t, u, v", repair_signatures.find_range_kwargs),
    Rule("keyword-only", "positional arguments that Manim CE 0.19+ takes by keyword only: rotate(a, OUT, ORIGIN) → about_point=ORIGIN, Star(5, 2, 1), SurroundingRectangle(m, YELLOW, 0.1)", repair_signatures.find_keyword_only),
    Rule("text-size", "Text(..., size=) → font_size= (a size below 6 was a scale factor of the default 48)", repair_signatures.find_text_size),
    Rule("code-kwargs", "Code's pre-0.19 keywords: code → code_string, style → formatter_style, font/font_size → paragraph_config", repair_signatures.find_code_kwargs),
    Rule("sector-radius", "Sector(outer_radius=R) → Sector(radius=R); with an inner radius → AnnularSector", repair_signatures.find_sector_radius),
    Rule("removed-kwarg", "a keyword the check says a call does not take (max_tip_length, inner_color, Arrow3D(color_start=)) → its CE name, else dropped with a note", repair_kwargs.find_removed_kwarg),
    Rule("point-z", "numpy shape errors from 2-D points: np.array([x, y]) on the blamed line (or assigned to a name it uses) → np.array([x, y, 0])", repair_kwargs.find_point_3d),
    Rule("missing-asset", "SVGMobject/ImageMobject of a file the check could not find (an icon on the author's machine) → a same-size placeholder, with a note", repair_assets.find_missing_asset),
    Rule("glow", "ManimGL's .set_glow_factor(x) dropped from its chain (Manim CE has no glow)", repair_assets.find_glow),
    Rule("scene-updater", "self.add_updater(f) with def f(mob, dt) (or lambda mob, dt) that never uses mob → f(dt) (a scene updater gets dt only)", repair_scene_calls.find_scene_updater),
    Rule("move-camera-in-play", "self.play(anims, self.move_camera(...)) → self.move_camera(..., added_anims=[anims]) (move_camera plays itself)", repair_scene_calls.find_move_camera_in_play),
    Rule("three-d-frame", "ManimGL's camera frame in a ThreeDScene: frame.set_width/scale/reorient → set_camera_orientation/move_camera(zoom=, theta=, phi=); a flat ThreeDScene → MovingCameraScene", repair_kwargs.find_three_d_frame),
    Rule("fix-in-frame", "ManimGL's mob.fix_in_frame() → self.add_fixed_in_frame_mobjects(mob)", repair_scene.find_fix_in_frame),
    Rule("scene-base", "derive from MovingCameraScene when the scene uses self.camera.frame, from ThreeDScene for 3-D camera calls", repair_scene.find_scene_base),
    Rule("main-guard", "scene classes under `if __name__ == \"__main__\":` (never defined when manim imports the file) → the top level", repair_scene.find_main_guard),
    Rule("config-dict", "a ManimGL scene's CONFIG = {...} → class attributes", repair_scene.find_config_dict),
    Rule("mathtex-dollars", "remove $ from MathTex strings and axis/graph labels (they are already in math mode)", repair_latex.find_mathtex_dollars),
    Rule("latex-unicode", "Unicode Greek letters and math symbols in TeX strings (α, ≤, →, ℝ, ²) → LaTeX commands", repair_latex.find_latex_unicode),
    Rule("tex-math-mode", "Tex(...) holding only math and no $ → MathTex (LaTeX: Missing $ inserted)", repair_latex.find_tex_math_mode),
    Rule("zero-wait", "drop self.wait(0), which Manim CE refuses", repair_scene.find_zero_wait),
]


def describe_rules() -> list[tuple[str, str]]:
    """(name, one-line description) for every rule, in the order they run (for the README)."""
    return [(rule.name, rule.description) for rule in RULES]


def apply_rules(source: str, findings: Sequence[Finding] = ()) -> tuple[str, list[AppliedRule]]:
    """Apply every rule that changes `source`, in `RULES` order; returns the new source and what applied."""
    return _apply_rules(source, list(findings), history=[])


def _apply_rules(source: str, findings: list[Finding], history: list[AppliedRule]) -> tuple[str, list[AppliedRule]]:
    current = source
    applied: list[AppliedRule] = []
    findings_valid = True
    for rule in RULES:
        result = _apply_rule(rule, current, findings if findings_valid else [], history + applied)
        if result is None:
            continue
        new, record = result
        if new.count("\n") != current.count("\n"):
            findings_valid = False  # their line numbers no longer match the text
        current = new
        applied.append(record)
    return current, applied


MAX_REPAIR_ROUNDS = 12  # rounds of rule repairs on one scene, for `fix` and for the agent alike


@dataclass
class RepairRound:
    """One round of `repair_loop`: the rules applied, the code they made, and its check.

    `diagnosis` is None when `known(code)` said this code was checked before (the loop stops there)."""

    number: int
    code: str
    applied: list[Any]
    diagnosis: Diagnosis | None
    seconds: float = 0.0


def repair_loop(
    source: str,
    diagnosis: Diagnosis | None,
    *,
    check: Callable[[str], Diagnosis],
    repair: Callable[[str, list[Finding]], tuple[str, list[Any]]],
    only_fixable: bool = False,
    known: Callable[[str], bool] | None = None,
    max_rounds: int = MAX_REPAIR_ROUNDS,
) -> Iterator[RepairRound]:
    """The one check -> repair -> re-check loop (`fix` and the agent's rule repairs both use it).

    Yields each round until the code checks clean, no rule applies (or `only_fixable` and the
    diagnosis says no rule can help), a rule makes code already seen, or `max_rounds` pass.
    """
    seen = {source}
    current = source
    for number in range(1, max_rounds + 1):
        if diagnosis is None or diagnosis.ok or (only_fixable and not diagnosis.fixable):
            return
        new, applied = repair(current, diagnosis.findings)
        if not applied or new in seen:
            return
        if known is not None and known(new):
            yield RepairRound(number, new, applied, None)
            return
        started = time.monotonic()
        diagnosis = check(new)
        seen.add(new)
        current = new
        yield RepairRound(number, new, applied, diagnosis, time.monotonic() - started)


def fix_source(
    source: str,
    *,
    scene: str | None = None,
    check: CheckFunction | None = None,
    max_rounds: int = MAX_REPAIR_ROUNDS,
) -> FixResult:
    """Check, repair, re-check until the scene checks clean, no rule applies, or `max_rounds` pass.

    `check(source, scene=scene) -> Diagnosis` defaults to `render_scene.check_scene` (static checks
    plus a sandboxed dry run).
    """
    check = check or _default_check
    diagnosis = check(source, scene=scene)
    initial = diagnosis
    current = source
    applied: list[AppliedRule] = []
    rounds = 0
    loop = repair_loop(
        source,
        diagnosis,
        check=lambda code: check(code, scene=scene),
        repair=lambda code, findings: _apply_rules(code, findings, history=applied),
        max_rounds=max_rounds,
    )
    for step in loop:
        rounds = step.number
        for record in step.applied:
            record.round = rounds
        applied += step.applied
        current = step.code
        diagnosis = step.diagnosis or diagnosis
    return FixResult(
        source=current, applied=applied, diagnosis=diagnosis, ok=diagnosis.ok, rounds=rounds, original=source, initial=initial
    )


def fix_file(
    path: str | Path,
    *,
    scene: str | None = None,
    out: Path | None = None,
    check: CheckFunction | None = None,
    max_rounds: int = MAX_REPAIR_ROUNDS,
) -> FixResult:
    """Repair a scene file; the input is never modified.

    The result goes to `out`, by default `<stem>.fixed.py` next to the input, and only when some
    rule applied; `FixResult.out_path` says where (None when nothing was written).
    """
    path = Path(path)
    target = Path(out) if out is not None else path.with_name(f"{path.stem}.fixed.py")
    source = _read_scene(path)
    if target.resolve() == path.resolve():
        raise UserError(f"--out {str(target)!r} is the input file; fix never overwrites its input: choose another path")
    result = fix_source(source, scene=scene, check=check, max_rounds=max_rounds)
    result.input_path = path
    if result.applied:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(result.source, encoding="utf-8")
        except OSError as exc:
            raise UserError(f"cannot write {str(target)!r}: {exc.strerror}; pass --out with a writable path") from exc
        result.out_path = target
    return result


def _apply_rule(
    rule: Rule, source: str, findings: list[Finding], history: list[AppliedRule]
) -> tuple[str, AppliedRule] | None:
    """Run one rule to a fixed point (overlapping edits need another pass); None if it changed nothing.

    `history` holds the records of earlier rules, whose line numbers are moved along with each edit.
    """
    current = source
    record = AppliedRule(rule=rule.name)
    for _ in range(_PASSES_PER_RULE):
        usable = findings if current.count("\n") == source.count("\n") else []
        edits = rule.find_edits(source_text(current), usable)
        new, used = splice(current, edits)
        if used and not _acceptable(current, new):
            new, used = _one_by_one(current, used)
        if not used or new == current:
            break
        line_map = _line_map(current, used)
        for earlier in [*history, record]:
            earlier._move_lines(line_map)
        record.notes += _notes_after(current, used)
        current = new
        if len(used) == len({(e.start, e.end, e.new) for e in edits}):
            break  # nothing was held back for overlapping: no need for another pass
    if current == source:
        return None
    return current, record


def _line_map(text: str, edits: list[Edit]) -> LineMap:
    """Where each line of `text` ends up once `edits` (sorted, non-overlapping) are applied."""
    src = source_text(text)
    shifts = [(e.start, e.end, e.new.count("\n") - text.count("\n", e.start, e.end)) for e in edits]

    def moved(line: int) -> int:
        offset = src.line_start(line) if 0 < line <= len(src.lines) else len(text)
        delta = 0
        for start, end, change in shifts:
            if end <= offset:
                delta += change
            elif start <= offset:
                return text.count("\n", 0, start) + 1 + delta  # the line was inside this edit
        return line + delta

    return moved


def _notes_after(text: str, edits: list[Edit]) -> list[tuple[int, str]]:
    """Each edit's note at the line where the edit begins in the edited text."""
    notes = []
    delta = 0
    for edit in edits:
        notes.append((text.count("\n", 0, edit.start) + 1 + delta, edit.note))
        delta += edit.new.count("\n") - text.count("\n", edit.start, edit.end)
    return notes


def _one_by_one(text: str, edits: list[Edit]) -> tuple[str, list[Edit]]:
    """Keep each edit that leaves the text acceptable on its own (last first, so offsets hold)."""
    kept = []
    for edit in reversed(edits):
        candidate = text[: edit.start] + edit.new + text[edit.end :]
        if _acceptable(text, candidate):
            text = candidate
            kept.append(edit)
    return text, kept[::-1]


def _acceptable(old: str, new: str) -> bool:
    """An edit may never turn valid Python invalid.

    Text that did not parse may stay unparsable only if what is left is mangled LaTeX escapes,
    which `raw-latex` repairs next (an LLM answer's code block often has both).
    """
    if parses(new):
        return True
    return not parses(old) and parses(repair_latex.fix_escapes(new))


def _default_check(source: str, *, scene: str | None = None) -> Diagnosis:
    from manim_agent.tools.render_scene import check_scene  # heavy, only for real runs

    return check_scene(source, scene=scene)


def _read_scene(path: Path) -> str:
    if not path.exists():
        raise InputFileError(f"{str(path)!r} does not exist")
    if not path.is_file():
        raise InputFileError(f"{str(path)!r} is not a file")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{str(path)!r} is not UTF-8 text; is it a Python scene file?") from exc
    except OSError as exc:
        raise InputFileError(f"cannot read {str(path)!r}: {exc.strerror}") from exc
