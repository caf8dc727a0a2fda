"""The diagnosis object: what `check` prints and what the code writer is fed back.

Its JSON form is the contract in DESIGN.md; `Diagnosis.to_json()` produces exactly those keys.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Stage = Literal["static", "dry_run", "layout"]
Category = Literal[
    "syntax",
    "import",
    "unsafe",
    "no_scene",
    "unknown_api",
    "bad_arguments",
    "latex",
    "runtime",
    "timeout",
    "resource",
    "layout",
]
Severity = Literal["error", "warning"]

CATEGORIES: tuple[str, ...] = Category.__args__  # type: ignore[attr-defined]


@dataclass
class Finding:
    """One problem found in a scene, located in the user's file."""

    stage: Stage
    category: Category
    message: str
    line: int | None = None
    code_line: str | None = None
    hint: str | None = None
    fixable: bool = False
    severity: Severity = "error"
    column: int | None = None
    # Extra, category-specific facts (the TeX string and log lines, the rule that matched, ...).
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        if not data["details"]:
            data.pop("details")
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any], *, stage: Any = None) -> Finding:
        """The inverse of `to_json`, lenient: a dict a model or a client wrote may lack any field."""
        given: Any = data  # a model's dict: its values are whatever it wrote
        unknown: Any = "error"
        return cls(
            stage=given.get("stage") or stage or "static",
            category=given.get("category") or unknown,
            message=str(data.get("message") or ""),
            line=data.get("line") if isinstance(data.get("line"), int) else None,
            code_line=data.get("code_line"),
            hint=data.get("hint"),
            fixable=bool(data.get("fixable")),
            severity="warning" if data.get("severity") == "warning" else "error",
            column=data.get("column") if isinstance(data.get("column"), int) else None,
            details=dict(data.get("details") or {}) if isinstance(data.get("details"), dict) else {},
        )


@dataclass
class Diagnosis:
    """The outcome of checking one scene: clean, or the first error plus every other finding."""

    ok: bool
    scene: str | None
    stage: Stage
    seconds: float = 0.0
    findings: list[Finding] = field(default_factory=list)
    # Scenes defined in the file, in order, so a caller can offer a choice.
    scenes: list[str] = field(default_factory=list)
    # Where the check ran, for example "bwrap" or "rlimits".
    sandbox: str | None = None
    # The layout check's geometry snapshots (tools/sandbox/child/layout_snapshot.py) when it ran; not part of
    # the JSON contract. Eval suites read the texts on screen from it.
    layout: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def primary(self) -> Finding | None:
        """The finding that decides the outcome: the first error, else the first warning."""
        errors = self.errors
        if errors:
            return errors[0]
        return self.findings[0] if self.findings else None

    @property
    def category(self) -> Category | None:
        return self.primary.category if self.primary and not self.ok else None

    @property
    def line(self) -> int | None:
        return self.primary.line if self.primary and not self.ok else None

    @property
    def fixable(self) -> bool:
        return any(f.fixable for f in self.errors)

    @property
    def message(self) -> str:
        if self.ok:
            extra = f" ({len(self.warnings)} warning(s))" if self.warnings else ""
            return f"Scene {self.scene!r} renders cleanly{extra}."
        assert self.primary is not None
        return self.primary.message

    def to_json(self) -> dict[str, Any]:
        """The object `manim-agent check --json` prints (DESIGN.md's contract)."""
        primary = self.primary if not self.ok else None
        rest = [f for f in self.findings if f is not primary]
        return {
            "ok": self.ok,
            "scene": self.scene,
            "stage": self.stage,
            "category": primary.category if primary else None,
            "rule": (primary.details.get("rule") if primary else None),
            "line": primary.line if primary else None,
            "code_line": primary.code_line if primary else None,
            "message": self.message,
            "hint": primary.hint if primary else None,
            "fixable": self.fixable,
            "issues": [f.to_json() for f in rest],
            "seconds": round(self.seconds, 3),
            "scenes": self.scenes,
            "sandbox": self.sandbox,
            # False when the scene ran without OS isolation (no bubblewrap): see the README's sandbox section.
            "isolated": None if self.sandbox is None else self.sandbox == "bwrap",
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Diagnosis:
        """The inverse of `to_json` (the primary finding's fields sit at the top level), lenient about missing fields."""
        ok = bool(data.get("ok"))
        stage: Any = data.get("stage") or "static"
        findings = []
        if data.get("message") and not ok:
            top = {**data, "details": {"rule": data["rule"]} if data.get("rule") else {}, "severity": "error"}
            findings.append(Finding.from_json(top, stage=stage))
        findings += [Finding.from_json(item, stage=stage) for item in data.get("issues") or [] if isinstance(item, dict)]
        return cls(
            ok=ok,
            scene=data.get("scene"),
            stage=stage,
            seconds=float(data.get("seconds") or 0.0),
            findings=findings,
            scenes=list(data.get("scenes") or []),
            sandbox=data.get("sandbox"),
        )

    def _repr_html_(self) -> str:
        """Jupyter shows the verdict, the located message, the hint and the other issues inline."""
        from manim_agent.notebook import diagnosis_html

        return diagnosis_html(self.to_json())

    def for_model(self) -> str:
        """A compact text form for the code writer's repair prompt."""
        if self.ok:
            return self.message
        lines = []
        for f in self.errors or self.findings:
            where = f"line {f.line}" if f.line else "unknown line"
            lines.append(f"[{f.category}] {where}: {f.message}")
            if f.code_line:
                lines.append(f"    code: {f.code_line.strip()}")
            if f.hint:
                lines.append(f"    hint: {f.hint}")
            for key in ("tex", "tex_errors"):
                if f.details.get(key):
                    lines.append(f"    {key}: {f.details[key]}")
        return "\n".join(lines)
