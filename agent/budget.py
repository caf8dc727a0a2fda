"""A run's budget: `--max-cost USD` and `--max-minutes M`, an estimate before the first call, and
the guard that every paid model call passes first.

- `estimate_run(...)` prices the calls a run is expected to make with litellm's bundled price map:
  the expander's (its real prompt, and a reply sized by the beats asked for), then per section
  one first version and one repair (prompts rendered from the real templates: the section's
  script, the writer's examples; replies sized by the beats), plus the orchestrator's calls in
  agent mode. `worst` assumes every attempt is spent. Before the spec exists, its size is
  estimated from the beats the expander is asked for; after, from the spec itself.
- `Budget.guard(client, messages)` runs before every paid call (ChatClient.before_call): it
  raises `BudgetExceeded` when the money spent so far (every ledger of the run) plus this call's
  prompt would pass --max-cost, or when --max-minutes have passed. The run then stops cleanly.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from manim_agent.errors import BudgetExceeded, ConfigError
from manim_agent.llm.client import ChatClient, Ledger, litellm_module, price
from manim_agent.llm.config import ModelConfig

SPEC_TOKENS_PER_BEAT = 140  # the expander's YAML for one beat, measured on the fixtures' scripts
CODE_TOKENS_PER_BEAT = 260  # Manim code for one beat (a few objects and plays)
CODE_TOKENS_BASE = 150  # imports, the class, the construct header
EDIT_TOKENS = 350  # one search/replace repair
ORCHESTRATOR_CALLS_PER_SECTION = 4
ORCHESTRATOR_TOKENS = (3000, 300)


def validate_limits(max_cost: float | None, max_minutes: float | None) -> None:
    """A budget of 0 (or less) allows no call at all: say so before any work."""
    if max_cost is not None and max_cost <= 0:
        raise ConfigError(
            f"--max-cost {max_cost:g} allows no model call at all; give a positive amount in US dollars, "
            "e.g. --max-cost 0.50 (or leave it out for no limit)"
        )
    if max_minutes is not None and max_minutes <= 0:
        raise ConfigError(f"--max-minutes {max_minutes:g} leaves no time to work; give a positive number of minutes")


def _price(model: str, price_as: str | None, tokens_in: int, tokens_out: int) -> float | None:
    """Dollars for one call, from litellm's bundled map; 0 for local servers; None when unknown."""
    try:
        return price(price_as or model, tokens_in, tokens_out)
    except Exception:  # litellm raises several kinds for an unpriced model
        return None


def _tokens(messages: list[dict[str, Any]]) -> int:
    return int(litellm_module().token_counter(model="gpt-4o", messages=messages))


@dataclass
class Estimate:
    """The expected cost of a run (first versions plus one repair a section) and the worst case."""

    expected_usd: float | None
    worst_usd: float | None
    calls: int
    tokens_in: int
    tokens_out: int
    lines: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"expected_usd": self.expected_usd, "worst_usd": self.worst_usd, "calls": self.calls,
                "input_tokens": self.tokens_in, "output_tokens": self.tokens_out, "parts": self.lines}

    def describe(self) -> str:
        if self.expected_usd is None:
            return (f"Estimated {self.calls} model calls (~{self.tokens_in:,} tokens in, ~{self.tokens_out:,} out); "
                    "cost unknown: litellm has no price for the model")
        return (f"Estimated cost ${self.expected_usd:.4f} (up to ${self.worst_usd:.4f} if every attempt is spent): "
                f"{self.calls} model calls, ~{self.tokens_in:,} tokens in, ~{self.tokens_out:,} out")


