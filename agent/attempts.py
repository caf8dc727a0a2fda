"""Every version of the scene a run produced, its diagnosis, and which one is best.

`AttemptLog.check(code)` runs the core's check; when it fails and the diagnosis is mechanically
fixable, the deterministic repairs are applied and the result checked again, before any LLM call
is spent. Each version is an `Attempt`; repaired versions point at their parent. The log keeps the
attempt budget (LLM-written versions only: rule repairs are free) and knows the best attempt so
far, which is what a failed run returns.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from manim_agent.tools.diagnosis import Diagnosis, Finding
from manim_agent.tools.repairs.registry import repair_loop

Origin = Literal["new", "edit", "rewrite", "agent", "repair", "unusable"]
# Origins that cost an LLM call (or came from the orchestrator) and so count against the budget.
BUDGETED: frozenset[str] = frozenset({"new", "edit", "rewrite", "agent", "unusable"})

CheckFunction = Callable[[str], Diagnosis]
RepairFunction = Callable[[str, list[Finding]], "tuple[str, list[Any]]"]

# How far a failed scene got, from "not even Python" to "renders"; the best attempt maximises it.
_CATEGORY_RANK = {
    "syntax": 0,
    "no_scene": 0,
    "import": 1,
    "unsafe": 1,
    "unknown_api": 2,
    "bad_arguments": 2,
    "latex": 3,
    "runtime": 3,
    "timeout": 3,
    "resource": 3,
    "layout": 4,
}


@dataclass
class Attempt:
    """One version of the scene: its code, where it came from, and what the check said."""

    number: int
    origin: Origin
    code: str | None
    diagnosis: Diagnosis | None = None
    problem: str | None = None
    repairs: list[str] = field(default_factory=list)
    parent: int | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.diagnosis is not None and self.diagnosis.ok

    @property
    def checked(self) -> bool:
        return self.code is not None and self.diagnosis is not None

    def feedback(self) -> str:
        """What the writer is told about this attempt."""
        if self.problem:
            return self.problem
        return self.diagnosis.for_model() if self.diagnosis else ""

    def score(self) -> tuple[int, int, int]:
        """Ordering key for "best": renders > got further > fewer errors > later."""
        if self.diagnosis is None:
            return (-1, 0, self.number)
        if self.diagnosis.ok:
            return (10, -len(self.diagnosis.warnings), self.number)
        category = self.diagnosis.category or "runtime"
        stage_bonus = 1 if self.diagnosis.stage != "static" else 0
        return (_CATEGORY_RANK.get(category, 3) + stage_bonus, -len(self.diagnosis.errors), self.number)

    def summary(self) -> dict[str, Any]:
        """The attempt's entry in run.json (the code and full diagnosis live in files)."""
        diagnosis = self.diagnosis
        return {
            "number": self.number,
            "origin": self.origin,
            "parent": self.parent,
            "ok": self.ok,
            "stage": diagnosis.stage if diagnosis else None,
            "category": diagnosis.category if diagnosis else None,
            "line": diagnosis.line if diagnosis else None,
            "message": (diagnosis.message if diagnosis else self.problem),
            "repairs": self.repairs,
            "notes": self.notes,
            "seconds": round(self.seconds, 3),
        }


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8", "surrogateescape")).hexdigest()