def estimate_run(
    request: str,
    config: ModelConfig,
    *,
    mode: str,
    sections: list[Any],
    max_attempts: int,
    expand: dict[str, int] | None = None,
    already_spent_calls: int = 0,
) -> Estimate:
    """Price the run's expected calls. `sections` holds a SceneSpec per section still to make, or
    (before the expansion) ints: the beats each section is expected to have. `expand` is the
    expander's length request when the spec is still to be made, None when it exists."""
    from manim_agent.tools.expand_prompt import Beat, SceneSpec, expansion_messages
    from manim_agent.tools.write_manim_code import new_code_messages, repair_messages

    totals = {"expected": 0.0, "worst": 0.0}
    unknown = False
    calls = tokens_in = tokens_out = 0
    lines = []

    def add(role: str, messages_tokens: int, out: int, count: float, worst_count: float) -> None:
        nonlocal unknown, calls, tokens_in, tokens_out
        settings = config.for_role(role)
        cost = _price(settings.model, settings.price_as, messages_tokens, out)
        calls += round(count)
        tokens_in += round(messages_tokens * count)
        tokens_out += round(out * count)
        if cost is None:
            unknown = True
            return
        totals["expected"] += cost * count
        totals["worst"] += cost * worst_count

    if expand is not None:
        beats = max(expand.get("min_beats", 3), min(expand.get("max_beats", 8), 8))
        tokens = _tokens(expansion_messages(request, **expand))
        add("expander", tokens, SPEC_TOKENS_PER_BEAT * beats + 200, 1, 2)
        lines.append(f"expander: 1 call, prompt ~{tokens:,} tokens")
    for item in sections:
        if isinstance(item, SceneSpec):
            spec, beats = item, len(item.beats)
        else:
            beats = int(item)
            spec = SceneSpec(title="Section", goal=request[:200],
                             beats=[Beat(narration="x " * 25, on_screen="y " * 20) for _ in range(beats)])
        written = new_code_messages(spec.to_markdown(), class_name=spec.class_name(), request=None)
        code_out = CODE_TOKENS_BASE + CODE_TOKENS_PER_BEAT * beats
        prompt = _tokens(written)
        add("writer", prompt, code_out, 1, 1)
        fake_code = "x = 1\n" * (code_out // 4)
        repair = _tokens(repair_messages(fake_code, "[runtime] line 1: an error"))
        add("writer", repair, EDIT_TOKENS, 1, max(0, max_attempts - 1))
        if mode == "agent":
            add("orchestrator", ORCHESTRATOR_TOKENS[0], ORCHESTRATOR_TOKENS[1],
                ORCHESTRATOR_CALLS_PER_SECTION, ORCHESTRATOR_CALLS_PER_SECTION * max_attempts)
    if sections:
        lines.append(f"writer: {len(sections)} section(s), a first version and one repair each")
    expected = None if unknown else round(totals["expected"], 6)
    worst = None if unknown else round(totals["worst"], 6)
    return Estimate(expected, worst, calls, tokens_in, tokens_out, lines)


class Budget:
    """--max-cost and --max-minutes for one run, checked before every paid call."""

    def __init__(self, max_cost: float | None = None, max_minutes: float | None = None) -> None:
        validate_limits(max_cost, max_minutes)
        self.max_cost = max_cost
        self.max_minutes = max_minutes
        self.started = time.monotonic()
        self.ledgers: list[Ledger] = []
        self.stopped: BudgetExceeded | None = None
        self._lock = threading.Lock()

    def track(self, ledger: Ledger) -> Ledger:
        """Count `ledger`'s calls against the budget (each section has its own)."""
        with self._lock:
            if all(existing is not ledger for existing in self.ledgers):
                self.ledgers.append(ledger)
        return ledger

    @property
    def spent(self) -> float:
        return round(sum(c.cost_usd or 0.0 for ledger in list(self.ledgers) for c in list(ledger.calls)), 8)

    @property
    def minutes(self) -> float:
        return (time.monotonic() - self.started) / 60

    def exceeds(self, estimate: Estimate) -> bool:
        return (self.max_cost is not None and estimate.expected_usd is not None
                and self.spent + estimate.expected_usd > self.max_cost)

    def guard(self, client: ChatClient, messages: list[dict[str, Any]]) -> None:
        """ChatClient.before_call: refuse the call when it would pass the budget."""
        if self.stopped is not None:  # one limit reached stops every section
            raise BudgetExceeded(str(self.stopped), spent_usd=self.spent, limit=self.stopped.limit)
        if self.max_minutes is not None and self.minutes >= self.max_minutes:
            self._stop(f"the time budget is used up ({self.minutes:.1f} of --max-minutes {self.max_minutes:g})",
                       "minutes")
        if self.max_cost is not None:
            prompt = _price(client.model, client.settings.price_as, _tokens(messages), 0) or 0.0
            if self.spent + prompt > self.max_cost:
                self._stop(
                    f"the cost budget is reached (${self.spent:.4f} spent; the next {client.role} call would pass "
                    f"--max-cost {self.max_cost:g})", "cost")

    def _stop(self, message: str, limit: str) -> None:
        with self._lock:
            if self.stopped is None:
                self.stopped = BudgetExceeded(message, spent_usd=self.spent, limit=limit)
        raise BudgetExceeded(str(self.stopped), spent_usd=self.spent, limit=self.stopped.limit)

    def to_json(self) -> dict[str, Any]:
        return {"max_cost_usd": self.max_cost, "max_minutes": self.max_minutes, "spent_usd": self.spent,
                "minutes": round(self.minutes, 3),
                "stopped": str(self.stopped) if self.stopped else None}


Confirm = Callable[[str], bool]