class AttemptLog:
    """The attempts of one run, the budget, and the check + deterministic-repair loop."""

    def __init__(
        self,
        *,
        max_attempts: int,
        check: CheckFunction,
        repair: RepairFunction | None = None,
        on_attempt: Callable[[Attempt], None] | None = None,
    ) -> None:
        self.max_attempts = max_attempts
        self.check_function = check
        self.repair_function = repair
        self.on_attempt = on_attempt
        self.attempts: list[Attempt] = []
        self._by_hash: dict[str, Attempt] = {}

    # -- budget and standings ---------------------------------------------------------------
    @property
    def used(self) -> int:
        return sum(1 for a in self.attempts if a.origin in BUDGETED)

    @property
    def left(self) -> int:
        return max(0, self.max_attempts - self.used)

    @property
    def exhausted(self) -> bool:
        return self.left == 0

    @property
    def passing(self) -> Attempt | None:
        """The latest attempt that renders cleanly."""
        return next((a for a in reversed(self.attempts) if a.ok), None)

    @property
    def best(self) -> Attempt | None:
        checked = [a for a in self.attempts if a.code is not None]
        return max(checked, key=Attempt.score) if checked else None

    @property
    def latest_checked(self) -> Attempt | None:
        return next((a for a in reversed(self.attempts) if a.checked), None)

    def next_repair_inputs(self) -> tuple[str | None, str | None]:
        """(previous_code, diagnosis) for the next writer call; (None, None) for a first version."""
        base = self.latest_checked
        last = self.attempts[-1] if self.attempts else None
        diagnosis = base.feedback() if base else None
        if last is not None and last.origin == "unusable" and last.problem:
            note = f"Your previous reply could not be used: {last.problem}"
            diagnosis = f"{diagnosis}\n\n{note}" if diagnosis else note
        return (base.code if base else None), diagnosis

    # -- recording ---------------------------------------------------------------------------
    def _add(self, attempt: Attempt) -> Attempt:
        self.attempts.append(attempt)
        if attempt.code is not None and attempt.diagnosis is not None:
            self._by_hash[code_hash(attempt.code)] = attempt
        if self.on_attempt:
            self.on_attempt(attempt)
        return attempt

    def restore(self, attempt: Attempt) -> None:
        """Re-add an attempt loaded from a run directory (resume), without re-checking it."""
        self.attempts.append(attempt)
        if attempt.code is not None and attempt.diagnosis is not None:
            self._by_hash[code_hash(attempt.code)] = attempt

    def record_unusable(self, problem: str, *, notes: list[str] | None = None) -> Attempt:
        """A writer reply that yielded no code (counts against the budget)."""
        return self._add(Attempt(len(self.attempts) + 1, "unusable", None, problem=problem, notes=list(notes or [])))

    def find(self, code: str) -> Attempt | None:
        return self._by_hash.get(code_hash(code))

    def check(self, code: str, origin: Origin, *, notes: list[str] | None = None) -> Attempt:
        """Check `code`; if it fails, apply the deterministic repairs and check again.

        Returns the last attempt of the chain: the repaired version when repairs were tried.
        Code that was checked before is not checked again (its earlier attempt is returned).
        """
        earlier = self.find(code)
        if earlier is not None:
            return self.resolve(earlier)
        started = time.monotonic()
        diagnosis = self.check_function(code)
        attempt = self._add(
            Attempt(
                len(self.attempts) + 1,
                origin,
                code,
                diagnosis,
                seconds=time.monotonic() - started,
                notes=list(notes or []),
            )
        )
        return self._repair_chain(attempt)

    def _repair_chain(self, attempt: Attempt) -> Attempt:
        """Rule repairs on a failed attempt, each round its own "repair" attempt (tools/repairs' one loop)."""
        if self.repair_function is None:
            return attempt
        current = attempt
        loop = repair_loop(
            attempt.code or "",
            attempt.diagnosis,
            check=self.check_function,
            repair=self.repair_function,
            only_fixable=True,
            known=lambda code: self.find(code) is not None,
        )
        for step in loop:
            if step.diagnosis is None:  # checked before: that attempt (or its passing repair) stands
                earlier = self.find(step.code)
                assert earlier is not None
                return self.resolve(earlier)
            current = self._add(
                Attempt(
                    len(self.attempts) + 1,
                    "repair",
                    step.code,
                    step.diagnosis,
                    repairs=[_rule_name(r) for r in step.applied],
                    parent=current.number,
                    seconds=step.seconds,
                )
            )
        return current

    def resolve(self, attempt: Attempt) -> Attempt:
        """The attempt itself, or its passing rule-repaired descendant if there is one."""
        if attempt.ok:
            return attempt
        children = [a for a in self.attempts if a.parent == attempt.number]
        for child in children:
            resolved = self.resolve(child)
            if resolved.ok:
                return resolved
        return children[-1] if children else attempt

    def accepted_code(self, code: str) -> str | None:
        """The code to accept for an answer `code`: itself if it renders, or its rule-repaired version."""
        attempt = self.find(code)
        if attempt is None:
            return None
        resolved = self.resolve(attempt)
        return resolved.code if resolved.ok else None


def _rule_name(applied: Any) -> str:
    """Repairs report what they applied as strings or small objects; keep a readable name."""
    for attribute in ("rule", "name", "description"):
        value = getattr(applied, attribute, None)
        if isinstance(value, str):
            return value
    return str(applied)
